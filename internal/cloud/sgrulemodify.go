package cloud

import (
	"context"
	"errors"
	"slices"

	json "github.com/goccy/go-json"
	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/store"
)

// SecurityGroupRuleRequest is a rule's new content in ModifySecurityGroupRules:
// protocol, ports and exactly one peer.
type SecurityGroupRuleRequest struct {
	IPProtocol        string `ec2:"IpProtocol"`
	FromPort          *int32 `ec2:"FromPort"`
	ToPort            *int32 `ec2:"ToPort"`
	CidrIPv4          string `ec2:"CidrIpv4"`
	CidrIPv6          string `ec2:"CidrIpv6"`
	PrefixListID      string `ec2:"PrefixListId"`
	ReferencedGroupID string `ec2:"ReferencedGroupId"`
	Description       string `ec2:"Description"`
}

// SecurityGroupRuleUpdate names a rule and its new content.
type SecurityGroupRuleUpdate struct {
	SecurityGroupRuleID string                    `ec2:"SecurityGroupRuleId,required"`
	SecurityGroupRule   *SecurityGroupRuleRequest `ec2:"SecurityGroupRule"`
}

// ModifySecurityGroupRulesInput is the input of ModifySecurityGroupRules.
type ModifySecurityGroupRulesInput struct {
	GroupID            string                    `ec2:"GroupId,required"`
	SecurityGroupRules []SecurityGroupRuleUpdate `ec2:"SecurityGroupRule,required"`
}

// ModifySecurityGroupRules replaces rules of a group in place: each keeps
// its ID, direction, ARN and tags, and takes the given protocol, ports,
// peer and description.
func (c *Cloud) ModifySecurityGroupRules(ctx context.Context, sc Scope, in *ModifySecurityGroupRulesInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		g, err := tx.securityGroup(in.GroupID)
		if err != nil {
			return err
		}
		for _, u := range in.SecurityGroupRules {
			i := slices.IndexFunc(g.Rules, func(r SecurityGroupRule) bool { return r.SecurityGroupRuleID == u.SecurityGroupRuleID })
			if i < 0 {
				return apierr.New("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist", u.SecurityGroupRuleID)
			}
			if u.SecurityGroupRule == nil {
				return apierr.Missing("SecurityGroupRule")
			}
			old := g.Rules[i]
			r, err := tx.ruleFromRequest(g, old.IsEgress, u.SecurityGroupRule)
			if err != nil {
				return err
			}
			r.SecurityGroupRuleID, r.SecurityGroupRuleArn, r.Tags = old.SecurityGroupRuleID, old.SecurityGroupRuleArn, old.Tags
			for j, have := range g.Rules {
				if j != i && have.same(r) {
					return apierr.New("InvalidPermission.Duplicate", "the specified rule \"%s\" already exists", describeRule(r))
				}
			}
			g.Rules[i] = r
		}
		return putObj(tx, kindSG, g.GroupID, g)
	})
}

// ruleFromRequest builds one rule from a SecurityGroupRuleRequest with the
// validation of the authorize actions.
func (tx *txn) ruleFromRequest(g *SecurityGroup, egress bool, q *SecurityGroupRuleRequest) (SecurityGroupRule, error) {
	p := IPPermission{IPProtocol: q.IPProtocol, FromPort: q.FromPort, ToPort: q.ToPort}
	peers := 0
	if q.CidrIPv4 != "" {
		p.IPRanges, peers = []IPRange{{CidrIP: q.CidrIPv4, Description: q.Description}}, peers+1
	}
	if q.CidrIPv6 != "" {
		p.IPv6Ranges, peers = []IPv6Range{{CidrIPv6: q.CidrIPv6, Description: q.Description}}, peers+1
	}
	if q.PrefixListID != "" {
		p.PrefixListIDs, peers = []PrefixListIDPeer{{PrefixListID: q.PrefixListID, Description: q.Description}}, peers+1
	}
	if q.ReferencedGroupID != "" {
		p.Groups, peers = []UserIDGroupPair{{GroupID: q.ReferencedGroupID, Description: q.Description}}, peers+1
	}
	if peers > 1 {
		return SecurityGroupRule{}, apierr.New("InvalidParameterCombination",
			"Only one of cidrIpv4, cidrIpv6, prefixListId and referencedGroupId may be given for a security group rule.")
	}
	if p.IPProtocol == "" {
		return SecurityGroupRule{}, apierr.Missing("IpProtocol")
	}
	rules, err := tx.expandRules(g, &SecurityGroupRulesInput{IPPermissions: []IPPermission{p}}, egress)
	if err != nil {
		return SecurityGroupRule{}, err
	}
	return rules[0], nil
}

// SecurityGroupRuleDescription sets one rule's description by ID.
type SecurityGroupRuleDescription struct {
	SecurityGroupRuleID string `ec2:"SecurityGroupRuleId"`
	Description         string `ec2:"Description"`
}

// UpdateRuleDescriptionsInput is the input of
// UpdateSecurityGroupRuleDescriptionsIngress and …Egress.
type UpdateRuleDescriptionsInput struct {
	GroupID       string                         `ec2:"GroupId"`
	GroupName     string                         `ec2:"GroupName"`
	IPPermissions []IPPermission                 `ec2:"IpPermissions"`
	ByID          []SecurityGroupRuleDescription `ec2:"SecurityGroupRuleDescription"`
}

