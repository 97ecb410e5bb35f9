package cloud

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/store"
)

// SecurityGroup is a VPC security group. Rules are stored one by one and
// grouped into IpPermissions when described, as AWS shows them.
type SecurityGroup struct {
	GroupID             string              `xml:"groupId" json:"id"`
	GroupName           string              `xml:"groupName" json:"name"`
	Description         string              `xml:"groupDescription" json:"desc"`
	VpcID               string              `xml:"vpcId" json:"vpc"`
	OwnerID             string              `xml:"ownerId" json:"owner"`
	SecurityGroupArn    string              `xml:"securityGroupArn" json:"arn"`
	IPPermissions       []IPPermission      `xml:"ipPermissions>item" json:"-"`
	IPPermissionsEgress []IPPermission      `xml:"ipPermissionsEgress>item" json:"-"`
	Rules               []SecurityGroupRule `xml:"-" json:"rules"`
	Tags                TagSet              `xml:"tagSet,omitempty" json:"tags,omitempty"`
}

// SecurityGroupRule is one rule: direction, protocol, ports and one peer.
type SecurityGroupRule struct {
	SecurityGroupRuleID  string           `xml:"securityGroupRuleId" json:"id"`
	GroupID              string           `xml:"groupId" json:"group"`
	GroupOwnerID         string           `xml:"groupOwnerId" json:"owner"`
	IsEgress             bool             `xml:"isEgress" json:"egress"`
	IPProtocol           string           `xml:"ipProtocol" json:"proto"`
	FromPort             int32            `xml:"fromPort" json:"from"`
	ToPort               int32            `xml:"toPort" json:"to"`
	CidrIPv4             string           `xml:"cidrIpv4,omitempty" json:"cidr4,omitempty"`
	CidrIPv6             string           `xml:"cidrIpv6,omitempty" json:"cidr6,omitempty"`
	PrefixListID         string           `xml:"prefixListId,omitempty" json:"pl,omitempty"`
	ReferencedGroupInfo  *ReferencedGroup `xml:"referencedGroupInfo,omitempty" json:"ref,omitempty"`
	Description          string           `xml:"description,omitempty" json:"desc,omitempty"`
	SecurityGroupRuleArn string           `xml:"securityGroupRuleArn" json:"arn"`
	Tags                 TagSet           `xml:"tagSet,omitempty" json:"tags,omitempty"`
}

// ReferencedGroup is a security group named as a rule's peer.
type ReferencedGroup struct {
	GroupID string `xml:"groupId" json:"id"`
	UserID  string `xml:"userId" json:"user"`
}

// peer reports the rule's peer as one comparable string.
func (r SecurityGroupRule) peer() string {
	switch {
	case r.CidrIPv4 != "":
		return r.CidrIPv4
	case r.CidrIPv6 != "":
		return r.CidrIPv6
	case r.PrefixListID != "":
		return r.PrefixListID
	case r.ReferencedGroupInfo != nil:
		return r.ReferencedGroupInfo.GroupID
	}
	return ""
}

func (r SecurityGroupRule) same(o SecurityGroupRule) bool {
	return r.IsEgress == o.IsEgress && r.IPProtocol == o.IPProtocol && r.FromPort == o.FromPort && r.ToPort == o.ToPort && r.peer() == o.peer()
}

// IPPermission is the grouped form of rules sharing protocol and ports.
type IPPermission struct {
	IPProtocol    string             `ec2:"IpProtocol" xml:"ipProtocol"`
	FromPort      *int32             `ec2:"FromPort" xml:"fromPort,omitempty"`
	ToPort        *int32             `ec2:"ToPort" xml:"toPort,omitempty"`
	Groups        []UserIDGroupPair  `ec2:"Groups" xml:"groups>item"`
	IPRanges      []IPRange          `ec2:"IpRanges" xml:"ipRanges>item"`
	IPv6Ranges    []IPv6Range        `ec2:"Ipv6Ranges" xml:"ipv6Ranges>item"`
	PrefixListIDs []PrefixListIDPeer `ec2:"PrefixListIds" xml:"prefixListIds>item"`
}

// UserIDGroupPair names a security group as a peer.
type UserIDGroupPair struct {
	GroupID     string `ec2:"GroupId" xml:"groupId"`
	GroupName   string `ec2:"GroupName" xml:"groupName,omitempty"`
	UserID      string `ec2:"UserId" xml:"userId"`
	Description string `ec2:"Description" xml:"description,omitempty"`
}

