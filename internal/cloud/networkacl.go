package cloud

import (
	"context"
	"net/netip"
	"slices"
	"strconv"

	"github.com/vpce/vpce/internal/apierr"
)

// NetworkACL is a stateless subnet firewall: numbered entries per direction
// and the subnets it is associated with.
type NetworkACL struct {
	NetworkACLID string           `xml:"networkAclId" json:"id"`
	VpcID        string           `xml:"vpcId" json:"vpc"`
	IsDefault    bool             `xml:"default" json:"default"`
	OwnerID      string           `xml:"ownerId" json:"owner"`
	Entries      []ACLEntry       `xml:"entrySet>item" json:"entries"`
	Associations []ACLAssociation `xml:"associationSet>item" json:"assocs,omitempty"`
	Tags         TagSet           `xml:"tagSet,omitempty" json:"tags,omitempty"`
}

// ACLEntry is one numbered rule of a network ACL.
type ACLEntry struct {
	RuleNumber int32  `xml:"ruleNumber" json:"n"`
	Protocol   string `xml:"protocol" json:"proto"`
	RuleAction string `xml:"ruleAction" json:"action"`
	Egress     bool   `xml:"egress" json:"egress"`
	CidrBlock  string `xml:"cidrBlock,omitempty" json:"cidr,omitempty"`
	// Ipv6CidrBlock: AWS accepts IPv6 entries in a VPC without IPv6 (the
	// community Terraform VPC module adds them to default ACLs); they
	// match no IPv4 traffic.
	Ipv6CidrBlock string        `xml:"ipv6CidrBlock,omitempty" json:"cidr6,omitempty"`
	IcmpTypeCode  *IcmpTypeCode `xml:"icmpTypeCode,omitempty" json:"icmp,omitempty"`
	PortRange     *PortRange    `xml:"portRange,omitempty" json:"ports,omitempty"`
}

// IcmpTypeCode is the ICMP type and code of an ACL entry.
type IcmpTypeCode struct {
	Code *int32 `ec2:"Code" xml:"code" json:"code"`
	Type *int32 `ec2:"Type" xml:"type" json:"type"`
}

// PortRange is an inclusive port range.
type PortRange struct {
	From *int32 `ec2:"From" xml:"from" json:"from"`
	To   *int32 `ec2:"To" xml:"to" json:"to"`
}

// ACLAssociation ties one subnet to its network ACL.
type ACLAssociation struct {
	AssociationID string `xml:"networkAclAssociationId" json:"id"`
	NetworkACLID  string `xml:"networkAclId" json:"acl"`
	SubnetID      string `xml:"subnetId" json:"subnet"`
}

func (a *NetworkACL) dropSubnet(subnetID string) int {
	a.Associations = slices.DeleteFunc(a.Associations, func(x ACLAssociation) bool { return x.SubnetID == subnetID })
	return len(a.Associations)
}

func (tx *txn) networkACL(id string) (*NetworkACL, error) {
	if err := checkID(id, "acl", "InvalidNetworkAclID.Malformed"); err != nil {
		return nil, err
	}
	return getOr[NetworkACL](tx, kindACL, id, notFound("InvalidNetworkAclID.NotFound", "networkAcl", id))
}

func (tx *txn) defaultNetworkACL(vpcID string) (*NetworkACL, error) {
	all, err := listChildren[NetworkACL](tx, kindACL, vpcID)
	if err != nil {
		return nil, err
	}
	for _, a := range all {
		if a.VpcID == vpcID && a.IsDefault {
			return a, nil
		}
	}
	return nil, internal(errorf("vpc %s has no default network ACL", vpcID))
}

