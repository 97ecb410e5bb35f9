package dump

import (
	"context"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
	"github.com/vpce/vpce/internal/reach"
)

// TestTransitRoundTrip: the network-account design — a hub account with
// an interface endpoint, a transit gateway shared with a spoke account
// whose VPC is attached (accepted), and a VPN connection to the gateway
// with a static route for on premises — is exported account by account
// as describe-* writes it (TransitGateways.json, TransitGatewayAttachments
// with associations, route tables with a routes and a propagations file
// each, VpnConnections.json …) and imported into a fresh state, hub and
// spoke folders together. The imported state analyses the same paths:
// spoke → hub endpoint through the gateway, on premises → hub endpoint
// through the VPN attachment.
func TestTransitRoundTrip(t *testing.T) {
	ctx := context.Background()
	c1 := cloudtest.New(t) // no provisioning delay
	hub, spoke := cloud.Scope{Account: "111111111111", Region: "us-east-1"}, cloud.Scope{Account: "222222222222", Region: "us-east-1"}
	vpcIn := func(sc cloud.Scope, cidr, sub string) (string, string, string) {
		v := cloudtest.Must[*cloud.CreateVpcOutput](t)(c1.CreateVpc(ctx, sc, &cloud.CreateVpcInput{CidrBlock: cidr})).Vpc.VpcID
		s := cloudtest.Must[*cloud.CreateSubnetOutput](t)(c1.CreateSubnet(ctx, sc, &cloud.CreateSubnetInput{VpcID: v, CidrBlock: sub, AvailabilityZone: "us-east-1a"})).Subnet.SubnetID
		rt := cloudtest.Must[*cloud.Snapshot](t)(c1.Snapshot(ctx, sc)).RouteTableOf(s).RouteTableID
		return v, s, rt
	}
	hubVpc, hubSub, hubRT := vpcIn(hub, "10.0.0.0/16", "10.0.1.0/24")
	spokeVpc, spokeSub, spokeRT := vpcIn(spoke, "10.1.0.0/16", "10.1.1.0/24")
	port := int32(443)
	sg := cloudtest.Must[*cloud.CreateSecurityGroupOutput](t)(c1.CreateSecurityGroup(ctx, hub, &cloud.CreateSecurityGroupInput{GroupName: "ep", Description: "ep", VpcID: hubVpc})).GroupID
	cloudtest.Must[*cloud.AuthorizeOutput](t)(c1.AuthorizeSecurityGroupIngress(ctx, hub, &cloud.SecurityGroupRulesInput{GroupID: sg,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "tcp", FromPort: &port, ToPort: &port, IPRanges: []cloud.IPRange{{CidrIP: "10.0.0.0/8"}, {CidrIP: "192.168.0.0/16"}}}}}))
	ep := cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(c1.CreateVpcEndpoint(ctx, hub, &cloud.CreateVpcEndpointInput{VpcID: hubVpc, ServiceName: "com.amazonaws.us-east-1.ssm",
		VpcEndpointType: "Interface", SubnetIDs: []string{hubSub}, SecurityGroupIDs: []string{sg}, PrivateDNSEnabled: cloudtest.Ptr(false)})).VpcEndpoint.VpcEndpointID
	tgw := cloudtest.Must[*cloud.CreateTransitGatewayOutput](t)(c1.CreateTransitGateway(ctx, hub, &cloud.CreateTransitGatewayInput{})).TransitGateway
	share := cloudtest.Must[*cloud.ResourceShare](t)(c1.CreateResourceShare(ctx, hub, &cloud.CreateResourceShareInput{Name: "hub", ResourceArns: []string{tgw.TransitGatewayArn}, Principals: []string{spoke.Account}}))
	inv := cloudtest.Must[[]cloud.ShareInvitation](t)(c1.GetResourceShareInvitations(ctx, spoke, nil, []string{share.ARN}))[0]
	cloudtest.Must[*cloud.ShareInvitation](t)(c1.AcceptResourceShareInvitation(ctx, spoke, inv.ARN))
	attach := func(sc cloud.Scope, v, s string) string {
		return cloudtest.Must[*cloud.CreateTransitGatewayVpcAttachmentOutput](t)(c1.CreateTransitGatewayVpcAttachment(ctx, sc, &cloud.CreateTransitGatewayVpcAttachmentInput{
			TransitGatewayID: tgw.TransitGatewayID, VpcID: v, SubnetIDs: []string{s}})).TransitGatewayVpcAttachment.TransitGatewayAttachmentID
	}
	attach(hub, hubVpc, hubSub)
	spokeAtt := attach(spoke, spokeVpc, spokeSub)
	cloudtest.Must[*cloud.CreateTransitGatewayVpcAttachmentOutput](t)(c1.AcceptTransitGatewayVpcAttachment(ctx, hub, &cloud.TGWAttachmentIDInput{TransitGatewayAttachmentID: spokeAtt}))
	route := func(sc cloud.Scope, rt, cidr string) {
		cloudtest.Must[*cloud.Return](t)(c1.CreateRoute(ctx, sc, &cloud.RouteInput{RouteTableID: rt, DestinationCidrBlock: cidr, RouteTarget: cloud.RouteTarget{TransitGatewayID: tgw.TransitGatewayID}}))
	}
	route(spoke, spokeRT, "10.0.0.0/16")
	route(hub, hubRT, "10.1.0.0/16")
	route(hub, hubRT, "192.168.0.0/16")
	cgw := cloudtest.Must[*cloud.CreateCustomerGatewayOutput](t)(c1.CreateCustomerGateway(ctx, hub, &cloud.CreateCustomerGatewayInput{Type: "ipsec.1", IPAddress: "198.51.100.7"})).CustomerGateway.CustomerGatewayID
	vpn := cloudtest.Must[*cloud.CreateVpnConnectionOutput](t)(c1.CreateVpnConnection(ctx, hub, &cloud.CreateVpnConnectionInput{CustomerGatewayID: cgw, Type: "ipsec.1",
		TransitGatewayID: tgw.TransitGatewayID, Options: &cloud.VpnOptions{StaticRoutesOnly: true}})).VpnConnection.VpnConnectionID
	var vpnAtt string
	for _, a := range cloudtest.Must[*cloud.DescribeTransitGatewayAttachmentsOutput](t)(c1.DescribeTransitGatewayAttachments(ctx, hub, &cloud.DescribeTransitGatewayVpcAttachmentsInput{})).TransitGatewayAttachments {
		if a.ResourceID == vpn {
			vpnAtt = a.TransitGatewayAttachmentID
		}
	}
	cloudtest.Must[*cloud.CreateTransitGatewayRouteOutput](t)(c1.CreateTransitGatewayRoute(ctx, hub, &cloud.CreateTransitGatewayRouteInput{
		TransitGatewayRouteTableID: tgw.Options.AssociationDefaultRouteTableID, DestinationCidrBlock: "192.168.10.0/24", TransitGatewayAttachmentID: vpnAtt}))

	queries := []struct {
		sc cloud.Scope
		q  reach.Query
	}{{spoke, reach.Query{From: spokeSub, To: ep}}, {hub, reach.Query{From: "192.168.10.5", To: ep}}}
	analyze := func(c *cloud.Cloud, sc cloud.Scope, q reach.Query) *reach.Result {
		t.Helper()
		return verdict(t, reach.New(cloudtest.Must[*cloud.Snapshot](t)(c.LinkedSnapshot(ctx, sc))), q)
	}
	for _, x := range queries {
		if r := analyze(c1, x.sc, x.q); r.Verdict != reach.PrivateInterfaceEndpoint {
			t.Fatalf("before export, %s → %s: %s %+v", x.q.From, x.q.To, r.Verdict, r.Explanations)
		}
	}
	out := t.TempDir()
	for _, sc := range []cloud.Scope{hub, spoke} {
		if _, err := Write(out, cloudtest.Must[*cloud.Snapshot](t)(c1.Snapshot(ctx, sc))); err != nil {
			t.Fatal(err)
		}
	}
	c2 := newCloud(t)
	load(t, c2, out, Options{})
	for _, x := range queries {
		if r := analyze(c2, x.sc, x.q); r.Verdict != reach.PrivateInterfaceEndpoint {
			t.Errorf("after import, %s → %s: %s %+v", x.q.From, x.q.To, r.Verdict, r.Explanations)
		}
	}
	atts := cloudtest.Must[*cloud.DescribeTransitGatewayAttachmentsOutput](t)(c2.DescribeTransitGatewayAttachments(ctx, spoke, &cloud.DescribeTransitGatewayVpcAttachmentsInput{}))
	if len(atts.TransitGatewayAttachments) != 1 || atts.TransitGatewayAttachments[0].TransitGatewayOwnerID != hub.Account || atts.TransitGatewayAttachments[0].Association == nil {
		t.Errorf("the spoke's attachment after import: %+v", atts.TransitGatewayAttachments)
	}
	vpns := cloudtest.Must[*cloud.DescribeVpnConnectionsOutput](t)(c2.DescribeVpnConnections(ctx, hub, &cloud.DescribeVpnConnectionsInput{}))
	if len(vpns.VpnConnections) != 1 || vpns.VpnConnections[0].TransitGatewayID != tgw.TransitGatewayID {
		t.Errorf("VPN connections after import: %+v", vpns.VpnConnections)
	}
}
