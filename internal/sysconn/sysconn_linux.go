package sysconn

import (
	"io"
	"net"
	"sync"
	"syscall"
	"unsafe"
)

// conn is a TCP connection whose reads and writes are raw system
// calls made through the runtime's poller (syscall.RawConn): the
// socket is non-blocking, so a call never blocks, and it does not go
// through the runtime's blocking-syscall bookkeeping. With that
// bookkeeping, a loopback write that runs the receiver's TCP path for a
// few tens of microseconds makes the runtime's monitor hand the
// processor to another thread (a futex wake and a context switch per
// request on a busy 2-core machine). A would-block answer parks the
// goroutine in the poller as net.Conn does; deadlines work as on the
// connection. A read is always tried before it waits: the poller drops
// readiness that arrived before a read began, so waiting first could
// sleep on data already there.
type conn struct {
	*net.TCPConn
	rc syscall.RawConn

	// What one read or write works on, kept here so that the poller's
	// callbacks are bound once and a call allocates nothing; rmu and wmu
	// serialise reads with reads and writes with writes, as net.Conn
	// allows several goroutines to call them.
	rmu     sync.Mutex
	rbuf    []byte
	rn      int
	rerr    syscall.Errno
	readFn  func(fd uintptr) bool
	wmu     sync.Mutex
	wbuf    []byte
	wn      int
	werr    syscall.Errno
	writeFn func(fd uintptr) bool
}

// Fast returns c with raw reads and writes where it is a TCP
// connection, else c.
func Fast(c net.Conn) net.Conn {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return c
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return c
	}
	s := &conn{TCPConn: tc, rc: rc}
	s.readFn, s.writeFn = s.read, s.write
	return s
}

// read is one attempt to read: false asks the poller to wait.
func (c *conn) read(fd uintptr) bool {
	for {
		r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&c.rbuf[0])), uintptr(len(c.rbuf)))
		switch e {
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return false
		}
		c.rn, c.rerr = int(r), e
		return true
	}
}

func (c *conn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	c.rmu.Lock()
	c.rbuf, c.rn, c.rerr = p, 0, 0
	err := c.rc.Read(c.readFn)
	n, errno := c.rn, c.rerr
	c.rbuf = nil
	c.rmu.Unlock()
	switch {
	case err != nil:
		return 0, err
	case errno != 0:
		return 0, &net.OpError{Op: "read", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: errno}
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

// write writes what is left of wbuf: false asks the poller to wait.
func (c *conn) write(fd uintptr) bool {
	for c.wn < len(c.wbuf) {
		r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&c.wbuf[c.wn])), uintptr(len(c.wbuf)-c.wn))
		switch e {
		case 0:
			c.wn += int(r)
		case syscall.EINTR:
		case syscall.EAGAIN:
			return false
		default:
			c.werr = e
			return true
		}
	}
	return true
}

func (c *conn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	c.wbuf, c.wn, c.werr = p, 0, 0
	err := c.rc.Write(c.writeFn)
	n, errno := c.wn, c.werr
	c.wbuf = nil
	c.wmu.Unlock()
	switch {
	case err != nil:
		return n, err
	case errno != 0:
		return n, &net.OpError{Op: "write", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: errno}
	}
	return n, nil
}
