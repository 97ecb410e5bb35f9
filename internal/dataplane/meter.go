package dataplane

import (
	"sort"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/reach"
)

// Usage is what crossed one component (an endpoint, a NAT gateway, an
// internet gateway, or the VPC itself) of one account and region: the
// input of cost estimates.
type Usage struct {
	Account   string `json:"account"`
	Region    string `json:"region"`
	Component string `json:"component"`
	// VpcID is the source's VPC; Service the service the requests were
	// for (empty for refusals before a request was read).
	VpcID   string `json:"vpcId"`
	Service string `json:"service,omitempty"`
	// Zone is the sources' zone; CrossZone is set when the path crossed
	// zones to reach the endpoint's interface (billed as data transfer).
	Zone      string `json:"availabilityZone,omitempty"`
	CrossZone bool   `json:"crossZone,omitempty"`
	// Path is the verdict the traffic took (PRIVATE_INTERFACE_ENDPOINT, …).
	Path     string `json:"path"`
	Requests int64  `json:"requests"`
	BytesIn  int64  `json:"bytesIn"`
	BytesOut int64  `json:"bytesOut"`
	Denied   int64  `json:"denied"`

	requests, bytesIn, bytesOut prometheus.Counter // this entry's series
}

type usageKey struct {
	account, region, vpc, component, path, service, zone string
	crossZone                                            bool
}

func crossed(r *reach.Result) bool {
	for _, d := range r.Details {
		if d.Code == "AVAILABILITY_ZONE_CROSSED" {
			return true
		}
	}
	return false
}

// Meter counts requests, bytes and denials per component, in memory and
// as Prometheus metrics.
type Meter struct {
	mu       sync.Mutex
	usage    map[usageKey]*Usage
	requests *prometheus.CounterVec
	bytes    *prometheus.CounterVec
	denied   *prometheus.CounterVec
}

// NewMeter returns a meter registering its metrics with reg (nil: none).
func NewMeter(reg prometheus.Registerer) *Meter {
	m := &Meter{usage: map[usageKey]*Usage{},
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vpce_dataplane_requests_total", Help: "Requests carried by the data plane, by component and path."}, []string{"component", "path"}),
		bytes:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vpce_dataplane_bytes_total", Help: "Bytes carried by the data plane, by component, path and direction."}, []string{"component", "path", "direction"}),
		denied:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vpce_dataplane_denied_total", Help: "Connections and requests refused, by component, path and stage (path, host, policy)."}, []string{"component", "path", "stage"}),
	}
	if reg != nil {
		reg.MustRegister(m.requests, m.bytes, m.denied)
	}
	return m
}

// component is where a path's traffic is counted.
func component(r *reach.Result) string {
	switch {
	case r.Endpoint != "":
		return r.Endpoint
	case r.NatGateway != "":
		return r.NatGateway
	}
	for i := len(r.Hops) - 1; i >= 0; i-- {
		switch r.Hops[i].Kind {
		case "internet-gateway", "vpc-endpoint", "nat-gateway":
			return r.Hops[i].Component
		}
	}
	if len(r.Explanations) > 0 && r.Explanations[0].Component != "" {
		return r.Explanations[0].Component
	}
	return r.Source.VpcID
}

func (m *Meter) entry(sc cloud.Scope, r *reach.Result, service string) *Usage {
	k := usageKey{sc.Account, sc.Region, r.Source.VpcID, component(r), r.Verdict, service, r.Source.Zone, crossed(r)}
	u := m.usage[k]
	if u == nil {
		u = &Usage{Account: sc.Account, Region: sc.Region, VpcID: k.vpc, Service: service, Zone: k.zone, CrossZone: k.crossZone, Component: k.component, Path: k.path,
			requests: m.requests.WithLabelValues(k.component, k.path),
			bytesIn:  m.bytes.WithLabelValues(k.component, k.path, "in"),
			bytesOut: m.bytes.WithLabelValues(k.component, k.path, "out")}
		m.usage[k] = u
	}
	return u
}

// carry counts one request carried on a path.
func (m *Meter) carry(sc cloud.Scope, r *reach.Result, service string, in, out int64) {
	m.mu.Lock()
	u := m.entry(sc, r, service)
	u.Requests++
	u.BytesIn += in
	u.BytesOut += out
	m.mu.Unlock()
	u.requests.Inc()
	u.bytesIn.Add(float64(in))
	u.bytesOut.Add(float64(out))
}

// deny counts a refusal at a stage: the path, the Host check or a policy.
func (m *Meter) deny(sc cloud.Scope, r *reach.Result, stage string) {
	m.mu.Lock()
	m.entry(sc, r, "").Denied++
	m.mu.Unlock()
	m.denied.WithLabelValues(component(r), r.Verdict, stage).Inc()
}

// Report lists the usage so far, by component; with account set, that
// account's only.
func (m *Meter) Report(account string) []Usage {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Usage, 0, len(m.usage))
	for _, u := range m.usage {
		if account == "" || u.Account == account {
			v := *u
			v.requests, v.bytesIn, v.bytesOut = nil, nil, nil
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Component != out[j].Component {
			return out[i].Component < out[j].Component
		}
		return out[i].Path < out[j].Path
	})
	return out
}
