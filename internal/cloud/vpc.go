package cloud

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/store"
)

// Vpc is a virtual private cloud.
type Vpc struct {
	VpcID                   string            `xml:"vpcId" json:"id"`
	OwnerID                 string            `xml:"ownerId" json:"owner"`
	State                   string            `xml:"state" json:"state"`
	CidrBlock               netip.Prefix      `xml:"cidrBlock" json:"cidr"`
	CidrBlockAssociationSet []CidrAssociation `xml:"cidrBlockAssociationSet>item" json:"cidrAssoc"`
	DhcpOptionsID           string            `xml:"dhcpOptionsId" json:"dopt"`
	InstanceTenancy         string            `xml:"instanceTenancy" json:"tenancy"`
	IsDefault               bool              `xml:"isDefault" json:"default"`
	// Ipv6CidrBlockAssociationSet is always present in AWS's answers,
	// empty when the VPC has no IPv6 block.
	Ipv6CidrBlockAssociationSet []Ipv6CidrAssociation `xml:"ipv6CidrBlockAssociationSet>item" json:"cidr6,omitempty"`
	Tags                        TagSet                `xml:"tagSet,omitempty" json:"tags,omitempty"`
	EnableDNSSupport            bool                  `xml:"-" json:"dnsSupport"`
	EnableDNSHostnames          bool                  `xml:"-" json:"dnsHostnames"`
	EnableNAUMetrics            bool                  `xml:"-" json:"nauMetrics"`
	// ResolverAddr is the loopback address where vpce serves this VPC's
	// resolver (AmazonProvidedDNS, the VPC's base address + 2, in AWS).
	ResolverAddr netip.Addr `xml:"-" json:"resolver"`
}

// CidrAssociation is one IPv4 CIDR block of a VPC.
type CidrAssociation struct {
	AssociationID  string       `xml:"associationId" json:"id"`
	CidrBlock      netip.Prefix `xml:"cidrBlock" json:"cidr"`
	CidrBlockState struct {
		State string `xml:"state" json:"state"`
	} `xml:"cidrBlockState" json:"state"`
}

func (tx *txn) vpc(id string) (*Vpc, error) {
	if err := checkID(id, "vpc", "InvalidVpcID.Malformed"); err != nil {
		return nil, err
	}
	return getOr[Vpc](tx, kindVpc, id, notFound("InvalidVpcID.NotFound", "vpc", id))
}

// parseCIDR parses an IPv4 CIDR block in canonical form.
func parseCIDR(s, param string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is4() || p.Masked() != p {
		return netip.Prefix{}, invalidValue("Value (%s) for parameter %s is invalid. This is not a valid CIDR block.", s, param)
	}
	return p, nil
}

// CreateVpcInput is the input of CreateVpc.
type CreateVpcInput struct {
	CidrBlock         string             `ec2:"CidrBlock"`
	InstanceTenancy   string             `ec2:"InstanceTenancy"`
	AmazonIpv6        *bool              `ec2:"AmazonProvidedIpv6CidrBlock"`
	BorderGroup       string             `ec2:"Ipv6CidrBlockNetworkBorderGroup"`
	Ipv6Pool          string             `ec2:"Ipv6Pool"`
	Ipv6CidrBlock     string             `ec2:"Ipv6CidrBlock"`
	Ipv6IpamPoolID    string             `ec2:"Ipv6IpamPoolId"`
	Ipv4IpamPoolID    string             `ec2:"Ipv4IpamPoolId"`
	TagSpecifications []TagSpecification `ec2:"TagSpecification"`
}

// CreateVpcOutput is the output of CreateVpc.
type CreateVpcOutput struct {
	Vpc *Vpc `xml:"vpc"`
}

