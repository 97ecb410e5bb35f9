package e2e

import (
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

func filt(name string, values ...string) types.Filter {
	return types.Filter{Name: aws.String(name), Values: values}
}

func TestDefaultVPC(t *testing.T) {
	c, acct := client(t)
	vpcs := must[*ec2.DescribeVpcsOutput](t)(c.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{Filters: []types.Filter{filt("is-default", "true")}}))
	if len(vpcs.Vpcs) != 1 {
		t.Fatalf("default VPCs = %d, want 1", len(vpcs.Vpcs))
	}
	v := vpcs.Vpcs[0]
	if *v.CidrBlock != "172.31.0.0/16" || *v.OwnerId != acct || v.State != types.VpcStateAvailable {
		t.Errorf("default VPC = %s %s %s", *v.CidrBlock, *v.OwnerId, v.State)
	}
	subs := must[*ec2.DescribeSubnetsOutput](t)(c.DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{Filters: []types.Filter{filt("vpc-id", *v.VpcId)}}))
	zones := must[*ec2.DescribeAvailabilityZonesOutput](t)(c.DescribeAvailabilityZones(ctx(t), &ec2.DescribeAvailabilityZonesInput{}))
	if len(subs.Subnets) != len(zones.AvailabilityZones) {
		t.Errorf("default subnets = %d, zones = %d", len(subs.Subnets), len(zones.AvailabilityZones))
	}
	for _, s := range subs.Subnets {
		if !*s.DefaultForAz || !*s.MapPublicIpOnLaunch || *s.AvailableIpAddressCount != 4091 {
			t.Errorf("default subnet %s: defaultForAz=%v mapPublic=%v free=%d", *s.CidrBlock, *s.DefaultForAz, *s.MapPublicIpOnLaunch, *s.AvailableIpAddressCount)
		}
	}
	igws := must[*ec2.DescribeInternetGatewaysOutput](t)(c.DescribeInternetGateways(ctx(t), &ec2.DescribeInternetGatewaysInput{Filters: []types.Filter{filt("attachment.vpc-id", *v.VpcId)}}))
	if len(igws.InternetGateways) != 1 {
		t.Fatalf("default IGWs = %d", len(igws.InternetGateways))
	}
	rts := must[*ec2.DescribeRouteTablesOutput](t)(c.DescribeRouteTables(ctx(t), &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filt("vpc-id", *v.VpcId), filt("association.main", "true")}}))
	if len(rts.RouteTables) != 1 {
		t.Fatalf("main route tables = %d", len(rts.RouteTables))
	}
	var toIGW bool
	for _, r := range rts.RouteTables[0].Routes {
		if aws.ToString(r.DestinationCidrBlock) == "0.0.0.0/0" && aws.ToString(r.GatewayId) == *igws.InternetGateways[0].InternetGatewayId && r.State == types.RouteStateActive {
			toIGW = true
		}
	}
	if !toIGW {
		t.Errorf("main route table lacks 0.0.0.0/0 to the IGW: %+v", rts.RouteTables[0].Routes)
	}
	attr := must[*ec2.DescribeVpcAttributeOutput](t)(c.DescribeVpcAttribute(ctx(t), &ec2.DescribeVpcAttributeInput{VpcId: v.VpcId, Attribute: types.VpcAttributeNameEnableDnsHostnames}))
	if !*attr.EnableDnsHostnames.Value {
		t.Error("default VPC enableDnsHostnames = false, want true")
	}
}

func TestRegionsAndZones(t *testing.T) {
	c, _ := client(t)
	// The 17 regions enabled by default; with AllRegions the opt-in ones
	// too, not opted in.
	regs := must[*ec2.DescribeRegionsOutput](t)(c.DescribeRegions(ctx(t), &ec2.DescribeRegionsInput{}))
	if len(regs.Regions) != 17 {
		t.Errorf("regions = %d, want the 17 enabled by default", len(regs.Regions))
	}
	all := must[*ec2.DescribeRegionsOutput](t)(c.DescribeRegions(ctx(t), &ec2.DescribeRegionsInput{AllRegions: aws.Bool(true)}))
	optIn := 0
	for _, r := range all.Regions {
		if aws.ToString(r.OptInStatus) == "not-opted-in" {
			optIn++
		}
	}
	if len(all.Regions) <= 17 || optIn != len(all.Regions)-17 {
		t.Errorf("all regions = %d, %d not opted in", len(all.Regions), optIn)
	}
	z := must[*ec2.DescribeAvailabilityZonesOutput](t)(c.DescribeAvailabilityZones(ctx(t), &ec2.DescribeAvailabilityZonesInput{ZoneNames: []string{"us-east-1a"}}))
	if len(z.AvailabilityZones) != 1 || *z.AvailabilityZones[0].ZoneId != "use1-az1" {
		t.Errorf("us-east-1a = %+v", z.AvailabilityZones)
	}
	eu := clientFor(shared.url, newAccount(), "eu-west-1")
	z = must[*ec2.DescribeAvailabilityZonesOutput](t)(eu.DescribeAvailabilityZones(ctx(t), &ec2.DescribeAvailabilityZonesInput{Filters: []types.Filter{filt("zone-name", "*b")}}))
	if len(z.AvailabilityZones) != 1 || *z.AvailabilityZones[0].ZoneName != "eu-west-1b" {
		t.Errorf("eu-west-1 zones matching *b = %+v", z.AvailabilityZones)
	}
	_, err := c.DescribeAvailabilityZones(ctx(t), &ec2.DescribeAvailabilityZonesInput{Filters: []types.Filter{filt("colour", "red")}})
	wantCode(t, err, "InvalidParameterValue")
}

// newVPC creates a VPC with one subnet per listed zone.
func newVPC(t *testing.T, c *ec2.Client, cidr string, subnets map[string]string) (string, map[string]string) {
	t.Helper()
	v := must[*ec2.CreateVpcOutput](t)(c.CreateVpc(ctx(t), &ec2.CreateVpcInput{CidrBlock: aws.String(cidr)}))
	ids := map[string]string{}
	for sc, zone := range subnets {
		s := must[*ec2.CreateSubnetOutput](t)(c.CreateSubnet(ctx(t), &ec2.CreateSubnetInput{VpcId: v.Vpc.VpcId, CidrBlock: aws.String(sc), AvailabilityZone: aws.String(zone)}))
		ids[sc] = *s.Subnet.SubnetId
	}
	return *v.Vpc.VpcId, ids
}

