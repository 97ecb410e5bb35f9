package reach

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/vpce/vpce/internal/cloud"
)

// protoNumber turns a rule's protocol (tcp, 6, -1, all) into its number,
// "-1" meaning every protocol.
func protoNumber(p string) string {
	switch strings.ToLower(p) {
	case "-1", "all":
		return "-1"
	case "tcp", "6":
		return "6"
	case "udp", "17":
		return "17"
	case "icmp", "1":
		return "1"
	case "icmpv6", "58":
		return "58"
	}
	return p
}

// peerMatch says whether a security group rule's peer covers an address:
// a CIDR, a prefix list, or a group the address's interface is in.
func (a *Analyzer) peerMatch(r cloud.SecurityGroupRule, vpcID string, addr netip.Addr, peerGroups []string) bool {
	switch {
	case r.CidrIPv4 != "":
		p, err := netip.ParsePrefix(r.CidrIPv4)
		return err == nil && p.Contains(addr)
	case r.CidrIPv6 != "":
		p, err := netip.ParsePrefix(r.CidrIPv6)
		return err == nil && p.Contains(addr)
	case r.PrefixListID != "":
		return slices.ContainsFunc(a.snap.PrefixListCIDRs(r.PrefixListID), func(p netip.Prefix) bool { return p.Contains(addr) })
	case r.ReferencedGroupInfo != nil:
		return slices.Contains(peerGroups, r.ReferencedGroupInfo.GroupID)
	}
	return false
}

// sgAllows finds the rule of the groups that allows the flow in one
// direction: egress to peer, or ingress from it.
func (a *Analyzer) sgAllows(groups []string, egress bool, proto string, port int, vpcID string, peer netip.Addr, peerGroups []string) (*cloud.SecurityGroup, *cloud.SecurityGroupRule) {
	for _, gid := range groups {
		g := a.snap.SecurityGroups[gid]
		if g == nil {
			continue
		}
		for i := range g.Rules {
			r := &g.Rules[i]
			if r.IsEgress != egress {
				continue
			}
			rp := protoNumber(r.IPProtocol)
			if rp != "-1" && rp != proto {
				continue
			}
			if rp != "-1" && (port < int(r.FromPort) || port > int(r.ToPort)) {
				continue
			}
			if a.peerMatch(*r, vpcID, peer, peerGroups) {
				return g, r
			}
		}
	}
	return nil, nil
}

// groupsAt returns the security groups of the interface holding addr in a
// VPC: what a rule that references a group matches.
func (a *Analyzer) groupsAt(vpcID string, addr netip.Addr) []string {
	e := a.snap.InterfaceAt(vpcID, addr)
	if e == nil {
		return nil
	}
	out := make([]string, len(e.Groups))
	for i, g := range e.Groups {
		out[i] = g.GroupID
	}
	return out
}

func ruleText(r *cloud.SecurityGroupRule) string {
	proto := r.IPProtocol
	ports := ""
	switch protoNumber(proto) {
	case "-1":
		proto = "all traffic"
	default:
		if r.FromPort == r.ToPort {
			ports = "/" + strconv.Itoa(int(r.FromPort))
		} else {
			ports = fmt.Sprintf("/%d-%d", r.FromPort, r.ToPort)
		}
	}
	peer := ""
	switch {
	case r.CidrIPv4 != "":
		peer = r.CidrIPv4
	case r.CidrIPv6 != "":
		peer = r.CidrIPv6
	case r.PrefixListID != "":
		peer = r.PrefixListID
	case r.ReferencedGroupInfo != nil:
		peer = r.ReferencedGroupInfo.GroupID
	}
	dir := "from"
	if r.IsEgress {
		dir = "to"
	}
	id := r.SecurityGroupRuleID
	if id != "" {
		id = " (" + id + ")"
	}
	return fmt.Sprintf("%s%s %s %s%s", proto, ports, dir, peer, id)
}

// aclPeer says whether an entry's CIDR (IPv4 or IPv6) covers an address.
func aclPeer(e cloud.ACLEntry, peer netip.Addr) bool {
	c := e.CidrBlock
	if e.Ipv6CidrBlock != "" {
		c = e.Ipv6CidrBlock
	}
	p, err := netip.ParsePrefix(c)
	return err == nil && p.Contains(peer)
}

// aclEntryMatches says whether an entry applies to a packet; port is the
// destination port.
func aclEntryMatches(e cloud.ACLEntry, proto string, port int, peer netip.Addr) bool {
	ep := protoNumber(e.Protocol)
	if ep != "-1" && ep != proto {
		return false
	}
	if !aclPeer(e, peer) {
		return false
	}
	if ep == "6" || ep == "17" {
		if e.PortRange == nil || e.PortRange.From == nil || e.PortRange.To == nil {
			return true
		}
		return port >= int(*e.PortRange.From) && port <= int(*e.PortRange.To)
	}
	return true
}

// sortedEntries returns an ACL's entries of one direction in rule order.
func sortedEntries(acl *cloud.NetworkACL, egress bool) []cloud.ACLEntry {
	var out []cloud.ACLEntry
	for _, e := range acl.Entries {
		if e.Egress == egress {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b cloud.ACLEntry) int { return int(a.RuleNumber) - int(b.RuleNumber) })
	return out
}

// aclDecide returns the first entry, in rule order, that applies to a
// packet; nil when none does (which denies, as the implicit * rule).
func aclDecide(acl *cloud.NetworkACL, egress bool, proto string, port int, peer netip.Addr) *cloud.ACLEntry {
	for _, e := range sortedEntries(acl, egress) {
		if aclEntryMatches(e, proto, port, peer) {
			return &e
		}
	}
	return nil
}

// span is an inclusive port range.
type span struct{ lo, hi int }

