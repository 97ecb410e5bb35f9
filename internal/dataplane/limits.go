package dataplane

import (
	"io"
	"net"
	"net/http"
	"sync/atomic"
	"time"
)

// DefaultIdleTimeout is how long a request body, a response being
// written, or an upstream may make no progress before the exchange ends.
const DefaultIdleTimeout = 60 * time.Second

// extendEvery limits how often a deadline is pushed forward: not on every
// read or write of a busy transfer.
const extendEvery = time.Second

// progress pushes a deadline idle ahead as an exchange makes progress, at
// most once every extendEvery.
type progress struct {
	idle time.Duration
	last time.Time // when the deadline was last pushed; zero: never
}

// next reports the deadline to set now, if pushing it is due.
func (p *progress) next() (time.Time, bool) {
	now := time.Now()
	if now.Sub(p.last) < min(extendEvery, p.idle/4) {
		return time.Time{}, false
	}
	p.last = now
	return now.Add(p.idle), true
}

// idleBody is a request body that must keep coming: each read pushes the
// connection's read deadline idle ahead, so a client that stops sending
// its body (a slow-loris upload) ends the request instead of holding the
// connection and its upstream forever.
type idleBody struct {
	io.ReadCloser
	rc *http.ResponseController
	progress
}

func (b *idleBody) Read(p []byte) (int, error) {
	if d, due := b.next(); due {
		b.rc.SetReadDeadline(d)
	}
	return b.ReadCloser.Read(p)
}

// idleConn is an upstream connection whose reads and writes must make
// progress within idle; abort makes every later operation fail at once
// (the client went away).
type idleConn struct {
	net.Conn
	progress
	aborted atomic.Bool
}

func (c *idleConn) extend() {
	if c.aborted.Load() {
		return
	}
	if d, due := c.next(); due {
		c.Conn.SetDeadline(d)
	}
}

func (c *idleConn) Read(p []byte) (int, error)  { c.extend(); return c.Conn.Read(p) }
func (c *idleConn) Write(p []byte) (int, error) { c.extend(); return c.Conn.Write(p) }

// abort fails the connection's pending and later operations.
func (c *idleConn) abort() {
	c.aborted.Store(true)
	c.Conn.SetDeadline(time.Unix(1, 0))
}
