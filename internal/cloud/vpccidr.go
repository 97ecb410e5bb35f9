package cloud

import (
	"context"
	"net/netip"
	"slices"

	"github.com/vpce/vpce/internal/apierr"
)

// maxVpcCidrs is AWS's default quota of IPv4 CIDR blocks per VPC.
const maxVpcCidrs = 5

// contains reports whether a prefix lies inside one of the VPC's
// associated IPv4 blocks, and which.
func (v *Vpc) contains(p netip.Prefix) (netip.Prefix, bool) {
	for _, a := range v.CidrBlockAssociationSet {
		if a.CidrBlockState.State == "associated" && a.CidrBlock.Contains(p.Addr()) && p.Bits() >= a.CidrBlock.Bits() {
			return a.CidrBlock, true
		}
	}
	return netip.Prefix{}, false
}

// addressRanges are the private ranges AWS's association restrictions
// name: the RFC 1918 ranges and 198.19.0.0/16. A block outside them
// (publicly routable, or 100.64.0.0/10) is of no range.
var addressRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("198.19.0.0/16"),
}

func addressRange(p netip.Prefix) int {
	for i, r := range addressRanges {
		if r.Contains(p.Addr()) {
			return i
		}
	}
	return -1
}

// restrictedCidr applies AWS's "IPv4 CIDR block association restrictions"
// (VPC user guide): a secondary block from one of the private ranges must
// be from the range of the VPC's primary block; publicly routable blocks
// and 100.64.0.0/10 go with any primary.
func restrictedCidr(primary, p netip.Prefix) bool {
	r := addressRange(p)
	return r >= 0 && r != addressRange(primary)
}

// AssociateVpcCidrBlockInput is the input of AssociateVpcCidrBlock.
type AssociateVpcCidrBlockInput struct {
	VpcID       string `ec2:"VpcId,required"`
	CidrBlock   string `ec2:"CidrBlock"`
	AmazonIpv6  *bool  `ec2:"AmazonProvidedIpv6CidrBlock"`
	BorderGroup string `ec2:"Ipv6CidrBlockNetworkBorderGroup"`
	Ipv4Pool    string `ec2:"Ipv4IpamPoolId"`
	Ipv6Pool    string `ec2:"Ipv6Pool"`
	Ipv6Block   string `ec2:"Ipv6CidrBlock"`
	Ipv6Ipam    string `ec2:"Ipv6IpamPoolId"`
}

// AssociateVpcCidrBlockOutput is the output of AssociateVpcCidrBlock.
type AssociateVpcCidrBlockOutput struct {
	CidrBlockAssociation     *CidrAssociation     `xml:"cidrBlockAssociation,omitempty"`
	Ipv6CidrBlockAssociation *Ipv6CidrAssociation `xml:"ipv6CidrBlockAssociation,omitempty"`
	VpcID                    string               `xml:"vpcId"`
}

// AssociateVpcCidrBlock adds a secondary IPv4 block to a VPC: /16 to /28,
// overlapping none of its blocks, at most five; every route table of the
// VPC gets its local route, and subnets can be made in it.
func (c *Cloud) AssociateVpcCidrBlock(ctx context.Context, sc Scope, in *AssociateVpcCidrBlockInput) (*AssociateVpcCidrBlockOutput, error) {
	amazon6 := in.AmazonIpv6 != nil && *in.AmazonIpv6
	switch {
	case amazon6 && in.CidrBlock != "":
		return nil, apierr.New("InvalidParameterCombination", "The parameter cidrBlock cannot be used with the parameter amazonProvidedIpv6CidrBlock")
	case amazon6 || in.Ipv6Pool != "" || in.Ipv6Block != "" || in.Ipv6Ipam != "":
		if err := checkIpv6Request(amazon6, in.Ipv6Pool, in.Ipv6Block, in.Ipv6Ipam, in.BorderGroup); err != nil {
			return nil, err
		}
		out := &AssociateVpcCidrBlockOutput{VpcID: in.VpcID}
		return out, c.update(ctx, sc, func(tx *txn) error {
			vpc, err := tx.vpc(in.VpcID)
			if err != nil {
				return err
			}
			a, err := tx.associateIpv6Txn(vpc, in.BorderGroup)
			if err != nil {
				return err
			}
			shown := *a
			shown.Ipv6CidrBlockState.State = "associating" // as AWS answers; Describe says associated
			out.Ipv6CidrBlockAssociation = &shown
			return nil
		})
	case in.Ipv4Pool != "":
		return nil, apierr.New("UnsupportedOperation", "IPAM pools are not supported by vpce.")
	case in.CidrBlock == "":
		return nil, apierr.New("MissingParameter", "Either 'cidrBlock' or 'amazonProvidedIpv6CidrBlock' or 'ipv6Pool' must be specified")
	}
	cidr, err := parseCIDR(in.CidrBlock, "cidrBlock")
	if err != nil {
		return nil, err
	}
	if cidr.Bits() < 16 || cidr.Bits() > 28 {
		return nil, apierr.New("InvalidVpc.Range", "The CIDR '%s' is invalid.", in.CidrBlock)
	}
	out := &AssociateVpcCidrBlockOutput{VpcID: in.VpcID}
	return out, c.update(ctx, sc, func(tx *txn) error {
		vpc, err := tx.vpc(in.VpcID)
		if err != nil {
			return err
		}
		if restrictedCidr(vpc.CidrBlock, cidr) {
			return apierr.New("InvalidVpc.Range", "The CIDR '%s' is restricted. Use a CIDR from the same private address range as the current VPC CIDR, or use a publicly-routable CIDR.", in.CidrBlock)
		}
		n := 0
		for _, a := range vpc.CidrBlockAssociationSet {
			if a.CidrBlockState.State != "associated" {
				continue
			}
			n++
			if a.CidrBlock.Overlaps(cidr) {
				return apierr.New("InvalidVpc.Range", "The CIDR '%s' overlaps with the VPC's CIDR block %s.", in.CidrBlock, a.CidrBlock)
			}
		}
		if n >= maxVpcCidrs {
			return apierr.New("CidrLimitExceeded", "This network '%s' has met its maximum number of allowed CIDRs: %d", vpc.VpcID, maxVpcCidrs)
		}
		rts, err := listObj[RouteTable](tx, kindRT)
		if err != nil {
			return err
		}
		for _, rt := range rts {
			if rt.VpcID != vpc.VpcID {
				continue
			}
			for _, r := range rt.Routes {
				if p, err := netip.ParsePrefix(r.DestinationCidrBlock); err == nil && r.GatewayID != "local" && p.Overlaps(cidr) && p.Bits() >= cidr.Bits() {
					// A route as specific as the block, or more, would take
					// its traffic: AWS refuses the block.
					return apierr.New("InvalidVpc.Range", "The CIDR '%s' conflicts with route %s in route table %s.", in.CidrBlock, r.DestinationCidrBlock, rt.RouteTableID)
				}
			}
		}
		a := CidrAssociation{AssociationID: newID("vpc-cidr-assoc"), CidrBlock: cidr}
		a.CidrBlockState.State = "associated"
		vpc.CidrBlockAssociationSet = append(vpc.CidrBlockAssociationSet, a)
		for _, rt := range rts {
			if rt.VpcID != vpc.VpcID {
				continue
			}
			rt.Routes = append(rt.Routes, Route{DestinationCidrBlock: cidr.String(), GatewayID: "local", Origin: "CreateRouteTable", State: "active"})
			if err := putObj(tx, kindRT, rt.RouteTableID, rt); err != nil {
				return err
			}
		}
		shown := a
		shown.CidrBlockState.State = "associating" // as AWS answers; Describe says associated
		out.CidrBlockAssociation = &shown
		return putObj(tx, kindVpc, vpc.VpcID, vpc)
	})
}

