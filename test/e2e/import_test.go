package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportedAccount imports Batfish's interface-endpoint snapshot (a
// real account's describe-* outputs) with `vpce import`, serves it, and
// uses it as ordinary state: the aws CLI describes the imported resources
// under their own IDs, dig gets the endpoint's private DNS from the VPC's
// resolver, `vpce reach` gives Batfish's verdict, and `vpce export` writes
// it back.
func TestImportedAccount(t *testing.T) {
	state := filepath.Join(t.TempDir(), "acct")
	src, _ := filepath.Abs("../../internal/dump/testdata/batfish/test-vpc-endpoint-interface")
	out, err := exec.Command(binary, "import", src, "--state", state).CombinedOutput()
	// Every file of Batfish's dump is one vpce reads (its TransitGateways.json included).
	if err != nil || !strings.Contains(string(out), "554773406868/us-east-1") || strings.Contains(string(out), "ignored") {
		t.Fatalf("vpce import: %v\n%s", err, out)
	}
	s, err := startServer(state)
	if err != nil {
		t.Fatal(err)
	}
	defer s.stop()
	const acct, vpc = "554773406868", "vpc-072d45b801aeffef2"
	got, err := cliAt(t, s.url, acct, "describe-vpcs")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(path(got, "Vpcs").([]any)); n != 1 || str(got, "Vpcs", 0, "VpcId") != vpc {
		t.Fatalf("describe-vpcs after import: %v", got)
	}
	got, err = cliAt(t, s.url, acct, "describe-vpc-endpoints")
	if err != nil || str(got, "VpcEndpoints", 0, "VpcEndpointId") != "vpce-083c683a6be29b889" || str(got, "VpcEndpoints", 0, "State") != "available" {
		t.Fatalf("describe-vpc-endpoints: %v %v", got, err)
	}
	if a := dig(t, s, resolverOf(t, s, vpc), "cloudtrail.us-east-1.amazonaws.com", "+short"); a != "10.1.101.97" {
		t.Fatalf("dig cloudtrail in the imported VPC: %q", a)
	}
	o, code := reachCmd(t, s.url, acct, "x", "--from", "i-0eb6eb395a0d09117", "--to", "10.1.101.97")
	if code != 0 || !strings.Contains(o, "PRIVATE_INTERFACE_ENDPOINT") {
		t.Fatalf("vpce reach on the imported account: exit %d\n%s", code, o)
	}
	// The imported VPC can be changed like any other.
	if _, err := cliAt(t, s.url, acct, "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.1.200.0/24"); err != nil {
		t.Fatal(err)
	}
	s.stop()
	exp := t.TempDir()
	if out, err := exec.Command(binary, "export", exp, "--state", state).CombinedOutput(); err != nil {
		t.Fatalf("vpce export: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(exp, acct, "us-east-1", "Subnets.json"))
	if err != nil || !strings.Contains(string(b), "10.1.200.0/24") || !strings.Contains(string(b), "subnet-0bb8615d8368ece31") {
		t.Fatalf("exported subnets: %v\n%s", err, b)
	}
	// A state in use is refused with a clear message.
	s2, err := startServer(state)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.stop()
	if out, err := exec.Command(binary, "import", src, "--state", state).CombinedOutput(); err == nil || !strings.Contains(string(out), "in use") {
		t.Fatalf("import into a served state: %v\n%s", err, out)
	}
}
