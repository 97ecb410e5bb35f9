package cloud

import (
	"context"
	"net/netip"
	"slices"
	"testing"
	"time"
)

// TestResourceShareRules pins RAM's refusals: ARNs that are malformed,
// of another account or of a kind vpce does not share; principals that
// are not accounts, the owner itself, or outside the organization
// without allowExternalPrincipals; invitations answered twice.
func TestResourceShareRules(t *testing.T) {
	c, clk := newTestCloud(t)
	ctx := context.Background()
	spoke := Scope{Account: "222222222222", Region: "us-east-1"}
	g := mustDo[*CreateTransitGatewayOutput](t)(c.CreateTransitGateway(ctx, sc, &CreateTransitGatewayInput{})).TransitGateway
	clk.Advance(11 * time.Second)
	no := false
	for _, tc := range []struct {
		in   CreateResourceShareInput
		code string
	}{
		{CreateResourceShareInput{Name: ""}, "InvalidParameterException"},
		{CreateResourceShareInput{Name: "x", ResourceArns: []string{"tgw-123"}}, "MalformedArnException"},
		{CreateResourceShareInput{Name: "x", ResourceArns: []string{"arn:aws:ec2:us-east-1:999999999999:transit-gateway/" + g.TransitGatewayID}}, "UnknownResourceException"},
		{CreateResourceShareInput{Name: "x", ResourceArns: []string{"arn:aws:ec2:us-east-1:" + sc.Account + ":transit-gateway/tgw-0123456789abcdef0"}}, "UnknownResourceException"},
		{CreateResourceShareInput{Name: "x", ResourceArns: []string{"arn:aws:ec2:us-east-1:" + sc.Account + ":subnet/subnet-0123456789abcdef0"}}, "OperationNotPermittedException"},
		{CreateResourceShareInput{Name: "x", Principals: []string{"arn:aws:organizations::123456789012:organization/o-abc"}}, "OperationNotPermittedException"},
		{CreateResourceShareInput{Name: "x", Principals: []string{"o-abc"}}, "InvalidParameterException"},
		{CreateResourceShareInput{Name: "x", Principals: []string{sc.Account}}, "InvalidParameterException"},
		{CreateResourceShareInput{Name: "x", Principals: []string{spoke.Account}, AllowExternalPrincipals: &no}, "OperationNotPermittedException"},
	} {
		_, err := c.CreateResourceShare(ctx, sc, &tc.in)
		wantCode(t, err, tc.code)
	}
	s := mustDo[*ResourceShare](t)(c.CreateResourceShare(ctx, sc, &CreateResourceShareInput{Name: "hub", ResourceArns: []string{g.TransitGatewayArn}, Principals: []string{spoke.Account}}))
	if s.Status != ShareActive || !s.AllowExternal || s.Principals[0].Status != AssocAssociating || s.Resources[0].Type != "ec2:TransitGateway" {
		t.Fatalf("share = %+v", s)
	}
	// The principal sees the share and its invitation; the resource only
	// once it accepts.
	if got := mustDo[[]*ResourceShare](t)(c.GetResourceShares(ctx, spoke, "OTHER-ACCOUNTS", nil, "", "")); len(got) != 1 || got[0].ARN != s.ARN {
		t.Fatalf("shares of others = %+v", got)
	}
	if got := mustDo[[]SharedResource](t)(c.ListSharedResources(ctx, spoke, "OTHER-ACCOUNTS", "", nil)); len(got) != 0 {
		t.Fatalf("resources before accepting = %+v", got)
	}
	invs := mustDo[[]ShareInvitation](t)(c.GetResourceShareInvitations(ctx, spoke, nil, nil))
	if len(invs) != 1 || invs[0].Status != InvitePending {
		t.Fatalf("invitations = %+v", invs)
	}
	_, err := c.AcceptResourceShareInvitation(ctx, sc, invs[0].ARN) // not the owner's to answer
	wantCode(t, err, "ResourceShareInvitationArnNotFoundException")
	_, err = c.AcceptResourceShareInvitation(ctx, spoke, "arn:aws:ram:us-east-1:123456789012:resource-share-invitation/nope")
	wantCode(t, err, "MalformedArnException")
	mustDo[*ShareInvitation](t)(c.AcceptResourceShareInvitation(ctx, spoke, invs[0].ARN))
	_, err = c.AcceptResourceShareInvitation(ctx, spoke, invs[0].ARN)
	wantCode(t, err, "ResourceShareInvitationAlreadyAcceptedException")
	_, err = c.RejectResourceShareInvitation(ctx, spoke, invs[0].ARN)
	wantCode(t, err, "ResourceShareInvitationAlreadyAcceptedException")
	if got := mustDo[[]SharedResource](t)(c.ListSharedResources(ctx, spoke, "OTHER-ACCOUNTS", "ec2:transitgateway", nil)); len(got) != 1 || got[0].ARN != g.TransitGatewayArn {
		t.Fatalf("resources after accepting = %+v", got)
	}
	// Another account sees nothing of it.
	third := Scope{Account: "333333333333", Region: "us-east-1"}
	if got := mustDo[[]*ResourceShare](t)(c.GetResourceShares(ctx, third, "OTHER-ACCOUNTS", nil, "", "")); len(got) != 0 {
		t.Fatalf("a stranger's shares = %+v", got)
	}
	wantCode(t, c.DeleteResourceShare(ctx, third, s.ARN), "UnknownResourceException")
	// Deleting the share ends the access; a second delete is refused.
	if err := c.DeleteResourceShare(ctx, sc, s.ARN); err != nil {
		t.Fatal(err)
	}
	wantCode(t, c.DeleteResourceShare(ctx, sc, s.ARN), "InvalidStateTransitionException")
	if got := mustDo[*DescribeTransitGatewaysOutput](t)(c.DescribeTransitGateways(ctx, spoke, &DescribeTransitGatewaysInput{})); slices.ContainsFunc(got.TransitGateways, func(x *TransitGateway) bool { return x.TransitGatewayID == g.TransitGatewayID }) {
		t.Fatal("the gateway is still visible after the share was deleted")
	}
}

