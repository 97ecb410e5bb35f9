package e2e

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
)

// TestDhcpOptionsWithCLI: DHCP option sets through the aws CLI v2 — the
// default set, a custom one (comma-separated servers, tags), association,
// AWS's DependencyViolation and NotFound codes — and `vpce reach` saying
// that a VPC whose set names other name servers does not get the VPC
// resolver's answers (ssm then resolves to its public address).
func TestDhcpOptionsWithCLI(t *testing.T) {
	acct := newAccount()
	run := cliRunner(t, acct)
	vpc := str(run("create-vpc", "--cidr-block", "10.40.0.0/16"), "Vpc", "VpcId")
	def := str(run("describe-vpcs", "--vpc-ids", vpc), "Vpcs", 0, "DhcpOptionsId")
	sets := run("describe-dhcp-options", "--dhcp-options-ids", def)
	if str(sets, "DhcpOptions", 0, "DhcpConfigurations", 0, "Values", 0, "Value") != "ec2.internal" ||
		str(sets, "DhcpOptions", 0, "DhcpConfigurations", 1, "Values", 0, "Value") != "AmazonProvidedDNS" {
		t.Fatalf("default set: %v", sets)
	}
	created := run("create-dhcp-options", "--dhcp-configurations", "Key=domain-name-servers,Values=10.40.0.53,10.40.1.53", "Key=domain-name,Values=corp.example",
		"--tag-specifications", "ResourceType=dhcp-options,Tags=[{Key=Name,Value=corp}]")
	dopt := str(created, "DhcpOptions", "DhcpOptionsId")
	if !strings.HasPrefix(dopt, "dopt-") || str(created, "DhcpOptions", "Tags", 0, "Value") != "corp" {
		t.Fatalf("create-dhcp-options: %v", created)
	}
	cliErr(t, acct, "InvalidParameterValue", "create-dhcp-options", "--dhcp-configurations", "Key=domain-name-serverz,Values=10.0.0.2")
	run("associate-dhcp-options", "--dhcp-options-id", dopt, "--vpc-id", vpc)
	if got := str(run("describe-vpcs", "--vpc-ids", vpc), "Vpcs", 0, "DhcpOptionsId"); got != dopt {
		t.Fatalf("VPC's set after associate: %s", got)
	}
	cliErr(t, acct, "DependencyViolation", "delete-dhcp-options", "--dhcp-options-id", dopt)

	sn := str(run("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.40.1.0/24", "--availability-zone", "us-east-1a"), "Subnet", "SubnetId")
	inst := str(run("run-instances", "--image-id", "ami-12345678", "--subnet-id", sn), "Instances", 0, "InstanceId")
	run("modify-vpc-attribute", "--vpc-id", vpc, "--enable-dns-hostnames", `{"Value":true}`)
	run("create-vpc-endpoint", "--vpc-id", vpc, "--vpc-endpoint-type", "Interface", "--service-name", "com.amazonaws.us-east-1.ssm", "--subnet-ids", sn, "--private-dns-enabled")
	out, _ := reachCmd(t, shared.url, acct, "secret", "--from", inst, "--to", "ssm.us-east-1.amazonaws.com", "-o", "json")
	if !strings.Contains(out, "DHCP_OPTIONS_CUSTOM_DNS") || !strings.Contains(out, "10.40.0.53, 10.40.1.53") {
		t.Fatalf("vpce reach with custom name servers:\n%s", out)
	}
	run("associate-dhcp-options", "--dhcp-options-id", def, "--vpc-id", vpc)
	out, code := reachCmd(t, shared.url, acct, "secret", "--from", inst, "--to", "ssm.us-east-1.amazonaws.com", "-o", "json")
	if code != 0 || strings.Contains(out, "DHCP_OPTIONS_CUSTOM_DNS") || !strings.Contains(out, "PRIVATE_INTERFACE_ENDPOINT") {
		t.Fatalf("vpce reach back on AmazonProvidedDNS (exit %d):\n%s", code, out)
	}
	run("delete-dhcp-options", "--dhcp-options-id", dopt)
	cliErr(t, acct, "InvalidDhcpOptionID.NotFound", "describe-dhcp-options", "--dhcp-options-ids", dopt)
}

