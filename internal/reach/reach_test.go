package reach

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
	"github.com/vpce/vpce/internal/policy"
)

var sc = cloud.Scope{Account: "123456789012", Region: "us-east-1"}

// world is the seed's design, built through the control plane: a VPC with
// two private subnets (zones a and b) and a public one; an instance in
// each private subnet; interface endpoints for ssm and ssmmessages with
// private DNS; an S3 gateway endpoint on the private route table; a NAT
// gateway and an internet gateway in the public subnet.
type world struct {
	t   testing.TB
	c   *cloud.Cloud
	ctx context.Context

	vpc                       string
	privA, privB, public      string
	privRT, publicRT          string
	appSG, endpointSG         string
	app, appB, web            string // instances: private a, private b, public
	ssm, ssmmessages, s3, ddb string // endpoints
	nat, igw                  string
	acl                       string // default network ACL
	appENI                    string
}

func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{t: t, c: cloudtest.New(t), ctx: context.Background()}
	c, ctx := w.c, w.ctx
	vpc := cloudtest.Must[*cloud.CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &cloud.CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc
	w.vpc = vpc.VpcID
	cloudtest.Must[*cloud.Return](t)(c.ModifyVpcAttribute(ctx, sc, &cloud.ModifyVpcAttributeInput{VpcID: w.vpc, EnableDNSHostnames: &cloud.AttributeBoolean{Value: cloudtest.Ptr(true)}}))
	subnet := func(cidr, az string) string {
		return cloudtest.Must[*cloud.CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &cloud.CreateSubnetInput{VpcID: w.vpc, CidrBlock: cidr, AvailabilityZone: az})).Subnet.SubnetID
	}
	w.privA, w.privB, w.public = subnet("10.0.1.0/24", "us-east-1a"), subnet("10.0.2.0/24", "us-east-1b"), subnet("10.0.0.0/24", "us-east-1a")
	cloudtest.Must[*cloud.Return](t)(c.ModifySubnetAttribute(ctx, sc, &cloud.ModifySubnetAttributeInput{SubnetID: w.public, MapPublicIPOnLaunch: &cloud.AttributeBoolean{Value: cloudtest.Ptr(true)}}))
	rtb := func() string {
		return cloudtest.Must[*cloud.CreateRouteTableOutput](t)(c.CreateRouteTable(ctx, sc, &cloud.CreateRouteTableInput{VpcID: w.vpc})).RouteTable.RouteTableID
	}
	w.privRT, w.publicRT = rtb(), rtb()
	for _, a := range [][2]string{{w.privRT, w.privA}, {w.privRT, w.privB}, {w.publicRT, w.public}} {
		cloudtest.Must[*cloud.AssociateRouteTableOutput](t)(c.AssociateRouteTable(ctx, sc, &cloud.AssociateRouteTableInput{RouteTableID: a[0], SubnetID: a[1]}))
	}
	w.igw = cloudtest.Must[*cloud.CreateInternetGatewayOutput](t)(c.CreateInternetGateway(ctx, sc, &cloud.CreateInternetGatewayInput{})).InternetGateway.InternetGatewayID
	cloudtest.Must[*cloud.Return](t)(c.AttachInternetGateway(ctx, sc, &cloud.InternetGatewayVpcInput{InternetGatewayID: w.igw, VpcID: w.vpc}))
	w.route(w.publicRT, "0.0.0.0/0", cloud.RouteTarget{GatewayID: w.igw})
	w.nat = cloudtest.Must[*cloud.CreateNatGatewayOutput](t)(c.CreateNatGateway(ctx, sc, &cloud.CreateNatGatewayInput{SubnetID: w.public, AllocationID: cloudtest.Must[*cloud.AllocateAddressOutput](t)(c.AllocateAddress(ctx, sc, &cloud.AllocateAddressInput{})).AllocationID})).NatGateway.NatGatewayID
	w.route(w.privRT, "0.0.0.0/0", cloud.RouteTarget{NatGatewayID: w.nat})

	sg := func(name string) string {
		return cloudtest.Must[*cloud.CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx, sc, &cloud.CreateSecurityGroupInput{GroupName: name, Description: name, VpcID: w.vpc})).GroupID
	}
	w.appSG, w.endpointSG = sg("app"), sg("endpoints")
	w.ingress(w.endpointSG, 443, "10.0.0.0/16")

	run := func(subnet string) string {
		return cloudtest.Must[*cloud.Reservation](t)(c.RunInstances(ctx, sc, &cloud.RunInstancesInput{ImageID: "ami-12345678", MinCount: cloudtest.Ptr[int32](1), MaxCount: cloudtest.Ptr[int32](1),
			SubnetID: subnet, SecurityGroupIDs: []string{w.appSG}})).Instances[0].InstanceID
	}
	w.app, w.appB, w.web = run(w.privA), run(w.privB), run(w.public)
	ep := func(in *cloud.CreateVpcEndpointInput) string {
		in.VpcID = w.vpc
		return cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx, sc, in)).VpcEndpoint.VpcEndpointID
	}
	iface := func(svc string) string {
		return ep(&cloud.CreateVpcEndpointInput{ServiceName: svc, VpcEndpointType: "Interface", SubnetIDs: []string{w.privA, w.privB},
			SecurityGroupIDs: []string{w.endpointSG}, PrivateDNSEnabled: cloudtest.Ptr(true)})
	}
	w.ssm, w.ssmmessages = iface("com.amazonaws.us-east-1.ssm"), iface("com.amazonaws.us-east-1.ssmmessages")
	w.s3 = ep(&cloud.CreateVpcEndpointInput{ServiceName: "com.amazonaws.us-east-1.s3", RouteTableIDs: []string{w.privRT}})
	snap := w.snap()
	w.appENI = snap.Instances[w.app].NetworkInterfaces[0].NetworkInterfaceID
	for _, a := range snap.NetworkACLs {
		if a.VpcID == w.vpc && a.IsDefault {
			w.acl = a.NetworkACLID
		}
	}
	return w
}

func (w *world) route(rtb, cidr string, target cloud.RouteTarget) {
	w.t.Helper()
	cloudtest.Must[*cloud.Return](w.t)(w.c.CreateRoute(w.ctx, sc, &cloud.RouteInput{RouteTableID: rtb, DestinationCidrBlock: cidr, RouteTarget: target}))
}

func (w *world) ingress(group string, port int32, cidr string) {
	w.t.Helper()
	cloudtest.Must[*cloud.AuthorizeOutput](w.t)(w.c.AuthorizeSecurityGroupIngress(w.ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: group,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "tcp", FromPort: &port, ToPort: &port, IPRanges: []cloud.IPRange{{CidrIP: cidr}}}}}))
}

