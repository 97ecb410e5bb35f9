package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Kind is where a policy is attached; validation rules differ.
type Kind string

// Policy kinds.
const (
	KindIdentity Kind = "identity"
	KindResource Kind = "resource"
	KindEndpoint Kind = "endpoint"
)

// MaxEndpointPolicyLength is the endpoint policy size limit, whitespace
// included (PrivateLink quotas).
const MaxEndpointPolicyLength = 20480

// Effect is Allow or Deny.
type Effect string

// Effects.
const (
	Allow Effect = "Allow"
	Deny  Effect = "Deny"
)

// Policy is a parsed, compiled policy.
type Policy struct {
	// Name identifies the policy in results (a file name, "endpoint" …).
	Name       string
	Kind       Kind
	Version    string
	ID         string
	Statements []*Statement
	vars       bool // 2012-10-17: policy variables are resolved
	// bySvc indexes, for each service named by an Action, the statements
	// that can match it, merged in order with anySvc (statements whose
	// actions may match any service); the index lets a decision skip the
	// statements about other services without looking at them.
	bySvc  map[string][]int
	anySvc []int
}

// Statement is one compiled statement.
type Statement struct {
	Sid          string
	Effect       Effect
	Principal    *Principals // nil: no Principal element
	NotPrincipal *Principals
	actions      []pattern
	notAction    bool
	// services, when set, are the only services (lowercase) the Action
	// element can match: a quick test that skips most statements.
	services    []string
	resources   []arnPattern
	notResource bool
	hasResource bool
	Conditions  []*Condition
	Start, End  Position
}

// Principals is a Principal or NotPrincipal element.
type Principals struct {
	All       bool // "*" or {"AWS":"*"}
	AWS       []string
	Service   []string
	Federated []string
	Canonical []string
	// accounts[i] is the account AWS[i] names as a whole ("123456789012"
	// or "arn:aws:iam::123456789012:root"), else "".
	accounts []string
}

// Finding is a validation result, in the shape of Access Analyzer's
// ValidatePolicy findings.
type Finding struct {
	Severity string   `json:"findingType"` // ERROR, WARNING, SUGGESTION
	Code     string   `json:"issueCode"`
	Message  string   `json:"findingDetails"`
	Pos      Position `json:"location"`
}

func (f Finding) String() string {
	return fmt.Sprintf("%s: %s %s: %s", f.Pos, f.Severity, f.Code, f.Message)
}

// Errors returns the findings of severity ERROR.
func Errors(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Severity == "ERROR" {
			out = append(out, f)
		}
	}
	return out
}

// AWS's messages (IAM CreatePolicy, MalformedPolicyDocument).
const (
	msgSyntax        = "Syntax errors in policy."
	msgVersion       = "Policy document must be version 2012-10-17 or greater."
	msgNoActions     = "Policy statement must contain actions."
	msgNoResources   = "Policy statement must contain resources."
	msgVendor        = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgOneColon      = "Actions/Condition can contain only one colon."
	msgSidUnique     = "Statement IDs (SID) in a single policy must be unique."
	msgNoPrincipalID = "Policy document should not specify a principal."
)

// idKeys hold AWS-generated IDs: endpoint policies may not use numeric
// operators on them, and wildcards only with six literal characters beside.
var idKeys = map[string]bool{"aws:principalaccount": true, "aws:sourcevpc": true, "aws:sourcevpce": true, "aws:principalorgid": true,
	"aws:resourceaccount": true, "aws:resourceorgid": true, "aws:vpceaccount": true, "aws:vpceorgid": true, "aws:sourceaccount": true, "aws:userid": true}

// partitions are the AWS partitions an ARN may name.
var partitions = []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}

var (
	vendorRE  = regexp.MustCompile(`^[a-zA-Z0-9*?-]+$`)
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
)

