package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// dnsVPC creates a VPC with DNS hostnames on and subnets in the given zones.
func dnsVPC(t *testing.T, c *ec2.Client, cidr string, subnets map[string]string) (string, map[string]string) {
	t.Helper()
	vpc, subs := newVPC(t, c, cidr, subnets)
	must[*ec2.ModifyVpcAttributeOutput](t)(c.ModifyVpcAttribute(ctx(t), &ec2.ModifyVpcAttributeInput{VpcId: aws.String(vpc), EnableDnsHostnames: &types.AttributeBooleanValue{Value: aws.Bool(true)}}))
	return vpc, subs
}

func describeEndpoint(t *testing.T, c *ec2.Client, id string) types.VpcEndpoint {
	t.Helper()
	out := must[*ec2.DescribeVpcEndpointsOutput](t)(c.DescribeVpcEndpoints(ctx(t), &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: []string{id}}))
	if len(out.VpcEndpoints) != 1 {
		t.Fatalf("DescribeVpcEndpoints(%s) = %d endpoints", id, len(out.VpcEndpoints))
	}
	return out.VpcEndpoints[0]
}

// waitEndpoint polls until the endpoint reaches state.
func waitEndpoint(t *testing.T, c *ec2.Client, id, state string) types.VpcEndpoint {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		e := describeEndpoint(t, c, id)
		if string(e.State) == state {
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("endpoint %s stuck in %s, want %s", id, e.State, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestSSMWithoutInternet builds the classic layout with the Go SDK: ssm,
// ssmmessages and ec2messages interface endpoints with private DNS in two
// zones, and an S3 gateway endpoint, then checks every consequence.
func TestSSMWithoutInternet(t *testing.T) {
	c, acct := client(t)
	vpc, subs := dnsVPC(t, c, "10.70.0.0/16", map[string]string{"10.70.1.0/24": "us-east-1a", "10.70.2.0/24": "us-east-1b"})
	a, b := subs["10.70.1.0/24"], subs["10.70.2.0/24"]
	rtb := must[*ec2.CreateRouteTableOutput](t)(c.CreateRouteTable(ctx(t), &ec2.CreateRouteTableInput{VpcId: aws.String(vpc)})).RouteTable.RouteTableId
	for _, s := range []string{a, b} {
		must[*ec2.AssociateRouteTableOutput](t)(c.AssociateRouteTable(ctx(t), &ec2.AssociateRouteTableInput{RouteTableId: rtb, SubnetId: aws.String(s)}))
	}
	sg := must[*ec2.CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx(t), &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpc), GroupName: aws.String("endpoints"), Description: aws.String("443 from the VPC")})).GroupId
	must[*ec2.AuthorizeSecurityGroupIngressOutput](t)(c.AuthorizeSecurityGroupIngress(ctx(t), &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sg,
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), IpRanges: []types.IpRange{{CidrIp: aws.String("10.70.0.0/16")}}}}}))

	ids := map[string]string{}
	for _, svc := range []string{"ssm", "ssmmessages", "ec2messages"} {
		e := must[*ec2.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{
			VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1." + svc), VpcEndpointType: types.VpcEndpointTypeInterface,
			SubnetIds: []string{a, b}, SecurityGroupIds: []string{*sg}, PrivateDnsEnabled: aws.Bool(true),
			TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeVpcEndpoint, Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String(svc)}}}},
		})).VpcEndpoint
		if e.State != "pending" {
			t.Errorf("%s: created in state %s, want pending", svc, e.State)
		}
		ids[svc] = *e.VpcEndpointId
	}
	s3 := must[*ec2.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{
		VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1.s3"), RouteTableIds: []string{*rtb}})).VpcEndpoint
	if s3.VpcEndpointType != types.VpcEndpointTypeGateway || s3.State != "available" || *s3.PrivateDnsEnabled {
		t.Errorf("S3 gateway endpoint = type %s state %s privateDns %v", s3.VpcEndpointType, s3.State, *s3.PrivateDnsEnabled)
	}

	// Each interface endpoint: available, one ENI per subnet, DNS names.
	var eniIDs []string
	for svc, id := range ids {
		e := waitEndpoint(t, c, id, "available")
		if len(e.NetworkInterfaceIds) != 2 || len(e.SubnetIds) != 2 || *e.Groups[0].GroupId != *sg || !*e.PrivateDnsEnabled {
			t.Errorf("%s endpoint = %+v", svc, e)
		}
		eniIDs = append(eniIDs, e.NetworkInterfaceIds...)
		var names []string
		for _, d := range e.DnsEntries {
			names = append(names, *d.DnsName)
		}
		suffix := "." + svc + ".us-east-1.vpce.amazonaws.com"
		if len(names) != 4 || !strings.HasPrefix(names[0], id+"-") || !strings.HasSuffix(names[0], suffix) ||
			!strings.HasSuffix(names[1], "-us-east-1a"+suffix) || !strings.HasSuffix(names[2], "-us-east-1b"+suffix) ||
			names[3] != svc+".us-east-1.amazonaws.com" {
			t.Errorf("%s DNS entries = %v", svc, names)
		}
		if *e.DnsEntries[0].HostedZoneId != "Z7HUB22UULQXV" || *e.DnsEntries[3].HostedZoneId == "Z7HUB22UULQXV" {
			t.Errorf("%s hosted zones = %s, %s", svc, *e.DnsEntries[0].HostedZoneId, *e.DnsEntries[3].HostedZoneId)
		}
		if e.Tags[0].Value == nil || *e.Tags[0].Value != svc {
			t.Errorf("%s tags = %+v", svc, e.Tags)
		}
	}
	enis := must[*ec2.DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx(t), &ec2.DescribeNetworkInterfacesInput{Filters: []types.Filter{filt("vpc-id", vpc), filt("interface-type", "vpc_endpoint")}}))
	if len(enis.NetworkInterfaces) != 6 {
		t.Fatalf("vpc_endpoint ENIs = %d, want 6", len(enis.NetworkInterfaces))
	}
	addrs := map[string]bool{}
	for _, n := range enis.NetworkInterfaces {
		if !slices.Contains(eniIDs, *n.NetworkInterfaceId) {
			t.Errorf("ENI %s belongs to no endpoint", *n.NetworkInterfaceId)
		}
		if !*n.RequesterManaged || *n.RequesterId != "727180483921" || n.Status != types.NetworkInterfaceStatusInUse ||
			!strings.HasPrefix(*n.Description, "VPC Endpoint Interface vpce-") || *n.Groups[0].GroupId != *sg {
			t.Errorf("ENI %s = managed %v requester %v status %s desc %q", *n.NetworkInterfaceId, *n.RequesterManaged, aws.ToString(n.RequesterId), n.Status, *n.Description)
		}
		prefix := "10.70.1."
		if *n.SubnetId == b {
			prefix = "10.70.2."
		}
		if !strings.HasPrefix(*n.PrivateIpAddress, prefix) || addrs[*n.PrivateIpAddress] {
			t.Errorf("ENI address %s in subnet %s (or repeated)", *n.PrivateIpAddress, *n.SubnetId)
		}
		addrs[*n.PrivateIpAddress] = true
	}
	sub := must[*ec2.DescribeSubnetsOutput](t)(c.DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{SubnetIds: []string{a}})).Subnets[0]
	if *sub.AvailableIpAddressCount != 248 {
		t.Errorf("subnet a free addresses = %d, want 248", *sub.AvailableIpAddressCount)
	}
	rt := must[*ec2.DescribeRouteTablesOutput](t)(c.DescribeRouteTables(ctx(t), &ec2.DescribeRouteTablesInput{RouteTableIds: []string{*rtb}})).RouteTables[0]
	i := slices.IndexFunc(rt.Routes, func(r types.Route) bool { return aws.ToString(r.DestinationPrefixListId) == "pl-63a5400a" })
	if i < 0 || *rt.Routes[i].GatewayId != *s3.VpcEndpointId || rt.Routes[i].State != types.RouteStateActive || rt.Routes[i].Origin != types.RouteOriginCreateRoute {
		t.Errorf("S3 route = %+v", rt.Routes)
	}
	pl := must[*ec2.GetManagedPrefixListEntriesOutput](t)(c.GetManagedPrefixListEntries(ctx(t), &ec2.GetManagedPrefixListEntriesInput{PrefixListId: aws.String("pl-63a5400a")}))
	if len(pl.Entries) == 0 {
		t.Error("pl-63a5400a has no entries")
	}

	// What the endpoints hold cannot be pulled out from under them.
	_, err := c.DeleteSubnet(ctx(t), &ec2.DeleteSubnetInput{SubnetId: aws.String(a)})
	wantCode(t, err, "DependencyViolation")
	_, err = c.DeleteNetworkInterface(ctx(t), &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: aws.String(eniIDs[0])})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.DeleteVpc(ctx(t), &ec2.DeleteVpcInput{VpcId: aws.String(vpc)})
	wantCode(t, err, "DependencyViolation")
	_, err = c.DeleteSecurityGroup(ctx(t), &ec2.DeleteSecurityGroupInput{GroupId: sg})
	wantCode(t, err, "DependencyViolation")
	_, err = c.DeleteRoute(ctx(t), &ec2.DeleteRouteInput{RouteTableId: rtb, DestinationPrefixListId: aws.String("pl-63a5400a")})
	wantCode(t, err, "InvalidParameter")

	// Delete everything: routes and ENIs go at once, endpoints pass
	// through deleting to deleted and stay visible.
	all := append(slices.Collect(func(yield func(string) bool) {
		for _, id := range ids {
			yield(id)
		}
	}), *s3.VpcEndpointId)
	del := must[*ec2.DeleteVpcEndpointsOutput](t)(c.DeleteVpcEndpoints(ctx(t), &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: all}))
	if len(del.Unsuccessful) != 0 {
		t.Fatalf("unsuccessful deletes: %+v", del.Unsuccessful)
	}
	enis = must[*ec2.DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx(t), &ec2.DescribeNetworkInterfacesInput{Filters: []types.Filter{filt("vpc-id", vpc)}}))
	if len(enis.NetworkInterfaces) != 0 {
		t.Errorf("%d ENIs left after deleting the endpoints", len(enis.NetworkInterfaces))
	}
	rt = must[*ec2.DescribeRouteTablesOutput](t)(c.DescribeRouteTables(ctx(t), &ec2.DescribeRouteTablesInput{RouteTableIds: []string{*rtb}})).RouteTables[0]
	if len(rt.Routes) != 1 {
		t.Errorf("routes left after deleting the gateway endpoint: %+v", rt.Routes)
	}
	if st := describeEndpoint(t, c, ids["ssm"]).State; st != "deleting" {
		t.Errorf("state right after delete = %s", st)
	}
	waitEndpoint(t, c, ids["ssm"], "deleted")
	del = must[*ec2.DeleteVpcEndpointsOutput](t)(c.DeleteVpcEndpoints(ctx(t), &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{ids["ssm"], "vpce-0123456789abcdef0"}}))
	if len(del.Unsuccessful) != 2 || *del.Unsuccessful[1].Error.Code != "InvalidVpcEndpoint.NotFound" {
		t.Errorf("deleting deleted and unknown endpoints: %+v", del.Unsuccessful)
	}
	_ = acct
}

