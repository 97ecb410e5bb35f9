package resolver

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/miekg/dns"

	"github.com/vpce/vpce/internal/cloud"
)

// TTL is the TTL of the records vpce answers itself, as AWS's resolver
// gives endpoint records.
const TTL = 60

// Source is what the resolver reads: *cloud.Cloud.
type Source interface {
	// DNSGeneration changes whenever what DNS reads changes.
	DNSGeneration() uint64
	ResolverTarget(ctx context.Context, addr netip.Addr) (cloud.ResolverTarget, bool, error)
	DNSView(ctx context.Context, t cloud.ResolverTarget) (*cloud.DNSView, error)
	PublicVpceDNS(ctx context.Context) ([]cloud.DNSEndpoint, time.Time, error)
	// ResolverPrefix is the range VPC resolver addresses come from; a
	// query to another address is never looked up.
	ResolverPrefix() netip.Prefix
}

// Config configures a [Resolver]. Source is required.
type Config struct {
	Source Source
	// Upstream, when set (host:port), receives every query for a name the
	// VPC does not answer itself. Empty means answer from the catalog.
	Upstream string
	// RuleTargets are the networks Route 53 Resolver FORWARD rules may
	// send queries to; empty means loopback only. A rule names any
	// address a tenant likes: vpce does not send queries elsewhere unless
	// told to.
	RuleTargets []netip.Prefix
	// Logger; nil means slog.Default().
	Logger *slog.Logger
	// Metrics, when set, counts queries (see [NewMetrics]).
	Metrics *Metrics
}

// Resolver answers DNS queries for VPCs.
type Resolver struct {
	cfg   Config
	log   *slog.Logger
	mu    sync.RWMutex
	zones map[netip.Addr]*entry
	// building holds the rebuild under way for an address, one at a time.
	building map[netip.Addr]*build
	// shared is the public vpce zone, sharedMu serializes its rebuilds.
	shared   *entry
	sharedMu sync.Mutex
	up       *dns.Client
	now      func() time.Time
	// vpces caches each endpoint's compiled public names per DNS
	// generation, for the lazy vpce-name lookups.
	vpces *vpceCache
}

// entry is a compiled zone and what it was compiled from: the DNS
// generation, and the time it changes by itself (zero: never).
type entry struct {
	z    *zone // nil: no VPC at that address
	gen  uint64
	next time.Time
	// cost is how long building this zone took: the next query waits for
	// a rebuild only when rebuilds are quick.
	cost time.Duration
}

func (e *entry) fresh(gen uint64, now time.Time) bool {
	return e != nil && e.gen == gen && (e.next.IsZero() || now.Before(e.next))
}

// build is one zone rebuild in flight.
type build struct {
	done chan struct{}
	err  error
}

// staleWait is how long a query waits for a rebuild before it is answered
// from the previous view, and quickBuild how fast the previous build must
// have been for a query to wait at all: on a small state the rebuild
// finishes first and the answer is current; on a large one queries are
// answered from the previous zone at once and never queue behind it.
const (
	staleWait  = 250 * time.Millisecond
	quickBuild = 100 * time.Millisecond
)

// New returns a Resolver.
func New(cfg Config) *Resolver {
	r := &Resolver{cfg: cfg, log: cfg.Logger, zones: map[netip.Addr]*entry{}, building: map[netip.Addr]*build{},
		up: &dns.Client{Timeout: forwardTimeout}, now: time.Now}
	if r.log == nil {
		r.log = slog.Default()
	}
	return r
}

// zoneFor returns the compiled zone of the VPC served at addr; nil when no
// VPC has that address. When the state has changed since the zone was
// built, one rebuild starts; the query waits for it up to staleWait and is
// otherwise answered from the previous zone — DNS never stalls behind a
// rebuild.
func (r *Resolver) zoneFor(ctx context.Context, addr netip.Addr) (*zone, error) {
	z, _, err := r.zoneGen(ctx, addr)
	return z, err
}