// CreateVpc creates a VPC with its main route table, default security group
// and default network ACL.
func (c *Cloud) CreateVpc(ctx context.Context, sc Scope, in *CreateVpcInput) (*CreateVpcOutput, error) {
	if in.CidrBlock == "" {
		if in.Ipv4IpamPoolID != "" {
			return nil, apierr.New("UnsupportedOperation", "IPAM pools are not supported by vpce.")
		}
		return nil, apierr.Missing("CidrBlock")
	}
	cidr, err := parseCIDR(in.CidrBlock, "cidrBlock")
	if err != nil {
		return nil, err
	}
	if cidr.Bits() < 16 || cidr.Bits() > 28 {
		return nil, apierr.New("InvalidVpc.Range", "The CIDR '%s' is invalid.", in.CidrBlock)
	}
	switch in.InstanceTenancy {
	case "":
		in.InstanceTenancy = "default"
	case "default", "dedicated":
	default:
		return nil, invalidValue("Value (%s) for parameter instanceTenancy is invalid. Valid values are: default, dedicated", in.InstanceTenancy)
	}
	amazon6 := in.AmazonIpv6 != nil && *in.AmazonIpv6
	if err := checkIpv6Request(amazon6, in.Ipv6Pool, in.Ipv6CidrBlock, in.Ipv6IpamPoolID, in.BorderGroup); err != nil {
		return nil, err
	}
	tags, err := tagsFor(in.TagSpecifications, "vpc")
	if err != nil {
		return nil, err
	}
	var vpc *Vpc
	err = c.update(ctx, sc, func(tx *txn) error {
		n, err := tx.countTxn(kindVpc)
		if err != nil {
			return err
		}
		if n >= c.quotas[QuotaVPCs] {
			return apierr.New("VpcLimitExceeded", "The maximum number of VPCs has been reached.")
		}
		vpc, err = tx.createVpcTxn(cidr, false, in.InstanceTenancy, tags["vpc"])
		if err != nil || !amazon6 {
			return err
		}
		_, err = tx.associateIpv6Txn(vpc, in.BorderGroup)
		return err
	})
	if err != nil {
		return nil, err
	}
	v := *vpc
	v.State = "pending" // as AWS answers CreateVpc; Describe says available
	v.CidrBlockAssociationSet[0].CidrBlockState.State = "associated"
	v.Ipv6CidrBlockAssociationSet = slices.Clone(v.Ipv6CidrBlockAssociationSet)
	for i := range v.Ipv6CidrBlockAssociationSet {
		v.Ipv6CidrBlockAssociationSet[i].Ipv6CidrBlockState.State = "associating"
	}
	return &CreateVpcOutput{Vpc: &v}, nil
}

func (tx *txn) createVpcTxn(cidr netip.Prefix, isDefault bool, tenancy string, tags []Tag) (*Vpc, error) {
	vpc := &Vpc{
		VpcID: newID("vpc"), OwnerID: tx.sc.Account, State: "available", CidrBlock: cidr,
		DhcpOptionsID: tx.dhcpOptionsID(), InstanceTenancy: tenancy, IsDefault: isDefault, Tags: tags,
		EnableDNSSupport: true, EnableDNSHostnames: isDefault,
	}
	a := CidrAssociation{AssociationID: newID("vpc-cidr-assoc"), CidrBlock: cidr}
	a.CidrBlockState.State = "associated"
	vpc.CidrBlockAssociationSet = []CidrAssociation{a}
	addr, err := tx.allocateResolverTxn(vpc.VpcID)
	switch {
	case errors.Is(err, errResolverPoolFull):
		// The loopback pool is shared by every account: when it is full
		// the VPC is made without a resolver rather than not at all, so no
		// account's use of it stops another's.
		tx.c.log.Warn("no resolver address left for the VPC; its DNS is not served", "vpc", vpc.VpcID, "range", tx.c.resolverPrefix)
	case err != nil:
		return nil, err
	}
	vpc.ResolverAddr = addr
	if err := putObj(tx, kindVpc, vpc.VpcID, vpc); err != nil {
		return nil, err
	}
	if _, err := tx.createRouteTableTxn(vpc, true, nil); err != nil {
		return nil, err
	}
	if _, err := tx.createSecurityGroupTxn(vpc, "default", "default VPC security group", nil); err != nil {
		return nil, err
	}
	if _, err := tx.createNetworkACLTxn(vpc, true, nil); err != nil {
		return nil, err
	}
	return vpc, nil
}

