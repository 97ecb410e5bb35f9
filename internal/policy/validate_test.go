package policy

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		kind Kind
		doc  string
		code string
		msg  string
		pos  Position
	}{
		{"json", KindIdentity, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [ }", "JSON_SYNTAX_ERROR", "Syntax errors in policy.", Position{3, 18}},
		{"version", KindIdentity, `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, "INVALID_VERSION", "Policy document must be version 2012-10-17 or greater.", Position{1, 1}},
		{"bad-version", KindResource, `{"Version":"2020-01-01","Statement":[]}`, "INVALID_VERSION", "Syntax errors in policy.", Position{1, 12}},
		{"unknown-element", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Colour":"red"}]}`, "INVALID_POLICY_ELEMENT", "Syntax errors in policy.", Position{1, 87}},
		{"effect", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"s3:*","Resource":"*"}]}`, "INVALID_EFFECT", "Syntax errors in policy.", Position{1, 48}},
		{"no-action", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`, "MISSING_ACTION", "Policy statement must contain actions.", Position{1, 38}},
		{"no-resource", KindEndpoint, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*"}]}`, "MISSING_RESOURCE", "Policy statement must contain resources.", Position{1, 15}},
		{"vendor", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}`, "INVALID_ACTION", "Actions/Conditions must be prefaced by a vendor", Position{}},
		{"two-colons", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get:Object","Resource":"*"}]}`, "INVALID_ACTION", "Actions/Condition can contain only one colon.", Position{}},
		{"sid", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Sid":"a","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"a","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, "DUPLICATE_SID", "Statement IDs (SID) in a single policy must be unique.", Position{}},
		{"resource-format", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"reports"}]}`, "INVALID_ARN_RESOURCE", `Resource reports must be in ARN format or "*".`, Position{}},
		{"duplicate-element", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, "DUPLICATE_ELEMENT", "Syntax errors in policy.", Position{1, 56}},
		{"s3-region", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:us-east-1::b/*"}]}`, "INVALID_ARN_REGION", "Resource arn:aws:s3:us-east-1::b/* can not contain region information.", Position{}},
		{"iam-region", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam:us-east-1:111122223333:user/x"}]}`, "INVALID_ARN_REGION", "IAM resource arn:aws:iam:us-east-1:111122223333:user/x cannot contain region information.", Position{}},
		{"partition", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:amazon:s3:::b"}]}`, "INVALID_ARN_PARTITION", `Partition "amazon" is not valid for resource "arn:amazon:s3:::b".`, Position{}},
		{"vendor-regex", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s*:::b"}]}`, "INVALID_ARN_SERVICE", "Resource vendor must be fully qualified and cannot contain regexes.", Position{}},
		{"principal-in-identity", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, "UNSUPPORTED_PRINCIPAL", "Policy document should not specify a principal.", Position{}},
		{"endpoint-needs-principal", KindEndpoint, `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, "MISSING_PRINCIPAL", "must have a Principal", Position{}},
		{"operator", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringSortOf":{"a:b":"c"}}}]}`, "INVALID_CONDITION_OPERATOR", "Syntax errors in policy.", Position{}},
		{"numeric-value", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}}]}`, "DATA_TYPE_MISMATCH", "not a number", Position{}},
		{"id-key-numeric", KindEndpoint, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"NumericEquals":{"aws:PrincipalAccount":"1"}}}]}`, "INVALID_OPERATOR_FOR_KEY", "Numeric operators", Position{}},
		{"id-key-short-wildcard", KindEndpoint, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Condition":{"StringLike":{"aws:SourceVpc":"vpc-*"}}}]}`, "WILDCARD_IN_ID_KEY", "6 consecutive literal characters", Position{}},
		{"principal-account-wildcard", KindEndpoint, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1111*:root"},"Action":"*","Resource":"*"}]}`, "INVALID_PRINCIPAL", "Invalid principal in policy", Position{}},
		{"size", KindEndpoint, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*","Sid":"` + strings.Repeat("x", 20480) + `"}]}`, "POLICY_SIZE_EXCEEDED", "20480", Position{1, 1}},
		{"character", KindEndpoint, "{\"Statement\":[{\"Sid\":\"\u0100\"}]}", "INVALID_CHARACTER", "Syntax errors in policy.", Position{1, 23}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, fs := Parse("t", tc.kind, tc.doc)
			if p != nil {
				t.Fatalf("Parse accepted an invalid policy")
			}
			var f *Finding
			for i := range fs {
				if fs[i].Code == tc.code {
					f = &fs[i]
				}
			}
			if f == nil {
				t.Fatalf("findings = %v, want code %s", fs, tc.code)
			}
			if !strings.Contains(f.Message, tc.msg) {
				t.Errorf("message = %q, want it to contain %q", f.Message, tc.msg)
			}
			if tc.pos != (Position{}) && f.Pos != tc.pos {
				t.Errorf("position = %v, want %v", f.Pos, tc.pos)
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
	if s.Start != (Position{1, 46}) || s.End.Line != 3 {
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
		{Request{PrincipalARN: "arn:aws:iam::111122223333:user/any"}, Allowed}, // the account form
	} {
		tc.r.Action, tc.r.Resource = "s3:GetObject", "arn:aws:s3:::b/k"
		tc.r.Context.Set("aws:SecureTransport", "true")
		if got := Evaluate(&Input{Resource: p}, &tc.r).Decision; got != tc.want {
			t.Errorf("principal %+v: %s, want %s", tc.r, got, tc.want)
		}
	}
	// A missing Version is accepted with a warning.
	p, fs = Parse("nov", KindEndpoint, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`)
	if p == nil || len(fs) != 1 || fs[0].Severity != "WARNING" {
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
			if p == nil && len(Errors(fs)) == 0 {
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
