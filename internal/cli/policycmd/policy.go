// Package policycmd is the `vpce policy` command: validate policies and
// simulate requests against identity, resource and VPC endpoint policies.
package policycmd

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vpce/vpce/internal/policy"
)

// ErrFindings is returned by validate when a policy has errors, so that
// the command exits non-zero.
var ErrFindings = errors.New("policy has errors")

// NewCmd returns the `policy` command.
func NewCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Validate IAM policies and simulate requests through VPC endpoints",
	}
	cmd.AddCommand(newValidateCmd(), newSimulateCmd())
	return cmd
}

// aaPosition is Access Analyzer's Position: line from 1, column and
// offset from 0.
type aaPosition struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Offset int `json:"offset"`
}

type aaLocation struct {
	Path []policy.PathElement `json:"path"`
	Span struct {
		Start aaPosition `json:"start"`
		End   aaPosition `json:"end"`
	} `json:"span"`
}

// aaFinding is Access Analyzer's ValidatePolicyFinding, with what IAM
// would do under a name of our own.
type aaFinding struct {
	FindingType    string       `json:"findingType"`
	IssueCode      string       `json:"issueCode"`
	FindingDetails string       `json:"findingDetails"`
	LearnMoreLink  string       `json:"learnMoreLink"`
	Locations      []aaLocation `json:"locations"`
	VpceDetail     string       `json:"vpceDetail,omitempty"`
	VpceRefused    bool         `json:"vpceRefusedByIAM"`
}

// fileReport is ValidatePolicy's response for one file, plus IAM's answer.
type fileReport struct {
	File     string      `json:"vpceFile"`
	Findings []aaFinding `json:"findings"`
	// IAM is what IAM's CreatePolicy (for endpoint policies, EC2's
	// CreateVpcEndpoint) answers: accepted, or refused with one message.
	IAM struct {
		Accepted bool   `json:"accepted"`
		Code     string `json:"code,omitempty"`
		Message  string `json:"message,omitempty"`
	} `json:"vpceIAM"`
}

func aaPos(p policy.Position) aaPosition { return aaPosition{p.Line, max(p.Column-1, 0), p.Offset} }

func report(file string, kind policy.Kind, fs []policy.Finding) fileReport {
	r := fileReport{File: file, Findings: []aaFinding{}}
	for _, f := range fs {
		loc := aaLocation{Path: f.Location.Path}
		if loc.Path == nil {
			loc.Path = []policy.PathElement{}
		}
		loc.Span.Start, loc.Span.End = aaPos(f.Location.Start), aaPos(f.Location.End)
		r.Findings = append(r.Findings, aaFinding{FindingType: f.Severity, IssueCode: f.Code, FindingDetails: f.Message, LearnMoreLink: f.LearnMoreLink(),
			Locations: []aaLocation{loc}, VpceDetail: f.Detail, VpceRefused: f.Refused})
	}
	if ref := policy.Refusal(fs); ref != nil {
		r.IAM.Code, r.IAM.Message = "MalformedPolicyDocument", ref.Message
		if kind == policy.KindEndpoint {
			r.IAM.Code, r.IAM.Message = policy.EndpointPolicyError(fs)
		}
	} else {
		r.IAM.Accepted = true
	}
	return r
}

