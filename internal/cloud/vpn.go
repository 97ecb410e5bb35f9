package cloud

import (
	"context"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/vpce/vpce/internal/apierr"
)

// Site-to-site VPN as far as paths need it: customer gateways, virtual
// private gateways attached to a VPC, VPN connections between them with
// static routes, and route propagation into VPC route tables. On-premises
// is modelled by the static routes of the VPN connections: an address in
// one of them stands on premises behind that connection (vpce reach
// --from 192.168.10.5). Dynamic (BGP) connections carry no routes here;
// tunnels, their options and the customer gateway configuration document
// are not modelled.

// Stored kinds of the VPN resources.
const (
	kindCGW = "customer-gateway"
	kindVGW = "vpn-gateway"
	kindVPN = "vpn-connection"
)

// CustomerGateway is the on-premises end of a VPN connection.
type CustomerGateway struct {
	CustomerGatewayID string `xml:"customerGatewayId" json:"id"`
	State             string `xml:"state" json:"-"`
	Type              string `xml:"type" json:"type"`
	IPAddress         string `xml:"ipAddress" json:"ip"`
	BgpAsn            string `xml:"bgpAsn" json:"asn"`
	DeviceName        string `xml:"deviceName,omitempty" json:"device,omitempty"`
	Tags              TagSet `xml:"tagSet,omitempty" json:"tags,omitempty"`
}

// VpnGateway is a virtual private gateway: the AWS end of VPN connections
// to a VPC.
type VpnGateway struct {
	VpnGatewayID     string          `xml:"vpnGatewayId" json:"id"`
	State            string          `xml:"state" json:"-"`
	Type             string          `xml:"type" json:"type"`
	AvailabilityZone string          `xml:"availabilityZone,omitempty" json:"az,omitempty"`
	VpcAttachments   []IGWAttachment `xml:"attachments>item" json:"attachments"`
	AmazonSideAsn    int64           `xml:"amazonSideAsn" json:"asn"`
	Tags             TagSet          `xml:"tagSet,omitempty" json:"tags,omitempty"`
	ReadyAt          time.Time       `xml:"-" json:"readyAt"`
}

// VpcID is the VPC the gateway is attached to, if any.
func (g *VpnGateway) VpcID() string {
	for _, a := range g.VpcAttachments {
		if a.State == "attached" {
			return a.VpcID
		}
	}
	return ""
}

// VpnConnection is a site-to-site VPN connection.
type VpnConnection struct {
	VpnConnectionID   string           `xml:"vpnConnectionId" json:"id"`
	State             string           `xml:"state" json:"-"`
	Type              string           `xml:"type" json:"type"`
	Category          string           `xml:"category" json:"-"`
	CustomerGatewayID string           `xml:"customerGatewayId" json:"cgw"`
	VpnGatewayID      string           `xml:"vpnGatewayId,omitempty" json:"vgw,omitempty"`
	TransitGatewayID  string           `xml:"transitGatewayId,omitempty" json:"tgw,omitempty"`
	Options           VpnOptions       `xml:"options" json:"options"`
	Routes            []VpnStaticRoute `xml:"routes>item" json:"routes,omitempty"`
	Tags              TagSet           `xml:"tagSet,omitempty" json:"tags,omitempty"`
	ReadyAt           time.Time        `xml:"-" json:"readyAt"`
}

// VpnOptions are a VPN connection's options vpce models.
type VpnOptions struct {
	StaticRoutesOnly bool `ec2:"StaticRoutesOnly" xml:"staticRoutesOnly" json:"static"`
}

// VpnStaticRoute is a network on premises, reached over the connection.
type VpnStaticRoute struct {
	DestinationCidrBlock netip.Prefix `xml:"destinationCidrBlock" json:"cidr"`
	Source               string       `xml:"source" json:"-"`
	State                string       `xml:"state" json:"-"`
}

func readyState(tx *txn, at time.Time) string {
	if tx.now.Before(at) {
		return "pending"
	}
	return "available"
}