func (tx *txn) createNetworkACLTxn(vpc *Vpc, isDefault bool, tags []Tag) (*NetworkACL, error) {
	a := &NetworkACL{NetworkACLID: newID("acl"), VpcID: vpc.VpcID, IsDefault: isDefault, OwnerID: tx.sc.Account, Tags: tags}
	for _, egress := range []bool{true, false} {
		if isDefault {
			a.Entries = append(a.Entries, ACLEntry{RuleNumber: 100, Protocol: "-1", RuleAction: "allow", Egress: egress, CidrBlock: "0.0.0.0/0"})
		}
		a.Entries = append(a.Entries, ACLEntry{RuleNumber: 32767, Protocol: "-1", RuleAction: "deny", Egress: egress, CidrBlock: "0.0.0.0/0"})
		if len(vpc.Ipv6Blocks()) > 0 {
			// A VPC with IPv6: the same rules for IPv6 (101 allow on the
			// default ACL, the * rule 32768).
			if isDefault {
				a.Entries = append(a.Entries, ACLEntry{RuleNumber: 101, Protocol: "-1", RuleAction: "allow", Egress: egress, Ipv6CidrBlock: "::/0"})
			}
			a.Entries = append(a.Entries, ACLEntry{RuleNumber: 32768, Protocol: "-1", RuleAction: "deny", Egress: egress, Ipv6CidrBlock: "::/0"})
		}
	}
	a.sortEntries()
	return a, putObj(tx, kindACL, a.NetworkACLID, a)
}

func (a *NetworkACL) sortEntries() {
	slices.SortStableFunc(a.Entries, func(x, y ACLEntry) int {
		if x.Egress != y.Egress {
			if x.Egress {
				return -1
			}
			return 1
		}
		return int(x.RuleNumber - y.RuleNumber)
	})
}

// CreateNetworkACLInput is the input of CreateNetworkAcl.
type CreateNetworkACLInput struct {
	VpcID             string             `ec2:"VpcId,required"`
	ClientToken       string             `ec2:"ClientToken"`
	TagSpecifications []TagSpecification `ec2:"TagSpecification"`
}

// CreateNetworkACLOutput is the output of CreateNetworkAcl.
type CreateNetworkACLOutput struct {
	NetworkACL  *NetworkACL `xml:"networkAcl"`
	ClientToken string      `xml:"clientToken,omitempty"`
}

// CreateNetworkAcl creates a network ACL that denies everything.
func (c *Cloud) CreateNetworkAcl(ctx context.Context, sc Scope, in *CreateNetworkACLInput) (*CreateNetworkACLOutput, error) {
	tags, err := tagsFor(in.TagSpecifications, "network-acl")
	if err != nil {
		return nil, err
	}
	out := &CreateNetworkACLOutput{ClientToken: in.ClientToken}
	err = c.update(ctx, sc, func(tx *txn) error {
		vpc, err := tx.vpc(in.VpcID)
		if err != nil {
			return err
		}
		return tx.idempotent("CreateNetworkAcl", in.ClientToken, in, &out.NetworkACL, func() (any, error) {
			return tx.createNetworkACLTxn(vpc, false, tags["network-acl"])
		})
	})
	return out, err
}

// DescribeNetworkACLsInput is the input of DescribeNetworkAcls.
type DescribeNetworkACLsInput struct {
	NetworkACLIDs []string `ec2:"NetworkAclId"`
	Filters       []Filter `ec2:"Filter"`
	Page
}

// DescribeNetworkACLsOutput is the output of DescribeNetworkAcls.
type DescribeNetworkACLsOutput struct {
	NetworkACLs []*NetworkACL `xml:"networkAclSet>item"`
	NextToken   string        `xml:"nextToken,omitempty"`
}

func aclEntries(f func(ACLEntry) string) func(*NetworkACL) []string {
	return func(a *NetworkACL) []string { return mapSlice(a.Entries, f) }
}

func aclAssocs(f func(ACLAssociation) string) func(*NetworkACL) []string {
	return func(a *NetworkACL) []string { return mapSlice(a.Associations, f) }
}

