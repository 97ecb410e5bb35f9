package cloud

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/vpce/vpce/internal/apierr"
)

// Interface types as AWS writes them.
const (
	InterfaceTypeInterface   = "interface"
	InterfaceTypeNatGateway  = "nat_gateway"
	InterfaceTypeVpcEndpoint = "vpc_endpoint"
)

// NetworkInterface is an elastic network interface: an address in a subnet
// guarded by security groups.
type NetworkInterface struct {
	NetworkInterfaceID string            `xml:"networkInterfaceId" json:"id"`
	SubnetID           string            `xml:"subnetId" json:"subnet"`
	VpcID              string            `xml:"vpcId" json:"vpc"`
	AvailabilityZone   string            `xml:"availabilityZone" json:"az"`
	Description        string            `xml:"description" json:"desc"`
	OwnerID            string            `xml:"ownerId" json:"owner"`
	RequesterID        string            `xml:"requesterId,omitempty" json:"requester,omitempty"`
	RequesterManaged   bool              `xml:"requesterManaged" json:"requesterManaged"`
	Status             string            `xml:"status" json:"status"`
	MacAddress         string            `xml:"macAddress" json:"mac"`
	PrivateIPAddress   netip.Addr        `xml:"privateIpAddress" json:"ip"`
	PrivateDNSName     string            `xml:"privateDnsName" json:"dns"`
	SourceDestCheck    bool              `xml:"sourceDestCheck" json:"srcDstCheck"`
	InterfaceType      string            `xml:"interfaceType" json:"type"`
	Groups             []GroupIdentifier `xml:"groupSet>item" json:"groups"`
	Attachment         *ENIAttachment    `xml:"attachment,omitempty" json:"attachment,omitempty"`
	PrivateIPs         []PrivateIP       `xml:"privateIpAddressesSet>item" json:"ips"`
	// Always present in AWS's answers (empty: no IPv6 here).
	Ipv6Addresses EmptyList `xml:"ipv6AddressesSet>item" json:"-"`
	// Association is the interface's public IPv4 address, when it has one.
	Association *ENIAssociation `xml:"association,omitempty" json:"assoc,omitempty"`
	Tags        TagSet          `xml:"tagSet,omitempty" json:"tags,omitempty"`
}

// ENIAssociation is a public IPv4 address associated with an interface.
type ENIAssociation struct {
	PublicIP      string `xml:"publicIp" json:"ip"`
	PublicDNSName string `xml:"publicDnsName,omitempty" json:"dns,omitempty"`
	IPOwnerID     string `xml:"ipOwnerId,omitempty" json:"owner,omitempty"`
	AllocationID  string `xml:"allocationId,omitempty" json:"alloc,omitempty"`
	AssociationID string `xml:"associationId,omitempty" json:"assocId,omitempty"`
}

// GroupIdentifier names a security group.
type GroupIdentifier struct {
	GroupID   string `xml:"groupId" json:"id"`
	GroupName string `xml:"groupName" json:"name"`
}

// PrivateIP is one private address of an interface.
type PrivateIP struct {
	PrivateIPAddress netip.Addr      `xml:"privateIpAddress" json:"ip"`
	PrivateDNSName   string          `xml:"privateDnsName" json:"dns"`
	Primary          bool            `xml:"primary" json:"primary"`
	Association      *ENIAssociation `xml:"association,omitempty" json:"-"`
}

// showAddresses sets the associations of the account's Elastic IPs on the
// interfaces about to be described (an Elastic IP takes the place of a
// public address the interface had).
func (tx *txn) showAddresses(enis []*NetworkInterface) error {
	eips, err := listObj[Address](tx, kindEIP)
	if err != nil || len(eips) == 0 {
		return err
	}
	byENI := map[string][]*Address{}
	for _, a := range eips {
		if a.NetworkInterfaceID != "" {
			byENI[a.NetworkInterfaceID] = append(byENI[a.NetworkInterfaceID], a)
		}
	}
	for _, e := range enis {
		for _, a := range byENI[e.NetworkInterfaceID] {
			as := &ENIAssociation{AllocationID: a.AllocationID, AssociationID: a.AssociationID, IPOwnerID: tx.sc.Account, PublicIP: a.PublicIP}
			for i := range e.PrivateIPs {
				if e.PrivateIPs[i].PrivateIPAddress.String() == a.PrivateIPAddress {
					e.PrivateIPs[i].Association = as
					if e.PrivateIPs[i].Primary {
						e.Association = as
					}
				}
			}
		}
	}
	return nil
}

