// Package cost estimates what a design's endpoints and NAT gateways cost
// per month, prices traffic on the path the path engine finds for it and
// on the alternatives, and recommends the cheaper design with its savings.
// Prices come from the catalog's dated table; every figure carries that
// date.
package cost

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/vpce/vpce/internal/catalog"
	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/reach"
)

// Usage is traffic to price: GB per month from a VPC to a service.
type Usage struct {
	VPC        string  `json:"vpc"`
	Service    string  `json:"service"`
	GBPerMonth float64 `json:"gbPerMonth"`
	// CrossZoneGB is the part of it that crossed zones (the data plane
	// measures it), billed as data transfer between zones.
	CrossZoneGB float64 `json:"crossZoneGb,omitempty"`
}

// Item is one billed resource.
type Item struct {
	Resource string  `json:"resource"`
	Kind     string  `json:"kind"` // interface-endpoint, gateway-endpoint, nat-gateway
	VPC      string  `json:"vpcId"`
	Service  string  `json:"service,omitempty"`
	Monthly  float64 `json:"monthly"`
	Hours    float64 `json:"hours"`
	GB       float64 `json:"gb"`
	// CrossZoneGB is the part of GB that crossed zones to reach it.
	CrossZoneGB float64 `json:"crossZoneGb,omitempty"`
	// Detail says how the figure was made.
	Detail string `json:"detail"`
}

// Recommendation is a change and what it saves.
type Recommendation struct {
	Action         string   `json:"action"`
	MonthlySavings float64  `json:"monthlySavings"`
	Resources      []string `json:"resources"`
	Detail         string   `json:"detail"`
}

// Traffic is one usage record and how it is carried.
type Traffic struct {
	Usage
	// Path is the verdict the traffic takes today, Via the component.
	Path string `json:"path"`
	Via  string `json:"via,omitempty"`
	// Monthly is what its data costs on that path; Alternatives what it
	// would cost on the others (gateway-endpoint, interface-endpoint,
	// nat-gateway), hours of new resources included.
	Monthly      float64            `json:"monthly"`
	Alternatives map[string]float64 `json:"alternatives"`
}

// Report is an estimate.
type Report struct {
	Currency  string `json:"currency"`
	PriceDate string `json:"priceDate"`
	// PriceRegion is the region whose prices were used (the table records
	// few regions).
	PriceRegion     string           `json:"priceRegion"`
	Months          int              `json:"months"`
	MonthlyTotal    float64          `json:"monthlyTotal"`
	Total           float64          `json:"total"`
	Items           []Item           `json:"items"`
	Traffic         []Traffic        `json:"traffic"`
	Recommendations []Recommendation `json:"recommendations"`
	Notes           []string         `json:"notes"`
}

// Options select what to estimate.
type Options struct {
	VPC    string // empty: every VPC
	Usage  []Usage
	Months int // 1 when zero
	Prices *catalog.PriceTable
}

func round(v float64) float64 { return math.Round(v*100) / 100 }