func TestEndpointErrors(t *testing.T) {
	c, _ := client(t)
	vpc, subs := newVPC(t, c, "10.71.0.0/16", map[string]string{"10.71.1.0/24": "us-east-1a", "10.71.2.0/24": "us-east-1a", "10.71.5.0/24": "us-east-1e"})
	a, a2, e := subs["10.71.1.0/24"], subs["10.71.2.0/24"], subs["10.71.5.0/24"]
	rtb := must[*ec2.CreateRouteTableOutput](t)(c.CreateRouteTable(ctx(t), &ec2.CreateRouteTableInput{VpcId: aws.String(vpc)})).RouteTable.RouteTableId
	iface := func(svc string, mod func(*ec2.CreateVpcEndpointInput)) error {
		in := &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1." + svc), VpcEndpointType: types.VpcEndpointTypeInterface, PrivateDnsEnabled: aws.Bool(false)}
		if mod != nil {
			mod(in)
		}
		_, err := c.CreateVpcEndpoint(ctx(t), in)
		return err
	}
	wantCode(t, iface("nosuchservice", nil), "InvalidServiceName")
	wantCode(t, iface("ssm", func(in *ec2.CreateVpcEndpointInput) { in.VpcEndpointType = types.VpcEndpointTypeGateway }), "InvalidParameter")
	wantCode(t, iface("ssm", func(in *ec2.CreateVpcEndpointInput) { in.VpcEndpointType = "Bogus" }), "InvalidVpcEndpointType")
	wantCode(t, iface("ssm", func(in *ec2.CreateVpcEndpointInput) { in.SubnetIds = []string{a, a2} }), "DuplicateSubnetsInSameZone")
	wantCode(t, iface("email-smtp", func(in *ec2.CreateVpcEndpointInput) { in.SubnetIds = []string{e} }), "InvalidParameter")
	wantCode(t, iface("ssm", func(in *ec2.CreateVpcEndpointInput) { in.RouteTableIds = []string{*rtb} }), "InvalidParameter")
	wantCode(t, iface("ssm", func(in *ec2.CreateVpcEndpointInput) { in.PrivateDnsEnabled = aws.Bool(true) }), "InvalidParameter") // no DNS hostnames
	wantCode(t, iface("ssm", func(in *ec2.CreateVpcEndpointInput) { in.PolicyDocument = aws.String("{not json") }), "InvalidPolicyDocument")
	wantCode(t, iface("ssm", func(in *ec2.CreateVpcEndpointInput) {
		in.PolicyDocument = aws.String(`{"Statement":[],"Pad":"` + strings.Repeat("x", 20480) + `"}`)
	}), "InvalidPolicyDocument")
	// The policy engine validates endpoint policies: what IAM or the
	// PrivateLink guide refuses, EC2 refuses with InvalidPolicyDocument and
	// the engine's message.
	for doc, msg := range map[string]string{
		`{"Statement":[{"Effect":"Allow","Action":"ssm:*","Resource":"*"}]}`:                                                                  "must have a Principal",
		`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"ssm:*"}]}`:                                                                 "Policy statement must contain resources.",
		`{"Statement":[{"Effect":"allow","Principal":"*","Action":"ssm:*","Resource":"*"}]}`:                                                  "The policy failed legacy parsing",
		`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"GetParameter","Resource":"*"}]}`:                                           "Actions/Conditions must be prefaced by a vendor",
		`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:SourceVpc":"vpc-*"}}}]}`: "6 consecutive literal characters",
		"{\n \"Statement\": [ }": "Syntax error at position (2,17)",
	} {
		err := iface("ssm", func(in *ec2.CreateVpcEndpointInput) { in.PolicyDocument = aws.String(doc) })
		wantCode(t, err, "InvalidPolicyDocument")
		if !strings.Contains(err.Error(), msg) {
			t.Errorf("policy %s: %v, want the message to say %q", doc, err, msg)
		}
	}
	wantCode(t, iface("ssm", func(in *ec2.CreateVpcEndpointInput) { in.SubnetIds = []string{"subnet-0123456789abcdef0"} }), "InvalidSubnetID.NotFound")
	wantCode(t, iface("ssm", func(in *ec2.CreateVpcEndpointInput) { in.SecurityGroupIds = []string{"sg-0123456789abcdef0"} }), "InvalidGroup.NotFound")
	wantCode(t, iface("ssm", func(in *ec2.CreateVpcEndpointInput) { in.VpcId = aws.String("vpc-0123456789abcdef0") }), "InvalidVpcID.NotFound")
	gw := func(mod func(*ec2.CreateVpcEndpointInput)) error {
		in := &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1.s3"), VpcEndpointType: types.VpcEndpointTypeGateway}
		mod(in)
		_, err := c.CreateVpcEndpoint(ctx(t), in)
		return err
	}
	wantCode(t, gw(func(in *ec2.CreateVpcEndpointInput) { in.SubnetIds = []string{a} }), "InvalidParameter")
	wantCode(t, gw(func(in *ec2.CreateVpcEndpointInput) { in.SecurityGroupIds = []string{"sg-0123456789abcdef0"} }), "InvalidParameter")
	wantCode(t, gw(func(in *ec2.CreateVpcEndpointInput) { in.PrivateDnsEnabled = aws.Bool(true) }), "InvalidParameter")
	wantCode(t, gw(func(in *ec2.CreateVpcEndpointInput) {
		in.DnsOptions = &types.DnsOptionsSpecification{PrivateDnsOnlyForInboundResolverEndpoint: aws.Bool(true)}
	}), "InvalidParameter")
	wantCode(t, gw(func(in *ec2.CreateVpcEndpointInput) { in.RouteTableIds = []string{"rtb-0123456789abcdef0"} }), "InvalidRouteTableID.NotFound")

	// Two gateway endpoints for one service cannot both route one table.
	must[*ec2.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1.s3"), RouteTableIds: []string{*rtb}}))
	wantCode(t, gw(func(in *ec2.CreateVpcEndpointInput) { in.RouteTableIds = []string{*rtb} }), "RouteAlreadyExists")

	// ClientToken: same parameters, same endpoint; different, mismatch.
	tok := func(svc string) (*ec2.CreateVpcEndpointOutput, error) {
		return c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1." + svc),
			VpcEndpointType: types.VpcEndpointTypeInterface, PrivateDnsEnabled: aws.Bool(false), ClientToken: aws.String("once")})
	}
	first := must[*ec2.CreateVpcEndpointOutput](t)(tok("kms"))
	again := must[*ec2.CreateVpcEndpointOutput](t)(tok("kms"))
	if *first.VpcEndpoint.VpcEndpointId != *again.VpcEndpoint.VpcEndpointId || *again.ClientToken != "once" {
		t.Errorf("ClientToken repeat gave %s then %s", *first.VpcEndpoint.VpcEndpointId, *again.VpcEndpoint.VpcEndpointId)
	}
	_, err := tok("sts")
	wantCode(t, err, "IdempotentParameterMismatch")

	_, err = c.DescribeVpcEndpoints(ctx(t), &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: []string{"vpce-0123456789abcdef0"}})
	wantCode(t, err, "InvalidVpcEndpointId.NotFound")
	_, err = c.DescribeVpcEndpoints(ctx(t), &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: []string{"endpoint-1"}})
	wantCode(t, err, "InvalidVpcEndpointId.Malformed")
	_, err = c.ModifyVpcEndpoint(ctx(t), &ec2.ModifyVpcEndpointInput{VpcEndpointId: aws.String("vpce-0123456789abcdef0"), ResetPolicy: aws.Bool(true)})
	wantCode(t, err, "InvalidVpcEndpointId.NotFound")
}