// dhcpOptionsID is the scope's default DHCP options set, derived from the
// account and region so it is stable.
func (tx *txn) dhcpOptionsID() string {
	h := uint32(2166136261)
	for _, b := range []byte(tx.sc.Account + tx.sc.Region) {
		h = (h ^ uint32(b)) * 16777619
	}
	return fmt.Sprintf("dopt-%08x%09x", h, h>>3)
}

// scopeMarker records that a scope's default resources were made.
type scopeMarker struct {
	DefaultVpcID string `json:"defaultVpc"`
}

// ensureDefaultsTxn creates the default VPC of a scope on its first use, as
// every AWS account+region starts with one: 172.31.0.0/16, a /20 default
// subnet per zone, an attached internet gateway and a main route table with
// 0.0.0.0/0 to it.
func (tx *txn) ensureDefaultsTxn() error {
	if _, ok := tx.c.inited.Load(tx.sc); ok {
		return nil
	}
	_, err := tx.Get(store.Key{Scope: tx.sc, Kind: kindScope, ID: "defaults"})
	if err == nil {
		tx.c.inited.Store(tx.sc, struct{}{})
		return nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if _, err := tx.createDefaultVpcTxn(); err != nil {
		return err
	}
	// The cache is filled only after commit: a failed transaction must not
	// mark the scope as done.
	return nil
}

// createDefaultVpcTxn makes a default VPC as AWS does: 172.31.0.0/16, a
// /20 default subnet per zone, an attached internet gateway, a main route
// table with 0.0.0.0/0 to it; the scope's marker names it.
func (tx *txn) createDefaultVpcTxn() (*Vpc, error) {
	vpc, err := tx.createVpcTxn(netip.MustParsePrefix("172.31.0.0/16"), true, "default", nil)
	if err != nil {
		return nil, err
	}
	for i, z := range tx.region().Zones {
		if _, err := tx.createDefaultSubnetTxn(vpc, i, z.Name); err != nil {
			return nil, err
		}
	}
	igw := &InternetGateway{InternetGatewayID: newID("igw"), OwnerID: tx.sc.Account,
		Attachments: []IGWAttachment{{VpcID: vpc.VpcID, State: "available"}}}
	if err := putObj(tx, kindIGW, igw.InternetGatewayID, igw); err != nil {
		return nil, err
	}
	main, err := tx.mainRouteTable(vpc.VpcID)
	if err != nil {
		return nil, err
	}
	main.Routes = append(main.Routes, Route{DestinationCidrBlock: "0.0.0.0/0", GatewayID: igw.InternetGatewayID, Origin: "CreateRoute", State: "active"})
	if err := putObj(tx, kindRT, main.RouteTableID, main); err != nil {
		return nil, err
	}
	return vpc, putObj(tx, kindScope, "defaults", scopeMarker{DefaultVpcID: vpc.VpcID})
}

// createDefaultSubnetTxn makes the default subnet of the zone with index
// i: the i-th /20 of 172.31.0.0/16, public addresses on launch.
func (tx *txn) createDefaultSubnetTxn(vpc *Vpc, i int, zone string) (*Subnet, error) {
	cidr := netip.PrefixFrom(netip.AddrFrom4([4]byte{172, 31, byte(16 * i), 0}), 20)
	s, err := tx.createSubnetTxn(vpc, cidr, zone, nil)
	if err != nil {
		return nil, err
	}
	s.DefaultForAz, s.MapPublicIPOnLaunch = true, true
	return s, putObj(tx, kindSubnet, s.SubnetID, s)
}

// CreateDefaultVpcInput is the input of CreateDefaultVpc.
type CreateDefaultVpcInput struct{}

// CreateDefaultVpc makes the region's default VPC again after it was
// deleted.
func (c *Cloud) CreateDefaultVpc(ctx context.Context, sc Scope, in *CreateDefaultVpcInput) (*CreateVpcOutput, error) {
	out := &CreateVpcOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		if id, err := tx.defaultVpcID(); err == nil {
			return apierr.New("DefaultVpcAlreadyExists", "A Default VPC already exists for this account in this region (%s).", id)
		}
		vpc, err := tx.createDefaultVpcTxn()
		if err != nil {
			return err
		}
		v := *vpc
		v.State = "pending"
		out.Vpc = &v
		return nil
	})
}

