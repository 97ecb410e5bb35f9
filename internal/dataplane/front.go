package dataplane

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http/httpguts"

	"github.com/vpce/vpce/internal/sysconn"
)

// The front end's limits (a client's connection).
const (
	frontHeaderTimeout = 30 * time.Second // to send a request's head
	frontIdleTimeout   = 90 * time.Second // between requests
	frontMaxHeader     = 64 << 10         // a request's head
	frontDrain         = 256 << 10        // body left unread that is read and dropped to keep the connection
	frontBufferBody    = 4 << 10          // answer without Content-Length buffered to compute one
)

// Server is the data plane's HTTP/1.1 front end. It serves the proxy
// without net/http's per-request machinery: one goroutine per connection
// reads a request (http.ReadRequest: net/http's own parser and framing
// rules), calls the proxy, and writes the answer through a buffer flushed
// once — no background read per request, no per-request context, no
// header sorting for answers forwarded as they came. Tunnels (CONNECT)
// are served by the same loop inside TLS.
type Server struct {
	p *Proxy

	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]struct{}
	closed bool
	ctx    context.Context
	cancel context.CancelFunc
}

// NewServer returns the front end of p.
func (p *Proxy) NewServer() *Server {
	ctx, cancel := context.WithCancel(context.Background())
	return &Server{p: p, conns: map[net.Conn]struct{}{}, ctx: ctx, cancel: cancel}
}

// Serve accepts connections on ln until Close.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		ln.Close()
		return net.ErrClosed
	}
	s.ln = ln
	s.mu.Unlock()
	var delay time.Duration
	for {
		c, err := ln.Accept()
		if err != nil {
			s.mu.Lock()
			closed := s.closed
			s.mu.Unlock()
			if closed || errors.Is(err, net.ErrClosed) {
				return net.ErrClosed
			}
			// Out of descriptors and the like: wait, as net/http does.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			s.p.cfg.Logger.Warn("data plane accept failed", "err", err, "retry", delay)
			time.Sleep(delay)
			continue
		}
		delay = 0
		if !s.track(c, true) {
			c.Close()
			continue
		}
		go func() {
			if !s.p.serveHTTP1(s.ctx, sysconn.Fast(c), nil, s.p.ServeHTTP) {
				c.Close()
			}
			s.track(c, false)
		}()
	}
}

func (s *Server) track(c net.Conn, add bool) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if add {
		if s.closed {
			return false
		}
		s.conns[c] = struct{}{}
	} else {
		delete(s.conns, c)
	}
	return true
}

// Close stops accepting and closes every connection (tunnels included:
// they are served on the connection they were opened on).
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.cancel()
	var err error
	if s.ln != nil {
		err = s.ln.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	return err
}

// headLimit bounds what a request's head may read from the connection.
type headLimit struct {
	r io.Reader
	n int64
}

var errHeadTooLarge = errors.New("request head too large")

func (l *headLimit) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, errHeadTooLarge
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

const unlimited = 1 << 62

