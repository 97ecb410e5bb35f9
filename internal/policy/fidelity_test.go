package policy

import (
	"slices"
	"strings"
	"testing"
)

// Pages of the IAM User Guide these tests are written from.
const (
	pagePrincipal   = "reference_policies_elements_principal.html"
	pageNotPrinc    = "reference_policies_elements_notprincipal.html"
	pageEvalLogic   = "reference_policies_evaluation-logic.html"
	pageCrossAcct   = "reference_policies_evaluation-logic-cross-account.html"
	pageBoundaries  = "access_policies_boundaries.html"
	pageSCP         = "orgs_manage_policies_scps.html (AWS Organizations guide)"
	pageConditionOp = "reference_policies_elements_condition_operators.html"
	pageMultiValued = "reference_policies_condition-single-vs-multi-valued-context-keys.html"
	pageTrust       = "id_roles_create_for-user.html, reference_policies_evaluation-logic-cross-account.html"
	pageGlobalKeys  = "reference_policies_condition-keys.html"
)

const (
	sessionA  = "arn:aws:sts::111122223333:assumed-role/app/alice"
	userA     = "arn:aws:iam::111122223333:user/alice"
	objectARN = "arn:aws:s3:::reports/q3.csv"
)

// docWith builds a resource policy with one statement.
func resourceDoc(effect, principal string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"` + effect + `","Principal":` + principal + `,"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}`
}

