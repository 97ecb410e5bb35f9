package e2e

import (
	"strings"
	"testing"
)

// TestCLI drives every action of the control plane with the real aws CLI
// v2, as a user types it, including error paths.
func TestCLI(t *testing.T) {
	acct := newAccount()
	run := cliRunner(t, acct)
	fail := func(code string, args ...string) {
		t.Helper()
		cliErr(t, acct, code, args...)
	}

	regions := run("describe-regions")
	if n := len(path(regions, "Regions").([]any)); n < 8 {
		t.Errorf("describe-regions: %d regions", n)
	}
	zones := run("describe-availability-zones", "--zone-ids", "use1-az4")
	if str(zones, "AvailabilityZones", 0, "ZoneName") != "us-east-1c" {
		t.Errorf("describe-availability-zones = %v", zones)
	}

	vpc := str(run("create-vpc", "--cidr-block", "10.20.0.0/16", "--tag-specifications", "ResourceType=vpc,Tags=[{Key=Name,Value=cli}]"), "Vpc", "VpcId")
	if !strings.HasPrefix(vpc, "vpc-") {
		t.Fatalf("create-vpc gave %q", vpc)
	}
	fail("InvalidVpc.Range", "create-vpc", "--cidr-block", "10.0.0.0/12")
	fail("InvalidVpcID.NotFound", "describe-vpcs", "--vpc-ids", "vpc-00000000000000000")
	fail("InvalidParameterValue", "describe-vpcs", "--filters", "Name=colour,Values=red")
	if got := str(run("describe-vpcs", "--filters", "Name=tag:Name,Values=c?i"), "Vpcs", 0, "VpcId"); got != vpc {
		t.Errorf("describe-vpcs by tag wildcard = %q", got)
	}
	run("modify-vpc-attribute", "--vpc-id", vpc, "--enable-dns-hostnames", `{"Value":true}`)
	attr := run("describe-vpc-attribute", "--vpc-id", vpc, "--attribute", "enableDnsHostnames")
	if path(attr, "EnableDnsHostnames", "Value") != true {
		t.Errorf("describe-vpc-attribute = %v", attr)
	}
	fail("InvalidParameterValue", "describe-vpc-attribute", "--vpc-id", vpc, "--attribute", "colour")

	subnet := str(run("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.20.1.0/24", "--availability-zone", "us-east-1a"), "Subnet", "SubnetId")
	subnetB := str(run("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.20.2.0/24", "--availability-zone", "us-east-1b"), "Subnet", "SubnetId")
	fail("InvalidSubnet.Conflict", "create-subnet", "--vpc-id", vpc, "--cidr-block", "10.20.1.0/26")
	run("modify-subnet-attribute", "--subnet-id", subnet, "--map-public-ip-on-launch")
	if path(run("describe-subnets", "--subnet-ids", subnet), "Subnets", 0, "MapPublicIpOnLaunch") != true {
		t.Error("modify-subnet-attribute did not stick")
	}

	sg := str(run("create-security-group", "--group-name", "endpoints", "--description", "443 from the VPC", "--vpc-id", vpc), "GroupId")
	fail("InvalidGroup.Duplicate", "create-security-group", "--group-name", "endpoints", "--description", "x", "--vpc-id", vpc)
	rules := run("authorize-security-group-ingress", "--group-id", sg, "--protocol", "tcp", "--port", "443", "--cidr", "10.20.0.0/16")
	if str(rules, "SecurityGroupRules", 0, "CidrIpv4") != "10.20.0.0/16" {
		t.Errorf("authorize-security-group-ingress = %v", rules)
	}
	fail("InvalidPermission.Duplicate", "authorize-security-group-ingress", "--group-id", sg, "--protocol", "tcp", "--port", "443", "--cidr", "10.20.0.0/16")
	run("authorize-security-group-egress", "--group-id", sg, "--ip-permissions", "IpProtocol=udp,FromPort=53,ToPort=53,IpRanges=[{CidrIp=10.20.0.2/32}]")
	run("revoke-security-group-egress", "--group-id", sg, "--ip-permissions", "IpProtocol=udp,FromPort=53,ToPort=53,IpRanges=[{CidrIp=10.20.0.2/32}]")
	fail("InvalidPermission.NotFound", "revoke-security-group-ingress", "--group-id", sg, "--protocol", "tcp", "--port", "22", "--cidr", "0.0.0.0/0")
	sgRules := run("describe-security-group-rules", "--filters", "Name=group-id,Values="+sg)
	if n := len(path(sgRules, "SecurityGroupRules").([]any)); n != 2 {
		t.Errorf("describe-security-group-rules: %d rules, want 2", n)
	}
	if str(run("describe-security-groups", "--group-ids", sg), "SecurityGroups", 0, "IpPermissions", 0, "IpRanges", 0, "CidrIp") != "10.20.0.0/16" {
		t.Error("describe-security-groups lacks the ingress rule")
	}

	rtb := str(run("create-route-table", "--vpc-id", vpc), "RouteTable", "RouteTableId")
	igw := str(run("create-internet-gateway"), "InternetGateway", "InternetGatewayId")
	run("attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc)
	fail("Resource.AlreadyAssociated", "attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc)
	run("create-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", igw)
	fail("RouteAlreadyExists", "create-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", igw)
	assoc := str(run("associate-route-table", "--route-table-id", rtb, "--subnet-id", subnet), "AssociationId")
	fail("DependencyViolation", "delete-route-table", "--route-table-id", rtb)
	mainAssoc := ""
	for _, a := range path(run("describe-route-tables", "--filters", "Name=vpc-id,Values="+vpc, "Name=association.main,Values=true"), "RouteTables", 0, "Associations").([]any) {
		if path(a, "Main") == true {
			mainAssoc = str(a, "RouteTableAssociationId")
		}
	}
	mainRtb := str(run("describe-route-tables", "--filters", "Name=vpc-id,Values="+vpc, "Name=association.main,Values=true"), "RouteTables", 0, "RouteTableId")
	moved := str(run("replace-route-table-association", "--association-id", mainAssoc, "--route-table-id", rtb), "NewAssociationId")
	if str(run("describe-route-tables", "--filters", "Name=association.main,Values=true", "Name=vpc-id,Values="+vpc), "RouteTables", 0, "RouteTableId") != rtb {
		t.Error("replace-route-table-association did not move the main association")
	}
	run("replace-route-table-association", "--association-id", moved, "--route-table-id", mainRtb)
	if n := len(path(run("describe-internet-gateways", "--filters", "Name=attachment.vpc-id,Values="+vpc), "InternetGateways").([]any)); n != 1 {
		t.Errorf("describe-internet-gateways by VPC: %d", n)
	}
	if n := len(path(run("describe-route-tables", "--filters", "Name=association.subnet-id,Values="+subnet), "RouteTables").([]any)); n != 1 {
		t.Errorf("describe-route-tables by subnet: %d", n)
	}

	eni := run("create-network-interface", "--subnet-id", subnetB, "--groups", sg, "--private-ip-address", "10.20.2.10", "--description", "probe")
	eniID := str(eni, "NetworkInterface", "NetworkInterfaceId")
	if str(eni, "NetworkInterface", "PrivateIpAddress") != "10.20.2.10" {
		t.Errorf("create-network-interface = %v", eni)
	}
	fail("InvalidIPAddress.InUse", "create-network-interface", "--subnet-id", subnetB, "--private-ip-address", "10.20.2.10")
	run("modify-network-interface-attribute", "--network-interface-id", eniID, "--description", "Value=renamed")
	if str(run("describe-network-interfaces", "--network-interface-ids", eniID), "NetworkInterfaces", 0, "Description") != "renamed" {
		t.Error("modify-network-interface-attribute did not stick")
	}
	run("replace-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0", "--network-interface-id", eniID)

	nat := str(run("create-nat-gateway", "--subnet-id", subnet, "--connectivity-type", "private"), "NatGateway", "NatGatewayId")
	if st := str(run("describe-nat-gateways", "--nat-gateway-ids", nat), "NatGateways", 0, "State"); st != "pending" && st != "available" {
		t.Errorf("NAT state = %s", st)
	}

	res := run("run-instances", "--image-id", "ami-0123456789abcdef0", "--count", "1", "--subnet-id", subnet, "--security-group-ids", sg, "--instance-type", "t3.micro")
	inst := str(res, "Instances", 0, "InstanceId")
	if str(res, "Instances", 0, "State", "Name") != "pending" {
		t.Errorf("run-instances = %v", res)
	}
	if str(run("describe-instances", "--instance-ids", inst), "Reservations", 0, "Instances", 0, "InstanceType") != "t3.micro" {
		t.Error("describe-instances lost the instance type")
	}

	acl := str(run("create-network-acl", "--vpc-id", vpc), "NetworkAcl", "NetworkAclId")
	run("create-network-acl-entry", "--network-acl-id", acl, "--ingress", "--rule-number", "100", "--protocol", "tcp", "--port-range", "From=443,To=443", "--cidr-block", "10.20.0.0/16", "--rule-action", "allow")
	fail("NetworkAclEntryAlreadyExists", "create-network-acl-entry", "--network-acl-id", acl, "--ingress", "--rule-number", "100", "--protocol", "-1", "--cidr-block", "0.0.0.0/0", "--rule-action", "deny")
	run("replace-network-acl-entry", "--network-acl-id", acl, "--ingress", "--rule-number", "100", "--protocol", "-1", "--cidr-block", "0.0.0.0/0", "--rule-action", "deny")
	defACL := run("describe-network-acls", "--filters", "Name=association.subnet-id,Values="+subnetB)
	aclAssoc := ""
	for _, a := range path(defACL, "NetworkAcls", 0, "Associations").([]any) {
		if str(a, "SubnetId") == subnetB {
			aclAssoc = str(a, "NetworkAclAssociationId")
		}
	}
	newAssoc := str(run("replace-network-acl-association", "--association-id", aclAssoc, "--network-acl-id", acl), "NewAssociationId")
	fail("DependencyViolation", "delete-network-acl", "--network-acl-id", acl)
	run("replace-network-acl-association", "--association-id", newAssoc, "--network-acl-id", str(defACL, "NetworkAcls", 0, "NetworkAclId"))
	run("delete-network-acl-entry", "--network-acl-id", acl, "--ingress", "--rule-number", "100")
	run("delete-network-acl", "--network-acl-id", acl)

	run("create-tags", "--resources", vpc, subnet, "--tags", "Key=env,Value=test")
	tags := run("describe-tags", "--filters", "Name=key,Values=env")
	if n := len(path(tags, "Tags").([]any)); n != 2 {
		t.Errorf("describe-tags: %d", n)
	}
	run("delete-tags", "--resources", subnet, "--tags", "Key=env")
	if n := len(path(run("describe-tags", "--filters", "Name=key,Values=env"), "Tags").([]any)); n != 1 {
		t.Errorf("describe-tags after delete-tags: %d", n)
	}

	// Dry runs report success without acting.
	fail("DryRunOperation", "create-vpc", "--cidr-block", "10.30.0.0/16", "--dry-run")

	// Tear everything down, in dependency order, through the CLI.
	fail("DependencyViolation", "delete-vpc", "--vpc-id", vpc)
	fail("DependencyViolation", "delete-subnet", "--subnet-id", subnetB)
	fail("InvalidParameterValue", "delete-route", "--route-table-id", rtb, "--destination-cidr-block", "10.20.0.0/16")
	run("terminate-instances", "--instance-ids", inst)
	run("delete-nat-gateway", "--nat-gateway-id", nat)
	run("delete-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0")
	run("delete-network-interface", "--network-interface-id", eniID)
	run("disassociate-route-table", "--association-id", assoc)
	run("delete-route-table", "--route-table-id", rtb)
	run("detach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc)
	run("delete-internet-gateway", "--internet-gateway-id", igw)
	run("delete-security-group", "--group-id", sg)
	run("delete-subnet", "--subnet-id", subnet)
	run("delete-subnet", "--subnet-id", subnetB)
	run("delete-vpc", "--vpc-id", vpc)
	fail("InvalidVpcID.NotFound", "delete-vpc", "--vpc-id", vpc)
}