// serveHTTP1 serves HTTP/1.1 requests on c with h until the client or
// the server ends. It reports whether the connection was taken over
// (hijacked), in which case the caller must not close it.
func (p *Proxy) serveHTTP1(ctx context.Context, c net.Conn, state *tls.ConnectionState, h http.HandlerFunc) (hijacked bool) {
	lim := &headLimit{r: c, n: unlimited}
	br := bufio.NewReaderSize(lim, 8<<10)
	// Answers go out through a writer that pushes the write deadline
	// ahead as they make progress (a client that stops reading ends its
	// connection), at most once a second: not a timer change per request.
	bw := bufio.NewWriterSize(&pushWriter{c: c, progress: progress{idle: p.cfg.IdleTimeout}}, 8<<10)
	w := &frontWriter{c: c, br: br, bw: bw, header: http.Header{}}
	remote := c.RemoteAddr().String()
	base := (&http.Request{RemoteAddr: remote, TLS: state}).WithContext(ctx)
	for served := 0; ; served++ {
		wait := frontHeaderTimeout
		if served > 0 {
			wait = frontIdleTimeout
		}
		// The read deadline is moved only when it is more than a second
		// off (w.rdl follows every change the handler makes), and the
		// head's own deadline is set only when the head is not already
		// buffered whole.
		if want := time.Now().Add(wait); w.rdl.IsZero() || w.rdl.After(want) || w.rdl.Before(want.Add(-extendEvery)) {
			w.SetReadDeadline(want)
		}
		if _, err := br.Peek(1); err != nil {
			return false
		}
		if !headBuffered(br) {
			w.SetReadDeadline(time.Now().Add(frontHeaderTimeout))
		}
		if served > 0 {
			// Stray line ends after a body, as net/http forgives.
			for {
				b, err := br.Peek(1)
				if err != nil {
					return false
				}
				if b[0] != '\r' && b[0] != '\n' {
					break
				}
				br.Discard(1)
			}
		}
		lim.n = frontMaxHeader + int64(br.Buffered())
		// A plain head already buffered is read by the data plane's own
		// reader (net/http's result, FuzzReadRequest); any other by net/http.
		req, fast := readRequest(br, base)
		var err error
		if !fast {
			req, err = http.ReadRequest(br)
		}
		if err != nil {
			switch {
			case lim.n <= 0 || errors.Is(err, errHeadTooLarge):
				frontError(bw, http.StatusRequestHeaderFieldsTooLarge, "request header too large")
			case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), isTimeout(err):
			case strings.Contains(err.Error(), "unsupported transfer encoding"):
				frontError(bw, http.StatusNotImplemented, err.Error())
			default:
				frontError(bw, http.StatusBadRequest, err.Error())
			}
			return false
		}
		lim.n = unlimited
		// The deadline stays: a body's reads push their own (idleBody), the
		// next request's wait sets its own.
		if msg := checkRequest(req); msg != "" {
			frontError(bw, http.StatusBadRequest, msg)
			return false
		}
		if !fast {
			req.RemoteAddr = remote
			req.TLS = state
			req = req.WithContext(ctx)
		}
		w.reset(req)
		var body *frontBody
		if req.Body != nil && req.Body != http.NoBody {
			body = &frontBody{rc: req.Body}
			req.Body = body
		}
		if ex := req.Header.Get("Expect"); ex != "" {
			if !strings.EqualFold(ex, "100-continue") || req.ProtoMinor == 0 {
				frontError(bw, http.StatusExpectationFailed, "unsupported Expect")
				return false
			}
			if body != nil {
				w.expect = &expectContinue{ReadCloser: body, w: w}
				req.Body = w.expect
			}
		}
		if !p.call(h, w, req) {
			return w.hijacked // a panicking handler's connection is dropped, as net/http drops it
		}
		if w.hijacked {
			return true
		}
		w.finish()
		keep := !w.closeAfter && !req.Close && req.ProtoAtLeast(1, 1)
		if keep && body != nil && !body.eof {
			if w.expect != nil && !w.expect.sent {
				keep = false // the client may still be waiting to send it
			} else if n, err := io.CopyN(io.Discard, body.rc, frontDrain+1); err != io.EOF || n > frontDrain {
				keep = false
			}
		}
		if err := bw.Flush(); err != nil || !keep {
			return false
		}
	}
}

// headBuffered reports whether the buffer holds a whole request head.
func headBuffered(br *bufio.Reader) bool {
	b, _ := br.Peek(br.Buffered())
	return bytes.Contains(b, []byte("\n\r\n")) || bytes.Contains(b, []byte("\n\n"))
}

// pushWriter writes to a connection, pushing its write deadline idle
// ahead when due.
type pushWriter struct {
	c net.Conn
	progress
}

func (w *pushWriter) Write(b []byte) (int, error) {
	if d, due := w.next(); due {
		w.c.SetWriteDeadline(d)
	}
	return w.c.Write(b)
}

// call runs the handler; a panic (http.ErrAbortHandler: the answer was
// cut on purpose) is logged but for that one, and reported.
func (p *Proxy) call(h http.HandlerFunc, w *frontWriter, req *http.Request) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			if v != http.ErrAbortHandler {
				buf := make([]byte, 16<<10)
				buf = buf[:runtime.Stack(buf, false)]
				p.cfg.Logger.Error("data plane handler panicked", "panic", v, "stack", string(buf))
			}
			ok = false
		}
	}()
	h(w, req)
	return true
}