// zoneGen is zoneFor that also says which DNS generation the zone it
// returns was built at (an older one while a rebuild runs).
func (r *Resolver) zoneGen(ctx context.Context, addr netip.Addr) (*zone, uint64, error) {
	gen := r.cfg.Source.DNSGeneration()
	if !r.cfg.Source.ResolverPrefix().Contains(addr) {
		// No VPC is served there: answer without reading the store, and
		// remember nothing, so that queries to the rest of 127.0.0.0/8
		// cannot grow the cache.
		return nil, gen, nil
	}
	r.mu.RLock()
	e := r.zones[addr]
	r.mu.RUnlock()
	if e.fresh(gen, r.now()) {
		return e.z, e.gen, nil
	}
	b := r.rebuild(addr, gen)
	if e != nil {
		if e.cost > quickBuild {
			return e.z, e.gen, nil
		}
		t := time.NewTimer(staleWait)
		defer t.Stop()
		select {
		case <-b.done:
		case <-t.C:
			return e.z, e.gen, nil
		}
	} else {
		select {
		case <-b.done:
		case <-ctx.Done():
			return nil, 0, ctx.Err()
		}
	}
	if b.err != nil {
		if e != nil {
			return e.z, e.gen, nil
		}
		return nil, 0, b.err
	}
	r.mu.RLock()
	e = r.zones[addr]
	r.mu.RUnlock()
	return e.z, e.gen, nil
}

// rebuild starts compiling addr's zone unless a rebuild is under way, and
// returns it.
func (r *Resolver) rebuild(addr netip.Addr, gen uint64) *build {
	r.mu.RLock()
	b, ok := r.building[addr]
	r.mu.RUnlock()
	if ok {
		return b
	}
	r.mu.Lock()
	if b, ok := r.building[addr]; ok {
		r.mu.Unlock()
		return b
	}
	b = &build{done: make(chan struct{})}
	r.building[addr] = b
	r.mu.Unlock()
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		start := time.Now()
		e, err := r.compileAt(ctx, addr, gen)
		if e != nil {
			e.cost = time.Since(start)
		}
		r.mu.Lock()
		if err == nil {
			r.zones[addr] = e
		}
		delete(r.building, addr)
		r.mu.Unlock()
		b.err = err
		close(b.done)
	}()
	return b
}

// compileAt reads and compiles the zone of the VPC at addr.
func (r *Resolver) compileAt(ctx context.Context, addr netip.Addr, gen uint64) (*entry, error) {
	now := r.now()
	t, found, err := r.cfg.Source.ResolverTarget(ctx, addr)
	if err != nil {
		return nil, err
	}
	if !found {
		return &entry{gen: gen}, nil
	}
	v, err := r.cfg.Source.DNSView(ctx, t)
	if err != nil {
		return nil, err
	}
	if lazy, ok := r.cfg.Source.(VpceSource); ok {
		// Public vpce names are looked up by the ID they carry when
		// asked: no zone of every endpoint to rebuild.
		z := compile(v, t, nil)
		r.sharedMu.Lock()
		if r.vpces == nil {
			r.vpces = &vpceCache{src: lazy, gen: r.cfg.Source.DNSGeneration}
		}
		z.vpces = r.vpces
		r.sharedMu.Unlock()
		return &entry{z: z, gen: gen, next: v.NextChange}, nil
	}
	shared, err := r.sharedZone(ctx, gen, now)
	if err != nil {
		return nil, err
	}
	z := compile(v, t, shared.z)
	next := v.NextChange
	if !shared.next.IsZero() && (next.IsZero() || shared.next.Before(next)) {
		next = shared.next
	}
	z.next = next
	return &entry{z: z, gen: gen, next: next}, nil
}

// VpceSource is a [Source] that finds an endpoint by ID (*cloud.Cloud): the
// resolver then answers public vpce names from it when asked instead of
// compiling every endpoint's names.
type VpceSource interface {
	VpceEndpointDNS(ctx context.Context, id string) (cloud.DNSEndpoint, bool, error)
}

// Resolution is a VPC resolver's answer as `vpce dns resolve` shows it
// (GET /_vpce/dns/resolve).
type Resolution struct {
	VpcID   string   `json:"vpcId"`
	Address string   `json:"resolverAddress"`
	Name    string   `json:"name"`
	Type    string   `json:"type"`
	Rcode   string   `json:"rcode"`
	Answers []string `json:"answers"`
	Reason  string   `json:"reason"`
}

// sharedZone returns the public vpce zone, reading and compiling it once
// per generation however many VPCs ask.
func (r *Resolver) sharedZone(ctx context.Context, gen uint64, now time.Time) (*entry, error) {
	r.sharedMu.Lock()
	defer r.sharedMu.Unlock()
	if r.shared.fresh(gen, now) {
		return r.shared, nil
	}
	eps, next, err := r.cfg.Source.PublicVpceDNS(ctx)
	if err != nil {
		return nil, err
	}
	r.shared = &entry{z: compileShared(eps), gen: gen, next: next}
	return r.shared, nil
}

