package dataplane

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/vpce/vpce/internal/sysconn"
)

// upstream is one upstream server and its kept-alive connections. A
// request is written and its response read on the handler's own
// goroutine, with no transport goroutines or channels between: the data
// plane forwards at the cost of the system calls it makes.
type upstream struct {
	url     *url.URL
	idleFor time.Duration // see idleConn
	addr    string        // host:port dialled
	tls     *tls.Config

	mu   sync.Mutex
	idle []*upConn // most recently used last
}

// upConn is one connection to an upstream.
type upConn struct {
	c    *idleConn
	br   *bufio.Reader
	bw   *bufio.Writer
	used time.Time // when it went idle
}

// Limits of the upstream connection pool.
const (
	maxIdlePerUpstream = 256
	upstreamIdle       = 60 * time.Second
	upstreamDial       = 5 * time.Second
)

func newUpstream(u *url.URL, idle time.Duration) *upstream {
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	up := &upstream{url: u, addr: u.Host, idleFor: idle}
	port := "80"
	if u.Scheme == "https" {
		port = "443"
		up.tls = &tls.Config{ServerName: u.Hostname(), NextProtos: []string{"http/1.1"}}
	}
	if u.Port() == "" {
		up.addr = net.JoinHostPort(u.Hostname(), port)
	}
	return up
}

var connBufs = sync.Pool{New: func() any { return &upConn{br: bufio.NewReaderSize(nil, 8<<10), bw: bufio.NewWriterSize(nil, 8<<10)} }}

// get returns an idle connection (reused) or a new one.
func (u *upstream) get(ctx context.Context) (*upConn, bool, error) {
	now := time.Now()
	u.mu.Lock()
	for len(u.idle) > 0 {
		c := u.idle[len(u.idle)-1]
		u.idle = u.idle[:len(u.idle)-1]
		if now.Sub(c.used) < upstreamIdle {
			u.mu.Unlock()
			return c, true, nil
		}
		c.close()
	}
	u.mu.Unlock()
	d := net.Dialer{Timeout: upstreamDial, KeepAlive: 30 * time.Second}
	raw, err := d.DialContext(ctx, "tcp", u.addr)
	if err != nil {
		return nil, false, err
	}
	raw = sysconn.Fast(raw)
	if u.tls != nil {
		tc := tls.Client(raw, u.tls)
		hctx, cancel := context.WithTimeout(ctx, upstreamDial)
		err := tc.HandshakeContext(hctx)
		cancel()
		if err != nil {
			raw.Close()
			return nil, false, err
		}
		raw = tc
	}
	c := connBufs.Get().(*upConn)
	c.c = &idleConn{Conn: raw, progress: progress{idle: u.idleFor}}
	c.br.Reset(c.c)
	c.bw.Reset(c.c)
	return c, false, nil
}

// put keeps a connection whose exchange ended cleanly for the next request.
func (u *upstream) put(c *upConn) {
	c.used = time.Now()
	u.mu.Lock()
	if len(u.idle) < maxIdlePerUpstream {
		u.idle = append(u.idle, c)
		u.mu.Unlock()
		return
	}
	u.mu.Unlock()
	c.close()
}

func (c *upConn) close() {
	c.c.Close()
	c.c = nil
	c.br.Reset(nil)
	c.bw.Reset(nil)
	connBufs.Put(c)
}

// hopHeaders are the hop-by-hop headers a proxy does not pass on
// (RFC 9110 7.6.1), plus Expect: the data plane reads the body itself.
var hopHeaders = []string{"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade", "Expect"}

// removeHop deletes hop-by-hop headers, and those Connection names.
func removeHop(h http.Header) {
	for _, v := range h["Connection"] {
		for f := range strings.SplitSeq(v, ",") {
			if f = textproto.TrimString(f); f != "" {
				h.Del(f)
			}
		}
	}
	for _, k := range hopHeaders {
		delete(h, k)
	}
}

// errNoResponse: the connection failed before any byte of a response was
// read; a reused connection may have been closed by the upstream while
// idle, and a request without a body is sent again on a new one.
var errNoResponse = errors.New("upstream closed the connection before answering")

// exchange writes out on c and reads the response head. Interim (1xx)
// answers are skipped, but 101 Switching Protocols answers an upgrade.
func exchange(c *upConn, out *http.Request, upgrade bool) (*http.Response, error) {
	if err := out.Write(c.bw); err != nil {
		return nil, err
	}
	if err := c.bw.Flush(); err != nil {
		return nil, noResponse(err)
	}
	for {
		if _, err := c.br.Peek(1); err != nil {
			return nil, noResponse(err)
		}
		resp, err := http.ReadResponse(c.br, out)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode >= 200 || (upgrade && resp.StatusCode == http.StatusSwitchingProtocols) {
			return resp, nil
		}
	}
}

// noResponse is errNoResponse, unless the upstream timed out.
func noResponse(err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return err
	}
	return errNoResponse
}

// idempotent methods may be sent again when a kept-alive connection
// turned out closed before anything was answered (as net/http retries).
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