// checkRequest does what net/http's server does beyond the parser
// (which has taken the Host header into req.Host already, and refuses two):
// a host is required in HTTP/1.1 (but for CONNECT) and must be well
// formed, header names and values valid; only HTTP/1 is served.
func checkRequest(req *http.Request) string {
	if req.ProtoMajor != 1 {
		return "unsupported protocol version"
	}
	if req.ProtoAtLeast(1, 1) && req.Host == "" && req.Method != http.MethodConnect {
		return "missing required Host header"
	}
	if req.Host != "" && !httpguts.ValidHostHeader(req.Host) {
		return "malformed Host header"
	}
	for k, vv := range req.Header {
		if !httpguts.ValidHeaderFieldName(k) {
			return "invalid header name"
		}
		for _, v := range vv {
			if !httpguts.ValidHeaderFieldValue(v) {
				return "invalid header value"
			}
		}
	}
	return ""
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// frontError answers a request that cannot be read and closes.
func frontError(bw *bufio.Writer, status int, msg string) {
	fmt.Fprintf(bw, "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n%d %s: %s", status, http.StatusText(status), status, http.StatusText(status), msg)
	bw.Flush()
}

// frontBody is a request's body as the handler sees it: it records
// whether the body was read to its end, and a handler's Close does not
// reach the connection's body (the loop reads what is left, bounded, to
// keep the connection, or closes it).
type frontBody struct {
	rc  io.ReadCloser
	eof bool
}

func (b *frontBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if err == io.EOF {
		b.eof = true
	}
	return n, err
}

// Close leaves the rest of the body to the loop.
func (b *frontBody) Close() error { return nil }

// expectContinue sends "100 Continue" when the handler first reads the
// body of a request that asked for it.
type expectContinue struct {
	io.ReadCloser
	w    *frontWriter
	sent bool
}

func (e *expectContinue) Read(p []byte) (int, error) {
	if !e.sent {
		e.sent = true
		if !e.w.committed {
			e.w.bw.WriteString("HTTP/1.1 100 Continue\r\n\r\n")
			if err := e.w.bw.Flush(); err != nil {
				return 0, err
			}
		}
	}
	return e.ReadCloser.Read(p)
}

// frontWriter is the http.ResponseWriter of the front end.
type frontWriter struct {
	c  net.Conn
	br *bufio.Reader
	bw *bufio.Writer

	req        *http.Request
	header     http.Header
	status     int
	committed  bool  // the head is in bw
	length     int64 // Content-Length declared, or -1
	written    int64
	chunked    bool
	pending    []byte // an answer without Content-Length, until it is known to be small
	hijacked   bool
	closeAfter bool
	expect     *expectContinue
	rdl        time.Time // the read deadline last set
}

func (w *frontWriter) reset(req *http.Request) {
	clear(w.header)
	w.req, w.status, w.committed, w.length, w.written = req, 0, false, -1, 0
	w.chunked, w.pending, w.hijacked, w.closeAfter, w.expect = false, w.pending[:0], false, false, nil
}

// Header is the answer's header.
func (w *frontWriter) Header() http.Header { return w.header }

// WriteHeader sets the status; interim (1xx) answers are written at once.
func (w *frontWriter) WriteHeader(code int) {
	if w.status != 0 || w.hijacked {
		return
	}
	if code >= 100 && code < 200 && code != http.StatusSwitchingProtocols {
		writeStatus(w.bw, code)
		writeFields(w.bw, w.header)
		w.bw.WriteString("\r\n")
		w.bw.Flush()
		return
	}
	if code < 100 || code > 999 {
		code = http.StatusInternalServerError
	}
	w.status = code
	if cl := w.header.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n >= 0 {
			w.length = n
		} else {
			w.header.Del("Content-Length")
		}
	}
}

// bodyAllowed: HEAD answers and 204/304 carry no body.
func (w *frontWriter) bodyAllowed() bool {
	return w.req.Method != http.MethodHead && w.status != http.StatusNoContent && w.status != http.StatusNotModified
}

func (w *frontWriter) Write(b []byte) (int, error) {
	if w.hijacked {
		return 0, http.ErrHijacked
	}
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !w.bodyAllowed() {
		if w.req.Method == http.MethodHead {
			return len(b), nil
		}
		return 0, http.ErrBodyNotAllowed
	}
	if w.length >= 0 {
		if w.written+int64(len(b)) > w.length {
			return 0, http.ErrContentLength
		}
		w.commit(false)
		n, err := w.bw.Write(b)
		w.written += int64(n)
		return n, err
	}
	if !w.committed && len(w.pending)+len(b) <= frontBufferBody {
		w.pending = append(w.pending, b...)
		return len(b), nil
	}
	w.chunked = w.req.ProtoAtLeast(1, 1)
	if !w.chunked {
		w.closeAfter = true // HTTP/1.0: the body ends with the connection
	}
	w.commit(false)
	if err := w.writeChunk(w.pending); err != nil {
		return 0, err
	}
	w.pending = w.pending[:0]
	if err := w.writeChunk(b); err != nil {
		return 0, err
	}
	w.written += int64(len(b))
	return len(b), nil
}

