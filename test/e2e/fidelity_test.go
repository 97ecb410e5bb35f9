package e2e

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TestShapesOmitEmptyTags: AWS leaves tagSet out of a resource that has no
// tags, so the aws CLI shows no "Tags" key (boto3 likewise); a create
// response carries only what AWS returns (CreateSecurityGroup: GroupId and
// SecurityGroupArn, Tags only when some were given).
func TestShapesOmitEmptyTags(t *testing.T) {
	acct := newAccount()
	vpc, err := cli(t, acct, "create-vpc", "--cidr-block", "10.61.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	vpcID := str(vpc, "Vpc", "VpcId")
	if _, has := path(vpc, "Vpc").(map[string]any)["Tags"]; has {
		t.Errorf("create-vpc without tags shows Tags: %v", path(vpc, "Vpc"))
	}
	sg, err := cli(t, acct, "create-security-group", "--group-name", "web", "--description", "web", "--vpc-id", vpcID)
	if err != nil {
		t.Fatal(err)
	}
	// (Debian's aws CLI model predates SecurityGroupArn and drops it; the
	// SDK below sees it.)
	for k := range sg {
		if k != "GroupId" && k != "SecurityGroupArn" {
			t.Errorf("create-security-group shows %s: %v; AWS answers GroupId and SecurityGroupArn", k, sg)
		}
	}
	c := clientFor(shared.url, acct, "us-east-1")
	out := must[*ec2.CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx(t), &ec2.CreateSecurityGroupInput{GroupName: aws.String("app"),
		Description: aws.String("app"), VpcId: aws.String(vpcID)}))
	if out.GroupId == nil || out.SecurityGroupArn == nil || out.Tags != nil {
		t.Errorf("CreateSecurityGroup (SDK) = %+v, want GroupId and SecurityGroupArn, no Tags", out)
	}
	tagged, err := cli(t, acct, "create-security-group", "--group-name", "db", "--description", "db", "--vpc-id", vpcID,
		"--tag-specifications", "ResourceType=security-group,Tags=[{Key=Name,Value=db}]")
	if err != nil {
		t.Fatal(err)
	}
	if str(tagged, "Tags", 0, "Value") != "db" {
		t.Errorf("create-security-group with tags = %v, want its Tags", tagged)
	}
	for _, args := range [][]string{
		{"describe-vpcs", "--vpc-ids", vpcID},
		{"describe-security-groups", "--group-ids", str(sg, "GroupId")},
		{"describe-subnets", "--filters", "Name=vpc-id,Values=" + vpcID},
		{"describe-route-tables", "--filters", "Name=vpc-id,Values=" + vpcID},
		{"describe-network-acls", "--filters", "Name=vpc-id,Values=" + vpcID},
	} {
		out, err := cli(t, acct, args...)
		if err != nil {
			t.Fatal(err)
		}
		for _, list := range out {
			items, _ := list.([]any)
			for _, it := range items {
				if _, has := it.(map[string]any)["Tags"]; has {
					t.Errorf("aws ec2 %s: an untagged resource shows Tags: %v", args[0], it)
				}
			}
		}
	}
	desc, _ := cli(t, acct, "describe-security-groups", "--group-ids", str(tagged, "GroupId"))
	if str(desc, "SecurityGroups", 0, "Tags", 0, "Key") != "Name" {
		t.Errorf("a tagged group lost its Tags: %v", desc)
	}
}

