package e2e

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// r53 runs the aws CLI v2's route53 commands as an account.
func r53(t *testing.T, account string, args ...string) (map[string]any, error) {
	t.Helper()
	return awsService(t, account, "route53", args...)
}

// awsService runs the aws CLI v2's commands of a service as an account
// against the shared server and decodes what it prints.
func awsService(t *testing.T, account, service string, args ...string) (map[string]any, error) {
	t.Helper()
	cmd := exec.Command(awsCLI, append([]string{"--endpoint-url", shared.url, "--output", "json", service}, args...)...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+account, "AWS_SECRET_ACCESS_KEY=secret",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, &cliError{strings.TrimSpace(stderr.String())}
	}
	out := map[string]any{}
	if stdout.Len() > 0 {
		if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
			t.Fatalf("%s %v: %v: %s", service, args, err, stdout.String())
		}
	}
	return out, nil
}

type cliError struct{ msg string }

func (e *cliError) Error() string { return e.msg }

// TestPrivateHostedZonesWithCLI is the DNS half of the network-account
// design, built with the aws CLI v2: the hub's SSM endpoint has private
// DNS off; a private hosted zone ssm.us-east-1.amazonaws.com with an
// alias to the endpoint's vpce name is associated with a spoke VPC of the
// same account and — after CreateVPCAssociationAuthorization — with a
// VPC of another account. dig in each spoke answers the hub endpoint's
// addresses; a record the zone lacks is NXDOMAIN; the hub's own view is
// public; vpce reach from the spoke follows the answer through the
// transit gateway to the endpoint.
func TestPrivateHostedZonesWithCLI(t *testing.T) {
	acct, other := newAccount(), newAccount()
	run, runOther := cliRunner(t, acct), cliRunner(t, other)
	zone := func(args ...string) map[string]any {
		t.Helper()
		out, err := r53(t, acct, args...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	vpcIn := func(run func(...string) map[string]any, cidr, sub string) (string, string) {
		v := str(run("create-vpc", "--cidr-block", cidr), "Vpc", "VpcId")
		run("modify-vpc-attribute", "--vpc-id", v, "--enable-dns-hostnames", `{"Value":true}`)
		s := str(run("create-subnet", "--vpc-id", v, "--cidr-block", sub, "--availability-zone", "us-east-1a"), "Subnet", "SubnetId")
		return v, s
	}
	hub, hubSubnet := vpcIn(run, "10.50.0.0/16", "10.50.1.0/24")
	spoke, spokeSubnet := vpcIn(run, "10.51.0.0/16", "10.51.1.0/24")
	far, _ := vpcIn(runOther, "10.52.0.0/16", "10.52.1.0/24")
	sg := str(run("create-security-group", "--group-name", "ep", "--description", "ep", "--vpc-id", hub), "GroupId")
	run("authorize-security-group-ingress", "--group-id", sg, "--protocol", "tcp", "--port", "443", "--cidr", "10.0.0.0/8")
	ep := run("create-vpc-endpoint", "--vpc-endpoint-type", "Interface", "--vpc-id", hub, "--service-name", "com.amazonaws.us-east-1.ssm",
		"--subnet-ids", hubSubnet, "--security-group-ids", sg, "--no-private-dns-enabled")
	epID, regional := str(ep, "VpcEndpoint", "VpcEndpointId"), str(ep, "VpcEndpoint", "DnsEntries", 0, "DnsName")
	ip := str(waitEndpointCLI(t, run, epID), "PrivateIpAddress")

	z := zone("create-hosted-zone", "--name", "ssm.us-east-1.amazonaws.com", "--caller-reference", "ssm-"+acct,
		"--hosted-zone-config", "PrivateZone=true,Comment=shared endpoint", "--vpc", "VPCRegion=us-east-1,VPCId="+spoke)
	zoneID := str(z, "HostedZone", "Id")
	if str(z, "HostedZone", "Name") != "ssm.us-east-1.amazonaws.com." || path(z, "HostedZone", "Config", "PrivateZone") != true {
		t.Fatalf("create-hosted-zone: %v", z)
	}
	if _, err := r53(t, acct, "create-hosted-zone", "--name", "ssm.us-east-1.amazonaws.com", "--caller-reference", "again-"+acct,
		"--hosted-zone-config", "PrivateZone=true", "--vpc", "VPCRegion=us-east-1,VPCId="+spoke); err == nil || !strings.Contains(err.Error(), "ConflictingDomainExists") {
		t.Errorf("a second zone of that name for the spoke: %v", err)
	}
	zone("change-resource-record-sets", "--hosted-zone-id", zoneID, "--change-batch", `{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"ssm.us-east-1.amazonaws.com","Type":"A",
		"AliasTarget":{"HostedZoneId":"`+str(ep, "VpcEndpoint", "DnsEntries", 0, "HostedZoneId")+`","DNSName":"`+regional+`","EvaluateTargetHealth":false}}}]}`)
	if _, err := r53(t, acct, "change-resource-record-sets", "--hosted-zone-id", zoneID, "--change-batch",
		`{"Changes":[{"Action":"DELETE","ResourceRecordSet":{"Name":"nope.ssm.us-east-1.amazonaws.com","Type":"A","TTL":60,"ResourceRecords":[{"Value":"10.1.1.1"}]}}]}`); err == nil || !strings.Contains(err.Error(), "InvalidChangeBatch") {
		t.Errorf("deleting a missing record: %v", err)
	}
	sets := zone("list-resource-record-sets", "--hosted-zone-id", zoneID)
	var types []string
	for _, s := range path(sets, "ResourceRecordSets").([]any) {
		types = append(types, str(s, "Type"))
	}
	slices.Sort(types)
	if strings.Join(types, " ") != "A NS SOA" {
		t.Errorf("record sets: %v", types)
	}

	// Another account's VPC: refused until authorized.
	if _, err := r53(t, other, "associate-vpc-with-hosted-zone", "--hosted-zone-id", zoneID, "--vpc", "VPCRegion=us-east-1,VPCId="+far); err == nil {
		t.Error("another account associated its VPC without authorization")
	}
	zone("create-vpc-association-authorization", "--hosted-zone-id", zoneID, "--vpc", "VPCRegion=us-east-1,VPCId="+far)
	if _, err := r53(t, other, "associate-vpc-with-hosted-zone", "--hosted-zone-id", zoneID, "--vpc", "VPCRegion=us-east-1,VPCId="+far); err != nil {
		t.Fatal(err)
	}
	if vpcs := path(zone("get-hosted-zone", "--id", zoneID), "VPCs").([]any); len(vpcs) != 2 {
		t.Errorf("zone VPCs: %v", vpcs)
	}

	for _, c := range []struct{ account, vpc string }{{acct, spoke}, {other, far}} {
		r := resolverOf(t, shared, c.vpc)
		if got := dig(t, shared, r, "+short", "ssm.us-east-1.amazonaws.com"); got != ip {
			t.Errorf("dig ssm in %s = %q, want the hub endpoint's %s", c.vpc, got, ip)
		}
		if got := dig(t, shared, r, "nope.ssm.us-east-1.amazonaws.com"); !strings.Contains(got, "status: NXDOMAIN") {
			t.Errorf("a name the zone lacks, in %s: %s", c.vpc, got)
		}
	}
	if got := dig(t, shared, resolverOf(t, shared, hub), "+short", "ssm.us-east-1.amazonaws.com"); got == ip || got == "" {
		t.Errorf("the hub (no zone, private DNS off) answers %q, want the public address", got)
	}

	// The path from the spoke follows the zone's answer through a
	// transit gateway to the hub's endpoint.
	inst := str(run("run-instances", "--image-id", "ami-12345678", "--subnet-id", spokeSubnet), "Instances", 0, "InstanceId")
	tgw := str(run("create-transit-gateway"), "TransitGateway", "TransitGatewayId")
	waitState(t, func() string {
		return str(run("describe-transit-gateways", "--transit-gateway-ids", tgw), "TransitGateways", 0, "State")
	})
	for _, p := range [][2]string{{hub, hubSubnet}, {spoke, spokeSubnet}} {
		a := str(run("create-transit-gateway-vpc-attachment", "--transit-gateway-id", tgw, "--vpc-id", p[0], "--subnet-ids", p[1]), "TransitGatewayVpcAttachment", "TransitGatewayAttachmentId")
		waitState(t, func() string {
			return str(run("describe-transit-gateway-attachments", "--transit-gateway-attachment-ids", a), "TransitGatewayAttachments", 0, "State")
		})
		rt := str(run("describe-route-tables", "--filters", "Name=vpc-id,Values="+p[0]), "RouteTables", 0, "RouteTableId")
		run("create-route", "--route-table-id", rt, "--destination-cidr-block", "10.48.0.0/12", "--transit-gateway-id", tgw)
	}
	out, _ := reachCmd(t, shared.url, acct, "secret", "--from", inst, "--to", "ssm.us-east-1.amazonaws.com", "-o", "json")
	m := map[string]any{}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("vpce reach: %v: %s", err, out)
	}
	dnsRule := ""
	for _, h := range path(m, "hops").([]any) {
		if str(h, "kind") == "dns" {
			dnsRule = str(h, "rule")
		}
	}
	if m["verdict"] != "PRIVATE_INTERFACE_ENDPOINT" || str(m, "endpoint") != epID || !strings.Contains(dnsRule, "private hosted zone "+strings.TrimPrefix(zoneID, "/hostedzone/")) {
		t.Errorf("reach from the spoke: %v %v %v", m["verdict"], m["explanations"], m["hops"])
	}
	// A zone with records cannot be deleted.
	if _, err := r53(t, acct, "delete-hosted-zone", "--id", zoneID); err == nil || !strings.Contains(err.Error(), "HostedZoneNotEmpty") {
		t.Errorf("deleting a zone with records: %v", err)
	}
}

// waitEndpointCLI waits for an endpoint to be available and returns its
// first interface as describe-network-interfaces shows it.
func waitEndpointCLI(t *testing.T, run func(...string) map[string]any, id string) any {
	t.Helper()
	waitState(t, func() string {
		return str(run("describe-vpc-endpoints", "--vpc-endpoint-ids", id), "VpcEndpoints", 0, "State")
	})
	eni := str(run("describe-vpc-endpoints", "--vpc-endpoint-ids", id), "VpcEndpoints", 0, "NetworkInterfaceIds", 0)
	return path(run("describe-network-interfaces", "--network-interface-ids", eni), "NetworkInterfaces", 0)
}

// waitState polls until get answers available.
func waitState(t *testing.T, get func() string) {
	t.Helper()
	for i := 0; get() != "available"; i++ {
		if i > 100 {
			t.Fatal("never available")
		}
	}
}