// CreateDefaultSubnetInput is the input of CreateDefaultSubnet.
type CreateDefaultSubnetInput struct {
	AvailabilityZone   string `ec2:"AvailabilityZone"`
	AvailabilityZoneID string `ec2:"AvailabilityZoneId"`
	Ipv6Native         *bool  `ec2:"Ipv6Native"`
}

// CreateDefaultSubnet makes the default subnet of a zone in the default
// VPC again after it was deleted.
func (c *Cloud) CreateDefaultSubnet(ctx context.Context, sc Scope, in *CreateDefaultSubnetInput) (*CreateSubnetOutput, error) {
	if in.Ipv6Native != nil && *in.Ipv6Native {
		return nil, apierr.New("UnsupportedOperation", "IPv6 subnets are not supported by vpce yet.")
	}
	out := &CreateSubnetOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		id, err := tx.defaultVpcID()
		if err != nil {
			return apierr.New("DefaultVpcDoesNotExist", "No default VPC exists for this account in this region.")
		}
		vpc, err := tx.vpc(id)
		if err != nil {
			return err
		}
		zi := -1
		for i, z := range tx.region().Zones {
			if (in.AvailabilityZone != "" && z.Name == in.AvailabilityZone) || (in.AvailabilityZoneID != "" && z.ID == in.AvailabilityZoneID) {
				zi = i
			}
		}
		switch {
		case in.AvailabilityZone == "" && in.AvailabilityZoneID == "":
			return apierr.Missing("AvailabilityZone")
		case zi < 0:
			return invalidValue("Value (%s) for parameter availabilityZone is invalid.", in.AvailabilityZone+in.AvailabilityZoneID)
		}
		zone := tx.region().Zones[zi].Name
		subnets, err := tx.subnetsOf(id)
		if err != nil {
			return err
		}
		want := netip.PrefixFrom(netip.AddrFrom4([4]byte{172, 31, byte(16 * zi), 0}), 20)
		for _, s := range subnets {
			if s.DefaultForAz && s.AvailabilityZone == zone {
				return apierr.New("DefaultSubnetAlreadyExistsInAvailabilityZone", "%s already has a default subnet %s.", zone, s.SubnetID)
			}
			if s.CidrBlock.Overlaps(want) {
				return apierr.New("InvalidSubnet.Conflict", "The CIDR '%s' conflicts with another subnet", want)
			}
		}
		s, err := tx.createDefaultSubnetTxn(vpc, zi, zone)
		if err != nil {
			return err
		}
		out.Subnet = s
		return nil
	})
}

// DescribeVpcsInput is the input of DescribeVpcs.
type DescribeVpcsInput struct {
	VpcIDs  []string `ec2:"VpcId"`
	Filters []Filter `ec2:"Filter"`
	Page
}

// DescribeVpcsOutput is the output of DescribeVpcs.
type DescribeVpcsOutput struct {
	Vpcs      []*Vpc `xml:"vpcSet>item"`
	NextToken string `xml:"nextToken,omitempty"`
}