// caller makes a request from arn with the keys AWS derives from it.
func callerReq(t *testing.T, arn, action, resource string) *Request {
	t.Helper()
	r := &Request{Action: action, Resource: resource}
	if err := r.SetCaller(arn, ""); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDecisionTable pins decisions across identity, resource, boundary,
// SCP and trust policies. Each row names the page it comes from.
func TestDecisionTable(t *testing.T) {
	allowID := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`
	allowAll := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	onlyEC2 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:*","Resource":"*"}]}`
	denyS3 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`
	trustUser := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + userA + `"},"Action":"sts:AssumeRole"}]}`
	trustAcct := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"sts:AssumeRole"}]}`
	allowAssume := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}]}`
	const roleTarget = "arn:aws:iam::111122223333:role/admin"
	for _, tc := range []struct {
		name, page string
		caller     string
		action     string
		resource   string
		identity   string
		res        string // resource policy
		trust      string
		boundary   string
		scp        string
		orgAccts   []string
		resAcct    string
		want       Decision
		decidedBy  string
	}{
		// Role sessions.
		{name: "resource-deny-of-role-denies-its-session", page: pagePrincipal, caller: sessionA, identity: allowID,
			res: resourceDoc("Deny", `{"AWS":"`+roleA+`"}`), want: ExplicitDeny, decidedBy: TypeResource},
		{name: "resource-deny-of-role-denies-the-role", page: pagePrincipal, caller: roleA, identity: allowID,
			res: resourceDoc("Deny", `{"AWS":"`+roleA+`"}`), want: ExplicitDeny},
		{name: "resource-allow-of-role-allows-its-session", page: pagePrincipal, caller: sessionA,
			res: resourceDoc("Allow", `{"AWS":"`+roleA+`"}`), want: Allowed, decidedBy: TypeResource},
		{name: "role-with-path-matches-session-by-name", page: pagePrincipal, caller: sessionA,
			res: resourceDoc("Deny", `{"AWS":"arn:aws:iam::111122223333:role/team/app"}`), identity: allowID, want: ExplicitDeny},
		{name: "resource-allow-naming-the-session", page: pagePrincipal, caller: sessionA,
			res: resourceDoc("Allow", `{"AWS":"`+sessionA+`"}`), want: Allowed},
		{name: "other-session-not-named", page: pagePrincipal, caller: "arn:aws:sts::111122223333:assumed-role/app/bob",
			res: resourceDoc("Allow", `{"AWS":"`+sessionA+`"}`), want: ImplicitDeny},
		{name: "role-of-other-account-does-not-match", page: pagePrincipal, caller: "arn:aws:sts::444455556666:assumed-role/app/alice",
			res: resourceDoc("Deny", `{"AWS":"`+roleA+`"}`), identity: allowID, resAcct: acctA, want: ImplicitDeny},
		// Account principals delegate in one account.
		{name: "account-grant-needs-identity", page: pageEvalLogic, caller: userA,
			res: resourceDoc("Allow", `{"AWS":"arn:aws:iam::111122223333:root"}`), want: ImplicitDeny, decidedBy: TypeIdentity},
		{name: "account-id-grant-needs-identity", page: pageEvalLogic, caller: userA,
			res: resourceDoc("Allow", `{"AWS":"111122223333"}`), want: ImplicitDeny},
		{name: "account-grant-with-identity", page: pageEvalLogic, caller: userA, identity: allowID,
			res: resourceDoc("Allow", `{"AWS":"111122223333"}`), want: Allowed},
		{name: "user-arn-grant-is-direct", page: pageEvalLogic, caller: userA,
			res: resourceDoc("Allow", `{"AWS":"`+userA+`"}`), want: Allowed, decidedBy: TypeResource},
		{name: "account-deny-denies-everyone-in-it", page: pagePrincipal, caller: sessionA, identity: allowID,
			res: resourceDoc("Deny", `{"AWS":"111122223333"}`), want: ExplicitDeny},
		{name: "cross-account-grant-to-account-and-identity", page: pageCrossAcct, caller: "arn:aws:iam::444455556666:user/bob", identity: allowID,
			res: resourceDoc("Allow", `{"AWS":"444455556666"}`), resAcct: acctA, want: Allowed},
		{name: "cross-account-without-identity", page: pageCrossAcct, caller: "arn:aws:iam::444455556666:user/bob",
			res: resourceDoc("Allow", `{"AWS":"arn:aws:iam::444455556666:user/bob"}`), resAcct: acctA, want: ImplicitDeny},
		// Boundaries and resource policies.
		{name: "boundary-limits-role-grant-to-session", page: pageBoundaries, caller: sessionA, boundary: onlyEC2,
			res: resourceDoc("Allow", `{"AWS":"`+roleA+`"}`), want: ImplicitDeny, decidedBy: TypeBoundary},
		{name: "boundary-limits-role-grant-to-role", page: pageBoundaries, caller: roleA, boundary: onlyEC2,
			res: resourceDoc("Allow", `{"AWS":"`+roleA+`"}`), want: ImplicitDeny, decidedBy: TypeBoundary},
		{name: "boundary-does-not-limit-session-arn-grant", page: pageBoundaries, caller: sessionA, boundary: onlyEC2,
			res: resourceDoc("Allow", `{"AWS":"`+sessionA+`"}`), want: Allowed},
		{name: "boundary-does-not-limit-user-arn-grant", page: pageBoundaries, caller: userA, boundary: onlyEC2,
			res: resourceDoc("Allow", `{"AWS":"`+userA+`"}`), want: Allowed},
		{name: "boundary-limits-account-grant", page: pageBoundaries, caller: userA, boundary: onlyEC2, identity: allowID,
			res: resourceDoc("Allow", `{"AWS":"111122223333"}`), want: ImplicitDeny, decidedBy: TypeBoundary},
		{name: "boundary-explicit-deny-wins-over-session-grant", page: pageBoundaries, caller: sessionA, boundary: denyS3,
			res: resourceDoc("Allow", `{"AWS":"`+sessionA+`"}`), want: ExplicitDeny, decidedBy: TypeBoundary},
		{name: "notprincipal-deny-excludes-without-boundary", page: pageNotPrinc, caller: roleA, identity: allowID,
			res:  `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"` + roleA + `"},"Action":"s3:GetObject","Resource":"*"}]}`,
			want: Allowed},
		{name: "notprincipal-deny-always-denies-with-boundary", page: pageNotPrinc, caller: roleA, identity: allowID, boundary: allowAll,
			res:  `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"` + roleA + `"},"Action":"s3:GetObject","Resource":"*"}]}`,
			want: ExplicitDeny, decidedBy: TypeResource},
		// SCPs.
		{name: "scp-governs-member-account", page: pageSCP, caller: userA, identity: allowID, scp: onlyEC2, want: ImplicitDeny, decidedBy: TypeSCP},
		{name: "scp-does-not-govern-anonymous", page: pageSCP, caller: "", scp: denyS3,
			res: resourceDoc("Allow", `"*"`), want: Allowed, decidedBy: TypeResource},
		{name: "scp-does-not-govern-outside-org", page: pageSCP, caller: userA, identity: allowID, scp: onlyEC2, orgAccts: []string{acctB}, want: Allowed},
		{name: "scp-governs-listed-account", page: pageSCP, caller: userA, identity: allowID, scp: denyS3, orgAccts: []string{acctA}, want: ExplicitDeny},
		// Resource account from the ARN.
		{name: "resource-account-from-sqs-arn", page: pageCrossAcct, caller: userA, action: "sqs:SendMessage",
			resource: "arn:aws:sqs:us-east-1:444455556666:queue", identity: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`,
			want: ImplicitDeny, decidedBy: TypeResource},
		// Trust policies.
		{name: "trust-naming-user-same-account", page: pageTrust, caller: userA, action: "sts:AssumeRole", resource: roleTarget, trust: trustUser, want: Allowed, decidedBy: TypeTrust},
		{name: "trust-naming-account-needs-identity", page: pageTrust, caller: userA, action: "sts:AssumeRole", resource: roleTarget, trust: trustAcct, want: ImplicitDeny},
		{name: "trust-naming-account-with-identity", page: pageTrust, caller: userA, action: "sts:AssumeRole", resource: roleTarget, trust: trustAcct, identity: allowAssume, want: Allowed},
		{name: "identity-alone-cannot-assume", page: pageTrust, caller: userA, action: "sts:AssumeRole", resource: roleTarget,
			trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, identity: allowAssume, want: ImplicitDeny, decidedBy: TypeTrust},
		{name: "trust-cross-account-both", page: pageTrust, caller: "arn:aws:iam::444455556666:user/bob", action: "sts:AssumeRole", resource: roleTarget,
			trust: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"444455556666"},"Action":"sts:AssumeRole"}]}`, identity: allowAssume, want: Allowed},
		// Root.
		{name: "root-needs-no-identity-policy", page: pageEvalLogic, caller: "arn:aws:iam::111122223333:root", want: Allowed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			action, resource := tc.action, tc.resource
			if action == "" {
				action = "s3:GetObject"
			}
			if resource == "" {
				resource = objectARN
			}
			r := callerReq(t, tc.caller, action, resource)
			r.ResourceAccount = tc.resAcct
			in := &Input{OrgAccounts: tc.orgAccts}
			if tc.identity != "" {
				in.Identity = []*Policy{MustParse("id", KindIdentity, tc.identity)}
			}
			if tc.res != "" {
				in.Resource = MustParse("res", KindResource, tc.res)
			}
			if tc.trust != "" {
				in.Trust = MustParse("trust", KindResource, tc.trust)
			}
			if tc.boundary != "" {
				in.Boundary = MustParse("pb", KindIdentity, tc.boundary)
			}
			if tc.scp != "" {
				in.SCPs = []*Policy{MustParse("scp", KindIdentity, tc.scp)}
			}
			res := Evaluate(in, r)
			if res.Decision != tc.want || tc.decidedBy != "" && res.DecidedBy != tc.decidedBy {
				t.Errorf("%s: %s decided by %s, want %s by %s (see %s)", tc.caller, res.Decision, res.DecidedBy, tc.want, tc.decidedBy, tc.page)
			}
		})
	}
}

