package policy

import (
	"encoding/json"
	"strings"
	"testing"
)

// stmt wraps statement members in an identity policy of version
// 2012-10-17.
func stmt(members string) string {
	return `{"Version":"2012-10-17","Statement":{` + members + `}}`
}

// TestIAMRefusals pins the one message IAM's CreatePolicy answers with
// (MalformedPolicyDocument) for each document, including the order of its
// checks when several fail. The cases are AWS behaviour recorded from real
// CreatePolicy calls (the answers other emulators' IAM suites check
// against), and the IAM quotas and grammar pages
// (reference_policies_grammar.html, reference_iam-quotas.html).
func TestIAMRefusals(t *testing.T) {
	const b = `"Resource":"arn:aws:s3:::example_bucket"`
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"not-json", "This is not a json document", "Syntax errors in policy."},
		{"no-version", `{"Statement":{"Effect":"Allow","Action":"s3:ListBucket",` + b + `}}`, "Policy document must be version 2012-10-17 or greater."},
		{"version-2008", `{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket",` + b + `}}`, "Policy document must be version 2012-10-17 or greater."},
		{"version-unknown", `{"Version":"2013-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket",` + b + `}}`, "Syntax errors in policy."},
		{"no-statement", `{"Version":"2012-10-17"}`, "Syntax errors in policy."},
		{"statement-string", `{"Version":"2012-10-17","Statement":["afd"]}`, "Syntax errors in policy."},
		{"empty-statement", `{"Version":"2012-10-17","Statement":[]}`, "Syntax errors in policy."},
		{"extra-top-element", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:ListBucket",` + b + `},"Extra field":"value"}`, "Syntax errors in policy."},
		{"extra-statement-element", stmt(`"Effect":"Allow","Action":"s3:ListBucket",` + b + `,"Extra field":"value"`), "Syntax errors in policy."},
		{"id-array", `{"Version":"2012-10-17","Id":["x"],"Statement":{"Effect":"Allow","Action":"s3:ListBucket",` + b + `}}`, "Syntax errors in policy."},
		{"effect-invalid", stmt(`"Effect":"invalid","Action":"s3:ListBucket",` + b), "Syntax errors in policy."},
		{"effect-missing", stmt(`"Action":"s3:ListBucket",` + b), "Syntax errors in policy."},
		{"effect-case", stmt(`"Effect":"denY","Action":"s3:ListBucket",` + b), "The policy failed legacy parsing"},
		{"effect-case-beats-missing-action", stmt(`"Effect":"allow","Resource":"arn:aws:s3:us-east-1::example_bucket"`), "The policy failed legacy parsing"},
		{"effect-case-beats-sid", `{"Version":"2012-10-17","Statement":[{"Sid":"sdf","Effect":"aLLow","Action":"s3:ListBucket",` + b + `},{"Sid":"sdf","Effect":"Allow"}]}`, "The policy failed legacy parsing"},
		{"version-beats-legacy", `{"Statement":{"Effect":"denY","Action":"s3:ListBucket",` + b + `}}`, "Policy document must be version 2012-10-17 or greater."},
		{"action-no-vendor", stmt(`"Effect":"Allow","Action":"invalid",` + b), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"notaction-empty-string", stmt(`"Effect":"Allow","NotAction":"",` + b), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"action-vendor-space", stmt(`"Effect":"Allow","Action":"a a:ListBucket",` + b), "Vendor a a is not valid"},
		{"action-two-colons", stmt(`"Effect":"Allow","Action":"s3:List:Bucket",` + b), "Actions/Condition can contain only one colon."},
		{"action-vendor-before-missing-resource", stmt(`"Effect":"Allow","Action":"invalid"`), "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."},
		{"resource-format-before-action", stmt(`"Effect":"Allow","Action":"s:3:ListBucket","Resource":"sdfsadf"`), `Resource sdfsadf must be in ARN format or "*".`},
		{"resource-not-arn", stmt(`"Effect":"Allow","Action":"s3:ListBucket","Resource":"invalid resource"`), `Resource invalid resource must be in ARN format or "*".`},
		{"resource-empty-string", stmt(`"Effect":"Allow","Action":"s3:ListBucket","Resource":""`), `Resource  must be in ARN format or "*".`},
		{"resource-one-field-filled", stmt(`"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:bsdfdsafsad"`), `Partition "bsdfdsafsad" is not valid for resource "arn:bsdfdsafsad:*:*:*:*".`},
		{"resource-two-fields-filled", stmt(`"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:b:cadfsdf"`), `Partition "b" is not valid for resource "arn:b:cadfsdf:*:*:*".`},
		{"resource-many-fields", stmt(`"Effect":"Allow","NotAction":"s3s:ListBucket","Resource":"a:b:c:d:e:f:g:h"`), `Partition "b" is not valid for resource "arn:b:c:d:e:f:g:h".`},
		{"resource-no-arn-prefix", stmt(`"Effect":"Allow","Action":"s3:ListBucket","Resource":"aws:s3:::example_bucket"`), `Partition "s3" is not valid for resource "arn:s3:::example_bucket:*".`},
		{"resource-partition-first-of-list", stmt(`"Effect":"Allow","Action":"s3:ListBucket","Resource":["arn:error:s3:::example_bucket","arn:error:s3::example_bucket"]`), `Partition "error" is not valid for resource "arn:error:s3:::example_bucket".`},
		{"resource-vendor-missing", stmt(`"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws"`), "Resource vendor must be fully qualified and cannot contain regexes."},
		{"resource-vendor-wildcard", stmt(`"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s*:::b"`), "Resource vendor must be fully qualified and cannot contain regexes."},
		{"resource-vendor-empty", stmt(`"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws::fdsasf"`), "The policy failed legacy parsing"},
		{"resource-vendor-empty-notaction", stmt(`"Effect":"Allow","NotAction":"s3:ListBucket","Resource":"arn:aws::::example_bucket"`), "The policy failed legacy parsing"},
		{"s3-account-not-id", stmt(`"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3::example_bucket"`), "The policy failed legacy parsing"},
		{"s3-account-not-id-notresource", stmt(`"Effect":"Allow","Action":"s3:ListBucket","NotResource":"arn:aws:s3::example_bucket"`), "The policy failed legacy parsing"},
		{"s3-region", stmt(`"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:s3:us-east-1::example_bucket"`), "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information."},
		{"iam-region", stmt(`"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:us-east-1::example_bucket"`), "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information."},
		{"iam-path", stmt(`"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:::example_bucket"`), msgIAMPath},
		{"resource-object", stmt(`"Effect":"Allow","Action":"s3:ListBucket","Resource":{"a":"arn:aws:s3:::example_bucket"}`), "Syntax errors in policy."},
		{"resource-list-with-object", stmt(`"Effect":"Deny","Action":"s3:ListBucket","Resource":["adfdf",{}]`), "Syntax errors in policy."},
		{"resource-and-notresource", stmt(`"Effect":"Allow","NotAction":"s3:ListBucket",` + b + `,"NotResource":[]`), "Syntax errors in policy."},
		{"action-and-notaction", stmt(`"Effect":"Allow","NotAction":"s3:ListBucket","Action":"iam:dsf",` + b), "Syntax errors in policy."},
		{"action-nested-list", stmt(`"Effect":"Deny","Action":[[]],` + b), "Syntax errors in policy."},
		{"action-object", stmt(`"Effect":"Allow","Action":{},` + b), "Syntax errors in policy."},
		{"no-resource", stmt(`"Effect":"Allow","Action":"s3:ListBucket"`), "Policy statement must contain resources."},
		{"empty-resource-list", stmt(`"Effect":"Allow","Action":"s3:ListBucket","Resource":[]`), "Policy statement must contain resources."},
		{"no-action", stmt(`"Effect":"Allow",` + b), "Policy statement must contain actions."},
		{"empty-action-list", stmt(`"Effect":"Allow","Action":[],` + b), "Policy statement must contain actions."},
		{"effect-only", stmt(`"Effect":"Allow"`), "Policy statement must contain actions."},
		{"first-statement-first", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny"},{"Effect":"Allow","Action":"s3:ListBucket",` + b + `}]}`, "Policy statement must contain actions."},
		{"sid-unique-before-actions", `{"Version":"2012-10-17","Statement":[{"Sid":"sdf","Effect":"Allow","Action":"s3:ListBucket",` + b + `},{"Sid":"sdf","Effect":"Allow"}]}`, "Statement IDs (SID) in a single policy must be unique."},
		{"sid-object", stmt(`"Sid":{},"Effect":"Allow","Action":"s3:ListBucket",` + b), "Syntax errors in policy."},
		{"condition-array", stmt(`"Effect":"Allow","Action":"s3:ListBucket",` + b + `,"Condition":[]`), "Syntax errors in policy."},
		{"condition-string", stmt(`"Effect":"Allow","Action":"s3:ListBucket",` + b + `,"Condition":"a"`), "Syntax errors in policy."},
		{"condition-operator-string", stmt(`"Effect":"Allow","Action":"s3:ListBucket",` + b + `,"Condition":{"DateGreaterThan":"b"}`), "Syntax errors in policy."},
		{"condition-value-object", stmt(`"Effect":"Allow","Action":"s3:ListBucket",` + b + `,"Condition":{"DateGreaterThan":{"a":{}}}`), "Syntax errors in policy."},
		{"condition-unknown-operator", stmt(`"Effect":"Allow","Action":"s3:ListBucket",` + b + `,"Condition":{"x":{"a":"1"}}`), "Syntax errors in policy."},
		{"condition-double-colon", stmt(`"Effect":"Allow","Action":"s3:ListBucket",` + b + `,"Condition":{"ForAnyValue::StringEqualsIfExists":{"a":"asf"}}`), "Syntax errors in policy."},
		{"date-invalid", stmt(`"Effect":"Allow","Action":"s3:ListBucket",` + b + `,"Condition":{"DateGreaterThan":{"a":"sdfdsf"}}`), "The policy failed legacy parsing"},
		{"date-beats-partition", stmt(`"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:error:s3:::example_bucket","Condition":{"DateGreaterThan":{"a":"sdfdsf"}}`), "The policy failed legacy parsing"},
		{"date-short-offset", stmt(`"Effect":"Allow","Action":"s3:ListBucket",` + b + `,"Condition":{"DateLessThanEquals":{"a":"2016-12-13t2:00:00.593194+1"}}`), "The policy failed legacy parsing"},
		{"date-overflow", stmt(`"Effect":"Allow","Action":"s3:ListBucket",` + b + `,"Condition":{"DateLessThan":{"a":"9223372036854775808"}}`), "The policy failed legacy parsing"},
		{"arn-operator-not-arn", stmt(`"Effect":"Allow","Action":"s3:ListBucket",` + b + `,"Condition":{"ArnLike":{"aws:SourceArn":"bucket-name"}}`), "The policy failed legacy parsing"},
		{"character", stmt(`"Sid":"Ā","Effect":"Allow","Action":"s3:ListBucket",` + b), "Syntax errors in policy."},
		{"duplicate-element", stmt(`"Effect":"Allow","Effect":"Deny","Action":"s3:*",` + b), "Syntax errors in policy."},
		{"principal-in-identity", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:*",` + b), "Policy document should not specify a principal."},
		// Accepted by IAM.
		{"ok-action-name-unchecked", stmt(`"Effect":"Allow","Action":"iam: asdf safdsf af ",` + b), ""},
		{"ok-vendor-dash-dot", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3-s:ListBucket",` + b + `},{"Effect":"Allow","Action":"s3.s:ListBucket",` + b + `}]}`, ""},
		{"ok-fields-filled", stmt(`"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:fdsasf"`), ""},
		{"ok-unknown-vendor", stmt(`"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:invalid-service:us-east-1::example_bucket"`), ""},
		{"ok-placeholders-outside-s3", stmt(`"Effect":"Allow","Action":"ec2:StartInstances","Resource":"arn:aws:ec2:region:account-id:instance/*"`), ""},
		{"ok-iam-user-path", stmt(`"Effect":"Allow","Action":"s3:ListBucket","Resource":"arn:aws:iam:::user/example_bucket"`), ""},
		{"ok-s3-access-point", stmt(`"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point","arn:aws:s3:us-west-2:123456789012:accesspoint/my-access-point/object/*"]`), ""},
		{"ok-s3-multi-region-access-point", stmt(`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap"`), ""},
		{"ok-outposts", stmt(`"Effect":"Allow","Action":"s3-outposts:*","Resource":"arn:aws:s3-outposts:us-west-2:123456789012:outpost/op-01ac5d28a6a232904/bucket/example"`), ""},
		{"ok-empty-condition", stmt(`"Effect":"Allow","Action":"s3:ListBucket",` + b + `,"Condition":{}`), ""},
		{"ok-unknown-operator-empty", stmt(`"Effect":"Allow","Action":"s3:ListBucket",` + b + `,"Condition":{"x":{},"y":{}}`), ""},
		{"ok-operator-no-keys", stmt(`"Effect":"Allow","Action":"s3:ListBucket",` + b + `,"Condition":{"DateGreaterThan":{}}`), ""},
		{"ok-condition-empty-values", stmt(`"Effect":"Allow","Action":"s3:ListBucket",` + b + `,"Condition":{"DateGreaterThan":{"a":[]}}`), ""},
		{"ok-key-without-prefix", stmt(`"Effect":"Allow","Action":"s3:ListBucket",` + b + `,"Condition":{"ForAnyValue:StringEqualsIfExists":{"a":"asf"}}`), ""},
		{"ok-date-lenient", stmt(`"Effect":"Allow","Action":"s3:ListBucket",` + b + `,"Condition":{"DateGreaterThan":{"a":"01T"},"DateLessThanEquals":{"b":"2016-12-13t2:00:00.593194+23"},"DateLessThan":{"c":"-292275054"}}`), ""},
		{"ok-empty-sids", `{"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Action":"rds:*","Resource":["arn:aws:rds:region:*:*"]},{"Sid":"","Effect":"Allow","Action":["rds:Describe*"],"Resource":["*"]}]}`, ""},
		{"ok-notaction-notresource", stmt(`"Effect":"Allow","NotAction":"s3:ListBucket","NotResource":"*"`), ""},
		{"ok-bool-variable", stmt(`"Effect":"Allow","Action":"s3:*",` + b + `,"Condition":{"Bool":{"aws:SecureTransport":"${aws:SecureTransport}"}}`), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, fs := Parse("t", KindIdentity, tc.doc)
			got := ""
			if f := Refusal(fs); f != nil {
				got = f.Message
			}
			if got != tc.want {
				t.Errorf("IAM answer = %q, want %q\nfindings: %v", got, tc.want, fs)
			}
			if (p == nil) != (tc.want != "") {
				t.Errorf("Parse returned policy %v with answer %q", p != nil, got)
			}
		})
	}
}

// TestFindingPositions: each finding points at its element, 1-based in
// Pos, with Access Analyzer's path and span in Location.
func TestFindingPositions(t *testing.T) {
	for _, tc := range []struct {
		name, doc, code string
		pos             Position
		path            string
	}{
		{"json", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [ }", "JSON_SYNTAX_ERROR", Position{3, 18, 46}, ""},
		{"unknown-element", stmt(`"Effect":"Allow","Action":"s3:*","Resource":"*","Colour":"red"`), "INVALID_POLICY_ELEMENT", Position{1, 86, 85}, `[{"value":"Statement"},{"key":"Colour"}]`},
		{"effect", `{"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"s3:*","Resource":"*"}]}`, "INVALID_EFFECT", Position{1, 48, 47}, `[{"value":"Statement"},{"index":0},{"value":"Effect"}]`},
		{"action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get","GetObject"],"Resource":"*"}]}`, "INVALID_ACTION", Position{1, 75, 74}, `[{"value":"Statement"},{"index":0},{"value":"Action"},{"index":1}]`},
		{"no-action", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`, "MISSING_ACTION", Position{1, 38, 37}, `[{"value":"Statement"},{"index":0}]`},
		{"condition-key", stmt(`"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"team":"x"}}`), "INVALID_CONDITION_KEY_FORMAT", Position{1, 115, 114}, `[{"value":"Statement"},{"value":"Condition"},{"value":"StringEquals"},{"key":"team"}]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, fs := Parse("t", KindIdentity, tc.doc)
			var f *Finding
			for i := range fs {
				if fs[i].Code == tc.code {
					f = &fs[i]
				}
			}
			if f == nil {
				t.Fatalf("findings = %v, want code %s", fs, tc.code)
			}
			if f.Pos != tc.pos {
				t.Errorf("position = %+v, want %+v", f.Pos, tc.pos)
			}
			if tc.path != "" {
				b, _ := json.Marshal(f.Location.Path)
				if string(b) != tc.path {
					t.Errorf("path = %s, want %s", b, tc.path)
				}
			}
			if f.Location.End.Offset < f.Location.Start.Offset {
				t.Errorf("span ends before it starts: %+v", f.Location)
			}
		})
	}
}

// TestEndpointPolicyRules: the PrivateLink guide's rules for endpoint
// policies, on top of IAM's.
func TestEndpointPolicyRules(t *testing.T) {
	for _, tc := range []struct {
		name, doc, code, msg string
	}{
		{"no-resource", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*"}]}`, "MISSING_RESOURCE", "Policy statement must contain resources."},
		{"needs-principal", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, "MISSING_PRINCIPAL", "must have a Principal"},
		{"id-key-numeric", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"NumericEquals":{"aws:PrincipalAccount":"1"}}}]}`, "INVALID_OPERATOR_FOR_KEY", "Numeric operators"},
		{"id-key-short-wildcard", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:SourceVpc":"vpc-*"}}}]}`, "WILDCARD_IN_ID_KEY", "6 consecutive literal characters"},
		{"principal-wildcard", `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1111*:root"},"Action":"*","Resource":"*"}]}`, "INVALID_PRINCIPAL_FORMAT", "Invalid principal in policy"},
		{"size", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Sid":"` + strings.Repeat("x", 20480) + `"}]}`, "POLICY_SIZE_EXCEEDED", "20480"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, fs := Parse("t", KindEndpoint, tc.doc)
			f := Refusal(fs)
			if p != nil || f == nil {
				t.Fatalf("accepted: %v", fs)
			}
			if f.Code != tc.code || !strings.Contains(f.Message, tc.msg) {
				t.Errorf("refusal = %s %q, want %s %q", f.Code, f.Message, tc.code, tc.msg)
			}
		})
	}
}