// DisassociateVpcCidrBlockInput is the input of DisassociateVpcCidrBlock.
type DisassociateVpcCidrBlockInput struct {
	AssociationID string `ec2:"AssociationId,required"`
}

// DisassociateVpcCidrBlockOutput is the output of DisassociateVpcCidrBlock.
type DisassociateVpcCidrBlockOutput struct {
	CidrBlockAssociation     *CidrAssociation     `xml:"cidrBlockAssociation,omitempty"`
	Ipv6CidrBlockAssociation *Ipv6CidrAssociation `xml:"ipv6CidrBlockAssociation,omitempty"`
	VpcID                    string               `xml:"vpcId"`
}

// DisassociateVpcCidrBlock removes a secondary block that no subnet uses,
// with its local routes; the primary block stays.
func (c *Cloud) DisassociateVpcCidrBlock(ctx context.Context, sc Scope, in *DisassociateVpcCidrBlockInput) (*DisassociateVpcCidrBlockOutput, error) {
	out := &DisassociateVpcCidrBlockOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		vpcs, err := listObj[Vpc](tx, kindVpc)
		if err != nil {
			return err
		}
		var vpc *Vpc
		i := -1
		for _, v := range vpcs {
			if j := slices.IndexFunc(v.CidrBlockAssociationSet, func(a CidrAssociation) bool { return a.AssociationID == in.AssociationID }); j >= 0 {
				vpc, i = v, j
				break
			}
			if j := slices.IndexFunc(v.Ipv6CidrBlockAssociationSet, func(a Ipv6CidrAssociation) bool { return a.AssociationID == in.AssociationID }); j >= 0 {
				a, err := tx.disassociateVpcIpv6Txn(v, j)
				if err != nil {
					return err
				}
				a.Ipv6CidrBlockState.State = "disassociating"
				out.Ipv6CidrBlockAssociation, out.VpcID = &a, v.VpcID
				return nil
			}
		}
		if vpc == nil {
			return apierr.New("InvalidVpcCidrBlockAssociationID.NotFound", "The vpc CIDR block association ID '%s' does not exist", in.AssociationID)
		}
		a := vpc.CidrBlockAssociationSet[i]
		if a.CidrBlock == vpc.CidrBlock {
			return apierr.New("OperationNotPermitted", "The vpc CIDR block with association ID %s may not be disassociated. It is the primary IPv4 CIDR block of the VPC", a.AssociationID)
		}
		subnets, err := tx.subnetsOf(vpc.VpcID)
		if err != nil {
			return err
		}
		for _, s := range subnets {
			if a.CidrBlock.Contains(s.CidrBlock.Addr()) {
				return apierr.New("InvalidCidrBlock.InUse", "The vpc CIDR block %s is in use by subnet %s and cannot be disassociated.", a.CidrBlock, s.SubnetID)
			}
		}
		rts, err := listObj[RouteTable](tx, kindRT)
		if err != nil {
			return err
		}
		for _, rt := range rts {
			if rt.VpcID != vpc.VpcID {
				continue
			}
			rt.Routes = slices.DeleteFunc(rt.Routes, func(r Route) bool { return r.GatewayID == "local" && r.DestinationCidrBlock == a.CidrBlock.String() })
			if err := putObj(tx, kindRT, rt.RouteTableID, rt); err != nil {
				return err
			}
		}
		vpc.CidrBlockAssociationSet = slices.Delete(vpc.CidrBlockAssociationSet, i, i+1)
		shown := a
		shown.CidrBlockState.State = "disassociating"
		out.CidrBlockAssociation, out.VpcID = &shown, vpc.VpcID
		return putObj(tx, kindVpc, vpc.VpcID, vpc)
	})
}
