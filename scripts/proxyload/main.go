// Command proxyload measures requests/s and latency of GETs on kept-alive
// connections, directly or through a forward proxy (CONNECT for https),
// for the data-plane benchmark: wrk cannot open CONNECT tunnels.
//
//	proxyload -url https://s3.us-east-1.amazonaws.com/reports/k -proxy http://i-…:x@127.0.0.1:4590 -ca vpce-ca.pem
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"sort"
	"sync"
	"time"
)

func main() {
	target := flag.String("url", "", "URL to GET")
	proxy := flag.String("proxy", "", "forward proxy URL (user = source)")
	ca := flag.String("ca", "", "PEM file of the CA to trust (else the system's)")
	insecure := flag.Bool("insecure", false, "do not verify certificates")
	conns := flag.Int("c", 16, "concurrent connections")
	dur := flag.Duration("d", 10*time.Second, "duration")
	auth := flag.String("auth", "", "Authorization header to send")
	flag.Parse()
	tc := &tls.Config{InsecureSkipVerify: *insecure}
	if *ca != "" {
		pem, err := os.ReadFile(*ca)
		if err != nil {
			log.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		tc.RootCAs = pool
	}
	tr := &http.Transport{TLSClientConfig: tc, MaxIdleConnsPerHost: *conns, MaxConnsPerHost: *conns, DisableCompression: true}
	if *proxy != "" {
		pu, err := url.Parse(*proxy)
		if err != nil {
			log.Fatal(err)
		}
		tr.Proxy = http.ProxyURL(pu)
	}
	client := &http.Client{Transport: tr}
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	end := time.Now().Add(*dur)
	var wg sync.WaitGroup
	for range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			bad := 0
			for time.Now().Before(end) {
				req, _ := http.NewRequest(http.MethodGet, *target, nil)
				if *auth != "" {
					req.Header.Set("Authorization", *auth)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					bad++
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					bad++
					continue
				}
				mine = append(mine, time.Since(t0))
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += bad
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	if len(lat) == 0 {
		log.Fatalf("no successful request (%d errors)", errs)
	}
	q := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	fmt.Printf("requests/s %.0f  p50 %v  p99 %v  errors %d\n", float64(len(lat))/dur.Seconds(), q(0.5).Round(time.Microsecond), q(0.99).Round(time.Microsecond), errs)
}
