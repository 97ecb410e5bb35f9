package cloud

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/store"
)

// Transit gateways, as far as paths need them: the gateway with its
// default route table, VPC attachments (an interface in one subnet per
// zone), route tables with associations, propagations, static and
// blackhole routes, and tgw- targets in VPC route tables. Attachments are
// within one account; RAM sharing, peering, VPN and Connect attachments
// are not modelled.

// Stored kinds of transit gateways and their parts.
const (
	kindTGW           = "transit-gateway"
	kindTGWAttachment = "transit-gateway-attachment"
	kindTGWRouteTable = "transit-gateway-route-table"
	// kindTGWAttachmentRef, in a VPC owner's scope, names the account
	// whose scope holds an attachment of that owner's VPC to a shared
	// gateway (attachments live with their gateway).
	kindTGWAttachmentRef = "transit-gateway-attachment-ref"
)

// attachmentRef is the record of kindTGWAttachmentRef.
type attachmentRef struct {
	Owner string `json:"owner"`
}

// ResourceType is what an attachment attaches: "vpc" or "vpn".
func (a *TransitGatewayVpcAttachment) ResourceType() string {
	if a.VpnConnectionID != "" {
		return "vpn"
	}
	return "vpc"
}

// ResourceID is the attached VPC's or VPN connection's ID.
func (a *TransitGatewayVpcAttachment) ResourceID() string {
	if a.VpnConnectionID != "" {
		return a.VpnConnectionID
	}
	return a.VpcID
}

// Owner returns the gateway owner's account of an attachment.
func (a *TransitGatewayVpcAttachment) Owner() string {
	if a.TGWOwner != "" {
		return a.TGWOwner
	}
	return a.VpcOwnerID
}

// tgwFor finds a gateway the account may attach to: its own, or one
// shared with it through RAM; the transaction returned acts in the
// gateway owner's account.
func (tx *txn) tgwFor(id string) (*TransitGateway, *txn, error) {
	g, err := tx.transitGateway(id)
	if err == nil || !apierr.HasCode(err, "InvalidTransitGatewayID.NotFound") {
		return g, tx, err
	}
	owner, serr := tx.sharedOwner("transit-gateway", id)
	if serr != nil {
		return nil, nil, serr
	}
	if owner == "" {
		return nil, nil, err
	}
	otx := tx.in(owner)
	g, err = otx.transitGateway(id)
	return g, otx, err
}

// tgwAttachmentAny finds an attachment the account is a side of: one of
// its gateways', or one of its VPCs' to a gateway of another account;
// the transaction returned acts in the account that stores it (the
// gateway's owner).
func (tx *txn) tgwAttachmentAny(id string) (*TransitGatewayVpcAttachment, *txn, error) {
	a, err := tx.tgwAttachment(id)
	if err == nil || !apierr.HasCode(err, "InvalidTransitGatewayAttachmentID.NotFound") {
		return a, tx, err
	}
	ref, rerr := getObj[attachmentRef](tx, kindTGWAttachmentRef, id)
	if errors.Is(rerr, store.ErrNotFound) {
		return nil, nil, err
	}
	if rerr != nil {
		return nil, nil, rerr
	}
	otx := tx.in(ref.Owner)
	a, err = otx.tgwAttachment(id)
	return a, otx, err
}

// vpcAttachment returns the live attachment of a VPC of the account to a
// gateway (its own or a shared one); nil when there is none.
func (tx *txn) vpcAttachment(tgwID, vpcID string) (*TransitGatewayVpcAttachment, error) {
	atts, err := tx.tgwAttachments(tgwID)
	if err != nil {
		return nil, err
	}
	for _, a := range atts {
		if a.VpcID == vpcID {
			return a, nil
		}
	}
	others, err := tx.referencedAttachments()
	if err != nil {
		return nil, err
	}
	for _, a := range others {
		if a.DeletedAt == nil && a.TransitGatewayID == tgwID && a.VpcID == vpcID {
			a.State = a.state(tx)
			return a, nil
		}
	}
	return nil, nil
}