// TestAdvice: findings Access Analyzer reports on policies that IAM
// accepts.
func TestAdvice(t *testing.T) {
	for _, tc := range []struct {
		name, doc, code string
	}{
		{"key-without-prefix", stmt(`"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"team":"x"}}`), "INVALID_CONDITION_KEY_FORMAT"},
		{"bool-not-boolean", stmt(`"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}`), "DATA_TYPE_MISMATCH"},
		{"numeric-not-number", stmt(`"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}`), "DATA_TYPE_MISMATCH"},
		{"missing-arn-field", stmt(`"Effect":"Allow","Action":"sqs:*","Resource":"arn:aws:sqs:us-east-1"`), "MISSING_ARN_FIELD"},
		{"set-operator-single-valued", stmt(`"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"ForAllValues:StringEquals":{"aws:SourceVpce":"vpce-1"}}`), "FOR_ALL_VALUES_WITH_SINGLE_VALUED_KEY"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, fs := Parse("t", KindIdentity, tc.doc)
			if p == nil {
				t.Fatalf("IAM accepts this policy, Parse refused it: %v", fs)
			}
			found := false
			for _, f := range fs {
				found = found || f.Code == tc.code && !f.Refused
			}
			if !found {
				t.Errorf("findings = %v, want advice %s", fs, tc.code)
			}
		})
	}
}

