package resolver

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vpce/vpce/internal/catalog"
	"github.com/vpce/vpce/internal/cloud"
)

// record is what a name resolves to in a VPC, and why.
type record struct {
	addrs  []netip.Addr // A
	addrs6 []netip.Addr // AAAA
	reason string
	// zone is the zone an endpoint's private DNS name makes (the name
	// without "*."): a private hosted zone more specific than it wins.
	zone string
}

type wildRecord struct {
	suffix string // ".dkr.ecr.us-east-1.amazonaws.com."
	record
}

// zone is a VPC's compiled view: every name it answers itself.
type zone struct {
	// shared answers what the VPC does not: the public vpce names of every
	// endpoint, compiled once per state for all VPCs.
	shared     *zone
	target     cloud.ResolverTarget
	dnsSupport bool
	exact      map[string]record
	wild       []wildRecord      // longest suffix first
	ptr        map[string]string // reverse name → host name
	// hosts answers EC2 host names from the state when asked (the
	// resolver's zones); nil where they are compiled into exact and ptr.
	hosts *cloud.HostLookup
	// vpces answers public vpce names by the endpoint ID they carry, when
	// asked, instead of a shared zone of every endpoint's names.
	vpces *vpceCache
	// ranges are the state's own prefix-list ranges per service, which
	// public answers fall in (see cloud.DNSView.ServiceRanges).
	ranges map[string][]netip.Prefix
	// next is when the zone changes by itself (a pending endpoint becomes
	// available); zero when nothing is due.
	next time.Time
	// phz are the Route 53 private hosted zones associated with the VPC,
	// the most specific name first; phzFast their names whose answer is
	// addresses alone (no CNAME), compiled for the fast path.
	phz     []cloud.DNSZone
	phzFast map[string]record
	// rules are the Resolver rules associated with the VPC.
	rules []cloud.DNSRule
}

func fqdn(name string) string {
	name = strings.ToLower(name)
	if !strings.HasSuffix(name, ".") {
		name += "."
	}
	return name
}

// reverseName returns the in-addr.arpa name of an IPv4 address.
func reverseName(a netip.Addr) string {
	b := a.As4()
	return itoa(b[3]) + "." + itoa(b[2]) + "." + itoa(b[1]) + "." + itoa(b[0]) + ".in-addr.arpa."
}

func itoa(b byte) string {
	if b < 10 {
		return string('0' + b)
	}
	if b < 100 {
		return string([]byte{'0' + b/10, '0' + b%10})
	}
	return string([]byte{'0' + b/100, '0' + b/10%10, '0' + b%10})
}

// reverse returns the host name of an in-addr.arpa name (lower case, with
// the final dot), if the VPC has one.
func (z *zone) reverse(name string) (string, bool) {
	if p, ok := z.ptr[name]; ok {
		return p, true
	}
	if z.hosts == nil {
		return "", false
	}
	rest, ok := strings.CutSuffix(name, ".in-addr.arpa.")
	if !ok {
		return "", false
	}
	parts := strings.Split(rest, ".")
	if len(parts) != 4 {
		return "", false
	}
	a, err := netip.ParseAddr(parts[3] + "." + parts[2] + "." + parts[1] + "." + parts[0])
	if err != nil {
		return "", false
	}
	n, ok := z.hosts.Name(context.Background(), a)
	return fqdn(n), ok
}

func (z *zone) add(name string, r record) {
	name = fqdn(name)
	if rest, ok := strings.CutPrefix(name, "*."); ok {
		z.wild = append(z.wild, wildRecord{suffix: "." + rest, record: r})
		return
	}
	z.exact[name] = r
}

// compileShared builds the zone of the public vpce names of every
// available interface endpoint.
func compileShared(eps []cloud.DNSEndpoint) *zone {
	z := &zone{dnsSupport: true, exact: map[string]record{}, ptr: map[string]string{}}
	for _, e := range eps {
		a, aaaa := e.RecordTypes(true)
		for _, d := range e.Names {
			if !strings.HasSuffix(d.DNSName, ".vpce.amazonaws.com") {
				continue
			}
			r := endpointRecord(e, a, aaaa, "regional DNS name of "+e.ID+" ("+e.Service+")")
			zn := cloud.ZoneOfName(d.DNSName, e.Zones)
			if zn == "" {
				zn = cloud.ZoneOfName(d.DNSName, e.Zones6) // an IPv6-only endpoint
			}
			if zn != "" {
				r = record{reason: "zonal DNS name of " + e.ID + " in " + zn}
				if a {
					r.addrs = []netip.Addr{e.Zones[zn]}
				}
				if v6, ok := e.Zones6[zn]; ok && aaaa {
					r.addrs6 = []netip.Addr{v6}
				}
			}
			z.add(d.DNSName, r)
			if base, ok := strings.CutPrefix(d.DNSName, "*."); ok {
				z.add(base, r)
			}
		}
	}
	slices.SortFunc(z.wild, func(a, b wildRecord) int { return len(b.suffix) - len(a.suffix) })
	return z
}

