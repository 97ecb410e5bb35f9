package cloud

import (
	"context"
	"encoding/xml"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/vpce/vpce/internal/apierr"
)

// Subnet is a range of a VPC's addresses in one availability zone.
type Subnet struct {
	SubnetID                string                `xml:"subnetId" json:"id"`
	SubnetArn               string                `xml:"subnetArn" json:"arn"`
	OwnerID                 string                `xml:"ownerId" json:"owner"`
	State                   string                `xml:"state" json:"state"`
	VpcID                   string                `xml:"vpcId" json:"vpc"`
	CidrBlock               netip.Prefix          `xml:"cidrBlock" json:"cidr"`
	AvailableIPAddressCount int                   `xml:"availableIpAddressCount" json:"-"`
	AvailabilityZone        string                `xml:"availabilityZone" json:"az"`
	AvailabilityZoneID      string                `xml:"availabilityZoneId" json:"azId"`
	DefaultForAz            bool                  `xml:"defaultForAz" json:"defaultForAz"`
	MapPublicIPOnLaunch     bool                  `xml:"mapPublicIpOnLaunch" json:"mapPublicIp"`
	AssignIpv6OnCreation    bool                  `xml:"assignIpv6AddressOnCreation" json:"assignIpv6"`
	EnableDNS64             bool                  `xml:"enableDns64" json:"dns64"`
	Ipv6Native              bool                  `xml:"ipv6Native" json:"ipv6Native"`
	PrivateDNSNameOptions   PrivateDNSNameOptions `xml:"privateDnsNameOptionsOnLaunch" json:"dnsNameOptions"`
	Tags                    TagSet                `xml:"tagSet,omitempty" json:"tags,omitempty"`
	// Ipv6CidrBlockAssociationSet is always present in AWS's answers,
	// empty when the subnet has no IPv6 block.
	Ipv6CidrBlockAssociationSet []SubnetIpv6Association `xml:"ipv6CidrBlockAssociationSet>item" json:"cidr6,omitempty"`
	MapCustomerOwnedIPOnLaunch  bool                    `xml:"mapCustomerOwnedIpOnLaunch" json:"-"`
}

// MarshalXML writes the subnet as AWS does: an IPv6-only subnet has no
// cidrBlock element.
func (s Subnet) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	type plain Subnet
	if s.CidrBlock.IsValid() {
		return e.EncodeElement(plain(s), start)
	}
	return e.EncodeElement(struct {
		plain
		CidrBlock *string `xml:"cidrBlock,omitempty"`
	}{plain: plain(s)}, start)
}

// PrivateDNSNameOptions is how instances launched in a subnet are named.
type PrivateDNSNameOptions struct {
	HostnameType                    string `xml:"hostnameType" json:"type"`
	EnableResourceNameDNSARecord    bool   `xml:"enableResourceNameDnsARecord" json:"a"`
	EnableResourceNameDNSAAAARecord bool   `xml:"enableResourceNameDnsAAAARecord" json:"aaaa"`
}

// reservedAddresses is how many addresses AWS keeps in each subnet: the
// network address, the VPC router, DNS, one for future use and broadcast.
const reservedAddresses = 5

// subnetSize is how many IPv4 addresses a block holds (none for an
// IPv6-only subnet's missing one).
func subnetSize(p netip.Prefix) int {
	if !p.IsValid() {
		return reservedAddresses
	}
	return 1 << (32 - p.Bits())
}

func (tx *txn) subnet(id string) (*Subnet, error) {
	if err := checkID(id, "subnet", "InvalidSubnetID.Malformed"); err != nil {
		return nil, err
	}
	return getOr[Subnet](tx, kindSubnet, id, notFound("InvalidSubnetID.NotFound", "subnet", id))
}

func (tx *txn) subnetsOf(vpcID string) ([]*Subnet, error) {
	all, err := listChildren[Subnet](tx, kindSubnet, vpcID)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, s := range all {
		if s.VpcID == vpcID {
			out = append(out, s)
		}
	}
	return out, nil
}

