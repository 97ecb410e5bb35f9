package policy

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The S3 guide's bucket policy that restricts a bucket to one endpoint.
const bucketOnlyViaVpce = `{
  "Version": "2012-10-17",
  "Id": "Policy1415115909152",
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
}`

// The identity policy that blocks everything not from a corporate range,
// and so — since endpoint traffic has no aws:SourceIp — all endpoint traffic.
const denyNotIP = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {"Sid": "DenyOutsideCorp", "Effect": "Deny", "Action": "*", "Resource": "*",
     "Condition": {"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]}}}
  ]
}`

// The recommended fix: IfExists on both keys.
const denyNotIPFixed = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
    {"Sid": "DenyOutsideCorpOrVpc", "Effect": "Deny", "Action": "*", "Resource": "*",
     "Condition": {"NotIpAddressIfExists": {"aws:SourceIp": "203.0.113.0/24"},
                   "StringNotEqualsIfExists": {"aws:SourceVpc": "vpc-0a1b2c3d4e5f6a7b8"}}}
  ]
}`

func TestBucketRestrictedToEndpoint(t *testing.T) {
	id := MustParse("app-role", KindIdentity, allowS3)
	bp := MustParse("bucket-policy", KindResource, bucketOnlyViaVpce)
	in := &Input{Identity: []*Policy{id}, Resource: bp}

	direct := req("s3:GetObject", object)
	res := Evaluate(in, direct)
	if res.Decision != ExplicitDeny || res.DecidedBy != TypeResource || res.Matched[0].Sid != "Access-to-specific-VPCE-only" {
		t.Errorf("from the internet: %+v", res)
	}
	if !slices.Contains(res.Missing, "aws:SourceVpce") {
		t.Errorf("MissingContextValues = %v, want aws:SourceVpce", res.Missing)
	}
	if res.Matched[0].StartPosition.Line != 5 {
		t.Errorf("matched statement starts at %v, want line 5", res.Matched[0].StartPosition)
	}
	via := req("s3:GetObject", object)
	via.ViaEndpoint(Endpoint{ID: myVpce, VpcID: myVpc, SourceIP: "10.0.1.5"})
	if res := Evaluate(in, via); res.Decision != Allowed || res.DecidedBy != TypeIdentity {
		t.Errorf("through the endpoint: %+v", res)
	}
	other := req("s3:GetObject", object)
	other.ViaEndpoint(Endpoint{ID: "vpce-0fffffffffffffff0", VpcID: myVpc})
	if res := Evaluate(in, other); res.Decision != ExplicitDeny {
		t.Errorf("through another endpoint: %s", res.Decision)
	}
}

func TestDenyNotIpAddressBlocksEndpointTraffic(t *testing.T) {
	for _, tc := range []struct {
		name, policy string
		via          bool
		want         Decision
	}{
		{"internet-from-corp", denyNotIP, false, Allowed},
		{"endpoint", denyNotIP, true, ExplicitDeny},
		{"fixed/internet-from-corp", denyNotIPFixed, false, Allowed},
		{"fixed/endpoint-in-vpc", denyNotIPFixed, true, Allowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := req("s3:GetObject", object)
			if tc.via {
				r.ViaEndpoint(Endpoint{ID: myVpce, VpcID: myVpc, SourceIP: "10.0.1.5"})
			}
			res := Evaluate(&Input{Identity: []*Policy{MustParse(tc.name, KindIdentity, tc.policy)}}, r)
			if res.Decision != tc.want {
				t.Errorf("decision = %s, want %s (matched %+v, missing %v)", res.Decision, tc.want, res.Matched, res.Missing)
			}
			if tc.via && tc.want == ExplicitDeny && !slices.Contains(res.Missing, "aws:SourceIp") {
				t.Errorf("the missing aws:SourceIp is not reported: %v", res.Missing)
			}
		})
	}
}

func TestEndpointPolicyFilters(t *testing.T) {
	id := MustParse("role", KindIdentity, allowS3)
	onlyReports := MustParse("endpoint", KindEndpoint, `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}`)
	in := &Input{Identity: []*Policy{id}, Endpoint: onlyReports, EndpointType: "Interface"}
	r := req("s3:GetObject", object)
	r.ViaEndpoint(Endpoint{ID: myVpce})
	if res := Evaluate(in, r); res.Decision != Allowed || res.Endpoint != Allowed {
		t.Errorf("allowed by both: %+v", res)
	}
	r.Resource = "arn:aws:s3:::other/x"
	res := Evaluate(in, r)
	if res.Decision != ImplicitDeny || res.DecidedBy != TypeEndpoint || res.Identity != Allowed {
		t.Errorf("the endpoint policy must filter: %+v", res)
	}
	// The endpoint policy never grants by itself.
	res = Evaluate(&Input{Endpoint: onlyReports, EndpointType: "Interface"}, req("s3:GetObject", object))
	if res.Decision != ImplicitDeny {
		t.Errorf("endpoint policy alone: %s", res.Decision)
	}
}