func TestPrivateDNSRules(t *testing.T) {
	c, _ := client(t)
	vpc, subs := dnsVPC(t, c, "10.72.0.0/16", map[string]string{"10.72.1.0/24": "us-east-1a"})
	a := subs["10.72.1.0/24"]
	create := func(svc string, private *bool, inbound *bool) (*ec2.CreateVpcEndpointOutput, error) {
		in := &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1." + svc), VpcEndpointType: types.VpcEndpointTypeInterface, SubnetIds: []string{a}, PrivateDnsEnabled: private}
		if inbound != nil {
			in.DnsOptions = &types.DnsOptionsSpecification{PrivateDnsOnlyForInboundResolverEndpoint: inbound}
		}
		return c.CreateVpcEndpoint(ctx(t), in)
	}
	// Private DNS defaults to on for services with a private name.
	first := must[*ec2.CreateVpcEndpointOutput](t)(create("logs", nil, nil)).VpcEndpoint
	if !*first.PrivateDnsEnabled {
		t.Error("private DNS did not default to on")
	}
	// One private-DNS endpoint per service per VPC; more without it.
	_, err := create("logs", aws.Bool(true), nil)
	wantCode(t, err, "InvalidParameter")
	second := must[*ec2.CreateVpcEndpointOutput](t)(create("logs", aws.Bool(false), nil)).VpcEndpoint
	_, err = c.ModifyVpcEndpoint(ctx(t), &ec2.ModifyVpcEndpointInput{VpcEndpointId: second.VpcEndpointId, PrivateDnsEnabled: aws.Bool(true)})
	wantCode(t, err, "InvalidParameter")
	must[*ec2.ModifyVpcEndpointOutput](t)(c.ModifyVpcEndpoint(ctx(t), &ec2.ModifyVpcEndpointInput{VpcEndpointId: first.VpcEndpointId, PrivateDnsEnabled: aws.Bool(false)}))
	if n := len(describeEndpoint(t, c, *first.VpcEndpointId).DnsEntries); n != 2 {
		t.Errorf("DNS entries with private DNS off = %d, want 2", n)
	}
	must[*ec2.ModifyVpcEndpointOutput](t)(c.ModifyVpcEndpoint(ctx(t), &ec2.ModifyVpcEndpointInput{VpcEndpointId: second.VpcEndpointId, PrivateDnsEnabled: aws.Bool(true)}))
	got := describeEndpoint(t, c, *second.VpcEndpointId)
	if !*got.PrivateDnsEnabled || *got.DnsEntries[len(got.DnsEntries)-1].DnsName != "logs.us-east-1.amazonaws.com" {
		t.Errorf("after enabling private DNS: %+v", got.DnsEntries)
	}

	// S3 interface with private DNS needs an S3 gateway endpoint first,
	// because PrivateDnsOnlyForInboundResolverEndpoint defaults to true.
	_, err = create("s3", aws.Bool(true), nil)
	wantCode(t, err, "InvalidParameter")
	rtb := must[*ec2.CreateRouteTableOutput](t)(c.CreateRouteTable(ctx(t), &ec2.CreateRouteTableInput{VpcId: aws.String(vpc)})).RouteTable.RouteTableId
	gw := must[*ec2.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1.s3"), RouteTableIds: []string{*rtb}})).VpcEndpoint
	s3 := must[*ec2.CreateVpcEndpointOutput](t)(create("s3", aws.Bool(true), nil)).VpcEndpoint
	if s3.DnsOptions == nil || !*s3.DnsOptions.PrivateDnsOnlyForInboundResolverEndpoint {
		t.Errorf("S3 DNS options = %+v", s3.DnsOptions)
	}
	if !strings.HasPrefix(*s3.DnsEntries[0].DnsName, "*."+*s3.VpcEndpointId) {
		t.Errorf("S3 regional name = %s, want the *. form", *s3.DnsEntries[0].DnsName)
	}
	del := must[*ec2.DeleteVpcEndpointsOutput](t)(c.DeleteVpcEndpoints(ctx(t), &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{*gw.VpcEndpointId}}))
	if len(del.Unsuccessful) != 1 || *del.Unsuccessful[0].Error.Code != "InvalidParameter" {
		t.Errorf("deleting the gateway an inbound-only S3 endpoint needs: %+v", del.Unsuccessful)
	}
	// PrivateDnsOnlyForInboundResolverEndpoint is only for S3 and DynamoDB.
	_, err = create("sqs", aws.Bool(true), aws.Bool(true))
	wantCode(t, err, "InvalidParameter")
}