func TestVPCLifecycle(t *testing.T) {
	c, _ := client(t)
	created := must[*ec2.CreateVpcOutput](t)(c.CreateVpc(ctx(t), &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeVpc, Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("lab")}}}}}))
	vpc := created.Vpc
	if vpc.State != types.VpcStatePending || *vpc.IsDefault || len(vpc.Tags) != 1 {
		t.Errorf("CreateVpc = state %s default %v tags %v", vpc.State, *vpc.IsDefault, vpc.Tags)
	}
	if len(*vpc.VpcId) != len("vpc-")+17 {
		t.Errorf("VpcId %s is not vpc- + 17 hex", *vpc.VpcId)
	}
	got := must[*ec2.DescribeVpcsOutput](t)(c.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{VpcIds: []string{*vpc.VpcId}}))
	if got.Vpcs[0].State != types.VpcStateAvailable {
		t.Errorf("described state = %s", got.Vpcs[0].State)
	}
	// The main route table holds the immutable local route.
	rts := must[*ec2.DescribeRouteTablesOutput](t)(c.DescribeRouteTables(ctx(t), &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filt("vpc-id", *vpc.VpcId)}}))
	if len(rts.RouteTables) != 1 || !*rts.RouteTables[0].Associations[0].Main {
		t.Fatalf("route tables of new VPC = %+v", rts.RouteTables)
	}
	local := rts.RouteTables[0].Routes[0]
	if *local.DestinationCidrBlock != "10.0.0.0/16" || *local.GatewayId != "local" || local.Origin != types.RouteOriginCreateRouteTable {
		t.Errorf("local route = %+v", local)
	}
	_, err := c.DeleteRoute(ctx(t), &ec2.DeleteRouteInput{RouteTableId: rts.RouteTables[0].RouteTableId, DestinationCidrBlock: aws.String("10.0.0.0/16")})
	wantCode(t, err, "InvalidParameterValue")
	// The default security group allows inbound from itself, all outbound.
	sgs := must[*ec2.DescribeSecurityGroupsOutput](t)(c.DescribeSecurityGroups(ctx(t), &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{filt("vpc-id", *vpc.VpcId)}}))
	if len(sgs.SecurityGroups) != 1 || *sgs.SecurityGroups[0].GroupName != "default" {
		t.Fatalf("groups of new VPC = %+v", sgs.SecurityGroups)
	}
	sg := sgs.SecurityGroups[0]
	if len(sg.IpPermissions) != 1 || *sg.IpPermissions[0].UserIdGroupPairs[0].GroupId != *sg.GroupId {
		t.Errorf("default group ingress = %+v", sg.IpPermissions)
	}
	if len(sg.IpPermissionsEgress) != 1 || *sg.IpPermissionsEgress[0].IpRanges[0].CidrIp != "0.0.0.0/0" || *sg.IpPermissionsEgress[0].IpProtocol != "-1" {
		t.Errorf("default group egress = %+v", sg.IpPermissionsEgress)
	}
	acls := must[*ec2.DescribeNetworkAclsOutput](t)(c.DescribeNetworkAcls(ctx(t), &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{filt("vpc-id", *vpc.VpcId), filt("default", "true")}}))
	if len(acls.NetworkAcls) != 1 || len(acls.NetworkAcls[0].Entries) != 4 {
		t.Errorf("default ACL = %+v", acls.NetworkAcls)
	}
	// DNS attributes: support on, hostnames off for a non-default VPC.
	for attr, want := range map[types.VpcAttributeName]bool{types.VpcAttributeNameEnableDnsSupport: true, types.VpcAttributeNameEnableDnsHostnames: false} {
		a := must[*ec2.DescribeVpcAttributeOutput](t)(c.DescribeVpcAttribute(ctx(t), &ec2.DescribeVpcAttributeInput{VpcId: vpc.VpcId, Attribute: attr}))
		var v *types.AttributeBooleanValue
		if attr == types.VpcAttributeNameEnableDnsSupport {
			v = a.EnableDnsSupport
		} else {
			v = a.EnableDnsHostnames
		}
		if *v.Value != want {
			t.Errorf("%s = %v, want %v", attr, *v.Value, want)
		}
	}
	must[*ec2.ModifyVpcAttributeOutput](t)(c.ModifyVpcAttribute(ctx(t), &ec2.ModifyVpcAttributeInput{VpcId: vpc.VpcId, EnableDnsHostnames: &types.AttributeBooleanValue{Value: aws.Bool(true)}}))
	a := must[*ec2.DescribeVpcAttributeOutput](t)(c.DescribeVpcAttribute(ctx(t), &ec2.DescribeVpcAttributeInput{VpcId: vpc.VpcId, Attribute: types.VpcAttributeNameEnableDnsHostnames}))
	if !*a.EnableDnsHostnames.Value {
		t.Error("enableDnsHostnames not set")
	}
	_, err = c.ModifyVpcAttribute(ctx(t), &ec2.ModifyVpcAttributeInput{VpcId: vpc.VpcId,
		EnableDnsHostnames: &types.AttributeBooleanValue{Value: aws.Bool(true)}, EnableDnsSupport: &types.AttributeBooleanValue{Value: aws.Bool(true)}})
	wantCode(t, err, "InvalidParameterCombination")

	// A VPC with a subnet cannot be deleted.
	s := must[*ec2.CreateSubnetOutput](t)(c.CreateSubnet(ctx(t), &ec2.CreateSubnetInput{VpcId: vpc.VpcId, CidrBlock: aws.String("10.0.1.0/24")}))
	_, err = c.DeleteVpc(ctx(t), &ec2.DeleteVpcInput{VpcId: vpc.VpcId})
	wantCode(t, err, "DependencyViolation")
	must[*ec2.DeleteSubnetOutput](t)(c.DeleteSubnet(ctx(t), &ec2.DeleteSubnetInput{SubnetId: s.Subnet.SubnetId}))
	must[*ec2.DeleteVpcOutput](t)(c.DeleteVpc(ctx(t), &ec2.DeleteVpcInput{VpcId: vpc.VpcId}))
	_, err = c.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{VpcIds: []string{*vpc.VpcId}})
	wantCode(t, err, "InvalidVpcID.NotFound")
	// Its main route table, default group and ACL went with it.
	left := must[*ec2.DescribeRouteTablesOutput](t)(c.DescribeRouteTables(ctx(t), &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filt("vpc-id", *vpc.VpcId)}}))
	if len(left.RouteTables) != 0 {
		t.Errorf("route tables left after DeleteVpc: %d", len(left.RouteTables))
	}

	for _, tc := range []struct {
		cidr, code string
	}{{"10.0.0.0/8", "InvalidVpc.Range"}, {"10.0.0.0/29", "InvalidVpc.Range"}, {"10.0.0.1/16", "InvalidParameterValue"}, {"banana", "InvalidParameterValue"}} {
		_, err := c.CreateVpc(ctx(t), &ec2.CreateVpcInput{CidrBlock: aws.String(tc.cidr)})
		wantCode(t, err, tc.code)
	}
	_, err = c.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{VpcIds: []string{"vpc-nothex!"}})
	wantCode(t, err, "InvalidVpcID.Malformed")
	_, err = c.DeleteVpc(ctx(t), &ec2.DeleteVpcInput{VpcId: aws.String("vpc-0123456789abcdef0")})
	wantCode(t, err, "InvalidVpcID.NotFound")
}

