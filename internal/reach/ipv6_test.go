package reach

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
)

// TestIPv6Paths: a dual-stack VPC with an instance that has an IPv6
// address, a dual-stack KMS endpoint and an IPv4-only SSM endpoint. IPv6
// paths follow the AAAA answers, the IPv6 routes and the IPv6 rules of
// groups and network ACLs; an egress-only gateway lets IPv6 out.
func TestIPv6Paths(t *testing.T) {
	c, ctx := cloudtest.New(t), context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	vpc := cloudtest.Must[*cloud.CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &cloud.CreateVpcInput{CidrBlock: "10.0.0.0/16", AmazonIpv6: cloudtest.Ptr(true)})).Vpc
	cloudtest.Must[*cloud.Return](t)(c.ModifyVpcAttribute(ctx, sc, &cloud.ModifyVpcAttributeInput{VpcID: vpc.VpcID, EnableDNSHostnames: &cloud.AttributeBoolean{Value: cloudtest.Ptr(true)}}))
	block := vpc.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock
	sub64 := func(n byte) string {
		b := block.Addr().As16()
		b[7] = n
		return netip.PrefixFrom(netip.AddrFrom16(b), 64).String()
	}
	var subnets []string
	for i, az := range []string{"us-east-1a", "us-east-1b"} {
		s := cloudtest.Must[*cloud.CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &cloud.CreateSubnetInput{VpcID: vpc.VpcID, AvailabilityZone: az,
			CidrBlock: []string{"10.0.1.0/24", "10.0.2.0/24"}[i], Ipv6CidrBlock: sub64(byte(i + 1))})).Subnet
		subnets = append(subnets, s.SubnetID)
	}
	sg := func(name string) string {
		return cloudtest.Must[*cloud.CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx, sc, &cloud.CreateSecurityGroupInput{GroupName: name, Description: name, VpcID: vpc.VpcID})).GroupID
	}
	appSG, epSG := sg("app"), sg("endpoints")
	port := int32(443)
	cloudtest.Must[*cloud.AuthorizeOutput](t)(c.AuthorizeSecurityGroupIngress(ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: epSG,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "tcp", FromPort: &port, ToPort: &port, IPRanges: []cloud.IPRange{{CidrIP: "10.0.0.0/16"}}}}}))
	app := cloudtest.Must[*cloud.Reservation](t)(c.RunInstances(ctx, sc, &cloud.RunInstancesInput{ImageID: "ami-12345678", MinCount: cloudtest.Ptr[int32](1), MaxCount: cloudtest.Ptr[int32](1),
		SubnetID: subnets[0], SecurityGroupIDs: []string{appSG}, Ipv6AddressCount: cloudtest.Ptr[int32](1)})).Instances[0]
	appV6 := app.NetworkInterfaces[0].Ipv6Addresses[0].Ipv6Address
	v4only := cloudtest.Must[*cloud.Reservation](t)(c.RunInstances(ctx, sc, &cloud.RunInstancesInput{ImageID: "ami-12345678", MinCount: cloudtest.Ptr[int32](1), MaxCount: cloudtest.Ptr[int32](1),
		SubnetID: subnets[1], SecurityGroupIDs: []string{appSG}})).Instances[0].InstanceID
	for _, svc := range []string{"kms", "ssm"} {
		typ := "dualstack"
		if svc == "ssm" {
			typ = "ipv4"
		}
		cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: vpc.VpcID, ServiceName: "com.amazonaws.us-east-1." + svc,
			VpcEndpointType: "Interface", SubnetIDs: subnets, SecurityGroupIDs: []string{epSG}, IPAddressType: typ, PrivateDNSEnabled: cloudtest.Ptr(true)}))
	}
	analyze := func(q Query) *Result {
		t.Helper()
		r, err := New(cloudtest.Must[*cloud.Snapshot](t)(c.Snapshot(ctx, sc))).Analyze(q)
		must(err)
		return r
	}

	// IPv4 as before. Over IPv6 the app group's egress stops the packet
	// first (a new group's default rule is IPv4 only), then the
	// endpoint's group, which has no IPv6 rule.
	check(t, analyze(Query{From: app.InstanceID, To: "kms.us-east-1.amazonaws.com"}), PrivateInterfaceEndpoint, "")
	r := analyze(Query{From: app.InstanceID, To: "kms.us-east-1.amazonaws.com", IPv6: true})
	check(t, r, Blocked, "ENI_SG_RULES_MISMATCH")
	if r.Source.Address != appV6 || !r.Destination.Address.Is6() || r.Explanations[0].Component != appSG ||
		!strings.Contains(strings.Join(r.Fix, " "), "authorize-security-group-egress --group-id "+appSG+" --ip-permissions 'IpProtocol=tcp,FromPort=443,ToPort=443,Ipv6Ranges=[{CidrIpv6="+r.Destination.Address.String()+"/128}]'") {
		t.Fatalf("source %s, destination %s, explanations %v, fix %v", r.Source.Address, r.Destination.Address, r.Explanations, r.Fix)
	}
	cloudtest.Must[*cloud.AuthorizeOutput](t)(c.AuthorizeSecurityGroupEgress(ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: appSG,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "-1", IPv6Ranges: []cloud.IPv6Range{{CidrIPv6: "::/0"}}}}}))
	r = analyze(Query{From: app.InstanceID, To: "kms.us-east-1.amazonaws.com", IPv6: true})
	check(t, r, Blocked, "ENI_SG_RULES_MISMATCH")
	if r.Explanations[0].Component != epSG || !strings.Contains(strings.Join(r.Fix, " "), "authorize-security-group-ingress --group-id "+epSG) {
		t.Fatalf("explanations %v, fix %v", r.Explanations, r.Fix)
	}
	cloudtest.Must[*cloud.AuthorizeOutput](t)(c.AuthorizeSecurityGroupIngress(ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: epSG,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "tcp", FromPort: &port, ToPort: &port, IPv6Ranges: []cloud.IPv6Range{{CidrIPv6: block.String()}}}}}))
	r = analyze(Query{From: app.InstanceID, To: "kms.us-east-1.amazonaws.com", IPv6: true})
	check(t, r, PrivateInterfaceEndpoint, "")
	if !netip.MustParsePrefix(sub64(1)).Contains(r.Destination.Address) {
		t.Errorf("destination %s is not the endpoint's interface in the source's zone (%s)", r.Destination.Address, sub64(1))
	}
	// An IPv4-only endpoint's private name has no AAAA answer.
	r = analyze(Query{From: app.InstanceID, To: "ssm.us-east-1.amazonaws.com", IPv6: true})
	check(t, r, Blocked, "NO_IPV6_ADDRESS")
	if !strings.Contains(strings.Join(r.Fix, " "), "takes no IPv6") {
		t.Errorf("fix = %v", r.Fix)
	}
	// A network ACL rule for IPv6 decides IPv6 packets only.
	acl := cloudtest.Must[*cloud.Snapshot](t)(c.Snapshot(ctx, sc)).NetworkACLOf(subnets[0]).NetworkACLID
	n, egress := int32(5), true
	cloudtest.Must[*cloud.Return](t)(c.CreateNetworkAclEntry(ctx, sc, &cloud.NetworkACLEntryInput{NetworkACLID: acl, RuleNumber: &n, Protocol: "6", RuleAction: "deny",
		Egress: &egress, Ipv6CidrBlock: block.String(), PortRange: &cloud.PortRange{From: &port, To: &port}}))
	r = analyze(Query{From: app.InstanceID, To: "kms.us-east-1.amazonaws.com", IPv6: true})
	check(t, r, Blocked, "SUBNET_ACL_RESTRICTION")
	check(t, analyze(Query{From: app.InstanceID, To: "kms.us-east-1.amazonaws.com"}), PrivateInterfaceEndpoint, "")
	cloudtest.Must[*cloud.Return](t)(c.DeleteNetworkAclEntry(ctx, sc, &cloud.DeleteNetworkACLEntryInput{NetworkACLID: acl, RuleNumber: &n, Egress: &egress}))

	// The internet over IPv6: no route, then out through an egress-only
	// gateway (no public IPv4 address needed), which carries nothing in.
	internet := "2606:4700:4700::1111"
	r = analyze(Query{From: app.InstanceID, To: internet})
	check(t, r, Blocked, "NO_ROUTE_TO_DESTINATION")
	main := cloudtest.Must[*cloud.Snapshot](t)(c.Snapshot(ctx, sc)).RouteTableOf(subnets[0]).RouteTableID
	eigw := cloudtest.Must[*cloud.CreateEgressOnlyInternetGatewayOutput](t)(c.CreateEgressOnlyInternetGateway(ctx, sc, &cloud.CreateEgressOnlyInternetGatewayInput{VpcID: vpc.VpcID})).EgressOnlyInternetGateway.EgressOnlyIGWID
	cloudtest.Must[*cloud.Return](t)(c.CreateRoute(ctx, sc, &cloud.RouteInput{RouteTableID: main, DestinationIpv6CidrBlock: "::/0", RouteTarget: cloud.RouteTarget{EgressOnlyIGWID: eigw}}))
	r = analyze(Query{From: app.InstanceID, To: internet})
	check(t, r, PublicEgressOnly, "")
	if r.PublicAddress != appV6 {
		t.Errorf("public address = %s, want the instance's own %s", r.PublicAddress, appV6)
	}
	check(t, analyze(Query{From: app.InstanceID, To: eigw, IPv6: true}), PublicEgressOnly, "")
	// An instance without an IPv6 address has no IPv6 path; an IPv4
	// destination cannot be asked for on one.
	if _, err := New(cloudtest.Must[*cloud.Snapshot](t)(c.Snapshot(ctx, sc))).Analyze(Query{From: v4only, To: internet}); err == nil {
		t.Error("an IPv6 path from an instance without IPv6 was analysed")
	}
	if _, err := New(cloudtest.Must[*cloud.Snapshot](t)(c.Snapshot(ctx, sc))).Analyze(Query{From: app.InstanceID, To: "10.0.2.10", IPv6: true}); err == nil {
		t.Error("an IPv6 path to an IPv4 address was analysed")
	}
	// The gateway gone, its route is a blackhole.
	cloudtest.Must[*cloud.DeleteEgressOnlyInternetGatewayOutput](t)(c.DeleteEgressOnlyInternetGateway(ctx, sc, &cloud.DeleteEgressOnlyInternetGatewayInput{EgressOnlyIGWID: eigw}))
	r = analyze(Query{From: app.InstanceID, To: internet})
	check(t, r, Blocked, "BAD_STATE_ROUTE")
	if !strings.Contains(strings.Join(r.Fix, " "), "--destination-ipv6-cidr-block ::/0") {
		t.Errorf("fix = %v", r.Fix)
	}
}

