package dataplane

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

// TestForwarderKeepsConnections: requests forwarded to an upstream reuse
// its connections (one for a sequential client), a body of unknown
// length arrives whole, hop-by-hop headers (and Expect, and the proxy's
// credentials) do not travel, HEAD answers have no body, and an
// upstream that closed an idle connection costs a GET a retry, not an
// error.
func TestForwarderKeepsConnections(t *testing.T) {
	var conns atomic.Int32
	var last *http.Request
	var lastBody string
	up := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		last, lastBody = req, string(b)
		w.Header().Set("Connection", "X-Drop")
		w.Header().Set("X-Drop", "hop")
		w.Header().Set("Content-Length", "2")
		io.WriteString(w, "ok")
	}))
	up.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	up.Start()
	defer up.Close()
	u, _ := url.Parse(up.URL)
	fw := newUpstream(u)
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fw.serve(w, r, r.URL.Path, "", "svc.example"); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
		}
	}))
	defer front.Close()

	c := &http.Client{}
	for i := range 5 {
		resp, err := c.Get(front.URL + "/get")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != "ok" || resp.Header.Get("X-Drop") != "" {
			t.Fatalf("request %d: %d %q %v", i, resp.StatusCode, b, resp.Header)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("5 sequential requests opened %d upstream connections, want 1", n)
	}
	if last.Host != "svc.example" {
		t.Errorf("Host %q, want the service's name", last.Host)
	}

	// A chunked body with hop-by-hop and proxy headers, through a raw connection.
	conn, err := net.Dial("tcp", front.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "PUT /put HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: X-Secret\r\nX-Secret: s\r\n"+
		"Proxy-Authorization: Basic eDp5\r\nExpect: 100-continue\r\nKeep-Alive: 5\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	for err == nil && resp.StatusCode == http.StatusContinue {
		resp, err = http.ReadResponse(br, nil)
	}
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != 200 || lastBody != "hello world" {
		t.Fatalf("chunked PUT: %d, upstream read %q", resp.StatusCode, lastBody)
	}
	for _, h := range []string{"X-Secret", "Proxy-Authorization", "Expect", "Keep-Alive", "Connection"} {
		if v := last.Header.Get(h); v != "" {
			t.Errorf("hop-by-hop %s: %q reached the upstream", h, v)
		}
	}

	// HEAD: headers only, and the connection stays usable.
	resp, err = c.Head(front.URL + "/head")
	if err != nil || resp.StatusCode != 200 || resp.ContentLength != 2 {
		t.Fatalf("HEAD: %v %v", resp, err)
	}
	resp.Body.Close()

	// The upstream drops its idle connections: the next GET is retried on a new one.
	up.CloseClientConnections()
	before := conns.Load()
	resp, err = c.Get(front.URL + "/after-close")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "ok" || conns.Load() == before {
		t.Fatalf("after the upstream closed its connections: %d %q (connections %d → %d)", resp.StatusCode, b, before, conns.Load())
	}
}

// TestForwarderUpstreamDown: an upstream that is not there is a 502
// UPSTREAM_FAILED from the proxy, not a hang.
func TestForwarderUpstreamDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	u, _ := url.Parse("http://" + addr)
	fw := newUpstream(u)
	rec := httptest.NewRecorder()
	err = fw.serve(rec, httptest.NewRequest("GET", "http://svc.example/x", nil), "/x", "", "svc.example")
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("dial to a closed port: %v", err)
	}
}