// TestSetCaller: the keys AWS derives from the caller
// (reference_policies_condition-keys.html: aws:PrincipalArn is the role's
// ARN for a role session, aws:userid is ROLEID:session).
func TestSetCaller(t *testing.T) {
	r := &Request{}
	if err := r.SetCaller(sessionA, "AROAEXAMPLEID12345678"); err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{"aws:PrincipalArn": roleA, "aws:userid": "AROAEXAMPLEID12345678:alice", "aws:PrincipalAccount": acctA, "aws:PrincipalType": "AssumedRole"} {
		if v, _ := r.Context.Get(key); len(v) != 1 || v[0] != want {
			t.Errorf("%s = %v, want %s", key, v, want)
		}
	}
	if _, ok := r.Context.Get("aws:username"); ok {
		t.Error("aws:username is set for a role session; AWS sets it for IAM users only")
	}
	u := &Request{}
	if err := u.SetCaller(userA, ""); err != nil {
		t.Fatal(err)
	}
	if v, _ := u.Context.Get("aws:username"); len(v) != 1 || v[0] != "alice" {
		t.Errorf("aws:username = %v", v)
	}
	if v, _ := u.Context.Get("aws:userid"); len(v) != 1 || !strings.HasPrefix(v[0], "AIDA") || len(v[0]) != 21 {
		t.Errorf("aws:userid = %v, want a derived AIDA… ID", v)
	}
	f := &Request{}
	if err := f.SetCaller("arn:aws:sts::111122223333:federated-user/carol", ""); err != nil {
		t.Fatal(err)
	}
	if v, _ := f.Context.Get("aws:PrincipalType"); v[0] != "FederatedUser" {
		t.Errorf("federated user type = %v", v)
	}
	for _, bad := range []string{"arn:aws:sts::111122223333:assumed-role/app", "arn:aws:iam::1111:user/x", "alice", "arn:aws:iam::111122223333:user/*"} {
		if err := (&Request{}).SetCaller(bad, ""); err == nil {
			t.Errorf("SetCaller(%q) accepted", bad)
		}
	}
}

