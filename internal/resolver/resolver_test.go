package resolver

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/vpce/vpce/internal/cloud"
)

// fakeSource serves fixed views; bump gen to change them.
type fakeSource struct {
	gen         atomic.Uint64
	views       map[netip.Addr]*cloud.DNSView
	public      []cloud.DNSEndpoint
	reads       atomic.Int64
	publicReads atomic.Int64
	targetReads atomic.Int64
	// block, when set, holds DNSView until it is closed.
	block chan struct{}
}

func (f *fakeSource) DNSGeneration() uint64 { return f.gen.Load() }
func (f *fakeSource) ResolverPrefix() netip.Prefix {
	return netip.MustParsePrefix("127.100.0.0/16")
}
func (f *fakeSource) ResolverTarget(_ context.Context, a netip.Addr) (cloud.ResolverTarget, bool, error) {
	f.targetReads.Add(1)
	v, ok := f.views[a]
	if !ok {
		return cloud.ResolverTarget{}, false, nil
	}
	return cloud.ResolverTarget{Addr: a, Account: "1", Region: v.Region, VpcID: v.VpcID}, true, nil
}
func (f *fakeSource) PublicVpceDNS(context.Context) ([]cloud.DNSEndpoint, time.Time, error) {
	f.publicReads.Add(1)
	return f.public, time.Time{}, nil
}
func (f *fakeSource) DNSView(_ context.Context, t cloud.ResolverTarget) (*cloud.DNSView, error) {
	if f.block != nil {
		<-f.block
	}
	f.reads.Add(1)
	return f.views[t.Addr], nil
}

var (
	vpcA = netip.MustParseAddr("127.100.0.1")
	vpcB = netip.MustParseAddr("127.100.0.2")
	ip1  = netip.MustParseAddr("10.0.1.10")
	ip2  = netip.MustParseAddr("10.0.2.10")
)

func ssmEndpoint(vpc string, private bool) cloud.DNSEndpoint {
	return cloud.DNSEndpoint{ID: "vpce-0aaaaaaaaaaaaaaaa", VpcID: vpc, Service: "com.amazonaws.us-east-1.ssm", Region: "us-east-1", PrivateDNS: private,
		Names: []cloud.DNSEntry{
			{DNSName: "vpce-0aaaaaaaaaaaaaaaa-abcdefgh.ssm.us-east-1.vpce.amazonaws.com"},
			{DNSName: "vpce-0aaaaaaaaaaaaaaaa-abcdefgh-us-east-1a.ssm.us-east-1.vpce.amazonaws.com"},
			{DNSName: "vpce-0aaaaaaaaaaaaaaaa-abcdefgh-us-east-1b.ssm.us-east-1.vpce.amazonaws.com"},
		},
		Zones:        map[string]netip.Addr{"us-east-1a": ip1, "us-east-1b": ip2},
		PrivateNames: []string{"ssm.us-east-1.amazonaws.com"},
	}
}

func newFake() *fakeSource {
	ssm := ssmEndpoint("vpc-a", true)
	s3 := cloud.DNSEndpoint{ID: "vpce-0bbbbbbbbbbbbbbbb", VpcID: "vpc-a", Service: "com.amazonaws.us-east-1.s3", Region: "us-east-1", PrivateDNS: true,
		Names: []cloud.DNSEntry{{DNSName: "*.vpce-0bbbbbbbbbbbbbbbb-xyz12345.s3.us-east-1.vpce.amazonaws.com"}}, Zones: map[string]netip.Addr{"us-east-1a": netip.MustParseAddr("10.0.1.20")},
		PrivateNames: []string{"s3.us-east-1.amazonaws.com", "*.s3.us-east-1.amazonaws.com"}}
	f := &fakeSource{views: map[netip.Addr]*cloud.DNSView{
		vpcA: {VpcID: "vpc-a", Region: "us-east-1", DNSSupport: true, DNSHostnames: true, Endpoints: []cloud.DNSEndpoint{ssm, s3},
			Hosts: []cloud.DNSHost{{Addr: ip1, Name: "ip-10-0-1-10.ec2.internal"}}},
		vpcB: {VpcID: "vpc-b", Region: "us-east-1", DNSSupport: true,
			Hosts: []cloud.DNSHost{{Addr: netip.MustParseAddr("10.9.0.5"), Name: "ip-10-9-0-5.ec2.internal"}}},
	}, public: []cloud.DNSEndpoint{ssm, s3}}
	return f
}

func ask(t *testing.T, r *Resolver, at netip.Addr, name string, qt uint16) (*dns.Msg, string) {
	t.Helper()
	req := new(dns.Msg)
	req.SetQuestion(dns.Fqdn(name), qt)
	ans, err := r.Resolve(t.Context(), at, req)
	if err != nil {
		t.Fatal(err)
	}
	return ans.Msg, ans.Reason
}

