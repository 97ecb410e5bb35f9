package ec2query

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the EC2 API's Prometheus metrics:
//
//	vpce_ec2_requests_total{action, code}       requests by action and outcome
//	                                            (the EC2 error code, or "ok")
//	vpce_ec2_request_duration_seconds{action}   request latency
type Metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// NewMetrics registers the EC2 API metrics on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "vpce_ec2_requests_total",
			Help: "EC2 Query API requests by action and outcome: the EC2 error code, or ok.",
		}, []string{"action", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "vpce_ec2_request_duration_seconds",
			Help:    "EC2 Query API request latency by action.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14),
		}, []string{"action"}),
	}
	reg.MustRegister(m.requests, m.duration)
	return m
}

// observe records one request; a nil *Metrics records nothing. Unknown
// actions are counted under "unknown" so clients cannot grow the label set.
func (m *Metrics) observe(action string, known bool, code string, status int, d time.Duration) {
	if m == nil {
		return
	}
	if !known {
		action = "unknown"
	}
	if code == "" {
		code = "ok"
		if status >= 400 {
			code = strconv.Itoa(status)
		}
	}
	m.requests.WithLabelValues(action, code).Inc()
	m.duration.WithLabelValues(action).Observe(d.Seconds())
}