// referencedAttachments reads the attachments of the account's VPCs to
// gateways of other accounts (stored with those gateways), ended ones
// included.
func (tx *txn) referencedAttachments() ([]*TransitGatewayVpcAttachment, error) {
	refs, err := tx.List(tx.sc, kindTGWAttachmentRef)
	if err != nil {
		return nil, err
	}
	var out []*TransitGatewayVpcAttachment
	for _, r := range refs {
		var ref attachmentRef
		if err := json.Unmarshal(r.Data, &ref); err != nil {
			return nil, err
		}
		a, err := getObj[TransitGatewayVpcAttachment](tx.in(ref.Owner), kindTGWAttachment, r.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// InterfaceTypeTransitGateway is the type of a VPC attachment's interfaces.
const InterfaceTypeTransitGateway = "transit_gateway"

// TransitGateway is a regional router between VPCs.
type TransitGateway struct {
	TransitGatewayID  string                `xml:"transitGatewayId" json:"id"`
	TransitGatewayArn string                `xml:"transitGatewayArn" json:"arn"`
	State             string                `xml:"state" json:"-"`
	OwnerID           string                `xml:"ownerId" json:"owner"`
	Description       string                `xml:"description,omitempty" json:"desc,omitempty"`
	CreationTime      Timestamp             `xml:"creationTime" json:"created"`
	Options           TransitGatewayOptions `xml:"options" json:"options"`
	Tags              TagSet                `xml:"tagSet,omitempty" json:"tags,omitempty"`
	ReadyAt           time.Time             `xml:"-" json:"readyAt"`
	DeletedAt         *time.Time            `xml:"-" json:"deletedAt,omitempty"`
}

// TransitGatewayOptions are a transit gateway's settings.
type TransitGatewayOptions struct {
	AmazonSideAsn                   int64  `xml:"amazonSideAsn" json:"asn"`
	AutoAcceptSharedAttachments     string `xml:"autoAcceptSharedAttachments" json:"autoAccept"`
	DefaultRouteTableAssociation    string `xml:"defaultRouteTableAssociation" json:"defaultAssoc"`
	AssociationDefaultRouteTableID  string `xml:"associationDefaultRouteTableId,omitempty" json:"assocRtb,omitempty"`
	DefaultRouteTablePropagation    string `xml:"defaultRouteTablePropagation" json:"defaultProp"`
	PropagationDefaultRouteTableID  string `xml:"propagationDefaultRouteTableId,omitempty" json:"propRtb,omitempty"`
	VpnEcmpSupport                  string `xml:"vpnEcmpSupport" json:"ecmp"`
	DNSSupport                      string `xml:"dnsSupport" json:"dns"`
	SecurityGroupReferencingSupport string `xml:"securityGroupReferencingSupport" json:"sgRef"`
	MulticastSupport                string `xml:"multicastSupport" json:"multicast"`
}

// TGWRequestOptions are CreateTransitGateway's Options.
type TGWRequestOptions struct {
	AmazonSideAsn                   int64    `ec2:"AmazonSideAsn"`
	AutoAcceptSharedAttachments     string   `ec2:"AutoAcceptSharedAttachments"`
	DefaultRouteTableAssociation    string   `ec2:"DefaultRouteTableAssociation"`
	DefaultRouteTablePropagation    string   `ec2:"DefaultRouteTablePropagation"`
	VpnEcmpSupport                  string   `ec2:"VpnEcmpSupport"`
	DNSSupport                      string   `ec2:"DnsSupport"`
	SecurityGroupReferencingSupport string   `ec2:"SecurityGroupReferencingSupport"`
	MulticastSupport                string   `ec2:"MulticastSupport"`
	TransitGatewayCidrBlocks        []string `ec2:"TransitGatewayCidrBlocks"`
}

// TransitGatewayVpcAttachment connects a VPC to a transit gateway through
// an interface in one subnet per zone.
type TransitGatewayVpcAttachment struct {
	TransitGatewayAttachmentID string                  `xml:"transitGatewayAttachmentId" json:"id"`
	TransitGatewayID           string                  `xml:"transitGatewayId" json:"tgw"`
	VpcID                      string                  `xml:"vpcId" json:"vpc"`
	VpcOwnerID                 string                  `xml:"vpcOwnerId" json:"vpcOwner"`
	State                      string                  `xml:"state" json:"-"`
	SubnetIDs                  []string                `xml:"subnetIds>item" json:"subnets"`
	CreationTime               Timestamp               `xml:"creationTime" json:"created"`
	Options                    TGWVpcAttachmentOptions `xml:"options" json:"options"`
	Tags                       TagSet                  `xml:"tagSet,omitempty" json:"tags,omitempty"`
	ENIs                       map[string]string       `xml:"-" json:"enis"` // subnet → interface
	// TGWOwner is the gateway's account when it is not the VPC's (a
	// gateway shared through RAM); Acceptance is "pendingAcceptance" until
	// the gateway's owner accepts such an attachment, "rejected" after it
	// refused it, and empty once accepted.
	TGWOwner   string `xml:"-" json:"tgwOwner,omitempty"`
	Acceptance string `xml:"-" json:"acceptance,omitempty"`
	// VpnConnectionID is set on the attachment of a VPN connection to the
	// gateway (VpcID is then empty; such an attachment is not a VPC
	// attachment and DescribeTransitGatewayVpcAttachments leaves it out).
	VpnConnectionID string                    `xml:"-" json:"vpn,omitempty"`
	ReadyAt         time.Time                 `xml:"-" json:"readyAt"`
	DeletedAt       *time.Time                `xml:"-" json:"deletedAt,omitempty"`
	association     *TGWAttachmentAssociation // derived
}

// TGWVpcAttachmentOptions are a VPC attachment's settings.
type TGWVpcAttachmentOptions struct {
	DNSSupport                      string `ec2:"DnsSupport" xml:"dnsSupport" json:"dns"`
	SecurityGroupReferencingSupport string `ec2:"SecurityGroupReferencingSupport" xml:"securityGroupReferencingSupport" json:"sgRef"`
	Ipv6Support                     string `ec2:"Ipv6Support" xml:"ipv6Support" json:"ipv6"`
	ApplianceModeSupport            string `ec2:"ApplianceModeSupport" xml:"applianceModeSupport" json:"appliance"`
}

// TGWAttachmentAssociation is the route table an attachment is associated with.
type TGWAttachmentAssociation struct {
	TransitGatewayRouteTableID string `xml:"transitGatewayRouteTableId"`
	State                      string `xml:"state"`
}

// TransitGatewayRouteTable routes between a transit gateway's attachments.
type TransitGatewayRouteTable struct {
	TransitGatewayRouteTableID   string    `xml:"transitGatewayRouteTableId" json:"id"`
	TransitGatewayID             string    `xml:"transitGatewayId" json:"tgw"`
	State                        string    `xml:"state" json:"-"`
	DefaultAssociationRouteTable bool      `xml:"defaultAssociationRouteTable" json:"defaultAssoc"`
	DefaultPropagationRouteTable bool      `xml:"defaultPropagationRouteTable" json:"defaultProp"`
	CreationTime                 Timestamp `xml:"creationTime" json:"created"`
	Tags                         TagSet    `xml:"tagSet,omitempty" json:"tags,omitempty"`
	// Associations and Propagations name attachments; Routes are the
	// static ones (propagated routes are derived from the attachments).
	Associations []string         `xml:"-" json:"assocs,omitempty"`
	Propagations []string         `xml:"-" json:"props,omitempty"`
	Routes       []TGWStaticRoute `xml:"-" json:"routes,omitempty"`
	ReadyAt      time.Time        `xml:"-" json:"readyAt"`
}

// TGWStaticRoute is a static route of a transit gateway route table.
type TGWStaticRoute struct {
	Cidr       netip.Prefix `json:"cidr"`
	Attachment string       `json:"attach,omitempty"`
	Blackhole  bool         `json:"blackhole,omitempty"`
}

// TransitGatewayRoute is a route as SearchTransitGatewayRoutes shows it.
type TransitGatewayRoute struct {
	DestinationCidrBlock      string                          `xml:"destinationCidrBlock"`
	TransitGatewayAttachments []TransitGatewayRouteAttachment `xml:"transitGatewayAttachments>item"`
	Type                      string                          `xml:"type"`
	State                     string                          `xml:"state"`
}

// TransitGatewayRouteAttachment is the attachment a route sends to.
type TransitGatewayRouteAttachment struct {
	ResourceID                 string `xml:"resourceId"`
	TransitGatewayAttachmentID string `xml:"transitGatewayAttachmentId"`
	ResourceType               string `xml:"resourceType"`
}

func (g *TransitGateway) state(tx *txn) string {
	switch {
	case g.DeletedAt != nil && tx.now.Before(g.DeletedAt.Add(tx.c.delay)):
		return "deleting"
	case g.DeletedAt != nil:
		return "deleted"
	case tx.now.Before(g.ReadyAt):
		return "pending"
	}
	return "available"
}

func (a *TransitGatewayVpcAttachment) state(tx *txn) string {
	switch {
	case a.Acceptance != "":
		return a.Acceptance
	case a.DeletedAt != nil && tx.now.Before(a.DeletedAt.Add(tx.c.delay)):
		return "deleting"
	case a.DeletedAt != nil:
		return "deleted"
	case tx.now.Before(a.ReadyAt):
		return "pending"
	}
	return "available"
}

func (rt *TransitGatewayRouteTable) state(tx *txn) string {
	if tx.now.Before(rt.ReadyAt) {
		return "pending"
	}
	return "available"
}

func (tx *txn) transitGateway(id string) (*TransitGateway, error) {
	if err := checkID(id, "tgw", "InvalidTransitGatewayID.Malformed"); err != nil {
		return nil, err
	}
	nf := func() error {
		return apierr.New("InvalidTransitGatewayID.NotFound", "Transit Gateway %s was deleted or does not exist.", id)
	}
	g, err := getOr[TransitGateway](tx, kindTGW, id, nf)
	if err != nil {
		return nil, err
	}
	if g.DeletedAt != nil {
		return nil, nf()
	}
	g.State = g.state(tx)
	return g, nil
}

func (tx *txn) tgwAttachment(id string) (*TransitGatewayVpcAttachment, error) {
	if err := checkID(id, "tgw-attach", "InvalidTransitGatewayAttachmentID.Malformed"); err != nil {
		return nil, err
	}
	nf := func() error {
		return apierr.New("InvalidTransitGatewayAttachmentID.NotFound", "Transit Gateway Attachment %s was deleted or does not exist.", id)
	}
	a, err := getOr[TransitGatewayVpcAttachment](tx, kindTGWAttachment, id, nf)
	if err != nil {
		return nil, err
	}
	if a.DeletedAt != nil {
		return nil, nf()
	}
	a.State = a.state(tx)
	return a, nil
}

func (tx *txn) tgwRouteTable(id string) (*TransitGatewayRouteTable, error) {
	if err := checkID(id, "tgw-rtb", "InvalidRouteTableID.Malformed"); err != nil {
		return nil, err
	}
	rt, err := getOr[TransitGatewayRouteTable](tx, kindTGWRouteTable, id, func() error {
		return apierr.New("InvalidRouteTableID.NotFound", "Transit Gateway Route Table %s was deleted or does not exist.", id)
	})
	if err != nil {
		return nil, err
	}
	rt.State = rt.state(tx)
	return rt, nil
}

func enableValue(v, def, param string) (string, error) {
	switch v {
	case "":
		return def, nil
	case "enable", "disable":
		return v, nil
	}
	return "", invalidValue("Value (%s) for parameter %s is invalid. Valid values: enable, disable", v, param)
}

// CreateTransitGatewayInput is the input of CreateTransitGateway.
type CreateTransitGatewayInput struct {
	Description       string             `ec2:"Description"`
	Options           *TGWRequestOptions `ec2:"Options"`
	TagSpecifications []TagSpecification `ec2:"TagSpecification"`
}

// CreateTransitGatewayOutput is the output of CreateTransitGateway.
type CreateTransitGatewayOutput struct {
	TransitGateway *TransitGateway `xml:"transitGateway"`
}

// CreateTransitGateway creates a transit gateway (pending, then available
// after the provisioning delay) and, unless both default-route-table
// options are disabled, its default route table.
func (c *Cloud) CreateTransitGateway(ctx context.Context, sc Scope, in *CreateTransitGatewayInput) (*CreateTransitGatewayOutput, error) {
	tags, err := tagsFor(in.TagSpecifications, "transit-gateway")
	if err != nil {
		return nil, err
	}
	o := TransitGatewayOptions{AmazonSideAsn: 64512}
	if in.Options != nil {
		if len(in.Options.TransitGatewayCidrBlocks) > 0 {
			return nil, apierr.New("UnsupportedOperation", "Transit gateway CIDR blocks (Connect attachments) are not supported by vpce.")
		}
		r := in.Options
		o = TransitGatewayOptions{AmazonSideAsn: r.AmazonSideAsn, AutoAcceptSharedAttachments: r.AutoAcceptSharedAttachments,
			DefaultRouteTableAssociation: r.DefaultRouteTableAssociation, DefaultRouteTablePropagation: r.DefaultRouteTablePropagation,
			VpnEcmpSupport: r.VpnEcmpSupport, DNSSupport: r.DNSSupport, SecurityGroupReferencingSupport: r.SecurityGroupReferencingSupport,
			MulticastSupport: r.MulticastSupport}
		if o.AmazonSideAsn == 0 {
			o.AmazonSideAsn = 64512
		}
		if !(o.AmazonSideAsn >= 64512 && o.AmazonSideAsn <= 65534) && !(o.AmazonSideAsn >= 4200000000 && o.AmazonSideAsn <= 4294967294) {
			return nil, invalidValue("Value (%d) for parameter amazonSideAsn is invalid. It must be in the range 64512-65534 or 4200000000-4294967294.", o.AmazonSideAsn)
		}
	}
	for _, f := range []struct {
		v     *string
		def   string
		param string
	}{{&o.AutoAcceptSharedAttachments, "disable", "autoAcceptSharedAttachments"}, {&o.DefaultRouteTableAssociation, "enable", "defaultRouteTableAssociation"},
		{&o.DefaultRouteTablePropagation, "enable", "defaultRouteTablePropagation"}, {&o.VpnEcmpSupport, "enable", "vpnEcmpSupport"},
		{&o.DNSSupport, "enable", "dnsSupport"}, {&o.SecurityGroupReferencingSupport, "disable", "securityGroupReferencingSupport"},
		{&o.MulticastSupport, "disable", "multicastSupport"}} {
		if *f.v, err = enableValue(*f.v, f.def, f.param); err != nil {
			return nil, err
		}
	}
	if o.MulticastSupport == "enable" {
		return nil, apierr.New("UnsupportedOperation", "Transit gateway multicast is not supported by vpce.")
	}
	out := &CreateTransitGatewayOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		g := &TransitGateway{TransitGatewayID: newID("tgw"), OwnerID: tx.sc.Account, Description: in.Description,
			CreationTime: Timestamp(tx.now), Options: o, Tags: tags["transit-gateway"], ReadyAt: tx.now.Add(tx.c.delay)}
		g.TransitGatewayArn = fmt.Sprintf("arn:aws:ec2:%s:%s:transit-gateway/%s", tx.sc.Region, tx.sc.Account, g.TransitGatewayID)
		if o.DefaultRouteTableAssociation == "enable" || o.DefaultRouteTablePropagation == "enable" {
			rt := &TransitGatewayRouteTable{TransitGatewayRouteTableID: newID("tgw-rtb"), TransitGatewayID: g.TransitGatewayID,
				DefaultAssociationRouteTable: o.DefaultRouteTableAssociation == "enable", DefaultPropagationRouteTable: o.DefaultRouteTablePropagation == "enable",
				CreationTime: Timestamp(tx.now), ReadyAt: g.ReadyAt}
			if err := putObj(tx, kindTGWRouteTable, rt.TransitGatewayRouteTableID, rt); err != nil {
				return err
			}
			if rt.DefaultAssociationRouteTable {
				g.Options.AssociationDefaultRouteTableID = rt.TransitGatewayRouteTableID
			}
			if rt.DefaultPropagationRouteTable {
				g.Options.PropagationDefaultRouteTableID = rt.TransitGatewayRouteTableID
			}
		}
		if err := putObj(tx, kindTGW, g.TransitGatewayID, g); err != nil {
			return err
		}
		shown := *g
		shown.State = "pending"
		out.TransitGateway = &shown
		return nil
	})
}

// DescribeTransitGatewaysInput is the input of DescribeTransitGateways.
type DescribeTransitGatewaysInput struct {
	IDs     []string `ec2:"TransitGatewayIds"`
	Filters []Filter `ec2:"Filter"`
	Page
}

// DescribeTransitGatewaysOutput is the output of DescribeTransitGateways.
type DescribeTransitGatewaysOutput struct {
	TransitGateways []*TransitGateway `xml:"transitGatewaySet>item"`
	NextToken       string            `xml:"nextToken,omitempty"`
}

var tgwFields = fields[TransitGateway]{
	"transit-gateway-id": func(g *TransitGateway) []string { return one(g.TransitGatewayID) },
	"state":              func(g *TransitGateway) []string { return one(g.State) },
	"owner-id":           func(g *TransitGateway) []string { return one(g.OwnerID) },
	"options.amazon-side-asn": func(g *TransitGateway) []string {
		return one(fmt.Sprint(g.Options.AmazonSideAsn))
	},
	"options.association-default-route-table-id": func(g *TransitGateway) []string { return one(g.Options.AssociationDefaultRouteTableID) },
	"options.propagation-default-route-table-id": func(g *TransitGateway) []string { return one(g.Options.PropagationDefaultRouteTableID) },
	"options.default-route-table-association":    func(g *TransitGateway) []string { return one(g.Options.DefaultRouteTableAssociation) },
	"options.default-route-table-propagation":    func(g *TransitGateway) []string { return one(g.Options.DefaultRouteTablePropagation) },
	"options.dns-support":                        func(g *TransitGateway) []string { return one(g.Options.DNSSupport) },
}

func tgwID(g *TransitGateway) string  { return g.TransitGatewayID }
func tgwTags(g *TransitGateway) []Tag { return g.Tags }

// DescribeTransitGateways lists transit gateways; deleted ones show for
// the retention period.
func (c *Cloud) DescribeTransitGateways(ctx context.Context, sc Scope, in *DescribeTransitGatewaysInput) (*DescribeTransitGatewaysOutput, error) {
	out := &DescribeTransitGatewaysOutput{}
	return out, c.view(ctx, sc, func(tx *txn) error {
		for _, id := range in.IDs {
			if err := checkID(id, "tgw", "InvalidTransitGatewayID.Malformed"); err != nil {
				return err
			}
		}
		all, err := narrow[TransitGateway](tx, kindTGW, in.IDs, in.Filters, "")
		if err != nil {
			return err
		}
		shared, err := tx.sharedTGWs()
		if err != nil {
			return err
		}
		all = append(all, shared...)
		all = slices.DeleteFunc(all, func(g *TransitGateway) bool {
			return g.DeletedAt != nil && !tx.now.Before(g.DeletedAt.Add(tx.c.retention))
		})
		for _, g := range all {
			g.State = g.state(tx)
		}
		if all, err = selectIDs(all, tgwID, in.IDs, errNotFoundMany("InvalidTransitGatewayID.NotFound", "transitGateway")); err != nil {
			return err
		}
		if all, err = filter(ctx, all, in.Filters, tgwFields, tgwTags); err != nil {
			return err
		}
		out.TransitGateways, out.NextToken, err = paginate(all, tgwID, in.Page, 5, 1000)
		return err
	})
}

// DeleteTransitGatewayInput is the input of DeleteTransitGateway.
type DeleteTransitGatewayInput struct {
	TransitGatewayID string `ec2:"TransitGatewayId,required"`
}

// DeleteTransitGateway deletes a gateway without attachments, with its
// route tables; it shows deleting, then deleted.
func (c *Cloud) DeleteTransitGateway(ctx context.Context, sc Scope, in *DeleteTransitGatewayInput) (*CreateTransitGatewayOutput, error) {
	out := &CreateTransitGatewayOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		g, err := tx.transitGateway(in.TransitGatewayID)
		if err != nil {
			return err
		}
		atts, err := tx.tgwAttachments(g.TransitGatewayID)
		if err != nil {
			return err
		}
		if len(atts) > 0 {
			return apierr.New("IncorrectState", "tgw %s has non-deleted Transit Gateway Attachments: %s.", g.TransitGatewayID, atts[0].TransitGatewayAttachmentID)
		}
		rts, err := tx.tgwRouteTables(g.TransitGatewayID)
		if err != nil {
			return err
		}
		for _, rt := range rts {
			if err := delObj(tx, kindTGWRouteTable, rt.TransitGatewayRouteTableID); err != nil {
				return err
			}
		}
		now := tx.now
		g.DeletedAt = &now
		if err := putObj(tx, kindTGW, g.TransitGatewayID, g); err != nil {
			return err
		}
		g.State = "deleting"
		out.TransitGateway = g
		return nil
	})
}