func (tx *txn) customerGateway(id string) (*CustomerGateway, error) {
	if err := checkID(id, "cgw", "InvalidCustomerGatewayID.Malformed"); err != nil {
		return nil, err
	}
	g, err := getOr[CustomerGateway](tx, kindCGW, id, notFound("InvalidCustomerGatewayID.NotFound", "customerGateway", id))
	if err == nil {
		g.State = "available"
	}
	return g, err
}

func (tx *txn) vpnGateway(id string) (*VpnGateway, error) {
	if err := checkID(id, "vgw", "InvalidVpnGatewayID.Malformed"); err != nil {
		return nil, err
	}
	g, err := getOr[VpnGateway](tx, kindVGW, id, notFound("InvalidVpnGatewayID.NotFound", "vpnGateway", id))
	if err == nil {
		g.State = readyState(tx, g.ReadyAt)
	}
	return g, err
}

func (tx *txn) vpnConnection(id string) (*VpnConnection, error) {
	if err := checkID(id, "vpn", "InvalidVpnConnectionID.Malformed"); err != nil {
		return nil, err
	}
	v, err := getOr[VpnConnection](tx, kindVPN, id, notFound("InvalidVpnConnectionID.NotFound", "vpnConnection", id))
	if err == nil {
		v.render(tx)
	}
	return v, err
}

func (v *VpnConnection) render(tx *txn) {
	v.State, v.Category = readyState(tx, v.ReadyAt), "VPN"
	for i := range v.Routes {
		v.Routes[i].Source, v.Routes[i].State = "Static", v.State
	}
}

// CreateCustomerGatewayInput is the input of CreateCustomerGateway.
type CreateCustomerGatewayInput struct {
	BgpAsn            *int32             `ec2:"BgpAsn"`
	PublicIP          string             `ec2:"PublicIp"`
	IPAddress         string             `ec2:"IpAddress"`
	Type              string             `ec2:"Type,required"`
	DeviceName        string             `ec2:"DeviceName"`
	TagSpecifications []TagSpecification `ec2:"TagSpecification"`
}

// CreateCustomerGatewayOutput is the output of CreateCustomerGateway.
type CreateCustomerGatewayOutput struct {
	CustomerGateway *CustomerGateway `xml:"customerGateway"`
}

// CreateCustomerGateway records an on-premises VPN device.
func (c *Cloud) CreateCustomerGateway(ctx context.Context, sc Scope, in *CreateCustomerGatewayInput) (*CreateCustomerGatewayOutput, error) {
	if in.Type != "ipsec.1" {
		return nil, invalidValue("Value (%s) for parameter type is invalid. Valid values: ipsec.1", in.Type)
	}
	ip := in.IPAddress
	if ip == "" {
		ip = in.PublicIP
	}
	if a, err := netip.ParseAddr(ip); err != nil || !a.Is4() {
		return nil, invalidValue("Value (%s) for parameter ipAddress is invalid. A valid IPv4 address is required.", ip)
	}
	asn := int32(65000)
	if in.BgpAsn != nil {
		asn = *in.BgpAsn
	}
	tags, err := tagsFor(in.TagSpecifications, "customer-gateway")
	if err != nil {
		return nil, err
	}
	g := &CustomerGateway{CustomerGatewayID: newID("cgw"), Type: in.Type, IPAddress: ip, BgpAsn: strconv.Itoa(int(asn)), DeviceName: in.DeviceName, Tags: tags["customer-gateway"]}
	if err := c.update(ctx, sc, func(tx *txn) error { return putObj(tx, kindCGW, g.CustomerGatewayID, g) }); err != nil {
		return nil, err
	}
	g.State = "available"
	return &CreateCustomerGatewayOutput{g}, nil
}

// DescribeCustomerGatewaysInput is the input of DescribeCustomerGateways.
type DescribeCustomerGatewaysInput struct {
	IDs     []string `ec2:"CustomerGatewayId"`
	Filters []Filter `ec2:"Filter"`
}

