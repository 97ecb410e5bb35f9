package cloud

import (
	"context"
	"hash/fnv"
	"net/netip"
	"time"

	"github.com/vpce/vpce/internal/apierr"
)

// NatGateway is a NAT gateway in a subnet, with its own interface.
type NatGateway struct {
	NatGatewayID     string       `xml:"natGatewayId" json:"id"`
	SubnetID         string       `xml:"subnetId" json:"subnet"`
	VpcID            string       `xml:"vpcId" json:"vpc"`
	State            string       `xml:"state" json:"-"`
	ConnectivityType string       `xml:"connectivityType" json:"type"`
	Addresses        []NatAddress `xml:"natGatewayAddressSet>item" json:"addrs"`
	CreateTime       Timestamp    `xml:"createTime" json:"created"`
	DeleteTime       *Timestamp   `xml:"deleteTime,omitempty" json:"deleted,omitempty"`
	Tags             TagSet       `xml:"tagSet,omitempty" json:"tags,omitempty"`
	ReadyAt          time.Time    `xml:"-" json:"readyAt"`
}

// NatAddress is an address of a NAT gateway.
type NatAddress struct {
	AllocationID       string     `xml:"allocationId,omitempty" json:"alloc,omitempty"`
	AssociationID      string     `xml:"associationId,omitempty" json:"assoc,omitempty"`
	NetworkInterfaceID string     `xml:"networkInterfaceId" json:"eni"`
	PrivateIP          netip.Addr `xml:"privateIp" json:"ip"`
	PublicIP           string     `xml:"publicIp,omitempty" json:"public,omitempty"`
	IsPrimary          bool       `xml:"isPrimary" json:"primary"`
	Status             string     `xml:"status" json:"status"`
}

// state reports the gateway's state now: pending until provisioned, then
// available; after delete, deleting and then deleted.
func (n *NatGateway) state(tx *txn) string {
	if n.DeleteTime != nil {
		if tx.now.Before(n.DeleteTime.Time().Add(tx.c.delay)) {
			return "deleting"
		}
		return "deleted"
	}
	if tx.now.Before(n.ReadyAt) {
		return "pending"
	}
	return "available"
}

// visible reports whether the gateway still shows in Describe: deleted
// gateways stay visible for the retention period, as in AWS.
func (n *NatGateway) visible(tx *txn) bool {
	return n.DeleteTime == nil || tx.now.Before(n.DeleteTime.Time().Add(tx.c.retention))
}

func (tx *txn) natGateway(id string) (*NatGateway, error) {
	if err := checkID(id, "nat", "NatGatewayMalformed"); err != nil {
		return nil, err
	}
	nf := func() error { return apierr.New("NatGatewayNotFound", "The Nat Gateway %s was not found", id) }
	n, err := getOr[NatGateway](tx, kindNAT, id, nf)
	if err != nil {
		return nil, err
	}
	if !n.visible(tx) {
		return nil, nf()
	}
	n.State = n.state(tx)
	return n, nil
}

// publicIPFor derives a stable public address for an allocation ID; vpce
// holds no elastic IP pool, so the address only names, it is never used.
func publicIPFor(alloc string) string {
	h := fnv.New32a()
	h.Write([]byte(alloc))
	v := h.Sum32()
	return netip.AddrFrom4([4]byte{3, byte(v >> 16), byte(v >> 8), byte(v) | 1}).String()
}

// CreateNatGatewayInput is the input of CreateNatGateway.
type CreateNatGatewayInput struct {
	SubnetID          string             `ec2:"SubnetId,required"`
	AllocationID      string             `ec2:"AllocationId"`
	ConnectivityType  string             `ec2:"ConnectivityType"`
	PrivateIPAddress  string             `ec2:"PrivateIpAddress"`
	ClientToken       string             `ec2:"ClientToken"`
	TagSpecifications []TagSpecification `ec2:"TagSpecification"`
}

// CreateNatGatewayOutput is the output of CreateNatGateway.
type CreateNatGatewayOutput struct {
	NatGateway  *NatGateway `xml:"natGateway"`
	ClientToken string      `xml:"clientToken,omitempty"`
}

