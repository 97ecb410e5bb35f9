package cloud

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"
)

// TestSnapshotFollowsWhatItRead: an account's snapshot is kept while
// other accounts write, rebuilt after a change in its own scope, and
// after a change it reads in another account's (the gateway a hub shares
// with it); a spoke's change rebuilds the spoke's part of a linked
// snapshot, not the hub's.
func TestSnapshotFollowsWhatItRead(t *testing.T) {
	c, clk := newTestCloud(t)
	ctx := context.Background()
	hub, spoke, third := sc, Scope{Account: "222222222222", Region: "us-east-1"}, Scope{Account: "333333333333", Region: "us-east-1"}
	snap := func(s Scope) *Snapshot { return mustDo[*Snapshot](t)(c.Snapshot(ctx, s)) }

	spokeVpc := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, spoke, &CreateVpcInput{CidrBlock: "10.20.0.0/16"})).Vpc.VpcID
	first := snap(spoke)
	mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, third, &CreateVpcInput{CidrBlock: "10.30.0.0/16"}))
	if snap(spoke) != first {
		t.Fatal("another account's write rebuilt the spoke's snapshot")
	}
	mustDo[*Return](t)(c.CreateTags(ctx, spoke, &CreateTagsInput{Resources: []string{spokeVpc}, Tags: []Tag{{Key: "Name", Value: "spoke"}}}))
	second := snap(spoke)
	if second == first || len(second.Vpcs[spokeVpc].Tags) != 1 {
		t.Fatalf("the spoke's own write: snapshot rebuilt %v, tags %v", second != first, second.Vpcs[spokeVpc].Tags)
	}

	// The hub shares a transit gateway and the spoke attaches to it: the
	// attachment lives with the gateway, in the hub's scope, and reaches
	// the spoke's linked snapshot through the hub's; the hub's acceptance
	// (a write in the hub's scope) reaches it too.
	g := mustDo[*CreateTransitGatewayOutput](t)(c.CreateTransitGateway(ctx, hub, &CreateTransitGatewayInput{})).TransitGateway
	clk.Advance(11 * time.Second)
	s := mustDo[*ResourceShare](t)(c.CreateResourceShare(ctx, hub, &CreateResourceShareInput{Name: "hub", ResourceArns: []string{g.TransitGatewayArn}, Principals: []string{spoke.Account}}))
	invs := mustDo[[]ShareInvitation](t)(c.GetResourceShareInvitations(ctx, spoke, nil, []string{s.ARN}))
	mustDo[*ShareInvitation](t)(c.AcceptResourceShareInvitation(ctx, spoke, invs[0].ARN))
	sub := mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, spoke, &CreateSubnetInput{VpcID: spokeVpc, CidrBlock: "10.20.1.0/24", AvailabilityZone: "us-east-1a"})).Subnet.SubnetID
	a := mustDo[*CreateTransitGatewayVpcAttachmentOutput](t)(c.CreateTransitGatewayVpcAttachment(ctx, spoke, &CreateTransitGatewayVpcAttachmentInput{TransitGatewayID: g.TransitGatewayID, VpcID: spokeVpc, SubnetIDs: []string{sub}})).TransitGatewayVpcAttachment
	linked := func() *Snapshot { return mustDo[*Snapshot](t)(c.LinkedSnapshot(ctx, spoke)) }
	shared := linked()
	if at := shared.TGWAttachments[a.TransitGatewayAttachmentID]; at == nil || at.State != "pendingAcceptance" {
		t.Fatalf("the spoke's attachment to the hub's gateway, in its linked snapshot: %+v", at)
	}
	mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, third, &CreateVpcInput{CidrBlock: "10.31.0.0/16"}))
	if linked() != shared {
		t.Fatal("an unrelated account's write rebuilt the spoke's linked snapshot")
	}
	mustDo[*CreateTransitGatewayVpcAttachmentOutput](t)(c.AcceptTransitGatewayVpcAttachment(ctx, hub, &TGWAttachmentIDInput{a.TransitGatewayAttachmentID}))
	if at := linked().TGWAttachments[a.TransitGatewayAttachmentID]; at == nil || at.State == "pendingAcceptance" {
		t.Fatalf("the hub accepted the attachment; the spoke's linked snapshot still says %+v", at)
	}

	// Peered: the spoke's change rebuilds its part of the linked snapshot,
	// and the hub's part is the hub's cached snapshot.
	hubVpc := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, hub, &CreateVpcInput{CidrBlock: "10.10.0.0/16"})).Vpc.VpcID
	pcx := mustDo[*VpcPeeringConnectionOutput](t)(c.CreateVpcPeeringConnection(ctx, spoke, &CreateVpcPeeringConnectionInput{VpcID: spokeVpc, PeerVpcID: hubVpc, PeerOwnerID: hub.Account})).VpcPeeringConnection
	mustDo[*VpcPeeringConnectionOutput](t)(c.AcceptVpcPeeringConnection(ctx, hub, &VpcPeeringConnectionIDInput{pcx.VpcPeeringConnectionID}))
	before := linked()
	hubSnap := snap(hub)
	if before.Vpcs[hubVpc] == nil || before.Vpcs[spokeVpc] == nil {
		t.Fatal("the linked snapshot lacks a side of the peering")
	}
	if linked() != before {
		t.Fatal("an unchanged linked snapshot was merged again")
	}
	mustDo[*Return](t)(c.CreateTags(ctx, spoke, &CreateTagsInput{Resources: []string{sub}, Tags: []Tag{{Key: "Name", Value: "spoke-2"}}}))
	after := linked()
	if after == before || len(after.Subnets[sub].Tags) != 1 {
		t.Fatal("the linked snapshot did not follow the spoke's change")
	}
	if snap(hub) != hubSnap {
		t.Fatal("the spoke's tag on its subnet rebuilt the hub's snapshot")
	}
	// The hub reads the spoke's VPCs (the VPC attached to its transit
	// gateway: the gateway's propagated routes are its blocks): a change
	// to one rebuilds it, as the unit of what is followed is a kind of
	// object in an account.
	mustDo[*Return](t)(c.CreateTags(ctx, spoke, &CreateTagsInput{Resources: []string{spokeVpc}, Tags: []Tag{{Key: "Name", Value: "spoke-3"}}}))
	if v := linked().Vpcs[spokeVpc]; v.Tags[0].Value != "spoke-3" || snap(hub) == hubSnap {
		t.Fatalf("the spoke's VPC tag: linked %v, hub rebuilt %v", v.Tags, snap(hub) != hubSnap)
	}
	// And a change on the hub's side reaches the spoke's linked view.
	mustDo[*Return](t)(c.CreateTags(ctx, hub, &CreateTagsInput{Resources: []string{hubVpc}, Tags: []Tag{{Key: "Name", Value: "hub"}}}))
	if v := linked().Vpcs[hubVpc]; len(v.Tags) != 1 {
		t.Fatalf("the hub's tag, in the spoke's linked snapshot: %+v", v.Tags)
	}
}

