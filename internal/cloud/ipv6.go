package cloud

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"net/netip"
	"slices"

	json "github.com/goccy/go-json"
	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/store"
)

// IPv6 in vpce follows AWS's Amazon-provided addressing: a VPC gets a /56
// from Amazon's pool (unique across every account and region of the
// store), subnets take /44 to /64 blocks inside it, interfaces take
// addresses from their subnet's block. Addresses are global unicast, so
// they are public: reachable from the internet through an internet
// gateway, or outbound only through an egress-only internet gateway.

// maxVpcIpv6Cidrs is AWS's default quota of IPv6 CIDR blocks per VPC.
const maxVpcIpv6Cidrs = 5

// kindIpv6Block records, in the global scope, the /56 blocks handed out,
// so no two VPCs of any account get the same one.
const kindIpv6Block = "ipv6-block"

// Ipv6CidrAssociation is one IPv6 block of a VPC.
type Ipv6CidrAssociation struct {
	AssociationID        string         `xml:"associationId" json:"id"`
	Ipv6CidrBlock        netip.Prefix   `xml:"ipv6CidrBlock" json:"cidr"`
	Ipv6CidrBlockState   CidrBlockState `xml:"ipv6CidrBlockState" json:"state"`
	NetworkBorderGroup   string         `xml:"networkBorderGroup" json:"nbg"`
	Ipv6Pool             string         `xml:"ipv6Pool" json:"pool"`
	Ipv6AddressAttribute string         `xml:"ipv6AddressAttribute" json:"attr"`
	IPSource             string         `xml:"ipSource" json:"src"`
}

// SubnetIpv6Association is one IPv6 block of a subnet.
type SubnetIpv6Association struct {
	AssociationID        string         `xml:"associationId" json:"id"`
	Ipv6CidrBlock        netip.Prefix   `xml:"ipv6CidrBlock" json:"cidr"`
	Ipv6CidrBlockState   CidrBlockState `xml:"ipv6CidrBlockState" json:"state"`
	Ipv6AddressAttribute string         `xml:"ipv6AddressAttribute" json:"attr"`
	IPSource             string         `xml:"ipSource" json:"src"`
}

// CidrBlockState is the state of a CIDR block association.
type CidrBlockState struct {
	State string `xml:"state" json:"state"`
}

// ENIIpv6Address is one IPv6 address of an interface.
type ENIIpv6Address struct {
	Ipv6Address   netip.Addr `xml:"ipv6Address" json:"ip"`
	IsPrimaryIpv6 bool       `xml:"isPrimaryIpv6" json:"primary"`
}

// Ipv6Blocks returns the VPC's associated IPv6 blocks.
func (v *Vpc) Ipv6Blocks() []netip.Prefix {
	var out []netip.Prefix
	for _, a := range v.Ipv6CidrBlockAssociationSet {
		if a.Ipv6CidrBlockState.State == "associated" {
			out = append(out, a.Ipv6CidrBlock)
		}
	}
	return out
}

// Ipv6Blocks returns the subnet's associated IPv6 blocks.
func (s *Subnet) Ipv6Blocks() []netip.Prefix {
	var out []netip.Prefix
	for _, a := range s.Ipv6CidrBlockAssociationSet {
		if a.Ipv6CidrBlockState.State == "associated" {
			out = append(out, a.Ipv6CidrBlock)
		}
	}
	return out
}

// HasIpv6 reports whether the subnet has an IPv6 block.
func (s *Subnet) HasIpv6() bool { return len(s.Ipv6Blocks()) > 0 }

// Ipv6Addrs returns the interface's IPv6 addresses.
func (e *NetworkInterface) Ipv6Addrs() []netip.Addr {
	out := make([]netip.Addr, len(e.Ipv6Addresses))
	for i, a := range e.Ipv6Addresses {
		out[i] = a.Ipv6Address
	}
	return out
}