// Answer is a resolution and the reason for it, for people.
type Answer struct {
	Msg    *dns.Msg
	Reason string
}

// Resolve answers req as the resolver at local would, forwarding to the
// upstream when the name needs it. It returns nil when the query must be
// dropped (no VPC there).
func (r *Resolver) Resolve(ctx context.Context, local netip.Addr, req *dns.Msg) (*Answer, error) {
	ans, upstream, err := r.resolveLocal(ctx, local, req)
	if upstream {
		fctx, cancel := context.WithTimeout(ctx, forwardTimeout)
		defer cancel()
		return r.forward(fctx, req), nil
	}
	return ans, err
}

// resolveLocal answers req from what vpce knows; upstream is set when the
// name must be forwarded instead.
func (r *Resolver) resolveLocal(ctx context.Context, local netip.Addr, req *dns.Msg) (ans *Answer, upstream bool, err error) {
	resp := new(dns.Msg)
	resp.SetReply(req)
	resp.RecursionAvailable = true
	resp.Authoritative = false
	if req.Opcode != dns.OpcodeQuery {
		resp.Rcode = dns.RcodeNotImplemented
		return &Answer{resp, "only standard queries are answered"}, false, nil
	}
	if len(req.Question) != 1 {
		resp.Rcode = dns.RcodeFormatError
		return &Answer{resp, "a query must ask one question"}, false, nil
	}
	z, err := r.zoneFor(ctx, local)
	if err != nil {
		resp.Rcode = dns.RcodeServerFailure
		return &Answer{resp, "state could not be read: " + err.Error()}, false, err
	}
	if z == nil {
		resp.Rcode = dns.RcodeRefused
		return &Answer{resp, fmt.Sprintf("no VPC resolver at %s", local)}, false, nil
	}
	if !z.dnsSupport {
		resp.Rcode = dns.RcodeRefused
		return &Answer{resp, z.target.VpcID + " has enableDnsSupport off: its resolver does not answer"}, false, nil
	}
	q := req.Question[0]
	name := fqdn(q.Name)
	if q.Qclass != dns.ClassINET && q.Qclass != dns.ClassANY {
		resp.Rcode = dns.RcodeRefused
		return &Answer{resp, "only class IN is served"}, false, nil
	}
	if q.Qtype == dns.TypePTR {
		if p, ok := z.reverse(name); ok {
			resp.Answer = append(resp.Answer, &dns.PTR{Hdr: hdr(q.Name, dns.TypePTR), Ptr: p})
			return &Answer{resp, "EC2 private host name"}, false, nil
		}
	}
	res := z.answer(name)
	if len(res.Forward) > 0 {
		fctx, cancel := context.WithTimeout(ctx, forwardTimeout)
		defer cancel()
		return r.forwardTo(fctx, req, res.Forward, res.Reason), false, nil
	}
	if res.Kind != FromVPC && !res.Private && r.cfg.Upstream != "" {
		return nil, true, nil
	}
	switch res.Kind {
	case FromVPC, FromCatalog:
		return &Answer{answerAddrs(resp, q, res.Chain, res.Addrs, res.Addrs6), res.Reason}, false, nil
	case NoSuchName:
		resp.Rcode = dns.RcodeNameError
	default:
		resp.Rcode = dns.RcodeServerFailure
	}
	return &Answer{resp, res.Reason}, false, nil
}

func hdr(name string, t uint16) dns.RR_Header {
	return dns.RR_Header{Name: name, Rrtype: t, Class: dns.ClassINET, Ttl: TTL}
}

