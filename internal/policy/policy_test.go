package policy

import (
	"fmt"
	"strings"
	"testing"
)

const (
	acctA   = "111122223333"
	acctB   = "444455556666"
	roleA   = "arn:aws:iam::111122223333:role/app"
	bucket  = "arn:aws:s3:::reports"
	object  = "arn:aws:s3:::reports/2026/q3.csv"
	myVpce  = "vpce-1a2b3c4d5e6f7a8b9"
	myVpc   = "vpc-0a1b2c3d4e5f6a7b8"
	allowS3 = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
)

func req(action, resource string) *Request {
	r := &Request{PrincipalARN: roleA, Action: action, Resource: resource}
	r.Context.Set("aws:SourceIp", "203.0.113.7")
	r.Context.Set("aws:PrincipalArn", roleA)
	r.Context.Set("aws:PrincipalAccount", acctA)
	return r
}

func cond(t *testing.T, block string, setup func(*Context)) bool {
	t.Helper()
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":` + block + `}]}`
	p, fs := Parse("t", KindIdentity, doc)
	if p == nil {
		t.Fatalf("Parse(%s): %v", block, fs)
	}
	r := &Request{PrincipalARN: roleA, Action: "s3:GetObject", Resource: object}
	if setup != nil {
		setup(&r.Context)
	}
	return Evaluate(&Input{Identity: []*Policy{p}}, r).Decision == Allowed
}

func set(kv ...string) func(*Context) {
	return func(c *Context) {
		for i := 0; i+1 < len(kv); i += 2 {
			c.Set(kv[i], strings.Split(kv[i+1], "|")...)
		}
	}
}