func (tx *txn) createSubnetTxn(vpc *Vpc, cidr netip.Prefix, zone string, tags []Tag) (*Subnet, error) {
	z, _ := tx.region().Zone(zone)
	s := &Subnet{
		SubnetID: newID("subnet"), OwnerID: tx.sc.Account, State: "available", VpcID: vpc.VpcID, CidrBlock: cidr,
		AvailabilityZone: z.Name, AvailabilityZoneID: z.ID, Tags: tags,
		PrivateDNSNameOptions: PrivateDNSNameOptions{HostnameType: "ip-name"},
	}
	s.SubnetArn = fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", tx.sc.Region, tx.sc.Account, s.SubnetID)
	if err := putObj(tx, kindSubnet, s.SubnetID, s); err != nil {
		return nil, err
	}
	acl, err := tx.defaultNetworkACL(vpc.VpcID)
	if err != nil {
		return nil, err
	}
	acl.Associations = append(acl.Associations, ACLAssociation{AssociationID: newID("aclassoc"), NetworkACLID: acl.NetworkACLID, SubnetID: s.SubnetID})
	if err := putObj(tx, kindACL, acl.NetworkACLID, acl); err != nil {
		return nil, err
	}
	return s, nil
}

// CreateSubnetInput is the input of CreateSubnet.
type CreateSubnetInput struct {
	VpcID              string             `ec2:"VpcId,required"`
	CidrBlock          string             `ec2:"CidrBlock"`
	AvailabilityZone   string             `ec2:"AvailabilityZone"`
	AvailabilityZoneID string             `ec2:"AvailabilityZoneId"`
	Ipv6CidrBlock      string             `ec2:"Ipv6CidrBlock"`
	Ipv6Native         *bool              `ec2:"Ipv6Native"`
	TagSpecifications  []TagSpecification `ec2:"TagSpecification"`
}

// CreateSubnetOutput is the output of CreateSubnet.
type CreateSubnetOutput struct {
	Subnet *Subnet `xml:"subnet"`
}

// CreateSubnet creates a subnet inside a VPC's CIDR that overlaps no other.
func (c *Cloud) CreateSubnet(ctx context.Context, sc Scope, in *CreateSubnetInput) (*CreateSubnetOutput, error) {
	native := in.Ipv6Native != nil && *in.Ipv6Native
	switch {
	case native && in.Ipv6CidrBlock == "":
		return nil, apierr.New("MissingParameter", "Either 'ipv6CidrBlock' or 'ipv6IpamPoolId' should be provided.")
	case native && in.CidrBlock != "":
		return nil, apierr.New("InvalidParameterCombination", "When specifying ipv4 parameters, cidrBlock or ipv4IpamPoolId, you cannot set ipv6Native to true.")
	case !native && in.CidrBlock == "":
		return nil, apierr.Missing("CidrBlock")
	}
	var cidr netip.Prefix
	if !native {
		var err error
		if cidr, err = parseCIDR(in.CidrBlock, "cidrBlock"); err != nil {
			return nil, err
		}
	}
	tags, err := tagsFor(in.TagSpecifications, "subnet")
	if err != nil {
		return nil, err
	}
	var s *Subnet
	err = c.update(ctx, sc, func(tx *txn) error {
		vpc, err := tx.vpc(in.VpcID)
		if err != nil {
			return err
		}
		reg := tx.region()
		zone := reg.Zones[0].Name
		switch {
		case in.AvailabilityZone != "" && in.AvailabilityZoneID != "":
			return apierr.New("InvalidParameterCombination", "Only one of availabilityZone and availabilityZoneId may be specified.")
		case in.AvailabilityZone != "" || in.AvailabilityZoneID != "":
			want := in.AvailabilityZone + in.AvailabilityZoneID
			z, ok := reg.Zone(want)
			if !ok {
				names := make([]string, len(reg.Zones))
				for i, z := range reg.Zones {
					names[i] = z.Name
				}
				return invalidValue("Value (%s) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: %s.", want, strings.Join(names, ", "))
			}
			zone = z.Name
		}
		if !native {
			if _, inVpc := vpc.contains(cidr); !inVpc || cidr.Bits() < 16 || cidr.Bits() > 28 {
				return apierr.New("InvalidSubnet.Range", "The CIDR '%s' is invalid.", in.CidrBlock)
			}
			others, err := tx.subnetsOf(vpc.VpcID)
			if err != nil {
				return err
			}
			for _, o := range others {
				if o.CidrBlock.IsValid() && o.CidrBlock.Overlaps(cidr) {
					return apierr.New("InvalidSubnet.Conflict", "The CIDR '%s' conflicts with another subnet", in.CidrBlock)
				}
			}
		}
		var v6 netip.Prefix
		if in.Ipv6CidrBlock != "" {
			if v6, err = parseSubnetIpv6(vpc, in.Ipv6CidrBlock); err != nil {
				return err
			}
			if err := tx.checkSubnetIpv6Free(vpc.VpcID, v6); err != nil {
				return err
			}
		}
		s, err = tx.createSubnetTxn(vpc, cidr, zone, tags["subnet"])
		if err != nil || !v6.IsValid() {
			return err
		}
		s.Ipv6CidrBlockAssociationSet = []SubnetIpv6Association{newSubnetIpv6Association(v6)}
		if native {
			// AWS's IPv6-only subnets give every interface an IPv6
			// address and name instances by resource.
			s.Ipv6Native, s.AssignIpv6OnCreation = true, true
			s.PrivateDNSNameOptions.HostnameType = "resource-name"
		}
		return putObj(tx, kindSubnet, s.SubnetID, s)
	})
	if err != nil {
		return nil, err
	}
	out := *s // "available" already: AWS's CreateSubnet answers so today
	out.AvailableIPAddressCount = subnetSize(cidr) - reservedAddresses
	return &CreateSubnetOutput{Subnet: &out}, nil
}