// Parse parses and validates a policy of the given kind. It returns the
// compiled policy (nil when it has errors) and every finding.
func Parse(name string, kind Kind, doc string) (*Policy, []Finding) {
	v := &validator{kind: kind}
	if kind == KindEndpoint && utf8.RuneCountInString(doc) > MaxEndpointPolicyLength {
		v.errf(Position{1, 1}, "POLICY_SIZE_EXCEEDED", "The policy document exceeds %d characters.", MaxEndpointPolicyLength)
	}
	for i, r := range doc {
		if !(r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xFF) {
			v.errf(posAt(doc, i), "INVALID_CHARACTER", msgSyntax+" The character %U is not allowed in policies.", r)
			return nil, v.findings
		}
	}
	root, err := parseJSON(doc)
	if err != nil {
		pos := Position{1, 1}
		if se, ok := err.(*syntaxError); ok {
			pos = se.pos
		}
		v.errf(pos, "JSON_SYNTAX_ERROR", "%s %v", msgSyntax, err)
		return nil, v.findings
	}
	p := v.policy(name, root)
	if len(Errors(v.findings)) > 0 {
		return nil, v.findings
	}
	p.index()
	return p, v.findings
}

// index builds bySvc and anySvc.
func (p *Policy) index() {
	p.bySvc = map[string][]int{}
	for i, s := range p.Statements {
		if len(s.services) == 0 {
			p.anySvc = append(p.anySvc, i)
			continue
		}
		for _, svc := range s.services {
			p.bySvc[svc] = append(p.bySvc[svc], i)
		}
	}
}

// MustParse parses a policy known to be valid; it panics otherwise. For
// tests and constants.
func MustParse(name string, kind Kind, doc string) *Policy {
	p, fs := Parse(name, kind, doc)
	if p == nil {
		panic(fmt.Sprintf("policy.MustParse(%s): %v", name, fs))
	}
	return p
}

