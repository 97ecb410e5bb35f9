// Package reachcmd is the `vpce reach` command: whether a source reaches a
// destination privately, through which hops, and what blocks it.
package reachcmd

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vpce/vpce/internal/cli/exitcode"
	"github.com/vpce/vpce/internal/cli/vpceapi"
	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/reach"
	"github.com/vpce/vpce/internal/server"
	"github.com/vpce/vpce/internal/store"
)

type options struct {
	url, state, account, region, output string
	req                                 server.ReachRequest
	identityFiles                       []string
	resourceFile                        string
	matrix                              bool
	vpc                                 string
}

// NewCmd returns the `reach` command.
func NewCmd() *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "reach --from SOURCE --to DESTINATION",
		Short: "Say whether a source reaches a destination privately, hop by hop, and what blocks it",
		Long: `Trace the path AWS would take from a source to a destination and explain it:
DNS in the source's VPC (private DNS, the resolver's own rules), security
group egress, network ACL out, the route (longest prefix, prefix lists), the
gateway or endpoint it leads to, network ACL and security group in at the
destination, the return path through stateless network ACLs, and, with
--action, the endpoint policy (and --identity-policy / --resource-policy).

The verdict is PRIVATE_INTERFACE_ENDPOINT, PRIVATE_GATEWAY_ENDPOINT,
PUBLIC_NAT, PUBLIC_IGW, PUBLIC_EGRESS_ONLY_IGW (IPv6), LOCAL or BLOCKED,
with Reachability Analyzer's explanation codes (and vpce's own where RA has
none) and the smallest change that would open the path.

SOURCE is an instance (i-…), interface (eni-…), subnet (subnet-…, standing
for a new interface there without security groups) or an IP address.
DESTINATION is a DNS name, a service name (com.amazonaws.REGION.SERVICE), an
IP address, or an instance, interface, VPC endpoint, internet gateway or
egress-only internet gateway ID. --ipv6 (or an IPv6 address as SOURCE or
DESTINATION) analyses the IPv6 path: the source's IPv6 address, names by
their AAAA answers, IPv6 routes and rules.

It asks the running vpce serve (--endpoint-url, signed with
AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY: the key's account and region are
the ones analysed), or reads a state directory that no server holds
(--state, e.g. one made by vpce import).

Exit status: 0 reachable, 1 blocked, 2 bad input.`,
		Example: `  vpce reach --from i-0abc… --to ssm.us-east-1.amazonaws.com
  vpce reach --from i-0abc… --to com.amazonaws.us-east-1.s3 --action s3:GetObject --resource arn:aws:s3:::reports/q3.csv
  vpce reach --from 192.168.10.5 --to vpce-0abc… -o json
  vpce reach --ipv6 --from i-0abc… --to kms.us-east-1.amazonaws.com
  vpce reach --matrix --vpc vpc-0abc…
  vpce reach --state ./imported --account 111122223333 --from i-0abc… --to s3.us-east-1.amazonaws.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return run(cmd, o) },
	}
	f := cmd.Flags()
	f.StringVar(&o.req.From, "from", "", "source: i-…, eni-…, subnet-… or an IP address")
	f.StringVar(&o.req.To, "to", "", "destination: a DNS name, com.amazonaws.REGION.SERVICE, an IP address, or i-/eni-/vpce-/igw-/eigw- ID")
	f.StringVar(&o.req.DNS, "dns", "", "resolve names at this Route 53 Resolver inbound endpoint (rslvr-in-…), as on-premises clients that query it do")
	f.BoolVar(&o.req.IPv6, "ipv6", false, "analyse the IPv6 path: the source's IPv6 address, AAAA answers (implied by an IPv6 --from or --to)")
	f.StringVar(&o.req.Protocol, "protocol", "tcp", "tcp or udp")
	f.IntVar(&o.req.Port, "port", 443, "destination port")
	f.StringVar(&o.req.Action, "action", "", "IAM action the connection carries (s3:GetObject): the policies on the path must allow it")
	f.StringVar(&o.req.Resource, "resource", "", "resource ARN of the request")
	f.StringVar(&o.req.Principal, "principal", "", "caller ARN (a role, user or session)")
	f.StringSliceVar(&o.identityFiles, "identity-policy", nil, "file of the caller's identity policy (repeatable); without it only the endpoint and resource policies are judged")
	f.StringVar(&o.resourceFile, "resource-policy", "", "file of the resource's policy (a bucket policy)")
	f.BoolVar(&o.matrix, "matrix", false, "every subnet of --vpc against every service it has an endpoint for, plus SSM's, S3 and DynamoDB")
	f.StringVar(&o.vpc, "vpc", "", "the VPC of --matrix")
	f.StringVarP(&o.output, "output", "o", "table", "output format: table or json")
	f.StringVar(&o.url, "endpoint-url", vpceapi.DefaultURL(), "the running vpce serve")
	f.StringVar(&o.state, "state", "", "read this state directory instead of asking a server")
	f.StringVar(&o.account, "account", "000000000000", "account to analyse with --state")
	f.StringVar(&o.region, "region", vpceapi.Region(), "region to analyse with --state")
	return cmd
}

func bad(format string, args ...any) error { return exitcode.New(2, fmt.Errorf(format, args...)) }

func run(cmd *cobra.Command, o *options) error {
	if o.output != "table" && o.output != "json" {
		return bad("--output must be table or json")
	}
	if o.matrix {
		if o.vpc == "" {
			return bad("--matrix needs --vpc")
		}
	} else if o.req.From == "" || o.req.To == "" {
		return bad("--from and --to are required (or --matrix --vpc)")
	}
	for _, f := range o.identityFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return bad("--identity-policy: %v", err)
		}
		o.req.IdentityPolicies = append(o.req.IdentityPolicies, string(b))
	}
	if o.resourceFile != "" {
		b, err := os.ReadFile(o.resourceFile)
		if err != nil {
			return bad("--resource-policy: %v", err)
		}
		o.req.ResourcePolicy = string(b)
	}
	var raw []byte
	var err error
	if o.state != "" {
		raw, err = offline(cmd.Context(), o)
	} else {
		raw, err = online(o)
	}
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	if o.matrix {
		var m reach.Matrix
		if err := json.Unmarshal(raw, &m); err != nil {
			return err
		}
		if o.output == "json" {
			_, err := w.Write(raw)
			return err
		}
		return printMatrix(w, &m)
	}
	var res reach.Result
	if err := json.Unmarshal(raw, &res); err != nil {
		return err
	}
	if o.output == "json" {
		if _, err := w.Write(raw); err != nil {
			return err
		}
	} else if err := printResult(w, &res); err != nil {
		return err
	}
	if !res.Reachable {
		return exitcode.New(1, nil)
	}
	return nil
}

// offline analyses a state directory directly.
func offline(ctx context.Context, o *options) ([]byte, error) {
	if _, err := os.Stat(o.state); err != nil {
		return nil, bad("--state: %v", err)
	}
	st, err := store.Open(o.state)
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("%w: a vpce serve holds it; ask it instead (drop --state, --endpoint-url %s)", err, o.url)
	}
	if err != nil {
		return nil, err
	}
	defer st.Close()
	c := cloud.New(cloud.Config{Store: st})
	snap, err := c.LinkedSnapshot(ctx, cloud.Scope{Account: o.account, Region: o.region})
	if err != nil {
		return nil, err
	}
	a := reach.New(snap)
	var v any
	if o.matrix {
		v, err = a.Matrix(o.vpc)
	} else {
		q, qerr := o.req.Query()
		if qerr != nil {
			return nil, bad("%v", qerr)
		}
		v, err = a.Analyze(q)
	}
	var ie *reach.InputError
	if errors.As(err, &ie) {
		return nil, exitcode.New(2, err)
	}
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(v, "", "  ")
}

// online asks the running server.
func online(o *options) ([]byte, error) {
	if o.matrix {
		return vpceapi.Call(o.url, http.MethodGet, "/_vpce/reach/matrix?"+url.Values{"vpc": {o.vpc}}.Encode(), nil)
	}
	body, err := json.Marshal(o.req)
	if err != nil {
		return nil, err
	}
	return vpceapi.Call(o.url, http.MethodPost, "/_vpce/reach", body)
}

func printResult(w io.Writer, r *reach.Result) error {
	fmt.Fprintf(w, "%s → %s (%s/%d): %s\n", place(r.Source), place(r.Destination), r.Protocol, r.Port, r.Verdict)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\nHOP\tCOMPONENT\tKIND\tDIRECTION\tRESULT\tRULE")
	for i, h := range r.Hops {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", i+1, h.Component, h.Kind, h.Direction, h.Result, h.Rule)
	}
	for _, h := range r.ReturnHops {
		fmt.Fprintf(tw, "back\t%s\t%s\t%s\t%s\t%s\n", h.Component, h.Kind, h.Direction, h.Result, h.Rule)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(r.Explanations) > 0 {
		fmt.Fprintln(w, "\nBlocked:")
		for _, e := range r.Explanations {
			fmt.Fprintf(w, "  %s at %s: %s\n", e.Code, e.Component, e.Message)
		}
	}
	if len(r.Details) > 0 {
		fmt.Fprintln(w, "\nNotes:")
		for _, e := range r.Details {
			fmt.Fprintf(w, "  %s at %s: %s\n", e.Code, e.Component, e.Message)
		}
	}
	if len(r.Fix) > 0 {
		fmt.Fprintln(w, "\nTo open it:")
		for _, f := range r.Fix {
			fmt.Fprintln(w, "  "+f)
		}
	}
	return nil
}

func place(p reach.Place) string {
	s := p.ID
	if s == "" {
		s = p.Service
	}
	if s == "" {
		s = p.Name
	}
	if p.Address.IsValid() {
		if s == "" {
			return p.Address.String()
		}
		return s + " (" + p.Address.String() + ")"
	}
	return s
}

func printMatrix(w io.Writer, m *reach.Matrix) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	head := []string{"SUBNET", "ZONE", "CIDR"}
	for _, s := range m.Services {
		// com.amazonaws.us-east-1.ecr.api → ecr.api
		if parts := strings.SplitN(s, ".", 4); len(parts) == 4 {
			s = parts[3]
		}
		head = append(head, s)
	}
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	short := map[string]string{reach.PrivateInterfaceEndpoint: "interface", reach.PrivateGatewayEndpoint: "gateway",
		reach.PublicNAT: "NAT", reach.PublicIGW: "IGW", reach.PublicEgressOnly: "EIGW", reach.Local: "local"}
	for _, r := range m.Rows {
		cols := []string{r.SubnetID, r.Zone, r.CIDR}
		for _, c := range r.Cells {
			if s, ok := short[c.Verdict]; ok {
				cols = append(cols, s)
			} else {
				cols = append(cols, "BLOCKED:"+c.Code)
			}
		}
		fmt.Fprintln(tw, strings.Join(cols, "\t"))
	}
	return tw.Flush()
}