func TestModifyVpcEndpoint(t *testing.T) {
	c, _ := client(t)
	vpc, subs := newVPC(t, c, "10.73.0.0/16", map[string]string{"10.73.1.0/24": "us-east-1a", "10.73.2.0/24": "us-east-1b"})
	a, b := subs["10.73.1.0/24"], subs["10.73.2.0/24"]
	sg1 := must[*ec2.CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx(t), &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpc), GroupName: aws.String("one"), Description: aws.String("1")})).GroupId
	sg2 := must[*ec2.CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx(t), &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpc), GroupName: aws.String("two"), Description: aws.String("2")})).GroupId
	e := must[*ec2.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1.sqs"),
		VpcEndpointType: types.VpcEndpointTypeInterface, SubnetIds: []string{a}, SecurityGroupIds: []string{*sg1}, PrivateDnsEnabled: aws.Bool(false),
		PolicyDocument: aws.String(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"*"}]}`)})).VpcEndpoint
	id := e.VpcEndpointId
	must[*ec2.ModifyVpcEndpointOutput](t)(c.ModifyVpcEndpoint(ctx(t), &ec2.ModifyVpcEndpointInput{VpcEndpointId: id, AddSubnetIds: []string{b}, RemoveSubnetIds: []string{a},
		AddSecurityGroupIds: []string{*sg2}, RemoveSecurityGroupIds: []string{*sg1}, ResetPolicy: aws.Bool(true)}))
	got := describeEndpoint(t, c, *id)
	if len(got.SubnetIds) != 1 || got.SubnetIds[0] != b || len(got.Groups) != 1 || *got.Groups[0].GroupId != *sg2 {
		t.Errorf("after modify: subnets %v groups %+v", got.SubnetIds, got.Groups)
	}
	if !strings.Contains(*got.PolicyDocument, `"Action": "*"`) {
		t.Errorf("ResetPolicy left %s", *got.PolicyDocument)
	}
	if n := len(got.DnsEntries); n != 2 || !strings.Contains(*got.DnsEntries[1].DnsName, "-us-east-1b.") {
		t.Errorf("DNS after moving zones = %+v", got.DnsEntries)
	}
	eni := must[*ec2.DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx(t), &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: got.NetworkInterfaceIds})).NetworkInterfaces[0]
	if *eni.SubnetId != b || *eni.Groups[0].GroupId != *sg2 {
		t.Errorf("ENI after modify: subnet %s groups %+v", *eni.SubnetId, eni.Groups)
	}
	left := must[*ec2.DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx(t), &ec2.DescribeNetworkInterfacesInput{Filters: []types.Filter{filt("subnet-id", a)}}))
	if len(left.NetworkInterfaces) != 0 {
		t.Error("removing a subnet left its ENI")
	}
	_, err := c.ModifyVpcEndpoint(ctx(t), &ec2.ModifyVpcEndpointInput{VpcEndpointId: id, RemoveSubnetIds: []string{a}})
	wantCode(t, err, "InvalidSubnetId.NotFound")
	must[*ec2.ModifyVpcEndpointOutput](t)(c.ModifyVpcEndpoint(ctx(t), &ec2.ModifyVpcEndpointInput{VpcEndpointId: id, PolicyDocument: aws.String(`{"Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`)}))
	if p := *describeEndpoint(t, c, *id).PolicyDocument; !strings.Contains(p, "Deny") {
		t.Errorf("policy = %s", p)
	}
	// ModifyVpcEndpoint validates with the policy engine too, and a
	// refused policy leaves the endpoint's policy as it was.
	_, err = c.ModifyVpcEndpoint(ctx(t), &ec2.ModifyVpcEndpointInput{VpcEndpointId: id, PolicyDocument: aws.String(`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"sqs:*","Resource":"sqs-queue"}]}`)})
	wantCode(t, err, "InvalidPolicyDocument")
	if !strings.Contains(err.Error(), `Resource sqs-queue must be in ARN format or "*".`) {
		t.Errorf("modify with a bad resource: %v", err)
	}
	if p := *describeEndpoint(t, c, *id).PolicyDocument; !strings.Contains(p, "Deny") {
		t.Errorf("a refused policy replaced the endpoint's: %s", p)
	}

	// Gateway: route tables in and out, routes following.
	r1 := must[*ec2.CreateRouteTableOutput](t)(c.CreateRouteTable(ctx(t), &ec2.CreateRouteTableInput{VpcId: aws.String(vpc)})).RouteTable.RouteTableId
	r2 := must[*ec2.CreateRouteTableOutput](t)(c.CreateRouteTable(ctx(t), &ec2.CreateRouteTableInput{VpcId: aws.String(vpc)})).RouteTable.RouteTableId
	g := must[*ec2.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1.dynamodb"), RouteTableIds: []string{*r1}})).VpcEndpoint
	must[*ec2.ModifyVpcEndpointOutput](t)(c.ModifyVpcEndpoint(ctx(t), &ec2.ModifyVpcEndpointInput{VpcEndpointId: g.VpcEndpointId, AddRouteTableIds: []string{*r2}, RemoveRouteTableIds: []string{*r1}}))
	has := func(rtb *string) bool {
		rt := must[*ec2.DescribeRouteTablesOutput](t)(c.DescribeRouteTables(ctx(t), &ec2.DescribeRouteTablesInput{RouteTableIds: []string{*rtb}})).RouteTables[0]
		return slices.ContainsFunc(rt.Routes, func(r types.Route) bool {
			return aws.ToString(r.DestinationPrefixListId) == "pl-02cd2c6b" && aws.ToString(r.GatewayId) == *g.VpcEndpointId
		})
	}
	if has(r1) || !has(r2) {
		t.Errorf("routes after moving tables: r1 %v r2 %v", has(r1), has(r2))
	}
	_, err = c.ModifyVpcEndpoint(ctx(t), &ec2.ModifyVpcEndpointInput{VpcEndpointId: g.VpcEndpointId, RemoveRouteTableIds: []string{*r1}})
	wantCode(t, err, "InvalidRouteTableId.NotFound")
	_, err = c.ModifyVpcEndpoint(ctx(t), &ec2.ModifyVpcEndpointInput{VpcEndpointId: g.VpcEndpointId, AddSubnetIds: []string{a}})
	wantCode(t, err, "InvalidParameter")
	// Deleting a route table drops it from the endpoint.
	must[*ec2.DeleteRouteTableOutput](t)(c.DeleteRouteTable(ctx(t), &ec2.DeleteRouteTableInput{RouteTableId: r2}))
	if rts := describeEndpoint(t, c, *g.VpcEndpointId).RouteTableIds; len(rts) != 0 {
		t.Errorf("endpoint still lists deleted table: %v", rts)
	}
}

func TestEndpointQuotas(t *testing.T) {
	c, _ := client(t)
	vpc, _ := newVPC(t, c, "10.74.0.0/16", nil)
	for i := 0; i < 50; i++ {
		must[*ec2.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1.ssm"),
			VpcEndpointType: types.VpcEndpointTypeInterface, PrivateDnsEnabled: aws.Bool(false)}))
	}
	_, err := c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1.ssm"), VpcEndpointType: types.VpcEndpointTypeInterface, PrivateDnsEnabled: aws.Bool(false)})
	wantCode(t, err, "VpcEndpointLimitExceeded")
	var gws []string
	for i := 0; i < 20; i++ {
		g := must[*ec2.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1.dynamodb")}))
		gws = append(gws, *g.VpcEndpoint.VpcEndpointId)
	}
	_, err = c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1.s3")})
	wantCode(t, err, "VpcEndpointLimitExceeded")
	// A deleted endpoint no longer counts.
	must[*ec2.DeleteVpcEndpointsOutput](t)(c.DeleteVpcEndpoints(ctx(t), &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: gws[:1]}))
	must[*ec2.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1.s3")}))
}