func TestSubnets(t *testing.T) {
	c, _ := client(t)
	vpc, subs := newVPC(t, c, "10.1.0.0/16", map[string]string{"10.1.1.0/24": "us-east-1a"})
	sid := subs["10.1.1.0/24"]
	for _, tc := range []struct {
		cidr, zone, code string
	}{
		{"10.1.1.128/25", "", "InvalidSubnet.Conflict"},
		{"10.2.0.0/24", "", "InvalidSubnet.Range"},
		{"10.1.0.0/29", "", "InvalidSubnet.Range"},
		{"10.1.2.0/24", "us-east-1z", "InvalidParameterValue"},
	} {
		in := &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String(tc.cidr)}
		if tc.zone != "" {
			in.AvailabilityZone = aws.String(tc.zone)
		}
		_, err := c.CreateSubnet(ctx(t), in)
		wantCode(t, err, tc.code)
	}
	byID := must[*ec2.CreateSubnetOutput](t)(c.CreateSubnet(ctx(t), &ec2.CreateSubnetInput{VpcId: aws.String(vpc), CidrBlock: aws.String("10.1.2.0/28"), AvailabilityZoneId: aws.String("use1-az2")}))
	if *byID.Subnet.AvailabilityZone != "us-east-1b" || *byID.Subnet.AvailableIpAddressCount != 11 {
		t.Errorf("subnet by zone ID = %s, %d free", *byID.Subnet.AvailabilityZone, *byID.Subnet.AvailableIpAddressCount)
	}
	must[*ec2.ModifySubnetAttributeOutput](t)(c.ModifySubnetAttribute(ctx(t), &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(sid), MapPublicIpOnLaunch: &types.AttributeBooleanValue{Value: aws.Bool(true)}}))
	got := must[*ec2.DescribeSubnetsOutput](t)(c.DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{Filters: []types.Filter{filt("map-public-ip-on-launch", "true"), filt("vpc-id", vpc)}}))
	if len(got.Subnets) != 1 || *got.Subnets[0].SubnetId != sid {
		t.Fatalf("subnets with map-public-ip-on-launch = %+v", got.Subnets)
	}
	// availableIpAddressCount follows the interfaces in the subnet.
	eni := must[*ec2.CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx(t), &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(sid)}))
	got = must[*ec2.DescribeSubnetsOutput](t)(c.DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{SubnetIds: []string{sid}}))
	if n := *got.Subnets[0].AvailableIpAddressCount; n != 250 {
		t.Errorf("free addresses with one ENI = %d, want 250", n)
	}
	_, err := c.DeleteSubnet(ctx(t), &ec2.DeleteSubnetInput{SubnetId: aws.String(sid)})
	wantCode(t, err, "DependencyViolation")
	must[*ec2.DeleteNetworkInterfaceOutput](t)(c.DeleteNetworkInterface(ctx(t), &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: eni.NetworkInterface.NetworkInterfaceId}))
	must[*ec2.DeleteSubnetOutput](t)(c.DeleteSubnet(ctx(t), &ec2.DeleteSubnetInput{SubnetId: aws.String(sid)}))
	_, err = c.DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{SubnetIds: []string{sid}})
	wantCode(t, err, "InvalidSubnetID.NotFound")
	_, err = c.CreateSubnet(ctx(t), &ec2.CreateSubnetInput{VpcId: aws.String("vpc-0123456789abcdef0"), CidrBlock: aws.String("10.0.0.0/24")})
	wantCode(t, err, "InvalidVpcID.NotFound")
	_, err = c.DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{SubnetIds: []string{"sub-1"}})
	wantCode(t, err, "InvalidSubnetID.Malformed")
}

func TestRouteTables(t *testing.T) {
	c, _ := client(t)
	vpc, subs := newVPC(t, c, "10.2.0.0/16", map[string]string{"10.2.1.0/24": "us-east-1a", "10.2.2.0/24": "us-east-1b"})
	s1, s2 := subs["10.2.1.0/24"], subs["10.2.2.0/24"]
	rt := must[*ec2.CreateRouteTableOutput](t)(c.CreateRouteTable(ctx(t), &ec2.CreateRouteTableInput{VpcId: aws.String(vpc)})).RouteTable
	igw := must[*ec2.CreateInternetGatewayOutput](t)(c.CreateInternetGateway(ctx(t), &ec2.CreateInternetGatewayInput{})).InternetGateway
	// A route to a gateway of another network is refused until attached.
	_, err := c.CreateRoute(ctx(t), &ec2.CreateRouteInput{RouteTableId: rt.RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: igw.InternetGatewayId})
	wantCode(t, err, "InvalidParameterValue")
	must[*ec2.AttachInternetGatewayOutput](t)(c.AttachInternetGateway(ctx(t), &ec2.AttachInternetGatewayInput{VpcId: aws.String(vpc), InternetGatewayId: igw.InternetGatewayId}))
	must[*ec2.CreateRouteOutput](t)(c.CreateRoute(ctx(t), &ec2.CreateRouteInput{RouteTableId: rt.RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: igw.InternetGatewayId}))
	_, err = c.CreateRoute(ctx(t), &ec2.CreateRouteInput{RouteTableId: rt.RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: igw.InternetGatewayId})
	wantCode(t, err, "RouteAlreadyExists")
	_, err = c.CreateRoute(ctx(t), &ec2.CreateRouteInput{RouteTableId: rt.RouteTableId, DestinationCidrBlock: aws.String("192.168.0.0/16")})
	wantCode(t, err, "InvalidParameterCombination")
	// Routes to an interface, then replaced with a NAT gateway.
	eni := must[*ec2.CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx(t), &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(s1)})).NetworkInterface
	must[*ec2.CreateRouteOutput](t)(c.CreateRoute(ctx(t), &ec2.CreateRouteInput{RouteTableId: rt.RouteTableId, DestinationCidrBlock: aws.String("192.168.0.0/16"), NetworkInterfaceId: eni.NetworkInterfaceId}))
	nat := must[*ec2.CreateNatGatewayOutput](t)(c.CreateNatGateway(ctx(t), &ec2.CreateNatGatewayInput{SubnetId: aws.String(s1), ConnectivityType: types.ConnectivityTypePrivate})).NatGateway
	must[*ec2.ReplaceRouteOutput](t)(c.ReplaceRoute(ctx(t), &ec2.ReplaceRouteInput{RouteTableId: rt.RouteTableId, DestinationCidrBlock: aws.String("192.168.0.0/16"), NatGatewayId: nat.NatGatewayId}))
	_, err = c.ReplaceRoute(ctx(t), &ec2.ReplaceRouteInput{RouteTableId: rt.RouteTableId, DestinationCidrBlock: aws.String("172.16.0.0/12"), NatGatewayId: nat.NatGatewayId})
	wantCode(t, err, "InvalidRoute.NotFound")
	got := must[*ec2.DescribeRouteTablesOutput](t)(c.DescribeRouteTables(ctx(t), &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filt("route.nat-gateway-id", *nat.NatGatewayId)}}))
	if len(got.RouteTables) != 1 || *got.RouteTables[0].RouteTableId != *rt.RouteTableId {
		t.Fatalf("tables routing to the NAT gateway = %+v", got.RouteTables)
	}
	// Detaching the gateway turns its route into a blackhole.
	must[*ec2.DetachInternetGatewayOutput](t)(c.DetachInternetGateway(ctx(t), &ec2.DetachInternetGatewayInput{VpcId: aws.String(vpc), InternetGatewayId: igw.InternetGatewayId}))
	got = must[*ec2.DescribeRouteTablesOutput](t)(c.DescribeRouteTables(ctx(t), &ec2.DescribeRouteTablesInput{RouteTableIds: []string{*rt.RouteTableId}}))
	for _, r := range got.RouteTables[0].Routes {
		want := types.RouteStateActive
		if aws.ToString(r.GatewayId) == *igw.InternetGatewayId {
			want = types.RouteStateBlackhole
		}
		if r.State != want {
			t.Errorf("route %s via %s: state %s, want %s", aws.ToString(r.DestinationCidrBlock), aws.ToString(r.GatewayId), r.State, want)
		}
	}
	must[*ec2.DeleteRouteOutput](t)(c.DeleteRoute(ctx(t), &ec2.DeleteRouteInput{RouteTableId: rt.RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0")}))
	_, err = c.DeleteRoute(ctx(t), &ec2.DeleteRouteInput{RouteTableId: rt.RouteTableId, DestinationCidrBlock: aws.String("0.0.0.0/0")})
	wantCode(t, err, "InvalidRoute.NotFound")

	// Associations: subnet, conflict, replace, disassociate, main.
	a := must[*ec2.AssociateRouteTableOutput](t)(c.AssociateRouteTable(ctx(t), &ec2.AssociateRouteTableInput{RouteTableId: rt.RouteTableId, SubnetId: aws.String(s1)}))
	if a.AssociationState.State != types.RouteTableAssociationStateCodeAssociated {
		t.Errorf("association state = %s", a.AssociationState.State)
	}
	_, err = c.AssociateRouteTable(ctx(t), &ec2.AssociateRouteTableInput{RouteTableId: rt.RouteTableId, SubnetId: aws.String(s1)})
	wantCode(t, err, "Resource.AlreadyAssociated")
	_, err = c.DeleteRouteTable(ctx(t), &ec2.DeleteRouteTableInput{RouteTableId: rt.RouteTableId})
	wantCode(t, err, "DependencyViolation")
	main := must[*ec2.DescribeRouteTablesOutput](t)(c.DescribeRouteTables(ctx(t), &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filt("vpc-id", vpc), filt("association.main", "true")}})).RouteTables[0]
	mainAssoc := main.Associations[0].RouteTableAssociationId
	_, err = c.DisassociateRouteTable(ctx(t), &ec2.DisassociateRouteTableInput{AssociationId: mainAssoc})
	wantCode(t, err, "InvalidParameterValue")
	// Make rt the main table; the old main loses the flag.
	r := must[*ec2.ReplaceRouteTableAssociationOutput](t)(c.ReplaceRouteTableAssociation(ctx(t), &ec2.ReplaceRouteTableAssociationInput{AssociationId: mainAssoc, RouteTableId: rt.RouteTableId}))
	got = must[*ec2.DescribeRouteTablesOutput](t)(c.DescribeRouteTables(ctx(t), &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filt("vpc-id", vpc), filt("association.main", "true")}}))
	if len(got.RouteTables) != 1 || *got.RouteTables[0].RouteTableId != *rt.RouteTableId {
		t.Fatalf("main table after replace = %+v", got.RouteTables)
	}
	must[*ec2.ReplaceRouteTableAssociationOutput](t)(c.ReplaceRouteTableAssociation(ctx(t), &ec2.ReplaceRouteTableAssociationInput{AssociationId: r.NewAssociationId, RouteTableId: main.RouteTableId}))
	must[*ec2.DisassociateRouteTableOutput](t)(c.DisassociateRouteTable(ctx(t), &ec2.DisassociateRouteTableInput{AssociationId: a.AssociationId}))
	_, err = c.DisassociateRouteTable(ctx(t), &ec2.DisassociateRouteTableInput{AssociationId: a.AssociationId})
	wantCode(t, err, "InvalidAssociationID.NotFound")
	other, _ := newVPC(t, c, "10.3.0.0/16", nil)
	_, err = c.CreateRouteTable(ctx(t), &ec2.CreateRouteTableInput{VpcId: aws.String("vpc-0000000000000000a")})
	wantCode(t, err, "InvalidVpcID.NotFound")
	rt2 := must[*ec2.CreateRouteTableOutput](t)(c.CreateRouteTable(ctx(t), &ec2.CreateRouteTableInput{VpcId: aws.String(other)})).RouteTable
	_, err = c.AssociateRouteTable(ctx(t), &ec2.AssociateRouteTableInput{RouteTableId: rt2.RouteTableId, SubnetId: aws.String(s2)})
	wantCode(t, err, "InvalidParameterValue")
	must[*ec2.DeleteRouteTableOutput](t)(c.DeleteRouteTable(ctx(t), &ec2.DeleteRouteTableInput{RouteTableId: rt.RouteTableId}))
	_, err = c.DescribeRouteTables(ctx(t), &ec2.DescribeRouteTablesInput{RouteTableIds: []string{*rt.RouteTableId}})
	wantCode(t, err, "InvalidRouteTableID.NotFound")
	_, err = c.DeleteRouteTable(ctx(t), &ec2.DeleteRouteTableInput{RouteTableId: main.RouteTableId})
	wantCode(t, err, "DependencyViolation")
	// ClientToken: the same token gives the same table.
	t1 := must[*ec2.CreateRouteTableOutput](t)(c.CreateRouteTable(ctx(t), &ec2.CreateRouteTableInput{VpcId: aws.String(vpc), ClientToken: aws.String("tok-1")}))
	t2 := must[*ec2.CreateRouteTableOutput](t)(c.CreateRouteTable(ctx(t), &ec2.CreateRouteTableInput{VpcId: aws.String(vpc), ClientToken: aws.String("tok-1")}))
	if *t1.RouteTable.RouteTableId != *t2.RouteTable.RouteTableId {
		t.Errorf("same ClientToken gave %s and %s", *t1.RouteTable.RouteTableId, *t2.RouteTable.RouteTableId)
	}
	_, err = c.CreateRouteTable(ctx(t), &ec2.CreateRouteTableInput{VpcId: aws.String(other), ClientToken: aws.String("tok-1")})
	wantCode(t, err, "IdempotentParameterMismatch")
}