// sharedTGWs returns the gateways of other accounts shared with tx's
// account (through an accepted RAM invitation).
func (tx *txn) sharedTGWs() ([]*TransitGateway, error) {
	refs, err := tx.sharedWithMe("transit-gateway")
	if err != nil {
		return nil, err
	}
	var out []*TransitGateway
	for _, r := range refs {
		g, err := getObj[TransitGateway](tx.in(r.Owner), kindTGW, r.ID)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// tgwAttachments lists a gateway's live attachments ("" for all).
func (tx *txn) tgwAttachments(tgw string) ([]*TransitGatewayVpcAttachment, error) {
	all, err := listObj[TransitGatewayVpcAttachment](tx, kindTGWAttachment)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, a := range all {
		if a.DeletedAt == nil && (tgw == "" || a.TransitGatewayID == tgw) {
			a.State = a.state(tx)
			out = append(out, a)
		}
	}
	return out, nil
}

// tgwRouteTables lists a gateway's route tables ("" for all).
func (tx *txn) tgwRouteTables(tgw string) ([]*TransitGatewayRouteTable, error) {
	all, err := listObj[TransitGatewayRouteTable](tx, kindTGWRouteTable)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, rt := range all {
		if tgw == "" || rt.TransitGatewayID == tgw {
			rt.State = rt.state(tx)
			out = append(out, rt)
		}
	}
	return out, nil
}

// CreateTransitGatewayVpcAttachmentInput is the input of CreateTransitGatewayVpcAttachment.
type CreateTransitGatewayVpcAttachmentInput struct {
	TransitGatewayID  string                   `ec2:"TransitGatewayId,required"`
	VpcID             string                   `ec2:"VpcId,required"`
	SubnetIDs         []string                 `ec2:"SubnetIds,required"`
	Options           *TGWVpcAttachmentOptions `ec2:"Options"`
	TagSpecifications []TagSpecification       `ec2:"TagSpecifications"`
}

// CreateTransitGatewayVpcAttachmentOutput is the output of
// Create/Delete/AcceptTransitGatewayVpcAttachment.
type CreateTransitGatewayVpcAttachmentOutput struct {
	TransitGatewayVpcAttachment *TransitGatewayVpcAttachment `xml:"transitGatewayVpcAttachment"`
}

// CreateTransitGatewayVpcAttachment attaches a VPC to a gateway: one
// subnet per zone, each given a requester-managed interface; associated
// with and propagated to the gateway's default route table as its options
// say.
func (c *Cloud) CreateTransitGatewayVpcAttachment(ctx context.Context, sc Scope, in *CreateTransitGatewayVpcAttachmentInput) (*CreateTransitGatewayVpcAttachmentOutput, error) {
	tags, err := tagsFor(in.TagSpecifications, "transit-gateway-attachment")
	if err != nil {
		return nil, err
	}
	o := TGWVpcAttachmentOptions{}
	if in.Options != nil {
		o = *in.Options
	}
	for _, f := range []struct {
		v     *string
		def   string
		param string
	}{{&o.DNSSupport, "enable", "dnsSupport"}, {&o.SecurityGroupReferencingSupport, "enable", "securityGroupReferencingSupport"},
		{&o.Ipv6Support, "disable", "ipv6Support"}, {&o.ApplianceModeSupport, "disable", "applianceModeSupport"}} {
		if *f.v, err = enableValue(*f.v, f.def, f.param); err != nil {
			return nil, err
		}
	}
	out := &CreateTransitGatewayVpcAttachmentOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		g, otx, err := tx.tgwFor(in.TransitGatewayID)
		if err != nil {
			return err
		}
		vpc, err := tx.vpc(in.VpcID)
		if err != nil {
			return err
		}
		atts, err := otx.tgwAttachments(g.TransitGatewayID)
		if err != nil {
			return err
		}
		for _, a := range atts {
			if a.VpcID == vpc.VpcID {
				return apierr.New("DuplicateTransitGatewayAttachment", "%s has non-deleted Transit Gateway Attachments with same VPC ID.", g.TransitGatewayID)
			}
		}
		a := &TransitGatewayVpcAttachment{TransitGatewayAttachmentID: newID("tgw-attach"), TransitGatewayID: g.TransitGatewayID, VpcID: vpc.VpcID,
			VpcOwnerID: vpc.OwnerID, CreationTime: Timestamp(tx.now), Options: o, Tags: tags["transit-gateway-attachment"],
			ENIs: map[string]string{}, ReadyAt: tx.now.Add(tx.c.delay)}
		cross := otx.sc.Account != tx.sc.Account
		if cross {
			a.TGWOwner = otx.sc.Account
			if g.Options.AutoAcceptSharedAttachments != "enable" {
				a.Acceptance = "pendingAcceptance"
			}
		}
		zones := map[string]bool{}
		for _, id := range in.SubnetIDs {
			s, err := tx.subnet(id)
			if err != nil {
				return err
			}
			if s.VpcID != vpc.VpcID {
				return invalidParameter("The subnet %s does not belong to %s.", s.SubnetID, vpc.VpcID)
			}
			if zones[s.AvailabilityZone] {
				return apierr.New("DuplicateSubnetsInSameZone", "Duplicate Subnets for same AZ")
			}
			zones[s.AvailabilityZone] = true
			e, err := tx.newInterfaceTxn(s, "", nil, InterfaceTypeTransitGateway, "Network Interface for Transit Gateway Attachment "+a.TransitGatewayAttachmentID, nil)
			if err != nil {
				return err
			}
			e.RequesterManaged, e.RequesterID, e.Status = true, awsRequesterID, "in-use"
			if err := putObj(tx, kindENI, e.NetworkInterfaceID, e); err != nil {
				return err
			}
			a.SubnetIDs = append(a.SubnetIDs, s.SubnetID)
			a.ENIs[s.SubnetID] = e.NetworkInterfaceID
		}
		if a.Acceptance == "" {
			if err := otx.defaultTGWRoutingTxn(g, a); err != nil {
				return err
			}
		}
		if err := putObj(otx, kindTGWAttachment, a.TransitGatewayAttachmentID, a); err != nil {
			return err
		}
		if cross {
			if err := putObj(tx, kindTGWAttachmentRef, a.TransitGatewayAttachmentID, attachmentRef{Owner: otx.sc.Account}); err != nil {
				return err
			}
		}
		shown := *a
		shown.State = "pending"
		if a.Acceptance != "" {
			shown.State = a.Acceptance
		}
		out.TransitGatewayVpcAttachment = &shown
		return nil
	})
}