// ENIAttachment is an interface's attachment to an instance.
type ENIAttachment struct {
	AttachmentID        string    `xml:"attachmentId" json:"id"`
	InstanceID          string    `xml:"instanceId" json:"instance"`
	InstanceOwnerID     string    `xml:"instanceOwnerId" json:"owner"`
	DeviceIndex         int32     `xml:"deviceIndex" json:"index"`
	Status              string    `xml:"status" json:"status"`
	AttachTime          Timestamp `xml:"attachTime" json:"time"`
	DeleteOnTermination bool      `xml:"deleteOnTermination" json:"deleteOnTermination"`
}

func (e *NetworkInterface) parentID() string { return e.SubnetID }

func (tx *txn) networkInterface(id string) (*NetworkInterface, error) {
	if err := checkID(id, "eni", "InvalidNetworkInterfaceID.Malformed"); err != nil {
		return nil, err
	}
	return getOr[NetworkInterface](tx, kindENI, id, notFound("InvalidNetworkInterfaceID.NotFound", "networkInterface", id))
}

// PrivateDNSName returns the EC2 private host name of an address in a
// region: ip-10-0-1-5.ec2.internal in us-east-1, else
// ip-10-0-1-5.<region>.compute.internal.
func PrivateDNSName(region string, a netip.Addr) string {
	host := "ip-" + strings.ReplaceAll(a.String(), ".", "-")
	if region == "us-east-1" {
		return host + ".ec2.internal"
	}
	return host + "." + region + ".compute.internal"
}

// allocateAddress hands out a free address of the subnet: want when given
// and free, else the lowest free one. AWS reserves the first four addresses
// and the last. The caller's write transaction makes this race-free.
func (tx *txn) allocateAddress(s *Subnet, want string) (netip.Addr, error) {
	rs, err := tx.ListChildren(tx.sc, kindAddress, s.SubnetID)
	if err != nil {
		return netip.Addr{}, err
	}
	used := make(map[netip.Addr]bool, len(rs))
	for _, r := range rs {
		_, ip, _ := strings.Cut(r.ID, "/")
		if a, err := netip.ParseAddr(ip); err == nil {
			used[a] = true
		}
	}
	first := s.CidrBlock.Addr().Next().Next().Next().Next()
	last := lastAddr(s.CidrBlock).Prev()
	if want != "" {
		a, err := netip.ParseAddr(want)
		if err != nil || !a.Is4() {
			return netip.Addr{}, invalidValue("Invalid value '%s' for privateIpAddress", want)
		}
		switch {
		case !s.CidrBlock.Contains(a):
			return netip.Addr{}, invalidValue("Address %s does not fall within the subnet's address range", a)
		case a.Less(first) || last.Less(a):
			return netip.Addr{}, invalidValue("Address %s is in subnet's reserved address range", a)
		case used[a]:
			return netip.Addr{}, apierr.New("InvalidIPAddress.InUse", "Address %s is in use.", a)
		}
		return a, nil
	}
	for a := first; !last.Less(a); a = a.Next() {
		if !used[a] {
			return a, nil
		}
	}
	return netip.Addr{}, apierr.New("InsufficientFreeAddressesInSubnet", "There are not enough free addresses in subnet '%s' to satisfy the requested number of instances.", s.SubnetID)
}

func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Addr().As4()
	n := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	n |= (1 << (32 - p.Bits())) - 1
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

