package resolver

import (
	"encoding/binary"
	"net"
	"net/netip"
	"strconv"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// serve starts a Server on a free port of all addresses (each VPC answers
// at its own loopback address) and returns the port.
func serve(t *testing.T, r *Resolver) int {
	t.Helper()
	s, err := Listen(r, "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(t.Context())
	return s.Port()
}

// TestSlowUpstreamDoesNotStall: while the upstream holds every forwarded
// query, names the VPC answers itself are still answered — forwarding
// does not run in the read loop (as CoreDNS's forward and unbound do).
func TestSlowUpstreamDoesNotStall(t *testing.T) {
	release := make(chan struct{})
	r := New(Config{Source: newFake(), Upstream: upstream(t, func() { <-release })})
	port := serve(t, r)
	addr := net.JoinHostPort(vpcA.String(), strconv.Itoa(port))
	c := &dns.Client{Timeout: 10 * time.Second}

	// Many queries that go upstream, from their own client sockets.
	slow := make(chan *dns.Msg, 16)
	for i := range 16 {
		go func() {
			q := new(dns.Msg)
			q.SetQuestion("slow"+strconv.Itoa(i)+".example.org.", dns.TypeA)
			m, _, err := c.Exchange(q, addr)
			if err != nil {
				m = nil
			}
			slow <- m
		}()
	}
	// The VPC's own name is answered while the upstream still holds them.
	q := new(dns.Msg)
	q.SetQuestion("ssm.us-east-1.amazonaws.com.", dns.TypeA)
	m, _, err := c.Exchange(q, addr)
	select {
	case <-slow:
		t.Fatal("an upstream answer came before the upstream was released")
	default:
	}
	if err != nil || len(m.Answer) != 2 {
		t.Fatalf("local name while the upstream is stuck: %v %v", m, err)
	}
	close(release)
	for range 16 {
		if m := <-slow; m == nil || len(m.Answer) != 1 {
			t.Errorf("forwarded answer = %v", m)
		}
	}
}

// TestQueriesOutsideThePoolReadNothing: a query to a loopback address
// outside the resolver range is refused without reading the state or
// growing the cache.
func TestQueriesOutsideThePoolReadNothing(t *testing.T) {
	f := newFake()
	r := New(Config{Source: f})
	for i := range 1000 {
		q := new(dns.Msg)
		q.SetQuestion("example.org.", dns.TypeA)
		a := netip.AddrFrom4([4]byte{127, 55, byte(i >> 8), byte(i)})
		ans, err := r.Resolve(t.Context(), a, q)
		if err != nil || ans.Msg.Rcode != dns.RcodeRefused {
			t.Fatalf("query at %s: %v %v", a, ans, err)
		}
	}
	if n := f.targetReads.Load(); n != 0 {
		t.Errorf("%d store reads for addresses outside the pool", n)
	}
	if len(r.zones) != 0 {
		t.Errorf("the cache grew to %d entries", len(r.zones))
	}
}

// TestTCPMessageInPieces: a TCP query that arrives a few bytes at a time
// is answered (the server reads as data arrives rather than reserving the
// announced length up front).
func TestTCPMessageInPieces(t *testing.T) {
	port := serve(t, New(Config{Source: newFake()}))
	conn, err := net.Dial("tcp", net.JoinHostPort(vpcA.String(), strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	q := new(dns.Msg)
	q.SetQuestion("ssm.us-east-1.amazonaws.com.", dns.TypeA)
	pkt, _ := q.Pack()
	framed := binary.BigEndian.AppendUint16(nil, uint16(len(pkt)))
	framed = append(framed, pkt...)
	for i := 0; i < len(framed); i += 5 {
		conn.Write(framed[i:min(i+5, len(framed))])
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	var l [2]byte
	if _, err := conn.Read(l[:]); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, binary.BigEndian.Uint16(l[:]))
	if _, err := conn.Read(buf); err != nil {
		t.Fatal(err)
	}
	m := new(dns.Msg)
	if err := m.Unpack(buf); err != nil || len(m.Answer) != 2 {
		t.Errorf("answer = %v %v", m, err)
	}
}