func TestDescribeEndpointsFiltersAndPaging(t *testing.T) {
	c, _ := client(t)
	// 21 VPCs × 50 interface endpoints: more than 1,000 endpoints.
	var vpcs []string
	total := 0
	for v := 0; v < 21; v++ {
		vpc, _ := newVPC(t, c, fmt.Sprintf("10.%d.0.0/16", 100+v), nil)
		vpcs = append(vpcs, vpc)
		for i := 0; i < 50; i++ {
			svc := "ssm"
			if i%2 == 1 {
				svc = "kms"
			}
			must[*ec2.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1." + svc),
				VpcEndpointType: types.VpcEndpointTypeInterface, PrivateDnsEnabled: aws.Bool(false)}))
			total++
		}
	}
	g := must[*ec2.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcs[0]), ServiceName: aws.String("com.amazonaws.us-east-1.s3"),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeVpcEndpoint, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("data")}}}}})).VpcEndpoint
	total++

	time.Sleep(400 * time.Millisecond) // past the provisioning delay: all available
	// Unpaged Describe returns everything; MaxResults above 1,000 returns 1,000.
	all := must[*ec2.DescribeVpcEndpointsOutput](t)(c.DescribeVpcEndpoints(ctx(t), &ec2.DescribeVpcEndpointsInput{}))
	if len(all.VpcEndpoints) != total {
		t.Errorf("Describe without MaxResults = %d, want %d", len(all.VpcEndpoints), total)
	}
	big := must[*ec2.DescribeVpcEndpointsOutput](t)(c.DescribeVpcEndpoints(ctx(t), &ec2.DescribeVpcEndpointsInput{MaxResults: aws.Int32(5000)}))
	if len(big.VpcEndpoints) != 1000 || big.NextToken == nil {
		t.Errorf("MaxResults 5000 gave %d endpoints (want 1000 and a token)", len(big.VpcEndpoints))
	}
	seen := map[string]int{}
	p := ec2.NewDescribeVpcEndpointsPaginator(c, &ec2.DescribeVpcEndpointsInput{MaxResults: aws.Int32(300)})
	for p.HasMorePages() {
		for _, e := range must[*ec2.DescribeVpcEndpointsOutput](t)(p.NextPage(ctx(t))).VpcEndpoints {
			seen[*e.VpcEndpointId]++
		}
	}
	if len(seen) != total {
		t.Errorf("paging saw %d endpoints, want %d", len(seen), total)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s seen %d times", id, n)
		}
	}
	count := func(filters ...types.Filter) int {
		n := 0
		p := ec2.NewDescribeVpcEndpointsPaginator(c, &ec2.DescribeVpcEndpointsInput{Filters: filters, MaxResults: aws.Int32(1000)})
		for p.HasMorePages() {
			n += len(must[*ec2.DescribeVpcEndpointsOutput](t)(p.NextPage(ctx(t))).VpcEndpoints)
		}
		return n
	}
	for _, tc := range []struct {
		filters []types.Filter
		want    int
	}{
		{[]types.Filter{filt("vpc-id", vpcs[3])}, 50},
		{[]types.Filter{filt("service-name", "com.amazonaws.us-east-1.kms")}, 21 * 25},
		{[]types.Filter{filt("service-name", "*.ssm"), filt("vpc-id", vpcs[0], vpcs[1])}, 50},
		{[]types.Filter{filt("vpc-endpoint-type", "Gateway")}, 1},
		{[]types.Filter{filt("vpc-endpoint-state", "available")}, total},
		{[]types.Filter{filt("vpc-endpoint-state", "pending", "deleting")}, 0},
		{[]types.Filter{filt("vpc-endpoint-id", *g.VpcEndpointId)}, 1},
		{[]types.Filter{filt("tag:team", "data")}, 1},
		{[]types.Filter{filt("tag-key", "team")}, 1},
		{[]types.Filter{filt("ip-address-type", "ipv4")}, total},
		{[]types.Filter{filt("service-region", "us-east-1")}, total},
	} {
		if got := count(tc.filters...); got != tc.want {
			t.Errorf("filters %v: %d endpoints, want %d", tc.filters, got, tc.want)
		}
	}
	_, err := c.DescribeVpcEndpoints(ctx(t), &ec2.DescribeVpcEndpointsInput{Filters: []types.Filter{filt("colour", "x")}})
	wantCode(t, err, "InvalidParameterValue")
}

