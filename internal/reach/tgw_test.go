package reach

import (
	"context"
	"strings"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
)

// TestTransitGatewayPaths: the network-account design — a hub VPC with
// an interface endpoint, a spoke VPC with an instance, both attached to
// one transit gateway (default route table: associated and propagated).
// The path needs the spoke's route to the gateway, the gateway's route
// (propagated or static, longest prefix, no blackhole), the hub's route
// back, and the endpoint group's rule for the spoke's addresses (group
// references do not cross).
func TestTransitGatewayPaths(t *testing.T) {
	c, ctx := cloudtest.New(t), context.Background()
	vpc := func(cidr, sub string) (string, string, string) {
		v := cloudtest.Must[*cloud.CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &cloud.CreateVpcInput{CidrBlock: cidr})).Vpc.VpcID
		s := cloudtest.Must[*cloud.CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &cloud.CreateSubnetInput{VpcID: v, CidrBlock: sub, AvailabilityZone: "us-east-1a"})).Subnet.SubnetID
		rt := cloudtest.Must[*cloud.Snapshot](t)(c.Snapshot(ctx, sc)).RouteTableOf(s).RouteTableID
		return v, s, rt
	}
	hub, hubSubnet, hubRT := vpc("10.0.0.0/16", "10.0.1.0/24")
	spoke, spokeSubnet, spokeRT := vpc("10.1.0.0/16", "10.1.1.0/24")
	port := int32(443)
	sg := cloudtest.Must[*cloud.CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx, sc, &cloud.CreateSecurityGroupInput{GroupName: "ep", Description: "ep", VpcID: hub})).GroupID
	ep := cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: hub, ServiceName: "com.amazonaws.us-east-1.ssm",
		VpcEndpointType: "Interface", SubnetIDs: []string{hubSubnet}, SecurityGroupIDs: []string{sg}, PrivateDNSEnabled: cloudtest.Ptr(false)})).VpcEndpoint.VpcEndpointID
	app := cloudtest.Must[*cloud.Reservation](t)(c.RunInstances(ctx, sc, &cloud.RunInstancesInput{ImageID: "ami-12345678", MinCount: cloudtest.Ptr[int32](1), MaxCount: cloudtest.Ptr[int32](1),
		SubnetID: spokeSubnet})).Instances[0].InstanceID
	tgw := cloudtest.Must[*cloud.CreateTransitGatewayOutput](t)(c.CreateTransitGateway(ctx, sc, &cloud.CreateTransitGatewayInput{})).TransitGateway
	attach := func(v, s string) string {
		return cloudtest.Must[*cloud.CreateTransitGatewayVpcAttachmentOutput](t)(c.CreateTransitGatewayVpcAttachment(ctx, sc, &cloud.CreateTransitGatewayVpcAttachmentInput{
			TransitGatewayID: tgw.TransitGatewayID, VpcID: v, SubnetIDs: []string{s}})).TransitGatewayVpcAttachment.TransitGatewayAttachmentID
	}
	hubAtt, _ := attach(hub, hubSubnet), attach(spoke, spokeSubnet)
	analyze := func() *Result {
		t.Helper()
		return cloudtest.Must[*Result](t)(New(cloudtest.Must[*cloud.Snapshot](t)(c.Snapshot(ctx, sc))).Analyze(Query{From: app, To: ep}))
	}
	route := func(rt, cidr string) {
		cloudtest.Must[*cloud.Return](t)(c.CreateRoute(ctx, sc, &cloud.RouteInput{RouteTableID: rt, DestinationCidrBlock: cidr, RouteTarget: cloud.RouteTarget{TransitGatewayID: tgw.TransitGatewayID}}))
	}
	check(t, analyze(), Blocked, "NO_ROUTE_TO_DESTINATION") // the spoke has no route to the hub
	route(spokeRT, "10.0.0.0/16")
	r := analyze()
	check(t, r, Blocked, "NO_ROUTE_TO_DESTINATION") // the hub has no route back
	if !strings.Contains(strings.Join(r.Fix, " "), "create-route --route-table-id "+hubRT+" --destination-cidr-block 10.1.1.0/24 --transit-gateway-id "+tgw.TransitGatewayID) {
		t.Errorf("fix = %v", r.Fix)
	}
	route(hubRT, "10.1.0.0/16")
	check(t, analyze(), Blocked, "ENI_SG_RULES_MISMATCH") // the endpoint's group lets no spoke in
	cloudtest.Must[*cloud.AuthorizeOutput](t)(c.AuthorizeSecurityGroupIngress(ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: sg,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "tcp", FromPort: &port, ToPort: &port, IPRanges: []cloud.IPRange{{CidrIP: "10.1.0.0/16"}}}}}))
	r = analyze()
	check(t, r, PrivateInterfaceEndpoint, "")
	var kinds []string
	for _, h := range r.Hops {
		kinds = append(kinds, h.Kind)
	}
	if !strings.Contains(strings.Join(kinds, " "), "route-table transit-gateway-route-table transit-gateway-route-table") {
		t.Errorf("hops = %v", kinds)
	}

	// Without the hub's propagation the gateway has no route to it.
	rtb := tgw.Options.AssociationDefaultRouteTableID
	in := &cloud.TGWRouteTableAttachmentInput{TransitGatewayRouteTableID: rtb, TransitGatewayAttachmentID: hubAtt}
	cloudtest.Must[*cloud.EnableTransitGatewayRouteTablePropagationOutput](t)(c.DisableTransitGatewayRouteTablePropagation(ctx, sc, in))
	r = analyze()
	check(t, r, Blocked, "NO_ROUTE_TO_DESTINATION")
	if r.Explanations[0].Component != rtb {
		t.Errorf("blocked at %s, want the gateway's route table %s", r.Explanations[0].Component, rtb)
	}
	// A static route serves instead; a more specific blackhole wins.
	cloudtest.Must[*cloud.CreateTransitGatewayRouteOutput](t)(c.CreateTransitGatewayRoute(ctx, sc, &cloud.CreateTransitGatewayRouteInput{DestinationCidrBlock: "10.0.0.0/16",
		TransitGatewayRouteTableID: rtb, TransitGatewayAttachmentID: hubAtt}))
	check(t, analyze(), PrivateInterfaceEndpoint, "")
	cloudtest.Must[*cloud.CreateTransitGatewayRouteOutput](t)(c.CreateTransitGatewayRoute(ctx, sc, &cloud.CreateTransitGatewayRouteInput{DestinationCidrBlock: "10.0.1.0/24",
		TransitGatewayRouteTableID: rtb, Blackhole: cloudtest.Ptr(true)}))
	check(t, analyze(), Blocked, "BAD_STATE_ROUTE")
	// The hub detached: the spoke's route to the gateway still exists,
	// the gateway's route to the hub is a blackhole.
	cloudtest.Must[*cloud.CreateTransitGatewayRouteOutput](t)(c.DeleteTransitGatewayRoute(ctx, sc, &cloud.DeleteTransitGatewayRouteInput{TransitGatewayRouteTableID: rtb, DestinationCidrBlock: "10.0.1.0/24"}))
	cloudtest.Must[*cloud.CreateTransitGatewayVpcAttachmentOutput](t)(c.DeleteTransitGatewayVpcAttachment(ctx, sc, &cloud.DeleteTransitGatewayVpcAttachmentInput{TransitGatewayAttachmentID: hubAtt}))
	check(t, analyze(), Blocked, "BAD_STATE_ROUTE")
	_ = spoke
}
