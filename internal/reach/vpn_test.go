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