// TestOperatorEdges: set operators with Null, Bool against non-booleans,
// ARN operators against values that are not ARNs, empty values.
func TestOperatorEdges(t *testing.T) {
	set := func(k string, v ...string) func(*Context) { return func(c *Context) { c.Set(k, v...) } }
	for _, tc := range []struct {
		name, page, block string
		setup             func(*Context)
		want              bool
	}{
		// Null tests presence; a set operator does not change that, and a
		// key with no values is null (multivalued keys page: use Null
		// false "to check if the context key exists and its value is not
		// null").
		{"forallvalues-null-absent", pageMultiValued, `{"ForAllValues:Null":{"aws:TagKeys":"true"}}`, nil, true},
		{"foranyvalue-null-present", pageMultiValued, `{"ForAnyValue:Null":{"aws:TagKeys":"true"}}`, set("aws:TagKeys", "a"), false},
		{"null-false-empty-list", pageMultiValued, `{"Null":{"aws:TagKeys":"false"}}`, set("aws:TagKeys"), false},
		{"null-true-empty-list", pageMultiValued, `{"Null":{"aws:TagKeys":"true"}}`, set("aws:TagKeys"), true},
		{"forallvalues-empty-list-true", pageMultiValued, `{"ForAllValues:StringEquals":{"aws:TagKeys":"a"}}`, set("aws:TagKeys"), true},
		{"foranyvalue-empty-list-false", pageMultiValued, `{"ForAnyValue:StringEquals":{"aws:TagKeys":"a"}}`, set("aws:TagKeys"), false},
		// Bool compares the words true and false, case-insensitively; a
		// request value that is neither matches nothing (condition
		// operators page, Boolean).
		{"bool-case-insensitive", pageConditionOp, `{"Bool":{"aws:SecureTransport":"TRUE"}}`, set("aws:SecureTransport", "true"), true},
		{"bool-request-not-boolean", pageConditionOp, `{"Bool":{"aws:SecureTransport":"true"}}`, set("aws:SecureTransport", "yes"), false},
		{"bool-policy-not-boolean", pageConditionOp, `{"Bool":{"aws:SecureTransport":"yes"}}`, set("aws:SecureTransport", "yes"), false},
		{"bool-variable", pageConditionOp, `{"Bool":{"aws:SecureTransport":"${aws:ViaAWSService}"}}`, func(c *Context) { c.Set("aws:SecureTransport", "true"); c.Set("aws:ViaAWSService", "TRUE") }, true},
		// ARN operators compare ARNs field by field; a value that is not an
		// ARN matches neither ArnLike nor ArnNotLike (condition operators
		// page, ARN).
		{"arnlike-not-an-arn", pageConditionOp, `{"ArnLike":{"aws:SourceArn":"arn:aws:s3:::*"}}`, set("aws:SourceArn", "bucket-name"), false},
		{"arnnotlike-not-an-arn", pageConditionOp, `{"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::*"}}`, set("aws:SourceArn", "bucket-name"), false},
		{"arnnotlike-other-arn", pageConditionOp, `{"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::*"}}`, set("aws:SourceArn", "arn:aws:sqs:us-east-1:111122223333:q"), true},
		{"arnnotlike-absent", pageConditionOp, `{"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::*"}}`, nil, true},
		{"arnlike-vs-stringlike", pageConditionOp, `{"ArnLike":{"aws:SourceArn":"arn:aws:svc:*:111122223333:finance/*"}}`, set("aws:SourceArn", "arn:aws:svc:us-east-2:999999999999:store/abc:111122223333:finance/x"), false},
		{"stringlike-crosses-fields", pageConditionOp, `{"StringLike":{"aws:SourceArn":"arn:aws:svc:*:111122223333:finance/*"}}`, set("aws:SourceArn", "arn:aws:svc:us-east-2:999999999999:store/abc:111122223333:finance/x"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := cond(t, tc.block, tc.setup); got != tc.want {
				t.Errorf("%s = %v, want %v (see %s)", tc.block, got, tc.want, tc.page)
			}
		})
	}
}