func (w *world) revokeAllEgress(group string) {
	w.t.Helper()
	cloudtest.Must[*cloud.RevokeOutput](w.t)(w.c.RevokeSecurityGroupEgress(w.ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: group,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "-1", IPRanges: []cloud.IPRange{{CidrIP: "0.0.0.0/0"}}}}}))
}

func (w *world) aclEntry(n int32, egress bool, action, cidr string, from, to int32) {
	w.t.Helper()
	in := &cloud.NetworkACLEntryInput{NetworkACLID: w.acl, RuleNumber: &n, Protocol: "6", RuleAction: action, Egress: &egress, CidrBlock: cidr,
		PortRange: &cloud.PortRange{From: &from, To: &to}}
	cloudtest.Must[*cloud.Return](w.t)(w.c.CreateNetworkAclEntry(w.ctx, sc, in))
}

func (w *world) snap() *cloud.Snapshot {
	w.t.Helper()
	return cloudtest.Must[*cloud.Snapshot](w.t)(w.c.Snapshot(w.ctx, sc))
}

func (w *world) analyze(q Query) *Result {
	w.t.Helper()
	return cloudtest.Must[*Result](w.t)(New(w.snap()).Analyze(q))
}

func codes(es []Explanation) string {
	var out []string
	for _, e := range es {
		out = append(out, e.Code)
	}
	return strings.Join(out, ",")
}

func kinds(hs []Hop) string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Kind+":"+h.Result)
	}
	return strings.Join(out, " ")
}

// check asserts a verdict and the explanation codes, and that a blocked
// path proposes a fix.
func check(t *testing.T, r *Result, verdict, explanations string) {
	t.Helper()
	if r.Verdict != verdict || codes(r.Explanations) != explanations {
		t.Fatalf("verdict %s [%s], want %s [%s]\nhops: %s\ndetails: %v", r.Verdict, codes(r.Explanations), verdict, explanations, kinds(r.Hops), r.Details)
	}
	if r.Reachable != (verdict != Blocked) {
		t.Fatalf("reachable = %v with verdict %s", r.Reachable, verdict)
	}
}

func TestSSMWithoutInternet(t *testing.T) {
	w := newWorld(t)
	for _, name := range []string{"ssm.us-east-1.amazonaws.com", "ssmmessages.us-east-1.amazonaws.com", "com.amazonaws.us-east-1.ssm"} {
		r := w.analyze(Query{From: w.app, To: name})
		check(t, r, PrivateInterfaceEndpoint, "")
		if got, want := kinds(r.Hops), "instance:pass network-interface:pass dns:resolved security-group:allow network-acl:allow route-table:route security-group:allow vpc-endpoint:pass"; got != want {
			t.Errorf("%s hops:\n got %s\nwant %s", name, got, want)
		}
		// The zone's own interface answers: no zone is crossed.
		if len(r.Details) != 0 {
			t.Errorf("%s details: %v", name, r.Details)
		}
		if r.Hops[2].Address != r.Destination.Address || !strings.HasPrefix(r.Destination.Address.String(), "10.0.1.") {
			t.Errorf("%s resolved to %s, want the endpoint's interface in 10.0.1.0/24", name, r.Destination.Address)
		}
	}
	// ec2messages has no endpoint: private DNS cannot answer, so the name
	// resolves publicly and goes out through the NAT gateway.
	r := w.analyze(Query{From: w.app, To: "ec2messages.us-east-1.amazonaws.com"})
	check(t, r, PublicNAT, "")
}

func TestS3GatewayVersusNAT(t *testing.T) {
	w := newWorld(t)
	r := w.analyze(Query{From: w.app, To: "com.amazonaws.us-east-1.s3"})
	check(t, r, PrivateGatewayEndpoint, "")
	// The route that carried it is the prefix-list route, not 0.0.0.0/0.
	var rt *Hop
	for i := range r.Hops {
		if r.Hops[i].Kind == "route-table" {
			rt = &r.Hops[i]
		}
	}
	if rt == nil || rt.Route == nil || !strings.HasPrefix(rt.Route.DestinationPrefixListID, "pl-") || rt.Route.GatewayID != w.s3 {
		t.Fatalf("route hop = %+v", rt)
	}
	// A bucket's virtual-hosted name takes the same path.
	check(t, w.analyze(Query{From: w.app, To: "reports.s3.us-east-1.amazonaws.com"}), PrivateGatewayEndpoint, "")
	// The public subnet has no gateway endpoint: S3 goes over the internet
	// gateway, and the engine says what would keep it private.
	r = w.analyze(Query{From: w.web, To: "com.amazonaws.us-east-1.s3"})
	check(t, r, PublicIGW, "")
	if codes(r.Details) != "PUBLIC_PATH_TO_AWS_SERVICE" || len(r.Fix) == 0 || !strings.Contains(r.Fix[0], "create-vpc-endpoint") {
		t.Errorf("details %v fix %v", r.Details, r.Fix)
	}
	// Without the gateway endpoint, the private subnet reaches S3 by NAT.
	cloudtest.Must[*cloud.DeleteVpcEndpointsOutput](t)(w.c.DeleteVpcEndpoints(w.ctx, sc, &cloud.DeleteVpcEndpointsInput{VpcEndpointIDs: []string{w.s3}}))
	check(t, w.analyze(Query{From: w.app, To: "com.amazonaws.us-east-1.s3"}), PublicNAT, "")
	// DynamoDB has no endpoint and follows the NAT too.
	check(t, w.analyze(Query{From: w.app, To: "com.amazonaws.us-east-1.dynamodb"}), PublicNAT, "")
}