// UpdateSecurityGroupRuleDescriptionsIngress sets the descriptions of
// inbound rules, named by their content (IpPermissions, the description
// of each peer) or by ID.
func (c *Cloud) UpdateSecurityGroupRuleDescriptionsIngress(ctx context.Context, sc Scope, in *UpdateRuleDescriptionsInput) (*Return, error) {
	return c.updateDescriptions(ctx, sc, in, false)
}

// UpdateSecurityGroupRuleDescriptionsEgress sets the descriptions of
// outbound rules.
func (c *Cloud) UpdateSecurityGroupRuleDescriptionsEgress(ctx context.Context, sc Scope, in *UpdateRuleDescriptionsInput) (*Return, error) {
	return c.updateDescriptions(ctx, sc, in, true)
}

func (c *Cloud) updateDescriptions(ctx context.Context, sc Scope, in *UpdateRuleDescriptionsInput, egress bool) (*Return, error) {
	if len(in.IPPermissions) == 0 && len(in.ByID) == 0 {
		return nil, apierr.New("MissingParameter", "The request must contain the parameter IpPermissions or SecurityGroupRuleDescriptions")
	}
	return ok, c.update(ctx, sc, func(tx *txn) error {
		g, err := tx.groupByIDOrName(in.GroupID, in.GroupName)
		if err != nil {
			return err
		}
		var wanted []SecurityGroupRule
		if len(in.IPPermissions) > 0 {
			if wanted, err = tx.expandRules(g, &SecurityGroupRulesInput{IPPermissions: in.IPPermissions}, egress); err != nil {
				return err
			}
		}
		for _, w := range wanted {
			i := slices.IndexFunc(g.Rules, func(r SecurityGroupRule) bool { return r.same(w) })
			if i < 0 {
				return apierr.New("InvalidPermission.NotFound", "The specified rule does not exist in this security group.")
			}
			g.Rules[i].Description = w.Description
		}
		for _, d := range in.ByID {
			i := slices.IndexFunc(g.Rules, func(r SecurityGroupRule) bool {
				return r.SecurityGroupRuleID == d.SecurityGroupRuleID && r.IsEgress == egress
			})
			if i < 0 {
				return apierr.New("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist", d.SecurityGroupRuleID)
			}
			g.Rules[i].Description = d.Description
		}
		return putObj(tx, kindSG, g.GroupID, g)
	})
}

// ruleOwner finds the group that holds a rule, by the rule index (a
// state written before the index existed is searched).
func (tx *txn) ruleOwner(ruleID string) (*SecurityGroup, int, error) {
	notFound := apierr.New("InvalidSecurityGroupRuleId.NotFound", "The security group rule ID '%s' does not exist", ruleID)
	find := func(g *SecurityGroup) int {
		return slices.IndexFunc(g.Rules, func(r SecurityGroupRule) bool { return r.SecurityGroupRuleID == ruleID })
	}
	b, err := tx.Get(store.Key{Scope: tx.sc, Kind: kindRuleGroup, ID: ruleID})
	switch {
	case err == nil:
		var rec idRec
		if err := json.Unmarshal(b, &rec); err != nil {
			return nil, 0, err
		}
		g, err := getOr[SecurityGroup](tx, kindSG, rec.ID, func() error { return notFound })
		if err != nil {
			return nil, 0, err
		}
		if i := find(g); i >= 0 {
			return g, i, nil
		}
		return nil, 0, notFound
	case !errors.Is(err, store.ErrNotFound):
		return nil, 0, err
	}
	groups, err := listObj[SecurityGroup](tx, kindSG)
	if err != nil {
		return nil, 0, err
	}
	for _, g := range groups {
		if i := find(g); i >= 0 {
			return g, i, nil
		}
	}
	return nil, 0, notFound
}

// ruleTaggable lets CreateTags, DeleteTags and DescribeTags reach
// security group rules (resource type security-group-rule), which live
// inside their group.
func ruleTaggable() taggable {
	type ruleRef struct {
		g *SecurityGroup
		i int
	}
	return taggable{
		prefix: "sgr", kind: kindSG, resourceType: "security-group-rule", notFound: "InvalidSecurityGroupRuleId.NotFound", noun: "security group rule",
		get: func(tx *txn, id string) (any, *TagSet, error) {
			g, i, err := tx.ruleOwner(id)
			if err != nil {
				return nil, nil, err
			}
			return ruleRef{g, i}, &g.Rules[i].Tags, nil
		},
		save: func(tx *txn, _ string, obj any) error {
			r := obj.(ruleRef)
			return putObj(tx, kindSG, r.g.GroupID, r.g)
		},
		all: func(tx *txn) ([]taggedObject, error) {
			groups, err := listObj[SecurityGroup](tx, kindSG)
			if err != nil {
				return nil, err
			}
			var out []taggedObject
			for _, g := range groups {
				for _, r := range g.Rules {
					if len(r.Tags) > 0 {
						out = append(out, taggedObject{r.SecurityGroupRuleID, r.Tags})
					}
				}
			}
			return out, nil
		},
	}
}
