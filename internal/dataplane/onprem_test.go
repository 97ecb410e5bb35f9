package dataplane

import (
	"context"
	"strings"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
)

// TestOnPremisesSource: the seed's hybrid design through the data plane.
// A program on premises (an address inside a VPN connection's static
// route, named as the proxy user) reaches S3 through the S3 interface
// endpoint's own name (bucket.vpce-…, which public DNS answers with the
// endpoint's private addresses) over the VPN — decided with the endpoint
// policy and carried — while S3's public name leads to the gateway
// endpoint, which on premises can never use. An address behind no VPN is
// no source.
func TestOnPremisesSource(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	c := r.client(r.inst)
	for _, step := range []struct{ method, url, body string }{
		{"PUT", "https://s3.us-east-1.amazonaws.com/reports", ""},
		{"PUT", "https://reports.s3.us-east-1.amazonaws.com/public/q3.csv", "us-east-1,42"},
	} {
		if code, _, body := r.do(c, step.method, step.url, step.body); code != 200 {
			t.Fatalf("%s %s: %d %s", step.method, step.url, code, body)
		}
	}
	port := int32(443)
	sg := cloudtest.Must[*cloud.CreateSecurityGroupOutput](t)(r.c.CreateSecurityGroup(ctx, sc, &cloud.CreateSecurityGroupInput{GroupName: "s3", Description: "s3", VpcID: r.vpc})).GroupID
	cloudtest.Must[*cloud.AuthorizeOutput](t)(r.c.AuthorizeSecurityGroupIngress(ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: sg,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "tcp", FromPort: &port, ToPort: &port, IPRanges: []cloud.IPRange{{CidrIP: "192.168.0.0/16"}}}}}))
	ep := cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(r.c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: r.vpc, ServiceName: "com.amazonaws.us-east-1.s3",
		VpcEndpointType: "Interface", SubnetIDs: []string{r.subnet}, SecurityGroupIDs: []string{sg}})).VpcEndpoint
	cgw := cloudtest.Must[*cloud.CreateCustomerGatewayOutput](t)(r.c.CreateCustomerGateway(ctx, sc, &cloud.CreateCustomerGatewayInput{Type: "ipsec.1", IPAddress: "198.51.100.7"})).CustomerGateway.CustomerGatewayID
	vgw := cloudtest.Must[*cloud.CreateVpnGatewayOutput](t)(r.c.CreateVpnGateway(ctx, sc, &cloud.CreateVpnGatewayInput{Type: "ipsec.1"})).VpnGateway.VpnGatewayID
	cloudtest.Must[*cloud.AttachVpnGatewayOutput](t)(r.c.AttachVpnGateway(ctx, sc, &cloud.VpnGatewayVpcInput{VpcID: r.vpc, VpnGatewayID: vgw}))
	vpn := cloudtest.Must[*cloud.CreateVpnConnectionOutput](t)(r.c.CreateVpnConnection(ctx, sc, &cloud.CreateVpnConnectionInput{CustomerGatewayID: cgw, Type: "ipsec.1",
		VpnGatewayID: vgw, Options: &cloud.VpnOptions{StaticRoutesOnly: true}})).VpnConnection.VpnConnectionID
	cloudtest.Must[*cloud.Return](t)(r.c.CreateVpnConnectionRoute(ctx, sc, &cloud.VpnConnectionRouteInput{DestinationCidrBlock: "192.168.10.0/24", VpnConnectionID: vpn}))
	cloudtest.Must[*cloud.Return](t)(r.c.EnableVgwRoutePropagation(ctx, sc, &cloud.VgwPropagationInput{GatewayID: vgw, RouteTableID: r.rtb}))

	onprem := r.client("192.168.10.5")
	name := "bucket" + strings.TrimPrefix(ep.DNSEntries[0].DNSName, "*")
	code, hdr, body := r.do(onprem, "GET", "https://"+name+"/reports/public/q3.csv", "")
	if code != 200 || body != "us-east-1,42" {
		t.Fatalf("through the interface endpoint: %d %v %s", code, hdr, body)
	}
	// The tunnel to S3's public name is refused at once, with the reason.
	status, head := rawConnect(t, r.proxy.Listener.Addr().String(), "192.168.10.5", "s3.us-east-1.amazonaws.com:443")
	if strings.HasPrefix(status, "200") || !strings.Contains(head, "X-Vpce-Reason: GATEWAY_ENDPOINT_NOT_REACHABLE_FROM_ON_PREMISES") {
		t.Fatalf("S3's public name from on premises: %s\n%s", status, head)
	}
	served := false
	for _, u := range r.p.Meter().Report("") {
		served = served || (u.Component == ep.VpcEndpointID && u.Requests == 1 && u.Path == "PRIVATE_INTERFACE_ENDPOINT")
	}
	if !served {
		t.Errorf("usage %+v", r.p.Meter().Report(""))
	}
	status, head = rawConnect(t, r.proxy.Listener.Addr().String(), "172.16.0.9", name+":443")
	if !strings.HasPrefix(status, "407") || !strings.Contains(head, "X-Vpce-Reason: UNKNOWN_SOURCE") {
		t.Fatalf("an address behind no VPN: %s\n%s", status, head)
	}
}

// TestSourceNames pins what a proxy user may name: an instance, an
// interface, an address, or an address with the inbound Resolver endpoint
// its names are resolved at.
func TestSourceNames(t *testing.T) {
	for src, ok := range map[string]bool{
		"i-0123456789abcdef0": true, "eni-0123456789abcdef0": true, "192.168.10.5": true, "192.168.10.5/rslvr-in-0123456789abcdef0": true,
		"192.168.10.5/rslvr-out-0123456789abcdef0": false, "i-1/rslvr-in-1": false, "example.com": false, "": false,
	} {
		if got := src != "" && validSource(src); got != ok {
			t.Errorf("validSource(%q) = %v, want %v", src, got, ok)
		}
	}
	if from, dns := splitSource("192.168.10.5/rslvr-in-1"); from != "192.168.10.5" || dns != "rslvr-in-1" {
		t.Errorf("splitSource = %q %q", from, dns)
	}
}