// Estimate prices a snapshot's endpoints and NAT gateways and the given
// traffic.
func Estimate(a *reach.Analyzer, o Options) (*Report, error) {
	snap := a.Snapshot().Home() // the asking account's bill, not its peers'

	pt := o.Prices
	if pt == nil {
		pt = catalog.Prices()
	}
	if o.Months <= 0 {
		o.Months = 1
	}
	p, priceRegion := pt.For(snap.Scope.Region)
	h := pt.HoursPerMonth
	rep := &Report{Currency: pt.Currency, PriceDate: pt.Date, PriceRegion: priceRegion, Months: o.Months,
		Items: []Item{}, Traffic: []Traffic{}, Recommendations: []Recommendation{}, Notes: []string{}}
	if priceRegion != snap.Scope.Region {
		rep.Notes = append(rep.Notes, fmt.Sprintf("no prices recorded for %s: %s's (dated %s) are used", snap.Scope.Region, priceRegion, pt.Date))
	}
	if o.VPC != "" && snap.Vpcs[o.VPC] == nil {
		return nil, &reach.InputError{Msg: "VPC " + o.VPC + " does not exist in " + snap.Scope.Account + "/" + snap.Scope.Region}
	}
	inScope := func(vpc string) bool { return o.VPC == "" || o.VPC == vpc }
	items := map[string]*Item{}
	var order []string
	for _, id := range slices.Sorted(maps.Keys(snap.Endpoints)) {
		ep := snap.Endpoints[id]
		if !inScope(ep.VpcID) || ep.State == "deleted" || ep.State == "deleting" {
			continue
		}
		svc := shortOf(snap, ep)
		it := &Item{Resource: id, VPC: ep.VpcID, Service: svc}
		switch ep.VpcEndpointType {
		case cloud.EndpointInterface:
			it.Kind = "interface-endpoint"
			it.Hours = h * float64(len(ep.Subnets))
			it.Monthly = it.Hours * p.InterfaceEndpointHour.Value
			it.Detail = fmt.Sprintf("%d interface(s) × %.0f h × $%.3f", len(ep.Subnets), h, p.InterfaceEndpointHour.Value)
		default:
			it.Kind = "gateway-endpoint"
			it.Detail = "gateway endpoints are free"
		}
		items[id] = it
		order = append(order, id)
	}
	for _, id := range slices.Sorted(maps.Keys(snap.NatGateways)) {
		n := snap.NatGateways[id]
		if !inScope(n.VpcID) || n.State == "deleted" || n.State == "deleting" {
			continue
		}
		it := &Item{Resource: id, Kind: "nat-gateway", VPC: n.VpcID, Hours: h, Monthly: h * p.NatGatewayHour.Value,
			Detail: fmt.Sprintf("%.0f h × $%.3f", h, p.NatGatewayHour.Value)}
		items[id] = it
		order = append(order, id)
	}
	// Traffic on today's path, then on the alternatives.
	for _, u := range o.Usage {
		if !inScope(u.VPC) {
			continue
		}
		tr, err := price(a, p, h, u)
		if err != nil {
			return nil, err
		}
		if it := items[tr.Via]; it != nil {
			it.GB += u.GBPerMonth
			if it.Kind == "interface-endpoint" {
				it.CrossZoneGB += u.CrossZoneGB
			}
		}
		rep.Traffic = append(rep.Traffic, tr)
	}
	// Data processing: interface endpoints' tiers count the region's total.
	before := 0.0
	for _, id := range order {
		it := items[id]
		switch it.Kind {
		case "interface-endpoint":
			if it.GB > 0 {
				c := p.InterfaceEndpointGB.Cost(before, it.GB)
				before += it.GB
				it.Monthly += c
				it.Detail += fmt.Sprintf(" + %.0f GB processed ($%.2f, tiered)", it.GB, c)
			}
			if it.CrossZoneGB > 0 {
				x := it.CrossZoneGB * p.CrossAZGB.Value
				it.Monthly += x
				it.Detail += fmt.Sprintf(" + %.0f GB across zones × $%.3f", it.CrossZoneGB, p.CrossAZGB.Value)
			}
		case "nat-gateway":
			if it.GB > 0 {
				it.Monthly += it.GB * p.NatGatewayGB.Value
				it.Detail += fmt.Sprintf(" + %.0f GB × $%.3f processed", it.GB, p.NatGatewayGB.Value)
			}
		}
		it.Monthly = round(it.Monthly)
		rep.MonthlyTotal += it.Monthly
		rep.Items = append(rep.Items, *it)
	}
	rep.MonthlyTotal = round(rep.MonthlyTotal)
	rep.Total = round(rep.MonthlyTotal * float64(o.Months))
	rep.Recommendations = recommend(snap, p, h, rep, items)
	if len(o.Usage) == 0 {
		rep.Notes = append(rep.Notes, "no usage given (--usage FILE or --from-metrics): data processing is not priced, hours are")
	}
	rep.Notes = append(rep.Notes, "not priced: internet data transfer out, public IPv4 addresses, transit gateways; cross-zone transfer only where usage says how much crossed (crossZoneGb, measured by the data plane)")
	return rep, nil
}

// price prices one usage record on its path and on the alternatives. The
// path is the one a new interface in the VPC's first private subnet (else
// first subnet) would take.
func price(a *reach.Analyzer, p catalog.RegionPrices, h float64, u Usage) (Traffic, error) {
	snap := a.Snapshot()
	tr := Traffic{Usage: u, Alternatives: map[string]float64{}}
	src := ""
	for _, sn := range snap.SubnetsOf(u.VPC) {
		if src == "" {
			src = sn.SubnetID
		}
		if !snap.PublicSubnet(sn.SubnetID) {
			src = sn.SubnetID
			break
		}
	}
	if src == "" {
		return tr, &reach.InputError{Msg: fmt.Sprintf("usage for %s: no such VPC with subnets in %s/%s", u.VPC, snap.Scope.Account, snap.Scope.Region)}
	}
	to := "com.amazonaws." + snap.Scope.Region + "." + u.Service
	r, err := a.Analyze(reach.Query{From: src, To: to})
	if err != nil {
		return tr, fmt.Errorf("usage for %s → %s: %w", u.VPC, u.Service, err)
	}
	tr.Path = r.Verdict
	gb := u.GBPerMonth
	switch r.Verdict {
	case reach.PrivateInterfaceEndpoint:
		tr.Via = r.Endpoint
		tr.Monthly = round(p.InterfaceEndpointGB.Cost(0, gb) + u.CrossZoneGB*p.CrossAZGB.Value)
	case reach.PrivateGatewayEndpoint:
		tr.Via = r.Endpoint
	case reach.PublicNAT:
		tr.Via = r.NatGateway
		tr.Monthly = round(gb * p.NatGatewayGB.Value)
	}
	zones := float64(len(zonesOf(snap, u.VPC)))
	if catalog.HasGateway(snap.Scope.Region, "com.amazonaws."+snap.Scope.Region+"."+u.Service) {
		tr.Alternatives["gateway-endpoint"] = 0
	}
	ifaceHours := 0.0
	if r.Verdict != reach.PrivateInterfaceEndpoint {
		ifaceHours = zones * h * p.InterfaceEndpointHour.Value
	}
	tr.Alternatives["interface-endpoint"] = round(ifaceHours + p.InterfaceEndpointGB.Cost(0, gb))
	natHours := h * p.NatGatewayHour.Value
	if r.Verdict == reach.PublicNAT || hasNAT(snap, u.VPC) {
		natHours = 0
	}
	tr.Alternatives["nat-gateway"] = round(natHours + gb*p.NatGatewayGB.Value)
	return tr, nil
}

