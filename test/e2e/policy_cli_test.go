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
		!strings.Contains(out, "MISSING_PRINCIPAL") || !strings.Contains(out, "bad.json: refused: InvalidPolicyDocument: Actions/Conditions must be prefaced by a vendor") {
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
				EvalDecision         string
				MissingContextValues []string
				EvalDecisionDetails  map[string]string
				MatchedStatements    []struct {
					SourcePolicyId, SourcePolicyType string
					StartPosition                    struct{ Line, Column int }
				}
				ResourceSpecificResults []struct {
					EvalResourceName, EvalResourceDecision string
				}
				Vpce struct {
					DecidedBy                 string
					VpcEndpointDecisionDetail struct{ AllowedByVpcEndpoint bool }
					Explanation               string
				}
			}
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil || code != 0 {
			t.Fatalf("simulate -o json: exit %d, %v\n%s", code, err, out)
		}
		r := doc.EvaluationResults[0]
		if r.EvalDecision != tc.decision || r.Vpce.DecidedBy != tc.decider || r.Vpce.VpcEndpointDecisionDetail.AllowedByVpcEndpoint != (tc.decision == "allowed") {
			t.Errorf("%s endpoint: %+v", tc.typ, r)
		}
		// SimulateCustomPolicy's shape: a resource ARN was given, so
		// EvalDecisionDetails is there (empty in one account) and
		// ResourceSpecificResults repeats the decision for it.
		if r.EvalDecisionDetails == nil || len(r.EvalDecisionDetails) != 0 || len(r.ResourceSpecificResults) != 1 ||
			r.ResourceSpecificResults[0].EvalResourceDecision != tc.decision || r.ResourceSpecificResults[0].EvalResourceName != "arn:aws:s3:::reports/q3.csv" {
			t.Errorf("%s endpoint: AWS's per-resource fields: %s", tc.typ, out)
		}
		if tc.decision == "allowed" && (len(r.MatchedStatements) != 1 || r.MatchedStatements[0].SourcePolicyId != "PolicyInputList.1" || r.MatchedStatements[0].SourcePolicyType != "IAM Policy") {
			t.Errorf("%s endpoint: MatchedStatements = %+v", tc.typ, r.MatchedStatements)
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

// TestPolicyFidelityCLI drives the cases a security engineer checks first:
// a bucket policy that denies a role must deny its sessions, a grant to the
// account only delegates, a trust policy decides AssumeRole, and validate
// answers as Access Analyzer and IAM do.
func TestPolicyFidelityCLI(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"role.json":        `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
		"deny-role.json":   `{"Version":"2012-10-17","Statement":[{"Sid":"NoApp","Effect":"Deny","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"s3:*","Resource":"arn:aws:s3:::reports/*"}]}`,
		"grant-acct.json":  `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}`,
		"trust.json":       `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"sts:AssumeRole"}]}`,
		"legacy.json":      "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"allow\", \"Action\": \"s3:*\", \"Resource\": \"*\",\n   \"Condition\": {\"StringEquals\": {\"team\": \"x\"}}}\n}",
		"unknown-key.json": `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"team":"x"}}}}`,
	})
	p := func(name string) string { return filepath.Join(dir, name) }
	session := "arn:aws:sts::111122223333:assumed-role/app/i-0abc"

	out, _ := vpceRun(t, "policy", "simulate", "--identity-policy", p("role.json"), "--resource-policy", p("deny-role.json"),
		"--principal", session, "--action", "s3:GetObject", "--resource", "arn:aws:s3:::reports/q3.csv")
	if !strings.Contains(out, "Decision: explicitDeny (decided by the resource policy)") || !strings.Contains(out, "Deny NoApp") {
		t.Errorf("a bucket policy denying a role must deny its sessions:\n%s", out)
	}
	out, _ = vpceRun(t, "policy", "simulate", "--resource-policy", p("grant-acct.json"),
		"--principal", "arn:aws:iam::111122223333:user/bob", "--action", "s3:GetObject", "--resource", "arn:aws:s3:::reports/q3.csv")
	if !strings.Contains(out, "Decision: implicitDeny") || !strings.Contains(out, "only delegates") || !strings.Contains(out, "caller's account") {
		t.Errorf("an account grant must delegate to identity policies:\n%s", out)
	}
	out, _ = vpceRun(t, "policy", "simulate", "--trust-policy", p("trust.json"), "--principal", "arn:aws:iam::111122223333:user/alice",
		"--action", "sts:AssumeRole", "--resource", "arn:aws:iam::111122223333:role/admin")
	if !strings.Contains(out, "Decision: allowed (decided by the role trust policy)") {
		t.Errorf("trust policy naming the user:\n%s", out)
	}
	out, _ = vpceRun(t, "policy", "simulate", "--trust-policy", p("trust.json"), "--identity-policy", p("role.json"), "--principal", "arn:aws:iam::111122223333:user/bob",
		"--action", "sts:AssumeRole", "--resource", "arn:aws:iam::111122223333:role/admin")
	if !strings.Contains(out, "Decision: implicitDeny (decided by the role trust policy)") {
		t.Errorf("trust policy not naming the caller:\n%s", out)
	}
	if out, code := vpceRun(t, "policy", "simulate", "--principal", "arn:aws:sts::111122223333:assumed-role/app", "--action", "s3:GetObject"); code == 0 || !strings.Contains(out, "assumed-role") {
		t.Errorf("a session ARN without a session name was accepted: %s", out)
	}
	out, _ = vpceRun(t, "policy", "simulate", "--resource-policy", p("grant-acct.json"), "--principal", "arn:aws:iam::444455556666:user/x",
		"--action", "sqs:SendMessage", "--resource", "arn:aws:sqs:us-east-1:555566667777:q", "-o", "json")
	if !strings.Contains(out, `"ResourceAccount": "555566667777"`) || !strings.Contains(out, `"ResourceAccountFrom": "resource ARN"`) || !strings.Contains(out, `"IAM Policy": "implicitDeny"`) {
		t.Errorf("resource account from an SQS ARN, cross-account details:\n%s", out)
	}

	// validate -o json: Access Analyzer's ValidatePolicy shape, IAM's
	// answer beside it.
	out, code := vpceRun(t, "policy", "validate", "--kind", "identity", "-o", "json", p("legacy.json"))
	var rep struct {
		Findings []struct {
			FindingType, IssueCode, FindingDetails, LearnMoreLink string
			Locations                                             []struct {
				Path []map[string]any
				Span struct {
					Start, End struct{ Line, Column, Offset int }
				}
			}
		}
		VpceIAM struct {
			Accepted bool
			Code     string
			Message  string
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || code != 1 {
		t.Fatalf("validate -o json: exit %d %v\n%s", code, err, out)
	}
	if rep.VpceIAM.Accepted || rep.VpceIAM.Code != "MalformedPolicyDocument" || rep.VpceIAM.Message != "The policy failed legacy parsing" {
		t.Errorf("IAM's answer = %+v", rep.VpceIAM)
	}
	var effect, key bool
	for _, f := range rep.Findings {
		loc := f.Locations[0]
		switch f.IssueCode {
		case "INVALID_EFFECT":
			// "allow" on line 3, at 0-based column 26 of `  "Statement": {"Effect": "allow"`.
			effect = f.FindingType == "ERROR" && loc.Span.Start.Line == 3 && loc.Span.Start.Column == 26 && loc.Span.End.Offset-loc.Span.Start.Offset == len(`"allow"`) &&
				len(loc.Path) == 2 && loc.Path[0]["value"] == "Statement" && loc.Path[1]["value"] == "Effect" && strings.HasPrefix(f.LearnMoreLink, "https://docs.aws.amazon.com/")
		case "INVALID_CONDITION_KEY_FORMAT":
			key = len(loc.Path) == 4 && loc.Path[3]["key"] == "team"
		}
	}
	if !effect || !key {
		t.Errorf("findings in Access Analyzer's shape:\n%s", out)
	}
	out, code = vpceRun(t, "policy", "validate", "--kind", "identity", "-o", "json", p("role.json"))
	if code != 0 || !strings.Contains(out, `"findings": []`) || !strings.Contains(out, `"accepted": true`) {
		t.Errorf("a valid policy: exit %d\n%s", code, out)
	}
	// A file far larger than any policy is refused at once.
	big := filepath.Join(t.TempDir(), "big.json")
	os.WriteFile(big, []byte(strings.Repeat(" ", 300000)+"{}"), 0o644)
	if out, code := vpceRun(t, "policy", "validate", big); code == 0 || !strings.Contains(out, "more than 204800 bytes") {
		t.Errorf("validate of a 300 kB file: exit %d %s", code, out)
	}
	if out, code := vpceRun(t, "policy", "simulate", "--identity-policy", big, "--action", "s3:GetObject"); code == 0 || !strings.Contains(out, "more than 204800 bytes") {
		t.Errorf("simulate with a 300 kB file: exit %d %s", code, out)
	}
	// A key without a service prefix: IAM accepts it, Access Analyzer
	// reports it.
	out, code = vpceRun(t, "policy", "validate", "--kind", "identity", p("unknown-key.json"))
	if code != 1 || !strings.Contains(out, "INVALID_CONDITION_KEY_FORMAT") || !strings.Contains(out, "valid identity policy") {
		t.Errorf("condition key without a prefix: exit %d\n%s", code, out)
	}
}