func (w *frontWriter) writeChunk(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	if w.chunked {
		fmt.Fprintf(w.bw, "%x\r\n", len(b))
	}
	w.bw.Write(b)
	if w.chunked {
		_, err := w.bw.WriteString("\r\n")
		return err
	}
	return nil
}

// commit writes the answer's head; final says the whole body is in
// pending (so its length is known).
func (w *frontWriter) commit(final bool) {
	if w.committed {
		return
	}
	w.committed = true
	if w.req.Close || !w.req.ProtoAtLeast(1, 1) {
		w.closeAfter = true
	}
	for _, v := range w.header["Connection"] {
		if strings.EqualFold(strings.TrimSpace(v), "close") {
			w.closeAfter = true
		}
	}
	h := w.header
	if _, ok := h["Date"]; !ok {
		h["Date"] = []string{httpDate()}
	}
	delete(h, "Transfer-Encoding")
	noBody := w.status == http.StatusNoContent || w.status == http.StatusNotModified
	switch {
	case w.chunked:
		h["Transfer-Encoding"] = []string{"chunked"}
		delete(h, "Content-Length")
	case noBody:
		delete(h, "Content-Length")
	case final && w.length < 0 && w.req.Method != http.MethodHead:
		h["Content-Length"] = []string{strconv.Itoa(len(w.pending))}
	}
	if w.closeAfter {
		h["Connection"] = []string{"close"}
	}
	writeStatus(w.bw, w.status)
	writeFields(w.bw, h)
	w.bw.WriteString("\r\n")
}

// writeStatus writes an answer's status line.
func writeStatus(bw *bufio.Writer, code int) {
	bw.WriteString("HTTP/1.1 ")
	bw.Write(strconv.AppendInt(bw.AvailableBuffer(), int64(code), 10))
	bw.WriteByte(' ')
	bw.WriteString(http.StatusText(code))
	bw.WriteString("\r\n")
}

// finish ends the answer: the head if not yet written, a buffered body,
// the last chunk.
func (w *frontWriter) finish() {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !w.committed {
		w.commit(true)
		if w.bodyAllowed() {
			w.bw.Write(w.pending)
		}
	}
	w.pending = w.pending[:0]
	if w.chunked {
		w.bw.WriteString("0\r\n\r\n")
	}
	if w.length >= 0 && w.written < w.length && w.bodyAllowed() {
		w.closeAfter = true // the answer was cut: the connection cannot go on
	}
}

// Flush sends what is written so far (the head at least).
func (w *frontWriter) Flush() {
	if w.hijacked {
		return
	}
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	if !w.committed {
		if w.length < 0 && w.req.ProtoAtLeast(1, 1) && w.bodyAllowed() {
			w.chunked = true
		} else if w.length < 0 && w.bodyAllowed() {
			w.closeAfter = true // HTTP/1.0: the body ends with the connection
		}
		w.commit(false)
		w.writeChunk(w.pending)
		w.pending = w.pending[:0]
	}
	w.bw.Flush()
}

// Hijack hands the connection over (CONNECT, a connection reset).
func (w *frontWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.hijacked {
		return nil, nil, http.ErrHijacked
	}
	w.hijacked = true
	w.c.SetDeadline(time.Time{})
	return w.c, bufio.NewReadWriter(w.br, w.bw), nil
}

// SetReadDeadline and SetWriteDeadline serve http.ResponseController.
func (w *frontWriter) SetReadDeadline(t time.Time) error {
	w.rdl = t
	return w.c.SetReadDeadline(t)
}
func (w *frontWriter) SetWriteDeadline(t time.Time) error { return w.c.SetWriteDeadline(t) }

// httpDate is the Date header's value, formatted once a second.
func httpDate() string {
	now := time.Now().Unix()
	if d := dateCache.Load(); d != nil && d.unix == now {
		return d.text
	}
	d := &cachedDate{unix: now, text: time.Unix(now, 0).UTC().Format(http.TimeFormat)}
	dateCache.Store(d)
	return d.text
}

type cachedDate struct {
	unix int64
	text string
}

var dateCache atomic.Pointer[cachedDate]
