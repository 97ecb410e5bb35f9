// Package analysiscmd is `vpce doctor` and `vpce cost`: findings and
// costs of a design, from a running server or a state directory.
package analysiscmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vpce/vpce/internal/catalog"
	"github.com/vpce/vpce/internal/cli/exitcode"
	"github.com/vpce/vpce/internal/cli/vpceapi"
	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cost"
	"github.com/vpce/vpce/internal/doctor"
	"github.com/vpce/vpce/internal/reach"
	"github.com/vpce/vpce/internal/server"
	"github.com/vpce/vpce/internal/store"
)

func bad(format string, args ...any) error { return exitcode.New(2, fmt.Errorf(format, args...)) }

// target is where the state comes from: a server, or a state directory.
type target struct {
	url, state, account, region string
}

func (t *target) flags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&t.url, "endpoint-url", vpceapi.DefaultURL(), "the running vpce serve")
	f.StringVar(&t.state, "state", "", "read this state directory instead of asking a server")
	f.StringVar(&t.account, "account", "000000000000", "account to examine with --state")
	f.StringVar(&t.region, "region", vpceapi.Region(), "region to examine with --state")
}

// analyzer opens a state directory.
func (t *target) analyzer(ctx context.Context) (*reach.Analyzer, func(), error) {
	if _, err := os.Stat(t.state); err != nil {
		return nil, nil, bad("--state: %v", err)
	}
	st, err := store.Open(t.state)
	if errors.Is(err, store.ErrLocked) {
		return nil, nil, fmt.Errorf("%w: a vpce serve holds it; ask it instead (drop --state)", err)
	}
	if err != nil {
		return nil, nil, err
	}
	snap, err := cloud.New(cloud.Config{Store: st}).Snapshot(ctx, cloud.Scope{Account: t.account, Region: t.region})
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return reach.New(snap), func() { st.Close() }, nil
}

// call asks the server.
func (t *target) call(method, path string, body []byte) ([]byte, error) {
	return vpceapi.Call(t.url, method, path, body)
}

func inputErr(err error) error {
	var ie *reach.InputError
	if errors.As(err, &ie) {
		return exitcode.New(2, err)
	}
	return err
}

// NewDoctorCmd returns `vpce doctor`.
func NewDoctorCmd() *cobra.Command {
	var t target
	var vpc, output, failOn string
	var checks []string
	var all bool
	cmd := &cobra.Command{
		Use:   "doctor [--vpc vpc-…|--all]",
		Short: "Find what is missing or unsafe: SSM without internet, exfiltration, DNS, resilience, cost",
		Long: `Check a design and say what to fix, each finding with a severity, a stable
code, the resources, the evidence (the hop or statement, from the path engine
and the policy engine) and the fix as an aws CLI command.

Checks: ssm (Session Manager without internet for every instance in a
private subnet), exfiltration (endpoint policies that let data go to any
account, endpoint groups open to the world), dns (attributes off, private
DNS off), resilience (endpoints in fewer zones than the instances), cost
(S3 and DynamoDB through a NAT gateway). See docs/doctor.md.

Exit status: 1 when a finding at or above --fail-on exists, 2 on bad input.`,
		Example: `  vpce doctor --all
  vpce doctor --vpc vpc-0abc… --check ssm -o json
  vpce doctor --all -o sarif > vpce.sarif
  vpce doctor --state ./acct --account 111122223333 --fail-on medium`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !doctor.ValidSeverity(failOn) {
				return bad("--fail-on must be info, low, medium, high or critical")
			}
			if vpc != "" && all {
				return bad("give --vpc or --all, not both")
			}
			var fs []doctor.Finding
			if t.state != "" {
				a, done, err := t.analyzer(cmd.Context())
				if err != nil {
					return err
				}
				defer done()
				if fs, err = doctor.Run(a, doctor.Options{VPC: vpc, Checks: checks}); err != nil {
					return inputErr(err)
				}
			} else {
				q := "?vpc=" + vpc + "&check=" + strings.Join(checks, ",")
				raw, err := t.call(http.MethodGet, "/_vpce/doctor"+q, nil)
				if err != nil {
					return err
				}
				var out struct{ Findings []doctor.Finding }
				if err := json.Unmarshal(raw, &out); err != nil {
					return err
				}
				fs = out.Findings
			}
			if fs == nil {
				fs = []doctor.Finding{}
			}
			w := cmd.OutOrStdout()
			switch output {
			case "json":
				enc := json.NewEncoder(w)
				enc.SetIndent("", "  ")
				if err := enc.Encode(map[string]any{"findings": fs}); err != nil {
					return err
				}
			case "sarif":
				if err := writeSARIF(w, fs); err != nil {
					return err
				}
			case "table":
				printFindings(w, fs)
			default:
				return bad("--output must be table, json or sarif")
			}
			for _, f := range fs {
				if doctor.AtLeast(f.Severity, failOn) {
					return exitcode.New(1, nil)
				}
			}
			return nil
		},
	}
	t.flags(cmd)
	f := cmd.Flags()
	f.StringVar(&vpc, "vpc", "", "the VPC to examine (default: all)")
	f.BoolVar(&all, "all", false, "every VPC (the default)")
	f.StringSliceVar(&checks, "check", nil, "checks to run: "+strings.Join(doctor.CheckNames(), ","))
	f.StringVarP(&output, "output", "o", "table", "output format: table, json or sarif")
	f.StringVar(&failOn, "fail-on", doctor.High, "exit 1 when a finding at or above this severity exists")
	return cmd
}