// DescribeCustomerGatewaysOutput is the output of DescribeCustomerGateways.
type DescribeCustomerGatewaysOutput struct {
	CustomerGateways []*CustomerGateway `xml:"customerGatewaySet>item"`
}

var cgwFields = fields[CustomerGateway]{
	"customer-gateway-id": func(g *CustomerGateway) []string { return one(g.CustomerGatewayID) },
	"ip-address":          func(g *CustomerGateway) []string { return one(g.IPAddress) },
	"bgp-asn":             func(g *CustomerGateway) []string { return one(g.BgpAsn) },
	"state":               func(g *CustomerGateway) []string { return one(g.State) },
	"type":                func(g *CustomerGateway) []string { return one(g.Type) },
}

func cgwID(g *CustomerGateway) string  { return g.CustomerGatewayID }
func cgwTags(g *CustomerGateway) []Tag { return g.Tags }

// DescribeCustomerGateways lists customer gateways.
func (c *Cloud) DescribeCustomerGateways(ctx context.Context, sc Scope, in *DescribeCustomerGatewaysInput) (*DescribeCustomerGatewaysOutput, error) {
	out := &DescribeCustomerGatewaysOutput{}
	return out, c.view(ctx, sc, func(tx *txn) error {
		all, err := narrow[CustomerGateway](tx, kindCGW, in.IDs, in.Filters, "")
		if err != nil {
			return err
		}
		for _, g := range all {
			g.State = "available"
		}
		if all, err = selectIDs(all, cgwID, in.IDs, errNotFoundMany("InvalidCustomerGatewayID.NotFound", "customerGateway")); err != nil {
			return err
		}
		out.CustomerGateways, err = filter(ctx, all, in.Filters, cgwFields, cgwTags)
		return err
	})
}

// DeleteCustomerGatewayInput is the input of DeleteCustomerGateway.
type DeleteCustomerGatewayInput struct {
	CustomerGatewayID string `ec2:"CustomerGatewayId,required"`
}

// DeleteCustomerGateway deletes a customer gateway no VPN connection uses.
func (c *Cloud) DeleteCustomerGateway(ctx context.Context, sc Scope, in *DeleteCustomerGatewayInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		g, err := tx.customerGateway(in.CustomerGatewayID)
		if err != nil {
			return err
		}
		vpns, err := listObj[VpnConnection](tx, kindVPN)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(vpns, func(v *VpnConnection) bool { return v.CustomerGatewayID == g.CustomerGatewayID }) {
			return apierr.New("IncorrectState", "The customer gateway %s is in use by a VPN connection.", g.CustomerGatewayID)
		}
		return delObj(tx, kindCGW, g.CustomerGatewayID)
	})
}

// CreateVpnGatewayInput is the input of CreateVpnGateway.
type CreateVpnGatewayInput struct {
	Type              string             `ec2:"Type,required"`
	AvailabilityZone  string             `ec2:"AvailabilityZone"`
	AmazonSideAsn     *int64             `ec2:"AmazonSideAsn"`
	TagSpecifications []TagSpecification `ec2:"TagSpecification"`
}

// CreateVpnGatewayOutput is the output of CreateVpnGateway.
type CreateVpnGatewayOutput struct {
	VpnGateway *VpnGateway `xml:"vpnGateway"`
}

// CreateVpnGateway creates a virtual private gateway (pending, then
// available), attached to no VPC.
func (c *Cloud) CreateVpnGateway(ctx context.Context, sc Scope, in *CreateVpnGatewayInput) (*CreateVpnGatewayOutput, error) {
	if in.Type != "ipsec.1" {
		return nil, invalidValue("Value (%s) for parameter type is invalid. Valid values: ipsec.1", in.Type)
	}
	tags, err := tagsFor(in.TagSpecifications, "vpn-gateway")
	if err != nil {
		return nil, err
	}
	asn := int64(64512)
	if in.AmazonSideAsn != nil {
		asn = *in.AmazonSideAsn
	}
	out := &CreateVpnGatewayOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		g := &VpnGateway{VpnGatewayID: newID("vgw"), Type: in.Type, AvailabilityZone: in.AvailabilityZone, AmazonSideAsn: asn,
			VpcAttachments: []IGWAttachment{}, Tags: tags["vpn-gateway"], ReadyAt: tx.now.Add(tx.c.delay)}
		if err := putObj(tx, kindVGW, g.VpnGatewayID, g); err != nil {
			return err
		}
		g.State = "pending"
		out.VpnGateway = g
		return nil
	})
}

