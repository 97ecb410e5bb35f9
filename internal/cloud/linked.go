package cloud

import (
	"context"
	"maps"
	"slices"
	"sync"

	json "github.com/goccy/go-json"
)

// Linked snapshots: a path from one account's VPC may cross an active
// peering or a (RAM-shared) transit gateway into another account's VPC
// of the same region. Path analysis and the data plane read one
// snapshot, so they are given the union of the asking account's snapshot
// and those of the accounts joined to it, transitively; Home is the
// asking account's own part, where a path's source must be.

// linkedCache keeps the last linked snapshot per scope while it is current.
type linkedCache struct {
	mu sync.Mutex
	m  map[Scope]cachedSnapshot
}

// Home returns the asking account's own snapshot: the snapshot itself
// unless it is a linked one.
func (s *Snapshot) Home() *Snapshot {
	if s.home != nil {
		return s.home
	}
	return s
}

// Accounts returns the accounts a linked snapshot holds, the asking one
// first.
func (s *Snapshot) Accounts() []string {
	if len(s.accounts) == 0 {
		return []string{s.Scope.Account}
	}
	return s.accounts
}

// links returns the accounts of the snapshot's region that its network
// is joined to: the other sides of its active peerings, the owners of
// VPCs attached to its transit gateways, and the owners of the gateways
// its VPCs are attached to.
func (s *Snapshot) links() []string {
	s.linksOnce.Do(func() { s.linkedTo = s.findLinks() })
	return s.linkedTo
}

func (s *Snapshot) findLinks() []string {
	set := map[string]bool{}
	for _, p := range s.Peerings {
		if !p.Active() {
			continue
		}
		for _, side := range []PeeringVpcInfo{p.RequesterVpcInfo, p.AccepterVpcInfo} {
			if side.Region == s.Scope.Region {
				set[side.OwnerID] = true
			}
		}
	}
	for _, a := range s.TGWAttachments {
		set[a.VpcOwnerID] = true
	}
	for _, o := range s.tgwOwners {
		set[o] = true
	}
	delete(set, s.Scope.Account)
	delete(set, "")
	return slices.Sorted(maps.Keys(set))
}

// LinkedSnapshot returns the network an account's paths can reach in its
// region: its snapshot merged with those of the accounts joined to it by
// peerings and transit gateways (transitively). Without such links it is
// the account's own snapshot.
func (c *Cloud) LinkedSnapshot(ctx context.Context, sc Scope) (*Snapshot, error) {
	home, err := c.Snapshot(ctx, sc)
	if err != nil {
		return nil, err
	}
	if len(home.links()) == 0 {
		return home, nil
	}
	// The union is current while every part is the very snapshot it was
	// made of: the parts are each current or rebuilt on their own (a
	// change in the spoke does not rebuild the hub's), and the links are
	// read from the parts.
	parts := []*Snapshot{home}
	seen := map[string]bool{sc.Account: true}
	for i := 0; i < len(parts); i++ {
		for _, acct := range parts[i].links() {
			if seen[acct] {
				continue
			}
			seen[acct] = true
			s, err := c.snapshot(ctx, Scope{Account: acct, Region: sc.Region}, false) // read on sc's behalf: no defaults made
			if err != nil {
				return nil, err
			}
			parts = append(parts, s)
		}
	}
	now := c.clock().UTC()
	c.linked.mu.Lock()
	if e, ok := c.linked.m[sc]; ok && slices.Equal(e.parts, parts) && e.unexpired(now) {
		c.linked.mu.Unlock()
		return e.snap, nil
	}
	c.linked.mu.Unlock()
	m := mergeSnapshots(parts)
	c.linked.mu.Lock()
	if c.linked.m == nil {
		c.linked.m = map[Scope]cachedSnapshot{}
	}
	c.linked.m[sc] = cachedSnapshot{parts: parts, snap: m}
	c.linked.mu.Unlock()
	return m, nil
}