// TestValidationAsAWS: parameters AWS refuses, with its codes and
// messages.
func TestValidationAsAWS(t *testing.T) {
	c, acct := client(t)
	// A group description sent empty is missing (boto3 and the SDKs send
	// Description="" as GroupDescription=).
	_, err := c.CreateSecurityGroup(ctx(t), &ec2.CreateSecurityGroupInput{GroupName: aws.String("x"), Description: aws.String("")})
	wantCode(t, err, "MissingParameter")
	if !strings.Contains(err.Error(), "GroupDescription") {
		t.Errorf("err = %v, want it to name GroupDescription", err)
	}
	// A malformed group ID in DescribeSecurityGroupRules' group-id filter.
	_, err = c.DescribeSecurityGroupRules(ctx(t), &ec2.DescribeSecurityGroupRulesInput{Filters: []types.Filter{{Name: aws.String("group-id"), Values: []string{"foobar"}}}})
	wantCode(t, err, "InvalidGroupId.Malformed")
	// A well-formed one that names the account's default group: its rules.
	groups := must[*ec2.DescribeSecurityGroupsOutput](t)(c.DescribeSecurityGroups(ctx(t), &ec2.DescribeSecurityGroupsInput{
		Filters: []types.Filter{{Name: aws.String("group-name"), Values: []string{"default"}}}}))
	id := *groups.SecurityGroups[0].GroupId
	rules := must[*ec2.DescribeSecurityGroupRulesOutput](t)(c.DescribeSecurityGroupRules(ctx(t), &ec2.DescribeSecurityGroupRulesInput{
		Filters: []types.Filter{{Name: aws.String("group-id"), Values: []string{id, id}}}}))
	if len(rules.SecurityGroupRules) != 2 {
		t.Errorf("the default group's rules = %d, want 2 (all traffic in from itself, all out)", len(rules.SecurityGroupRules))
	}
	// CreateTags and DeleteTags without resources name resourceIdSet (the
	// SDKs check this themselves, so a raw request).
	for _, action := range []string{"CreateTags", "DeleteTags"} {
		status, b := rawEC2(t, acct, url.Values{"Action": {action}, "Version": {"2016-11-15"}, "Tag.1.Key": {"a"}, "Tag.1.Value": {"b"}})
		if status != 400 || !strings.Contains(string(b), "<Code>MissingParameter</Code>") ||
			!strings.Contains(string(b), "The request must contain the parameter resourceIdSet") {
			t.Errorf("%s without resources: %d %s", action, status, b)
		}
	}
}

// rawEC2 posts a Query request the SDKs would not send, as an account
// (auth off: the signature is not checked), and returns the status and
// body.
func rawEC2(t *testing.T, acct string, form url.Values) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, shared.url, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+acct+"/20261201/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestShapesAsAWS: the lists AWS always includes (empty where vpce has no
// IPv6 or gateways) and the states its create answers show: a subnet
// available at once, an interface pending until described.
func TestShapesAsAWS(t *testing.T) {
	acct := newAccount()
	vpc, err := cli(t, acct, "create-vpc", "--cidr-block", "10.62.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	vpcID := str(vpc, "Vpc", "VpcId")
	sub, err := cli(t, acct, "create-subnet", "--vpc-id", vpcID, "--cidr-block", "10.62.1.0/24")
	if err != nil {
		t.Fatal(err)
	}
	if str(sub, "Subnet", "State") != "available" {
		t.Errorf("create-subnet State = %q, want available (AWS's answer)", str(sub, "Subnet", "State"))
	}
	subID := str(sub, "Subnet", "SubnetId")
	eni, err := cli(t, acct, "create-network-interface", "--subnet-id", subID)
	if err != nil {
		t.Fatal(err)
	}
	if str(eni, "NetworkInterface", "Status") != "pending" {
		t.Errorf("create-network-interface Status = %q, want pending (AWS's answer)", str(eni, "NetworkInterface", "Status"))
	}
	emptyList := func(what string, v any, keys ...any) {
		t.Helper()
		l, ok := path(v, keys...).([]any)
		if !ok || len(l) != 0 {
			t.Errorf("%s %v = %#v, want an empty list (AWS always includes it)", what, keys, path(v, keys...))
		}
	}
	vs, _ := cli(t, acct, "describe-vpcs", "--vpc-ids", vpcID)
	emptyList("describe-vpcs", vs, "Vpcs", 0, "Ipv6CidrBlockAssociationSet")
	ss, _ := cli(t, acct, "describe-subnets", "--subnet-ids", subID)
	emptyList("describe-subnets", ss, "Subnets", 0, "Ipv6CidrBlockAssociationSet")
	if m, ok := path(ss, "Subnets", 0, "MapCustomerOwnedIpOnLaunch").(bool); !ok || m {
		t.Errorf("MapCustomerOwnedIpOnLaunch = %v, want false", path(ss, "Subnets", 0, "MapCustomerOwnedIpOnLaunch"))
	}
	rs, _ := cli(t, acct, "describe-route-tables", "--filters", "Name=vpc-id,Values="+vpcID)
	emptyList("describe-route-tables", rs, "RouteTables", 0, "PropagatingVgws")
	es, _ := cli(t, acct, "describe-network-interfaces", "--network-interface-ids", str(eni, "NetworkInterface", "NetworkInterfaceId"))
	emptyList("describe-network-interfaces", es, "NetworkInterfaces", 0, "Ipv6Addresses")
	if str(es, "NetworkInterfaces", 0, "Status") != "available" {
		t.Errorf("described interface Status = %q, want available", str(es, "NetworkInterfaces", 0, "Status"))
	}
}

// TestEndpointShapesAsAWS: an interface endpoint's create answer has no
// policy document, names the service's region, and lists its private DNS
// name under the hosted zone ZONEIDPENDING until it is available.
func TestEndpointShapesAsAWS(t *testing.T) {
	c, _ := client(t)
	vpc, subs := dnsVPC(t, c, "10.63.0.0/16", map[string]string{"10.63.1.0/24": "us-east-1a"})
	e := must[*ec2.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc),
		ServiceName: aws.String("com.amazonaws.us-east-1.ssm"), VpcEndpointType: types.VpcEndpointTypeInterface,
		SubnetIds: []string{subs["10.63.1.0/24"]}})).VpcEndpoint
	if e.PolicyDocument != nil || aws.ToString(e.ServiceRegion) != "us-east-1" {
		t.Errorf("create answer: policy %v, service region %v; want none and us-east-1", aws.ToString(e.PolicyDocument), aws.ToString(e.ServiceRegion))
	}
	last := e.DnsEntries[len(e.DnsEntries)-1]
	if aws.ToString(last.DnsName) != "ssm.us-east-1.amazonaws.com" || aws.ToString(last.HostedZoneId) != "ZONEIDPENDING" {
		t.Errorf("pending private DNS entry = %s in %s, want ZONEIDPENDING", aws.ToString(last.DnsName), aws.ToString(last.HostedZoneId))
	}
	d := waitEndpoint(t, c, *e.VpcEndpointId, "available")
	last = d.DnsEntries[len(d.DnsEntries)-1]
	if aws.ToString(last.HostedZoneId) == "ZONEIDPENDING" || d.PolicyDocument == nil || aws.ToString(d.ServiceRegion) != "us-east-1" {
		t.Errorf("available: zone %s, policy %v, service region %s", aws.ToString(last.HostedZoneId), d.PolicyDocument != nil, aws.ToString(d.ServiceRegion))
	}
}

