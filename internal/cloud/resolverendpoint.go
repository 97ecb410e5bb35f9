package cloud

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	json "github.com/goccy/go-json"
	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/store"
)

// Route 53 Resolver endpoints and rules, as far as DNS needs them. An
// inbound endpoint takes an interface in each of its subnets, as in AWS,
// and vpce serves it at a loopback address of its own (the inbound
// endpoint's "address" for a client on premises): queries there are
// answered with the VPC's view, names of endpoints whose private DNS is
// for inbound resolver endpoints only included. An outbound endpoint takes
// interfaces too; FORWARD rules associated with a VPC send matching names
// to their target addresses (SYSTEM rules keep a subdomain local).

// Stored kinds of Route 53 Resolver resources.
const (
	kindResolverEndpoint  = "resolver-endpoint"
	kindResolverRule      = "resolver-rule"
	kindResolverRuleAssoc = "resolver-rule-association"
)

// ResolverEndpoint is an inbound or outbound Route 53 Resolver endpoint.
type ResolverEndpoint struct {
	ID               string       `json:"Id"`
	CreatorRequestID string       `json:"CreatorRequestId"`
	Arn              string       `json:"Arn"`
	Name             string       `json:"Name,omitempty"`
	SecurityGroupIDs []string     `json:"SecurityGroupIds"`
	Direction        string       `json:"Direction"`
	IPAddressCount   int          `json:"IpAddressCount"`
	HostVPCID        string       `json:"HostVPCId"`
	Status           string       `json:"Status"`
	StatusMessage    string       `json:"StatusMessage"`
	CreationTime     string       `json:"CreationTime"`
	ModificationTime string       `json:"ModificationTime"`
	IPs              []ResolverIP `json:"ips,omitempty"`
	Address          netip.Addr   `json:"address,omitzero"` // inbound: where vpce serves it
	ReadyAt          time.Time    `json:"readyAt"`
}

// ResolverIP is one address of an endpoint.
type ResolverIP struct {
	IPID     string     `json:"IpId"`
	SubnetID string     `json:"SubnetId"`
	IP       netip.Addr `json:"Ip"`
	ENI      string     `json:"eni"`
}

// ResolverRule is a FORWARD or SYSTEM rule.
type ResolverRule struct {
	ID                 string       `json:"Id"`
	CreatorRequestID   string       `json:"CreatorRequestId"`
	Arn                string       `json:"Arn"`
	DomainName         string       `json:"DomainName"`
	Status             string       `json:"Status"`
	RuleType           string       `json:"RuleType"`
	Name               string       `json:"Name,omitempty"`
	TargetIPs          []RuleTarget `json:"TargetIps,omitempty"`
	ResolverEndpointID string       `json:"ResolverEndpointId,omitempty"`
	OwnerID            string       `json:"OwnerId"`
	ShareStatus        string       `json:"ShareStatus"`
	StatusMessage      string       `json:"StatusMessage"`
	CreationTime       string       `json:"CreationTime"`
	ModificationTime   string       `json:"ModificationTime"`
}

// RuleTarget is where a FORWARD rule sends queries.
type RuleTarget struct {
	IP   string `json:"Ip"`
	Port int    `json:"Port"`
	// Protocol is Do53 (the only one vpce speaks) unless DoH is asked for.
	Protocol string `json:"Protocol,omitempty"`
}

// ResolverRuleAssociation links a rule with a VPC.
type ResolverRuleAssociation struct {
	ID             string `json:"Id"`
	ResolverRuleID string `json:"ResolverRuleId"`
	Name           string `json:"Name,omitempty"`
	VPCID          string `json:"VPCId"`
	Status         string `json:"Status"`
	StatusMessage  string `json:"StatusMessage"`
}

func resolverError(code, format string, args ...any) error { return apierr.New(code, format, args...) }

func (e *ResolverEndpoint) render(tx *txn) {
	e.Status, e.StatusMessage = "OPERATIONAL", "This Resolver Endpoint is operational."
	if tx.now.Before(e.ReadyAt) {
		e.Status, e.StatusMessage = "CREATING", "[Trace id: vpce] Creating the Resolver Endpoint"
	}
	e.IPAddressCount = len(e.IPs)
}

