package e2e

import (
	"strings"
	"testing"
)

// TestResolverEndpointsWithCLI builds DNS for on-premises and for a spoke
// with the aws CLI v2's route53resolver commands, and checks it with dig:
// the hub has an S3 gateway endpoint and an S3 interface endpoint whose
// private DNS is for inbound Resolver endpoints only (AWS's default when a
// gateway endpoint exists), so the hub's own resolver answers S3 publicly
// (its instances take the gateway) while the hub's inbound endpoint — what
// on-premises clients query — answers the interface endpoint's address. A
// spoke with an outbound endpoint and a FORWARD rule for S3's names to the
// inbound endpoint's address answers the same, until the rule is
// disassociated.
func TestResolverEndpointsWithCLI(t *testing.T) {
	acct := newAccount()
	run := cliRunner(t, acct)
	rr := func(args ...string) map[string]any {
		t.Helper()
		out, err := awsService(t, acct, "route53resolver", args...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	vpcIn := func(cidr, a, b string) (string, []string, string) {
		v := str(run("create-vpc", "--cidr-block", cidr), "Vpc", "VpcId")
		run("modify-vpc-attribute", "--vpc-id", v, "--enable-dns-hostnames", `{"Value":true}`)
		var subnets []string
		for i, s := range []string{a, b} {
			subnets = append(subnets, str(run("create-subnet", "--vpc-id", v, "--cidr-block", s, "--availability-zone", []string{"us-east-1a", "us-east-1b"}[i]), "Subnet", "SubnetId"))
		}
		sg := str(run("create-security-group", "--group-name", "dns", "--description", "dns", "--vpc-id", v), "GroupId")
		return v, subnets, sg
	}
	hub, hubSubnets, hubSG := vpcIn("10.60.0.0/16", "10.60.1.0/24", "10.60.2.0/24")
	spoke, spokeSubnets, spokeSG := vpcIn("10.61.0.0/16", "10.61.1.0/24", "10.61.2.0/24")
	rtb := str(run("describe-route-tables", "--filters", "Name=vpc-id,Values="+hub), "RouteTables", 0, "RouteTableId")
	run("create-vpc-endpoint", "--vpc-id", hub, "--service-name", "com.amazonaws.us-east-1.s3", "--route-table-ids", rtb)
	ep := run("create-vpc-endpoint", "--vpc-endpoint-type", "Interface", "--vpc-id", hub, "--service-name", "com.amazonaws.us-east-1.s3",
		"--subnet-ids", hubSubnets[0], "--security-group-ids", hubSG, "--private-dns-enabled")
	ip := str(waitEndpointCLI(t, run, str(ep, "VpcEndpoint", "VpcEndpointId")), "PrivateIpAddress")

	in := rr("create-resolver-endpoint", "--creator-request-id", "in-"+acct, "--name", "from-premises", "--direction", "INBOUND",
		"--security-group-ids", hubSG, "--ip-addresses", "SubnetId="+hubSubnets[0]+",Ip=10.60.1.53", "SubnetId="+hubSubnets[1])
	inID := str(in, "ResolverEndpoint", "Id")
	if !strings.HasPrefix(inID, "rslvr-in-") || str(in, "ResolverEndpoint", "HostVPCId") != hub || path(in, "ResolverEndpoint", "IpAddressCount") != float64(2) {
		t.Fatalf("create-resolver-endpoint: %v", in)
	}
	ips := rr("list-resolver-endpoint-ip-addresses", "--resolver-endpoint-id", inID)
	if str(ips, "IpAddresses", 0, "Ip") != "10.60.1.53" || !strings.HasPrefix(str(ips, "IpAddresses", 1, "Ip"), "10.60.2.") {
		t.Errorf("list-resolver-endpoint-ip-addresses: %v", ips)
	}
	if _, err := awsService(t, acct, "route53resolver", "get-resolver-endpoint", "--resolver-endpoint-id", "rslvr-in-0123456789abcdef0"); err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Errorf("get-resolver-endpoint of an unknown ID: %v", err)
	}

	hubResolver, inbound := resolverOf(t, shared, hub), servedAt(t, shared, hub, inID)
	if got := dig(t, shared, hubResolver, "+short", "s3.us-east-1.amazonaws.com"); got == "" || strings.Contains(got, "10.60.") {
		t.Errorf("dig S3 in the hub = %q, want S3's public addresses (private DNS is for inbound endpoints only)", got)
	}
	for _, name := range []string{"s3.us-east-1.amazonaws.com", "reports.s3.us-east-1.amazonaws.com"} {
		if got := dig(t, shared, inbound, "+short", name); got != ip {
			t.Errorf("dig %s at the inbound endpoint (%s) = %q, want the interface endpoint's %s", name, inbound, got, ip)
		}
	}

	out := rr("create-resolver-endpoint", "--creator-request-id", "out-"+acct, "--direction", "OUTBOUND",
		"--security-group-ids", spokeSG, "--ip-addresses", "SubnetId="+spokeSubnets[0], "SubnetId="+spokeSubnets[1])
	outID := str(out, "ResolverEndpoint", "Id")
	rule := rr("create-resolver-rule", "--creator-request-id", "rule-"+acct, "--rule-type", "FORWARD", "--domain-name", "s3.us-east-1.amazonaws.com",
		"--resolver-endpoint-id", outID, "--target-ips", "Ip=10.60.1.53")
	ruleID := str(rule, "ResolverRule", "Id")
	if str(rule, "ResolverRule", "DomainName") != "s3.us-east-1.amazonaws.com." || path(rule, "ResolverRule", "TargetIps", 0, "Port") != float64(53) {
		t.Errorf("create-resolver-rule: %v", rule)
	}
	spokeResolver := resolverOf(t, shared, spoke)
	if got := dig(t, shared, spokeResolver, "+short", "s3.us-east-1.amazonaws.com"); got == ip {
		t.Errorf("dig S3 in the spoke before the rule is associated = %q", got)
	}
	rr("associate-resolver-rule", "--resolver-rule-id", ruleID, "--vpc-id", spoke)
	for _, name := range []string{"s3.us-east-1.amazonaws.com", "reports.s3.us-east-1.amazonaws.com"} {
		if got := dig(t, shared, spokeResolver, "+short", name); got != ip {
			t.Errorf("dig %s in the spoke (rule to the inbound endpoint) = %q, want %s", name, got, ip)
		}
	}
	assocs := rr("list-resolver-rule-associations", "--filters", "Name=VPCId,Values="+spoke)
	if str(assocs, "ResolverRuleAssociations", 0, "ResolverRuleId") != ruleID {
		t.Errorf("list-resolver-rule-associations: %v", assocs)
	}
	if _, err := awsService(t, acct, "route53resolver", "delete-resolver-rule", "--resolver-rule-id", ruleID); err == nil || !strings.Contains(err.Error(), "ResourceInUseException") {
		t.Errorf("deleting an associated rule: %v", err)
	}
	rr("disassociate-resolver-rule", "--resolver-rule-id", ruleID, "--vpc-id", spoke)
	if got := dig(t, shared, spokeResolver, "+short", "s3.us-east-1.amazonaws.com"); got == ip {
		t.Errorf("dig S3 in the spoke after the rule is disassociated = %q", got)
	}
	rr("delete-resolver-rule", "--resolver-rule-id", ruleID)
	rr("delete-resolver-endpoint", "--resolver-endpoint-id", outID)
	rr("delete-resolver-endpoint", "--resolver-endpoint-id", inID)
	if got := dig(t, shared, inbound, "s3.us-east-1.amazonaws.com"); !strings.Contains(got, "REFUSED") && !strings.Contains(got, "timed out") {
		t.Errorf("dig at the deleted inbound endpoint's address = %q, want it no longer served", got)
	}
}
