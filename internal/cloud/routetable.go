package cloud

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"strings"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/store"
)

// RouteTable is a VPC route table with its routes and associations.
type RouteTable struct {
	RouteTableID string          `xml:"routeTableId" json:"id"`
	VpcID        string          `xml:"vpcId" json:"vpc"`
	OwnerID      string          `xml:"ownerId" json:"owner"`
	Routes       []Route         `xml:"routeSet>item" json:"routes"`
	Associations []RTAssociation `xml:"associationSet>item" json:"assocs,omitempty"`
	// PropagatingVgws is always present in AWS's answers: the virtual
	// private gateways that propagate routes to the table.
	PropagatingVgws []PropagatingVgw `xml:"propagatingVgwSet>item" json:"vgws,omitempty"`
	Tags            TagSet           `xml:"tagSet,omitempty" json:"tags,omitempty"`
}

// Route is one route: a destination (CIDR or prefix list) and one target.
type Route struct {
	DestinationCidrBlock     string `xml:"destinationCidrBlock,omitempty" json:"dst,omitempty"`
	DestinationIpv6CidrBlock string `xml:"destinationIpv6CidrBlock,omitempty" json:"dst6,omitempty"`
	DestinationPrefixListID  string `xml:"destinationPrefixListId,omitempty" json:"pl,omitempty"`
	EgressOnlyIGWID          string `xml:"egressOnlyInternetGatewayId,omitempty" json:"eigw,omitempty"`
	GatewayID                string `xml:"gatewayId,omitempty" json:"gw,omitempty"`
	NatGatewayID             string `xml:"natGatewayId,omitempty" json:"nat,omitempty"`
	InstanceID               string `xml:"instanceId,omitempty" json:"instance,omitempty"`
	InstanceOwnerID          string `xml:"instanceOwnerId,omitempty" json:"instanceOwner,omitempty"`
	NetworkInterfaceID       string `xml:"networkInterfaceId,omitempty" json:"eni,omitempty"`
	VpcEndpointID            string `xml:"vpcEndpointId,omitempty" json:"vpce,omitempty"`
	VpcPeeringConnectionID   string `xml:"vpcPeeringConnectionId,omitempty" json:"pcx,omitempty"`
	TransitGatewayID         string `xml:"transitGatewayId,omitempty" json:"tgw,omitempty"`
	Origin                   string `xml:"origin" json:"origin"`
	State                    string `xml:"state" json:"state"`
}

// destination reports the route's destination as written on the wire.
func (r Route) destination() string {
	if r.DestinationPrefixListID != "" {
		return r.DestinationPrefixListID
	}
	if r.DestinationIpv6CidrBlock != "" {
		return r.DestinationIpv6CidrBlock
	}
	return r.DestinationCidrBlock
}

// Prefix returns the route's CIDR destination, IPv4 or IPv6; ok is false
// for a prefix-list route.
func (r Route) Prefix() (p netip.Prefix, ok bool) {
	d := r.DestinationCidrBlock
	if r.DestinationIpv6CidrBlock != "" {
		d = r.DestinationIpv6CidrBlock
	}
	p, err := netip.ParsePrefix(d)
	return p, err == nil
}

// RTAssociation links a route table to a subnet or gateway, or marks it main.
type RTAssociation struct {
	Main                    bool   `xml:"main" json:"main"`
	RouteTableAssociationID string `xml:"routeTableAssociationId" json:"id"`
	RouteTableID            string `xml:"routeTableId" json:"rtb"`
	SubnetID                string `xml:"subnetId,omitempty" json:"subnet,omitempty"`
	GatewayID               string `xml:"gatewayId,omitempty" json:"gw,omitempty"`
	AssociationState        State  `xml:"associationState" json:"-"`
}

// State is the {state} element many EC2 shapes share.
type State struct {
	State string `xml:"state"`
}

func (rt *RouteTable) isMain() bool {
	return slices.ContainsFunc(rt.Associations, func(a RTAssociation) bool { return a.Main })
}

// dropSubnet removes the table's associations with a subnet and reports how
// many associations remain.
func (rt *RouteTable) dropSubnet(subnetID string) int {
	rt.Associations = slices.DeleteFunc(rt.Associations, func(a RTAssociation) bool { return a.SubnetID == subnetID })
	return len(rt.Associations)
}

// Lookup returns the route that traffic to addr takes: the CIDR route with
// the longest matching prefix. Prefix-list routes are not consulted.
func (rt *RouteTable) Lookup(addr netip.Addr) (Route, bool) {
	best, bits := Route{}, -1
	for _, r := range rt.Routes {
		p, ok := r.Prefix()
		if !ok || !p.Contains(addr) || p.Bits() <= bits {
			continue
		}
		best, bits = r, p.Bits()
	}
	return best, bits >= 0
}