// TestConcurrentCallersShareOneBuild: callers that find an account's
// snapshot stale at once (a data plane's connections after a change)
// share one build, and a caller that comes after a later change gets a
// snapshot with that change.
func TestConcurrentCallersShareOneBuild(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := context.Background()
	vpc := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
	sub := mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: vpc, CidrBlock: "10.0.0.0/20"})).Subnet.SubnetID
	for range 2000 { // a build long enough for the callers to overlap
		mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: sub}))
	}
	for round := range 3 {
		mustDo[*Return](t)(c.CreateTags(ctx, sc, &CreateTagsInput{Resources: []string{vpc}, Tags: []Tag{{Key: "round", Value: fmt.Sprint(round)}}}))
		const callers = 8
		got := make([]*Snapshot, callers)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				<-start
				got[i] = mustDo[*Snapshot](t)(c.Snapshot(ctx, sc))
			})
		}
		close(start)
		wg.Wait()
		for i, s := range got {
			if s != got[0] {
				t.Fatalf("round %d: caller %d got its own build", round, i)
			}
		}
		if tags := got[0].Vpcs[vpc].Tags; len(tags) != 1 || tags[0].Value != fmt.Sprint(round) {
			t.Fatalf("round %d: the snapshot after the change has tags %v", round, tags)
		}
	}
}

