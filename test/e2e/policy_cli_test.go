package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func vpceRun(t *testing.T, args ...string) (string, int) {
	t.Helper()
	out, err := exec.Command(binary, args...).CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

// TestPolicyCLI runs `vpce policy validate` and `vpce policy simulate` as a
// user would, on the S3 guide's "only through this endpoint" bucket policy.
func TestPolicyCLI(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"role.json": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
		"bucket.json": `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "Access-to-specific-VPCE-only",
      "Principal": "*",
      "Action": "s3:*",
      "Effect": "Deny",
      "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"],
      "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1a2b3c4d5e6f7a8b9"}}
    }
  ]
}`,
		"endpoint.json": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}`,
		"bad.json":      "{\n  \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"GetObject\", \"Resource\": \"*\"}]\n}",
	})
	p := func(name string) string { return filepath.Join(dir, name) }

	out, code := vpceRun(t, "policy", "validate", "--kind", "endpoint", p("endpoint.json"))
	if code != 0 || !strings.Contains(out, "valid endpoint policy") {
		t.Errorf("validate a good policy: exit %d\n%s", code, out)
	}
	out, code = vpceRun(t, "policy", "validate", "--kind", "endpoint", p("bad.json"))
	if code != 1 || !strings.Contains(out, "bad.json:2:47: ERROR INVALID_ACTION: Actions/Conditions must be prefaced by a vendor") ||
		!strings.Contains(out, "MISSING_PRINCIPAL") {
		t.Errorf("validate a bad policy: exit %d\n%s", code, out)
	}

	base := []string{"policy", "simulate", "--identity-policy", p("role.json"), "--resource-policy", p("bucket.json"),
		"--principal", "arn:aws:iam::111122223333:role/app", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::reports/q3.csv"}
	out, code = vpceRun(t, base...)
	if code != 0 || !strings.Contains(out, "Decision: explicitDeny (decided by the resource policy)") ||
		!strings.Contains(out, "bucket.json:4:5-11:6 Deny Access-to-specific-VPCE-only") || !strings.Contains(out, "lacks: aws:SourceVpce") {
		t.Errorf("simulate from the internet: exit %d\n%s", code, out)
	}
	for _, tc := range []struct {
		typ, decision, decider string
	}{
		{"Interface", "allowed", "identity"},
		{"Gateway", "implicitDeny", "vpcEndpoint"}, // the account principal is only root on gateways
	} {
		args := append(append([]string{}, base...), "--endpoint-policy", p("endpoint.json"), "--endpoint-type", tc.typ, "--via-endpoint", "vpce-1a2b3c4d5e6f7a8b9", "-o", "json")
		out, code = vpceRun(t, args...)
		var doc struct {
			EvaluationResults []struct {
				EvalDecision              string
				DecidedBy                 string
				MissingContextValues      []string
				EvalDecisionDetails       map[string]string
				VpcEndpointDecisionDetail struct{ AllowedByVpcEndpoint bool }
				Explanation               string
			}
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 {
			t.Fatalf("simulate -o json: exit %d, %v\n%s", code, err, out)
		}
		r := doc.EvaluationResults[0]
		if r.EvalDecision != tc.decision || r.DecidedBy != tc.decider || r.VpcEndpointDecisionDetail.AllowedByVpcEndpoint != (tc.decision == "allowed") {
			t.Errorf("%s endpoint: %+v", tc.typ, r)
		}
	}
	// A Deny NotIpAddress policy blocks endpoint traffic, and the output
	// says why.
	dir2 := writeFiles(t, map[string]string{"corp.json": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},
		{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}`})
	out, _ = vpceRun(t, "policy", "simulate", "--identity-policy", filepath.Join(dir2, "corp.json"), "--principal", "arn:aws:iam::111122223333:role/app",
		"--action", "s3:GetObject", "--resource", "arn:aws:s3:::reports/x", "--via-endpoint", "vpce-1a2b3c4d5e6f7a8b9", "--context", "aws:SecureTransport:boolean=true")
	if !strings.Contains(out, "Decision: explicitDeny") || !strings.Contains(out, "carry no aws:SourceIp") {
		t.Errorf("Deny NotIpAddress through an endpoint:\n%s", out)
	}
	if out, code := vpceRun(t, "policy", "simulate", "--identity-policy", p("role.json"), "--action", "s3:GetObject", "--context", "aws:SourceIp:ip=not-an-ip"); code == 0 || !strings.Contains(out, "is not of type ip") {
		t.Errorf("a mistyped context value was accepted: %s", out)
	}
	if _, code := vpceRun(t, "policy", "simulate", "--identity-policy", p("bad.json"), "--action", "s3:GetObject"); code == 0 {
		t.Error("simulate accepted an invalid policy")
	}
}
