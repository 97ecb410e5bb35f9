package resolver

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"net/netip"
	"runtime"
	"strconv"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Sizes of DNS messages.
const (
	minUDPSize  = 512  // without EDNS0
	ourUDPSize  = 1232 // what vpce advertises with EDNS0 (DNS flag day 2020)
	maxUDPSize  = 4096
	maxTCPSize  = 65535
	tcpIdle     = 10 * time.Second
	readBufSize = 65535
)

// Handle answers one DNS message received at local; it returns the reply
// to send, or nil to drop the message (malformed, a response, or not for
// a VPC). udp limits the reply to what the client can take, with the TC
// bit set when it does not fit. A name that goes upstream is forwarded
// before Handle returns; the UDP server forwards without waiting instead
// (see prepare).
func (r *Resolver) Handle(ctx context.Context, local netip.Addr, pkt []byte, udp bool) []byte {
	reply, fwd := r.prepare(ctx, local, pkt, udp)
	if fwd == nil {
		return reply
	}
	return r.finish(fwd, r.forward(ctx, fwd), udp)
}

// prepare answers pkt from what vpce knows. It returns the reply, or —
// for a name the VPC does not answer itself, with an upstream configured —
// the parsed query, to be forwarded.
func (r *Resolver) prepare(ctx context.Context, local netip.Addr, pkt []byte, udp bool) (reply []byte, fwd *dns.Msg) {
	req := new(dns.Msg)
	if err := req.Unpack(pkt); err != nil || req.Response {
		return nil, nil
	}
	ans, upstream, err := r.resolveLocal(ctx, local, req)
	if err != nil {
		r.log.Warn("resolve failed", "component", "dns", "local", local, "err", err)
	}
	if upstream {
		return nil, req
	}
	return r.finish(req, ans, udp), nil
}

// finish packs an answer to req within the size the client can take.
func (r *Resolver) finish(req *dns.Msg, ans *Answer, udp bool) []byte {
	if ans == nil {
		return nil
	}
	resp := ans.Msg
	limit := maxTCPSize
	if udp {
		limit = minUDPSize
	}
	if opt := req.IsEdns0(); opt != nil {
		if udp {
			limit = max(minUDPSize, min(int(opt.UDPSize()), maxUDPSize))
		}
		if resp.IsEdns0() == nil {
			resp.SetEdns0(ourUDPSize, opt.Do())
		}
	}
	resp.Truncate(limit)
	r.cfg.Metrics.general(dns.RcodeToString[resp.Rcode])
	out, err := resp.Pack()
	if err != nil {
		r.log.Warn("pack reply failed", "component", "dns", "err", err)
		return nil
	}
	return out
}

// Limits that keep one client, or a slow upstream, from stalling the rest.
const (
	// maxForwards is how many upstream queries may be in flight; past it a
	// query that needs the upstream is answered SERVFAIL at once.
	maxForwards = 256
	// forwardTimeout bounds one upstream exchange.
	forwardTimeout = 2 * time.Second
	// maxTCPConns bounds the DNS TCP connections served at once.
	maxTCPConns = 256
)

// Server serves a Resolver over UDP and TCP. It listens on all addresses
// at one port and answers only queries sent to loopback addresses, each
// as the resolver of the VPC that owns that address.
type Server struct {
	r *Resolver
	// udp is one socket that several readers share: no SO_REUSEPORT, so no
	// other process can bind the port beside vpce and take its queries.
	udp     *net.UDPConn
	readers int
	tcp     net.Listener
	wg      sync.WaitGroup
	// forwards and tcpConns are semaphores (see maxForwards, maxTCPConns).
	forwards chan struct{}
	tcpConns chan struct{}
}

// Listen opens the UDP socket and the TCP listener on addr ("0.0.0.0:5353").
func Listen(r *Resolver, addr string) (*Server, error) {
	udp, err := listenUDP(addr)
	if err != nil {
		return nil, err
	}
	port := udp.LocalAddr().(*net.UDPAddr).Port
	host, _, _ := net.SplitHostPort(addr)
	tcp, err := net.Listen("tcp4", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		udp.Close()
		return nil, err
	}
	return &Server{r: r, udp: udp, readers: max(2, runtime.GOMAXPROCS(0)), tcp: tcp,
		forwards: make(chan struct{}, maxForwards), tcpConns: make(chan struct{}, maxTCPConns)}, nil
}

// Port reports the port the server listens on.
func (s *Server) Port() int { return s.udp.LocalAddr().(*net.UDPAddr).Port }

// Serve answers queries until ctx is done.
func (s *Server) Serve(ctx context.Context) error {
	for range s.readers {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.serveUDP(ctx, s.udp) }()
	}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.serveTCP(ctx) }()
	<-ctx.Done()
	s.udp.Close()
	s.tcp.Close()
	s.wg.Wait()
	return nil
}

func (s *Server) serveTCP(ctx context.Context) {
	for {
		c, err := s.tcp.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		select {
		case s.tcpConns <- struct{}{}:
		default:
			c.Close() // at the limit: the client retries or falls back
			continue
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() { <-s.tcpConns }()
			defer c.Close()
			s.serveConn(ctx, c)
		}()
	}
}

func (s *Server) serveConn(ctx context.Context, c net.Conn) {
	la, ok := c.LocalAddr().(*net.TCPAddr)
	if !ok {
		return
	}
	local, _ := netip.AddrFromSlice(la.IP.To4())
	if !local.IsLoopback() {
		return
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	var lenBuf [2]byte
	for {
		c.SetReadDeadline(time.Now().Add(tcpIdle))
		if _, err := io.ReadFull(c, lenBuf[:]); err != nil {
			return
		}
		// The message is read as it arrives: a client that sends only a
		// length holds no 64 KiB buffer.
		var msgBuf bytes.Buffer
		n := int64(binary.BigEndian.Uint16(lenBuf[:]))
		if got, err := io.CopyN(&msgBuf, c, n); err != nil || got != n {
			return
		}
		msg := msgBuf.Bytes()
		out := s.r.Handle(ctx, local, msg, false)
		if out == nil {
			return
		}
		framed := make([]byte, 2+len(out))
		binary.BigEndian.PutUint16(framed, uint16(len(out)))
		copy(framed[2:], out)
		c.SetWriteDeadline(time.Now().Add(tcpIdle))
		if _, err := c.Write(framed); err != nil {
			return
		}
	}
}

// forwardAsync sends a query upstream without holding up the reader that
// received it, and answers the client from the socket when the upstream
// has. Past maxForwards in flight it answers SERVFAIL at once.
func (s *Server) forwardAsync(ctx context.Context, req *dns.Msg, local netip.Addr, to *net.UDPAddr) {
	select {
	case s.forwards <- struct{}{}:
	default:
		resp := new(dns.Msg)
		resp.SetRcode(req, dns.RcodeServerFailure)
		s.writeUDP(s.r.finish(req, &Answer{resp, "too many upstream queries in flight"}, true), local, to)
		return
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer func() { <-s.forwards }()
		fctx, cancel := context.WithTimeout(ctx, forwardTimeout)
		defer cancel()
		s.writeUDP(s.r.finish(req, s.r.forward(fctx, req), true), local, to)
	}()
}
