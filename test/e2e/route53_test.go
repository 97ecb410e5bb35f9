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
// VPCs of two other accounts. dig in each spoke answers the hub
// endpoint's addresses; a record the zone lacks is NXDOMAIN; the hub's
// own view is public; vpce reach from the spoke follows the answer
// through the transit gateway to the endpoint. The hub shares its transit
// gateway with the two other accounts through RAM; each accepts the
// invitation and attaches its VPC, the hub accepts the attachments, and
// then vpce reach and the data plane from an instance of each account
// cross the gateway into the hub's VPC — not before.
func TestPrivateHostedZonesWithCLI(t *testing.T) {
	acct, other, third := newAccount(), newAccount(), newAccount()
	run, runOther, runThird := cliRunner(t, acct), cliRunner(t, other), cliRunner(t, third)
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
	far, farSubnet := vpcIn(runOther, "10.52.0.0/16", "10.52.1.0/24")
	thirdVpc, thirdSubnet := vpcIn(runThird, "10.53.0.0/16", "10.53.1.0/24")
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
	for _, c := range []struct{ account, vpc string }{{other, far}, {third, thirdVpc}} {
		zone("create-vpc-association-authorization", "--hosted-zone-id", zoneID, "--vpc", "VPCRegion=us-east-1,VPCId="+c.vpc)
		if _, err := r53(t, c.account, "associate-vpc-with-hosted-zone", "--hosted-zone-id", zoneID, "--vpc", "VPCRegion=us-east-1,VPCId="+c.vpc); err != nil {
			t.Fatal(err)
		}
	}
	if vpcs := path(zone("get-hosted-zone", "--id", zoneID), "VPCs").([]any); len(vpcs) != 3 {
		t.Errorf("zone VPCs: %v", vpcs)
	}

	for _, c := range []struct{ account, vpc string }{{acct, spoke}, {other, far}, {third, thirdVpc}} {
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
	// The other accounts' spokes join the same gateway, shared through RAM.
	crossAccountSpokes(t, acct, tgw, epID, inst, []spokeAccount{{other, runOther, far, farSubnet}, {third, runThird, thirdVpc, thirdSubnet}})
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

// spokeAccount is a spoke VPC of another account than the hub's.
type spokeAccount struct {
	account string
	run     func(...string) map[string]any
	vpc     string
	subnet  string
}

// reachJSON runs vpce reach -o json as an account and decodes it.
func reachJSON(t *testing.T, account string, args ...string) map[string]any {
	t.Helper()
	out, _ := reachCmd(t, shared.url, account, "secret", append(args, "-o", "json")...)
	m := map[string]any{}
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("vpce reach %v: %v: %s", args, err, out)
	}
	return m
}

// crossAccountSpokes shares the hub's transit gateway with the spokes'
// accounts through RAM and checks, for each: the gateway is unknown to
// the account until it accepts the invitation; its attachment waits in
// pendingAcceptance until the hub accepts it, and meanwhile vpce reach
// and the data plane from an instance in the spoke stop at the gateway;
// once accepted, both reach the hub's SSM endpoint through the gateway
// (the spoke's private hosted zone answering its name).
func crossAccountSpokes(t *testing.T, hub, tgw, epID, hubInstance string, spokes []spokeAccount) {
	t.Helper()
	ram := func(account string, args ...string) map[string]any {
		t.Helper()
		out, err := awsService(t, account, "ram", args...)
		if err != nil {
			t.Fatalf("ram %v as %s: %v", args, account, err)
		}
		return out
	}
	tgwArn := str(cliRunner(t, hub)("describe-transit-gateways", "--transit-gateway-ids", tgw), "TransitGateways", 0, "TransitGatewayArn")
	principals := []string{}
	for _, s := range spokes {
		principals = append(principals, s.account)
	}
	share := str(ram(hub, append([]string{"create-resource-share", "--name", "hub-tgw", "--resource-arns", tgwArn, "--principals"}, principals...)...),
		"resourceShare", "resourceShareArn")
	if _, err := awsService(t, hub, "ram", "create-resource-share", "--name", "bad", "--resource-arns", tgwArn, "--principals", "o-exampleorg1"); err == nil ||
		!strings.Contains(err.Error(), "InvalidParameterException") {
		t.Errorf("sharing with a principal that is not an account: %v", err)
	}
	for _, s := range spokes {
		if _, err := awsService(t, s.account, "ec2", "create-transit-gateway-vpc-attachment", "--transit-gateway-id", tgw, "--vpc-id", s.vpc, "--subnet-ids", s.subnet); err == nil ||
			!strings.Contains(err.Error(), "InvalidTransitGatewayID.NotFound") {
			t.Fatalf("attaching before the invitation is accepted: %v", err)
		}
		inv := ram(s.account, "get-resource-share-invitations", "--resource-share-arns", share)
		if str(inv, "resourceShareInvitations", 0, "status") != "PENDING" || str(inv, "resourceShareInvitations", 0, "senderAccountId") != hub {
			t.Fatalf("invitation: %v", inv)
		}
		ram(s.account, "accept-resource-share-invitation", "--resource-share-invitation-arn", str(inv, "resourceShareInvitations", 0, "resourceShareInvitationArn"))
		if got := str(s.run("describe-transit-gateways"), "TransitGateways", 0, "OwnerId"); got != hub {
			t.Fatalf("the shared gateway as %s: owner %q", s.account, got)
		}
		att := str(s.run("create-transit-gateway-vpc-attachment", "--transit-gateway-id", tgw, "--vpc-id", s.vpc, "--subnet-ids", s.subnet),
			"TransitGatewayVpcAttachment", "TransitGatewayAttachmentId")
		a := s.run("describe-transit-gateway-attachments", "--transit-gateway-attachment-ids", att)
		if str(a, "TransitGatewayAttachments", 0, "State") != "pendingAcceptance" || str(a, "TransitGatewayAttachments", 0, "TransitGatewayOwnerId") != hub ||
			str(a, "TransitGatewayAttachments", 0, "ResourceOwnerId") != s.account {
			t.Fatalf("the spoke's attachment before acceptance: %v", a)
		}
		rt := str(s.run("describe-route-tables", "--filters", "Name=vpc-id,Values="+s.vpc), "RouteTables", 0, "RouteTableId")
		s.run("create-route", "--route-table-id", rt, "--destination-cidr-block", "10.48.0.0/12", "--transit-gateway-id", tgw)
		inst := str(s.run("run-instances", "--image-id", "ami-12345678", "--subnet-id", s.subnet), "Instances", 0, "InstanceId")
		waitRunning(t, s.run, inst)

		m := reachJSON(t, s.account, "--from", inst, "--to", "ssm.us-east-1.amazonaws.com")
		if m["verdict"] != "BLOCKED" || !strings.Contains(mustJSON(m["explanations"]), "no available attachment") {
			t.Errorf("reach before the hub accepts: %v %v", m["verdict"], m["explanations"])
		}
		if out, code := vexec(t, shared, s.account, inst, "curl", "-sv", "https://ssm.us-east-1.amazonaws.com/"); code == 0 || !strings.Contains(out, "X-Vpce-Reason: BAD_STATE") {
			t.Errorf("data plane before the hub accepts: exit %d\n%s", code, out)
		}

		cliRunner(t, hub)("accept-transit-gateway-vpc-attachment", "--transit-gateway-attachment-id", att)
		waitState(t, func() string {
			return str(s.run("describe-transit-gateway-vpc-attachments", "--transit-gateway-attachment-ids", att), "TransitGatewayVpcAttachments", 0, "State")
		})
		m = reachJSON(t, s.account, "--from", inst, "--to", "ssm.us-east-1.amazonaws.com")
		kinds := []string{}
		for _, h := range path(m, "hops").([]any) {
			kinds = append(kinds, str(h, "kind"))
		}
		if m["verdict"] != "PRIVATE_INTERFACE_ENDPOINT" || str(m, "endpoint") != epID || !slices.Contains(kinds, "transit-gateway-route-table") {
			t.Errorf("reach from %s's spoke after acceptance: %v %v %v", s.account, m["verdict"], m["explanations"], kinds)
		}
		// Open path: the data plane carries the request to the hub's
		// endpoint (502, since no upstream serves SSM here).
		if out, code := vexec(t, shared, s.account, inst, "curl", "-s", "https://ssm.us-east-1.amazonaws.com/"); code != 0 || !strings.Contains(out, "NO_UPSTREAM") {
			t.Errorf("data plane after acceptance: exit %d\n%s", code, out)
		}
		// A path starts in the asking account: the hub's instance is not
		// the spoke's to analyse.
		if out, code := reachCmd(t, shared.url, s.account, "secret", "--from", hubInstance, "--to", "ssm.us-east-1.amazonaws.com"); code != 2 || !strings.Contains(out, "does not exist in "+s.account) {
			t.Errorf("reach from the hub's instance as %s: exit %d: %s", s.account, code, out)
		}
	}
	assoc := ram(hub, "get-resource-share-associations", "--association-type", "PRINCIPAL", "--resource-share-arns", share)
	if n := len(path(assoc, "resourceShareAssociations").([]any)); n != len(spokes) || str(assoc, "resourceShareAssociations", 0, "status") != "ASSOCIATED" {
		t.Errorf("principal associations: %v", assoc)
	}
}

// waitRunning polls until an instance is running.
func waitRunning(t *testing.T, run func(...string) map[string]any, id string) {
	t.Helper()
	for i := 0; str(run("describe-instances", "--instance-ids", id), "Reservations", 0, "Instances", 0, "State", "Name") != "running"; i++ {
		if i > 100 {
			t.Fatal("never running")
		}
	}
}
