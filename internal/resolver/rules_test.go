package resolver

import (
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/vpce/vpce/internal/cloud"
)

// TestResolverRules pins how a VPC resolver follows Route 53 Resolver
// rules: a FORWARD rule sends matching names (and names under them) to its
// targets — over the network, or in process when the target is an inbound
// endpoint vpce serves, which answers with its VPC's inbound view; a more
// specific private zone or SYSTEM rule keeps a name local; rules that
// forward in a circle end in SERVFAIL; the fast path never answers a name
// a rule owns.
func TestResolverRules(t *testing.T) {
	// A name server "on premises" on loopback.
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(req)
		m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: req.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 5}, A: net.ParseIP("192.0.2.7")})
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	onPrem := netip.MustParseAddrPort(pc.LocalAddr().String())

	f := newFake()
	a := f.views[vpcA]
	a.Endpoints[1].InboundOnly = true // S3's private names: inbound endpoints only
	inbound := netip.MustParseAddr("127.100.0.9")
	in := *a
	in.Inbound = true
	f.views[inbound] = &in
	b := f.views[vpcB]
	b.Rules = []cloud.DNSRule{
		{ID: "rslvr-rr-s3", Domain: "s3.us-east-1.amazonaws.com.", Targets: []netip.AddrPort{netip.AddrPortFrom(inbound, 0)}, InboundVPC: "vpc-a"},
		{ID: "rslvr-rr-corp", Domain: "corp.example.", Targets: []netip.AddrPort{onPrem}},
		{ID: "rslvr-rr-sys", Domain: "local.corp.example.", System: true},
		{ID: "rslvr-rr-loop", Domain: "loop.example.", Targets: []netip.AddrPort{netip.AddrPortFrom(vpcB, 0)}},
		{ID: "rslvr-rr-far", Domain: "far.example.", Targets: []netip.AddrPort{netip.MustParseAddrPort("192.0.2.53:53")}},
	}
	b.Zones = []cloud.DNSZone{{ID: "ZDB", Name: "db.corp.example.", Records: []cloud.RecordSet{{Name: "db.corp.example.", Type: "A", Values: []string{"10.9.9.9"}}}}}
	everything := netip.MustParseAddr("127.100.0.10")
	f.views[everything] = &cloud.DNSView{VpcID: "vpc-c", Region: "us-east-1", DNSSupport: true,
		Rules: []cloud.DNSRule{{ID: "rslvr-rr-root", Domain: ".", Targets: []netip.AddrPort{onPrem}}, {ID: "rslvr-rr-aws", Domain: "amazonaws.com.", System: true}}}
	r := New(Config{Source: f})

	for _, tc := range []struct {
		at         netip.Addr
		name, want string // want: addresses, or the rcode
		why        string // in the reason
	}{
		{vpcA, "s3.us-east-1.amazonaws.com", "public", "catalog"},
		{inbound, "s3.us-east-1.amazonaws.com", "10.0.1.20", "private DNS"},
		{vpcB, "s3.us-east-1.amazonaws.com", "10.0.1.20", "rslvr-rr-s3"},
		{vpcB, "bucket.s3.us-east-1.amazonaws.com", "10.0.1.20", "inbound endpoint at 127.100.0.9"},
		{vpcB, "app.corp.example", "192.0.2.7", "answered by " + onPrem.String()},
		{vpcB, "db.corp.example", "10.9.9.9", "ZDB"},
		{vpcB, "x.local.corp.example", "SERVFAIL", "no --dns-upstream"},
		{vpcB, "loop.example", "SERVFAIL", "no target answered"},
		{vpcA, "app.corp.example", "SERVFAIL", "no --dns-upstream"},
		// Rules may name any address; vpce asks only loopback ones unless
		// --dns-rule-targets allows more.
		{vpcB, "www.far.example", "SERVFAIL", "192.0.2.53:53 is outside --dns-rule-targets"},
		// A rule for "." takes every name a more specific rule leaves.
		{everything, "anything.test", "192.0.2.7", "rslvr-rr-root"},
		{everything, "sts.us-east-1.amazonaws.com", "public", "catalog"},
	} {
		m, reason := ask(t, r, tc.at, tc.name, dns.TypeA)
		got := dns.RcodeToString[m.Rcode]
		if m.Rcode == dns.RcodeSuccess {
			got = addrs(m)
			if tc.want == "public" && got != "" && !strings.HasPrefix(got, "10.") {
				got = "public"
			}
		}
		if got != tc.want || !strings.Contains(reason, tc.why) {
			t.Errorf("%s at %s = %q (%s), want %q (reason with %q)", tc.name, tc.at, got, reason, tc.want, tc.why)
		}
	}

	z, err := r.zoneFor(t.Context(), vpcB)
	if err != nil {
		t.Fatal(err)
	}
	zIn, err := r.zoneFor(t.Context(), inbound)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		to   netip.Addr // the inbound endpoint the fast path hands it to
	}{
		{"s3.us-east-1.amazonaws.com.", inbound},
		{"BUCKET.s3.us-east-1.amazonaws.com.", inbound},
		{"app.corp.example.", netip.Addr{}}, // a target over the network
		{"db.corp.example.", netip.Addr{}},  // the private zone is more specific
		{"x.local.corp.example.", netip.Addr{}},
	} {
		req := new(dns.Msg)
		req.SetQuestion(tc.name, dns.TypeA)
		pkt, _ := req.Pack()
		if _, ok := fastAnswer(z, pkt, make([]byte, 0, maxUDPSize), true); ok {
			t.Errorf("the fast path answered %s in the spoke, whose rules decide it", tc.name)
		}
		to, ok := z.fastForward(pkt)
		if to != tc.to || ok != tc.to.IsValid() {
			t.Errorf("fastForward(%s) = %v %v, want %v", tc.name, to, ok, tc.to)
			continue
		}
		if ok {
			fast, ok := fastAnswer(zIn, pkt, make([]byte, 0, maxUDPSize), true)
			if !ok {
				t.Errorf("the inbound endpoint's zone did not answer %s on the fast path", tc.name)
				continue
			}
			sameReply(t, fast, r.Handle(t.Context(), vpcB, pkt, true))
		}
	}
}