// mergeSnapshots unites snapshots of one region (IDs are unique across
// accounts); the first is the home one.
func mergeSnapshots(parts []*Snapshot) *Snapshot {
	h := parts[0]
	m := &Snapshot{Scope: h.Scope, At: h.At, home: h}
	for _, p := range parts {
		m.accounts = append(m.accounts, p.Scope.Account)
		m.next = earliest(m.next, p.next)
		m.tgwOwners = append(m.tgwOwners, p.tgwOwners...)
	}
	m.Vpcs = unionOf(parts, func(p *Snapshot) map[string]*Vpc { return p.Vpcs })
	m.Subnets = unionOf(parts, func(p *Snapshot) map[string]*Subnet { return p.Subnets })
	m.RouteTables = unionOf(parts, func(p *Snapshot) map[string]*RouteTable { return p.RouteTables })
	m.SecurityGroups = unionOf(parts, func(p *Snapshot) map[string]*SecurityGroup { return p.SecurityGroups })
	m.NetworkACLs = unionOf(parts, func(p *Snapshot) map[string]*NetworkACL { return p.NetworkACLs })
	m.NetworkInterfaces = unionInterfaces(parts)
	m.Instances = unionOf(parts, func(p *Snapshot) map[string]*Instance { return p.Instances })
	m.Endpoints = unionOf(parts, func(p *Snapshot) map[string]*VpcEndpoint { return p.Endpoints })
	m.NatGateways = unionOf(parts, func(p *Snapshot) map[string]*NatGateway { return p.NatGateways })
	m.InternetGateways = unionOf(parts, func(p *Snapshot) map[string]*InternetGateway { return p.InternetGateways })
	m.EgressOnlyInternetGateways = unionOf(parts, func(p *Snapshot) map[string]*EgressOnlyInternetGateway { return p.EgressOnlyInternetGateways })
	m.TransitGateways = unionOf(parts, func(p *Snapshot) map[string]*TransitGateway { return p.TransitGateways })
	m.TGWAttachments = unionOf(parts, func(p *Snapshot) map[string]*TransitGatewayVpcAttachment { return p.TGWAttachments })
	m.TGWRouteTables = unionOf(parts, func(p *Snapshot) map[string]*TransitGatewayRouteTable { return p.TGWRouteTables })
	m.tgwRoutes = unionOf(parts, func(p *Snapshot) map[string][]TGWRoute { return p.tgwRoutes })
	m.VpnGateways = unionOf(parts, func(p *Snapshot) map[string]*VpnGateway { return p.VpnGateways })
	m.VpnConnections = unionOf(parts, func(p *Snapshot) map[string]*VpnConnection { return p.VpnConnections })
	m.CustomerGateways = unionOf(parts, func(p *Snapshot) map[string]*CustomerGateway { return p.CustomerGateways })
	m.ResolverEndpoints = unionOf(parts, func(p *Snapshot) map[string]*ResolverEndpoint { return p.ResolverEndpoints })
	m.PrefixLists = unionOf(parts, func(p *Snapshot) map[string]*ManagedPrefixList { return p.PrefixLists })
	m.DhcpOptions = unionOf(parts, func(p *Snapshot) map[string]*DhcpOptions { return p.DhcpOptions })
	m.Addresses = unionOf(parts, func(p *Snapshot) map[string]*Address { return p.Addresses })
	m.Peerings = unionOf(parts, func(p *Snapshot) map[string]*VpcPeeringConnection { return p.Peerings })
	m.subnetRT = unionOf(parts, func(p *Snapshot) map[string]*RouteTable { return p.subnetRT })
	m.mainRT = unionOf(parts, func(p *Snapshot) map[string]*RouteTable { return p.mainRT })
	m.defaultACL = unionOf(parts, func(p *Snapshot) map[string]*NetworkACL { return p.defaultACL })
	m.subnetACL = unionOf(parts, func(p *Snapshot) map[string]*NetworkACL { return p.subnetACL })
	m.addrs = unionOf(parts, func(p *Snapshot) map[string]*addrIndex { return p.addrs })
	m.vpcEPs = unionOf(parts, func(p *Snapshot) map[string][]*VpcEndpoint { return p.vpcEPs })
	m.eniEP = unionOf(parts, func(p *Snapshot) map[string]*VpcEndpoint { return p.eniEP })
	m.dns = unionOf(parts, func(p *Snapshot) map[string]*DNSView { return p.dns })
	m.vpcSubnets = unionOf(parts, func(p *Snapshot) map[string][]*Subnet { return p.vpcSubnets })
	return m
}

// unionOf unites one map of every part; where parts share a key, the
// earliest part's entry wins (the home snapshot's). The largest part is
// cloned whole (a copy of its table, not an insert per entry), the others
// added to it.
func unionOf[V any](parts []*Snapshot, field func(*Snapshot) map[string]V) map[string]V {
	big := 0
	for i, p := range parts {
		if len(field(p)) > len(field(parts[big])) {
			big = i
		}
	}
	out := maps.Clone(field(parts[big]))
	if out == nil {
		out = map[string]V{}
	}
	for i := big - 1; i >= 0; i-- { // earlier parts overwrite, the first last
		maps.Copy(out, field(parts[i]))
	}
	for _, p := range parts[big+1:] {
		for k, v := range field(p) {
			if _, ok := out[k]; !ok {
				out[k] = v
			}
		}
	}
	return out
}

// unionInterfaces is unionOf for the interfaces: the largest part's map
// shared, the others' interfaces added as changes.
func unionInterfaces(parts []*Snapshot) *InterfaceMap {
	big := 0
	for i, p := range parts {
		if p.NetworkInterfaces.Len() > parts[big].NetworkInterfaces.Len() {
			big = i
		}
	}
	out := parts[big].NetworkInterfaces.edit()
	for i := big - 1; i >= 0; i-- { // earlier parts overwrite, the first last
		for id, e := range parts[i].NetworkInterfaces.All() {
			out.set(id, e)
		}
	}
	for _, p := range parts[big+1:] {
		for id, e := range p.NetworkInterfaces.All() {
			if out.Get(id) == nil {
				out.set(id, e)
			}
		}
	}
	out.fold()
	return out
}

// loadTGWOwners reads the owners of the gateways the scope's VPCs are
// attached to (attachments to gateways shared by other accounts).
func (s *Snapshot) loadTGWOwners(tx *txn) error {
	refs, err := tx.List(tx.sc, kindTGWAttachmentRef)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, r := range refs {
		var ref attachmentRef
		if err := json.Unmarshal(r.Data, &ref); err != nil {
			return err
		}
		if !seen[ref.Owner] {
			seen[ref.Owner] = true
			s.tgwOwners = append(s.tgwOwners, ref.Owner)
		}
	}
	return nil
}
