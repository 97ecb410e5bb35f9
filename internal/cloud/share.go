package cloud

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	json "github.com/goccy/go-json"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/store"
)

// AWS Resource Access Manager, as far as network-account designs need
// it: an account shares a transit gateway with other accounts, each of
// which accepts the invitation, and may then attach its VPCs to it. vpce
// models no AWS Organizations, so every principal is an account ID
// outside the owner's organization: sharing needs allowExternalPrincipals
// and an invitation the principal accepts. Shares live in the global
// scope (both sides read them).

// kindShare holds resource shares in the global scope.
const kindShare = "resource-share"

// shareRetention is how long a deleted share is still shown.
const shareRetention = 2 * time.Hour

// RAM states.
const (
	ShareActive       = "ACTIVE"
	ShareDeleted      = "DELETED"
	AssocAssociating  = "ASSOCIATING"
	AssocAssociated   = "ASSOCIATED"
	AssocDisassociate = "DISASSOCIATED"
	AssocFailed       = "FAILED"
	InvitePending     = "PENDING"
	InviteAccepted    = "ACCEPTED"
	InviteRejected    = "REJECTED"
)

// ResourceShare is a RAM resource share: resources of its owner made
// visible to its principals.
type ResourceShare struct {
	ID            string            `json:"id"`
	ARN           string            `json:"arn"`
	Name          string            `json:"name"`
	Owner         string            `json:"owner"`
	Region        string            `json:"region"`
	AllowExternal bool              `json:"external"`
	Status        string            `json:"status"`
	Created       time.Time         `json:"created"`
	Updated       time.Time         `json:"updated"`
	Tags          map[string]string `json:"tags,omitempty"`
	Resources     []ShareMember     `json:"resources,omitempty"`
	Principals    []ShareMember     `json:"principals,omitempty"`
	DeletedAt     *time.Time        `json:"deletedAt,omitempty"`
}

// ShareMember is a resource or a principal associated with a share; a
// principal carries its invitation.
type ShareMember struct {
	Entity     string    `json:"entity"` // resource ARN or account ID
	Type       string    `json:"type,omitempty"`
	Status     string    `json:"status"`
	Message    string    `json:"message,omitempty"`
	Created    time.Time `json:"created"`
	Updated    time.Time `json:"updated"`
	Invitation string    `json:"invitation,omitempty"` // ARN
	Invited    string    `json:"invited,omitempty"`    // invitation status
}

// ShareAssociation is a member as GetResourceShareAssociations shows it.
type ShareAssociation struct {
	ShareARN  string
	ShareName string
	Member    ShareMember
	Kind      string // PRINCIPAL or RESOURCE
	External  bool
}

// ShareInvitation is an invitation to a share.
type ShareInvitation struct {
	ARN      string
	Share    *ResourceShare
	Receiver string
	Sent     time.Time
	Status   string
}

// SharedResource is a resource in a share, as ListResources shows it.
type SharedResource struct {
	ARN      string
	Type     string
	ShareARN string
	Status   string
	Created  time.Time
	Updated  time.Time
}

func shareKey(id string) store.Key { return store.Key{Scope: globalScope, Kind: kindShare, ID: id} }

// newUUID returns a random RFC 4122 version 4 UUID, the form RAM's IDs take.
func newUUID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

var (
	shareARN      = regexp.MustCompile(`^arn:aws:ram:([a-z0-9-]+):(\d{12}):resource-share/([0-9a-f-]{36})$`)
	invitationARN = regexp.MustCompile(`^arn:aws:ram:([a-z0-9-]+):(\d{12}):resource-share-invitation/([0-9a-f-]{36})$`)
	resourceARN   = regexp.MustCompile(`^arn:aws:([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:([A-Za-z0-9-]+)/(.+)$`)
	accountID     = regexp.MustCompile(`^\d{12}$`)
)

func malformedARN(arn string) error {
	return apierr.New("MalformedArnException", "The specified resource ARN %s is not valid. Verify the ARN and try again.", arn)
}

func unknownShare(arn string) error {
	return apierr.New("UnknownResourceException", "ResourceShare %s could not be found.", arn)
}

