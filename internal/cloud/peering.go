package cloud

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"time"

	json "github.com/goccy/go-json"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/catalog"
	"github.com/vpce/vpce/internal/store"
)

// kindPeering holds VPC peering connections in the global scope: both
// accounts see one, and either may act on it.
const kindPeering = "vpc-peering-connection"

// peeringRetention is how long AWS keeps showing a peering that was
// deleted, rejected, failed or expired.
const peeringRetention = 2 * time.Hour

// VpcPeeringConnection is a peering between two VPCs.
type VpcPeeringConnection struct {
	VpcPeeringConnectionID string         `xml:"vpcPeeringConnectionId" json:"id"`
	RequesterVpcInfo       PeeringVpcInfo `xml:"requesterVpcInfo" json:"requester"`
	AccepterVpcInfo        PeeringVpcInfo `xml:"accepterVpcInfo" json:"accepter"`
	Status                 PeeringStatus  `xml:"status" json:"status"`
	ExpirationTime         *Timestamp     `xml:"expirationTime,omitempty" json:"expires,omitempty"`
	Tags                   TagSet         `xml:"tagSet,omitempty" json:"tags,omitempty"`
	EndedAt                *time.Time     `xml:"-" json:"ended,omitempty"`
}

// PeeringVpcInfo is one side of a peering.
type PeeringVpcInfo struct {
	CidrBlock      string          `xml:"cidrBlock,omitempty" json:"cidr,omitempty"`
	CidrBlockSet   []PeeringCidr   `xml:"cidrBlockSet>item,omitempty" json:"cidrs,omitempty"`
	OwnerID        string          `xml:"ownerId" json:"owner"`
	VpcID          string          `xml:"vpcId" json:"vpc"`
	Region         string          `xml:"region" json:"region"`
	PeeringOptions *PeeringOptions `xml:"peeringOptions,omitempty" json:"options,omitempty"`
	Ipv6CidrBlocks EmptyList       `xml:"ipv6CidrBlockSet>item" json:"-"`
}

// PeeringCidr is one IPv4 block of a peered VPC.
type PeeringCidr struct {
	CidrBlock string `xml:"cidrBlock" json:"cidr"`
}

// PeeringOptions are a side's peering options.
type PeeringOptions struct {
	AllowDNSResolutionFromRemoteVpc bool `xml:"allowDnsResolutionFromRemoteVpc" json:"dns"`
	// The two ClassicLink options AWS still shows, always false.
	AllowEgressFromLocalClassicLinkToRemoteVpc bool `xml:"allowEgressFromLocalClassicLinkToRemoteVpc" json:"-"`
	AllowEgressFromLocalVpcToRemoteClassicLink bool `xml:"allowEgressFromLocalVpcToRemoteClassicLink" json:"-"`
}

// PeeringStatus is a peering's state.
type PeeringStatus struct {
	Code    string `xml:"code" json:"code"`
	Message string `xml:"message" json:"message"`
}

func peeringKey(id string) store.Key { return store.Key{Scope: globalScope, Kind: kindPeering, ID: id} }

func (tx *txn) peering(id string) (*VpcPeeringConnection, error) {
	if err := checkID(id, "pcx", "InvalidVpcPeeringConnectionId.Malformed"); err != nil {
		return nil, err
	}
	notFound := apierr.New("InvalidVpcPeeringConnectionID.NotFound", "The vpcPeeringConnection ID '%s' does not exist", id)
	b, err := tx.Get(peeringKey(id))
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound
	}
	if err != nil {
		return nil, err
	}
	p := &VpcPeeringConnection{}
	if err := json.Unmarshal(b, p); err != nil {
		return nil, err
	}
	if !p.involves(tx.sc) || p.gone(tx.now) {
		return nil, notFound
	}
	return p, nil
}

func (tx *txn) putPeering(p *VpcPeeringConnection) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return tx.Put(peeringKey(p.VpcPeeringConnectionID), b)
}

