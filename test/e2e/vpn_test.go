package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOnPremisesToS3WithCLI is the first hybrid scenario, built
// with the aws CLI v2: on premises (192.168.10.0/24, behind a static VPN
// connection to the VPC's virtual private gateway) reaches S3 through the
// S3 interface endpoint; the gateway-endpoint path is reported
// unreachable, and why.
func TestOnPremisesToS3WithCLI(t *testing.T) {
	acct := newAccount()
	run := cliRunner(t, acct)
	vpc := str(run("create-vpc", "--cidr-block", "10.40.0.0/16"), "Vpc", "VpcId")
	sn := str(run("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.40.1.0/24", "--availability-zone", "us-east-1a"), "Subnet", "SubnetId")
	rt := str(run("describe-route-tables", "--filters", "Name=vpc-id,Values="+vpc), "RouteTables", 0, "RouteTableId")
	sg := str(run("create-security-group", "--group-name", "s3", "--description", "s3 from on premises", "--vpc-id", vpc), "GroupId")
	run("authorize-security-group-ingress", "--group-id", sg, "--protocol", "tcp", "--port", "443", "--cidr", "192.168.0.0/16")
	s3i := run("create-vpc-endpoint", "--vpc-endpoint-type", "Interface", "--vpc-id", vpc, "--service-name", "com.amazonaws.us-east-1.s3",
		"--subnet-ids", sn, "--security-group-ids", sg)
	s3iID := str(s3i, "VpcEndpoint", "VpcEndpointId")
	s3g := str(run("create-vpc-endpoint", "--vpc-id", vpc, "--service-name", "com.amazonaws.us-east-1.s3", "--route-table-ids", rt), "VpcEndpoint", "VpcEndpointId")

	cgw := run("create-customer-gateway", "--type", "ipsec.1", "--public-ip", "198.51.100.7", "--bgp-asn", "65010")
	cgwID := str(cgw, "CustomerGateway", "CustomerGatewayId")
	if str(cgw, "CustomerGateway", "BgpAsn") != "65010" || str(cgw, "CustomerGateway", "State") != "available" {
		t.Errorf("create-customer-gateway: %v", cgw)
	}
	vgw := str(run("create-vpn-gateway", "--type", "ipsec.1"), "VpnGateway", "VpnGatewayId")
	run("attach-vpn-gateway", "--vpn-gateway-id", vgw, "--vpc-id", vpc)
	cliErr(t, acct, "DependencyViolation", "delete-vpc", "--vpc-id", vpc)
	vpn := str(run("create-vpn-connection", "--type", "ipsec.1", "--customer-gateway-id", cgwID, "--vpn-gateway-id", vgw,
		"--options", `{"StaticRoutesOnly":true}`), "VpnConnection", "VpnConnectionId")
	run("create-vpn-connection-route", "--vpn-connection-id", vpn, "--destination-cidr-block", "192.168.10.0/24")
	for deadline := time.Now().Add(10 * time.Second); str(run("describe-vpn-connections", "--vpn-connection-ids", vpn), "VpnConnections", 0, "State") != "available"; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("VPN connection never available")
		}
	}
	d := run("describe-vpn-connections", "--vpn-connection-ids", vpn)
	if str(d, "VpnConnections", 0, "Routes", 0, "DestinationCidrBlock") != "192.168.10.0/24" || path(d, "VpnConnections", 0, "Options", "StaticRoutesOnly") != true {
		t.Errorf("describe-vpn-connections: %v", d)
	}

	reach := func(to string, more ...string) map[string]any {
		t.Helper()
		out, _ := reachCmd(t, shared.url, acct, "secret", append([]string{"--from", "192.168.10.5", "--to", to, "-o", "json"}, more...)...)
		m := map[string]any{}
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("vpce reach: %v: %s", err, out)
		}
		return m
	}
	r := reach(s3iID)
	if r["verdict"] != "BLOCKED" || str(r, "explanations", 0, "code") != "NO_ROUTE_TO_DESTINATION" || !strings.Contains(str(r, "fix", 0), "enable-vgw-route-propagation") {
		t.Fatalf("before propagation: %v %v", r["explanations"], r["fix"])
	}
	run("enable-vgw-route-propagation", "--route-table-id", rt, "--gateway-id", vgw)
	rts := run("describe-route-tables", "--route-table-ids", rt)
	if str(rts, "RouteTables", 0, "PropagatingVgws", 0, "GatewayId") != vgw {
		t.Errorf("propagating gateways: %v", path(rts, "RouteTables", 0, "PropagatingVgws"))
	}
	var prop string
	for _, x := range path(rts, "RouteTables", 0, "Routes").([]any) {
		if m := x.(map[string]any); m["Origin"] == "EnableVgwRoutePropagation" {
			prop = str(m, "DestinationCidrBlock") + "→" + str(m, "GatewayId")
		}
	}
	if prop != "192.168.10.0/24→"+vgw {
		t.Errorf("propagated route = %q", prop)
	}
	if r := reach(s3iID); r["verdict"] != "PRIVATE_INTERFACE_ENDPOINT" || str(r, "source", "kind") != "on-premises" {
		t.Fatalf("to the S3 interface endpoint: %v %v", r["verdict"], r["explanations"])
	}
	// The data plane from on premises: the aws CLI v2 at 192.168.10.5,
	// given the S3 interface endpoint's URL as AWS documents it
	// (https://bucket.vpce-…), creates, fills and lists a bucket through
	// it; S3's own name is refused (it leads to the gateway endpoint).
	bucket, epURL := "onprem-"+acct, "https://bucket"+strings.TrimPrefix(str(s3i, "VpcEndpoint", "DnsEntries", 0, "DnsName"), "*")
	file := filepath.Join(t.TempDir(), "q3.csv")
	os.WriteFile(file, []byte("region,total\nus-east-1,42\n"), 0o644)
	for _, args := range [][]string{
		{awsCLI, "s3api", "create-bucket", "--bucket", bucket, "--endpoint-url", epURL},
		{awsCLI, "s3", "cp", file, "s3://" + bucket + "/q3.csv", "--endpoint-url", epURL},
	} {
		if out, code := vexec(t, shared, acct, "192.168.10.5", args...); code != 0 {
			t.Fatalf("%v from on premises: exit %d\n%s", args, code, out)
		}
	}
	if out, code := vexec(t, shared, acct, "192.168.10.5", awsCLI, "s3", "ls", "s3://"+bucket, "--endpoint-url", epURL); code != 0 || !strings.Contains(out, "q3.csv") {
		t.Fatalf("s3 ls from on premises: exit %d\n%s", code, out)
	}
	if out, code := vexec(t, shared, acct, "192.168.10.5", "curl", "-sv", "https://s3.us-east-1.amazonaws.com/"+bucket+"/q3.csv"); code == 0 ||
		!strings.Contains(out, "X-Vpce-Reason: GATEWAY_ENDPOINT_NOT_REACHABLE_FROM_ON_PREMISES") {
		t.Fatalf("S3's own name from on premises: exit %d\n%s", code, out)
	}
	name := "reports" + strings.TrimPrefix(str(s3i, "VpcEndpoint", "DnsEntries", 0, "DnsName"), "*")
	if r := reach(name); r["verdict"] != "PRIVATE_INTERFACE_ENDPOINT" {
		t.Errorf("to %s: %v %v", name, r["verdict"], r["explanations"])
	}
	for _, to := range []string{s3g, "s3.us-east-1.amazonaws.com"} {
		r := reach(to)
		if r["verdict"] != "BLOCKED" || str(r, "explanations", 0, "code") != "GATEWAY_ENDPOINT_NOT_REACHABLE_FROM_ON_PREMISES" ||
			!strings.Contains(str(r, "explanations", 0, "message"), "interface endpoint") {
			t.Errorf("to %s: %v %v", to, r["verdict"], r["explanations"])
		}
	}

	// DNS from on premises: private DNS for the S3 interface endpoint is,
	// beside the gateway endpoint, for inbound Resolver endpoints only. On
	// premises asks the VPC's inbound endpoint and gets the interface
	// endpoint's address for S3's public name; the VPC itself keeps the
	// gateway endpoint.
	run("modify-vpc-attribute", "--vpc-id", vpc, "--enable-dns-hostnames", `{"Value":true}`)
	run("modify-vpc-endpoint", "--vpc-endpoint-id", s3iID, "--private-dns-enabled")
	waitEndpointCLI(t, run, s3iID)
	in, err := awsService(t, acct, "route53resolver", "create-resolver-endpoint", "--creator-request-id", "onprem-"+acct, "--direction", "INBOUND",
		"--security-group-ids", sg, "--ip-addresses", "SubnetId="+sn, "SubnetId="+sn)
	if err != nil {
		t.Fatal(err)
	}
	inID := str(in, "ResolverEndpoint", "Id")
	ip := str(waitEndpointCLI(t, run, s3iID), "PrivateIpAddress")
	if got := dig(t, shared, servedAt(t, shared, vpc, inID), "+short", "s3.us-east-1.amazonaws.com"); got != ip {
		t.Errorf("dig S3 at the inbound endpoint = %q, want %s", got, ip)
	}
	if got := dig(t, shared, resolverOf(t, shared, vpc), "+short", "s3.us-east-1.amazonaws.com"); got == ip || got == "" {
		t.Errorf("dig S3 in the VPC = %q, want public addresses", got)
	}
	// The query itself must reach the inbound endpoint: its group admits
	// 443 only, so udp/53 from on premises is refused at the group.
	r = reach("s3.us-east-1.amazonaws.com", "--dns", inID)
	if r["verdict"] != "BLOCKED" || str(r, "explanations", 0, "code") != "ENI_SG_RULES_MISMATCH" || !strings.Contains(str(r, "explanations", 0, "message"), inID) {
		t.Errorf("DNS query to %s through a group without udp/53: %v %v", inID, r["verdict"], r["explanations"])
	}
	run("authorize-security-group-ingress", "--group-id", sg, "--protocol", "udp", "--port", "53", "--cidr", "192.168.0.0/16")
	r = reach("s3.us-east-1.amazonaws.com", "--dns", inID)
	// The data plane from on premises whose name servers forward to the
	// inbound endpoint: the aws CLI needs no endpoint URL, S3's own name
	// answers the interface endpoint.
	cmd := exec.Command(binary, "exec", "--from", "192.168.10.5", "--dns", inID, "--endpoint-url", shared.url, "--", awsCLI, "s3", "ls", "s3://"+bucket)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+acct, "AWS_SECRET_ACCESS_KEY=secret", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_MAX_ATTEMPTS=1")
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "q3.csv") {
		t.Errorf("aws s3 ls from on premises resolving at %s: %v\n%s", inID, err, out)
	}
	if r["verdict"] != "PRIVATE_INTERFACE_ENDPOINT" || !strings.Contains(str(r, "hops", 0, "rule"), inID) {
		t.Errorf("to S3 by name, resolved at %s: %v %v %v", inID, r["verdict"], r["explanations"], r["hops"])
	}
}