func addrs(m *dns.Msg) string {
	var out []string
	for _, rr := range m.Answer {
		switch v := rr.(type) {
		case *dns.A:
			out = append(out, v.A.String())
		case *dns.PTR:
			out = append(out, v.Ptr)
		}
	}
	return strings.Join(out, ",")
}

func TestResolve(t *testing.T) {
	r := New(Config{Source: newFake()})
	for _, tc := range []struct {
		name   string
		at     netip.Addr
		q      string
		qt     uint16
		rcode  int
		answer string
		reason string
	}{
		{"private-dns", vpcA, "ssm.us-east-1.amazonaws.com", dns.TypeA, dns.RcodeSuccess, "10.0.1.10,10.0.2.10", "private DNS of vpce-0aaaaaaaaaaaaaaaa"},
		{"case-insensitive", vpcA, "SSM.us-east-1.AmazonAWS.com", dns.TypeA, dns.RcodeSuccess, "10.0.1.10,10.0.2.10", "private DNS"},
		{"other-vpc-public", vpcB, "ssm.us-east-1.amazonaws.com", dns.TypeA, dns.RcodeSuccess, "", "public address of ssm"},
		{"regional", vpcB, "vpce-0aaaaaaaaaaaaaaaa-abcdefgh.ssm.us-east-1.vpce.amazonaws.com", dns.TypeA, dns.RcodeSuccess, "10.0.1.10,10.0.2.10", "regional DNS name"},
		{"zonal", vpcA, "vpce-0aaaaaaaaaaaaaaaa-abcdefgh-us-east-1b.ssm.us-east-1.vpce.amazonaws.com", dns.TypeA, dns.RcodeSuccess, "10.0.2.10", "zonal DNS name"},
		{"s3-wildcard-vpce", vpcB, "my-bucket.vpce-0bbbbbbbbbbbbbbbb-xyz12345.s3.us-east-1.vpce.amazonaws.com", dns.TypeA, dns.RcodeSuccess, "10.0.1.20", "regional DNS name"},
		{"s3-private-wildcard", vpcA, "my-bucket.s3.us-east-1.amazonaws.com", dns.TypeA, dns.RcodeSuccess, "10.0.1.20", "private DNS of vpce-0bbbbbbbbbbbbbbbb"},
		{"aaaa-nodata", vpcA, "ssm.us-east-1.amazonaws.com", dns.TypeAAAA, dns.RcodeSuccess, "", "private DNS"},
		{"hostname", vpcA, "ip-10-0-1-10.ec2.internal", dns.TypeA, dns.RcodeSuccess, "10.0.1.10", "EC2 private host name"},
		{"ptr", vpcA, "10.1.0.10.in-addr.arpa", dns.TypePTR, dns.RcodeSuccess, "ip-10-0-1-10.ec2.internal.", "EC2 private host name"},
		{"hostnames-off", vpcB, "ip-10-9-0-5.ec2.internal", dns.TypeA, dns.RcodeNameError, "", "no such name"},
		{"no-leak", vpcB, "ip-10-0-1-10.ec2.internal", dns.TypeA, dns.RcodeNameError, "", "no such name"},
		{"unknown-aws", vpcA, "nothing.us-east-1.amazonaws.com", dns.TypeA, dns.RcodeNameError, "", "no such name"},
		{"not-aws", vpcA, "example.org", dns.TypeA, dns.RcodeServerFailure, "", "no --dns-upstream"},
		{"no-vpc", netip.MustParseAddr("127.100.9.9"), "ssm.us-east-1.amazonaws.com", dns.TypeA, dns.RcodeRefused, "", "no VPC resolver"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, why := ask(t, r, tc.at, tc.q, tc.qt)
			if m.Rcode != tc.rcode {
				t.Errorf("rcode = %s, want %s", dns.RcodeToString[m.Rcode], dns.RcodeToString[tc.rcode])
			}
			got := addrs(m)
			if tc.answer != "" && got != tc.answer {
				t.Errorf("answer = %q, want %q", got, tc.answer)
			}
			if !strings.Contains(why, tc.reason) {
				t.Errorf("reason = %q, want it to mention %q", why, tc.reason)
			}
			for _, rr := range m.Answer {
				if rr.Header().Ttl != TTL {
					t.Errorf("TTL = %d, want %d", rr.Header().Ttl, TTL)
				}
			}
			if !m.RecursionAvailable || !m.Response {
				t.Error("reply lacks QR or RA")
			}
		})
	}
	// Public answers are stable and, for S3, inside S3's published ranges.
	a1, _ := ask(t, r, vpcB, "s3.us-east-1.amazonaws.com", dns.TypeA)
	a2, _ := ask(t, r, vpcB, "s3.us-east-1.amazonaws.com", dns.TypeA)
	if addrs(a1) == "" || addrs(a1) != addrs(a2) {
		t.Errorf("public S3 answers %q then %q", addrs(a1), addrs(a2))
	}
}