func TestSecurityGroups(t *testing.T) {
	c, _ := client(t)
	vpc, subs := newVPC(t, c, "10.4.0.0/16", map[string]string{"10.4.1.0/24": "us-east-1a"})
	g := must[*ec2.CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx(t), &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpc), GroupName: aws.String("web"), Description: aws.String("web tier")}))
	_, err := c.CreateSecurityGroup(ctx(t), &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpc), GroupName: aws.String("web"), Description: aws.String("again")})
	wantCode(t, err, "InvalidGroup.Duplicate")
	_, err = c.CreateSecurityGroup(ctx(t), &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpc), GroupName: aws.String("default"), Description: aws.String("x")})
	wantCode(t, err, "InvalidGroup.Reserved")
	peer := must[*ec2.CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx(t), &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpc), GroupName: aws.String("app"), Description: aws.String("app tier")}))
	perm := types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
		IpRanges:         []types.IpRange{{CidrIp: aws.String("10.4.0.0/16"), Description: aws.String("vpc")}},
		UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: peer.GroupId}}}
	auth := must[*ec2.AuthorizeSecurityGroupIngressOutput](t)(c.AuthorizeSecurityGroupIngress(ctx(t), &ec2.AuthorizeSecurityGroupIngressInput{GroupId: g.GroupId, IpPermissions: []types.IpPermission{perm}}))
	if len(auth.SecurityGroupRules) != 2 || *auth.SecurityGroupRules[0].IsEgress {
		t.Fatalf("authorized rules = %+v", auth.SecurityGroupRules)
	}
	_, err = c.AuthorizeSecurityGroupIngress(ctx(t), &ec2.AuthorizeSecurityGroupIngressInput{GroupId: g.GroupId, IpPermissions: []types.IpPermission{perm}})
	wantCode(t, err, "InvalidPermission.Duplicate")
	_, err = c.AuthorizeSecurityGroupIngress(ctx(t), &ec2.AuthorizeSecurityGroupIngressInput{GroupId: g.GroupId, IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(500), ToPort: aws.Int32(400), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.AuthorizeSecurityGroupIngress(ctx(t), &ec2.AuthorizeSecurityGroupIngressInput{GroupId: g.GroupId, IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String("sg-0123456789abcdef0")}}}}})
	wantCode(t, err, "InvalidGroup.NotFound")
	got := must[*ec2.DescribeSecurityGroupsOutput](t)(c.DescribeSecurityGroups(ctx(t), &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{filt("ip-permission.from-port", "443"), filt("vpc-id", vpc)}}))
	if len(got.SecurityGroups) != 1 || *got.SecurityGroups[0].GroupId != *g.GroupId {
		t.Fatalf("groups with from-port 443 = %d", len(got.SecurityGroups))
	}
	p := got.SecurityGroups[0].IpPermissions
	if len(p) != 1 || len(p[0].IpRanges) != 1 || len(p[0].UserIdGroupPairs) != 1 || *p[0].FromPort != 443 {
		t.Errorf("grouped permissions = %+v", p)
	}
	rules := must[*ec2.DescribeSecurityGroupRulesOutput](t)(c.DescribeSecurityGroupRules(ctx(t), &ec2.DescribeSecurityGroupRulesInput{Filters: []types.Filter{filt("group-id", *g.GroupId)}}))
	if len(rules.SecurityGroupRules) != 3 { // two inbound + default egress
		t.Errorf("rules of group = %d, want 3", len(rules.SecurityGroupRules))
	}
	// Egress: revoke the default all-traffic rule, add 443 out.
	must[*ec2.RevokeSecurityGroupEgressOutput](t)(c.RevokeSecurityGroupEgress(ctx(t), &ec2.RevokeSecurityGroupEgressInput{GroupId: g.GroupId,
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("-1"), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}))
	must[*ec2.AuthorizeSecurityGroupEgressOutput](t)(c.AuthorizeSecurityGroupEgress(ctx(t), &ec2.AuthorizeSecurityGroupEgressInput{GroupId: g.GroupId,
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}}}))
	// Revoke by rule ID and by permission; a missing rule is an error.
	must[*ec2.RevokeSecurityGroupIngressOutput](t)(c.RevokeSecurityGroupIngress(ctx(t), &ec2.RevokeSecurityGroupIngressInput{GroupId: g.GroupId, SecurityGroupRuleIds: []string{*auth.SecurityGroupRules[0].SecurityGroupRuleId}}))
	_, err = c.RevokeSecurityGroupIngress(ctx(t), &ec2.RevokeSecurityGroupIngressInput{GroupId: g.GroupId, IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443), IpRanges: []types.IpRange{{CidrIp: aws.String("10.4.0.0/16")}}}}})
	wantCode(t, err, "InvalidPermission.NotFound")
	// A group in use or referenced cannot be deleted; the default never.
	eni := must[*ec2.CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx(t), &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(subs["10.4.1.0/24"]), Groups: []string{*peer.GroupId}}))
	_, err = c.DeleteSecurityGroup(ctx(t), &ec2.DeleteSecurityGroupInput{GroupId: peer.GroupId})
	wantCode(t, err, "DependencyViolation")
	must[*ec2.DeleteNetworkInterfaceOutput](t)(c.DeleteNetworkInterface(ctx(t), &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: eni.NetworkInterface.NetworkInterfaceId}))
	_, err = c.DeleteSecurityGroup(ctx(t), &ec2.DeleteSecurityGroupInput{GroupId: peer.GroupId})
	wantCode(t, err, "DependencyViolation") // still referenced by web's rule
	must[*ec2.DeleteSecurityGroupOutput](t)(c.DeleteSecurityGroup(ctx(t), &ec2.DeleteSecurityGroupInput{GroupId: g.GroupId}))
	must[*ec2.DeleteSecurityGroupOutput](t)(c.DeleteSecurityGroup(ctx(t), &ec2.DeleteSecurityGroupInput{GroupId: peer.GroupId}))
	def := must[*ec2.DescribeSecurityGroupsOutput](t)(c.DescribeSecurityGroups(ctx(t), &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{filt("vpc-id", vpc), filt("group-name", "default")}}))
	_, err = c.DeleteSecurityGroup(ctx(t), &ec2.DeleteSecurityGroupInput{GroupId: def.SecurityGroups[0].GroupId})
	wantCode(t, err, "CannotDelete")
	_, err = c.DescribeSecurityGroups(ctx(t), &ec2.DescribeSecurityGroupsInput{GroupIds: []string{*g.GroupId}})
	wantCode(t, err, "InvalidGroup.NotFound")
	_, err = c.DescribeSecurityGroups(ctx(t), &ec2.DescribeSecurityGroupsInput{GroupIds: []string{"group-1"}})
	wantCode(t, err, "InvalidGroupId.Malformed")
}