// allShares reads every share in the store, ended ones past their
// retention left out.
func (tx *txn) allShares() ([]*ResourceShare, error) {
	rs, err := tx.List(globalScope, kindShare)
	if err != nil {
		return nil, err
	}
	all, err := decodeAll[ResourceShare](kindShare, rs)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(s *ResourceShare) bool {
		return s.DeletedAt != nil && tx.now.After(s.DeletedAt.Add(shareRetention))
	}), nil
}

// ownShare returns a share of tx's account in its region by ARN.
func (tx *txn) ownShare(arn string) (*ResourceShare, error) {
	m := shareARN.FindStringSubmatch(arn)
	if m == nil {
		return nil, malformedARN(arn)
	}
	if m[1] != tx.sc.Region || m[2] != tx.sc.Account {
		return nil, unknownShare(arn)
	}
	b, err := tx.Get(shareKey(m[3]))
	if errors.Is(err, store.ErrNotFound) {
		return nil, unknownShare(arn)
	}
	if err != nil {
		return nil, err
	}
	s := &ResourceShare{}
	if err := json.Unmarshal(b, s); err != nil {
		return nil, err
	}
	if s.DeletedAt != nil && tx.now.After(s.DeletedAt.Add(shareRetention)) {
		return nil, unknownShare(arn)
	}
	return s, nil
}

// joinedShare returns another account's share tx's account is a principal
// of, by ARN.
func (tx *txn) joinedShare(arn string) (*ResourceShare, error) {
	all, err := tx.allShares()
	if err != nil {
		return nil, err
	}
	for _, s := range all {
		if s.ARN == arn && s.principal(tx.sc.Account) != nil {
			return s, nil
		}
	}
	return nil, unknownShare(arn)
}

func (tx *txn) putShare(s *ResourceShare) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return tx.Put(shareKey(s.ID), b)
}

// shareableType checks a resource ARN names a resource of tx's account
// and region that vpce can share, and returns RAM's type for it.
func (tx *txn) shareableType(arn string) (string, error) {
	m := resourceARN.FindStringSubmatch(arn)
	if m == nil {
		return "", malformedARN(arn)
	}
	service, region, account, kind, id := m[1], m[2], m[3], m[4], m[5]
	if region != tx.sc.Region || account != tx.sc.Account {
		return "", apierr.New("UnknownResourceException", "The resource %s could not be found in account %s in %s.", arn, tx.sc.Account, tx.sc.Region)
	}
	switch service + ":" + kind {
	case "ec2:transit-gateway":
		if _, err := tx.transitGateway(id); err != nil {
			return "", apierr.New("UnknownResourceException", "The resource %s could not be found.", arn)
		}
		return "ec2:TransitGateway", nil
	case "route53resolver:resolver-rule":
		if _, err := tx.resolverRule(id); err != nil {
			return "", apierr.New("UnknownResourceException", "The resource %s could not be found.", arn)
		}
		return "route53resolver:ResolverRule", nil
	}
	return "", apierr.New("OperationNotPermittedException", "vpce shares transit gateways (ec2:TransitGateway) and Resolver rules (route53resolver:ResolverRule); %s cannot be shared here.", arn)
}

// checkPrincipal accepts an account ID other than the owner's.
func (tx *txn) checkPrincipal(s *ResourceShare, p string) error {
	switch {
	case strings.HasPrefix(p, "arn:aws:organizations:") || strings.HasPrefix(p, "arn:aws:iam:"):
		return apierr.New("OperationNotPermittedException", "vpce models no AWS Organizations, IAM roles or users as principals: share with account IDs (%s).", p)
	case !accountID.MatchString(p):
		return apierr.New("InvalidParameterException", "The principal %s is not valid: give a 12-digit account ID.", p)
	case p == tx.sc.Account:
		return apierr.New("InvalidParameterException", "The resource share owner %s cannot be a principal of its own share.", p)
	case !s.AllowExternal:
		return apierr.New("OperationNotPermittedException", "Principal %s is not in your AWS organization. You cannot share with principals outside your organization unless allowExternalPrincipals is true.", p)
	}
	return nil
}