// ResolverIPRequest is one IpAddresses item of CreateResolverEndpoint.
type ResolverIPRequest struct {
	SubnetID string `json:"SubnetId"`
	IP       string `json:"Ip"`
}

// CreateResolverEndpoint creates an endpoint in a VPC: at least two
// addresses (in subnets of the VPC the groups belong to), an interface for
// each; an inbound one is served at a loopback address of its own.
func (c *Cloud) CreateResolverEndpoint(ctx context.Context, sc Scope, requestID, name, direction string, groups []string, ips []ResolverIPRequest, tags map[string]string) (*ResolverEndpoint, error) {
	switch {
	case direction != "INBOUND" && direction != "OUTBOUND":
		return nil, resolverError("InvalidParameterException", "Direction must be INBOUND or OUTBOUND.")
	case len(ips) < 2:
		return nil, resolverError("InvalidRequestException", "[RSLVR-00200] Resolver endpoints need at least two IP addresses.")
	case len(groups) == 0:
		return nil, resolverError("InvalidParameterException", "At least one security group is required.")
	case requestID == "":
		return nil, resolverError("InvalidParameterException", "CreatorRequestId is required.")
	}
	var out *ResolverEndpoint
	err := c.update(ctx, sc, func(tx *txn) error {
		prefix := "rslvr-in-"
		if direction == "OUTBOUND" {
			prefix = "rslvr-out-"
		}
		e := &ResolverEndpoint{ID: prefix + newID("x")[2:], CreatorRequestID: requestID, Name: name, SecurityGroupIDs: groups, Direction: direction,
			CreationTime: tx.now.Format(time.RFC3339Nano), ModificationTime: tx.now.Format(time.RFC3339Nano), ReadyAt: tx.now.Add(tx.c.delay)}
		e.Arn = fmt.Sprintf("arn:aws:route53resolver:%s:%s:resolver-endpoint/%s", tx.sc.Region, tx.sc.Account, e.ID)
		var vpc string
		for _, id := range groups {
			g, err := tx.securityGroup(id)
			if err != nil {
				return resolverError("InvalidParameterException", "The security group %s does not exist.", id)
			}
			if vpc != "" && g.VpcID != vpc {
				return resolverError("InvalidParameterException", "The security groups belong to different VPCs.")
			}
			vpc = g.VpcID
		}
		gids, err := tx.groupsFor(vpc, groups)
		if err != nil {
			return err
		}
		for i, r := range ips {
			s, err := tx.subnet(r.SubnetID)
			if err != nil {
				return resolverError("InvalidParameterException", "The subnet %s does not exist.", r.SubnetID)
			}
			if s.VpcID != vpc {
				return resolverError("InvalidParameterException", "The subnet %s is not in %s, the security groups' VPC.", s.SubnetID, vpc)
			}
			eni, err := tx.newInterfaceTxn(s, r.IP, gids, InterfaceTypeInterface, fmt.Sprintf("Route 53 Resolver: %s:rni-%d", e.ID, i), nil)
			if err != nil {
				if ae, ok := apierr.As(err); ok && ae.HTTPStatus() < 500 {
					// EC2's codes (an address in use, a full subnet) are
					// not Route 53 Resolver's: it answers them as an
					// invalid request.
					return resolverError("InvalidRequestException", "[RSLVR-00207] %s", ae.Message)
				}
				return err
			}
			eni.RequesterManaged, eni.RequesterID, eni.Status = true, awsRequesterID, "in-use"
			if err := putObj(tx, kindENI, eni.NetworkInterfaceID, eni); err != nil {
				return err
			}
			e.IPs = append(e.IPs, ResolverIP{IPID: "rni-" + strings.TrimPrefix(eni.NetworkInterfaceID, "eni-"), SubnetID: s.SubnetID, IP: eni.PrivateIPAddress, ENI: eni.NetworkInterfaceID})
		}
		e.HostVPCID = vpc
		if direction == "INBOUND" {
			a, err := tx.allocateResolverForTxn(vpc, e.ID)
			if err != nil {
				return err
			}
			e.Address = a
		}
		if err := putObj(tx, kindResolverEndpoint, e.ID, e); err != nil {
			return err
		}
		if err := tx.setResolverTags(e.ID, tags); err != nil {
			return err
		}
		e.render(tx)
		e.Status, e.StatusMessage = "CREATING", "[Trace id: vpce] Creating the Resolver Endpoint"
		out = e
		return nil
	})
	return out, err
}

