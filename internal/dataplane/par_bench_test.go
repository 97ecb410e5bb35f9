package dataplane

import (
	"io"
	"strings"
	"testing"
)

// BenchmarkDataPlaneParallel is BenchmarkDataPlane's TLS route with
// concurrent clients: what one request costs the proxy under load.
func BenchmarkDataPlaneParallel(b *testing.B) {
	r := newBenchRig(b)
	c := r.client(r.inst)
	r.do(c, "PUT", "https://s3.us-east-1.amazonaws.com/reports", "")
	r.do(c, "PUT", "https://s3.us-east-1.amazonaws.com/reports/public/k", strings.Repeat("x", 1024))
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			resp, err := c.Do(signed("GET", "https://s3.us-east-1.amazonaws.com/reports/public/k", ""))
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}