// TestSharedTransitGateway: a gateway shared through RAM with another
// account; that account attaches its VPC (pendingAcceptance, invisible
// to it before it accepted the invitation), the owner accepts (default
// association and propagation of the other account's VPC blocks), the
// spoke routes to the gateway; rejection removes the interfaces; either
// side may delete; the linked snapshot unites both accounts.
func TestSharedTransitGateway(t *testing.T) {
	c, clk := newTestCloud(t)
	ctx := context.Background()
	spoke := Scope{Account: "222222222222", Region: "us-east-1"}
	g := mustDo[*CreateTransitGatewayOutput](t)(c.CreateTransitGateway(ctx, sc, &CreateTransitGatewayInput{})).TransitGateway
	clk.Advance(11 * time.Second)
	vpc := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, spoke, &CreateVpcInput{CidrBlock: "10.20.0.0/16"})).Vpc.VpcID
	sub := mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, spoke, &CreateSubnetInput{VpcID: vpc, CidrBlock: "10.20.1.0/24", AvailabilityZone: "us-east-1a"})).Subnet.SubnetID
	attach := func() (*TransitGatewayVpcAttachment, error) {
		o, err := c.CreateTransitGatewayVpcAttachment(ctx, spoke, &CreateTransitGatewayVpcAttachmentInput{TransitGatewayID: g.TransitGatewayID, VpcID: vpc, SubnetIDs: []string{sub}})
		if err != nil {
			return nil, err
		}
		return o.TransitGatewayVpcAttachment, nil
	}
	_, err := attach()
	wantCode(t, err, "InvalidTransitGatewayID.NotFound")
	s := mustDo[*ResourceShare](t)(c.CreateResourceShare(ctx, sc, &CreateResourceShareInput{Name: "hub", ResourceArns: []string{g.TransitGatewayArn}, Principals: []string{spoke.Account}}))
	_, err = attach() // invited, not yet accepted
	wantCode(t, err, "InvalidTransitGatewayID.NotFound")
	invs := mustDo[[]ShareInvitation](t)(c.GetResourceShareInvitations(ctx, spoke, nil, []string{s.ARN}))
	mustDo[*ShareInvitation](t)(c.AcceptResourceShareInvitation(ctx, spoke, invs[0].ARN))
	seen := mustDo[*DescribeTransitGatewaysOutput](t)(c.DescribeTransitGateways(ctx, spoke, &DescribeTransitGatewaysInput{IDs: []string{g.TransitGatewayID}}))
	if len(seen.TransitGateways) != 1 || seen.TransitGateways[0].OwnerID != sc.Account {
		t.Fatalf("the shared gateway as the spoke = %+v", seen.TransitGateways)
	}
	// The spoke cannot manage the owner's route tables.
	_, err = c.CreateTransitGatewayRouteTable(ctx, spoke, &CreateTransitGatewayRouteTableInput{TransitGatewayID: g.TransitGatewayID})
	wantCode(t, err, "InvalidTransitGatewayID.NotFound")

	a := mustDo[*TransitGatewayVpcAttachment](t)(attach())
	if a.State != "pendingAcceptance" {
		t.Fatalf("cross-account attachment = %+v", a)
	}
	_, err = c.AcceptTransitGatewayVpcAttachment(ctx, spoke, &TGWAttachmentIDInput{a.TransitGatewayAttachmentID}) // only the owner accepts
	wantCode(t, err, "InvalidTransitGatewayAttachmentID.NotFound")
	rtb := g.Options.AssociationDefaultRouteTableID
	routes := func() []string {
		rt := mustDo[*DescribeTransitGatewayRouteTablesOutput](t)(c.DescribeTransitGatewayRouteTables(ctx, sc, &DescribeTransitGatewayRouteTablesInput{IDs: []string{rtb}})).TransitGatewayRouteTables[0]
		var out []string
		err := c.view(ctx, sc, func(tx *txn) error {
			rs, err := tx.TGWRoutesOf(rt)
			for _, r := range rs {
				out = append(out, r.Cidr.String()+" "+r.VpcID)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if got := routes(); len(got) != 0 {
		t.Fatalf("routes before acceptance = %v", got)
	}
	// The spoke's route to the gateway is accepted (its VPC is attached,
	// pending acceptance).
	rt := mustDo[*CreateRouteTableOutput](t)(c.CreateRouteTable(ctx, spoke, &CreateRouteTableInput{VpcID: vpc})).RouteTable.RouteTableID
	mustDo[*Return](t)(c.CreateRoute(ctx, spoke, &RouteInput{RouteTableID: rt, DestinationCidrBlock: "10.10.0.0/16", RouteTarget: RouteTarget{TransitGatewayID: g.TransitGatewayID}}))

	acc := mustDo[*CreateTransitGatewayVpcAttachmentOutput](t)(c.AcceptTransitGatewayVpcAttachment(ctx, sc, &TGWAttachmentIDInput{a.TransitGatewayAttachmentID})).TransitGatewayVpcAttachment
	if acc.State != "pending" {
		t.Fatalf("accepted = %+v", acc)
	}
	_, err = c.AcceptTransitGatewayVpcAttachment(ctx, sc, &TGWAttachmentIDInput{a.TransitGatewayAttachmentID})
	wantCode(t, err, "IncorrectState")
	clk.Advance(11 * time.Second)
	if got := routes(); !slices.Equal(got, []string{"10.20.0.0/16 " + vpc}) {
		t.Fatalf("routes after acceptance = %v (the spoke's VPC block, propagated)", got)
	}
	for _, who := range []Scope{sc, spoke} {
		d := mustDo[*DescribeTransitGatewayAttachmentsOutput](t)(c.DescribeTransitGatewayAttachments(ctx, who, &DescribeTransitGatewayVpcAttachmentsInput{}))
		if len(d.TransitGatewayAttachments) != 1 || d.TransitGatewayAttachments[0].State != "available" || d.TransitGatewayAttachments[0].TransitGatewayOwnerID != sc.Account ||
			d.TransitGatewayAttachments[0].ResourceOwnerID != spoke.Account || d.TransitGatewayAttachments[0].Association == nil {
			t.Fatalf("attachments as %s = %+v", who.Account, d.TransitGatewayAttachments)
		}
	}
	// The linked snapshots: the spoke's holds the owner's gateway and
	// tables; the owner's holds the spoke's VPC; a path's home is each one's own.
	for _, who := range []Scope{sc, spoke} {
		l := mustDo[*Snapshot](t)(c.LinkedSnapshot(ctx, who))
		if l.TransitGateways[g.TransitGatewayID] == nil || l.Vpcs[vpc] == nil || len(l.TGWRoutes(rtb)) != 1 || !slices.Contains(l.Accounts(), sc.Account) || !slices.Contains(l.Accounts(), spoke.Account) {
			t.Fatalf("linked snapshot of %s: accounts %v", who.Account, l.Accounts())
		}
		if home := l.Home(); home.Scope != who || (who == sc) != (home.Vpcs[vpc] == nil) {
			t.Fatalf("home of %s = %v", who.Account, home.Scope)
		}
	}
	// Tags on the attachment from either side (CreateTags finds tgw-attach-
	// IDs before tgw- ones), seen by both.
	mustDo[*Return](t)(c.CreateTags(ctx, spoke, &CreateTagsInput{Resources: []string{a.TransitGatewayAttachmentID}, Tags: []Tag{{"Name", "spoke"}}}))
	mustDo[*Return](t)(c.CreateTags(ctx, sc, &CreateTagsInput{Resources: []string{a.TransitGatewayAttachmentID}, Tags: []Tag{{"team", "net"}}}))
	for _, who := range []Scope{sc, spoke} {
		d := mustDo[*DescribeTagsOutput](t)(c.DescribeTags(ctx, who, &DescribeTagsInput{Filters: []Filter{{Name: "resource-id", Values: []string{a.TransitGatewayAttachmentID}}}}))
		if len(d.Tags) != 2 {
			t.Fatalf("tags of the attachment as %s = %+v", who.Account, d.Tags)
		}
	}
	_, err = c.CreateTags(ctx, Scope{Account: "333333333333", Region: "us-east-1"}, &CreateTagsInput{Resources: []string{a.TransitGatewayAttachmentID}, Tags: []Tag{{"x", "y"}}})
	wantCode(t, err, "InvalidTransitGatewayAttachmentID.NotFound")
	// The spoke deletes its attachment: interfaces gone, the route a
	// blackhole, the gateway's table empty.
	mustDo[*CreateTransitGatewayVpcAttachmentOutput](t)(c.DeleteTransitGatewayVpcAttachment(ctx, spoke, &DeleteTransitGatewayVpcAttachmentInput{a.TransitGatewayAttachmentID}))
	if got := routes(); len(got) != 0 {
		t.Fatalf("routes after the spoke detached = %v", got)
	}
	r := mustDo[*DescribeRouteTablesOutput](t)(c.DescribeRouteTables(ctx, spoke, &DescribeRouteTablesInput{RouteTableIDs: []string{rt}})).RouteTables[0]
	if i := slices.IndexFunc(r.Routes, func(x Route) bool { return x.TransitGatewayID != "" }); i < 0 || r.Routes[i].State != "blackhole" {
		t.Fatalf("spoke routes after detaching = %+v", r.Routes)
	}
	// A new attachment, rejected by the owner: rejected, interfaces gone.
	b := mustDo[*TransitGatewayVpcAttachment](t)(attach())
	rej := mustDo[*CreateTransitGatewayVpcAttachmentOutput](t)(c.RejectTransitGatewayVpcAttachment(ctx, sc, &TGWAttachmentIDInput{b.TransitGatewayAttachmentID})).TransitGatewayVpcAttachment
	if rej.State != "rejected" {
		t.Fatalf("rejected = %+v", rej)
	}
	enis := mustDo[*DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx, spoke, &DescribeNetworkInterfacesInput{Filters: []Filter{{Name: "interface-type", Values: []string{"transit_gateway"}}}}))
	if len(enis.NetworkInterfaces) != 0 {
		t.Fatalf("interfaces after rejection = %+v", enis.NetworkInterfaces)
	}
	d := mustDo[*DescribeTransitGatewayVpcAttachmentsOutput](t)(c.DescribeTransitGatewayVpcAttachments(ctx, spoke, &DescribeTransitGatewayVpcAttachmentsInput{IDs: []string{b.TransitGatewayAttachmentID}}))
	if len(d.TransitGatewayVpcAttachments) != 1 || d.TransitGatewayVpcAttachments[0].State != "rejected" {
		t.Fatalf("the rejected attachment as the spoke = %+v", d.TransitGatewayVpcAttachments)
	}
	// Auto-accept: a gateway that accepts shared attachments itself.
	auto := mustDo[*CreateTransitGatewayOutput](t)(c.CreateTransitGateway(ctx, sc, &CreateTransitGatewayInput{Options: &TGWRequestOptions{AutoAcceptSharedAttachments: "enable"}})).TransitGateway
	clk.Advance(11 * time.Second)
	mustDo[[]ShareAssociation](t)(c.AssociateResourceShare(ctx, sc, s.ARN, []string{auto.TransitGatewayArn}, nil))
	o := mustDo[*CreateTransitGatewayVpcAttachmentOutput](t)(c.CreateTransitGatewayVpcAttachment(ctx, spoke, &CreateTransitGatewayVpcAttachmentInput{TransitGatewayID: auto.TransitGatewayID, VpcID: vpc, SubnetIDs: []string{sub}}))
	if o.TransitGatewayVpcAttachment.State != "pending" {
		t.Fatalf("auto-accepted attachment = %+v", o.TransitGatewayVpcAttachment)
	}
}

// TestSharedResolverRule: the hub's FORWARD rule (to its own inbound
// endpoint) shared through RAM; the spoke account cannot see or associate
// it before accepting, then lists it as SHARED_WITH_ME (the hub as
// SHARED_BY_ME), associates it with its VPC, and its VPC's DNS view
// applies it with the hub's inbound endpoint as an in-process target;
// deleting the share stops the rule applying.
func TestSharedResolverRule(t *testing.T) {
	c, clk := newTestCloud(t)
	ctx := context.Background()
	spoke := Scope{Account: "222222222222", Region: "us-east-1"}
	hub := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
	var subnets []string
	for i, z := range []string{"us-east-1a", "us-east-1b"} {
		subnets = append(subnets, mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: hub, CidrBlock: []string{"10.0.1.0/24", "10.0.2.0/24"}[i], AvailabilityZone: z})).Subnet.SubnetID)
	}
	sg := mustDo[*CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx, sc, &CreateSecurityGroupInput{GroupName: "dns", Description: "dns", VpcID: hub})).GroupID
	ips := []ResolverIPRequest{{SubnetID: subnets[0]}, {SubnetID: subnets[1]}}
	in := mustDo[*ResolverEndpoint](t)(c.CreateResolverEndpoint(ctx, sc, "in", "", "INBOUND", []string{sg}, ips, nil))
	out := mustDo[*ResolverEndpoint](t)(c.CreateResolverEndpoint(ctx, sc, "out", "", "OUTBOUND", []string{sg}, ips, nil))
	rule := mustDo[*ResolverRule](t)(c.CreateResolverRule(ctx, sc, "r", "aws", "FORWARD", "amazonaws.com", out.ID, []RuleTarget{{IP: in.IPs[0].IP.String()}}, nil))
	clk.Advance(time.Minute)
	spokeVpc := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, spoke, &CreateVpcInput{CidrBlock: "10.1.0.0/16"})).Vpc.VpcID

	_, err := c.AssociateResolverRule(ctx, spoke, rule.ID, spokeVpc, "")
	wantCode(t, err, "ResourceNotFoundException")
	s := mustDo[*ResourceShare](t)(c.CreateResourceShare(ctx, sc, &CreateResourceShareInput{Name: "dns", ResourceArns: []string{rule.Arn}, Principals: []string{spoke.Account}}))
	if got := mustDo[*ResolverRule](t)(c.GetResolverRule(ctx, sc, rule.ID)); got.ShareStatus != "SHARED_BY_ME" {
		t.Errorf("the hub's rule shows %s", got.ShareStatus)
	}
	if got := mustDo[[]*ResolverRule](t)(c.ListResolverRules(ctx, spoke)); len(got) != 0 {
		t.Fatalf("rules before accepting = %+v", got)
	}
	inv := mustDo[[]ShareInvitation](t)(c.GetResourceShareInvitations(ctx, spoke, nil, nil))[0]
	mustDo[*ShareInvitation](t)(c.AcceptResourceShareInvitation(ctx, spoke, inv.ARN))
	got := mustDo[[]*ResolverRule](t)(c.ListResolverRules(ctx, spoke))
	if len(got) != 1 || got[0].ID != rule.ID || got[0].ShareStatus != "SHARED_WITH_ME" || got[0].OwnerID != sc.Account {
		t.Fatalf("rules as the spoke = %+v", got)
	}
	mustDo[*ResolverRuleAssociation](t)(c.AssociateResolverRule(ctx, spoke, rule.ID, spokeVpc, "hub"))
	view := func() *DNSView { return mustDo[*Snapshot](t)(c.Snapshot(ctx, spoke)).DNSView(spokeVpc) }
	if rs := view().Rules; len(rs) != 1 || rs[0].Domain != "amazonaws.com." || len(rs[0].Targets) != 1 || rs[0].Targets[0] != netip.AddrPortFrom(in.Address, 0) || rs[0].InboundVPC != hub {
		t.Fatalf("the spoke's rules = %+v", rs)
	}
	// The hub's rule cannot be deleted by the spoke.
	_, err = c.DeleteResolverRule(ctx, spoke, rule.ID)
	wantCode(t, err, "ResourceNotFoundException")
	if err := c.DeleteResourceShare(ctx, sc, s.ARN); err != nil {
		t.Fatal(err)
	}
	if rs := view().Rules; len(rs) != 0 {
		t.Fatalf("the spoke's rules after the share was deleted = %+v", rs)
	}
}