// TestZoneGroups: Availability Zones belong to the zone group
// <region>-zg-1, "<region's name> 1", as DescribeAvailabilityZones answers.
func TestZoneGroups(t *testing.T) {
	c, _ := client(t)
	out := must[*ec2.DescribeAvailabilityZonesOutput](t)(c.DescribeAvailabilityZones(ctx(t), &ec2.DescribeAvailabilityZonesInput{
		Filters: []types.Filter{{Name: aws.String("group-name"), Values: []string{"us-east-1-zg-1"}}}}))
	if len(out.AvailabilityZones) < 3 {
		t.Fatalf("%d zones in group us-east-1-zg-1", len(out.AvailabilityZones))
	}
	for _, z := range out.AvailabilityZones {
		if aws.ToString(z.GroupLongName) != "US East (N. Virginia) 1" || aws.ToString(z.NetworkBorderGroup) != "us-east-1" {
			t.Errorf("%s: group %s %q, border group %s", aws.ToString(z.ZoneName), aws.ToString(z.GroupName), aws.ToString(z.GroupLongName), aws.ToString(z.NetworkBorderGroup))
		}
	}
}

// TestIPv6RulesInIPv4VPC: AWS accepts IPv6 network ACL entries and
// security-group rules in a VPC without IPv6, as the community Terraform
// VPC module writes them into default ACLs; the aws CLI shows them back.
func TestIPv6RulesInIPv4VPC(t *testing.T) {
	acct := newAccount()
	vpc, err := cli(t, acct, "create-vpc", "--cidr-block", "10.64.0.0/16")
	if err != nil {
		t.Fatal(err)
	}
	vpcID := str(vpc, "Vpc", "VpcId")
	acls, _ := cli(t, acct, "describe-network-acls", "--filters", "Name=vpc-id,Values="+vpcID, "Name=default,Values=true")
	acl := str(acls, "NetworkAcls", 0, "NetworkAclId")
	for _, dir := range []string{"--ingress", "--egress"} {
		if _, err := cli(t, acct, "create-network-acl-entry", "--network-acl-id", acl, dir, "--rule-number", "101", "--protocol", "-1",
			"--rule-action", "allow", "--ipv6-cidr-block", "::/0"); err != nil {
			t.Fatal(err)
		}
	}
	cliErr(t, acct, "InvalidParameterValue", "create-network-acl-entry", "--network-acl-id", acl, "--ingress", "--rule-number", "102",
		"--protocol", "-1", "--rule-action", "allow", "--ipv6-cidr-block", "10.0.0.0/8")
	cliErr(t, acct, "InvalidParameterCombination", "create-network-acl-entry", "--network-acl-id", acl, "--ingress", "--rule-number", "103",
		"--protocol", "-1", "--rule-action", "allow", "--ipv6-cidr-block", "::/0", "--cidr-block", "0.0.0.0/0")
	got, _ := cli(t, acct, "describe-network-acls", "--network-acl-ids", acl, "--filters", "Name=entry.ipv6-cidr,Values=::/0")
	n := 0
	entries, _ := path(got, "NetworkAcls", 0, "Entries").([]any)
	for _, e := range entries {
		if m := e.(map[string]any); m["Ipv6CidrBlock"] == "::/0" && m["RuleNumber"] == float64(101) {
			n++
			if _, has := m["CidrBlock"]; has {
				t.Errorf("an IPv6 entry shows a CidrBlock: %v", m)
			}
		}
	}
	if n != 2 {
		t.Errorf("IPv6 entries shown = %d, want 2 (ingress and egress): %v", n, entries)
	}
	sg, err := cli(t, acct, "create-security-group", "--group-name", "v6", "--description", "v6", "--vpc-id", vpcID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cli(t, acct, "authorize-security-group-ingress", "--group-id", str(sg, "GroupId"),
		"--ip-permissions", "IpProtocol=tcp,FromPort=443,ToPort=443,Ipv6Ranges=[{CidrIpv6=::/0}]"); err != nil {
		t.Fatal(err)
	}
	d, _ := cli(t, acct, "describe-security-groups", "--group-ids", str(sg, "GroupId"))
	if str(d, "SecurityGroups", 0, "IpPermissions", 0, "Ipv6Ranges", 0, "CidrIpv6") != "::/0" {
		t.Errorf("IPv6 rule not shown: %v", path(d, "SecurityGroups", 0, "IpPermissions"))
	}
}

// TestModifySecurityGroupRules: a rule changed in place keeps its ID, and
// descriptions are set by content (the aws CLI's --ip-permissions) or by
// rule ID (the SDK), as Terraform's security-group resources do.
func TestModifySecurityGroupRules(t *testing.T) {
	c, acct := client(t)
	vpc := must[*ec2.CreateVpcOutput](t)(c.CreateVpc(ctx(t), &ec2.CreateVpcInput{CidrBlock: aws.String("10.65.0.0/16")})).Vpc.VpcId
	g := must[*ec2.CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx(t), &ec2.CreateSecurityGroupInput{VpcId: vpc, GroupName: aws.String("web"), Description: aws.String("web")})).GroupId
	auth := must[*ec2.AuthorizeSecurityGroupIngressOutput](t)(c.AuthorizeSecurityGroupIngress(ctx(t), &ec2.AuthorizeSecurityGroupIngressInput{GroupId: g,
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(80), ToPort: aws.Int32(80), IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/8")}}}}}))
	id := *auth.SecurityGroupRules[0].SecurityGroupRuleId
	if _, err := cli(t, acct, "modify-security-group-rules", "--group-id", *g, "--security-group-rules",
		"SecurityGroupRuleId="+id+",SecurityGroupRule={IpProtocol=tcp,FromPort=443,ToPort=443,CidrIpv4=10.1.0.0/16,Description=https}"); err != nil {
		t.Fatal(err)
	}
	rule := func() types.SecurityGroupRule {
		out := must[*ec2.DescribeSecurityGroupRulesOutput](t)(c.DescribeSecurityGroupRules(ctx(t), &ec2.DescribeSecurityGroupRulesInput{SecurityGroupRuleIds: []string{id}}))
		if len(out.SecurityGroupRules) != 1 {
			t.Fatalf("rule %s: %d found", id, len(out.SecurityGroupRules))
		}
		return out.SecurityGroupRules[0]
	}
	if r := rule(); *r.FromPort != 443 || aws.ToString(r.CidrIpv4) != "10.1.0.0/16" || aws.ToString(r.Description) != "https" || *r.IsEgress {
		t.Errorf("after modify: %d %s %q egress=%v", *r.FromPort, aws.ToString(r.CidrIpv4), aws.ToString(r.Description), *r.IsEgress)
	}
	if _, err := cli(t, acct, "update-security-group-rule-descriptions-ingress", "--group-id", *g, "--ip-permissions",
		"IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=10.1.0.0/16,Description=by-content}]"); err != nil {
		t.Fatal(err)
	}
	if d := aws.ToString(rule().Description); d != "by-content" {
		t.Errorf("description by content = %q", d)
	}
	must[*ec2.UpdateSecurityGroupRuleDescriptionsIngressOutput](t)(c.UpdateSecurityGroupRuleDescriptionsIngress(ctx(t), &ec2.UpdateSecurityGroupRuleDescriptionsIngressInput{
		GroupId: g, SecurityGroupRuleDescriptions: []types.SecurityGroupRuleDescription{{SecurityGroupRuleId: aws.String(id), Description: aws.String("by-id")}}}))
	if d := aws.ToString(rule().Description); d != "by-id" {
		t.Errorf("description by ID = %q", d)
	}
	_, err := c.UpdateSecurityGroupRuleDescriptionsIngress(ctx(t), &ec2.UpdateSecurityGroupRuleDescriptionsIngressInput{GroupId: g,
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}})
	wantCode(t, err, "InvalidPermission.NotFound")
	_, err = c.ModifySecurityGroupRules(ctx(t), &ec2.ModifySecurityGroupRulesInput{GroupId: g, SecurityGroupRules: []types.SecurityGroupRuleUpdate{{
		SecurityGroupRuleId: aws.String("sgr-0123456789abcdef0"), SecurityGroupRule: &types.SecurityGroupRuleRequest{IpProtocol: aws.String("-1"), CidrIpv4: aws.String("0.0.0.0/0")}}}})
	wantCode(t, err, "InvalidSecurityGroupRuleId.NotFound")
	// One peer per rule; a rule may not become a copy of another.
	two := &types.SecurityGroupRuleRequest{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(1), ToPort: aws.Int32(1), CidrIpv4: aws.String("10.0.0.0/8"), CidrIpv6: aws.String("::/0")}
	_, err = c.ModifySecurityGroupRules(ctx(t), &ec2.ModifySecurityGroupRulesInput{GroupId: g, SecurityGroupRules: []types.SecurityGroupRuleUpdate{{SecurityGroupRuleId: aws.String(id), SecurityGroupRule: two}}})
	wantCode(t, err, "InvalidParameterCombination")
	other := must[*ec2.AuthorizeSecurityGroupIngressOutput](t)(c.AuthorizeSecurityGroupIngress(ctx(t), &ec2.AuthorizeSecurityGroupIngressInput{GroupId: g,
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []types.IpRange{{CidrIp: aws.String("10.9.0.0/16")}}}}})).SecurityGroupRules[0].SecurityGroupRuleId
	_, err = c.ModifySecurityGroupRules(ctx(t), &ec2.ModifySecurityGroupRulesInput{GroupId: g, SecurityGroupRules: []types.SecurityGroupRuleUpdate{{SecurityGroupRuleId: other,
		SecurityGroupRule: &types.SecurityGroupRuleRequest{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), CidrIpv4: aws.String("10.1.0.0/16")}}}})
	wantCode(t, err, "InvalidPermission.Duplicate")
}