// DescribeSubnetsInput is the input of DescribeSubnets.
type DescribeSubnetsInput struct {
	SubnetIDs []string `ec2:"SubnetId"`
	Filters   []Filter `ec2:"Filter"`
	Page
}

// DescribeSubnetsOutput is the output of DescribeSubnets.
type DescribeSubnetsOutput struct {
	Subnets   []*Subnet `xml:"subnetSet>item"`
	NextToken string    `xml:"nextToken,omitempty"`
}

var subnetFields = fields[Subnet]{
	"availability-zone":          func(s *Subnet) []string { return one(s.AvailabilityZone) },
	"availabilityZone":           func(s *Subnet) []string { return one(s.AvailabilityZone) },
	"availability-zone-id":       func(s *Subnet) []string { return one(s.AvailabilityZoneID) },
	"available-ip-address-count": func(s *Subnet) []string { return one(strconv.Itoa(s.AvailableIPAddressCount)) },
	"cidr-block":                 func(s *Subnet) []string { return one(s.CidrBlock.String()) },
	"cidr":                       func(s *Subnet) []string { return one(s.CidrBlock.String()) },
	"cidrBlock":                  func(s *Subnet) []string { return one(s.CidrBlock.String()) },
	"default-for-az":             func(s *Subnet) []string { return boolStr(s.DefaultForAz) },
	"defaultForAz":               func(s *Subnet) []string { return boolStr(s.DefaultForAz) },
	"map-public-ip-on-launch":    func(s *Subnet) []string { return boolStr(s.MapPublicIPOnLaunch) },
	"owner-id":                   func(s *Subnet) []string { return one(s.OwnerID) },
	"state":                      func(s *Subnet) []string { return one(s.State) },
	"subnet-arn":                 func(s *Subnet) []string { return one(s.SubnetArn) },
	"subnet-id":                  func(s *Subnet) []string { return one(s.SubnetID) },
	"vpc-id":                     func(s *Subnet) []string { return one(s.VpcID) },
	"ipv6-native":                func(s *Subnet) []string { return boolStr(s.Ipv6Native) },
	"ipv6-cidr-block-association.ipv6-cidr-block": func(s *Subnet) []string {
		return mapSlice(s.Ipv6CidrBlockAssociationSet, func(a SubnetIpv6Association) string { return a.Ipv6CidrBlock.String() })
	},
	"ipv6-cidr-block-association.association-id": func(s *Subnet) []string {
		return mapSlice(s.Ipv6CidrBlockAssociationSet, func(a SubnetIpv6Association) string { return a.AssociationID })
	},
	"ipv6-cidr-block-association.state": func(s *Subnet) []string {
		return mapSlice(s.Ipv6CidrBlockAssociationSet, func(a SubnetIpv6Association) string { return a.Ipv6CidrBlockState.State })
	},
	"assign-ipv6-address-on-creation": func(s *Subnet) []string { return boolStr(s.AssignIpv6OnCreation) },
}

