package ec2query

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/store"
)

func TestMetrics(t *testing.T) {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	h := New(Config{Cloud: cloud.New(cloud.Config{Store: st}), Metrics: m})
	for _, body := range []string{"Action=DescribeVpcs", "Action=DescribeVpcs", "Action=DeleteVpc&VpcId=vpc-12345678", "Action=Bogus1", "Action=Bogus2"} {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body+"&Version="+APIVersion))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	for _, tc := range []struct {
		action, code string
		want         float64
	}{
		{"DescribeVpcs", "ok", 2},
		{"DeleteVpc", "InvalidVpcID.NotFound", 1},
		{"unknown", "InvalidAction", 2}, // unknown actions do not grow the label set
	} {
		if got := testutil.ToFloat64(m.requests.WithLabelValues(tc.action, tc.code)); got != tc.want {
			t.Errorf("vpce_ec2_requests_total{action=%q,code=%q} = %v, want %v", tc.action, tc.code, got, tc.want)
		}
	}
	if n := testutil.CollectAndCount(m.duration); n != 3 {
		t.Errorf("duration series = %d, want 3", n)
	}
}
