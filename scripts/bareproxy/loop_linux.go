package main

import (
	"bytes"
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// pair is a client connection and its upstream connection, with what each
// has sent that is not yet forwarded.
type pair struct {
	client, upstream int
	fromClient       []byte
	fromUpstream     []byte
	answer           int // length of the answer being read, 0 before its head
}

// serveLoop forwards every connection from one OS thread: one epoll set
// holds the listener, the clients and their upstreams; all sockets are
// non-blocking.
func serveLoop(listen, upstream string) error {
	runtime.LockOSThread()
	lsa, err := sockaddr(listen)
	if err != nil {
		return err
	}
	usa, err := sockaddr(upstream)
	if err != nil {
		return err
	}
	lfd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	syscall.SetsockoptInt(lfd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	if err := syscall.Bind(lfd, lsa); err != nil {
		return err
	}
	if err := syscall.Listen(lfd, 1024); err != nil {
		return err
	}
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return err
	}
	watch := func(fd int) error {
		return syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)})
	}
	if err := watch(lfd); err != nil {
		return err
	}
	pairs := map[int]*pair{}
	events := make([]syscall.EpollEvent, 128)
	buf := make([]byte, 64<<10)
	drop := func(p *pair) {
		syscall.Close(p.client)
		syscall.Close(p.upstream)
		delete(pairs, p.client)
		delete(pairs, p.upstream)
	}
	for {
		n, err := syscall.EpollWait(ep, events, -1)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return err
		}
		for _, ev := range events[:n] {
			fd := int(ev.Fd)
			if fd == lfd {
				for {
					c, _, err := syscall.Accept4(lfd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
					if err != nil {
						break
					}
					syscall.SetsockoptInt(c, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
					u, err := dial(usa)
					if err != nil {
						syscall.Close(c)
						return fmt.Errorf("upstream: %w", err)
					}
					p := &pair{client: c, upstream: u}
					pairs[c], pairs[u] = p, p
					if watch(c) != nil || watch(u) != nil {
						drop(p)
					}
				}
				continue
			}
			p := pairs[fd]
			if p == nil {
				continue
			}
			m, err := syscall.Read(fd, buf)
			if errors.Is(err, syscall.EAGAIN) {
				continue
			}
			if m <= 0 {
				drop(p)
				continue
			}
			if fd == p.client {
				p.fromClient = append(p.fromClient, buf[:m]...)
				end := bytes.Index(p.fromClient, []byte("\r\n\r\n"))
				if end < 0 {
					continue
				}
				if writeAll(p.upstream, p.fromClient[:end+4]) != nil {
					drop(p)
					continue
				}
				p.fromClient = append(p.fromClient[:0], p.fromClient[end+4:]...)
				continue
			}
			p.fromUpstream = append(p.fromUpstream, buf[:m]...)
			if p.answer == 0 {
				end := bytes.Index(p.fromUpstream, []byte("\r\n\r\n"))
				if end < 0 {
					continue
				}
				body, err := headLength(p.fromUpstream[:end+2])
				if err != nil {
					drop(p)
					continue
				}
				p.answer = end + 4 + body
			}
			if len(p.fromUpstream) < p.answer {
				continue
			}
			if writeAll(p.client, p.fromUpstream[:p.answer]) != nil {
				drop(p)
				continue
			}
			p.fromUpstream = append(p.fromUpstream[:0], p.fromUpstream[p.answer:]...)
			p.answer = 0
		}
	}
}

// headLength is the Content-Length a head names (0 when none).
func headLength(head []byte) (int, error) {
	for len(head) > 0 {
		i := bytes.IndexByte(head, '\n')
		if i < 0 {
			break
		}
		line := head[:i+1]
		head = head[i+1:]
		if len(line) > len(contentLength) && bytes.EqualFold(line[:len(contentLength)], contentLength) {
			return strconv.Atoi(string(bytes.TrimSpace(line[len(contentLength):])))
		}
	}
	return 0, nil
}

// writeAll writes b to the non-blocking socket fd, waiting for room with
// poll when the socket's buffer is full.
func writeAll(fd int, b []byte) error {
	for len(b) > 0 {
		n, err := syscall.Write(fd, b)
		if errors.Is(err, syscall.EAGAIN) {
			if _, err := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}, -1); err != nil && !errors.Is(err, syscall.EINTR) {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// dial connects a blocking socket to sa, then makes it non-blocking.
func dial(sa syscall.Sockaddr) (int, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if err := syscall.Connect(fd, sa); err != nil {
		syscall.Close(fd)
		return -1, err
	}
	syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
	return fd, syscall.SetNonblock(fd, true)
}

// sockaddr parses an IPv4 host:port.
func sockaddr(s string) (syscall.Sockaddr, error) {
	ap, err := netip.ParseAddrPort(s)
	if err != nil || !ap.Addr().Is4() {
		return nil, fmt.Errorf("%q: want an IPv4 address and port", s)
	}
	return &syscall.SockaddrInet4{Addr: ap.Addr().As4(), Port: int(ap.Port())}, nil
}
