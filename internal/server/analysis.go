package server

import (
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	"github.com/vpce/vpce/internal/catalog"
	"github.com/vpce/vpce/internal/cost"
	"github.com/vpce/vpce/internal/dataplane"
	"github.com/vpce/vpce/internal/doctor"
)

// CostRequest is the body of POST /_vpce/cost.
type CostRequest struct {
	VPC    string       `json:"vpc,omitempty"`
	Usage  []cost.Usage `json:"usage,omitempty"`
	Months int          `json:"months,omitempty"`
	// FromMetrics prices what the data plane has carried so far.
	FromMetrics bool                `json:"fromMetrics,omitempty"`
	Prices      *catalog.PriceTable `json:"prices,omitempty"`
}

// doctor serves GET /_vpce/doctor?vpc=&check=a,b in the caller's scope.
func (ra *reachAPI) doctor(w http.ResponseWriter, r *http.Request) {
	a, _, ok := ra.analyzer(w, r)
	if !ok {
		return
	}
	o := doctor.Options{VPC: r.URL.Query().Get("vpc")}
	if c := r.URL.Query().Get("check"); c != "" {
		o.Checks = strings.Split(c, ",")
	}
	fs, err := doctor.Run(a, o)
	answer(w, map[string]any{"findings": fs}, err)
}

// cost serves POST /_vpce/cost (a CostRequest) in the caller's scope.
func (ra *reachAPI) cost(w http.ResponseWriter, r *http.Request) {
	a, body, ok := ra.analyzer(w, r)
	if !ok {
		return
	}
	var req CostRequest
	if len(body) > 0 {
		if err := json.Unmarshal(body, &req); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "the body must be a JSON cost request: " + err.Error()})
			return
		}
	}
	if req.FromMetrics {
		if ra.dp == nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "fromMetrics: this server runs no data plane (--proxy)"})
			return
		}
		req.Usage = append(req.Usage, UsageFromMeter(ra.dp.Meter().Report(a.Snapshot().Scope.Account), a.Snapshot().Scope.Region)...)
	}
	rep, err := cost.Estimate(a, cost.Options{VPC: req.VPC, Usage: req.Usage, Months: req.Months, Prices: req.Prices})
	answer(w, rep, err)
}

// UsageFromMeter turns what the data plane measured into cost usage
// records: bytes both ways per VPC and service, as GB.
func UsageFromMeter(us []dataplane.Usage, region string) []cost.Usage {
	sum, cross := map[[2]string]float64{}, map[[2]string]float64{}
	for _, u := range us {
		if u.Service == "" || u.VpcID == "" || u.Region != region {
			continue
		}
		gb := float64(u.BytesIn+u.BytesOut) / 1e9
		sum[[2]string{u.VpcID, u.Service}] += gb
		if u.CrossZone {
			cross[[2]string{u.VpcID, u.Service}] += gb
		}
	}
	out := make([]cost.Usage, 0, len(sum))
	for k, gb := range sum {
		out = append(out, cost.Usage{VPC: k[0], Service: k[1], GBPerMonth: gb, CrossZoneGB: cross[k]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].VPC+out[i].Service < out[j].VPC+out[j].Service })
	return out
}