func TestViewFollowsGeneration(t *testing.T) {
	f := newFake()
	r := New(Config{Source: f})
	m, _ := ask(t, r, vpcA, "ssm.us-east-1.amazonaws.com", dns.TypeA)
	if addrs(m) != "10.0.1.10,10.0.2.10" {
		t.Fatalf("before the change: %s", addrs(m))
	}
	ask(t, r, vpcA, "ssm.us-east-1.amazonaws.com", dns.TypeA)
	ask(t, r, vpcB, "ssm.us-east-1.amazonaws.com", dns.TypeA)
	if f.reads.Load() != 2 || f.publicReads.Load() != 1 {
		t.Errorf("views read %d times and public names %d times for two VPCs and an unchanged state, want 2 and 1", f.reads.Load(), f.publicReads.Load())
	}
	// Private DNS switched off: the name is public again, once the
	// generation moves.
	f.views[vpcA].Endpoints[0].PrivateDNS = false
	f.gen.Add(1)
	m, why := ask(t, r, vpcA, "ssm.us-east-1.amazonaws.com", dns.TypeA)
	if strings.HasPrefix(addrs(m), "10.") || !strings.Contains(why, "public") {
		t.Errorf("after private DNS off: %s (%s)", addrs(m), why)
	}
	f.views[vpcA].DNSSupport = false
	f.gen.Add(1)
	m, _ = ask(t, r, vpcA, "ssm.us-east-1.amazonaws.com", dns.TypeA)
	if m.Rcode != dns.RcodeRefused {
		t.Errorf("enableDnsSupport off: rcode %s, want REFUSED", dns.RcodeToString[m.Rcode])
	}
}

func TestInboundOnlyS3(t *testing.T) {
	f := newFake()
	f.views[vpcA].Endpoints[1].InboundOnly = true
	r := New(Config{Source: f})
	m, why := ask(t, r, vpcA, "s3.us-east-1.amazonaws.com", dns.TypeA)
	if strings.HasPrefix(addrs(m), "10.") || !strings.Contains(why, "public") {
		t.Errorf("inbound-only S3 endpoint answered inside the VPC: %s (%s)", addrs(m), why)
	}
}

// upstream serves an upstream resolver on loopback that answers every
// name 192.0.2.7, after wait returns (nil: at once); it returns its address.
func upstream(t *testing.T, wait func()) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	up := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		if wait != nil {
			wait()
		}
		m := new(dns.Msg)
		m.SetReply(req)
		m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: req.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 300}, A: net.ParseIP("192.0.2.7")})
		w.WriteMsg(m)
	})}
	go up.ActivateAndServe()
	t.Cleanup(func() { up.Shutdown() })
	return pc.LocalAddr().String()
}

func TestUpstream(t *testing.T) {
	r := New(Config{Source: newFake(), Upstream: upstream(t, nil)})
	m, why := ask(t, r, vpcA, "example.org", dns.TypeA)
	if addrs(m) != "192.0.2.7" || !strings.Contains(why, "upstream") {
		t.Errorf("forwarded = %s (%s)", addrs(m), why)
	}
	// Private DNS still wins over the upstream.
	if m, _ := ask(t, r, vpcA, "ssm.us-east-1.amazonaws.com", dns.TypeA); addrs(m) != "10.0.1.10,10.0.2.10" {
		t.Errorf("private name went upstream: %s", addrs(m))
	}
}