// addMembers associates resources and principals with a share: a
// principal gets an invitation it must accept.
func (tx *txn) addMembers(s *ResourceShare, resources, principals []string) ([]ShareAssociation, error) {
	var out []ShareAssociation
	for _, arn := range resources {
		t, err := tx.shareableType(arn)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(s.Resources, func(m ShareMember) bool { return m.Entity == arn })
		if i < 0 {
			s.Resources = append(s.Resources, ShareMember{Entity: arn, Type: t, Created: tx.now})
			i = len(s.Resources) - 1
		}
		m := &s.Resources[i]
		m.Status, m.Updated, m.Message = AssocAssociated, tx.now, ""
		out = append(out, ShareAssociation{ShareARN: s.ARN, ShareName: s.Name, Member: *m, Kind: "RESOURCE"})
	}
	for _, p := range principals {
		if err := tx.checkPrincipal(s, p); err != nil {
			return nil, err
		}
		i := slices.IndexFunc(s.Principals, func(m ShareMember) bool { return m.Entity == p })
		if i < 0 {
			s.Principals = append(s.Principals, ShareMember{Entity: p, Created: tx.now})
			i = len(s.Principals) - 1
		}
		m := &s.Principals[i]
		if m.Status != AssocAssociated {
			m.Status, m.Message = AssocAssociating, ""
			m.Invitation = fmt.Sprintf("arn:aws:ram:%s:%s:resource-share-invitation/%s", s.Region, s.Owner, newUUID())
			m.Invited = InvitePending
		}
		m.Updated = tx.now
		out = append(out, ShareAssociation{ShareARN: s.ARN, ShareName: s.Name, Member: *m, Kind: "PRINCIPAL", External: true})
	}
	s.Updated = tx.now
	return out, nil
}

// CreateResourceShareInput is the input of CreateResourceShare.
type CreateResourceShareInput struct {
	Name                    string
	ResourceArns            []string
	Principals              []string
	Tags                    map[string]string
	AllowExternalPrincipals *bool
}

// CreateResourceShare creates an active share of the caller's resources
// with other accounts, each invited.
func (c *Cloud) CreateResourceShare(ctx context.Context, sc Scope, in *CreateResourceShareInput) (*ResourceShare, error) {
	if in.Name == "" {
		return nil, apierr.New("InvalidParameterException", "The name of the resource share is required.")
	}
	var out *ResourceShare
	return out, c.update(ctx, sc, func(tx *txn) error {
		id := newUUID()
		s := &ResourceShare{ID: id, ARN: fmt.Sprintf("arn:aws:ram:%s:%s:resource-share/%s", sc.Region, sc.Account, id), Name: in.Name,
			Owner: sc.Account, Region: sc.Region, AllowExternal: in.AllowExternalPrincipals == nil || *in.AllowExternalPrincipals,
			Status: ShareActive, Created: tx.now, Updated: tx.now, Tags: in.Tags}
		if _, err := tx.addMembers(s, in.ResourceArns, in.Principals); err != nil {
			return err
		}
		out = s
		return tx.putShare(s)
	})
}

// GetResourceShares lists the shares the caller owns (owner "SELF") or
// has been invited to by others ("OTHER-ACCOUNTS").
func (c *Cloud) GetResourceShares(ctx context.Context, sc Scope, owner string, arns []string, status, name string) ([]*ResourceShare, error) {
	if owner != "SELF" && owner != "OTHER-ACCOUNTS" {
		return nil, apierr.New("InvalidParameterException", "resourceOwner must be SELF or OTHER-ACCOUNTS, not %q.", owner)
	}
	for _, a := range arns {
		if !shareARN.MatchString(a) {
			return nil, malformedARN(a)
		}
	}
	var out []*ResourceShare
	return out, c.view(ctx, sc, func(tx *txn) error {
		all, err := tx.allShares()
		if err != nil {
			return err
		}
		for _, s := range all {
			if s.Region != sc.Region || (len(arns) > 0 && !slices.Contains(arns, s.ARN)) ||
				(status != "" && s.Status != status) || (name != "" && s.Name != name) {
				continue
			}
			mine := s.Owner == sc.Account
			if owner == "SELF" && mine || owner == "OTHER-ACCOUNTS" && !mine && s.principal(sc.Account) != nil {
				out = append(out, s)
			}
		}
		slices.SortFunc(out, func(a, b *ResourceShare) int { return a.Created.Compare(b.Created) })
		return nil
	})
}