func recommend(snap *cloud.Snapshot, p catalog.RegionPrices, h float64, rep *Report, items map[string]*Item) []Recommendation {
	out := []Recommendation{}
	// Gateway services over NAT: a free gateway endpoint.
	for _, tr := range rep.Traffic {
		if tr.Path == reach.PublicNAT && catalog.HasGateway(snap.Scope.Region, "com.amazonaws."+snap.Scope.Region+"."+tr.Service) && tr.Monthly > 0 {
			out = append(out, Recommendation{
				Action:         fmt.Sprintf("route %s from %s through a free gateway endpoint instead of NAT gateway %s", tr.Service, tr.VPC, tr.Via),
				MonthlySavings: tr.Monthly, Resources: []string{tr.VPC, tr.Via},
				Detail: fmt.Sprintf("%.0f GB/month × $%.3f NAT processing; aws ec2 create-vpc-endpoint --vpc-id %s --service-name com.amazonaws.%s.%s --route-table-ids <the private subnets' tables>",
					tr.GBPerMonth, p.NatGatewayGB.Value, tr.VPC, snap.Scope.Region, tr.Service)})
		}
	}
	// Interface endpoints dearer than the NAT traffic they carry.
	for _, it := range rep.Items {
		if it.Kind != "interface-endpoint" || it.GB == 0 || !hasNAT(snap, it.VPC) {
			continue // without measured traffic there is nothing to compare
		}
		natCost := it.GB * p.NatGatewayGB.Value
		if it.Monthly > natCost {
			out = append(out, Recommendation{
				Action:         fmt.Sprintf("%s (%s) costs $%.2f/month for %.0f GB that the VPC's NAT gateway would carry for $%.2f", it.Resource, it.Service, it.Monthly, it.GB, natCost),
				MonthlySavings: round(it.Monthly - natCost), Resources: []string{it.Resource},
				Detail: "only if the traffic may leave the VPC: the endpoint keeps it private and lets endpoint policies apply; break-even at " +
					fmt.Sprintf("%.0f GB/month", it.Hours*p.InterfaceEndpointHour.Value/(p.NatGatewayGB.Value-p.InterfaceEndpointGB.Tiers[0].Value))})
		}
	}
	// The same interface endpoint in several VPCs: centralise it.
	bySvc := map[string][]string{}
	hours := map[string]float64{}
	for _, it := range rep.Items {
		if it.Kind == "interface-endpoint" {
			bySvc[it.Service] = append(bySvc[it.Service], it.Resource)
			hours[it.Service] += it.Hours
		}
	}
	for _, svc := range slices.Sorted(maps.Keys(bySvc)) {
		ids := bySvc[svc]
		if len(ids) < 3 {
			continue
		}
		per := hours[svc] / float64(len(ids))
		save := round(hours[svc]*p.InterfaceEndpointHour.Value - per*p.InterfaceEndpointHour.Value)
		out = append(out, Recommendation{
			Action:         fmt.Sprintf("centralise the %d %s interface endpoints in one shared VPC (a network account) reached over a transit gateway", len(ids), svc),
			MonthlySavings: save, Resources: ids,
			Detail: "hours of all but one endpoint; transit gateway attachment and data charges (not priced here) come against it, and private DNS then needs a Route 53 private hosted zone shared with the VPCs"})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].MonthlySavings > out[j].MonthlySavings })
	return out
}

func shortOf(snap *cloud.Snapshot, ep *cloud.VpcEndpoint) string {
	if s, ok := ep.Service(snap.Scope.Region); ok {
		return s.Short
	}
	return strings.TrimPrefix(ep.ServiceName, "com.amazonaws."+snap.Scope.Region+".")
}

func hasNAT(snap *cloud.Snapshot, vpc string) bool {
	for _, n := range snap.NatGateways {
		if n.VpcID == vpc && n.State == "available" {
			return true
		}
	}
	return false
}

func zonesOf(snap *cloud.Snapshot, vpc string) map[string]bool {
	z := map[string]bool{}
	for _, sn := range snap.SubnetsOf(vpc) {
		z[sn.AvailabilityZone] = true
	}
	if len(z) == 0 {
		z["-"] = true
	}
	return z
}