func (tx *txn) resolverEndpoint(id string) (*ResolverEndpoint, error) {
	e, err := getOr[ResolverEndpoint](tx, kindResolverEndpoint, id, func() error {
		return resolverError("ResourceNotFoundException", "[RSLVR-00300] Resolver endpoint with ID '%s' does not exist.", id)
	})
	if err == nil {
		e.render(tx)
	}
	return e, err
}

// GetResolverEndpoint returns an endpoint.
func (c *Cloud) GetResolverEndpoint(ctx context.Context, sc Scope, id string) (*ResolverEndpoint, error) {
	var e *ResolverEndpoint
	return e, c.view(ctx, sc, func(tx *txn) error {
		var err error
		e, err = tx.resolverEndpoint(id)
		return err
	})
}

// ListResolverEndpoints lists the scope's endpoints.
func (c *Cloud) ListResolverEndpoints(ctx context.Context, sc Scope) ([]*ResolverEndpoint, error) {
	var out []*ResolverEndpoint
	return out, c.view(ctx, sc, func(tx *txn) error {
		var err error
		out, err = listObj[ResolverEndpoint](tx, kindResolverEndpoint)
		for _, e := range out {
			e.render(tx)
		}
		return err
	})
}

// DeleteResolverEndpoint deletes an endpoint no rule uses, with its
// interfaces and (inbound) its address.
func (c *Cloud) DeleteResolverEndpoint(ctx context.Context, sc Scope, id string) (*ResolverEndpoint, error) {
	var e *ResolverEndpoint
	return e, c.update(ctx, sc, func(tx *txn) error {
		var err error
		if e, err = tx.resolverEndpoint(id); err != nil {
			return err
		}
		rules, err := listObj[ResolverRule](tx, kindResolverRule)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(rules, func(r *ResolverRule) bool { return r.ResolverEndpointID == id }) {
			return resolverError("InvalidRequestException", "[RSLVR-00208] Resolver endpoint %s is in use by a rule.", id)
		}
		for _, ip := range e.IPs {
			if err := delObj(tx, kindENI, ip.ENI); err != nil {
				return err
			}
		}
		if err := tx.releaseResolverTxn(e.Address); err != nil {
			return err
		}
		e.Status = "DELETING"
		if err := tx.setResolverTags(id, nil); err != nil {
			return err
		}
		return delObj(tx, kindResolverEndpoint, id)
	})
}

