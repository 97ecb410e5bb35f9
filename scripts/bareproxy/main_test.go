package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestForwards: in both modes the floor of the benchmark forwards
// kept-alive GETs and their answers, byte for byte — a forwarder that
// answered errors would measure nothing.
func TestForwards(t *testing.T) {
	body := strings.Repeat("x", 100<<10) // larger than one read of the loop
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		answer := fmt.Sprintf("%s %s\n%s", r.Method, r.URL.Path, body)
		w.Header().Set("Content-Length", fmt.Sprint(len(answer))) // the only framing it reads
		io.WriteString(w, answer)
	}))
	defer up.Close()
	upstream := strings.TrimPrefix(up.URL, "http://")
	for mode, serve := range map[string]func(string, string) error{"goroutine": serveGoroutines, "loop": serveLoop} {
		t.Run(mode, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			addr := ln.Addr().String()
			ln.Close()
			go serve(addr, upstream)
			c := &http.Client{Timeout: 5 * time.Second}
			var resp *http.Response
			for i := 0; i < 50; i++ { // until it listens
				if resp, err = c.Get("http://" + addr + "/first"); err == nil {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			for i := range 20 {
				resp, err := c.Get(fmt.Sprintf("http://%s/k%d", addr, i))
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if want := fmt.Sprintf("GET /k%d\n%s", i, body); string(b) != want {
					t.Fatalf("request %d: %d bytes back, want %d", i, len(b), len(want))
				}
			}
		})
	}
}