// checkIpv6Request refuses the IPv6 sources vpce does not model (pools
// of your own, IPAM) and a border group other than the region.
func checkIpv6Request(amazon bool, pool, block, ipam, borderGroup string) error {
	switch {
	case pool != "" || block != "":
		if amazon {
			return apierr.New("InvalidParameterCombination", "The parameter amazonProvidedIpv6CidrBlock cannot be used with the parameter ipv6Pool")
		}
		return apierr.New("UnsupportedOperation", "IPv6 address pools of your own (BYOIP) are not supported by vpce; use AmazonProvidedIpv6CidrBlock.")
	case ipam != "":
		return apierr.New("UnsupportedOperation", "IPAM pools are not supported by vpce.")
	case borderGroup != "" && !amazon:
		return apierr.New("MissingParameter", "The request must contain the parameter amazonProvidedIpv6CidrBlock when ipv6CidrBlockNetworkBorderGroup is given")
	}
	return nil
}

// ipv6PoolPrefix is the first 32 bits of the Amazon pool vpce hands /56
// blocks from in a region (2600:1f18::/32 in us-east-1, as AWS's own).
func ipv6PoolPrefix(region string) [4]byte {
	third := map[string]byte{"us-east-1": 0x18, "us-east-2": 0x16, "us-west-1": 0x1c, "us-west-2": 0x14,
		"eu-west-1": 0x08, "eu-central-1": 0x12, "ap-southeast-1": 0x1a, "ap-northeast-1": 0x0e}[region]
	if third == 0 {
		h := byte(0)
		for _, c := range []byte(region) {
			h = h*31 + c
		}
		third = 0x20 + h%0x40
	}
	return [4]byte{0x26, 0x00, 0x1f, third}
}

// allocateIpv6BlockTxn hands out a /56 no VPC of the store holds.
func (tx *txn) allocateIpv6BlockTxn(vpcID string) (netip.Prefix, error) {
	pre := ipv6PoolPrefix(tx.sc.Region)
	for range 32 {
		var b [16]byte
		copy(b[:4], pre[:])
		rand.Read(b[4:7])
		p := netip.PrefixFrom(netip.AddrFrom16(b), 56)
		k := store.Key{Scope: globalScope, Kind: kindIpv6Block, ID: p.String()}
		_, err := tx.Get(k)
		switch {
		case errors.Is(err, store.ErrNotFound):
			rec, _ := json.Marshal(struct {
				Vpc     string `json:"vpc"`
				Account string `json:"account"`
			}{vpcID, tx.sc.Account})
			return p, tx.Put(k, rec)
		case err != nil:
			return netip.Prefix{}, err
		}
	}
	return netip.Prefix{}, apierr.New("InsufficientCidrBlocks", "There are not enough free IPv6 CIDR blocks in the Amazon pool.")
}