// CreateNatGateway creates a NAT gateway whose interface takes an address
// from the subnet. It is pending until provisioned.
func (c *Cloud) CreateNatGateway(ctx context.Context, sc Scope, in *CreateNatGatewayInput) (*CreateNatGatewayOutput, error) {
	switch in.ConnectivityType {
	case "":
		in.ConnectivityType = "public"
	case "public", "private":
	default:
		return nil, invalidValue("Value (%s) for parameter connectivityType is invalid. Valid values: public, private", in.ConnectivityType)
	}
	if in.ConnectivityType == "public" && in.AllocationID == "" {
		return nil, apierr.New("MissingParameter", "The request must contain the parameter AllocationId for a public NAT gateway")
	}
	if in.ConnectivityType == "private" && in.AllocationID != "" {
		return nil, apierr.New("InvalidParameterCombination", "AllocationId cannot be specified for a private NAT gateway")
	}
	if in.AllocationID != "" {
		if err := checkID(in.AllocationID, "eipalloc", "InvalidAllocationID.Malformed"); err != nil {
			return nil, err
		}
	}
	tags, err := tagsFor(in.TagSpecifications, "natgateway")
	if err != nil {
		return nil, err
	}
	out := &CreateNatGatewayOutput{ClientToken: in.ClientToken}
	err = c.update(ctx, sc, func(tx *txn) error {
		s, err := tx.subnet(in.SubnetID)
		if err != nil {
			return err
		}
		return tx.idempotent("CreateNatGateway", in.ClientToken, in, &out.NatGateway, func() (any, error) {
			n := &NatGateway{NatGatewayID: newID("nat"), SubnetID: s.SubnetID, VpcID: s.VpcID, ConnectivityType: in.ConnectivityType,
				CreateTime: Timestamp(tx.now), ReadyAt: tx.now.Add(tx.c.delay), Tags: tags["natgateway"]}
			e, err := tx.newInterfaceTxn(s, in.PrivateIPAddress, nil, InterfaceTypeNatGateway, "Interface for NAT Gateway "+n.NatGatewayID, nil)
			if err != nil {
				return nil, err
			}
			e.RequesterManaged, e.RequesterID, e.Status, e.SourceDestCheck = true, awsRequesterID, "in-use", false
			if err := putObj(tx, kindENI, e.NetworkInterfaceID, e); err != nil {
				return nil, err
			}
			a := NatAddress{NetworkInterfaceID: e.NetworkInterfaceID, PrivateIP: e.PrivateIPAddress, IsPrimary: true, Status: "succeeded"}
			if in.AllocationID != "" {
				// A real allocation of the account, associated with the
				// gateway's interface until the gateway is deleted.
				eip, err := tx.claimForNAT(in.AllocationID, e)
				if err != nil {
					return nil, err
				}
				a.AllocationID, a.PublicIP, a.AssociationID = eip.AllocationID, eip.PublicIP, eip.AssociationID
			}
			n.Addresses = []NatAddress{a}
			if err := putObj(tx, kindNAT, n.NatGatewayID, n); err != nil {
				return nil, err
			}
			n.State = n.state(tx)
			return n, nil
		})
	})
	return out, err
}

// awsRequesterID is the account AWS names as requester of the interfaces it
// manages for its services.
const awsRequesterID = "727180483921"

// DescribeNatGatewaysInput is the input of DescribeNatGateways.
type DescribeNatGatewaysInput struct {
	NatGatewayIDs []string `ec2:"NatGatewayId"`
	Filters       []Filter `ec2:"Filter"`
	Page
}

// DescribeNatGatewaysOutput is the output of DescribeNatGateways.
type DescribeNatGatewaysOutput struct {
	NatGateways []*NatGateway `xml:"natGatewaySet>item"`
	NextToken   string        `xml:"nextToken,omitempty"`
}

var natFields = fields[NatGateway]{
	"nat-gateway-id": func(n *NatGateway) []string { return one(n.NatGatewayID) },
	"state":          func(n *NatGateway) []string { return one(n.State) },
	"subnet-id":      func(n *NatGateway) []string { return one(n.SubnetID) },
	"vpc-id":         func(n *NatGateway) []string { return one(n.VpcID) },
}

func natID(n *NatGateway) string  { return n.NatGatewayID }
func natTags(n *NatGateway) []Tag { return n.Tags }

// DescribeNatGateways lists NAT gateways, deleted ones included for a while.
func (c *Cloud) DescribeNatGateways(ctx context.Context, sc Scope, in *DescribeNatGatewaysInput) (*DescribeNatGatewaysOutput, error) {
	out := &DescribeNatGatewaysOutput{}
	err := c.view(ctx, sc, func(tx *txn) error {
		for _, id := range in.NatGatewayIDs {
			if err := checkID(id, "nat", "NatGatewayMalformed"); err != nil {
				return err
			}
		}
		raw, err := narrow[NatGateway](tx, kindNAT, in.NatGatewayIDs, in.Filters, "")
		if err != nil {
			return err
		}
		var all []*NatGateway
		for _, n := range raw {
			if n.visible(tx) {
				n.State = n.state(tx)
				all = append(all, n)
			}
		}
		if all, err = selectIDs(all, natID, in.NatGatewayIDs, func(id string) error {
			return apierr.New("NatGatewayNotFound", "The Nat Gateway %s was not found", id)
		}); err != nil {
			return err
		}
		if all, err = filter(ctx, all, in.Filters, natFields, natTags); err != nil {
			return err
		}
		out.NatGateways, out.NextToken, err = paginate(all, natID, in.Page, 5, 1000)
		return err
	})
	return out, err
}

// DeleteNatGatewayInput is the input of DeleteNatGateway.
type DeleteNatGatewayInput struct {
	NatGatewayID string `ec2:"NatGatewayId,required"`
}

// DeleteNatGatewayOutput is the output of DeleteNatGateway.
type DeleteNatGatewayOutput struct {
	NatGatewayID string `xml:"natGatewayId"`
}

// DeleteNatGateway starts deleting a NAT gateway and releases its interface.
func (c *Cloud) DeleteNatGateway(ctx context.Context, sc Scope, in *DeleteNatGatewayInput) (*DeleteNatGatewayOutput, error) {
	out := &DeleteNatGatewayOutput{NatGatewayID: in.NatGatewayID}
	return out, c.update(ctx, sc, func(tx *txn) error {
		n, err := tx.natGateway(in.NatGatewayID)
		if err != nil {
			return err
		}
		if n.DeleteTime != nil {
			return nil // already deleting: AWS answers the same
		}
		t := Timestamp(tx.now)
		n.DeleteTime = &t
		for _, a := range n.Addresses {
			if err := delObj(tx, kindENI, a.NetworkInterfaceID); err != nil {
				return err
			}
			if a.AllocationID != "" {
				if err := tx.releaseFromNAT(a.AllocationID); err != nil {
					return err
				}
			}
		}
		return putObj(tx, kindNAT, n.NatGatewayID, n)
	})
}