func printFindings(w io.Writer, fs []doctor.Finding) {
	if len(fs) == 0 {
		fmt.Fprintln(w, "No findings.")
		return
	}
	for _, f := range fs {
		fmt.Fprintf(w, "%-8s %s [%s] %s\n", strings.ToUpper(f.Severity), f.Code, f.Check, f.Title)
		fmt.Fprintf(w, "         resources: %s\n", strings.Join(f.Resources, ", "))
		if f.Evidence != "" {
			fmt.Fprintf(w, "         evidence:  %s\n", f.Evidence)
		}
		if f.Fix != "" {
			fmt.Fprintf(w, "         fix:       %s\n", f.Fix)
		}
	}
	fmt.Fprintf(w, "\n%d finding(s)\n", len(fs))
}

// writeSARIF writes findings as SARIF 2.1.0 for code-scanning tools.
func writeSARIF(w io.Writer, fs []doctor.Finding) error {
	level := map[string]string{doctor.Critical: "error", doctor.High: "error", doctor.Medium: "warning", doctor.Low: "note", doctor.Info: "note"}
	type rule struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Help struct {
			Text string `json:"text"`
		} `json:"help"`
	}
	rules := map[string]rule{}
	var results []map[string]any
	for _, f := range fs {
		if _, ok := rules[f.Code]; !ok {
			r := rule{ID: f.Code, Name: f.Code}
			r.Help.Text = "See docs/doctor.md#" + strings.ToLower(f.Code)
			rules[f.Code] = r
		}
		var locs []map[string]any
		for _, id := range f.Resources {
			locs = append(locs, map[string]any{"logicalLocations": []map[string]string{{"name": id, "kind": "resource"}}})
		}
		results = append(results, map[string]any{"ruleId": f.Code, "level": level[f.Severity],
			"message":    map[string]string{"text": f.Title + ". Evidence: " + f.Evidence + ". Fix: " + f.Fix},
			"locations":  locs,
			"properties": map[string]any{"severity": f.Severity, "check": f.Check, "fix": f.Fix}})
	}
	ids := make([]string, 0, len(rules))
	for id := range rules {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	rs := make([]rule, len(ids))
	for i, id := range ids {
		rs[i] = rules[id]
	}
	if results == nil {
		results = []map[string]any{}
	}
	doc := map[string]any{"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"runs": []map[string]any{{"tool": map[string]any{"driver": map[string]any{"name": "vpce doctor", "informationUri": "https://github.com/vpce/vpce", "rules": rs}},
			"results": results}}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// NewCostCmd returns `vpce cost`.