func TestSecurityGroups(t *testing.T) {
	w := newWorld(t)
	// The endpoint's group lets only port 443 in.
	r := w.analyze(Query{From: w.app, To: "ssm.us-east-1.amazonaws.com", Port: 8443})
	check(t, r, Blocked, "ENI_SG_RULES_MISMATCH")
	if r.Explanations[0].Component != w.endpointSG || !strings.Contains(r.Fix[0], "authorize-security-group-ingress --group-id "+w.endpointSG) || !strings.Contains(r.Fix[0], "--source-group "+w.appSG) {
		t.Errorf("explanation %+v fix %v", r.Explanations[0], r.Fix)
	}
	// The instance's group lets nothing out.
	w.revokeAllEgress(w.appSG)
	r = w.analyze(Query{From: w.app, To: "ssm.us-east-1.amazonaws.com"})
	check(t, r, Blocked, "ENI_SG_RULES_MISMATCH")
	if r.Explanations[0].Component != w.appSG || !strings.Contains(r.Fix[0], "authorize-security-group-egress --group-id "+w.appSG) {
		t.Errorf("explanation %+v fix %v", r.Explanations[0], r.Fix)
	}
	// For S3 the fix names the prefix list, as AWS's SSM guide does.
	r = w.analyze(Query{From: w.app, To: "com.amazonaws.us-east-1.s3"})
	check(t, r, Blocked, "ENI_SG_RULES_MISMATCH")
	if !strings.Contains(r.Fix[0], "PrefixListIds=[{PrefixListId=pl-") {
		t.Errorf("fix %v", r.Fix)
	}
	// An egress rule to the S3 prefix list opens S3 and nothing else.
	pl := ""
	for id, l := range w.snap().PrefixLists {
		if l.PrefixListName == "com.amazonaws.us-east-1.s3" {
			pl = id
		}
	}
	port := int32(443)
	cloudtest.Must[*cloud.AuthorizeOutput](t)(w.c.AuthorizeSecurityGroupEgress(w.ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: w.appSG,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "tcp", FromPort: &port, ToPort: &port, PrefixListIDs: []cloud.PrefixListIDPeer{{PrefixListID: pl}}}}}))
	check(t, w.analyze(Query{From: w.app, To: "com.amazonaws.us-east-1.s3"}), PrivateGatewayEndpoint, "")
	check(t, w.analyze(Query{From: w.app, To: "ssm.us-east-1.amazonaws.com"}), Blocked, "ENI_SG_RULES_MISMATCH")
	// An egress rule that references the endpoint's group opens ssm.
	cloudtest.Must[*cloud.AuthorizeOutput](t)(w.c.AuthorizeSecurityGroupEgress(w.ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: w.appSG,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "tcp", FromPort: &port, ToPort: &port, Groups: []cloud.UserIDGroupPair{{GroupID: w.endpointSG}}}}}))
	check(t, w.analyze(Query{From: w.app, To: "ssm.us-east-1.amazonaws.com"}), PrivateInterfaceEndpoint, "")
}

func TestNetworkACLs(t *testing.T) {
	w := newWorld(t)
	// Outbound 443 denied before the allow-all rule.
	w.aclEntry(90, true, "deny", "0.0.0.0/0", 443, 443)
	r := w.analyze(Query{From: w.app, To: "com.amazonaws.us-east-1.s3"})
	check(t, r, Blocked, "SUBNET_ACL_RESTRICTION")
	if !strings.Contains(r.Explanations[0].Message, "rule 90") || !strings.Contains(r.Fix[0], "--egress --rule-number 80") {
		t.Errorf("explanation %+v fix %v", r.Explanations[0], r.Fix)
	}
	// Same subnet: ACLs are not on the way (the endpoint's interface in
	// zone a sits in the instance's subnet), so ssm still works... but
	// the source subnet's ACL is checked on the way out of the subnet
	// only when the packet leaves it: AWS evaluates ACLs at the subnet
	// boundary.
	w2 := newWorld(t)
	w2.aclEntry(90, false, "deny", "0.0.0.0/0", 1024, 65535) // answers cannot come back in
	r = w2.analyze(Query{From: w2.app, To: "com.amazonaws.us-east-1.s3"})
	check(t, r, Blocked, "SUBNET_ACL_RESTRICTION")
	if len(r.ReturnHops) == 0 || r.ReturnHops[len(r.ReturnHops)-1].Result != "deny" || !strings.Contains(r.Fix[0], "From=1024,To=65535") {
		t.Errorf("return hops %+v fix %v", r.ReturnHops, r.Fix)
	}
	// Within one subnet the ACL is not crossed: instance to the zone-a
	// endpoint interface works.
	check(t, w2.analyze(Query{From: w2.app, To: "ssm.us-east-1.amazonaws.com"}), PrivateInterfaceEndpoint, "")
	// Across subnets the return traffic crosses it and is denied.
	w2.ingress(w2.appSG, 22, "10.0.0.0/16")
	appAddr := w2.snap().NetworkInterfaces.Get(w2.appENI).PrivateIPAddress.String()
	r = w2.analyze(Query{From: w2.appB, To: appAddr, Port: 22})
	check(t, r, Blocked, "SUBNET_ACL_RESTRICTION")
	if got := kinds(r.ReturnHops); got != "network-acl:allow network-acl:deny" {
		t.Errorf("return hops %s", got)
	}
	// Within a subnet nothing crosses an ACL: a local path.
	r = w2.analyze(Query{From: w2.snap().Instances[w2.app].NetworkInterfaces[0].NetworkInterfaceID, To: appAddr, Port: 22})
	check(t, r, Local, "")
}

func TestPartialEphemeralRange(t *testing.T) {
	w := newWorld(t)
	// Deny the low half of the ephemeral ports: the rest still carries
	// answers, and the return hop says which.
	w.aclEntry(90, false, "deny", "0.0.0.0/0", 1024, 32767)
	r := w.analyze(Query{From: w.app, To: "com.amazonaws.us-east-1.s3"})
	check(t, r, PrivateGatewayEndpoint, "")
	if got := r.ReturnHops[len(r.ReturnHops)-1].Rule; !strings.Contains(got, "32768-65535") {
		t.Errorf("return hop %q", got)
	}
}

func TestDNS(t *testing.T) {
	w := newWorld(t)
	// Private DNS off: the name resolves publicly and goes by NAT; the
	// engine says why.
	cloudtest.Must[*cloud.Return](t)(w.c.ModifyVpcEndpoint(w.ctx, sc, &cloud.ModifyVpcEndpointInput{VpcEndpointID: w.ssm, PrivateDNSEnabled: cloudtest.Ptr(false)}))
	r := w.analyze(Query{From: w.app, To: "ssm.us-east-1.amazonaws.com"})
	check(t, r, PublicNAT, "")
	if !strings.HasPrefix(codes(r.Details), "PRIVATE_DNS_DISABLED") || !strings.Contains(strings.Join(r.Fix, " "), "--private-dns-enabled") {
		t.Errorf("details %v fix %v", r.Details, r.Fix)
	}
	// Without the NAT route it is blocked, and the fix is an endpoint.
	cloudtest.Must[*cloud.Return](t)(w.c.DeleteRoute(w.ctx, sc, &cloud.DeleteRouteInput{RouteTableID: w.privRT, DestinationCidrBlock: "0.0.0.0/0"}))
	r = w.analyze(Query{From: w.app, To: "ssm.us-east-1.amazonaws.com"})
	check(t, r, Blocked, "NO_ROUTE_TO_DESTINATION")
	// The endpoint's own vpce name still reaches it privately.
	var vpceName string
	for _, d := range w.snap().Endpoints[w.ssm].DNSEntries {
		vpceName = d.DNSName
		break
	}
	check(t, w.analyze(Query{From: w.app, To: vpceName}), PrivateInterfaceEndpoint, "")
	// DNS support off: nothing resolves.
	cloudtest.Must[*cloud.Return](t)(w.c.ModifyVpcAttribute(w.ctx, sc, &cloud.ModifyVpcAttributeInput{VpcID: w.vpc, EnableDNSSupport: &cloud.AttributeBoolean{Value: cloudtest.Ptr(false)}}))
	r = w.analyze(Query{From: w.app, To: "ssmmessages.us-east-1.amazonaws.com"})
	check(t, r, Blocked, "DNS_SUPPORT_DISABLED")
	if !strings.Contains(r.Fix[0], "--enable-dns-support") {
		t.Errorf("fix %v", r.Fix)
	}
	// Unknown names in AWS's domains do not resolve.
	w2 := newWorld(t)
	check(t, w2.analyze(Query{From: w2.app, To: "nosuch.us-east-1.amazonaws.com"}), Blocked, "UNKNOWN_DESTINATION")
	// An instance's private host name resolves to it: a local path.
	r = w2.analyze(Query{From: w2.appB, To: w2.snap().Instances[w2.app].PrivateDNSName, Port: 443})
	if r.Hops[2].Kind != "dns" || r.Hops[2].Result != "resolved" {
		t.Fatalf("hops %s", kinds(r.Hops))
	}
}