// TestLeaveShare: a principal removes itself from another's share (what
// Terraform's share accepter does when destroyed) but nothing else of it.
func TestLeaveShare(t *testing.T) {
	c, clk := newTestCloud(t)
	ctx := context.Background()
	spoke := Scope{Account: "222222222222", Region: "us-east-1"}
	g := mustDo[*CreateTransitGatewayOutput](t)(c.CreateTransitGateway(ctx, sc, &CreateTransitGatewayInput{})).TransitGateway
	clk.Advance(11 * time.Second)
	s := mustDo[*ResourceShare](t)(c.CreateResourceShare(ctx, sc, &CreateResourceShareInput{Name: "hub", ResourceArns: []string{g.TransitGatewayArn}, Principals: []string{spoke.Account, "333333333333"}}))
	inv := mustDo[[]ShareInvitation](t)(c.GetResourceShareInvitations(ctx, spoke, nil, nil))[0]
	mustDo[*ShareInvitation](t)(c.AcceptResourceShareInvitation(ctx, spoke, inv.ARN))
	_, err := c.DisassociateResourceShare(ctx, spoke, s.ARN, nil, []string{"333333333333"})
	wantCode(t, err, "UnknownResourceException")
	_, err = c.DisassociateResourceShare(ctx, spoke, s.ARN, []string{g.TransitGatewayArn}, []string{spoke.Account})
	wantCode(t, err, "UnknownResourceException")
	mustDo[[]ShareAssociation](t)(c.DisassociateResourceShare(ctx, spoke, s.ARN, nil, []string{spoke.Account}))
	if got := mustDo[[]SharedResource](t)(c.ListSharedResources(ctx, spoke, "OTHER-ACCOUNTS", "", nil)); len(got) != 0 {
		t.Fatalf("resources after leaving = %+v", got)
	}
}