func (tx *txn) releaseIpv6BlockTxn(p netip.Prefix) error {
	err := tx.Delete(store.Key{Scope: globalScope, Kind: kindIpv6Block, ID: p.String()})
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// associateIpv6Txn gives a VPC an Amazon-provided /56 as AWS does: every
// route table of the VPC gets its local route, the default network ACL
// rules 101 allowing all IPv6 in and out, the default security group an
// outbound rule to ::/0.
func (tx *txn) associateIpv6Txn(vpc *Vpc, borderGroup string) (*Ipv6CidrAssociation, error) {
	if borderGroup != "" && borderGroup != tx.sc.Region {
		return nil, invalidValue("Value (%s) for parameter ipv6CidrBlockNetworkBorderGroup is invalid. The network border group must be the region (%s).", borderGroup, tx.sc.Region)
	}
	if len(vpc.Ipv6Blocks()) >= maxVpcIpv6Cidrs {
		return nil, apierr.New("CidrLimitExceeded", "This network '%s' has met its maximum number of allowed IPv6 CIDRs: %d", vpc.VpcID, maxVpcIpv6Cidrs)
	}
	p, err := tx.allocateIpv6BlockTxn(vpc.VpcID)
	if err != nil {
		return nil, err
	}
	a := Ipv6CidrAssociation{AssociationID: newID("vpc-cidr-assoc"), Ipv6CidrBlock: p, Ipv6CidrBlockState: CidrBlockState{"associated"},
		NetworkBorderGroup: tx.sc.Region, Ipv6Pool: "Amazon", Ipv6AddressAttribute: "public", IPSource: "amazon"}
	first := len(vpc.Ipv6Blocks()) == 0
	vpc.Ipv6CidrBlockAssociationSet = append(vpc.Ipv6CidrBlockAssociationSet, a)
	if err := putObj(tx, kindVpc, vpc.VpcID, vpc); err != nil {
		return nil, err
	}
	rts, err := listChildren[RouteTable](tx, kindRT, vpc.VpcID)
	if err != nil {
		return nil, err
	}
	for _, rt := range rts {
		if rt.VpcID != vpc.VpcID {
			continue
		}
		rt.Routes = append(rt.Routes, Route{DestinationIpv6CidrBlock: p.String(), GatewayID: "local", Origin: "CreateRouteTable", State: "active"})
		if err := putObj(tx, kindRT, rt.RouteTableID, rt); err != nil {
			return nil, err
		}
	}
	if !first {
		return &a, nil
	}
	acl, err := tx.defaultNetworkACL(vpc.VpcID)
	if err != nil {
		return nil, err
	}
	for _, egress := range []bool{true, false} {
		if !slices.ContainsFunc(acl.Entries, func(e ACLEntry) bool { return e.Egress == egress && e.RuleNumber == 101 }) {
			acl.Entries = append(acl.Entries, ACLEntry{RuleNumber: 101, Protocol: "-1", RuleAction: "allow", Egress: egress, Ipv6CidrBlock: "::/0"})
		}
		if !slices.ContainsFunc(acl.Entries, func(e ACLEntry) bool {
			return e.Egress == egress && e.RuleNumber == 32768 && e.Ipv6CidrBlock == "::/0"
		}) {
			acl.Entries = append(acl.Entries, ACLEntry{RuleNumber: 32768, Protocol: "-1", RuleAction: "deny", Egress: egress, Ipv6CidrBlock: "::/0"})
		}
	}
	acl.sortEntries()
	if err := putObj(tx, kindACL, acl.NetworkACLID, acl); err != nil {
		return nil, err
	}
	g, ok, err := tx.groupByName(vpc.VpcID, "default")
	if err != nil || !ok {
		return &a, err
	}
	if !slices.ContainsFunc(g.Rules, func(r SecurityGroupRule) bool { return r.IsEgress && r.CidrIPv6 == "::/0" && r.IPProtocol == "-1" }) {
		r := tx.newRule(g, true, "-1", -1, -1)
		r.CidrIPv6 = "::/0"
		g.Rules = append(g.Rules, r)
		if err := putObj(tx, kindSG, g.GroupID, g); err != nil {
			return nil, err
		}
	}
	return &a, nil
}

// disassociateVpcIpv6Txn removes one of a VPC's IPv6 blocks that no
// subnet uses, with its local routes, and returns it to the pool.
func (tx *txn) disassociateVpcIpv6Txn(vpc *Vpc, i int) (Ipv6CidrAssociation, error) {
	a := vpc.Ipv6CidrBlockAssociationSet[i]
	subnets, err := tx.subnetsOf(vpc.VpcID)
	if err != nil {
		return a, err
	}
	for _, s := range subnets {
		for _, b := range s.Ipv6Blocks() {
			if a.Ipv6CidrBlock.Overlaps(b) {
				return a, apierr.New("InvalidCidrBlock.InUse", "The vpc CIDR block %s is in use by subnet %s and cannot be disassociated.", a.Ipv6CidrBlock, s.SubnetID)
			}
		}
	}
	rts, err := listChildren[RouteTable](tx, kindRT, vpc.VpcID)
	if err != nil {
		return a, err
	}
	for _, rt := range rts {
		if rt.VpcID != vpc.VpcID {
			continue
		}
		rt.Routes = slices.DeleteFunc(rt.Routes, func(r Route) bool {
			return r.GatewayID == "local" && r.DestinationIpv6CidrBlock == a.Ipv6CidrBlock.String()
		})
		if err := putObj(tx, kindRT, rt.RouteTableID, rt); err != nil {
			return a, err
		}
	}
	vpc.Ipv6CidrBlockAssociationSet = slices.Delete(vpc.Ipv6CidrBlockAssociationSet, i, i+1)
	if err := tx.releaseIpv6BlockTxn(a.Ipv6CidrBlock); err != nil {
		return a, err
	}
	return a, putObj(tx, kindVpc, vpc.VpcID, vpc)
}

// parseSubnetIpv6 reads a subnet's IPv6 block: canonical, /44 to /64 in
// steps of 4 (AWS's subnet sizes), inside one of the VPC's IPv6 blocks.
func parseSubnetIpv6(vpc *Vpc, s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil || !p.Addr().Is6() || p.Addr().Is4In6() || p.Bits() < 44 || p.Bits() > 64 || p.Bits()%4 != 0 {
		return netip.Prefix{}, invalidValue("invalid value for parameter ipv6-cidr-block: %s", s)
	}
	if p.Masked() != p {
		return netip.Prefix{}, apierr.New("InvalidSubnet.Range", "The IPv6 CIDR '%s' is invalid.", s)
	}
	for _, b := range vpc.Ipv6Blocks() {
		if b.Contains(p.Addr()) && p.Bits() >= b.Bits() {
			return p, nil
		}
	}
	return netip.Prefix{}, apierr.New("InvalidSubnet.Range", "The IPv6 CIDR '%s' is invalid.", s)
}

// checkSubnetIpv6Free refuses a block that overlaps another subnet's.
func (tx *txn) checkSubnetIpv6Free(vpcID string, p netip.Prefix) error {
	others, err := tx.subnetsOf(vpcID)
	if err != nil {
		return err
	}
	for _, o := range others {
		for _, b := range o.Ipv6Blocks() {
			if b.Overlaps(p) {
				return apierr.New("InvalidSubnet.Conflict", "The CIDR '%s' conflicts with another subnet", p)
			}
		}
	}
	return nil
}

func newSubnetIpv6Association(p netip.Prefix) SubnetIpv6Association {
	return SubnetIpv6Association{AssociationID: newID("subnet-cidr-assoc"), Ipv6CidrBlock: p,
		Ipv6CidrBlockState: CidrBlockState{"associated"}, Ipv6AddressAttribute: "public", IPSource: "amazon"}
}

// AssociateSubnetCidrBlockInput is the input of AssociateSubnetCidrBlock.
type AssociateSubnetCidrBlockInput struct {
	SubnetID          string `ec2:"SubnetId,required"`
	Ipv6CidrBlock     string `ec2:"Ipv6CidrBlock"`
	Ipv6IpamPoolID    string `ec2:"Ipv6IpamPoolId"`
	Ipv6NetmaskLength *int32 `ec2:"Ipv6NetmaskLength"`
}

// AssociateSubnetCidrBlockOutput is the output of AssociateSubnetCidrBlock
// and DisassociateSubnetCidrBlock.
type AssociateSubnetCidrBlockOutput struct {
	Ipv6CidrBlockAssociation *SubnetIpv6Association `xml:"ipv6CidrBlockAssociation"`
	SubnetID                 string                 `xml:"subnetId"`
}

// AssociateSubnetCidrBlock gives a subnet an IPv6 block (one per subnet)
// inside its VPC's IPv6 blocks.
func (c *Cloud) AssociateSubnetCidrBlock(ctx context.Context, sc Scope, in *AssociateSubnetCidrBlockInput) (*AssociateSubnetCidrBlockOutput, error) {
	switch {
	case in.Ipv6IpamPoolID != "" || in.Ipv6NetmaskLength != nil:
		return nil, apierr.New("UnsupportedOperation", "IPAM pools are not supported by vpce.")
	case in.Ipv6CidrBlock == "":
		return nil, apierr.Missing("Ipv6CidrBlock")
	}
	out := &AssociateSubnetCidrBlockOutput{SubnetID: in.SubnetID}
	return out, c.update(ctx, sc, func(tx *txn) error {
		s, err := tx.subnet(in.SubnetID)
		if err != nil {
			return err
		}
		vpc, err := tx.vpc(s.VpcID)
		if err != nil {
			return err
		}
		p, err := parseSubnetIpv6(vpc, in.Ipv6CidrBlock)
		if err != nil {
			return err
		}
		if s.HasIpv6() {
			return apierr.New("InvalidParameterValue", "The subnet %s already has an IPv6 CIDR block associated with it; a subnet can have only one.", s.SubnetID)
		}
		if err := tx.checkSubnetIpv6Free(s.VpcID, p); err != nil {
			return err
		}
		a := newSubnetIpv6Association(p)
		s.Ipv6CidrBlockAssociationSet = append(s.Ipv6CidrBlockAssociationSet, a)
		shown := a
		shown.Ipv6CidrBlockState.State = "associating" // as AWS answers
		out.Ipv6CidrBlockAssociation = &shown
		return putObj(tx, kindSubnet, s.SubnetID, s)
	})
}

// DisassociateSubnetCidrBlockInput is the input of DisassociateSubnetCidrBlock.
type DisassociateSubnetCidrBlockInput struct {
	AssociationID string `ec2:"AssociationId,required"`
}

// DisassociateSubnetCidrBlock removes a subnet's IPv6 block when no
// interface uses an address of it and new interfaces are not given one.
func (c *Cloud) DisassociateSubnetCidrBlock(ctx context.Context, sc Scope, in *DisassociateSubnetCidrBlockInput) (*AssociateSubnetCidrBlockOutput, error) {
	out := &AssociateSubnetCidrBlockOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		subnets, err := listObj[Subnet](tx, kindSubnet)
		if err != nil {
			return err
		}
		for _, s := range subnets {
			i := slices.IndexFunc(s.Ipv6CidrBlockAssociationSet, func(a SubnetIpv6Association) bool { return a.AssociationID == in.AssociationID })
			if i < 0 {
				continue
			}
			a := s.Ipv6CidrBlockAssociationSet[i]
			switch {
			case s.Ipv6Native:
				return apierr.New("InvalidCidrBlock.InUse", "The subnet IPv6 CIDR block with association ID %s may not be disassociated, because its subnet is IPv6-only.", a.AssociationID)
			case s.AssignIpv6OnCreation:
				return apierr.New("InvalidCidrBlock.InUse", "The subnet IPv6 CIDR block with association ID %s may not be disassociated, because its subnet has assign-ipv6-address-on-creation set to true.", a.AssociationID)
			}
			enis, err := listChildren[NetworkInterface](tx, kindENI, s.SubnetID)
			if err != nil {
				return err
			}
			for _, e := range enis {
				for _, ip := range e.Ipv6Addrs() {
					if a.Ipv6CidrBlock.Contains(ip) {
						return apierr.New("InvalidCidrBlock.InUse", "The subnet IPv6 CIDR block with association ID %s is in use by network interface %s.", a.AssociationID, e.NetworkInterfaceID)
					}
				}
			}
			s.Ipv6CidrBlockAssociationSet = slices.Delete(s.Ipv6CidrBlockAssociationSet, i, i+1)
			shown := a
			shown.Ipv6CidrBlockState.State = "disassociating"
			out.Ipv6CidrBlockAssociation, out.SubnetID = &shown, s.SubnetID
			return putObj(tx, kindSubnet, s.SubnetID, s)
		}
		return apierr.New("InvalidSubnetCidrBlockAssociationID.NotFound", "The subnet CIDR block with association ID '%s' does not exist", in.AssociationID)
	})
}

