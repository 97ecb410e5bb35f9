package reach

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"

	"github.com/vpce/vpce/internal/catalog"
	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/policy"
)

// forward walks the path from a source inside a VPC: security group
// egress, network ACL out, the route, and what the route leads to.
func (p *path) forward() {
	s, src, dst := p.a.snap, &p.src, &p.dst
	if dst.endpoint != nil && dst.endpoint.VpcID != src.VpcID && dst.endpoint.VpcEndpointType == cloud.EndpointGateway {
		p.block("VPCE_GATEWAY_NOT_IN_VPC", dst.endpoint.VpcEndpointID,
			fmt.Sprintf("gateway endpoint %s is in %s: gateway endpoints serve only traffic that starts in their own VPC (never through peering, a transit gateway or a VPN)", dst.endpoint.VpcEndpointID, dst.endpoint.VpcID),
			fmt.Sprintf("aws ec2 create-vpc-endpoint --vpc-id %s --service-name %s --route-table-ids %s", src.VpcID, dst.endpoint.ServiceName, p.routeTableID()))
		return
	}
	// Security group egress (a subnet source has no groups to check).
	if len(src.groups) > 0 {
		peerGroups := p.a.groupsAt(src.VpcID, dst.Address)
		g, r := p.a.sgAllows(src.groups, true, p.proto, p.q.Port, src.VpcID, dst.Address, peerGroups)
		if r == nil {
			p.hop(Hop{Component: src.groups[0], Kind: "security-group", Direction: "outbound", Result: "deny",
				Rule: fmt.Sprintf("no outbound rule of %s allows %s to %s", strings.Join(src.groups, ", "), portText(p.proto, p.q.Port), dst.Address)})
			p.block("ENI_SG_RULES_MISMATCH", src.groups[0],
				fmt.Sprintf("security groups %s have no outbound rule that allows %s to %s", strings.Join(src.groups, ", "), portText(p.proto, p.q.Port), dst.Address),
				p.egressFix(src.groups[0]))
			return
		}
		p.hop(Hop{Component: g.GroupID, Kind: "security-group", Direction: "outbound", Result: "allow", Rule: ruleText(r), SGRule: r})
	}
	// Network ACL out of the source subnet.
	if !p.aclStep(src.Subnet, true, dst.Address, p.q.Port, "") {
		return
	}
	// Route.
	rt := s.RouteTableOf(src.Subnet)
	if rt == nil {
		p.block("NO_ROUTE_TO_DESTINATION", src.Subnet, "the subnet has no route table")
		return
	}
	m := p.a.lookupRoute(rt, dst.Address)
	if m.route == nil {
		p.hop(Hop{Component: rt.RouteTableID, Kind: "route-table", Result: "deny", Rule: "no route to " + dst.Address.String()})
		p.block("NO_ROUTE_TO_DESTINATION", rt.RouteTableID, fmt.Sprintf("route table %s has no route to %s", rt.RouteTableID, dst.Address), p.routeFix(rt)...)
		return
	}
	route := *m.route
	p.hop(Hop{Component: rt.RouteTableID, Kind: "route-table", Result: "route", Rule: routeText(&route), Route: &route})
	if route.State == "blackhole" {
		dstFlag := "--destination-cidr-block " + route.DestinationCidrBlock
		if route.DestinationIpv6CidrBlock != "" {
			dstFlag = "--destination-ipv6-cidr-block " + route.DestinationIpv6CidrBlock
		}
		p.block("BAD_STATE_ROUTE", rt.RouteTableID, fmt.Sprintf("route %s is a blackhole: its target no longer exists or is not usable", routeText(&route)),
			fmt.Sprintf("aws ec2 delete-route --route-table-id %s %s", rt.RouteTableID, dstFlag))
		return
	}
	switch target := routeTarget(&route); {
	case target == "local":
		p.local()
	case strings.HasPrefix(target, "vpce-"):
		p.gatewayEndpoint(target)
	case strings.HasPrefix(target, "igw-"):
		// An IPv6 address is global: it needs no public address to go out.
		p.internetGateway(target, src.publicIP || p.v6, src.Subnet)
	case strings.HasPrefix(target, "eigw-"):
		p.egressOnly(target)
	case strings.HasPrefix(target, "nat-") && p.v6:
		p.block("UNSUPPORTED_COMPONENT", target, fmt.Sprintf("the IPv6 route leads to NAT gateway %s; vpce does not model NAT64 (64:ff9b::/96)", target))
	case strings.HasPrefix(target, "nat-"):
		p.natGateway(target)
	case strings.HasPrefix(target, "pcx-"):
		p.peering(target)
	case strings.HasPrefix(target, "tgw-"):
		p.transitGateway(target)
	default:
		p.block("UNSUPPORTED_COMPONENT", target, fmt.Sprintf("the route leads to %s; vpce does not follow paths through that kind of target yet", target))
	}
}

func (p *path) routeTableID() string {
	if rt := p.a.snap.RouteTableOf(p.src.Subnet); rt != nil {
		return rt.RouteTableID
	}
	return "<route table>"
}

// aclStep checks a network ACL in one direction for the forward packet and
// records the hop; false when it denies.
func (p *path) aclStep(subnetID string, egress bool, peer netip.Addr, port int, label string) bool {
	acl := p.a.snap.NetworkACLOf(subnetID)
	if acl == nil {
		return true
	}
	dir := map[bool]string{true: "outbound", false: "inbound"}[egress]
	e := aclDecide(acl, egress, p.proto, port, peer)
	h := Hop{Component: acl.NetworkACLID, Kind: "network-acl", Direction: dir, Subnet: subnetID, Rule: label + aclText(e), ACLRule: e}
	if e == nil || e.RuleAction != "allow" {
		h.Result = "deny"
		p.hop(h)
		below := int32(32767)
		if e != nil {
			below = e.RuleNumber
		}
		flag := "--ingress"
		if egress {
			flag = "--egress"
		}
		p.block("SUBNET_ACL_RESTRICTION", acl.NetworkACLID,
			fmt.Sprintf("network ACL %s of %s denies %s %s %s (%s)", acl.NetworkACLID, subnetID, dir, portText(p.proto, port), peer, aclText(e)),
			fmt.Sprintf("aws ec2 create-network-acl-entry --network-acl-id %s %s --rule-number %d --protocol %s --port-range From=%d,To=%d %s %s --rule-action allow",
				acl.NetworkACLID, flag, freeRuleNumber(acl, egress, below), p.r.Protocol, port, port, cidrFlag(peer), cidrFor(peer)))
		return false
	}
	h.Result = "allow"
	p.hop(h)
	return true
}

func cidrFor(a netip.Addr) string { return netip.PrefixFrom(a, a.BitLen()).String() }