// IPRange is an IPv4 CIDR peer.
type IPRange struct {
	CidrIP      string `ec2:"CidrIp" xml:"cidrIp"`
	Description string `ec2:"Description" xml:"description,omitempty"`
}

// IPv6Range is an IPv6 CIDR peer.
type IPv6Range struct {
	CidrIPv6    string `ec2:"CidrIpv6" xml:"cidrIpv6"`
	Description string `ec2:"Description" xml:"description,omitempty"`
}

// PrefixListIDPeer is a prefix list peer.
type PrefixListIDPeer struct {
	PrefixListID string `ec2:"PrefixListId" xml:"prefixListId"`
	Description  string `ec2:"Description" xml:"description,omitempty"`
}

func (tx *txn) securityGroup(id string) (*SecurityGroup, error) {
	if err := checkID(id, "sg", "InvalidGroupId.Malformed"); err != nil {
		return nil, err
	}
	return getOr[SecurityGroup](tx, kindSG, id, func() error {
		return apierr.New("InvalidGroup.NotFound", "The security group '%s' does not exist", id)
	})
}

func (tx *txn) defaultVpcID() (string, error) {
	var m scopeMarker
	v, err := getObj[scopeMarker](tx, kindScope, "defaults")
	if err != nil {
		return "", err
	}
	m = *v
	if _, err := getObj[Vpc](tx, kindVpc, m.DefaultVpcID); err != nil {
		return "", apierr.New("VPCIdNotSpecified", "No default VPC for this user")
	}
	return m.DefaultVpcID, nil
}

// groupByIDOrName finds a group by ID, or by name in the default VPC.
func (tx *txn) groupByIDOrName(id, name string) (*SecurityGroup, error) {
	if id != "" {
		return tx.securityGroup(id)
	}
	if name == "" {
		return nil, apierr.New("MissingParameter", "The request must contain the parameter groupId or groupName")
	}
	vpcID, err := tx.defaultVpcID()
	if err != nil {
		return nil, err
	}
	if g, ok, err := tx.groupByName(vpcID, name); err != nil || ok {
		return g, err
	}
	return nil, apierr.New("InvalidGroup.NotFound", "The security group '%s' does not exist in default VPC '%s'", name, vpcID)
}

func (tx *txn) newRule(g *SecurityGroup, egress bool, proto string, from, to int32) SecurityGroupRule {
	id := newID("sgr")
	return SecurityGroupRule{SecurityGroupRuleID: id, GroupID: g.GroupID, GroupOwnerID: tx.sc.Account, IsEgress: egress,
		IPProtocol: proto, FromPort: from, ToPort: to,
		SecurityGroupRuleArn: fmt.Sprintf("arn:aws:ec2:%s:%s:security-group-rule/%s", tx.sc.Region, tx.sc.Account, id)}
}

func (tx *txn) createSecurityGroupTxn(vpc *Vpc, name, desc string, tags []Tag) (*SecurityGroup, error) {
	g := &SecurityGroup{GroupID: newID("sg"), GroupName: name, Description: desc, VpcID: vpc.VpcID, OwnerID: tx.sc.Account, Tags: tags}
	g.SecurityGroupArn = fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/%s", tx.sc.Region, tx.sc.Account, g.GroupID)
	if name == "default" {
		in := tx.newRule(g, false, "-1", -1, -1)
		in.ReferencedGroupInfo = &ReferencedGroup{GroupID: g.GroupID, UserID: tx.sc.Account}
		g.Rules = append(g.Rules, in)
	}
	out := tx.newRule(g, true, "-1", -1, -1)
	out.CidrIPv4 = "0.0.0.0/0"
	g.Rules = append(g.Rules, out)
	return g, putObj(tx, kindSG, g.GroupID, g)
}

// groupByName returns the group named name in a VPC; found is false when
// there is none.
func (tx *txn) groupByName(vpcID, name string) (g *SecurityGroup, found bool, err error) {
	ix, err := getObj[idRec](tx, kindSGName, sgNameKey(vpcID, name))
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	g, err = getObj[SecurityGroup](tx, kindSG, ix.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, false, nil
	}
	return g, err == nil, err
}