var vpcFields = fields[Vpc]{
	"cidr": func(v *Vpc) []string { return one(v.CidrBlock.String()) },
	"cidr-block-association.cidr-block": func(v *Vpc) []string {
		return mapSlice(v.CidrBlockAssociationSet, func(a CidrAssociation) string { return a.CidrBlock.String() })
	},
	"cidr-block-association.association-id": func(v *Vpc) []string {
		return mapSlice(v.CidrBlockAssociationSet, func(a CidrAssociation) string { return a.AssociationID })
	},
	"cidr-block-association.state": func(v *Vpc) []string {
		return mapSlice(v.CidrBlockAssociationSet, func(a CidrAssociation) string { return a.CidrBlockState.State })
	},
	"ipv6-cidr-block-association.ipv6-cidr-block": func(v *Vpc) []string {
		return mapSlice(v.Ipv6CidrBlockAssociationSet, func(a Ipv6CidrAssociation) string { return a.Ipv6CidrBlock.String() })
	},
	"ipv6-cidr-block-association.association-id": func(v *Vpc) []string {
		return mapSlice(v.Ipv6CidrBlockAssociationSet, func(a Ipv6CidrAssociation) string { return a.AssociationID })
	},
	"ipv6-cidr-block-association.state": func(v *Vpc) []string {
		return mapSlice(v.Ipv6CidrBlockAssociationSet, func(a Ipv6CidrAssociation) string { return a.Ipv6CidrBlockState.State })
	},
	"ipv6-cidr-block-association.ipv6-pool": func(v *Vpc) []string {
		return mapSlice(v.Ipv6CidrBlockAssociationSet, func(a Ipv6CidrAssociation) string { return a.Ipv6Pool })
	},
	"dhcp-options-id":  func(v *Vpc) []string { return one(v.DhcpOptionsID) },
	"is-default":       func(v *Vpc) []string { return boolStr(v.IsDefault) },
	"isDefault":        func(v *Vpc) []string { return boolStr(v.IsDefault) },
	"owner-id":         func(v *Vpc) []string { return one(v.OwnerID) },
	"state":            func(v *Vpc) []string { return one(v.State) },
	"vpc-id":           func(v *Vpc) []string { return one(v.VpcID) },
	"instance-tenancy": func(v *Vpc) []string { return one(v.InstanceTenancy) },
}

func mapSlice[T any](s []T, f func(T) string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}

func vpcID(v *Vpc) string     { return v.VpcID }
func vpcTags(v *Vpc) []Tag    { return v.Tags }
func vpcTagsP(v *Vpc) *TagSet { return &v.Tags }

// DescribeVpcs lists VPCs.
func (c *Cloud) DescribeVpcs(ctx context.Context, sc Scope, in *DescribeVpcsInput) (*DescribeVpcsOutput, error) {
	out := &DescribeVpcsOutput{}
	err := c.view(ctx, sc, func(tx *txn) error {
		for _, id := range in.VpcIDs {
			if err := checkID(id, "vpc", "InvalidVpcID.Malformed"); err != nil {
				return err
			}
		}
		all, err := narrow[Vpc](tx, kindVpc, in.VpcIDs, in.Filters, "")
		if err != nil {
			return err
		}
		if all, err = selectIDs(all, vpcID, in.VpcIDs, errNotFoundMany("InvalidVpcID.NotFound", "vpc")); err != nil {
			return err
		}
		if all, err = filter(ctx, all, in.Filters, vpcFields, vpcTags); err != nil {
			return err
		}
		out.Vpcs, out.NextToken, err = paginate(all, vpcID, in.Page, 5, 1000)
		return err
	})
	return out, err
}

// DeleteVpcInput is the input of DeleteVpc.
type DeleteVpcInput struct {
	VpcID string `ec2:"VpcId,required"`
}