// involves reports whether a scope is one of the peering's sides.
func (p *VpcPeeringConnection) involves(sc Scope) bool {
	return (p.RequesterVpcInfo.OwnerID == sc.Account && p.RequesterVpcInfo.Region == sc.Region) ||
		(p.AccepterVpcInfo.OwnerID == sc.Account && p.AccepterVpcInfo.Region == sc.Region)
}

// gone: an ended peering is shown for a while, then not at all.
func (p *VpcPeeringConnection) gone(now time.Time) bool {
	return p.EndedAt != nil && now.After(p.EndedAt.Add(peeringRetention))
}

// Active reports whether traffic can cross the peering.
func (p *VpcPeeringConnection) Active() bool { return p.Status.Code == "active" }

// Peer returns the other side of the peering from a VPC.
func (p *VpcPeeringConnection) Peer(vpcID string) PeeringVpcInfo {
	if p.RequesterVpcInfo.VpcID == vpcID {
		return p.AccepterVpcInfo
	}
	return p.RequesterVpcInfo
}

// listPeerings returns the peerings a scope is a side of.
func (tx *txn) listPeerings() ([]*VpcPeeringConnection, error) {
	rs, err := tx.List(globalScope, kindPeering)
	if err != nil {
		return nil, err
	}
	var out []*VpcPeeringConnection
	for _, r := range rs {
		p := &VpcPeeringConnection{}
		if err := json.Unmarshal(r.Data, p); err != nil {
			return nil, err
		}
		if p.involves(tx.sc) && !p.gone(tx.now) {
			out = append(out, p)
		}
	}
	return out, nil
}

func vpcInfo(v *Vpc, sc Scope) PeeringVpcInfo {
	i := PeeringVpcInfo{CidrBlock: v.CidrBlock.String(), OwnerID: sc.Account, VpcID: v.VpcID, Region: sc.Region}
	for _, a := range v.CidrBlockAssociationSet {
		if a.CidrBlockState.State == "associated" {
			i.CidrBlockSet = append(i.CidrBlockSet, PeeringCidr{a.CidrBlock.String()})
		}
	}
	return i
}