// allocateIpv6From hands out the IPv6 addresses wanted (each inside one
// of the subnet's blocks, not reserved, free, not twice) and extra more,
// chosen at random inside the first block as AWS chooses them. AWS keeps
// the first four addresses and the last of each block.
func allocateIpv6From(s *Subnet, used map[netip.Addr]string, wants []string, extra int) ([]netip.Addr, error) {
	blocks := s.Ipv6Blocks()
	if len(blocks) == 0 && (len(wants) > 0 || extra > 0) {
		return nil, invalidParameter("The subnet %s does not have an IPv6 CIDR block; an IPv6 address cannot be assigned.", s.SubnetID)
	}
	reserved := func(p netip.Prefix, a netip.Addr) bool {
		b := a.As16()
		n := binary.BigEndian.Uint64(b[8:])
		return n < 4 || n == ^uint64(0) && p.Bits() <= 64
	}
	taken := map[netip.Addr]bool{}
	var out []netip.Addr
	for _, w := range wants {
		a, err := netip.ParseAddr(w)
		if err != nil || !a.Is6() || a.Is4In6() {
			return nil, invalidValue("Invalid value '%s' for ipv6Address", w)
		}
		i := slices.IndexFunc(blocks, func(p netip.Prefix) bool { return p.Contains(a) })
		switch {
		case i < 0:
			return nil, invalidValue("Address %s does not fall within the subnet's address range", a)
		case reserved(blocks[i], a):
			return nil, invalidValue("Address %s is in subnet's reserved address range", a)
		case taken[a]:
			return nil, invalidValue("Duplicate IPv6 address %s", a)
		}
		if _, inUse := used[a]; inUse {
			return nil, apierr.New("InvalidIPAddress.InUse", "Address %s is in use.", a)
		}
		taken[a] = true
		out = append(out, a)
	}
	for extra > 0 {
		b := blocks[0].Addr().As16()
		var r [8]byte
		rand.Read(r[:])
		host := binary.BigEndian.Uint64(r[:])
		if bits := blocks[0].Bits(); bits > 64 {
			host &= (1 << (128 - bits)) - 1
		}
		binary.BigEndian.PutUint64(b[8:], binary.BigEndian.Uint64(b[8:])|host)
		a := netip.AddrFrom16(b)
		if _, inUse := used[a]; inUse || taken[a] || reserved(blocks[0], a) {
			continue
		}
		taken[a] = true
		out = append(out, a)
		extra--
	}
	return out, nil
}