func (tx *txn) routeTable(id string) (*RouteTable, error) {
	if err := checkID(id, "rtb", "InvalidRouteTableID.Malformed"); err != nil {
		return nil, err
	}
	return getOr[RouteTable](tx, kindRT, id, notFound("InvalidRouteTableID.NotFound", "routeTable", id))
}

func (tx *txn) mainRouteTable(vpcID string) (*RouteTable, error) {
	rts, err := listChildren[RouteTable](tx, kindRT, vpcID)
	if err != nil {
		return nil, err
	}
	for _, rt := range rts {
		if rt.VpcID == vpcID && rt.isMain() {
			return rt, nil
		}
	}
	return nil, internal(errorf("vpc %s has no main route table", vpcID))
}

func (tx *txn) createRouteTableTxn(vpc *Vpc, main bool, tags []Tag) (*RouteTable, error) {
	rt := &RouteTable{RouteTableID: newID("rtb"), VpcID: vpc.VpcID, OwnerID: tx.sc.Account, Tags: tags,
		Routes: []Route{{DestinationCidrBlock: vpc.CidrBlock.String(), GatewayID: "local", Origin: "CreateRouteTable", State: "active"}}}
	for _, a := range vpc.CidrBlockAssociationSet {
		if a.CidrBlock != vpc.CidrBlock && a.CidrBlockState.State == "associated" {
			rt.Routes = append(rt.Routes, Route{DestinationCidrBlock: a.CidrBlock.String(), GatewayID: "local", Origin: "CreateRouteTable", State: "active"})
		}
	}
	for _, p := range vpc.Ipv6Blocks() {
		rt.Routes = append(rt.Routes, Route{DestinationIpv6CidrBlock: p.String(), GatewayID: "local", Origin: "CreateRouteTable", State: "active"})
	}
	if main {
		rt.Associations = []RTAssociation{{Main: true, RouteTableAssociationID: newID("rtbassoc"), RouteTableID: rt.RouteTableID}}
	}
	return rt, putObj(tx, kindRT, rt.RouteTableID, rt)
}

// render fills the derived parts of a route table: association states and
// blackhole routes whose target is gone.
func (tx *txn) renderRouteTable(rt *RouteTable, live *liveTargets) {
	for i := range rt.Associations {
		rt.Associations[i].AssociationState = State{"associated"}
	}
	// Routes propagated by virtual private gateways are derived, never
	// stored: they follow the VPN connections' routes.
	if ps, err := tx.propagatedRoutes(rt); err != nil {
		if live.err == nil {
			live.err = err
		}
	} else {
		rt.Routes = append(rt.Routes, ps...)
	}
	for i, r := range rt.Routes {
		if r.GatewayID == "local" {
			continue
		}
		if live.alive(rt.VpcID, r) {
			rt.Routes[i].State = "active"
		} else {
			rt.Routes[i].State = "blackhole"
		}
	}
}

// liveTargets says whether route targets still exist, reading each
// target by key the first time a route names it: a request costs what its
// route tables reference, not the size of the account.
type liveTargets struct {
	tx     *txn
	igwVpc map[string]string // igw → attached VPC
	nat    map[string]bool
	eni    map[string]bool
	inst   map[string]bool
	err    error // the first read that failed
}

func (tx *txn) liveTargets() (*liveTargets, error) {
	return &liveTargets{tx: tx, igwVpc: map[string]string{}, nat: map[string]bool{}, eni: map[string]bool{}, inst: map[string]bool{}}, nil
}

// lookup reads one target, remembering the answer; a missing target is
// not alive.
func lookup[T any](lt *liveTargets, memo map[string]bool, kind, id string, alive func(*T) bool) bool {
	if v, ok := memo[id]; ok {
		return v
	}
	o, err := getObj[T](lt.tx, kind, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		memo[id] = false
	case err != nil:
		if lt.err == nil {
			lt.err = err
		}
		return false
	default:
		memo[id] = alive(o)
	}
	return memo[id]
}