// TestUnknownParameterOnTheWire: a parameter the action does not take is
// UnknownParameter, as EC2 answers a raw request (the SDKs and the CLI
// only send the model's names).
func TestUnknownParameterOnTheWire(t *testing.T) {
	acct := newAccount()
	status, b := rawEC2(t, acct, url.Values{"Action": {"CreateVpc"}, "Version": {"2016-11-15"}, "CidrBlock": {"10.41.0.0/16"}, "InstanceTenancyy": {"dedicated"}})
	if status != 400 || !strings.Contains(b, "<Code>UnknownParameter</Code>") || !strings.Contains(b, "The parameter InstanceTenancyy is not recognized") {
		t.Fatalf("misspelt parameter: %d %s", status, b)
	}
	// Spelt right, dedicated tenancy is kept.
	run := cliRunner(t, acct)
	vpc := run("create-vpc", "--cidr-block", "10.41.0.0/16", "--instance-tenancy", "dedicated")
	if str(vpc, "Vpc", "InstanceTenancy") != "dedicated" {
		t.Fatalf("create-vpc --instance-tenancy dedicated: %v", vpc)
	}
	id := str(vpc, "Vpc", "VpcId")
	run("modify-vpc-tenancy", "--vpc-id", id, "--instance-tenancy", "default")
	if got := str(run("describe-vpcs", "--vpc-ids", id), "Vpcs", 0, "InstanceTenancy"); got != "default" {
		t.Fatalf("tenancy after modify-vpc-tenancy: %s", got)
	}
}

// TestSecondaryAddressesWithCLI: secondary private addresses through the
// aws CLI v2 — at create time, assigned by count, unassigned, the
// primary kept.
func TestSecondaryAddressesWithCLI(t *testing.T) {
	acct := newAccount()
	run := cliRunner(t, acct)
	vpc := str(run("create-vpc", "--cidr-block", "10.42.0.0/16"), "Vpc", "VpcId")
	sn := str(run("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.42.1.0/24"), "Subnet", "SubnetId")
	eni := run("create-network-interface", "--subnet-id", sn, "--private-ip-addresses", "PrivateIpAddress=10.42.1.20,Primary=true", "PrivateIpAddress=10.42.1.21,Primary=false")
	id := str(eni, "NetworkInterface", "NetworkInterfaceId")
	if str(eni, "NetworkInterface", "PrivateIpAddress") != "10.42.1.20" || str(eni, "NetworkInterface", "PrivateIpAddresses", 1, "PrivateIpAddress") != "10.42.1.21" {
		t.Fatalf("create-network-interface: %v", eni)
	}
	assigned := run("assign-private-ip-addresses", "--network-interface-id", id, "--secondary-private-ip-address-count", "2")
	if n := len(path(assigned, "AssignedPrivateIpAddresses").([]any)); n != 2 {
		t.Fatalf("assign-private-ip-addresses: %v", assigned)
	}
	run("unassign-private-ip-addresses", "--network-interface-id", id, "--private-ip-addresses", "10.42.1.21")
	got := run("describe-network-interfaces", "--network-interface-ids", id)
	ips := path(got, "NetworkInterfaces", 0, "PrivateIpAddresses").([]any)
	if len(ips) != 3 || str(ips[0], "PrivateIpAddress") != "10.42.1.20" {
		t.Fatalf("after unassign: %v", ips)
	}
	cliErr(t, acct, "InvalidParameterValue", "unassign-private-ip-addresses", "--network-interface-id", id, "--private-ip-addresses", "10.42.1.20")
}

