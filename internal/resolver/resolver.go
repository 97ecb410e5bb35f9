package resolver

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync"

	"github.com/miekg/dns"

	"github.com/vpce/vpce/internal/cloud"
)

// TTL is the TTL of the records vpce answers itself, as AWS's resolver
// gives endpoint records.
const TTL = 60

// Source is what the resolver reads: *cloud.Cloud.
type Source interface {
	Generation() uint64
	ResolverTarget(ctx context.Context, addr netip.Addr) (cloud.ResolverTarget, bool, error)
	DNSView(ctx context.Context, t cloud.ResolverTarget) (*cloud.DNSView, error)
	PublicVpceDNS(ctx context.Context) ([]cloud.DNSEndpoint, error)
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
	gen   uint64
	zones map[netip.Addr]*zone // nil value: no VPC at that address
	// shared is the public vpce zone of generation sharedGen.
	shared    *zone
	sharedGen uint64
	up        *dns.Client
}

// New returns a Resolver.
func New(cfg Config) *Resolver {
	r := &Resolver{cfg: cfg, log: cfg.Logger, zones: map[netip.Addr]*zone{}, up: &dns.Client{Timeout: forwardTimeout}}
	if r.log == nil {
		r.log = slog.Default()
	}
	return r
}

// zoneFor returns the compiled zone of the VPC served at addr, rebuilding
// it when the state has changed since it was built; nil when no VPC has
// that address.
func (r *Resolver) zoneFor(ctx context.Context, addr netip.Addr) (*zone, error) {
	if !r.cfg.Source.ResolverPrefix().Contains(addr) {
		// No VPC is served there: answer without reading the store, and
		// remember nothing, so that queries to the rest of 127.0.0.0/8
		// cannot grow the cache.
		return nil, nil
	}
	gen := r.cfg.Source.Generation()
	r.mu.RLock()
	z, ok := r.zones[addr]
	cur := r.gen
	r.mu.RUnlock()
	if ok && cur == gen {
		return z, nil
	}
	t, found, err := r.cfg.Source.ResolverTarget(ctx, addr)
	if err != nil {
		return nil, err
	}
	if found {
		shared, err := r.sharedZone(ctx, gen)
		if err != nil {
			return nil, err
		}
		v, err := r.cfg.Source.DNSView(ctx, t)
		if err != nil {
			return nil, err
		}
		z = compile(v, t, shared)
	} else {
		z = nil
	}
	r.mu.Lock()
	if r.gen != gen {
		r.zones = map[netip.Addr]*zone{}
		r.gen = gen
	}
	r.zones[addr] = z
	r.mu.Unlock()
	return z, nil
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
func (r *Resolver) sharedZone(ctx context.Context, gen uint64) (*zone, error) {
	r.mu.RLock()
	z, zgen := r.shared, r.sharedGen
	r.mu.RUnlock()
	if z != nil && zgen == gen {
		return z, nil
	}
	eps, err := r.cfg.Source.PublicVpceDNS(ctx)
	if err != nil {
		return nil, err
	}
	z = compileShared(eps)
	r.mu.Lock()
	r.shared, r.sharedGen = z, gen
	r.mu.Unlock()
	return z, nil
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
		if p, ok := z.ptr[name]; ok {
			resp.Answer = append(resp.Answer, &dns.PTR{Hdr: hdr(q.Name, dns.TypePTR), Ptr: p})
			return &Answer{resp, "EC2 private host name"}, false, nil
		}
	}
	if rec, ok := z.lookup(name); ok {
		return &Answer{answerA(resp, q, rec.addrs), rec.reason}, false, nil
	}
	if r.cfg.Upstream != "" {
		return nil, true, nil
	}
	if pn, ok := public.lookup(name); ok {
		a := cloud.PublicServiceAddr(pn.region, pn.service, name)
		return &Answer{answerA(resp, q, []netip.Addr{a}), "public address of " + pn.service + " in " + pn.region + " (catalog)"}, false, nil
	}
	if awsDomain(name) {
		resp.Rcode = dns.RcodeNameError
		return &Answer{resp, "no such name in AWS's domains"}, false, nil
	}
	resp.Rcode = dns.RcodeServerFailure
	return &Answer{resp, "not an AWS name and no --dns-upstream configured"}, false, nil
}

func hdr(name string, t uint16) dns.RR_Header {
	return dns.RR_Header{Name: name, Rrtype: t, Class: dns.ClassINET, Ttl: TTL}
}

// answerA answers a name that exists with A records; other types get an
// empty NOERROR (the addresses are IPv4 only).
func answerA(resp *dns.Msg, q dns.Question, addrs []netip.Addr) *dns.Msg {
	if q.Qtype != dns.TypeA && q.Qtype != dns.TypeANY {
		return resp
	}
	for _, a := range addrs {
		resp.Answer = append(resp.Answer, &dns.A{Hdr: hdr(q.Name, dns.TypeA), A: a.AsSlice()})
	}
	return resp
}

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
	gen := r.cfg.Source.Generation()
	if c.ok && c.addr == addr && c.gen == gen {
		return c.z, nil
	}
	z, err := r.zoneFor(ctx, addr)
	if err != nil {
		return nil, err
	}
	*c = zoneCache{addr: addr, gen: gen, z: z, ok: true}
	return z, nil
}