// Blocks returns a side's IPv4 blocks.
func (i PeeringVpcInfo) Blocks() []netip.Prefix {
	var out []netip.Prefix
	for _, c := range i.CidrBlockSet {
		if p, err := netip.ParsePrefix(c.CidrBlock); err == nil {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		if p, err := netip.ParsePrefix(i.CidrBlock); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// CreateVpcPeeringConnectionInput is the input of CreateVpcPeeringConnection.
type CreateVpcPeeringConnectionInput struct {
	VpcID             string             `ec2:"VpcId,required"`
	PeerVpcID         string             `ec2:"PeerVpcId,required"`
	PeerOwnerID       string             `ec2:"PeerOwnerId"`
	PeerRegion        string             `ec2:"PeerRegion"`
	TagSpecifications []TagSpecification `ec2:"TagSpecification"`
}

// VpcPeeringConnectionOutput is the output of the peering actions that
// answer with the connection.
type VpcPeeringConnectionOutput struct {
	VpcPeeringConnection *VpcPeeringConnection `xml:"vpcPeeringConnection"`
}

// CreateVpcPeeringConnection asks to peer a VPC with another of this or
// another account, in this region or another (PeerRegion):
// pending-acceptance until the peer's owner accepts in the peer's region;
// VPCs whose blocks overlap end failed, as in AWS.
func (c *Cloud) CreateVpcPeeringConnection(ctx context.Context, sc Scope, in *CreateVpcPeeringConnectionInput) (*VpcPeeringConnectionOutput, error) {
	peerScope := Scope{Account: sc.Account, Region: sc.Region}
	if in.PeerRegion != "" {
		if _, ok := catalog.LookupRegion(in.PeerRegion); !ok {
			return nil, invalidValue("The region '%s' does not exist", in.PeerRegion)
		}
		peerScope.Region = in.PeerRegion // inter-region peering
	}
	if in.PeerOwnerID != "" {
		peerScope.Account = in.PeerOwnerID
	}
	tags, err := tagsFor(in.TagSpecifications, "vpc-peering-connection")
	if err != nil {
		return nil, err
	}
	out := &VpcPeeringConnectionOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		v, err := tx.vpc(in.VpcID)
		if err != nil {
			return err
		}
		if err := checkID(in.PeerVpcID, "vpc", "InvalidVpcID.Malformed"); err != nil {
			return err
		}
		pb, err := tx.Get(store.Key{Scope: peerScope, Kind: kindVpc, ID: in.PeerVpcID})
		if errors.Is(err, store.ErrNotFound) {
			return apierr.New("InvalidVpcID.NotFound", "The vpc ID '%s' does not exist", in.PeerVpcID)
		}
		if err != nil {
			return err
		}
		peer := &Vpc{}
		if err := json.Unmarshal(pb, peer); err != nil {
			return err
		}
		if peer.VpcID == v.VpcID {
			return invalidValue("Cannot peer a VPC with itself.")
		}
		p := &VpcPeeringConnection{VpcPeeringConnectionID: newID("pcx"), RequesterVpcInfo: vpcInfo(v, sc),
			AccepterVpcInfo: PeeringVpcInfo{OwnerID: peerScope.Account, VpcID: peer.VpcID, Region: peerScope.Region}, Tags: tags["vpc-peering-connection"]}
		exp := Timestamp(tx.now.Add(7 * 24 * time.Hour))
		p.ExpirationTime = &exp
		p.Status = PeeringStatus{"pending-acceptance", "Pending Acceptance by " + peerScope.Account}
		for _, a := range vpcInfo(v, sc).Blocks() {
			for _, b := range vpcInfo(peer, peerScope).Blocks() {
				if a.Overlaps(b) {
					t := tx.now
					p.Status, p.EndedAt, p.ExpirationTime = PeeringStatus{"failed", "Overlapping CIDR"}, &t, nil
				}
			}
		}
		shown := *p
		if p.Status.Code == "pending-acceptance" {
			shown.Status = PeeringStatus{"initiating-request", "Initiating Request to " + peerScope.Account}
		}
		out.VpcPeeringConnection = &shown
		return tx.putPeering(p)
	})
}

// VpcPeeringConnectionIDInput names one peering.
type VpcPeeringConnectionIDInput struct {
	VpcPeeringConnectionID string `ec2:"VpcPeeringConnectionId,required"`
}

// AcceptVpcPeeringConnection makes a pending peering active; only the
// peer VPC's owner, in its region, may.
func (c *Cloud) AcceptVpcPeeringConnection(ctx context.Context, sc Scope, in *VpcPeeringConnectionIDInput) (*VpcPeeringConnectionOutput, error) {
	out := &VpcPeeringConnectionOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		p, err := tx.peering(in.VpcPeeringConnectionID)
		if err != nil {
			return err
		}
		if p.AccepterVpcInfo.OwnerID != sc.Account || p.AccepterVpcInfo.Region != sc.Region {
			return apierr.New("OperationNotPermitted", "User (%s) cannot accept peering %s", sc.Account, p.VpcPeeringConnectionID)
		}
		if p.Status.Code != "pending-acceptance" {
			return apierr.New("InvalidStateTransition", "Invalid state transition for %s, attempted to transition from %s to active", p.VpcPeeringConnectionID, p.Status.Code)
		}
		peer, err := tx.vpc(p.AccepterVpcInfo.VpcID)
		if err != nil {
			return err
		}
		info := vpcInfo(peer, sc)
		info.PeeringOptions = &PeeringOptions{}
		p.AccepterVpcInfo = info
		p.RequesterVpcInfo.PeeringOptions = &PeeringOptions{}
		p.Status, p.ExpirationTime = PeeringStatus{"active", "Active"}, nil
		shown := *p
		shown.Status = PeeringStatus{"provisioning", "Provisioning"}
		out.VpcPeeringConnection = &shown
		return tx.putPeering(p)
	})
}

