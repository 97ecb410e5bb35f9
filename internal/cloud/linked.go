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
	if e, ok := c.linked.m[sc]; ok && slices.Equal(e.parts, parts) && (e.snap.next.IsZero() || now.Before(e.snap.next)) {
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
		union(&m.Vpcs, p.Vpcs)
		union(&m.Subnets, p.Subnets)
		union(&m.RouteTables, p.RouteTables)
		union(&m.SecurityGroups, p.SecurityGroups)
		union(&m.NetworkACLs, p.NetworkACLs)
		union(&m.NetworkInterfaces, p.NetworkInterfaces)
		union(&m.Instances, p.Instances)
		union(&m.Endpoints, p.Endpoints)
		union(&m.NatGateways, p.NatGateways)
		union(&m.InternetGateways, p.InternetGateways)
		union(&m.EgressOnlyInternetGateways, p.EgressOnlyInternetGateways)
		union(&m.TransitGateways, p.TransitGateways)
		union(&m.TGWAttachments, p.TGWAttachments)
		union(&m.TGWRouteTables, p.TGWRouteTables)
		union(&m.tgwRoutes, p.tgwRoutes)
		union(&m.VpnGateways, p.VpnGateways)
		union(&m.VpnConnections, p.VpnConnections)
		union(&m.CustomerGateways, p.CustomerGateways)
		union(&m.ResolverEndpoints, p.ResolverEndpoints)
		union(&m.PrefixLists, p.PrefixLists)
		union(&m.DhcpOptions, p.DhcpOptions)
		union(&m.Addresses, p.Addresses)
		union(&m.Peerings, p.Peerings)
		union(&m.subnetRT, p.subnetRT)
		union(&m.mainRT, p.mainRT)
		union(&m.defaultACL, p.defaultACL)
		union(&m.subnetACL, p.subnetACL)
		union(&m.addrs, p.addrs)
		union(&m.vpcEPs, p.vpcEPs)
		union(&m.eniEP, p.eniEP)
		union(&m.dns, p.dns)
		union(&m.vpcSubnets, p.vpcSubnets)
		for g, l := range p.members {
			if m.members == nil {
				m.members = map[string][]*NetworkInterface{}
			}
			m.members[g] = append(m.members[g], l...)
		}
		m.tgwOwners = append(m.tgwOwners, p.tgwOwners...)
	}
	return m
}

// union copies src's entries into *dst (entries already there win:
// those of the home snapshot, merged first).
func union[V any](dst *map[string]V, src map[string]V) {
	if *dst == nil {
		*dst = make(map[string]V, len(src))
	}
	for k, v := range src {
		if _, ok := (*dst)[k]; !ok {
			(*dst)[k] = v
		}
	}
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