// CreateResolverRule creates a FORWARD rule (targets, an outbound
// endpoint) or a SYSTEM rule for a domain.
func (c *Cloud) CreateResolverRule(ctx context.Context, sc Scope, requestID, name, ruleType, domain, endpointID string, targets []RuleTarget, tags map[string]string) (*ResolverRule, error) {
	root := domain == "." // a rule for every name
	domain = strings.TrimSuffix(strings.ToLower(domain), ".")
	switch {
	case requestID == "":
		return nil, resolverError("InvalidParameterException", "CreatorRequestId is required.")
	case domain == "" && !root:
		return nil, resolverError("InvalidParameterException", "DomainName is required.")
	case ruleType == "FORWARD" && (len(targets) == 0 || endpointID == ""):
		return nil, resolverError("InvalidRequestException", "[RSLVR-00400] A FORWARD rule needs TargetIps and a ResolverEndpointId.")
	case ruleType == "SYSTEM" && len(targets) > 0:
		return nil, resolverError("InvalidRequestException", "[RSLVR-00400] A SYSTEM rule takes no TargetIps.")
	case ruleType != "FORWARD" && ruleType != "SYSTEM":
		return nil, resolverError("InvalidParameterException", "RuleType must be FORWARD or SYSTEM.")
	}
	for i, t := range targets {
		a, err := netip.ParseAddr(t.IP)
		if err != nil || !a.Is4() {
			return nil, resolverError("InvalidParameterException", "The target IP %s is not a valid IPv4 address.", t.IP)
		}
		if t.Port == 0 {
			targets[i].Port = 53
		}
		switch t.Protocol {
		case "":
			targets[i].Protocol = "Do53"
		case "Do53":
		default:
			return nil, resolverError("InvalidParameterException", "Target protocol %s is not served by vpce: only Do53.", t.Protocol)
		}
	}
	var out *ResolverRule
	return out, c.update(ctx, sc, func(tx *txn) error {
		if endpointID != "" {
			e, err := tx.resolverEndpoint(endpointID)
			if err != nil {
				return err
			}
			if e.Direction != "OUTBOUND" {
				return resolverError("InvalidRequestException", "[RSLVR-00401] Resolver endpoint %s is not an outbound endpoint.", endpointID)
			}
		}
		r := &ResolverRule{ID: "rslvr-rr-" + newID("x")[2:], CreatorRequestID: requestID, DomainName: domain + ".", Status: "COMPLETE", RuleType: ruleType,
			Name: name, TargetIPs: targets, ResolverEndpointID: endpointID, OwnerID: tx.sc.Account, ShareStatus: "NOT_SHARED",
			StatusMessage: "[Trace id: vpce] Successfully created Resolver Rule", CreationTime: tx.now.Format(time.RFC3339Nano), ModificationTime: tx.now.Format(time.RFC3339Nano)}
		r.Arn = fmt.Sprintf("arn:aws:route53resolver:%s:%s:resolver-rule/%s", tx.sc.Region, tx.sc.Account, r.ID)
		out = r
		if err := tx.setResolverTags(r.ID, tags); err != nil {
			return err
		}
		return putObj(tx, kindResolverRule, r.ID, r)
	})
}

// ListResolverRules lists the scope's rules and those other accounts
// share with it (ShareStatus SHARED_WITH_ME).
func (c *Cloud) ListResolverRules(ctx context.Context, sc Scope) ([]*ResolverRule, error) {
	var out []*ResolverRule
	return out, c.view(ctx, sc, func(tx *txn) error {
		var err error
		if out, err = listObj[ResolverRule](tx, kindResolverRule); err != nil {
			return err
		}
		shared, err := tx.sharedRules()
		if err != nil {
			return err
		}
		out = append(out, shared...)
		for _, r := range out {
			if err := tx.showShareStatus(r); err != nil {
				return err
			}
		}
		return nil
	})
}

// GetResolverRule returns a rule of the scope or shared with it.
func (c *Cloud) GetResolverRule(ctx context.Context, sc Scope, id string) (*ResolverRule, error) {
	var r *ResolverRule
	return r, c.view(ctx, sc, func(tx *txn) error {
		var err error
		if r, _, err = tx.ruleFor(id); err != nil {
			return err
		}
		return tx.showShareStatus(r)
	})
}

// ruleFor finds a rule the account may use: its own, or one another
// account shares with it through RAM (accepted); the transaction
// returned acts in the rule owner's account.
func (tx *txn) ruleFor(id string) (*ResolverRule, *txn, error) {
	r, err := tx.resolverRule(id)
	if err == nil || !apierr.HasCode(err, "ResourceNotFoundException") {
		return r, tx, err
	}
	owner, serr := tx.sharedOwner("resolver-rule", id)
	if serr != nil || owner == "" {
		return nil, nil, errors.Join(err, serr)
	}
	otx := tx.in(owner)
	r, err = otx.resolverRule(id)
	return r, otx, err
}

