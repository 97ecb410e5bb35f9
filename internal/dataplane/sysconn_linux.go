package dataplane

import (
	"io"
	"net"
	"syscall"
	"unsafe"
)

// sysConn is a TCP connection whose reads and writes are raw system
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
type sysConn struct {
	*net.TCPConn
	rc syscall.RawConn
}

// fastConn returns c with raw reads and writes where it is a TCP
// connection, else c.
func fastConn(c net.Conn) net.Conn {
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return c
	}
	rc, err := tc.SyscallConn()
	if err != nil {
		return c
	}
	return &sysConn{TCPConn: tc, rc: rc}
}

func (c *sysConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	var errno syscall.Errno
	err := c.rc.Read(func(fd uintptr) bool {
		for {
			r, _, e := syscall.RawSyscall(syscall.SYS_READ, fd, uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
			switch e {
			case syscall.EINTR:
				continue
			case syscall.EAGAIN:
				return false
			}
			n, errno = int(r), e
			return true
		}
	})
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

func (c *sysConn) Write(p []byte) (int, error) {
	var n int
	var errno syscall.Errno
	err := c.rc.Write(func(fd uintptr) bool {
		for n < len(p) {
			r, _, e := syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&p[n])), uintptr(len(p)-n))
			switch e {
			case 0:
				n += int(r)
			case syscall.EINTR:
			case syscall.EAGAIN:
				return false
			default:
				errno = e
				return true
			}
		}
		return true
	})
	switch {
	case err != nil:
		return n, err
	case errno != 0:
		return n, &net.OpError{Op: "write", Net: "tcp", Source: c.LocalAddr(), Addr: c.RemoteAddr(), Err: errno}
	}
	return n, nil
}
