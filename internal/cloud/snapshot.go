package cloud

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	json "github.com/goccy/go-json"
	"golang.org/x/sync/singleflight"

	"github.com/vpce/vpce/internal/catalog"
	"github.com/vpce/vpce/internal/store"
)

// Snapshot is one account and region's network as of one read
// transaction: every object with its derived state computed (route
// blackholes, instance, NAT and endpoint states, grouped security group
// permissions), and the indexes path analysis needs. It is immutable:
// readers share it and must not modify what it holds.
type Snapshot struct {
	Scope Scope
	// At is the time the derived states were computed for.
	At time.Time

	Vpcs              map[string]*Vpc
	Subnets           map[string]*Subnet
	RouteTables       map[string]*RouteTable
	SecurityGroups    map[string]*SecurityGroup
	NetworkACLs       map[string]*NetworkACL
	NetworkInterfaces *InterfaceMap
	Instances         map[string]*Instance
	Endpoints         map[string]*VpcEndpoint
	NatGateways       map[string]*NatGateway
	InternetGateways  map[string]*InternetGateway
	// EgressOnlyInternetGateways are the scope's IPv6 egress-only gateways.
	EgressOnlyInternetGateways map[string]*EgressOnlyInternetGateway
	// TransitGateways, TGWAttachments and TGWRouteTables are the scope's
	// live transit gateways, VPC attachments and their route tables.
	TransitGateways map[string]*TransitGateway
	TGWAttachments  map[string]*TransitGatewayVpcAttachment
	TGWRouteTables  map[string]*TransitGatewayRouteTable
	tgwRoutes       map[string][]TGWRoute // route table → routes
	// VpnGateways and VpnConnections are the scope's virtual private
	// gateways and VPN connections (with their states).
	VpnGateways    map[string]*VpnGateway
	VpnConnections map[string]*VpnConnection
	// CustomerGateways are the on-premises ends of the VPN connections.
	CustomerGateways map[string]*CustomerGateway
	// ResolverEndpoints are the scope's Route 53 Resolver endpoints.
	ResolverEndpoints map[string]*ResolverEndpoint
	// PrefixLists holds the region's AWS-managed lists and the scope's
	// live customer-managed ones.
	PrefixLists map[string]*ManagedPrefixList
	// DhcpOptions are the scope's DHCP option sets, the default one
	// included.
	DhcpOptions map[string]*DhcpOptions
	// Addresses are the scope's Elastic IP allocations.
	Addresses map[string]*Address
	// Peerings are the VPC peering connections the scope is a side of.
	Peerings map[string]*VpcPeeringConnection

	subnetRT   map[string]*RouteTable    // subnet → explicitly associated table
	mainRT     map[string]*RouteTable    // VPC → main table
	defaultACL map[string]*NetworkACL    // VPC → default network ACL
	subnetACL  map[string]*NetworkACL    // subnet → its network ACL
	addrs      map[string]*addrIndex     // VPC → address → interface
	vpcEPs     map[string][]*VpcEndpoint // VPC → live endpoints
	eniEP      map[string]*VpcEndpoint   // interface → the endpoint it belongs to
	dns        map[string]*DNSView       // VPC → its DNS facts
	vpcSubnets map[string][]*Subnet      // VPC → subnets, by ID
	next       time.Time                 // when a derived state changes by itself
	tgwOwners  []string                  // owners of shared gateways the scope's VPCs attach to
	linksOnce  sync.Once                 // linkedTo is found once: a snapshot does not change
	linkedTo   []string
	home       *Snapshot // a linked snapshot's own part (see Home)
	accounts   []string  // a linked snapshot's accounts
}

// DhcpOf returns the DHCP option set a VPC's instances are given; nil
// when the VPC has none ("default") or is not in the snapshot.
func (s *Snapshot) DhcpOf(vpcID string) *DhcpOptions {
	if v := s.Vpcs[vpcID]; v != nil {
		return s.DhcpOptions[v.DhcpOptionsID]
	}
	return nil
}

