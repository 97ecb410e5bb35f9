package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDoctorAndCost asks `vpce doctor` and `vpce cost` about a VPC built
// with the aws CLI, before and after the SSM recipe is complete.
func TestDoctorAndCost(t *testing.T) {
	acct := newAccount()
	run := cliRunner(t, acct)
	tool := func(args ...string) (map[string]any, int) {
		t.Helper()
		out, code := reachCmdAs(t, shared.url, acct, args...)
		m := map[string]any{}
		if code < 2 {
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatalf("vpce %v: %v\n%s", args, err, out)
			}
		}
		return m, code
	}
	vpc := str(run("create-vpc", "--cidr-block", "10.60.0.0/16"), "Vpc", "VpcId")
	run("modify-vpc-attribute", "--vpc-id", vpc, "--enable-dns-hostnames")
	sn := str(run("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.60.1.0/24", "--availability-zone", "us-east-1a"), "Subnet", "SubnetId")
	run("run-instances", "--image-id", "ami-12345678", "--subnet-id", sn)
	rtb := str(run("describe-route-tables", "--filters", "Name=vpc-id,Values="+vpc), "RouteTables", 0, "RouteTableId")
	time.Sleep(400 * time.Millisecond)

	m, code := tool("doctor", "--vpc", vpc, "-o", "json")
	if code != 1 || !strings.Contains(mustJSON(m), `"SSM_UNREACHABLE"`) {
		t.Fatalf("doctor before: exit %d %v", code, m)
	}
	sg := str(run("create-security-group", "--group-name", "ep", "--description", "ep", "--vpc-id", vpc), "GroupId")
	run("authorize-security-group-ingress", "--group-id", sg, "--protocol", "tcp", "--port", "443", "--cidr", "10.60.0.0/16")
	for _, svc := range []string{"ssm", "ssmmessages", "ec2messages"} {
		run("create-vpc-endpoint", "--vpc-id", vpc, "--vpc-endpoint-type", "Interface", "--service-name", "com.amazonaws.us-east-1."+svc,
			"--subnet-ids", sn, "--security-group-ids", sg, "--private-dns-enabled")
	}
	s3 := str(run("create-vpc-endpoint", "--vpc-id", vpc, "--service-name", "com.amazonaws.us-east-1.s3", "--route-table-ids", rtb), "VpcEndpoint", "VpcEndpointId")
	time.Sleep(400 * time.Millisecond)
	// SSM works now; the S3 gateway endpoint's default policy is the one
	// high finding left.
	m, code = tool("doctor", "--vpc", vpc, "-o", "json")
	fs := m["findings"].([]any)
	if code != 1 || len(fs) != 1 || str(m, "findings", 0, "code") != "ENDPOINT_ALLOWS_ANY_ACCOUNT" || str(m, "findings", 0, "resources", 0) != s3 {
		t.Fatalf("doctor after: exit %d %v", code, m)
	}
	if _, code = tool("doctor", "--vpc", vpc, "--check", "ssm", "-o", "json"); code != 0 {
		t.Fatalf("doctor --check ssm: exit %d", code)
	}
	if _, code = tool("doctor", "--check", "nope"); code != 2 {
		t.Fatalf("unknown check: exit %d", code)
	}
	// Cost: three interface endpoints in one zone ($7.30 each), S3 free.
	usage := filepath.Join(t.TempDir(), "usage.json")
	os.WriteFile(usage, []byte(`[{"vpc":"`+vpc+`","service":"s3","gbPerMonth":500},{"vpc":"`+vpc+`","service":"ssm","gbPerMonth":10}]`), 0o644)
	m, code = tool("cost", "--vpc", vpc, "--usage", usage, "-o", "json")
	if code != 0 || m["currency"] != "USD" || m["priceDate"] == "" || m["monthlyTotal"] != 21.9+0.1 {
		t.Fatalf("cost: exit %d %v", code, m)
	}
	if str(m, "traffic", 0, "path") != "PRIVATE_GATEWAY_ENDPOINT" || str(m, "traffic", 1, "path") != "PRIVATE_INTERFACE_ENDPOINT" {
		t.Errorf("traffic %v", m["traffic"])
	}
}

// reachCmdAs runs a vpce subcommand against a server as an account.
func reachCmdAs(t *testing.T, url, account string, args ...string) (string, int) {
	t.Helper()
	return runVpce(t, url, account, args...)
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
