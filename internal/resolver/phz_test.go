package resolver

import (
	"strings"
	"testing"

	"github.com/miekg/dns"
	"github.com/vpce/vpce/internal/cloud"
)

// TestPrivateHostedZones: Route 53 Resolver's rules for private hosted
// zones associated with a VPC. The most specific zone answers every name
// under it (a name it lacks is NXDOMAIN, even with an upstream); an
// endpoint's private DNS name is a zone of its own and wins over a less
// specific private zone; CNAMEs are shown as a chain, aliases answer with
// their target's addresses; the fast path answers as the general one.
func TestPrivateHostedZones(t *testing.T) {
	f := newFake()
	v := f.views[vpcA]
	v.Zones = []cloud.DNSZone{
		{ID: "ZCORP", Name: "corp.internal.", Records: []cloud.RecordSet{
			{Name: "db.corp.internal.", Type: "A", Values: []string{"10.0.5.5"}},
			{Name: "db.corp.internal.", Type: "AAAA", Values: []string{"fd00::5"}},
			{Name: "www.corp.internal.", Type: "CNAME", Values: []string{"db.corp.internal"}},
			{Name: "*.apps.corp.internal.", Type: "A", Values: []string{"10.0.6.6"}},
			{Name: "ssm-alias.corp.internal.", Type: "A", Alias: &cloud.AliasTarget{DNSName: "vpce-0aaaaaaaaaaaaaaaa-abcdefgh.ssm.us-east-1.vpce.amazonaws.com."}},
		}},
		// Less specific than the ssm endpoint's private name: ssm stays
		// the endpoint's; other names under it are the zone's (a zone for
		// amazonaws.com itself would swallow the vpce names too, as in AWS).
		{ID: "ZAWS", Name: "us-east-1.amazonaws.com.", Records: []cloud.RecordSet{
			{Name: "sts.us-east-1.amazonaws.com.", Type: "A", Values: []string{"10.0.7.7"}},
		}},
	}
	r := New(Config{Source: f, Upstream: "127.0.0.1:1"})
	for _, tc := range []struct {
		name string
		qt   uint16
		want string // answers, or the rcode
	}{
		{"db.corp.internal", dns.TypeA, "10.0.5.5"},
		{"db.corp.internal", dns.TypeAAAA, "fd00::5"},
		{"www.corp.internal", dns.TypeA, "CNAME db.corp.internal. 10.0.5.5"},
		{"x.apps.corp.internal", dns.TypeA, "10.0.6.6"},
		{"nope.corp.internal", dns.TypeA, "NXDOMAIN"},
		{"ssm-alias.corp.internal", dns.TypeA, "10.0.1.10 10.0.2.10"},
		{"ssm.us-east-1.amazonaws.com", dns.TypeA, "10.0.1.10 10.0.2.10"},
		{"sts.us-east-1.amazonaws.com", dns.TypeA, "10.0.7.7"},
		{"kms.us-east-1.amazonaws.com", dns.TypeA, "NXDOMAIN"},
	} {
		m, reason := ask(t, r, vpcA, tc.name, tc.qt)
		got := dns.RcodeToString[m.Rcode]
		if m.Rcode == dns.RcodeSuccess {
			var parts []string
			for _, rr := range m.Answer {
				switch x := rr.(type) {
				case *dns.A:
					parts = append(parts, x.A.String())
				case *dns.AAAA:
					parts = append(parts, x.AAAA.String())
				case *dns.CNAME:
					parts = append(parts, "CNAME "+x.Target)
				}
			}
			got = strings.Join(parts, " ")
		}
		if got != tc.want {
			t.Errorf("%s %s = %q (%s), want %q", tc.name, dns.TypeToString[tc.qt], got, reason, tc.want)
		}
	}
	z, err := r.zoneFor(t.Context(), vpcA)
	if err != nil {
		t.Fatal(err)
	}
	hit := 0
	for _, name := range []string{"db.corp.internal.", "www.corp.internal.", "nope.corp.internal.", "ssm.us-east-1.amazonaws.com.", "sts.us-east-1.amazonaws.com.", "ssm-alias.corp.internal."} {
		req := new(dns.Msg)
		req.SetQuestion(name, dns.TypeA)
		pkt, _ := req.Pack()
		if fast, ok := fastAnswer(z, pkt, make([]byte, 0, maxUDPSize), true); ok {
			hit++
			sameReply(t, fast, r.Handle(t.Context(), vpcA, pkt, true))
		}
	}
	if hit < 4 {
		t.Errorf("the fast path answered %d private-zone queries; address records should be served there", hit)
	}
}