// RouteTableOf returns the route table a subnet uses: its explicit
// association, else its VPC's main table.
func (s *Snapshot) RouteTableOf(subnetID string) *RouteTable {
	if rt := s.subnetRT[subnetID]; rt != nil {
		return rt
	}
	if sn := s.Subnets[subnetID]; sn != nil {
		return s.mainRT[sn.VpcID]
	}
	return nil
}

// PublicSubnet reports whether a subnet's route table sends anything to an
// internet gateway (AWS's definition of a public subnet); instances in the
// others need endpoints or a NAT gateway to reach AWS services.
func (s *Snapshot) PublicSubnet(subnetID string) bool {
	rt := s.RouteTableOf(subnetID)
	if rt == nil {
		return false
	}
	return slices.ContainsFunc(rt.Routes, func(r Route) bool { return strings.HasPrefix(r.GatewayID, "igw-") })
}

// NetworkACLOf returns the network ACL associated with a subnet: its
// association, else its VPC's default ACL (a dump may leave the default
// association out).
func (s *Snapshot) NetworkACLOf(subnetID string) *NetworkACL {
	if a := s.subnetACL[subnetID]; a != nil {
		return a
	}
	if sn := s.Subnets[subnetID]; sn != nil {
		return s.defaultACL[sn.VpcID]
	}
	return nil
}

// InterfaceAt returns the interface that holds addr in a VPC.
func (s *Snapshot) InterfaceAt(vpcID string, addr netip.Addr) *NetworkInterface {
	return s.addrs[vpcID].get(addr)
}

// EndpointsOf returns a VPC's live endpoints, by ID.
func (s *Snapshot) EndpointsOf(vpcID string) []*VpcEndpoint { return s.vpcEPs[vpcID] }

// EndpointOfInterface returns the endpoint an interface belongs to.
func (s *Snapshot) EndpointOfInterface(eniID string) *VpcEndpoint { return s.eniEP[eniID] }

// SubnetsOf returns a VPC's subnets, by ID.
func (s *Snapshot) SubnetsOf(vpcID string) []*Subnet { return s.vpcSubnets[vpcID] }

// DNSView returns what the VPC's resolver answers from, built from this
// snapshot; nil for an unknown VPC.
func (s *Snapshot) DNSView(vpcID string) *DNSView { return s.dns[vpcID] }