// VpnGatewayVpcInput is the input of Attach/DetachVpnGateway.
type VpnGatewayVpcInput struct {
	VpcID        string `ec2:"VpcId,required"`
	VpnGatewayID string `ec2:"VpnGatewayId,required"`
}

// AttachVpnGatewayOutput is the output of AttachVpnGateway.
type AttachVpnGatewayOutput struct {
	Attachment *IGWAttachment `xml:"attachment"`
}

// AttachVpnGateway attaches a gateway to a VPC (one gateway per VPC, one
// VPC per gateway).
func (c *Cloud) AttachVpnGateway(ctx context.Context, sc Scope, in *VpnGatewayVpcInput) (*AttachVpnGatewayOutput, error) {
	out := &AttachVpnGatewayOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		g, err := tx.vpnGateway(in.VpnGatewayID)
		if err != nil {
			return err
		}
		vpc, err := tx.vpc(in.VpcID)
		if err != nil {
			return err
		}
		if v := g.VpcID(); v != "" {
			return apierr.New("VpnGatewayAttachmentLimitExceeded", "The VPN gateway %s is already attached to %s.", g.VpnGatewayID, v)
		}
		all, err := listObj[VpnGateway](tx, kindVGW)
		if err != nil {
			return err
		}
		for _, o := range all {
			if o.VpcID() == vpc.VpcID {
				return apierr.New("InvalidVpcState", "The VPC %s already has a VPN gateway (%s) attached.", vpc.VpcID, o.VpnGatewayID)
			}
		}
		g.VpcAttachments = []IGWAttachment{{VpcID: vpc.VpcID, State: "attached"}}
		out.Attachment = &IGWAttachment{VpcID: vpc.VpcID, State: "attaching"}
		return putObj(tx, kindVGW, g.VpnGatewayID, g)
	})
}

// DetachVpnGateway detaches a gateway from its VPC; routes to it become
// blackholes and its propagations end.
func (c *Cloud) DetachVpnGateway(ctx context.Context, sc Scope, in *VpnGatewayVpcInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		g, err := tx.vpnGateway(in.VpnGatewayID)
		if err != nil {
			return err
		}
		if g.VpcID() != in.VpcID {
			return apierr.New("InvalidVpnGatewayAttachment.NotFound", "The attachment with vpn gateway ID '%s' and vpc ID '%s' does not exist", g.VpnGatewayID, in.VpcID)
		}
		rts, err := listChildren[RouteTable](tx, kindRT, in.VpcID)
		if err != nil {
			return err
		}
		for _, rt := range rts {
			if i := slices.IndexFunc(rt.PropagatingVgws, func(p PropagatingVgw) bool { return p.GatewayID == g.VpnGatewayID }); i >= 0 {
				rt.PropagatingVgws = slices.Delete(rt.PropagatingVgws, i, i+1)
				if err := putObj(tx, kindRT, rt.RouteTableID, rt); err != nil {
					return err
				}
			}
		}
		g.VpcAttachments = []IGWAttachment{}
		return putObj(tx, kindVGW, g.VpnGatewayID, g)
	})
}

// DescribeVpnGatewaysInput is the input of DescribeVpnGateways.
type DescribeVpnGatewaysInput struct {
	IDs     []string `ec2:"VpnGatewayId"`
	Filters []Filter `ec2:"Filter"`
}

// DescribeVpnGatewaysOutput is the output of DescribeVpnGateways.
type DescribeVpnGatewaysOutput struct {
	VpnGateways []*VpnGateway `xml:"vpnGatewaySet>item"`
}

