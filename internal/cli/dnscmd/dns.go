// Package dnscmd is the `vpce dns` command: where each VPC's resolver
// listens, and what it answers for a name.
package dnscmd

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vpce/vpce/internal/cli/vpceapi"
	"github.com/vpce/vpce/internal/resolver"
)

type options struct {
	url    string
	output string
}

// NewCmd returns the `dns` command and its `resolve` subcommand.
func NewCmd() *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "dns",
		Short: "List the VPC resolvers: each VPC's DNS at its own loopback address",
		Long: `Every VPC has a resolver, as AmazonProvidedDNS is in AWS. vpce serves each
VPC's resolver at its own loopback address (127.100.x.y) on the --dns port
of 'vpce serve'. This command lists them with the dig command that asks
each one.`,
		Example: `  vpce dns
  vpce dns --output json
  vpce dns resolve --vpc vpc-0123456789abcdef0 ssm.us-east-1.amazonaws.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var list []struct {
				Addr    string `json:"address"`
				Account string `json:"account"`
				Region  string `json:"region"`
				VpcID   string `json:"vpcId"`
				Port    int    `json:"port"`
				Dig     string `json:"dig"`
				Inbound string `json:"inboundEndpoint"`
			}
			raw, err := get(o.url, "/_vpce/dns", &list)
			if err != nil {
				return err
			}
			if o.output == "json" {
				_, err := cmd.OutOrStdout().Write(raw)
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "VPC\tACCOUNT\tREGION\tRESOLVER\tASK WITH\tINBOUND ENDPOINT")
			for _, r := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s:%d\t%s\t%s\n", r.VpcID, r.Account, r.Region, r.Addr, r.Port, r.Dig, cmp.Or(r.Inbound, "-"))
			}
			return tw.Flush()
		},
	}
	cmd.PersistentFlags().StringVar(&o.url, "endpoint-url", vpceapi.DefaultURL(), "the running vpce serve")
	cmd.PersistentFlags().StringVarP(&o.output, "output", "o", "table", "output format: table or json")
	cmd.AddCommand(newResolveCmd(o))
	return cmd
}

func newResolveCmd(o *options) *cobra.Command {
	var vpc string
	cmd := &cobra.Command{
		Use:   "resolve --vpc VPC_ID NAME [TYPE]",
		Short: "Answer a name as a VPC's resolver would, and say why",
		Example: `  vpce dns resolve --vpc vpc-0123456789abcdef0 ssm.us-east-1.amazonaws.com
  vpce dns resolve --vpc vpc-0123456789abcdef0 5.1.0.10.in-addr.arpa PTR`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if vpc == "" {
				return fmt.Errorf("--vpc is required")
			}
			typ := "A"
			if len(args) == 2 {
				typ = args[1]
			}
			var res resolver.Resolution
			q := url.Values{"vpc": {vpc}, "name": {args[0]}, "type": {typ}}
			raw, err := get(o.url, "/_vpce/dns/resolve?"+q.Encode(), &res)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if o.output == "json" {
				_, err := w.Write(raw)
				return err
			}
			fmt.Fprintf(w, "%s %s in %s (resolver %s): %s\n", res.Name, res.Type, res.VpcID, res.Address, res.Rcode)
			for _, a := range res.Answers {
				fmt.Fprintln(w, "  "+a)
			}
			fmt.Fprintln(w, "why: "+res.Reason)
			return nil
		},
	}
	cmd.Flags().StringVar(&vpc, "vpc", "", "the VPC whose resolver answers")
	return cmd
}

// get reads a vpce endpoint of the server at base into out.
func get(base, path string, out any) ([]byte, error) {
	b, err := vpceapi.Call(base, http.MethodGet, path, nil)
	if err != nil {
		return nil, err
	}
	return b, json.Unmarshal(b, out)
}