// cidrFlag is the aws CLI option that takes a CIDR of a's family.
func cidrFlag(a netip.Addr) string {
	if a.Is6() {
		return "--ipv6-cidr-block"
	}
	return "--cidr-block"
}

// returnACL checks that the answer can come back through a network ACL:
// packets from peer to the client's ephemeral port (the destination port
// of the return packet). ports narrows the ephemeral ports still open.
func (p *path) returnACL(subnetID string, egress bool, peer netip.Addr, ports *portSet) bool {
	acl := p.a.snap.NetworkACLOf(subnetID)
	if acl == nil {
		return true
	}
	dir := map[bool]string{true: "outbound", false: "inbound"}[egress]
	open := aclPorts(acl, egress, p.proto, peer, *ports)
	h := Hop{Component: acl.NetworkACLID, Kind: "network-acl", Direction: dir, Subnet: subnetID}
	if len(open) == 0 {
		h.Result, h.Rule = "deny", fmt.Sprintf("return traffic %s %s on ephemeral ports %s: denied", dir, peer, ports)
		p.r.ReturnHops = append(p.r.ReturnHops, h)
		flag := "--ingress"
		if egress {
			flag = "--egress"
		}
		p.block("SUBNET_ACL_RESTRICTION", acl.NetworkACLID,
			fmt.Sprintf("network ACL %s of %s denies the return traffic %s %s to ephemeral ports %s (network ACLs are stateless)", acl.NetworkACLID, subnetID, dir, peer, ports),
			fmt.Sprintf("aws ec2 create-network-acl-entry --network-acl-id %s %s --rule-number %d --protocol %s --port-range From=1024,To=65535 %s %s --rule-action allow",
				acl.NetworkACLID, flag, freeRuleNumber(acl, egress, 32767), p.r.Protocol, cidrFlag(peer), cidrFor(peer)))
		return false
	}
	*ports = open
	h.Result, h.Rule = "allow", fmt.Sprintf("return traffic %s %s on ephemeral ports %s", dir, peer, open)
	p.r.ReturnHops = append(p.r.ReturnHops, h)
	return true
}

// local follows the VPC's local route to an interface in the VPC.
func (p *path) local() { p.deliver(p.src.VpcID, "") }

// peering crosses an active VPC peering connection to the peer VPC, then
// delivers there as its local route would. The peer's subnet must route
// the answer back over the same peering.
func (p *path) peering(id string) {
	s, src, dst := p.a.snap, &p.src, &p.dst
	pc := s.Peerings[id]
	if pc == nil || !pc.Active() {
		state := "gone"
		if pc != nil {
			state = pc.Status.Code
		}
		p.hop(Hop{Component: id, Kind: "vpc-peering-connection", Result: "deny", Rule: "peering " + state})
		p.block("BAD_STATE", id, fmt.Sprintf("VPC peering connection %s is %s: traffic crosses only an active peering", id, state),
			fmt.Sprintf("aws ec2 accept-vpc-peering-connection --vpc-peering-connection-id %s   # as the peer VPC's owner", id))
		return
	}
	peer := pc.Peer(src.VpcID)
	in := false
	for _, b := range peer.Blocks() {
		in = in || b.Contains(dst.Address)
	}
	if !in {
		p.hop(Hop{Component: id, Kind: "vpc-peering-connection", Result: "deny", Rule: fmt.Sprintf("%s is not in %s", dst.Address, peer.VpcID)})
		p.block("NO_ROUTE_TO_DESTINATION", id, fmt.Sprintf("%s is not in the peer VPC %s (%s): a peering carries only traffic between the two VPCs' blocks (no transit)", dst.Address, peer.VpcID, peer.CidrBlock))
		return
	}
	p.hop(Hop{Component: id, Kind: "vpc-peering-connection", Result: "pass", Rule: fmt.Sprintf("%s ↔ %s (%s)", src.VpcID, peer.VpcID, peer.OwnerID)})
	if s.Vpcs[peer.VpcID] == nil {
		p.block("NO_PATH", id, fmt.Sprintf("the peer VPC %s (account %s, %s) is not in the analysed network: vpce follows paths within one region, and stops at the peering", peer.VpcID, peer.OwnerID, peer.Region))
		return
	}
	p.deliver(peer.VpcID, id)
}

// transitGateway crosses a transit gateway: from the source VPC's
// attachment, by the route table that attachment is associated with
// (longest prefix over static and propagated routes), to the attachment
// of the destination VPC; the way back must exist too.
func (p *path) transitGateway(id string) {
	s, src := p.a.snap, &p.src
	g := s.TransitGateways[id]
	if g == nil || g.State != "available" {
		state := "gone"
		if g != nil {
			state = g.State
		}
		p.hop(Hop{Component: id, Kind: "transit-gateway", Result: "deny", Rule: "transit gateway " + state})
		p.block("BAD_STATE", id, fmt.Sprintf("transit gateway %s is %s, not available", id, state))
		return
	}
	att := s.TGWAttachmentOf(id, src.VpcID)
	if att == nil || att.State != "available" {
		p.hop(Hop{Component: id, Kind: "transit-gateway", Result: "deny", Rule: "no available attachment of " + src.VpcID})
		p.block("BAD_STATE", id, fmt.Sprintf("%s has no available attachment to transit gateway %s", src.VpcID, id),
			fmt.Sprintf("aws ec2 create-transit-gateway-vpc-attachment --transit-gateway-id %s --vpc-id %s --subnet-ids <a subnet per zone>", id, src.VpcID))
		return
	}
	p.acrossTGW(id, att)
}

// acrossTGW routes from an attachment of gateway id (a VPC's, or a VPN
// connection's) by the table the attachment is associated with to the
// attachment of the VPC that holds the destination, checks the way back,
// and delivers there.
func (p *path) acrossTGW(id string, att *cloud.TransitGatewayVpcAttachment) {
	s, src, dst := p.a.snap, &p.src, &p.dst
	next, ok := p.tgwRoute(id, att, dst.Address, "")
	if !ok {
		return
	}
	peer := s.TGWAttachments[next.Attachment]
	if peer == nil || peer.State != "available" {
		p.block("BAD_STATE", next.Attachment, fmt.Sprintf("the route's attachment %s is not available", next.Attachment))
		return
	}
	if peer.VpnConnectionID != "" {
		p.block("UNSUPPORTED_COMPONENT", next.Attachment, fmt.Sprintf("the transit gateway sends %s to VPN connection %s: vpce follows a transit gateway only to an interface in an attached VPC", dst.Address, peer.VpnConnectionID))
		return
	}
	vpc := s.Vpcs[peer.VpcID]
	in := false
	if vpc != nil {
		for _, a := range vpc.CidrBlockAssociationSet {
			in = in || (a.CidrBlockState.State == "associated" && a.CidrBlock.Contains(dst.Address))
		}
	}
	if !in {
		p.block("UNSUPPORTED_COMPONENT", peer.VpcID, fmt.Sprintf("the transit gateway sends %s to %s (%s), which would route it on by the route table of its attachment subnet: vpce follows a transit gateway only to an interface in the attached VPC", dst.Address, peer.VpcID, next.Attachment))
		return
	}
	// The answer comes back through the destination attachment's table.
	if _, ok := p.tgwRoute(id, peer, src.Address, att.TransitGatewayAttachmentID); !ok {
		return
	}
	p.deliver(peer.VpcID, id)
}