// defaultTGWRoutingTxn associates a new attachment with the gateway's
// default association route table and propagates it to the default
// propagation one, as the gateway's options say.
func (tx *txn) defaultTGWRoutingTxn(g *TransitGateway, a *TransitGatewayVpcAttachment) error {
	for _, p := range []struct {
		on    bool
		rtb   string
		assoc bool
	}{{g.Options.DefaultRouteTableAssociation == "enable", g.Options.AssociationDefaultRouteTableID, true},
		{g.Options.DefaultRouteTablePropagation == "enable", g.Options.PropagationDefaultRouteTableID, false}} {
		if !p.on || p.rtb == "" {
			continue
		}
		rt, err := tx.tgwRouteTable(p.rtb)
		if err != nil {
			return err
		}
		if p.assoc {
			rt.Associations = append(rt.Associations, a.TransitGatewayAttachmentID)
		} else {
			rt.Propagations = append(rt.Propagations, a.TransitGatewayAttachmentID)
		}
		if err := putObj(tx, kindTGWRouteTable, rt.TransitGatewayRouteTableID, rt); err != nil {
			return err
		}
	}
	return nil
}

// DescribeTransitGatewayVpcAttachmentsInput is the input of
// DescribeTransitGatewayVpcAttachments and DescribeTransitGatewayAttachments.
type DescribeTransitGatewayVpcAttachmentsInput struct {
	IDs     []string `ec2:"TransitGatewayAttachmentIds"`
	Filters []Filter `ec2:"Filter"`
	Page
}

// DescribeTransitGatewayVpcAttachmentsOutput is the output of DescribeTransitGatewayVpcAttachments.
type DescribeTransitGatewayVpcAttachmentsOutput struct {
	TransitGatewayVpcAttachments []*TransitGatewayVpcAttachment `xml:"transitGatewayVpcAttachments>item"`
	NextToken                    string                         `xml:"nextToken,omitempty"`
}

var tgwAttachmentFields = fields[TransitGatewayVpcAttachment]{
	"transit-gateway-attachment-id": func(a *TransitGatewayVpcAttachment) []string { return one(a.TransitGatewayAttachmentID) },
	"transit-gateway-id":            func(a *TransitGatewayVpcAttachment) []string { return one(a.TransitGatewayID) },
	"vpc-id":                        func(a *TransitGatewayVpcAttachment) []string { return one(a.VpcID) },
	"resource-id":                   func(a *TransitGatewayVpcAttachment) []string { return one(a.ResourceID()) },
	"resource-type":                 func(a *TransitGatewayVpcAttachment) []string { return one(a.ResourceType()) },
	"resource-owner-id":             func(a *TransitGatewayVpcAttachment) []string { return one(a.VpcOwnerID) },
	"state":                         func(a *TransitGatewayVpcAttachment) []string { return one(a.State) },
	"association.transit-gateway-route-table-id": func(a *TransitGatewayVpcAttachment) []string {
		if a.association == nil {
			return nil
		}
		return one(a.association.TransitGatewayRouteTableID)
	},
}

func tgwAttachmentID(a *TransitGatewayVpcAttachment) string  { return a.TransitGatewayAttachmentID }
func tgwAttachmentTags(a *TransitGatewayVpcAttachment) []Tag { return a.Tags }

// listTGWAttachments is the Describe of attachments both actions share.
func (tx *txn) listTGWAttachments(ctx context.Context, in *DescribeTransitGatewayVpcAttachmentsInput) ([]*TransitGatewayVpcAttachment, string, error) {
	for _, id := range in.IDs {
		if err := checkID(id, "tgw-attach", "InvalidTransitGatewayAttachmentID.Malformed"); err != nil {
			return nil, "", err
		}
	}
	all, err := narrow[TransitGatewayVpcAttachment](tx, kindTGWAttachment, in.IDs, in.Filters, "")
	if err != nil {
		return nil, "", err
	}
	// Attachments of this account's VPCs to gateways of others.
	others, err := tx.referencedAttachments()
	if err != nil {
		return nil, "", err
	}
	all = append(all, others...)
	all = slices.DeleteFunc(all, func(a *TransitGatewayVpcAttachment) bool {
		return a.DeletedAt != nil && !tx.now.Before(a.DeletedAt.Add(tx.c.retention))
	})
	tables := map[string][]*TransitGatewayRouteTable{} // gateway owner → its route tables
	for _, a := range all {
		a.State = a.state(tx)
		rts, ok := tables[a.Owner()]
		if !ok {
			if rts, err = tx.in(a.Owner()).tgwRouteTables(""); err != nil {
				return nil, "", err
			}
			tables[a.Owner()] = rts
		}
		for _, rt := range rts {
			if slices.Contains(rt.Associations, a.TransitGatewayAttachmentID) {
				a.association = &TGWAttachmentAssociation{TransitGatewayRouteTableID: rt.TransitGatewayRouteTableID, State: "associated"}
			}
		}
	}
	if all, err = selectIDs(all, tgwAttachmentID, in.IDs, errNotFoundMany("InvalidTransitGatewayAttachmentID.NotFound", "transitGatewayAttachment")); err != nil {
		return nil, "", err
	}
	if all, err = filter(ctx, all, in.Filters, tgwAttachmentFields, tgwAttachmentTags); err != nil {
		return nil, "", err
	}
	return paginate(all, tgwAttachmentID, in.Page, 5, 1000)
}

// DescribeTransitGatewayVpcAttachments lists VPC attachments.
func (c *Cloud) DescribeTransitGatewayVpcAttachments(ctx context.Context, sc Scope, in *DescribeTransitGatewayVpcAttachmentsInput) (*DescribeTransitGatewayVpcAttachmentsOutput, error) {
	out := &DescribeTransitGatewayVpcAttachmentsOutput{}
	return out, c.view(ctx, sc, func(tx *txn) error {
		var err error
		out.TransitGatewayVpcAttachments, out.NextToken, err = tx.listTGWAttachments(ctx, in)
		out.TransitGatewayVpcAttachments = slices.DeleteFunc(out.TransitGatewayVpcAttachments, func(a *TransitGatewayVpcAttachment) bool { return a.VpnConnectionID != "" })
		return err
	})
}

// TransitGatewayAttachment is an attachment as DescribeTransitGatewayAttachments shows it.
type TransitGatewayAttachment struct {
	TransitGatewayAttachmentID string                    `xml:"transitGatewayAttachmentId"`
	TransitGatewayID           string                    `xml:"transitGatewayId"`
	TransitGatewayOwnerID      string                    `xml:"transitGatewayOwnerId"`
	ResourceOwnerID            string                    `xml:"resourceOwnerId"`
	ResourceType               string                    `xml:"resourceType"`
	ResourceID                 string                    `xml:"resourceId"`
	State                      string                    `xml:"state"`
	Association                *TGWAttachmentAssociation `xml:"association,omitempty"`
	CreationTime               Timestamp                 `xml:"creationTime"`
	Tags                       TagSet                    `xml:"tagSet,omitempty"`
}