func TestNetworkACLs(t *testing.T) {
	c, _ := client(t)
	vpc, subs := newVPC(t, c, "10.5.0.0/16", map[string]string{"10.5.1.0/24": "us-east-1a"})
	sid := subs["10.5.1.0/24"]
	acl := must[*ec2.CreateNetworkAclOutput](t)(c.CreateNetworkAcl(ctx(t), &ec2.CreateNetworkAclInput{VpcId: aws.String(vpc)})).NetworkAcl
	if *acl.IsDefault || len(acl.Entries) != 2 || acl.Entries[0].RuleAction != types.RuleActionDeny {
		t.Errorf("new ACL = %+v", acl)
	}
	entry := &ec2.CreateNetworkAclEntryInput{NetworkAclId: acl.NetworkAclId, RuleNumber: aws.Int32(100), Protocol: aws.String("tcp"), RuleAction: types.RuleActionAllow,
		Egress: aws.Bool(false), CidrBlock: aws.String("10.0.0.0/8"), PortRange: &types.PortRange{From: aws.Int32(443), To: aws.Int32(443)}}
	must[*ec2.CreateNetworkAclEntryOutput](t)(c.CreateNetworkAclEntry(ctx(t), entry))
	_, err := c.CreateNetworkAclEntry(ctx(t), entry)
	wantCode(t, err, "NetworkAclEntryAlreadyExists")
	must[*ec2.ReplaceNetworkAclEntryOutput](t)(c.ReplaceNetworkAclEntry(ctx(t), &ec2.ReplaceNetworkAclEntryInput{NetworkAclId: acl.NetworkAclId, RuleNumber: aws.Int32(100), Protocol: aws.String("-1"), RuleAction: types.RuleActionDeny, Egress: aws.Bool(false), CidrBlock: aws.String("10.9.0.0/16")}))
	got := must[*ec2.DescribeNetworkAclsOutput](t)(c.DescribeNetworkAcls(ctx(t), &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{filt("entry.cidr", "10.9.0.0/16")}}))
	if len(got.NetworkAcls) != 1 || *got.NetworkAcls[0].NetworkAclId != *acl.NetworkAclId {
		t.Fatalf("ACLs with entry 10.9.0.0/16 = %+v", got.NetworkAcls)
	}
	_, err = c.ReplaceNetworkAclEntry(ctx(t), &ec2.ReplaceNetworkAclEntryInput{NetworkAclId: acl.NetworkAclId, RuleNumber: aws.Int32(200), Protocol: aws.String("-1"), RuleAction: types.RuleActionDeny, Egress: aws.Bool(false), CidrBlock: aws.String("10.9.0.0/16")})
	wantCode(t, err, "InvalidNetworkAclEntry.NotFound")
	_, err = c.CreateNetworkAclEntry(ctx(t), &ec2.CreateNetworkAclEntryInput{NetworkAclId: acl.NetworkAclId, RuleNumber: aws.Int32(40000), Protocol: aws.String("-1"), RuleAction: types.RuleActionAllow, Egress: aws.Bool(true), CidrBlock: aws.String("0.0.0.0/0")})
	wantCode(t, err, "InvalidParameterValue")
	// Move the subnet from the default ACL to the new one.
	def := must[*ec2.DescribeNetworkAclsOutput](t)(c.DescribeNetworkAcls(ctx(t), &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{filt("association.subnet-id", sid)}})).NetworkAcls[0]
	if !*def.IsDefault {
		t.Fatal("new subnet is not in the default ACL")
	}
	r := must[*ec2.ReplaceNetworkAclAssociationOutput](t)(c.ReplaceNetworkAclAssociation(ctx(t), &ec2.ReplaceNetworkAclAssociationInput{AssociationId: def.Associations[0].NetworkAclAssociationId, NetworkAclId: acl.NetworkAclId}))
	_, err = c.DeleteNetworkAcl(ctx(t), &ec2.DeleteNetworkAclInput{NetworkAclId: acl.NetworkAclId})
	wantCode(t, err, "DependencyViolation")
	_, err = c.DeleteNetworkAcl(ctx(t), &ec2.DeleteNetworkAclInput{NetworkAclId: def.NetworkAclId})
	wantCode(t, err, "InvalidParameterValue")
	must[*ec2.ReplaceNetworkAclAssociationOutput](t)(c.ReplaceNetworkAclAssociation(ctx(t), &ec2.ReplaceNetworkAclAssociationInput{AssociationId: r.NewAssociationId, NetworkAclId: def.NetworkAclId}))
	must[*ec2.DeleteNetworkAclEntryOutput](t)(c.DeleteNetworkAclEntry(ctx(t), &ec2.DeleteNetworkAclEntryInput{NetworkAclId: acl.NetworkAclId, RuleNumber: aws.Int32(100), Egress: aws.Bool(false)}))
	_, err = c.DeleteNetworkAclEntry(ctx(t), &ec2.DeleteNetworkAclEntryInput{NetworkAclId: acl.NetworkAclId, RuleNumber: aws.Int32(100), Egress: aws.Bool(false)})
	wantCode(t, err, "InvalidNetworkAclEntry.NotFound")
	must[*ec2.DeleteNetworkAclOutput](t)(c.DeleteNetworkAcl(ctx(t), &ec2.DeleteNetworkAclInput{NetworkAclId: acl.NetworkAclId}))
	_, err = c.DescribeNetworkAcls(ctx(t), &ec2.DescribeNetworkAclsInput{NetworkAclIds: []string{*acl.NetworkAclId}})
	wantCode(t, err, "InvalidNetworkAclID.NotFound")
}

