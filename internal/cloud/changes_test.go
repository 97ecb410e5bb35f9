package cloud

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
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
		e := mustDo[*Snapshot](t)(c.Snapshot(ctx, sc)).NetworkInterfaces.Get(eni)
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

// TestElasticIPChangesPatch: associating, moving and disassociating an
// Elastic IP patches the interface views with the interfaces it is shown
// on before and after (the others are the last build's), and each
// snapshot shows the address where it is.
func TestElasticIPChangesPatch(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := context.Background()
	vpc := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
	sub := mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: vpc, CidrBlock: "10.0.1.0/24"})).Subnet.SubnetID
	var enis []string
	for range 3 {
		enis = append(enis, mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: sub})).NetworkInterface.NetworkInterfaceID)
	}
	snap := func() *Snapshot { return mustDo[*Snapshot](t)(c.Snapshot(ctx, sc)) }
	shown := func(s *Snapshot) (out []string) {
		for _, id := range enis {
			if e := s.NetworkInterfaces.Get(id); e.Association != nil {
				out = append(out, id)
			}
		}
		return out
	}
	prev := snap()
	check := func(what string, want []string) {
		t.Helper()
		s := snap()
		if got := shown(s); !slices.Equal(got, want) {
			t.Fatalf("%s: the address is shown on %v, want %v", what, got, want)
		}
		if s.NetworkInterfaces.base == nil || fmt.Sprintf("%p", s.NetworkInterfaces.base) != fmt.Sprintf("%p", prev.NetworkInterfaces.base) {
			t.Errorf("%s: the interface views were built whole, want them patched", what)
		}
		if s.NetworkInterfaces.Get(enis[2]) != prev.NetworkInterfaces.Get(enis[2]) {
			t.Errorf("%s: an interface the address is not shown on was read again", what)
		}
		prev = s
	}
	eip := mustDo[*AllocateAddressOutput](t)(c.AllocateAddress(ctx, sc, &AllocateAddressInput{Domain: "vpc"}))
	check("allocated", nil)
	mustDo[*AssociateAddressOutput](t)(c.AssociateAddress(ctx, sc, &AssociateAddressInput{AllocationID: eip.AllocationID, NetworkInterfaceID: enis[0]}))
	check("associated", enis[:1])
	assoc := mustDo[*AssociateAddressOutput](t)(c.AssociateAddress(ctx, sc, &AssociateAddressInput{AllocationID: eip.AllocationID, NetworkInterfaceID: enis[1], AllowReassociation: ptr(true)}))
	check("moved", enis[1:2])
	mustDo[*Return](t)(c.DisassociateAddress(ctx, sc, &DisassociateAddressInput{AssociationID: assoc.AssociationID}))
	check("disassociated", nil)
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
	if g := third.NetworkInterfaces.Get(eni).Groups; len(g) != 1 || g[0].GroupID != sg {
		t.Fatalf("after moving the interface into %s, its groups are %v", sg, g)
	}
	other := mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: sub})).NetworkInterface
	if fourth := snap(); fourth.NetworkInterfaces.Get(other.NetworkInterfaceID) == nil || fourth.InterfaceAt(vpc, other.PrivateIPAddress) == nil {
		t.Fatal("a new interface is not in the next snapshot's views")
	}
}

// TestInterfaceViewsMatchAFullBuild: after each of many random changes
// (interfaces created, deleted, moved between groups, given addresses,
// tagged; Elastic IPs associated and released; groups tagged and given
// rules), the snapshot — built whole, taking the last one's interface
// views or groups where they did not change, or patching the interface
// views with the interfaces that did — holds exactly what a build from
// scratch holds.
func TestInterfaceViewsMatchAFullBuild(t *testing.T) {
	for _, fold := range []int{maxLayerDelta, 3} { // 3: addresses folded into new bases often
		t.Run(fmt.Sprint("fold=", fold), func(t *testing.T) {
			defer func(was int) { maxLayerDelta = was }(maxLayerDelta)
			maxLayerDelta = fold
			interfaceViewsMatchAFullBuild(t)
		})
	}
}