// TestSnapshotAfterDisassociateAddress: an interface's public address in a
// snapshot follows its Elastic IP both ways — the decoded interfaces
// snapshots share are not changed by the association shown on them.
func TestSnapshotAfterDisassociateAddress(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := context.Background()
	vpc := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
	sub := mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: vpc, CidrBlock: "10.0.1.0/24"})).Subnet.SubnetID
	eni := mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: sub})).NetworkInterface.NetworkInterfaceID
	public := func() string {
		e := mustDo[*Snapshot](t)(c.Snapshot(ctx, sc)).NetworkInterfaces[eni]
		if e.Association == nil {
			return ""
		}
		return e.Association.PublicIP
	}
	if ip := public(); ip != "" {
		t.Fatalf("before any Elastic IP: public address %s", ip)
	}
	eip := mustDo[*AllocateAddressOutput](t)(c.AllocateAddress(ctx, sc, &AllocateAddressInput{Domain: "vpc"}))
	assoc := mustDo[*AssociateAddressOutput](t)(c.AssociateAddress(ctx, sc, &AssociateAddressInput{AllocationID: eip.AllocationID, NetworkInterfaceID: eni}))
	if ip := public(); ip != eip.PublicIP {
		t.Fatalf("associated: public address %q, want %s", ip, eip.PublicIP)
	}
	mustDo[*Return](t)(c.DisassociateAddress(ctx, sc, &DisassociateAddressInput{AssociationID: assoc.AssociationID}))
	if ip := public(); ip != "" {
		t.Fatalf("disassociated: the snapshot still shows public address %s", ip)
	}
}

// TestSnapshotTakesUnchangedInterfaces: a rebuild after a change that
// touches neither interfaces nor Elastic IPs takes the earlier build's
// interface views as they are; a change to an interface (its groups, a
// new one) is seen in the next one.
func TestSnapshotTakesUnchangedInterfaces(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := context.Background()
	snap := func() *Snapshot { return mustDo[*Snapshot](t)(c.Snapshot(ctx, sc)) }
	vpc := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
	sub := mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: vpc, CidrBlock: "10.0.1.0/24"})).Subnet.SubnetID
	eni := mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: sub})).NetworkInterface.NetworkInterfaceID
	first := snap()
	sg := mustDo[*CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx, sc, &CreateSecurityGroupInput{GroupName: "web", Description: "web", VpcID: vpc})).GroupID
	second := snap()
	if second == first || second.SecurityGroups[sg] == nil {
		t.Fatal("the new group is not in the next snapshot")
	}
	if reflect.ValueOf(second.NetworkInterfaces).Pointer() != reflect.ValueOf(first.NetworkInterfaces).Pointer() {
		t.Error("a change to groups only rebuilt the interface views")
	}
	mustDo[*Return](t)(c.ModifyNetworkInterfaceAttribute(ctx, sc, &ModifyNetworkInterfaceAttributeInput{NetworkInterfaceID: eni, Groups: []string{sg}}))
	third := snap()
	if m := third.members[sg]; len(m) != 1 || m[0].NetworkInterfaceID != eni {
		t.Fatalf("after moving the interface into %s, its members are %v", sg, m)
	}
	other := mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: sub})).NetworkInterface
	if fourth := snap(); fourth.NetworkInterfaces[other.NetworkInterfaceID] == nil || fourth.addrs[vpc][other.PrivateIPAddress] == nil {
		t.Fatal("a new interface is not in the next snapshot's views")
	}
}
