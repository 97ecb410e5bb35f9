package e2e

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestTransitGatewayWithCLI builds the network-account design's core with
// the aws CLI v2 — a hub VPC holding an SSM interface endpoint, a spoke
// VPC with an instance, both attached to one transit gateway — and asks
// `vpce reach` whether the spoke's instance reaches the endpoint, before
// and after each piece the path needs.
func TestTransitGatewayWithCLI(t *testing.T) {
	acct := newAccount()
	run := cliRunner(t, acct)
	wait := func(what string, get func() string, want string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); get() != want; time.Sleep(100 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s stuck in %s, want %s", what, get(), want)
			}
		}
	}
	vpc := func(cidr, sub string) (string, string, string) {
		v := str(run("create-vpc", "--cidr-block", cidr), "Vpc", "VpcId")
		s := str(run("create-subnet", "--vpc-id", v, "--cidr-block", sub, "--availability-zone", "us-east-1a"), "Subnet", "SubnetId")
		rt := str(run("describe-route-tables", "--filters", "Name=vpc-id,Values="+v), "RouteTables", 0, "RouteTableId")
		return v, s, rt
	}
	hub, hubSubnet, hubRT := vpc("10.30.0.0/16", "10.30.1.0/24")
	spoke, spokeSubnet, spokeRT := vpc("10.31.0.0/16", "10.31.1.0/24")
	sg := str(run("create-security-group", "--group-name", "ep", "--description", "ep", "--vpc-id", hub), "GroupId")
	run("authorize-security-group-ingress", "--group-id", sg, "--protocol", "tcp", "--port", "443", "--cidr", "10.31.0.0/16")
	ep := str(run("create-vpc-endpoint", "--vpc-endpoint-type", "Interface", "--vpc-id", hub, "--service-name", "com.amazonaws.us-east-1.ssm",
		"--subnet-ids", hubSubnet, "--security-group-ids", sg, "--no-private-dns-enabled"), "VpcEndpoint", "VpcEndpointId")
	inst := str(run("run-instances", "--image-id", "ami-12345678", "--subnet-id", spokeSubnet), "Instances", 0, "InstanceId")

	tgw := run("create-transit-gateway", "--description", "network account", "--tag-specifications", "ResourceType=transit-gateway,Tags=[{Key=Name,Value=core}]")
	tgwID := str(tgw, "TransitGateway", "TransitGatewayId")
	if str(tgw, "TransitGateway", "State") != "pending" || str(tgw, "TransitGateway", "Options", "DefaultRouteTableAssociation") != "enable" {
		t.Fatalf("create-transit-gateway: %v", tgw)
	}
	rtb := str(tgw, "TransitGateway", "Options", "AssociationDefaultRouteTableId")
	wait("transit gateway", func() string {
		return str(run("describe-transit-gateways", "--transit-gateway-ids", tgwID), "TransitGateways", 0, "State")
	}, "available")
	cliErr(t, acct, "InvalidParameter", "create-route", "--route-table-id", spokeRT, "--destination-cidr-block", "10.30.0.0/16", "--transit-gateway-id", tgwID)
	var atts []string
	for _, p := range [][2]string{{hub, hubSubnet}, {spoke, spokeSubnet}} {
		a := run("create-transit-gateway-vpc-attachment", "--transit-gateway-id", tgwID, "--vpc-id", p[0], "--subnet-ids", p[1])
		atts = append(atts, str(a, "TransitGatewayVpcAttachment", "TransitGatewayAttachmentId"))
	}
	cliErr(t, acct, "DuplicateTransitGatewayAttachment", "create-transit-gateway-vpc-attachment", "--transit-gateway-id", tgwID, "--vpc-id", hub, "--subnet-ids", hubSubnet)
	for _, a := range atts {
		wait("attachment", func() string {
			return str(run("describe-transit-gateway-attachments", "--transit-gateway-attachment-ids", a), "TransitGatewayAttachments", 0, "State")
		}, "available")
	}
	d := run("describe-transit-gateway-attachments", "--transit-gateway-attachment-ids", atts[0])
	if str(d, "TransitGatewayAttachments", 0, "Association", "TransitGatewayRouteTableId") != rtb || str(d, "TransitGatewayAttachments", 0, "ResourceId") != hub {
		t.Errorf("hub attachment: %v", d)
	}
	routes := run("search-transit-gateway-routes", "--transit-gateway-route-table-id", rtb, "--filters", "Name=type,Values=propagated")
	var got []string
	for _, r := range path(routes, "Routes").([]any) {
		got = append(got, str(r, "DestinationCidrBlock")+"→"+str(r, "TransitGatewayAttachments", 0, "ResourceId"))
	}
	if strings.Join(got, " ") != "10.30.0.0/16→"+hub+" 10.31.0.0/16→"+spoke {
		t.Errorf("propagated routes = %v", got)
	}

	reach := func() map[string]any {
		t.Helper()
		out, _ := reachCmd(t, shared.url, acct, "secret", "--from", inst, "--to", ep, "-o", "json")
		m := map[string]any{}
		if err := json.Unmarshal([]byte(out), &m); err != nil {
			t.Fatalf("vpce reach: %v: %s", err, out)
		}
		return m
	}
	codeOf := func(m map[string]any) string { return str(m, "explanations", 0, "code") }
	if r := reach(); r["verdict"] != "BLOCKED" || codeOf(r) != "NO_ROUTE_TO_DESTINATION" || str(r, "explanations", 0, "component") != spokeRT {
		t.Fatalf("before the spoke's route: %v", r["explanations"])
	}
	run("create-route", "--route-table-id", spokeRT, "--destination-cidr-block", "10.30.0.0/16", "--transit-gateway-id", tgwID)
	if r := reach(); r["verdict"] != "BLOCKED" || str(r, "explanations", 0, "component") != hubRT {
		t.Fatalf("before the hub's route back: %v", r["explanations"])
	}
	run("create-route", "--route-table-id", hubRT, "--destination-cidr-block", "10.31.0.0/16", "--transit-gateway-id", tgwID)
	if r := reach(); r["verdict"] != "PRIVATE_INTERFACE_ENDPOINT" {
		t.Fatalf("hub and spoke routed: %v %v", r["verdict"], r["explanations"])
	}
	// On premises over a VPN connection attached to the same gateway: a
	// static route of the gateway's table to the VPN attachment says which
	// networks stand behind it.
	cgw := str(run("create-customer-gateway", "--type", "ipsec.1", "--public-ip", "198.51.100.9", "--bgp-asn", "65020"), "CustomerGateway", "CustomerGatewayId")
	vpn := run("create-vpn-connection", "--type", "ipsec.1", "--customer-gateway-id", cgw, "--transit-gateway-id", tgwID, "--options", "StaticRoutesOnly=true")
	vpnID := str(vpn, "VpnConnection", "VpnConnectionId")
	if str(vpn, "VpnConnection", "TransitGatewayId") != tgwID {
		t.Fatalf("create-vpn-connection: %v", vpn)
	}
	va := run("describe-transit-gateway-attachments", "--filters", "Name=resource-id,Values="+vpnID)
	vpnAtt := str(va, "TransitGatewayAttachments", 0, "TransitGatewayAttachmentId")
	if str(va, "TransitGatewayAttachments", 0, "ResourceType") != "vpn" {
		t.Fatalf("VPN attachment: %v", va)
	}
	wait("VPN attachment", func() string {
		return str(run("describe-transit-gateway-attachments", "--transit-gateway-attachment-ids", vpnAtt), "TransitGatewayAttachments", 0, "State")
	}, "available")
	run("create-transit-gateway-route", "--transit-gateway-route-table-id", rtb, "--destination-cidr-block", "192.168.20.0/24", "--transit-gateway-attachment-id", vpnAtt)
	run("create-route", "--route-table-id", hubRT, "--destination-cidr-block", "192.168.0.0/16", "--transit-gateway-id", tgwID)
	run("authorize-security-group-ingress", "--group-id", sg, "--protocol", "tcp", "--port", "443", "--cidr", "192.168.20.0/24")
	out, _ := reachCmd(t, shared.url, acct, "secret", "--from", "192.168.20.7", "--to", ep, "-o", "json")
	onprem := map[string]any{}
	if err := json.Unmarshal([]byte(out), &onprem); err != nil || onprem["verdict"] != "PRIVATE_INTERFACE_ENDPOINT" || str(onprem, "source", "kind") != "on-premises" {
		t.Fatalf("on premises over the gateway's VPN: %v %s", err, out)
	}
	run("delete-vpn-connection", "--vpn-connection-id", vpnID)
	run("create-transit-gateway-route", "--transit-gateway-route-table-id", rtb, "--destination-cidr-block", "10.30.1.0/24", "--blackhole")
	if r := reach(); codeOf(r) != "BAD_STATE_ROUTE" || str(r, "explanations", 0, "component") != rtb {
		t.Fatalf("blackhole: %v", r["explanations"])
	}
	run("delete-transit-gateway-route", "--transit-gateway-route-table-id", rtb, "--destination-cidr-block", "10.30.1.0/24")
	run("disable-transit-gateway-route-table-propagation", "--transit-gateway-route-table-id", rtb, "--transit-gateway-attachment-id", atts[0])
	if r := reach(); codeOf(r) != "NO_ROUTE_TO_DESTINATION" || str(r, "explanations", 0, "component") != rtb {
		t.Fatalf("hub not propagated: %v", r["explanations"])
	}
	cliErr(t, acct, "IncorrectState", "delete-transit-gateway", "--transit-gateway-id", tgwID)
	for _, a := range atts {
		run("delete-transit-gateway-vpc-attachment", "--transit-gateway-attachment-id", a)
	}
	rts := run("describe-route-tables", "--route-table-ids", spokeRT)
	for _, r := range path(rts, "RouteTables", 0, "Routes").([]any) {
		if m := r.(map[string]any); m["TransitGatewayId"] == tgwID && m["State"] != "blackhole" {
			t.Errorf("route to the gateway after detaching: %v", m)
		}
	}
	if s := str(run("delete-transit-gateway", "--transit-gateway-id", tgwID), "TransitGateway", "State"); s != "deleting" {
		t.Errorf("delete-transit-gateway answered %q", s)
	}
}