func TestEndpointPolicy(t *testing.T) {
	w := newWorld(t)
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"OurBuckets","Effect":"Allow","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::ours","arn:aws:s3:::ours/*"]}]}`
	cloudtest.Must[*cloud.Return](t)(w.c.ModifyVpcEndpoint(w.ctx, sc, &cloud.ModifyVpcEndpointInput{VpcEndpointID: w.s3, PolicyDocument: &doc}))
	q := Query{From: w.app, To: "com.amazonaws.us-east-1.s3", Action: "s3:GetObject", Resource: "arn:aws:s3:::ours/report.csv", Principal: "arn:aws:iam::123456789012:role/app"}
	r := w.analyze(q)
	check(t, r, PrivateGatewayEndpoint, "")
	if last := r.Hops[len(r.Hops)-1]; last.Kind != "policy" || last.Result != "allow" || len(last.Policies) != 1 || !strings.Contains(last.Policies[0], "OurBuckets") {
		t.Errorf("policy hop %+v", last)
	}
	q.Resource = "arn:aws:s3:::theirs/loot.csv"
	r = w.analyze(q)
	check(t, r, Blocked, "ENDPOINT_POLICY_DENY")
	if r.Explanations[0].Component != w.s3 {
		t.Errorf("explanation %+v", r.Explanations[0])
	}
	// With identity policies the whole decision counts: a resource policy
	// that denies the role blocks, and says so.
	id := policy.MustParse("id", policy.KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)
	res := policy.MustParse("bucket", policy.KindResource, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::123456789012:role/app"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::ours/*"}]}`)
	q.Resource, q.Identity, q.ResourcePolicy = "arn:aws:s3:::ours/report.csv", []*policy.Policy{id}, res
	check(t, w.analyze(q), Blocked, "RESOURCE_POLICY_DENY")
}

func TestGatewayEndpointRules(t *testing.T) {
	w := newWorld(t)
	// Gateway endpoints carry TCP only.
	check(t, w.analyze(Query{From: w.app, To: "com.amazonaws.us-east-1.s3", Protocol: "udp"}), Blocked, "VPCE_GATEWAY_PROTOCOL_RESTRICTION")
	// From on premises (an address outside every VPC), S3's gateway
	// endpoint is never on the path.
	r := w.analyze(Query{From: "192.168.10.5", To: w.s3})
	check(t, r, Blocked, "GATEWAY_ENDPOINT_NOT_REACHABLE_FROM_ON_PREMISES")
	if !strings.Contains(r.Fix[0], "--vpc-endpoint-type Interface") {
		t.Errorf("fix %v", r.Fix)
	}
	check(t, w.analyze(Query{From: "192.168.10.5", To: "com.amazonaws.us-east-1.s3"}), Blocked, "GATEWAY_ENDPOINT_NOT_REACHABLE_FROM_ON_PREMISES")
	// Private DNS names answer only inside the VPC: from outside, ssm's
	// name is the public one.
	r = w.analyze(Query{From: "192.168.10.5", To: "ssm.us-east-1.amazonaws.com"})
	check(t, r, Blocked, "NO_PATH")
	if strings.HasPrefix(r.Destination.Address.String(), "10.0.") {
		t.Errorf("private DNS answered outside the VPC: %s", r.Destination.Address)
	}
}

func TestStatesAndRoutes(t *testing.T) {
	w := newWorld(t)
	// A NAT gateway deleted leaves a blackhole route.
	cloudtest.Must[*cloud.DeleteNatGatewayOutput](t)(w.c.DeleteNatGateway(w.ctx, sc, &cloud.DeleteNatGatewayInput{NatGatewayID: w.nat}))
	r := w.analyze(Query{From: w.app, To: "com.amazonaws.us-east-1.dynamodb"})
	if r.Verdict != Blocked || !strings.Contains("BAD_STATE BAD_STATE_ROUTE", codes(r.Explanations)) {
		t.Fatalf("verdict %s %s", r.Verdict, codes(r.Explanations))
	}
	// The internet gateway path needs a public address: the private
	// subnet's instance has none.
	w.route(w.privRT, "52.94.0.0/16", cloud.RouteTarget{GatewayID: w.igw})
	check(t, w.analyze(Query{From: w.app, To: "52.94.1.1"}), Blocked, "IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS")
	// A terminated instance sends nothing.
	cloudtest.Must[*cloud.TerminateInstancesOutput](t)(w.c.TerminateInstances(w.ctx, sc, &cloud.TerminateInstancesInput{InstanceIDs: []string{w.web}}))
	check(t, w.analyze(Query{From: w.web, To: "com.amazonaws.us-east-1.s3"}), Blocked, "BAD_STATE")
	// A subnet as source: no security group on the way out.
	r = w.analyze(Query{From: w.privB, To: "ssm.us-east-1.amazonaws.com"})
	check(t, r, PrivateInterfaceEndpoint, "")
	if r.Hops[0].Kind != "subnet" || r.Source.Address.String() != "10.0.2.4" {
		t.Errorf("source %+v hops %s", r.Source, kinds(r.Hops))
	}
	// An address inside a subnet stands where that subnet is.
	check(t, w.analyze(Query{From: "10.0.2.77", To: "com.amazonaws.us-east-1.s3"}), PrivateGatewayEndpoint, "")
	// The local route reaches an interface; an unused address does not.
	check(t, w.analyze(Query{From: w.app, To: "10.0.3.9"}), Blocked, "UNKNOWN_DESTINATION")
}