func (s *ResourceShare) principal(account string) *ShareMember {
	for i := range s.Principals {
		if s.Principals[i].Entity == account {
			return &s.Principals[i]
		}
	}
	return nil
}

// DeleteResourceShare deletes a share: its principals lose access to
// its resources (what they already built with them stays).
func (c *Cloud) DeleteResourceShare(ctx context.Context, sc Scope, arn string) error {
	return c.update(ctx, sc, func(tx *txn) error {
		s, err := tx.ownShare(arn)
		if err != nil {
			return err
		}
		if s.Status == ShareDeleted {
			return apierr.New("InvalidStateTransitionException", "The resource share %s is already deleted.", arn)
		}
		now := tx.now
		s.Status, s.DeletedAt, s.Updated = ShareDeleted, &now, now
		for _, ms := range [][]ShareMember{s.Resources, s.Principals} {
			for i := range ms {
				ms[i].Status, ms[i].Updated = AssocDisassociate, now
			}
		}
		return tx.putShare(s)
	})
}

// AssociateResourceShare adds resources and principals to a share.
func (c *Cloud) AssociateResourceShare(ctx context.Context, sc Scope, arn string, resources, principals []string) ([]ShareAssociation, error) {
	var out []ShareAssociation
	return out, c.update(ctx, sc, func(tx *txn) error {
		s, err := tx.ownShare(arn)
		if err != nil {
			return err
		}
		if s.Status != ShareActive {
			return apierr.New("InvalidStateTransitionException", "The resource share %s is %s.", arn, s.Status)
		}
		if out, err = tx.addMembers(s, resources, principals); err != nil {
			return err
		}
		return tx.putShare(s)
	})
}

// DisassociateResourceShare removes resources and principals from a
// share; a principal may remove itself alone from another's share (leave
// it, as Terraform's share accepter does when destroyed).
func (c *Cloud) DisassociateResourceShare(ctx context.Context, sc Scope, arn string, resources, principals []string) ([]ShareAssociation, error) {
	var out []ShareAssociation
	return out, c.update(ctx, sc, func(tx *txn) error {
		s, err := tx.ownShare(arn)
		if apierr.HasCode(err, "UnknownResourceException") && len(resources) == 0 && slices.Equal(principals, []string{sc.Account}) {
			s, err = tx.joinedShare(arn)
		}
		if err != nil {
			return err
		}
		for _, set := range []struct {
			ms   []ShareMember
			want []string
			kind string
		}{{s.Resources, resources, "RESOURCE"}, {s.Principals, principals, "PRINCIPAL"}} {
			for _, e := range set.want {
				i := slices.IndexFunc(set.ms, func(m ShareMember) bool { return m.Entity == e })
				if i < 0 {
					return apierr.New("UnknownResourceException", "%s is not associated with the resource share %s.", e, arn)
				}
				set.ms[i].Status, set.ms[i].Updated = AssocDisassociate, tx.now
				out = append(out, ShareAssociation{ShareARN: s.ARN, ShareName: s.Name, Member: set.ms[i], Kind: set.kind, External: set.kind == "PRINCIPAL"})
			}
		}
		s.Updated = tx.now
		return tx.putShare(s)
	})
}

// GetResourceShareAssociations lists the principals or resources of the
// caller's shares; a principal also sees its own association with
// shares of others.
func (c *Cloud) GetResourceShareAssociations(ctx context.Context, sc Scope, kind string, arns []string, resource, principal, status string) ([]ShareAssociation, error) {
	if kind != "PRINCIPAL" && kind != "RESOURCE" {
		return nil, apierr.New("InvalidParameterException", "associationType must be PRINCIPAL or RESOURCE, not %q.", kind)
	}
	var out []ShareAssociation
	return out, c.view(ctx, sc, func(tx *txn) error {
		all, err := tx.allShares()
		if err != nil {
			return err
		}
		for _, s := range all {
			if s.Region != sc.Region || (len(arns) > 0 && !slices.Contains(arns, s.ARN)) {
				continue
			}
			ms := s.Resources
			if kind == "PRINCIPAL" {
				ms = s.Principals
			}
			for _, m := range ms {
				visible := s.Owner == sc.Account || (kind == "PRINCIPAL" && m.Entity == sc.Account)
				if !visible || (resource != "" && m.Entity != resource) || (principal != "" && m.Entity != principal) || (status != "" && m.Status != status) {
					continue
				}
				out = append(out, ShareAssociation{ShareARN: s.ARN, ShareName: s.Name, Member: m, Kind: kind, External: kind == "PRINCIPAL"})
			}
		}
		return nil
	})
}

