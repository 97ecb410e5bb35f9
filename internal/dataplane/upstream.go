package dataplane

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
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
	used time.Time  // when it went idle
	resp inResponse // the last response read (its header map is reused)
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

// errNoResponse: the connection failed before any byte of a response was
// read; a reused connection may have been closed by the upstream while
// idle, and a request without a body is sent again on a new one.
var errNoResponse = errors.New("upstream closed the connection before answering")

// exchange writes out on c and reads the response head into c.resp.
// Interim (1xx) answers are skipped, but 101 Switching Protocols answers
// an upgrade.
func exchange(c *upConn, out *outRequest) (*inResponse, error) {
	if err := writeRequest(c.bw, out); err != nil {
		return nil, err
	}
	if err := c.bw.Flush(); err != nil {
		return nil, noResponse(err)
	}
	for {
		if _, err := c.br.Peek(1); err != nil {
			return nil, noResponse(err)
		}
		if err := readResponse(c.br, out.method, &c.resp); err != nil {
			return nil, err
		}
		if c.resp.status >= 200 || (out.upgrade && c.resp.status == http.StatusSwitchingProtocols) {
			return &c.resp, nil
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
	out := &outRequest{
		method:  r.Method,
		uri:     (&url.URL{Path: path, RawPath: rawPath, RawQuery: r.URL.RawQuery}).RequestURI(),
		host:    host,
		header:  r.Header,
		upgrade: isUpgrade(r.Header),
	}
	if r.ContentLength != 0 {
		out.body, out.length = r.Body, r.ContentLength
	}
	ctx := r.Context()
	var resp *inResponse
	var c *upConn
	for attempt := 0; ; attempt++ {
		var reused bool
		var err error
		c, reused, err = u.get(ctx)
		if err != nil {
			return err
		}
		stop := context.AfterFunc(ctx, c.c.abort)
		resp, err = exchange(c, out)
		if !stop() {
			err = cmpErr(err, ctx.Err())
		}
		if err == nil {
			break
		}
		c.close()
		if !(errors.Is(err, errNoResponse) && reused && out.body == nil && idempotent(out.method) && attempt == 0) {
			return err
		}
	}
	if resp.status == http.StatusSwitchingProtocols {
		return splice(w, resp, c)
	}
	h := w.Header()
	named := connectionNamed(resp.header)
	for k, v := range resp.header {
		if !hopSet(k) && !contains(named, k) {
			h[k] = v
		}
	}
	w.WriteHeader(resp.status)
	buf := copyBufs.Get().(*[]byte)
	_, err := io.CopyBuffer(writerOnly{w}, &resp.body, *buf)
	copyBufs.Put(buf)
	if err != nil || !resp.body.done || resp.close || r.Close || ctx.Err() != nil {
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
func splice(w http.ResponseWriter, resp *inResponse, c *upConn) error {
	cc, rw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		c.close()
		return fmt.Errorf("the client's connection cannot switch protocols: %w", err)
	}
	head := &http.Response{StatusCode: http.StatusSwitchingProtocols, ProtoMajor: 1, ProtoMinor: 1, Header: resp.header}
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
