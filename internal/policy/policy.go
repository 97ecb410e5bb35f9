package policy

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
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
	// aws[i] is AWS[i] classified once, at parse time.
	aws []principalValue
}

// Finding is a validation result, in the shape of Access Analyzer's
// ValidatePolicy findings, with IAM's verdict beside it.
type Finding struct {
	// Severity is Access Analyzer's findingType: ERROR, SECURITY_WARNING,
	// WARNING or SUGGESTION.
	Severity string
	// Code is Access Analyzer's issueCode.
	Code string
	// Message is IAM's message where IAM has one ("Syntax errors in
	// policy.", "Policy statement must contain actions." …), else ours.
	Message string
	// Detail says what exactly is wrong when Message does not (IAM's
	// "Syntax errors in policy." names nothing); empty otherwise.
	Detail string
	// Pos is where the element starts, 1-based.
	Pos Position
	// Location is the element's JSON path and span.
	Location Location
	// Refused is set when IAM (for endpoint policies, EC2) refuses a
	// policy with this finding; a finding that is not refused is Access
	// Analyzer's advice on a policy that IAM accepts.
	Refused bool
	// rank orders refusals the way IAM checks: the refused finding of
	// lowest rank is the one error IAM answers with.
	rank int
}

// Location is where a finding points: a JSON path and the span of the
// element, as Access Analyzer gives them.
type Location struct {
	Path []PathElement
	// Start and End bound the element; End is just past it.
	Start, End Position
}

func (f Finding) String() string {
	msg := f.Message
	if f.Detail != "" {
		msg += " (" + f.Detail + ")"
	}
	return fmt.Sprintf("%s: %s %s: %s", f.Pos, f.Severity, f.Code, msg)
}

// LearnMoreLink is the Access Analyzer page that explains the finding's
// check.
func (f Finding) LearnMoreLink() string {
	return "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-" +
		strings.ToLower(strings.ReplaceAll(f.Severity+"-"+f.Code, "_", "-"))
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

// Refusal returns the finding IAM answers with when it refuses the
// policy — the first of its checks that fails — or nil when IAM accepts
// it.
func Refusal(fs []Finding) *Finding {
	var best *Finding
	for i := range fs {
		if fs[i].Refused && (best == nil || fs[i].rank < best.rank) {
			best = &fs[i]
		}
	}
	return best
}

// AWS's messages (IAM CreatePolicy, MalformedPolicyDocument). Where IAM
// says only "Syntax errors in policy.", that is all the message says.
const (
	msgSyntax        = "Syntax errors in policy."
	msgVersion       = "Policy document must be version 2012-10-17 or greater."
	msgLegacy        = "The policy failed legacy parsing"
	msgNoActions     = "Policy statement must contain actions."
	msgNoResources   = "Policy statement must contain resources."
	msgVendor        = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	msgOneColon      = "Actions/Condition can contain only one colon."
	msgSidUnique     = "Statement IDs (SID) in a single policy must be unique."
	msgNoPrincipalID = "Policy document should not specify a principal."
	msgResVendor     = "Resource vendor must be fully qualified and cannot contain regexes."
	msgIAMPath       = `IAM resource path must either be "*" or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.`
)

// The order in which IAM checks a policy (recorded from CreatePolicy
// answers): size, then syntax, the version, legacy parsing, unique Sids,
// then each statement in turn — its resources, its actions, then whether
// actions and resources are there at all. Checks of our own come last.
const (
	rankSize      = 0
	rankSyntax    = 1
	rankVersion   = 2
	rankLegacy    = 3
	rankSid       = 4
	rankStatement = 10 // + 10 × statement index + phase
	phaseResource = 0
	phaseAction   = 1
	phaseMissing  = 2
	rankEndpoint  = 1 << 30
)

// iamPathPrefixes are the resource types an IAM ARN may name.
var iamPathPrefixes = []string{"user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/", "server-certificate/", "policy/",
	"sms-mfa/", "saml-provider/", "oidc-provider/", "report/", "access-report/"}

// idKeys hold AWS-generated IDs: endpoint policies may not use numeric
// operators on them, and wildcards only with six literal characters beside.
var idKeys = map[string]bool{"aws:principalaccount": true, "aws:sourcevpc": true, "aws:sourcevpce": true, "aws:principalorgid": true,
	"aws:resourceaccount": true, "aws:resourceorgid": true, "aws:vpceaccount": true, "aws:vpceorgid": true, "aws:sourceaccount": true, "aws:userid": true}

// isAccountID says s is an account ID: twelve digits.
func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// partitions are the AWS partitions an ARN may name.
var partitions = []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}