// RejectVpcPeeringConnection refuses a pending peering (its peer's owner).
func (c *Cloud) RejectVpcPeeringConnection(ctx context.Context, sc Scope, in *VpcPeeringConnectionIDInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		p, err := tx.peering(in.VpcPeeringConnectionID)
		if err != nil {
			return err
		}
		if p.AccepterVpcInfo.OwnerID != sc.Account || p.AccepterVpcInfo.Region != sc.Region {
			return apierr.New("OperationNotPermitted", "User (%s) cannot reject peering %s", sc.Account, p.VpcPeeringConnectionID)
		}
		if p.Status.Code != "pending-acceptance" {
			return apierr.New("InvalidStateTransition", "Invalid state transition for %s, attempted to transition from %s to rejected", p.VpcPeeringConnectionID, p.Status.Code)
		}
		t := tx.now
		p.Status, p.EndedAt, p.ExpirationTime = PeeringStatus{"rejected", "Rejected by " + sc.Account}, &t, nil
		return tx.putPeering(p)
	})
}

// DeleteVpcPeeringConnection ends a peering: an active one by either
// side's owner, a pending request by its requester only (the peer rejects
// it instead); failed and rejected ones cannot be deleted.
func (c *Cloud) DeleteVpcPeeringConnection(ctx context.Context, sc Scope, in *VpcPeeringConnectionIDInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		p, err := tx.peering(in.VpcPeeringConnectionID)
		if err != nil {
			return err
		}
		switch p.Status.Code {
		case "active":
		case "pending-acceptance":
			if p.RequesterVpcInfo.OwnerID != sc.Account || p.RequesterVpcInfo.Region != sc.Region {
				return apierr.New("OperationNotPermitted", "User (%s) cannot delete the pending peering request %s: reject it instead", sc.Account, p.VpcPeeringConnectionID)
			}
		default:
			return apierr.New("InvalidStateTransition", "Invalid state transition for %s, attempted to transition from %s to deleted", p.VpcPeeringConnectionID, p.Status.Code)
		}
		t := tx.now
		p.Status, p.EndedAt, p.ExpirationTime = PeeringStatus{"deleted", "Deleted by " + sc.Account}, &t, nil
		return tx.putPeering(p)
	})
}

// DescribeVpcPeeringConnectionsInput is the input of DescribeVpcPeeringConnections.
type DescribeVpcPeeringConnectionsInput struct {
	IDs     []string `ec2:"VpcPeeringConnectionId"`
	Filters []Filter `ec2:"Filter"`
	Page
}

// DescribeVpcPeeringConnectionsOutput is the output of DescribeVpcPeeringConnections.
type DescribeVpcPeeringConnectionsOutput struct {
	Connections []*VpcPeeringConnection `xml:"vpcPeeringConnectionSet>item"`
	NextToken   string                  `xml:"nextToken,omitempty"`
}

var peeringFields = fields[VpcPeeringConnection]{
	"vpc-peering-connection-id":   func(p *VpcPeeringConnection) []string { return one(p.VpcPeeringConnectionID) },
	"status-code":                 func(p *VpcPeeringConnection) []string { return one(p.Status.Code) },
	"status-message":              func(p *VpcPeeringConnection) []string { return one(p.Status.Message) },
	"requester-vpc-info.vpc-id":   func(p *VpcPeeringConnection) []string { return one(p.RequesterVpcInfo.VpcID) },
	"requester-vpc-info.owner-id": func(p *VpcPeeringConnection) []string { return one(p.RequesterVpcInfo.OwnerID) },
	"requester-vpc-info.cidr-block": func(p *VpcPeeringConnection) []string {
		return one(p.RequesterVpcInfo.CidrBlock)
	},
	"accepter-vpc-info.vpc-id":     func(p *VpcPeeringConnection) []string { return one(p.AccepterVpcInfo.VpcID) },
	"accepter-vpc-info.owner-id":   func(p *VpcPeeringConnection) []string { return one(p.AccepterVpcInfo.OwnerID) },
	"accepter-vpc-info.cidr-block": func(p *VpcPeeringConnection) []string { return one(p.AccepterVpcInfo.CidrBlock) },
}