// sharedRules returns the rules other accounts share with tx's account.
func (tx *txn) sharedRules() ([]*ResolverRule, error) {
	refs, err := tx.sharedWithMe("resolver-rule")
	if err != nil {
		return nil, err
	}
	var out []*ResolverRule
	for _, ref := range refs {
		r, err := tx.in(ref.Owner).resolverRule(ref.ID)
		if apierr.HasCode(err, "ResourceNotFoundException") {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// showShareStatus sets a rule's ShareStatus as its reader sees it.
func (tx *txn) showShareStatus(r *ResolverRule) error {
	if r.OwnerID != tx.sc.Account {
		r.ShareStatus = "SHARED_WITH_ME"
		return nil
	}
	shares, err := tx.allShares()
	if err != nil {
		return err
	}
	r.ShareStatus = "NOT_SHARED"
	for _, s := range shares {
		if s.Owner == tx.sc.Account && s.Status == ShareActive && slices.ContainsFunc(s.Resources, func(m ShareMember) bool { return m.Entity == r.Arn && m.Status == AssocAssociated }) {
			r.ShareStatus = "SHARED_BY_ME"
		}
	}
	return nil
}

// GetResolverRuleAssociation returns a rule association.
func (c *Cloud) GetResolverRuleAssociation(ctx context.Context, sc Scope, id string) (*ResolverRuleAssociation, error) {
	var a *ResolverRuleAssociation
	return a, c.view(ctx, sc, func(tx *txn) error {
		var err error
		a, err = getOr[ResolverRuleAssociation](tx, kindResolverRuleAssoc, id, func() error {
			return resolverError("ResourceNotFoundException", "[RSLVR-00800] Resolver rule association with ID '%s' does not exist.", id)
		})
		return err
	})
}

// DeleteResolverRule deletes a rule no VPC is associated with.
func (c *Cloud) DeleteResolverRule(ctx context.Context, sc Scope, id string) (*ResolverRule, error) {
	var r *ResolverRule
	return r, c.update(ctx, sc, func(tx *txn) error {
		var err error
		if r, err = tx.resolverRule(id); err != nil {
			return err
		}
		assocs, err := listObj[ResolverRuleAssociation](tx, kindResolverRuleAssoc)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(assocs, func(a *ResolverRuleAssociation) bool { return a.ResolverRuleID == id }) {
			return resolverError("ResourceInUseException", "[RSLVR-00703] Resolver rule %s is associated with a VPC.", id)
		}
		r.Status = "DELETING"
		if err := tx.setResolverTags(id, nil); err != nil {
			return err
		}
		return delObj(tx, kindResolverRule, id)
	})
}

func (tx *txn) resolverRule(id string) (*ResolverRule, error) {
	return getOr[ResolverRule](tx, kindResolverRule, id, func() error {
		return resolverError("ResourceNotFoundException", "[RSLVR-00703] Resolver rule with ID '%s' does not exist.", id)
	})
}

// AssociateResolverRule applies a rule to a VPC's resolver.
func (c *Cloud) AssociateResolverRule(ctx context.Context, sc Scope, ruleID, vpcID, name string) (*ResolverRuleAssociation, error) {
	var out *ResolverRuleAssociation
	return out, c.update(ctx, sc, func(tx *txn) error {
		r, _, err := tx.ruleFor(ruleID)
		if err != nil {
			return err
		}
		if _, err := tx.vpc(vpcID); err != nil {
			return resolverError("InvalidParameterException", "The VPC %s does not exist.", vpcID)
		}
		assocs, err := listObj[ResolverRuleAssociation](tx, kindResolverRuleAssoc)
		if err != nil {
			return err
		}
		for _, a := range assocs {
			if a.ResolverRuleID == ruleID && a.VPCID == vpcID {
				return resolverError("ResourceExistsException", "[RSLVR-00803] The rule %s is already associated with %s.", ruleID, vpcID)
			}
			if o, _, err := tx.ruleFor(a.ResolverRuleID); err == nil && a.VPCID == vpcID && o.DomainName == r.DomainName {
				return resolverError("ResourceExistsException", "[RSLVR-00803] %s already has a rule for %s.", vpcID, r.DomainName)
			}
		}
		a := &ResolverRuleAssociation{ID: "rslvr-rrassoc-" + newID("x")[2:], ResolverRuleID: ruleID, Name: name, VPCID: vpcID, Status: "COMPLETE"}
		out = a
		return putObj(tx, kindResolverRuleAssoc, a.ID, a)
	})
}

// ListResolverRuleAssociations lists the scope's rule associations.
func (c *Cloud) ListResolverRuleAssociations(ctx context.Context, sc Scope) ([]*ResolverRuleAssociation, error) {
	var out []*ResolverRuleAssociation
	return out, c.view(ctx, sc, func(tx *txn) error {
		var err error
		out, err = listObj[ResolverRuleAssociation](tx, kindResolverRuleAssoc)
		return err
	})
}

// DisassociateResolverRule removes a rule from a VPC.
func (c *Cloud) DisassociateResolverRule(ctx context.Context, sc Scope, ruleID, vpcID string) (*ResolverRuleAssociation, error) {
	var out *ResolverRuleAssociation
	return out, c.update(ctx, sc, func(tx *txn) error {
		assocs, err := listObj[ResolverRuleAssociation](tx, kindResolverRuleAssoc)
		if err != nil {
			return err
		}
		for _, a := range assocs {
			if a.ResolverRuleID == ruleID && a.VPCID == vpcID {
				a.Status, out = "DELETING", a
				return delObj(tx, kindResolverRuleAssoc, a.ID)
			}
		}
		return resolverError("ResourceNotFoundException", "[RSLVR-00800] The rule %s is not associated with %s.", ruleID, vpcID)
	})
}

// DNSRule is a Resolver rule as a VPC's resolver applies it.
type DNSRule struct {
	ID      string
	Domain  string // lower case, final dot
	System  bool
	Targets []netip.AddrPort
	// InboundVPC is the VPC of the inbound endpoint the rule's in-process
	// targets (port 0) belong to, so path analysis can follow the query.
	InboundVPC string
}

// rulesByVPC reads the scope's rule associations once and returns the
// rules each VPC applies, keyed by VPC.
func (tx *txn) rulesByVPC() (map[string][]DNSRule, error) {
	assocs, err := listObj[ResolverRuleAssociation](tx, kindResolverRuleAssoc)
	if err != nil || len(assocs) == 0 {
		return nil, err
	}
	out := map[string][]DNSRule{}
	var inbound map[netip.Addr]inboundAddr // interface address → served address
	for _, a := range assocs {
		r, otx, err := tx.ruleFor(a.ResolverRuleID)
		if err != nil {
			continue // deleted, or no longer shared: it no longer applies
		}
		if otx != tx {
			// A shared rule (the hub's) may name the hub's inbound endpoints.
			m, err := otx.inboundAddresses()
			if err != nil {
				return nil, err
			}
			if inbound == nil {
				if inbound, err = tx.inboundAddresses(); err != nil {
					return nil, err
				}
			}
			for k, v := range m {
				inbound[k] = v
			}
		}
		d := DNSRule{ID: r.ID, Domain: r.DomainName, System: r.RuleType == "SYSTEM"}
		for _, t := range r.TargetIPs {
			ip, err := netip.ParseAddr(t.IP)
			if err != nil {
				continue
			}
			if inbound == nil {
				if inbound, err = tx.inboundAddresses(); err != nil {
					return nil, err
				}
			}
			if served, ok := inbound[ip]; ok {
				d.Targets = append(d.Targets, netip.AddrPortFrom(served.addr, 0)) // answered in process
				d.InboundVPC = served.vpc
				continue
			}
			d.Targets = append(d.Targets, netip.AddrPortFrom(ip, uint16(t.Port)))
		}
		out[a.VPCID] = append(out[a.VPCID], d)
	}
	return out, nil
}

// inboundAddr is where vpce serves an inbound endpoint, and its VPC.
type inboundAddr struct {
	addr netip.Addr
	vpc  string
}

// inboundAddresses maps the interface addresses of the scope's inbound
// endpoints to the loopback addresses vpce serves them at, so a FORWARD
// rule that names an inbound endpoint (the usual hub design) reaches it.
func (tx *txn) inboundAddresses() (map[netip.Addr]inboundAddr, error) {
	es, err := listObj[ResolverEndpoint](tx, kindResolverEndpoint)
	if err != nil {
		return nil, err
	}
	m := map[netip.Addr]inboundAddr{}
	for _, e := range es {
		if e.Direction == "INBOUND" && e.Address.IsValid() {
			for _, ip := range e.IPs {
				m[ip.IP] = inboundAddr{e.Address, e.HostVPCID}
			}
		}
	}
	return m, nil
}

// allocateResolverForTxn hands an inbound resolver endpoint of a VPC a
// loopback address of its own.
func (tx *txn) allocateResolverForTxn(vpcID, inbound string) (netip.Addr, error) {
	a, err := tx.allocateResolverTxn(vpcID)
	if err != nil {
		return a, err
	}
	b, _ := json.Marshal(ResolverTarget{Addr: a, Account: tx.sc.Account, Region: tx.sc.Region, VpcID: vpcID, Inbound: inbound})
	return a, tx.Put(resolverKey(a), b)
}

// kindResolverTags holds the tags of a Resolver endpoint or rule, by its ID.
const kindResolverTags = "resolver-tags"

// resolverTagTarget finds the resource an ARN names (an endpoint or a rule
// of the scope) and returns its ID.
func (tx *txn) resolverTagTarget(arn string) (string, error) {
	_, id, _ := strings.Cut(arn, "/")
	notFound := resolverError("ResourceNotFoundException", "[RSLVR-01700] The resource %s does not exist.", arn)
	want := fmt.Sprintf("arn:aws:route53resolver:%s:%s:", tx.sc.Region, tx.sc.Account)
	if !strings.HasPrefix(arn, want) {
		return "", notFound
	}
	var err error
	switch {
	case strings.HasPrefix(id, "rslvr-in-"), strings.HasPrefix(id, "rslvr-out-"):
		_, err = tx.resolverEndpoint(id)
	case strings.HasPrefix(id, "rslvr-rr-"):
		_, err = tx.resolverRule(id)
	default:
		return "", notFound
	}
	if err != nil {
		return "", notFound
	}
	return id, nil
}

func (tx *txn) resolverTags(id string) (map[string]string, error) {
	m, err := getObj[map[string]string](tx, kindResolverTags, id)
	if errors.Is(err, store.ErrNotFound) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	return *m, nil
}

func (tx *txn) setResolverTags(id string, tags map[string]string) error {
	if len(tags) == 0 {
		if _, err := getObj[map[string]string](tx, kindResolverTags, id); errors.Is(err, store.ErrNotFound) {
			return nil
		}
		return delObj(tx, kindResolverTags, id)
	}
	if len(tags) > 200 {
		return resolverError("LimitExceededException", "[RSLVR-01701] A resource can have at most 200 tags.")
	}
	return putObj(tx, kindResolverTags, id, tags)
}

// ResolverTags returns the tags of the endpoint or rule an ARN names.
func (c *Cloud) ResolverTags(ctx context.Context, sc Scope, arn string) (map[string]string, error) {
	var out map[string]string
	return out, c.view(ctx, sc, func(tx *txn) error {
		id, err := tx.resolverTagTarget(arn)
		if err != nil {
			return err
		}
		out, err = tx.resolverTags(id)
		return err
	})
}

// TagResolverResource adds or replaces tags; with remove set it deletes
// the keys instead.
func (c *Cloud) TagResolverResource(ctx context.Context, sc Scope, arn string, tags map[string]string, remove []string) error {
	return c.update(ctx, sc, func(tx *txn) error {
		id, err := tx.resolverTagTarget(arn)
		if err != nil {
			return err
		}
		cur, err := tx.resolverTags(id)
		if err != nil {
			return err
		}
		for k, v := range tags {
			if k == "" || len(k) > 128 || len(v) > 256 {
				return resolverError("InvalidParameterException", "[RSLVR-01702] Tag keys are 1 to 128 characters and values at most 256.")
			}
			cur[k] = v
		}
		for _, k := range remove {
			delete(cur, k)
		}
		return tx.setResolverTags(id, cur)
	})
}