var (
	// vendorRE: IAM accepts letters, digits, '-', '.', '_' and wildcards
	// in an action's vendor ("s3-s", "s3.s"); a space is "not valid".
	vendorRE = regexp.MustCompile(`^[a-zA-Z0-9*?._-]+$`)
	// uniqueIDRE: IAM unique IDs (AIDA…, AROA…, AIPA…).
	uniqueIDRE = regexp.MustCompile(`^A[A-Z0-9]{15,}$`)
	// dateRE is the date grammar IAM's legacy parser accepts: ISO 8601
	// pieces, lenient about what is left out (recorded CreatePolicy
	// answers: "01T" and "2016-12-13t2:00:00.593194+23" pass,
	// "2016-12-13t2:00:00.593194+1" and "234-13" fail).
	dateRE = regexp.MustCompile(`^(?:\d{4}(?:-\d{2}(?:-\d{2})?)?|\d{2})?(?:[Tt](?:\d{1,2}(?::\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?)?)?(?:[Zz]|[+-]\d{2}(?::?\d{2})?)?$`)
)

// Parse parses and validates a policy of the given kind. It returns the
// compiled policy — nil when IAM would refuse it (see [Refusal]) — and
// every finding.
func Parse(name string, kind Kind, doc string) (*Policy, []Finding) {
	v := &validator{kind: kind}
	if kind == KindEndpoint && utf8.RuneCountInString(doc) > MaxEndpointPolicyLength {
		v.refuse(rankSize, Location{Start: Position{1, 1, 0}, End: Position{1, 1, 0}}, "POLICY_SIZE_EXCEEDED",
			fmt.Sprintf("The policy document exceeds %d characters.", MaxEndpointPolicyLength), "")
	}
	for i, r := range doc {
		if !(r == '\t' || r == '\n' || r == '\r' || r >= 0x20 && r <= 0xFF) {
			p := posAt(doc, i)
			v.refuse(rankSyntax, Location{Start: p, End: p}, "JSON_SYNTAX_ERROR", msgSyntax, fmt.Sprintf("the character %U is not allowed in policies", r))
			return nil, v.findings
		}
	}
	root, err := parseJSON(doc)
	if err != nil {
		pos := Position{1, 1, 0}
		detail := err.Error()
		if se, ok := err.(*syntaxError); ok {
			pos, detail = se.pos, se.msg
		}
		v.refuse(rankSyntax, Location{Start: pos, End: pos}, "JSON_SYNTAX_ERROR", msgSyntax, detail)
		return nil, v.findings
	}
	p := v.policy(name, root)
	if Refusal(v.findings) != nil {
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
	return Position{line, col, off}
}

type validator struct {
	kind     Kind
	findings []Finding
}

// at is the location of a value; keyAt the location of a member's key.
func at(n *node) Location { return Location{Path: n.path, Start: n.start, End: n.end} }

func keyAt(parent *node, m member) Location {
	return Location{Path: appendPath(parent.path, PathElement{Key: m.key}), Start: m.keyPos, End: m.keyEnd}
}

// refuse records a finding IAM refuses the policy for.
func (v *validator) refuse(rank int, loc Location, code, msg, detail string) {
	v.findings = append(v.findings, Finding{Severity: "ERROR", Code: code, Message: msg, Detail: detail, Pos: loc.Start, Location: loc, Refused: true, rank: rank})
}

// syntax records a refusal that IAM reports as "Syntax errors in policy.".
func (v *validator) syntax(loc Location, code, detail string, args ...any) {
	v.refuse(rankSyntax, loc, code, msgSyntax, fmt.Sprintf(detail, args...))
}

// advise records a finding that IAM accepts the policy with.
func (v *validator) advise(severity string, loc Location, code, format string, args ...any) {
	v.findings = append(v.findings, Finding{Severity: severity, Code: code, Message: fmt.Sprintf(format, args...), Pos: loc.Start, Location: loc})
}

// once reports an element that appears twice in one object.
func (v *validator) once(seen map[string]bool, parent *node, m member) {
	if seen[m.key] {
		v.syntax(keyAt(parent, m), "JSON_SYNTAX_ERROR", "the element %s appears twice", m.key)
	}
	seen[m.key] = true
}

// strs reads a string-or-array-of-strings element.
func (v *validator) strs(n *node, what string) ([]string, []*node) {
	switch n.kind {
	case 's':
		return []string{n.str}, []*node{n}
	case 'a':
		var out []string
		var nodes []*node
		for _, e := range n.elems {
			if e.kind != 's' {
				v.syntax(at(e), "DATA_TYPE_MISMATCH", "%s must be a string or an array of strings", what)
				continue
			}
			out = append(out, e.str)
			nodes = append(nodes, e)
		}
		return out, nodes
	}
	v.syntax(at(n), "DATA_TYPE_MISMATCH", "%s must be a string or an array of strings", what)
	return nil, nil
}

func (v *validator) policy(name string, root *node) *Policy {
	p := &Policy{Name: name, Kind: v.kind}
	if root.kind != 'o' {
		v.syntax(at(root), "JSON_SYNTAX_ERROR", "a policy is a JSON object")
		return p
	}
	var stmts *node
	seen := map[string]bool{}
	for _, m := range root.members {
		v.once(seen, root, m)
		switch m.key {
		case "Version":
			if m.val.kind != 's' || (m.val.str != "2012-10-17" && m.val.str != "2008-10-17") {
				v.syntax(at(m.val), "INVALID_VERSION", `Version must be "2012-10-17" or "2008-10-17"`)
				continue
			}
			p.Version = m.val.str
		case "Id":
			if m.val.kind != 's' {
				v.syntax(at(m.val), "DATA_TYPE_MISMATCH", "Id must be a string")
			}
			p.ID = m.val.str
		case "Statement":
			stmts = m.val
		default:
			v.syntax(keyAt(root, m), "INVALID_POLICY_ELEMENT", "unknown element %s", m.key)
		}
	}
	p.vars = p.Version == "2012-10-17"
	if v.kind == KindIdentity && (p.Version == "2008-10-17" || !seen["Version"]) {
		v.refuse(rankVersion, Location{Path: root.path, Start: root.start, End: root.end}, "INVALID_VERSION", msgVersion, "")
	}
	if p.Version == "" && !seen["Version"] && v.kind != KindIdentity {
		v.advise("WARNING", at(root), "MISSING_VERSION", "The policy has no Version: policy variables are taken as literal text. Add \"Version\": \"2012-10-17\".")
	}
	if stmts == nil {
		v.syntax(at(root), "MISSING_STATEMENT", "the policy has no Statement")
		return p
	}
	var list []*node
	switch stmts.kind {
	case 'o':
		list = []*node{stmts}
	case 'a':
		list = stmts.elems
	default:
		v.syntax(at(stmts), "DATA_TYPE_MISMATCH", "Statement must be an object or an array")
		return p
	}
	if len(list) == 0 {
		v.syntax(at(stmts), "MISSING_STATEMENT", "Statement is empty")
	}
	sids := map[string]bool{}
	for i, sn := range list {
		s := v.statement(sn, p.vars, rankStatement+10*i)
		if s == nil {
			continue
		}
		if s.Sid != "" {
			if sids[s.Sid] {
				v.refuse(rankSid, at(sn), "UNIQUE_SIDS_REQUIRED", msgSidUnique, "")
			}
			sids[s.Sid] = true
		}
		p.Statements = append(p.Statements, s)
	}
	return p
}

func (v *validator) statement(n *node, vars bool, rank int) *Statement {
	if n.kind != 'o' {
		v.syntax(at(n), "DATA_TYPE_MISMATCH", "a statement must be an object")
		return nil
	}
	s := &Statement{Start: n.start, End: n.end}
	var actionNode, resourceNode *node
	var actionKey member
	var nActions, nResources int
	seen := map[string]bool{}
	for _, m := range n.members {
		v.once(seen, n, m)
		switch m.key {
		case "Sid":
			if m.val.kind != 's' {
				v.syntax(at(m.val), "DATA_TYPE_MISMATCH", "Sid must be a string")
			}
			s.Sid = m.val.str
		case "Effect":
			switch {
			case m.val.kind == 's' && (m.val.str == "Allow" || m.val.str == "Deny"):
				s.Effect = Effect(m.val.str)
			case m.val.kind == 's' && (strings.EqualFold(m.val.str, "Allow") || strings.EqualFold(m.val.str, "Deny")):
				// Effect is case-sensitive; IAM's older parser is the one
				// that refuses "allow" or "denY".
				v.refuse(rankLegacy, at(m.val), "INVALID_EFFECT", msgLegacy, fmt.Sprintf("Effect is case-sensitive: %q must be written Allow or Deny", m.val.str))
			default:
				v.syntax(at(m.val), "INVALID_EFFECT", `Effect must be "Allow" or "Deny"`)
			}
		case "Principal", "NotPrincipal":
			if seen["Principal"] && seen["NotPrincipal"] {
				v.syntax(keyAt(n, m), "UNSUPPORTED_ELEMENT_COMBINATION", "a statement takes Principal or NotPrincipal, not both")
			}
			if v.kind == KindIdentity {
				v.refuse(rank+phaseResource, keyAt(n, m), "UNSUPPORTED_PRINCIPAL", msgNoPrincipalID, "")
				continue
			}
			pr := v.principals(m.val)
			if m.key == "Principal" {
				s.Principal = pr
			} else {
				s.NotPrincipal = pr
				if v.kind == KindEndpoint {
					v.advise("WARNING", keyAt(n, m), "NOT_PRINCIPAL", "NotPrincipal in an endpoint policy matches every caller but those listed; prefer Principal \"*\" with an aws:PrincipalArn condition.")
				}
			}
		case "Action", "NotAction":
			if seen["Action"] && seen["NotAction"] {
				v.syntax(keyAt(n, m), "UNSUPPORTED_ELEMENT_COMBINATION", "a statement takes Action or NotAction, not both")
			}
			s.notAction = m.key == "NotAction"
			actionNode, actionKey = m.val, m
			vals, nodes := v.strs(m.val, m.key)
			nActions = len(vals)
			for i, a := range vals {
				if a != "*" {
					vendor, rest, ok := strings.Cut(a, ":")
					switch {
					case !ok:
						v.refuse(rank+phaseAction, at(nodes[i]), "INVALID_ACTION", msgVendor, "")
						continue
					case strings.Contains(rest, ":"):
						v.refuse(rank+phaseAction, at(nodes[i]), "INVALID_ACTION", msgOneColon, "")
						continue
					case !vendorRE.MatchString(vendor):
						v.refuse(rank+phaseAction, at(nodes[i]), "INVALID_ACTION", "Vendor "+vendor+" is not valid", "")
						continue
					}
				}
				s.actions = append(s.actions, compilePattern(a, true, false))
			}
		case "Resource", "NotResource":
			if seen["Resource"] && seen["NotResource"] {
				v.syntax(keyAt(n, m), "UNSUPPORTED_ELEMENT_COMBINATION", "a statement takes Resource or NotResource, not both")
			}
			s.hasResource = true
			s.notResource = m.key == "NotResource"
			resourceNode = m.val
			vals, nodes := v.strs(m.val, m.key)
			nResources = len(vals)
			for i, r := range vals {
				arn, ok := v.resource(r, at(nodes[i]), rank+phaseResource)
				if ok {
					s.resources = append(s.resources, compileARN(arn, vars))
				}
			}
		case "Condition":
			s.Conditions = v.conditions(m.val, vars)
		default:
			v.syntax(keyAt(n, m), "INVALID_POLICY_ELEMENT", "unknown element %s in a statement", m.key)
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
	if !seen["Effect"] {
		v.syntax(at(n), "MISSING_EFFECT", "the statement has no Effect")
	}
	switch {
	case actionNode == nil:
		v.refuse(rank+phaseMissing, at(n), "MISSING_ACTION", msgNoActions, "")
	case nActions == 0 && actionNode.kind == 'a':
		v.refuse(rank+phaseMissing, keyAt(n, actionKey), "MISSING_ACTION", msgNoActions, "the action list is empty")
	}
	switch {
	case resourceNode == nil && v.kind != KindResource:
		v.refuse(rank+phaseMissing, at(n), "MISSING_RESOURCE", msgNoResources, "")
	case resourceNode != nil && nResources == 0 && resourceNode.kind == 'a':
		v.refuse(rank+phaseMissing, at(resourceNode), "MISSING_RESOURCE", msgNoResources, "the resource list is empty")
	}
	if (v.kind == KindEndpoint || v.kind == KindResource) && s.Principal == nil && s.NotPrincipal == nil {
		v.refuse(rankEndpoint, at(n), "MISSING_PRINCIPAL", fmt.Sprintf("Statements of %s policies must have a Principal.", v.kind), "")
	}
	if s.Effect == Allow && s.notResource {
		v.advise("SECURITY_WARNING", at(n), "ALLOW_WITH_NOT_RESOURCE", "Allow with NotResource grants every resource not listed.")
	}
	if s.Effect == Allow && s.NotPrincipal != nil {
		v.advise("SECURITY_WARNING", at(n), "ALLOW_WITH_NOT_PRINCIPAL", "Allow with NotPrincipal grants every principal not listed, anonymous callers included.")
	}
	return s
}

// resource checks one Resource value as IAM does and returns it as a
// whole ARN: a value with a colon is an ARN whose first field IAM reads as
// "arn" and whose missing fields it fills with "*" ("arn:aws:fdsasf" is
// arn:aws:fdsasf:*:*:*).
func (v *validator) resource(r string, loc Location, rank int) (string, bool) {
	if r == "*" {
		return r, true
	}
	if !strings.Contains(r, ":") {
		v.refuse(rank, loc, "INVALID_ARN_RESOURCE", fmt.Sprintf("Resource %s must be in ARN format or \"*\".", r), "")
		return "", false
	}
	parts := strings.SplitN(r, ":", 6)
	parts[0] = "arn"
	for len(parts) < 6 {
		parts = append(parts, "*")
	}
	arn := strings.Join(parts, ":")
	if arn != r {
		v.advise("WARNING", loc, "MISSING_ARN_FIELD", "IAM reads %s as %s.", r, arn)
	}
	part, svc, region, account, res := parts[1], parts[2], parts[3], parts[4], parts[5]
	switch {
	case !strings.ContainsAny(part, "*?") && !slices.Contains(partitions, strings.ToLower(part)):
		v.refuse(rank, loc, "INVALID_PARTITION", fmt.Sprintf("Partition \"%s\" is not valid for resource \"%s\".", part, arn), "")
		return "", false
	case svc == "":
		v.refuse(rankLegacy, loc, "INVALID_SERVICE", msgLegacy, "the resource "+r+" names no service")
		return "", false
	case strings.ContainsAny(svc, "*?"):
		v.refuse(rank, loc, "INVALID_SERVICE", msgResVendor, "")
		return "", false
	}
	switch strings.ToLower(svc) {
	case "s3":
		// Buckets and objects carry neither region nor account; access
		// points, Batch Operations jobs and Storage Lens carry both, and
		// multi-region access points an account alone.
		switch {
		case region != "" && account == "":
			v.refuse(rank, loc, "INVALID_ARN_REGION", fmt.Sprintf("Resource %s can not contain region information.", r), "")
			return "", false
		case account != "" && !isAccountID(account) && !strings.ContainsAny(account, "*?$"):
			v.refuse(rankLegacy, loc, "INVALID_ARN_ACCOUNT", msgLegacy, "the account of "+r+" is not an account ID")
			return "", false
		}
	case "iam":
		switch {
		case region != "":
			v.refuse(rank, loc, "INVALID_ARN_REGION", fmt.Sprintf("IAM resource %s cannot contain region information.", r), "")
			return "", false
		case !iamPath(res, account):
			v.refuse(rank, loc, "INVALID_ARN_RESOURCE", msgIAMPath, "")
			return "", false
		}
	}
	return arn, true
}

// iamPath reports whether an IAM ARN's resource part is "*" or starts
// with a resource type IAM knows (or can, given its wildcards: "ro*").
func iamPath(res, account string) bool {
	if res == "*" || account == "*" && res == "*" {
		return true
	}
	lit := res
	if i := strings.IndexAny(res, "*?$"); i >= 0 {
		lit = res[:i]
		for _, p := range iamPathPrefixes {
			if strings.HasPrefix(p, lit) || strings.HasPrefix(lit, p) {
				return true
			}
		}
		return false
	}
	for _, p := range iamPathPrefixes {
		if strings.HasPrefix(lit, p) {
			return true
		}
	}
	return false
}

func (v *validator) principals(n *node) *Principals {
	p := &Principals{}
	if n.kind == 's' {
		if n.str != "*" {
			v.syntax(at(n), "INVALID_PRINCIPAL_FORMAT", `Principal must be "*" or an object`)
		}
		p.All = true
		return p
	}
	if n.kind != 'o' {
		v.syntax(at(n), "INVALID_PRINCIPAL_FORMAT", `Principal must be "*" or an object`)
		return p
	}
	for _, m := range n.members {
		vals, nodes := v.strs(m.val, "Principal "+m.key)
		switch m.key {
		case "AWS":
			for i, a := range vals {
				pv, msg := classifyPrincipal(a)
				if msg != "" {
					v.refuse(rankEndpoint, at(nodes[i]), "INVALID_PRINCIPAL_FORMAT", "Invalid principal in policy", msg)
				}
				if pv.kind == pvAll {
					p.All = true
				}
				p.aws = append(p.aws, pv)
			}
			p.AWS = append(p.AWS, vals...)
		case "Service":
			p.Service = append(p.Service, vals...)
		case "Federated":
			p.Federated = append(p.Federated, vals...)
		case "CanonicalUser":
			p.Canonical = append(p.Canonical, vals...)
		default:
			v.syntax(keyAt(n, m), "INVALID_PRINCIPAL_KEY", "unknown principal type %s", m.key)
		}
	}
	return p
}

func (v *validator) conditions(n *node, vars bool) []*Condition {
	if n.kind != 'o' {
		v.syntax(at(n), "DATA_TYPE_MISMATCH", "Condition must be an object")
		return nil
	}
	var out []*Condition
	for _, om := range n.members {
		if om.val.kind != 'o' {
			v.syntax(at(om.val), "DATA_TYPE_MISMATCH", "the keys of %s must be an object", om.key)
			continue
		}
		op, set, ifExists, ok := parseOperator(om.key)
		if !ok {
			if len(om.val.members) == 0 {
				// IAM accepts an unknown operator with no keys; it tests
				// nothing.
				v.advise("ERROR", keyAt(n, om), "INVALID_CONDITION_OPERATOR", "Unknown condition operator %s; it has no keys, so IAM accepts it and it tests nothing.", om.key)
				continue
			}
			v.syntax(keyAt(n, om), "INVALID_CONDITION_OPERATOR", "unknown condition operator %s", om.key)
			continue
		}
		for _, km := range om.val.members {
			var vals []string
			var nodes []*node
			switch km.val.kind {
			case 's', 'b', 'n':
				vals, nodes = []string{km.val.str}, []*node{km.val}
			case 'a':
				for _, e := range km.val.elems {
					if e.kind == 's' || e.kind == 'b' || e.kind == 'n' {
						vals, nodes = append(vals, e.str), append(nodes, e)
					} else {
						v.syntax(at(e), "DATA_TYPE_MISMATCH", "condition values are strings, numbers or booleans")
					}
				}
			default:
				v.syntax(at(km.val), "DATA_TYPE_MISMATCH", "condition values are strings, numbers or booleans")
				continue
			}
			if vendor, _, ok := strings.Cut(km.key, ":"); !ok || vendor == "" {
				// IAM's CreatePolicy accepts a key without a service
				// prefix; Access Analyzer reports it.
				v.advise("ERROR", keyAt(om.val, km), "INVALID_CONDITION_KEY_FORMAT", "The condition key %s is not of the form service:key; no request carries it.", km.key)
			}
			c := &Condition{Operator: om.key, Key: km.key, Values: vals, Pos: km.keyPos, key: strings.ToLower(km.key), op: op, set: set, ifExists: ifExists}
			useVars := vars && (op.family == famString || op.family == famStringIgnoreCase || op.family == famStringLike || op.family == famArn || op.family == famBool)
			for i, msg := range c.compile(useVars) {
				if msg == "" {
					continue
				}
				if op.family == famDate || op.family == famArn {
					v.refuse(rankLegacy, at(nodes[i]), "DATA_TYPE_MISMATCH", msgLegacy, msg)
				} else {
					v.advise("ERROR", at(nodes[i]), "DATA_TYPE_MISMATCH", "%s; IAM accepts the policy, and the value matches nothing.", msg)
				}
			}
			if set != setNone && op.family != famNull && singleValued(c.key) {
				v.advise("SECURITY_WARNING", keyAt(om.val, km), "FOR_ALL_VALUES_WITH_SINGLE_VALUED_KEY", "%s is single-valued; set operators are for multivalued keys.", km.key)
			}
			if v.kind == KindEndpoint && idKeys[c.key] {
				v.checkIDKey(c, keyAt(om.val, km))
			}
			out = append(out, c)
		}
	}
	return out
}

// singleValued reports whether a global key is known to be single-valued.
func singleValued(key string) bool {
	switch key {
	case "aws:sourcevpce", "aws:sourcevpc", "aws:sourceip", "aws:vpcsourceip", "aws:principalarn", "aws:principalaccount", "aws:principalorgid",
		"aws:resourceaccount", "aws:resourceorgid", "aws:securetransport", "aws:userid", "aws:username", "aws:sourceaccount", "aws:sourcearn":
		return true
	}
	return false
}

// checkIDKey applies the endpoint-policy rules for keys that hold
// AWS-generated IDs.
func (v *validator) checkIDKey(c *Condition, loc Location) {
	if c.op.family == famNumeric {
		v.refuse(rankEndpoint, loc, "INVALID_OPERATOR_FOR_KEY", fmt.Sprintf("Numeric operators cannot be used with %s in an endpoint policy.", c.Key), "")
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
				v.refuse(rankEndpoint, loc, "WILDCARD_IN_ID_KEY", fmt.Sprintf("Wildcards in %s values need at least 6 consecutive literal characters beside them: %q.", c.Key, val), "")
				break
			}
		}
		if strings.Trim(val, "*?") == "" {
			v.refuse(rankEndpoint, loc, "WILDCARD_IN_ID_KEY", fmt.Sprintf("A value of only wildcards cannot be used with %s in an endpoint policy.", c.Key), "")
		}
	}
}

// validDate reports whether IAM's parser takes a Date operator's value:
// epoch seconds that fit in 64 bits, or an ISO 8601 date.
func validDate(s string) bool {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return true
	}
	return s != "" && dateRE.MatchString(s)
}

// Actions reports the action patterns of a statement, as written.
func (s *Statement) Actions() []string {
	out := make([]string, len(s.actions))
	for i, a := range s.actions {
		out[i] = a.raw
	}
	return slices.Clip(out)
}

// EndpointPolicyError is how EC2 refuses an endpoint policy that has a
// refused finding: the code InvalidPolicyDocument and the finding's
// message. A JSON syntax error reads as EC2 words it, "The Policy
// Document is not valid. Syntax error at position (line,column)".
// It returns "", "" when nothing is refused.
func EndpointPolicyError(fs []Finding) (code, message string) {
	f := Refusal(fs)
	if f == nil {
		return "", ""
	}
	if f.Code == "JSON_SYNTAX_ERROR" && f.Location.Path == nil {
		return "InvalidPolicyDocument", fmt.Sprintf("The Policy Document is not valid. Syntax error at position (%d,%d)", f.Pos.Line, f.Pos.Column)
	}
	msg := f.Message
	if f.Detail != "" {
		msg += " (" + f.Detail + ")"
	}
	return "InvalidPolicyDocument", msg
}
