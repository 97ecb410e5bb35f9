package cloud

import (
	"bytes"
	"context"
	"encoding/xml"
	"net/netip"
	"slices"
	"testing"
)

func ptr[T any](v T) *T { return &v }

// ipv6Vpc makes a VPC with an Amazon-provided /56 and returns it as
// Describe shows it.
func ipv6Vpc(t *testing.T, c *Cloud) *Vpc {
	t.Helper()
	ctx := context.Background()
	out := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16", AmazonIpv6: ptr(true)}))
	a := out.Vpc.Ipv6CidrBlockAssociationSet
	if len(a) != 1 || a[0].Ipv6CidrBlockState.State != "associating" || a[0].Ipv6CidrBlock.Bits() != 56 ||
		a[0].Ipv6Pool != "Amazon" || a[0].NetworkBorderGroup != "us-east-1" || a[0].IPSource != "amazon" {
		t.Fatalf("create answer's IPv6 association = %+v, want one associating Amazon /56 in us-east-1", a)
	}
	d := mustDo[*DescribeVpcsOutput](t)(c.DescribeVpcs(ctx, sc, &DescribeVpcsInput{VpcIDs: []string{out.Vpc.VpcID}}))
	v := d.Vpcs[0]
	if v.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlockState.State != "associated" {
		t.Fatalf("described state = %q", v.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlockState.State)
	}
	return v
}

// subnet64 is the n-th /64 of a /56.
func subnet64(p netip.Prefix, n int) netip.Prefix {
	b := p.Addr().As16()
	b[7] = byte(n)
	return netip.PrefixFrom(netip.AddrFrom16(b), 64)
}

func TestVpcIpv6Block(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := context.Background()
	v := ipv6Vpc(t, c)
	block := v.Ipv6Blocks()[0]
	if !netip.MustParsePrefix("2600:1f18::/32").Contains(block.Addr()) {
		t.Errorf("block %s is not from us-east-1's Amazon pool 2600:1f18::/32", block)
	}
	// The main route table routes the block locally; the default ACL
	// allows all IPv6 (rules 101), the default group sends to ::/0.
	rts := mustDo[*DescribeRouteTablesOutput](t)(c.DescribeRouteTables(ctx, sc, &DescribeRouteTablesInput{Filters: []Filter{{Name: "vpc-id", Values: []string{v.VpcID}}}}))
	if !slices.ContainsFunc(rts.RouteTables[0].Routes, func(r Route) bool {
		return r.DestinationIpv6CidrBlock == block.String() && r.GatewayID == "local"
	}) {
		t.Errorf("no local IPv6 route: %+v", rts.RouteTables[0].Routes)
	}
	acls := mustDo[*DescribeNetworkACLsOutput](t)(c.DescribeNetworkAcls(ctx, sc, &DescribeNetworkACLsInput{Filters: []Filter{{Name: "vpc-id", Values: []string{v.VpcID}}}}))
	n := 0
	for _, e := range acls.NetworkACLs[0].Entries {
		if e.Ipv6CidrBlock == "::/0" && e.RuleNumber == 101 && e.RuleAction == "allow" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("default ACL IPv6 allow entries = %d, want 2: %+v", n, acls.NetworkACLs[0].Entries)
	}
	sgs := mustDo[*DescribeSecurityGroupsOutput](t)(c.DescribeSecurityGroups(ctx, sc, &DescribeSecurityGroupsInput{Filters: []Filter{{Name: "vpc-id", Values: []string{v.VpcID}}}}))
	if !slices.ContainsFunc(sgs.SecurityGroups[0].Rules, func(r SecurityGroupRule) bool { return r.IsEgress && r.CidrIPv6 == "::/0" }) {
		t.Errorf("default group has no egress to ::/0")
	}
	// A second VPC never gets the same block; filters find each.
	w := ipv6Vpc(t, c)
	if w.Ipv6Blocks()[0] == block {
		t.Fatalf("two VPCs share %s", block)
	}
	f := mustDo[*DescribeVpcsOutput](t)(c.DescribeVpcs(ctx, sc, &DescribeVpcsInput{Filters: []Filter{{Name: "ipv6-cidr-block-association.ipv6-cidr-block", Values: []string{block.String()}}}}))
	if len(f.Vpcs) != 1 || f.Vpcs[0].VpcID != v.VpcID {
		t.Errorf("filter by block found %d VPCs", len(f.Vpcs))
	}
	// Disassociating takes the local routes away; the block goes back.
	assoc := v.Ipv6CidrBlockAssociationSet[0].AssociationID
	dis := mustDo[*DisassociateVpcCidrBlockOutput](t)(c.DisassociateVpcCidrBlock(ctx, sc, &DisassociateVpcCidrBlockInput{AssociationID: assoc}))
	if dis.Ipv6CidrBlockAssociation == nil || dis.Ipv6CidrBlockAssociation.Ipv6CidrBlockState.State != "disassociating" || dis.CidrBlockAssociation != nil {
		t.Errorf("disassociate answer = %+v", dis)
	}
	rts = mustDo[*DescribeRouteTablesOutput](t)(c.DescribeRouteTables(ctx, sc, &DescribeRouteTablesInput{Filters: []Filter{{Name: "vpc-id", Values: []string{v.VpcID}}}}))
	if slices.ContainsFunc(rts.RouteTables[0].Routes, func(r Route) bool { return r.DestinationIpv6CidrBlock != "" }) {
		t.Errorf("IPv6 local route left: %+v", rts.RouteTables[0].Routes)
	}
	// Associating again gives a fresh block.
	as := mustDo[*AssociateVpcCidrBlockOutput](t)(c.AssociateVpcCidrBlock(ctx, sc, &AssociateVpcCidrBlockInput{VpcID: v.VpcID, AmazonIpv6: ptr(true)}))
	if as.Ipv6CidrBlockAssociation == nil || as.Ipv6CidrBlockAssociation.Ipv6CidrBlockState.State != "associating" || as.CidrBlockAssociation != nil {
		t.Errorf("associate answer = %+v", as)
	}
	_, err := c.AssociateVpcCidrBlock(ctx, sc, &AssociateVpcCidrBlockInput{VpcID: v.VpcID, AmazonIpv6: ptr(true), CidrBlock: "10.1.0.0/16"})
	wantCode(t, err, "InvalidParameterCombination")
	_, err = c.AssociateVpcCidrBlock(ctx, sc, &AssociateVpcCidrBlockInput{VpcID: v.VpcID, Ipv6Pool: "ipv6pool-ec2-0123456789abcdef0", Ipv6Block: "2001:db8::/56"})
	wantCode(t, err, "UnsupportedOperation")
	_, err = c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16", AmazonIpv6: ptr(true), BorderGroup: "us-west-2"})
	wantCode(t, err, "InvalidParameterValue")
}