func newMAC() string {
	var b [5]byte
	rand.Read(b[:])
	return fmt.Sprintf("02:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2], b[3], b[4])
}

// groupsFor resolves security group IDs in a VPC; none means the VPC's
// default group.
func (tx *txn) groupsFor(vpcID string, ids []string) ([]GroupIdentifier, error) {
	if len(ids) == 0 {
		g, ok, err := tx.groupByName(vpcID, "default")
		if err != nil {
			return nil, err
		}
		if ok {
			return []GroupIdentifier{{g.GroupID, g.GroupName}}, nil
		}
		return nil, internal(errorf("vpc %s has no default security group", vpcID))
	}
	var out []GroupIdentifier
	for _, id := range ids {
		g, err := tx.securityGroup(id)
		if err != nil {
			return nil, err
		}
		if g.VpcID != vpcID {
			return nil, apierr.New("InvalidParameter", "Security group %s and subnet belong to different networks.", id)
		}
		if !slices.ContainsFunc(out, func(o GroupIdentifier) bool { return o.GroupID == id }) {
			out = append(out, GroupIdentifier{g.GroupID, g.GroupName})
		}
	}
	return out, nil
}

// newInterfaceTxn creates an interface in a subnet with an allocated
// address; callers set type-specific fields before it is stored.
func (tx *txn) newInterfaceTxn(s *Subnet, want string, groups []GroupIdentifier, typ, desc string, tags []Tag) (*NetworkInterface, error) {
	a, err := tx.allocateAddress(s, want)
	if err != nil {
		return nil, err
	}
	dns := PrivateDNSName(tx.sc.Region, a)
	e := &NetworkInterface{
		NetworkInterfaceID: newID("eni"), SubnetID: s.SubnetID, VpcID: s.VpcID, AvailabilityZone: s.AvailabilityZone,
		Description: desc, OwnerID: tx.sc.Account, Status: "available", MacAddress: newMAC(), PrivateIPAddress: a,
		PrivateDNSName: dns, SourceDestCheck: true, InterfaceType: typ, Groups: groups,
		PrivateIPs: []PrivateIP{{PrivateIPAddress: a, PrivateDNSName: dns, Primary: true}}, Tags: tags,
	}
	return e, putObj(tx, kindENI, e.NetworkInterfaceID, e)
}

// CreateNetworkInterfaceInput is the input of CreateNetworkInterface.
type CreateNetworkInterfaceInput struct {
	SubnetID          string             `ec2:"SubnetId,required"`
	Description       string             `ec2:"Description"`
	PrivateIPAddress  string             `ec2:"PrivateIpAddress"`
	Groups            []string           `ec2:"SecurityGroupId"`
	InterfaceType     string             `ec2:"InterfaceType"`
	ClientToken       string             `ec2:"ClientToken"`
	TagSpecifications []TagSpecification `ec2:"TagSpecification"`
}

// CreateNetworkInterfaceOutput is the output of CreateNetworkInterface.
type CreateNetworkInterfaceOutput struct {
	NetworkInterface *NetworkInterface `xml:"networkInterface"`
	ClientToken      string            `xml:"clientToken,omitempty"`
}

// CreateNetworkInterface creates an interface with an address from its subnet.
func (c *Cloud) CreateNetworkInterface(ctx context.Context, sc Scope, in *CreateNetworkInterfaceInput) (*CreateNetworkInterfaceOutput, error) {
	if in.InterfaceType != "" && in.InterfaceType != "interface" {
		return nil, apierr.New("UnsupportedOperation", "Interface type %s is not supported by vpce.", in.InterfaceType)
	}
	tags, err := tagsFor(in.TagSpecifications, "network-interface")
	if err != nil {
		return nil, err
	}
	out := &CreateNetworkInterfaceOutput{ClientToken: in.ClientToken}
	err = c.update(ctx, sc, func(tx *txn) error {
		s, err := tx.subnet(in.SubnetID)
		if err != nil {
			return err
		}
		groups, err := tx.groupsFor(s.VpcID, in.Groups)
		if err != nil {
			return err
		}
		return tx.idempotent("CreateNetworkInterface", in.ClientToken, in, &out.NetworkInterface, func() (any, error) {
			return tx.newInterfaceTxn(s, in.PrivateIPAddress, groups, InterfaceTypeInterface, in.Description, tags["network-interface"])
		})
	})
	if err == nil && out.NetworkInterface != nil {
		// AWS answers CreateNetworkInterface with the interface pending;
		// Describe shows it available.
		ni := *out.NetworkInterface
		ni.Status = "pending"
		out.NetworkInterface = &ni
	}
	return out, err
}

// DescribeNetworkInterfacesInput is the input of DescribeNetworkInterfaces.
type DescribeNetworkInterfacesInput struct {
	NetworkInterfaceIDs []string `ec2:"NetworkInterfaceId"`
	Filters             []Filter `ec2:"Filter"`
	Page
}

// DescribeNetworkInterfacesOutput is the output of DescribeNetworkInterfaces.
type DescribeNetworkInterfacesOutput struct {
	NetworkInterfaces []*NetworkInterface `xml:"networkInterfaceSet>item"`
	NextToken         string              `xml:"nextToken,omitempty"`
}

func eniAttach(f func(*ENIAttachment) string) func(*NetworkInterface) []string {
	return func(e *NetworkInterface) []string {
		if e.Attachment == nil {
			return nil
		}
		return one(f(e.Attachment))
	}
}

var eniFields = fields[NetworkInterface]{
	"addresses.private-ip-address": func(e *NetworkInterface) []string {
		return mapSlice(e.PrivateIPs, func(p PrivateIP) string { return p.PrivateIPAddress.String() })
	},
	"addresses.primary": func(e *NetworkInterface) []string {
		return mapSlice(e.PrivateIPs, func(p PrivateIP) string { return fmt.Sprint(p.Primary) })
	},
	"attachment.attachment-id":         eniAttach(func(a *ENIAttachment) string { return a.AttachmentID }),
	"attachment.instance-id":           eniAttach(func(a *ENIAttachment) string { return a.InstanceID }),
	"attachment.instance-owner-id":     eniAttach(func(a *ENIAttachment) string { return a.InstanceOwnerID }),
	"attachment.device-index":          eniAttach(func(a *ENIAttachment) string { return fmt.Sprint(a.DeviceIndex) }),
	"attachment.status":                eniAttach(func(a *ENIAttachment) string { return a.Status }),
	"attachment.delete-on-termination": eniAttach(func(a *ENIAttachment) string { return fmt.Sprint(a.DeleteOnTermination) }),
	"availability-zone":                func(e *NetworkInterface) []string { return one(e.AvailabilityZone) },
	"description":                      func(e *NetworkInterface) []string { return one(e.Description) },
	"group-id": func(e *NetworkInterface) []string {
		return mapSlice(e.Groups, func(g GroupIdentifier) string { return g.GroupID })
	},
	"group-name": func(e *NetworkInterface) []string {
		return mapSlice(e.Groups, func(g GroupIdentifier) string { return g.GroupName })
	},
	"interface-type":       func(e *NetworkInterface) []string { return one(e.InterfaceType) },
	"mac-address":          func(e *NetworkInterface) []string { return one(e.MacAddress) },
	"network-interface-id": func(e *NetworkInterface) []string { return one(e.NetworkInterfaceID) },
	"owner-id":             func(e *NetworkInterface) []string { return one(e.OwnerID) },
	"private-ip-address":   func(e *NetworkInterface) []string { return one(e.PrivateIPAddress.String()) },
	"private-dns-name":     func(e *NetworkInterface) []string { return one(e.PrivateDNSName) },
	"requester-id":         func(e *NetworkInterface) []string { return one(e.RequesterID) },
	"requester-managed":    func(e *NetworkInterface) []string { return boolStr(e.RequesterManaged) },
	"source-dest-check":    func(e *NetworkInterface) []string { return boolStr(e.SourceDestCheck) },
	"status":               func(e *NetworkInterface) []string { return one(e.Status) },
	"subnet-id":            func(e *NetworkInterface) []string { return one(e.SubnetID) },
	"vpc-id":               func(e *NetworkInterface) []string { return one(e.VpcID) },
}

func eniID(e *NetworkInterface) string  { return e.NetworkInterfaceID }
func eniTags(e *NetworkInterface) []Tag { return e.Tags }

// DescribeNetworkInterfaces lists network interfaces.
func (c *Cloud) DescribeNetworkInterfaces(ctx context.Context, sc Scope, in *DescribeNetworkInterfacesInput) (*DescribeNetworkInterfacesOutput, error) {
	if len(in.NetworkInterfaceIDs) > 0 && in.MaxResults != nil {
		return nil, apierr.New("InvalidParameterCombination", "The parameter NetworkInterfaceIds cannot be used with the parameter maxResults")
	}
	out := &DescribeNetworkInterfacesOutput{}
	err := c.view(ctx, sc, func(tx *txn) error {
		for _, id := range in.NetworkInterfaceIDs {
			if err := checkID(id, "eni", "InvalidNetworkInterfaceID.Malformed"); err != nil {
				return err
			}
		}
		plain := len(in.NetworkInterfaceIDs) == 0 && len(in.Filters) == 0
		if page, next, ok, err := pageObj[NetworkInterface](tx, kindENI, in.Page, 5, 1000, plain, nil, eniID); ok {
			out.NetworkInterfaces, out.NextToken = page, next
			if err != nil {
				return err
			}
			return tx.showAddresses(out.NetworkInterfaces)
		}
		all, err := narrow[NetworkInterface](tx, kindENI, in.NetworkInterfaceIDs, in.Filters, "subnet-id")
		if err != nil {
			return err
		}
		if all, err = selectIDs(all, eniID, in.NetworkInterfaceIDs, errNotFoundMany("InvalidNetworkInterfaceID.NotFound", "networkInterface")); err != nil {
			return err
		}
		if all, err = filter(ctx, all, in.Filters, eniFields, eniTags); err != nil {
			return err
		}
		if out.NetworkInterfaces, out.NextToken, err = paginate(all, eniID, in.Page, 5, 1000); err != nil {
			return err
		}
		return tx.showAddresses(out.NetworkInterfaces)
	})
	return out, err
}

// DeleteNetworkInterfaceInput is the input of DeleteNetworkInterface.
type DeleteNetworkInterfaceInput struct {
	NetworkInterfaceID string `ec2:"NetworkInterfaceId,required"`
}

// DeleteNetworkInterface deletes an interface that is neither attached nor
// managed by AWS (endpoint and NAT gateway interfaces).
func (c *Cloud) DeleteNetworkInterface(ctx context.Context, sc Scope, in *DeleteNetworkInterfaceInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		e, err := tx.networkInterface(in.NetworkInterfaceID)
		if err != nil {
			return err
		}
		if e.RequesterManaged {
			return invalidValue("Network interface '%s' is currently in use.", e.NetworkInterfaceID)
		}
		if e.Attachment != nil {
			return apierr.New("InvalidNetworkInterface.InUse", "The network interface '%s' is currently in use.", e.NetworkInterfaceID)
		}
		return delObj(tx, kindENI, e.NetworkInterfaceID)
	})
}