func TestInternetGateways(t *testing.T) {
	c, _ := client(t)
	vpc, _ := newVPC(t, c, "10.6.0.0/16", nil)
	igw := must[*ec2.CreateInternetGatewayOutput](t)(c.CreateInternetGateway(ctx(t), &ec2.CreateInternetGatewayInput{
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeInternetGateway, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}}})).InternetGateway
	if len(igw.Attachments) != 0 || len(igw.Tags) != 1 {
		t.Errorf("new IGW = %+v", igw)
	}
	must[*ec2.AttachInternetGatewayOutput](t)(c.AttachInternetGateway(ctx(t), &ec2.AttachInternetGatewayInput{VpcId: aws.String(vpc), InternetGatewayId: igw.InternetGatewayId}))
	_, err := c.AttachInternetGateway(ctx(t), &ec2.AttachInternetGatewayInput{VpcId: aws.String(vpc), InternetGatewayId: igw.InternetGatewayId})
	wantCode(t, err, "Resource.AlreadyAssociated")
	second := must[*ec2.CreateInternetGatewayOutput](t)(c.CreateInternetGateway(ctx(t), &ec2.CreateInternetGatewayInput{})).InternetGateway
	_, err = c.AttachInternetGateway(ctx(t), &ec2.AttachInternetGatewayInput{VpcId: aws.String(vpc), InternetGatewayId: second.InternetGatewayId})
	wantCode(t, err, "Resource.AlreadyAssociated")
	_, err = c.DeleteInternetGateway(ctx(t), &ec2.DeleteInternetGatewayInput{InternetGatewayId: igw.InternetGatewayId})
	wantCode(t, err, "DependencyViolation")
	_, err = c.DeleteVpc(ctx(t), &ec2.DeleteVpcInput{VpcId: aws.String(vpc)})
	wantCode(t, err, "DependencyViolation")
	got := must[*ec2.DescribeInternetGatewaysOutput](t)(c.DescribeInternetGateways(ctx(t), &ec2.DescribeInternetGatewaysInput{Filters: []types.Filter{filt("attachment.vpc-id", vpc)}}))
	if len(got.InternetGateways) != 1 || got.InternetGateways[0].Attachments[0].State != types.AttachmentStatus("available") {
		t.Errorf("attached IGWs = %+v", got.InternetGateways)
	}
	must[*ec2.DetachInternetGatewayOutput](t)(c.DetachInternetGateway(ctx(t), &ec2.DetachInternetGatewayInput{VpcId: aws.String(vpc), InternetGatewayId: igw.InternetGatewayId}))
	_, err = c.DetachInternetGateway(ctx(t), &ec2.DetachInternetGatewayInput{VpcId: aws.String(vpc), InternetGatewayId: igw.InternetGatewayId})
	wantCode(t, err, "Gateway.NotAttached")
	must[*ec2.DeleteInternetGatewayOutput](t)(c.DeleteInternetGateway(ctx(t), &ec2.DeleteInternetGatewayInput{InternetGatewayId: igw.InternetGatewayId}))
	_, err = c.DescribeInternetGateways(ctx(t), &ec2.DescribeInternetGatewaysInput{InternetGatewayIds: []string{*igw.InternetGatewayId}})
	wantCode(t, err, "InvalidInternetGatewayID.NotFound")
	must[*ec2.DeleteVpcOutput](t)(c.DeleteVpc(ctx(t), &ec2.DeleteVpcInput{VpcId: aws.String(vpc)}))
}

func TestNatGateways(t *testing.T) {
	c, _ := client(t)
	_, subs := newVPC(t, c, "10.7.0.0/16", map[string]string{"10.7.1.0/24": "us-east-1a"})
	sid := subs["10.7.1.0/24"]
	_, err := c.CreateNatGateway(ctx(t), &ec2.CreateNatGatewayInput{SubnetId: aws.String(sid)})
	wantCode(t, err, "MissingParameter") // public needs an allocation
	pub := must[*ec2.CreateNatGatewayOutput](t)(c.CreateNatGateway(ctx(t), &ec2.CreateNatGatewayInput{SubnetId: aws.String(sid), AllocationId: must[*ec2.AllocateAddressOutput](t)(c.AllocateAddress(ctx(t), &ec2.AllocateAddressInput{})).AllocationId})).NatGateway
	if pub.State != types.NatGatewayStatePending || pub.ConnectivityType != types.ConnectivityTypePublic || aws.ToString(pub.NatGatewayAddresses[0].PublicIp) == "" {
		t.Errorf("public NAT = %+v", pub)
	}
	nat := must[*ec2.CreateNatGatewayOutput](t)(c.CreateNatGateway(ctx(t), &ec2.CreateNatGatewayInput{SubnetId: aws.String(sid), ConnectivityType: types.ConnectivityTypePrivate, PrivateIpAddress: aws.String("10.7.1.99")})).NatGateway
	if *nat.NatGatewayAddresses[0].PrivateIp != "10.7.1.99" {
		t.Errorf("NAT private IP = %s", *nat.NatGatewayAddresses[0].PrivateIp)
	}
	eniID := nat.NatGatewayAddresses[0].NetworkInterfaceId
	eni := must[*ec2.DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx(t), &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{*eniID}})).NetworkInterfaces[0]
	if eni.InterfaceType != "nat_gateway" || !*eni.RequesterManaged || *eni.Description != "Interface for NAT Gateway "+*nat.NatGatewayId {
		t.Errorf("NAT ENI = type %s managed %v desc %q", eni.InterfaceType, *eni.RequesterManaged, *eni.Description)
	}
	_, err = c.DeleteNetworkInterface(ctx(t), &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: eniID})
	wantCode(t, err, "InvalidParameterValue")
	// The SDK's waiter sees it become available.
	w := ec2.NewNatGatewayAvailableWaiter(c, func(o *ec2.NatGatewayAvailableWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, 200*time.Millisecond
	})
	if err := w.Wait(ctx(t), &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{*nat.NatGatewayId}}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	must[*ec2.DeleteNatGatewayOutput](t)(c.DeleteNatGateway(ctx(t), &ec2.DeleteNatGatewayInput{NatGatewayId: nat.NatGatewayId}))
	got := must[*ec2.DescribeNatGatewaysOutput](t)(c.DescribeNatGateways(ctx(t), &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{*nat.NatGatewayId}}))
	if got.NatGateways[0].State != types.NatGatewayStateDeleting {
		t.Errorf("state after delete = %s", got.NatGateways[0].State)
	}
	dw := ec2.NewNatGatewayDeletedWaiter(c, func(o *ec2.NatGatewayDeletedWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, 200*time.Millisecond
	})
	if err := dw.Wait(ctx(t), &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{*nat.NatGatewayId}}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeNetworkInterfaces(ctx(t), &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{*eniID}})
	wantCode(t, err, "InvalidNetworkInterfaceID.NotFound")
	// The released address can be taken again.
	must[*ec2.CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx(t), &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(sid), PrivateIpAddress: aws.String("10.7.1.99")}))
	_, err = c.DescribeNatGateways(ctx(t), &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{"nat-0123456789abcdef0"}})
	wantCode(t, err, "NatGatewayNotFound")
}