func posAt(doc string, off int) Position {
	line, col := 1, 1
	for _, r := range doc[:off] {
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return Position{line, col}
}

type validator struct {
	kind     Kind
	findings []Finding
}

func (v *validator) errf(pos Position, code, format string, args ...any) {
	v.findings = append(v.findings, Finding{"ERROR", code, fmt.Sprintf(format, args...), pos})
}

func (v *validator) warnf(pos Position, code, format string, args ...any) {
	v.findings = append(v.findings, Finding{"WARNING", code, fmt.Sprintf(format, args...), pos})
}

// once reports an element that appears twice in one object.
func (v *validator) once(seen map[string]bool, m member) {
	if seen[m.key] {
		v.errf(m.keyPos, "DUPLICATE_ELEMENT", "%s The element %s appears twice.", msgSyntax, m.key)
	}
	seen[m.key] = true
}

// strings reads a string-or-array-of-strings element.
func (v *validator) strings(n *node, what string) []string {
	switch n.kind {
	case 's':
		return []string{n.str}
	case 'a':
		var out []string
		for _, e := range n.elems {
			if e.kind != 's' {
				v.errf(e.start, "DATA_TYPE_MISMATCH", "%s %s must be a string or an array of strings.", msgSyntax, what)
				continue
			}
			out = append(out, e.str)
		}
		return out
	}
	v.errf(n.start, "DATA_TYPE_MISMATCH", "%s %s must be a string or an array of strings.", msgSyntax, what)
	return nil
}

func (v *validator) policy(name string, root *node) *Policy {
	p := &Policy{Name: name, Kind: v.kind}
	if root.kind != 'o' {
		v.errf(root.start, "JSON_SYNTAX_ERROR", "%s A policy is a JSON object.", msgSyntax)
		return p
	}
	var stmts *node
	seen := map[string]bool{}
	for _, m := range root.members {
		v.once(seen, m)
		switch m.key {
		case "Version":
			if m.val.kind != 's' || (m.val.str != "2012-10-17" && m.val.str != "2008-10-17") {
				v.errf(m.val.start, "INVALID_VERSION", "%s Version must be \"2012-10-17\" or \"2008-10-17\".", msgSyntax)
				continue
			}
			p.Version = m.val.str
		case "Id":
			if m.val.kind != 's' {
				v.errf(m.val.start, "DATA_TYPE_MISMATCH", "%s Id must be a string.", msgSyntax)
			}
			p.ID = m.val.str
		case "Statement":
			stmts = m.val
		default:
			v.errf(m.keyPos, "INVALID_POLICY_ELEMENT", "%s Unknown element %s.", msgSyntax, m.key)
		}
	}
	p.vars = p.Version == "2012-10-17"
	if v.kind == KindIdentity && p.Version != "2012-10-17" {
		v.errf(root.start, "INVALID_VERSION", msgVersion)
	}
	if p.Version == "" {
		v.warnf(root.start, "MISSING_VERSION", "The policy has no Version: policy variables are taken as literal text. Add \"Version\": \"2012-10-17\".")
	}
	if stmts == nil {
		v.errf(root.start, "MISSING_STATEMENT", "%s The policy has no Statement.", msgSyntax)
		return p
	}
	var list []*node
	switch stmts.kind {
	case 'o':
		list = []*node{stmts}
	case 'a':
		list = stmts.elems
	default:
		v.errf(stmts.start, "DATA_TYPE_MISMATCH", "%s Statement must be an object or an array.", msgSyntax)
		return p
	}
	if len(list) == 0 {
		v.errf(stmts.start, "MISSING_STATEMENT", "%s Statement is empty.", msgSyntax)
	}
	sids := map[string]bool{}
	for _, sn := range list {
		s := v.statement(sn, p.vars)
		if s == nil {
			continue
		}
		if s.Sid != "" {
			if sids[s.Sid] {
				v.errf(sn.start, "DUPLICATE_SID", msgSidUnique)
			}
			sids[s.Sid] = true
		}
		p.Statements = append(p.Statements, s)
	}
	return p
}

func (v *validator) statement(n *node, vars bool) *Statement {
	if n.kind != 'o' {
		v.errf(n.start, "DATA_TYPE_MISMATCH", "%s A statement must be an object.", msgSyntax)
		return nil
	}
	s := &Statement{Start: n.start, End: n.end}
	var hasAction bool
	seen := map[string]bool{}
	for _, m := range n.members {
		v.once(seen, m)
		switch m.key {
		case "Sid":
			if m.val.kind != 's' {
				v.errf(m.val.start, "DATA_TYPE_MISMATCH", "%s Sid must be a string.", msgSyntax)
			}
			s.Sid = m.val.str
		case "Effect":
			if m.val.kind != 's' || (m.val.str != "Allow" && m.val.str != "Deny") {
				v.errf(m.val.start, "INVALID_EFFECT", "%s Effect must be \"Allow\" or \"Deny\".", msgSyntax)
				continue
			}
			s.Effect = Effect(m.val.str)
		case "Principal", "NotPrincipal":
			if v.kind == KindIdentity {
				v.errf(m.keyPos, "UNSUPPORTED_PRINCIPAL", msgNoPrincipalID)
				continue
			}
			pr := v.principals(m.val)
			if m.key == "Principal" {
				s.Principal = pr
			} else {
				s.NotPrincipal = pr
				if v.kind == KindEndpoint {
					v.warnf(m.keyPos, "NOT_PRINCIPAL", "NotPrincipal in an endpoint policy matches every caller but those listed; prefer Principal \"*\" with an aws:PrincipalArn condition.")
				}
			}
		case "Action", "NotAction":
			if hasAction {
				v.errf(m.keyPos, "INVALID_POLICY_ELEMENT", "%s A statement takes Action or NotAction, not both.", msgSyntax)
			}
			hasAction = true
			s.notAction = m.key == "NotAction"
			for _, a := range v.strings(m.val, m.key) {
				if a != "*" {
					vendor, rest, ok := strings.Cut(a, ":")
					switch {
					case !ok:
						v.errf(m.val.start, "INVALID_ACTION", msgVendor)
						continue
					case strings.Contains(rest, ":"):
						v.errf(m.val.start, "INVALID_ACTION", msgOneColon)
						continue
					case !vendorRE.MatchString(vendor):
						v.errf(m.val.start, "INVALID_ACTION", "Vendor %s is not valid", vendor)
						continue
					}
				}
				s.actions = append(s.actions, compilePattern(a, true, false))
			}
		case "Resource", "NotResource":
			if s.hasResource {
				v.errf(m.keyPos, "INVALID_POLICY_ELEMENT", "%s A statement takes Resource or NotResource, not both.", msgSyntax)
			}
			s.hasResource = true
			s.notResource = m.key == "NotResource"
			for _, r := range v.strings(m.val, m.key) {
				if r != "*" && !strings.HasPrefix(r, "arn:") {
					v.errf(m.val.start, "INVALID_ARN_RESOURCE", "Resource %s must be in ARN format or \"*\".", r)
					continue
				}
				if strings.HasPrefix(r, "arn:") {
					parts := strings.SplitN(r, ":", 6)
					if len(parts) < 6 {
						v.errf(m.val.start, "INVALID_ARN_RESOURCE", "Resource %s must be in ARN format or \"*\".", r)
						continue
					}
					switch part, svc, region := strings.ToLower(parts[1]), strings.ToLower(parts[2]), parts[3]; {
					case !strings.ContainsAny(part, "*?") && !slices.Contains(partitions, part):
						v.errf(m.val.start, "INVALID_ARN_PARTITION", "Partition \"%s\" is not valid for resource \"%s\".", part, r)
						continue
					case strings.ContainsAny(svc, "*?") || svc == "":
						v.errf(m.val.start, "INVALID_ARN_SERVICE", "Resource vendor must be fully qualified and cannot contain regexes.")
						continue
					case svc == "s3" && region != "":
						v.errf(m.val.start, "INVALID_ARN_REGION", "Resource %s can not contain region information.", r)
						continue
					case svc == "iam" && region != "":
						v.errf(m.val.start, "INVALID_ARN_REGION", "IAM resource %s cannot contain region information.", r)
						continue
					}
				}
				s.resources = append(s.resources, compileARN(r, vars))
			}
		case "Condition":
			s.Conditions = v.conditions(m.val, vars)
		default:
			v.errf(m.keyPos, "INVALID_POLICY_ELEMENT", "%s Unknown element %s in a statement.", msgSyntax, m.key)
		}
	}
	if !s.notAction {
		for _, a := range s.actions {
			vendor, _, _ := strings.Cut(a.raw, ":")
			if a.raw == "*" || strings.ContainsAny(vendor, "*?") {
				s.services = nil
				break
			}
			if v := strings.ToLower(vendor); !slices.Contains(s.services, v) {
				s.services = append(s.services, v)
			}
		}
	}
	if s.Effect == "" && !seen["Effect"] {
		v.errf(n.start, "MISSING_EFFECT", "%s The statement has no Effect.", msgSyntax)
	}
	if !hasAction {
		v.errf(n.start, "MISSING_ACTION", msgNoActions)
	}
	if !s.hasResource && v.kind != KindResource {
		v.errf(n.start, "MISSING_RESOURCE", msgNoResources)
	}
	if (v.kind == KindEndpoint || v.kind == KindResource) && s.Principal == nil && s.NotPrincipal == nil {
		v.errf(n.start, "MISSING_PRINCIPAL", "%s Statements of %s policies must have a Principal.", msgSyntax, v.kind)
	}
	if s.Effect == Allow && s.notResource {
		v.warnf(n.start, "ALLOW_WITH_NOT_RESOURCE", "Allow with NotResource grants every resource not listed.")
	}
	return s
}

func (v *validator) principals(n *node) *Principals {
	p := &Principals{}
	if n.kind == 's' {
		if n.str != "*" {
			v.errf(n.start, "INVALID_PRINCIPAL", "%s Principal must be \"*\" or an object.", msgSyntax)
		}
		p.All = true
		return p
	}
	if n.kind != 'o' {
		v.errf(n.start, "INVALID_PRINCIPAL", "%s Principal must be \"*\" or an object.", msgSyntax)
		return p
	}
	for _, m := range n.members {
		vals := v.strings(m.val, "Principal "+m.key)
		switch m.key {
		case "AWS":
			for _, a := range vals {
				switch {
				case a == "*":
					p.All = true
				case accountRE.MatchString(a):
				case strings.HasPrefix(a, "arn:"):
					acct := arnAccount(a)
					if acct != "*" && !accountRE.MatchString(acct) {
						v.errf(m.val.start, "INVALID_PRINCIPAL", "Invalid principal in policy: the account of %s must be an account ID.", a)
					}
					if strings.ContainsAny(a, "*?") {
						v.errf(m.val.start, "INVALID_PRINCIPAL", "Invalid principal in policy: %s has a wildcard; principal ARNs take none.", a)
					}
				default:
					v.errf(m.val.start, "INVALID_PRINCIPAL", "Invalid principal in policy: %s", a)
				}
			}
			p.AWS = append(p.AWS, vals...)
			for _, a := range vals {
				acct := ""
				switch {
				case accountRE.MatchString(a):
					acct = a
				case strings.HasPrefix(a, "arn:") && strings.HasSuffix(a, ":root"):
					acct = arnAccount(a)
				}
				p.accounts = append(p.accounts, acct)
			}
		case "Service":
			p.Service = append(p.Service, vals...)
		case "Federated":
			p.Federated = append(p.Federated, vals...)
		case "CanonicalUser":
			p.Canonical = append(p.Canonical, vals...)
		default:
			v.errf(m.keyPos, "INVALID_PRINCIPAL", "%s Unknown principal type %s.", msgSyntax, m.key)
		}
	}
	return p
}

func (v *validator) conditions(n *node, vars bool) []*Condition {
	if n.kind != 'o' {
		v.errf(n.start, "DATA_TYPE_MISMATCH", "%s Condition must be an object.", msgSyntax)
		return nil
	}
	var out []*Condition
	for _, om := range n.members {
		op, set, ifExists, ok := parseOperator(om.key)
		if !ok {
			v.errf(om.keyPos, "INVALID_CONDITION_OPERATOR", "%s Unknown condition operator %s.", msgSyntax, om.key)
			continue
		}
		if om.val.kind != 'o' {
			v.errf(om.val.start, "DATA_TYPE_MISMATCH", "%s The keys of %s must be an object.", msgSyntax, om.key)
			continue
		}
		for _, km := range om.val.members {
			var vals []string
			switch km.val.kind {
			case 'b', 'n':
				vals = []string{km.val.str}
			case 'a':
				for _, e := range km.val.elems {
					if e.kind == 's' || e.kind == 'b' || e.kind == 'n' {
						vals = append(vals, e.str)
					} else {
						v.errf(e.start, "DATA_TYPE_MISMATCH", "%s Condition values are strings.", msgSyntax)
					}
				}
			default:
				vals = v.strings(km.val, "Condition value")
			}
			if vendor, _, ok := strings.Cut(km.key, ":"); !ok || vendor == "" {
				v.errf(km.keyPos, "INVALID_CONDITION_KEY", msgVendor)
				continue
			}
			c := &Condition{Operator: om.key, Key: km.key, Values: vals, Pos: km.keyPos, key: strings.ToLower(km.key), op: op, set: set, ifExists: ifExists}
			useVars := vars && (op.family == famString || op.family == famStringIgnoreCase || op.family == famStringLike || op.family == famArn || op.family == famBool)
			if msg := c.compile(useVars); msg != "" {
				v.errf(km.val.start, "DATA_TYPE_MISMATCH", "%s", msg)
				continue
			}
			if v.kind == KindEndpoint && idKeys[c.key] {
				v.checkIDKey(c, km)
			}
			out = append(out, c)
		}
	}
	return out
}

// checkIDKey applies the endpoint-policy rules for keys that hold
// AWS-generated IDs.
func (v *validator) checkIDKey(c *Condition, km member) {
	if c.op.family == famNumeric {
		v.errf(km.keyPos, "INVALID_OPERATOR_FOR_KEY", "Numeric operators cannot be used with %s in an endpoint policy.", c.Key)
		return
	}
	for _, val := range c.Values {
		if !strings.ContainsAny(val, "*?") {
			continue
		}
		if c.op.family != famStringLike && c.op.family != famArn {
			continue // wildcards are literal there
		}
		for _, run := range strings.FieldsFunc(val, func(r rune) bool { return r == '*' || r == '?' }) {
			if len(run) < 6 {
				v.errf(km.keyPos, "WILDCARD_IN_ID_KEY", "Wildcards in %s values need at least 6 consecutive literal characters beside them: %q.", c.Key, val)
				break
			}
		}
		if strings.Trim(val, "*?") == "" {
			v.errf(km.keyPos, "WILDCARD_IN_ID_KEY", "A value of only wildcards cannot be used with %s in an endpoint policy.", c.Key)
		}
	}
}

// Actions reports the action patterns of a statement, as written.
func (s *Statement) Actions() []string {
	out := make([]string, len(s.actions))
	for i, a := range s.actions {
		out[i] = a.raw
	}
	return slices.Clip(out)
}
