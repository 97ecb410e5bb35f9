package cloud

import (
	"context"

	"github.com/vpce/vpce/internal/apierr"
)

// InternetGateway connects a VPC to the internet.
type InternetGateway struct {
	InternetGatewayID string          `xml:"internetGatewayId" json:"id"`
	OwnerID           string          `xml:"ownerId" json:"owner"`
	Attachments       []IGWAttachment `xml:"attachmentSet>item" json:"attachments,omitempty"`
	Tags              TagSet          `xml:"tagSet,omitempty" json:"tags,omitempty"`
}

// IGWAttachment is an internet gateway's attachment to a VPC.
type IGWAttachment struct {
	VpcID string `xml:"vpcId" json:"vpc"`
	State string `xml:"state" json:"state"`
}

func (g *InternetGateway) attachedTo() string {
	if len(g.Attachments) == 0 {
		return ""
	}
	return g.Attachments[0].VpcID
}

func (tx *txn) internetGateway(id string) (*InternetGateway, error) {
	if err := checkID(id, "igw", "InvalidInternetGatewayID.Malformed"); err != nil {
		return nil, err
	}
	return getOr[InternetGateway](tx, kindIGW, id, notFound("InvalidInternetGatewayID.NotFound", "internetGateway", id))
}

// CreateInternetGatewayInput is the input of CreateInternetGateway.
type CreateInternetGatewayInput struct {
	TagSpecifications []TagSpecification `ec2:"TagSpecification"`
}

// CreateInternetGatewayOutput is the output of CreateInternetGateway.
type CreateInternetGatewayOutput struct {
	InternetGateway *InternetGateway `xml:"internetGateway"`
}

// CreateInternetGateway creates a detached internet gateway.
func (c *Cloud) CreateInternetGateway(ctx context.Context, sc Scope, in *CreateInternetGatewayInput) (*CreateInternetGatewayOutput, error) {
	tags, err := tagsFor(in.TagSpecifications, "internet-gateway")
	if err != nil {
		return nil, err
	}
	g := &InternetGateway{InternetGatewayID: newID("igw"), OwnerID: sc.Account, Tags: tags["internet-gateway"]}
	return &CreateInternetGatewayOutput{g}, c.update(ctx, sc, func(tx *txn) error {
		return putObj(tx, kindIGW, g.InternetGatewayID, g)
	})
}

// InternetGatewayVpcInput is the input of Attach/DetachInternetGateway.
type InternetGatewayVpcInput struct {
	InternetGatewayID string `ec2:"InternetGatewayId,required"`
	VpcID             string `ec2:"VpcId,required"`
}

// AttachInternetGateway attaches a gateway to a VPC that has none.
func (c *Cloud) AttachInternetGateway(ctx context.Context, sc Scope, in *InternetGatewayVpcInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		g, err := tx.internetGateway(in.InternetGatewayID)
		if err != nil {
			return err
		}
		vpc, err := tx.vpc(in.VpcID)
		if err != nil {
			return err
		}
		if v := g.attachedTo(); v != "" {
			return apierr.New("Resource.AlreadyAssociated", "resource %s is already attached to network %s", g.InternetGatewayID, v)
		}
		all, err := listObj[InternetGateway](tx, kindIGW)
		if err != nil {
			return err
		}
		for _, o := range all {
			if o.attachedTo() == vpc.VpcID {
				return apierr.New("Resource.AlreadyAssociated", "Network %s already has an internet gateway attached", vpc.VpcID)
			}
		}
		g.Attachments = []IGWAttachment{{VpcID: vpc.VpcID, State: "available"}}
		return putObj(tx, kindIGW, g.InternetGatewayID, g)
	})
}

// DetachInternetGateway detaches a gateway from its VPC; routes through it
// become blackholes.
func (c *Cloud) DetachInternetGateway(ctx context.Context, sc Scope, in *InternetGatewayVpcInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		g, err := tx.internetGateway(in.InternetGatewayID)
		if err != nil {
			return err
		}
		if _, err := tx.vpc(in.VpcID); err != nil {
			return err
		}
		if g.attachedTo() != in.VpcID {
			return apierr.New("Gateway.NotAttached", "resource %s is not attached to network %s", g.InternetGatewayID, in.VpcID)
		}
		g.Attachments = nil
		return putObj(tx, kindIGW, g.InternetGatewayID, g)
	})
}

// DeleteInternetGatewayInput is the input of DeleteInternetGateway.
type DeleteInternetGatewayInput struct {
	InternetGatewayID string `ec2:"InternetGatewayId,required"`
}

// DeleteInternetGateway deletes a detached gateway.
func (c *Cloud) DeleteInternetGateway(ctx context.Context, sc Scope, in *DeleteInternetGatewayInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		g, err := tx.internetGateway(in.InternetGatewayID)
		if err != nil {
			return err
		}
		if g.attachedTo() != "" {
			return dependencyViolation("internetGateway", g.InternetGatewayID)
		}
		return delObj(tx, kindIGW, g.InternetGatewayID)
	})
}

// DescribeInternetGatewaysInput is the input of DescribeInternetGateways.
type DescribeInternetGatewaysInput struct {
	InternetGatewayIDs []string `ec2:"InternetGatewayId"`
	Filters            []Filter `ec2:"Filter"`
	Page
}

// DescribeInternetGatewaysOutput is the output of DescribeInternetGateways.
type DescribeInternetGatewaysOutput struct {
	InternetGateways []*InternetGateway `xml:"internetGatewaySet>item"`
	NextToken        string             `xml:"nextToken,omitempty"`
}

var igwFields = fields[InternetGateway]{
	"attachment.state": func(g *InternetGateway) []string {
		return mapSlice(g.Attachments, func(a IGWAttachment) string { return a.State })
	},
	"attachment.vpc-id": func(g *InternetGateway) []string {
		return mapSlice(g.Attachments, func(a IGWAttachment) string { return a.VpcID })
	},
	"internet-gateway-id": func(g *InternetGateway) []string { return one(g.InternetGatewayID) },
	"owner-id":            func(g *InternetGateway) []string { return one(g.OwnerID) },
}

func igwID(g *InternetGateway) string  { return g.InternetGatewayID }
func igwTags(g *InternetGateway) []Tag { return g.Tags }

// DescribeInternetGateways lists internet gateways.
func (c *Cloud) DescribeInternetGateways(ctx context.Context, sc Scope, in *DescribeInternetGatewaysInput) (*DescribeInternetGatewaysOutput, error) {
	out := &DescribeInternetGatewaysOutput{}
	err := c.view(ctx, sc, func(tx *txn) error {
		for _, id := range in.InternetGatewayIDs {
			if err := checkID(id, "igw", "InvalidInternetGatewayID.Malformed"); err != nil {
				return err
			}
		}
		all, err := narrow[InternetGateway](tx, kindIGW, in.InternetGatewayIDs, in.Filters, "")
		if err != nil {
			return err
		}
		if all, err = selectIDs(all, igwID, in.InternetGatewayIDs, errNotFoundMany("InvalidInternetGatewayID.NotFound", "internetGateway")); err != nil {
			return err
		}
		if all, err = filter(ctx, all, in.Filters, igwFields, igwTags); err != nil {
			return err
		}
		out.InternetGateways, out.NextToken, err = paginate(all, igwID, in.Page, 5, 1000)
		return err
	})
	return out, err
}