// render groups the rules into IpPermissions as AWS describes them.
func (g *SecurityGroup) render() {
	g.IPPermissions, g.IPPermissionsEgress = nil, nil
	for _, r := range g.Rules {
		perms := &g.IPPermissions
		if r.IsEgress {
			perms = &g.IPPermissionsEgress
		}
		i := slices.IndexFunc(*perms, func(p IPPermission) bool {
			return p.IPProtocol == r.IPProtocol && portEq(p.FromPort, r.FromPort, r.IPProtocol) && portEq(p.ToPort, r.ToPort, r.IPProtocol)
		})
		if i < 0 {
			p := IPPermission{IPProtocol: r.IPProtocol}
			if r.IPProtocol != "-1" {
				from, to := r.FromPort, r.ToPort
				p.FromPort, p.ToPort = &from, &to
			}
			*perms = append(*perms, p)
			i = len(*perms) - 1
		}
		p := &(*perms)[i]
		switch {
		case r.CidrIPv4 != "":
			p.IPRanges = append(p.IPRanges, IPRange{CidrIP: r.CidrIPv4, Description: r.Description})
		case r.CidrIPv6 != "":
			p.IPv6Ranges = append(p.IPv6Ranges, IPv6Range{CidrIPv6: r.CidrIPv6, Description: r.Description})
		case r.PrefixListID != "":
			p.PrefixListIDs = append(p.PrefixListIDs, PrefixListIDPeer{PrefixListID: r.PrefixListID, Description: r.Description})
		case r.ReferencedGroupInfo != nil:
			p.Groups = append(p.Groups, UserIDGroupPair{GroupID: r.ReferencedGroupInfo.GroupID, UserID: r.ReferencedGroupInfo.UserID, Description: r.Description})
		}
	}
}

func portEq(p *int32, v int32, proto string) bool {
	if p == nil {
		return proto == "-1"
	}
	return *p == v
}

// CreateSecurityGroupInput is the input of CreateSecurityGroup.
type CreateSecurityGroupInput struct {
	GroupName         string             `ec2:"GroupName,required"`
	Description       string             `ec2:"GroupDescription,required,nonempty"`
	VpcID             string             `ec2:"VpcId"`
	TagSpecifications []TagSpecification `ec2:"TagSpecification"`
}

// CreateSecurityGroupOutput is the output of CreateSecurityGroup.
type CreateSecurityGroupOutput struct {
	GroupID          string `xml:"groupId"`
	Tags             TagSet `xml:"tagSet,omitempty"`
	SecurityGroupArn string `xml:"securityGroupArn"`
}

func validGroupText(s, param string) error {
	if len(s) > 255 {
		return invalidValue("Value for parameter %s is too long: at most 255 characters.", param)
	}
	for _, r := range s {
		if r < 0x20 || r > 0x7e {
			return invalidValue("Value (%s) for parameter %s is invalid. Character sets beyond ASCII are not supported.", s, param)
		}
	}
	return nil
}

// CreateSecurityGroup creates a group that allows all outbound traffic.
func (c *Cloud) CreateSecurityGroup(ctx context.Context, sc Scope, in *CreateSecurityGroupInput) (*CreateSecurityGroupOutput, error) {
	if err := validGroupText(in.GroupName, "groupName"); err != nil {
		return nil, err
	}
	if err := validGroupText(in.Description, "groupDescription"); err != nil {
		return nil, err
	}
	if in.GroupName == "default" {
		return nil, apierr.New("InvalidGroup.Reserved", "The security group 'default' is reserved")
	}
	if strings.HasPrefix(in.GroupName, "sg-") {
		return nil, invalidValue("Group names may not be in the format sg-*")
	}
	tags, err := tagsFor(in.TagSpecifications, "security-group")
	if err != nil {
		return nil, err
	}
	var g *SecurityGroup
	err = c.update(ctx, sc, func(tx *txn) error {
		vpcID := in.VpcID
		if vpcID == "" {
			if vpcID, err = tx.defaultVpcID(); err != nil {
				return err
			}
		}
		vpc, err := tx.vpc(vpcID)
		if err != nil {
			return err
		}
		if _, dup, err := tx.groupByName(vpc.VpcID, in.GroupName); err != nil {
			return err
		} else if dup {
			return apierr.New("InvalidGroup.Duplicate", "The security group '%s' already exists for VPC '%s'", in.GroupName, vpc.VpcID)
		}
		g, err = tx.createSecurityGroupTxn(vpc, in.GroupName, in.Description, tags["security-group"])
		return err
	})
	if err != nil {
		return nil, err
	}
	return &CreateSecurityGroupOutput{GroupID: g.GroupID, Tags: g.Tags, SecurityGroupArn: g.SecurityGroupArn}, nil
}