// ModifyNetworkInterfaceAttributeInput is the input of ModifyNetworkInterfaceAttribute.
type ModifyNetworkInterfaceAttributeInput struct {
	NetworkInterfaceID string            `ec2:"NetworkInterfaceId,required"`
	Groups             []string          `ec2:"SecurityGroupId"`
	Description        *AttributeString  `ec2:"Description"`
	SourceDestCheck    *AttributeBoolean `ec2:"SourceDestCheck"`
}

// ModifyNetworkInterfaceAttribute changes an interface's security groups,
// description or source/destination check.
func (c *Cloud) ModifyNetworkInterfaceAttribute(ctx context.Context, sc Scope, in *ModifyNetworkInterfaceAttributeInput) (*Return, error) {
	n := 0
	if len(in.Groups) > 0 {
		n++
	}
	if in.Description != nil {
		n++
	}
	if in.SourceDestCheck != nil {
		n++
	}
	switch {
	case n == 0:
		return nil, apierr.New("MissingParameter", "The request must contain one attribute to modify: groupSet, description or sourceDestCheck")
	case n > 1:
		return nil, apierr.New("InvalidParameterCombination", "Fields for multiple attribute types specified")
	}
	return ok, c.update(ctx, sc, func(tx *txn) error {
		e, err := tx.networkInterface(in.NetworkInterfaceID)
		if err != nil {
			return err
		}
		switch {
		case len(in.Groups) > 0:
			if e.RequesterManaged {
				return apierr.New("OperationNotPermitted", "The security groups of requester-managed network interface %s are managed by its owner; modify the %s instead.", e.NetworkInterfaceID, strings.ReplaceAll(e.InterfaceType, "_", " "))
			}
			groups, err := tx.groupsFor(e.VpcID, in.Groups)
			if err != nil {
				return err
			}
			e.Groups = groups
		case in.Description != nil:
			if in.Description.Value == nil {
				return apierr.Missing("Description.Value")
			}
			e.Description = *in.Description.Value
		case in.SourceDestCheck != nil:
			if in.SourceDestCheck.Value == nil {
				return apierr.Missing("SourceDestCheck.Value")
			}
			e.SourceDestCheck = *in.SourceDestCheck.Value
		}
		return putObj(tx, kindENI, e.NetworkInterfaceID, e)
	})
}
