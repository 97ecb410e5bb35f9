// Package doctor finds what is missing or unsafe in a private network
// design: SSM without internet, exfiltration through endpoints, DNS,
// resilience and cost. Every check is a pure function over a snapshot that
// asks the path engine (internal/reach) — never a second copy of the path
// rules. A check is one file: add it to checks.
package doctor

import (
	"slices"
	"sort"
	"strings"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/reach"
)

// Severities, lowest first.
const (
	Info     = "info"
	Low      = "low"
	Medium   = "medium"
	High     = "high"
	Critical = "critical"
)

var severityRank = map[string]int{Info: 0, Low: 1, Medium: 2, High: 3, Critical: 4}

// AtLeast reports whether severity s is at or above min.
func AtLeast(s, min string) bool { return severityRank[s] >= severityRank[min] }

// ValidSeverity reports whether s names a severity.
func ValidSeverity(s string) bool { _, ok := severityRank[s]; return ok }

// Finding is one thing to act on.
type Finding struct {
	Code      string   `json:"code"`
	Severity  string   `json:"severity"`
	Check     string   `json:"check"`
	Title     string   `json:"title"`
	Resources []string `json:"resources"`
	// Evidence is the hop, statement or setting that shows it.
	Evidence string `json:"evidence"`
	// Fix is the concrete change: an aws CLI command.
	Fix string `json:"fix"`
}

// Context is what a check reads.
type Context struct {
	Snap *cloud.Snapshot
	A    *reach.Analyzer
	// VPCs are the VPCs to examine, by ID.
	VPCs []string
}

// Check is one family of findings.
type Check struct {
	Name string
	Run  func(*Context) []Finding
}

// checks are every check, in the order they run.
var checks = []Check{
	{"ssm", checkSSM},
	{"exfiltration", checkExfiltration},
	{"dns", checkDNS},
	{"resilience", checkResilience},
	{"cost", checkCost},
}

// CheckNames lists the checks.
func CheckNames() []string {
	out := make([]string, len(checks))
	for i, c := range checks {
		out[i] = c.Name
	}
	return out
}

// Options select what to examine.
type Options struct {
	VPC    string   // one VPC; empty: all
	Checks []string // empty: all
}

// Run runs the checks over a snapshot. Findings are sorted by severity
// (highest first), then code and resources; never nil.
func Run(a *reach.Analyzer, o Options) ([]Finding, error) {
	snap := a.Snapshot()
	ctx := &Context{Snap: snap, A: a}
	for id := range snap.Home().Vpcs { // the asking account's VPCs; paths may leave them
		if o.VPC == "" || o.VPC == id {
			ctx.VPCs = append(ctx.VPCs, id)
		}
	}
	sort.Strings(ctx.VPCs)
	if o.VPC != "" && len(ctx.VPCs) == 0 {
		return nil, &reach.InputError{Msg: "VPC " + o.VPC + " does not exist in " + snap.Scope.Account + "/" + snap.Scope.Region}
	}
	for _, c := range o.Checks {
		if !slices.Contains(CheckNames(), c) {
			return nil, &reach.InputError{Msg: "unknown check " + c + ": the checks are " + strings.Join(CheckNames(), ", ")}
		}
	}
	out := []Finding{}
	for _, c := range checks {
		if len(o.Checks) > 0 && !slices.Contains(o.Checks, c.Name) {
			continue
		}
		for _, f := range c.Run(ctx) {
			f.Check = c.Name
			if f.Resources == nil {
				f.Resources = []string{}
			}
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if severityRank[out[i].Severity] != severityRank[out[j].Severity] {
			return severityRank[out[i].Severity] > severityRank[out[j].Severity]
		}
		if out[i].Code != out[j].Code {
			return out[i].Code < out[j].Code
		}
		return strings.Join(out[i].Resources, ",") < strings.Join(out[j].Resources, ",")
	})
	return out, nil
}

// instancesIn returns a VPC's running instances, by ID.
func instancesIn(s *cloud.Snapshot, vpcID string) []*cloud.Instance {
	var out []*cloud.Instance
	for _, in := range s.Instances {
		if in.VpcID == vpcID && in.State.Name == "running" && len(in.NetworkInterfaces) > 0 {
			out = append(out, in)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].InstanceID < out[j].InstanceID })
	return out
}

// representatives groups instances that share a subnet and security
// groups (their paths are the same) and returns one of each group with
// the group's members, so that a check costs O(distinct placements).
func representatives(s *cloud.Snapshot, insts []*cloud.Instance) map[*cloud.Instance][]string {
	byKey := map[string]*cloud.Instance{}
	out := map[*cloud.Instance][]string{}
	for _, in := range insts {
		var gs []string
		for _, g := range in.Groups {
			gs = append(gs, g.GroupID)
		}
		sort.Strings(gs)
		k := in.SubnetID + "|" + strings.Join(gs, ",")
		rep := byKey[k]
		if rep == nil {
			rep = in
			byKey[k] = in
		}
		out[rep] = append(out[rep], in.InstanceID)
	}
	return out
}

func firstCode(r *reach.Result) (code, component, msg string) {
	if len(r.Explanations) == 0 {
		return "", "", ""
	}
	e := r.Explanations[0]
	return e.Code, e.Component, e.Message
}

func firstFix(r *reach.Result) string {
	if len(r.Fix) == 0 {
		return ""
	}
	return r.Fix[0]
}

func limit(ids []string, n int) []string {
	if len(ids) <= n {
		return ids
	}
	return append(ids[:n:n], "…")
}
