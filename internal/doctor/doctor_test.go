package doctor

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
	"github.com/vpce/vpce/internal/reach"
)

var sc = cloud.Scope{Account: "123456789012", Region: "us-east-1"}

// env is a VPC with two private subnets (zones a and b), an instance in
// each, and nothing else yet.
type env struct {
	t            *testing.T
	c            *cloud.Cloud
	ctx          context.Context
	vpc          string
	subA, subB   string
	rtb, sg      string
	instA, instB string
}

func newEnv(t *testing.T) *env {
	e := &env{t: t, c: cloudtest.New(t), ctx: context.Background()}
	e.vpc = cloudtest.Must[*cloud.CreateVpcOutput](t)(e.c.CreateVpc(e.ctx, sc, &cloud.CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
	cloudtest.Must[*cloud.Return](t)(e.c.ModifyVpcAttribute(e.ctx, sc, &cloud.ModifyVpcAttributeInput{VpcID: e.vpc, EnableDNSHostnames: &cloud.AttributeBoolean{Value: cloudtest.Ptr(true)}}))
	sub := func(cidr, az string) string {
		return cloudtest.Must[*cloud.CreateSubnetOutput](t)(e.c.CreateSubnet(e.ctx, sc, &cloud.CreateSubnetInput{VpcID: e.vpc, CidrBlock: cidr, AvailabilityZone: az})).Subnet.SubnetID
	}
	e.subA, e.subB = sub("10.0.1.0/24", "us-east-1a"), sub("10.0.2.0/24", "us-east-1b")
	e.rtb = cloudtest.Must[*cloud.CreateRouteTableOutput](t)(e.c.CreateRouteTable(e.ctx, sc, &cloud.CreateRouteTableInput{VpcID: e.vpc})).RouteTable.RouteTableID
	for _, s := range []string{e.subA, e.subB} {
		cloudtest.Must[*cloud.AssociateRouteTableOutput](t)(e.c.AssociateRouteTable(e.ctx, sc, &cloud.AssociateRouteTableInput{RouteTableID: e.rtb, SubnetID: s}))
	}
	e.sg = cloudtest.Must[*cloud.CreateSecurityGroupOutput](t)(e.c.CreateSecurityGroup(e.ctx, sc, &cloud.CreateSecurityGroupInput{GroupName: "endpoints", Description: "endpoints", VpcID: e.vpc})).GroupID
	run := func(s string) string {
		return cloudtest.Must[*cloud.Reservation](t)(e.c.RunInstances(e.ctx, sc, &cloud.RunInstancesInput{ImageID: "ami-12345678", MinCount: cloudtest.Ptr[int32](1), MaxCount: cloudtest.Ptr[int32](1), SubnetID: s})).Instances[0].InstanceID
	}
	e.instA, e.instB = run(e.subA), run(e.subB)
	return e
}

func (e *env) iface(svc string, subnets ...string) string {
	return cloudtest.Must[*cloud.CreateVpcEndpointOutput](e.t)(e.c.CreateVpcEndpoint(e.ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: e.vpc, ServiceName: "com.amazonaws.us-east-1." + svc,
		VpcEndpointType: "Interface", SubnetIDs: subnets, SecurityGroupIDs: []string{e.sg}, PrivateDNSEnabled: cloudtest.Ptr(true)})).VpcEndpoint.VpcEndpointID
}

func (e *env) ingress(cidr string) {
	p := int32(443)
	cloudtest.Must[*cloud.AuthorizeOutput](e.t)(e.c.AuthorizeSecurityGroupIngress(e.ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: e.sg,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "tcp", FromPort: &p, ToPort: &p, IPRanges: []cloud.IPRange{{CidrIP: cidr}}}}}))
}

func (e *env) doctor(checks ...string) []Finding {
	e.t.Helper()
	snap := cloudtest.Must[*cloud.Snapshot](e.t)(e.c.Snapshot(e.ctx, sc))
	return cloudtest.Must[[]Finding](e.t)(Run(reach.New(snap), Options{VPC: e.vpc, Checks: checks}))
}

func codes(fs []Finding) string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Severity+":"+f.Code)
	}
	return strings.Join(out, " ")
}

func has(fs []Finding, code string) *Finding {
	for i := range fs {
		if fs[i].Code == code {
			return &fs[i]
		}
	}
	return nil
}