func TestNetworkInterfaces(t *testing.T) {
	c, _ := client(t)
	vpc, subs := newVPC(t, c, "10.8.0.0/16", map[string]string{"10.8.1.0/28": "us-east-1a"})
	sid := subs["10.8.1.0/28"]
	first := must[*ec2.CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx(t), &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(sid), Description: aws.String("mine")})).NetworkInterface
	// AWS answers CreateNetworkInterface with the interface pending.
	if *first.PrivateIpAddress != "10.8.1.4" || first.InterfaceType != "interface" || first.Status != types.NetworkInterfaceStatus("pending") || *first.PrivateDnsName != "ip-10-8-1-4.ec2.internal" {
		t.Errorf("first ENI = %s %s %s %s", *first.PrivateIpAddress, first.InterfaceType, first.Status, *first.PrivateDnsName)
	}
	if len(first.Groups) != 1 || *first.Groups[0].GroupName != "default" {
		t.Errorf("first ENI groups = %+v", first.Groups)
	}
	for _, tc := range []struct{ ip, code string }{
		{"10.8.1.4", "InvalidIPAddress.InUse"},
		{"10.8.1.1", "InvalidParameterValue"},
		{"10.8.1.15", "InvalidParameterValue"},
		{"10.8.2.9", "InvalidParameterValue"},
	} {
		_, err := c.CreateNetworkInterface(ctx(t), &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(sid), PrivateIpAddress: aws.String(tc.ip)})
		wantCode(t, err, tc.code)
	}
	// A /28 has 11 usable addresses; the twelfth request fails.
	for i := 0; i < 10; i++ {
		must[*ec2.CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx(t), &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(sid)}))
	}
	_, err := c.CreateNetworkInterface(ctx(t), &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(sid)})
	wantCode(t, err, "InsufficientFreeAddressesInSubnet")
	sg := must[*ec2.CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx(t), &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpc), GroupName: aws.String("x"), Description: aws.String("x")}))
	must[*ec2.ModifyNetworkInterfaceAttributeOutput](t)(c.ModifyNetworkInterfaceAttribute(ctx(t), &ec2.ModifyNetworkInterfaceAttributeInput{NetworkInterfaceId: first.NetworkInterfaceId, Groups: []string{*sg.GroupId}}))
	got := must[*ec2.DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx(t), &ec2.DescribeNetworkInterfacesInput{Filters: []types.Filter{filt("group-id", *sg.GroupId)}}))
	if len(got.NetworkInterfaces) != 1 || *got.NetworkInterfaces[0].NetworkInterfaceId != *first.NetworkInterfaceId {
		t.Fatalf("ENIs in group = %+v", got.NetworkInterfaces)
	}
	_, err = c.ModifyNetworkInterfaceAttribute(ctx(t), &ec2.ModifyNetworkInterfaceAttributeInput{NetworkInterfaceId: first.NetworkInterfaceId, Groups: []string{"sg-0123456789abcdef0"}})
	wantCode(t, err, "InvalidGroup.NotFound")
	must[*ec2.ModifyNetworkInterfaceAttributeOutput](t)(c.ModifyNetworkInterfaceAttribute(ctx(t), &ec2.ModifyNetworkInterfaceAttributeInput{NetworkInterfaceId: first.NetworkInterfaceId, Description: &types.AttributeValue{Value: aws.String("renamed")}}))
	got = must[*ec2.DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx(t), &ec2.DescribeNetworkInterfacesInput{Filters: []types.Filter{filt("description", "renam*")}}))
	if len(got.NetworkInterfaces) != 1 {
		t.Errorf("ENIs with description renam* = %d", len(got.NetworkInterfaces))
	}
	_, err = c.DescribeNetworkInterfaces(ctx(t), &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{*first.NetworkInterfaceId}, MaxResults: aws.Int32(5)})
	wantCode(t, err, "InvalidParameterCombination")
	must[*ec2.DeleteNetworkInterfaceOutput](t)(c.DeleteNetworkInterface(ctx(t), &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: first.NetworkInterfaceId}))
	_, err = c.DeleteNetworkInterface(ctx(t), &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: first.NetworkInterfaceId})
	wantCode(t, err, "InvalidNetworkInterfaceID.NotFound")
	// The freed lowest address is handed out again.
	again := must[*ec2.CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx(t), &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(sid)})).NetworkInterface
	if *again.PrivateIpAddress != "10.8.1.4" {
		t.Errorf("reused address = %s", *again.PrivateIpAddress)
	}
}

func TestInstances(t *testing.T) {
	c, _ := client(t)
	_, subs := newVPC(t, c, "10.9.0.0/16", map[string]string{"10.9.1.0/24": "us-east-1b"})
	sid := subs["10.9.1.0/24"]
	res := must[*ec2.RunInstancesOutput](t)(c.RunInstances(ctx(t), &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(2), MaxCount: aws.Int32(2), SubnetId: aws.String(sid),
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeInstance, Tags: []types.Tag{{Key: aws.String("role"), Value: aws.String("web")}}}}}))
	if len(res.Instances) != 2 {
		t.Fatalf("launched %d instances", len(res.Instances))
	}
	var ids []string
	for _, in := range res.Instances {
		ids = append(ids, *in.InstanceId)
		if in.State.Name != types.InstanceStateNamePending || *in.State.Code != 0 || *in.Placement.AvailabilityZone != "us-east-1b" || len(in.NetworkInterfaces) != 1 {
			t.Errorf("launched instance = %+v", in)
		}
	}
	w := ec2.NewInstanceRunningWaiter(c, func(o *ec2.InstanceRunningWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, 200*time.Millisecond
	})
	if err := w.Wait(ctx(t), &ec2.DescribeInstancesInput{InstanceIds: ids}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	got := must[*ec2.DescribeInstancesOutput](t)(c.DescribeInstances(ctx(t), &ec2.DescribeInstancesInput{Filters: []types.Filter{filt("tag:role", "web"), filt("instance-state-name", "running")}}))
	if len(got.Reservations) != 1 || len(got.Reservations[0].Instances) != 2 {
		t.Fatalf("running web instances = %+v", got.Reservations)
	}
	eni := got.Reservations[0].Instances[0].NetworkInterfaces[0]
	_, err := c.DeleteNetworkInterface(ctx(t), &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: eni.NetworkInterfaceId})
	wantCode(t, err, "InvalidNetworkInterface.InUse")
	term := must[*ec2.TerminateInstancesOutput](t)(c.TerminateInstances(ctx(t), &ec2.TerminateInstancesInput{InstanceIds: ids}))
	if term.TerminatingInstances[0].CurrentState.Name != types.InstanceStateNameShuttingDown || term.TerminatingInstances[0].PreviousState.Name != types.InstanceStateNameRunning {
		t.Errorf("terminate = %+v", term.TerminatingInstances[0])
	}
	tw := ec2.NewInstanceTerminatedWaiter(c, func(o *ec2.InstanceTerminatedWaiterOptions) {
		o.MinDelay, o.MaxDelay = 100*time.Millisecond, 200*time.Millisecond
	})
	if err := tw.Wait(ctx(t), &ec2.DescribeInstancesInput{InstanceIds: ids}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeNetworkInterfaces(ctx(t), &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{*eni.NetworkInterfaceId}})
	wantCode(t, err, "InvalidNetworkInterfaceID.NotFound")
	_, err = c.RunInstances(ctx(t), &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(3), MaxCount: aws.Int32(2)})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.RunInstances(ctx(t), &ec2.RunInstancesInput{ImageId: aws.String("image"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)})
	wantCode(t, err, "InvalidAMIID.Malformed")
	// Without a subnet, instances land in the default VPC.
	def := must[*ec2.RunInstancesOutput](t)(c.RunInstances(ctx(t), &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1)}))
	if *def.Instances[0].Placement.AvailabilityZone != "us-east-1a" || (*def.Instances[0].PrivateIpAddress)[:7] != "172.31." {
		t.Errorf("default-VPC instance at %s %s", *def.Instances[0].Placement.AvailabilityZone, *def.Instances[0].PrivateIpAddress)
	}
	_, err = c.DescribeInstances(ctx(t), &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
	wantCode(t, err, "InvalidInstanceID.NotFound")
}