var vgwFields = fields[VpnGateway]{
	"vpn-gateway-id": func(g *VpnGateway) []string { return one(g.VpnGatewayID) },
	"state":          func(g *VpnGateway) []string { return one(g.State) },
	"type":           func(g *VpnGateway) []string { return one(g.Type) },
	"attachment.vpc-id": func(g *VpnGateway) []string {
		return mapSlice(g.VpcAttachments, func(a IGWAttachment) string { return a.VpcID })
	},
	"attachment.state": func(g *VpnGateway) []string {
		return mapSlice(g.VpcAttachments, func(a IGWAttachment) string { return a.State })
	},
	"amazon-side-asn": func(g *VpnGateway) []string { return one(strconv.FormatInt(g.AmazonSideAsn, 10)) },
}

func vgwID(g *VpnGateway) string  { return g.VpnGatewayID }
func vgwTags(g *VpnGateway) []Tag { return g.Tags }

// DescribeVpnGateways lists virtual private gateways.
func (c *Cloud) DescribeVpnGateways(ctx context.Context, sc Scope, in *DescribeVpnGatewaysInput) (*DescribeVpnGatewaysOutput, error) {
	out := &DescribeVpnGatewaysOutput{}
	return out, c.view(ctx, sc, func(tx *txn) error {
		all, err := narrow[VpnGateway](tx, kindVGW, in.IDs, in.Filters, "")
		if err != nil {
			return err
		}
		for _, g := range all {
			g.State = readyState(tx, g.ReadyAt)
		}
		if all, err = selectIDs(all, vgwID, in.IDs, errNotFoundMany("InvalidVpnGatewayID.NotFound", "vpnGateway")); err != nil {
			return err
		}
		out.VpnGateways, err = filter(ctx, all, in.Filters, vgwFields, vgwTags)
		return err
	})
}

// DeleteVpnGatewayInput is the input of DeleteVpnGateway.
type DeleteVpnGatewayInput struct {
	VpnGatewayID string `ec2:"VpnGatewayId,required"`
}

// DeleteVpnGateway deletes a detached gateway without VPN connections.
func (c *Cloud) DeleteVpnGateway(ctx context.Context, sc Scope, in *DeleteVpnGatewayInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		g, err := tx.vpnGateway(in.VpnGatewayID)
		if err != nil {
			return err
		}
		if g.VpcID() != "" {
			return apierr.New("IncorrectState", "The VPN gateway %s is attached to %s.", g.VpnGatewayID, g.VpcID())
		}
		vpns, err := listObj[VpnConnection](tx, kindVPN)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(vpns, func(v *VpnConnection) bool { return v.VpnGatewayID == g.VpnGatewayID }) {
			return apierr.New("IncorrectState", "The VPN gateway %s has VPN connections.", g.VpnGatewayID)
		}
		return delObj(tx, kindVGW, g.VpnGatewayID)
	})
}

// CreateVpnConnectionInput is the input of CreateVpnConnection.
type CreateVpnConnectionInput struct {
	CustomerGatewayID string             `ec2:"CustomerGatewayId,required"`
	Type              string             `ec2:"Type,required"`
	VpnGatewayID      string             `ec2:"VpnGatewayId"`
	TransitGatewayID  string             `ec2:"TransitGatewayId"`
	Options           *VpnOptions        `ec2:"Options"`
	TagSpecifications []TagSpecification `ec2:"TagSpecification"`
}

// CreateVpnConnectionOutput is the output of CreateVpnConnection.
type CreateVpnConnectionOutput struct {
	VpnConnection *VpnConnection `xml:"vpnConnection"`
}