var aclFields = fields[NetworkACL]{
	"association.association-id": aclAssocs(func(x ACLAssociation) string { return x.AssociationID }),
	"association.network-acl-id": aclAssocs(func(x ACLAssociation) string { return x.NetworkACLID }),
	"association.subnet-id":      aclAssocs(func(x ACLAssociation) string { return x.SubnetID }),
	"default":                    func(a *NetworkACL) []string { return boolStr(a.IsDefault) },
	"entry.cidr":                 aclEntries(func(e ACLEntry) string { return e.CidrBlock }),
	"entry.ipv6-cidr":            aclEntries(func(e ACLEntry) string { return e.Ipv6CidrBlock }),
	"entry.egress":               aclEntries(func(e ACLEntry) string { return strconv.FormatBool(e.Egress) }),
	"entry.protocol":             aclEntries(func(e ACLEntry) string { return e.Protocol }),
	"entry.rule-action":          aclEntries(func(e ACLEntry) string { return e.RuleAction }),
	"entry.rule-number":          aclEntries(func(e ACLEntry) string { return strconv.Itoa(int(e.RuleNumber)) }),
	"network-acl-id":             func(a *NetworkACL) []string { return one(a.NetworkACLID) },
	"owner-id":                   func(a *NetworkACL) []string { return one(a.OwnerID) },
	"vpc-id":                     func(a *NetworkACL) []string { return one(a.VpcID) },
}

func aclID(a *NetworkACL) string  { return a.NetworkACLID }
func aclTags(a *NetworkACL) []Tag { return a.Tags }

// DescribeNetworkAcls lists network ACLs.
func (c *Cloud) DescribeNetworkAcls(ctx context.Context, sc Scope, in *DescribeNetworkACLsInput) (*DescribeNetworkACLsOutput, error) {
	out := &DescribeNetworkACLsOutput{}
	err := c.view(ctx, sc, func(tx *txn) error {
		for _, id := range in.NetworkACLIDs {
			if err := checkID(id, "acl", "InvalidNetworkAclID.Malformed"); err != nil {
				return err
			}
		}
		all, err := narrow[NetworkACL](tx, kindACL, in.NetworkACLIDs, in.Filters, "")
		if err != nil {
			return err
		}
		if all, err = selectIDs(all, aclID, in.NetworkACLIDs, errNotFoundMany("InvalidNetworkAclID.NotFound", "networkAcl")); err != nil {
			return err
		}
		if all, err = filter(ctx, all, in.Filters, aclFields, aclTags); err != nil {
			return err
		}
		for _, a := range all {
			a.sortEntries()
		}
		out.NetworkACLs, out.NextToken, err = paginate(all, aclID, in.Page, 5, 1000)
		return err
	})
	return out, err
}

// DeleteNetworkACLInput is the input of DeleteNetworkAcl.
type DeleteNetworkACLInput struct {
	NetworkACLID string `ec2:"NetworkAclId,required"`
}

// DeleteNetworkAcl deletes a non-default network ACL with no subnets.
func (c *Cloud) DeleteNetworkAcl(ctx context.Context, sc Scope, in *DeleteNetworkACLInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		a, err := tx.networkACL(in.NetworkACLID)
		if err != nil {
			return err
		}
		if a.IsDefault {
			return apierr.New("InvalidParameterValue", "cannot delete default network ACL %s", a.NetworkACLID)
		}
		if len(a.Associations) > 0 {
			return dependencyViolation("networkAcl", a.NetworkACLID)
		}
		return delObj(tx, kindACL, a.NetworkACLID)
	})
}

// NetworkACLEntryInput is the input of Create/ReplaceNetworkAclEntry.
type NetworkACLEntryInput struct {
	NetworkACLID  string        `ec2:"NetworkAclId,required"`
	RuleNumber    *int32        `ec2:"RuleNumber,required"`
	Protocol      string        `ec2:"Protocol,required"`
	RuleAction    string        `ec2:"RuleAction,required"`
	Egress        *bool         `ec2:"Egress,required"`
	CidrBlock     string        `ec2:"CidrBlock"`
	Ipv6CidrBlock string        `ec2:"Ipv6CidrBlock"`
	IcmpTypeCode  *IcmpTypeCode `ec2:"Icmp"`
	PortRange     *PortRange    `ec2:"PortRange"`
}