func TestZoneCrossing(t *testing.T) {
	w := newWorld(t)
	// An endpoint only in zone b: reachable from zone a, with the cost
	// of crossing zones stated.
	id := cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(w.c.CreateVpcEndpoint(w.ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: w.vpc,
		ServiceName: "com.amazonaws.us-east-1.kms", VpcEndpointType: "Interface", SubnetIDs: []string{w.privB}, SecurityGroupIDs: []string{w.endpointSG}, PrivateDNSEnabled: cloudtest.Ptr(true)})).VpcEndpoint.VpcEndpointID
	r := w.analyze(Query{From: w.app, To: "kms.us-east-1.amazonaws.com"})
	check(t, r, PrivateInterfaceEndpoint, "")
	if codes(r.Details) != "AVAILABILITY_ZONE_CROSSED" || r.Details[0].Component != id {
		t.Errorf("details %v", r.Details)
	}
	// Crossing subnets puts both ACLs on the way, both directions.
	if got := kinds(r.ReturnHops); got != "network-acl:allow network-acl:allow" {
		t.Errorf("return hops %s", got)
	}
}

func TestBadInput(t *testing.T) {
	w := newWorld(t)
	a := New(w.snap())
	for _, q := range []Query{
		{From: "i-0123456789abcdef0", To: "ssm.us-east-1.amazonaws.com"},
		{From: w.app, To: "com.amazonaws.eu-west-1.ssm"},
		{From: w.app, To: "com.amazonaws.us-east-1.nosuch"},
		{From: w.app, To: "vpce-0123456789abcdef0"},
		{From: w.app, To: "2001:db8::1"},
		{From: w.app, To: "ssm.us-east-1.amazonaws.com", Protocol: "icmp"},
		{From: w.app, To: "ssm.us-east-1.amazonaws.com", Port: 70000},
		{From: "not-an-address", To: "ssm.us-east-1.amazonaws.com"},
		{From: w.app},
	} {
		_, err := a.Analyze(q)
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Errorf("%+v: err = %v, want an InputError", q, err)
		}
	}
}