// DescribeTransitGatewayAttachmentsOutput is the output of DescribeTransitGatewayAttachments.
type DescribeTransitGatewayAttachmentsOutput struct {
	TransitGatewayAttachments []*TransitGatewayAttachment `xml:"transitGatewayAttachments>item"`
	NextToken                 string                      `xml:"nextToken,omitempty"`
}

// DescribeTransitGatewayAttachments lists attachments of every type (VPC
// attachments in vpce), with the route table each is associated with.
func (c *Cloud) DescribeTransitGatewayAttachments(ctx context.Context, sc Scope, in *DescribeTransitGatewayVpcAttachmentsInput) (*DescribeTransitGatewayAttachmentsOutput, error) {
	out := &DescribeTransitGatewayAttachmentsOutput{}
	return out, c.view(ctx, sc, func(tx *txn) error {
		atts, next, err := tx.listTGWAttachments(ctx, in)
		if err != nil {
			return err
		}
		for _, a := range atts {
			out.TransitGatewayAttachments = append(out.TransitGatewayAttachments, &TransitGatewayAttachment{TransitGatewayAttachmentID: a.TransitGatewayAttachmentID,
				TransitGatewayID: a.TransitGatewayID, TransitGatewayOwnerID: a.Owner(), ResourceOwnerID: a.VpcOwnerID, ResourceType: a.ResourceType(),
				ResourceID: a.ResourceID(), State: a.State, Association: a.association, CreationTime: a.CreationTime, Tags: a.Tags})
		}
		out.NextToken = next
		return nil
	})
}

// DeleteTransitGatewayVpcAttachmentInput is the input of DeleteTransitGatewayVpcAttachment.
type DeleteTransitGatewayVpcAttachmentInput struct {
	TransitGatewayAttachmentID string `ec2:"TransitGatewayAttachmentId,required"`
}

// DeleteTransitGatewayVpcAttachment detaches a VPC (either the VPC's or
// the gateway's owner may): its interfaces go, its associations and
// propagations end; static routes to it become blackholes, as do VPC
// routes to the gateway from that VPC.
func (c *Cloud) DeleteTransitGatewayVpcAttachment(ctx context.Context, sc Scope, in *DeleteTransitGatewayVpcAttachmentInput) (*CreateTransitGatewayVpcAttachmentOutput, error) {
	out := &CreateTransitGatewayVpcAttachmentOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		a, otx, err := tx.tgwAttachmentAny(in.TransitGatewayAttachmentID)
		if err != nil {
			return err
		}
		if err := otx.in(a.VpcOwnerID).dropAttachmentENIs(a); err != nil {
			return err
		}
		tx = otx
		if a.VpnConnectionID != "" {
			return apierr.New("InvalidTransitGatewayAttachmentID.NotFound", "Transit Gateway Attachment %s is a VPN attachment: delete its VPN connection %s instead.", a.TransitGatewayAttachmentID, a.VpnConnectionID)
		}
		if err := tx.unrouteAttachmentTxn(a); err != nil {
			return err
		}
		now := tx.now
		a.DeletedAt, a.ENIs = &now, nil
		if a.Acceptance == "pendingAcceptance" {
			a.Acceptance = ""
		}
		if err := putObj(tx, kindTGWAttachment, a.TransitGatewayAttachmentID, a); err != nil {
			return err
		}
		a.State = a.state(tx)
		out.TransitGatewayVpcAttachment = a
		return nil
	})
}

// unrouteAttachmentTxn removes an attachment from its gateway's route
// tables' associations and propagations.
func (tx *txn) unrouteAttachmentTxn(a *TransitGatewayVpcAttachment) error {
	rts, err := tx.tgwRouteTables(a.TransitGatewayID)
	if err != nil {
		return err
	}
	for _, rt := range rts {
		n := len(rt.Associations) + len(rt.Propagations)
		rt.Associations = slices.DeleteFunc(rt.Associations, func(id string) bool { return id == a.TransitGatewayAttachmentID })
		rt.Propagations = slices.DeleteFunc(rt.Propagations, func(id string) bool { return id == a.TransitGatewayAttachmentID })
		if len(rt.Associations)+len(rt.Propagations) != n {
			if err := putObj(tx, kindTGWRouteTable, rt.TransitGatewayRouteTableID, rt); err != nil {
				return err
			}
		}
	}
	return nil
}

// tgwAttachmentTaggable tags attachments on either side: the gateway's
// owner, and the owner of a VPC attached to a gateway of another account
// (one tag set, which both see).
func tgwAttachmentTaggable() taggable {
	return taggable{
		prefix: "tgw-attach", kind: kindTGWAttachment, resourceType: "transit-gateway-attachment",
		notFound: "InvalidTransitGatewayAttachmentID.NotFound", noun: "transitGatewayAttachment",
		get: func(tx *txn, id string) (any, *TagSet, error) {
			a, _, err := tx.tgwAttachmentAny(id)
			if err != nil {
				return nil, nil, err
			}
			return a, &a.Tags, nil
		},
		save: func(tx *txn, id string, obj any) error {
			_, otx, err := tx.tgwAttachmentAny(id)
			if err != nil {
				return err
			}
			return putObj(otx, kindTGWAttachment, id, obj)
		},
		all: func(tx *txn) ([]taggedObject, error) {
			atts, _, err := tx.listTGWAttachments(context.Background(), &DescribeTransitGatewayVpcAttachmentsInput{})
			if err != nil {
				return nil, err
			}
			var out []taggedObject
			for _, a := range atts {
				if a.DeletedAt == nil {
					out = append(out, taggedObject{a.TransitGatewayAttachmentID, a.Tags})
				}
			}
			return out, nil
		},
	}
}

// dropAttachmentENIs deletes an attachment's interfaces (tx acts in the
// VPC owner's account).
func (tx *txn) dropAttachmentENIs(a *TransitGatewayVpcAttachment) error {
	for _, eni := range a.ENIs {
		if err := delObj(tx, kindENI, eni); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}

// TGWAttachmentIDInput is the input of Accept/RejectTransitGatewayVpcAttachment.
type TGWAttachmentIDInput struct {
	TransitGatewayAttachmentID string `ec2:"TransitGatewayAttachmentId,required"`
}

// AcceptTransitGatewayVpcAttachment accepts, as the gateway's owner, the
// attachment of another account's VPC to a shared gateway: it becomes
// pending, then available, and is associated with and propagated to the
// default route table as the gateway's options say.
func (c *Cloud) AcceptTransitGatewayVpcAttachment(ctx context.Context, sc Scope, in *TGWAttachmentIDInput) (*CreateTransitGatewayVpcAttachmentOutput, error) {
	return c.answerAttachment(ctx, sc, in.TransitGatewayAttachmentID, true)
}

// RejectTransitGatewayVpcAttachment refuses such an attachment: it
// shows rejected, and its interfaces are removed.
func (c *Cloud) RejectTransitGatewayVpcAttachment(ctx context.Context, sc Scope, in *TGWAttachmentIDInput) (*CreateTransitGatewayVpcAttachmentOutput, error) {
	return c.answerAttachment(ctx, sc, in.TransitGatewayAttachmentID, false)
}

func (c *Cloud) answerAttachment(ctx context.Context, sc Scope, id string, accept bool) (*CreateTransitGatewayVpcAttachmentOutput, error) {
	out := &CreateTransitGatewayVpcAttachmentOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		a, err := tx.tgwAttachment(id)
		if err != nil {
			return err
		}
		if a.Acceptance != "pendingAcceptance" {
			return apierr.New("IncorrectState", "%s is in invalid state %s: only an attachment in pendingAcceptance can be accepted or rejected.", id, a.State)
		}
		if accept {
			g, err := tx.transitGateway(a.TransitGatewayID)
			if err != nil {
				return err
			}
			a.Acceptance, a.ReadyAt = "", tx.now.Add(tx.c.delay)
			if err := tx.defaultTGWRoutingTxn(g, a); err != nil {
				return err
			}
		} else {
			if err := tx.in(a.VpcOwnerID).dropAttachmentENIs(a); err != nil {
				return err
			}
			now := tx.now
			a.Acceptance, a.ENIs, a.DeletedAt = "rejected", nil, &now
		}
		if err := putObj(tx, kindTGWAttachment, a.TransitGatewayAttachmentID, a); err != nil {
			return err
		}
		a.State = a.state(tx)
		out.TransitGatewayVpcAttachment = a
		return nil
	})
}

// CreateTransitGatewayRouteTableInput is the input of CreateTransitGatewayRouteTable.
type CreateTransitGatewayRouteTableInput struct {
	TransitGatewayID  string             `ec2:"TransitGatewayId,required"`
	TagSpecifications []TagSpecification `ec2:"TagSpecifications"`
}

// CreateTransitGatewayRouteTableOutput is the output of
// Create/DeleteTransitGatewayRouteTable.
type CreateTransitGatewayRouteTableOutput struct {
	TransitGatewayRouteTable *TransitGatewayRouteTable `xml:"transitGatewayRouteTable"`
}

