package cloud

import (
	"fmt"
	"os"
	"strconv"
	"testing"
)

// BenchmarkLinkedSnapshot measures what paths across accounts cost: a hub
// account of n interfaces peered with a small spoke account; after each
// change the spoke's linked snapshot is built again — the parts that read
// what changed, and the union — beside the spoke's own snapshot alone.
// The changes: a tag on the spoke's subnet (the spoke's part rebuilt), on
// one of the hub's subnets (the hub's part rebuilt, taking its interface
// views from the last build), on one of the hub's interfaces (the hub's
// part rebuilt whole, n interfaces), and in an unrelated account (nothing
// rebuilt).
//
//	go test -run XXX -bench LinkedSnapshot ./internal/cloud     (n = 1,000)
//	VPCE_LINKED_SIZE=100000 go test -run XXX -bench LinkedSnapshot -benchtime 20x ./internal/cloud
func BenchmarkLinkedSnapshot(b *testing.B) {
	n := 1000
	if env := os.Getenv("VPCE_LINKED_SIZE"); env != "" {
		var err error
		if n, err = strconv.Atoi(env); err != nil {
			b.Fatalf("VPCE_LINKED_SIZE: %v", err)
		}
	}
	c, _ := newTestCloud(b)
	ctx := b.Context()
	hub, spoke := sc, Scope{Account: "210987654321", Region: sc.Region}
	var hubVpc, vpc, sub, hubENI string
	for i := range n {
		if i%(250*256) == 0 { // a /16 holds 256 subnets of 250 interfaces
			vpc = mustDo[*CreateVpcOutput](b)(c.CreateVpc(ctx, hub, &CreateVpcInput{CidrBlock: fmt.Sprintf("10.%d.0.0/16", i/250/256)})).Vpc.VpcID
			if hubVpc == "" {
				hubVpc = vpc
			}
		}
		if i%250 == 0 {
			sub = mustDo[*CreateSubnetOutput](b)(c.CreateSubnet(ctx, hub, &CreateSubnetInput{VpcID: vpc, CidrBlock: fmt.Sprintf("10.%d.%d.0/24", i/250/256, i/250%256)})).Subnet.SubnetID
		}
		hubENI = mustDo[*CreateNetworkInterfaceOutput](b)(c.CreateNetworkInterface(ctx, hub, &CreateNetworkInterfaceInput{SubnetID: sub})).NetworkInterface.NetworkInterfaceID
	}
	spokeVpc := mustDo[*CreateVpcOutput](b)(c.CreateVpc(ctx, spoke, &CreateVpcInput{CidrBlock: "172.16.0.0/16"})).Vpc.VpcID
	spokeSub := mustDo[*CreateSubnetOutput](b)(c.CreateSubnet(ctx, spoke, &CreateSubnetInput{VpcID: spokeVpc, CidrBlock: "172.16.1.0/24"})).Subnet.SubnetID
	other := Scope{Account: "333333333333", Region: sc.Region}
	otherVpc := mustDo[*CreateVpcOutput](b)(c.CreateVpc(ctx, other, &CreateVpcInput{CidrBlock: "172.17.0.0/16"})).Vpc.VpcID
	pcx := mustDo[*VpcPeeringConnectionOutput](b)(c.CreateVpcPeeringConnection(ctx, spoke, &CreateVpcPeeringConnectionInput{VpcID: spokeVpc, PeerVpcID: hubVpc, PeerOwnerID: hub.Account})).VpcPeeringConnection
	mustDo[*VpcPeeringConnectionOutput](b)(c.AcceptVpcPeeringConnection(ctx, hub, &VpcPeeringConnectionIDInput{pcx.VpcPeeringConnectionID}))
	if l := mustDo[*Snapshot](b)(c.LinkedSnapshot(ctx, spoke)); l.NetworkInterfaces.Len() < n {
		b.Fatalf("linked snapshot holds %d interfaces, want at least %d", l.NetworkInterfaces.Len(), n)
	}
	tag := func(s Scope, id string, i int) {
		mustDo[*Return](b)(c.CreateTags(ctx, s, &CreateTagsInput{Resources: []string{id}, Tags: []Tag{{Key: "n", Value: strconv.Itoa(i)}}}))
	}
	change := func(i int) { tag(spoke, spokeSub, i) }
	b.Run(fmt.Sprintf("OwnAfterChange/%d", n), func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			change(i)
			mustDo[*Snapshot](b)(c.Snapshot(ctx, spoke))
		}
	})
	b.Run(fmt.Sprintf("LinkedAfterSpokeChange/%d", n), func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			change(i)
			mustDo[*Snapshot](b)(c.LinkedSnapshot(ctx, spoke))
		}
	})
	b.Run(fmt.Sprintf("LinkedAfterHubChange/%d", n), func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			tag(hub, sub, i)
			mustDo[*Snapshot](b)(c.LinkedSnapshot(ctx, spoke))
		}
	})
	b.Run(fmt.Sprintf("LinkedAfterHubInterfaceChange/%d", n), func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			tag(hub, hubENI, i)
			mustDo[*Snapshot](b)(c.LinkedSnapshot(ctx, spoke))
		}
	})
	b.Run(fmt.Sprintf("HubAfterHubInterfaceChange/%d", n), func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			tag(hub, hubENI, i)
			mustDo[*Snapshot](b)(c.Snapshot(ctx, hub))
		}
	})
	b.Run(fmt.Sprintf("HubAfterElasticIPChange/%d", n), func(b *testing.B) {
		eip := mustDo[*AllocateAddressOutput](b)(c.AllocateAddress(ctx, hub, &AllocateAddressInput{Domain: "vpc"}))
		var assoc string
		for b.Loop() {
			if assoc == "" {
				assoc = mustDo[*AssociateAddressOutput](b)(c.AssociateAddress(ctx, hub, &AssociateAddressInput{AllocationID: eip.AllocationID, NetworkInterfaceID: hubENI})).AssociationID
			} else {
				mustDo[*Return](b)(c.DisassociateAddress(ctx, hub, &DisassociateAddressInput{AssociationID: assoc}))
				assoc = ""
			}
			mustDo[*Snapshot](b)(c.Snapshot(ctx, hub))
		}
	})
	b.Run(fmt.Sprintf("LinkedAfterUnrelatedChange/%d", n), func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			tag(other, otherVpc, i)
			mustDo[*Snapshot](b)(c.LinkedSnapshot(ctx, spoke))
		}
	})
	b.Run(fmt.Sprintf("LinkedCached/%d", n), func(b *testing.B) {
		for b.Loop() {
			mustDo[*Snapshot](b)(c.LinkedSnapshot(ctx, spoke))
		}
	})
}
