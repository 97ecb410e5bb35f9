package e2e

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
)

// TestEndpointCLI types the two commands exactly as a user would,
// after creating what they name, then describes, modifies and deletes with
// the aws CLI v2, and reads the result with `vpce endpoints`.
func TestEndpointCLI(t *testing.T) {
	acct := newAccount()
	run := cliRunner(t, acct)
	fail := func(code string, args ...string) {
		t.Helper()
		cliErr(t, acct, code, args...)
	}
	vpc := str(run("create-vpc", "--cidr-block", "10.80.0.0/16"), "Vpc", "VpcId")
	run("modify-vpc-attribute", "--vpc-id", vpc, "--enable-dns-hostnames")
	subnetA := str(run("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.80.1.0/24", "--availability-zone", "us-east-1a"), "Subnet", "SubnetId")
	subnetB := str(run("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.80.2.0/24", "--availability-zone", "us-east-1b"), "Subnet", "SubnetId")
	sg := str(run("create-security-group", "--group-name", "endpoints", "--description", "HTTPS from the VPC", "--vpc-id", vpc), "GroupId")
	run("authorize-security-group-ingress", "--group-id", sg, "--protocol", "tcp", "--port", "443", "--cidr", "10.80.0.0/16")
	rtb := str(run("create-route-table", "--vpc-id", vpc), "RouteTable", "RouteTableId")

	ssm := run("create-vpc-endpoint", "--vpc-id", vpc, "--service-name", "com.amazonaws.us-east-1.ssm",
		"--vpc-endpoint-type", "Interface", "--subnet-ids", subnetA, subnetB, "--security-group-ids", sg, "--private-dns-enabled")
	ssmID := str(ssm, "VpcEndpoint", "VpcEndpointId")
	if str(ssm, "VpcEndpoint", "State") != "pending" || path(ssm, "VpcEndpoint", "PrivateDnsEnabled") != true ||
		len(path(ssm, "VpcEndpoint", "NetworkInterfaceIds").([]any)) != 2 || str(ssm, "VpcEndpoint", "DnsEntries", 3, "DnsName") != "ssm.us-east-1.amazonaws.com" {
		t.Errorf("create-vpc-endpoint (Interface) = %v", ssm)
	}
	s3 := run("create-vpc-endpoint", "--vpc-id", vpc, "--service-name", "com.amazonaws.us-east-1.s3",
		"--vpc-endpoint-type", "Gateway", "--route-table-ids", rtb)
	s3ID := str(s3, "VpcEndpoint", "VpcEndpointId")
	if str(s3, "VpcEndpoint", "State") != "available" || str(s3, "VpcEndpoint", "RouteTableIds", 0) != rtb ||
		!strings.Contains(str(s3, "VpcEndpoint", "PolicyDocument"), `"Version":"2008-10-17"`) {
		t.Errorf("create-vpc-endpoint (Gateway) = %v", s3)
	}
	routes := run("describe-route-tables", "--route-table-ids", rtb)
	if str(routes, "RouteTables", 0, "Routes", 1, "DestinationPrefixListId") != "pl-63a5400a" || str(routes, "RouteTables", 0, "Routes", 1, "GatewayId") != s3ID {
		t.Errorf("route table after the gateway endpoint = %v", routes)
	}

	// Error paths as a user meets them.
	fail("InvalidServiceName", "create-vpc-endpoint", "--vpc-id", vpc, "--service-name", "com.amazonaws.us-east-1.nothing", "--vpc-endpoint-type", "Interface")
	fail("InvalidParameter", "create-vpc-endpoint", "--vpc-id", vpc, "--service-name", "com.amazonaws.us-east-1.ssm", "--vpc-endpoint-type", "Interface", "--subnet-ids", subnetA, "--private-dns-enabled")
	fail("InvalidParameter", "create-vpc-endpoint", "--vpc-id", vpc, "--service-name", "com.amazonaws.us-east-1.s3", "--vpc-endpoint-type", "Gateway", "--subnet-ids", subnetA)
	fail("InvalidParameter", "create-vpc-endpoint", "--vpc-id", vpc, "--service-name", "com.amazonaws.us-east-1.kms", "--vpc-endpoint-type", "Interface", "--route-table-ids", rtb)
	fail("RouteAlreadyExists", "create-vpc-endpoint", "--vpc-id", vpc, "--service-name", "com.amazonaws.us-east-1.s3", "--route-table-ids", rtb)
	fail("InvalidPolicyDocument", "create-vpc-endpoint", "--vpc-id", vpc, "--service-name", "com.amazonaws.us-east-1.dynamodb", "--policy-document", "{oops")
	fail("InvalidVpcEndpointId.NotFound", "describe-vpc-endpoints", "--vpc-endpoint-ids", "vpce-0123456789abcdef0")
	fail("DependencyViolation", "delete-subnet", "--subnet-id", subnetA)

	got := run("describe-vpc-endpoints", "--filters", "Name=vpc-id,Values="+vpc, "Name=vpc-endpoint-type,Values=Interface")
	if n := len(path(got, "VpcEndpoints").([]any)); n != 1 {
		t.Errorf("describe-vpc-endpoints by type: %d", n)
	}
	svc := run("describe-vpc-endpoint-services", "--service-names", "com.amazonaws.us-east-1.ssm")
	if str(svc, "ServiceDetails", 0, "PrivateDnsName") != "ssm.us-east-1.amazonaws.com" || str(svc, "ServiceDetails", 0, "ServiceType", 0, "ServiceType") != "Interface" {
		t.Errorf("describe-vpc-endpoint-services = %v", svc)
	}
	pls := run("describe-prefix-lists", "--prefix-list-ids", "pl-63a5400a")
	if str(pls, "PrefixLists", 0, "PrefixListName") != "com.amazonaws.us-east-1.s3" {
		t.Errorf("describe-prefix-lists = %v", pls)
	}
	if n := len(path(run("get-managed-prefix-list-entries", "--prefix-list-id", "pl-02cd2c6b"), "Entries").([]any)); n == 0 {
		t.Error("get-managed-prefix-list-entries: no entries")
	}
	if str(run("describe-managed-prefix-lists", "--filters", "Name=owner-id,Values=AWS", "Name=prefix-list-name,Values=*dynamodb"), "PrefixLists", 0, "PrefixListId") != "pl-02cd2c6b" {
		t.Error("describe-managed-prefix-lists did not find DynamoDB's list")
	}
	own := str(run("create-managed-prefix-list", "--prefix-list-name", "office", "--max-entries", "5", "--address-family", "IPv4", "--entries", "Cidr=192.0.2.0/24,Description=hq"), "PrefixList", "PrefixListId")
	run("modify-managed-prefix-list", "--prefix-list-id", own, "--current-version", "1", "--add-entries", "Cidr=198.51.100.0/24")
	run("delete-managed-prefix-list", "--prefix-list-id", own)

	run("modify-vpc-endpoint", "--vpc-endpoint-id", ssmID, "--remove-subnet-ids", subnetB, "--no-private-dns-enabled")
	after := run("describe-vpc-endpoints", "--vpc-endpoint-ids", ssmID)
	if len(path(after, "VpcEndpoints", 0, "NetworkInterfaceIds").([]any)) != 1 || path(after, "VpcEndpoints", 0, "PrivateDnsEnabled") != false ||
		len(path(after, "VpcEndpoints", 0, "DnsEntries").([]any)) != 2 {
		t.Errorf("after modify-vpc-endpoint = %v", after)
	}
	run("modify-vpc-endpoint", "--vpc-endpoint-id", s3ID, "--policy-document", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`)
	run("modify-vpc-endpoint", "--vpc-endpoint-id", s3ID, "--reset-policy")
	fail("InvalidRouteTableId.NotFound", "modify-vpc-endpoint", "--vpc-endpoint-id", s3ID, "--remove-route-table-ids", "rtb-0123456789abcdef0")

	// vpce endpoints shows what the VPC has, for a person and as JSON.
	table := vpceCmd(t, acct, "endpoints", "--vpc-id", vpc)
	for _, want := range []string{ssmID, s3ID, "interface", "10.80.1.", "route      " + rtb + "  pl-63a5400a", "dns        vpce-"} {
		if !strings.Contains(table, want) {
			t.Errorf("vpce endpoints lacks %q:\n%s", want, table)
		}
	}
	var views []struct {
		ID         string `json:"vpcEndpointId"`
		Interfaces []struct {
			IP string `json:"privateIpAddress"`
		} `json:"networkInterfaces"`
	}
	if err := json.Unmarshal([]byte(vpceCmd(t, acct, "endpoints", "--vpc-id", vpc, "--output", "json")), &views); err != nil {
		t.Fatal(err)
	}
	if len(views) != 2 {
		t.Errorf("vpce endpoints --output json: %d endpoints", len(views))
	}

	del := run("delete-vpc-endpoints", "--vpc-endpoint-ids", ssmID, s3ID, "vpce-0123456789abcdef0")
	if n := len(path(del, "Unsuccessful").([]any)); n != 1 || str(del, "Unsuccessful", 0, "Error", "Code") != "InvalidVpcEndpoint.NotFound" {
		t.Errorf("delete-vpc-endpoints = %v", del)
	}
	if n := len(path(run("describe-route-tables", "--route-table-ids", rtb), "RouteTables", 0, "Routes").([]any)); n != 1 {
		t.Errorf("routes after deleting the gateway endpoint: %d", n)
	}
	run("delete-subnet", "--subnet-id", subnetA)
}

// vpceCmd runs the vpce binary against the shared server.
func vpceCmd(t *testing.T, account string, args ...string) string {
	t.Helper()
	all := append(args, "--endpoint-url", shared.url, "--access-key", account, "--secret-key", "x", "--region", "us-east-1")
	cmd := exec.Command(binary, all...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("vpce %v: %v: %s", args, err, errb.String())
	}
	return out.String()
}
