package cloud

import (
	"context"
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	json "github.com/goccy/go-json"
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
	// Ipv6Addresses is always present in AWS's answers.
	Ipv6Addresses []ENIIpv6Address `xml:"ipv6AddressesSet>item" json:"ip6,omitempty"`
	// Association is the interface's public IPv4 address, when it has one.
	Association *ENIAssociation `xml:"association,omitempty" json:"assoc,omitempty"`
	Tags        TagSet          `xml:"tagSet,omitempty" json:"tags,omitempty"`
}

// MarshalXML writes the interface as AWS does: one in an IPv6-only subnet
// has no privateIpAddress element.
func (e NetworkInterface) MarshalXML(enc *xml.Encoder, start xml.StartElement) error {
	type plain NetworkInterface
	if e.PrivateIPAddress.IsValid() {
		return enc.EncodeElement(plain(e), start)
	}
	return enc.EncodeElement(struct {
		plain
		PrivateIPAddress *string `xml:"privateIpAddress,omitempty"`
	}{plain: plain(e)}, start)
}

// addrValue is an address as a filter value: none when it is unset.
func addrValue(a netip.Addr) []string {
	if !a.IsValid() {
		return nil
	}
	return []string{a.String()}
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
	byENI, err := tx.eipsByInterface()
	if err != nil {
		return err
	}
	tx.showAddressesWith(enis, byENI)
	return nil
}

// eipsByInterface maps interfaces to the account's Elastic IPs
// associated with them.
func (tx *txn) eipsByInterface() (map[string][]*Address, error) {
	eips, err := listObj[Address](tx, kindEIP)
	if err != nil {
		return nil, err
	}
	byENI := map[string][]*Address{}
	for _, a := range eips {
		if a.NetworkInterfaceID != "" {
			byENI[a.NetworkInterfaceID] = append(byENI[a.NetworkInterfaceID], a)
		}
	}
	return byENI, nil
}