func TestTags(t *testing.T) {
	c, _ := client(t)
	vpc, subs := newVPC(t, c, "10.10.0.0/16", map[string]string{"10.10.1.0/24": "us-east-1a"})
	sid := subs["10.10.1.0/24"]
	must[*ec2.CreateTagsOutput](t)(c.CreateTags(ctx(t), &ec2.CreateTagsInput{Resources: []string{vpc, sid}, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prod")}, {Key: aws.String("team"), Value: aws.String("net")}}}))
	got := must[*ec2.DescribeTagsOutput](t)(c.DescribeTags(ctx(t), &ec2.DescribeTagsInput{Filters: []types.Filter{filt("key", "env")}}))
	if len(got.Tags) != 2 {
		t.Fatalf("env tags = %+v", got.Tags)
	}
	types_ := map[string]bool{}
	for _, tg := range got.Tags {
		types_[string(tg.ResourceType)] = true
	}
	if !types_["vpc"] || !types_["subnet"] {
		t.Errorf("tagged resource types = %v", types_)
	}
	// Delete only when the value matches.
	must[*ec2.DeleteTagsOutput](t)(c.DeleteTags(ctx(t), &ec2.DeleteTagsInput{Resources: []string{vpc}, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}, {Key: aws.String("team")}}}))
	vs := must[*ec2.DescribeVpcsOutput](t)(c.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{VpcIds: []string{vpc}}))
	if len(vs.Vpcs[0].Tags) != 1 || *vs.Vpcs[0].Tags[0].Key != "env" {
		t.Errorf("tags after delete = %+v", vs.Vpcs[0].Tags)
	}
	vs = must[*ec2.DescribeVpcsOutput](t)(c.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{Filters: []types.Filter{filt("tag-key", "env")}}))
	if len(vs.Vpcs) != 1 {
		t.Errorf("VPCs with tag-key env = %d", len(vs.Vpcs))
	}
	_, err := c.CreateTags(ctx(t), &ec2.CreateTagsInput{Resources: []string{vpc}, Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("1")}}})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.CreateTags(ctx(t), &ec2.CreateTagsInput{Resources: []string{"vpc-0123456789abcdef0"}, Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
	wantCode(t, err, "InvalidVpcID.NotFound")
	_, err = c.CreateVpc(ctx(t), &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"), TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeSubnet, Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}}}})
	wantCode(t, err, "InvalidParameterValue")
}

func TestDryRun(t *testing.T) {
	c, _ := client(t)
	_, err := c.CreateVpc(ctx(t), &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16"), DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperation")
	_, err = c.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperation")
	_, err = c.DeleteVpc(ctx(t), &ec2.DeleteVpcInput{VpcId: aws.String("vpc-0123456789abcdef0"), DryRun: aws.Bool(true)})
	wantCode(t, err, "DryRunOperation")
	vs := must[*ec2.DescribeVpcsOutput](t)(c.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{}))
	if len(vs.Vpcs) != 1 {
		t.Errorf("a dry run created something: %d VPCs", len(vs.Vpcs))
	}
}

func TestIsolation(t *testing.T) {
	a, _ := client(t)
	b, _ := client(t)
	vpc, _ := newVPC(t, a, "10.11.0.0/16", nil)
	_, err := b.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{VpcIds: []string{vpc}})
	wantCode(t, err, "InvalidVpcID.NotFound")
	// Another region of the same account does not see it either.
	acct := newAccount()
	east := clientFor(shared.url, acct, "us-east-1")
	west := clientFor(shared.url, acct, "us-west-2")
	v2, _ := newVPC(t, east, "10.12.0.0/16", nil)
	_, err = west.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{VpcIds: []string{v2}})
	wantCode(t, err, "InvalidVpcID.NotFound")
	wz := must[*ec2.DescribeSubnetsOutput](t)(west.DescribeSubnets(ctx(t), &ec2.DescribeSubnetsInput{}))
	for _, s := range wz.Subnets {
		if (*s.AvailabilityZone)[:9] != "us-west-2" {
			t.Errorf("us-west-2 default subnet in %s", *s.AvailabilityZone)
		}
	}
}

func TestPagination(t *testing.T) {
	c, _ := client(t)
	_, subs := newVPC(t, c, "10.13.0.0/16", map[string]string{"10.13.0.0/22": "us-east-1a"})
	sid := subs["10.13.0.0/22"]
	var want []string
	for i := 0; i < 23; i++ {
		e := must[*ec2.CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx(t), &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(sid)}))
		want = append(want, *e.NetworkInterface.NetworkInterfaceId)
	}
	// Page five at a time while another client keeps creating and deleting:
	// every interface that existed throughout appears exactly once.
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			e, err := c.CreateNetworkInterface(ctx(t), &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(sid)})
			if err == nil {
				c.DeleteNetworkInterface(ctx(t), &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: e.NetworkInterface.NetworkInterfaceId})
			}
		}
	}()
	seen := map[string]int{}
	p := ec2.NewDescribeNetworkInterfacesPaginator(c, &ec2.DescribeNetworkInterfacesInput{MaxResults: aws.Int32(5), Filters: []types.Filter{filt("subnet-id", sid)}})
	pages := 0
	for p.HasMorePages() {
		page := must[*ec2.DescribeNetworkInterfacesOutput](t)(p.NextPage(ctx(t)))
		if len(page.NetworkInterfaces) > 5 {
			t.Errorf("page of %d > MaxResults 5", len(page.NetworkInterfaces))
		}
		for _, e := range page.NetworkInterfaces {
			seen[*e.NetworkInterfaceId]++
		}
		pages++
	}
	close(stop)
	<-done
	for _, id := range want {
		if seen[id] != 1 {
			t.Errorf("%s seen %d times while paging", id, seen[id])
		}
	}
	if pages < 5 {
		t.Errorf("pages = %d, want at least 5", pages)
	}
	_, err := c.DescribeNetworkInterfaces(ctx(t), &ec2.DescribeNetworkInterfacesInput{MaxResults: aws.Int32(3)})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{MaxResults: aws.Int32(5000)})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{NextToken: aws.String("garbage!")})
	wantCode(t, err, "InvalidNextToken")
	_, err = c.DescribeRouteTables(ctx(t), &ec2.DescribeRouteTablesInput{MaxResults: aws.Int32(101)})
	wantCode(t, err, "InvalidParameterValue")
	ids := slices.Sorted(func(yield func(string) bool) {
		for id := range seen {
			if !yield(id) {
				return
			}
		}
	})
	if !slices.IsSorted(ids) {
		t.Error("unreachable")
	}
}
