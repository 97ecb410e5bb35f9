package e2e

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// nth64 is the n-th /64 of a VPC's /56, as Terraform's cidrsubnet(b, 8, n).
func nth64(t *testing.T, block string, n int) string {
	t.Helper()
	p := netip.MustParsePrefix(block)
	b := p.Addr().As16()
	b[7] = byte(n)
	return netip.PrefixFrom(netip.AddrFrom16(b), 64).String()
}

// TestIPv6WithCLI builds a dual-stack VPC with the aws CLI v2 as AWS's
// IPv6 guide does: an Amazon-provided /56, a /64 per subnet, addresses on
// creation, ::/0 through an egress-only internet gateway; AWS's
// validation errors on the way.
func TestIPv6WithCLI(t *testing.T) {
	acct := newAccount()
	run := cliRunner(t, acct)
	vpc := run("create-vpc", "--cidr-block", "10.120.0.0/16", "--amazon-provided-ipv6-cidr-block")
	vpcID := str(vpc, "Vpc", "VpcId")
	if s := str(vpc, "Vpc", "Ipv6CidrBlockAssociationSet", 0, "Ipv6CidrBlockState", "State"); s != "associating" {
		t.Errorf("create-vpc IPv6 state = %q, want associating", s)
	}
	d := run("describe-vpcs", "--vpc-ids", vpcID)
	block := str(d, "Vpcs", 0, "Ipv6CidrBlockAssociationSet", 0, "Ipv6CidrBlock")
	if p, err := netip.ParsePrefix(block); err != nil || p.Bits() != 56 || str(d, "Vpcs", 0, "Ipv6CidrBlockAssociationSet", 0, "Ipv6Pool") != "Amazon" {
		t.Fatalf("VPC IPv6 block = %q (%v), want an Amazon /56", block, path(d, "Vpcs", 0, "Ipv6CidrBlockAssociationSet"))
	}
	if f := run("describe-vpcs", "--filters", "Name=ipv6-cidr-block-association.ipv6-cidr-block,Values="+block); str(f, "Vpcs", 0, "VpcId") != vpcID {
		t.Errorf("filter by IPv6 block: %v", f)
	}
	cliErr(t, acct, "InvalidSubnet.Range", "create-subnet", "--vpc-id", vpcID, "--cidr-block", "10.120.9.0/24", "--ipv6-cidr-block", "2001:db8::/64")
	cliErr(t, acct, "InvalidParameterValue", "create-subnet", "--vpc-id", vpcID, "--cidr-block", "10.120.9.0/24", "--ipv6-cidr-block", strings.Replace(nth64(t, block, 9), "/64", "/68", 1))
	cliErr(t, acct, "MissingParameter", "create-subnet", "--vpc-id", vpcID, "--ipv6-native")
	cliErr(t, acct, "InvalidParameterCombination", "create-subnet", "--vpc-id", vpcID, "--ipv6-native", "--cidr-block", "10.120.9.0/24", "--ipv6-cidr-block", nth64(t, block, 9))

	sub := run("create-subnet", "--vpc-id", vpcID, "--cidr-block", "10.120.1.0/24", "--ipv6-cidr-block", nth64(t, block, 1), "--availability-zone", "us-east-1a")
	subID := str(sub, "Subnet", "SubnetId")
	if got := str(sub, "Subnet", "Ipv6CidrBlockAssociationSet", 0, "Ipv6CidrBlock"); got != nth64(t, block, 1) {
		t.Errorf("subnet IPv6 block = %q", got)
	}
	cliErr(t, acct, "InvalidSubnet.Conflict", "create-subnet", "--vpc-id", vpcID, "--cidr-block", "10.120.2.0/24", "--ipv6-cidr-block", nth64(t, block, 1))
	native := run("create-subnet", "--vpc-id", vpcID, "--ipv6-native", "--ipv6-cidr-block", nth64(t, block, 2))
	if path(native, "Subnet", "Ipv6Native") != true || path(native, "Subnet", "AssignIpv6AddressOnCreation") != true {
		t.Errorf("IPv6-only subnet: %v", native)
	}
	if _, has := path(native, "Subnet").(map[string]any)["CidrBlock"]; has {
		t.Errorf("an IPv6-only subnet shows a CidrBlock: %v", native)
	}
	run("modify-subnet-attribute", "--subnet-id", subID, "--assign-ipv6-address-on-creation")

	eni := run("create-network-interface", "--subnet-id", subID)
	eniID := str(eni, "NetworkInterface", "NetworkInterfaceId")
	first := str(eni, "NetworkInterface", "Ipv6Addresses", 0, "Ipv6Address")
	if a, err := netip.ParseAddr(first); err != nil || !netip.MustParsePrefix(nth64(t, block, 1)).Contains(a) {
		t.Fatalf("interface's IPv6 address %q not in the subnet's /64", first)
	}
	as := run("assign-ipv6-addresses", "--network-interface-id", eniID, "--ipv6-address-count", "2")
	if n := len(path(as, "AssignedIpv6Addresses").([]any)); n != 2 {
		t.Errorf("assigned %d addresses, want 2: %v", n, as)
	}
	cliErr(t, acct, "InvalidIPAddress.InUse", "create-network-interface", "--subnet-id", subID, "--ipv6-addresses", "Ipv6Address="+first)
	f := run("describe-network-interfaces", "--filters", "Name=ipv6-addresses.ipv6-address,Values="+first)
	if str(f, "NetworkInterfaces", 0, "NetworkInterfaceId") != eniID || len(path(f, "NetworkInterfaces", 0, "Ipv6Addresses").([]any)) != 3 {
		t.Errorf("filter by IPv6 address: %v", f)
	}
	run("unassign-ipv6-addresses", "--network-interface-id", eniID, "--ipv6-addresses", first)
	inst := run("run-instances", "--image-id", "ami-12345678", "--subnet-id", subID, "--ipv6-address-count", "1")
	if path(inst, "Instances", 0, "NetworkInterfaces", 0, "Ipv6Addresses", 0, "Ipv6Address") == nil {
		t.Errorf("instance has no IPv6 address: %v", path(inst, "Instances", 0, "NetworkInterfaces"))
	}

	eigw := run("create-egress-only-internet-gateway", "--vpc-id", vpcID)
	eigwID := str(eigw, "EgressOnlyInternetGateway", "EgressOnlyInternetGatewayId")
	if str(eigw, "EgressOnlyInternetGateway", "Attachments", 0, "State") != "attached" {
		t.Errorf("egress-only gateway: %v", eigw)
	}
	rtb := str(run("create-route-table", "--vpc-id", vpcID), "RouteTable", "RouteTableId")
	cliErr(t, acct, "InvalidParameter", "create-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0", "--egress-only-internet-gateway-id", eigwID)
	run("create-route", "--route-table-id", rtb, "--destination-ipv6-cidr-block", "::/0", "--egress-only-internet-gateway-id", eigwID)
	rts := run("describe-route-tables", "--filters", "Name=route.destination-ipv6-cidr-block,Values=::/0", "Name=vpc-id,Values="+vpcID)
	routes, _ := path(rts, "RouteTables", 0, "Routes").([]any)
	var seen []string
	for _, r := range routes {
		m := r.(map[string]any)
		if d, ok := m["DestinationIpv6CidrBlock"].(string); ok {
			seen = append(seen, d+"→"+str(m, "GatewayId")+str(m, "EgressOnlyInternetGatewayId")+" "+str(m, "State"))
		}
	}
	slices.Sort(seen)
	want := []string{"::/0→" + eigwID + " active", block + "→local active"}
	slices.Sort(want)
	if !slices.Equal(seen, want) {
		t.Errorf("IPv6 routes = %q, want %q", seen, want)
	}
	cliErr(t, acct, "DependencyViolation", "delete-vpc", "--vpc-id", vpcID)
	run("delete-egress-only-internet-gateway", "--egress-only-internet-gateway-id", eigwID)
	rts = run("describe-route-tables", "--route-table-ids", rtb)
	for _, r := range path(rts, "RouteTables", 0, "Routes").([]any) {
		if m := r.(map[string]any); m["DestinationIpv6CidrBlock"] == "::/0" && m["State"] != "blackhole" {
			t.Errorf("route through the deleted gateway: %v", m)
		}
	}
}