// CreateTransitGatewayRouteTable adds a route table to a gateway.
func (c *Cloud) CreateTransitGatewayRouteTable(ctx context.Context, sc Scope, in *CreateTransitGatewayRouteTableInput) (*CreateTransitGatewayRouteTableOutput, error) {
	tags, err := tagsFor(in.TagSpecifications, "transit-gateway-route-table")
	if err != nil {
		return nil, err
	}
	out := &CreateTransitGatewayRouteTableOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		g, err := tx.transitGateway(in.TransitGatewayID)
		if err != nil {
			return err
		}
		rt := &TransitGatewayRouteTable{TransitGatewayRouteTableID: newID("tgw-rtb"), TransitGatewayID: g.TransitGatewayID,
			CreationTime: Timestamp(tx.now), Tags: tags["transit-gateway-route-table"], ReadyAt: tx.now.Add(tx.c.delay)}
		if err := putObj(tx, kindTGWRouteTable, rt.TransitGatewayRouteTableID, rt); err != nil {
			return err
		}
		shown := *rt
		shown.State = "pending"
		out.TransitGatewayRouteTable = &shown
		return nil
	})
}

// DescribeTransitGatewayRouteTablesInput is the input of DescribeTransitGatewayRouteTables.
type DescribeTransitGatewayRouteTablesInput struct {
	IDs     []string `ec2:"TransitGatewayRouteTableIds"`
	Filters []Filter `ec2:"Filter"`
	Page
}

// DescribeTransitGatewayRouteTablesOutput is the output of DescribeTransitGatewayRouteTables.
type DescribeTransitGatewayRouteTablesOutput struct {
	TransitGatewayRouteTables []*TransitGatewayRouteTable `xml:"transitGatewayRouteTables>item"`
	NextToken                 string                      `xml:"nextToken,omitempty"`
}

var tgwRouteTableFields = fields[TransitGatewayRouteTable]{
	"transit-gateway-route-table-id":  func(rt *TransitGatewayRouteTable) []string { return one(rt.TransitGatewayRouteTableID) },
	"transit-gateway-id":              func(rt *TransitGatewayRouteTable) []string { return one(rt.TransitGatewayID) },
	"state":                           func(rt *TransitGatewayRouteTable) []string { return one(rt.State) },
	"default-association-route-table": func(rt *TransitGatewayRouteTable) []string { return boolStr(rt.DefaultAssociationRouteTable) },
	"default-propagation-route-table": func(rt *TransitGatewayRouteTable) []string { return boolStr(rt.DefaultPropagationRouteTable) },
}

func tgwRouteTableID(rt *TransitGatewayRouteTable) string  { return rt.TransitGatewayRouteTableID }
func tgwRouteTableTags(rt *TransitGatewayRouteTable) []Tag { return rt.Tags }

// DescribeTransitGatewayRouteTables lists transit gateway route tables.
func (c *Cloud) DescribeTransitGatewayRouteTables(ctx context.Context, sc Scope, in *DescribeTransitGatewayRouteTablesInput) (*DescribeTransitGatewayRouteTablesOutput, error) {
	out := &DescribeTransitGatewayRouteTablesOutput{}
	return out, c.view(ctx, sc, func(tx *txn) error {
		for _, id := range in.IDs {
			if err := checkID(id, "tgw-rtb", "InvalidRouteTableID.Malformed"); err != nil {
				return err
			}
		}
		all, err := narrow[TransitGatewayRouteTable](tx, kindTGWRouteTable, in.IDs, in.Filters, "")
		if err != nil {
			return err
		}
		for _, rt := range all {
			rt.State = rt.state(tx)
		}
		if all, err = selectIDs(all, tgwRouteTableID, in.IDs, errNotFoundMany("InvalidRouteTableID.NotFound", "transitGatewayRouteTable")); err != nil {
			return err
		}
		if all, err = filter(ctx, all, in.Filters, tgwRouteTableFields, tgwRouteTableTags); err != nil {
			return err
		}
		out.TransitGatewayRouteTables, out.NextToken, err = paginate(all, tgwRouteTableID, in.Page, 5, 1000)
		return err
	})
}

// DeleteTransitGatewayRouteTableInput is the input of DeleteTransitGatewayRouteTable.
type DeleteTransitGatewayRouteTableInput struct {
	TransitGatewayRouteTableID string `ec2:"TransitGatewayRouteTableId,required"`
}

// DeleteTransitGatewayRouteTable deletes a route table that is neither a
// default one nor associated with an attachment.
func (c *Cloud) DeleteTransitGatewayRouteTable(ctx context.Context, sc Scope, in *DeleteTransitGatewayRouteTableInput) (*CreateTransitGatewayRouteTableOutput, error) {
	out := &CreateTransitGatewayRouteTableOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		rt, err := tx.tgwRouteTable(in.TransitGatewayRouteTableID)
		if err != nil {
			return err
		}
		if rt.DefaultAssociationRouteTable || rt.DefaultPropagationRouteTable {
			return apierr.New("IncorrectState", "Default Transit Gateway Route Table %s cannot be deleted.", rt.TransitGatewayRouteTableID)
		}
		if len(rt.Associations) > 0 {
			return apierr.New("IncorrectState", "Transit Gateway Route Table %s has associations.", rt.TransitGatewayRouteTableID)
		}
		rt.State = "deleting"
		out.TransitGatewayRouteTable = rt
		return delObj(tx, kindTGWRouteTable, rt.TransitGatewayRouteTableID)
	})
}

// TGWRouteTableAttachmentInput names a route table and an attachment
// (associations and propagations).
type TGWRouteTableAttachmentInput struct {
	TransitGatewayRouteTableID string `ec2:"TransitGatewayRouteTableId,required"`
	TransitGatewayAttachmentID string `ec2:"TransitGatewayAttachmentId,required"`
}

// TransitGatewayAssociation is an association as Associate/Disassociate answer it.
type TransitGatewayAssociation struct {
	TransitGatewayRouteTableID string `xml:"transitGatewayRouteTableId"`
	TransitGatewayAttachmentID string `xml:"transitGatewayAttachmentId"`
	ResourceID                 string `xml:"resourceId"`
	ResourceType               string `xml:"resourceType"`
	State                      string `xml:"state"`
}

// AssociateTransitGatewayRouteTableOutput is the output of Associate/DisassociateTransitGatewayRouteTable.
type AssociateTransitGatewayRouteTableOutput struct {
	Association *TransitGatewayAssociation `xml:"association"`
}

// routeTableAndAttachment reads both, on one gateway.
func (tx *txn) routeTableAndAttachment(in *TGWRouteTableAttachmentInput) (*TransitGatewayRouteTable, *TransitGatewayVpcAttachment, error) {
	rt, err := tx.tgwRouteTable(in.TransitGatewayRouteTableID)
	if err != nil {
		return nil, nil, err
	}
	a, err := tx.tgwAttachment(in.TransitGatewayAttachmentID)
	if err != nil {
		return nil, nil, err
	}
	if a.TransitGatewayID != rt.TransitGatewayID {
		return nil, nil, invalidParameter("Transit Gateway Attachment %s and Route Table %s belong to different transit gateways.", a.TransitGatewayAttachmentID, rt.TransitGatewayRouteTableID)
	}
	return rt, a, nil
}

// AssociateTransitGatewayRouteTable associates an attachment with a route
// table: the table then routes the attachment's traffic. An attachment is
// associated with one table at most.
func (c *Cloud) AssociateTransitGatewayRouteTable(ctx context.Context, sc Scope, in *TGWRouteTableAttachmentInput) (*AssociateTransitGatewayRouteTableOutput, error) {
	out := &AssociateTransitGatewayRouteTableOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		rt, a, err := tx.routeTableAndAttachment(in)
		if err != nil {
			return err
		}
		rts, err := tx.tgwRouteTables(a.TransitGatewayID)
		if err != nil {
			return err
		}
		for _, o := range rts {
			if slices.Contains(o.Associations, a.TransitGatewayAttachmentID) {
				return apierr.New("Resource.AlreadyAssociated", "Transit Gateway Attachment %s is already associated to a route table.", a.TransitGatewayAttachmentID)
			}
		}
		rt.Associations = append(rt.Associations, a.TransitGatewayAttachmentID)
		out.Association = &TransitGatewayAssociation{rt.TransitGatewayRouteTableID, a.TransitGatewayAttachmentID, a.ResourceID(), a.ResourceType(), "associating"}
		return putObj(tx, kindTGWRouteTable, rt.TransitGatewayRouteTableID, rt)
	})
}

// DisassociateTransitGatewayRouteTable ends an association.
func (c *Cloud) DisassociateTransitGatewayRouteTable(ctx context.Context, sc Scope, in *TGWRouteTableAttachmentInput) (*AssociateTransitGatewayRouteTableOutput, error) {
	out := &AssociateTransitGatewayRouteTableOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		rt, a, err := tx.routeTableAndAttachment(in)
		if err != nil {
			return err
		}
		if !slices.Contains(rt.Associations, a.TransitGatewayAttachmentID) {
			return apierr.New("InvalidAssociation.NotFound", "Transit Gateway Attachment %s is not associated with route table %s.", a.TransitGatewayAttachmentID, rt.TransitGatewayRouteTableID)
		}
		rt.Associations = slices.DeleteFunc(rt.Associations, func(id string) bool { return id == a.TransitGatewayAttachmentID })
		out.Association = &TransitGatewayAssociation{rt.TransitGatewayRouteTableID, a.TransitGatewayAttachmentID, a.ResourceID(), a.ResourceType(), "disassociating"}
		return putObj(tx, kindTGWRouteTable, rt.TransitGatewayRouteTableID, rt)
	})
}

// TransitGatewayPropagation is a propagation as Enable/Disable answer it.
type TransitGatewayPropagation struct {
	TransitGatewayAttachmentID string `xml:"transitGatewayAttachmentId"`
	ResourceID                 string `xml:"resourceId"`
	ResourceType               string `xml:"resourceType"`
	TransitGatewayRouteTableID string `xml:"transitGatewayRouteTableId"`
	State                      string `xml:"state"`
}