// TestAttachmentsWithCLI: run-instances --network-interfaces,
// attach-network-interface and detach-network-interface through the aws
// CLI v2; the instance shows what is attached, and an interface attached
// after launch outlives the instance.
func TestAttachmentsWithCLI(t *testing.T) {
	acct := newAccount()
	run := cliRunner(t, acct)
	vpc := str(run("create-vpc", "--cidr-block", "10.43.0.0/16"), "Vpc", "VpcId")
	sn := str(run("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.43.1.0/24", "--availability-zone", "us-east-1a"), "Subnet", "SubnetId")
	res := run("run-instances", "--image-id", "ami-12345678", "--network-interfaces", "DeviceIndex=0,SubnetId="+sn+",SecondaryPrivateIpAddressCount=1")
	inst := str(res, "Instances", 0, "InstanceId")
	if str(res, "Instances", 0, "SubnetId") != sn || len(path(res, "Instances", 0, "NetworkInterfaces", 0, "PrivateIpAddresses").([]any)) != 2 {
		t.Fatalf("run-instances --network-interfaces: %v", res)
	}
	eni := str(run("create-network-interface", "--subnet-id", sn), "NetworkInterface", "NetworkInterfaceId")
	var att string
	for i := 0; i < 50 && att == ""; i++ { // the instance leaves pending after the provisioning delay
		out, err := cli(t, acct, "attach-network-interface", "--network-interface-id", eni, "--instance-id", inst, "--device-index", "1")
		if err != nil && !strings.Contains(err.Error(), "IncorrectInstanceState") {
			t.Fatal(err)
		}
		att = str(out, "AttachmentId")
	}
	if !strings.HasPrefix(att, "eni-attach-") {
		t.Fatalf("attach-network-interface gave %q", att)
	}
	desc := run("describe-instances", "--instance-ids", inst)
	if n := len(path(desc, "Reservations", 0, "Instances", 0, "NetworkInterfaces").([]any)); n != 2 {
		t.Fatalf("instance interfaces after attach: %d", n)
	}
	if got := str(run("describe-network-interfaces", "--network-interface-ids", eni), "NetworkInterfaces", 0, "Status"); got != "in-use" {
		t.Fatalf("attached interface status %q", got)
	}
	run("detach-network-interface", "--attachment-id", att)
	run("attach-network-interface", "--network-interface-id", eni, "--instance-id", inst, "--device-index", "1")
	run("terminate-instances", "--instance-ids", inst)
	if got := str(run("describe-network-interfaces", "--network-interface-ids", eni), "NetworkInterfaces", 0, "Status"); got != "available" {
		t.Fatalf("interface after its instance terminated: %q", got)
	}
}

// TestSecondaryCidrAndDefaultVpcWithCLI: a secondary block through the
// aws CLI v2 (associate, a subnet in it, its local route, disassociate),
// and the default VPC deleted and made again with create-default-vpc.
func TestSecondaryCidrAndDefaultVpcWithCLI(t *testing.T) {
	acct := newAccount()
	run := cliRunner(t, acct)
	vpc := str(run("create-vpc", "--cidr-block", "10.44.0.0/16"), "Vpc", "VpcId")
	assoc := run("associate-vpc-cidr-block", "--vpc-id", vpc, "--cidr-block", "100.64.0.0/16")
	id := str(assoc, "CidrBlockAssociation", "AssociationId")
	if str(assoc, "CidrBlockAssociation", "CidrBlockState", "State") != "associating" || !strings.HasPrefix(id, "vpc-cidr-assoc-") {
		t.Fatalf("associate-vpc-cidr-block: %v", assoc)
	}
	sn := str(run("create-subnet", "--vpc-id", vpc, "--cidr-block", "100.64.8.0/24"), "Subnet", "SubnetId")
	rt := run("describe-route-tables", "--filters", "Name=vpc-id,Values="+vpc)
	if !strings.Contains(jsonString(rt), `"DestinationCidrBlock":"100.64.0.0/16","GatewayId":"local"`) {
		t.Fatalf("no local route for the secondary block: %v", rt)
	}
	cliErr(t, acct, "InvalidCidrBlock.InUse", "disassociate-vpc-cidr-block", "--association-id", id)
	run("delete-subnet", "--subnet-id", sn)
	run("disassociate-vpc-cidr-block", "--association-id", id)

	def := str(run("describe-vpcs", "--filters", "Name=is-default,Values=true"), "Vpcs", 0, "VpcId")
	cliErr(t, acct, "DefaultVpcAlreadyExists", "create-default-vpc")
	for _, s := range path(run("describe-subnets", "--filters", "Name=vpc-id,Values="+def), "Subnets").([]any) {
		run("delete-subnet", "--subnet-id", str(s, "SubnetId"))
	}
	igw := str(run("describe-internet-gateways", "--filters", "Name=attachment.vpc-id,Values="+def), "InternetGateways", 0, "InternetGatewayId")
	run("detach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", def)
	run("delete-internet-gateway", "--internet-gateway-id", igw)
	run("delete-vpc", "--vpc-id", def)
	again := run("create-default-vpc")
	if str(again, "Vpc", "CidrBlock") != "172.31.0.0/16" || path(again, "Vpc", "IsDefault") != true {
		t.Fatalf("create-default-vpc: %v", again)
	}
}