// CreateVpnConnection connects a customer gateway to a virtual private
// gateway (pending, then available).
func (c *Cloud) CreateVpnConnection(ctx context.Context, sc Scope, in *CreateVpnConnectionInput) (*CreateVpnConnectionOutput, error) {
	switch {
	case in.Type != "ipsec.1":
		return nil, invalidValue("Value (%s) for parameter type is invalid. Valid values: ipsec.1", in.Type)
	case in.TransitGatewayID != "" && in.VpnGatewayID != "":
		return nil, apierr.New("InvalidParameterCombination", "The parameters vpnGatewayId and transitGatewayId cannot be specified together.")
	case in.VpnGatewayID == "" && in.TransitGatewayID == "":
		return nil, apierr.New("MissingParameter", "The request must contain the parameter vpnGatewayId or transitGatewayId")
	}
	tags, err := tagsFor(in.TagSpecifications, "vpn-connection")
	if err != nil {
		return nil, err
	}
	out := &CreateVpnConnectionOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		cg, err := tx.customerGateway(in.CustomerGatewayID)
		if err != nil {
			return err
		}
		v := &VpnConnection{VpnConnectionID: newID("vpn"), Type: in.Type, CustomerGatewayID: cg.CustomerGatewayID,
			Tags: tags["vpn-connection"], ReadyAt: tx.now.Add(tx.c.delay)}
		if in.Options != nil {
			v.Options = *in.Options
		}
		if in.TransitGatewayID != "" {
			// A VPN to a transit gateway (of this account) is one of its
			// attachments, routed by the gateway's tables.
			g, err := tx.transitGateway(in.TransitGatewayID)
			if err != nil {
				return err
			}
			v.TransitGatewayID = g.TransitGatewayID
			a := &TransitGatewayVpcAttachment{TransitGatewayAttachmentID: newID("tgw-attach"), TransitGatewayID: g.TransitGatewayID,
				VpcOwnerID: tx.sc.Account, VpnConnectionID: v.VpnConnectionID, CreationTime: Timestamp(tx.now), ReadyAt: v.ReadyAt}
			if err := tx.defaultTGWRoutingTxn(g, a); err != nil {
				return err
			}
			if err := putObj(tx, kindTGWAttachment, a.TransitGatewayAttachmentID, a); err != nil {
				return err
			}
		} else {
			g, err := tx.vpnGateway(in.VpnGatewayID)
			if err != nil {
				return err
			}
			v.VpnGatewayID = g.VpnGatewayID
		}
		if err := putObj(tx, kindVPN, v.VpnConnectionID, v); err != nil {
			return err
		}
		v.render(tx)
		out.VpnConnection = v
		return nil
	})
}

// VpnConnectionRouteInput is the input of Create/DeleteVpnConnectionRoute.
type VpnConnectionRouteInput struct {
	DestinationCidrBlock string `ec2:"DestinationCidrBlock,required"`
	VpnConnectionID      string `ec2:"VpnConnectionId,required"`
}

// CreateVpnConnectionRoute adds a static route of a static-routes-only
// connection: a network on premises.
func (c *Cloud) CreateVpnConnectionRoute(ctx context.Context, sc Scope, in *VpnConnectionRouteInput) (*Return, error) {
	p, err := parseCIDR(in.DestinationCidrBlock, "destinationCidrBlock")
	if err != nil {
		return nil, err
	}
	return ok, c.update(ctx, sc, func(tx *txn) error {
		v, err := tx.vpnConnection(in.VpnConnectionID)
		if err != nil {
			return err
		}
		if !v.Options.StaticRoutesOnly {
			return apierr.New("InvalidVpnConnection.InvalidType", "The VPN connection %s does not use static routes (StaticRoutesOnly).", v.VpnConnectionID)
		}
		if v.TransitGatewayID != "" {
			return apierr.New("InvalidVpnConnection.InvalidType", "The VPN connection %s is attached to transit gateway %s: add its static routes to the gateway's route table (create-transit-gateway-route --transit-gateway-attachment-id <its attachment>).", v.VpnConnectionID, v.TransitGatewayID)
		}
		if slices.ContainsFunc(v.Routes, func(r VpnStaticRoute) bool { return r.DestinationCidrBlock == p }) {
			return apierr.New("RouteAlreadyExists", "The route identified by %s already exists.", p)
		}
		v.Routes = append(v.Routes, VpnStaticRoute{DestinationCidrBlock: p})
		return putObj(tx, kindVPN, v.VpnConnectionID, v)
	})
}