// maxIpv6Addresses is the most IPv6 addresses vpce gives one interface
// (AWS's limit depends on the instance type: 50 for the largest).
const maxIpv6Addresses = 50

// addIpv6Txn gives an interface IPv6 addresses from its subnet: those
// wanted and extra more; the first an interface gets is not its primary
// IPv6 address (that takes EnablePrimaryIpv6, which vpce does not model).
func (tx *txn) addIpv6Txn(s *Subnet, e *NetworkInterface, wants []string, extra int) ([]netip.Addr, error) {
	if len(e.Ipv6Addresses)+len(wants)+extra > maxIpv6Addresses {
		return nil, apierr.New("Ipv6AddressLimitExceeded", "Number of IPv6 addresses will exceed limit.")
	}
	used, err := tx.addressesInUse(s, false)
	if err != nil {
		return nil, err
	}
	got, err := allocateIpv6From(s, used, wants, extra)
	if err != nil {
		return nil, err
	}
	for _, a := range got {
		e.Ipv6Addresses = append(e.Ipv6Addresses, ENIIpv6Address{Ipv6Address: a})
	}
	return got, nil
}

// Ipv6AddressInput is one Ipv6Addresses.N of a request.
type Ipv6AddressInput struct {
	Ipv6Address string `ec2:"Ipv6Address"`
}