// tgwRoute finds the route an attachment's traffic to addr takes in the
// route table it is associated with, and records the hop; want, when set,
// is the attachment the route must lead to (the way back).
func (p *path) tgwRoute(tgw string, from *cloud.TransitGatewayVpcAttachment, addr netip.Addr, want string) (cloud.TGWRoute, bool) {
	s := p.a.snap
	dir := "to"
	if want != "" {
		dir = "back to"
	}
	rt := s.TGWAssociation(from.TransitGatewayAttachmentID)
	if rt == nil {
		p.hop(Hop{Component: from.TransitGatewayAttachmentID, Kind: "transit-gateway-attachment", Result: "deny", Rule: "associated with no route table"})
		p.block("NO_ROUTE_TO_DESTINATION", from.TransitGatewayAttachmentID, fmt.Sprintf("attachment %s of %s is associated with no transit gateway route table: its traffic is not routed", from.TransitGatewayAttachmentID, from.VpcID),
			fmt.Sprintf("aws ec2 associate-transit-gateway-route-table --transit-gateway-route-table-id <table> --transit-gateway-attachment-id %s", from.TransitGatewayAttachmentID))
		return cloud.TGWRoute{}, false
	}
	var best *cloud.TGWRoute
	for _, r := range s.TGWRoutes(rt.TransitGatewayRouteTableID) {
		if r.Cidr.Contains(addr) && (best == nil || r.Cidr.Bits() > best.Cidr.Bits()) {
			best = &r
		}
	}
	h := Hop{Component: rt.TransitGatewayRouteTableID, Kind: "transit-gateway-route-table", Result: "route"}
	fixRoute := fmt.Sprintf("aws ec2 create-transit-gateway-route --transit-gateway-route-table-id %s --destination-cidr-block %s --transit-gateway-attachment-id <attachment of the VPC holding %s>   # or enable that attachment's propagation", rt.TransitGatewayRouteTableID, cidrFor(addr), addr)
	switch {
	case best == nil:
		h.Result, h.Rule = "deny", fmt.Sprintf("no route %s %s", dir, addr)
		p.hop(h)
		p.block("NO_ROUTE_TO_DESTINATION", rt.TransitGatewayRouteTableID, fmt.Sprintf("transit gateway route table %s has no route %s %s", rt.TransitGatewayRouteTableID, dir, addr), fixRoute)
		return cloud.TGWRoute{}, false
	case best.State != "active":
		h.Result, h.Rule = "deny", fmt.Sprintf("%s → blackhole (%s)", best.Cidr, best.Type)
		p.hop(h)
		p.block("BAD_STATE_ROUTE", rt.TransitGatewayRouteTableID, fmt.Sprintf("route %s in transit gateway route table %s is a blackhole", best.Cidr, rt.TransitGatewayRouteTableID),
			fmt.Sprintf("aws ec2 delete-transit-gateway-route --transit-gateway-route-table-id %s --destination-cidr-block %s", rt.TransitGatewayRouteTableID, best.Cidr))
		return cloud.TGWRoute{}, false
	case want != "" && best.Attachment != want:
		h.Result, h.Rule = "deny", fmt.Sprintf("%s → %s (%s), not %s", best.Cidr, best.Attachment, best.Type, want)
		p.hop(h)
		p.block("NO_ROUTE_TO_DESTINATION", rt.TransitGatewayRouteTableID, fmt.Sprintf("transit gateway route table %s sends the answer to %s to %s, not back to %s", rt.TransitGatewayRouteTableID, addr, best.Attachment, want), fixRoute)
		return cloud.TGWRoute{}, false
	}
	h.Rule = fmt.Sprintf("%s %s → %s (%s, %s)", dir, best.Cidr, best.Attachment, best.Resource, best.Type)
	p.hop(h)
	return *best, true
}

// deliver ends a path at the interface holding the destination address in
// vpcID (the source's own VPC, or a peer's over peering via): the
// subnet's network ACL in, the interface's groups, and the stateless
// return path.
func (p *path) deliver(vpcID, via string) {
	s, src, dst := p.a.snap, &p.src, &p.dst
	eni := s.InterfaceAt(vpcID, dst.Address)
	if eni == nil {
		p.block("UNKNOWN_DESTINATION", vpcID, fmt.Sprintf("no interface in %s holds %s", vpcID, dst.Address))
		return
	}
	if via != "" {
		// The answer goes back by the destination subnet's route table.
		rt := s.RouteTableOf(eni.SubnetID)
		var back *cloud.Route
		if rt != nil {
			back = p.a.lookupRoute(rt, src.Address).route
		}
		if back == nil || routeTarget(back) != via {
			comp := eni.SubnetID
			if rt != nil {
				comp = rt.RouteTableID
			}
			p.hop(Hop{Component: comp, Kind: "route-table", Result: "deny", Rule: fmt.Sprintf("no route back to %s over %s", src.Address, via)})
			fix := []string{}
			if rt != nil {
				flag := "--vpc-peering-connection-id"
				switch {
				case strings.HasPrefix(via, "tgw-"):
					flag = "--transit-gateway-id"
				case strings.HasPrefix(via, "vgw-"):
					flag = "--gateway-id"
				}
				if flag == "--gateway-id" {
					fix = append(fix, fmt.Sprintf("aws ec2 enable-vgw-route-propagation --route-table-id %s --gateway-id %s", rt.RouteTableID, via))
				} else {
					fix = append(fix, fmt.Sprintf("aws ec2 create-route --route-table-id %s --destination-cidr-block %s %s %s", rt.RouteTableID, p.peerCIDR(src.Address, src.Subnet), flag, via))
				}
			}
			p.block("NO_ROUTE_TO_DESTINATION", comp, fmt.Sprintf("the route table of %s has no route back to %s over %s: the answer cannot return", eni.SubnetID, src.Address, via), fix...)
			return
		}
	}
	same := eni.SubnetID == src.Subnet
	if !same && !p.aclStep(eni.SubnetID, false, src.Address, p.q.Port, "") {
		return
	}
	srcGroups := src.groups
	if strings.HasPrefix(via, "tgw-") {
		srcGroups = nil // group references do not match across a transit gateway (vpce models none)
	}
	g, r := p.a.sgAllows(groupIDs(eni), false, p.proto, p.q.Port, src.VpcID, src.Address, srcGroups)
	if r == nil {
		comp := eni.NetworkInterfaceID
		if len(eni.Groups) > 0 {
			comp = eni.Groups[0].GroupID
		}
		p.hop(Hop{Component: comp, Kind: "security-group", Direction: "inbound", Result: "deny",
			Rule: fmt.Sprintf("no inbound rule of %s allows %s from %s", strings.Join(groupIDs(eni), ", "), portText(p.proto, p.q.Port), src.Address)})
		p.block("ENI_SG_RULES_MISMATCH", comp,
			fmt.Sprintf("security groups %s of %s have no inbound rule that allows %s from %s", strings.Join(groupIDs(eni), ", "), eni.NetworkInterfaceID, portText(p.proto, p.q.Port), src.Address),
			p.ingressFix(comp))
		return
	}
	p.hop(Hop{Component: g.GroupID, Kind: "security-group", Direction: "inbound", Result: "allow", Rule: ruleText(r), SGRule: r})
	// Return path: network ACLs are stateless, security groups are not.
	if !same {
		ports := ephemeral
		if !p.returnACL(eni.SubnetID, true, src.Address, &ports) || !p.returnACL(src.Subnet, false, dst.Address, &ports) {
			return
		}
	}
	ep := s.EndpointOfInterface(eni.NetworkInterfaceID)
	if ep == nil {
		p.hop(Hop{Component: eni.NetworkInterfaceID, Kind: "network-interface", Result: "pass", Subnet: eni.SubnetID, Address: dst.Address,
			Rule: fmt.Sprintf("%s in %s (%s)", dst.Address, eni.SubnetID, eni.AvailabilityZone)})
		p.r.Verdict = Local
		return
	}
	p.interfaceEndpoint(ep, eni)
}