// showAddressesWith shows each interface's public addresses: the one it
// got at launch on its primary private address, replaced by any Elastic
// IP associated with an address.
func (tx *txn) showAddressesWith(enis []*NetworkInterface, byENI map[string][]*Address) {
	for _, e := range enis {
		if e.Association != nil {
			for i := range e.PrivateIPs {
				if e.PrivateIPs[i].Primary {
					e.PrivateIPs[i].Association = e.Association
				}
			}
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
}

// assignPublicIP gives an interface a public IPv4 address from Amazon's
// pool, as a launch into a subnet that maps public addresses (or with
// AssociatePublicIpAddress) does. It stays until the interface goes; an
// Elastic IP associated later takes its place in answers.
func (tx *txn) assignPublicIP(e *NetworkInterface) {
	ip := publicIPFor(e.NetworkInterfaceID)
	e.Association = &ENIAssociation{PublicIP: ip, PublicDNSName: PublicDNSName(tx.sc.Region, ip), IPOwnerID: "amazon"}
}

// PublicDNSName returns the EC2 public host name of a public address:
// ec2-3-1-2-3.compute-1.amazonaws.com in us-east-1, else
// ec2-3-1-2-3.<region>.compute.amazonaws.com.
func PublicDNSName(region, ip string) string {
	host := "ec2-" + strings.ReplaceAll(ip, ".", "-")
	if region == "us-east-1" {
		return host + ".compute-1.amazonaws.com"
	}
	return host + "." + region + ".compute.amazonaws.com"
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
	var wants []string
	if want != "" {
		wants = []string{want}
	}
	got, err := tx.allocateAddresses(s, wants, 1-len(wants))
	if err != nil {
		return netip.Addr{}, err
	}
	return got[0], nil
}

// addressesInUse are the subnet's addresses in use; with holders, by the
// interface that holds each (decoded from the index records: only
// reassignment needs them, allocation needs the addresses alone).
func (tx *txn) addressesInUse(s *Subnet, holders bool) (map[netip.Addr]string, error) {
	rs, err := tx.ListChildren(tx.sc, kindAddress, s.SubnetID)
	if err != nil {
		return nil, err
	}
	used := make(map[netip.Addr]string, len(rs))
	for _, r := range rs {
		_, ip, _ := strings.Cut(r.ID, "/")
		a, err := netip.ParseAddr(ip)
		if err != nil {
			continue
		}
		used[a] = ""
		if holders {
			var rec struct {
				ENI string `json:"eni"`
			}
			if err := json.Unmarshal(r.Data, &rec); err != nil {
				return nil, err
			}
			used[a] = rec.ENI
		}
	}
	return used, nil
}

// allocateAddresses hands out the addresses wanted (each free, in the
// subnet, not reserved, not twice) and extra more, the lowest free ones.
func (tx *txn) allocateAddresses(s *Subnet, wants []string, extra int) ([]netip.Addr, error) {
	used, err := tx.addressesInUse(s, false)
	if err != nil {
		return nil, err
	}
	return allocateFrom(s, used, wants, extra)
}

func allocateFrom(s *Subnet, used map[netip.Addr]string, wants []string, extra int) ([]netip.Addr, error) {
	if !s.CidrBlock.IsValid() {
		if len(wants) == 0 && extra == 0 {
			return nil, nil
		}
		return nil, invalidParameter("Subnet %s is IPv6-only: it has no private IPv4 addresses to give.", s.SubnetID)
	}
	first := s.CidrBlock.Addr().Next().Next().Next().Next()
	last := lastAddr(s.CidrBlock).Prev()
	taken := map[netip.Addr]bool{}
	var out []netip.Addr
	for _, want := range wants {
		a, err := netip.ParseAddr(want)
		if err != nil || !a.Is4() {
			return nil, invalidValue("Invalid value '%s' for privateIpAddress", want)
		}
		switch {
		case !s.CidrBlock.Contains(a):
			return nil, invalidValue("Address %s does not fall within the subnet's address range", a)
		case a.Less(first) || last.Less(a):
			return nil, invalidValue("Address %s is in subnet's reserved address range", a)
		case taken[a]:
			return nil, invalidValue("Duplicate private IP address %s", a)
		}
		if _, inUse := used[a]; inUse {
			return nil, apierr.New("InvalidIPAddress.InUse", "Address %s is in use.", a)
		}
		taken[a] = true
		out = append(out, a)
	}
	for a := first; extra > 0 && !last.Less(a); a = a.Next() {
		if _, inUse := used[a]; !inUse && !taken[a] {
			taken[a] = true
			out = append(out, a)
			extra--
		}
	}
	if extra > 0 {
		return nil, apierr.New("InsufficientFreeAddressesInSubnet", "There are not enough free addresses in subnet '%s' to satisfy the requested number of instances.", s.SubnetID)
	}
	return out, nil
}

// maxPrivateIPs is the most private IPv4 addresses vpce gives one
// interface (AWS's limit depends on the instance type: 50 for the
// largest).
const maxPrivateIPs = 50

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
	if !s.CidrBlock.IsValid() {
		// An IPv6-only subnet: the interface has IPv6 addresses only
		// (the caller gives them).
		switch {
		case typ == InterfaceTypeNatGateway:
			return nil, invalidParameter("Subnet %s is IPv6-only: a NAT gateway needs an IPv4 subnet.", s.SubnetID)
		case want != "":
			return nil, invalidParameter("Subnet %s is IPv6-only: an interface there has no private IPv4 address (%s).", s.SubnetID, want)
		}
		e := &NetworkInterface{
			NetworkInterfaceID: newID("eni"), SubnetID: s.SubnetID, VpcID: s.VpcID, AvailabilityZone: s.AvailabilityZone,
			Description: desc, OwnerID: tx.sc.Account, Status: "available", MacAddress: newMAC(),
			SourceDestCheck: true, InterfaceType: typ, Groups: groups, Tags: tags,
		}
		return e, putObj(tx, kindENI, e.NetworkInterfaceID, e)
	}
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
	SubnetID         string `ec2:"SubnetId,required"`
	Description      string `ec2:"Description"`
	PrivateIPAddress string `ec2:"PrivateIpAddress"`
	PrivateIPs       []struct {
		PrivateIPAddress string `ec2:"PrivateIpAddress"`
		Primary          bool   `ec2:"Primary"`
	} `ec2:"PrivateIpAddresses"`
	SecondaryCount    *int32             `ec2:"SecondaryPrivateIpAddressCount"`
	Ipv6Addresses     []Ipv6AddressInput `ec2:"Ipv6Addresses"`
	Ipv6AddressCount  *int32             `ec2:"Ipv6AddressCount"`
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
			primary, secondaries, extra, err := in.addresses()
			if err != nil {
				return nil, err
			}
			wants6, extra6, err := ipv6Request(s, in.Ipv6Addresses, in.Ipv6AddressCount)
			if err != nil {
				return nil, err
			}
			e, err := tx.newInterfaceTxn(s, primary, groups, InterfaceTypeInterface, in.Description, tags["network-interface"])
			if err != nil {
				return nil, err
			}
			if len(secondaries) > 0 || extra > 0 {
				if err := tx.addAddressesTxn(s, e, secondaries, extra); err != nil {
					return nil, err
				}
			}
			if len(wants6) > 0 || extra6 > 0 {
				if _, err := tx.addIpv6Txn(s, e, wants6, extra6); err != nil {
					return nil, err
				}
			}
			if !e.PrivateIPAddress.IsValid() && len(e.Ipv6Addresses) == 0 {
				return nil, invalidValue("Subnet %s is IPv6-only: an interface there needs at least one IPv6 address.", s.SubnetID)
			}
			return e, putObj(tx, kindENI, e.NetworkInterfaceID, e)
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

// addresses reads the primary address asked for, the secondary ones,
// and how many more secondary ones to choose, as AWS reads them.
func (in *CreateNetworkInterfaceInput) addresses() (primary string, secondaries []string, extra int, err error) {
	primary = in.PrivateIPAddress
	for _, p := range in.PrivateIPs {
		switch {
		case p.Primary && primary != "" && primary != p.PrivateIPAddress:
			return "", nil, 0, invalidValue("Only one primary private IP address can be specified")
		case p.Primary:
			primary = p.PrivateIPAddress
		default:
			secondaries = append(secondaries, p.PrivateIPAddress)
		}
	}
	if in.SecondaryCount != nil {
		if *in.SecondaryCount < 0 {
			return "", nil, 0, invalidValue("Value (%d) for parameter secondaryPrivateIpAddressCount is invalid. Expected a positive integer.", *in.SecondaryCount)
		}
		if len(secondaries) > 0 {
			return "", nil, 0, apierr.New("InvalidParameterCombination", "The parameters 'secondaryPrivateIpAddressCount' and a secondary 'privateIpAddresses' may not be specified together")
		}
		extra = int(*in.SecondaryCount)
	}
	if 1+len(secondaries)+extra > maxPrivateIPs {
		return "", nil, 0, apierr.New("PrivateIpAddressLimitExceeded", "Number of private addresses will exceed limit.")
	}
	return primary, secondaries, extra, nil
}

// addAddressesTxn gives an interface secondary addresses: those wanted
// and extra more. With reassign, a wanted address another interface of
// the subnet holds as a secondary one moves here.
func (tx *txn) addAddressesTxn(s *Subnet, e *NetworkInterface, wants []string, extra int) error {
	_, err := tx.assignTxn(s, e, wants, extra, false)
	return err
}

func (tx *txn) assignTxn(s *Subnet, e *NetworkInterface, wants []string, extra int, reassign bool) ([]netip.Addr, error) {
	if len(e.PrivateIPs)+len(wants)+extra > maxPrivateIPs {
		return nil, apierr.New("PrivateIpAddressLimitExceeded", "Number of private addresses will exceed limit.")
	}
	used, err := tx.addressesInUse(s, reassign)
	if err != nil {
		return nil, err
	}
	if reassign {
		for _, w := range wants {
			a, err := netip.ParseAddr(w)
			if err != nil {
				continue // allocateFrom says why
			}
			if holder, ok := used[a]; ok && holder != e.NetworkInterfaceID {
				other, err := tx.networkInterface(holder)
				if err != nil {
					return nil, err
				}
				if other.PrivateIPAddress == a {
					return nil, apierr.New("InvalidIPAddress.InUse", "Address %s is the primary address of %s and cannot be reassigned.", a, holder)
				}
				other.PrivateIPs = slices.DeleteFunc(other.PrivateIPs, func(p PrivateIP) bool { return p.PrivateIPAddress == a })
				if err := putObj(tx, kindENI, other.NetworkInterfaceID, other); err != nil {
					return nil, err
				}
				delete(used, a)
			}
		}
	}
	got, err := allocateFrom(s, used, wants, extra)
	if err != nil {
		return nil, err
	}
	for _, a := range got {
		e.PrivateIPs = append(e.PrivateIPs, PrivateIP{PrivateIPAddress: a, PrivateDNSName: PrivateDNSName(tx.sc.Region, a)})
	}
	return got, putObj(tx, kindENI, e.NetworkInterfaceID, e)
}

// AssignPrivateIpAddressesInput is the input of AssignPrivateIpAddresses.
type AssignPrivateIpAddressesInput struct {
	NetworkInterfaceID string   `ec2:"NetworkInterfaceId,required"`
	PrivateIPs         []string `ec2:"PrivateIpAddress"`
	SecondaryCount     *int32   `ec2:"SecondaryPrivateIpAddressCount"`
	AllowReassignment  bool     `ec2:"AllowReassignment"`
}

// AssignPrivateIpAddressesOutput is the output of AssignPrivateIpAddresses.
type AssignPrivateIpAddressesOutput struct {
	NetworkInterfaceID string `xml:"networkInterfaceId"`
	Assigned           []struct {
		PrivateIPAddress string `xml:"privateIpAddress"`
	} `xml:"assignedPrivateIpAddressesSet>item"`
}

// AssignPrivateIpAddresses gives an interface secondary private addresses:
// those named (moved from another interface with AllowReassignment) or a
// number chosen from the subnet.
func (c *Cloud) AssignPrivateIpAddresses(ctx context.Context, sc Scope, in *AssignPrivateIpAddressesInput) (*AssignPrivateIpAddressesOutput, error) {
	extra := 0
	switch {
	case len(in.PrivateIPs) > 0 && in.SecondaryCount != nil:
		return nil, apierr.New("InvalidParameterCombination", "The parameters 'privateIpAddress' and 'secondaryPrivateIpAddressCount' may not be specified together")
	case in.SecondaryCount != nil && *in.SecondaryCount < 1:
		return nil, invalidValue("Value (%d) for parameter secondaryPrivateIpAddressCount is invalid. Expected a positive integer.", *in.SecondaryCount)
	case in.SecondaryCount != nil:
		extra = int(*in.SecondaryCount)
	case len(in.PrivateIPs) == 0:
		return nil, apierr.New("MissingParameter", "Either 'privateIpAddress' or 'secondaryPrivateIpAddressCount' must be specified")
	}
	out := &AssignPrivateIpAddressesOutput{NetworkInterfaceID: in.NetworkInterfaceID}
	err := c.update(ctx, sc, func(tx *txn) error {
		e, err := tx.networkInterface(in.NetworkInterfaceID)
		if err != nil {
			return err
		}
		s, err := tx.subnet(e.SubnetID)
		if err != nil {
			return err
		}
		for _, w := range in.PrivateIPs {
			if a, err := netip.ParseAddr(w); err == nil && slices.ContainsFunc(e.PrivateIPs, func(p PrivateIP) bool { return p.PrivateIPAddress == a }) {
				return apierr.New("InvalidParameterValue", "Address %s is already assigned to %s", a, e.NetworkInterfaceID)
			}
		}
		got, err := tx.assignTxn(s, e, in.PrivateIPs, extra, in.AllowReassignment)
		for _, a := range got {
			out.Assigned = append(out.Assigned, struct {
				PrivateIPAddress string `xml:"privateIpAddress"`
			}{a.String()})
		}
		return err
	})
	return out, err
}

// UnassignPrivateIpAddressesInput is the input of UnassignPrivateIpAddresses.
type UnassignPrivateIpAddressesInput struct {
	NetworkInterfaceID string   `ec2:"NetworkInterfaceId,required"`
	PrivateIPs         []string `ec2:"PrivateIpAddress,required"`
}

// UnassignPrivateIpAddresses takes secondary private addresses from an
// interface (never its primary one).
func (c *Cloud) UnassignPrivateIpAddresses(ctx context.Context, sc Scope, in *UnassignPrivateIpAddressesInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		e, err := tx.networkInterface(in.NetworkInterfaceID)
		if err != nil {
			return err
		}
		for _, w := range in.PrivateIPs {
			a, err := netip.ParseAddr(w)
			if err != nil {
				return invalidValue("Invalid value '%s' for privateIpAddress", w)
			}
			i := slices.IndexFunc(e.PrivateIPs, func(p PrivateIP) bool { return p.PrivateIPAddress == a })
			switch {
			case i < 0:
				return apierr.New("InvalidParameterValue", "Some of the specified addresses are not assigned to interface %s", e.NetworkInterfaceID)
			case e.PrivateIPs[i].Primary:
				return apierr.New("InvalidParameterValue", "The primary private IP address %s of %s cannot be unassigned", a, e.NetworkInterfaceID)
			}
			e.PrivateIPs = slices.Delete(e.PrivateIPs, i, i+1)
		}
		return putObj(tx, kindENI, e.NetworkInterfaceID, e)
	})
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

// eniAssoc reads a field of an interface's public address association
// (shown from the account's Elastic IPs before filtering).
func eniAssoc(f func(*ENIAssociation) string) func(*NetworkInterface) []string {
	return func(e *NetworkInterface) []string {
		if e.Association == nil {
			return nil
		}
		return one(f(e.Association))
	}
}

var eniFields = fields[NetworkInterface]{
	"association.public-ip":       eniAssoc(func(a *ENIAssociation) string { return a.PublicIP }),
	"association.allocation-id":   eniAssoc(func(a *ENIAssociation) string { return a.AllocationID }),
	"association.association-id":  eniAssoc(func(a *ENIAssociation) string { return a.AssociationID }),
	"association.ip-owner-id":     eniAssoc(func(a *ENIAssociation) string { return a.IPOwnerID }),
	"association.public-dns-name": eniAssoc(func(a *ENIAssociation) string { return a.PublicDNSName }),
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
	"ipv6-addresses.ipv6-address": func(e *NetworkInterface) []string {
		return mapSlice(e.Ipv6Addrs(), netip.Addr.String)
	},
	"ipv6-address":         func(e *NetworkInterface) []string { return mapSlice(e.Ipv6Addrs(), netip.Addr.String) },
	"interface-type":       func(e *NetworkInterface) []string { return one(e.InterfaceType) },
	"mac-address":          func(e *NetworkInterface) []string { return one(e.MacAddress) },
	"network-interface-id": func(e *NetworkInterface) []string { return one(e.NetworkInterfaceID) },
	"owner-id":             func(e *NetworkInterface) []string { return one(e.OwnerID) },
	"private-ip-address":   func(e *NetworkInterface) []string { return addrValue(e.PrivateIPAddress) },
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
		// Associations are shown from the Elastic IPs: before filtering when
		// a filter reads them, else on the page only.
		shown := slices.ContainsFunc(in.Filters, func(f Filter) bool { return strings.HasPrefix(f.Name, "association.") })
		if shown {
			if err := tx.showAddresses(all); err != nil {
				return err
			}
		}
		if all, err = filter(ctx, all, in.Filters, eniFields, eniTags); err != nil {
			return err
		}
		if out.NetworkInterfaces, out.NextToken, err = paginate(all, eniID, in.Page, 5, 1000); err != nil {
			return err
		}
		if shown {
			return nil
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
	Attachment         *struct {
		AttachmentID        string `ec2:"AttachmentId"`
		DeleteOnTermination *bool  `ec2:"DeleteOnTermination"`
	} `ec2:"Attachment"`
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
	if in.Attachment != nil {
		n++
	}
	switch {
	case n == 0:
		return nil, apierr.New("MissingParameter", "The request must contain one attribute to modify: groupSet, description, sourceDestCheck or attachment")
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
		case in.Attachment != nil:
			switch {
			case in.Attachment.AttachmentID == "":
				return apierr.Missing("Attachment.AttachmentId")
			case in.Attachment.DeleteOnTermination == nil:
				return apierr.Missing("Attachment.DeleteOnTermination")
			case e.Attachment == nil || e.Attachment.AttachmentID != in.Attachment.AttachmentID:
				return apierr.New("InvalidAttachmentID.NotFound", "The attachment ID '%s' does not exist", in.Attachment.AttachmentID)
			}
			e.Attachment.DeleteOnTermination = *in.Attachment.DeleteOnTermination
		}
		return putObj(tx, kindENI, e.NetworkInterfaceID, e)
	})
}
