package resolver

import "github.com/prometheus/client_golang/prometheus"

// Metrics are the resolver's Prometheus metrics:
//
//	vpce_dns_queries_total{path, rcode}   queries answered, by path (fast:
//	                                      allocation-free; general) and rcode
type Metrics struct {
	queries *prometheus.CounterVec
	fastOK  prometheus.Counter // resolved once: the hot path adds atomically
}

// NewMetrics registers the resolver metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{queries: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vpce_dns_queries_total",
		Help: "DNS queries answered by the VPC resolvers, by path (fast or general) and rcode.",
	}, []string{"path", "rcode"})}
	reg.MustRegister(m.queries)
	m.fastOK = m.queries.WithLabelValues("fast", "NOERROR")
	return m
}

func (m *Metrics) fast() {
	if m != nil {
		m.fastOK.Inc()
	}
}

func (m *Metrics) general(rcode string) {
	if m != nil {
		m.queries.WithLabelValues("general", rcode).Inc()
	}
}
