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

// idleBody is a request body that must keep coming: each read pushes the
// connection's read deadline idle ahead, so a client that stops sending
// its body (a slow-loris upload) ends the request instead of holding the
// connection and its upstream forever.
type idleBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	idle time.Duration
	last time.Time
}

func (b *idleBody) Read(p []byte) (int, error) {
	if now := time.Now(); now.Sub(b.last) >= extendEvery {
		b.last = now
		b.rc.SetReadDeadline(now.Add(b.idle))
	}
	return b.ReadCloser.Read(p)
}

// idleConn is an upstream connection whose reads and writes must make
// progress within idle; abort makes every later operation fail at once
// (the client went away).
type idleConn struct {
	net.Conn
	idle    time.Duration
	last    time.Time
	aborted atomic.Bool
}

func (c *idleConn) extend() {
	if c.aborted.Load() {
		return
	}
	if now := time.Now(); now.Sub(c.last) >= extendEvery {
		c.last = now
		c.Conn.SetDeadline(now.Add(c.idle))
	}
}

func (c *idleConn) Read(p []byte) (int, error)  { c.extend(); return c.Conn.Read(p) }
func (c *idleConn) Write(p []byte) (int, error) { c.extend(); return c.Conn.Write(p) }

// abort fails the connection's pending and later operations.
func (c *idleConn) abort() {
	c.aborted.Store(true)
	c.Conn.SetDeadline(time.Unix(1, 0))
}