func NewCostCmd() *cobra.Command {
	var t target
	var vpc, output, usageFile, pricesFile string
	var months int
	var fromMetrics, all bool
	cmd := &cobra.Command{
		Use:   "cost [--vpc vpc-…|--all]",
		Short: "What the endpoints and NAT gateways cost per month, and what a change would save",
		Long: `Estimate the monthly cost of a design: interface endpoints per ENI-hour
(one per zone) and per GB processed with AWS's tiers, gateway endpoints free,
NAT gateways per hour and per GB. Traffic (--usage FILE, a JSON list of
{"vpc": "vpc-…", "service": "s3", "gbPerMonth": 500}, or --from-metrics: what
the data plane carried) is priced on the path the path engine finds for it
today and on the alternatives; recommendations say what to change and what
it saves. A month is 730 hours. Prices come from an embedded, dated table
(--prices FILE overrides it); every figure carries that date.`,
		Example: `  vpce cost --all
  vpce cost --vpc vpc-0abc… --usage usage.json -o json
  vpce cost --from-metrics --months 12`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if vpc != "" && all {
				return bad("give --vpc or --all, not both")
			}
			req := server.CostRequest{VPC: vpc, Months: months, FromMetrics: fromMetrics}
			if usageFile != "" {
				b, err := os.ReadFile(usageFile)
				if err != nil {
					return bad("--usage: %v", err)
				}
				if err := json.Unmarshal(b, &req.Usage); err != nil {
					return bad("--usage %s: a JSON list of {\"vpc\", \"service\", \"gbPerMonth\"}: %v", usageFile, err)
				}
			}
			if pricesFile != "" {
				p, err := catalog.LoadPrices(pricesFile)
				if err != nil {
					return bad("--prices: %v", err)
				}
				req.Prices = p
			}
			var rep cost.Report
			var raw []byte
			if t.state != "" {
				if fromMetrics {
					return bad("--from-metrics reads a running server's data plane: drop --state")
				}
				a, done, err := t.analyzer(cmd.Context())
				if err != nil {
					return err
				}
				defer done()
				r, err := cost.Estimate(a, cost.Options{VPC: vpc, Usage: req.Usage, Months: months, Prices: req.Prices})
				if err != nil {
					return inputErr(err)
				}
				rep = *r
				raw, _ = json.MarshalIndent(rep, "", "  ")
			} else {
				body, _ := json.Marshal(req)
				var err error
				if raw, err = t.call(http.MethodPost, "/_vpce/cost", body); err != nil {
					return err
				}
				if err := json.Unmarshal(raw, &rep); err != nil {
					return err
				}
			}
			w := cmd.OutOrStdout()
			switch output {
			case "json":
				_, err := w.Write(append(bytes.TrimSpace(raw), '\n'))
				return err
			case "table":
				printCost(w, &rep)
				return nil
			}
			return bad("--output must be table or json")
		},
	}
	t.flags(cmd)
	f := cmd.Flags()
	f.StringVar(&vpc, "vpc", "", "the VPC to price (default: all)")
	f.BoolVar(&all, "all", false, "every VPC (the default)")
	f.StringVar(&usageFile, "usage", "", "JSON file of traffic: [{\"vpc\": \"vpc-…\", \"service\": \"s3\", \"gbPerMonth\": 500}]")
	f.BoolVar(&fromMetrics, "from-metrics", false, "price what the server's data plane has carried")
	f.IntVar(&months, "months", 1, "months to total")
	f.StringVar(&pricesFile, "prices", "", "price table overriding the embedded one (same format)")
	f.StringVarP(&output, "output", "o", "table", "output format: table or json")
	return cmd
}

func printCost(w io.Writer, r *cost.Report) {
	fmt.Fprintf(w, "Prices of %s (%s, dated %s); a month is 730 hours.\n\n", r.PriceRegion, r.Currency, r.PriceDate)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RESOURCE\tKIND\tVPC\tSERVICE\tMONTHLY\tHOW")
	for _, it := range r.Items {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t$%.2f\t%s\n", it.Resource, it.Kind, it.VPC, it.Service, it.Monthly, it.Detail)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nMonthly total: $%.2f", r.MonthlyTotal)
	if r.Months > 1 {
		fmt.Fprintf(w, " (× %d months: $%.2f)", r.Months, r.Total)
	}
	fmt.Fprintln(w)
	if len(r.Traffic) > 0 {
		fmt.Fprintln(w, "\nTraffic:")
		for _, tr := range r.Traffic {
			var alts []string
			for _, k := range []string{"gateway-endpoint", "interface-endpoint", "nat-gateway"} {
				if v, ok := tr.Alternatives[k]; ok {
					alts = append(alts, fmt.Sprintf("%s $%.2f", k, v))
				}
			}
			fmt.Fprintf(w, "  %s → %s, %.0f GB/month: %s via %s $%.2f; alternatives: %s\n", tr.VPC, tr.Service, tr.GBPerMonth, tr.Path, tr.Via, tr.Monthly, strings.Join(alts, ", "))
		}
	}
	if len(r.Recommendations) > 0 {
		fmt.Fprintln(w, "\nRecommendations:")
		for _, rec := range r.Recommendations {
			fmt.Fprintf(w, "  saves $%.2f/month: %s\n    %s\n", rec.MonthlySavings, rec.Action, rec.Detail)
		}
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note: "+n)
	}
}
