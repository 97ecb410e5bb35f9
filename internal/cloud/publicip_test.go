package cloud

import (
	"context"
	"net/netip"
	"strings"
	"testing"
)

// TestPublicAddressOnLaunch: a launch into a subnet that maps public
// addresses (the default VPC's subnets do), or with
// AssociatePublicIpAddress, gives the primary interface a public address
// from Amazon's pool (ipOwnerId amazon) with its public DNS name, shown
// on the instance (ipAddress, dnsName) and the interface; an Elastic IP
// associated later takes its place.
func TestPublicAddressOnLaunch(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := context.Background()
	run := func(in RunInstancesInput) *Instance {
		t.Helper()
		in.ImageID, in.MinCount, in.MaxCount = "ami-12345678", ptr(int32(1)), ptr(int32(1))
		return mustDo[*Reservation](t)(c.RunInstances(ctx, sc, &in)).Instances[0]
	}
	describe := func(id string) *Instance {
		t.Helper()
		return mustDo[*DescribeInstancesOutput](t)(c.DescribeInstances(ctx, sc, &DescribeInstancesInput{InstanceIDs: []string{id}})).Reservations[0].Instances[0]
	}
	// The default VPC: its subnets map public addresses.
	def := run(RunInstancesInput{})
	ip, err := netip.ParseAddr(def.PublicIP)
	if err != nil || !ip.Is4() || ip.IsPrivate() {
		t.Fatalf("instance in a default subnet: public address %q", def.PublicIP)
	}
	if want := "ec2-" + strings.ReplaceAll(def.PublicIP, ".", "-") + ".compute-1.amazonaws.com"; def.DNSName != want {
		t.Errorf("dnsName = %q, want %q", def.DNSName, want)
	}
	if d := describe(def.InstanceID); d.PublicIP != def.PublicIP || d.NetworkInterfaces[0].Association == nil || d.NetworkInterfaces[0].Association.IPOwnerID != "amazon" {
		t.Errorf("described: ipAddress %q, association %+v", d.PublicIP, d.NetworkInterfaces[0].Association)
	}
	eni := mustDo[*DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx, sc, &DescribeNetworkInterfacesInput{
		Filters: []Filter{{Name: "association.public-ip", Values: []string{def.PublicIP}}}}))
	if len(eni.NetworkInterfaces) != 1 || eni.NetworkInterfaces[0].PrivateIPs[0].Association == nil {
		t.Fatalf("interface by public address: %+v", eni.NetworkInterfaces)
	}
	f := mustDo[*DescribeInstancesOutput](t)(c.DescribeInstances(ctx, sc, &DescribeInstancesInput{Filters: []Filter{{Name: "ip-address", Values: []string{def.PublicIP}}}}))
	if len(f.Reservations) != 1 {
		t.Errorf("ip-address filter found %d reservations", len(f.Reservations))
	}
	// An Elastic IP takes the launch address's place.
	eip := mustDo[*AllocateAddressOutput](t)(c.AllocateAddress(ctx, sc, &AllocateAddressInput{}))
	mustDo[*AssociateAddressOutput](t)(c.AssociateAddress(ctx, sc, &AssociateAddressInput{AllocationID: eip.AllocationID, InstanceID: def.InstanceID}))
	if d := describe(def.InstanceID); d.PublicIP != eip.PublicIP {
		t.Errorf("with an Elastic IP, ipAddress = %q, want %q", d.PublicIP, eip.PublicIP)
	}

	// A subnet of its own VPC maps none unless asked.
	vpc := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
	s := mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: vpc, CidrBlock: "10.0.1.0/24"})).Subnet.SubnetID
	if in := run(RunInstancesInput{SubnetID: s}); in.PublicIP != "" || in.NetworkInterfaces[0].Association != nil {
		t.Errorf("private subnet: public address %q", in.PublicIP)
	}
	if in := run(RunInstancesInput{NetworkInterfaces: []LaunchInterface{{DeviceIndex: ptr(int32(0)), SubnetID: s, AssociatePublicIP: ptr(true)}}}); in.PublicIP == "" {
		t.Error("AssociatePublicIpAddress=true gave no public address")
	}
	mustDo[*Return](t)(c.ModifySubnetAttribute(ctx, sc, &ModifySubnetAttributeInput{SubnetID: s, MapPublicIPOnLaunch: &AttributeBoolean{Value: ptr(true)}}))
	if in := run(RunInstancesInput{NetworkInterfaces: []LaunchInterface{{DeviceIndex: ptr(int32(0)), SubnetID: s, AssociatePublicIP: ptr(false)}}}); in.PublicIP != "" {
		t.Errorf("AssociatePublicIpAddress=false gave %q", in.PublicIP)
	}
	if in := run(RunInstancesInput{SubnetID: s}); in.PublicIP == "" {
		t.Error("a subnet that maps public addresses gave none")
	}
	e := mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: s})).NetworkInterface.NetworkInterfaceID
	_, err = c.RunInstances(ctx, sc, &RunInstancesInput{ImageID: "ami-12345678", MinCount: ptr(int32(1)), MaxCount: ptr(int32(1)),
		NetworkInterfaces: []LaunchInterface{{DeviceIndex: ptr(int32(0)), NetworkInterfaceID: e, AssociatePublicIP: ptr(true)}}})
	wantCode(t, err, "InvalidParameterCombination")
}