func TestParseGrammar(t *testing.T) {
	// Statement as an object, every value as a string or an array, all
	// principal forms, 2008-10-17.
	p, fs := Parse("ok", KindResource, `{"Version":"2008-10-17","Id":"x","Statement":{"Sid":"s","Effect":"Allow",
		"Principal":{"AWS":["111122223333","arn:aws:iam::444455556666:role/r"],"Service":"ec2.amazonaws.com","Federated":"cognito-identity.amazonaws.com","CanonicalUser":"abc"},
		"Action":["s3:GetObject"],"Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":true}}}}`)
	if p == nil {
		t.Fatal(fs)
	}
	s := p.Statements[0]
	if p.ID != "x" || s.Sid != "s" || len(s.Principal.AWS) != 2 || len(s.Principal.Service) != 1 || len(s.Conditions) != 1 {
		t.Errorf("parsed = %+v %+v", p, s)
	}
	if s.Start.Line != 1 || s.Start.Column != 46 || s.End.Line != 3 {
		t.Errorf("statement spans %v–%v", s.Start, s.End)
	}
	r := &Request{PrincipalService: "ec2.amazonaws.com", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}
	r.Context.Set("aws:SecureTransport", "true")
	if Evaluate(&Input{Resource: p}, r).Decision != Allowed {
		t.Error("service principal not matched")
	}
	for _, tc := range []struct {
		r    Request
		want Decision
	}{
		{Request{PrincipalFederated: "cognito-identity.amazonaws.com"}, Allowed},
		{Request{PrincipalCanonicalUser: "abc"}, Allowed},
		{Request{PrincipalCanonicalUser: "abd"}, ImplicitDeny},
		{Request{PrincipalARN: "arn:aws:iam::444455556666:role/r"}, Allowed},
		{Request{PrincipalARN: "arn:aws:iam::444455556666:role/other"}, ImplicitDeny},
		// The account form delegates to the account's identity policies,
		// which this request has none of.
		{Request{PrincipalARN: "arn:aws:iam::111122223333:user/any"}, ImplicitDeny},
	} {
		tc.r.Action, tc.r.Resource = "s3:GetObject", "arn:aws:s3:::b/k"
		tc.r.Context.Set("aws:SecureTransport", "true")
		if got := Evaluate(&Input{Resource: p}, &tc.r).Decision; got != tc.want {
			t.Errorf("principal %+v: %s, want %s", tc.r, got, tc.want)
		}
	}
	// A missing Version is accepted with a warning.
	p, fs = Parse("nov", KindEndpoint, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`)
	if p == nil || len(fs) != 1 || fs[0].Severity != "WARNING" || fs[0].Refused {
		t.Errorf("no Version: %v %v", p, fs)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{allowS3, bucketOnlyViaVpce, denyNotIP, denyNotIPFixed, `{"Statement":{"Effect":"Deny","NotPrincipal":{"AWS":"*"},"NotAction":"a:b","NotResource":"arn:a:b:c:d:e"}}`,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::${aws:username, 'x'}/${*}"}]}`, `[`, `{"a":"\u12`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		for _, k := range []Kind{KindIdentity, KindResource, KindEndpoint} {
			p, fs := Parse("f", k, doc)
			if p == nil && Refusal(fs) == nil {
				t.Fatalf("rejected without an error finding: %v", fs)
			}
			if p == nil {
				continue
			}
			r := req("s3:GetObject", object)
			r.ViaEndpoint(Endpoint{ID: myVpce, VpcID: myVpc})
			res := Evaluate(&Input{Identity: []*Policy{p}, Resource: p, Endpoint: p, EndpointType: "Gateway"}, r)
			if res.Decision != Allowed && res.Decision != ExplicitDeny && res.Decision != ImplicitDeny {
				t.Fatalf("decision %q", res.Decision)
			}
		}
	})
}

// FuzzEvaluate decides fuzzed requests against fixed policies.
func FuzzEvaluate(f *testing.F) {
	f.Add("s3:GetObject", object, "aws:SourceVpce", myVpce)
	f.Add("S3:*", "arn:aws:s3:::", "aws:SourceIp", "not-an-ip")
	f.Add("", "", "", "")
	pols := []*Policy{MustParse("a", KindIdentity, denyNotIPFixed), MustParse("b", KindResource, bucketOnlyViaVpce)}
	f.Fuzz(func(t *testing.T, action, resource, key, value string) {
		r := &Request{PrincipalARN: roleA, Action: action, Resource: resource}
		r.Context.Set(key, value)
		Evaluate(&Input{Identity: pols[:1], Resource: pols[1]}, r)
	})
}