// TestMoreCodes covers the explanation codes the scenarios above do not.
func TestMoreCodes(t *testing.T) {
	w := newWorld(t)
	port := int32(443)
	// Interface endpoints carry TCP only, even when the group lets UDP in.
	cloudtest.Must[*cloud.AuthorizeOutput](t)(w.c.AuthorizeSecurityGroupIngress(w.ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: w.endpointSG,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "udp", FromPort: &port, ToPort: &port, IPRanges: []cloud.IPRange{{CidrIP: "10.0.0.0/16"}}}}}))
	check(t, w.analyze(Query{From: w.app, To: "ssm.us-east-1.amazonaws.com", Protocol: "udp"}), Blocked, "PROTOCOL_RESTRICTION")

	// An identity policy that denies blocks, and says which policy.
	id := policy.MustParse("id", policy.KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`)
	r := w.analyze(Query{From: w.app, To: "com.amazonaws.us-east-1.s3", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k",
		Principal: "arn:aws:iam::123456789012:role/app", Identity: []*policy.Policy{id}})
	check(t, r, Blocked, "IDENTITY_POLICY_DENY")

	// A gateway endpoint of another VPC is never on the path.
	vpc2 := cloudtest.Must[*cloud.CreateVpcOutput](t)(w.c.CreateVpc(w.ctx, sc, &cloud.CreateVpcInput{CidrBlock: "10.1.0.0/16"})).Vpc.VpcID
	sn2 := cloudtest.Must[*cloud.CreateSubnetOutput](t)(w.c.CreateSubnet(w.ctx, sc, &cloud.CreateSubnetInput{VpcID: vpc2, CidrBlock: "10.1.1.0/24", AvailabilityZone: "us-east-1a"})).Subnet.SubnetID
	r = w.analyze(Query{From: sn2, To: w.s3})
	check(t, r, Blocked, "VPCE_GATEWAY_NOT_IN_VPC")
	if !strings.Contains(r.Fix[0], "create-vpc-endpoint --vpc-id "+vpc2) {
		t.Errorf("fix %v", r.Fix)
	}

	// An internet gateway does not carry private addresses.
	check(t, w.analyze(Query{From: w.web, To: "192.168.1.1"}), Blocked, "IGW_DESTINATION_ADDRESS_NOT_PUBLIC")

	// A route to an appliance interface is not followed.
	eni := cloudtest.Must[*cloud.CreateNetworkInterfaceOutput](t)(w.c.CreateNetworkInterface(w.ctx, sc, &cloud.CreateNetworkInterfaceInput{SubnetID: w.public})).NetworkInterface.NetworkInterfaceID
	w.route(w.privRT, "203.0.113.0/24", cloud.RouteTarget{NetworkInterfaceID: eni})
	check(t, w.analyze(Query{From: w.app, To: "203.0.113.7"}), Blocked, "UNSUPPORTED_COMPONENT")

	// A private NAT gateway does not reach the internet.
	pnat := cloudtest.Must[*cloud.CreateNatGatewayOutput](t)(w.c.CreateNatGateway(w.ctx, sc, &cloud.CreateNatGatewayInput{SubnetID: w.public, ConnectivityType: "private"})).NatGateway.NatGatewayID
	w.route(w.privRT, "198.51.100.0/24", cloud.RouteTarget{NatGatewayID: pnat})
	check(t, w.analyze(Query{From: w.app, To: "198.51.100.20"}), Blocked, "NGW_PRIVATE_CANNOT_REACH_INTERNET")

	// The NAT gateway deleted: its route is a blackhole.
	cloudtest.Must[*cloud.DeleteNatGatewayOutput](t)(w.c.DeleteNatGateway(w.ctx, sc, &cloud.DeleteNatGatewayInput{NatGatewayID: w.nat}))
	check(t, w.analyze(Query{From: w.app, To: "com.amazonaws.us-east-1.dynamodb"}), Blocked, "BAD_STATE_ROUTE")

	// S3's interface endpoint with private DNS only for inbound Resolver
	// endpoints: inside the VPC the name stays public, and the gateway
	// endpoint carries it.
	cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(w.c.CreateVpcEndpoint(w.ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: w.vpc, ServiceName: "com.amazonaws.us-east-1.s3",
		VpcEndpointType: "Interface", SubnetIDs: []string{w.privA}, SecurityGroupIDs: []string{w.endpointSG}, PrivateDNSEnabled: cloudtest.Ptr(true),
		DNSOptions: &cloud.DNSOptions{PrivateDNSOnlyForInboundResolverEndpoint: cloudtest.Ptr(true)}}))
	r = w.analyze(Query{From: w.app, To: "s3.us-east-1.amazonaws.com"})
	check(t, r, PrivateGatewayEndpoint, "")
	if codes(r.Details) != "PRIVATE_DNS_INBOUND_ONLY" {
		t.Errorf("details %v", r.Details)
	}
}

// TestIPv6ACLEntriesInIPv4VPC: AWS accepts IPv6 ACL entries in a VPC
// without IPv6 (the community Terraform VPC module adds ::/0 rules to
// default ACLs); they match no IPv4 packet, so an IPv6 deny-all numbered
// before everything closes nothing, while the same rule for IPv4 does.
func TestIPv6ACLEntriesInIPv4VPC(t *testing.T) {
	w := newWorld(t)
	for _, egress := range []bool{true, false} {
		n, e := int32(1), egress
		cloudtest.Must[*cloud.Return](t)(w.c.CreateNetworkAclEntry(w.ctx, sc, &cloud.NetworkACLEntryInput{NetworkACLID: w.acl, RuleNumber: &n,
			Protocol: "-1", RuleAction: "deny", Egress: &e, Ipv6CidrBlock: "::/0"}))
	}
	check(t, w.analyze(Query{From: w.app, To: "com.amazonaws.us-east-1.s3"}), PrivateGatewayEndpoint, "")
	w.aclEntry(2, true, "deny", "0.0.0.0/0", 443, 443)
	check(t, w.analyze(Query{From: w.app, To: "com.amazonaws.us-east-1.s3"}), Blocked, "SUBNET_ACL_RESTRICTION")
}

// TestDhcpOptionsCustomDNS: a VPC whose DHCP options give its instances
// other name servers does not use the VPC resolver, as in AWS: the
// endpoint's private DNS no longer answers for them, ssm resolves
// publicly and goes out through the NAT gateway, and the answer says why
// and how to fix it; back on AmazonProvidedDNS the endpoint serves again.
func TestDhcpOptionsCustomDNS(t *testing.T) {
	w := newWorld(t)
	custom := cloudtest.Must[*cloud.CreateDhcpOptionsOutput](t)(w.c.CreateDhcpOptions(w.ctx, sc, &cloud.CreateDhcpOptionsInput{
		Configurations: []struct {
			Key    string   `ec2:"Key"`
			Values []string `ec2:"Value"`
		}{{Key: "domain-name-servers", Values: []string{"10.0.0.53,10.0.1.53"}}},
	})).DhcpOptions.DhcpOptionsID
	cloudtest.Must[*cloud.Return](t)(w.c.AssociateDhcpOptions(w.ctx, sc, &cloud.AssociateDhcpOptionsInput{DhcpOptionsID: custom, VpcID: w.vpc}))
	r := w.analyze(Query{From: w.app, To: "ssm.us-east-1.amazonaws.com"})
	check(t, r, PublicNAT, "")
	var d *Explanation
	for i := range r.Details {
		if r.Details[i].Code == "DHCP_OPTIONS_CUSTOM_DNS" {
			d = &r.Details[i]
		}
	}
	if d == nil || d.Component != custom || !strings.Contains(d.Message, "10.0.0.53, 10.0.1.53") || !strings.Contains(strings.Join(r.Fix, " "), "associate-dhcp-options") {
		t.Fatalf("details %v, fix %v", r.Details, r.Fix)
	}
	// AmazonProvidedDNS among the servers: the VPC resolver answers.
	both := cloudtest.Must[*cloud.CreateDhcpOptionsOutput](t)(w.c.CreateDhcpOptions(w.ctx, sc, &cloud.CreateDhcpOptionsInput{
		Configurations: []struct {
			Key    string   `ec2:"Key"`
			Values []string `ec2:"Value"`
		}{{Key: "domain-name-servers", Values: []string{"AmazonProvidedDNS", "10.0.0.53"}}},
	})).DhcpOptions.DhcpOptionsID
	cloudtest.Must[*cloud.Return](t)(w.c.AssociateDhcpOptions(w.ctx, sc, &cloud.AssociateDhcpOptionsInput{DhcpOptionsID: both, VpcID: w.vpc}))
	check(t, w.analyze(Query{From: w.app, To: "ssm.us-east-1.amazonaws.com"}), PrivateInterfaceEndpoint, "")
}

// TestSecondaryCidrSource: an instance in a subnet of the VPC's secondary
// block (100.64.0.0/16) reaches the interface endpoint over the block's
// local route — once the endpoint's group admits the block, which an
// ingress rule for the primary block alone does not.
func TestSecondaryCidrSource(t *testing.T) {
	w := newWorld(t)
	cloudtest.Must[*cloud.AssociateVpcCidrBlockOutput](t)(w.c.AssociateVpcCidrBlock(w.ctx, sc, &cloud.AssociateVpcCidrBlockInput{VpcID: w.vpc, CidrBlock: "100.64.0.0/16"}))
	sn := cloudtest.Must[*cloud.CreateSubnetOutput](t)(w.c.CreateSubnet(w.ctx, sc, &cloud.CreateSubnetInput{VpcID: w.vpc, CidrBlock: "100.64.1.0/24", AvailabilityZone: "us-east-1a"})).Subnet.SubnetID
	cloudtest.Must[*cloud.AssociateRouteTableOutput](t)(w.c.AssociateRouteTable(w.ctx, sc, &cloud.AssociateRouteTableInput{RouteTableID: w.privRT, SubnetID: sn}))
	pod := cloudtest.Must[*cloud.Reservation](t)(w.c.RunInstances(w.ctx, sc, &cloud.RunInstancesInput{ImageID: "ami-12345678", MinCount: cloudtest.Ptr[int32](1), MaxCount: cloudtest.Ptr[int32](1),
		SubnetID: sn, SecurityGroupIDs: []string{w.appSG}})).Instances[0].InstanceID
	check(t, w.analyze(Query{From: pod, To: "ssm.us-east-1.amazonaws.com"}), Blocked, "ENI_SG_RULES_MISMATCH")
	w.ingress(w.endpointSG, 443, "100.64.0.0/16")
	check(t, w.analyze(Query{From: pod, To: "ssm.us-east-1.amazonaws.com"}), PrivateInterfaceEndpoint, "")
}

// TestPeering: a path over an active VPC peering reaches an instance of
// the peer VPC and an interface endpoint there (by its vpce name: private
// DNS does not cross a peering); it needs the peering active, a route on
// both sides and the peer's groups; a gateway endpoint never serves the
// peer's traffic.
func TestPeering(t *testing.T) {
	w := newWorld(t)
	c, ctx := w.c, w.ctx
	peerVpc := cloudtest.Must[*cloud.CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &cloud.CreateVpcInput{CidrBlock: "10.1.0.0/16"})).Vpc.VpcID
	peerSub := cloudtest.Must[*cloud.CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &cloud.CreateSubnetInput{VpcID: peerVpc, CidrBlock: "10.1.1.0/24", AvailabilityZone: "us-east-1a"})).Subnet.SubnetID
	peerRT := cloudtest.Must[*cloud.CreateRouteTableOutput](t)(c.CreateRouteTable(ctx, sc, &cloud.CreateRouteTableInput{VpcID: peerVpc})).RouteTable.RouteTableID
	cloudtest.Must[*cloud.AssociateRouteTableOutput](t)(c.AssociateRouteTable(ctx, sc, &cloud.AssociateRouteTableInput{RouteTableID: peerRT, SubnetID: peerSub}))
	db := cloudtest.Must[*cloud.Reservation](t)(c.RunInstances(ctx, sc, &cloud.RunInstancesInput{ImageID: "ami-12345678", MinCount: cloudtest.Ptr[int32](1), MaxCount: cloudtest.Ptr[int32](1),
		SubnetID: peerSub, PrivateIPAddress: "10.1.1.10"})).Instances[0].InstanceID
	pcx := cloudtest.Must[*cloud.VpcPeeringConnectionOutput](t)(c.CreateVpcPeeringConnection(ctx, sc, &cloud.CreateVpcPeeringConnectionInput{VpcID: w.vpc, PeerVpcID: peerVpc})).VpcPeeringConnection.VpcPeeringConnectionID
	w.route(w.privRT, "10.1.0.0/16", cloud.RouteTarget{VpcPeeringConnectionID: pcx})
	q := Query{From: w.app, To: "10.1.1.10", Port: 5432}
	check(t, w.analyze(q), Blocked, "BAD_STATE_ROUTE") // the route is a blackhole until the peering is active
	pgPort := int32(5432)
	_, err := c.AuthorizeSecurityGroupIngress(ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: w.snap().Instances[db].Groups[0].GroupID,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "tcp", FromPort: &pgPort, ToPort: &pgPort, Groups: []cloud.UserIDGroupPair{{GroupID: w.appSG}}}}})
	if err == nil || !strings.Contains(err.Error(), "different networks") {
		t.Fatalf("a group of an unpeered VPC was accepted as a peer: %v", err)
	}
	cloudtest.Must[*cloud.VpcPeeringConnectionOutput](t)(c.AcceptVpcPeeringConnection(ctx, sc, &cloud.VpcPeeringConnectionIDInput{VpcPeeringConnectionID: pcx}))
	check(t, w.analyze(q), Blocked, "NO_ROUTE_TO_DESTINATION") // no route back
	w.route(peerRT, "10.0.0.0/16", cloud.RouteTarget{VpcPeeringConnectionID: pcx})
	check(t, w.analyze(q), Blocked, "ENI_SG_RULES_MISMATCH") // the peer's default group admits only itself
	// The peer's group admits the app's group by reference, across the
	// peering (refused before the peering was active).
	dbGroup := w.snap().Instances[db].Groups[0].GroupID
	port := int32(5432)
	cloudtest.Must[*cloud.AuthorizeOutput](t)(c.AuthorizeSecurityGroupIngress(ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: dbGroup,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "tcp", FromPort: &port, ToPort: &port, Groups: []cloud.UserIDGroupPair{{GroupID: w.appSG}}}}}))
	r := w.analyze(q)
	check(t, r, Local, "")
	if !strings.Contains(kinds(r.Hops), "vpc-peering-connection:pass") {
		t.Errorf("hops %s", kinds(r.Hops))
	}
	// An interface endpoint of the peer VPC, by its regional vpce name.
	epSG := cloudtest.Must[*cloud.CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx, sc, &cloud.CreateSecurityGroupInput{GroupName: "ep", Description: "ep", VpcID: peerVpc})).GroupID
	w.ingress(epSG, 443, "10.0.0.0/16")
	ep := cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: peerVpc, ServiceName: "com.amazonaws.us-east-1.kms",
		VpcEndpointType: "Interface", SubnetIDs: []string{peerSub}, SecurityGroupIDs: []string{epSG}, PrivateDNSEnabled: cloudtest.Ptr(false)})).VpcEndpoint
	r = w.analyze(Query{From: w.app, To: ep.DNSEntries[0].DNSName})
	check(t, r, PrivateInterfaceEndpoint, "")
	if r.Endpoint != ep.VpcEndpointID {
		t.Errorf("served by %q, want %s", r.Endpoint, ep.VpcEndpointID)
	}
	// Another block is not the peering's: it follows the default route
	// (NAT, internet gateway), where a private address goes nowhere.
	check(t, w.analyze(Query{From: w.app, To: "10.2.0.5", Port: 443}), Blocked, "IGW_DESTINATION_ADDRESS_NOT_PUBLIC")
	// Deleted: blackhole again.
	cloudtest.Must[*cloud.Return](t)(c.DeleteVpcPeeringConnection(ctx, sc, &cloud.VpcPeeringConnectionIDInput{VpcPeeringConnectionID: pcx}))
	check(t, w.analyze(q), Blocked, "BAD_STATE_ROUTE")
}

// TestCrossAccountPeering: a peering with another account's VPC. The
// account's own snapshot stops at the peering (NO_PATH: the peer is not
// in it); the linked snapshot holds both accounts, so the path reaches
// the peer's instance — with the peer's route back and group rule — and
// the peer account, asking in turn, reaches back. A source of the other
// account is not the asking account's to analyse.
func TestCrossAccountPeering(t *testing.T) {
	w := newWorld(t)
	c, ctx := w.c, w.ctx
	peer := cloud.Scope{Account: "222222222222", Region: "us-east-1"}
	peerVpc := cloudtest.Must[*cloud.CreateVpcOutput](t)(c.CreateVpc(ctx, peer, &cloud.CreateVpcInput{CidrBlock: "10.1.0.0/16"})).Vpc.VpcID
	peerSub := cloudtest.Must[*cloud.CreateSubnetOutput](t)(c.CreateSubnet(ctx, peer, &cloud.CreateSubnetInput{VpcID: peerVpc, CidrBlock: "10.1.1.0/24", AvailabilityZone: "us-east-1a"})).Subnet.SubnetID
	db := cloudtest.Must[*cloud.Reservation](t)(c.RunInstances(ctx, peer, &cloud.RunInstancesInput{ImageID: "ami-12345678", MinCount: cloudtest.Ptr[int32](1), MaxCount: cloudtest.Ptr[int32](1),
		SubnetID: peerSub, PrivateIPAddress: "10.1.1.10"})).Instances[0]
	pcx := cloudtest.Must[*cloud.VpcPeeringConnectionOutput](t)(c.CreateVpcPeeringConnection(ctx, sc, &cloud.CreateVpcPeeringConnectionInput{VpcID: w.vpc, PeerVpcID: peerVpc, PeerOwnerID: peer.Account})).VpcPeeringConnection.VpcPeeringConnectionID
	cloudtest.Must[*cloud.VpcPeeringConnectionOutput](t)(c.AcceptVpcPeeringConnection(ctx, peer, &cloud.VpcPeeringConnectionIDInput{VpcPeeringConnectionID: pcx}))
	w.route(w.privRT, "10.1.0.0/16", cloud.RouteTarget{VpcPeeringConnectionID: pcx})
	peerRT := cloudtest.Must[*cloud.Snapshot](t)(c.Snapshot(ctx, peer)).RouteTableOf(peerSub).RouteTableID
	cloudtest.Must[*cloud.Return](t)(c.CreateRoute(ctx, peer, &cloud.RouteInput{RouteTableID: peerRT, DestinationCidrBlock: "10.0.0.0/16", RouteTarget: cloud.RouteTarget{VpcPeeringConnectionID: pcx}}))
	port := int32(5432)
	cloudtest.Must[*cloud.AuthorizeOutput](t)(c.AuthorizeSecurityGroupIngress(ctx, peer, &cloud.SecurityGroupRulesInput{GroupID: db.Groups[0].GroupID,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "tcp", FromPort: &port, ToPort: &port, IPRanges: []cloud.IPRange{{CidrIP: "10.0.0.0/16"}}}}}))
	q := Query{From: w.app, To: "10.1.1.10", Port: 5432}
	check(t, w.analyze(q), Blocked, "NO_PATH") // the account's own snapshot
	linked := func(s cloud.Scope) *Analyzer {
		return New(cloudtest.Must[*cloud.Snapshot](t)(c.LinkedSnapshot(ctx, s)))
	}
	r := cloudtest.Must[*Result](t)(linked(sc).Analyze(q))
	check(t, r, Local, "")
	if !strings.Contains(kinds(r.Hops), "vpc-peering-connection:pass") || r.Hops[len(r.Hops)-1].Component != db.NetworkInterfaces[0].NetworkInterfaceID {
		t.Errorf("hops %s", kinds(r.Hops))
	}
	// The way back, asked by the peer account.
	back := cloudtest.Must[*Result](t)(linked(peer).Analyze(Query{From: db.InstanceID, To: "10.0.1.4", Port: 22}))
	if back.Verdict == Blocked && strings.Contains(codes(back.Explanations), "NO_PATH") {
		t.Errorf("the peer's path back stops at the peering: %v", back.Explanations)
	}
	// Sources stay in the asking account.
	if _, err := linked(sc).Analyze(Query{From: db.InstanceID, To: "10.0.1.4"}); err == nil || !strings.Contains(err.Error(), "does not exist in "+sc.Account) {
		t.Errorf("a source of the peer account: %v", err)
	}
}

// TestHostNames: with DNS host names on, an instance's ip-… name resolves
// in its VPC to the address the snapshot's interface holds, for the
// snapshot analysed: a name whose interface is gone does not.
func TestHostNames(t *testing.T) {
	w := newWorld(t)
	snap := w.snap()
	eni := snap.NetworkInterfaces.Get(snap.Instances[w.appB].NetworkInterfaces[0].NetworkInterfaceID)
	r := w.analyze(Query{From: w.app, To: eni.PrivateDNSName, Port: 22})
	if r.Destination.Address != eni.PrivateIPAddress {
		t.Fatalf("%s resolved to %v, want %s", eni.PrivateDNSName, r.Destination.Address, eni.PrivateIPAddress)
	}
	spare := cloudtest.Must[*cloud.CreateNetworkInterfaceOutput](t)(w.c.CreateNetworkInterface(w.ctx, sc, &cloud.CreateNetworkInterfaceInput{SubnetID: w.privB})).NetworkInterface
	before := w.snap()
	cloudtest.Must[*cloud.Return](t)(w.c.DeleteNetworkInterface(w.ctx, sc, &cloud.DeleteNetworkInterfaceInput{NetworkInterfaceID: spare.NetworkInterfaceID}))
	if r, err := New(before).Analyze(Query{From: w.app, To: spare.PrivateDNSName, Port: 22}); err != nil || r.Destination.Address != spare.PrivateIPAddress {
		t.Fatalf("the snapshot before the delete: %s → %+v, %v; want %s", spare.PrivateDNSName, r, err, spare.PrivateIPAddress)
	}
	if r, err := New(w.snap()).Analyze(Query{From: w.app, To: spare.PrivateDNSName, Port: 22}); err == nil && r.Destination.Address.IsValid() {
		t.Fatalf("after the delete %s still resolves to %v", spare.PrivateDNSName, r.Destination.Address)
	}
}

// TestDecidePreparedKeys: the caller's and the endpoint's condition keys,
// prepared once per analyzer, decide as they do when set afresh: one
// analyzer deciding for several principals in turn agrees with a new
// analyzer for each, and the endpoint's keys still override a request's
// own aws:SourceVpce and remove its aws:SourceIp.
func TestDecidePreparedKeys(t *testing.T) {
	w := newWorld(t)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*",` +
		`"Condition":{"StringEquals":{"aws:PrincipalAccount":"123456789012","aws:SourceVpce":"` + w.s3 + `"},` +
		`"StringLike":{"aws:PrincipalArn":"arn:aws:iam::123456789012:*"},"Null":{"aws:SourceIp":"true"}}}]}`
	cloudtest.Must[*cloud.Return](t)(w.c.ModifyVpcEndpoint(w.ctx, sc, &cloud.ModifyVpcEndpointInput{VpcEndpointID: w.s3, PolicyDocument: &doc}))
	snap := w.snap()
	a := New(snap)
	r := cloudtest.Must[*Result](t)(a.Analyze(Query{From: w.app, To: "com.amazonaws.us-east-1.s3"}))
	cases := []struct {
		principal string
		context   map[string][]string
		allowed   bool
	}{
		{"arn:aws:iam::123456789012:role/app", nil, true},
		{"arn:aws:iam::210987654321:root", nil, false},
		{"arn:aws:iam::123456789012:user/ops", nil, true},
		{"", nil, false},
		{"arn:aws:iam::123456789012:role/app", map[string][]string{"aws:SourceVpce": {"vpce-0other"}, "aws:SourceIp": {"203.0.113.9"}}, true},
		{"arn:aws:iam::210987654321:root", map[string][]string{"aws:PrincipalAccount": {"123456789012"}}, false},
		// The request's own keys come after the caller's, as before.
		{"arn:aws:iam::210987654321:root", map[string][]string{"aws:PrincipalAccount": {"123456789012"}, "aws:PrincipalArn": {"arn:aws:iam::123456789012:root"}}, true},
		{"arn:aws:iam::123456789012:role/app", nil, true},
	}
	for i, c := range cases {
		req := Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Principal: c.principal, Context: c.context}
		got := a.Decide(r, req)
		fresh := New(snap)
		want := fresh.Decide(cloudtest.Must[*Result](t)(fresh.Analyze(Query{From: w.app, To: "com.amazonaws.us-east-1.s3"})), req)
		if got.Allowed != want.Allowed || got.Code != want.Code || got.Allowed != c.allowed {
			t.Errorf("case %d %s %v: allowed %v (%s), a new analyzer %v (%s), want %v", i, c.principal, c.context, got.Allowed, got.Code, want.Allowed, want.Code, c.allowed)
		}
	}
}