// compile builds a VPC's zone from a snapshot of its DNS facts, on top of
// the shared zone of public vpce names.
func compile(v *cloud.DNSView, t cloud.ResolverTarget, shared *zone) *zone {
	z := &zone{shared: shared, target: t, dnsSupport: v.DNSSupport, exact: map[string]record{}, ptr: map[string]string{}, ranges: v.ServiceRanges}
	// Private DNS of this VPC's endpoints.
	for _, e := range v.Endpoints {
		if !e.PrivateDNS || (e.InboundOnly && !v.Inbound) {
			continue
		}
		a, aaaa := e.RecordTypes(false)
		r := endpointRecord(e, a, aaaa, "private DNS of "+e.ID+" ("+e.Service+")")
		for _, name := range e.PrivateNames {
			r.zone = fqdn(strings.TrimPrefix(name, "*."))
			z.add(name, r)
		}
	}
	z.hosts = v.HostLookup
	z.rules = v.Rules
	z.phz = slices.Clone(v.Zones)
	slices.SortFunc(z.phz, func(a, b cloud.DNSZone) int { return strings.Count(b.Name, ".") - strings.Count(a.Name, ".") })
	if len(z.phz) > 0 {
		// Answers the zones give by address alone, decided now by the same
		// rules (answerDepth) so the fast path can serve them.
		z.phzFast = map[string]record{}
		for _, pz := range z.phz {
			for _, r := range pz.Records {
				if r.Type != "A" && r.Type != "AAAA" || strings.HasPrefix(r.Name, "*.") {
					continue
				}
				if _, done := z.phzFast[r.Name]; done {
					continue
				}
				if res := z.answerDepth(r.Name, 0); res.Kind == FromVPC && len(res.Chain) == 0 {
					z.phzFast[r.Name] = record{addrs: res.Addrs, addrs6: res.Addrs6, reason: res.Reason}
				}
			}
		}
	}
	if v.DNSHostnames {
		for _, h := range v.Hosts {
			r := record{addrs: []netip.Addr{h.Addr}, reason: "EC2 private host name"}
			z.exact[fqdn(h.Name)] = r
			z.ptr[reverseName(h.Addr)] = fqdn(h.Name)
		}
	}
	slices.SortFunc(z.wild, func(a, b wildRecord) int { return len(b.suffix) - len(a.suffix) })
	return z
}

// endpointRecord is the record of an endpoint name that answers every
// zone's interface: A, AAAA or both, as its record IP type says.
func endpointRecord(e cloud.DNSEndpoint, a, aaaa bool, reason string) record {
	r := record{reason: reason}
	if a {
		r.addrs = zoneAddrs(e.Zones)
	}
	if aaaa {
		r.addrs6 = zoneAddrs(e.Zones6)
	}
	return r
}

// zoneAddrs lists a zone → address map's addresses by zone name.
func zoneAddrs(m map[string]netip.Addr) []netip.Addr {
	zones := make([]string, 0, len(m))
	for zn := range m {
		zones = append(zones, zn)
	}
	slices.Sort(zones)
	out := make([]netip.Addr, len(zones))
	for i, zn := range zones {
		out[i] = m[zn]
	}
	return out
}

// lookup finds a name the VPC answers itself: its own names first, then
// the public vpce names.
func (z *zone) lookup(name string) (record, bool) {
	if r, ok := z.exact[name]; ok {
		return r, true
	}
	if z.hosts != nil && strings.HasPrefix(name, "ip-") {
		if a, ok := z.hosts.Addr(context.Background(), name); ok {
			return record{addrs: []netip.Addr{a}, reason: "EC2 private host name"}, true
		}
	}
	for _, w := range z.wild {
		if strings.HasSuffix(name, w.suffix) && len(name) > len(w.suffix) {
			return w.record, true
		}
	}
	if z.shared != nil {
		return z.shared.lookup(name)
	}
	if z.vpces != nil && strings.HasSuffix(name, ".vpce.amazonaws.com.") {
		return lookupVpce(z.vpces, name)
	}
	return record{}, false
}