// DeleteVpc deletes a VPC that holds nothing but its main route table,
// default security group and default network ACL.
func (c *Cloud) DeleteVpc(ctx context.Context, sc Scope, in *DeleteVpcInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		vpc, err := tx.vpc(in.VpcID)
		if err != nil {
			return err
		}
		dep := dependencyViolation("vpc", vpc.VpcID)
		eps, err := tx.liveEndpoints(vpc.VpcID)
		if err != nil {
			return err
		}
		if len(eps) > 0 {
			return dep
		}
		subnets, err := tx.subnetsOf(vpc.VpcID)
		if err != nil {
			return err
		}
		if len(subnets) > 0 {
			return dep
		}
		if err := tx.endPeeringsOfTxn(vpc.VpcID); err != nil {
			return err
		}
		igws, err := listObj[InternetGateway](tx, kindIGW)
		if err != nil {
			return err
		}
		for _, g := range igws {
			if g.attachedTo() == vpc.VpcID {
				return dep
			}
		}
		vgws, err := listObj[VpnGateway](tx, kindVGW)
		if err != nil {
			return err
		}
		for _, g := range vgws {
			if g.VpcID() == vpc.VpcID {
				return dep
			}
		}
		eigws, err := listObj[EgressOnlyInternetGateway](tx, kindEIGW)
		if err != nil {
			return err
		}
		for _, g := range eigws {
			if g.VpcID() == vpc.VpcID {
				return dep
			}
		}
		rts, err := listChildren[RouteTable](tx, kindRT, vpc.VpcID)
		if err != nil {
			return err
		}
		var own []string
		for _, rt := range rts {
			if rt.VpcID != vpc.VpcID {
				continue
			}
			if !rt.isMain() {
				return dep
			}
			own = append(own, rt.RouteTableID)
		}
		sgs, err := listChildren[SecurityGroup](tx, kindSG, vpc.VpcID)
		if err != nil {
			return err
		}
		var ownSG []*SecurityGroup
		for _, g := range sgs {
			if g.VpcID != vpc.VpcID {
				continue
			}
			if g.GroupName != "default" {
				return dep
			}
			ownSG = append(ownSG, g)
		}
		acls, err := listChildren[NetworkACL](tx, kindACL, vpc.VpcID)
		if err != nil {
			return err
		}
		var ownACL []string
		for _, a := range acls {
			if a.VpcID != vpc.VpcID {
				continue
			}
			if !a.IsDefault {
				return dep
			}
			ownACL = append(ownACL, a.NetworkACLID)
		}
		for _, id := range own {
			if err := delObj(tx, kindRT, id); err != nil {
				return err
			}
		}
		for _, g := range ownSG {
			if err := delObj(tx, kindSG, g.GroupID); err != nil {
				return err
			}
		}
		for _, id := range ownACL {
			if err := delObj(tx, kindACL, id); err != nil {
				return err
			}
		}
		if err := tx.releaseResolverTxn(vpc.ResolverAddr); err != nil {
			return err
		}
		for _, a := range vpc.Ipv6CidrBlockAssociationSet {
			if err := tx.releaseIpv6BlockTxn(a.Ipv6CidrBlock); err != nil {
				return err
			}
		}
		return delObj(tx, kindVpc, vpc.VpcID)
	})
}

// ModifyVpcAttributeInput is the input of ModifyVpcAttribute.
type ModifyVpcAttributeInput struct {
	VpcID              string            `ec2:"VpcId,required"`
	EnableDNSSupport   *AttributeBoolean `ec2:"EnableDnsSupport"`
	EnableDNSHostnames *AttributeBoolean `ec2:"EnableDnsHostnames"`
	EnableNAUMetrics   *AttributeBoolean `ec2:"EnableNetworkAddressUsageMetrics"`
}

// ModifyVpcAttribute sets one DNS or metrics attribute of a VPC.
func (c *Cloud) ModifyVpcAttribute(ctx context.Context, sc Scope, in *ModifyVpcAttributeInput) (*Return, error) {
	var set []string
	if in.EnableDNSHostnames != nil {
		set = append(set, "enableDnsHostnames")
	}
	if in.EnableDNSSupport != nil {
		set = append(set, "enableDnsSupport")
	}
	if in.EnableNAUMetrics != nil {
		set = append(set, "enableNetworkAddressUsageMetrics")
	}
	switch {
	case len(set) == 0:
		return nil, apierr.New("MissingParameter", "The request must contain one of the parameters: enableDnsSupport, enableDnsHostnames, enableNetworkAddressUsageMetrics")
	case len(set) > 1:
		return nil, apierr.New("InvalidParameterCombination", "Fields for multiple attribute types specified: %s", joinComma(set))
	}
	return ok, c.update(ctx, sc, func(tx *txn) error {
		vpc, err := tx.vpc(in.VpcID)
		if err != nil {
			return err
		}
		switch {
		case in.EnableDNSSupport != nil:
			if in.EnableDNSSupport.Value == nil {
				return apierr.Missing("EnableDnsSupport.Value")
			}
			vpc.EnableDNSSupport = *in.EnableDNSSupport.Value
		case in.EnableDNSHostnames != nil:
			if in.EnableDNSHostnames.Value == nil {
				return apierr.Missing("EnableDnsHostnames.Value")
			}
			if *in.EnableDNSHostnames.Value && !vpc.EnableDNSSupport {
				return apierr.New("InvalidParameterValue", "Enabling DNS hostnames requires enableDnsSupport to be true for %s", vpc.VpcID)
			}
			vpc.EnableDNSHostnames = *in.EnableDNSHostnames.Value
		case in.EnableNAUMetrics != nil:
			if in.EnableNAUMetrics.Value == nil {
				return apierr.Missing("EnableNetworkAddressUsageMetrics.Value")
			}
			vpc.EnableNAUMetrics = *in.EnableNAUMetrics.Value
		}
		return putObj(tx, kindVpc, vpc.VpcID, vpc)
	})
}

