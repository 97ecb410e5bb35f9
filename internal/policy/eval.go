package policy

import (
	"strings"
)

// Decision is the outcome of an evaluation, as IAM's simulator names it.
type Decision string

// Decisions.
const (
	Allowed      Decision = "allowed"
	ExplicitDeny Decision = "explicitDeny"
	ImplicitDeny Decision = "implicitDeny"
)

// Policy types in results.
const (
	TypeIdentity = "identity"
	TypeResource = "resource"
	TypeTrust    = "roleTrust"
	TypeEndpoint = "vpcEndpoint"
	TypeBoundary = "permissionsBoundary"
	TypeSCP      = "organizations"
)

// Where a result's resource account came from.
const (
	AccountGiven      = "given"
	AccountFromARN    = "resource ARN"
	AccountFromCaller = "caller's account"
)

// Input is the set of policies that apply to a request.
type Input struct {
	Identity []*Policy
	Resource *Policy
	// Trust is the trust policy of the role an sts:AssumeRole* request
	// names. It stands where a resource policy would, but must allow: an
	// identity policy alone never lets anyone assume a role, in the same
	// account or not (the role trust page).
	Trust *Policy
	// Endpoint is the policy of the VPC endpoint the request came
	// through; nil when it did not come through one.
	Endpoint *Policy
	// EndpointType is Interface or Gateway: on gateway endpoints an
	// account principal means only that account's root user.
	EndpointType string
	Boundary     *Policy
	SCPs         []*Policy
	// OrgAccounts are the accounts the SCPs govern; empty means the
	// caller's account, whatever it is. SCPs never govern anonymous
	// callers, service principals or the management account.
	OrgAccounts       []string
	ManagementAccount string
}

// MatchedStatement is a statement that applied, with its source.
type MatchedStatement struct {
	SourcePolicyID   string   `json:"SourcePolicyId"`
	SourcePolicyType string   `json:"SourcePolicyType"`
	Sid              string   `json:"Sid,omitempty"`
	Effect           Effect   `json:"Effect"`
	StartPosition    Position `json:"StartPosition"`
	EndPosition      Position `json:"EndPosition"`
}

// Result is a decision and how it was reached. Reuse one Result across
// calls to EvaluateInto to decide without allocating.
type Result struct {
	Decision Decision
	// DecidedBy is the policy type whose statement or absence decided.
	DecidedBy string
	// Matched are the statements that decided: the Deny statements when
	// denied explicitly, else the Allow statements that allowed.
	Matched []MatchedStatement
	// Missing are condition keys the policies tested that the request
	// did not carry.
	Missing []string
	// Per policy type: allowed, explicitDeny or implicitDeny; empty when
	// no policy of the type applied.
	Identity, Resource, Endpoint, Boundary, SCP Decision
	// CrossAccount is set when caller and resource accounts differ.
	CrossAccount bool
	// ResourceAccount owns the resource, and ResourceAccountFrom says how
	// it was known: AccountGiven, AccountFromARN or AccountFromCaller.
	ResourceAccount, ResourceAccountFrom string
	// SCPSkipped is set when SCPs were given but do not govern the caller
	// (anonymous, a service, outside the organisation, the management
	// account).
	SCPSkipped bool
	// ResourceGrant says how the resource (or trust) policy's Allow named
	// the caller: "account" (delegation to the account's identity
	// policies), "role" (a role ARN, limited by the session's boundary),
	// "direct" (the exact ARN or "*"), or "" when none allowed.
	ResourceGrant string

	allows []MatchedStatement // scratch
}

// Evaluate decides a request.
func Evaluate(in *Input, req *Request) *Result {
	r := &Result{}
	EvaluateInto(r, in, req)
	return r
}

// policyOutcome is what one policy says about a request.
type policyOutcome struct {
	allow, deny bool
	grant       int // the strongest principal match of an Allow (resource policies)
}

var grantNames = [...]string{matchNone: "", matchAccount: "account", matchRole: "role", matchDirect: "direct"}

