package dataplane

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkDataPlane is one S3 GetObject (1 KiB) on a kept-alive
// connection: straight to the embedded S3, through the proxy as plain
// HTTP (absolute-form), and through a TLS tunnel — path decided once per
// connection, the request classified, decided (endpoint policy) and
// metered each time.
func BenchmarkDataPlane(b *testing.B) {
	r := newBenchRig(b)
	body := strings.Repeat("x", 1024)
	c := r.client(r.inst)
	r.do(c, "PUT", "https://s3.us-east-1.amazonaws.com/reports", "")
	r.do(c, "PUT", "https://s3.us-east-1.amazonaws.com/reports/public/k", body)
	direct := httptest.NewServer(r.p.cfg.S3)
	defer direct.Close()
	run := func(b *testing.B, c *http.Client, url string) {
		for b.Loop() {
			resp, err := c.Do(signed("GET", url, ""))
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
	}
	b.Run("direct", func(b *testing.B) { run(b, &http.Client{}, direct.URL+"/reports/public/k") })
	b.Run("proxy-http", func(b *testing.B) { run(b, c, "http://s3.us-east-1.amazonaws.com/reports/public/k") })
	b.Run("proxy-tls", func(b *testing.B) { run(b, c, "https://s3.us-east-1.amazonaws.com/reports/public/k") })
}