// TestResourceAccountFromARN: the owner comes from the ARN when the ARN
// has one, else (S3 buckets) the caller's account, and the result says
// which.
func TestResourceAccountFromARN(t *testing.T) {
	for _, tc := range []struct {
		resource, given, wantAcct, wantFrom string
		cross                               bool
	}{
		{"arn:aws:sqs:us-east-1:444455556666:q", "", acctB, AccountFromARN, true},
		{"arn:aws:kms:us-east-1:111122223333:key/1", "", acctA, AccountFromARN, false},
		{"arn:aws:s3:::reports/x", "", acctA, AccountFromCaller, false},
		{"arn:aws:s3:::reports/x", acctB, acctB, AccountGiven, true},
		{"*", "", acctA, AccountFromCaller, false},
	} {
		r := callerReq(t, userA, "s3:GetObject", tc.resource)
		r.ResourceAccount = tc.given
		res := Evaluate(&Input{}, r)
		if res.ResourceAccount != tc.wantAcct || res.ResourceAccountFrom != tc.wantFrom || res.CrossAccount != tc.cross {
			t.Errorf("%s (given %q): account %s from %s cross %v, want %s from %s cross %v", tc.resource, tc.given,
				res.ResourceAccount, res.ResourceAccountFrom, res.CrossAccount, tc.wantAcct, tc.wantFrom, tc.cross)
		}
	}
}

// TestEndpointAccountPrincipal: interface endpoint policies keep the
// documented meaning of an account principal — every principal of it —
// and grant nothing by themselves (PrivateLink guide, vpc-endpoints-access).
func TestEndpointAccountPrincipal(t *testing.T) {
	ep := MustParse("ep", KindEndpoint, `{"Statement":[{"Effect":"Allow","Principal":{"AWS":"111122223333"},"Action":"*","Resource":"*"}]}`)
	id := MustParse("id", KindIdentity, allowS3)
	r := callerReq(t, sessionA, "s3:GetObject", objectARN)
	r.ViaEndpoint(Endpoint{ID: myVpce})
	if res := Evaluate(&Input{Identity: []*Policy{id}, Endpoint: ep, EndpointType: "Interface"}, r); res.Decision != Allowed {
		t.Errorf("a session through an interface endpoint allowing its account: %s by %s", res.Decision, res.DecidedBy)
	}
	if res := Evaluate(&Input{Identity: []*Policy{id}, Endpoint: ep, EndpointType: "Gateway"}, r); res.Decision != ImplicitDeny || res.DecidedBy != TypeEndpoint {
		t.Errorf("gateway endpoint, account principal, session: %s by %s", res.Decision, res.DecidedBy)
	}
	if !slices.Contains([]Decision{ImplicitDeny}, Evaluate(&Input{Endpoint: ep, EndpointType: "Interface"}, r).Decision) {
		t.Error("the endpoint policy granted by itself")
	}
}