func TestConditionOperators(t *testing.T) {
	for _, tc := range []struct {
		name  string
		block string
		ctx   func(*Context)
		want  bool
	}{
		{"StringEquals", `{"StringEquals":{"aws:SourceVpce":"vpce-1"}}`, set("aws:SourceVpce", "vpce-1"), true},
		{"StringEquals/case", `{"StringEquals":{"aws:SourceVpce":"VPCE-1"}}`, set("aws:SourceVpce", "vpce-1"), false},
		{"StringEquals/key-case-insensitive", `{"StringEquals":{"AWS:SOURCEVPCE":"vpce-1"}}`, set("aws:sourcevpce", "vpce-1"), true},
		{"StringEquals/values-OR", `{"StringEquals":{"aws:SourceVpce":["vpce-2","vpce-1"]}}`, set("aws:SourceVpce", "vpce-1"), true},
		{"StringEquals/absent", `{"StringEquals":{"aws:SourceVpce":"vpce-1"}}`, nil, false},
		{"StringNotEquals", `{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`, set("aws:SourceVpce", "vpce-2"), true},
		{"StringNotEquals/values-AND", `{"StringNotEquals":{"aws:SourceVpce":["vpce-2","vpce-1"]}}`, set("aws:SourceVpce", "vpce-1"), false},
		{"StringNotEquals/absent-is-true", `{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}`, nil, true},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"aws:username":"BOB"}}`, set("aws:username", "bob"), true},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"aws:username":"BOB"}}`, set("aws:username", "bob"), false},
		{"StringLike", `{"StringLike":{"s3:prefix":"home/*/docs?"}}`, set("s3:prefix", "home/bob/x/docs1"), true},
		{"StringLike/no", `{"StringLike":{"s3:prefix":"home/*/docs?"}}`, set("s3:prefix", "home/bob/docs"), false},
		{"StringNotLike", `{"StringNotLike":{"s3:prefix":"tmp/*"}}`, set("s3:prefix", "home/x"), true},
		{"StringNotLike/absent", `{"StringNotLike":{"s3:prefix":"tmp/*"}}`, nil, true},
		{"NumericLessThan", `{"NumericLessThan":{"s3:max-keys":"10"}}`, set("s3:max-keys", "9"), true},
		{"NumericLessThan/equal", `{"NumericLessThan":{"s3:max-keys":"10"}}`, set("s3:max-keys", "10"), false},
		{"NumericLessThanEquals", `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`, set("s3:max-keys", "10"), true},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"s3:max-keys":"10"}}`, set("s3:max-keys", "10.5"), true},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}`, set("s3:max-keys", "9"), false},
		{"NumericEquals", `{"NumericEquals":{"s3:max-keys":"10"}}`, set("s3:max-keys", "10.0"), true},
		{"NumericNotEquals", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, set("s3:max-keys", "11"), true},
		{"Numeric/not-a-number", `{"NumericEquals":{"s3:max-keys":"10"}}`, set("s3:max-keys", "ten"), false},
		{"DateLessThan", `{"DateLessThan":{"aws:CurrentTime":"2026-12-01T00:00:00Z"}}`, set("aws:CurrentTime", "2026-11-25T12:00:00Z"), true},
		{"DateGreaterThan", `{"DateGreaterThan":{"aws:CurrentTime":"2026-12-01T00:00:00Z"}}`, set("aws:CurrentTime", "2026-11-25T12:00:00Z"), false},
		{"DateEquals/epoch", `{"DateEquals":{"aws:EpochTime":"1764072000"}}`, set("aws:EpochTime", "1764072000"), true},
		{"DateNotEquals", `{"DateNotEquals":{"aws:CurrentTime":"2026-11-25"}}`, set("aws:CurrentTime", "2026-11-26T00:00:00Z"), true},
		{"DateLessThanEquals", `{"DateLessThanEquals":{"aws:CurrentTime":"2026-11-25T12:00:00Z"}}`, set("aws:CurrentTime", "2026-11-25T12:00:00Z"), true},
		{"DateGreaterThanEquals", `{"DateGreaterThanEquals":{"aws:CurrentTime":"2026-11-25T12:00:01Z"}}`, set("aws:CurrentTime", "2026-11-25T12:00:00Z"), false},
		{"Bool", `{"Bool":{"aws:SecureTransport":"true"}}`, set("aws:SecureTransport", "true"), true},
		{"Bool/json-boolean", `{"Bool":{"aws:SecureTransport":false}}`, set("aws:SecureTransport", "false"), true},
		{"Bool/false", `{"Bool":{"aws:SecureTransport":"true"}}`, set("aws:SecureTransport", "false"), false},
		{"BinaryEquals", `{"BinaryEquals":{"x:blob":"QmluYXJ5"}}`, set("x:blob", "QmluYXJ5"), true},
		{"BinaryEquals/no", `{"BinaryEquals":{"x:blob":"QmluYXJ5"}}`, set("x:blob", "QmluYXJy"), false},
		{"IpAddress", `{"IpAddress":{"aws:VpcSourceIp":"10.0.0.0/16"}}`, set("aws:VpcSourceIp", "10.0.3.4"), true},
		{"IpAddress/single", `{"IpAddress":{"aws:SourceIp":"203.0.113.7"}}`, set("aws:SourceIp", "203.0.113.7"), true},
		{"IpAddress/v6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, set("aws:SourceIp", "2001:db8::1"), true},
		{"NotIpAddress", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, set("aws:SourceIp", "203.0.113.7"), true},
		{"NotIpAddress/absent-is-true", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, nil, true},
		{"ArnLike", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:role/*"}}`, set("aws:PrincipalArn", roleA), true},
		{"ArnEquals/is-like", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::*:role/app"}}`, set("aws:PrincipalArn", roleA), true},
		{"ArnNotLike", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111122223333:user/*"}}`, set("aws:PrincipalArn", roleA), true},
		{"ArnNotEquals", `{"ArnNotEquals":{"aws:PrincipalArn":"` + roleA + `"}}`, set("aws:PrincipalArn", roleA), false},
		// The documented difference between StringLike and ArnLike.
		{"StringLike/crosses-colons", `{"StringLike":{"aws:SourceArn":"arn:aws:svc:*:111122223333:finance/*"}}`, set("aws:SourceArn", "arn:aws:svc:us-east-2:999999999999:store/abc:111122223333:finance/x"), true},
		{"ArnLike/per-segment", `{"ArnLike":{"aws:SourceArn":"arn:aws:svc:*:111122223333:finance/*"}}`, set("aws:SourceArn", "arn:aws:svc:us-east-2:999999999999:store/abc:111122223333:finance/x"), false},
		{"Null/true-absent", `{"Null":{"aws:SourceVpce":"true"}}`, nil, true},
		{"Null/true-present", `{"Null":{"aws:SourceVpce":"true"}}`, set("aws:SourceVpce", "vpce-1"), false},
		{"Null/false-present", `{"Null":{"aws:SourceVpce":"false"}}`, set("aws:SourceVpce", "vpce-1"), true},
		{"IfExists/absent", `{"StringEqualsIfExists":{"aws:SourceVpc":"vpc-1"}}`, nil, true},
		{"IfExists/present-mismatch", `{"StringEqualsIfExists":{"aws:SourceVpc":"vpc-1"}}`, set("aws:SourceVpc", "vpc-2"), false},
		{"NotIpAddressIfExists/absent", `{"NotIpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}`, nil, true},
		{"ForAnyValue", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}`, set("aws:TagKeys", "c|b"), true},
		{"ForAnyValue/none", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}`, set("aws:TagKeys", "c|d"), false},
		{"ForAnyValue/absent-false", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}}`, nil, false},
		{"ForAnyValue/empty-false", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a"]}}`, func(c *Context) { c.Set("aws:TagKeys") }, false},
		{"ForAllValues", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, set("aws:TagKeys", "a|b"), true},
		{"ForAllValues/one-outside", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, set("aws:TagKeys", "a|c"), false},
		{"ForAllValues/absent-true", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}}`, nil, true},
		{"ForAllValues/empty-true", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a"]}}`, func(c *Context) { c.Set("aws:TagKeys") }, true},
		{"ForAllValues:StringNotEquals", `{"ForAllValues:StringNotEquals":{"aws:TagKeys":["a"]}}`, set("aws:TagKeys", "b|c"), true},
		{"ForAnyValue:StringNotEquals", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a"]}}`, set("aws:TagKeys", "a|c"), true},
		{"operators-AND", `{"StringEquals":{"aws:SourceVpce":"vpce-1"},"Bool":{"aws:SecureTransport":"true"}}`, set("aws:SourceVpce", "vpce-1", "aws:SecureTransport", "false"), false},
		{"keys-AND", `{"StringEquals":{"aws:SourceVpce":"vpce-1","aws:SourceVpc":"vpc-1"}}`, set("aws:SourceVpce", "vpce-1", "aws:SourceVpc", "vpc-2"), false},
		{"multivalued-plain", `{"StringEquals":{"aws:TagKeys":"b"}}`, set("aws:TagKeys", "a|b"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cond(t, tc.block, tc.ctx); got != tc.want {
				t.Errorf("condition %s: allowed = %v, want %v", tc.block, got, tc.want)
			}
		})
	}
}

func TestPolicyVariables(t *testing.T) {
	v12 := func(res, ctxKey, ctxVal string) bool {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"` + res + `"}]}`
		p := MustParse("v", KindIdentity, doc)
		r := &Request{PrincipalARN: roleA, Action: "s3:GetObject", Resource: "arn:aws:s3:::home/bob/file"}
		if ctxKey != "" {
			r.Context.Set(ctxKey, ctxVal)
		}
		return Evaluate(&Input{Identity: []*Policy{p}}, r).Decision == Allowed
	}
	for _, tc := range []struct {
		name, res, key, val string
		want                bool
	}{
		{"resolved", "arn:aws:s3:::home/${aws:username}/*", "aws:username", "bob", true},
		{"key-case", "arn:aws:s3:::home/${AWS:UserName}/*", "aws:username", "bob", true},
		{"other-user", "arn:aws:s3:::home/${aws:username}/*", "aws:username", "alice", false},
		{"unresolvable", "arn:aws:s3:::home/${aws:username}/*", "", "", false},
		{"default", "arn:aws:s3:::home/${aws:PrincipalTag/team, 'bob'}/*", "", "", true},
		{"value-is-literal", "arn:aws:s3:::home/${aws:username}/file", "aws:username", "b*", false},
		{"escape-star", "arn:aws:s3:::home/bob/${*}", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := v12(tc.res, tc.key, tc.val); got != tc.want {
				t.Errorf("Resource %s with %s=%q: %v, want %v", tc.res, tc.key, tc.val, got, tc.want)
			}
		})
	}
	// In 2008-10-17 a variable is literal text.
	p := MustParse("old", KindResource, `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/x"}]}`)
	r := &Request{PrincipalARN: roleA, Action: "s3:GetObject", Resource: "arn:aws:s3:::home/${aws:username}/x"}
	r.Context.Set("aws:username", "bob")
	if Evaluate(&Input{Resource: p}, r).Decision != Allowed {
		t.Error("2008-10-17: the variable was not taken literally")
	}
}

func TestActionAndResourceMatching(t *testing.T) {
	for _, tc := range []struct {
		action, resource  string
		reqAction, reqRes string
		want              bool
	}{
		{"s3:GetObject", "arn:aws:s3:::reports/*", "S3:getobject", object, true},
		{"s3:Get*", "arn:aws:s3:::reports/*", "s3:GetObjectAcl", object, true},
		{"s3:?etObject", "*", "s3:GetObject", object, true},
		{"iam:*AccessKey*", "*", "iam:CreateAccessKey", "arn:aws:iam::111122223333:user/bob", true},
		{"s3:GetObject", "arn:aws:s3:::reports", "s3:GetObject", object, false},
		{"s3:GetObject", "arn:aws:s3:::Reports/*", "s3:GetObject", object, false}, // resource part is case-sensitive
		{"s3:GetObject", "arn:AWS:S3:::reports/*", "s3:GetObject", object, true},  // the other segments are not
		{"ec2:*", "arn:aws:ec2:*:111122223333:vpc/*", "ec2:DeleteVpc", "arn:aws:ec2:us-east-1:111122223333:vpc/vpc-1", true},
		{"ec2:*", "arn:aws:ec2:*:111122223333:vpc/*", "ec2:DeleteVpc", "arn:aws:ec2:us-east-1:444455556666:vpc/vpc-1", false},
		{"ssm:*", "*", "ssmmessages:OpenDataChannel", "*", false},
	} {
		doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":%q,"Resource":%q}]}`, tc.action, tc.resource)
		got := Evaluate(&Input{Identity: []*Policy{MustParse("p", KindIdentity, doc)}}, &Request{PrincipalARN: roleA, Action: tc.reqAction, Resource: tc.reqRes}).Decision == Allowed
		if got != tc.want {
			t.Errorf("Action %s Resource %s vs %s %s: %v, want %v", tc.action, tc.resource, tc.reqAction, tc.reqRes, got, tc.want)
		}
	}
	// NotAction and NotResource.
	na := MustParse("na", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:s3:::secret/*"}]}`)
	for _, tc := range []struct {
		action, res string
		want        Decision
	}{
		{"s3:GetObject", object, Allowed},
		{"iam:CreateUser", "*", ImplicitDeny},
		{"s3:GetObject", "arn:aws:s3:::secret/x", ImplicitDeny},
	} {
		if got := Evaluate(&Input{Identity: []*Policy{na}}, &Request{PrincipalARN: roleA, Action: tc.action, Resource: tc.res}).Decision; got != tc.want {
			t.Errorf("NotAction/NotResource %s %s = %s, want %s", tc.action, tc.res, got, tc.want)
		}
	}
}