// ModifyVpcTenancyInput is the input of ModifyVpcTenancy.
type ModifyVpcTenancyInput struct {
	VpcID           string `ec2:"VpcId,required"`
	InstanceTenancy string `ec2:"InstanceTenancy,required"`
}

// ModifyVpcTenancy sets a VPC's instance tenancy back to default, the
// only change AWS allows (instances already running keep theirs).
func (c *Cloud) ModifyVpcTenancy(ctx context.Context, sc Scope, in *ModifyVpcTenancyInput) (*Return, error) {
	if in.InstanceTenancy != "default" {
		return nil, invalidValue("Value (%s) for parameter instanceTenancy is invalid. Valid values are: default", in.InstanceTenancy)
	}
	return ok, c.update(ctx, sc, func(tx *txn) error {
		vpc, err := tx.vpc(in.VpcID)
		if err != nil {
			return err
		}
		vpc.InstanceTenancy = "default"
		return putObj(tx, kindVpc, vpc.VpcID, vpc)
	})
}

func joinComma(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ", "
		}
		out += v
	}
	return out
}

// DescribeVpcAttributeInput is the input of DescribeVpcAttribute.
type DescribeVpcAttributeInput struct {
	VpcID     string `ec2:"VpcId,required"`
	Attribute string `ec2:"Attribute,required"`
}

// DescribeVpcAttributeOutput is the output of DescribeVpcAttribute: the VPC
// and the one attribute asked for.
type DescribeVpcAttributeOutput struct {
	VpcID              string            `xml:"vpcId"`
	EnableDNSSupport   *AttributeBoolean `xml:"enableDnsSupport,omitempty"`
	EnableDNSHostnames *AttributeBoolean `xml:"enableDnsHostnames,omitempty"`
	EnableNAUMetrics   *AttributeBoolean `xml:"enableNetworkAddressUsageMetrics,omitempty"`
}

// DescribeVpcAttribute reads one attribute of a VPC.
func (c *Cloud) DescribeVpcAttribute(ctx context.Context, sc Scope, in *DescribeVpcAttributeInput) (*DescribeVpcAttributeOutput, error) {
	out := &DescribeVpcAttributeOutput{VpcID: in.VpcID}
	err := c.view(ctx, sc, func(tx *txn) error {
		vpc, err := tx.vpc(in.VpcID)
		if err != nil {
			return err
		}
		switch in.Attribute {
		case "enableDnsSupport":
			out.EnableDNSSupport = &AttributeBoolean{Value: boolPtr(vpc.EnableDNSSupport)}
		case "enableDnsHostnames":
			out.EnableDNSHostnames = &AttributeBoolean{Value: boolPtr(vpc.EnableDNSHostnames)}
		case "enableNetworkAddressUsageMetrics":
			out.EnableNAUMetrics = &AttributeBoolean{Value: boolPtr(vpc.EnableNAUMetrics)}
		default:
			return invalidValue("Value (%s) for parameter attribute is invalid. Unknown attribute.", in.Attribute)
		}
		return nil
	})
	return out, err
}
