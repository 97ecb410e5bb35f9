package cloud

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/vpce/vpce/internal/catalog"
	"github.com/vpce/vpce/internal/store"
)

// globalScope holds objects that span accounts and regions: the index of
// VPC resolver addresses.
var globalScope = Scope{Account: "*", Region: "*"}

const (
	kindResolver     = "resolver"
	kindResolverNext = "resolver-next"
)

// ResolverTarget says which VPC a resolver address serves.
type ResolverTarget struct {
	Addr    netip.Addr `json:"address"`
	Account string     `json:"account"`
	Region  string     `json:"region"`
	VpcID   string     `json:"vpcId"`
	// Inbound is the Route 53 Resolver inbound endpoint served at Addr
	// (the VPC's view, as queries from on premises get it); empty for the
	// VPC's own resolver.
	Inbound string `json:"inboundEndpoint,omitempty"`
}

func resolverKey(a netip.Addr) store.Key {
	return store.Key{Scope: globalScope, Kind: kindResolver, ID: a.String()}
}

// Scope returns the target's account and region.
func (t ResolverTarget) Scope() Scope { return Scope{Account: t.Account, Region: t.Region} }

// allocateResolverTxn hands the VPC the next free address of the resolver
// range. Addresses are handed out in order and reused only after wrapping.
func (tx *txn) allocateResolverTxn(vpcID string) (netip.Addr, error) {
	p := tx.c.resolverPrefix
	var next netip.Addr
	nk := store.Key{Scope: globalScope, Kind: kindResolverNext, ID: "next"}
	if b, err := tx.Get(nk); err == nil {
		if err := next.UnmarshalText(b); err != nil {
			return netip.Addr{}, err
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return netip.Addr{}, err
	}
	if !next.IsValid() || !p.Contains(next) {
		next = p.Addr().Next()
	}
	size := 1 << (p.Addr().BitLen() - p.Bits())
	for range size {
		a := next
		next = next.Next()
		if !p.Contains(next) {
			next = p.Addr().Next()
		}
		if a == p.Addr() || !p.Contains(a) {
			continue
		}
		k := store.Key{Scope: globalScope, Kind: kindResolver, ID: a.String()}
		if _, err := tx.Get(k); err == nil {
			continue
		} else if !errors.Is(err, store.ErrNotFound) {
			return netip.Addr{}, err
		}
		b, _ := json.Marshal(ResolverTarget{Addr: a, Account: tx.sc.Account, Region: tx.sc.Region, VpcID: vpcID})
		if err := tx.Put(k, b); err != nil {
			return netip.Addr{}, err
		}
		nb, _ := next.MarshalText()
		return a, tx.Put(nk, nb)
	}
	return netip.Addr{}, errResolverPoolFull
}

// errResolverPoolFull: every address of the resolver range is taken.
var errResolverPoolFull = errors.New("the resolver address range is full")

func (tx *txn) releaseResolverTxn(a netip.Addr) error {
	if !a.IsValid() {
		return nil
	}
	return tx.Delete(store.Key{Scope: globalScope, Kind: kindResolver, ID: a.String()})
}

// ResolverPrefix is the range VPC resolver addresses are handed out from.
func (c *Cloud) ResolverPrefix() netip.Prefix { return c.resolverPrefix }

// ResolverTargets lists every VPC's resolver address.
func (c *Cloud) ResolverTargets(ctx context.Context) ([]ResolverTarget, error) {
	var out []ResolverTarget
	err := c.st.View(ctx, func(tx store.Txn) error {
		rs, err := tx.List(globalScope, kindResolver)
		if err != nil {
			return err
		}
		for _, r := range rs {
			var t ResolverTarget
			if err := json.Unmarshal(r.Data, &t); err != nil {
				return err
			}
			out = append(out, t)
		}
		return nil
	})
	return out, err
}

// ResolverTarget returns the VPC whose resolver listens on addr.
func (c *Cloud) ResolverTarget(ctx context.Context, addr netip.Addr) (ResolverTarget, bool, error) {
	var t ResolverTarget
	found := false
	err := c.st.View(ctx, func(tx store.Txn) error {
		b, err := tx.Get(store.Key{Scope: globalScope, Kind: kindResolver, ID: addr.String()})
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		return json.Unmarshal(b, &t)
	})
	return t, found, err
}

// DNSView is what a VPC's resolver needs to know, read in one snapshot.
type DNSView struct {
	VpcID        string
	Region       string
	CIDR         netip.Prefix
	DNSSupport   bool
	DNSHostnames bool
	Endpoints    []DNSEndpoint
	Hosts        []DNSHost
	ResolverAddr netip.Addr
	// HostLookup, when set, answers the EC2 host names instead of Hosts:
	// from the state when asked (the resolver's views), or from the
	// snapshot the view is part of.
	HostLookup    *HostLookup
	SharedVpceDNS []DNSEndpoint // interface endpoints of every VPC: their vpce names are public
	// ServiceRanges are the ranges of AWS-managed prefix lists the state
	// holds itself (imported), by service short name (s3): public answers
	// for those services fall inside them.
	ServiceRanges map[string][]netip.Prefix
	// NextChange is when the view changes by itself (a pending endpoint
	// becomes available); zero when nothing is due.
	NextChange time.Time
	// Zones are the Route 53 private hosted zones associated with the VPC.
	Zones []DNSZone
	// Rules are the Route 53 Resolver rules associated with the VPC.
	Rules []DNSRule
	// Inbound is set for the view of an inbound Resolver endpoint: names
	// of endpoints whose private DNS is for inbound endpoints only answer.
	Inbound bool
}

// DNSEndpoint is an available interface endpoint as DNS sees it.
type DNSEndpoint struct {
	ID         string
	VpcID      string
	Service    string
	Region     string
	PrivateDNS bool
	// InboundOnly: private names are answered only for queries that come
	// through an inbound Resolver endpoint, not from inside the VPC.
	InboundOnly  bool
	RecordIPType string
	Names        []DNSEntry            // as EndpointDNSEntries gives them
	Zones        map[string]netip.Addr // zone → interface address
	// Zones6 maps zones to the interface's IPv6 address (dual-stack
	// endpoints); nil for IPv4 ones.
	Zones6       map[string]netip.Addr
	PrivateNames []string
}

// RecordTypes says which records an endpoint's names get, by its DNS
// record IP type (AWS's rules): ipv4 A, ipv6 AAAA, dualstack both;
// service-defined A for every name and AAAA for the vpce (regional and
// zonal) names. AAAA needs the endpoint's interfaces to have IPv6
// addresses (dual-stack endpoints).
func (e DNSEndpoint) RecordTypes(vpceName bool) (a, aaaa bool) {
	switch e.RecordIPType {
	case "ipv6":
		a, aaaa = false, true
	case "dualstack":
		a, aaaa = true, true
	case "service-defined":
		a, aaaa = true, vpceName
	default:
		a = true
	}
	return a && len(e.Zones) > 0, aaaa && len(e.Zones6) > 0
}

// DNSHost is an interface address and its EC2 private host name.
type DNSHost struct {
	Addr netip.Addr
	Name string
}

// DNSView returns the DNS facts of a VPC: its attributes, its available
// interface endpoints with their addresses, and interface host names.
func (c *Cloud) DNSView(ctx context.Context, t ResolverTarget) (*DNSView, error) {
	v := &DNSView{VpcID: t.VpcID, Region: t.Region}
	sc := t.Scope()
	err := c.st.View(ctx, func(stx store.Txn) error {
		tx := &txn{Txn: stx, c: c, sc: sc, now: c.clock().UTC()}
		vpc, err := getObj[Vpc](tx, kindVpc, t.VpcID)
		if err != nil {
			return fmt.Errorf("dns view of %s: %w", t.VpcID, err)
		}
		v.CIDR, v.DNSSupport, v.DNSHostnames, v.ResolverAddr = vpc.CidrBlock, vpc.EnableDNSSupport, vpc.EnableDNSHostnames, vpc.ResolverAddr
		pls, err := listObj[ManagedPrefixList](tx, kindPrefixList)
		if err != nil {
			return err
		}
		v.ServiceRanges = serviceRanges(t.Region, pls)
		if vpc.EnableDNSHostnames {
			// Host names are looked up in the state when asked, not
			// compiled: interfaces come and go without a rebuild.
			subnets, err := tx.subnetsOf(vpc.VpcID)
			if err != nil {
				return err
			}
			h := &HostLookup{c: c, sc: sc}
			for _, s := range subnets {
				h.subnets = append(h.subnets, hostSubnet{s.SubnetID, s.CidrBlock})
			}
			v.HostLookup = h
		}
		zones, err := tx.allZones()
		if err != nil {
			return err
		}
		v.Zones = zonesOfVPC(zones, vpc.VpcID, t.Region)
		rules, err := tx.rulesByVPC()
		if err != nil {
			return err
		}
		v.Rules = rules[vpc.VpcID]
		v.Inbound = t.Inbound != ""
		eps, err := tx.liveEndpoints(vpc.VpcID)
		if err != nil {
			return err
		}
		for _, e := range eps {
			if de, ok, err := dnsEndpoint(stx, sc, tx.now, c, e); err != nil {
				return err
			} else if ok {
				v.Endpoints = append(v.Endpoints, de)
			} else {
				v.NextChange = earliest(v.NextChange, pendingUntil(e, tx.now))
			}
		}
		return nil
	})
	return v, err
}

// HostLookup answers a VPC's EC2 private host names (ip-10-0-1-5.ec2.internal
// and the reverse) from the state at the moment of the query: two reads by
// key and one interface decoded, whatever the size of the VPC.
type HostLookup struct {
	c       *Cloud
	sc      Scope
	subnets []hostSubnet // the VPC's subnets when the view was read
	// snap, when set, is where the names are looked up instead: a
	// snapshot's view answers as of the snapshot (its address index).
	snap *Snapshot
	vpc  string
}

type hostSubnet struct {
	id   string
	cidr netip.Prefix
}

// Name returns the host name of an address of one of the VPC's interfaces.
func (h *HostLookup) Name(ctx context.Context, a netip.Addr) (string, bool) {
	if h.snap != nil {
		if e := h.snap.InterfaceAt(h.vpc, a); e != nil {
			for _, ip := range e.PrivateIPs {
				if ip.PrivateIPAddress == a {
					return ip.PrivateDNSName, ip.PrivateDNSName != ""
				}
			}
		}
		return "", false
	}
	var subnet string
	for _, s := range h.subnets {
		if s.cidr.Contains(a) {
			subnet = s.id
			break
		}
	}
	if subnet == "" {
		return "", false
	}
	var name string
	h.c.st.View(ctx, func(tx store.Txn) error {
		b, err := tx.Get(store.Key{Scope: h.sc, Kind: kindAddress, ID: addressKey(subnet, a)})
		if err != nil {
			return err
		}
		var ref struct {
			ENI string `json:"eni"`
		}
		if err := json.Unmarshal(b, &ref); err != nil {
			return err
		}
		if b, err = tx.Get(store.Key{Scope: h.sc, Kind: kindENI, ID: ref.ENI}); err != nil {
			return err
		}
		var ni struct {
			IPs []PrivateIP `json:"ips"`
		}
		if err := json.Unmarshal(b, &ni); err != nil {
			return err
		}
		for _, ip := range ni.IPs {
			if ip.PrivateIPAddress == a {
				name = ip.PrivateDNSName
			}
		}
		return nil
	})
	return name, name != ""
}

// Addr returns the address a host name (lower case, with or without the
// final dot) names in the VPC: ip-a-b-c-d.… is the address a.b.c.d when
// an interface of the VPC holds it under that name.
func (h *HostLookup) Addr(ctx context.Context, name string) (netip.Addr, bool) {
	name = strings.TrimSuffix(name, ".")
	label, _, ok := strings.Cut(name, ".")
	rest, isIP := strings.CutPrefix(label, "ip-")
	if !ok || !isIP {
		return netip.Addr{}, false
	}
	a, err := netip.ParseAddr(strings.ReplaceAll(rest, "-", "."))
	if err != nil || !a.Is4() {
		return netip.Addr{}, false
	}
	if n, ok := h.Name(ctx, a); ok && strings.EqualFold(n, name) {
		return a, true
	}
	return netip.Addr{}, false
}

// serviceRanges maps services to the ranges of the AWS-managed prefix
// lists among pls (imported ones; the catalog's are not stored).
func serviceRanges(region string, pls []*ManagedPrefixList) map[string][]netip.Prefix {
	var out map[string][]netip.Prefix
	for _, p := range pls {
		short, ok := strings.CutPrefix(p.PrefixListName, "com.amazonaws."+region+".")
		if p.OwnerID != "AWS" || !ok || len(p.Versions) == 0 {
			continue
		}
		for _, e := range p.Versions[len(p.Versions)-1] {
			if c, err := netip.ParsePrefix(e.Cidr); err == nil {
				if out == nil {
					out = map[string][]netip.Prefix{}
				}
				out[short] = append(out[short], c)
			}
		}
	}
	return out
}

// pendingUntil is when a pending interface endpoint becomes available;
// zero for any other.
func pendingUntil(e *VpcEndpoint, now time.Time) time.Time {
	if e.VpcEndpointType == EndpointInterface && e.DeletedAt == nil && now.Before(e.ReadyAt) {
		return e.ReadyAt
	}
	return time.Time{}
}

// earliest returns the earlier of two times, a zero time meaning never.
func earliest(a, b time.Time) time.Time {
	switch {
	case a.IsZero():
		return b
	case b.IsZero() || a.Before(b):
		return a
	}
	return b
}

// ZoneOfName returns the zone named in a zonal vpce DNS name, or "".
func ZoneOfName(name string, zones map[string]netip.Addr) string {
	first, _, _ := strings.Cut(strings.TrimPrefix(name, "*."), ".")
	for z := range zones {
		if strings.HasSuffix(first, "-"+z) {
			return z
		}
	}
	return ""
}

// PublicServiceAddr returns a stable public address for a service name in
// a region: inside the region's S3 or DynamoDB ranges (AWS's published
// ip-ranges) for those services, else inside 198.18.0.0/15, a stand-in:
// vpce does not carry AWS's other ranges.
func PublicServiceAddr(region, service, name string) netip.Addr {
	return PublicServiceAddrIn(region, service, name, nil)
}

// PublicServiceAddrIn is PublicServiceAddr within ranges when given: the
// service's prefix list as a state holds it (imported from an account,
// as AWS published it then), which wins over the catalog's.
func PublicServiceAddrIn(region, service, name string, ranges []netip.Prefix) netip.Addr {
	h := uint32(2166136261)
	for _, b := range []byte(name) {
		h = (h ^ uint32(b)) * 16777619
	}
	if len(ranges) == 0 {
		if pl, ok := catalog.ServicePrefixList(region, "com.amazonaws."+region+"."+service); ok {
			ranges = pl.CIDRs
		}
	}
	if len(ranges) > 0 {
		p := ranges[int(h)%len(ranges)]
		a := p.Addr().As4()
		span := uint32(1) << (32 - p.Bits())
		off := h % span
		if span > 2 {
			off = 1 + h%(span-2)
		}
		n := (uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])) + off
		return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
	}
	n := uint32(198)<<24 | uint32(18)<<16 | (h % (1 << 17))
	if n&0xff == 0 {
		n |= 1
	}
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