func (lt *liveTargets) alive(vpcID string, r Route) bool {
	switch {
	case strings.HasPrefix(r.GatewayID, "igw-"):
		vpc, ok := lt.igwVpc[r.GatewayID]
		if !ok {
			g, err := getObj[InternetGateway](lt.tx, kindIGW, r.GatewayID)
			switch {
			case err == nil:
				vpc = g.attachedTo()
			case !errors.Is(err, store.ErrNotFound) && lt.err == nil:
				lt.err = err
			}
			lt.igwVpc[r.GatewayID] = vpc
		}
		return vpc == vpcID
	case strings.HasPrefix(r.GatewayID, "vgw-"):
		g, err := getObj[VpnGateway](lt.tx, kindVGW, r.GatewayID)
		if err != nil && !errors.Is(err, store.ErrNotFound) && lt.err == nil {
			lt.err = err
		}
		return err == nil && g.VpcID() == vpcID
	case r.GatewayID != "":
		return true // endpoints and other gateways are checked by their owners
	case r.EgressOnlyIGWID != "":
		g, err := getObj[EgressOnlyInternetGateway](lt.tx, kindEIGW, r.EgressOnlyIGWID)
		if err != nil && !errors.Is(err, store.ErrNotFound) && lt.err == nil {
			lt.err = err
		}
		return err == nil && g.VpcID() == vpcID
	case r.NatGatewayID != "":
		return lookup(lt, lt.nat, kindNAT, r.NatGatewayID, func(n *NatGateway) bool {
			s := n.state(lt.tx)
			return s == "available" || s == "pending"
		})
	case r.InstanceID != "":
		return lookup(lt, lt.inst, kindInstance, r.InstanceID, func(in *Instance) bool {
			s := in.stateName(lt.tx)
			return s == "pending" || s == "running"
		})
	case r.NetworkInterfaceID != "":
		return lookup(lt, lt.eni, kindENI, r.NetworkInterfaceID, func(*NetworkInterface) bool { return true })
	case r.TransitGatewayID != "":
		a, err := lt.tx.vpcAttachment(r.TransitGatewayID, vpcID)
		if err != nil {
			if lt.err == nil {
				lt.err = err
			}
			return false
		}
		return a != nil && a.State != "deleting" && a.State != "rejected"
	case r.VpcPeeringConnectionID != "":
		p, err := lt.tx.peering(r.VpcPeeringConnectionID)
		if err != nil {
			if !apierr.HasCode(err, "InvalidVpcPeeringConnectionID.NotFound") && lt.err == nil {
				lt.err = err
			}
			return false
		}
		return p.Active()
	}
	return true
}

// CreateRouteTableInput is the input of CreateRouteTable.
type CreateRouteTableInput struct {
	VpcID             string             `ec2:"VpcId,required"`
	ClientToken       string             `ec2:"ClientToken"`
	TagSpecifications []TagSpecification `ec2:"TagSpecification"`
}

// CreateRouteTableOutput is the output of CreateRouteTable.
type CreateRouteTableOutput struct {
	RouteTable  *RouteTable `xml:"routeTable"`
	ClientToken string      `xml:"clientToken,omitempty"`
}

// CreateRouteTable creates a route table holding the VPC's local route.
func (c *Cloud) CreateRouteTable(ctx context.Context, sc Scope, in *CreateRouteTableInput) (*CreateRouteTableOutput, error) {
	tags, err := tagsFor(in.TagSpecifications, "route-table")
	if err != nil {
		return nil, err
	}
	out := &CreateRouteTableOutput{ClientToken: in.ClientToken}
	err = c.update(ctx, sc, func(tx *txn) error {
		vpc, err := tx.vpc(in.VpcID)
		if err != nil {
			return err
		}
		return tx.idempotent("CreateRouteTable", in.ClientToken, in, &out.RouteTable, func() (any, error) {
			return tx.createRouteTableTxn(vpc, false, tags["route-table"])
		})
	})
	return out, err
}

// DescribeRouteTablesInput is the input of DescribeRouteTables.
type DescribeRouteTablesInput struct {
	RouteTableIDs []string `ec2:"RouteTableId"`
	Filters       []Filter `ec2:"Filter"`
	Page
}

// DescribeRouteTablesOutput is the output of DescribeRouteTables.
type DescribeRouteTablesOutput struct {
	RouteTables []*RouteTable `xml:"routeTableSet>item"`
	NextToken   string        `xml:"nextToken,omitempty"`
}