func TestAccountPrincipalGatewayVsInterface(t *testing.T) {
	pol := MustParse("endpoint", KindEndpoint, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"*","Resource":"*"}]}`)
	id := MustParse("role", KindIdentity, allowS3)
	for _, tc := range []struct {
		typ, principal string
		want           Decision
	}{
		{"Interface", roleA, Allowed},
		{"Gateway", roleA, ImplicitDeny}, // only the root user on gateway endpoints
		{"Gateway", "arn:aws:iam::111122223333:root", Allowed},
		{"Interface", "arn:aws:iam::444455556666:role/x", ImplicitDeny},
	} {
		r := req("s3:GetObject", object)
		r.PrincipalARN = tc.principal
		if got := Evaluate(&Input{Identity: []*Policy{id}, Endpoint: pol, EndpointType: tc.typ}, r).Decision; got != tc.want {
			t.Errorf("%s endpoint, principal %s: %s, want %s", tc.typ, tc.principal, got, tc.want)
		}
	}
}

func TestCrossAccount(t *testing.T) {
	id := MustParse("role", KindIdentity, allowS3)
	bp := MustParse("bucket", KindResource, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}`)
	r := req("s3:GetObject", object)
	r.ResourceAccount = acctB
	if res := Evaluate(&Input{Identity: []*Policy{id}, Resource: bp}, r); res.Decision != Allowed || !res.CrossAccount {
		t.Errorf("both sides allow: %+v", res)
	}
	if res := Evaluate(&Input{Identity: []*Policy{id}}, r); res.Decision != ImplicitDeny {
		t.Errorf("cross account with identity only: %s", res.Decision)
	}
	if res := Evaluate(&Input{Resource: bp}, r); res.Decision != ImplicitDeny {
		t.Errorf("cross account with resource only: %s", res.Decision)
	}
	// In one account a grant to the account is a delegation: the
	// identity policy must still allow.
	r.ResourceAccount = acctA
	if res := Evaluate(&Input{Resource: bp}, r); res.Decision != ImplicitDeny {
		t.Errorf("same account, account grant, no identity policy: %s", res.Decision)
	}
	if res := Evaluate(&Input{Identity: []*Policy{id}, Resource: bp}, r); res.Decision != Allowed {
		t.Errorf("same account, account grant and identity allow: %s", res.Decision)
	}
}

