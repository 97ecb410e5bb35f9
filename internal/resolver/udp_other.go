//go:build !linux

package resolver

import (
	"context"
	"errors"
	"net"
	"net/netip"

	"golang.org/x/net/ipv4"
)

// listenUDP opens one UDP socket that reports destinations.
func listenUDP(addr string) (*net.UDPConn, error) {
	ua, err := net.ResolveUDPAddr("udp4", addr)
	if err != nil {
		return nil, err
	}
	u, err := net.ListenUDP("udp4", ua)
	if err != nil {
		return nil, err
	}
	if err := ipv4.NewPacketConn(u).SetControlMessage(ipv4.FlagDst, true); err != nil {
		u.Close()
		return nil, err
	}
	return u, nil
}

// writeUDP sends one reply from local to a client.
func (s *Server) writeUDP(b []byte, local netip.Addr, to *net.UDPAddr) {
	if b == nil {
		return
	}
	ipv4.NewPacketConn(s.udp).WriteTo(b, &ipv4.ControlMessage{Src: local.AsSlice()}, to)
}

// serveUDP reads datagrams with their destination through x/net/ipv4.
func (s *Server) serveUDP(ctx context.Context, udp *net.UDPConn) {
	pc := ipv4.NewPacketConn(udp)
	buf := make([]byte, readBufSize)
	for {
		n, cm, src, err := pc.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if cm == nil {
			continue
		}
		local, ok := netip.AddrFromSlice(cm.Dst.To4())
		if !ok || !local.IsLoopback() {
			continue
		}
		out, fwd := s.r.prepare(ctx, local, buf[:n], true)
		if fwd != nil {
			if to, ok := src.(*net.UDPAddr); ok {
				s.forwardAsync(ctx, fwd, local, to)
			}
			continue
		}
		if out == nil {
			continue
		}
		pc.WriteTo(out, &ipv4.ControlMessage{Src: cm.Dst}, src)
	}
}
