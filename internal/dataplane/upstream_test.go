package dataplane

import (
	"bufio"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"
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
	fw := newUpstream(u, 0)
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
	// A POST is not idempotent: it is not sent twice (as net/http would
	// not), the proxy answers that the upstream failed.
	up.CloseClientConnections()
	resp, err = c.Post(front.URL+"/post", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Fatalf("a POST on a connection the upstream closed: %d, want 502 (not retried)", resp.StatusCode)
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
	fw := newUpstream(u, 0)
	rec := httptest.NewRecorder()
	err = fw.serve(rec, httptest.NewRequest("GET", "http://svc.example/x", nil), "/x", "", "svc.example")
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("dial to a closed port: %v", err)
	}
}

// TestSlowPeers: with an idle limit of 300 ms, a client that stops
// sending its body, an upstream that does not answer, and a client that
// stops reading a large answer each end their exchange instead of holding
// a connection (and an upstream) forever.
func TestSlowPeers(t *testing.T) {
	r := newRig(t)
	const idle = 300 * time.Millisecond
	wrote := make(chan error, 1)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		switch req.URL.Path {
		case "/reports/public/slow-upstream":
			time.Sleep(3 * time.Second)
		case "/reports/public/big":
			chunk := make([]byte, 1<<20)
			var err error
			for i := 0; i < 256 && err == nil; i++ {
				_, err = w.Write(chunk)
			}
			wrote <- err
		default:
			io.Copy(io.Discard, req.Body)
		}
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	r.p = New(Config{Cloud: r.c, CA: r.ca, Upstreams: map[string]*url.URL{"s3": u}, IdleTimeout: idle})
	r.proxy = startProxy(t, r.p)
	defer r.proxy.Close()
	auth := base64.StdEncoding.EncodeToString([]byte(r.inst + ":x"))
	send := func(head string) (net.Conn, *bufio.Reader) {
		conn, err := net.Dial("tcp", r.proxy.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(conn, head+"Proxy-Authorization: Basic "+auth+"\r\n"+
			"Authorization: AWS4-HMAC-SHA256 Credential=123456789012/20261202/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00\r\n\r\n")
		return conn, bufio.NewReader(conn)
	}

	// A body that stops after 10 of 100 bytes.
	conn, br := send("PUT http://s3.us-east-1.amazonaws.com/reports/public/slow-body HTTP/1.1\r\nHost: s3.us-east-1.amazonaws.com\r\nContent-Length: 100\r\n")
	io.WriteString(conn, "0123456789")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadAll(br); err != nil {
		t.Errorf("a stalled body: the proxy kept the connection (%v)", err)
	}
	conn.Close()

	// An upstream that does not answer: 504 UPSTREAM_TIMEOUT.
	conn, br = send("GET http://s3.us-east-1.amazonaws.com/reports/public/slow-upstream HTTP/1.1\r\nHost: s3.us-east-1.amazonaws.com\r\n")
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusGatewayTimeout || resp.Header.Get("X-Vpce-Reason") != "UPSTREAM_TIMEOUT" {
		t.Errorf("a silent upstream: %v %v", resp, err)
	}
	conn.Close()

	// A client that reads nothing of 256 MiB: the upstream's writes fail
	// once the proxy gives up on the client.
	conn, _ = send("GET http://s3.us-east-1.amazonaws.com/reports/public/big HTTP/1.1\r\nHost: s3.us-east-1.amazonaws.com\r\n")
	defer conn.Close()
	select {
	case err := <-wrote:
		if err == nil {
			t.Error("the upstream wrote 256 MiB to a client that read nothing")
		}
	case <-time.After(20 * time.Second):
		t.Error("a client that stopped reading still holds the upstream after 20 s")
	}
}