// jsonString is v encoded compactly, for substring checks.
func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestPeeringWithCLI: a cross-account VPC peering through the aws CLI v2
// — requested by one account (pending-acceptance), accepted by the other
// (active), a route to it, tags, the requester unable to accept its own
// request, overlapping blocks failing, the route a blackhole once the
// peering is deleted. (Paths over a peering: internal/reach TestPeering.)
func TestPeeringWithCLI(t *testing.T) {
	a, b := newAccount(), newAccount()
	runA, runB := cliRunner(t, a), cliRunner(t, b)
	vpcA := str(runA("create-vpc", "--cidr-block", "10.50.0.0/16"), "Vpc", "VpcId")
	vpcB := str(runB("create-vpc", "--cidr-block", "10.51.0.0/16"), "Vpc", "VpcId")
	req := runA("create-vpc-peering-connection", "--vpc-id", vpcA, "--peer-vpc-id", vpcB, "--peer-owner-id", b,
		"--tag-specifications", "ResourceType=vpc-peering-connection,Tags=[{Key=Name,Value=a-b}]")
	pcx := str(req, "VpcPeeringConnection", "VpcPeeringConnectionId")
	if str(req, "VpcPeeringConnection", "Status", "Code") != "initiating-request" || str(req, "VpcPeeringConnection", "AccepterVpcInfo", "OwnerId") != b {
		t.Fatalf("create-vpc-peering-connection: %v", req)
	}
	if got := str(runB("describe-vpc-peering-connections", "--vpc-peering-connection-ids", pcx), "VpcPeeringConnections", 0, "Status", "Code"); got != "pending-acceptance" {
		t.Fatalf("the accepter sees %q", got)
	}
	cliErr(t, a, "OperationNotPermitted", "accept-vpc-peering-connection", "--vpc-peering-connection-id", pcx)
	runB("accept-vpc-peering-connection", "--vpc-peering-connection-id", pcx)
	got := runA("describe-vpc-peering-connections", "--filters", "Name=status-code,Values=active")
	if str(got, "VpcPeeringConnections", 0, "VpcPeeringConnectionId") != pcx || str(got, "VpcPeeringConnections", 0, "AccepterVpcInfo", "CidrBlock") != "10.51.0.0/16" ||
		str(got, "VpcPeeringConnections", 0, "Tags", 0, "Value") != "a-b" {
		t.Fatalf("active peering as the requester sees it: %v", got)
	}
	rtb := str(runA("describe-route-tables", "--filters", "Name=vpc-id,Values="+vpcA), "RouteTables", 0, "RouteTableId")
	runA("create-route", "--route-table-id", rtb, "--destination-cidr-block", "10.51.0.0/16", "--vpc-peering-connection-id", pcx)
	routes := jsonString(runA("describe-route-tables", "--route-table-ids", rtb))
	if !strings.Contains(routes, `"VpcPeeringConnectionId":"`+pcx+`"`) || !strings.Contains(routes, `"State":"active"`) {
		t.Fatalf("route to the peering: %s", routes)
	}
	runB("modify-vpc-peering-connection-options", "--vpc-peering-connection-id", pcx, "--accepter-peering-connection-options", "AllowDnsResolutionFromRemoteVpc=true")
	overlap := str(runA("create-vpc", "--cidr-block", "10.51.0.0/16"), "Vpc", "VpcId")
	failed := runA("create-vpc-peering-connection", "--vpc-id", overlap, "--peer-vpc-id", vpcB, "--peer-owner-id", b)
	if str(failed, "VpcPeeringConnection", "Status", "Code") != "failed" {
		t.Fatalf("overlapping blocks: %v", failed)
	}
	runA("delete-vpc-peering-connection", "--vpc-peering-connection-id", pcx)
	if got := str(runB("describe-vpc-peering-connections", "--vpc-peering-connection-ids", pcx), "VpcPeeringConnections", 0, "Status", "Code"); got != "deleted" {
		t.Fatalf("after delete the accepter sees %q", got)
	}
	if !strings.Contains(jsonString(runA("describe-route-tables", "--route-table-ids", rtb)), `"State":"blackhole"`) {
		t.Fatal("the route to a deleted peering is not a blackhole")
	}
}