func groupIDs(e *cloud.NetworkInterface) []string {
	out := make([]string, len(e.Groups))
	for i, g := range e.Groups {
		out[i] = g.GroupID
	}
	return out
}

// interfaceEndpoint ends a path at an interface endpoint's interface.
func (p *path) interfaceEndpoint(ep *cloud.VpcEndpoint, eni *cloud.NetworkInterface) {
	h := Hop{Component: ep.VpcEndpointID, Kind: "vpc-endpoint", Result: "pass", Subnet: eni.SubnetID, Address: eni.PrivateIPAddress,
		Rule: fmt.Sprintf("interface endpoint for %s, interface %s in %s", ep.ServiceName, eni.NetworkInterfaceID, eni.AvailabilityZone)}
	if ep.State != "available" {
		h.Result = "deny"
		p.hop(h)
		p.block("BAD_STATE", ep.VpcEndpointID, fmt.Sprintf("endpoint %s is %s, not available", ep.VpcEndpointID, ep.State))
		return
	}
	if p.proto != "6" {
		h.Result = "deny"
		p.hop(h)
		p.block("PROTOCOL_RESTRICTION", ep.VpcEndpointID, fmt.Sprintf("interface endpoint %s accepts TCP only", ep.VpcEndpointID))
		return
	}
	p.hop(h)
	if eni.AvailabilityZone != p.src.Zone && p.src.Zone != "" {
		p.detail("AVAILABILITY_ZONE_CROSSED", ep.VpcEndpointID, fmt.Sprintf("the source is in %s and the endpoint interface in %s: cross-zone data transfer is charged", p.src.Zone, eni.AvailabilityZone))
		if svc, ok := ep.Service(p.a.snap.Scope.Region); ok && !svc.OffersZone(p.src.Zone) {
			p.detail("VPCE_SERVICE_NOT_INSTALLED_IN_AZ", ep.VpcEndpointID, fmt.Sprintf("%s is not offered in %s", ep.ServiceName, p.src.Zone))
		}
	}
	p.r.Endpoint = ep.VpcEndpointID
	if !p.policies(ep) {
		return
	}
	p.r.Verdict = PrivateInterfaceEndpoint
}

// gatewayEndpoint ends a path at a gateway endpoint's route.
func (p *path) gatewayEndpoint(id string) {
	ep := p.a.snap.Endpoints[id]
	if ep == nil {
		p.block("BAD_STATE_ROUTE", id, fmt.Sprintf("the route's endpoint %s no longer exists", id))
		return
	}
	h := Hop{Component: id, Kind: "vpc-endpoint", Result: "pass", Rule: "gateway endpoint for " + ep.ServiceName}
	switch {
	case ep.State != "available":
		h.Result = "deny"
		p.hop(h)
		p.block("BAD_STATE", id, fmt.Sprintf("endpoint %s is %s, not available", id, ep.State))
		return
	case p.proto != "6":
		h.Result = "deny"
		p.hop(h)
		p.block("VPCE_GATEWAY_PROTOCOL_RESTRICTION", id, fmt.Sprintf("gateway endpoint %s accepts only TCP (and ICMP echo), not %s", id, p.r.Protocol))
		return
	}
	p.hop(h)
	ports := ephemeral
	if !p.returnACL(p.src.Subnet, false, p.dst.Address, &ports) {
		return
	}
	p.r.Endpoint = ep.VpcEndpointID
	if !p.policies(ep) {
		return
	}
	p.r.Verdict = PrivateGatewayEndpoint
}

// internetGateway ends a path at an internet gateway.
func (p *path) internetGateway(id string, publicIP bool, subnetID string) {
	g := p.a.snap.InternetGateways[id]
	h := Hop{Component: id, Kind: "internet-gateway", Result: "pass", Rule: "to the internet"}
	if g == nil {
		p.block("BAD_STATE_ROUTE", id, fmt.Sprintf("internet gateway %s no longer exists", id))
		return
	}
	if isPrivate(p.dst.Address) && !p.dst.internet {
		h.Result = "deny"
		p.hop(h)
		p.block("IGW_DESTINATION_ADDRESS_NOT_PUBLIC", id, fmt.Sprintf("%s is a private address: an internet gateway does not carry it", p.dst.Address))
		return
	}
	if !publicIP {
		h.Result = "deny"
		p.hop(h)
		p.block("IGW_PUBLIC_IP_ASSOCIATION_FOR_EGRESS", id,
			fmt.Sprintf("%s has no public IPv4 address: an internet gateway translates only addresses that have one", p.src.Address),
			fmt.Sprintf("route %s to a NAT gateway in a public subnet instead, or give the source a public address (aws ec2 associate-address)", p.routeTableID()))
		return
	}
	p.hop(h)
	ports := ephemeral
	if !p.returnACL(subnetID, false, p.dst.Address, &ports) {
		return
	}
	p.r.PublicAddress = p.publicAddress()
	if !p.policies(nil) {
		return
	}
	p.r.Verdict = PublicIGW
	p.notePublic()
}