func TestSSMNothingThere(t *testing.T) {
	e := newEnv(t)
	fs := e.doctor("ssm")
	// Two subnets: each has its findings (ssm, ssmmessages high; S3
	// medium; ec2messages low).
	if got := codes(fs); got != "high:SSM_UNREACHABLE high:SSM_UNREACHABLE high:SSM_UNREACHABLE high:SSM_UNREACHABLE medium:SSM_S3_UNREACHABLE medium:SSM_S3_UNREACHABLE low:SSM_EC2MESSAGES_UNREACHABLE low:SSM_EC2MESSAGES_UNREACHABLE" {
		t.Fatalf("findings: %s", got)
	}
	f := fs[0]
	if !strings.Contains(f.Evidence, "NO_ROUTE_TO_DESTINATION") || !strings.Contains(f.Fix, "create-vpc-endpoint --vpc-endpoint-type Interface") || f.Check != "ssm" {
		t.Errorf("finding %+v", f)
	}
}

func TestSSMRecipe(t *testing.T) {
	e := newEnv(t)
	// Endpoints in zone a only, the group closed: blocked at the group.
	ssm := e.iface("ssm", e.subA)
	e.iface("ssmmessages", e.subA)
	fs := e.doctor("ssm")
	f := has(fs, "SSM_UNREACHABLE")
	if f == nil || !strings.Contains(f.Evidence, "ENI_SG_RULES_MISMATCH") || !strings.Contains(f.Fix, "authorize-security-group-ingress --group-id "+e.sg) {
		t.Fatalf("closed group: %s %+v", codes(fs), f)
	}
	e.ingress("10.0.0.0/16")
	cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(e.c.CreateVpcEndpoint(e.ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: e.vpc, ServiceName: "com.amazonaws.us-east-1.s3", RouteTableIDs: []string{e.rtb}}))
	fs = e.doctor()
	// Zone b crosses zones to a single-zone endpoint; the S3 gateway
	// endpoint's default policy lets data go to any account.
	for _, want := range []string{"SSM_ENDPOINT_OTHER_ZONE", "ENDPOINT_FEWER_ZONES_THAN_INSTANCES", "ENDPOINT_ALLOWS_ANY_ACCOUNT", "SSM_EC2MESSAGES_UNREACHABLE"} {
		if has(fs, want) == nil {
			t.Errorf("missing %s in %s", want, codes(fs))
		}
	}
	found := false
	for _, f := range fs {
		found = found || (f.Code == "ENDPOINT_FEWER_ZONES_THAN_INSTANCES" && f.Severity == Medium && f.Resources[0] == ssm)
	}
	if !found {
		t.Errorf("no single-zone finding for %s: %s", ssm, codes(fs))
	}
	if has(fs, "SSM_UNREACHABLE") != nil || has(fs, "SSM_S3_UNREACHABLE") != nil {
		t.Errorf("still unreachable: %s", codes(fs))
	}
}

