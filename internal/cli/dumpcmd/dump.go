// Package dumpcmd is `vpce import` and `vpce export`: a folder of
// `aws ec2 describe-*` outputs into a state directory, and back.
package dumpcmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/vpce/vpce/internal/cli/exitcode"
	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/dump"
	"github.com/vpce/vpce/internal/store"
)

type options struct {
	state, account, region, output string
}

func openState(dir string, create bool) (*store.Memory, *cloud.Cloud, error) {
	if !create {
		if _, err := os.Stat(dir); err != nil {
			return nil, nil, exitcode.New(2, fmt.Errorf("--state: %w", err))
		}
	}
	st, err := store.Open(dir)
	if errors.Is(err, store.ErrLocked) {
		return nil, nil, fmt.Errorf("%w: stop the vpce serve that holds it, or give another --state", err)
	}
	if err != nil {
		return nil, nil, err
	}
	return st, cloud.New(cloud.Config{Store: st}), nil
}

func stateFlags(cmd *cobra.Command, o *options, def string) {
	cmd.Flags().StringVar(&o.state, "state", def, "state directory (vpce serve's --state)")
	cmd.Flags().StringVar(&o.account, "account", "", "account of the records (default: from folder names or OwnerId)")
	cmd.Flags().StringVar(&o.region, "region", "", "region of the records (default: from folder or file names, or subnet zones)")
	cmd.Flags().StringVarP(&o.output, "output", "o", "table", "output format: table or json")
}

// NewImportCmd returns `vpce import`.
func NewImportCmd(defaultState string) *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "import DIR",
		Short: "Load a folder of aws ec2 describe-* outputs into a state, as if created through the API",
		Long: `Load a real account's network from the JSON the aws CLI prints, so that
vpce serve, vpce reach and the resolver use it like state created here.

DIR holds describe-vpcs, describe-subnets, describe-route-tables,
describe-security-groups, describe-network-acls, describe-network-interfaces,
describe-instances, describe-vpc-endpoints, describe-nat-gateways,
describe-internet-gateways, describe-prefix-lists and
describe-managed-prefix-lists outputs (one file each, any names: the
top-level key says what a file holds; prefix-list entries in a file named
after the pl- ID). One folder per account and region (…/ACCOUNT/REGION/) or
flat. IDs, addresses and ARNs are kept.

Records that name what is not there (an interface in an unknown subnet), or
whose ID is taken, are reported with their file and record and skipped;
everything else of a folder loads in one transaction. Files vpce does not
model are warnings. Stop vpce serve first: a state has one owner.`,
		Example: `  mkdir dump && for c in vpcs subnets route-tables security-groups network-acls network-interfaces instances vpc-endpoints nat-gateways internet-gateways prefix-lists; do aws ec2 describe-$c > dump/$c.json; done
  vpce import dump --state ./acct
  vpce reach --state ./acct --account 111122223333 --from i-0abc… --to ssm.us-east-1.amazonaws.com`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			start := time.Now()
			accts, warns, err := dump.Read(args[0], dump.Options{Account: o.account, Region: o.region})
			if err != nil {
				return exitcode.New(2, err)
			}
			if len(accts) == 0 {
				for _, w := range warns {
					fmt.Fprintf(cmd.ErrOrStderr(), "warning: %s: %s\n", w.File, w.Message)
				}
				return exitcode.New(2, fmt.Errorf("%s: nothing to import", args[0]))
			}
			st, c, err := openState(o.state, true)
			if err != nil {
				return err
			}
			defer st.Close()
			type result struct {
				Dir string `json:"dir"`
				*cloud.ImportReport
			}
			var out struct {
				Accounts []result       `json:"accounts"`
				Warnings []dump.Warning `json:"warnings"`
				Seconds  float64        `json:"seconds"`
			}
			out.Warnings = append([]dump.Warning{}, warns...)
			for _, a := range accts {
				rep, err := c.Import(cmd.Context(), a.Scope, a.Set)
				if err != nil {
					return fmt.Errorf("%s: %w", a.Dir, err)
				}
				rep.Skipped = append(a.Problems, rep.Skipped...)
				out.Accounts = append(out.Accounts, result{a.Dir, rep})
			}
			out.Seconds = time.Since(start).Seconds()
			w := cmd.OutOrStdout()
			if o.output == "json" {
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			for _, r := range out.Accounts {
				n := 0
				for _, v := range r.Imported {
					n += v
				}
				fmt.Fprintf(w, "%s → %s/%s: %d records imported, %d skipped\n", r.Dir, r.Account, r.Region, n, len(r.Skipped))
				for _, s := range r.Skipped {
					fmt.Fprintf(w, "  skipped %s %s: %s\n", s.Where, s.ID, s.Problem)
				}
			}
			for _, x := range out.Warnings {
				fmt.Fprintf(w, "warning: %s: %s\n", x.File, x.Message)
			}
			fmt.Fprintf(w, "done in %.2fs\n", out.Seconds)
			return nil
		},
	}
	stateFlags(cmd, o, defaultState)
	return cmd
}

// NewExportCmd returns `vpce export`.
func NewExportCmd(defaultState string) *cobra.Command {
	o := &options{}
	cmd := &cobra.Command{
		Use:   "export DIR",
		Short: "Write a state as aws ec2 describe-* outputs, one folder per account and region",
		Long: `Write the state's network as the aws CLI's describe-* JSON, into
DIR/ACCOUNT/REGION/ (Vpcs.json, Subnets.json, …): the format vpce import
reads, so a state can be shared, diffed and imported elsewhere. Every
account and region with state, or the one --account/--region name.`,
		Example: `  vpce export ./snapshot --state ./acct`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			st, c, err := openState(o.state, false)
			if err != nil {
				return err
			}
			defer st.Close()
			scopes, err := c.Scopes(cmd.Context())
			if err != nil {
				return err
			}
			n := 0
			for _, sc := range scopes {
				if (o.account != "" && sc.Account != o.account) || (o.region != "" && sc.Region != o.region) {
					continue
				}
				snap, err := c.Snapshot(cmd.Context(), sc)
				if err != nil {
					return err
				}
				dir, err := dump.Write(args[0], snap)
				if err != nil {
					return err
				}
				n++
				fmt.Fprintf(cmd.OutOrStdout(), "%s/%s → %s (%d VPCs, %d interfaces)\n", sc.Account, sc.Region, dir, len(snap.Vpcs), snap.NetworkInterfaces.Len())
			}
			if n == 0 {
				return exitcode.New(2, fmt.Errorf("no account and region with state matches"))
			}
			return nil
		},
	}
	stateFlags(cmd, o, defaultState)
	return cmd
}