// GetResourceShareInvitations lists the invitations sent to the caller.
func (c *Cloud) GetResourceShareInvitations(ctx context.Context, sc Scope, invitations, shares []string) ([]ShareInvitation, error) {
	for _, a := range invitations {
		if !invitationARN.MatchString(a) {
			return nil, malformedARN(a)
		}
	}
	var out []ShareInvitation
	return out, c.view(ctx, sc, func(tx *txn) error {
		all, err := tx.allShares()
		if err != nil {
			return err
		}
		for _, s := range all {
			p := s.principal(sc.Account)
			if s.Region != sc.Region || p == nil || p.Invitation == "" || (len(shares) > 0 && !slices.Contains(shares, s.ARN)) ||
				(len(invitations) > 0 && !slices.Contains(invitations, p.Invitation)) {
				continue
			}
			out = append(out, ShareInvitation{ARN: p.Invitation, Share: s, Receiver: sc.Account, Sent: p.Updated, Status: p.Invited})
		}
		if len(invitations) > 0 && len(out) == 0 {
			return apierr.New("ResourceShareInvitationArnNotFoundException", "The resource share invitation %s could not be found.", invitations[0])
		}
		return nil
	})
}

// answerInvitation accepts or rejects an invitation sent to the caller.
func (c *Cloud) answerInvitation(ctx context.Context, sc Scope, arn string, accept bool) (*ShareInvitation, error) {
	if !invitationARN.MatchString(arn) {
		return nil, malformedARN(arn)
	}
	var out *ShareInvitation
	return out, c.update(ctx, sc, func(tx *txn) error {
		all, err := tx.allShares()
		if err != nil {
			return err
		}
		for _, s := range all {
			p := s.principal(sc.Account)
			if p == nil || p.Invitation != arn {
				continue
			}
			switch {
			case p.Invited == InviteAccepted:
				return apierr.New("ResourceShareInvitationAlreadyAcceptedException", "The resource share invitation %s has already been accepted.", arn)
			case p.Invited == InviteRejected:
				return apierr.New("ResourceShareInvitationAlreadyRejectedException", "The resource share invitation %s has already been rejected.", arn)
			case s.Status != ShareActive || p.Status == AssocDisassociate:
				return apierr.New("ResourceShareInvitationExpiredException", "The resource share invitation %s has expired: the share or the association was removed.", arn)
			}
			if accept {
				p.Invited, p.Status = InviteAccepted, AssocAssociated
			} else {
				p.Invited, p.Status, p.Message = InviteRejected, AssocFailed, "The invitation was rejected."
			}
			p.Updated = tx.now
			out = &ShareInvitation{ARN: arn, Share: s, Receiver: sc.Account, Sent: p.Created, Status: p.Invited}
			return tx.putShare(s)
		}
		return apierr.New("ResourceShareInvitationArnNotFoundException", "The resource share invitation %s could not be found.", arn)
	})
}

// AcceptResourceShareInvitation accepts an invitation: the share's
// resources become usable by the caller.
func (c *Cloud) AcceptResourceShareInvitation(ctx context.Context, sc Scope, arn string) (*ShareInvitation, error) {
	return c.answerInvitation(ctx, sc, arn, true)
}

// RejectResourceShareInvitation rejects an invitation.
func (c *Cloud) RejectResourceShareInvitation(ctx context.Context, sc Scope, arn string) (*ShareInvitation, error) {
	return c.answerInvitation(ctx, sc, arn, false)
}