func ipv6Wants(in []Ipv6AddressInput) []string {
	out := make([]string, len(in))
	for i, a := range in {
		out[i] = a.Ipv6Address
	}
	return out
}

// ipv6Request reads the IPv6 addresses asked for at creation, and the
// subnet's default: one address when it assigns IPv6 on creation.
func ipv6Request(s *Subnet, wants []Ipv6AddressInput, count *int32) ([]string, int, error) {
	if count != nil && len(wants) > 0 {
		return nil, 0, apierr.New("InvalidParameterCombination", "The parameters 'ipv6AddressCount' and 'ipv6Addresses' may not be specified together")
	}
	if count != nil && *count < 0 {
		return nil, 0, invalidValue("Value (%d) for parameter ipv6AddressCount is invalid. Expected a positive integer.", *count)
	}
	switch {
	case len(wants) > 0:
		return ipv6Wants(wants), 0, nil
	case count != nil:
		return nil, int(*count), nil
	case s.AssignIpv6OnCreation && s.HasIpv6():
		return nil, 1, nil
	}
	return nil, 0, nil
}

// AssignIpv6AddressesInput is the input of AssignIpv6Addresses.
type AssignIpv6AddressesInput struct {
	NetworkInterfaceID string   `ec2:"NetworkInterfaceId,required"`
	Ipv6Addresses      []string `ec2:"Ipv6Addresses"`
	Ipv6AddressCount   *int32   `ec2:"Ipv6AddressCount"`
	Ipv6Prefixes       []string `ec2:"Ipv6Prefix"`
	Ipv6PrefixCount    *int32   `ec2:"Ipv6PrefixCount"`
}

// AssignIpv6AddressesOutput is the output of AssignIpv6Addresses.
type AssignIpv6AddressesOutput struct {
	AssignedIpv6Addresses []netip.Addr `xml:"assignedIpv6Addresses>item"`
	AssignedIpv6Prefixes  EmptyList    `xml:"assignedIpv6PrefixSet>item"`
	NetworkInterfaceID    string       `xml:"networkInterfaceId"`
}