func (in *NetworkACLEntryInput) entry() (ACLEntry, error) {
	n := *in.RuleNumber
	if n < 1 || n > 32766 {
		return ACLEntry{}, invalidValue("Value (%d) for parameter ruleNumber is invalid. Must be between 1 and 32766.", n)
	}
	if in.RuleAction != "allow" && in.RuleAction != "deny" {
		return ACLEntry{}, invalidValue("Value (%s) for parameter ruleAction is invalid. Valid values: allow, deny", in.RuleAction)
	}
	proto, err := normalizeProtocol(in.Protocol)
	if err != nil {
		return ACLEntry{}, err
	}
	// ACL entries name protocols by number on the wire.
	switch proto {
	case "tcp":
		proto = "6"
	case "udp":
		proto = "17"
	case "icmp":
		proto = "1"
	case "icmpv6":
		proto = "58"
	}
	e := ACLEntry{RuleNumber: n, Protocol: proto, RuleAction: in.RuleAction, Egress: *in.Egress}
	switch {
	case in.CidrBlock != "" && in.Ipv6CidrBlock != "":
		return ACLEntry{}, apierr.New("InvalidParameterCombination", "Only one of cidrBlock and ipv6CidrBlock may be given.")
	case in.Ipv6CidrBlock != "":
		p, err := netip.ParsePrefix(in.Ipv6CidrBlock)
		if err != nil || !p.Addr().Is6() || p.Addr().Is4In6() {
			return ACLEntry{}, invalidValue("Value (%s) for parameter ipv6CidrBlock is invalid. This is not a valid IPv6 CIDR block.", in.Ipv6CidrBlock)
		}
		e.Ipv6CidrBlock = p.Masked().String()
	case in.CidrBlock == "":
		return ACLEntry{}, apierr.Missing("CidrBlock")
	default:
		p, err := netip.ParsePrefix(in.CidrBlock)
		if err != nil || !p.Addr().Is4() {
			return ACLEntry{}, invalidValue("Value (%s) for parameter cidrBlock is invalid. This is not a valid CIDR block.", in.CidrBlock)
		}
		e.CidrBlock = p.Masked().String()
	}
	switch proto {
	case "6", "17":
		if in.PortRange == nil || in.PortRange.From == nil || in.PortRange.To == nil {
			return ACLEntry{}, apierr.New("InvalidParameterValue", "TCP and UDP network ACL entries require portRange.from and portRange.to")
		}
		if *in.PortRange.From < 0 || *in.PortRange.To > 65535 || *in.PortRange.From > *in.PortRange.To {
			return ACLEntry{}, invalidValue("Invalid port range %d-%d.", *in.PortRange.From, *in.PortRange.To)
		}
		e.PortRange = in.PortRange
	case "1":
		if in.IcmpTypeCode == nil || in.IcmpTypeCode.Type == nil || in.IcmpTypeCode.Code == nil {
			return ACLEntry{}, apierr.New("InvalidParameterValue", "ICMP network ACL entries require icmp.type and icmp.code")
		}
		e.IcmpTypeCode = in.IcmpTypeCode
	}
	return e, nil
}

func entryIndex(a *NetworkACL, n int32, egress bool) int {
	return slices.IndexFunc(a.Entries, func(e ACLEntry) bool { return e.RuleNumber == n && e.Egress == egress })
}

// CreateNetworkAclEntry adds a numbered entry.
func (c *Cloud) CreateNetworkAclEntry(ctx context.Context, sc Scope, in *NetworkACLEntryInput) (*Return, error) {
	e, err := in.entry()
	if err != nil {
		return nil, err
	}
	return ok, c.update(ctx, sc, func(tx *txn) error {
		a, err := tx.networkACL(in.NetworkACLID)
		if err != nil {
			return err
		}
		if entryIndex(a, e.RuleNumber, e.Egress) >= 0 {
			return apierr.New("NetworkAclEntryAlreadyExists", "The network acl entry identified by %d already exists.", e.RuleNumber)
		}
		if len(a.Entries) >= 2*(20+1) {
			return apierr.New("NetworkAclEntryLimitExceeded", "The maximum number of network ACL entries has been reached.")
		}
		a.Entries = append(a.Entries, e)
		a.sortEntries()
		return putObj(tx, kindACL, a.NetworkACLID, a)
	})
}

