package dataplane

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// frontRig serves h on the front end and returns its address.
func frontRig(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	p := New(Config{Logger: slog.New(slog.DiscardHandler)})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{p: p, conns: map[net.Conn]struct{}{}}
	s.ctx, s.cancel = t.Context(), func() {}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.track(c, true)
			go func() {
				if !p.serveHTTP1(s.ctx, c, nil, h) {
					c.Close()
				}
			}()
		}
	}()
	t.Cleanup(func() { s.ln = ln; s.Close() })
	return ln.Addr().String()
}

// exchange sends raw on a new connection and reads answers until the
// server closes it or stops answering for a moment.
func rawExchange(t *testing.T, addr, raw string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, raw)
	c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	b, _ := io.ReadAll(c)
	return string(b)
}

// TestFrontEnd pins the front end's HTTP/1.1 behaviour, where it replaces
// net/http's server: framing of answers, keep-alive and pipelining, HEAD
// and 204, HTTP/1.0, Expect: 100-continue, and refusals of requests that
// cannot be read.
func TestFrontEnd(t *testing.T) {
	addr := frontRig(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/small":
			io.WriteString(w, "hello")
		case "/big":
			io.WriteString(w, strings.Repeat("x", 10000))
		case "/declared":
			w.Header().Set("Content-Length", "3")
			io.WriteString(w, "abc")
		case "/nocontent":
			w.WriteHeader(http.StatusNoContent)
			io.WriteString(w, "ignored")
		case "/echo":
			b, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s %s", r.Host, b)
		case "/readclose":
			io.ReadAll(r.Body)
			r.Body.Close()
			io.WriteString(w, "read")
		case "/closeunread":
			r.Body.Close()
			io.WriteString(w, "unread")
		case "/panic":
			panic("boom")
		case "/flush":
			io.WriteString(w, "a")
			w.(http.Flusher).Flush()
			io.WriteString(w, "b")
		case "/cut":
			w.Header().Set("Content-Length", "10")
			io.WriteString(w, "abc")
		}
	})
	for _, tc := range []struct{ name, raw, want, not string }{
		{"small answer gets a length", "GET /small HTTP/1.1\r\nHost: a\r\n\r\n", "Content-Length: 5\r\n", "chunked"},
		{"big answer without length is chunked", "GET /big HTTP/1.1\r\nHost: a\r\n\r\n", "Transfer-Encoding: chunked\r\n", "Content-Length"},
		{"declared length kept", "GET /declared HTTP/1.1\r\nHost: a\r\n\r\n", "Content-Length: 3\r\n", "chunked"},
		{"HEAD has no body", "HEAD /small HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 200 OK\r\n", "hello"},
		{"204 has no body or length", "GET /nocontent HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 204 No Content\r\n", "ignored"},
		{"pipelined requests each answered", "GET /small HTTP/1.1\r\nHost: a\r\n\r\nGET /declared HTTP/1.1\r\nHost: a\r\n\r\n", "\r\n\r\nabc", ""},
		{"chunked request body", "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n", "h abc", ""},
		{"HTTP/1.0 closes", "GET /small HTTP/1.0\r\n\r\n", "Connection: close\r\n", ""},
		{"Expect 100-continue", "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nhi", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK", ""},
		{"unknown Expect", "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nExpect: later\r\n\r\nhi", "HTTP/1.1 417 ", ""},
		{"missing Host", "GET /small HTTP/1.1\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n", "hello"},
		{"two Hosts", "GET /small HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n", "hello"},
		{"bad Host", "GET /small HTTP/1.1\r\nHost: a b\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n", "hello"},
		// Both framings: Transfer-Encoding wins (RFC 9112 6.3), as in
		// net/http; the body forwarded is the one this parser read.
		{"CL and TE both", "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "Content-Length: 2\r\n", "400"},
		{"two lengths", "POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", "HTTP/1.1 400 Bad Request\r\n", "h abc"},
		{"unknown transfer encoding", "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", "HTTP/1.1 501 Not Implemented\r\n", "h "},
		{"HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "HTTP/1.1 400 Bad Request\r\n", ""},
		{"head too large", "GET /small HTTP/1.1\r\nHost: a\r\nX-Big: " + strings.Repeat("y", 80<<10) + "\r\n\r\n", "HTTP/1.1 431 ", "hello"},
		// A handler that reads its body and closes it (gofakes3 does), or
		// closes it unread: the connection goes on with the next request.
		{"body read and closed", "PUT /readclose HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /small HTTP/1.1\r\nHost: a\r\n\r\n", "readHTTP/1.1 200 OK", "Connection: close"},
		{"body closed unread", "PUT /closeunread HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloGET /small HTTP/1.1\r\nHost: a\r\n\r\n", "unreadHTTP/1.1 200 OK", "Connection: close"},
		{"panic drops the connection", "GET /panic HTTP/1.1\r\nHost: a\r\n\r\nGET /small HTTP/1.1\r\nHost: a\r\n\r\n", "", "HTTP/1.1"},
		{"flush commits chunked", "GET /flush HTTP/1.1\r\nHost: a\r\n\r\n", "1\r\na\r\n1\r\nb\r\n0\r\n\r\n", ""},
		{"cut answer closes", "GET /cut HTTP/1.1\r\nHost: a\r\n\r\nGET /small HTTP/1.1\r\nHost: a\r\n\r\n", "abc", "hello"},
	} {
		got := rawExchange(t, addr, tc.raw)
		if !strings.Contains(got, tc.want) || (tc.not != "" && strings.Contains(got, tc.not)) {
			t.Errorf("%s: got\n%q\nwant %q, not %q", tc.name, got, tc.want, tc.not)
		}
	}

	// Keep-alive: net/http's client sends 20 requests on one connection.
	var conns int
	c := &http.Client{Transport: &http.Transport{Dial: func(n, a string) (net.Conn, error) { conns++; return net.Dial(n, a) }}}
	for i := range 20 {
		resp, err := c.Get("http://" + addr + "/big")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if len(b) != 10000 {
			t.Fatalf("request %d: %d bytes", i, len(b))
		}
	}
	if conns != 1 {
		t.Errorf("20 requests took %d connections", conns)
	}
}

// TestFrontEndClose: Close ends connections that are open and idle.
func TestFrontEndClose(t *testing.T) {
	p := New(Config{Logger: slog.New(slog.DiscardHandler)})
	s := p.NewServer()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ln) }()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	io.WriteString(c, "GET http://s3.amazonaws.com/ HTTP/1.1\r\nHost: s3.amazonaws.com\r\n\r\n")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != http.StatusProxyAuthRequired {
		t.Fatalf("no source: %v %v", resp, err)
	}
	io.Copy(io.Discard, resp.Body)
	s.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := br.ReadByte(); err == nil {
		t.Error("a connection survived Close")
	}
	select {
	case err := <-done:
		if err != net.ErrClosed {
			t.Errorf("Serve returned %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("Serve did not return after Close")
	}
}

// FuzzFrontEnd feeds arbitrary bytes to the front end as a client's
// connection: it never panics or hangs, and every answer it writes begins
// with an HTTP/1.1 status line.
func FuzzFrontEnd(f *testing.F) {
	for _, s := range []string{
		"GET /small HTTP/1.1\r\nHost: a\r\n\r\n",
		"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
		"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\nhi",
		"GET http://s3.amazonaws.com/b/k HTTP/1.0\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"CONNECT s3.amazonaws.com:443 HTTP/1.1\r\n\r\n",
		"\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
	} {
		f.Add(s)
	}
	p := New(Config{Logger: slog.New(slog.DiscardHandler)})
	h := func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		if len(b) > 100 {
			w.(http.Flusher).Flush()
		}
		w.Write(b)
	}
	f.Fuzz(func(t *testing.T, in string) {
		client, server := net.Pipe()
		done := make(chan struct{})
		go func() {
			defer close(done)
			if !p.serveHTTP1(t.Context(), server, nil, h) {
				server.Close()
			}
		}()
		go func() {
			io.WriteString(client, in)
			time.Sleep(10 * time.Millisecond)
			client.Close()
		}()
		out, _ := io.ReadAll(client)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("the front end hung on %q", in)
		}
		if len(out) > 0 && !strings.HasPrefix(string(out), "HTTP/1.1 ") {
			t.Fatalf("answer %q to %q", out, in)
		}
	})
}