func TestCompleteDesignIsClean(t *testing.T) {
	e := newEnv(t)
	e.ingress("10.0.0.0/16")
	for _, svc := range []string{"ssm", "ssmmessages", "ec2messages"} {
		e.iface(svc, e.subA, e.subB)
	}
	doc := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":["arn:aws:s3:::aws-ssm-us-east-1/*","arn:aws:s3:::patch-baseline-snapshot-us-east-1/*"]},
		{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceAccount":"123456789012"}}}]}`
	s3 := cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(e.c.CreateVpcEndpoint(e.ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: e.vpc, ServiceName: "com.amazonaws.us-east-1.s3",
		RouteTableIDs: []string{e.rtb}, PolicyDocument: &doc})).VpcEndpoint.VpcEndpointID
	if fs := e.doctor(); len(fs) != 0 {
		t.Fatalf("a complete design has findings: %s\n%+v", codes(fs), fs)
	}
	// An S3 policy that forgets the SSM buckets breaks the agent's updates.
	doc = `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceAccount":"123456789012"}}}]}`
	cloudtest.Must[*cloud.Return](t)(e.c.ModifyVpcEndpoint(e.ctx, sc, &cloud.ModifyVpcEndpointInput{VpcEndpointID: s3, PolicyDocument: &doc}))
	if fs := e.doctor(); codes(fs) != "medium:SSM_S3_POLICY_BLOCKS_AGENT medium:SSM_S3_POLICY_BLOCKS_AGENT" {
		t.Fatalf("policy without SSM buckets: %s", codes(fs))
	}
}

func TestDNSAndExposure(t *testing.T) {
	e := newEnv(t)
	e.ingress("0.0.0.0/0")
	ep := e.iface("ssm", e.subA, e.subB)
	cloudtest.Must[*cloud.Return](t)(e.c.ModifyVpcEndpoint(e.ctx, sc, &cloud.ModifyVpcEndpointInput{VpcEndpointID: ep, PrivateDNSEnabled: cloudtest.Ptr(false)}))
	fs := e.doctor("dns", "exfiltration")
	if got := codes(fs); got != "medium:ENDPOINT_GROUP_OPEN_TO_WORLD medium:ENDPOINT_PRIVATE_DNS_OFF" {
		t.Fatalf("findings: %s", got)
	}
	cloudtest.Must[*cloud.Return](t)(e.c.ModifyVpcAttribute(e.ctx, sc, &cloud.ModifyVpcAttributeInput{VpcID: e.vpc, EnableDNSHostnames: &cloud.AttributeBoolean{Value: cloudtest.Ptr(false)}}))
	if f := has(e.doctor("dns"), "VPC_DNS_ATTRIBUTE_OFF"); f == nil || f.Severity != High || !strings.Contains(f.Fix, "--enable-dns-hostnames") {
		t.Fatalf("attribute off: %+v", f)
	}
}

func TestGatewayServicesOverNAT(t *testing.T) {
	e := newEnv(t)
	pub := cloudtest.Must[*cloud.CreateSubnetOutput](t)(e.c.CreateSubnet(e.ctx, sc, &cloud.CreateSubnetInput{VpcID: e.vpc, CidrBlock: "10.0.0.0/24", AvailabilityZone: "us-east-1a"})).Subnet.SubnetID
	igw := cloudtest.Must[*cloud.CreateInternetGatewayOutput](t)(e.c.CreateInternetGateway(e.ctx, sc, &cloud.CreateInternetGatewayInput{})).InternetGateway.InternetGatewayID
	cloudtest.Must[*cloud.Return](t)(e.c.AttachInternetGateway(e.ctx, sc, &cloud.InternetGatewayVpcInput{InternetGatewayID: igw, VpcID: e.vpc}))
	prt := cloudtest.Must[*cloud.CreateRouteTableOutput](t)(e.c.CreateRouteTable(e.ctx, sc, &cloud.CreateRouteTableInput{VpcID: e.vpc})).RouteTable.RouteTableID
	cloudtest.Must[*cloud.AssociateRouteTableOutput](t)(e.c.AssociateRouteTable(e.ctx, sc, &cloud.AssociateRouteTableInput{RouteTableID: prt, SubnetID: pub}))
	cloudtest.Must[*cloud.Return](t)(e.c.CreateRoute(e.ctx, sc, &cloud.RouteInput{RouteTableID: prt, DestinationCidrBlock: "0.0.0.0/0", RouteTarget: cloud.RouteTarget{GatewayID: igw}}))
	nat := cloudtest.Must[*cloud.CreateNatGatewayOutput](t)(e.c.CreateNatGateway(e.ctx, sc, &cloud.CreateNatGatewayInput{SubnetID: pub, AllocationID: cloudtest.Must[*cloud.AllocateAddressOutput](t)(e.c.AllocateAddress(e.ctx, sc, &cloud.AllocateAddressInput{})).AllocationID})).NatGateway.NatGatewayID
	cloudtest.Must[*cloud.Return](t)(e.c.CreateRoute(e.ctx, sc, &cloud.RouteInput{RouteTableID: e.rtb, DestinationCidrBlock: "0.0.0.0/0", RouteTarget: cloud.RouteTarget{NatGatewayID: nat}}))
	fs := e.doctor("cost", "ssm")
	if got := codes(fs); !strings.Contains(got, "medium:SSM_OVER_INTERNET") || !strings.Contains(got, "low:GATEWAY_SERVICE_OVER_NAT low:GATEWAY_SERVICE_OVER_NAT") || !strings.Contains(got, "low:SSM_S3_OVER_INTERNET") {
		t.Fatalf("findings: %s", got)
	}
	if f := has(fs, "GATEWAY_SERVICE_OVER_NAT"); !strings.Contains(f.Fix, "--route-table-ids "+e.rtb) {
		t.Errorf("fix %s", f.Fix)
	}
}

func TestBadOptions(t *testing.T) {
	e := newEnv(t)
	snap := cloudtest.Must[*cloud.Snapshot](t)(e.c.Snapshot(e.ctx, sc))
	for _, o := range []Options{{VPC: "vpc-0123456789abcdef0"}, {Checks: []string{"nope"}}} {
		if _, err := Run(reach.New(snap), o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
}

func TestSourceIPThroughEndpoint(t *testing.T) {
	e := newEnv(t)
	doc := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/16"},"StringEquals":{"aws:ResourceAccount":"123456789012"}}}]}`
	ep := cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(e.c.CreateVpcEndpoint(e.ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: e.vpc, ServiceName: "com.amazonaws.us-east-1.s3",
		RouteTableIDs: []string{e.rtb}, PolicyDocument: &doc})).VpcEndpoint.VpcEndpointID
	fs := e.doctor("exfiltration")
	if codes(fs) != "medium:SOURCEIP_CONDITION_THROUGH_ENDPOINT" || fs[0].Resources[0] != ep {
		t.Fatalf("findings %s", codes(fs))
	}
	// And the path engine agrees: the condition never matches, so the
	// agent's S3 reads are denied.
	if f := has(e.doctor("ssm"), "SSM_S3_POLICY_BLOCKS_AGENT"); f == nil {
		t.Errorf("ssm check does not see the policy deny")
	}
}

// TestDhcpOptionsBypassResolver: a complete SSM design whose VPC's DHCP
// options name other name servers is flagged (its endpoints' private DNS
// is not what the instances get), and the SSM check then sees the agent's
// names resolve publicly.
func TestDhcpOptionsBypassResolver(t *testing.T) {
	e := newEnv(t)
	e.ingress("10.0.0.0/16")
	for _, svc := range []string{"ssm", "ssmmessages", "ec2messages"} {
		e.iface(svc, e.subA, e.subB)
	}
	d := cloudtest.Must[*cloud.CreateDhcpOptionsOutput](t)(e.c.CreateDhcpOptions(e.ctx, sc, &cloud.CreateDhcpOptionsInput{Configurations: []struct {
		Key    string   `ec2:"Key"`
		Values []string `ec2:"Value"`
	}{{Key: "domain-name-servers", Values: []string{"10.0.0.53"}}}})).DhcpOptions.DhcpOptionsID
	cloudtest.Must[*cloud.Return](t)(e.c.AssociateDhcpOptions(e.ctx, sc, &cloud.AssociateDhcpOptionsInput{DhcpOptionsID: d, VpcID: e.vpc}))
	fs := e.doctor("dns")
	f := has(fs, "DHCP_OPTIONS_BYPASS_VPC_RESOLVER")
	if f == nil || f.Severity != High || !strings.Contains(f.Evidence, "10.0.0.53") || !strings.Contains(f.Fix, "associate-dhcp-options") || len(f.Resources) != 5 {
		t.Fatalf("findings %s: %+v", codes(fs), f)
	}
	if ssm := e.doctor("ssm"); has(ssm, "SSM_UNREACHABLE") == nil && has(ssm, "SSM_OVER_INTERNET") == nil {
		t.Errorf("the SSM check did not see the names resolve publicly: %s", codes(ssm))
	}
}

// TestIPv6EgressAroundEndpoints: private subnets (no IPv4 way out) that
// get an IPv6 block and a ::/0 route to an egress-only gateway can send
// data anywhere over IPv6: the exfiltration check says so, names the
// subnet, route table and gateway, and the route to delete; without the
// route it is quiet, and so it is for a public subnet.
func TestIPv6EgressAroundEndpoints(t *testing.T) {
	e := newEnv(t)
	if f := has(e.doctor("exfiltration"), "IPV6_EGRESS_AROUND_ENDPOINTS"); f != nil {
		t.Fatalf("IPv4-only VPC: %+v", f)
	}
	a := cloudtest.Must[*cloud.AssociateVpcCidrBlockOutput](t)(e.c.AssociateVpcCidrBlock(e.ctx, sc, &cloud.AssociateVpcCidrBlockInput{VpcID: e.vpc, AmazonIpv6: cloudtest.Ptr(true)}))
	b := a.Ipv6CidrBlockAssociation.Ipv6CidrBlock.Addr().As16()
	b[7] = 1
	cloudtest.Must[*cloud.AssociateSubnetCidrBlockOutput](t)(e.c.AssociateSubnetCidrBlock(e.ctx, sc, &cloud.AssociateSubnetCidrBlockInput{SubnetID: e.subA,
		Ipv6CidrBlock: netip.PrefixFrom(netip.AddrFrom16(b), 64).String()}))
	if f := has(e.doctor("exfiltration"), "IPV6_EGRESS_AROUND_ENDPOINTS"); f != nil {
		t.Fatalf("IPv6 block without a route out: %+v", f)
	}
	g := cloudtest.Must[*cloud.CreateEgressOnlyInternetGatewayOutput](t)(e.c.CreateEgressOnlyInternetGateway(e.ctx, sc, &cloud.CreateEgressOnlyInternetGatewayInput{VpcID: e.vpc})).EgressOnlyInternetGateway.EgressOnlyIGWID
	cloudtest.Must[*cloud.Return](t)(e.c.CreateRoute(e.ctx, sc, &cloud.RouteInput{RouteTableID: e.rtb, DestinationIpv6CidrBlock: "::/0", RouteTarget: cloud.RouteTarget{EgressOnlyIGWID: g}}))
	fs := e.doctor("exfiltration")
	f := has(fs, "IPV6_EGRESS_AROUND_ENDPOINTS")
	if f == nil || f.Resources[0] != e.subA || f.Resources[1] != e.rtb || f.Resources[2] != g || !strings.Contains(f.Fix, "--route-table-id "+e.rtb+" --destination-ipv6-cidr-block ::/0") {
		t.Fatalf("finding = %+v (all: %s)", f, codes(fs))
	}
	if n := strings.Count(codes(fs), "IPV6_EGRESS_AROUND_ENDPOINTS"); n != 1 {
		t.Errorf("%d findings, want 1 (subnet b has no IPv6 block)", n)
	}
	// With an IPv4 way out (a NAT gateway route) the subnet is not a
	// private design: nothing to say.
	igw := cloudtest.Must[*cloud.CreateInternetGatewayOutput](t)(e.c.CreateInternetGateway(e.ctx, sc, &cloud.CreateInternetGatewayInput{})).InternetGateway.InternetGatewayID
	cloudtest.Must[*cloud.Return](t)(e.c.AttachInternetGateway(e.ctx, sc, &cloud.InternetGatewayVpcInput{InternetGatewayID: igw, VpcID: e.vpc}))
	cloudtest.Must[*cloud.Return](t)(e.c.CreateRoute(e.ctx, sc, &cloud.RouteInput{RouteTableID: e.rtb, DestinationCidrBlock: "0.0.0.0/0", RouteTarget: cloud.RouteTarget{GatewayID: igw}}))
	if f := has(e.doctor("exfiltration"), "IPV6_EGRESS_AROUND_ENDPOINTS"); f != nil {
		t.Errorf("public subnet: %+v", f)
	}
}

// TestInboundOnlyDNSWithoutInboundEndpoint: an S3 interface endpoint beside
// the S3 gateway endpoint has private DNS for inbound Resolver endpoints
// only (AWS's default); without an inbound endpoint in the VPC nobody gets
// those names — the check says so, and is quiet once one exists.
func TestInboundOnlyDNSWithoutInboundEndpoint(t *testing.T) {
	e := newEnv(t)
	cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(e.c.CreateVpcEndpoint(e.ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: e.vpc, ServiceName: "com.amazonaws.us-east-1.s3", RouteTableIDs: []string{e.rtb}}))
	s3 := e.iface("s3", e.subA)
	f := has(e.doctor("dns"), "INBOUND_ONLY_DNS_WITHOUT_INBOUND_ENDPOINT")
	if f == nil || f.Resources[0] != s3 || !strings.Contains(f.Fix, "create-resolver-endpoint") {
		t.Fatalf("finding: %+v", f)
	}
	cloudtest.Must[*cloud.ResolverEndpoint](t)(e.c.CreateResolverEndpoint(e.ctx, sc, "in", "", "INBOUND", []string{e.sg}, []cloud.ResolverIPRequest{{SubnetID: e.subA}, {SubnetID: e.subB}}, nil))
	if f := has(e.doctor("dns"), "INBOUND_ONLY_DNS_WITHOUT_INBOUND_ENDPOINT"); f != nil {
		t.Errorf("with an inbound endpoint: %+v", f)
	}
}