// vpceCache holds each endpoint's compiled public names for one DNS
// generation: a write anywhere (a new generation) drops them all, a
// pending endpoint is read again until it is available.
type vpceCache struct {
	src VpceSource
	gen func() uint64
	m   sync.Map // endpoint ID → *vpceEntry
	n   atomic.Int64
}

type vpceEntry struct {
	gen uint64
	z   *zone
}

// maxVpceCache bounds the cache; past it, it starts again.
const maxVpceCache = 200000

// zoneOf returns the compiled public names of an available endpoint.
func (c *vpceCache) zoneOf(id string) (*zone, bool) {
	g := c.gen()
	if e, ok := c.m.Load(id); ok && e.(*vpceEntry).gen == g {
		return e.(*vpceEntry).z, true
	}
	de, ok, err := c.src.VpceEndpointDNS(context.Background(), id)
	if err != nil || !ok {
		return nil, false
	}
	z := compileShared([]cloud.DNSEndpoint{de})
	if c.n.Add(1) > maxVpceCache {
		c.m.Clear()
		c.n.Store(0)
	}
	c.m.Store(id, &vpceEntry{g, z})
	return z, true
}

// lookupVpce answers a public vpce name from the endpoint whose ID it
// carries (vpce-0123456789abcdef0-abcd1234[-zone].service.region.vpce…,
// or a name under it), compiled as the shared zone compiles it: the same
// rules, for one endpoint.
func lookupVpce(src *vpceCache, name string) (record, bool) {
	for label := range strings.SplitSeq(name, ".") {
		rest, ok := strings.CutPrefix(label, "vpce-")
		if !ok {
			continue
		}
		n := 0
		for n < len(rest) && ('0' <= rest[n] && rest[n] <= '9' || 'a' <= rest[n] && rest[n] <= 'f') {
			n++
		}
		if (n != 8 && n != 17) || (n < len(rest) && rest[n] != '-') {
			continue
		}
		z, ok := src.zoneOf("vpce-" + rest[:n])
		if !ok {
			return record{}, false
		}
		return z.lookup(name)
	}
	return record{}, false
}

// publicNames maps the catalog's public service names to their service.
type publicNames struct {
	exact map[string]publicName
	wild  []wildPublic
}

type publicName struct{ region, service string }

type wildPublic struct {
	suffix string
	publicName
}

var public = func() *publicNames {
	p := &publicNames{exact: map[string]publicName{}}
	for _, r := range catalog.Regions() {
		for _, s := range catalog.Services(r.Name) {
			names := slices.Clone(s.PrivateDNSNames)
			if s.Type == catalog.TypeGateway {
				names = append(names, s.DNSLabel+"."+r.Name+".amazonaws.com", "*."+s.DNSLabel+"."+r.Name+".amazonaws.com")
			}
			for _, n := range names {
				pn := publicName{r.Name, s.Short}
				if rest, ok := strings.CutPrefix(fqdn(n), "*."); ok {
					p.wild = append(p.wild, wildPublic{"." + rest, pn})
				} else {
					p.exact[fqdn(n)] = pn
				}
			}
		}
	}
	// Global names AWS still answers, served by us-east-1.
	for name, svc := range map[string]string{"s3.amazonaws.com": "s3", "*.s3.amazonaws.com": "s3", "sts.amazonaws.com": "sts"} {
		pn := publicName{"us-east-1", svc}
		if rest, ok := strings.CutPrefix(name, "*."); ok {
			p.wild = append(p.wild, wildPublic{"." + fqdn(rest), pn})
		} else {
			p.exact[fqdn(name)] = pn
		}
	}
	slices.SortFunc(p.wild, func(a, b wildPublic) int { return len(b.suffix) - len(a.suffix) })
	return p
}()

func (p *publicNames) lookup(name string) (publicName, bool) {
	if n, ok := p.exact[name]; ok {
		return n, true
	}
	for _, w := range p.wild {
		if strings.HasSuffix(name, w.suffix) && len(name) > len(w.suffix) {
			return w.publicName, true
		}
	}
	return publicName{}, false
}

// awsDomain reports whether a name is in a domain AWS answers for, where an
// unknown name is NXDOMAIN rather than a question for the internet.
func awsDomain(name string) bool {
	return strings.HasSuffix(name, ".amazonaws.com.") || strings.HasSuffix(name, ".internal.") || name == "amazonaws.com."
}