// TestElasticIPs: addresses are allocated, tagged, described, associated
// with an interface, refused release while in use; a public NAT gateway
// needs a real allocation of the account and shows its association.
func TestElasticIPs(t *testing.T) {
	acct := newAccount()
	run := cliRunner(t, acct)
	a := run("allocate-address", "--domain", "vpc", "--tag-specifications", "ResourceType=elastic-ip,Tags=[{Key=Name,Value=nat}]")
	alloc, ip := str(a, "AllocationId"), str(a, "PublicIp")
	if !strings.HasPrefix(alloc, "eipalloc-") || ip == "" || str(a, "Domain") != "vpc" {
		t.Fatalf("allocate-address = %v", a)
	}
	d := run("describe-addresses", "--filters", "Name=tag:Name,Values=nat")
	if str(d, "Addresses", 0, "AllocationId") != alloc || str(d, "Addresses", 0, "PublicIp") != ip || str(d, "Addresses", 0, "Tags", 0, "Value") != "nat" {
		t.Errorf("describe-addresses by tag = %v", d)
	}
	cliErr(t, acct, "InvalidAllocationID.NotFound", "describe-addresses", "--allocation-ids", "eipalloc-0123456789abcdef0")
	cliErr(t, acct, "InvalidAddress.NotFound", "describe-addresses", "--public-ips", "192.0.2.1")
	vpc := str(run("create-vpc", "--cidr-block", "10.66.0.0/16"), "Vpc", "VpcId")
	sub := str(run("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.66.1.0/24"), "Subnet", "SubnetId")
	eni := str(run("create-network-interface", "--subnet-id", sub), "NetworkInterface", "NetworkInterfaceId")
	cliErr(t, acct, "InvalidParameterCombination", "associate-address", "--allocation-id", alloc, "--network-interface-id", eni, "--instance-id", "i-0123456789abcdef0")
	assoc := str(run("associate-address", "--allocation-id", alloc, "--network-interface-id", eni), "AssociationId")
	d = run("describe-addresses", "--allocation-ids", alloc)
	if str(d, "Addresses", 0, "AssociationId") != assoc || str(d, "Addresses", 0, "NetworkInterfaceId") != eni || str(d, "Addresses", 0, "PrivateIpAddress") == "" {
		t.Errorf("after associate-address: %v", d)
	}
	ni := run("describe-network-interfaces", "--network-interface-ids", eni)
	if str(ni, "NetworkInterfaces", 0, "Association", "PublicIp") != ip || str(ni, "NetworkInterfaces", 0, "Association", "AllocationId") != alloc ||
		str(ni, "NetworkInterfaces", 0, "PrivateIpAddresses", 0, "Association", "AssociationId") != assoc {
		t.Errorf("the interface does not show its Elastic IP: %v", path(ni, "NetworkInterfaces", 0))
	}
	cliErr(t, acct, "InvalidIPAddress.InUse", "release-address", "--allocation-id", alloc)
	cliErr(t, acct, "Resource.AlreadyAssociated", "associate-address", "--allocation-id", alloc, "--network-interface-id", eni, "--no-allow-reassociation")
	run("disassociate-address", "--association-id", assoc)
	if ni := run("describe-network-interfaces", "--network-interface-ids", eni); path(ni, "NetworkInterfaces", 0, "Association") != nil {
		t.Errorf("after disassociate-address the interface shows %v", path(ni, "NetworkInterfaces", 0, "Association"))
	}
	// A NAT gateway takes only a real, free allocation.
	cliErr(t, acct, "InvalidAllocationID.NotFound", "create-nat-gateway", "--subnet-id", sub, "--allocation-id", "eipalloc-0123456789abcdef0")
	nat := run("create-nat-gateway", "--subnet-id", sub, "--allocation-id", alloc)
	natID := str(nat, "NatGateway", "NatGatewayId")
	if str(nat, "NatGateway", "NatGatewayAddresses", 0, "PublicIp") != ip {
		t.Errorf("NAT gateway addresses = %v", path(nat, "NatGateway", "NatGatewayAddresses"))
	}
	// (Debian's aws CLI model predates the address's AssociationId; the
	// SDK sees it.)
	sdk := clientFor(shared.url, acct, "us-east-1")
	ng := must[*ec2.DescribeNatGatewaysOutput](t)(sdk.DescribeNatGateways(ctx(t), &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{str(nat, "NatGateway", "NatGatewayId")}}))
	if got := aws.ToString(ng.NatGateways[0].NatGatewayAddresses[0].AssociationId); !strings.HasPrefix(got, "eipassoc-") {
		t.Errorf("NAT gateway address association = %q", got)
	}
	d = run("describe-addresses", "--allocation-ids", alloc)
	if str(d, "Addresses", 0, "NetworkInterfaceId") != str(nat, "NatGateway", "NatGatewayAddresses", 0, "NetworkInterfaceId") {
		t.Errorf("the NAT gateway's address is not associated with its interface: %v", d)
	}
	cliErr(t, acct, "Resource.AlreadyAssociated", "create-nat-gateway", "--subnet-id", sub, "--allocation-id", alloc)
	cliErr(t, acct, "InvalidIPAddress.InUse", "release-address", "--allocation-id", alloc)
	run("delete-nat-gateway", "--nat-gateway-id", natID)
	run("release-address", "--allocation-id", alloc)
	cliErr(t, acct, "InvalidAllocationID.NotFound", "describe-addresses", "--allocation-ids", alloc)
}