// DescribeSecurityGroupsInput is the input of DescribeSecurityGroups.
type DescribeSecurityGroupsInput struct {
	GroupIDs   []string `ec2:"GroupId"`
	GroupNames []string `ec2:"GroupName"`
	Filters    []Filter `ec2:"Filter"`
	Page
}

// DescribeSecurityGroupsOutput is the output of DescribeSecurityGroups.
type DescribeSecurityGroupsOutput struct {
	SecurityGroups []*SecurityGroup `xml:"securityGroupInfo>item"`
	NextToken      string           `xml:"nextToken,omitempty"`
}

func ruleValues(egress bool, f func(SecurityGroupRule) string) func(*SecurityGroup) []string {
	return func(g *SecurityGroup) []string {
		var out []string
		for _, r := range g.Rules {
			if r.IsEgress == egress {
				if v := f(r); v != "" {
					out = append(out, v)
				}
			}
		}
		return out
	}
}

func port(p int32) string { return strconv.Itoa(int(p)) }

var sgFields = func() fields[SecurityGroup] {
	f := fields[SecurityGroup]{
		"description": func(g *SecurityGroup) []string { return one(g.Description) },
		"group-id":    func(g *SecurityGroup) []string { return one(g.GroupID) },
		"group-name":  func(g *SecurityGroup) []string { return one(g.GroupName) },
		"owner-id":    func(g *SecurityGroup) []string { return one(g.OwnerID) },
		"vpc-id":      func(g *SecurityGroup) []string { return one(g.VpcID) },
	}
	for _, dir := range []struct {
		prefix string
		egress bool
	}{{"ip-permission.", false}, {"egress.ip-permission.", true}} {
		e := dir.egress
		f[dir.prefix+"cidr"] = ruleValues(e, func(r SecurityGroupRule) string { return r.CidrIPv4 })
		f[dir.prefix+"ipv6-cidr"] = ruleValues(e, func(r SecurityGroupRule) string { return r.CidrIPv6 })
		f[dir.prefix+"from-port"] = ruleValues(e, func(r SecurityGroupRule) string { return port(r.FromPort) })
		f[dir.prefix+"to-port"] = ruleValues(e, func(r SecurityGroupRule) string { return port(r.ToPort) })
		f[dir.prefix+"protocol"] = ruleValues(e, func(r SecurityGroupRule) string { return r.IPProtocol })
		f[dir.prefix+"prefix-list-id"] = ruleValues(e, func(r SecurityGroupRule) string { return r.PrefixListID })
		f[dir.prefix+"group-id"] = ruleValues(e, func(r SecurityGroupRule) string {
			if r.ReferencedGroupInfo != nil {
				return r.ReferencedGroupInfo.GroupID
			}
			return ""
		})
		f[dir.prefix+"user-id"] = ruleValues(e, func(r SecurityGroupRule) string {
			if r.ReferencedGroupInfo != nil {
				return r.ReferencedGroupInfo.UserID
			}
			return ""
		})
	}
	return f
}()

func sgID(g *SecurityGroup) string  { return g.GroupID }
func sgTags(g *SecurityGroup) []Tag { return g.Tags }

// DescribeSecurityGroups lists security groups.
func (c *Cloud) DescribeSecurityGroups(ctx context.Context, sc Scope, in *DescribeSecurityGroupsInput) (*DescribeSecurityGroupsOutput, error) {
	out := &DescribeSecurityGroupsOutput{}
	err := c.view(ctx, sc, func(tx *txn) error {
		for _, id := range in.GroupIDs {
			if err := checkID(id, "sg", "InvalidGroupId.Malformed"); err != nil {
				return err
			}
		}
		plain := len(in.GroupIDs) == 0 && len(in.GroupNames) == 0 && len(in.Filters) == 0
		if page, next, ok, err := pageObj[SecurityGroup](tx, kindSG, in.Page, 5, 1000, plain, nil, sgID); ok {
			for _, g := range page {
				g.render()
			}
			out.SecurityGroups, out.NextToken = page, next
			return err
		}
		all, err := narrow[SecurityGroup](tx, kindSG, in.GroupIDs, in.Filters, "vpc-id")
		if err != nil {
			return err
		}
		if all, err = selectIDs(all, sgID, in.GroupIDs, func(id string) error {
			return apierr.New("InvalidGroup.NotFound", "The security group '%s' does not exist", id)
		}); err != nil {
			return err
		}
		if len(in.GroupNames) > 0 {
			var named []*SecurityGroup
			for _, name := range in.GroupNames {
				g, err := tx.groupByIDOrName("", name)
				if err != nil {
					return err
				}
				if i := slices.IndexFunc(all, func(o *SecurityGroup) bool { return o.GroupID == g.GroupID }); i >= 0 {
					named = append(named, all[i])
				}
			}
			all = named
		}
		if all, err = filter(ctx, all, in.Filters, sgFields, sgTags); err != nil {
			return err
		}
		for _, g := range all {
			g.render()
		}
		out.SecurityGroups, out.NextToken, err = paginate(all, sgID, in.Page, 5, 1000)
		return err
	})
	return out, err
}

