package server

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/vpce/vpce/internal/store"
)

// registerStoreMetrics registers the state store's Prometheus metrics on
// reg and feeds them from st's commits:
//
//	vpce_store_commits_total{outcome}        commits of updates: ok or failed
//	vpce_store_commit_updates                updates made durable per commit
//	                                         (group commit: above 1 when
//	                                         writers share a flush)
//	vpce_store_commit_duration_seconds       time the durable store took per
//	                                         commit (the log's append and
//	                                         flush to disk, or PostgreSQL's)
func registerStoreMetrics(reg prometheus.Registerer, st *store.Memory) {
	commits := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "vpce_store_commits_total",
		Help: "Commits of updates to the durable store, by outcome: ok or failed.",
	}, []string{"outcome"})
	updates := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "vpce_store_commit_updates",
		Help:    "Updates made durable together by one commit (group commit).",
		Buckets: []float64{1, 2, 3, 4, 6, 8, 16, 32, 64, 128},
	})
	duration := prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "vpce_store_commit_duration_seconds",
		Help:    "Time the durable store took to make one commit durable.",
		Buckets: prometheus.ExponentialBuckets(50e-6, 2, 15), // 50 µs to 0.8 s
	})
	reg.MustRegister(commits, updates, duration)
	ok, failed := commits.WithLabelValues("ok"), commits.WithLabelValues("failed")
	st.OnCommit(func(s store.CommitStats) {
		if s.Err != nil {
			failed.Inc()
			return
		}
		ok.Inc()
		updates.Observe(float64(s.Updates))
		duration.Observe(s.Duration.Seconds())
	})
}
