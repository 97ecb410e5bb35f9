package server

import (
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/vpce/vpce/internal/sysconn"
)

// connLimit bounds the connections served at once. When every slot is
// taken and a new connection arrives, the connection idle the longest
// (a keep-alive waiting for its next request) is closed to make room, so
// idle keep-alives cannot lock out new clients; only busy connections
// make a new one wait.
type connLimit struct {
	net.Listener
	sem       chan struct{}
	mu        sync.Mutex
	idle      map[net.Conn]time.Time
	closed    chan struct{}
	closeOnce sync.Once
	// becameIdle is signalled when a connection turns idle, so that an
	// Accept waiting for a slot can make room then.
	becameIdle chan struct{}
}

func newConnLimit(l net.Listener, n int) *connLimit {
	return &connLimit{Listener: l, sem: make(chan struct{}, n), idle: map[net.Conn]time.Time{}, closed: make(chan struct{}),
		becameIdle: make(chan struct{}, 1)}
}

// Close closes the listener and wakes an Accept that waits for a slot.
func (l *connLimit) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// Accept waits for a slot — freeing one held by an idle connection when
// there is one — then accepts.
func (l *connLimit) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	default:
	wait:
		for {
			l.evictIdle()
			select {
			case l.sem <- struct{}{}:
				break wait
			case <-l.becameIdle: // a connection just went idle: make room
			case <-l.closed:
				return nil, net.ErrClosed
			}
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	// Raw system calls: a response written to a busy loopback peer no
	// longer hands the processor to another thread (sysconn).
	return &limitedConn{Conn: sysconn.Fast(c), release: func() { <-l.sem }}, nil
}

// evictIdle closes the connection idle the longest, if any.
func (l *connLimit) evictIdle() {
	l.mu.Lock()
	var oldest net.Conn
	var since time.Time
	for c, t := range l.idle {
		if oldest == nil || t.Before(since) {
			oldest, since = c, t
		}
	}
	delete(l.idle, oldest)
	l.mu.Unlock()
	if oldest != nil {
		oldest.Close()
	}
}

// ConnState is the http.Server hook that tells the limiter which
// connections are idle.
func (l *connLimit) ConnState(c net.Conn, s http.ConnState) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s == http.StateIdle {
		l.idle[c] = time.Now()
		select {
		case l.becameIdle <- struct{}{}:
		default:
		}
	} else {
		delete(l.idle, c)
	}
}

type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