// DeleteSecurityGroupInput is the input of DeleteSecurityGroup.
type DeleteSecurityGroupInput struct {
	GroupID   string `ec2:"GroupId"`
	GroupName string `ec2:"GroupName"`
}

// DeleteSecurityGroupOutput is the output of DeleteSecurityGroup.
type DeleteSecurityGroupOutput struct {
	Return  bool   `xml:"return"`
	GroupID string `xml:"groupId"`
}

// DeleteSecurityGroup deletes a group that no interface uses and no other
// group references; the default group cannot be deleted.
func (c *Cloud) DeleteSecurityGroup(ctx context.Context, sc Scope, in *DeleteSecurityGroupInput) (*DeleteSecurityGroupOutput, error) {
	out := &DeleteSecurityGroupOutput{Return: true}
	err := c.update(ctx, sc, func(tx *txn) error {
		g, err := tx.groupByIDOrName(in.GroupID, in.GroupName)
		if err != nil {
			return err
		}
		out.GroupID = g.GroupID
		if g.GroupName == "default" {
			return apierr.New("CannotDelete", "the specified group: \"%s\" name: \"default\" cannot be deleted by a user", g.GroupID)
		}
		// Interfaces that use the group and groups whose rules name it are
		// in the reference index, under the group.
		refs, err := tx.ListChildren(tx.sc, kindRef, g.GroupID)
		if err != nil {
			return err
		}
		if len(refs) > 0 {
			return apierr.New("DependencyViolation", "resource %s has a dependent object", g.GroupID)
		}
		return delObj(tx, kindSG, g.GroupID)
	})
	return out, err
}

// SecurityGroupRulesInput is the input of the Authorize and Revoke actions.
type SecurityGroupRulesInput struct {
	GroupID       string         `ec2:"GroupId"`
	GroupName     string         `ec2:"GroupName"`
	IPPermissions []IPPermission `ec2:"IpPermissions"`
	// The legacy flat form: one CIDR or source group.
	CidrIP                     string             `ec2:"CidrIp"`
	IPProtocol                 string             `ec2:"IpProtocol"`
	FromPort                   *int32             `ec2:"FromPort"`
	ToPort                     *int32             `ec2:"ToPort"`
	SourceSecurityGroupName    string             `ec2:"SourceSecurityGroupName"`
	SourceSecurityGroupOwnerID string             `ec2:"SourceSecurityGroupOwnerId"`
	SecurityGroupRuleIDs       []string           `ec2:"SecurityGroupRuleId"`
	TagSpecifications          []TagSpecification `ec2:"TagSpecification"`
}

// AuthorizeOutput is the output of AuthorizeSecurityGroupIngress/Egress.
type AuthorizeOutput struct {
	Return bool                `xml:"return"`
	Rules  []SecurityGroupRule `xml:"securityGroupRuleSet>item"`
}

func normalizeProtocol(p string) (string, error) {
	switch strings.ToLower(p) {
	case "-1", "all":
		return "-1", nil
	case "tcp", "6":
		return "tcp", nil
	case "udp", "17":
		return "udp", nil
	case "icmp", "1":
		return "icmp", nil
	case "icmpv6", "58":
		return "icmpv6", nil
	case "":
		return "", apierr.Missing("IpPermissions.IpProtocol")
	}
	n, err := strconv.Atoi(p)
	if err != nil || n < 0 || n > 255 {
		return "", invalidValue("Invalid value '%s' for IP protocol. Unknown protocol.", p)
	}
	return strconv.Itoa(n), nil
}