func TestSubnetIpv6(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := context.Background()
	v := ipv6Vpc(t, c)
	block := v.Ipv6Blocks()[0]
	create := func(in CreateSubnetInput) (*CreateSubnetOutput, error) {
		in.VpcID = v.VpcID
		return c.CreateSubnet(ctx, sc, &in)
	}
	s := mustDo[*CreateSubnetOutput](t)(create(CreateSubnetInput{CidrBlock: "10.0.1.0/24", Ipv6CidrBlock: subnet64(block, 1).String()})).Subnet
	if len(s.Ipv6CidrBlockAssociationSet) != 1 || s.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock != subnet64(block, 1) {
		t.Fatalf("subnet's IPv6 blocks = %+v", s.Ipv6CidrBlockAssociationSet)
	}
	for _, tc := range []struct {
		name string
		in   CreateSubnetInput
		code string
	}{
		{"outside the VPC's block", CreateSubnetInput{CidrBlock: "10.0.2.0/24", Ipv6CidrBlock: "2001:db8:0:1::/64"}, "InvalidSubnet.Range"},
		{"not a subnet size", CreateSubnetInput{CidrBlock: "10.0.2.0/24", Ipv6CidrBlock: netip.PrefixFrom(block.Addr(), 65).String()}, "InvalidParameterValue"},
		{"an IPv4 block", CreateSubnetInput{CidrBlock: "10.0.2.0/24", Ipv6CidrBlock: "10.0.0.0/16"}, "InvalidParameterValue"},
		{"overlapping another subnet's", CreateSubnetInput{CidrBlock: "10.0.2.0/24", Ipv6CidrBlock: subnet64(block, 1).String()}, "InvalidSubnet.Conflict"},
		{"native without a block", CreateSubnetInput{Ipv6Native: ptr(true)}, "MissingParameter"},
		{"native with only IPv4", CreateSubnetInput{Ipv6Native: ptr(true), CidrBlock: "10.0.2.0/24"}, "MissingParameter"},
		{"native with IPv4 too", CreateSubnetInput{Ipv6Native: ptr(true), CidrBlock: "10.0.2.0/24", Ipv6CidrBlock: subnet64(block, 2).String()}, "InvalidParameterCombination"},
	} {
		_, err := create(tc.in)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		wantCode(t, err, tc.code)
	}
	// A /60 is a subnet size AWS allows.
	mustDo[*CreateSubnetOutput](t)(create(CreateSubnetInput{CidrBlock: "10.0.3.0/24", Ipv6CidrBlock: netip.PrefixFrom(subnet64(block, 0x10).Addr(), 60).String()}))
	// An IPv6-only subnet: no IPv4 block, IPv6 on creation, resource names.
	n := mustDo[*CreateSubnetOutput](t)(create(CreateSubnetInput{Ipv6Native: ptr(true), Ipv6CidrBlock: subnet64(block, 2).String()})).Subnet
	if !n.Ipv6Native || !n.AssignIpv6OnCreation || n.CidrBlock.IsValid() || n.PrivateDNSNameOptions.HostnameType != "resource-name" {
		t.Errorf("native subnet = %+v", n)
	}
	// Interfaces there have IPv6 addresses only; no IPv4 is shown.
	e6 := mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: n.SubnetID})).NetworkInterface
	if e6.PrivateIPAddress.IsValid() || len(e6.PrivateIPs) != 0 || len(e6.Ipv6Addresses) != 1 || !subnet64(block, 2).Contains(e6.Ipv6Addresses[0].Ipv6Address) {
		t.Errorf("interface in an IPv6-only subnet = %+v", e6)
	}
	if b, err := xml.Marshal(e6); err != nil || bytes.Contains(b, []byte("privateIpAddress>")) || !bytes.Contains(b, []byte("<ipv6AddressesSet><item><ipv6Address>")) {
		t.Errorf("XML of an IPv6-only interface: %s, %v", b, err)
	}
	_, err := c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: n.SubnetID, PrivateIPAddress: "10.0.9.9"})
	wantCode(t, err, "InvalidParameter")
	_, err = c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: n.SubnetID, Ipv6AddressCount: ptr(int32(0))})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: n.SubnetID, SecondaryCount: ptr(int32(1))})
	wantCode(t, err, "InvalidParameter")
	_, err = c.CreateNatGateway(ctx, sc, &CreateNatGatewayInput{SubnetID: n.SubnetID, ConnectivityType: "private"})
	wantCode(t, err, "InvalidParameter")
	inst := mustDo[*Reservation](t)(c.RunInstances(ctx, sc, &RunInstancesInput{ImageID: "ami-12345678", MinCount: ptr(int32(1)), MaxCount: ptr(int32(1)), SubnetID: n.SubnetID})).Instances[0]
	if inst.PrivateIPAddress != nil || inst.PrivateDNSName != inst.InstanceID+".ec2.internal" || len(inst.NetworkInterfaces[0].Ipv6Addresses) != 1 {
		t.Errorf("instance in an IPv6-only subnet: ip %v, name %q, %+v", inst.PrivateIPAddress, inst.PrivateDNSName, inst.NetworkInterfaces[0].Ipv6Addresses)
	}
	eip := mustDo[*AllocateAddressOutput](t)(c.AllocateAddress(ctx, sc, &AllocateAddressInput{}))
	_, err = c.AssociateAddress(ctx, sc, &AssociateAddressInput{AllocationID: eip.AllocationID, NetworkInterfaceID: e6.NetworkInterfaceID})
	wantCode(t, err, "InvalidParameter")
	f := mustDo[*DescribeSubnetsOutput](t)(c.DescribeSubnets(ctx, sc, &DescribeSubnetsInput{Filters: []Filter{{Name: "ipv6-native", Values: []string{"true"}}}}))
	if len(f.Subnets) != 1 || f.Subnets[0].SubnetID != n.SubnetID {
		t.Errorf("ipv6-native filter found %d", len(f.Subnets))
	}

	// AssignIpv6AddressOnCreation needs a block; one block per subnet.
	plain := mustDo[*CreateSubnetOutput](t)(create(CreateSubnetInput{CidrBlock: "10.0.4.0/24"})).Subnet
	_, err = c.ModifySubnetAttribute(ctx, sc, &ModifySubnetAttributeInput{SubnetID: plain.SubnetID, AssignIpv6OnCreation: &AttributeBoolean{Value: ptr(true)}})
	wantCode(t, err, "InvalidParameterValue")
	as := mustDo[*AssociateSubnetCidrBlockOutput](t)(c.AssociateSubnetCidrBlock(ctx, sc, &AssociateSubnetCidrBlockInput{SubnetID: plain.SubnetID, Ipv6CidrBlock: subnet64(block, 4).String()}))
	if as.Ipv6CidrBlockAssociation.Ipv6CidrBlockState.State != "associating" {
		t.Errorf("associate answer state = %q", as.Ipv6CidrBlockAssociation.Ipv6CidrBlockState.State)
	}
	_, err = c.AssociateSubnetCidrBlock(ctx, sc, &AssociateSubnetCidrBlockInput{SubnetID: plain.SubnetID, Ipv6CidrBlock: subnet64(block, 5).String()})
	wantCode(t, err, "InvalidParameterValue")
	mustDo[*Return](t)(c.ModifySubnetAttribute(ctx, sc, &ModifySubnetAttributeInput{SubnetID: plain.SubnetID, AssignIpv6OnCreation: &AttributeBoolean{Value: ptr(true)}}))
	// The subnet gives each new interface an address of its block; while
	// it does, or while an interface holds one, the block stays.
	e := mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: plain.SubnetID})).NetworkInterface
	if len(e.Ipv6Addresses) != 1 || !subnet64(block, 4).Contains(e.Ipv6Addresses[0].Ipv6Address) {
		t.Fatalf("interface's IPv6 addresses = %+v, want one in %s", e.Ipv6Addresses, subnet64(block, 4))
	}
	_, err = c.DisassociateSubnetCidrBlock(ctx, sc, &DisassociateSubnetCidrBlockInput{AssociationID: as.Ipv6CidrBlockAssociation.AssociationID})
	wantCode(t, err, "InvalidCidrBlock.InUse")
	mustDo[*Return](t)(c.ModifySubnetAttribute(ctx, sc, &ModifySubnetAttributeInput{SubnetID: plain.SubnetID, AssignIpv6OnCreation: &AttributeBoolean{Value: ptr(false)}}))
	_, err = c.DisassociateSubnetCidrBlock(ctx, sc, &DisassociateSubnetCidrBlockInput{AssociationID: as.Ipv6CidrBlockAssociation.AssociationID})
	wantCode(t, err, "InvalidCidrBlock.InUse")
	mustDo[*UnassignIpv6AddressesOutput](t)(c.UnassignIpv6Addresses(ctx, sc, &UnassignIpv6AddressesInput{NetworkInterfaceID: e.NetworkInterfaceID, Ipv6Addresses: []string{e.Ipv6Addresses[0].Ipv6Address.String()}}))
	mustDo[*AssociateSubnetCidrBlockOutput](t)(c.DisassociateSubnetCidrBlock(ctx, sc, &DisassociateSubnetCidrBlockInput{AssociationID: as.Ipv6CidrBlockAssociation.AssociationID}))
	// A VPC block that a subnet uses cannot go.
	_, err = c.DisassociateVpcCidrBlock(ctx, sc, &DisassociateVpcCidrBlockInput{AssociationID: v.Ipv6CidrBlockAssociationSet[0].AssociationID})
	wantCode(t, err, "InvalidCidrBlock.InUse")
}