// PrefixListCIDRs returns the current entries of a prefix list.
func (s *Snapshot) PrefixListCIDRs(id string) []netip.Prefix {
	pl := s.PrefixLists[id]
	if pl == nil || len(pl.Versions) == 0 {
		return nil
	}
	cur := pl.Versions[len(pl.Versions)-1]
	out := make([]netip.Prefix, 0, len(cur))
	for _, e := range cur {
		if p, err := netip.ParsePrefix(e.Cidr); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// InstanceOf returns the instance an interface is attached to.
func (s *Snapshot) InstanceOf(eni *NetworkInterface) *Instance {
	if eni.Attachment == nil {
		return nil
	}
	return s.Instances[eni.Attachment.InstanceID]
}

// snapshotCache keeps the last snapshot per scope while it is current.
type snapshotCache struct {
	mu     sync.Mutex
	m      map[Scope]cachedSnapshot
	flight singleflight.Group // builds in progress
}

type cachedSnapshot struct {
	deps  dependencies
	snap  *Snapshot
	parts []*Snapshot // a linked snapshot's
}

// unexpired reports whether no derived state of the snapshot changed by
// itself (a pending endpoint becoming available) by now.
func (e cachedSnapshot) unexpired(now time.Time) bool {
	return e.snap.next.IsZero() || now.Before(e.snap.next)
}

// Snapshot returns the scope's network as of now. Snapshots are cached
// until a change is committed in a scope they read (the account's own, or
// one that shares with it: another account's writes leave it alone), or
// until a derived state changes by itself (a pending endpoint becomes
// available), so repeated analyses of an unchanged state cost one build.
func (c *Cloud) Snapshot(ctx context.Context, sc Scope) (*Snapshot, error) {
	return c.snapshot(ctx, sc, true)
}

// snapshot is Snapshot; init says whether a scope not used yet gets its
// defaults first.
func (c *Cloud) snapshot(ctx context.Context, sc Scope, init bool) (*Snapshot, error) {
	now := c.clock().UTC()
	c.snaps.mu.Lock()
	prev, ok := c.snaps.m[sc]
	if ok && c.current(prev.deps) && prev.unexpired(now) {
		c.snaps.mu.Unlock()
		return prev.snap, nil
	}
	c.snaps.mu.Unlock()
	// The interfaces are most of a large account and change least: when
	// none changed since the last build (an Elastic IP written logs the
	// interfaces it is shown on, before and after), that build's
	// interface views are the new one's, or patched with those that did.
	gen, logged, changed, known, groupsSame := c.interfaceChanges(prev.deps, sc)
	r := &reuse{changed: changed}
	switch {
	case !ok || !logged:
	case known && len(changed) == 0:
		r.same = prev.snap
	case known && len(changed) <= maxPatch:
		// A few interfaces changed (or the addresses shown on them): the
		// earlier views are patched with them.
		r.base = prev.snap
	}
	if ok && groupsSame {
		r.groups = prev.snap
	}
	// Callers that find it stale at the same generation share one build
	// (a data plane's connections all ask after a change): a caller that
	// comes after a later change starts its own, so it reads its writes.
	key := fmt.Sprintf("%s/%s/%t/%d", sc.Account, sc.Region, init, gen)
	v, err, _ := c.snaps.flight.Do(key, func() (any, error) {
		// A build of this generation that ended after the check above
		// (the caller came late to it) serves as well.
		c.snaps.mu.Lock()
		if e, ok := c.snaps.m[sc]; ok && e.deps.gen >= gen && c.current(e.deps) && e.unexpired(now) {
			c.snaps.mu.Unlock()
			return e.snap, nil
		}
		c.snaps.mu.Unlock()
		var snap *Snapshot
		// Not the first caller's cancellation: the build is everyone's.
		deps, err := c.viewRecording(context.WithoutCancel(ctx), sc, init, gen, func(tx *txn) error {
			var err error
			snap, err = tx.snapshotTxn(r)
			return err
		})
		if err != nil {
			return nil, err
		}
		c.snaps.mu.Lock()
		if c.snaps.m == nil {
			c.snaps.m = map[Scope]cachedSnapshot{}
		}
		c.snaps.m[sc] = cachedSnapshot{deps: deps, snap: snap}
		c.snaps.mu.Unlock()
		return snap, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*Snapshot), nil
}

func toMap[T any](items []*T, id func(*T) string) map[string]*T {
	m := make(map[string]*T, len(items))
	for _, v := range items {
		m[id(v)] = v
	}
	return m
}

// maxPatch is the most interfaces a snapshot patches an earlier one's
// views with; more are built whole.
const maxPatch = 1000

// reuse says what a build may take from earlier snapshots (nil: nothing).
type reuse struct {
	// same: an earlier snapshot whose interfaces (and the addresses shown
	// on them) are still those stored: its interface views are taken.
	same *Snapshot
	// base: an earlier snapshot whose Elastic IPs are still those stored,
	// and whose interfaces are but for changed: its views are patched.
	base    *Snapshot
	changed []string
	// groups: an earlier snapshot whose security groups are still those
	// stored: its groups (rendered) are taken.
	groups *Snapshot
}

// snapshotTxn builds the scope's snapshot, taking what r allows from
// earlier ones.
func (tx *txn) snapshotTxn(r *reuse) (*Snapshot, error) {
	if r == nil {
		r = &reuse{}
	}
	s := &Snapshot{Scope: tx.sc, At: tx.now}
	due := func(t time.Time) {
		if t.After(tx.now) {
			s.next = earliest(s.next, t)
		}
	}
	vpcs, err := listObj[Vpc](tx, kindVpc)
	if err != nil {
		return nil, err
	}
	subnets, err := listObj[Subnet](tx, kindSubnet)
	if err != nil {
		return nil, err
	}
	rts, err := listObj[RouteTable](tx, kindRT)
	if err != nil {
		return nil, err
	}
	var sgs []*SecurityGroup
	if r.groups != nil {
		if rt, ok := tx.Txn.(*readingTxn); ok {
			rt.note(tx.sc, kindSG) // what the groups taken were read from
		}
	} else if sgs, err = listObj[SecurityGroup](tx, kindSG); err != nil {
		return nil, err
	}
	acls, err := listObj[NetworkACL](tx, kindACL)
	if err != nil {
		return nil, err
	}
	insts, err := listObj[Instance](tx, kindInstance)
	if err != nil {
		return nil, err
	}
	eps, err := listObj[VpcEndpoint](tx, kindEndpoint)
	if err != nil {
		return nil, err
	}
	nats, err := listObj[NatGateway](tx, kindNAT)
	if err != nil {
		return nil, err
	}
	igws, err := listObj[InternetGateway](tx, kindIGW)
	if err != nil {
		return nil, err
	}
	eigws, err := listObj[EgressOnlyInternetGateway](tx, kindEIGW)
	if err != nil {
		return nil, err
	}
	s.EgressOnlyInternetGateways = toMap(eigws, eigwID)
	if err := s.loadTransitGateways(tx); err != nil {
		return nil, err
	}
	if err := s.loadTGWOwners(tx); err != nil {
		return nil, err
	}
	vgws, err := listObj[VpnGateway](tx, kindVGW)
	if err != nil {
		return nil, err
	}
	for _, g := range vgws {
		g.State = readyState(tx, g.ReadyAt)
	}
	s.VpnGateways = toMap(vgws, vgwID)
	cgws, err := listObj[CustomerGateway](tx, kindCGW)
	if err != nil {
		return nil, err
	}
	for _, g := range cgws {
		g.State = "available"
	}
	s.CustomerGateways = toMap(cgws, func(g *CustomerGateway) string { return g.CustomerGatewayID })
	vpns, err := listObj[VpnConnection](tx, kindVPN)
	if err != nil {
		return nil, err
	}
	for _, v := range vpns {
		v.render(tx)
	}
	s.VpnConnections = toMap(vpns, vpnID)
	res, err := listObj[ResolverEndpoint](tx, kindResolverEndpoint)
	if err != nil {
		return nil, err
	}
	s.ResolverEndpoints = make(map[string]*ResolverEndpoint, len(res))
	for _, e := range res {
		e.render(tx)
		s.ResolverEndpoints[e.ID] = e
	}
	pls, err := tx.allPrefixLists()
	if err != nil {
		return nil, err
	}
	dhcps, err := tx.allDhcpOptions()
	if err != nil {
		return nil, err
	}
	s.DhcpOptions = toMap(dhcps, dhcpID)
	eips, err := listObj[Address](tx, kindEIP)
	if err != nil {
		return nil, err
	}
	byENI := map[string][]*Address{}
	for _, a := range eips {
		a.render(tx.sc.Region)
		if a.NetworkInterfaceID != "" {
			byENI[a.NetworkInterfaceID] = append(byENI[a.NetworkInterfaceID], a)
		}
	}
	s.Addresses = toMap(eips, addressID)
	if err := tx.interfaceViews(s, r, byENI); err != nil {
		return nil, err
	}
	pcxs, err := tx.listPeerings()
	if err != nil {
		return nil, err
	}
	s.Peerings = toMap(pcxs, peeringID)
	s.Vpcs = toMap(vpcs, func(v *Vpc) string { return v.VpcID })
	s.Subnets = toMap(subnets, func(v *Subnet) string { return v.SubnetID })
	if r.groups != nil {
		s.SecurityGroups = r.groups.SecurityGroups
	} else {
		s.SecurityGroups = toMap(sgs, sgID)
	}
	s.NetworkACLs = toMap(acls, func(a *NetworkACL) string { return a.NetworkACLID })
	s.InternetGateways = toMap(igws, func(g *InternetGateway) string { return g.InternetGatewayID })
	s.PrefixLists = toMap(pls, prefixListID)

	// Derived states, computed as Describe computes them. Targets are
	// judged with the snapshot's own objects.
	live, err := tx.liveTargets()
	if err != nil {
		return nil, err
	}
	for _, rt := range rts {
		tx.renderRouteTable(rt, live)
	}
	if live.err != nil {
		return nil, live.err
	}
	s.RouteTables = toMap(rts, routeTableID)
	s.Instances = map[string]*Instance{}
	for _, in := range insts {
		if !in.visible(tx) {
			continue
		}
		in.render(tx)
		due(in.LaunchTime.Time().Add(tx.c.delay))
		if in.TerminatedAt != nil {
			due(in.TerminatedAt.Add(tx.c.delay))
		}
		s.Instances[in.InstanceID] = in
	}
	s.NatGateways = map[string]*NatGateway{}
	for _, n := range nats {
		if !n.visible(tx) {
			continue
		}
		n.State = n.state(tx)
		due(n.ReadyAt)
		if n.DeleteTime != nil {
			due(n.DeleteTime.Time().Add(tx.c.delay))
		}
		s.NatGateways[n.NatGatewayID] = n
	}
	for _, g := range sgs {
		g.render()
	}

	s.subnetRT, s.mainRT = map[string]*RouteTable{}, map[string]*RouteTable{}
	for _, rt := range rts {
		for _, a := range rt.Associations {
			switch {
			case a.Main:
				s.mainRT[rt.VpcID] = rt
			case a.SubnetID != "":
				s.subnetRT[a.SubnetID] = rt
			}
		}
	}
	s.subnetACL, s.defaultACL = map[string]*NetworkACL{}, map[string]*NetworkACL{}
	for _, a := range acls {
		if a.IsDefault {
			s.defaultACL[a.VpcID] = a
		}
		for _, as := range a.Associations {
			s.subnetACL[as.SubnetID] = a
		}
	}
	s.vpcSubnets = map[string][]*Subnet{}
	for _, sn := range subnets {
		s.vpcSubnets[sn.VpcID] = append(s.vpcSubnets[sn.VpcID], sn)
	}
	for _, l := range s.vpcSubnets {
		slices.SortFunc(l, func(a, b *Subnet) int { return strings.Compare(a.SubnetID, b.SubnetID) })
	}
	s.Endpoints, s.vpcEPs, s.eniEP = map[string]*VpcEndpoint{}, map[string][]*VpcEndpoint{}, map[string]*VpcEndpoint{}
	for _, e := range eps {
		if !e.visible(tx) {
			continue
		}
		tx.renderEndpoint(e)
		due(e.ReadyAt)
		if e.DeletedAt != nil {
			due(e.DeletedAt.Add(tx.c.delay))
		}
		s.Endpoints[e.VpcEndpointID] = e
		if e.live() {
			s.vpcEPs[e.VpcID] = append(s.vpcEPs[e.VpcID], e)
			for _, sn := range e.Subnets {
				s.eniEP[sn.ENI] = e
			}
		}
	}
	for _, l := range s.vpcEPs {
		slices.SortFunc(l, func(a, b *VpcEndpoint) int { return strings.Compare(a.VpcEndpointID, b.VpcEndpointID) })
	}

	// DNS views, from the same objects the resolver reads.
	s.dns = map[string]*DNSView{}
	eniAddr := func(id string) (*NetworkInterface, bool) {
		e := s.NetworkInterfaces.Get(id)
		return e, e != nil
	}
	var stored []*ManagedPrefixList
	for _, p := range pls {
		if p.OwnerID == "AWS" && !isCatalogList(tx.sc.Region, p) {
			stored = append(stored, p)
		}
	}
	ranges := serviceRanges(tx.sc.Region, stored)
	zones, err := tx.allZones()
	if err != nil {
		return nil, err
	}
	rules, err := tx.rulesByVPC()
	if err != nil {
		return nil, err
	}
	for _, v := range vpcs {
		dv := &DNSView{VpcID: v.VpcID, Region: tx.sc.Region, CIDR: v.CidrBlock, DNSSupport: v.EnableDNSSupport,
			DNSHostnames: v.EnableDNSHostnames, ResolverAddr: v.ResolverAddr, ServiceRanges: ranges, Zones: zonesOfVPC(zones, v.VpcID, tx.sc.Region)}
		dv.Rules = rules[v.VpcID]
		if v.EnableDNSHostnames {
			// Looked up in this snapshot's address index when asked: a
			// VPC's every interface is not listed for each build.
			dv.HostLookup = &HostLookup{snap: s, vpc: v.VpcID}
		}
		for _, e := range s.vpcEPs[v.VpcID] {
			if de, ok := endpointForDNS(tx.sc.Region, e, e.State, eniAddr); ok {
				dv.Endpoints = append(dv.Endpoints, de)
			}
		}
		s.dns[v.VpcID] = dv
	}
	return s, nil
}

// isCatalogList reports whether a list is the catalog's own (not stored).
func isCatalogList(region string, p *ManagedPrefixList) bool {
	for _, c := range catalog.PrefixLists(region) {
		if c.ID == p.PrefixListID && len(p.Versions) == 1 && len(p.Versions[0]) == len(c.CIDRs) {
			same := true
			for i, e := range p.Versions[0] {
				if e.Cidr != c.CIDRs[i].String() {
					same = false
				}
			}
			return same
		}
	}
	return false
}

// eniCache keeps decoded interfaces with the stored bytes they came from:
// interfaces are most of a large state and a snapshot never modifies
// them, so an unchanged one is not decoded again.
type eniCache struct {
	mu sync.Mutex
	m  map[Scope]map[string]cachedENI
}

type cachedENI struct {
	raw []byte
	eni *NetworkInterface
}

// decodedENIs lists the scope's interfaces, decoding only those whose
// stored bytes changed since the last snapshot.
func (c *Cloud) decodedENIs(tx *txn) ([]*NetworkInterface, error) {
	rs, err := tx.List(tx.sc, kindENI)
	if err != nil {
		return nil, err
	}
	c.enis.mu.Lock()
	defer c.enis.mu.Unlock()
	if c.enis.m == nil {
		c.enis.m = map[Scope]map[string]cachedENI{}
	}
	old := c.enis.m[tx.sc]
	cur := make(map[string]cachedENI, len(rs))
	out := make([]*NetworkInterface, 0, len(rs))
	for _, r := range rs {
		if e, ok := old[r.ID]; ok && bytes.Equal(e.raw, r.Data) {
			cur[r.ID] = e
			out = append(out, e.eni)
			continue
		}
		v := new(NetworkInterface)
		if err := json.Unmarshal(r.Data, v); err != nil {
			return nil, fmt.Errorf("decode %s %s: %w", kindENI, r.ID, err)
		}
		cur[r.ID] = cachedENI{r.Data, v}
		out = append(out, v)
	}
	c.enis.m[tx.sc] = cur
	return out, nil
}

// loadTransitGateways reads the scope's live transit gateways, attachments
// and route tables, and derives each table's routes.
func (s *Snapshot) loadTransitGateways(tx *txn) error {
	gs, err := listObj[TransitGateway](tx, kindTGW)
	if err != nil {
		return err
	}
	s.TransitGateways = map[string]*TransitGateway{}
	for _, g := range gs {
		if g.DeletedAt == nil {
			g.State = g.state(tx)
			s.TransitGateways[g.TransitGatewayID] = g
		}
	}
	atts, err := tx.tgwAttachments("")
	if err != nil {
		return err
	}
	s.TGWAttachments = toMap(atts, tgwAttachmentID)
	rts, err := tx.tgwRouteTables("")
	if err != nil {
		return err
	}
	s.TGWRouteTables = toMap(rts, tgwRouteTableID)
	s.tgwRoutes = map[string][]TGWRoute{}
	for _, rt := range rts {
		if s.tgwRoutes[rt.TransitGatewayRouteTableID], err = tx.TGWRoutesOf(rt); err != nil {
			return err
		}
	}
	return nil
}

// TGWRoutes returns a transit gateway route table's routes, static and
// propagated.
func (s *Snapshot) TGWRoutes(rtbID string) []TGWRoute { return s.tgwRoutes[rtbID] }

// TGWAssociation returns the route table an attachment is associated
// with; nil when none.
func (s *Snapshot) TGWAssociation(attachmentID string) *TransitGatewayRouteTable {
	for _, rt := range s.TGWRouteTables {
		if slices.Contains(rt.Associations, attachmentID) {
			return rt
		}
	}
	return nil
}

// TGWAttachmentOf returns a VPC's attachment to a transit gateway; nil
// when it has none.
func (s *Snapshot) TGWAttachmentOf(tgwID, vpcID string) *TransitGatewayVpcAttachment {
	for _, a := range s.TGWAttachments {
		if a.TransitGatewayID == tgwID && a.VpcID == vpcID {
			return a
		}
	}
	return nil
}

// OnPremises returns the VPN connection behind which an address stands on
// premises: the available connection with the most specific static route
// holding it (a connection to a transit gateway: the most specific static
// route of the gateway's tables to its attachment); nil when none does.
func (s *Snapshot) OnPremises(a netip.Addr) *VpnConnection {
	var best *VpnConnection
	bits := -1
	for _, id := range slices.Sorted(maps.Keys(s.VpnConnections)) {
		v := s.VpnConnections[id]
		if v.State != "available" {
			continue
		}
		for _, r := range v.Routes {
			if r.DestinationCidrBlock.Contains(a) && r.DestinationCidrBlock.Bits() > bits {
				best, bits = v, r.DestinationCidrBlock.Bits()
			}
		}
	}
	// A VPN connection to a transit gateway: its networks are the static
	// routes of the gateway's tables that lead to its attachment.
	for _, id := range slices.Sorted(maps.Keys(s.TGWAttachments)) {
		att := s.TGWAttachments[id]
		v := s.VpnConnections[att.VpnConnectionID]
		if att.VpnConnectionID == "" || v == nil || v.State != "available" {
			continue
		}
		for _, rt := range slices.Sorted(maps.Keys(s.tgwRoutes)) {
			for _, r := range s.tgwRoutes[rt] {
				if r.Attachment == id && r.State == "active" && r.Cidr.Contains(a) && r.Cidr.Bits() > bits {
					best, bits = v, r.Cidr.Bits()
				}
			}
		}
	}
	return best
}

// interfaceViews sets s's interface views (by ID, and by VPC and
// address): taken from r.same, patched from r.base, or built
// from every stored interface. Interfaces show their public addresses as
// Describe does: Elastic IPs (byENI) in the place of those given at
// launch. Decoded interfaces are shared with earlier snapshots
// (decodedENIs): those shown with an address are copies, so that no
// snapshot changes another's, and one whose address went shows none.
func (tx *txn) interfaceViews(s *Snapshot, r *reuse, byENI map[string][]*Address) error {
	if r.same != nil || r.base != nil {
		if rt, ok := tx.Txn.(*readingTxn); ok {
			rt.note(tx.sc, kindENI) // what the views taken were read from
		}
	}
	switch {
	case r.same != nil:
		s.NetworkInterfaces = r.same.NetworkInterfaces
		s.addrs = r.same.addrs
		return nil
	case r.base != nil:
		return tx.patchInterfaces(s, r.base, r.changed, byENI)
	}
	enis, err := tx.c.decodedENIs(tx)
	if err != nil {
		return err
	}
	for i, e := range enis {
		if e.Association != nil || len(byENI[e.NetworkInterfaceID]) > 0 {
			cp := *e
			cp.PrivateIPs = slices.Clone(e.PrivateIPs)
			enis[i] = &cp
		}
	}
	tx.showAddressesWith(enis, byENI)
	s.NetworkInterfaces = NewInterfaceMap(enis)
	s.indexInterfaces(enis)
	return nil
}

// patchInterfaces sets s's interface views from base's and the
// interfaces in changed, read now (gone when not found): the others are
// base's objects. Both views share their bases with base's and keep the
// changes apart (InterfaceMap, addrIndex): O(changed), whatever the
// account's size.
func (tx *txn) patchInterfaces(s, base *Snapshot, changed []string, byENI map[string][]*Address) error {
	var fresh, gone []*NetworkInterface
	ids := map[string]bool{}
	for _, id := range changed {
		ids[id] = true
		if e := base.NetworkInterfaces.Get(id); e != nil {
			gone = append(gone, e)
		}
		e, err := getObj[NetworkInterface](tx, kindENI, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			continue
		case err != nil:
			return err
		}
		fresh = append(fresh, e)
	}
	tx.showAddressesWith(fresh, byENI) // decoded here: theirs to change
	s.NetworkInterfaces = base.NetworkInterfaces.edit()
	for id := range ids {
		s.NetworkInterfaces.set(id, nil)
	}
	for _, e := range fresh {
		s.NetworkInterfaces.set(e.NetworkInterfaceID, e)
	}
	s.NetworkInterfaces.fold()
	vpcs := map[string]bool{}
	for _, l := range [][]*NetworkInterface{gone, fresh} {
		for _, e := range l {
			vpcs[e.VpcID] = true
		}
	}
	s.addrs = maps.Clone(base.addrs)
	for vpc := range vpcs {
		x := base.addrs[vpc].edit()
		for _, e := range gone {
			if e.VpcID != vpc {
				continue
			}
			for _, a := range interfaceAddrs(e) {
				if x.get(a) == e {
					x.set(a, nil)
				}
			}
		}
		for _, e := range fresh {
			if e.VpcID == vpc {
				for _, a := range interfaceAddrs(e) {
					x.set(a, e)
				}
			}
		}
		x.fold()
		s.addrs[vpc] = x
	}
	return nil
}

// indexInterfaces builds the address index: VPC → address → interface.
func (s *Snapshot) indexInterfaces(enis []*NetworkInterface) {
	s.addrs = map[string]*addrIndex{}
	for _, e := range enis {
		x := s.addrs[e.VpcID]
		if x == nil {
			x = newLayered(map[netip.Addr]*NetworkInterface{})
			s.addrs[e.VpcID] = x
		}
		for _, a := range interfaceAddrs(e) {
			x.base[a] = e
		}
		x.n = len(x.base)
	}
}

// interfaceAddrs lists an interface's addresses.
func interfaceAddrs(e *NetworkInterface) []netip.Addr {
	out := make([]netip.Addr, 0, len(e.PrivateIPs)+len(e.Ipv6Addresses)+1)
	for _, ip := range e.PrivateIPs {
		out = append(out, ip.PrivateIPAddress)
	}
	for _, ip := range e.Ipv6Addresses {
		out = append(out, ip.Ipv6Address)
	}
	if e.PrivateIPAddress.IsValid() {
		out = append(out, e.PrivateIPAddress)
	}
	return out
}