// expand turns the request's permissions into rules, validated.
func (tx *txn) expandRules(g *SecurityGroup, in *SecurityGroupRulesInput, egress bool) ([]SecurityGroupRule, error) {
	perms := in.IPPermissions
	if in.IPProtocol != "" || in.CidrIP != "" || in.SourceSecurityGroupName != "" {
		if len(perms) > 0 {
			return nil, apierr.New("InvalidParameterCombination", "The parameter 'ipPermissions' may not be used in combination with 'ipProtocol'")
		}
		p := IPPermission{IPProtocol: in.IPProtocol, FromPort: in.FromPort, ToPort: in.ToPort}
		if p.IPProtocol == "" {
			p.IPProtocol = "-1"
		}
		if in.CidrIP != "" {
			p.IPRanges = []IPRange{{CidrIP: in.CidrIP}}
		}
		if in.SourceSecurityGroupName != "" {
			src, err := tx.groupByIDOrName("", in.SourceSecurityGroupName)
			if err != nil {
				return nil, err
			}
			p.Groups = []UserIDGroupPair{{GroupID: src.GroupID}}
		}
		perms = []IPPermission{p}
	}
	if len(perms) == 0 {
		return nil, apierr.Missing("IpPermissions")
	}
	var rules []SecurityGroupRule
	for _, p := range perms {
		proto, err := normalizeProtocol(p.IPProtocol)
		if err != nil {
			return nil, err
		}
		from, to := int32(-1), int32(-1)
		switch proto {
		case "tcp", "udp":
			if p.FromPort == nil || p.ToPort == nil {
				return nil, invalidValue("Invalid value for portRange. Must specify both from and to ports with TCP/UDP.")
			}
			from, to = *p.FromPort, *p.ToPort
			if from < 0 || to > 65535 || from > to {
				return nil, invalidValue("Invalid TCP/UDP port range %d-%d.", from, to)
			}
		case "icmp", "icmpv6":
			if p.FromPort != nil {
				from = *p.FromPort
			}
			if p.ToPort != nil {
				to = *p.ToPort
			}
			if from < -1 || from > 255 || to < -1 || to > 255 {
				return nil, invalidValue("Invalid value '%d' for ICMP type/code.", from)
			}
		}
		n := len(p.IPRanges) + len(p.IPv6Ranges) + len(p.PrefixListIDs) + len(p.Groups)
		if n == 0 {
			return nil, apierr.New("MissingParameter", "The request must contain the parameter ipRanges, ipv6Ranges, prefixListIds or groups")
		}
		for _, r := range p.IPRanges {
			pr, err := netip.ParsePrefix(r.CidrIP)
			if err != nil || !pr.Addr().Is4() {
				return nil, invalidValue("CIDR block %s is malformed", r.CidrIP)
			}
			rule := tx.newRule(g, egress, proto, from, to)
			rule.CidrIPv4, rule.Description = pr.Masked().String(), r.Description
			rules = append(rules, rule)
		}
		for _, r := range p.IPv6Ranges {
			pr, err := netip.ParsePrefix(r.CidrIPv6)
			if err != nil || !pr.Addr().Is6() {
				return nil, invalidValue("CIDR block %s is malformed", r.CidrIPv6)
			}
			rule := tx.newRule(g, egress, proto, from, to)
			rule.CidrIPv6, rule.Description = pr.Masked().String(), r.Description
			rules = append(rules, rule)
		}
		for _, r := range p.PrefixListIDs {
			if err := checkID(r.PrefixListID, "pl", "InvalidPrefixListId.Malformed"); err != nil {
				return nil, err
			}
			if err := tx.checkPrefixList(r.PrefixListID); err != nil {
				return nil, err
			}
			rule := tx.newRule(g, egress, proto, from, to)
			rule.PrefixListID, rule.Description = r.PrefixListID, r.Description
			rules = append(rules, rule)
		}
		for _, r := range p.Groups {
			var ref *SecurityGroup
			if r.GroupID != "" {
				ref, err = tx.securityGroup(r.GroupID)
			} else {
				ref, err = tx.groupByIDOrName("", r.GroupName)
			}
			if err != nil {
				return nil, err
			}
			if ref.VpcID != g.VpcID {
				// A group of a VPC peered with this one (active, same
				// region) may be named, as AWS allows.
				peered, err := tx.peered(ref.VpcID, g.VpcID)
				if err != nil {
					return nil, err
				}
				if !peered {
					return nil, apierr.New("InvalidGroup.NotFound", "You have specified two resources that belong to different networks.")
				}
			}
			rule := tx.newRule(g, egress, proto, from, to)
			rule.ReferencedGroupInfo, rule.Description = &ReferencedGroup{GroupID: ref.GroupID, UserID: tx.sc.Account}, r.Description
			rules = append(rules, rule)
		}
	}
	return rules, nil
}