func TestInterfaceIpv6Addresses(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := context.Background()
	v := ipv6Vpc(t, c)
	p := subnet64(v.Ipv6Blocks()[0], 7)
	s := mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: v.VpcID, CidrBlock: "10.0.7.0/24", Ipv6CidrBlock: p.String()})).Subnet
	four := netip.AddrFrom16(func() [16]byte { b := p.Addr().As16(); b[15] = 4; return b }())
	e := mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: s.SubnetID,
		Ipv6Addresses: []Ipv6AddressInput{{four.String()}}})).NetworkInterface
	if len(e.Ipv6Addresses) != 1 || e.Ipv6Addresses[0].Ipv6Address != four {
		t.Fatalf("addresses = %+v, want %s", e.Ipv6Addresses, four)
	}
	for _, tc := range []struct {
		name string
		in   CreateNetworkInterfaceInput
		code string
	}{
		{"in use", CreateNetworkInterfaceInput{Ipv6Addresses: []Ipv6AddressInput{{four.String()}}}, "InvalidIPAddress.InUse"},
		{"reserved", CreateNetworkInterfaceInput{Ipv6Addresses: []Ipv6AddressInput{{p.Addr().Next().String()}}}, "InvalidParameterValue"},
		{"outside", CreateNetworkInterfaceInput{Ipv6Addresses: []Ipv6AddressInput{{"2001:db8::10"}}}, "InvalidParameterValue"},
		{"both", CreateNetworkInterfaceInput{Ipv6Addresses: []Ipv6AddressInput{{four.String()}}, Ipv6AddressCount: ptr(int32(1))}, "InvalidParameterCombination"},
		{"too many", CreateNetworkInterfaceInput{Ipv6AddressCount: ptr(int32(51))}, "Ipv6AddressLimitExceeded"},
	} {
		tc.in.SubnetID = s.SubnetID
		_, err := c.CreateNetworkInterface(ctx, sc, &tc.in)
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		wantCode(t, err, tc.code)
	}
	got := mustDo[*AssignIpv6AddressesOutput](t)(c.AssignIpv6Addresses(ctx, sc, &AssignIpv6AddressesInput{NetworkInterfaceID: e.NetworkInterfaceID, Ipv6AddressCount: ptr(int32(3))}))
	if len(got.AssignedIpv6Addresses) != 3 {
		t.Fatalf("assigned %d, want 3", len(got.AssignedIpv6Addresses))
	}
	seen := map[netip.Addr]bool{four: true}
	for _, a := range got.AssignedIpv6Addresses {
		if !p.Contains(a) || seen[a] {
			t.Errorf("assigned %s: outside %s or twice", a, p)
		}
		seen[a] = true
	}
	d := mustDo[*DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx, sc, &DescribeNetworkInterfacesInput{
		Filters: []Filter{{Name: "ipv6-addresses.ipv6-address", Values: []string{got.AssignedIpv6Addresses[1].String()}}}}))
	if len(d.NetworkInterfaces) != 1 || len(d.NetworkInterfaces[0].Ipv6Addresses) != 4 {
		t.Fatalf("filter by IPv6 address: %+v", d.NetworkInterfaces)
	}
	_, err := c.UnassignIpv6Addresses(ctx, sc, &UnassignIpv6AddressesInput{NetworkInterfaceID: e.NetworkInterfaceID, Ipv6Addresses: []string{"2001:db8::1"}})
	wantCode(t, err, "InvalidParameterValue")
	// A subnet without IPv6 gives none.
	s4 := mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: v.VpcID, CidrBlock: "10.0.8.0/24"})).Subnet
	_, err = c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: s4.SubnetID, Ipv6AddressCount: ptr(int32(1))})
	wantCode(t, err, "InvalidParameter")
	// Instances take them too, and show them on their interfaces.
	r := mustDo[*Reservation](t)(c.RunInstances(ctx, sc, &RunInstancesInput{ImageID: "ami-12345678", MinCount: ptr(int32(1)), MaxCount: ptr(int32(1)),
		SubnetID: s.SubnetID, Ipv6AddressCount: ptr(int32(2))}))
	if n := len(r.Instances[0].NetworkInterfaces[0].Ipv6Addresses); n != 2 {
		t.Errorf("instance interface IPv6 addresses = %d, want 2", n)
	}
}