// portSet is a sorted list of disjoint ranges.
type portSet []span

func (s portSet) intersect(o portSet) portSet {
	var out portSet
	for _, a := range s {
		for _, b := range o {
			lo, hi := max(a.lo, b.lo), min(a.hi, b.hi)
			if lo <= hi {
				out = append(out, span{lo, hi})
			}
		}
	}
	return out
}

func (s portSet) minus(r span) portSet {
	var out portSet
	for _, a := range s {
		if r.hi < a.lo || r.lo > a.hi {
			out = append(out, a)
			continue
		}
		if a.lo < r.lo {
			out = append(out, span{a.lo, r.lo - 1})
		}
		if a.hi > r.hi {
			out = append(out, span{r.hi + 1, a.hi})
		}
	}
	return out
}

func (s portSet) String() string {
	if len(s) == 0 {
		return "none"
	}
	parts := make([]string, len(s))
	for i, x := range s {
		if x.lo == x.hi {
			parts[i] = strconv.Itoa(x.lo)
		} else {
			parts[i] = fmt.Sprintf("%d-%d", x.lo, x.hi)
		}
	}
	return strings.Join(parts, ",")
}

// ephemeral is the range a client's source port comes from (AWS's advice
// for network ACLs covers every client: 1024-65535).
var ephemeral = portSet{{1024, 65535}}

// aclPorts returns the destination ports of within that an ACL lets
// through for packets of proto from or to peer, honouring rule order.
func aclPorts(acl *cloud.NetworkACL, egress bool, proto string, peer netip.Addr, within portSet) portSet {
	remaining := slices.Clone(within)
	var allowed portSet
	for _, e := range sortedEntries(acl, egress) {
		ep := protoNumber(e.Protocol)
		if ep != "-1" && ep != proto {
			continue
		}
		if !aclPeer(e, peer) {
			continue
		}
		r := span{0, 65535}
		if (ep == "6" || ep == "17") && e.PortRange != nil && e.PortRange.From != nil && e.PortRange.To != nil {
			r = span{int(*e.PortRange.From), int(*e.PortRange.To)}
		}
		if e.RuleAction == "allow" {
			allowed = append(allowed, remaining.intersect(portSet{r})...)
		}
		remaining = remaining.minus(r)
		if len(remaining) == 0 {
			break
		}
	}
	slices.SortFunc(allowed, func(a, b span) int { return a.lo - b.lo })
	return allowed
}

func aclText(e *cloud.ACLEntry) string {
	if e == nil {
		return "no rule matches: the implicit * rule denies"
	}
	n := strconv.Itoa(int(e.RuleNumber))
	if e.RuleNumber >= 32767 { // 32768: the IPv6 * rule
		n = "*"
	}
	ports := ""
	if pn := protoNumber(e.Protocol); (pn == "6" || pn == "17") && e.PortRange != nil && e.PortRange.From != nil && e.PortRange.To != nil {
		ports = fmt.Sprintf(" ports %d-%d", *e.PortRange.From, *e.PortRange.To)
	}
	proto := e.Protocol
	if protoNumber(proto) == "-1" {
		proto = "all"
	}
	return fmt.Sprintf("rule %s: %s %s%s %s", n, e.RuleAction, proto, ports, cmp.Or(e.CidrBlock, e.Ipv6CidrBlock))
}

// freeRuleNumber proposes a rule number below the one that denied.
func freeRuleNumber(acl *cloud.NetworkACL, egress bool, below int32) int32 {
	used := map[int32]bool{}
	for _, e := range acl.Entries {
		if e.Egress == egress {
			used[e.RuleNumber] = true
		}
	}
	for n := below - 1; n >= 1; n-- {
		if !used[n] && n%10 == 0 {
			return n
		}
	}
	for n := below - 1; n >= 1; n-- {
		if !used[n] {
			return n
		}
	}
	return 1
}

// routeMatch is the route traffic to an address takes, and how specific
// the match was.
type routeMatch struct {
	route *cloud.Route
	bits  int
	via   netip.Prefix // the CIDR (or prefix-list entry) that matched
}

// lookupRoute finds the most specific route to addr: CIDR routes by their
// length, prefix-list routes by the length of the entry that matches.
func (a *Analyzer) lookupRoute(rt *cloud.RouteTable, addr netip.Addr) routeMatch {
	best := routeMatch{bits: -1}
	for i := range rt.Routes {
		r := &rt.Routes[i]
		var cands []netip.Prefix
		if r.DestinationPrefixListID != "" {
			cands = a.snap.PrefixListCIDRs(r.DestinationPrefixListID)
		} else if p, ok := r.Prefix(); ok {
			cands = []netip.Prefix{p}
		}
		for _, p := range cands {
			if !p.Contains(addr) || p.Bits() < best.bits {
				continue
			}
			// Equal length: a CIDR route wins over a prefix-list one.
			if p.Bits() == best.bits && r.DestinationPrefixListID != "" {
				continue
			}
			best = routeMatch{route: r, bits: p.Bits(), via: p}
		}
	}
	return best
}

func routeText(r *cloud.Route) string {
	dst := cmp.Or(r.DestinationPrefixListID, r.DestinationIpv6CidrBlock, r.DestinationCidrBlock)
	target := routeTarget(r)
	s := dst + " → " + target
	if r.State != "" && r.State != "active" {
		s += " (" + r.State + ")"
	}
	return s
}

// routeTarget is where a route sends traffic.
func routeTarget(r *cloud.Route) string {
	return cmp.Or(r.GatewayID, r.EgressOnlyIGWID, r.NatGatewayID, r.VpcEndpointID, r.NetworkInterfaceID, r.InstanceID, r.VpcPeeringConnectionID, r.TransitGatewayID)
}
