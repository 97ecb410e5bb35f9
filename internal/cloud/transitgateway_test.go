package cloud

import (
	"context"
	"testing"
	"time"
)

// TestTransitGateway: a gateway is pending then available with its
// default route table; a VPC attachment takes one subnet per zone (an
// interface in each), is associated with and propagated to the default
// table, whose routes are then the VPC's blocks; static and blackhole
// routes, tgw- targets in VPC route tables, and the deletion rules.
func TestTransitGateway(t *testing.T) {
	c, clk := newTestCloud(t)
	ctx := context.Background()
	g := mustDo[*CreateTransitGatewayOutput](t)(c.CreateTransitGateway(ctx, sc, &CreateTransitGatewayInput{Description: "core",
		TagSpecifications: []TagSpecification{{ResourceType: "transit-gateway", Tags: []Tag{{"Name", "core"}}}}})).TransitGateway
	if g.State != "pending" || g.Options.AmazonSideAsn != 64512 || g.Options.AssociationDefaultRouteTableID == "" || g.Options.AssociationDefaultRouteTableID != g.Options.PropagationDefaultRouteTableID {
		t.Fatalf("created gateway = %+v", g)
	}
	clk.Advance(11 * time.Second)
	d := mustDo[*DescribeTransitGatewaysOutput](t)(c.DescribeTransitGateways(ctx, sc, &DescribeTransitGatewaysInput{Filters: []Filter{{Name: "tag:Name", Values: []string{"core"}}}}))
	if len(d.TransitGateways) != 1 || d.TransitGateways[0].State != "available" {
		t.Fatalf("described = %+v", d.TransitGateways)
	}
	rtb := g.Options.AssociationDefaultRouteTableID
	vpc := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
	mustDo[*AssociateVpcCidrBlockOutput](t)(c.AssociateVpcCidrBlock(ctx, sc, &AssociateVpcCidrBlockInput{VpcID: vpc, CidrBlock: "10.1.0.0/16"}))
	sa := mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: vpc, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a"})).Subnet.SubnetID
	sa2 := mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: vpc, CidrBlock: "10.0.2.0/24", AvailabilityZone: "us-east-1a"})).Subnet.SubnetID
	rt := mustDo[*CreateRouteTableOutput](t)(c.CreateRouteTable(ctx, sc, &CreateRouteTableInput{VpcID: vpc})).RouteTable.RouteTableID
	_, err := c.CreateRoute(ctx, sc, &RouteInput{RouteTableID: rt, DestinationCidrBlock: "10.9.0.0/16", RouteTarget: RouteTarget{TransitGatewayID: g.TransitGatewayID}})
	wantCode(t, err, "InvalidParameter") // not attached yet
	_, err = c.CreateTransitGatewayVpcAttachment(ctx, sc, &CreateTransitGatewayVpcAttachmentInput{TransitGatewayID: g.TransitGatewayID, VpcID: vpc, SubnetIDs: []string{sa, sa2}})
	wantCode(t, err, "DuplicateSubnetsInSameZone")
	a := mustDo[*CreateTransitGatewayVpcAttachmentOutput](t)(c.CreateTransitGatewayVpcAttachment(ctx, sc, &CreateTransitGatewayVpcAttachmentInput{
		TransitGatewayID: g.TransitGatewayID, VpcID: vpc, SubnetIDs: []string{sa}})).TransitGatewayVpcAttachment
	if a.State != "pending" || len(a.SubnetIDs) != 1 || a.Options.DNSSupport != "enable" {
		t.Fatalf("attachment = %+v", a)
	}
	_, err = c.CreateTransitGatewayVpcAttachment(ctx, sc, &CreateTransitGatewayVpcAttachmentInput{TransitGatewayID: g.TransitGatewayID, VpcID: vpc, SubnetIDs: []string{sa}})
	wantCode(t, err, "DuplicateTransitGatewayAttachment")
	enis := mustDo[*DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx, sc, &DescribeNetworkInterfacesInput{Filters: []Filter{{Name: "interface-type", Values: []string{"transit_gateway"}}}}))
	if len(enis.NetworkInterfaces) != 1 || !enis.NetworkInterfaces[0].RequesterManaged || enis.NetworkInterfaces[0].SubnetID != sa {
		t.Fatalf("attachment interfaces = %+v", enis.NetworkInterfaces)
	}
	_, err = c.DeleteSubnet(ctx, sc, &DeleteSubnetInput{SubnetID: sa})
	wantCode(t, err, "DependencyViolation")
	clk.Advance(11 * time.Second)
	att := mustDo[*DescribeTransitGatewayAttachmentsOutput](t)(c.DescribeTransitGatewayAttachments(ctx, sc, &DescribeTransitGatewayVpcAttachmentsInput{}))
	if len(att.TransitGatewayAttachments) != 1 || att.TransitGatewayAttachments[0].State != "available" || att.TransitGatewayAttachments[0].Association == nil ||
		att.TransitGatewayAttachments[0].Association.TransitGatewayRouteTableID != rtb || att.TransitGatewayAttachments[0].ResourceType != "vpc" {
		t.Fatalf("attachments = %+v", att.TransitGatewayAttachments[0])
	}
	// Associations filtered by attachment, as Terraform reads them.
	vpc2 := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.2.0.0/16"})).Vpc.VpcID
	s2 := mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: vpc2, CidrBlock: "10.2.1.0/24", AvailabilityZone: "us-east-1a"})).Subnet.SubnetID
	a2 := mustDo[*CreateTransitGatewayVpcAttachmentOutput](t)(c.CreateTransitGatewayVpcAttachment(ctx, sc, &CreateTransitGatewayVpcAttachmentInput{
		TransitGatewayID: g.TransitGatewayID, VpcID: vpc2, SubnetIDs: []string{s2}})).TransitGatewayVpcAttachment.TransitGatewayAttachmentID
	byAtt := mustDo[*GetTransitGatewayRouteTableAssociationsOutput](t)(c.GetTransitGatewayRouteTableAssociations(ctx, sc, &GetTransitGatewayRouteTablesInput{
		TransitGatewayRouteTableID: rtb, Filters: []Filter{{Name: "transit-gateway-attachment-id", Values: []string{a.TransitGatewayAttachmentID}}}}))
	if len(byAtt.Associations) != 1 || byAtt.Associations[0].TransitGatewayAttachmentID != a.TransitGatewayAttachmentID {
		t.Fatalf("associations of one attachment: %+v", byAtt.Associations)
	}
	mustDo[*CreateTransitGatewayVpcAttachmentOutput](t)(c.DeleteTransitGatewayVpcAttachment(ctx, sc, &DeleteTransitGatewayVpcAttachmentInput{TransitGatewayAttachmentID: a2}))
	// Propagated: both of the VPC's blocks.
	search := func(fs ...Filter) []*TransitGatewayRoute {
		t.Helper()
		return mustDo[*SearchTransitGatewayRoutesOutput](t)(c.SearchTransitGatewayRoutes(ctx, sc, &SearchTransitGatewayRoutesInput{TransitGatewayRouteTableID: rtb, Filters: fs})).Routes
	}
	if rs := search(Filter{Name: "type", Values: []string{"propagated"}}); len(rs) != 2 || rs[0].DestinationCidrBlock != "10.0.0.0/16" || rs[0].TransitGatewayAttachments[0].ResourceID != vpc {
		t.Fatalf("propagated routes = %+v", rs)
	}
	mustDo[*CreateTransitGatewayRouteOutput](t)(c.CreateTransitGatewayRoute(ctx, sc, &CreateTransitGatewayRouteInput{DestinationCidrBlock: "192.168.0.0/16", TransitGatewayRouteTableID: rtb, Blackhole: ptr(true)}))
	_, err = c.CreateTransitGatewayRoute(ctx, sc, &CreateTransitGatewayRouteInput{DestinationCidrBlock: "192.168.0.0/16", TransitGatewayRouteTableID: rtb, Blackhole: ptr(true)})
	wantCode(t, err, "RouteAlreadyExists")
	_, err = c.CreateTransitGatewayRoute(ctx, sc, &CreateTransitGatewayRouteInput{DestinationCidrBlock: "172.16.0.0/16", TransitGatewayRouteTableID: rtb})
	wantCode(t, err, "MissingParameter")
	if rs := search(Filter{Name: "route-search.longest-prefix-match", Values: []string{"192.168.1.7/32"}}); len(rs) != 1 || rs[0].State != "blackhole" || rs[0].Type != "static" {
		t.Fatalf("longest prefix match = %+v", rs)
	}
	mustDo[*Return](t)(c.CreateRoute(ctx, sc, &RouteInput{RouteTableID: rt, DestinationCidrBlock: "10.9.0.0/16", RouteTarget: RouteTarget{TransitGatewayID: g.TransitGatewayID}}))
	routeState := func() string {
		rts := mustDo[*DescribeRouteTablesOutput](t)(c.DescribeRouteTables(ctx, sc, &DescribeRouteTablesInput{RouteTableIDs: []string{rt},
			Filters: []Filter{{Name: "route.transit-gateway-id", Values: []string{g.TransitGatewayID}}}}))
		for _, r := range rts.RouteTables[0].Routes {
			if r.TransitGatewayID != "" {
				return r.State
			}
		}
		return ""
	}
	if s := routeState(); s != "active" {
		t.Errorf("tgw route state = %q", s)
	}
	// A table of its own: associations are one per attachment.
	own := mustDo[*CreateTransitGatewayRouteTableOutput](t)(c.CreateTransitGatewayRouteTable(ctx, sc, &CreateTransitGatewayRouteTableInput{TransitGatewayID: g.TransitGatewayID})).TransitGatewayRouteTable.TransitGatewayRouteTableID
	in := &TGWRouteTableAttachmentInput{TransitGatewayRouteTableID: own, TransitGatewayAttachmentID: a.TransitGatewayAttachmentID}
	_, err = c.AssociateTransitGatewayRouteTable(ctx, sc, in)
	wantCode(t, err, "Resource.AlreadyAssociated")
	mustDo[*AssociateTransitGatewayRouteTableOutput](t)(c.DisassociateTransitGatewayRouteTable(ctx, sc, &TGWRouteTableAttachmentInput{TransitGatewayRouteTableID: rtb, TransitGatewayAttachmentID: a.TransitGatewayAttachmentID}))
	mustDo[*AssociateTransitGatewayRouteTableOutput](t)(c.AssociateTransitGatewayRouteTable(ctx, sc, in))
	as := mustDo[*GetTransitGatewayRouteTableAssociationsOutput](t)(c.GetTransitGatewayRouteTableAssociations(ctx, sc, &GetTransitGatewayRouteTablesInput{TransitGatewayRouteTableID: own}))
	if len(as.Associations) != 1 || as.Associations[0].ResourceID != vpc {
		t.Errorf("associations = %+v", as.Associations)
	}
	_, err = c.DeleteTransitGatewayRouteTable(ctx, sc, &DeleteTransitGatewayRouteTableInput{TransitGatewayRouteTableID: own})
	wantCode(t, err, "IncorrectState")
	_, err = c.DeleteTransitGateway(ctx, sc, &DeleteTransitGatewayInput{TransitGatewayID: g.TransitGatewayID})
	wantCode(t, err, "IncorrectState")
	// Detached: interfaces gone, the VPC's route to the gateway a blackhole.
	mustDo[*CreateTransitGatewayVpcAttachmentOutput](t)(c.DeleteTransitGatewayVpcAttachment(ctx, sc, &DeleteTransitGatewayVpcAttachmentInput{TransitGatewayAttachmentID: a.TransitGatewayAttachmentID}))
	if s := routeState(); s != "blackhole" {
		t.Errorf("tgw route state after detaching = %q", s)
	}
	mustDo[*Return](t)(c.DeleteSubnet(ctx, sc, &DeleteSubnetInput{SubnetID: sa}))
	d2 := mustDo[*CreateTransitGatewayOutput](t)(c.DeleteTransitGateway(ctx, sc, &DeleteTransitGatewayInput{TransitGatewayID: g.TransitGatewayID}))
	if d2.TransitGateway.State != "deleting" {
		t.Errorf("delete answered %q", d2.TransitGateway.State)
	}
	_, err = c.CreateTransitGatewayRouteTable(ctx, sc, &CreateTransitGatewayRouteTableInput{TransitGatewayID: g.TransitGatewayID})
	wantCode(t, err, "InvalidTransitGatewayID.NotFound")
}