// TestIPv6OnlyPaths: an instance in an IPv6-only subnet reaches an
// IPv6-only KMS endpoint through its AAAA private DNS answer; asked for
// an IPv4 path it has none.
func TestIPv6OnlyPaths(t *testing.T) {
	c, ctx := cloudtest.New(t), context.Background()
	vpc := cloudtest.Must[*cloud.CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &cloud.CreateVpcInput{CidrBlock: "10.0.0.0/16", AmazonIpv6: cloudtest.Ptr(true)})).Vpc
	cloudtest.Must[*cloud.Return](t)(c.ModifyVpcAttribute(ctx, sc, &cloud.ModifyVpcAttributeInput{VpcID: vpc.VpcID, EnableDNSHostnames: &cloud.AttributeBoolean{Value: cloudtest.Ptr(true)}}))
	block := vpc.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock
	var subnets []string
	for i, az := range []string{"us-east-1a", "us-east-1b"} {
		b := block.Addr().As16()
		b[7] = byte(i + 1)
		s := cloudtest.Must[*cloud.CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &cloud.CreateSubnetInput{VpcID: vpc.VpcID, AvailabilityZone: az,
			Ipv6Native: cloudtest.Ptr(true), Ipv6CidrBlock: netip.PrefixFrom(netip.AddrFrom16(b), 64).String()})).Subnet
		subnets = append(subnets, s.SubnetID)
	}
	port := int32(443)
	sg := cloudtest.Must[*cloud.CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx, sc, &cloud.CreateSecurityGroupInput{GroupName: "ep", Description: "ep", VpcID: vpc.VpcID})).GroupID
	cloudtest.Must[*cloud.AuthorizeOutput](t)(c.AuthorizeSecurityGroupIngress(ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: sg,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "tcp", FromPort: &port, ToPort: &port, IPv6Ranges: []cloud.IPv6Range{{CidrIPv6: block.String()}}}}}))
	cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: vpc.VpcID, ServiceName: "com.amazonaws.us-east-1.kms",
		VpcEndpointType: "Interface", SubnetIDs: subnets, SecurityGroupIDs: []string{sg}, IPAddressType: "ipv6", PrivateDNSEnabled: cloudtest.Ptr(true)}))
	app := cloudtest.Must[*cloud.Reservation](t)(c.RunInstances(ctx, sc, &cloud.RunInstancesInput{ImageID: "ami-12345678", MinCount: cloudtest.Ptr[int32](1), MaxCount: cloudtest.Ptr[int32](1),
		SubnetID: subnets[0]})).Instances[0].InstanceID // the default group: all out, IPv6 too
	a := New(cloudtest.Must[*cloud.Snapshot](t)(c.Snapshot(ctx, sc)))
	r, err := a.Analyze(Query{From: app, To: "kms.us-east-1.amazonaws.com", IPv6: true})
	if err != nil {
		t.Fatal(err)
	}
	check(t, r, PrivateInterfaceEndpoint, "")
	if !a.IPv6Only(app) {
		t.Error("IPv6Only is false for an instance of an IPv6-only subnet")
	}
	if _, err := a.Analyze(Query{From: app, To: "kms.us-east-1.amazonaws.com"}); err == nil || !strings.Contains(err.Error(), "--ipv6") {
		t.Errorf("IPv4 path from an IPv6-only instance: %v", err)
	}
}