// EvaluateInto decides a request into r, reusing r's memory.
func EvaluateInto(r *Result, in *Input, req *Request) {
	*r = Result{Matched: r.Matched[:0], Missing: r.Missing[:0], allows: r.allows[:0]}
	who := callerOf(req)
	resAcct, from := req.ResourceAccount, AccountGiven
	if resAcct == "" {
		if a := arnAccount(req.Resource); len(a) == 12 && isDigits(a) {
			resAcct, from = a, AccountFromARN
		} else {
			resAcct, from = who.account, AccountFromCaller
		}
	}
	r.ResourceAccount, r.ResourceAccountFrom = resAcct, from
	r.CrossAccount = resAcct != "" && who.account != "" && resAcct != who.account
	var denies []MatchedStatement = r.Matched
	e := evaluator{req: req, r: r, who: who, hasBoundary: in.Boundary != nil}
	e.svc, _, _ = strings.Cut(req.Action, ":")
	e.res, e.isARN = splitARN(req.Resource)

	var id policyOutcome
	for _, p := range in.Identity {
		o := e.policy(p, TypeIdentity, "", &denies)
		id.allow, id.deny = id.allow || o.allow, id.deny || o.deny
	}
	r.Identity = decisionOf(id, len(in.Identity) > 0)
	resPolicy, resType := in.Resource, TypeResource
	if in.Trust != nil {
		resPolicy, resType = in.Trust, TypeTrust
	}
	var res, ep, bd policyOutcome
	if resPolicy != nil {
		res = e.policy(resPolicy, resType, "", &denies)
		r.Resource = decisionOf(res, true)
		r.ResourceGrant = grantNames[res.grant]
	}
	if in.Endpoint != nil {
		ep = e.policy(in.Endpoint, TypeEndpoint, in.EndpointType, &denies)
		r.Endpoint = decisionOf(ep, true)
	}
	if in.Boundary != nil {
		bd = e.policy(in.Boundary, TypeBoundary, "", &denies)
		r.Boundary = decisionOf(bd, true)
	}
	scpAllow, scpDeny := true, false
	scps := len(in.SCPs) > 0 && scpGoverns(in, who)
	r.SCPSkipped = len(in.SCPs) > 0 && !scps
	if scps {
		for _, p := range in.SCPs {
			o := e.policy(p, TypeSCP, "", &denies)
			scpAllow = scpAllow && o.allow
			scpDeny = scpDeny || o.deny
		}
		r.SCP = decisionOf(policyOutcome{allow: scpAllow, deny: scpDeny}, true)
	}

	// 1. An explicit Deny anywhere wins.
	if len(denies) > 0 {
		r.Decision, r.Matched = ExplicitDeny, denies
		r.DecidedBy = denies[0].SourcePolicyType
		return
	}
	r.Matched = denies[:0]
	// 2. Filters: SCPs and the endpoint policy.
	switch {
	case scps && !scpAllow:
		r.Decision, r.DecidedBy = ImplicitDeny, TypeSCP
		return
	case in.Endpoint != nil && !ep.allow:
		r.Decision, r.DecidedBy = ImplicitDeny, TypeEndpoint
		return
	}
	// 3. Identity, resource and boundary. The root user is allowed
	// everything on the identity side.
	idAllow := id.allow || who.kind == callerRoot
	boundaryOK := in.Boundary == nil || bd.allow
	var allowed bool
	decider := TypeIdentity
	switch {
	case r.CrossAccount:
		// Both sides must allow; the boundary limits the identity side.
		allowed = idAllow && res.allow && boundaryOK
		switch {
		case idAllow && !boundaryOK:
			decider = TypeBoundary
		case idAllow:
			decider = resType
		}
	case in.Trust != nil:
		// The trust policy must allow; a grant to the account delegates
		// to the identity policies.
		allowed = res.grant == matchDirect || res.grant == matchRole && boundaryOK || res.grant == matchAccount && idAllow && boundaryOK
		decider = resType
		if res.grant == matchAccount && !idAllow {
			decider = TypeIdentity
		} else if res.grant != matchNone && !boundaryOK {
			decider = TypeBoundary
		}
	default:
		// One account: identity and resource policies are a union, but a
		// grant to the account is only a delegation, and a grant to a role
		// ARN stays under the boundary.
		viaID := idAllow && boundaryOK
		viaRes := res.grant == matchDirect || res.grant == matchRole && boundaryOK
		allowed = viaID || viaRes
		switch {
		case viaID:
			decider = TypeIdentity
		case viaRes:
			decider = resType
		case (idAllow || res.grant == matchRole) && !boundaryOK:
			decider = TypeBoundary
		case !idAllow && res.allow:
			decider = TypeIdentity // the resource policy delegated to the identity side, which does not allow
		case !idAllow && resPolicy != nil:
			decider = resType
		}
	}
	if !allowed {
		r.Decision, r.DecidedBy = ImplicitDeny, decider
		if resPolicy == nil && len(in.Identity) == 0 && in.Boundary == nil && who.kind != callerRoot {
			r.DecidedBy = "none"
		}
		return
	}
	r.Decision, r.DecidedBy = Allowed, decider
	r.Matched = append(r.Matched, r.allows...)
}