// TestSharePermissions: a share lists the default managed permission of
// each resource type it holds, as Terraform reads it.
func TestSharePermissions(t *testing.T) {
	c, clk := newTestCloud(t)
	ctx := context.Background()
	g := mustDo[*CreateTransitGatewayOutput](t)(c.CreateTransitGateway(ctx, sc, &CreateTransitGatewayInput{})).TransitGateway
	clk.Advance(11 * time.Second)
	s := mustDo[*ResourceShare](t)(c.CreateResourceShare(ctx, sc, &CreateResourceShareInput{Name: "hub", ResourceArns: []string{g.TransitGatewayArn}}))
	ps := mustDo[[]SharePermission](t)(c.ListResourceSharePermissions(ctx, sc, s.ARN))
	if len(ps) != 1 || ps[0].ARN != "arn:aws:ram::aws:permission/AWSRAMDefaultPermissionTransitGateway" || ps[0].ResourceType != "ec2:TransitGateway" {
		t.Fatalf("permissions = %+v", ps)
	}
	_, err := c.ListResourceSharePermissions(ctx, Scope{Account: "222222222222", Region: "us-east-1"}, s.ARN)
	wantCode(t, err, "UnknownResourceException")
}

// TestRejectInvitation: a rejected invitation leaves the principal's
// association FAILED and the resources unusable; it cannot be answered
// again. A VPN connection cannot attach to a gateway another account
// shares (the gateway must be the account's own).
func TestRejectInvitation(t *testing.T) {
	c, clk := newTestCloud(t)
	ctx := context.Background()
	spoke := Scope{Account: "222222222222", Region: "us-east-1"}
	g := mustDo[*CreateTransitGatewayOutput](t)(c.CreateTransitGateway(ctx, sc, &CreateTransitGatewayInput{})).TransitGateway
	clk.Advance(11 * time.Second)
	s := mustDo[*ResourceShare](t)(c.CreateResourceShare(ctx, sc, &CreateResourceShareInput{Name: "hub", ResourceArns: []string{g.TransitGatewayArn}, Principals: []string{spoke.Account}}))
	inv := mustDo[[]ShareInvitation](t)(c.GetResourceShareInvitations(ctx, spoke, nil, nil))[0]
	if got := mustDo[*ShareInvitation](t)(c.RejectResourceShareInvitation(ctx, spoke, inv.ARN)); got.Status != InviteRejected {
		t.Fatalf("rejected = %+v", got)
	}
	_, err := c.AcceptResourceShareInvitation(ctx, spoke, inv.ARN)
	wantCode(t, err, "ResourceShareInvitationAlreadyRejectedException")
	as := mustDo[[]ShareAssociation](t)(c.GetResourceShareAssociations(ctx, sc, "PRINCIPAL", []string{s.ARN}, "", "", ""))
	if len(as) != 1 || as[0].Member.Status != AssocFailed {
		t.Fatalf("principal association after rejection = %+v", as)
	}
	if got := mustDo[*DescribeTransitGatewaysOutput](t)(c.DescribeTransitGateways(ctx, spoke, &DescribeTransitGatewaysInput{})); len(got.TransitGateways) != 0 {
		t.Fatalf("gateways after rejecting = %+v", got.TransitGateways)
	}

	// Accepted through a second invitation: the gateway is usable for VPC
	// attachments, not for the spoke's VPN connections.
	mustDo[[]ShareAssociation](t)(c.AssociateResourceShare(ctx, sc, s.ARN, nil, []string{spoke.Account}))
	invs := mustDo[[]ShareInvitation](t)(c.GetResourceShareInvitations(ctx, spoke, nil, nil))
	if len(invs) != 1 || invs[0].Status != InvitePending || invs[0].ARN == inv.ARN {
		t.Fatalf("invitations after re-association = %+v", invs)
	}
	mustDo[*ShareInvitation](t)(c.AcceptResourceShareInvitation(ctx, spoke, invs[0].ARN))
	cgw := mustDo[*CreateCustomerGatewayOutput](t)(c.CreateCustomerGateway(ctx, spoke, &CreateCustomerGatewayInput{Type: "ipsec.1", IPAddress: "198.51.100.7"})).CustomerGateway.CustomerGatewayID
	_, err = c.CreateVpnConnection(ctx, spoke, &CreateVpnConnectionInput{CustomerGatewayID: cgw, Type: "ipsec.1", TransitGatewayID: g.TransitGatewayID})
	wantCode(t, err, "InvalidTransitGatewayID.NotFound")
}
