package reach

import (
	"context"
	"strings"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
)

// TestOnPremisesOverVPN: the seed's hybrid design — on premises
// (192.168.10.0/24 behind a static VPN connection to the VPC's virtual
// private gateway) reaches S3 through the S3 interface endpoint, never
// through the gateway endpoint; the subnet must route the answer back to
// the gateway (propagation), the endpoint's group must let on premises in.
func TestOnPremisesOverVPN(t *testing.T) {
	c, ctx := cloudtest.New(t), context.Background()
	vpc := cloudtest.Must[*cloud.CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &cloud.CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
	sn := cloudtest.Must[*cloud.CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &cloud.CreateSubnetInput{VpcID: vpc, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a"})).Subnet.SubnetID
	rt := cloudtest.Must[*cloud.Snapshot](t)(c.Snapshot(ctx, sc)).RouteTableOf(sn).RouteTableID
	port := int32(443)
	sg := cloudtest.Must[*cloud.CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx, sc, &cloud.CreateSecurityGroupInput{GroupName: "s3", Description: "s3", VpcID: vpc})).GroupID
	cloudtest.Must[*cloud.AuthorizeOutput](t)(c.AuthorizeSecurityGroupIngress(ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: sg,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "tcp", FromPort: &port, ToPort: &port, IPRanges: []cloud.IPRange{{CidrIP: "192.168.0.0/16"}}}}}))
	s3i := cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: vpc, ServiceName: "com.amazonaws.us-east-1.s3",
		VpcEndpointType: "Interface", SubnetIDs: []string{sn}, SecurityGroupIDs: []string{sg}})).VpcEndpoint
	s3g := cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: vpc, ServiceName: "com.amazonaws.us-east-1.s3",
		RouteTableIDs: []string{rt}})).VpcEndpoint.VpcEndpointID
	cgw := cloudtest.Must[*cloud.CreateCustomerGatewayOutput](t)(c.CreateCustomerGateway(ctx, sc, &cloud.CreateCustomerGatewayInput{Type: "ipsec.1", IPAddress: "198.51.100.7"})).CustomerGateway.CustomerGatewayID
	vgw := cloudtest.Must[*cloud.CreateVpnGatewayOutput](t)(c.CreateVpnGateway(ctx, sc, &cloud.CreateVpnGatewayInput{Type: "ipsec.1"})).VpnGateway.VpnGatewayID
	cloudtest.Must[*cloud.AttachVpnGatewayOutput](t)(c.AttachVpnGateway(ctx, sc, &cloud.VpnGatewayVpcInput{VpcID: vpc, VpnGatewayID: vgw}))
	vpn := cloudtest.Must[*cloud.CreateVpnConnectionOutput](t)(c.CreateVpnConnection(ctx, sc, &cloud.CreateVpnConnectionInput{CustomerGatewayID: cgw, Type: "ipsec.1",
		VpnGatewayID: vgw, Options: &cloud.VpnOptions{StaticRoutesOnly: true}})).VpnConnection.VpnConnectionID
	cloudtest.Must[*cloud.Return](t)(c.CreateVpnConnectionRoute(ctx, sc, &cloud.VpnConnectionRouteInput{DestinationCidrBlock: "192.168.10.0/24", VpnConnectionID: vpn}))
	analyze := func(to string) *Result {
		t.Helper()
		return cloudtest.Must[*Result](t)(New(cloudtest.Must[*cloud.Snapshot](t)(c.Snapshot(ctx, sc))).Analyze(Query{From: "192.168.10.5", To: to}))
	}
	r := analyze(s3i.VpcEndpointID)
	check(t, r, Blocked, "NO_ROUTE_TO_DESTINATION") // the subnet does not route 192.168.10.0/24 back
	if r.Source.Kind != "on-premises" || r.Hops[0].Component != vpn || !strings.Contains(strings.Join(r.Fix, " "), "enable-vgw-route-propagation --route-table-id "+rt+" --gateway-id "+vgw) {
		t.Fatalf("source %+v, hops %v, fix %v", r.Source, kinds(r.Hops), r.Fix)
	}
	cloudtest.Must[*cloud.Return](t)(c.EnableVgwRoutePropagation(ctx, sc, &cloud.VgwPropagationInput{GatewayID: vgw, RouteTableID: rt}))
	rts := cloudtest.Must[*cloud.DescribeRouteTablesOutput](t)(c.DescribeRouteTables(ctx, sc, &cloud.DescribeRouteTablesInput{RouteTableIDs: []string{rt}})).RouteTables[0]
	var propagated bool
	for _, x := range rts.Routes {
		propagated = propagated || (x.DestinationCidrBlock == "192.168.10.0/24" && x.GatewayID == vgw && x.Origin == "EnableVgwRoutePropagation" && x.State == "active")
	}
	if !propagated || len(rts.PropagatingVgws) != 1 {
		t.Fatalf("route table after propagation: %+v", rts)
	}
	check(t, analyze(s3i.VpcEndpointID), PrivateInterfaceEndpoint, "")
	// The endpoint's vpce name resolves publicly to its private address.
	check(t, analyze("bucket"+strings.TrimPrefix(cloud.EndpointDNSEntries(s3i, "us-east-1")[0].DNSName, "*")), PrivateInterfaceEndpoint, "")
	// The gateway endpoint serves only its own VPC's traffic.
	check(t, analyze(s3g), Blocked, "GATEWAY_ENDPOINT_NOT_REACHABLE_FROM_ON_PREMISES")
	check(t, analyze("s3.us-east-1.amazonaws.com"), Blocked, "GATEWAY_ENDPOINT_NOT_REACHABLE_FROM_ON_PREMISES")
	// An address no VPN route holds is not on premises.
	r = cloudtest.Must[*Result](t)(New(cloudtest.Must[*cloud.Snapshot](t)(c.Snapshot(ctx, sc))).Analyze(Query{From: "192.168.99.5", To: s3i.VpcEndpointID}))
	if r.Source.Kind != "address" || r.Verdict != Blocked {
		t.Errorf("outside the VPN's networks: %+v %s", r.Source, r.Verdict)
	}
	// The gateway detached: nothing comes in.
	cloudtest.Must[*cloud.Return](t)(c.DetachVpnGateway(ctx, sc, &cloud.VpnGatewayVpcInput{VpcID: vpc, VpnGatewayID: vgw}))
	check(t, analyze(s3i.VpcEndpointID), Blocked, "BAD_STATE")
}