// VpceEndpointDNS returns the endpoint with the given ID, in whatever
// account and region, as DNS sees it: ok only for an available interface
// endpoint. The resolver answers public vpce names (which carry the ID)
// with it when asked, so endpoints written elsewhere cost DNS nothing.
func (c *Cloud) VpceEndpointDNS(ctx context.Context, id string) (de DNSEndpoint, ok bool, err error) {
	err = c.st.View(ctx, func(stx store.Txn) error {
		b, err := stx.Get(endpointScopeKey(id))
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var sc Scope
		if err := json.Unmarshal(b, &sc); err != nil {
			return err
		}
		if b, err = stx.Get(store.Key{Scope: sc, Kind: kindEndpoint, ID: id}); errors.Is(err, store.ErrNotFound) {
			return nil
		} else if err != nil {
			return err
		}
		var e VpcEndpoint
		if err := json.Unmarshal(b, &e); err != nil {
			return err
		}
		de, ok, err = dnsEndpoint(stx, sc, c.clock().UTC(), c, &e)
		return err
	})
	return de, ok, err
}

// BackfillIndexes writes the index records that state stored by an earlier
// vpce lacks (the endpoints' scope by ID). It reads every endpoint once and
// writes only what is missing; vpce serve runs it at start.
func (c *Cloud) BackfillIndexes(ctx context.Context) error {
	var missing []ScopedID
	done := false
	err := c.st.View(ctx, func(stx store.Txn) error {
		if _, err := stx.Get(backfilledKey); err == nil {
			done = true // this state was indexed before: start-up reads nothing more
			return nil
		}
		all, err := stx.ListKind(kindEndpoint)
		if err != nil {
			return err
		}
		for _, r := range all {
			if _, err := stx.Get(endpointScopeKey(r.ID)); errors.Is(err, store.ErrNotFound) {
				missing = append(missing, ScopedID{r.Scope, r.ID})
			} else if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil || done {
		return err
	}
	err = c.st.Update(ctx, func(stx store.Txn) error {
		for _, m := range missing {
			if err := stx.Put(endpointScopeKey(m.ID), endpointScopeRec(m.Scope)); err != nil {
				return err
			}
		}
		return stx.Put(backfilledKey, []byte("{}"))
	})
	if err == nil && len(missing) > 0 {
		c.log.Info("indexed the endpoints of an earlier state by ID", "endpoints", len(missing))
	}
	return err
}

// backfilledKey marks a state whose endpoints BackfillIndexes indexed;
// endpoints written since are indexed by putObj.
var backfilledKey = store.Key{Scope: globalScope, Kind: "index-backfill", ID: kindEndpointScope}

// ScopedID is an object's ID and scope.
type ScopedID struct {
	Scope Scope
	ID    string
}

// PublicVpceDNS returns every available interface endpoint in every account
// and region: AWS publishes their vpce.amazonaws.com names in public DNS,
// so every VPC's resolver answers them. next is when the list changes by
// itself (a pending endpoint becomes available), zero when nothing is due.
func (c *Cloud) PublicVpceDNS(ctx context.Context) (out []DNSEndpoint, next time.Time, err error) {
	err = c.st.View(ctx, func(stx store.Txn) error {
		all, err := stx.ListKind(kindEndpoint)
		if err != nil {
			return err
		}
		now := c.clock().UTC()
		for _, r := range all {
			var e VpcEndpoint
			if err := json.Unmarshal(r.Data, &e); err != nil {
				return err
			}
			if de, ok, err := dnsEndpoint(stx, r.Scope, now, c, &e); err != nil {
				return err
			} else if ok {
				out = append(out, de)
			} else {
				next = earliest(next, pendingUntil(&e, now))
			}
		}
		return nil
	})
	return out, next, err
}

// dnsEndpoint describes an endpoint for DNS; ok is false unless it is an
// available interface endpoint.
func dnsEndpoint(stx store.Txn, sc Scope, now time.Time, c *Cloud, e *VpcEndpoint) (DNSEndpoint, bool, error) {
	var readErr error
	addr := func(id string) (*NetworkInterface, bool) {
		b, err := stx.Get(store.Key{Scope: sc, Kind: kindENI, ID: id})
		if err != nil {
			readErr = fmt.Errorf("endpoint %s interface %s: %w", e.VpcEndpointID, id, err)
			return nil, false
		}
		var ni NetworkInterface
		if err := json.Unmarshal(b, &ni); err != nil {
			readErr = err
			return nil, false
		}
		return &ni, true
	}
	de, ok := endpointForDNS(sc.Region, e, e.state(&txn{Txn: stx, c: c, sc: sc, now: now}), addr)
	if readErr != nil {
		return de, false, readErr
	}
	return de, ok, nil
}

// endpointForDNS describes an endpoint in the given state for DNS, reading
// its interfaces' addresses with addr; ok is false unless it is an
// available interface endpoint. The resolver and snapshots share it.
func endpointForDNS(region string, e *VpcEndpoint, state string, eni func(eniID string) (*NetworkInterface, bool)) (DNSEndpoint, bool) {
	if e.VpcEndpointType != EndpointInterface || state != "available" {
		return DNSEndpoint{}, false
	}
	de := DNSEndpoint{ID: e.VpcEndpointID, VpcID: e.VpcID, Service: e.ServiceName, Region: region, PrivateDNS: e.PrivateDNSEnabled,
		Names: EndpointDNSEntries(e, region), Zones: map[string]netip.Addr{}, RecordIPType: "ipv4"}
	if e.DNSOptions != nil {
		de.RecordIPType = e.DNSOptions.DNSRecordIPType
		de.InboundOnly = e.DNSOptions.PrivateDNSOnlyForInboundResolverEndpoint != nil && *e.DNSOptions.PrivateDNSOnlyForInboundResolverEndpoint
	}
	if svc, ok := e.Service(region); ok && e.PrivateDNSEnabled {
		de.PrivateNames = svc.PrivateDNSNames
	}
	for _, s := range e.Subnets {
		ni, ok := eni(s.ENI)
		if !ok {
			return de, false
		}
		if ni.PrivateIPAddress.IsValid() {
			de.Zones[s.Zone] = ni.PrivateIPAddress
		}
		if len(ni.Ipv6Addresses) > 0 {
			if de.Zones6 == nil {
				de.Zones6 = map[string]netip.Addr{}
			}
			de.Zones6[s.Zone] = ni.Ipv6Addresses[0].Ipv6Address
		}
	}
	return de, true
}