func peeringID(p *VpcPeeringConnection) string  { return p.VpcPeeringConnectionID }
func peeringTags(p *VpcPeeringConnection) []Tag { return p.Tags }

// DescribeVpcPeeringConnections lists the peerings this account and
// region is a side of.
func (c *Cloud) DescribeVpcPeeringConnections(ctx context.Context, sc Scope, in *DescribeVpcPeeringConnectionsInput) (*DescribeVpcPeeringConnectionsOutput, error) {
	out := &DescribeVpcPeeringConnectionsOutput{}
	err := c.view(ctx, sc, func(tx *txn) error {
		for _, id := range in.IDs {
			if err := checkID(id, "pcx", "InvalidVpcPeeringConnectionId.Malformed"); err != nil {
				return err
			}
		}
		all, err := tx.listPeerings()
		if err != nil {
			return err
		}
		if all, err = selectIDs(all, peeringID, in.IDs, errNotFoundMany("InvalidVpcPeeringConnectionID.NotFound", "vpcPeeringConnection")); err != nil {
			return err
		}
		if all, err = filter(ctx, all, in.Filters, peeringFields, peeringTags); err != nil {
			return err
		}
		out.Connections, out.NextToken, err = paginate(all, peeringID, in.Page, 5, 1000)
		return err
	})
	return out, err
}

// ModifyVpcPeeringConnectionOptionsInput is the input of ModifyVpcPeeringConnectionOptions.
type ModifyVpcPeeringConnectionOptionsInput struct {
	VpcPeeringConnectionID string `ec2:"VpcPeeringConnectionId,required"`
	Accepter               *struct {
		AllowDNS *bool `ec2:"AllowDnsResolutionFromRemoteVpc"`
	} `ec2:"AccepterPeeringConnectionOptions"`
	Requester *struct {
		AllowDNS *bool `ec2:"AllowDnsResolutionFromRemoteVpc"`
	} `ec2:"RequesterPeeringConnectionOptions"`
}

// ModifyVpcPeeringConnectionOptionsOutput is the output of ModifyVpcPeeringConnectionOptions.
type ModifyVpcPeeringConnectionOptionsOutput struct {
	Accepter  *PeeringOptions `xml:"accepterPeeringConnectionOptions,omitempty"`
	Requester *PeeringOptions `xml:"requesterPeeringConnectionOptions,omitempty"`
}

// ModifyVpcPeeringConnectionOptions sets whether each side's VPC resolver
// answers the other side's private host names; each side's owner sets its
// own, on an active peering.
func (c *Cloud) ModifyVpcPeeringConnectionOptions(ctx context.Context, sc Scope, in *ModifyVpcPeeringConnectionOptionsInput) (*ModifyVpcPeeringConnectionOptionsOutput, error) {
	out := &ModifyVpcPeeringConnectionOptionsOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		p, err := tx.peering(in.VpcPeeringConnectionID)
		if err != nil {
			return err
		}
		if !p.Active() {
			return apierr.New("InvalidStateTransition", "Peering %s is %s; its options can be set once it is active", p.VpcPeeringConnectionID, p.Status.Code)
		}
		set := func(side *PeeringVpcInfo, name string, v *struct {
			AllowDNS *bool `ec2:"AllowDnsResolutionFromRemoteVpc"`
		}) (*PeeringOptions, error) {
			if v == nil {
				return nil, nil
			}
			if side.OwnerID != sc.Account || side.Region != sc.Region {
				return nil, apierr.New("OperationNotPermitted", "User (%s) cannot modify the %s options of peering %s", sc.Account, name, p.VpcPeeringConnectionID)
			}
			if side.PeeringOptions == nil {
				side.PeeringOptions = &PeeringOptions{}
			}
			if v.AllowDNS != nil {
				side.PeeringOptions.AllowDNSResolutionFromRemoteVpc = *v.AllowDNS
			}
			o := *side.PeeringOptions
			return &o, nil
		}
		if out.Accepter, err = set(&p.AccepterVpcInfo, "accepter", in.Accepter); err != nil {
			return err
		}
		if out.Requester, err = set(&p.RequesterVpcInfo, "requester", in.Requester); err != nil {
			return err
		}
		return tx.putPeering(p)
	})
}

