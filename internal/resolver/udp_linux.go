//go:build linux

package resolver

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"syscall"

	"github.com/miekg/dns"
	"golang.org/x/net/ipv4"
)

// listenUDP opens the UDP socket, with IP_PKTINFO on so that each query's
// destination (the VPC's resolver address) is known.
func listenUDP(addr string) (*net.UDPConn, error) {
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, syscall.IP_PKTINFO, 1)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	pc, err := lc.ListenPacket(context.Background(), "udp4", addr)
	if err != nil {
		return nil, err
	}
	return pc.(*net.UDPConn), nil
}

// writeUDP sends one reply from local to a client.
func (s *Server) writeUDP(b []byte, local netip.Addr, to *net.UDPAddr) {
	if b == nil {
		return
	}
	var oob [oobLen]byte
	s.udp.WriteMsgUDP(b, srcOOB(oob[:], local), to)
}

// Linux ancillary data for IP_PKTINFO: the address a datagram was sent to
// on the way in, and the source to answer from on the way out.
const (
	solIP      = 0 // IPPROTO_IP
	ipPktinfo  = 8 // IP_PKTINFO
	cmsgHdrLen = 16
	pktinfoLen = 12
	oobLen     = 64
)

// dstOf returns the destination address of a received datagram.
func dstOf(oob []byte) (netip.Addr, bool) {
	for len(oob) >= cmsgHdrLen {
		l := int(binary.NativeEndian.Uint64(oob))
		level := int32(binary.NativeEndian.Uint32(oob[8:]))
		typ := int32(binary.NativeEndian.Uint32(oob[12:]))
		if l < cmsgHdrLen || l > len(oob) {
			return netip.Addr{}, false
		}
		if level == solIP && typ == ipPktinfo && l >= cmsgHdrLen+pktinfoLen {
			// struct in_pktinfo { ifindex; spec_dst; addr }: addr is the
			// header's destination.
			return netip.AddrFrom4([4]byte(oob[cmsgHdrLen+8 : cmsgHdrLen+12])), true
		}
		l = (l + 7) &^ 7
		if l > len(oob) {
			break
		}
		oob = oob[l:]
	}
	return netip.Addr{}, false
}

// srcOOB writes ancillary data that makes a reply leave from local.
func srcOOB(buf []byte, local netip.Addr) []byte {
	buf = buf[:cmsgHdrLen+pktinfoLen+4]
	clear(buf)
	binary.NativeEndian.PutUint64(buf, cmsgHdrLen+pktinfoLen)
	binary.NativeEndian.PutUint32(buf[8:], solIP)
	binary.NativeEndian.PutUint32(buf[12:], ipPktinfo)
	a := local.As4()
	copy(buf[cmsgHdrLen+4:], a[:]) // ipi_spec_dst: the source to use
	return buf
}

// batch is how many datagrams one recvmmsg/sendmmsg moves.
const batch = 32

// serveUDP reads datagrams in batches (recvmmsg), answers each — names
// the VPC answers itself through fastAnswer, without allocating — and
// writes the replies in one sendmmsg. Each reply leaves from the address
// its query was sent to (IP_PKTINFO).
func (s *Server) serveUDP(ctx context.Context, udp *net.UDPConn) {
	pc := ipv4.NewPacketConn(udp)
	var cache, forwardCache zoneCache
	in := make([]ipv4.Message, batch)
	out := make([]ipv4.Message, batch)
	for i := range in {
		in[i].Buffers = [][]byte{make([]byte, readBufSize)}
		in[i].OOB = make([]byte, oobLen)
		out[i].Buffers = [][]byte{make([]byte, 0, maxUDPSize)}
		out[i].OOB = make([]byte, oobLen)
	}
	for {
		n, err := pc.ReadBatch(in, 0)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		m := 0
		for _, msg := range in[:n] {
			local, ok := dstOf(msg.OOB[:msg.NN])
			if !ok || !local.IsLoopback() {
				continue
			}
			pkt := msg.Buffers[0][:msg.N]
			var reply []byte
			if z, err := cache.get(ctx, s.r, local); err == nil {
				if r, ok := fastAnswer(z, pkt, out[m].Buffers[0][:0], true); ok {
					reply = r
					s.r.cfg.Metrics.fast()
				} else if to, ok := z.fastForward(pkt); ok {
					// A Resolver rule forwards the name to an inbound
					// endpoint vpce serves: answer with its zone.
					if z2, err := forwardCache.get(ctx, s.r, to); err == nil {
						if r, ok := fastAnswer(z2, pkt, out[m].Buffers[0][:0], true); ok {
							reply = r
							s.r.cfg.Metrics.fast()
						}
					}
				}
			}
			if reply == nil {
				var fwd *dns.Msg
				reply, fwd = s.r.prepare(ctx, local, pkt, true)
				if fwd != nil {
					if to, ok := msg.Addr.(*net.UDPAddr); ok {
						s.forwardAsync(ctx, fwd, local, to)
					}
					continue
				}
				if reply == nil {
					continue
				}
			}
			out[m].Buffers[0] = reply
			out[m].OOB = srcOOB(out[m].OOB[:cap(out[m].OOB)], local)
			out[m].Addr = msg.Addr
			m++
		}
		for sent := 0; sent < m; {
			k, err := pc.WriteBatch(out[sent:m], 0)
			if err != nil || k == 0 {
				break
			}
			sent += k
		}
		for i := range out[:m] {
			if cap(out[i].Buffers[0]) < maxUDPSize {
				out[i].Buffers[0] = make([]byte, 0, maxUDPSize)
			}
		}
	}
}