func TestHandleTruncationAndEDNS(t *testing.T) {
	f := newFake()
	// 60 zones' worth of addresses make a reply larger than 512 bytes.
	e := &f.views[vpcA].Endpoints[0]
	for i := range 60 {
		e.Zones["z"+string(rune('a'+i%26))+itoa(byte(i))] = netip.AddrFrom4([4]byte{10, 0, 3, byte(i + 1)})
	}
	r := New(Config{Source: f})
	req := new(dns.Msg)
	req.SetQuestion("ssm.us-east-1.amazonaws.com.", dns.TypeA)
	pkt, _ := req.Pack()
	out := r.Handle(t.Context(), vpcA, pkt, true)
	m := new(dns.Msg)
	if err := m.Unpack(out); err != nil {
		t.Fatal(err)
	}
	if !m.Truncated || len(out) > 512 {
		t.Errorf("UDP reply of %d bytes, TC=%v; want TC and at most 512", len(out), m.Truncated)
	}
	full := r.Handle(t.Context(), vpcA, pkt, false)
	m = new(dns.Msg)
	m.Unpack(full)
	if m.Truncated || len(m.Answer) != 62 {
		t.Errorf("TCP reply: TC=%v, %d answers, want 62", m.Truncated, len(m.Answer))
	}
	req.SetEdns0(4096, false)
	pkt, _ = req.Pack()
	m = new(dns.Msg)
	m.Unpack(r.Handle(t.Context(), vpcA, pkt, true))
	if m.Truncated || m.IsEdns0() == nil || len(m.Answer) != 62 {
		t.Errorf("EDNS0 4096 reply: TC=%v OPT=%v answers=%d", m.Truncated, m.IsEdns0() != nil, len(m.Answer))
	}
	// Malformed packets and responses are dropped.
	for _, junk := range [][]byte{nil, {1, 2, 3}, append(pkt[:2:2], 0x80, 0, 0, 1)} {
		if out := r.Handle(t.Context(), vpcA, junk, true); out != nil {
			t.Errorf("Handle(%x) = %x, want dropped", junk, out)
		}
	}
}

func FuzzHandle(f *testing.F) {
	req := new(dns.Msg)
	req.SetQuestion("ssm.us-east-1.amazonaws.com.", dns.TypeA)
	pkt, _ := req.Pack()
	f.Add(pkt)
	req.SetEdns0(1232, true)
	pkt, _ = req.Pack()
	f.Add(pkt)
	req.SetQuestion("10.1.0.10.in-addr.arpa.", dns.TypePTR)
	pkt, _ = req.Pack()
	f.Add(pkt)
	f.Add([]byte{0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0})
	r := New(Config{Source: newFake()})
	f.Fuzz(func(t *testing.T, pkt []byte) {
		for _, udp := range []bool{true, false} {
			out := r.Handle(context.Background(), vpcA, pkt, udp)
			if out == nil {
				continue
			}
			m := new(dns.Msg)
			if err := m.Unpack(out); err != nil {
				t.Fatalf("reply does not parse: %v", err)
			}
			if udp && len(out) > maxUDPSize {
				t.Fatalf("UDP reply of %d bytes", len(out))
			}
		}
	})
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	r := New(Config{Source: newFake(), Metrics: m})
	for _, name := range []string{"ssm.us-east-1.amazonaws.com.", "nothing.us-east-1.amazonaws.com."} {
		req := new(dns.Msg)
		req.SetQuestion(name, dns.TypeA)
		pkt, _ := req.Pack()
		r.Handle(t.Context(), vpcA, pkt, true)
	}
	m.fast()
	for _, tc := range []struct {
		path, rcode string
		want        float64
	}{{"general", "NOERROR", 1}, {"general", "NXDOMAIN", 1}, {"fast", "NOERROR", 1}} {
		if got := testutil.ToFloat64(m.queries.WithLabelValues(tc.path, tc.rcode)); got != tc.want {
			t.Errorf("vpce_dns_queries_total{path=%q,rcode=%q} = %v, want %v", tc.path, tc.rcode, got, tc.want)
		}
	}
}

// TestAnswersDuringRebuild: while a zone is rebuilt after a change (slowly,
// here: the view is held), queries are answered from the previous zone;
// the new one is used once built.
func TestAnswersDuringRebuild(t *testing.T) {
	f := newFake()
	r := New(Config{Source: f})
	if m, _ := ask(t, r, vpcA, "ssm.us-east-1.amazonaws.com", dns.TypeA); addrs(m) != "10.0.1.10,10.0.2.10" {
		t.Fatalf("before the change: %s", addrs(m))
	}
	// A change: the ssm endpoint loses private DNS; its rebuild is held.
	f.block = make(chan struct{})
	v := *f.views[vpcA]
	v.Endpoints = []cloud.DNSEndpoint{ssmEndpoint("vpc-a", false)}
	f.views[vpcA] = &v
	f.gen.Add(1)
	if m, _ := ask(t, r, vpcA, "ssm.us-east-1.amazonaws.com", dns.TypeA); addrs(m) != "10.0.1.10,10.0.2.10" {
		t.Errorf("during the rebuild: %s, want the previous answer", addrs(m))
	}
	close(f.block)
	for range 100 {
		m, _ := ask(t, r, vpcA, "ssm.us-east-1.amazonaws.com", dns.TypeA)
		if addrs(m) != "10.0.1.10,10.0.2.10" {
			return // the new zone: private DNS is off
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Error("the rebuilt zone was never used")
}