func interfaceViewsMatchAFullBuild(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	var vpcs, subnets, groups, enis []string
	for v := range 2 {
		vpc := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: fmt.Sprintf("10.%d.0.0/16", v)})).Vpc.VpcID
		vpcs = append(vpcs, vpc)
		for n := range 2 {
			subnets = append(subnets, mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: vpc, CidrBlock: fmt.Sprintf("10.%d.%d.0/24", v, n)})).Subnet.SubnetID)
		}
		for n := range 2 {
			groups = append(groups, mustDo[*CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx, sc, &CreateSecurityGroupInput{GroupName: fmt.Sprint("g", n), Description: "g", VpcID: vpc})).GroupID)
		}
	}
	vpcOf := func(i int) int { return i / 2 } // subnet i, group i → VPC
	type eip struct{ alloc, assoc string }
	var eips []eip
	pick := func(l []string) (int, string) { i := rng.IntN(len(l)); return i, l[i] }
	for step := range 300 {
		var err error
		switch op := rng.IntN(9); {
		case op < 2 || len(enis) == 0:
			var o *CreateNetworkInterfaceOutput
			si, sub := pick(subnets)
			o, err = c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: sub, Groups: []string{groups[vpcOf(si)*2+rng.IntN(2)]}})
			if err == nil {
				enis = append(enis, o.NetworkInterface.NetworkInterfaceID)
			}
		case op == 2:
			i, id := pick(enis)
			if _, err = c.DeleteNetworkInterface(ctx, sc, &DeleteNetworkInterfaceInput{NetworkInterfaceID: id}); err == nil {
				enis = slices.Delete(enis, i, i+1)
			}
		case op == 3:
			_, id := pick(enis)
			snap := mustDo[*Snapshot](t)(c.Snapshot(ctx, sc))
			v := slices.Index(vpcs, snap.NetworkInterfaces.Get(id).VpcID)
			_, err = c.ModifyNetworkInterfaceAttribute(ctx, sc, &ModifyNetworkInterfaceAttributeInput{NetworkInterfaceID: id, Groups: []string{groups[v*2+rng.IntN(2)]}})
		case op == 4:
			_, id := pick(enis)
			_, err = c.AssignPrivateIpAddresses(ctx, sc, &AssignPrivateIpAddressesInput{NetworkInterfaceID: id, SecondaryCount: ptr(int32(1))})
		case op == 5:
			_, id := pick(enis)
			_, err = c.CreateTags(ctx, sc, &CreateTagsInput{Resources: []string{id}, Tags: []Tag{{Key: "step", Value: fmt.Sprint(step)}}})
		case op == 6:
			_, id := pick(enis)
			a := mustDo[*AllocateAddressOutput](t)(c.AllocateAddress(ctx, sc, &AllocateAddressInput{Domain: "vpc"}))
			var o *AssociateAddressOutput
			if o, err = c.AssociateAddress(ctx, sc, &AssociateAddressInput{AllocationID: a.AllocationID, NetworkInterfaceID: id}); err == nil {
				eips = append(eips, eip{a.AllocationID, o.AssociationID})
			}
		case op == 7 && len(eips) > 0:
			i := rng.IntN(len(eips))
			_, err = c.DisassociateAddress(ctx, sc, &DisassociateAddressInput{AssociationID: eips[i].assoc})
			eips = slices.Delete(eips, i, i+1)
		case op == 8 && rng.IntN(2) == 0:
			_, g := pick(groups)
			port := int32(1000 + step)
			_, err = c.AuthorizeSecurityGroupIngress(ctx, sc, &SecurityGroupRulesInput{GroupID: g, IPPermissions: []IPPermission{{IPProtocol: "tcp", FromPort: &port, ToPort: &port, IPRanges: []IPRange{{CidrIP: "10.9.0.0/16"}}}}})
		default:
			_, g := pick(groups)
			_, err = c.CreateTags(ctx, sc, &CreateTagsInput{Resources: []string{g}, Tags: []Tag{{Key: "step", Value: fmt.Sprint(step)}}})
		}
		if err != nil {
			t.Fatalf("step %d: %v", step, err)
		}
		got := mustDo[*Snapshot](t)(c.Snapshot(ctx, sc))
		var want *Snapshot
		if err := c.view(ctx, sc, func(tx *txn) error {
			var err error
			want, err = tx.snapshotTxn(nil)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if d := interfaceViewsDiff(got, want); d != "" {
			t.Fatalf("step %d: %s", step, d)
		}
	}
}

// interfaceViewsDiff describes how two snapshots' interface views differ.
func interfaceViewsDiff(got, want *Snapshot) string {
	ids := func(l []*NetworkInterface) []string {
		var out []string
		for _, e := range l {
			out = append(out, e.NetworkInterfaceID)
		}
		return out
	}
	all := func(m *InterfaceMap) []*NetworkInterface {
		return slices.SortedFunc(maps.Values(maps.Collect(m.All())), func(a, b *NetworkInterface) int { return strings.Compare(a.NetworkInterfaceID, b.NetworkInterfaceID) })
	}
	if g, w := ids(all(got.NetworkInterfaces)), ids(all(want.NetworkInterfaces)); !slices.Equal(g, w) {
		return fmt.Sprintf("interfaces %v, want %v", g, w)
	}
	if got.NetworkInterfaces.Len() != want.NetworkInterfaces.Len() {
		return fmt.Sprintf("%d interfaces by ID, want %d", got.NetworkInterfaces.Len(), want.NetworkInterfaces.Len())
	}
	for id, w := range want.NetworkInterfaces.All() {
		if g := got.NetworkInterfaces.Get(id); !reflect.DeepEqual(g, w) {
			return fmt.Sprintf("interface %s = %+v, want %+v", id, g, w)
		}
	}
	if !reflect.DeepEqual(got.SecurityGroups, want.SecurityGroups) {
		return "the security groups differ from a build from scratch"
	}
	vpcs := maps.Clone(want.addrs) // a patched snapshot may keep an emptied VPC's index
	maps.Copy(vpcs, got.addrs)
	for vpc := range vpcs {
		wm, gm := maps.Collect(want.addrs[vpc].all()), maps.Collect(got.addrs[vpc].all())
		if len(gm) != len(wm) {
			return fmt.Sprintf("VPC %s: %d addresses, want %d", vpc, len(gm), len(wm))
		}
		for a, e := range wm {
			if gm[a] == nil || gm[a].NetworkInterfaceID != e.NetworkInterfaceID {
				return fmt.Sprintf("VPC %s: %s → %v, want %s", vpc, a, gm[a], e.NetworkInterfaceID)
			}
		}
	}
	return ""
}
