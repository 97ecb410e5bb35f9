package policy

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// refGlob matches s against an IAM glob with a regular expression: no
// shapes, no prefix tricks. Variables are resolved first.
func refGlob(pat, s string, ctx *Context, fold, vars bool) bool {
	if vars {
		resolved, ok := refResolve(pat, ctx)
		if !ok {
			return false
		}
		pat = resolved
	}
	var b strings.Builder
	b.WriteString("^")
	if fold {
		b.WriteString("(?is)")
	} else {
		b.WriteString("(?s)")
	}
	for _, r := range pat {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		case '\x00':
			b.WriteString(`\*`)
		case '\x01':
			b.WriteString(`\?`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String()).MatchString(s)
}

// refResolve substitutes ${key}, ${key, 'default'} and the escapes; the
// literal stars and question marks it produces are marked \x00 and \x01.
func refResolve(pat string, ctx *Context) (string, bool) {
	var b strings.Builder
	for {
		i := strings.Index(pat, "${")
		if i < 0 {
			b.WriteString(pat)
			return b.String(), true
		}
		j := strings.IndexByte(pat[i:], '}')
		if j < 0 {
			b.WriteString(pat)
			return b.String(), true
		}
		b.WriteString(pat[:i])
		body := pat[i+2 : i+j]
		pat = pat[i+j+1:]
		switch body {
		case "*":
			b.WriteByte(0)
			continue
		case "?":
			b.WriteByte(1)
			continue
		case "$":
			b.WriteByte('$')
			continue
		case "":
			b.WriteString("${}")
			continue
		}
		key, def, hasDef := strings.Cut(body, ",")
		def = strings.TrimSpace(def)
		v, ok := ctx.Get(strings.TrimSpace(key))
		switch {
		case ok && len(v) == 1:
			b.WriteString(strings.NewReplacer("*", "\x00", "?", "\x01").Replace(v[0]))
		case hasDef && len(def) >= 2 && def[0] == '\'' && def[len(def)-1] == '\'':
			b.WriteString(strings.NewReplacer("*", "\x00", "?", "\x01").Replace(def[1 : len(def)-1]))
		default:
			return "", false
		}
	}
}

// refARN matches an ARN pattern field by field.
func refARN(pat, s string, ctx *Context, vars bool) bool {
	if pat == "*" {
		return true
	}
	pp := strings.SplitN(pat, ":", 6)
	sp := strings.SplitN(s, ":", 6)
	if len(pp) != 6 || len(sp) != 6 {
		return false
	}
	for i := range 5 {
		if !refGlob(pp[i], sp[i], ctx, true, false) {
			return false
		}
	}
	return refGlob(pp[5], sp[5], ctx, false, vars)
}

// refDecide is the plain reference evaluator: every statement of every
// policy visited, in order, with the rules written out as AWS's evaluation
// logic page gives them. Conditions share Condition.eval.
func refDecide(in *Input, req *Request) Decision {
	who := callerOf(req)
	resAcct := req.ResourceAccount
	if resAcct == "" {
		if a := arnAccount(req.Resource); len(a) == 12 && isDigits(a) {
			resAcct = a
		} else {
			resAcct = who.account
		}
	}
	cross := resAcct != "" && who.account != "" && resAcct != who.account
	principal := func(p *Principals, typ, epType string) int {
		best := matchNone
		if p.All {
			return matchDirect
		}
		for _, a := range p.AWS {
			pv, _ := classifyPrincipal(a)
			switch pv.kind {
			case pvAll:
				return matchDirect
			case pvAccount:
				if req.PrincipalARN == "" || who.account != pv.account {
					continue
				}
				if typ == TypeEndpoint {
					if epType != "Gateway" || who.kind == callerRoot {
						return matchDirect
					}
					continue
				}
				best = max(best, matchAccount)
			case pvRole:
				if (who.kind == callerRole || who.kind == callerSession) && who.account == pv.account && who.role == pv.role {
					best = max(best, matchRole)
				}
			default:
				if req.PrincipalARN != "" && a == req.PrincipalARN {
					return matchDirect
				}
			}
		}
		if best != matchNone {
			return best
		}
		for _, s := range p.Service {
			if s == req.PrincipalService && s != "" {
				return matchDirect
			}
		}
		return matchNone
	}
	type outcome struct {
		allow, deny bool
		grant       int
	}
	eval := func(p *Policy, typ, epType string) outcome {
		var o outcome
		for _, s := range p.Statements {
			strength := matchDirect
			if typ == TypeResource || typ == TypeTrust || typ == TypeEndpoint {
				if s.Principal != nil {
					if strength = principal(s.Principal, typ, epType); strength == matchNone {
						continue
					}
				}
				if s.NotPrincipal != nil && principal(s.NotPrincipal, typ, epType) != matchNone && !(s.Effect == Deny && in.Boundary != nil && typ != TypeEndpoint) {
					continue
				}
			}
			hit := false
			for _, a := range s.actions {
				hit = hit || refGlob(a.raw, req.Action, &req.Context, true, false)
			}
			if hit == s.notAction {
				continue
			}
			if s.hasResource {
				hit = false
				for _, r := range s.resources {
					raw := r.raw()
					if r.flat {
						hit = hit || refGlob(raw, req.Resource, &req.Context, false, r.whole.vars)
					} else {
						hit = hit || refARN(raw, req.Resource, &req.Context, p.vars)
					}
				}
				if hit == s.notResource {
					continue
				}
			}
			ok := true
			for _, c := range s.Conditions {
				if m, _ := c.eval(&req.Context); !m {
					ok = false
				}
			}
			if !ok {
				continue
			}
			if s.Effect == Deny {
				o.deny = true
			} else {
				o.allow = true
				o.grant = max(o.grant, strength)
			}
		}
		return o
	}
	var id, res, ep, bd, scp outcome
	scp.allow = true
	for _, p := range in.Identity {
		o := eval(p, TypeIdentity, "")
		id.allow, id.deny = id.allow || o.allow, id.deny || o.deny
	}
	rp, rt := in.Resource, TypeResource
	if in.Trust != nil {
		rp, rt = in.Trust, TypeTrust
	}
	if rp != nil {
		res = eval(rp, rt, "")
	}
	if in.Endpoint != nil {
		ep = eval(in.Endpoint, TypeEndpoint, in.EndpointType)
	}
	if in.Boundary != nil {
		bd = eval(in.Boundary, TypeBoundary, "")
	}
	governed := len(in.SCPs) > 0 && scpGoverns(in, who)
	if governed {
		for _, p := range in.SCPs {
			o := eval(p, TypeSCP, "")
			scp.allow, scp.deny = scp.allow && o.allow, scp.deny || o.deny
		}
	}
	if id.deny || res.deny || ep.deny || bd.deny || governed && scp.deny {
		return ExplicitDeny
	}
	if governed && !scp.allow || in.Endpoint != nil && !ep.allow {
		return ImplicitDeny
	}
	idOK := (id.allow || who.kind == callerRoot) && (in.Boundary == nil || bd.allow)
	roleOK := res.grant == matchRole && (in.Boundary == nil || bd.allow)
	switch {
	case cross:
		if idOK && res.allow {
			return Allowed
		}
	case in.Trust != nil:
		if res.grant == matchDirect || roleOK || res.grant == matchAccount && idOK {
			return Allowed
		}
	default:
		if idOK || res.grant == matchDirect || roleOK {
			return Allowed
		}
	}
	return ImplicitDeny
}

// raw reconstructs a compiled ARN pattern's text.
func (a *arnPattern) raw() string {
	if a.all {
		return "*"
	}
	if a.flat {
		return a.whole.raw
	}
	parts := make([]string, 6)
	for i := range a.segs {
		parts[i] = a.segs[i].raw
	}
	return strings.Join(parts, ":")
}

// Vocabulary for random policies and requests.
var (
	fzActions   = []string{"s3:GetObject", "s3:*", "S3:get*", "s3:Get?bject", "*", "ec2:*", "kms:Decrypt", "sts:AssumeRole", "s3:Put*"}
	fzResources = []string{"*", "arn:aws:s3:::reports/*", "arn:aws:s3:::reports", "arn:aws:s3:::*/q?.csv", "arn:aws:s3:::${aws:username}/*",
		"arn:aws:sqs:us-east-1:444455556666:*", "arn:aws:kms:*:111122223333:key/*", "arn:AWS:S3:::reports/*", "arn:aws:iam::111122223333:role/*"}
	fzPrincipals = []string{`"*"`, `{"AWS":"111122223333"}`, `{"AWS":"arn:aws:iam::111122223333:root"}`, `{"AWS":"` + roleA + `"}`,
		`{"AWS":"` + sessionA + `"}`, `{"AWS":"` + userA + `"}`, `{"AWS":"444455556666"}`, `{"Service":"ec2.amazonaws.com"}`,
		`{"AWS":["arn:aws:iam::444455556666:role/x","` + roleA + `"]}`}
	fzConds = []string{"", `,"Condition":{"StringEquals":{"aws:SourceVpce":"` + myVpce + `"}}`, `,"Condition":{"Bool":{"aws:SecureTransport":"true"}}`,
		`,"Condition":{"StringNotEqualsIfExists":{"aws:SourceVpc":"` + myVpc + `"}}`, `,"Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/adm*"}}`,
		`,"Condition":{"ForAllValues:StringLike":{"aws:TagKeys":["team","cost*"]}}`, `,"Condition":{"Null":{"aws:SourceIp":"true"}}`}
	fzCallers   = []string{"", roleA, sessionA, userA, "arn:aws:iam::111122223333:root", "arn:aws:sts::444455556666:assumed-role/app/x", "arn:aws:iam::444455556666:user/bob"}
	fzRequests  = []string{"s3:GetObject", "S3:GETOBJECT", "ec2:RunInstances", "kms:Decrypt", "sts:AssumeRole", "s3:PutObject"}
	fzResReqs   = []string{"arn:aws:s3:::reports/q1.csv", "arn:aws:s3:::reports", "arn:aws:s3:::alice/x", "arn:aws:sqs:us-east-1:444455556666:q", "arn:aws:kms:us-east-1:111122223333:key/k", "*", "not-an-arn"}
	fzEffects   = []string{"Allow", "Deny"}
	fzNotAction = []string{"Action", "Action", "Action", "NotAction"}
	fzNotRes    = []string{"Resource", "Resource", "Resource", "NotResource"}
	fzNotPrinc  = []string{"Principal", "Principal", "Principal", "NotPrincipal"}
)

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

func fzPolicy(rng *rand.Rand, withPrincipal bool) string {
	var stmts []string
	for range 1 + rng.IntN(4) {
		s := `{"Effect":"` + pick(rng, fzEffects) + `","` + pick(rng, fzNotAction) + `":"` + pick(rng, fzActions) + `","` + pick(rng, fzNotRes) + `":"` + pick(rng, fzResources) + `"`
		if withPrincipal {
			s += `,"` + pick(rng, fzNotPrinc) + `":` + pick(rng, fzPrincipals)
		}
		stmts = append(stmts, s+pick(rng, fzConds)+"}")
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

// decideBoth builds random policies and a request from a seed, and
// compares the engine with the reference.
func decideBoth(t *testing.T, seed1, seed2 uint64) {
	rng := rand.New(rand.NewPCG(seed1, seed2))
	in := &Input{EndpointType: pick(rng, []string{"Interface", "Gateway"})}
	parse := func(kind Kind, principal bool) *Policy {
		p, fs := Parse("p", kind, fzPolicy(rng, principal))
		if p == nil {
			t.Fatalf("generated policy refused: %v", fs)
		}
		return p
	}
	for range rng.IntN(3) {
		in.Identity = append(in.Identity, parse(KindIdentity, false))
	}
	switch rng.IntN(3) {
	case 1:
		in.Resource = parse(KindResource, true)
	case 2:
		in.Trust = parse(KindResource, true)
	}
	if rng.IntN(2) == 0 {
		in.Endpoint = parse(KindEndpoint, true)
	}
	if rng.IntN(3) == 0 {
		in.Boundary = parse(KindIdentity, false)
	}
	if rng.IntN(3) == 0 {
		in.SCPs = []*Policy{parse(KindIdentity, false)}
	}
	r := &Request{Action: pick(rng, fzRequests), Resource: pick(rng, fzResReqs)}
	if err := r.SetCaller(pick(rng, fzCallers), ""); err != nil {
		t.Fatal(err)
	}
	if rng.IntN(2) == 0 {
		r.ViaEndpoint(Endpoint{ID: myVpce, VpcID: myVpc})
	} else {
		r.Context.Set("aws:SourceIp", "203.0.113.9")
	}
	if rng.IntN(2) == 0 {
		r.Context.Set("aws:SecureTransport", pick(rng, []string{"true", "false"}))
	}
	if rng.IntN(2) == 0 {
		r.Context.Set("aws:TagKeys", pick(rng, [][]string{{}, {"team"}, {"team", "costcenter"}, {"owner"}})...)
	}
	got := Evaluate(in, r).Decision
	if want := refDecide(in, r); got != want {
		t.Fatalf("seed (%d, %d): engine %s, reference %s for %s on %s by %q", seed1, seed2, got, want, r.Action, r.Resource, r.PrincipalARN)
	}
}

// TestEngineMatchesReference runs the comparison on a fixed set of seeds
// in every test run; FuzzEngineMatchesReference explores further.
func TestEngineMatchesReference(t *testing.T) {
	for i := range uint64(3000) {
		decideBoth(t, i, i*7919+1)
	}
}

// FuzzEngineMatchesReference: the fast path (service index, pattern
// shapes, literal ARN heads, reused results) decides as the plain
// reference evaluator does.
func FuzzEngineMatchesReference(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Add(uint64(42), uint64(0))
	f.Fuzz(func(t *testing.T, a, b uint64) { decideBoth(t, a, b) })
}