// peeringTaggable lets the tag actions reach peerings.
func peeringTaggable() taggable {
	return taggable{
		prefix: "pcx", kind: kindPeering, resourceType: "vpc-peering-connection", notFound: "InvalidVpcPeeringConnectionID.NotFound", noun: "vpcPeeringConnection",
		get: func(tx *txn, id string) (any, *TagSet, error) {
			p, err := tx.peering(id)
			if err != nil {
				return nil, nil, err
			}
			return p, &p.Tags, nil
		},
		save: func(tx *txn, _ string, obj any) error { return tx.putPeering(obj.(*VpcPeeringConnection)) },
		all: func(tx *txn) ([]taggedObject, error) {
			ps, err := tx.listPeerings()
			if err != nil {
				return nil, err
			}
			out := make([]taggedObject, 0, len(ps))
			for _, p := range ps {
				out = append(out, taggedObject{p.VpcPeeringConnectionID, p.Tags})
			}
			return out, nil
		},
	}
}

// endPeeringsOfTxn ends the peerings of a VPC being deleted, as AWS does:
// an active one, or one it requested, is deleted with it; a pending
// request from another account's VPC must be rejected first.
func (tx *txn) endPeeringsOfTxn(vpcID string) error {
	ps, err := tx.listPeerings()
	if err != nil {
		return err
	}
	for _, p := range ps {
		if p.RequesterVpcInfo.VpcID != vpcID && p.AccepterVpcInfo.VpcID != vpcID {
			continue
		}
		switch {
		case p.Status.Code == "pending-acceptance" && p.AccepterVpcInfo.VpcID == vpcID:
			return apierr.New("DependencyViolation", "The vpc '%s' has a pending-acceptance peering request %s; reject it first.", vpcID, p.VpcPeeringConnectionID)
		case p.Status.Code == "active" || p.Status.Code == "pending-acceptance":
			t := tx.now
			p.Status, p.EndedAt, p.ExpirationTime = PeeringStatus{"deleted", "Deleted with " + vpcID}, &t, nil
			if err := tx.putPeering(p); err != nil {
				return err
			}
		}
	}
	return nil
}

// peered reports whether an active peering joins two VPCs of the scope's
// account and region.
func (tx *txn) peered(a, b string) (bool, error) {
	ps, err := tx.listPeerings()
	if err != nil {
		return false, err
	}
	for _, p := range ps {
		if p.Active() && ((p.RequesterVpcInfo.VpcID == a && p.AccepterVpcInfo.VpcID == b) || (p.RequesterVpcInfo.VpcID == b && p.AccepterVpcInfo.VpcID == a)) {
			return true, nil
		}
	}
	return false, nil
}

// peeringRoute checks a route to a peering: the route table's VPC must be
// a side of it, and it must not be ended.
func (tx *txn) peeringRoute(rt *RouteTable, id string, r *Route) error {
	p, err := tx.peering(id)
	if err != nil {
		return err
	}
	if p.RequesterVpcInfo.VpcID != rt.VpcID && p.AccepterVpcInfo.VpcID != rt.VpcID {
		return invalidValue("route table %s and peering %s belong to different networks", rt.RouteTableID, id)
	}
	if slices.Contains([]string{"deleted", "rejected", "failed", "expired"}, p.Status.Code) {
		return apierr.New("InvalidVpcPeeringConnectionID.NotFound", "The vpcPeeringConnection ID '%s' does not exist", id)
	}
	r.VpcPeeringConnectionID = id
	return nil
}