func subnetID(s *Subnet) string  { return s.SubnetID }
func subnetTags(s *Subnet) []Tag { return s.Tags }

// usedAddresses counts the ENI addresses in use in each of the subnets,
// reading only their interfaces (the parent index).
func (tx *txn) usedAddresses(subnets []*Subnet) (map[string]int, error) {
	used := map[string]int{}
	for _, s := range subnets {
		enis, err := listChildren[NetworkInterface](tx, kindENI, s.SubnetID)
		if err != nil {
			return nil, err
		}
		for _, e := range enis {
			used[s.SubnetID] += len(e.PrivateIPs)
		}
	}
	return used, nil
}

// DescribeSubnets lists subnets with their current free address counts.
func (c *Cloud) DescribeSubnets(ctx context.Context, sc Scope, in *DescribeSubnetsInput) (*DescribeSubnetsOutput, error) {
	out := &DescribeSubnetsOutput{}
	err := c.view(ctx, sc, func(tx *txn) error {
		for _, id := range in.SubnetIDs {
			if err := checkID(id, "subnet", "InvalidSubnetID.Malformed"); err != nil {
				return err
			}
		}
		all, err := narrow[Subnet](tx, kindSubnet, in.SubnetIDs, in.Filters, "vpc-id")
		if err != nil {
			return err
		}
		used, err := tx.usedAddresses(all)
		if err != nil {
			return err
		}
		for _, s := range all {
			s.AvailableIPAddressCount = subnetSize(s.CidrBlock) - reservedAddresses - used[s.SubnetID]
		}
		if all, err = selectIDs(all, subnetID, in.SubnetIDs, errNotFoundMany("InvalidSubnetID.NotFound", "subnet")); err != nil {
			return err
		}
		if all, err = filter(ctx, all, in.Filters, subnetFields, subnetTags); err != nil {
			return err
		}
		out.Subnets, out.NextToken, err = paginate(all, subnetID, in.Page, 5, 1000)
		return err
	})
	return out, err
}

// DeleteSubnetInput is the input of DeleteSubnet.
type DeleteSubnetInput struct {
	SubnetID string `ec2:"SubnetId,required"`
}

// DeleteSubnet deletes a subnet that holds no network interfaces, with its
// route table and network ACL associations.
func (c *Cloud) DeleteSubnet(ctx context.Context, sc Scope, in *DeleteSubnetInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		s, err := tx.subnet(in.SubnetID)
		if err != nil {
			return err
		}
		enis, err := listChildren[NetworkInterface](tx, kindENI, s.SubnetID)
		if err != nil {
			return err
		}
		if len(enis) > 0 {
			return dependencyViolation("subnet", s.SubnetID)
		}
		nats, err := listObj[NatGateway](tx, kindNAT)
		if err != nil {
			return err
		}
		for _, n := range nats {
			if n.SubnetID == s.SubnetID && n.state(tx) != "deleted" {
				return dependencyViolation("subnet", s.SubnetID)
			}
		}
		rts, err := listChildren[RouteTable](tx, kindRT, s.VpcID)
		if err != nil {
			return err
		}
		for _, rt := range rts {
			if n := len(rt.Associations); rt.dropSubnet(s.SubnetID) != n {
				if err := putObj(tx, kindRT, rt.RouteTableID, rt); err != nil {
					return err
				}
			}
		}
		acls, err := listChildren[NetworkACL](tx, kindACL, s.VpcID)
		if err != nil {
			return err
		}
		for _, a := range acls {
			if n := len(a.Associations); a.dropSubnet(s.SubnetID) != n {
				if err := putObj(tx, kindACL, a.NetworkACLID, a); err != nil {
					return err
				}
			}
		}
		return delObj(tx, kindSubnet, s.SubnetID)
	})
}