// EnableTransitGatewayRouteTablePropagationOutput is the output of
// Enable/DisableTransitGatewayRouteTablePropagation.
type EnableTransitGatewayRouteTablePropagationOutput struct {
	Propagation *TransitGatewayPropagation `xml:"propagation"`
}

// EnableTransitGatewayRouteTablePropagation propagates an attachment's
// routes (its VPC's blocks) to a route table.
func (c *Cloud) EnableTransitGatewayRouteTablePropagation(ctx context.Context, sc Scope, in *TGWRouteTableAttachmentInput) (*EnableTransitGatewayRouteTablePropagationOutput, error) {
	out := &EnableTransitGatewayRouteTablePropagationOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		rt, a, err := tx.routeTableAndAttachment(in)
		if err != nil {
			return err
		}
		if slices.Contains(rt.Propagations, a.TransitGatewayAttachmentID) {
			return apierr.New("TransitGatewayRouteTablePropagation.Duplicate", "Propagation of %s to %s already exists.", a.TransitGatewayAttachmentID, rt.TransitGatewayRouteTableID)
		}
		rt.Propagations = append(rt.Propagations, a.TransitGatewayAttachmentID)
		out.Propagation = &TransitGatewayPropagation{a.TransitGatewayAttachmentID, a.ResourceID(), a.ResourceType(), rt.TransitGatewayRouteTableID, "enabling"}
		return putObj(tx, kindTGWRouteTable, rt.TransitGatewayRouteTableID, rt)
	})
}

// DisableTransitGatewayRouteTablePropagation stops a propagation; its
// routes leave the table.
func (c *Cloud) DisableTransitGatewayRouteTablePropagation(ctx context.Context, sc Scope, in *TGWRouteTableAttachmentInput) (*EnableTransitGatewayRouteTablePropagationOutput, error) {
	out := &EnableTransitGatewayRouteTablePropagationOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		rt, a, err := tx.routeTableAndAttachment(in)
		if err != nil {
			return err
		}
		if !slices.Contains(rt.Propagations, a.TransitGatewayAttachmentID) {
			return apierr.New("TransitGatewayRouteTablePropagation.NotFound", "Propagation of %s to %s does not exist.", a.TransitGatewayAttachmentID, rt.TransitGatewayRouteTableID)
		}
		rt.Propagations = slices.DeleteFunc(rt.Propagations, func(id string) bool { return id == a.TransitGatewayAttachmentID })
		out.Propagation = &TransitGatewayPropagation{a.TransitGatewayAttachmentID, a.ResourceID(), a.ResourceType(), rt.TransitGatewayRouteTableID, "disabling"}
		return putObj(tx, kindTGWRouteTable, rt.TransitGatewayRouteTableID, rt)
	})
}

// CreateTransitGatewayRouteInput is the input of CreateTransitGatewayRoute.
type CreateTransitGatewayRouteInput struct {
	DestinationCidrBlock       string `ec2:"DestinationCidrBlock,required"`
	TransitGatewayRouteTableID string `ec2:"TransitGatewayRouteTableId,required"`
	TransitGatewayAttachmentID string `ec2:"TransitGatewayAttachmentId"`
	Blackhole                  *bool  `ec2:"Blackhole"`
}

// CreateTransitGatewayRouteOutput is the output of Create/DeleteTransitGatewayRoute.
type CreateTransitGatewayRouteOutput struct {
	Route *TransitGatewayRoute `xml:"route"`
}

// CreateTransitGatewayRoute adds a static route to an attachment, or a
// blackhole, to a route table.
func (c *Cloud) CreateTransitGatewayRoute(ctx context.Context, sc Scope, in *CreateTransitGatewayRouteInput) (*CreateTransitGatewayRouteOutput, error) {
	p, err := netip.ParsePrefix(in.DestinationCidrBlock)
	if err != nil || p.Addr().Is4In6() {
		return nil, invalidValue("Value (%s) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.", in.DestinationCidrBlock)
	}
	p = p.Masked()
	blackhole := in.Blackhole != nil && *in.Blackhole
	switch {
	case blackhole && in.TransitGatewayAttachmentID != "":
		return nil, apierr.New("InvalidParameterCombination", "The parameter blackhole cannot be used with the parameter transitGatewayAttachmentId")
	case !blackhole && in.TransitGatewayAttachmentID == "":
		return nil, apierr.New("MissingParameter", "The request must contain the parameter transitGatewayAttachmentId or blackhole")
	}
	out := &CreateTransitGatewayRouteOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		rt, err := tx.tgwRouteTable(in.TransitGatewayRouteTableID)
		if err != nil {
			return err
		}
		r := TGWStaticRoute{Cidr: p, Blackhole: blackhole}
		if !blackhole {
			_, a, err := tx.routeTableAndAttachment(&TGWRouteTableAttachmentInput{rt.TransitGatewayRouteTableID, in.TransitGatewayAttachmentID})
			if err != nil {
				return err
			}
			r.Attachment = a.TransitGatewayAttachmentID
		}
		if slices.ContainsFunc(rt.Routes, func(o TGWStaticRoute) bool { return o.Cidr == p }) {
			return apierr.New("RouteAlreadyExists", "Route %s already exists in Transit Gateway Route Table %s.", p, rt.TransitGatewayRouteTableID)
		}
		rt.Routes = append(rt.Routes, r)
		if err := putObj(tx, kindTGWRouteTable, rt.TransitGatewayRouteTableID, rt); err != nil {
			return err
		}
		routes, err := tx.tgwRoutes(rt)
		if err != nil {
			return err
		}
		for _, x := range routes {
			if x.DestinationCidrBlock == p.String() && x.Type == "static" {
				out.Route = x
			}
		}
		return nil
	})
}

// DeleteTransitGatewayRouteInput is the input of DeleteTransitGatewayRoute.
type DeleteTransitGatewayRouteInput struct {
	TransitGatewayRouteTableID string `ec2:"TransitGatewayRouteTableId,required"`
	DestinationCidrBlock       string `ec2:"DestinationCidrBlock,required"`
}

// DeleteTransitGatewayRoute removes a static route.
func (c *Cloud) DeleteTransitGatewayRoute(ctx context.Context, sc Scope, in *DeleteTransitGatewayRouteInput) (*CreateTransitGatewayRouteOutput, error) {
	out := &CreateTransitGatewayRouteOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		rt, err := tx.tgwRouteTable(in.TransitGatewayRouteTableID)
		if err != nil {
			return err
		}
		routes, err := tx.tgwRoutes(rt)
		if err != nil {
			return err
		}
		p, perr := netip.ParsePrefix(in.DestinationCidrBlock)
		i := slices.IndexFunc(rt.Routes, func(o TGWStaticRoute) bool { return perr == nil && o.Cidr == p.Masked() })
		if i < 0 {
			return apierr.New("InvalidRoute.NotFound", "No route with destination-cidr-block %s in Transit Gateway Route Table %s.", in.DestinationCidrBlock, rt.TransitGatewayRouteTableID)
		}
		for _, x := range routes {
			if x.DestinationCidrBlock == p.Masked().String() && x.Type == "static" {
				shown := *x
				shown.State = "deleting"
				out.Route = &shown
			}
		}
		rt.Routes = slices.Delete(rt.Routes, i, i+1)
		return putObj(tx, kindTGWRouteTable, rt.TransitGatewayRouteTableID, rt)
	})
}

// TGWRoute is one route of a transit gateway route table as the path
// engine reads it: a destination and the attachment it goes to (none for
// a blackhole).
type TGWRoute struct {
	Cidr       netip.Prefix
	Attachment string // "" for a blackhole
	VpcID      string // the attachment's VPC ("" for a VPN attachment)
	Resource   string // what the attachment attaches: its VPC or VPN connection
	Type       string // static or propagated
	State      string // active or blackhole
}

// tgwRoutes derives a route table's routes: static ones, and the blocks
// of the VPCs of the attachments propagated to it (a static route wins
// over a propagated one for the same destination).
func (tx *txn) tgwRoutes(rt *TransitGatewayRouteTable) ([]*TransitGatewayRoute, error) {
	rs, err := tx.TGWRoutesOf(rt)
	if err != nil {
		return nil, err
	}
	out := make([]*TransitGatewayRoute, len(rs))
	for i, r := range rs {
		x := &TransitGatewayRoute{DestinationCidrBlock: r.Cidr.String(), Type: r.Type, State: r.State}
		if r.Attachment != "" {
			rtype := "vpc"
			if strings.HasPrefix(r.Resource, "vpn-") {
				rtype = "vpn"
			}
			x.TransitGatewayAttachments = []TransitGatewayRouteAttachment{{ResourceID: r.Resource, TransitGatewayAttachmentID: r.Attachment, ResourceType: rtype}}
		}
		out[i] = x
	}
	return out, nil
}