func TestDescribeVpcEndpointServices(t *testing.T) {
	c, _ := client(t)
	seen := map[string]int{}
	var details []types.ServiceDetail
	in := &ec2.DescribeVpcEndpointServicesInput{MaxResults: aws.Int32(7)}
	for {
		page := must[*ec2.DescribeVpcEndpointServicesOutput](t)(c.DescribeVpcEndpointServices(ctx(t), in))
		for _, d := range page.ServiceDetails {
			seen[*d.ServiceName+"/"+string(d.ServiceType[0].ServiceType)]++
			details = append(details, d)
		}
		if page.NextToken == nil {
			break
		}
		in.NextToken = page.NextToken
	}
	if len(details) < 102 {
		t.Errorf("services = %d, want at least 100 interface + 2 gateway", len(details))
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s seen %d times while paging", k, n)
		}
	}
	if seen["com.amazonaws.us-east-1.s3/Gateway"] != 1 || seen["com.amazonaws.us-east-1.s3/Interface"] != 1 {
		t.Error("S3 is not listed as both Gateway and Interface")
	}
	ssm := must[*ec2.DescribeVpcEndpointServicesOutput](t)(c.DescribeVpcEndpointServices(ctx(t), &ec2.DescribeVpcEndpointServicesInput{ServiceNames: []string{"com.amazonaws.us-east-1.ssm"}}))
	d := ssm.ServiceDetails[0]
	if *d.PrivateDnsName != "ssm.us-east-1.amazonaws.com" || d.BaseEndpointDnsNames[0] != "ssm.us-east-1.vpce.amazonaws.com" || *d.Owner != "amazon" ||
		!*d.VpcEndpointPolicySupported || len(d.AvailabilityZones) != 6 || !strings.HasPrefix(*d.ServiceId, "vpce-svc-") || ssm.ServiceNames[0] != "com.amazonaws.us-east-1.ssm" {
		t.Errorf("ssm detail = %+v", d)
	}
	gw := must[*ec2.DescribeVpcEndpointServicesOutput](t)(c.DescribeVpcEndpointServices(ctx(t), &ec2.DescribeVpcEndpointServicesInput{Filters: []types.Filter{filt("service-type", "Gateway")}}))
	if len(gw.ServiceDetails) != 2 {
		t.Errorf("gateway services = %d, want 2", len(gw.ServiceDetails))
	}
	for _, tc := range []struct {
		filters []types.Filter
		want    int
	}{
		{[]types.Filter{filt("owner", "amazon")}, len(details)},
		{[]types.Filter{filt("service-region", "us-east-1")}, len(details)},
		{[]types.Filter{filt("service-name", "com.amazonaws.us-east-1.ecr.*")}, 2},
		{[]types.Filter{filt("service-type", "Interface"), filt("service-name", "*.s3", "*.dynamodb")}, 2},
		{[]types.Filter{filt("supported-ip-address-types", "ipv4")}, len(details)},
		// The services vpce knows take IPv6 (catalog.SupportsIPv6): KMS, STS, AWS Private CA.
		{[]types.Filter{filt("supported-ip-address-types", "ipv6")}, 3},
		{[]types.Filter{filt("supported-ip-address-types", "ipv6"), filt("service-name", "*.kms")}, 1},
		{[]types.Filter{filt("tag-key", "x")}, 0},
	} {
		got := must[*ec2.DescribeVpcEndpointServicesOutput](t)(c.DescribeVpcEndpointServices(ctx(t), &ec2.DescribeVpcEndpointServicesInput{Filters: tc.filters}))
		if len(got.ServiceDetails) != tc.want {
			t.Errorf("services with %v = %d, want %d", tc.filters, len(got.ServiceDetails), tc.want)
		}
	}
	_, err := c.DescribeVpcEndpointServices(ctx(t), &ec2.DescribeVpcEndpointServicesInput{ServiceNames: []string{"com.amazonaws.eu-central-1.organizations"}})
	wantCode(t, err, "InvalidServiceName")
	_, err = c.DescribeVpcEndpointServices(ctx(t), &ec2.DescribeVpcEndpointServicesInput{Filters: []types.Filter{filt("flavour", "x")}})
	wantCode(t, err, "InvalidFilter")
	eu := clientFor(shared.url, newAccount(), "eu-west-1")
	euS3 := must[*ec2.DescribeVpcEndpointServicesOutput](t)(eu.DescribeVpcEndpointServices(ctx(t), &ec2.DescribeVpcEndpointServicesInput{ServiceNames: []string{"com.amazonaws.eu-west-1.s3"}}))
	if len(euS3.ServiceDetails) != 2 || len(euS3.ServiceDetails[0].AvailabilityZones) != 3 {
		t.Errorf("eu-west-1 s3 = %+v", euS3.ServiceDetails)
	}
}

