package cloud

import (
	"context"

	"github.com/vpce/vpce/internal/apierr"
)

// kindEIGW holds egress-only internet gateways.
const kindEIGW = "egress-only-internet-gateway"

// EgressOnlyInternetGateway lets a VPC's IPv6 traffic out to the internet
// and the answers back, never a connection in. It is made attached to one
// VPC and stays so until deleted.
type EgressOnlyInternetGateway struct {
	EgressOnlyIGWID string          `xml:"egressOnlyInternetGatewayId" json:"id"`
	Attachments     []IGWAttachment `xml:"attachmentSet>item" json:"attachments"`
	Tags            TagSet          `xml:"tagSet,omitempty" json:"tags,omitempty"`
}

// VpcID is the VPC the gateway serves.
func (g *EgressOnlyInternetGateway) VpcID() string {
	if len(g.Attachments) == 0 {
		return ""
	}
	return g.Attachments[0].VpcID
}

func (tx *txn) egressOnlyIGW(id string) (*EgressOnlyInternetGateway, error) {
	if err := checkID(id, "eigw", "InvalidEgressOnlyInternetGatewayId.Malformed"); err != nil {
		return nil, err
	}
	return getOr[EgressOnlyInternetGateway](tx, kindEIGW, id, func() error {
		return apierr.New("InvalidEgressOnlyInternetGatewayId.NotFound", "The egress-only internet gateway ID '%s' does not exist", id)
	})
}

// CreateEgressOnlyInternetGatewayInput is the input of CreateEgressOnlyInternetGateway.
type CreateEgressOnlyInternetGatewayInput struct {
	VpcID             string             `ec2:"VpcId,required"`
	ClientToken       string             `ec2:"ClientToken"`
	TagSpecifications []TagSpecification `ec2:"TagSpecification"`
}

// CreateEgressOnlyInternetGatewayOutput is the output of CreateEgressOnlyInternetGateway.
type CreateEgressOnlyInternetGatewayOutput struct {
	ClientToken               string                     `xml:"clientToken,omitempty"`
	EgressOnlyInternetGateway *EgressOnlyInternetGateway `xml:"egressOnlyInternetGateway"`
}

// CreateEgressOnlyInternetGateway creates a gateway attached to a VPC.
func (c *Cloud) CreateEgressOnlyInternetGateway(ctx context.Context, sc Scope, in *CreateEgressOnlyInternetGatewayInput) (*CreateEgressOnlyInternetGatewayOutput, error) {
	tags, err := tagsFor(in.TagSpecifications, "egress-only-internet-gateway")
	if err != nil {
		return nil, err
	}
	out := &CreateEgressOnlyInternetGatewayOutput{ClientToken: in.ClientToken}
	return out, c.update(ctx, sc, func(tx *txn) error {
		vpc, err := tx.vpc(in.VpcID)
		if err != nil {
			return err
		}
		return tx.idempotent("CreateEgressOnlyInternetGateway", in.ClientToken, in, &out.EgressOnlyInternetGateway, func() (any, error) {
			g := &EgressOnlyInternetGateway{EgressOnlyIGWID: newID("eigw"), Tags: tags["egress-only-internet-gateway"],
				Attachments: []IGWAttachment{{VpcID: vpc.VpcID, State: "attached"}}}
			return g, putObj(tx, kindEIGW, g.EgressOnlyIGWID, g)
		})
	})
}

// DescribeEgressOnlyInternetGatewaysInput is the input of DescribeEgressOnlyInternetGateways.
type DescribeEgressOnlyInternetGatewaysInput struct {
	IDs     []string `ec2:"EgressOnlyInternetGatewayId"`
	Filters []Filter `ec2:"Filter"`
	Page
}

// DescribeEgressOnlyInternetGatewaysOutput is the output of DescribeEgressOnlyInternetGateways.
type DescribeEgressOnlyInternetGatewaysOutput struct {
	EgressOnlyInternetGateways []*EgressOnlyInternetGateway `xml:"egressOnlyInternetGatewaySet>item"`
	NextToken                  string                       `xml:"nextToken,omitempty"`
}

// Filters AWS documents for egress-only gateways are tags only; the
// attachment ones are accepted too, as the CLI's users write them.
var eigwFields = fields[EgressOnlyInternetGateway]{
	"egress-only-internet-gateway-id": func(g *EgressOnlyInternetGateway) []string { return one(g.EgressOnlyIGWID) },
	"attachment.vpc-id":               func(g *EgressOnlyInternetGateway) []string { return one(g.VpcID()) },
	"attachment.state": func(g *EgressOnlyInternetGateway) []string {
		return mapSlice(g.Attachments, func(a IGWAttachment) string { return a.State })
	},
}

func eigwID(g *EgressOnlyInternetGateway) string  { return g.EgressOnlyIGWID }
func eigwTags(g *EgressOnlyInternetGateway) []Tag { return g.Tags }

// DescribeEgressOnlyInternetGateways lists egress-only internet gateways.
func (c *Cloud) DescribeEgressOnlyInternetGateways(ctx context.Context, sc Scope, in *DescribeEgressOnlyInternetGatewaysInput) (*DescribeEgressOnlyInternetGatewaysOutput, error) {
	out := &DescribeEgressOnlyInternetGatewaysOutput{}
	err := c.view(ctx, sc, func(tx *txn) error {
		for _, id := range in.IDs {
			if err := checkID(id, "eigw", "InvalidEgressOnlyInternetGatewayId.Malformed"); err != nil {
				return err
			}
		}
		all, err := narrow[EgressOnlyInternetGateway](tx, kindEIGW, in.IDs, in.Filters, "")
		if err != nil {
			return err
		}
		if all, err = selectIDs(all, eigwID, in.IDs, errNotFoundMany("InvalidEgressOnlyInternetGatewayId.NotFound", "egressOnlyInternetGateway")); err != nil {
			return err
		}
		if all, err = filter(ctx, all, in.Filters, eigwFields, eigwTags); err != nil {
			return err
		}
		out.EgressOnlyInternetGateways, out.NextToken, err = paginate(all, eigwID, in.Page, 5, 255)
		return err
	})
	return out, err
}

// DeleteEgressOnlyInternetGatewayInput is the input of DeleteEgressOnlyInternetGateway.
type DeleteEgressOnlyInternetGatewayInput struct {
	EgressOnlyIGWID string `ec2:"EgressOnlyInternetGatewayId,required"`
}

// DeleteEgressOnlyInternetGatewayOutput is the output of DeleteEgressOnlyInternetGateway.
type DeleteEgressOnlyInternetGatewayOutput struct {
	ReturnCode bool `xml:"returnCode"`
}

// DeleteEgressOnlyInternetGateway deletes a gateway; routes through it
// become blackholes.
func (c *Cloud) DeleteEgressOnlyInternetGateway(ctx context.Context, sc Scope, in *DeleteEgressOnlyInternetGatewayInput) (*DeleteEgressOnlyInternetGatewayOutput, error) {
	return &DeleteEgressOnlyInternetGatewayOutput{ReturnCode: true}, c.update(ctx, sc, func(tx *txn) error {
		g, err := tx.egressOnlyIGW(in.EgressOnlyIGWID)
		if err != nil {
			return err
		}
		return delObj(tx, kindEIGW, g.EgressOnlyIGWID)
	})
}