var copyBufs = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// serve forwards r to the upstream as out says (path, query, Host) and
// copies the answer to w. It reports an error only when nothing was
// written to w yet.
func (u *upstream) serve(w http.ResponseWriter, r *http.Request, path, rawPath, host string) error {
	out := &http.Request{
		Method:     r.Method,
		URL:        &url.URL{Scheme: u.url.Scheme, Host: u.url.Host, Path: path, RawPath: rawPath, RawQuery: r.URL.RawQuery},
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     maps.Clone(r.Header), // keys removed below, values shared
		Host:       host,
	}
	removeHop(out.Header)
	upgrade := isUpgrade(r.Header)
	if upgrade {
		// The handshake's own hop-by-hop headers travel (RFC 9110 7.8).
		out.Header["Connection"], out.Header["Upgrade"] = []string{"Upgrade"}, r.Header["Upgrade"]
	}
	if _, ok := out.Header["User-Agent"]; !ok {
		out.Header["User-Agent"] = []string{""} // none added
	}
	if r.ContentLength != 0 {
		out.Body, out.ContentLength = r.Body, r.ContentLength
	}
	ctx := r.Context()
	var resp *http.Response
	var c *upConn
	for attempt := 0; ; attempt++ {
		var reused bool
		var err error
		c, reused, err = u.get(ctx)
		if err != nil {
			return err
		}
		c.c.progress.last = time.Time{} // the idle deadline starts now
		stop := context.AfterFunc(ctx, c.c.abort)
		resp, err = exchange(c, out, upgrade)
		if !stop() {
			err = cmpErr(err, ctx.Err())
		}
		if err == nil {
			break
		}
		c.close()
		if !(errors.Is(err, errNoResponse) && reused && out.Body == nil && idempotent(out.Method) && attempt == 0) {
			return err
		}
	}
	if resp.StatusCode == http.StatusSwitchingProtocols {
		return splice(w, resp, c)
	}
	h := w.Header()
	for k, v := range resp.Header {
		h[k] = v
	}
	removeHop(h)
	w.WriteHeader(resp.StatusCode)
	buf := copyBufs.Get().(*[]byte)
	_, err := io.CopyBuffer(writerOnly{w}, resp.Body, *buf)
	copyBufs.Put(buf)
	resp.Body.Close()
	if err != nil || resp.Close || r.Close || ctx.Err() != nil {
		c.close()
		if err != nil {
			panic(http.ErrAbortHandler) // the client sees the answer cut, as it was
		}
		return nil
	}
	u.put(c)
	return nil
}

// cmpErr prefers the context's error (the client went away) to the I/O
// error its deadline caused.
func cmpErr(err, ctxErr error) error {
	if err != nil && ctxErr != nil {
		return fmt.Errorf("%w (%v)", ctxErr, err)
	}
	return err
}

// writerOnly hides ReadFrom, so that io.CopyBuffer uses the pooled buffer.
type writerOnly struct{ io.Writer }

// isUpgrade reports a request to switch protocols (a WebSocket handshake,
// as Session Manager's data channel on ssmmessages opens).
func isUpgrade(h http.Header) bool {
	if h.Get("Upgrade") == "" {
		return false
	}
	for _, v := range h["Connection"] {
		for f := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(textproto.TrimString(f), "upgrade") {
				return true
			}
		}
	}
	return false
}

// splicer is a response writer that meters the bytes of a switched
// connection.
type splicer interface{ spliced(in, out int64) }

// splice hands the client's connection the upstream's 101 answer, then
// copies bytes both ways until either side closes: the path and the
// request were decided before the handshake went out. A switched
// connection has no idle limit (a session may be quiet for long).
func splice(w http.ResponseWriter, resp *http.Response, c *upConn) error {
	cc, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		c.close()
		return fmt.Errorf("the client's connection cannot switch protocols: %w", err)
	}
	head := &http.Response{StatusCode: http.StatusSwitchingProtocols, ProtoMajor: 1, ProtoMinor: 1, Header: resp.Header}
	if err := head.Write(rw.Writer); err != nil || rw.Flush() != nil {
		cc.Close()
		c.close()
		return nil
	}
	up := c.c.Conn
	up.SetDeadline(time.Time{})
	cc.SetDeadline(time.Time{})
	fromUp := io.MultiReader(buffered(c.br), up)
	fromClient := io.MultiReader(buffered(rw.Reader), cc)
	var in, out int64
	done := make(chan struct{})
	go func() {
		in, _ = io.Copy(up, fromClient)
		closeWrite(up)
		close(done)
	}()
	out, _ = io.Copy(cc, fromUp)
	closeWrite(cc)
	<-done
	cc.Close()
	c.close()
	if m, ok := w.(splicer); ok {
		m.spliced(in, out)
	}
	return nil
}

// buffered returns what a reader already holds, copied.
func buffered(br *bufio.Reader) io.Reader {
	b, _ := br.Peek(br.Buffered())
	return strings.NewReader(string(b))
}

// closeWrite half-closes a connection where it can (TCP, TLS), so the
// other side sees the end of one direction while the other drains;
// else it closes it.
func closeWrite(c net.Conn) {
	if cw, ok := c.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
		return
	}
	c.Close()
}