// DeleteVpnConnectionRoute removes a static route.
func (c *Cloud) DeleteVpnConnectionRoute(ctx context.Context, sc Scope, in *VpnConnectionRouteInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		v, err := tx.vpnConnection(in.VpnConnectionID)
		if err != nil {
			return err
		}
		p, perr := netip.ParsePrefix(in.DestinationCidrBlock)
		i := slices.IndexFunc(v.Routes, func(r VpnStaticRoute) bool { return perr == nil && r.DestinationCidrBlock == p.Masked() })
		if i < 0 {
			return apierr.New("InvalidRoute.NotFound", "The route identified by %s does not exist.", in.DestinationCidrBlock)
		}
		v.Routes = slices.Delete(v.Routes, i, i+1)
		return putObj(tx, kindVPN, v.VpnConnectionID, v)
	})
}

// DescribeVpnConnectionsInput is the input of DescribeVpnConnections.
type DescribeVpnConnectionsInput struct {
	IDs     []string `ec2:"VpnConnectionId"`
	Filters []Filter `ec2:"Filter"`
}

// DescribeVpnConnectionsOutput is the output of DescribeVpnConnections.
type DescribeVpnConnectionsOutput struct {
	VpnConnections []*VpnConnection `xml:"vpnConnectionSet>item"`
}

var vpnFields = fields[VpnConnection]{
	"vpn-connection-id":   func(v *VpnConnection) []string { return one(v.VpnConnectionID) },
	"customer-gateway-id": func(v *VpnConnection) []string { return one(v.CustomerGatewayID) },
	"vpn-gateway-id":      func(v *VpnConnection) []string { return one(v.VpnGatewayID) },
	"transit-gateway-id":  func(v *VpnConnection) []string { return one(v.TransitGatewayID) },
	"state":               func(v *VpnConnection) []string { return one(v.State) },
	"type":                func(v *VpnConnection) []string { return one(v.Type) },
	"option.static-routes-only": func(v *VpnConnection) []string {
		return boolStr(v.Options.StaticRoutesOnly)
	},
	"route.destination-cidr-block": func(v *VpnConnection) []string {
		return mapSlice(v.Routes, func(r VpnStaticRoute) string { return r.DestinationCidrBlock.String() })
	},
}

func vpnID(v *VpnConnection) string  { return v.VpnConnectionID }
func vpnTags(v *VpnConnection) []Tag { return v.Tags }

// DescribeVpnConnections lists VPN connections.
func (c *Cloud) DescribeVpnConnections(ctx context.Context, sc Scope, in *DescribeVpnConnectionsInput) (*DescribeVpnConnectionsOutput, error) {
	out := &DescribeVpnConnectionsOutput{}
	return out, c.view(ctx, sc, func(tx *txn) error {
		all, err := narrow[VpnConnection](tx, kindVPN, in.IDs, in.Filters, "")
		if err != nil {
			return err
		}
		for _, v := range all {
			v.render(tx)
		}
		if all, err = selectIDs(all, vpnID, in.IDs, errNotFoundMany("InvalidVpnConnectionID.NotFound", "vpnConnection")); err != nil {
			return err
		}
		out.VpnConnections, err = filter(ctx, all, in.Filters, vpnFields, vpnTags)
		return err
	})
}

// DeleteVpnConnectionInput is the input of DeleteVpnConnection.
type DeleteVpnConnectionInput struct {
	VpnConnectionID string `ec2:"VpnConnectionId,required"`
}

// DeleteVpnConnection deletes a VPN connection; its routes leave the
// route tables they were propagated to.
func (c *Cloud) DeleteVpnConnection(ctx context.Context, sc Scope, in *DeleteVpnConnectionInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		v, err := tx.vpnConnection(in.VpnConnectionID)
		if err != nil {
			return err
		}
		if v.TransitGatewayID != "" {
			if err := tx.detachVpnTxn(v); err != nil {
				return err
			}
		}
		return delObj(tx, kindVPN, v.VpnConnectionID)
	})
}