// AssignIpv6Addresses gives an interface more IPv6 addresses from its
// subnet: those named, or a count of new ones.
func (c *Cloud) AssignIpv6Addresses(ctx context.Context, sc Scope, in *AssignIpv6AddressesInput) (*AssignIpv6AddressesOutput, error) {
	switch {
	case len(in.Ipv6Prefixes) > 0 || in.Ipv6PrefixCount != nil:
		return nil, apierr.New("UnsupportedOperation", "IPv6 prefix delegation is not supported by vpce.")
	case len(in.Ipv6Addresses) > 0 && in.Ipv6AddressCount != nil:
		return nil, apierr.New("InvalidParameterCombination", "The parameters 'ipv6AddressCount' and 'ipv6Addresses' may not be specified together")
	case len(in.Ipv6Addresses) == 0 && in.Ipv6AddressCount == nil:
		return nil, apierr.New("MissingParameter", "The request must contain the parameter ipv6Addresses or ipv6AddressCount")
	case in.Ipv6AddressCount != nil && *in.Ipv6AddressCount < 1:
		return nil, invalidValue("Value (%d) for parameter ipv6AddressCount is invalid. Expected a positive integer.", *in.Ipv6AddressCount)
	}
	out := &AssignIpv6AddressesOutput{NetworkInterfaceID: in.NetworkInterfaceID}
	return out, c.update(ctx, sc, func(tx *txn) error {
		e, err := tx.networkInterface(in.NetworkInterfaceID)
		if err != nil {
			return err
		}
		s, err := tx.subnet(e.SubnetID)
		if err != nil {
			return err
		}
		extra := 0
		if in.Ipv6AddressCount != nil {
			extra = int(*in.Ipv6AddressCount)
		}
		got, err := tx.addIpv6Txn(s, e, in.Ipv6Addresses, extra)
		if err != nil {
			return err
		}
		out.AssignedIpv6Addresses = got
		return putObj(tx, kindENI, e.NetworkInterfaceID, e)
	})
}

// UnassignIpv6AddressesInput is the input of UnassignIpv6Addresses.
type UnassignIpv6AddressesInput struct {
	NetworkInterfaceID string   `ec2:"NetworkInterfaceId,required"`
	Ipv6Addresses      []string `ec2:"Ipv6Addresses"`
	Ipv6Prefixes       []string `ec2:"Ipv6Prefix"`
}

// UnassignIpv6AddressesOutput is the output of UnassignIpv6Addresses.
type UnassignIpv6AddressesOutput struct {
	NetworkInterfaceID      string       `xml:"networkInterfaceId"`
	UnassignedIpv6Addresses []netip.Addr `xml:"unassignedIpv6Addresses>item"`
	UnassignedIpv6Prefixes  EmptyList    `xml:"unassignedIpv6PrefixSet>item"`
}

// UnassignIpv6Addresses takes IPv6 addresses off an interface; each must
// be one of its own.
func (c *Cloud) UnassignIpv6Addresses(ctx context.Context, sc Scope, in *UnassignIpv6AddressesInput) (*UnassignIpv6AddressesOutput, error) {
	switch {
	case len(in.Ipv6Prefixes) > 0:
		return nil, apierr.New("UnsupportedOperation", "IPv6 prefix delegation is not supported by vpce.")
	case len(in.Ipv6Addresses) == 0:
		return nil, apierr.New("MissingParameter", "The request must contain the parameter ipv6Addresses")
	}
	out := &UnassignIpv6AddressesOutput{NetworkInterfaceID: in.NetworkInterfaceID}
	return out, c.update(ctx, sc, func(tx *txn) error {
		e, err := tx.networkInterface(in.NetworkInterfaceID)
		if err != nil {
			return err
		}
		for _, w := range in.Ipv6Addresses {
			a, err := netip.ParseAddr(w)
			i := slices.IndexFunc(e.Ipv6Addresses, func(x ENIIpv6Address) bool { return err == nil && x.Ipv6Address == a })
			if i < 0 {
				return apierr.New("InvalidParameterValue", "Some of the specified addresses are not assigned to interface %s", e.NetworkInterfaceID)
			}
			e.Ipv6Addresses = slices.Delete(e.Ipv6Addresses, i, i+1)
			out.UnassignedIpv6Addresses = append(out.UnassignedIpv6Addresses, a)
		}
		return putObj(tx, kindENI, e.NetworkInterfaceID, e)
	})
}