// scpGoverns reports whether SCPs apply to the caller: only principals of
// the organisation's accounts, never the management account, anonymous
// callers or service principals (the SCP page).
func scpGoverns(in *Input, who caller) bool {
	switch who.kind {
	case callerAnonymous, callerService, callerOther:
		return false
	}
	if who.account == "" || who.account == in.ManagementAccount {
		return false
	}
	if len(in.OrgAccounts) == 0 {
		return true
	}
	for _, a := range in.OrgAccounts {
		if a == who.account {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func decisionOf(o policyOutcome, present bool) Decision {
	switch {
	case !present:
		return ""
	case o.deny:
		return ExplicitDeny
	case o.allow:
		return Allowed
	}
	return ImplicitDeny
}

type evaluator struct {
	req         *Request
	r           *Result
	who         caller
	hasBoundary bool
	svc         string    // the request action's service
	res         [6]string // the request resource, split
	isARN       bool
}

// policy evaluates every statement of a policy, appending Deny matches to
// denies and Allow matches to the result's scratch list.
func (e *evaluator) policy(p *Policy, typ, endpointType string, denies *[]MatchedStatement) policyOutcome {
	var o policyOutcome
	// Visit, in document order, the statements that can match the
	// request's service: the index's list merged with the any-service list.
	var buf [32]byte
	svc := buf[:0]
	if len(e.svc) <= len(buf) {
		for i := 0; i < len(e.svc); i++ {
			svc = append(svc, lower(e.svc[i]))
		}
	}
	named := p.bySvc[string(svc)]
	any := p.anySvc
	if p.bySvc == nil || len(e.svc) > len(buf) { // not indexed, or a service name too long for the buffer: visit everything
		named, any = nil, nil
		for i := range p.Statements {
			any = append(any, i)
		}
	}
	for len(named) > 0 || len(any) > 0 {
		var i int
		if len(any) == 0 || (len(named) > 0 && named[0] < any[0]) {
			i, named = named[0], named[1:]
		} else {
			i, any = any[0], any[1:]
		}
		s := p.Statements[i]
		strength := e.statement(s, typ, endpointType)
		if strength == matchNone {
			continue
		}
		m := MatchedStatement{SourcePolicyID: p.Name, SourcePolicyType: typ, Sid: s.Sid, Effect: s.Effect, StartPosition: s.Start, EndPosition: s.End}
		if s.Effect == Deny {
			o.deny = true
			*denies = append(*denies, m)
		} else {
			o.allow = true
			o.grant = max(o.grant, strength)
			e.r.allows = append(e.r.allows, m)
		}
	}
	return o
}

// statement reports whether a statement applies to the request, and how
// strongly its principal names the caller (matchDirect where the policy
// type has no Principal).
func (e *evaluator) statement(s *Statement, typ, endpointType string) int {
	req := e.req
	strength := matchDirect
	if typ == TypeResource || typ == TypeTrust || typ == TypeEndpoint {
		if s.Principal != nil {
			if strength = e.principalMatches(s.Principal, typ, endpointType); strength == matchNone {
				return matchNone
			}
		}
		if s.NotPrincipal != nil && e.principalMatches(s.NotPrincipal, typ, endpointType) != matchNone {
			// A Deny with NotPrincipal in a resource policy always denies
			// a principal that has a permissions boundary, whatever it
			// lists (the NotPrincipal page).
			if !(s.Effect == Deny && e.hasBoundary && typ != TypeEndpoint) {
				return matchNone
			}
		}
	}
	if len(s.services) > 0 {
		known := false
		for _, v := range s.services {
			if len(v) == len(e.svc) && hasPrefixFold(e.svc, v, true) {
				known = true
				break
			}
		}
		if !known {
			return matchNone
		}
	}
	hit := false
	for i := range s.actions {
		if s.actions[i].match(req.Action, &req.Context, true) {
			hit = true
			break
		}
	}
	if hit == s.notAction {
		return matchNone
	}
	if s.hasResource {
		hit = false
		// With the resource unknown, a Deny's Resource (an Allow's
		// NotResource) names it when it could name any resource of the
		// service; an Allow's Resource (a Deny's NotResource) only when it
		// names every resource.
		could := req.ResourceUnknown && (s.Effect == Deny) != s.notResource
		for i := range s.resources {
			var m bool
			if could {
				m = s.resources[i].couldName(e.svc)
			} else {
				m = s.resources[i].matchSplit(req.Resource, &e.res, e.isARN, &req.Context)
			}
			if m {
				hit = true
				break
			}
		}
		if hit == s.notResource {
			return matchNone
		}
	}
	// Conditions are evaluated until one fails; the keys of the rest are
	// still checked for presence, so that every missing key is reported.
	ok := true
	for _, c := range s.Conditions {
		if !ok {
			if c.op.family != famNull {
				if _, present := req.Context.get(c.key); !present {
					e.noteMissing(c.Key)
				}
			}
			continue
		}
		match, missing := c.eval(&req.Context)
		if missing {
			e.noteMissing(c.Key)
		}
		ok = match
	}
	if !ok {
		return matchNone
	}
	return strength
}

func (e *evaluator) noteMissing(key string) {
	for _, k := range e.r.Missing {
		if strings.EqualFold(k, key) {
			return
		}
	}
	e.r.Missing = append(e.r.Missing, key)
}

// principalMatches applies AWS's principal rules and says how strongly
// the element names the caller: "*" is everyone (direct); an account (ID
// or …:root ARN) is every principal of that account — except in gateway
// endpoint policies, where it is only the root user; a role ARN is the
// role and every session of it; other ARNs match exactly.
func (e *evaluator) principalMatches(p *Principals, typ, endpointType string) int {
	if p.All {
		return matchDirect
	}
	req, who := e.req, e.who
	best := matchNone
	for i := range p.aws {
		pv := &p.aws[i]
		switch pv.kind {
		case pvAccount:
			if who.account != pv.account || req.PrincipalARN == "" {
				continue
			}
			if typ == TypeEndpoint && endpointType == "Gateway" {
				// Only the account's root user: arn:aws:iam::<account>:root.
				if who.kind == callerRoot {
					return matchDirect
				}
				continue
			}
			if typ == TypeEndpoint {
				return matchDirect // every principal of the account
			}
			best = max(best, matchAccount)
		case pvRole:
			if (who.kind == callerRole || who.kind == callerSession) && who.account == pv.account && who.role == pv.role {
				best = max(best, matchRole)
			}
		default:
			if req.PrincipalARN != "" && pv.raw == req.PrincipalARN {
				return matchDirect
			}
		}
	}
	if best != matchNone {
		return best
	}
	for _, s := range p.Service {
		if req.PrincipalService != "" && s == req.PrincipalService {
			return matchDirect
		}
	}
	for _, f := range p.Federated {
		if req.PrincipalFederated != "" && f == req.PrincipalFederated {
			return matchDirect
		}
	}
	for _, c := range p.Canonical {
		if req.PrincipalCanonicalUser != "" && c == req.PrincipalCanonicalUser {
			return matchDirect
		}
	}
	return matchNone
}