func describeRule(r SecurityGroupRule) string {
	proto := strings.ToUpper(r.IPProtocol)
	if proto == "-1" {
		proto = "ALL"
	}
	return fmt.Sprintf("peer: %s, %s, from port: %d, to port: %d, ALLOW", r.peer(), proto, r.FromPort, r.ToPort)
}

func (c *Cloud) authorize(ctx context.Context, sc Scope, in *SecurityGroupRulesInput, egress bool) (*AuthorizeOutput, error) {
	tags, err := tagsFor(in.TagSpecifications, "security-group-rule")
	if err != nil {
		return nil, err
	}
	out := &AuthorizeOutput{Return: true}
	err = c.update(ctx, sc, func(tx *txn) error {
		g, err := tx.groupByIDOrName(in.GroupID, in.GroupName)
		if err != nil {
			return err
		}
		rules, err := tx.expandRules(g, in, egress)
		if err != nil {
			return err
		}
		for i, r := range rules {
			for _, have := range append(slices.Clone(g.Rules), rules[:i]...) {
				if have.same(r) {
					return apierr.New("InvalidPermission.Duplicate", "the specified rule \"%s\" already exists", describeRule(r))
				}
			}
			rules[i].Tags = tags["security-group-rule"]
		}
		if len(g.Rules)+len(rules) > 120 {
			return apierr.New("RulesPerSecurityGroupLimitExceeded", "The maximum number of rules per security group has been reached.")
		}
		g.Rules = append(g.Rules, rules...)
		out.Rules = rules
		return putObj(tx, kindSG, g.GroupID, g)
	})
	return out, err
}

// AuthorizeSecurityGroupIngress adds inbound rules.
func (c *Cloud) AuthorizeSecurityGroupIngress(ctx context.Context, sc Scope, in *SecurityGroupRulesInput) (*AuthorizeOutput, error) {
	return c.authorize(ctx, sc, in, false)
}

// AuthorizeSecurityGroupEgress adds outbound rules.
func (c *Cloud) AuthorizeSecurityGroupEgress(ctx context.Context, sc Scope, in *SecurityGroupRulesInput) (*AuthorizeOutput, error) {
	if in.GroupID == "" {
		return nil, apierr.Missing("GroupId")
	}
	return c.authorize(ctx, sc, in, true)
}

// RevokeOutput is the output of RevokeSecurityGroupIngress/Egress.
type RevokeOutput struct {
	Return               bool           `xml:"return"`
	UnknownIPPermissions []IPPermission `xml:"unknownIpPermissionSet>item"`
	RevokedRules         []struct {
		SecurityGroupRuleID string `xml:"securityGroupRuleId"`
		GroupID             string `xml:"groupId"`
		IsEgress            bool   `xml:"isEgress"`
	} `xml:"revokedSecurityGroupRuleSet>item"`
}

func (c *Cloud) revoke(ctx context.Context, sc Scope, in *SecurityGroupRulesInput, egress bool) (*RevokeOutput, error) {
	out := &RevokeOutput{Return: true}
	err := c.update(ctx, sc, func(tx *txn) error {
		g, err := tx.groupByIDOrName(in.GroupID, in.GroupName)
		if err != nil {
			return err
		}
		var remove []string
		if len(in.SecurityGroupRuleIDs) > 0 {
			for _, id := range in.SecurityGroupRuleIDs {
				if !slices.ContainsFunc(g.Rules, func(r SecurityGroupRule) bool { return r.SecurityGroupRuleID == id && r.IsEgress == egress }) {
					return apierr.New("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist", id)
				}
				remove = append(remove, id)
			}
		} else {
			want, err := tx.expandRules(g, in, egress)
			if err != nil {
				return err
			}
			for _, w := range want {
				i := slices.IndexFunc(g.Rules, func(r SecurityGroupRule) bool { return r.same(w) })
				if i < 0 {
					continue
				}
				remove = append(remove, g.Rules[i].SecurityGroupRuleID)
			}
			if len(remove) == 0 {
				return apierr.New("InvalidPermission.NotFound", "The specified rule does not exist in this security group.")
			}
		}
		g.Rules = slices.DeleteFunc(g.Rules, func(r SecurityGroupRule) bool {
			if slices.Contains(remove, r.SecurityGroupRuleID) {
				out.RevokedRules = append(out.RevokedRules, struct {
					SecurityGroupRuleID string `xml:"securityGroupRuleId"`
					GroupID             string `xml:"groupId"`
					IsEgress            bool   `xml:"isEgress"`
				}{r.SecurityGroupRuleID, g.GroupID, r.IsEgress})
				return true
			}
			return false
		})
		return putObj(tx, kindSG, g.GroupID, g)
	})
	return out, err
}