func routes[T any](f func(Route) T) func(*RouteTable) []string {
	return func(rt *RouteTable) []string {
		var out []string
		for _, r := range rt.Routes {
			if v := any(f(r)).(string); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
}

func assocs(f func(RTAssociation) string) func(*RouteTable) []string {
	return func(rt *RouteTable) []string {
		var out []string
		for _, a := range rt.Associations {
			if v := f(a); v != "" {
				out = append(out, v)
			}
		}
		return out
	}
}

var routeTableFields = fields[RouteTable]{
	"association.gateway-id": func(rt *RouteTable) []string { return assocs(func(a RTAssociation) string { return a.GatewayID })(rt) },
	"association.route-table-association-id": func(rt *RouteTable) []string {
		return assocs(func(a RTAssociation) string { return a.RouteTableAssociationID })(rt)
	},
	"association.route-table-id": func(rt *RouteTable) []string {
		return assocs(func(a RTAssociation) string { return a.RouteTableID })(rt)
	},
	"association.subnet-id": func(rt *RouteTable) []string { return assocs(func(a RTAssociation) string { return a.SubnetID })(rt) },
	"association.main": func(rt *RouteTable) []string {
		if rt.isMain() {
			return one("true")
		}
		if len(rt.Associations) > 0 {
			return one("false")
		}
		return nil
	},
	"owner-id":                              func(rt *RouteTable) []string { return one(rt.OwnerID) },
	"route-table-id":                        func(rt *RouteTable) []string { return one(rt.RouteTableID) },
	"vpc-id":                                func(rt *RouteTable) []string { return one(rt.VpcID) },
	"route.destination-cidr-block":          routes(func(r Route) string { return r.DestinationCidrBlock }),
	"route.destination-ipv6-cidr-block":     routes(func(r Route) string { return r.DestinationIpv6CidrBlock }),
	"route.destination-prefix-list-id":      routes(func(r Route) string { return r.DestinationPrefixListID }),
	"route.egress-only-internet-gateway-id": routes(func(r Route) string { return r.EgressOnlyIGWID }),
	"route.gateway-id":                      routes(func(r Route) string { return r.GatewayID }),
	"route.instance-id":                     routes(func(r Route) string { return r.InstanceID }),
	"route.nat-gateway-id":                  routes(func(r Route) string { return r.NatGatewayID }),
	"route.network-interface-id":            routes(func(r Route) string { return r.NetworkInterfaceID }),
	"route.transit-gateway-id":              routes(func(r Route) string { return r.TransitGatewayID }),
	"route.origin":                          routes(func(r Route) string { return r.Origin }),
	"route.state":                           routes(func(r Route) string { return r.State }),
	"route.vpc-peering-connection-id":       routes(func(r Route) string { return r.VpcPeeringConnectionID }),
}

func routeTableID(rt *RouteTable) string  { return rt.RouteTableID }
func routeTableTags(rt *RouteTable) []Tag { return rt.Tags }

// DescribeRouteTables lists route tables with their routes' current states.
func (c *Cloud) DescribeRouteTables(ctx context.Context, sc Scope, in *DescribeRouteTablesInput) (*DescribeRouteTablesOutput, error) {
	out := &DescribeRouteTablesOutput{}
	err := c.view(ctx, sc, func(tx *txn) error {
		for _, id := range in.RouteTableIDs {
			if err := checkID(id, "rtb", "InvalidRouteTableID.Malformed"); err != nil {
				return err
			}
		}
		all, err := narrow[RouteTable](tx, kindRT, in.RouteTableIDs, in.Filters, "vpc-id")
		if err != nil {
			return err
		}
		live, err := tx.liveTargets()
		if err != nil {
			return err
		}
		for _, rt := range all {
			tx.renderRouteTable(rt, live)
		}
		if live.err != nil {
			return live.err
		}
		if all, err = selectIDs(all, routeTableID, in.RouteTableIDs, errNotFoundMany("InvalidRouteTableID.NotFound", "routeTable")); err != nil {
			return err
		}
		if all, err = filter(ctx, all, in.Filters, routeTableFields, routeTableTags); err != nil {
			return err
		}
		out.RouteTables, out.NextToken, err = paginate(all, routeTableID, in.Page, 5, 100)
		return err
	})
	return out, err
}

// DeleteRouteTableInput is the input of DeleteRouteTable.
type DeleteRouteTableInput struct {
	RouteTableID string `ec2:"RouteTableId,required"`
}

// DeleteRouteTable deletes a route table that is neither main nor associated.
func (c *Cloud) DeleteRouteTable(ctx context.Context, sc Scope, in *DeleteRouteTableInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		rt, err := tx.routeTable(in.RouteTableID)
		if err != nil {
			return err
		}
		if len(rt.Associations) > 0 {
			return dependencyViolation("routeTable", rt.RouteTableID)
		}
		if err := delObj(tx, kindRT, rt.RouteTableID); err != nil {
			return err
		}
		// Gateway endpoints forget the table along with its routes.
		eps, err := tx.liveEndpoints(rt.VpcID)
		if err != nil {
			return err
		}
		for _, e := range eps {
			if slices.Contains(e.RouteTableIDs, rt.RouteTableID) {
				if err := tx.removeEndpointRoute(e, rt.RouteTableID, false); err != nil {
					return err
				}
				if err := putObj(tx, kindEndpoint, e.VpcEndpointID, e); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// RouteTarget is the target part of CreateRoute and ReplaceRoute.
type RouteTarget struct {
	GatewayID              string `ec2:"GatewayId"`
	NatGatewayID           string `ec2:"NatGatewayId"`
	NetworkInterfaceID     string `ec2:"NetworkInterfaceId"`
	InstanceID             string `ec2:"InstanceId"`
	VpcEndpointID          string `ec2:"VpcEndpointId"`
	EgressOnlyIGWID        string `ec2:"EgressOnlyInternetGatewayId"`
	TransitGatewayID       string `ec2:"TransitGatewayId"`
	VpcPeeringConnectionID string `ec2:"VpcPeeringConnectionId"`
	LocalGatewayID         string `ec2:"LocalGatewayId"`
	CarrierGatewayID       string `ec2:"CarrierGatewayId"`
	CoreNetworkArn         string `ec2:"CoreNetworkArn"`
}

// RouteInput is the input of CreateRoute, ReplaceRoute and DeleteRoute.
type RouteInput struct {
	RouteTableID             string `ec2:"RouteTableId,required"`
	DestinationCidrBlock     string `ec2:"DestinationCidrBlock"`
	DestinationIpv6CidrBlock string `ec2:"DestinationIpv6CidrBlock"`
	DestinationPrefixListID  string `ec2:"DestinationPrefixListId"`
	RouteTarget
}

// destination validates and returns the route's destination key.
func (in *RouteInput) destination() (Route, error) {
	n := 0
	for _, d := range []string{in.DestinationCidrBlock, in.DestinationIpv6CidrBlock, in.DestinationPrefixListID} {
		if d != "" {
			n++
		}
	}
	switch {
	case n == 0:
		return Route{}, apierr.New("MissingParameter", "The request must contain the parameter destinationCidrBlock or destinationIpv6CidrBlock or destinationPrefixListId")
	case n > 1:
		return Route{}, apierr.New("InvalidParameterCombination", "Only one of destinationCidrBlock, destinationIpv6CidrBlock and destinationPrefixListId may be specified")
	case in.DestinationIpv6CidrBlock != "":
		p, err := netip.ParsePrefix(in.DestinationIpv6CidrBlock)
		if err != nil || !p.Addr().Is6() || p.Addr().Is4In6() {
			return Route{}, invalidValue("Value (%s) for parameter destinationIpv6CidrBlock is invalid. This is not a valid IPv6 CIDR block.", in.DestinationIpv6CidrBlock)
		}
		return Route{DestinationIpv6CidrBlock: p.Masked().String()}, nil
	case in.DestinationPrefixListID != "":
		if err := checkID(in.DestinationPrefixListID, "pl", "InvalidPrefixListId.Malformed"); err != nil {
			return Route{}, err
		}
		return Route{DestinationPrefixListID: in.DestinationPrefixListID}, nil
	}
	p, err := netip.ParsePrefix(in.DestinationCidrBlock)
	if err != nil || !p.Addr().Is4() {
		return Route{}, invalidValue("Value (%s) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.", in.DestinationCidrBlock)
	}
	return Route{DestinationCidrBlock: p.Masked().String()}, nil
}

// target validates the target against the route table's VPC and sets it on r.
func (tx *txn) routeTarget(rt *RouteTable, t RouteTarget, r *Route) error {
	var set []string
	add := func(name, v string) {
		if v != "" {
			set = append(set, name)
		}
	}
	add("gatewayId", t.GatewayID)
	add("natGatewayId", t.NatGatewayID)
	add("networkInterfaceId", t.NetworkInterfaceID)
	add("instanceId", t.InstanceID)
	add("vpcEndpointId", t.VpcEndpointID)
	add("egressOnlyInternetGatewayId", t.EgressOnlyIGWID)
	add("transitGatewayId", t.TransitGatewayID)
	add("vpcPeeringConnectionId", t.VpcPeeringConnectionID)
	add("localGatewayId", t.LocalGatewayID)
	add("carrierGatewayId", t.CarrierGatewayID)
	add("coreNetworkArn", t.CoreNetworkArn)
	switch {
	case len(set) == 0:
		return apierr.New("InvalidParameterCombination", "No route target specified. Specify exactly one of gatewayId, natGatewayId, networkInterfaceId, instanceId, vpcEndpointId, egressOnlyInternetGatewayId, transitGatewayId, vpcPeeringConnectionId.")
	case len(set) > 1:
		return apierr.New("InvalidParameterCombination", "The parameter %s cannot be used with the parameter %s", set[0], set[1])
	}
	different := func(what, id string) error {
		return invalidValue("route table %s and %s %s belong to different networks", rt.RouteTableID, what, id)
	}
	switch {
	case strings.HasPrefix(t.GatewayID, "vgw-"):
		g, err := tx.vpnGateway(t.GatewayID)
		if err != nil {
			return err
		}
		if g.VpcID() != rt.VpcID {
			return different("network gateway", t.GatewayID)
		}
		r.GatewayID = g.VpnGatewayID
	case t.GatewayID != "":
		if !strings.HasPrefix(t.GatewayID, "igw-") {
			return apierr.New("InvalidGatewayID.NotFound", "The gateway ID '%s' does not exist", t.GatewayID)
		}
		g, err := getOr[InternetGateway](tx, kindIGW, t.GatewayID, func() error {
			return apierr.New("InvalidGatewayID.NotFound", "The gateway ID '%s' does not exist", t.GatewayID)
		})
		if err != nil {
			return err
		}
		if g.attachedTo() != rt.VpcID {
			return different("network gateway", t.GatewayID)
		}
		r.GatewayID = t.GatewayID
	case t.NatGatewayID != "":
		n, err := tx.natGateway(t.NatGatewayID)
		if err != nil {
			return err
		}
		if n.VpcID != rt.VpcID {
			return different("NAT gateway", n.NatGatewayID)
		}
		r.NatGatewayID = n.NatGatewayID
	case t.NetworkInterfaceID != "":
		e, err := tx.networkInterface(t.NetworkInterfaceID)
		if err != nil {
			return err
		}
		if e.VpcID != rt.VpcID {
			return different("interface", e.NetworkInterfaceID)
		}
		r.NetworkInterfaceID = e.NetworkInterfaceID
		if e.Attachment != nil {
			r.InstanceID, r.InstanceOwnerID = e.Attachment.InstanceID, tx.sc.Account
		}
	case t.InstanceID != "":
		inst, err := tx.instance(t.InstanceID)
		if err != nil {
			return err
		}
		if inst.VpcID != rt.VpcID {
			return different("instance", inst.InstanceID)
		}
		r.InstanceID, r.InstanceOwnerID = inst.InstanceID, tx.sc.Account
		r.NetworkInterfaceID = inst.primaryENI()
	case t.VpcEndpointID != "":
		e, err := tx.endpoint(t.VpcEndpointID)
		if err != nil {
			return err
		}
		return invalidParameter("Route target %s is a %s endpoint; only Gateway Load Balancer endpoints can be route targets.", e.VpcEndpointID, e.VpcEndpointType)
	case t.VpcPeeringConnectionID != "":
		return tx.peeringRoute(rt, t.VpcPeeringConnectionID, r)
	case t.TransitGatewayID != "":
		return tx.tgwRouteTarget(rt, t.TransitGatewayID, r)
	case t.EgressOnlyIGWID != "":
		g, err := tx.egressOnlyIGW(t.EgressOnlyIGWID)
		if err != nil {
			return err
		}
		if r.DestinationIpv6CidrBlock == "" {
			return invalidParameter("Egress-only internet gateway %s can only be the target of IPv6 routes.", g.EgressOnlyIGWID)
		}
		if g.VpcID() != rt.VpcID {
			return different("egress-only internet gateway", g.EgressOnlyIGWID)
		}
		r.EgressOnlyIGWID = g.EgressOnlyIGWID
	default:
		return apierr.New("UnsupportedOperation", "The route target %s is not supported by vpce.", set[0])
	}
	return nil
}

func findRoute(rt *RouteTable, dst Route) int {
	return slices.IndexFunc(rt.Routes, func(r Route) bool {
		return r.DestinationCidrBlock == dst.DestinationCidrBlock && r.DestinationIpv6CidrBlock == dst.DestinationIpv6CidrBlock &&
			r.DestinationPrefixListID == dst.DestinationPrefixListID
	})
}

// CreateRoute adds a route to a route table.
func (c *Cloud) CreateRoute(ctx context.Context, sc Scope, in *RouteInput) (*Return, error) {
	dst, err := in.destination()
	if err != nil {
		return nil, err
	}
	return ok, c.update(ctx, sc, func(tx *txn) error {
		rt, err := tx.routeTable(in.RouteTableID)
		if err != nil {
			return err
		}
		if dst.DestinationPrefixListID != "" {
			if err := tx.checkPrefixList(dst.DestinationPrefixListID); err != nil {
				return err
			}
		}
		if findRoute(rt, dst) >= 0 {
			return apierr.New("RouteAlreadyExists", "The route identified by %s already exists.", dst.destination())
		}
		r := dst
		r.Origin, r.State = "CreateRoute", "active"
		if err := tx.routeTarget(rt, in.RouteTarget, &r); err != nil {
			return err
		}
		rt.Routes = append(rt.Routes, r)
		return putObj(tx, kindRT, rt.RouteTableID, rt)
	})
}

func errNoRoute(rt *RouteTable, dst Route) error {
	kind := "destination-cidr-block"
	switch {
	case dst.DestinationPrefixListID != "":
		kind = "destination-prefix-list-id"
	case dst.DestinationIpv6CidrBlock != "":
		kind = "destination-ipv6-cidr-block"
	}
	return apierr.New("InvalidRoute.NotFound", "no route with %s %s in route table %s", kind, dst.destination(), rt.RouteTableID)
}

// ReplaceRoute changes the target of an existing route.
func (c *Cloud) ReplaceRoute(ctx context.Context, sc Scope, in *RouteInput) (*Return, error) {
	dst, err := in.destination()
	if err != nil {
		return nil, err
	}
	return ok, c.update(ctx, sc, func(tx *txn) error {
		rt, err := tx.routeTable(in.RouteTableID)
		if err != nil {
			return err
		}
		i := findRoute(rt, dst)
		if i < 0 {
			return errNoRoute(rt, dst)
		}
		if rt.Routes[i].GatewayID == "local" {
			return invalidValue("cannot replace local route %s in route table %s", dst.destination(), rt.RouteTableID)
		}
		if rt.Routes[i].VpcEndpointID != "" || strings.HasPrefix(rt.Routes[i].GatewayID, "vpce-") {
			return invalidParameter("The route %s in route table %s is managed by a VPC endpoint and cannot be replaced.", dst.destination(), rt.RouteTableID)
		}
		r := dst
		r.Origin, r.State = "CreateRoute", "active"
		if err := tx.routeTarget(rt, in.RouteTarget, &r); err != nil {
			return err
		}
		rt.Routes[i] = r
		return putObj(tx, kindRT, rt.RouteTableID, rt)
	})
}

// DeleteRouteInput is the input of DeleteRoute.
type DeleteRouteInput struct {
	RouteTableID             string `ec2:"RouteTableId,required"`
	DestinationCidrBlock     string `ec2:"DestinationCidrBlock"`
	DestinationIpv6CidrBlock string `ec2:"DestinationIpv6CidrBlock"`
	DestinationPrefixListID  string `ec2:"DestinationPrefixListId"`
}

// DeleteRoute removes a route; the local route cannot be removed.
func (c *Cloud) DeleteRoute(ctx context.Context, sc Scope, in *DeleteRouteInput) (*Return, error) {
	ri := RouteInput{DestinationCidrBlock: in.DestinationCidrBlock, DestinationIpv6CidrBlock: in.DestinationIpv6CidrBlock, DestinationPrefixListID: in.DestinationPrefixListID}
	dst, err := ri.destination()
	if err != nil {
		return nil, err
	}
	return ok, c.update(ctx, sc, func(tx *txn) error {
		rt, err := tx.routeTable(in.RouteTableID)
		if err != nil {
			return err
		}
		i := findRoute(rt, dst)
		if i < 0 {
			return errNoRoute(rt, dst)
		}
		if rt.Routes[i].GatewayID == "local" {
			return invalidValue("cannot remove local route %s in route table %s", dst.destination(), rt.RouteTableID)
		}
		if strings.HasPrefix(rt.Routes[i].GatewayID, "vpce-") {
			return invalidParameter("The route %s in route table %s is managed by a VPC endpoint; modify the endpoint to remove it.", dst.destination(), rt.RouteTableID)
		}
		rt.Routes = slices.Delete(rt.Routes, i, i+1)
		return putObj(tx, kindRT, rt.RouteTableID, rt)
	})
}

// AssociateRouteTableInput is the input of AssociateRouteTable.
type AssociateRouteTableInput struct {
	RouteTableID string `ec2:"RouteTableId,required"`
	SubnetID     string `ec2:"SubnetId"`
	GatewayID    string `ec2:"GatewayId"`
}

// AssociateRouteTableOutput is the output of AssociateRouteTable.
type AssociateRouteTableOutput struct {
	AssociationID    string `xml:"associationId"`
	AssociationState State  `xml:"associationState"`
}

// AssociateRouteTable associates a route table with a subnet or an internet
// gateway of the same VPC.
func (c *Cloud) AssociateRouteTable(ctx context.Context, sc Scope, in *AssociateRouteTableInput) (*AssociateRouteTableOutput, error) {
	switch {
	case in.SubnetID == "" && in.GatewayID == "":
		return nil, apierr.New("MissingParameter", "The request must contain the parameter subnetId or gatewayId")
	case in.SubnetID != "" && in.GatewayID != "":
		return nil, apierr.New("InvalidParameterCombination", "The parameter subnetId cannot be used with the parameter gatewayId")
	}
	out := &AssociateRouteTableOutput{AssociationState: State{"associated"}}
	err := c.update(ctx, sc, func(tx *txn) error {
		rt, err := tx.routeTable(in.RouteTableID)
		if err != nil {
			return err
		}
		a := RTAssociation{RouteTableAssociationID: newID("rtbassoc"), RouteTableID: rt.RouteTableID}
		if in.SubnetID != "" {
			s, err := tx.subnet(in.SubnetID)
			if err != nil {
				return err
			}
			if s.VpcID != rt.VpcID {
				return invalidValue("Route table %s and subnet %s belong to different networks", rt.RouteTableID, s.SubnetID)
			}
			a.SubnetID = s.SubnetID
		} else {
			g, err := tx.internetGateway(in.GatewayID)
			if err != nil {
				return err
			}
			if g.attachedTo() != rt.VpcID {
				return invalidValue("Route table %s and gateway %s belong to different networks", rt.RouteTableID, g.InternetGatewayID)
			}
			a.GatewayID = g.InternetGatewayID
		}
		all, err := listObj[RouteTable](tx, kindRT)
		if err != nil {
			return err
		}
		for _, o := range all {
			for _, oa := range o.Associations {
				if (a.SubnetID != "" && oa.SubnetID == a.SubnetID) || (a.GatewayID != "" && oa.GatewayID == a.GatewayID) {
					return apierr.New("Resource.AlreadyAssociated", "the specified association for route table %s conflicts with an existing association", rt.RouteTableID)
				}
			}
		}
		rt.Associations = append(rt.Associations, a)
		out.AssociationID = a.RouteTableAssociationID
		return putObj(tx, kindRT, rt.RouteTableID, rt)
	})
	return out, err
}

// findAssociation returns the route table holding an association.
func (tx *txn) findAssociation(id string) (*RouteTable, int, error) {
	if err := checkID(id, "rtbassoc", "InvalidAssociationID.Malformed"); err != nil {
		return nil, 0, err
	}
	all, err := listObj[RouteTable](tx, kindRT)
	if err != nil {
		return nil, 0, err
	}
	for _, rt := range all {
		for i, a := range rt.Associations {
			if a.RouteTableAssociationID == id {
				return rt, i, nil
			}
		}
	}
	return nil, 0, apierr.New("InvalidAssociationID.NotFound", "The association ID '%s' does not exist", id)
}

// DisassociateRouteTableInput is the input of DisassociateRouteTable.
type DisassociateRouteTableInput struct {
	AssociationID string `ec2:"AssociationId,required"`
}

// DisassociateRouteTable removes a subnet or gateway association; the main
// association cannot be removed, only replaced.
func (c *Cloud) DisassociateRouteTable(ctx context.Context, sc Scope, in *DisassociateRouteTableInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		rt, i, err := tx.findAssociation(in.AssociationID)
		if err != nil {
			return err
		}
		if rt.Associations[i].Main {
			return invalidValue("cannot disassociate the main route table association %s", in.AssociationID)
		}
		rt.Associations = slices.Delete(rt.Associations, i, i+1)
		return putObj(tx, kindRT, rt.RouteTableID, rt)
	})
}

// ReplaceRouteTableAssociationInput is the input of ReplaceRouteTableAssociation.
type ReplaceRouteTableAssociationInput struct {
	AssociationID string `ec2:"AssociationId,required"`
	RouteTableID  string `ec2:"RouteTableId,required"`
}

// ReplaceRouteTableAssociationOutput is the output of ReplaceRouteTableAssociation.
type ReplaceRouteTableAssociationOutput struct {
	NewAssociationID string `xml:"newAssociationId"`
	AssociationState State  `xml:"associationState"`
}

// ReplaceRouteTableAssociation moves an association, the main one included,
// to another route table of the same VPC.
func (c *Cloud) ReplaceRouteTableAssociation(ctx context.Context, sc Scope, in *ReplaceRouteTableAssociationInput) (*ReplaceRouteTableAssociationOutput, error) {
	out := &ReplaceRouteTableAssociationOutput{AssociationState: State{"associated"}}
	err := c.update(ctx, sc, func(tx *txn) error {
		old, i, err := tx.findAssociation(in.AssociationID)
		if err != nil {
			return err
		}
		rt, err := tx.routeTable(in.RouteTableID)
		if err != nil {
			return err
		}
		if rt.VpcID != old.VpcID {
			return invalidValue("Route table %s and association %s belong to different networks", rt.RouteTableID, in.AssociationID)
		}
		a := old.Associations[i]
		a.RouteTableAssociationID, a.RouteTableID = newID("rtbassoc"), rt.RouteTableID
		if old.RouteTableID == rt.RouteTableID {
			rt.Associations[i] = a
		} else {
			old.Associations = slices.Delete(old.Associations, i, i+1)
			if err := putObj(tx, kindRT, old.RouteTableID, old); err != nil {
				return err
			}
			rt.Associations = append(rt.Associations, a)
		}
		out.NewAssociationID = a.RouteTableAssociationID
		return putObj(tx, kindRT, rt.RouteTableID, rt)
	})
	return out, err
}

// parentID files a route table under its VPC (the store's parent index).
func (rt *RouteTable) parentID() string { return rt.VpcID }