func TestEgressOnlyInternetGateway(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := context.Background()
	v := ipv6Vpc(t, c)
	g := mustDo[*CreateEgressOnlyInternetGatewayOutput](t)(c.CreateEgressOnlyInternetGateway(ctx, sc, &CreateEgressOnlyInternetGatewayInput{VpcID: v.VpcID,
		TagSpecifications: []TagSpecification{{ResourceType: "egress-only-internet-gateway", Tags: []Tag{{"Name", "out"}}}}})).EgressOnlyInternetGateway
	if g.VpcID() != v.VpcID || g.Attachments[0].State != "attached" {
		t.Fatalf("gateway = %+v", g)
	}
	rt := mustDo[*CreateRouteTableOutput](t)(c.CreateRouteTable(ctx, sc, &CreateRouteTableInput{VpcID: v.VpcID})).RouteTable
	if !slices.ContainsFunc(rt.Routes, func(r Route) bool { return r.DestinationIpv6CidrBlock == v.Ipv6Blocks()[0].String() }) {
		t.Errorf("new route table has no IPv6 local route: %+v", rt.Routes)
	}
	_, err := c.CreateRoute(ctx, sc, &RouteInput{RouteTableID: rt.RouteTableID, DestinationCidrBlock: "0.0.0.0/0", RouteTarget: RouteTarget{EgressOnlyIGWID: g.EgressOnlyIGWID}})
	wantCode(t, err, "InvalidParameter")
	_, err = c.CreateRoute(ctx, sc, &RouteInput{RouteTableID: rt.RouteTableID, DestinationIpv6CidrBlock: "::/0", RouteTarget: RouteTarget{EgressOnlyIGWID: "eigw-0123456789abcdef0"}})
	wantCode(t, err, "InvalidEgressOnlyInternetGatewayId.NotFound")
	mustDo[*Return](t)(c.CreateRoute(ctx, sc, &RouteInput{RouteTableID: rt.RouteTableID, DestinationIpv6CidrBlock: "::/0", RouteTarget: RouteTarget{EgressOnlyIGWID: g.EgressOnlyIGWID}}))
	_, err = c.CreateRoute(ctx, sc, &RouteInput{RouteTableID: rt.RouteTableID, DestinationIpv6CidrBlock: "::/0", RouteTarget: RouteTarget{EgressOnlyIGWID: g.EgressOnlyIGWID}})
	wantCode(t, err, "RouteAlreadyExists")
	state := func() string {
		d := mustDo[*DescribeRouteTablesOutput](t)(c.DescribeRouteTables(ctx, sc, &DescribeRouteTablesInput{
			Filters: []Filter{{Name: "route.egress-only-internet-gateway-id", Values: []string{g.EgressOnlyIGWID}}}}))
		for _, r := range d.RouteTables[0].Routes {
			if r.DestinationIpv6CidrBlock == "::/0" {
				return r.State
			}
		}
		return ""
	}
	if s := state(); s != "active" {
		t.Errorf("route state = %q, want active", s)
	}
	_, err = c.DeleteVpc(ctx, sc, &DeleteVpcInput{VpcID: v.VpcID})
	wantCode(t, err, "DependencyViolation")
	f := mustDo[*DescribeEgressOnlyInternetGatewaysOutput](t)(c.DescribeEgressOnlyInternetGateways(ctx, sc, &DescribeEgressOnlyInternetGatewaysInput{Filters: []Filter{{Name: "tag:Name", Values: []string{"out"}}}}))
	if len(f.EgressOnlyInternetGateways) != 1 {
		t.Errorf("tag filter found %d", len(f.EgressOnlyInternetGateways))
	}
	mustDo[*DeleteEgressOnlyInternetGatewayOutput](t)(c.DeleteEgressOnlyInternetGateway(ctx, sc, &DeleteEgressOnlyInternetGatewayInput{EgressOnlyIGWID: g.EgressOnlyIGWID}))
	if s := state(); s != "blackhole" {
		t.Errorf("route state after the gateway went = %q, want blackhole", s)
	}
	mustDo[*Return](t)(c.DeleteRoute(ctx, sc, &DeleteRouteInput{RouteTableID: rt.RouteTableID, DestinationIpv6CidrBlock: "::/0"}))
	_, err = c.DeleteRoute(ctx, sc, &DeleteRouteInput{RouteTableID: rt.RouteTableID, DestinationIpv6CidrBlock: "::/0"})
	wantCode(t, err, "InvalidRoute.NotFound")
	// With the gateway and route table gone the VPC goes, and its block
	// returns to the pool.
	mustDo[*Return](t)(c.DeleteRouteTable(ctx, sc, &DeleteRouteTableInput{RouteTableID: rt.RouteTableID}))
	mustDo[*Return](t)(c.DeleteVpc(ctx, sc, &DeleteVpcInput{VpcID: v.VpcID}))
	err = c.view(ctx, sc, func(tx *txn) error {
		rs, err := tx.List(globalScope, kindIpv6Block)
		if len(rs) != 0 {
			t.Errorf("blocks still held after the VPC went: %d", len(rs))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