func newValidateCmd() *cobra.Command {
	var kind, output string
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check policies as IAM and Access Analyzer do, with line:column",
		Long: `Parse and validate policy documents. Each finding has a severity, Access
Analyzer's issue code, IAM's message where IAM has one, and the line:column of
the element. The last line for each file says what IAM's CreatePolicy (for
endpoint policies, EC2's CreateVpcEndpoint) would answer: accepted, or
refused with the one message IAM gives — the first of its checks that fails.

--kind says where the policy is attached: identity (no Principal, Version
2012-10-17), resource, or endpoint (Principal required, 20,480 characters at
most, the rules for keys holding AWS-generated IDs).

-o json prints Access Analyzer's ValidatePolicy response ({"findings": [...]},
each with findingType, issueCode, findingDetails, learnMoreLink and locations
with AWS's 0-based columns), plus vpceFile and vpceIAM; an array of them for
several files.

Exit status: 0 when no file has an ERROR finding, 1 when one has.`,
		Example: `  vpce policy validate --kind endpoint endpoint-policy.json
  vpce policy validate --kind identity role.json bucket.json -o json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k := policy.Kind(kind)
			if k != policy.KindIdentity && k != policy.KindResource && k != policy.KindEndpoint {
				return fmt.Errorf("--kind must be identity, resource or endpoint, not %q", kind)
			}
			if output != "text" && output != "json" {
				return fmt.Errorf("--output must be text or json, not %q", output)
			}
			var all []fileReport
			bad := false
			for _, f := range args {
				b, err := readPolicy(f)
				if err != nil {
					return err
				}
				_, fs := policy.Parse(filepath.Base(f), k, string(b))
				if len(policy.Errors(fs)) > 0 {
					bad = true
				}
				all = append(all, report(f, k, fs))
			}
			w := cmd.OutOrStdout()
			if output == "json" {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				var err error
				if len(all) == 1 {
					err = enc.Encode(all[0])
				} else {
					err = enc.Encode(all)
				}
				if err != nil {
					return err
				}
			} else {
				for _, r := range all {
					for _, f := range r.Findings {
						msg := f.FindingDetails
						if f.VpceDetail != "" {
							msg += " (" + f.VpceDetail + ")"
						}
						start := f.Locations[0].Span.Start
						fmt.Fprintf(w, "%s:%d:%d: %s %s: %s\n", r.File, start.Line, start.Column+1, f.FindingType, f.IssueCode, msg)
					}
					if r.IAM.Accepted {
						fmt.Fprintf(w, "%s: valid %s policy\n", r.File, kind)
					} else {
						fmt.Fprintf(w, "%s: refused: %s: %s\n", r.File, r.IAM.Code, r.IAM.Message)
					}
				}
			}
			if bad {
				cmd.SilenceErrors = true
				return ErrFindings
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "endpoint", "identity, resource or endpoint")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "text or json")
	return cmd
}

type simOptions struct {
	identity, scps, orgAccounts                                       []string
	resourcePolicy, trustPolicy, endpointPolicy, boundary, endpointTy string
	action, resource, principal, principalID, resourceAccount         string
	managementAccount                                                 string
	contexts                                                          []string
	viaEndpoint, sourceVpc, vpcSourceIP, sourceIP                     string
	output                                                            string
}

func newSimulateCmd() *cobra.Command {
	o := &simOptions{}
	cmd := &cobra.Command{
		Use:   "simulate",
		Short: "Decide a request against identity, resource and endpoint policies, and explain",
		Long: `Decide one request the way AWS does: an explicit Deny in any policy wins; a
VPC endpoint policy and SCPs must allow in addition; identity and resource
policies are a union in one account and must both allow across accounts.

Principals: a role ARN in a policy names the role and every session of it; a
grant to the account ("123456789012" or …:root) in a same-account resource
policy only delegates to the caller's identity policies; a grant to a role ARN
stays under the session's permissions boundary, one naming the exact user or
session ARN does not. On gateway endpoints an account principal means only
the account's root user; on interface endpoints, every principal of it.

--principal takes IAM user, role and root ARNs and session ARNs
(arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION, …:federated-user/NAME); the
global keys AWS derives from it are set (aws:PrincipalArn is the role's ARN
for a session, aws:userid ROLEID:session — --principal-id gives the ID).
Without --principal the caller is anonymous.

--resource-account defaults to the account in the resource ARN (SQS, KMS,
DynamoDB …) or, for ARNs without one (S3), the caller's; the output says
which. SCPs govern only principals of --org-account accounts (default: the
caller's), never anonymous callers or the --management-account.

--trust-policy is the trust policy of the role an sts:AssumeRole* request
names: it must allow the caller, in the same account too.

--via-endpoint makes the request one that came through an endpoint: it
carries aws:SourceVpce (and aws:SourceVpc, aws:VpcSourceIp when given) and
no aws:SourceIp, as on AWS. --context key=value[,value] adds condition keys;
a type may follow the key (key:ip=10.0.0.1) and is checked.

--output json gives IAM SimulateCustomPolicy's response (EvaluationResults
with EvalDecision, MatchedStatements, MissingContextValues,
EvalDecisionDetails and ResourceSpecificResults as AWS fills them), with what
AWS has no field for under "Vpce". Exit status is 0 whatever the decision.`,
		Example: `  vpce policy simulate --identity-policy role.json --resource-policy bucket.json \
      --endpoint-policy endpoint.json --endpoint-type Gateway \
      --principal arn:aws:sts::111122223333:assumed-role/app/i-0abc --action s3:GetObject \
      --resource arn:aws:s3:::reports/q3.csv --via-endpoint vpce-1a2b3c4d5e6f7a8b9
  vpce policy simulate --trust-policy trust.json --principal arn:aws:iam::111122223333:user/alice \
      --action sts:AssumeRole --resource arn:aws:iam::111122223333:role/admin`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return simulate(cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.identity, "identity-policy", nil, "identity policy file (repeatable)")
	f.StringVar(&o.resourcePolicy, "resource-policy", "", "resource policy file (a bucket policy …)")
	f.StringVar(&o.trustPolicy, "trust-policy", "", "trust policy of the role an sts:AssumeRole* request names")
	f.StringVar(&o.endpointPolicy, "endpoint-policy", "", "VPC endpoint policy file")
	f.StringVar(&o.endpointTy, "endpoint-type", "Interface", "Interface or Gateway")
	f.StringVar(&o.boundary, "permissions-boundary", "", "permissions boundary policy file")
	f.StringArrayVar(&o.scps, "scp", nil, "service control policy file (repeatable)")
	f.StringArrayVar(&o.orgAccounts, "org-account", nil, "an account the SCPs govern (repeatable; default: the caller's)")
	f.StringVar(&o.managementAccount, "management-account", "", "the organisation's management account, which SCPs never govern")
	f.StringVar(&o.action, "action", "", "the action, service:Name (required)")
	f.StringVar(&o.resource, "resource", "*", "the resource ARN")
	f.StringVar(&o.principal, "principal", "", "the caller's ARN (user, role, root, assumed-role or federated-user); empty is anonymous")
	f.StringVar(&o.principalID, "principal-id", "", "the user's or role's unique ID (AIDA…, AROA…); default: derived from the ARN")
	f.StringVar(&o.resourceAccount, "resource-account", "", "the account that owns the resource (default: from the ARN, else the caller's)")
	f.StringArrayVar(&o.contexts, "context", nil, "condition key: key=value[,value] or key:type=value (repeatable)")
	f.StringVar(&o.viaEndpoint, "via-endpoint", "", "the request came through this VPC endpoint (vpce-…)")
	f.StringVar(&o.sourceVpc, "source-vpc", "", "with --via-endpoint: aws:SourceVpc")
	f.StringVar(&o.vpcSourceIP, "vpc-source-ip", "", "with --via-endpoint: aws:VpcSourceIp")
	f.StringVar(&o.sourceIP, "source-ip", "", "aws:SourceIp, for requests not through an endpoint")
	f.StringVarP(&o.output, "output", "o", "text", "text or json")
	cmd.MarkFlagRequired("action")
	return cmd
}

// maxInput is the most vpce reads of one policy file: ten times AWS's
// largest policy (an endpoint policy of 20,480 characters), so that a
// wrong file name (a log, an image) fails at once.
const maxInput = 10 * policy.MaxEndpointPolicyLength

// readPolicy reads a policy file of at most maxInput bytes.
func readPolicy(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxInput+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxInput {
		return nil, fmt.Errorf("%s: more than %d bytes; AWS's largest policies are %d characters", file, maxInput, policy.MaxEndpointPolicyLength)
	}
	return b, nil
}

func load(file string, kind policy.Kind) (*policy.Policy, error) {
	b, err := readPolicy(file)
	if err != nil {
		return nil, err
	}
	p, fs := policy.Parse(filepath.Base(file), kind, string(b))
	if p == nil {
		return nil, fmt.Errorf("%s: refused as IAM would: %s", file, policy.Refusal(fs))
	}
	return p, nil
}

var contextTypes = map[string]bool{"string": true, "stringList": true, "numeric": true, "numericList": true, "boolean": true, "booleanList": true,
	"ip": true, "ipList": true, "binary": true, "binaryList": true, "date": true, "dateList": true}

// checkType checks context values against an IAM ContextKeyType.
func checkType(typ string, vals []string) error {
	base := strings.TrimSuffix(typ, "List")
	if base == typ && len(vals) > 1 {
		return fmt.Errorf("type %s takes one value; use %sList", typ, typ)
	}
	for _, v := range vals {
		ok := true
		switch base {
		case "numeric":
			_, err := strconv.ParseFloat(v, 64)
			ok = err == nil
		case "boolean":
			ok = v == "true" || v == "false"
		case "ip":
			_, err := netip.ParseAddr(v)
			ok = err == nil
		case "date":
			_, err := time.Parse(time.RFC3339, v)
			_, nerr := strconv.ParseInt(v, 10, 64)
			ok = err == nil || nerr == nil
		case "binary":
			_, err := base64.StdEncoding.DecodeString(v)
			ok = err == nil
		}
		if !ok {
			return fmt.Errorf("%q is not of type %s", v, base)
		}
	}
	return nil
}

// trustActions are the requests a role's trust policy decides.
var trustActions = []string{"sts:assumerole", "sts:assumerolewithsaml", "sts:assumerolewithwebidentity", "sts:tagsession", "sts:setsourceidentity", "sts:setcontext"}

// simulation is one decision with the policies and request behind it.
type simulation struct {
	in  *policy.Input
	req *policy.Request
	res *policy.Result
	// ids are the SimulateCustomPolicy IDs of the policies, by type and
	// name.
	ids map[string]string
}

func simulate(w io.Writer, o *simOptions) error {
	in := &policy.Input{EndpointType: o.endpointTy, OrgAccounts: o.orgAccounts, ManagementAccount: o.managementAccount}
	if o.endpointTy != "Interface" && o.endpointTy != "Gateway" {
		return fmt.Errorf("--endpoint-type must be Interface or Gateway")
	}
	if o.output != "text" && o.output != "json" {
		return fmt.Errorf("--output must be text or json, not %q", o.output)
	}
	if o.trustPolicy != "" && o.resourcePolicy != "" {
		return fmt.Errorf("--trust-policy and --resource-policy: a role's trust policy is the resource policy of sts:AssumeRole; give one")
	}
	if o.trustPolicy != "" && !slices.Contains(trustActions, strings.ToLower(o.action)) {
		return fmt.Errorf("--trust-policy decides sts:AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity, TagSession and SetSourceIdentity, not %s", o.action)
	}
	sim := &simulation{in: in, ids: map[string]string{}}
	for i, f := range o.identity {
		p, err := load(f, policy.KindIdentity)
		if err != nil {
			return err
		}
		in.Identity = append(in.Identity, p)
		sim.ids[policy.TypeIdentity+"/"+p.Name] = fmt.Sprintf("PolicyInputList.%d", i+1)
	}
	var err error
	if o.resourcePolicy != "" {
		if in.Resource, err = load(o.resourcePolicy, policy.KindResource); err != nil {
			return err
		}
		sim.ids[policy.TypeResource+"/"+in.Resource.Name] = "ResourcePolicy"
	}
	if o.trustPolicy != "" {
		if in.Trust, err = load(o.trustPolicy, policy.KindResource); err != nil {
			return err
		}
		sim.ids[policy.TypeTrust+"/"+in.Trust.Name] = "ResourcePolicy"
	}
	if o.endpointPolicy != "" {
		if in.Endpoint, err = load(o.endpointPolicy, policy.KindEndpoint); err != nil {
			return err
		}
		sim.ids[policy.TypeEndpoint+"/"+in.Endpoint.Name] = "VpcEndpointPolicy"
	}
	if o.boundary != "" {
		if in.Boundary, err = load(o.boundary, policy.KindIdentity); err != nil {
			return err
		}
		sim.ids[policy.TypeBoundary+"/"+in.Boundary.Name] = "PermissionsBoundaryPolicyInputList.1"
	}
	for i, f := range o.scps {
		p, err := load(f, policy.KindIdentity)
		if err != nil {
			return err
		}
		in.SCPs = append(in.SCPs, p)
		sim.ids[policy.TypeSCP+"/"+p.Name] = fmt.Sprintf("OrderedOrganizationPolicyInputList.%d", i+1)
	}
	req := &policy.Request{Action: o.action, Resource: o.resource, ResourceAccount: o.resourceAccount}
	if err := req.SetCaller(o.principal, o.principalID); err != nil {
		return fmt.Errorf("--principal: %w", err)
	}
	req.Context.Set("aws:SecureTransport", "true")
	if o.sourceIP != "" {
		req.Context.Set("aws:SourceIp", o.sourceIP)
	}
	for _, c := range o.contexts {
		k, v, ok := strings.Cut(c, "=")
		if !ok || k == "" {
			return fmt.Errorf("--context %q: want key=value[,value]", c)
		}
		vals := strings.Split(v, ",")
		// key:type=value — the type is the last colon-separated part when
		// it names a ContextKeyType (keys themselves hold one colon).
		if i := strings.LastIndexByte(k, ':'); i > 0 && contextTypes[k[i+1:]] {
			if err := checkType(k[i+1:], vals); err != nil {
				return fmt.Errorf("--context %q: %w", c, err)
			}
			k = k[:i]
		}
		req.Context.Set(k, vals...)
	}
	if o.viaEndpoint != "" {
		req.ViaEndpoint(policy.Endpoint{ID: o.viaEndpoint, VpcID: o.sourceVpc, SourceIP: o.vpcSourceIP, Type: o.endpointTy})
	} else if in.Endpoint != nil {
		return fmt.Errorf("--endpoint-policy needs --via-endpoint: only requests through the endpoint meet its policy")
	}
	sim.req, sim.res = req, policy.Evaluate(in, req)
	if o.output == "json" {
		return writeJSON(w, sim)
	}
	writeText(w, sim)
	return nil
}

// awsStatement is SimulateCustomPolicy's Statement.
type awsStatement struct {
	SourcePolicyID   string      `json:"SourcePolicyId"`
	SourcePolicyType string      `json:"SourcePolicyType"`
	StartPosition    awsPosition `json:"StartPosition"`
	EndPosition      awsPosition `json:"EndPosition"`
}

type awsPosition struct {
	Line   int `json:"Line"`
	Column int `json:"Column"`
}

// vpceStatement is a matched statement with what AWS does not say.
type vpceStatement struct {
	Policy        string        `json:"Policy"`
	PolicyType    string        `json:"PolicyType"`
	Sid           string        `json:"Sid,omitempty"`
	Effect        policy.Effect `json:"Effect"`
	StartPosition awsPosition   `json:"StartPosition"`
	EndPosition   awsPosition   `json:"EndPosition"`
}

type resourceResult struct {
	EvalResourceName                  string            `json:"EvalResourceName"`
	EvalResourceDecision              policy.Decision   `json:"EvalResourceDecision"`
	MatchedStatements                 []awsStatement    `json:"MatchedStatements"`
	MissingContextValues              []string          `json:"MissingContextValues"`
	EvalDecisionDetails               map[string]string `json:"EvalDecisionDetails"`
	PermissionsBoundaryDecisionDetail *boundaryDetail   `json:"PermissionsBoundaryDecisionDetail,omitempty"`
}

type boundaryDetail struct {
	AllowedByPermissionsBoundary bool
}

// evalResult is IAM SimulateCustomPolicy's EvaluationResult; Vpce holds
// what AWS has no field for.
type evalResult struct {
	EvalActionName                    string                                 `json:"EvalActionName"`
	EvalResourceName                  string                                 `json:"EvalResourceName"`
	EvalDecision                      policy.Decision                        `json:"EvalDecision"`
	MatchedStatements                 []awsStatement                         `json:"MatchedStatements"`
	MissingContextValues              []string                               `json:"MissingContextValues"`
	EvalDecisionDetails               *map[string]string                     `json:"EvalDecisionDetails,omitempty"`
	OrganizationsDecisionDetail       *struct{ AllowedByOrganizations bool } `json:"OrganizationsDecisionDetail,omitempty"`
	PermissionsBoundaryDecisionDetail *boundaryDetail                        `json:"PermissionsBoundaryDecisionDetail,omitempty"`
	ResourceSpecificResults           []resourceResult                       `json:"ResourceSpecificResults,omitempty"`
	Vpce                              vpceDetail                             `json:"Vpce"`
}

type vpceDetail struct {
	DecidedBy                 string                     `json:"DecidedBy"`
	Explanation               string                     `json:"Explanation"`
	PolicyDecisions           map[string]policy.Decision `json:"PolicyDecisions"`
	Statements                []vpceStatement            `json:"Statements"`
	ResourceAccount           string                     `json:"ResourceAccount,omitempty"`
	ResourceAccountFrom       string                     `json:"ResourceAccountFrom,omitempty"`
	CrossAccount              bool                       `json:"CrossAccount"`
	ResourceGrant             string                     `json:"ResourceGrant,omitempty"`
	SCPsApply                 bool                       `json:"SCPsApply"`
	VpcEndpointDecisionDetail *struct {
		AllowedByVpcEndpoint bool
		VpcEndpointType      string
	} `json:"VpcEndpointDecisionDetail,omitempty"`
}

func details(in *policy.Input, res *policy.Result) map[string]policy.Decision {
	d := map[string]policy.Decision{}
	for k, v := range map[string]policy.Decision{policy.TypeIdentity: res.Identity, policy.TypeEndpoint: res.Endpoint,
		policy.TypeBoundary: res.Boundary, policy.TypeSCP: res.SCP} {
		if v != "" {
			d[k] = v
		}
	}
	if res.Resource != "" {
		if in.Trust != nil {
			d[policy.TypeTrust] = res.Resource
		} else {
			d[policy.TypeResource] = res.Resource
		}
	}
	return d
}

// sourceTypes are SimulateCustomPolicy's SourcePolicyType values:
// "IAM Policy" is what IAM answers for PolicyInputList entries, "resource"
// is its enum's value for a resource policy.
var sourceTypes = map[string]string{policy.TypeIdentity: "IAM Policy", policy.TypeBoundary: "IAM Policy", policy.TypeSCP: "IAM Policy",
	policy.TypeResource: "resource", policy.TypeTrust: "resource", policy.TypeEndpoint: "VPC Endpoint Policy"}

func writeJSON(w io.Writer, s *simulation) error {
	res, req, in := s.res, s.req, s.in
	r := evalResult{EvalActionName: req.Action, EvalResourceName: req.Resource, EvalDecision: res.Decision,
		MatchedStatements: []awsStatement{}, MissingContextValues: append([]string{}, res.Missing...)}
	r.Vpce = vpceDetail{DecidedBy: res.DecidedBy, Explanation: explain(in, req, res), PolicyDecisions: details(in, res), Statements: []vpceStatement{},
		ResourceAccount: res.ResourceAccount, ResourceAccountFrom: res.ResourceAccountFrom, CrossAccount: res.CrossAccount,
		ResourceGrant: res.ResourceGrant, SCPsApply: len(in.SCPs) > 0 && !res.SCPSkipped}
	for _, m := range res.Matched {
		start, end := awsPosition{m.StartPosition.Line, m.StartPosition.Column}, awsPosition{m.EndPosition.Line, m.EndPosition.Column}
		if m.SourcePolicyType != policy.TypeEndpoint { // IAM's simulator has no endpoint policy; ours is under Vpce
			r.MatchedStatements = append(r.MatchedStatements, awsStatement{s.ids[m.SourcePolicyType+"/"+m.SourcePolicyID], sourceTypes[m.SourcePolicyType], start, end})
		}
		r.Vpce.Statements = append(r.Vpce.Statements, vpceStatement{m.SourcePolicyID, m.SourcePolicyType, m.Sid, m.Effect, start, end})
	}
	if in.Boundary != nil {
		r.PermissionsBoundaryDecisionDetail = &boundaryDetail{res.Boundary == policy.Allowed}
	}
	if len(in.SCPs) > 0 {
		r.OrganizationsDecisionDetail = &struct{ AllowedByOrganizations bool }{res.SCP == policy.Allowed || res.SCPSkipped}
	}
	if in.Endpoint != nil {
		r.Vpce.VpcEndpointDecisionDetail = &struct {
			AllowedByVpcEndpoint bool
			VpcEndpointType      string
		}{res.Endpoint == policy.Allowed, in.EndpointType}
	}
	// AWS fills EvalDecisionDetails and ResourceSpecificResults only when
	// a resource ARN is given; the details are empty in one account and
	// say what each side decided across accounts.
	if req.Resource != "*" && req.Resource != "" {
		dd := map[string]string{}
		if res.CrossAccount {
			dd["IAM Policy"] = string(orImplicit(res.Identity))
			dd["Resource Policy"] = string(orImplicit(res.Resource))
		}
		r.EvalDecisionDetails = &dd
		r.ResourceSpecificResults = []resourceResult{{EvalResourceName: req.Resource, EvalResourceDecision: res.Decision,
			MatchedStatements: r.MatchedStatements, MissingContextValues: r.MissingContextValues, EvalDecisionDetails: dd,
			PermissionsBoundaryDecisionDetail: r.PermissionsBoundaryDecisionDetail}}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"EvaluationResults": []evalResult{r}, "IsTruncated": false})
}

func orImplicit(d policy.Decision) policy.Decision {
	if d == "" {
		return policy.ImplicitDeny
	}
	return d
}

var typeNames = map[string]string{policy.TypeIdentity: "identity policy", policy.TypeResource: "resource policy", policy.TypeTrust: "role trust policy",
	policy.TypeEndpoint: "VPC endpoint policy", policy.TypeBoundary: "permissions boundary", policy.TypeSCP: "service control policy", "none": "no policy"}

func writeText(w io.Writer, s *simulation) {
	in, req, res := s.in, s.req, s.res
	who := req.PrincipalARN
	if who == "" {
		who = "an anonymous caller"
	}
	fmt.Fprintf(w, "Decision: %s (decided by the %s)\n", res.Decision, typeNames[res.DecidedBy])
	fmt.Fprintf(w, "Request:  %s on %s by %s", req.Action, req.Resource, who)
	if v, ok := req.Context.Get("aws:SourceVpce"); ok {
		fmt.Fprintf(w, " through %s (%s endpoint)", v[0], in.EndpointType)
	}
	fmt.Fprintln(w)
	if res.ResourceAccount != "" {
		cross := ""
		if res.CrossAccount {
			cross = ", another account than the caller's"
		}
		fmt.Fprintf(w, "Resource account: %s (%s%s)\n", res.ResourceAccount, res.ResourceAccountFrom, cross)
	}
	fmt.Fprintln(w, "Policies:")
	d := details(in, res)
	for _, t := range []string{policy.TypeIdentity, policy.TypeResource, policy.TypeTrust, policy.TypeEndpoint, policy.TypeBoundary, policy.TypeSCP} {
		if v, ok := d[t]; ok {
			fmt.Fprintf(w, "  %-22s %s\n", typeNames[t]+":", v)
		}
	}
	if res.SCPSkipped {
		fmt.Fprintln(w, "  service control policy: not applied (the caller is not governed by the organisation's SCPs)")
	}
	if len(res.Matched) > 0 {
		fmt.Fprintln(w, "Statements that decided:")
		for _, m := range res.Matched {
			sid := ""
			if m.Sid != "" {
				sid = " " + m.Sid
			}
			fmt.Fprintf(w, "  %s:%d:%d-%d:%d %s%s (%s)\n", m.SourcePolicyID, m.StartPosition.Line, m.StartPosition.Column, m.EndPosition.Line, m.EndPosition.Column, m.Effect, sid, typeNames[m.SourcePolicyType])
		}
	}
	if len(res.Missing) > 0 {
		fmt.Fprintf(w, "Condition keys the policies test but the request lacks: %s\n", strings.Join(res.Missing, ", "))
	}
	fmt.Fprintf(w, "Why: %s\n", explain(in, req, res))
}

// explain says in a sentence why the decision came out as it did.
func explain(in *policy.Input, req *policy.Request, res *policy.Result) string {
	var b strings.Builder
	switch {
	case res.Decision == policy.ExplicitDeny:
		m := res.Matched[0]
		name := m.SourcePolicyID
		if m.Sid != "" {
			name += " statement " + m.Sid
		}
		fmt.Fprintf(&b, "an explicit Deny in the %s (%s, line %d) matched, and a Deny wins over every Allow.", typeNames[m.SourcePolicyType], name, m.StartPosition.Line)
	case res.Decision == policy.Allowed:
		fmt.Fprintf(&b, "the %s allows it", typeNames[res.DecidedBy])
		if res.ResourceGrant == "direct" && res.DecidedBy != policy.TypeIdentity {
			b.WriteString(" by naming the caller itself, which needs no identity policy")
		}
		if in.Endpoint != nil {
			b.WriteString(", the VPC endpoint policy allows it too")
		}
		b.WriteString(", and no policy denies it.")
	case res.DecidedBy == policy.TypeEndpoint:
		b.WriteString("no statement of the VPC endpoint policy allows this request; an endpoint policy must allow a request in addition to the identity or resource policy (for gateway endpoints, an account principal means only the root user).")
	case res.DecidedBy == policy.TypeBoundary:
		b.WriteString("the permissions boundary does not allow this action; a boundary limits what identity policies grant, and what a resource policy grants to a role ARN or to the account.")
	case res.DecidedBy == policy.TypeSCP:
		b.WriteString("a service control policy does not allow this action.")
	case res.DecidedBy == policy.TypeTrust:
		b.WriteString("the role's trust policy does not allow this caller; to assume a role, its trust policy must allow the caller, whatever the identity policy says.")
	case res.CrossAccount:
		fmt.Fprintf(&b, "caller and resource are in different accounts, so both the identity policy (%s) and the resource policy (%s) must allow.", orNone(res.Identity), orNone(res.Resource))
	case res.ResourceGrant == "account":
		b.WriteString("the resource policy grants to the account, which only delegates to the account's identity policies, and no identity policy allows this request.")
	default:
		b.WriteString("no identity or resource policy allows this request (the default is to deny).")
	}
	if res.ResourceAccountFrom == policy.AccountFromCaller && req.Resource != "*" && req.PrincipalARN != "" {
		b.WriteString(" The resource ARN names no account, so the resource was taken to be in the caller's account; give --resource-account if it is not.")
	}
	for _, k := range res.Missing {
		if strings.EqualFold(k, "aws:SourceIp") {
			if _, via := req.Context.Get("aws:SourceVpce"); via {
				b.WriteString(" Note: requests through a VPC endpoint carry no aws:SourceIp (they carry aws:SourceVpce, aws:SourceVpc and aws:VpcSourceIp), so IpAddress conditions on aws:SourceIp never match them and NotIpAddress conditions always do.")
			}
		}
		if strings.EqualFold(k, "aws:SourceVpce") || strings.EqualFold(k, "aws:SourceVpc") {
			if _, via := req.Context.Get("aws:SourceVpce"); !via {
				b.WriteString(" Note: the request did not come through a VPC endpoint, so it has no " + k + ".")
			}
		}
	}
	return b.String()
}

func orNone(d policy.Decision) string {
	if d == "" {
		return "none given"
	}
	return string(d)
}