// RevokeSecurityGroupIngress removes inbound rules.
func (c *Cloud) RevokeSecurityGroupIngress(ctx context.Context, sc Scope, in *SecurityGroupRulesInput) (*RevokeOutput, error) {
	return c.revoke(ctx, sc, in, false)
}

// RevokeSecurityGroupEgress removes outbound rules.
func (c *Cloud) RevokeSecurityGroupEgress(ctx context.Context, sc Scope, in *SecurityGroupRulesInput) (*RevokeOutput, error) {
	if in.GroupID == "" {
		return nil, apierr.Missing("GroupId")
	}
	return c.revoke(ctx, sc, in, true)
}

// DescribeSecurityGroupRulesInput is the input of DescribeSecurityGroupRules.
type DescribeSecurityGroupRulesInput struct {
	RuleIDs []string `ec2:"SecurityGroupRuleId"`
	Filters []Filter `ec2:"Filter"`
	Page
}

// DescribeSecurityGroupRulesOutput is the output of DescribeSecurityGroupRules.
type DescribeSecurityGroupRulesOutput struct {
	Rules     []*SecurityGroupRule `xml:"securityGroupRuleSet>item"`
	NextToken string               `xml:"nextToken,omitempty"`
}

var sgRuleFields = fields[SecurityGroupRule]{
	"group-id":               func(r *SecurityGroupRule) []string { return one(r.GroupID) },
	"security-group-rule-id": func(r *SecurityGroupRule) []string { return one(r.SecurityGroupRuleID) },
}

func sgRuleID(r *SecurityGroupRule) string  { return r.SecurityGroupRuleID }
func sgRuleTags(r *SecurityGroupRule) []Tag { return r.Tags }

// DescribeSecurityGroupRules lists rules one by one.
func (c *Cloud) DescribeSecurityGroupRules(ctx context.Context, sc Scope, in *DescribeSecurityGroupRulesInput) (*DescribeSecurityGroupRulesOutput, error) {
	out := &DescribeSecurityGroupRulesOutput{}
	// The group-id filter names groups: AWS refuses a value that is not a
	// group ID, and literal IDs are read by key rather than every group.
	var only []string
	literal := true
	for _, f := range in.Filters {
		if f.Name != "group-id" {
			continue
		}
		for _, v := range f.Values {
			if strings.ContainsAny(v, "*?") {
				literal = false
				continue
			}
			if err := checkID(v, "sg", "InvalidGroupId.Malformed"); err != nil {
				return nil, err
			}
			only = append(only, v)
		}
	}
	err := c.view(ctx, sc, func(tx *txn) error {
		var groups []*SecurityGroup
		var err error
		if literal && len(only) > 0 {
			slices.Sort(only)
			for _, id := range slices.Compact(only) {
				g, gerr := getObj[SecurityGroup](tx, kindSG, id)
				if errors.Is(gerr, store.ErrNotFound) {
					continue
				} else if gerr != nil {
					return gerr
				}
				groups = append(groups, g)
			}
		} else if groups, err = listObj[SecurityGroup](tx, kindSG); err != nil {
			return err
		}
		var all []*SecurityGroupRule
		for _, g := range groups {
			for i := range g.Rules {
				all = append(all, &g.Rules[i])
			}
		}
		if all, err = selectIDs(all, sgRuleID, in.RuleIDs, func(id string) error {
			return apierr.New("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist", id)
		}); err != nil {
			return err
		}
		if all, err = filter(ctx, all, in.Filters, sgRuleFields, sgRuleTags); err != nil {
			return err
		}
		out.Rules, out.NextToken, err = paginate(all, sgRuleID, in.Page, 5, 1000)
		return err
	})
	return out, err
}

// parentID files a security group under its VPC (the store's parent
// index), so that group names are checked per VPC.
func (g *SecurityGroup) parentID() string { return g.VpcID }