// ListSharedResources lists the resources the caller shares ("SELF") or
// that are shared with it and accepted ("OTHER-ACCOUNTS").
func (c *Cloud) ListSharedResources(ctx context.Context, sc Scope, owner, resourceType string, shares []string) ([]SharedResource, error) {
	if owner != "SELF" && owner != "OTHER-ACCOUNTS" {
		return nil, apierr.New("InvalidParameterException", "resourceOwner must be SELF or OTHER-ACCOUNTS, not %q.", owner)
	}
	var out []SharedResource
	return out, c.view(ctx, sc, func(tx *txn) error {
		all, err := tx.allShares()
		if err != nil {
			return err
		}
		for _, s := range all {
			if s.Region != sc.Region || s.Status != ShareActive || (len(shares) > 0 && !slices.Contains(shares, s.ARN)) {
				continue
			}
			switch owner {
			case "SELF":
				if s.Owner != sc.Account {
					continue
				}
			default:
				if p := s.principal(sc.Account); p == nil || p.Status != AssocAssociated {
					continue
				}
			}
			for _, r := range s.Resources {
				if r.Status == AssocAssociated && (resourceType == "" || strings.EqualFold(r.Type, resourceType)) {
					out = append(out, SharedResource{ARN: r.Entity, Type: r.Type, ShareARN: s.ARN, Status: "AVAILABLE", Created: r.Created, Updated: r.Updated})
				}
			}
		}
		return nil
	})
}

// SharePermission is the AWS managed permission a share grants on one of
// its resource types (vpce grants each type's default permission).
type SharePermission struct {
	ARN          string
	Name         string
	ResourceType string
	Created      time.Time
}

// defaultPermissions names AWS's default managed permission of each
// resource type vpce shares.
var defaultPermissions = map[string]string{
	"ec2:TransitGateway":           "AWSRAMDefaultPermissionTransitGateway",
	"route53resolver:ResolverRule": "AWSRAMDefaultPermissionResolverRule",
}

// ListResourceSharePermissions lists the permissions of a share: the
// default one of each type of resource it holds.
func (c *Cloud) ListResourceSharePermissions(ctx context.Context, sc Scope, arn string) ([]SharePermission, error) {
	var out []SharePermission
	return out, c.view(ctx, sc, func(tx *txn) error {
		s, err := tx.ownShare(arn)
		if apierr.HasCode(err, "UnknownResourceException") {
			s, err = tx.joinedShare(arn)
		}
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, r := range s.Resources {
			name := defaultPermissions[r.Type]
			if r.Status != AssocAssociated || name == "" || seen[name] {
				continue
			}
			seen[name] = true
			out = append(out, SharePermission{ARN: "arn:aws:ram::aws:permission/" + name, Name: name, ResourceType: r.Type, Created: s.Created})
		}
		return nil
	})
}

// sharedRef is a resource another account shares with tx's account.
type sharedRef struct{ Owner, ID string }

// sharedWithMe returns the resources of one type (an ARN's resource
// type: transit-gateway, resolver-rule) that other accounts share with
// tx's account through active shares whose invitation it accepted, each
// once: the one rule for "may this account use that resource".
func (tx *txn) sharedWithMe(kind string) ([]sharedRef, error) {
	all, err := tx.allShares()
	if err != nil {
		return nil, err
	}
	var out []sharedRef
	seen := map[string]bool{}
	for _, s := range all {
		if s.Status != ShareActive || s.Region != tx.sc.Region || s.Owner == tx.sc.Account {
			continue
		}
		if p := s.principal(tx.sc.Account); p == nil || p.Status != AssocAssociated {
			continue
		}
		for _, r := range s.Resources {
			if _, id, ok := strings.Cut(r.Entity, ":"+kind+"/"); ok && r.Status == AssocAssociated && !seen[id] {
				seen[id] = true
				out = append(out, sharedRef{s.Owner, id})
			}
		}
	}
	return out, nil
}

// sharedOwner returns the account that shares a resource of a type with
// tx's account, or "" when none does.
func (tx *txn) sharedOwner(kind, id string) (string, error) {
	refs, err := tx.sharedWithMe(kind)
	for _, r := range refs {
		if r.ID == id {
			return r.Owner, nil
		}
	}
	return "", err
}

// in returns a transaction over the same store transaction that acts in
// another account of the same region (to read or write that account's
// side of a shared resource).
func (tx *txn) in(account string) *txn {
	t := *tx
	t.sc = Scope{Account: account, Region: tx.sc.Region}
	return &t
}