// ReplaceNetworkAclEntry replaces an existing numbered entry.
func (c *Cloud) ReplaceNetworkAclEntry(ctx context.Context, sc Scope, in *NetworkACLEntryInput) (*Return, error) {
	e, err := in.entry()
	if err != nil {
		return nil, err
	}
	return ok, c.update(ctx, sc, func(tx *txn) error {
		a, err := tx.networkACL(in.NetworkACLID)
		if err != nil {
			return err
		}
		i := entryIndex(a, e.RuleNumber, e.Egress)
		if i < 0 {
			return apierr.New("InvalidNetworkAclEntry.NotFound", "The network acl entry identified by %d does not exist", e.RuleNumber)
		}
		a.Entries[i] = e
		return putObj(tx, kindACL, a.NetworkACLID, a)
	})
}

// DeleteNetworkACLEntryInput is the input of DeleteNetworkAclEntry.
type DeleteNetworkACLEntryInput struct {
	NetworkACLID string `ec2:"NetworkAclId,required"`
	RuleNumber   *int32 `ec2:"RuleNumber,required"`
	Egress       *bool  `ec2:"Egress,required"`
}

// DeleteNetworkAclEntry removes a numbered entry; the final deny (32767)
// cannot be removed.
func (c *Cloud) DeleteNetworkAclEntry(ctx context.Context, sc Scope, in *DeleteNetworkACLEntryInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		a, err := tx.networkACL(in.NetworkACLID)
		if err != nil {
			return err
		}
		if *in.RuleNumber < 1 || *in.RuleNumber > 32766 {
			return invalidValue("Value (%d) for parameter ruleNumber is invalid. Must be between 1 and 32766.", *in.RuleNumber)
		}
		i := entryIndex(a, *in.RuleNumber, *in.Egress)
		if i < 0 {
			return apierr.New("InvalidNetworkAclEntry.NotFound", "The network acl entry identified by %d does not exist", *in.RuleNumber)
		}
		a.Entries = slices.Delete(a.Entries, i, i+1)
		return putObj(tx, kindACL, a.NetworkACLID, a)
	})
}

// ReplaceNetworkACLAssociationInput is the input of ReplaceNetworkAclAssociation.
type ReplaceNetworkACLAssociationInput struct {
	AssociationID string `ec2:"AssociationId,required"`
	NetworkACLID  string `ec2:"NetworkAclId,required"`
}

// ReplaceNetworkACLAssociationOutput is the output of ReplaceNetworkAclAssociation.
type ReplaceNetworkACLAssociationOutput struct {
	NewAssociationID string `xml:"newAssociationId"`
}

// ReplaceNetworkAclAssociation moves a subnet to another network ACL of its VPC.
func (c *Cloud) ReplaceNetworkAclAssociation(ctx context.Context, sc Scope, in *ReplaceNetworkACLAssociationInput) (*ReplaceNetworkACLAssociationOutput, error) {
	out := &ReplaceNetworkACLAssociationOutput{}
	err := c.update(ctx, sc, func(tx *txn) error {
		if err := checkID(in.AssociationID, "aclassoc", "InvalidAssociationID.Malformed"); err != nil {
			return err
		}
		to, err := tx.networkACL(in.NetworkACLID)
		if err != nil {
			return err
		}
		all, err := listObj[NetworkACL](tx, kindACL)
		if err != nil {
			return err
		}
		for _, from := range all {
			i := slices.IndexFunc(from.Associations, func(x ACLAssociation) bool { return x.AssociationID == in.AssociationID })
			if i < 0 {
				continue
			}
			if from.VpcID != to.VpcID {
				return invalidValue("Network ACL %s and association %s belong to different networks", to.NetworkACLID, in.AssociationID)
			}
			a := ACLAssociation{AssociationID: newID("aclassoc"), NetworkACLID: to.NetworkACLID, SubnetID: from.Associations[i].SubnetID}
			from.Associations = slices.Delete(from.Associations, i, i+1)
			if from.NetworkACLID == to.NetworkACLID {
				to = from
			} else if err := putObj(tx, kindACL, from.NetworkACLID, from); err != nil {
				return err
			}
			to.Associations = append(to.Associations, a)
			out.NewAssociationID = a.AssociationID
			return putObj(tx, kindACL, to.NetworkACLID, to)
		}
		return apierr.New("InvalidAssociationID.NotFound", "The association ID '%s' does not exist", in.AssociationID)
	})
	return out, err
}

// parentID files a network ACL under its VPC (the store's parent index).
func (a *NetworkACL) parentID() string { return a.VpcID }