// TestOnPremisesOverVPNToTransitGateway: on premises behind a VPN
// connection attached to a transit gateway (the network-account design's
// hybrid edge). The address is on premises once a static route of the
// gateway's table leads to the VPN attachment; the path then crosses the
// gateway to the hub VPC's interface endpoint, and needs the hub subnet's
// route back to the gateway. A VPN attachment is listed among the
// gateway's attachments (resource type vpn), not among VPC attachments,
// and deleting the connection ends it.
func TestOnPremisesOverVPNToTransitGateway(t *testing.T) {
	c, ctx := cloudtest.New(t), context.Background()
	vpc := cloudtest.Must[*cloud.CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &cloud.CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
	sn := cloudtest.Must[*cloud.CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &cloud.CreateSubnetInput{VpcID: vpc, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a"})).Subnet.SubnetID
	rt := cloudtest.Must[*cloud.Snapshot](t)(c.Snapshot(ctx, sc)).RouteTableOf(sn).RouteTableID
	port := int32(443)
	sg := cloudtest.Must[*cloud.CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx, sc, &cloud.CreateSecurityGroupInput{GroupName: "ep", Description: "ep", VpcID: vpc})).GroupID
	cloudtest.Must[*cloud.AuthorizeOutput](t)(c.AuthorizeSecurityGroupIngress(ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: sg,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "tcp", FromPort: &port, ToPort: &port, IPRanges: []cloud.IPRange{{CidrIP: "192.168.0.0/16"}}}}}))
	ep := cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: vpc, ServiceName: "com.amazonaws.us-east-1.s3",
		VpcEndpointType: "Interface", SubnetIDs: []string{sn}, SecurityGroupIDs: []string{sg}})).VpcEndpoint.VpcEndpointID
	tgw := cloudtest.Must[*cloud.CreateTransitGatewayOutput](t)(c.CreateTransitGateway(ctx, sc, &cloud.CreateTransitGatewayInput{})).TransitGateway
	cloudtest.Must[*cloud.CreateTransitGatewayVpcAttachmentOutput](t)(c.CreateTransitGatewayVpcAttachment(ctx, sc, &cloud.CreateTransitGatewayVpcAttachmentInput{
		TransitGatewayID: tgw.TransitGatewayID, VpcID: vpc, SubnetIDs: []string{sn}}))
	cgw := cloudtest.Must[*cloud.CreateCustomerGatewayOutput](t)(c.CreateCustomerGateway(ctx, sc, &cloud.CreateCustomerGatewayInput{Type: "ipsec.1", IPAddress: "198.51.100.7"})).CustomerGateway.CustomerGatewayID
	_, err := c.CreateVpnConnection(ctx, sc, &cloud.CreateVpnConnectionInput{CustomerGatewayID: cgw, Type: "ipsec.1", TransitGatewayID: tgw.TransitGatewayID, VpnGatewayID: "vgw-0123456789abcdef0"})
	if err == nil || !strings.Contains(err.Error(), "InvalidParameterCombination") {
		t.Fatalf("both gateways: %v", err)
	}
	vpn := cloudtest.Must[*cloud.CreateVpnConnectionOutput](t)(c.CreateVpnConnection(ctx, sc, &cloud.CreateVpnConnectionInput{CustomerGatewayID: cgw, Type: "ipsec.1",
		TransitGatewayID: tgw.TransitGatewayID, Options: &cloud.VpnOptions{StaticRoutesOnly: true}})).VpnConnection
	if vpn.TransitGatewayID != tgw.TransitGatewayID || vpn.VpnGatewayID != "" {
		t.Fatalf("vpn = %+v", vpn)
	}
	_, err = c.CreateVpnConnectionRoute(ctx, sc, &cloud.VpnConnectionRouteInput{DestinationCidrBlock: "192.168.10.0/24", VpnConnectionID: vpn.VpnConnectionID})
	if err == nil || !strings.Contains(err.Error(), "create-transit-gateway-route") {
		t.Fatalf("a VPN static route on a transit gateway VPN: %v", err)
	}
	var vpnAtt string
	for _, a := range cloudtest.Must[*cloud.DescribeTransitGatewayAttachmentsOutput](t)(c.DescribeTransitGatewayAttachments(ctx, sc, &cloud.DescribeTransitGatewayVpcAttachmentsInput{
		Filters: []cloud.Filter{{Name: "resource-type", Values: []string{"vpn"}}}})).TransitGatewayAttachments {
		if a.ResourceID == vpn.VpnConnectionID {
			vpnAtt = a.TransitGatewayAttachmentID
		}
	}
	if vpnAtt == "" {
		t.Fatal("no VPN attachment listed")
	}
	if vs := cloudtest.Must[*cloud.DescribeTransitGatewayVpcAttachmentsOutput](t)(c.DescribeTransitGatewayVpcAttachments(ctx, sc, &cloud.DescribeTransitGatewayVpcAttachmentsInput{})); len(vs.TransitGatewayVpcAttachments) != 1 {
		t.Fatalf("VPC attachments = %d, want the VPC's only", len(vs.TransitGatewayVpcAttachments))
	}
	analyze := func() *Result {
		t.Helper()
		return cloudtest.Must[*Result](t)(New(cloudtest.Must[*cloud.Snapshot](t)(c.Snapshot(ctx, sc))).Analyze(Query{From: "192.168.10.5", To: ep}))
	}
	if r := analyze(); r.Source.Kind == "on-premises" {
		t.Fatalf("on premises without a route to the VPN attachment: %+v", r.Source)
	}
	rtb := tgw.Options.AssociationDefaultRouteTableID
	cloudtest.Must[*cloud.CreateTransitGatewayRouteOutput](t)(c.CreateTransitGatewayRoute(ctx, sc, &cloud.CreateTransitGatewayRouteInput{TransitGatewayRouteTableID: rtb,
		DestinationCidrBlock: "192.168.10.0/24", TransitGatewayAttachmentID: vpnAtt}))
	r := analyze()
	check(t, r, Blocked, "NO_ROUTE_TO_DESTINATION") // the hub subnet does not route the answer to the gateway
	if r.Source.Kind != "on-premises" || !strings.Contains(kinds(r.Hops), "transit-gateway-attachment:pass") {
		t.Fatalf("source %+v hops %s", r.Source, kinds(r.Hops))
	}
	cloudtest.Must[*cloud.Return](t)(c.CreateRoute(ctx, sc, &cloud.RouteInput{RouteTableID: rt, DestinationCidrBlock: "192.168.0.0/16", RouteTarget: cloud.RouteTarget{TransitGatewayID: tgw.TransitGatewayID}}))
	r = analyze()
	check(t, r, PrivateInterfaceEndpoint, "")
	if !strings.Contains(kinds(r.Hops), "transit-gateway-route-table:route") {
		t.Errorf("hops %s", kinds(r.Hops))
	}
	// Names asked at an inbound Resolver endpoint: the query must reach it
	// (udp/53 through the gateway, the endpoint's groups).
	in := cloudtest.Must[*cloud.ResolverEndpoint](t)(c.CreateResolverEndpoint(ctx, sc, "in", "", "INBOUND", []string{sg},
		[]cloud.ResolverIPRequest{{SubnetID: sn}, {SubnetID: sn}}, nil))
	dnsQuery := func() *Result {
		t.Helper()
		return cloudtest.Must[*Result](t)(New(cloudtest.Must[*cloud.Snapshot](t)(c.Snapshot(ctx, sc))).Analyze(Query{From: "192.168.10.5", To: "s3.us-east-1.amazonaws.com", DNS: in.ID}))
	}
	r = dnsQuery()
	check(t, r, Blocked, "ENI_SG_RULES_MISMATCH")
	if !strings.Contains(r.Explanations[0].Message, in.ID) || r.Hops[len(r.Hops)-1].Kind != "resolver-endpoint" {
		t.Errorf("DNS query blocked: %+v %s", r.Explanations, kinds(r.Hops))
	}
	dns := int32(53)
	cloudtest.Must[*cloud.AuthorizeOutput](t)(c.AuthorizeSecurityGroupIngress(ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: sg,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "udp", FromPort: &dns, ToPort: &dns, IPRanges: []cloud.IPRange{{CidrIP: "192.168.0.0/16"}}}}}))
	r = dnsQuery()
	if r.Hops[0].Kind != "resolver-endpoint" || r.Hops[0].Result != "allow" {
		t.Errorf("DNS query allowed: %s", kinds(r.Hops))
	}
	// The connection deleted: its attachment ends, the static route is a
	// blackhole and the address is no longer on premises.
	cloudtest.Must[*cloud.Return](t)(c.DeleteVpnConnection(ctx, sc, &cloud.DeleteVpnConnectionInput{VpnConnectionID: vpn.VpnConnectionID}))
	if r := analyze(); r.Source.Kind == "on-premises" || r.Verdict != Blocked {
		t.Fatalf("after deleting the VPN: %s %+v", r.Verdict, r.Source)
	}
}
