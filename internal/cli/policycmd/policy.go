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

func newValidateCmd() *cobra.Command {
	var kind, output string
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check policies and print findings with line:column",
		Long: `Parse and validate policy documents. Each finding has a severity, a code,
AWS's message where AWS has one, and the line:column of the element.

--kind says where the policy is attached: identity (no Principal, Version
2012-10-17), resource, or endpoint (Principal required, 20,480 characters at
most, the rules for keys holding AWS-generated IDs).

Exit status: 0 when no file has errors, 1 when one has.`,
		Example: `  vpce policy validate --kind endpoint endpoint-policy.json
  vpce policy validate --kind identity role.json bucket.json -o json`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k := policy.Kind(kind)
			if k != policy.KindIdentity && k != policy.KindResource && k != policy.KindEndpoint {
				return fmt.Errorf("--kind must be identity, resource or endpoint, not %q", kind)
			}
			type fileFindings struct {
				File     string           `json:"file"`
				Findings []policy.Finding `json:"findings"`
			}
			var all []fileFindings
			bad := false
			for _, f := range args {
				b, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				_, fs := policy.Parse(filepath.Base(f), k, string(b))
				if len(policy.Errors(fs)) > 0 {
					bad = true
				}
				all = append(all, fileFindings{f, fs})
			}
			w := cmd.OutOrStdout()
			if output == "json" {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				enc.Encode(all)
			} else {
				for _, ff := range all {
					if len(ff.Findings) == 0 {
						fmt.Fprintf(w, "%s: valid %s policy\n", ff.File, kind)
					}
					for _, f := range ff.Findings {
						fmt.Fprintf(w, "%s:%d:%d: %s %s: %s\n", ff.File, f.Pos.Line, f.Pos.Column, f.Severity, f.Code, f.Message)
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
	identity, scps                                       []string
	resourcePolicy, endpointPolicy, boundary, endpointTy string
	action, resource, principal, resourceAccount         string
	contexts                                             []string
	viaEndpoint, sourceVpc, vpcSourceIP, sourceIP        string
	output                                               string
}

func newSimulateCmd() *cobra.Command {
	o := &simOptions{}
	cmd := &cobra.Command{
		Use:   "simulate",
		Short: "Decide a request against identity, resource and endpoint policies, and explain",
		Long: `Decide one request the way AWS does: an explicit Deny in any policy wins; a
VPC endpoint policy (and a permissions boundary, and SCPs) must allow in
addition; identity and resource policies are a union in one account and must
both allow across accounts. On gateway endpoints an account principal means
only that account's root user.

--via-endpoint makes the request one that came through an endpoint: it
carries aws:SourceVpce (and aws:SourceVpc, aws:VpcSourceIp when given) and
no aws:SourceIp, as on AWS. --context key=value[,value] adds condition keys;
a type may follow the key (key:ip=10.0.0.1) and is checked.

--output json gives IAM SimulateCustomPolicy's fields (EvalDecision,
MatchedStatements, MissingContextValues, EvalDecisionDetails) plus
VpcEndpointDecisionDetail. Exit status is 0 whatever the decision.`,
		Example: `  vpce policy simulate --identity-policy role.json --resource-policy bucket.json \
      --endpoint-policy endpoint.json --endpoint-type Gateway \
      --principal arn:aws:iam::111122223333:role/app --action s3:GetObject \
      --resource arn:aws:s3:::reports/q3.csv --via-endpoint vpce-1a2b3c4d5e6f7a8b9`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return simulate(cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.identity, "identity-policy", nil, "identity policy file (repeatable)")
	f.StringVar(&o.resourcePolicy, "resource-policy", "", "resource policy file (a bucket policy …)")
	f.StringVar(&o.endpointPolicy, "endpoint-policy", "", "VPC endpoint policy file")
	f.StringVar(&o.endpointTy, "endpoint-type", "Interface", "Interface or Gateway")
	f.StringVar(&o.boundary, "permissions-boundary", "", "permissions boundary policy file")
	f.StringArrayVar(&o.scps, "scp", nil, "service control policy file (repeatable)")
	f.StringVar(&o.action, "action", "", "the action, service:Name (required)")
	f.StringVar(&o.resource, "resource", "*", "the resource ARN")
	f.StringVar(&o.principal, "principal", "", "the caller's ARN; empty is anonymous")
	f.StringVar(&o.resourceAccount, "resource-account", "", "the account that owns the resource (default: the caller's)")
	f.StringArrayVar(&o.contexts, "context", nil, "condition key: key=value[,value] or key:type=value (repeatable)")
	f.StringVar(&o.viaEndpoint, "via-endpoint", "", "the request came through this VPC endpoint (vpce-…)")
	f.StringVar(&o.sourceVpc, "source-vpc", "", "with --via-endpoint: aws:SourceVpc")
	f.StringVar(&o.vpcSourceIP, "vpc-source-ip", "", "with --via-endpoint: aws:VpcSourceIp")
	f.StringVar(&o.sourceIP, "source-ip", "", "aws:SourceIp, for requests not through an endpoint")
	f.StringVarP(&o.output, "output", "o", "text", "text or json")
	cmd.MarkFlagRequired("action")
	return cmd
}

func load(file string, kind policy.Kind) (*policy.Policy, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	p, fs := policy.Parse(filepath.Base(file), kind, string(b))
	if p == nil {
		var msgs []string
		for _, f := range policy.Errors(fs) {
			msgs = append(msgs, f.String())
		}
		return nil, fmt.Errorf("%s: %s", file, strings.Join(msgs, "; "))
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

func simulate(w io.Writer, o *simOptions) error {
	in := &policy.Input{EndpointType: o.endpointTy}
	if o.endpointTy != "Interface" && o.endpointTy != "Gateway" {
		return fmt.Errorf("--endpoint-type must be Interface or Gateway")
	}
	for _, f := range o.identity {
		p, err := load(f, policy.KindIdentity)
		if err != nil {
			return err
		}
		in.Identity = append(in.Identity, p)
	}
	var err error
	if o.resourcePolicy != "" {
		if in.Resource, err = load(o.resourcePolicy, policy.KindResource); err != nil {
			return err
		}
	}
	if o.endpointPolicy != "" {
		if in.Endpoint, err = load(o.endpointPolicy, policy.KindEndpoint); err != nil {
			return err
		}
	}
	if o.boundary != "" {
		if in.Boundary, err = load(o.boundary, policy.KindIdentity); err != nil {
			return err
		}
	}
	for _, f := range o.scps {
		p, err := load(f, policy.KindIdentity)
		if err != nil {
			return err
		}
		in.SCPs = append(in.SCPs, p)
	}
	req := &policy.Request{PrincipalARN: o.principal, Action: o.action, Resource: o.resource, ResourceAccount: o.resourceAccount}
	req.Context.Set("aws:SecureTransport", "true")
	if o.principal != "" {
		req.Context.Set("aws:PrincipalArn", o.principal)
		if parts := strings.SplitN(o.principal, ":", 6); len(parts) == 6 {
			req.Context.Set("aws:PrincipalAccount", parts[4])
		}
	}
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
	res := policy.Evaluate(in, req)
	if o.output == "json" {
		return writeJSON(w, in, req, res)
	}
	writeText(w, in, req, res)
	return nil
}

// evalResult has IAM SimulateCustomPolicy's field names, extended with the
// endpoint's part.
type evalResult struct {
	EvalActionName                    string                     `json:"EvalActionName"`
	EvalResourceName                  string                     `json:"EvalResourceName"`
	EvalDecision                      policy.Decision            `json:"EvalDecision"`
	DecidedBy                         string                     `json:"DecidedBy"`
	MatchedStatements                 []policy.MatchedStatement  `json:"MatchedStatements"`
	MissingContextValues              []string                   `json:"MissingContextValues"`
	EvalDecisionDetails               map[string]policy.Decision `json:"EvalDecisionDetails"`
	PermissionsBoundaryDecisionDetail *struct {
		AllowedByPermissionsBoundary bool
	} `json:"PermissionsBoundaryDecisionDetail,omitempty"`
	OrganizationsDecisionDetail *struct{ AllowedByOrganizations bool } `json:"OrganizationsDecisionDetail,omitempty"`
	VpcEndpointDecisionDetail   *struct {
		AllowedByVpcEndpoint bool
		VpcEndpointType      string
	} `json:"VpcEndpointDecisionDetail,omitempty"`
	Explanation string `json:"Explanation"`
}

func details(res *policy.Result) map[string]policy.Decision {
	d := map[string]policy.Decision{}
	for k, v := range map[string]policy.Decision{policy.TypeIdentity: res.Identity, policy.TypeResource: res.Resource, policy.TypeEndpoint: res.Endpoint,
		policy.TypeBoundary: res.Boundary, policy.TypeSCP: res.SCP} {
		if v != "" {
			d[k] = v
		}
	}
	return d
}

func writeJSON(w io.Writer, in *policy.Input, req *policy.Request, res *policy.Result) error {
	r := evalResult{EvalActionName: req.Action, EvalResourceName: req.Resource, EvalDecision: res.Decision, DecidedBy: res.DecidedBy,
		MatchedStatements: append([]policy.MatchedStatement{}, res.Matched...), MissingContextValues: append([]string{}, res.Missing...),
		EvalDecisionDetails: details(res), Explanation: explain(in, req, res)}
	if in.Boundary != nil {
		r.PermissionsBoundaryDecisionDetail = &struct{ AllowedByPermissionsBoundary bool }{res.Boundary == policy.Allowed}
	}
	if len(in.SCPs) > 0 {
		r.OrganizationsDecisionDetail = &struct{ AllowedByOrganizations bool }{res.SCP == policy.Allowed}
	}
	if in.Endpoint != nil {
		r.VpcEndpointDecisionDetail = &struct {
			AllowedByVpcEndpoint bool
			VpcEndpointType      string
		}{res.Endpoint == policy.Allowed, in.EndpointType}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"EvaluationResults": []evalResult{r}})
}

var typeNames = map[string]string{policy.TypeIdentity: "identity policy", policy.TypeResource: "resource policy", policy.TypeEndpoint: "VPC endpoint policy",
	policy.TypeBoundary: "permissions boundary", policy.TypeSCP: "service control policy", "none": "no policy"}

func writeText(w io.Writer, in *policy.Input, req *policy.Request, res *policy.Result) {
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
	fmt.Fprintln(w, "Policies:")
	for _, t := range []string{policy.TypeIdentity, policy.TypeResource, policy.TypeEndpoint, policy.TypeBoundary, policy.TypeSCP} {
		if d, ok := details(res)[t]; ok {
			fmt.Fprintf(w, "  %-22s %s\n", typeNames[t]+":", d)
		}
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
		if in.Endpoint != nil {
			b.WriteString(", the VPC endpoint policy allows it too")
		}
		b.WriteString(", and no policy denies it.")
	case res.DecidedBy == policy.TypeEndpoint:
		b.WriteString("no statement of the VPC endpoint policy allows this request; an endpoint policy must allow a request in addition to the identity or resource policy (for gateway endpoints, an account principal means only the root user).")
	case res.DecidedBy == policy.TypeBoundary:
		b.WriteString("the permissions boundary does not allow this action; a boundary limits what identity policies can grant.")
	case res.DecidedBy == policy.TypeSCP:
		b.WriteString("a service control policy does not allow this action.")
	case res.CrossAccount:
		fmt.Fprintf(&b, "caller and resource are in different accounts, so both the identity policy (%s) and the resource policy (%s) must allow.", orNone(res.Identity), orNone(res.Resource))
	default:
		b.WriteString("no identity or resource policy allows this request (the default is to deny).")
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