// egressOnly ends an IPv6 path at an egress-only internet gateway: out to
// the internet and the answers back, never a connection in.
func (p *path) egressOnly(id string) {
	g := p.a.snap.EgressOnlyInternetGateways[id]
	h := Hop{Component: id, Kind: "egress-only-internet-gateway", Result: "pass", Rule: "IPv6 to the internet (outbound only)"}
	if g == nil {
		p.block("BAD_STATE_ROUTE", id, fmt.Sprintf("egress-only internet gateway %s no longer exists", id))
		return
	}
	if isPrivate(p.dst.Address) && !p.dst.internet {
		h.Result = "deny"
		p.hop(h)
		p.block("IGW_DESTINATION_ADDRESS_NOT_PUBLIC", id, fmt.Sprintf("%s is not a global address: an egress-only internet gateway does not carry it", p.dst.Address))
		return
	}
	p.hop(h)
	ports := ephemeral
	if !p.returnACL(p.src.Subnet, false, p.dst.Address, &ports) {
		return
	}
	p.r.PublicAddress = p.src.Address
	if !p.policies(nil) {
		return
	}
	p.r.Verdict = PublicEgressOnly
	p.notePublic()
}

// natGateway follows a route to a NAT gateway and on from its subnet.
func (p *path) natGateway(id string) {
	s := p.a.snap
	n := s.NatGateways[id]
	if n == nil {
		p.block("BAD_STATE_ROUTE", id, fmt.Sprintf("NAT gateway %s no longer exists", id))
		return
	}
	h := Hop{Component: id, Kind: "nat-gateway", Result: "pass", Subnet: n.SubnetID, Rule: fmt.Sprintf("%s NAT gateway in %s", n.ConnectivityType, n.SubnetID)}
	if n.State != "available" {
		h.Result = "deny"
		p.hop(h)
		p.block("BAD_STATE", id, fmt.Sprintf("NAT gateway %s is %s, not available", id, n.State))
		return
	}
	natAddr, natPublic := netip.Addr{}, netip.Addr{}
	publicIP := false
	for _, a := range n.Addresses {
		if a.IsPrimary || !natAddr.IsValid() {
			natAddr = a.PrivateIP
			publicIP = a.PublicIP != ""
			natPublic, _ = netip.ParseAddr(a.PublicIP)
		}
	}
	p.hop(h)
	// Into the NAT's subnet, then out of it.
	if n.SubnetID != p.src.Subnet && !p.aclStep(n.SubnetID, false, p.src.Address, p.q.Port, "into the NAT gateway's subnet: ") {
		return
	}
	if !p.aclStep(n.SubnetID, true, p.dst.Address, p.q.Port, "out of the NAT gateway's subnet: ") {
		return
	}
	rt := s.RouteTableOf(n.SubnetID)
	if rt == nil {
		p.block("NO_ROUTE_TO_DESTINATION", n.SubnetID, "the NAT gateway's subnet has no route table")
		return
	}
	m := p.a.lookupRoute(rt, p.dst.Address)
	if m.route == nil {
		p.hop(Hop{Component: rt.RouteTableID, Kind: "route-table", Result: "deny", Rule: "no route to " + p.dst.Address.String()})
		p.block("NO_ROUTE_TO_DESTINATION", rt.RouteTableID,
			fmt.Sprintf("route table %s of the NAT gateway's subnet %s has no route to %s", rt.RouteTableID, n.SubnetID, p.dst.Address),
			fmt.Sprintf("aws ec2 create-route --route-table-id %s --destination-cidr-block 0.0.0.0/0 --gateway-id <internet gateway of %s>", rt.RouteTableID, n.VpcID))
		return
	}
	route := *m.route
	p.hop(Hop{Component: rt.RouteTableID, Kind: "route-table", Result: "route", Rule: routeText(&route), Route: &route})
	target := routeTarget(&route)
	switch {
	case route.State == "blackhole":
		p.block("BAD_STATE_ROUTE", rt.RouteTableID, fmt.Sprintf("route %s is a blackhole", routeText(&route)))
	case strings.HasPrefix(target, "igw-"):
		if n.ConnectivityType == "private" || !publicIP {
			p.block("NGW_PRIVATE_CANNOT_REACH_INTERNET", id, fmt.Sprintf("NAT gateway %s is private: it cannot send traffic to an internet gateway", id))
			return
		}
		src := p.src
		p.src.Address, p.natPublic = natAddr, natPublic
		p.r.NatGateway = id
		p.internetGateway(target, true, n.SubnetID)
		p.src = src
		if p.r.Verdict == PublicIGW {
			// The NAT's subnet let the answer in; the source's subnet
			// must let it back from the NAT gateway.
			ports := ephemeral
			if n.SubnetID != p.src.Subnet && !p.returnACL(p.src.Subnet, false, p.dst.Address, &ports) {
				return
			}
			p.r.Verdict = PublicNAT
		}
	case strings.HasPrefix(target, "vpce-"):
		p.gatewayEndpoint(target)
	default:
		p.block("UNSUPPORTED_COMPONENT", target, fmt.Sprintf("the NAT gateway's route leads to %s; vpce does not follow that kind of target yet", target))
	}
}

// publicAddress is the address a service sees a public path come from:
// the NAT gateway's public address, or the source's own.
func (p *path) publicAddress() netip.Addr {
	if p.natPublic.IsValid() {
		return p.natPublic
	}
	if p.v6 {
		return p.src.Address
	}
	if e := p.src.eni; e != nil && e.Association != nil {
		if a, err := netip.ParseAddr(e.Association.PublicIP); err == nil {
			return a
		}
	}
	return stableTestNet3(p.src.Address)
}

// stableTestNet3 stands for an instance's public address vpce did not
// hand out: one of TEST-NET-3 (203.0.113.0/24), stable per source.
func stableTestNet3(a netip.Addr) netip.Addr {
	b := a.As4()
	return netip.AddrFrom4([4]byte{203, 0, 113, b[3]})
}

// notePublic explains, on a public path to an AWS service, what a private
// one would take.
func (p *path) notePublic() {
	svc := p.serviceOf(p.dst.Address)
	if svc == nil {
		return
	}
	if catalog.HasGateway(svc.Region, svc.Name) {
		p.detail("PUBLIC_PATH_TO_AWS_SERVICE", p.r.Hops[len(p.r.Hops)-1].Component,
			fmt.Sprintf("%s is reached over the internet; a gateway endpoint would carry it privately and free of data processing charges", svc.Name))
		p.r.Fix = append(p.r.Fix, fmt.Sprintf("aws ec2 create-vpc-endpoint --vpc-id %s --service-name %s --route-table-ids %s", p.src.VpcID, svc.Name, p.routeTableID()))
		return
	}
	p.detail("PUBLIC_PATH_TO_AWS_SERVICE", p.r.Hops[len(p.r.Hops)-1].Component,
		fmt.Sprintf("%s is reached over the internet; an interface endpoint with private DNS would keep it in the VPC", svc.Name))
}