// ModifySubnetAttributeInput is the input of ModifySubnetAttribute.
type ModifySubnetAttributeInput struct {
	SubnetID                       string            `ec2:"SubnetId,required"`
	MapPublicIPOnLaunch            *AttributeBoolean `ec2:"MapPublicIpOnLaunch"`
	AssignIpv6OnCreation           *AttributeBoolean `ec2:"AssignIpv6AddressOnCreation"`
	EnableDNS64                    *AttributeBoolean `ec2:"EnableDns64"`
	EnableResourceNameDNSA         *AttributeBoolean `ec2:"EnableResourceNameDnsARecordOnLaunch"`
	EnableResourceNameDNSAAAA      *AttributeBoolean `ec2:"EnableResourceNameDnsAAAARecordOnLaunch"`
	PrivateDNSHostnameTypeOnLaunch string            `ec2:"PrivateDnsHostnameTypeOnLaunch"`
}

// ModifySubnetAttribute sets one attribute of a subnet.
func (c *Cloud) ModifySubnetAttribute(ctx context.Context, sc Scope, in *ModifySubnetAttributeInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		s, err := tx.subnet(in.SubnetID)
		if err != nil {
			return err
		}
		n := 0
		set := func(a *AttributeBoolean, dst *bool) error {
			if a == nil {
				return nil
			}
			n++
			if a.Value == nil {
				return apierr.Missing("Value")
			}
			*dst = *a.Value
			return nil
		}
		for _, p := range []struct {
			a   *AttributeBoolean
			dst *bool
		}{
			{in.MapPublicIPOnLaunch, &s.MapPublicIPOnLaunch},
			{in.AssignIpv6OnCreation, &s.AssignIpv6OnCreation},
			{in.EnableDNS64, &s.EnableDNS64},
			{in.EnableResourceNameDNSA, &s.PrivateDNSNameOptions.EnableResourceNameDNSARecord},
			{in.EnableResourceNameDNSAAAA, &s.PrivateDNSNameOptions.EnableResourceNameDNSAAAARecord},
		} {
			if err := set(p.a, p.dst); err != nil {
				return err
			}
		}
		if in.AssignIpv6OnCreation != nil && s.Ipv6Native && !s.AssignIpv6OnCreation {
			return invalidValue("Invalid value 'false' for assign-ipv6-address-on-creation. Subnet %s is IPv6-only: its interfaces always get an IPv6 address.", s.SubnetID)
		}
		if in.AssignIpv6OnCreation != nil && s.AssignIpv6OnCreation && !s.HasIpv6() {
			// AWS's words, as recorded in terraform-provider-aws issues.
			return invalidValue("Invalid value 'true' for assign-ipv6-address-on-creation. Cannot set assign-ipv6-address-on-creation to true unless the subnet (%s) has an IPv6 CIDR block associated with it.", s.SubnetID)
		}
		switch in.PrivateDNSHostnameTypeOnLaunch {
		case "":
		case "ip-name", "resource-name":
			n++
			s.PrivateDNSNameOptions.HostnameType = in.PrivateDNSHostnameTypeOnLaunch
		default:
			return invalidValue("Value (%s) for parameter privateDnsHostnameTypeOnLaunch is invalid.", in.PrivateDNSHostnameTypeOnLaunch)
		}
		if n == 0 {
			return apierr.New("MissingParameter", "The request must contain one attribute to modify")
		}
		return putObj(tx, kindSubnet, s.SubnetID, s)
	})
}

// parentID files a subnet under its VPC (the store's parent index).
func (s *Subnet) parentID() string { return s.VpcID }