// PropagatingVgw is a virtual private gateway that propagates routes to a
// route table.
type PropagatingVgw struct {
	GatewayID string `xml:"gatewayId" json:"gw"`
}

// VgwPropagationInput is the input of Enable/DisableVgwRoutePropagation.
type VgwPropagationInput struct {
	GatewayID    string `ec2:"GatewayId,required"`
	RouteTableID string `ec2:"RouteTableId,required"`
}

// EnableVgwRoutePropagation lets a gateway attached to the table's VPC
// propagate the networks of its VPN connections into the table.
func (c *Cloud) EnableVgwRoutePropagation(ctx context.Context, sc Scope, in *VgwPropagationInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		rt, err := tx.routeTable(in.RouteTableID)
		if err != nil {
			return err
		}
		g, err := tx.vpnGateway(in.GatewayID)
		if err != nil {
			return err
		}
		if g.VpcID() != rt.VpcID {
			return apierr.New("Gateway.NotAttached", "resource %s is not attached to network %s", g.VpnGatewayID, rt.VpcID)
		}
		if !slices.ContainsFunc(rt.PropagatingVgws, func(p PropagatingVgw) bool { return p.GatewayID == g.VpnGatewayID }) {
			rt.PropagatingVgws = append(rt.PropagatingVgws, PropagatingVgw{g.VpnGatewayID})
		}
		return putObj(tx, kindRT, rt.RouteTableID, rt)
	})
}

// DisableVgwRoutePropagation stops a gateway's propagation into a table.
func (c *Cloud) DisableVgwRoutePropagation(ctx context.Context, sc Scope, in *VgwPropagationInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		rt, err := tx.routeTable(in.RouteTableID)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(rt.PropagatingVgws, func(p PropagatingVgw) bool { return p.GatewayID == in.GatewayID })
		if i < 0 {
			return apierr.New("InvalidParameterValue", "The gateway %s does not propagate routes to %s.", in.GatewayID, rt.RouteTableID)
		}
		rt.PropagatingVgws = slices.Delete(rt.PropagatingVgws, i, i+1)
		return putObj(tx, kindRT, rt.RouteTableID, rt)
	})
}

// propagatedRoutes are the routes the table's propagating gateways give
// it: the static routes of their available VPN connections (a route of
// the table's own for the same destination wins).
func (tx *txn) propagatedRoutes(rt *RouteTable) ([]Route, error) {
	if len(rt.PropagatingVgws) == 0 {
		return nil, nil
	}
	vpns, err := listObj[VpnConnection](tx, kindVPN)
	if err != nil {
		return nil, err
	}
	var out []Route
	for _, p := range rt.PropagatingVgws {
		for _, v := range vpns {
			if v.VpnGatewayID != p.GatewayID || readyState(tx, v.ReadyAt) != "available" {
				continue
			}
			for _, r := range v.Routes {
				d := r.DestinationCidrBlock.String()
				if findRoute(rt, Route{DestinationCidrBlock: d}) >= 0 || slices.ContainsFunc(out, func(o Route) bool { return o.DestinationCidrBlock == d }) {
					continue
				}
				out = append(out, Route{DestinationCidrBlock: d, GatewayID: p.GatewayID, Origin: "EnableVgwRoutePropagation", State: "active"})
			}
		}
	}
	return out, nil
}

// detachVpnTxn ends a VPN connection's transit gateway attachment: its
// associations and propagations go, static routes to it become blackholes.
func (tx *txn) detachVpnTxn(v *VpnConnection) error {
	atts, err := tx.tgwAttachments(v.TransitGatewayID)
	if err != nil {
		return err
	}
	for _, a := range atts {
		if a.VpnConnectionID != v.VpnConnectionID {
			continue
		}
		if err := tx.unrouteAttachmentTxn(a); err != nil {
			return err
		}
		now := tx.now
		a.DeletedAt = &now
		if err := putObj(tx, kindTGWAttachment, a.TransitGatewayAttachmentID, a); err != nil {
			return err
		}
	}
	return nil
}