// answerAddrs answers a name that exists with its A or AAAA records (ANY:
// both); other types, and a type the name has no records of, get an empty
// NOERROR.
func answerAddrs(resp *dns.Msg, q dns.Question, chain []string, addrs, addrs6 []netip.Addr) *dns.Msg {
	owner := q.Name
	if len(chain) > 1 {
		// A CNAME chain: each link (the first under the name as asked),
		// then the addresses under the last name.
		for i := 0; i+1 < len(chain); i++ {
			n := chain[i]
			if i == 0 {
				n = q.Name
			}
			resp.Answer = append(resp.Answer, &dns.CNAME{Hdr: hdr(n, dns.TypeCNAME), Target: chain[i+1]})
		}
		owner = chain[len(chain)-1]
	}
	if q.Qtype == dns.TypeA || q.Qtype == dns.TypeANY {
		for _, a := range addrs {
			resp.Answer = append(resp.Answer, &dns.A{Hdr: hdr(owner, dns.TypeA), A: a.AsSlice()})
		}
	}
	if q.Qtype == dns.TypeAAAA || q.Qtype == dns.TypeANY {
		for _, a := range addrs6 {
			resp.Answer = append(resp.Answer, &dns.AAAA{Hdr: hdr(owner, dns.TypeAAAA), AAAA: a.AsSlice()})
		}
	}
	return resp
}

// forwardTo sends a query a Resolver rule matched to the rule's targets,
// in order, and answers with the first reply; none: SERVFAIL.
//
// A target with port 0 is an inbound endpoint vpce serves itself (the
// rule named one of its interface addresses): it is asked in process, at
// most maxRuleHops deep, so rules that forward in a circle end.
func (r *Resolver) forwardTo(ctx context.Context, req *dns.Msg, targets []netip.AddrPort, why string) *Answer {
	for _, t := range targets {
		if t.Port() == 0 {
			hops, _ := ctx.Value(ruleHops{}).(int)
			if hops >= maxRuleHops {
				continue
			}
			ans, err := r.Resolve(context.WithValue(ctx, ruleHops{}, hops+1), t.Addr(), req)
			if err == nil {
				return &Answer{ans.Msg, why + ": answered by inbound endpoint at " + t.Addr().String() + " (" + ans.Reason + ")"}
			}
			continue
		}
		if !r.mayForwardTo(t.Addr()) {
			why += ": target " + t.String() + " is outside --dns-rule-targets"
			continue
		}
		in, _, err := r.up.ExchangeContext(ctx, req, t.String())
		if err == nil {
			in.Id = req.Id
			return &Answer{in, why + ": answered by " + t.String()}
		}
	}
	resp := new(dns.Msg)
	resp.SetReply(req)
	resp.RecursionAvailable = true
	resp.Rcode = dns.RcodeServerFailure
	return &Answer{resp, why + ": no target answered"}
}

// mayForwardTo reports whether a rule target is inside the networks rules
// may reach (loopback when none are configured).
func (r *Resolver) mayForwardTo(a netip.Addr) bool {
	a = a.Unmap()
	if len(r.cfg.RuleTargets) == 0 {
		return a.IsLoopback()
	}
	for _, p := range r.cfg.RuleTargets {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ruleHops is the context key counting in-process rule forwards.
type ruleHops struct{}

// maxRuleHops bounds rules forwarding to inbound endpoints that forward on.
const maxRuleHops = 4

// forward asks the upstream; a failure or timeout is answered SERVFAIL.
func (r *Resolver) forward(ctx context.Context, req *dns.Msg) *Answer {
	in, _, err := r.up.ExchangeContext(ctx, req, r.cfg.Upstream)
	if err != nil {
		resp := new(dns.Msg)
		resp.SetReply(req)
		resp.RecursionAvailable = true
		resp.Rcode = dns.RcodeServerFailure
		return &Answer{resp, "upstream " + r.cfg.Upstream + " failed: " + err.Error()}
	}
	in.Id = req.Id
	return &Answer{in, "forwarded to upstream " + r.cfg.Upstream}
}

// zoneCache is one reader's memory of the last zone it used, so that the
// hot path takes no lock while nothing changes.
type zoneCache struct {
	addr netip.Addr
	gen  uint64
	z    *zone
	ok   bool
}

func (c *zoneCache) get(ctx context.Context, r *Resolver, addr netip.Addr) (*zone, error) {
	gen := r.cfg.Source.DNSGeneration()
	if c.ok && c.addr == addr && c.gen == gen && (c.z == nil || c.z.next.IsZero() || r.now().Before(c.z.next)) {
		return c.z, nil
	}
	z, zgen, err := r.zoneGen(ctx, addr)
	if err != nil {
		return nil, err
	}
	// A zone from an older generation (a rebuild is running) is used but
	// not remembered as current, so the next query looks again.
	*c = zoneCache{addr: addr, gen: zgen, z: z, ok: true}
	return z, nil
}
