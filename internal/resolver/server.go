package resolver

import (
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
// bit set when it does not fit.
func (r *Resolver) Handle(ctx context.Context, local netip.Addr, pkt []byte, udp bool) []byte {
	req := new(dns.Msg)
	if err := req.Unpack(pkt); err != nil || req.Response {
		return nil
	}
	ans, err := r.Resolve(ctx, local, req)
	if err != nil {
		r.log.Warn("resolve failed", "component", "dns", "local", local, "err", err)
	}
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

// Server serves a Resolver over UDP and TCP. It listens on all addresses
// at one port and answers only queries sent to loopback addresses, each
// as the resolver of the VPC that owns that address.
type Server struct {
	r    *Resolver
	udps []*net.UDPConn // one per reader; SO_REUSEPORT on Linux
	tcp  net.Listener
	wg   sync.WaitGroup
}

// Listen opens the UDP sockets and the TCP listener on addr ("0.0.0.0:5353").
func Listen(r *Resolver, addr string) (*Server, error) {
	udps, err := listenUDP(addr, max(2, runtime.GOMAXPROCS(0)))
	if err != nil {
		return nil, err
	}
	port := udps[0].LocalAddr().(*net.UDPAddr).Port
	host, _, _ := net.SplitHostPort(addr)
	tcp, err := net.Listen("tcp4", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		for _, u := range udps {
			u.Close()
		}
		return nil, err
	}
	return &Server{r: r, udps: udps, tcp: tcp}, nil
}

// Port reports the port the server listens on.
func (s *Server) Port() int { return s.udps[0].LocalAddr().(*net.UDPAddr).Port }

// Serve answers queries until ctx is done.
func (s *Server) Serve(ctx context.Context) error {
	for _, u := range s.udps {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.serveUDP(ctx, u) }()
	}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.serveTCP(ctx) }()
	<-ctx.Done()
	for _, u := range s.udps {
		u.Close()
	}
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
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
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
		msg := make([]byte, binary.BigEndian.Uint16(lenBuf[:]))
		if _, err := io.ReadFull(c, msg); err != nil {
			return
		}
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