var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"), netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"), netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("169.254.0.0/16"),
	// IPv6: unique local, link local, loopback.
	netip.MustParsePrefix("fc00::/7"), netip.MustParsePrefix("fe80::/10"), netip.MustParsePrefix("::1/128"),
}

func isPrivate(a netip.Addr) bool {
	for _, p := range privateRanges {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// fromOutside is a path from an address outside every VPC.
func (p *path) fromOutside() {
	s, dst := p.a.snap, &p.dst
	if p.src.vpn != nil && (dst.endpoint == nil || dst.endpoint.VpcEndpointType != cloud.EndpointGateway) {
		if p.fromOnPremises() {
			return
		}
	}
	if dst.endpoint != nil && dst.endpoint.VpcEndpointType == cloud.EndpointGateway {
		p.block("GATEWAY_ENDPOINT_NOT_REACHABLE_FROM_ON_PREMISES", dst.endpoint.VpcEndpointID,
			fmt.Sprintf("gateway endpoint %s serves only traffic that starts in %s; from %s (on premises, over VPN or Direct Connect, or a peered VPC) use an interface endpoint for %s", dst.endpoint.VpcEndpointID, dst.endpoint.VpcID, p.src.Address, dst.endpoint.ServiceName),
			fmt.Sprintf("aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id %s --service-name %s --subnet-ids <subnets> --security-group-ids <group allowing tcp/443 from %s>", dst.endpoint.VpcID, dst.endpoint.ServiceName, cidrFor(p.src.Address)))
		return
	}
	for _, vpcID := range slices.Sorted(maps.Keys(s.Vpcs)) {
		if eni := s.InterfaceAt(vpcID, dst.Address); eni != nil {
			p.block("NO_PATH", vpcID,
				fmt.Sprintf("%s is %s in %s; an outside address reaches it only over a VPN, Direct Connect or peering, which vpce does not model yet", dst.Address, eni.NetworkInterfaceID, vpcID))
			return
		}
	}
	if svc := p.serviceOf(dst.Address); svc != nil && catalog.HasGateway(svc.Region, svc.Name) {
		for _, e := range s.Endpoints {
			if e.ServiceName == svc.Name && e.VpcEndpointType == cloud.EndpointGateway && e.State == "available" {
				p.block("GATEWAY_ENDPOINT_NOT_REACHABLE_FROM_ON_PREMISES", e.VpcEndpointID,
					fmt.Sprintf("%s resolves to %s's public range; gateway endpoint %s carries only traffic from inside %s, so from %s the service is reached over the internet or through an interface endpoint", dst.Name, svc.Name, e.VpcEndpointID, e.VpcID, p.src.Address),
					fmt.Sprintf("aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id %s --service-name %s --subnet-ids <subnets>", e.VpcID, svc.Name))
				return
			}
		}
	}
	p.block("NO_PATH", "", fmt.Sprintf("%s is outside every VPC and %s is a public address: no private path joins them", p.src.Address, dst.Address))
}

// policies evaluates the request the query names, at the end of the path:
// the endpoint's policy when it came through one, and the caller's and
// resource's when given. False when denied.
func (p *path) policies(ep *cloud.VpcEndpoint) bool {
	q := p.q
	if q.Action == "" {
		return true
	}
	pub := netip.Addr{}
	if ep == nil {
		pub = p.src.Address
	}
	d := p.a.decide(ep, p.src.Address, pub, Request{Action: q.Action, Resource: q.Resource, Principal: q.Principal,
		Identity: q.Identity, ResourcePolicy: q.ResourcePolicy})
	if d.Skipped {
		return true
	}
	h := Hop{Component: d.Component, Kind: "policy", Result: "allow", Policies: d.Statements,
		Rule: fmt.Sprintf("%s on %s by %s: %s", q.Action, cmp.Or(q.Resource, "*"), cmp.Or(q.Principal, "anonymous"), d.Decision)}
	if d.Allowed {
		p.hop(h)
		return true
	}
	h.Result = "deny"
	p.hop(h)
	p.block(d.Code, d.Component, d.Message, d.Fix...)
	return false
}

// Request is one request a connection carries, for Decide.
type Request struct {
	Action, Resource string
	// ResourceUnknown says the caller could not tell which resource the
	// request names (policy.Request.ResourceUnknown): Resource is "*".
	ResourceUnknown bool
	// Principal is the caller's ARN (a user, role or session); empty is
	// anonymous.
	Principal string
	// ResourceAccount owns the resource when its ARN does not say (S3).
	ResourceAccount string
	// Identity, Boundary and ResourcePolicy are the policies that apply;
	// without identity policies only the endpoint and resource policies
	// are judged.
	Identity       []*policy.Policy
	Boundary       *policy.Policy
	ResourcePolicy *policy.Policy
	// Context are further condition keys (aws:SecureTransport, s3:prefix…).
	Context map[string][]string
}

// Decision is the outcome of a request on a path.
type Decision struct {
	Allowed bool
	// Skipped is set when no policy applies (no endpoint on the path and
	// none given): nothing was decided.
	Skipped bool
	// Decision is allowed, explicitDeny or implicitDeny; DecidedBy the
	// policy type that decided it.
	Decision  policy.Decision
	DecidedBy string
	// Code is ENDPOINT_POLICY_DENY, RESOURCE_POLICY_DENY or
	// IDENTITY_POLICY_DENY when denied; Component the endpoint (or
	// "request").
	Code, Component, Message string
	// Statements are the statements that decided, as TYPE:Sid.
	Statements []string
	Fix        []string
}

// Decide evaluates a request carried on an analysed path: the endpoint
// policy of the endpoint the path ends at (with aws:SourceVpce,
// aws:SourceVpc and aws:VpcSourceIp, and no aws:SourceIp), or on a public
// path aws:SourceIp = the address the service sees. The data plane calls
// it for every request, vpce reach once per --action.
func (a *Analyzer) Decide(r *Result, req Request) Decision {
	var ep *cloud.VpcEndpoint
	if r.Endpoint != "" {
		ep = a.snap.Endpoints[r.Endpoint]
	}
	return a.decide(ep, r.Source.Address, r.PublicAddress, req)
}

func (a *Analyzer) decide(ep *cloud.VpcEndpoint, src, public netip.Addr, q Request) Decision {
	in := &policy.Input{Identity: q.Identity, Resource: q.ResourcePolicy, Boundary: q.Boundary}
	d := Decision{Component: "request"}
	if ep != nil {
		d.Component = ep.VpcEndpointID
		pol, err := a.endpointPolicy(ep)
		if err != nil {
			d.Code, d.Message = "ENDPOINT_POLICY_DENY", fmt.Sprintf("endpoint %s's policy does not parse: %v", ep.VpcEndpointID, err)
			d.Decision, d.DecidedBy = policy.ImplicitDeny, policy.TypeEndpoint
			return d
		}
		in.Endpoint, in.EndpointType = pol, ep.VpcEndpointType
	}
	if in.Endpoint == nil && len(in.Identity) == 0 && in.Resource == nil {
		d.Allowed, d.Skipped, d.Decision = true, true, policy.Allowed
		return d
	}
	req := &policy.Request{Action: q.Action, Resource: q.Resource, ResourceUnknown: q.ResourceUnknown, ResourceAccount: q.ResourceAccount}
	// The caller's keys and the endpoint's are the same for every request
	// of a principal and a path: prepared once, applied in the order
	// SetCaller, the request's own keys, ViaEndpoint.
	caller, via := a.preparedKeys(q.Principal, ep, src)
	req.Context.Grow(caller.keys.Len() + len(q.Context) + 4)
	req.PrincipalARN = q.Principal
	req.Context.SetAll(caller.keys)
	for k, v := range q.Context {
		req.Context.Set(k, v...)
	}
	if via != nil {
		req.Context.SetAll(via)
		req.Context.Delete("aws:SourceIp")
	} else if public.IsValid() {
		req.Context.Set("aws:SourceIp", public.String())
	}
	// Without identity policies only the endpoint (and resource) policy
	// is judged: an identity policy that allows everything stands in.
	if len(in.Identity) == 0 {
		in.Identity = []*policy.Policy{allowAll}
	}
	res := policy.Evaluate(in, req)
	for _, m := range res.Matched {
		if m.SourcePolicyID == allowAll.Name {
			continue
		}
		d.Statements = append(d.Statements, m.SourcePolicyType+":"+cmp.Or(m.Sid, m.StartPosition.String()))
	}
	d.Decision, d.DecidedBy = res.Decision, res.DecidedBy
	if d.Decision == policy.Allowed {
		d.Allowed = true
		return d
	}
	d.Code = map[string]string{policy.TypeEndpoint: "ENDPOINT_POLICY_DENY", policy.TypeResource: "RESOURCE_POLICY_DENY"}[d.DecidedBy]
	if d.Code == "" {
		d.Code = "IDENTITY_POLICY_DENY"
	}
	how := "does not allow"
	if d.Decision == policy.ExplicitDeny {
		how = "explicitly denies"
	}
	on := cmp.Or(q.Resource, "*")
	if q.ResourceUnknown {
		svc, _, _ := strings.Cut(q.Action, ":")
		on = "a resource vpce cannot name (decided as any of " + svc + "'s)"
	}
	d.Message = fmt.Sprintf("the %s policy %s %s on %s", d.DecidedBy, how, q.Action, on)
	if ep != nil && d.Code == "ENDPOINT_POLICY_DENY" {
		d.Message = fmt.Sprintf("the policy of endpoint %s %s %s on %s", ep.VpcEndpointID, how, q.Action, on)
		d.Fix = []string{fmt.Sprintf("aws ec2 modify-vpc-endpoint --vpc-endpoint-id %s --policy-document file://policy.json  (a statement allowing %s on %s)", ep.VpcEndpointID, q.Action, cmp.Or(q.Resource, "*"))}
	}
	return d
}

// preparedCaller is a principal's condition keys (SetCaller's).
type preparedCaller struct{ keys *policy.Context }

// endpointKeys names an endpoint's keys for one source address.
type endpointKeys struct {
	endpoint string
	src      netip.Addr
}

// maxPrepared bounds each cache of prepared keys.
const maxPrepared = 10000

// preparedKeys returns the keys SetCaller sets for principal (none for an
// ARN it refuses: the ARN is the caller as given) and, with an endpoint,
// those ViaEndpoint sets for src.
func (a *Analyzer) preparedKeys(principal string, ep *cloud.VpcEndpoint, src netip.Addr) (preparedCaller, *policy.Context) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.callers == nil || len(a.callers) >= maxPrepared {
		a.callers = map[string]preparedCaller{}
	}
	caller, ok := a.callers[principal]
	if !ok {
		var r policy.Request
		if principal != "" {
			r.SetCaller(principal, "") // an ARN it refuses keeps what it set
		}
		caller = preparedCaller{keys: &r.Context}
		a.callers[principal] = caller
	}
	if ep == nil {
		return caller, nil
	}
	if a.endpoints == nil || len(a.endpoints) >= maxPrepared {
		a.endpoints = map[endpointKeys]*policy.Context{}
	}
	k := endpointKeys{ep.VpcEndpointID, src}
	via := a.endpoints[k]
	if via == nil {
		var r policy.Request
		r.ViaEndpoint(policy.Endpoint{ID: ep.VpcEndpointID, VpcID: ep.VpcID, SourceIP: src.String(), Type: ep.VpcEndpointType})
		via = &r.Context
		a.endpoints[k] = via
	}
	return caller, via
}

// allowAll stands for identity policies when a query gives none.
var allowAll = policy.MustParse("vpce:any-identity", policy.KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)

// endpointPolicy parses an endpoint's policy once per analyzer.
func (a *Analyzer) endpointPolicy(ep *cloud.VpcEndpoint) (*policy.Policy, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if pol, ok := a.policies[ep.VpcEndpointID]; ok {
		return pol, nil
	}
	doc := ep.PolicyDocument
	if doc == "" {
		doc = `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`
	}
	pol, fs := policy.Parse(ep.VpcEndpointID, policy.KindEndpoint, doc)
	if f := policy.Refusal(fs); f != nil {
		return nil, fmt.Errorf("%s", f.Message)
	}
	a.policies[ep.VpcEndpointID] = pol
	return pol, nil
}

// egressFix is the rule that lets the source out to the destination.
func (p *path) egressFix(group string) string {
	if svc := p.serviceOf(p.dst.Address); svc != nil {
		if pl, ok := catalog.ServicePrefixList(svc.Region, svc.Name); ok && slices.ContainsFunc(pl.CIDRs, func(c netip.Prefix) bool { return c.Contains(p.dst.Address) }) {
			return fmt.Sprintf("aws ec2 authorize-security-group-egress --group-id %s --ip-permissions 'IpProtocol=%s,FromPort=%d,ToPort=%d,PrefixListIds=[{PrefixListId=%s}]'", group, p.r.Protocol, p.q.Port, p.q.Port, pl.ID)
		}
	}
	return sgRuleFix("egress", group, p.r.Protocol, p.q.Port, p.peerCIDR(p.dst.Address, ""))
}

// ingressFix is the rule that lets the source in at the destination.
func (p *path) ingressFix(group string) string {
	if len(p.src.groups) > 0 {
		return fmt.Sprintf("aws ec2 authorize-security-group-ingress --group-id %s --protocol %s --port %d --source-group %s", group, p.r.Protocol, p.q.Port, p.src.groups[0])
	}
	return sgRuleFix("ingress", group, p.r.Protocol, p.q.Port, p.peerCIDR(p.src.Address, p.src.Subnet))
}

// sgRuleFix is the aws CLI command that adds a rule for a CIDR: --cidr for
// IPv4, Ipv6Ranges for IPv6 (the CLI has no short form for it).
func sgRuleFix(dir, group, proto string, port int, cidr string) string {
	if strings.Contains(cidr, ":") {
		return fmt.Sprintf("aws ec2 authorize-security-group-%s --group-id %s --ip-permissions 'IpProtocol=%s,FromPort=%d,ToPort=%d,Ipv6Ranges=[{CidrIpv6=%s}]'", dir, group, proto, port, port, cidr)
	}
	return fmt.Sprintf("aws ec2 authorize-security-group-%s --group-id %s --protocol %s --port %d --cidr %s", dir, group, proto, port, cidr)
}

// peerCIDR is the narrowest sensible CIDR for a rule: the subnet when
// the address is a source subnet's, else the address.
func (p *path) peerCIDR(a netip.Addr, subnet string) string {
	if sn := p.a.snap.Subnets[subnet]; sn != nil {
		if a.Is6() {
			for _, b := range sn.Ipv6Blocks() {
				if b.Contains(a) {
					return b.String()
				}
			}
			return cidrFor(a)
		}
		return sn.CidrBlock.String()
	}
	return cidrFor(a)
}

// routeFix proposes the route (or endpoint) that would carry the traffic.
func (p *path) routeFix(rt *cloud.RouteTable) []string {
	svc := p.serviceOf(p.dst.Address)
	if svc != nil && catalog.HasGateway(svc.Region, svc.Name) {
		return []string{fmt.Sprintf("aws ec2 create-vpc-endpoint --vpc-id %s --service-name %s --route-table-ids %s", p.src.VpcID, svc.Name, rt.RouteTableID)}
	}
	if svc != nil {
		return []string{fmt.Sprintf("aws ec2 create-vpc-endpoint --vpc-endpoint-type Interface --vpc-id %s --service-name %s --subnet-ids %s --private-dns-enabled", p.src.VpcID, svc.Name, p.src.Subnet)}
	}
	return []string{fmt.Sprintf("aws ec2 create-route --route-table-id %s --destination-cidr-block %s --nat-gateway-id <NAT gateway in a public subnet>", rt.RouteTableID, cidrFor(p.dst.Address))}
}

// fromOnPremises is a path from an address on premises, behind a VPN
// connection to a virtual private gateway: into the gateway's VPC to the
// interface holding the destination (an interface endpoint's included),
// whose subnet must route the answer back to the gateway. It reports
// false when the destination is not in that VPC, for fromOutside to
// explain.
func (p *path) fromOnPremises() bool {
	s, src, dst := p.a.snap, &p.src, &p.dst
	v := src.vpn
	p.hop(Hop{Component: v.VpnConnectionID, Kind: "vpn-connection", Result: "pass",
		Rule: fmt.Sprintf("%s on premises behind %s, over %s", src.Address, v.CustomerGatewayID, v.VpnConnectionID)})
	if v.TransitGatewayID != "" {
		p.vpnToTGW(v)
		return true
	}
	g := s.VpnGateways[v.VpnGatewayID]
	if g == nil || g.State != "available" || g.VpcID() == "" {
		p.hop(Hop{Component: v.VpnGatewayID, Kind: "vpn-gateway", Result: "deny", Rule: "attached to no VPC"})
		p.block("BAD_STATE", v.VpnGatewayID, fmt.Sprintf("virtual private gateway %s of %s is not available and attached to a VPC", v.VpnGatewayID, v.VpnConnectionID),
			fmt.Sprintf("aws ec2 attach-vpn-gateway --vpn-gateway-id %s --vpc-id <vpc>", v.VpnGatewayID))
		return true
	}
	vpc := s.Vpcs[g.VpcID()]
	in := false
	if vpc != nil {
		for _, a := range vpc.CidrBlockAssociationSet {
			in = in || (a.CidrBlockState.State == "associated" && a.CidrBlock.Contains(dst.Address))
		}
	}
	if !in {
		p.r.Hops = p.r.Hops[:len(p.r.Hops)-1]
		return false
	}
	p.hop(Hop{Component: g.VpnGatewayID, Kind: "vpn-gateway", Result: "pass", VpcID: vpc.VpcID, Rule: "into " + vpc.VpcID})
	p.deliver(vpc.VpcID, g.VpnGatewayID)
	return true
}

// vpnToTGW is the path from on premises over a VPN connection attached
// to a transit gateway: the gateway routes the VPN attachment's traffic
// by the table it is associated with.
func (p *path) vpnToTGW(v *cloud.VpnConnection) {
	s := p.a.snap
	g := s.TransitGateways[v.TransitGatewayID]
	var att *cloud.TransitGatewayVpcAttachment
	for _, id := range slices.Sorted(maps.Keys(s.TGWAttachments)) {
		if a := s.TGWAttachments[id]; a.VpnConnectionID == v.VpnConnectionID {
			att = a
		}
	}
	switch {
	case g == nil || g.State != "available":
		p.hop(Hop{Component: v.TransitGatewayID, Kind: "transit-gateway", Result: "deny", Rule: "transit gateway not available"})
		p.block("BAD_STATE", v.TransitGatewayID, fmt.Sprintf("transit gateway %s of %s is not available", v.TransitGatewayID, v.VpnConnectionID))
		return
	case att == nil || att.State != "available":
		p.hop(Hop{Component: v.TransitGatewayID, Kind: "transit-gateway", Result: "deny", Rule: "no available attachment of " + v.VpnConnectionID})
		p.block("BAD_STATE", v.TransitGatewayID, fmt.Sprintf("%s has no available attachment to transit gateway %s", v.VpnConnectionID, v.TransitGatewayID))
		return
	}
	p.hop(Hop{Component: att.TransitGatewayAttachmentID, Kind: "transit-gateway-attachment", Result: "pass", Rule: fmt.Sprintf("%s into %s", v.VpnConnectionID, g.TransitGatewayID)})
	p.acrossTGW(g.TransitGatewayID, att)
}