func TestPrefixLists(t *testing.T) {
	c, acct := client(t)
	pls := must[*ec2.DescribePrefixListsOutput](t)(c.DescribePrefixLists(ctx(t), &ec2.DescribePrefixListsInput{}))
	names := map[string]string{}
	for _, p := range pls.PrefixLists {
		names[*p.PrefixListName] = *p.PrefixListId
		if len(p.Cidrs) == 0 {
			t.Errorf("%s has no CIDRs", *p.PrefixListName)
		}
	}
	if names["com.amazonaws.us-east-1.s3"] != "pl-63a5400a" || names["com.amazonaws.us-east-1.dynamodb"] != "pl-02cd2c6b" {
		t.Errorf("AWS prefix lists = %v", names)
	}
	m := must[*ec2.DescribeManagedPrefixListsOutput](t)(c.DescribeManagedPrefixLists(ctx(t), &ec2.DescribeManagedPrefixListsInput{PrefixListIds: []string{"pl-63a5400a"}})).PrefixLists[0]
	if *m.OwnerId != "AWS" || m.State != types.PrefixListStateCreateComplete || *m.PrefixListArn != "arn:aws:ec2:us-east-1:aws:prefix-list/pl-63a5400a" || *m.AddressFamily != "IPv4" {
		t.Errorf("managed view of pl-63a5400a = %+v", m)
	}
	_, err := c.GetManagedPrefixListEntries(ctx(t), &ec2.GetManagedPrefixListEntriesInput{PrefixListId: aws.String("pl-00000000")})
	wantCode(t, err, "InvalidPrefixListID.NotFound")

	// Customer-managed: create, use in a rule and a route, version, delete.
	own := must[*ec2.CreateManagedPrefixListOutput](t)(c.CreateManagedPrefixList(ctx(t), &ec2.CreateManagedPrefixListInput{PrefixListName: aws.String("office"), MaxEntries: aws.Int32(3), AddressFamily: aws.String("IPv4"),
		Entries: []types.AddPrefixListEntry{{Cidr: aws.String("192.0.2.0/24"), Description: aws.String("hq")}}})).PrefixList
	if *own.Version != 1 || *own.OwnerId != acct {
		t.Errorf("new prefix list = %+v", own)
	}
	vpc, _ := newVPC(t, c, "10.75.0.0/16", nil)
	sg := must[*ec2.CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx(t), &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpc), GroupName: aws.String("pl"), Description: aws.String("pl")})).GroupId
	must[*ec2.AuthorizeSecurityGroupIngressOutput](t)(c.AuthorizeSecurityGroupIngress(ctx(t), &ec2.AuthorizeSecurityGroupIngressInput{GroupId: sg, IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
		PrefixListIds: []types.PrefixListId{{PrefixListId: own.PrefixListId}}}}}))
	must[*ec2.AuthorizeSecurityGroupEgressOutput](t)(c.AuthorizeSecurityGroupEgress(ctx(t), &ec2.AuthorizeSecurityGroupEgressInput{GroupId: sg, IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
		PrefixListIds: []types.PrefixListId{{PrefixListId: aws.String("pl-63a5400a")}}}}}))
	// AWS applies prefix list changes asynchronously: the deletion of a
	// list a rule references is accepted, then fails (delete-failed, the
	// list still there); a modification answers in progress with the
	// version before it.
	state := func() (types.PrefixListState, int64) {
		t.Helper()
		time.Sleep(400 * time.Millisecond) // the server's provisioning delay is 300 ms
		p := must[*ec2.DescribeManagedPrefixListsOutput](t)(c.DescribeManagedPrefixLists(ctx(t), &ec2.DescribeManagedPrefixListsInput{PrefixListIds: []string{*own.PrefixListId}})).PrefixLists[0]
		return p.State, aws.ToInt64(p.Version)
	}
	if own.State != types.PrefixListStateCreateInProgress {
		t.Errorf("create answered state %s", own.State)
	}
	refused := must[*ec2.DeleteManagedPrefixListOutput](t)(c.DeleteManagedPrefixList(ctx(t), &ec2.DeleteManagedPrefixListInput{PrefixListId: own.PrefixListId}))
	if refused.PrefixList.State != types.PrefixListStateDeleteInProgress {
		t.Errorf("delete of a referenced list answered %s", refused.PrefixList.State)
	}
	if st, _ := state(); st != types.PrefixListStateDeleteFailed {
		t.Errorf("referenced list after delete: %s, want delete-failed", st)
	}
	mod := must[*ec2.ModifyManagedPrefixListOutput](t)(c.ModifyManagedPrefixList(ctx(t), &ec2.ModifyManagedPrefixListInput{PrefixListId: own.PrefixListId, CurrentVersion: aws.Int64(1),
		AddEntries: []types.AddPrefixListEntry{{Cidr: aws.String("198.51.100.0/24")}}}))
	if *mod.PrefixList.Version != 1 || mod.PrefixList.State != types.PrefixListStateModifyInProgress {
		t.Errorf("modify answered version %d, %s; want the version before, modify-in-progress", *mod.PrefixList.Version, mod.PrefixList.State)
	}
	if st, v := state(); st != types.PrefixListStateModifyComplete || v != 2 {
		t.Errorf("after modify: %s, version %d", st, v)
	}
	_, err = c.ModifyManagedPrefixList(ctx(t), &ec2.ModifyManagedPrefixListInput{PrefixListId: own.PrefixListId, CurrentVersion: aws.Int64(1), AddEntries: []types.AddPrefixListEntry{{Cidr: aws.String("203.0.113.0/24")}}})
	wantCode(t, err, "PrefixListVersionMismatch")
	_, err = c.ModifyManagedPrefixList(ctx(t), &ec2.ModifyManagedPrefixListInput{PrefixListId: own.PrefixListId, CurrentVersion: aws.Int64(2),
		AddEntries: []types.AddPrefixListEntry{{Cidr: aws.String("203.0.113.0/24")}, {Cidr: aws.String("203.0.114.0/24")}}})
	wantCode(t, err, "PrefixListMaxEntriesExceeded")
	v1 := must[*ec2.GetManagedPrefixListEntriesOutput](t)(c.GetManagedPrefixListEntries(ctx(t), &ec2.GetManagedPrefixListEntriesInput{PrefixListId: own.PrefixListId, TargetVersion: aws.Int64(1)}))
	v2 := must[*ec2.GetManagedPrefixListEntriesOutput](t)(c.GetManagedPrefixListEntries(ctx(t), &ec2.GetManagedPrefixListEntriesInput{PrefixListId: own.PrefixListId}))
	if len(v1.Entries) != 1 || len(v2.Entries) != 2 {
		t.Errorf("entries v1 = %d, v2 = %d", len(v1.Entries), len(v2.Entries))
	}
	_, err = c.ModifyManagedPrefixList(ctx(t), &ec2.ModifyManagedPrefixListInput{PrefixListId: aws.String("pl-63a5400a"), PrefixListName: aws.String("mine")})
	wantCode(t, err, "InvalidPrefixListModification")
	rtb := must[*ec2.CreateRouteTableOutput](t)(c.CreateRouteTable(ctx(t), &ec2.CreateRouteTableInput{VpcId: aws.String(vpc)})).RouteTable.RouteTableId
	eni := must[*ec2.CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx(t), &ec2.CreateNetworkInterfaceInput{SubnetId: must[*ec2.CreateSubnetOutput](t)(c.CreateSubnet(ctx(t), &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String("10.75.1.0/24")})).Subnet.SubnetId}))
	must[*ec2.CreateRouteOutput](t)(c.CreateRoute(ctx(t), &ec2.CreateRouteInput{RouteTableId: rtb, DestinationPrefixListId: own.PrefixListId, NetworkInterfaceId: eni.NetworkInterface.NetworkInterfaceId}))
	must[*ec2.RevokeSecurityGroupIngressOutput](t)(c.RevokeSecurityGroupIngress(ctx(t), &ec2.RevokeSecurityGroupIngressInput{GroupId: sg, IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
		PrefixListIds: []types.PrefixListId{{PrefixListId: own.PrefixListId}}}}}))
	must[*ec2.DeleteManagedPrefixListOutput](t)(c.DeleteManagedPrefixList(ctx(t), &ec2.DeleteManagedPrefixListInput{PrefixListId: own.PrefixListId}))
	if st, _ := state(); st != types.PrefixListStateDeleteFailed {
		t.Errorf("list still a route destination after delete: %s", st) // still a route destination
	}
	must[*ec2.DeleteRouteOutput](t)(c.DeleteRoute(ctx(t), &ec2.DeleteRouteInput{RouteTableId: rtb, DestinationPrefixListId: own.PrefixListId}))
	del := must[*ec2.DeleteManagedPrefixListOutput](t)(c.DeleteManagedPrefixList(ctx(t), &ec2.DeleteManagedPrefixListInput{PrefixListId: own.PrefixListId}))
	if del.PrefixList.State != types.PrefixListStateDeleteInProgress {
		t.Errorf("deleted state = %s", del.PrefixList.State)
	}
	_, err = c.GetManagedPrefixListEntries(ctx(t), &ec2.GetManagedPrefixListEntriesInput{PrefixListId: own.PrefixListId})
	wantCode(t, err, "InvalidPrefixListID.NotFound")
}