func TestBoundaryAndSCP(t *testing.T) {
	id := MustParse("role", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	bd := MustParse("boundary", KindIdentity, allowS3)
	scp := MustParse("scp", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`)
	for _, tc := range []struct {
		action  string
		want    Decision
		decider string
	}{
		{"s3:GetObject", Allowed, TypeIdentity},
		{"ec2:RunInstances", ImplicitDeny, TypeBoundary},
		{"s3:DeleteBucket", ExplicitDeny, TypeSCP},
	} {
		res := Evaluate(&Input{Identity: []*Policy{id}, Boundary: bd, SCPs: []*Policy{scp}}, req(tc.action, "*"))
		if res.Decision != tc.want || res.DecidedBy != tc.decider {
			t.Errorf("%s: %s by %s, want %s by %s", tc.action, res.Decision, res.DecidedBy, tc.want, tc.decider)
		}
	}
}

// randomPolicy builds a random identity policy from a small vocabulary.
func randomStatement(rng *rand.Rand, effect string) string {
	actions := []string{"s3:GetObject", "s3:*", "ec2:*", "*", "s3:Put*", "kms:Decrypt"}
	resources := []string{"*", "arn:aws:s3:::reports/*", "arn:aws:s3:::other/*"}
	conds := []string{"", `,"Condition":{"StringEquals":{"aws:SourceVpce":"` + myVpce + `"}}`, `,"Condition":{"Bool":{"aws:SecureTransport":"true"}}`,
		`,"Condition":{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`}
	return `{"Effect":"` + effect + `","Action":"` + actions[rng.IntN(len(actions))] + `","Resource":"` + resources[rng.IntN(len(resources))] + `"` + conds[rng.IntN(len(conds))] + `}`
}

func docOf(stmts []string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

// TestProperties: adding statements never turns a Deny into an Allow, and
// adding Allow statements never takes an Allow away.
func TestProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	reqs := []*Request{req("s3:GetObject", object), req("ec2:RunInstances", "*"), req("s3:PutObject", "arn:aws:s3:::other/x")}
	via := req("s3:GetObject", object)
	via.ViaEndpoint(Endpoint{ID: myVpce})
	reqs = append(reqs, via)
	for range 300 {
		var stmts []string
		for range 1 + rng.IntN(4) {
			stmts = append(stmts, randomStatement(rng, []string{"Allow", "Deny"}[rng.IntN(2)]))
		}
		base := MustParse("base", KindIdentity, docOf(stmts))
		more := append(slices.Clone(stmts), randomStatement(rng, []string{"Allow", "Deny"}[rng.IntN(2)]))
		moreP := MustParse("more", KindIdentity, docOf(more))
		allowMore := MustParse("allow", KindIdentity, docOf(append(slices.Clone(stmts), randomStatement(rng, "Allow"))))
		for _, r := range reqs {
			b := Evaluate(&Input{Identity: []*Policy{base}}, r).Decision
			m := Evaluate(&Input{Identity: []*Policy{moreP}}, r).Decision
			if b == ExplicitDeny && m != ExplicitDeny {
				t.Fatalf("adding a statement turned a Deny into %s:\n%s\n%s %s", m, docOf(more), r.Action, r.Resource)
			}
			if b == Allowed {
				if a := Evaluate(&Input{Identity: []*Policy{allowMore}}, r).Decision; a != Allowed {
					t.Fatalf("adding an Allow took the Allow away (%s)", a)
				}
			}
		}
	}
}

// TestServiceIndexKeepsOrderAndLongNames: statements are visited in
// document order across the service index, and a service name longer than
// the index's buffer still matches.
func TestServiceIndexKeepsOrderAndLongNames(t *testing.T) {
	long := strings.Repeat("x", 40)
	p := MustParse("p", KindIdentity, `{"Version":"2012-10-17","Statement":[
		{"Sid":"A","Effect":"Deny","Action":"s3:Get*","Resource":"*"},
		{"Sid":"B","Effect":"Deny","Action":"*","Resource":"*"},
		{"Sid":"C","Effect":"Deny","Action":["s3:GetObject","kms:Decrypt"],"Resource":"*"},
		{"Sid":"D","Effect":"Allow","Action":"`+long+`:Do","Resource":"*"}]}`)
	res := Evaluate(&Input{Identity: []*Policy{p}}, req("S3:GetObject", object))
	var sids []string
	for _, m := range res.Matched {
		sids = append(sids, m.Sid)
	}
	if strings.Join(sids, ",") != "A,B,C" {
		t.Errorf("matched %v, want A,B,C in document order", sids)
	}
	p2 := MustParse("p2", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"`+long+`:Do","Resource":"*"}]}`)
	if d := Evaluate(&Input{Identity: []*Policy{p2}}, req(long+":Do", "*")).Decision; d != Allowed {
		t.Errorf("long service name: %s", d)
	}
}

// TestUnknownResource: a request whose resource the caller cannot name
// (Request.ResourceUnknown, Resource "*") is decided as any resource of
// its service might be — a Deny naming one of the service's resources
// holds, an Allow must cover them all. Decided as the plain resource "*",
// the same request passes every Deny that names a resource.
func TestUnknownResource(t *testing.T) {
	id := MustParse("role", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	const allowAll = `{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}`
	for _, tc := range []struct {
		name, statements string
		unknown, asStar  Decision // with ResourceUnknown; with the resource "*" alone
	}{
		{"allow all", allowAll, Allowed, Allowed},
		{"deny one certificate", allowAll + `,{"Effect":"Deny","Principal":"*","Action":"acm:DeleteCertificate","Resource":"arn:aws:acm:us-east-1:111122223333:certificate/prod"}`, ExplicitDeny, Allowed},
		{"deny every resource of the service", allowAll + `,{"Effect":"Deny","Principal":"*","Action":"*","Resource":"arn:aws:acm:*:*:*"}`, ExplicitDeny, Allowed},
		{"deny another service's resource", allowAll + `,{"Effect":"Deny","Principal":"*","Action":"*","Resource":"arn:aws:s3:::secret/*"}`, Allowed, Allowed},
		{"deny all but one certificate", allowAll + `,{"Effect":"Deny","Principal":"*","Action":"acm:*","NotResource":"arn:aws:acm:us-east-1:111122223333:certificate/dev"}`, ExplicitDeny, ExplicitDeny},
		{"deny with NotResource *", allowAll + `,{"Effect":"Deny","Principal":"*","Action":"acm:*","NotResource":"*"}`, Allowed, Allowed},
		{"allow certificates only", `{"Effect":"Allow","Principal":"*","Action":"acm:*","Resource":"arn:aws:acm:*:*:certificate/*"}`, ImplicitDeny, ImplicitDeny},
		{"allow all but an S3 bucket", `{"Effect":"Allow","Principal":"*","Action":"acm:*","NotResource":"arn:aws:s3:::b"}`, Allowed, Allowed},
		{"allow all but one certificate", `{"Effect":"Allow","Principal":"*","Action":"acm:*","NotResource":"arn:aws:acm:us-east-1:111122223333:certificate/prod"}`, ImplicitDeny, Allowed},
	} {
		ep := MustParse("endpoint", KindEndpoint, `{"Statement":[`+tc.statements+`]}`)
		in := &Input{Identity: []*Policy{id}, Endpoint: ep, EndpointType: "Interface"}
		for _, unknown := range []bool{true, false} {
			r := req("acm:DeleteCertificate", "*")
			r.ResourceUnknown = unknown
			r.ViaEndpoint(Endpoint{ID: myVpce})
			want := tc.asStar
			if unknown {
				want = tc.unknown
			}
			if got := Evaluate(in, r).Decision; got != want {
				t.Errorf("%s, unknown %v: %s, want %s", tc.name, unknown, got, want)
			}
		}
	}
}