// TestDualStackEndpoint: a dual-stack interface endpoint (aws-sdk-go-v2,
// whose model is current) gets an IPv6 address in each subnet, and the
// VPC resolver answers AAAA for its names as its DNS record IP type says
// (dig).
func TestDualStackEndpoint(t *testing.T) {
	c, _ := client(t)
	v := must[*ec2.CreateVpcOutput](t)(c.CreateVpc(ctx(t), &ec2.CreateVpcInput{CidrBlock: aws.String("10.121.0.0/16"), AmazonProvidedIpv6CidrBlock: aws.Bool(true)})).Vpc
	vpc := *v.VpcId
	must[*ec2.ModifyVpcAttributeOutput](t)(c.ModifyVpcAttribute(ctx(t), &ec2.ModifyVpcAttributeInput{VpcId: v.VpcId, EnableDnsHostnames: &types.AttributeBooleanValue{Value: aws.Bool(true)}}))
	d := must[*ec2.DescribeVpcsOutput](t)(c.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{VpcIds: []string{vpc}})).Vpcs[0]
	a6 := d.Ipv6CidrBlockAssociationSet[0]
	if aws.ToString(a6.Ipv6Pool) != "Amazon" || a6.Ipv6AddressAttribute != types.Ipv6AddressAttributePublic || a6.IpSource != types.IpSourceAmazon {
		t.Errorf("SDK's view of the IPv6 association: pool %v, attribute %v, source %v", aws.ToString(a6.Ipv6Pool), a6.Ipv6AddressAttribute, a6.IpSource)
	}
	block := aws.ToString(a6.Ipv6CidrBlock)
	var subnets []string
	for i, zone := range []string{"us-east-1a", "us-east-1b"} {
		s := must[*ec2.CreateSubnetOutput](t)(c.CreateSubnet(ctx(t), &ec2.CreateSubnetInput{VpcId: v.VpcId, AvailabilityZone: aws.String(zone),
			CidrBlock: aws.String([]string{"10.121.1.0/24", "10.121.2.0/24"}[i]), Ipv6CidrBlock: aws.String(nth64(t, block, i+1))})).Subnet
		subnets = append(subnets, *s.SubnetId)
	}
	v4only := must[*ec2.CreateSubnetOutput](t)(c.CreateSubnet(ctx(t), &ec2.CreateSubnetInput{VpcId: v.VpcId, AvailabilityZone: aws.String("us-east-1c"), CidrBlock: aws.String("10.121.3.0/24")})).Subnet.SubnetId

	// SSM's endpoints are IPv4 only in vpce's catalog; KMS's take IPv6.
	_, err := c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: v.VpcId, ServiceName: aws.String("com.amazonaws.us-east-1.ssm"),
		VpcEndpointType: types.VpcEndpointTypeInterface, SubnetIds: subnets, IpAddressType: types.IpAddressTypeDualstack})
	wantCode(t, err, "InvalidParameter")
	_, err = c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: v.VpcId, ServiceName: aws.String("com.amazonaws.us-east-1.kms"),
		VpcEndpointType: types.VpcEndpointTypeInterface, SubnetIds: []string{subnets[0], *v4only}, IpAddressType: types.IpAddressTypeDualstack})
	wantCode(t, err, "InvalidParameter")
	e := must[*ec2.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: v.VpcId, ServiceName: aws.String("com.amazonaws.us-east-1.kms"),
		VpcEndpointType: types.VpcEndpointTypeInterface, SubnetIds: subnets, IpAddressType: types.IpAddressTypeDualstack, PrivateDnsEnabled: aws.Bool(true)})).VpcEndpoint
	ep := waitEndpoint(t, c, *e.VpcEndpointId, "available")
	if ep.IpAddressType != types.IpAddressTypeDualstack || ep.DnsOptions == nil || ep.DnsOptions.DnsRecordIpType != types.DnsRecordIpTypeDualstack {
		t.Errorf("endpoint IP type %v, DNS options %+v", ep.IpAddressType, ep.DnsOptions)
	}
	enis := must[*ec2.DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx(t), &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: ep.NetworkInterfaceIds})).NetworkInterfaces
	var v4, v6 []string
	for _, n := range enis {
		if len(n.Ipv6Addresses) != 1 {
			t.Fatalf("endpoint interface %s has %d IPv6 addresses, want 1", *n.NetworkInterfaceId, len(n.Ipv6Addresses))
		}
		v4 = append(v4, *n.PrivateIpAddress)
		v6 = append(v6, *n.Ipv6Addresses[0].Ipv6Address)
	}
	slices.Sort(v4)
	slices.Sort(v6)
	r := resolverOf(t, shared, vpc)
	lines := func(s string) []string {
		out := strings.Fields(s)
		slices.Sort(out)
		return out
	}
	if got := lines(dig(t, shared, r, "+short", "AAAA", "kms.us-east-1.amazonaws.com")); !slices.Equal(got, v6) {
		t.Errorf("dig AAAA kms (private DNS) = %q, want %q", got, v6)
	}
	if got := lines(dig(t, shared, r, "+short", "A", "kms.us-east-1.amazonaws.com")); !slices.Equal(got, v4) {
		t.Errorf("dig A kms = %q, want %q", got, v4)
	}
	regional := *ep.DnsEntries[0].DnsName
	if got := lines(dig(t, shared, r, "+short", "AAAA", regional)); !slices.Equal(got, v6) {
		t.Errorf("dig AAAA %s = %q, want %q", regional, got, v6)
	}
	// service-defined: A everywhere, AAAA only for the vpce names.
	must[*ec2.ModifyVpcEndpointOutput](t)(c.ModifyVpcEndpoint(ctx(t), &ec2.ModifyVpcEndpointInput{VpcEndpointId: e.VpcEndpointId,
		DnsOptions: &types.DnsOptionsSpecification{DnsRecordIpType: types.DnsRecordIpTypeServiceDefined}}))
	if got := dig(t, shared, r, "+short", "AAAA", "kms.us-east-1.amazonaws.com"); got != "" {
		t.Errorf("service-defined: dig AAAA on the private name = %q, want none", got)
	}
	if got := lines(dig(t, shared, r, "+short", "AAAA", regional)); !slices.Equal(got, v6) {
		t.Errorf("service-defined: dig AAAA %s = %q, want %q", regional, got, v6)
	}
	// Back to IPv4: the interfaces give their IPv6 addresses back.
	must[*ec2.ModifyVpcEndpointOutput](t)(c.ModifyVpcEndpoint(ctx(t), &ec2.ModifyVpcEndpointInput{VpcEndpointId: e.VpcEndpointId, IpAddressType: types.IpAddressTypeIpv4}))
	if got := dig(t, shared, r, "+short", "AAAA", regional); got != "" {
		t.Errorf("IPv4 again: dig AAAA = %q, want none", got)
	}
	enis = must[*ec2.DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx(t), &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: ep.NetworkInterfaceIds})).NetworkInterfaces
	for _, n := range enis {
		if len(n.Ipv6Addresses) != 0 {
			t.Errorf("interface %s kept %v", *n.NetworkInterfaceId, n.Ipv6Addresses)
		}
	}
	// An IPv6-only endpoint in IPv6-only subnets: interfaces without IPv4,
	// AAAA records only.
	var native []string
	for i, zone := range []string{"us-east-1a", "us-east-1b"} {
		s := must[*ec2.CreateSubnetOutput](t)(c.CreateSubnet(ctx(t), &ec2.CreateSubnetInput{VpcId: v.VpcId, AvailabilityZone: aws.String(zone),
			Ipv6Native: aws.Bool(true), Ipv6CidrBlock: aws.String(nth64(t, block, i+5))})).Subnet
		if s.CidrBlock != nil || !aws.ToBool(s.Ipv6Native) {
			t.Fatalf("IPv6-only subnet: %+v", s)
		}
		native = append(native, *s.SubnetId)
	}
	_, err = c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: v.VpcId, ServiceName: aws.String("com.amazonaws.us-east-1.kms"),
		VpcEndpointType: types.VpcEndpointTypeInterface, SubnetIds: subnets, IpAddressType: types.IpAddressTypeIpv6, PrivateDnsEnabled: aws.Bool(false)})
	wantCode(t, err, "InvalidParameter")
	e6 := must[*ec2.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: v.VpcId, ServiceName: aws.String("com.amazonaws.us-east-1.kms"),
		VpcEndpointType: types.VpcEndpointTypeInterface, SubnetIds: native, IpAddressType: types.IpAddressTypeIpv6, PrivateDnsEnabled: aws.Bool(false)})).VpcEndpoint
	ep6 := waitEndpoint(t, c, *e6.VpcEndpointId, "available")
	if ep6.DnsOptions == nil || ep6.DnsOptions.DnsRecordIpType != types.DnsRecordIpTypeIpv6 {
		t.Errorf("IPv6 endpoint's DNS options: %+v", ep6.DnsOptions)
	}
	enis = must[*ec2.DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx(t), &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: ep6.NetworkInterfaceIds})).NetworkInterfaces
	v6 = v6[:0]
	for _, n := range enis {
		if n.PrivateIpAddress != nil || len(n.Ipv6Addresses) != 1 {
			t.Fatalf("IPv6-only endpoint interface: IPv4 %v, IPv6 %v", aws.ToString(n.PrivateIpAddress), n.Ipv6Addresses)
		}
		v6 = append(v6, *n.Ipv6Addresses[0].Ipv6Address)
	}
	slices.Sort(v6)
	name6 := *ep6.DnsEntries[0].DnsName
	if got := lines(dig(t, shared, r, "+short", "AAAA", name6)); !slices.Equal(got, v6) {
		t.Errorf("dig AAAA %s = %q, want %q", name6, got, v6)
	}
	if got := dig(t, shared, r, "+short", "A", name6); got != "" {
		t.Errorf("dig A %s = %q, want none", name6, got)
	}
}
