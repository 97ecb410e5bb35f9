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
	TypeEndpoint = "vpcEndpoint"
	TypeBoundary = "permissionsBoundary"
	TypeSCP      = "organizations"
)

// Input is the set of policies that apply to a request.
type Input struct {
	Identity []*Policy
	Resource *Policy
	// Endpoint is the policy of the VPC endpoint the request came
	// through; nil when it did not come through one.
	Endpoint *Policy
	// EndpointType is Interface or Gateway: on gateway endpoints an
	// account principal means only that account's root user.
	EndpointType string
	Boundary     *Policy
	SCPs         []*Policy
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
	// Per policy type: allowed, explicitDeny or implicitDeny.
	Identity, Resource, Endpoint, Boundary, SCP Decision
	// CrossAccount is set when caller and resource accounts differ.
	CrossAccount bool

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
}

// EvaluateInto decides a request into r, reusing r's memory.
func EvaluateInto(r *Result, in *Input, req *Request) {
	*r = Result{Matched: r.Matched[:0], Missing: r.Missing[:0], allows: r.allows[:0]}
	acct := req.principalAccount()
	r.CrossAccount = req.ResourceAccount != "" && acct != "" && req.ResourceAccount != acct
	var denies []MatchedStatement = r.Matched
	e := evaluator{req: req, r: r}
	e.svc, _, _ = strings.Cut(req.Action, ":")
	e.res, e.isARN = splitARN(req.Resource)

	var id policyOutcome
	for _, p := range in.Identity {
		o := e.policy(p, TypeIdentity, "", &denies)
		id.allow, id.deny = id.allow || o.allow, id.deny || o.deny
	}
	r.Identity = decisionOf(id, len(in.Identity) > 0)
	var res, ep, bd policyOutcome
	if in.Resource != nil {
		res = e.policy(in.Resource, TypeResource, "", &denies)
		r.Resource = decisionOf(res, true)
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
	for _, p := range in.SCPs {
		o := e.policy(p, TypeSCP, "", &denies)
		scpAllow = scpAllow && o.allow
		scpDeny = scpDeny || o.deny
	}
	if len(in.SCPs) > 0 {
		r.SCP = decisionOf(policyOutcome{scpAllow, scpDeny}, true)
	}

	// 1. An explicit Deny anywhere wins.
	if len(denies) > 0 {
		r.Decision, r.Matched = ExplicitDeny, denies
		r.DecidedBy = denies[0].SourcePolicyType
		return
	}
	r.Matched = denies[:0]
	// 2. Filters: SCPs, the permissions boundary, the endpoint policy.
	switch {
	case len(in.SCPs) > 0 && !scpAllow:
		r.Decision, r.DecidedBy = ImplicitDeny, TypeSCP
		return
	case in.Endpoint != nil && !ep.allow:
		r.Decision, r.DecidedBy = ImplicitDeny, TypeEndpoint
		return
	case in.Boundary != nil && !bd.allow && !(res.allow && !r.CrossAccount): // a same-account resource policy grant is not limited by the boundary
		r.Decision, r.DecidedBy = ImplicitDeny, TypeBoundary
		return
	}
	// 3. Identity and resource: a union in one account, both across.
	allowed := id.allow || res.allow
	decider := TypeIdentity
	if !id.allow {
		decider = TypeResource
	}
	if r.CrossAccount {
		allowed = id.allow && res.allow
		if id.allow {
			decider = TypeResource
		}
	}
	if !allowed {
		r.Decision, r.DecidedBy = ImplicitDeny, decider
		if in.Resource == nil && len(in.Identity) == 0 {
			r.DecidedBy = "none"
		}
		return
	}
	r.Decision, r.DecidedBy = Allowed, decider
	r.Matched = append(r.Matched, r.allows...)
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
	req   *Request
	r     *Result
	svc   string    // the request action's service
	res   [6]string // the request resource, split
	isARN bool
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
		if !e.statement(p, s, typ, endpointType) {
			continue
		}
		m := MatchedStatement{SourcePolicyID: p.Name, SourcePolicyType: typ, Sid: s.Sid, Effect: s.Effect, StartPosition: s.Start, EndPosition: s.End}
		if s.Effect == Deny {
			o.deny = true
			*denies = append(*denies, m)
		} else {
			o.allow = true
			e.r.allows = append(e.r.allows, m)
		}
	}
	return o
}

func (e *evaluator) statement(p *Policy, s *Statement, typ, endpointType string) bool {
	req := e.req
	if typ != TypeIdentity && typ != TypeBoundary && typ != TypeSCP {
		if s.Principal != nil && !e.principalMatches(s.Principal, typ, endpointType) {
			return false
		}
		if s.NotPrincipal != nil && e.principalMatches(s.NotPrincipal, typ, endpointType) {
			return false
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
			return false
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
		return false
	}
	if s.hasResource {
		hit = false
		for i := range s.resources {
			if s.resources[i].matchSplit(req.Resource, &e.res, e.isARN, &req.Context) {
				hit = true
				break
			}
		}
		if hit == s.notResource {
			return false
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
	return ok
}

func (e *evaluator) noteMissing(key string) {
	for _, k := range e.r.Missing {
		if strings.EqualFold(k, key) {
			return
		}
	}
	e.r.Missing = append(e.r.Missing, key)
}

// principalMatches applies AWS's principal rules: "*" is everyone; an
// account (ID or …:root ARN) is every principal of that account — except
// in gateway endpoint policies, where it is only the root user; other ARNs
// match exactly.
func (e *evaluator) principalMatches(p *Principals, typ, endpointType string) bool {
	if p.All {
		return true
	}
	req := e.req
	acct := req.principalAccount()
	for i, a := range p.AWS {
		if account := p.accounts[i]; account != "" {
			if typ == TypeEndpoint && endpointType == "Gateway" {
				// Only the account's root user: arn:aws:iam::<account>:root.
				if acct == account && strings.HasPrefix(req.PrincipalARN, "arn:") && strings.HasSuffix(req.PrincipalARN, ":root") && strings.Contains(req.PrincipalARN, ":iam::") {
					return true
				}
				continue
			}
			if acct == account && req.PrincipalARN != "" {
				return true
			}
			continue
		}
		if req.PrincipalARN != "" && a == req.PrincipalARN {
			return true
		}
	}
	for _, s := range p.Service {
		if req.PrincipalService != "" && s == req.PrincipalService {
			return true
		}
	}
	for _, f := range p.Federated {
		if req.PrincipalFederated != "" && f == req.PrincipalFederated {
			return true
		}
	}
	for _, c := range p.Canonical {
		if req.PrincipalCanonicalUser != "" && c == req.PrincipalCanonicalUser {
			return true
		}
	}
	return false
}