// TGWRoutesOf derives a route table's routes (see tgwRoutes), reading
// the attachments it names.
func (tx *txn) TGWRoutesOf(rt *TransitGatewayRouteTable) ([]TGWRoute, error) {
	atts := map[string]*TransitGatewayVpcAttachment{}
	get := func(id string) (*TransitGatewayVpcAttachment, error) {
		if a, ok := atts[id]; ok {
			return a, nil
		}
		a, err := getObj[TransitGatewayVpcAttachment](tx, kindTGWAttachment, id)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if a != nil && a.DeletedAt != nil {
			a = nil
		}
		atts[id] = a
		return a, nil
	}
	var out []TGWRoute
	static := map[netip.Prefix]bool{}
	for _, r := range rt.Routes {
		static[r.Cidr] = true
		x := TGWRoute{Cidr: r.Cidr, Type: "static", State: "blackhole"}
		if !r.Blackhole {
			a, err := get(r.Attachment)
			if err != nil {
				return nil, err
			}
			x.Attachment = r.Attachment
			if a != nil {
				x.VpcID, x.Resource, x.State = a.VpcID, a.ResourceID(), "active"
			}
		}
		out = append(out, x)
	}
	for _, id := range rt.Propagations {
		a, err := get(id)
		if err != nil || a == nil || a.VpnConnectionID != "" {
			// A VPN attachment propagates what BGP learns, which vpce does
			// not model: static routes to it stand for its networks.
			if err != nil {
				return nil, err
			}
			continue
		}
		vpc, err := getObj[Vpc](tx.in(a.VpcOwnerID), kindVpc, a.VpcID)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				continue
			}
			return nil, err
		}
		for _, ca := range vpc.CidrBlockAssociationSet {
			if ca.CidrBlockState.State == "associated" && !static[ca.CidrBlock] {
				out = append(out, TGWRoute{Cidr: ca.CidrBlock, Attachment: id, VpcID: a.VpcID, Resource: a.VpcID, Type: "propagated", State: "active"})
			}
		}
	}
	slices.SortFunc(out, func(x, y TGWRoute) int { return strings.Compare(x.Cidr.String(), y.Cidr.String()) })
	return out, nil
}

// SearchTransitGatewayRoutesInput is the input of SearchTransitGatewayRoutes.
type SearchTransitGatewayRoutesInput struct {
	TransitGatewayRouteTableID string   `ec2:"TransitGatewayRouteTableId,required"`
	Filters                    []Filter `ec2:"Filter,required"`
	MaxResults                 *int32   `ec2:"MaxResults"`
	NextToken                  string   `ec2:"NextToken"`
}

// SearchTransitGatewayRoutesOutput is the output of SearchTransitGatewayRoutes.
type SearchTransitGatewayRoutesOutput struct {
	Routes                    []*TransitGatewayRoute `xml:"routeSet>item"`
	AdditionalRoutesAvailable bool                   `xml:"additionalRoutesAvailable"`
}

// SearchTransitGatewayRoutes finds routes of a table by type, state,
// attachment and destination (exact, longest-prefix, subnet-of and
// supernet-of matches).
func (c *Cloud) SearchTransitGatewayRoutes(ctx context.Context, sc Scope, in *SearchTransitGatewayRoutesInput) (*SearchTransitGatewayRoutesOutput, error) {
	out := &SearchTransitGatewayRoutesOutput{Routes: []*TransitGatewayRoute{}}
	return out, c.view(ctx, sc, func(tx *txn) error {
		rt, err := tx.tgwRouteTable(in.TransitGatewayRouteTableID)
		if err != nil {
			return err
		}
		routes, err := tx.tgwRoutes(rt)
		if err != nil {
			return err
		}
		var longest []netip.Prefix
		keep := routes[:0]
	next:
		for _, r := range routes {
			p := netip.MustParsePrefix(r.DestinationCidrBlock)
			for _, f := range in.Filters {
				match := false
				for _, v := range f.Values {
					q, qerr := netip.ParsePrefix(v)
					switch f.Name {
					case "type":
						match = match || v == r.Type
					case "state":
						match = match || v == r.State
					case "attachment.transit-gateway-attachment-id":
						match = match || len(r.TransitGatewayAttachments) > 0 && r.TransitGatewayAttachments[0].TransitGatewayAttachmentID == v
					case "attachment.resource-id":
						match = match || len(r.TransitGatewayAttachments) > 0 && r.TransitGatewayAttachments[0].ResourceID == v
					case "attachment.resource-type":
						match = match || len(r.TransitGatewayAttachments) > 0 && v == r.TransitGatewayAttachments[0].ResourceType
					case "route-search.exact-match":
						match = match || qerr == nil && q.Masked() == p
					case "route-search.subnet-of-match":
						match = match || qerr == nil && q.Contains(p.Addr()) && p.Bits() >= q.Bits()
					case "route-search.supernet-of-match", "route-search.longest-prefix-match":
						match = match || qerr == nil && p.Contains(q.Addr()) && p.Bits() <= q.Bits()
						if f.Name == "route-search.longest-prefix-match" && match {
							longest = append(longest, p)
						}
					default:
						return invalidValue("The filter '%s' is invalid", f.Name)
					}
				}
				if !match {
					continue next
				}
			}
			keep = append(keep, r)
		}
		if slices.ContainsFunc(in.Filters, func(f Filter) bool { return f.Name == "route-search.longest-prefix-match" }) && len(keep) > 0 {
			best := slices.MaxFunc(keep, func(a, b *TransitGatewayRoute) int {
				return netip.MustParsePrefix(a.DestinationCidrBlock).Bits() - netip.MustParsePrefix(b.DestinationCidrBlock).Bits()
			})
			keep = []*TransitGatewayRoute{best}
		}
		max := 1000
		if in.MaxResults != nil {
			max = int(*in.MaxResults)
		}
		if len(keep) > max {
			keep, out.AdditionalRoutesAvailable = keep[:max], true
		}
		out.Routes = append(out.Routes, keep...)
		return nil
	})
}

// GetTransitGatewayRouteTableAssociationsOutput is the output of GetTransitGatewayRouteTableAssociations.
type GetTransitGatewayRouteTableAssociationsOutput struct {
	Associations []*TransitGatewayAssociation `xml:"associations>item"`
}

// GetTransitGatewayRouteTablesInput is the input of
// GetTransitGatewayRouteTableAssociations and Propagations.
type GetTransitGatewayRouteTablesInput struct {
	TransitGatewayRouteTableID string   `ec2:"TransitGatewayRouteTableId,required"`
	Filters                    []Filter `ec2:"Filter"`
	Page
}

// GetTransitGatewayRouteTableAssociations lists a table's associations.
func (c *Cloud) GetTransitGatewayRouteTableAssociations(ctx context.Context, sc Scope, in *GetTransitGatewayRouteTablesInput) (*GetTransitGatewayRouteTableAssociationsOutput, error) {
	out := &GetTransitGatewayRouteTableAssociationsOutput{}
	return out, c.view(ctx, sc, func(tx *txn) error {
		rt, err := tx.tgwRouteTable(in.TransitGatewayRouteTableID)
		if err != nil {
			return err
		}
		for _, id := range rt.Associations {
			if a, err := tx.tgwAttachment(id); err == nil {
				out.Associations = append(out.Associations, &TransitGatewayAssociation{"", id, a.ResourceID(), a.ResourceType(), "associated"})
			}
		}
		out.Associations, err = filter(ctx, out.Associations, in.Filters, fields[TransitGatewayAssociation]{
			"transit-gateway-attachment-id": func(a *TransitGatewayAssociation) []string { return one(a.TransitGatewayAttachmentID) },
			"resource-id":                   func(a *TransitGatewayAssociation) []string { return one(a.ResourceID) },
			"resource-type":                 func(a *TransitGatewayAssociation) []string { return one(a.ResourceType) },
			"state":                         func(a *TransitGatewayAssociation) []string { return one(a.State) },
		}, nil)
		return err
	})
}

// GetTransitGatewayRouteTablePropagationsOutput is the output of GetTransitGatewayRouteTablePropagations.
type GetTransitGatewayRouteTablePropagationsOutput struct {
	Propagations []*TransitGatewayPropagation `xml:"transitGatewayRouteTablePropagations>item"`
}

// GetTransitGatewayRouteTablePropagations lists a table's propagations.
func (c *Cloud) GetTransitGatewayRouteTablePropagations(ctx context.Context, sc Scope, in *GetTransitGatewayRouteTablesInput) (*GetTransitGatewayRouteTablePropagationsOutput, error) {
	out := &GetTransitGatewayRouteTablePropagationsOutput{}
	return out, c.view(ctx, sc, func(tx *txn) error {
		rt, err := tx.tgwRouteTable(in.TransitGatewayRouteTableID)
		if err != nil {
			return err
		}
		for _, id := range rt.Propagations {
			if a, err := tx.tgwAttachment(id); err == nil {
				out.Propagations = append(out.Propagations, &TransitGatewayPropagation{id, a.ResourceID(), a.ResourceType(), "", "enabled"})
			}
		}
		out.Propagations, err = filter(ctx, out.Propagations, in.Filters, fields[TransitGatewayPropagation]{
			"transit-gateway-attachment-id": func(p *TransitGatewayPropagation) []string { return one(p.TransitGatewayAttachmentID) },
			"resource-id":                   func(p *TransitGatewayPropagation) []string { return one(p.ResourceID) },
			"resource-type":                 func(p *TransitGatewayPropagation) []string { return one(p.ResourceType) },
			"state":                         func(p *TransitGatewayPropagation) []string { return one(p.State) },
		}, nil)
		return err
	})
}

// tgwRouteTarget validates a tgw- target of a VPC route: the gateway
// exists and the route table's VPC is attached to it.
func (tx *txn) tgwRouteTarget(rt *RouteTable, id string, r *Route) error {
	g, _, err := tx.tgwFor(id)
	if err != nil {
		return err
	}
	a, err := tx.vpcAttachment(g.TransitGatewayID, rt.VpcID)
	if err != nil {
		return err
	}
	if a == nil {
		return invalidParameter("Route table %s and transit gateway %s: the VPC %s is not attached to the transit gateway.", rt.RouteTableID, g.TransitGatewayID, rt.VpcID)
	}
	r.TransitGatewayID = g.TransitGatewayID
	return nil
}
