package resolver

import (
	"testing"

	"github.com/miekg/dns"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
)

// TestHostNamesFollowTheState: EC2 host names (A and PTR) are looked up in
// the state when asked, so an interface created or deleted after the zone
// was compiled is answered at once, and changes nothing DNS compiles (the
// DNS generation stays); names of another VPC, or of a VPC with DNS host
// names off, are not answered.
func TestHostNamesFollowTheState(t *testing.T) {
	c := cloudtest.New(t)
	sc := cloud.Scope{Account: "111111111111", Region: "us-east-1"}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	mkVPC := func(cidr, subnet string, hostnames bool) (*cloud.Vpc, string) {
		v, err := c.CreateVpc(t.Context(), sc, &cloud.CreateVpcInput{CidrBlock: cidr})
		must(err)
		if hostnames {
			_, err = c.ModifyVpcAttribute(t.Context(), sc, &cloud.ModifyVpcAttributeInput{VpcID: v.Vpc.VpcID, EnableDNSHostnames: &cloud.AttributeBoolean{Value: cloudtest.Ptr(true)}})
			must(err)
		}
		s, err := c.CreateSubnet(t.Context(), sc, &cloud.CreateSubnetInput{VpcID: v.Vpc.VpcID, CidrBlock: subnet})
		must(err)
		return v.Vpc, s.Subnet.SubnetID
	}
	vpcA, subA := mkVPC("10.0.0.0/16", "10.0.1.0/24", true)
	vpcB, subB := mkVPC("10.9.0.0/16", "10.9.0.0/24", false)
	r := New(Config{Source: c})
	atA, atB := vpcA.ResolverAddr, vpcB.ResolverAddr
	if m, _ := ask(t, r, atA, "ip-10-0-1-4.ec2.internal", dns.TypeA); m.Rcode != dns.RcodeNameError {
		t.Fatalf("before any interface: %v", m)
	}
	gen := c.DNSGeneration()
	eni, err := c.CreateNetworkInterface(t.Context(), sc, &cloud.CreateNetworkInterfaceInput{SubnetID: subA})
	must(err)
	ip := eni.NetworkInterface.PrivateIPAddress
	name := eni.NetworkInterface.PrivateDNSName
	if c.DNSGeneration() != gen {
		t.Error("an interface moved the DNS generation: every zone would be rebuilt")
	}
	m, why := ask(t, r, atA, name, dns.TypeA)
	if addrs(m) != ip.String() || why != "EC2 private host name" {
		t.Errorf("%s = %s (%s), want %s", name, addrs(m), why, ip)
	}
	m, _ = ask(t, r, atA, reverseName(ip), dns.TypePTR)
	if len(m.Answer) != 1 || m.Answer[0].(*dns.PTR).Ptr != dns.Fqdn(name) {
		t.Errorf("PTR %s = %v, want %s", reverseName(ip), m.Answer, name)
	}
	// Another VPC's resolver does not answer A's host names; B has DNS
	// host names off, so not even its own.
	if m, _ := ask(t, r, atB, name, dns.TypeA); m.Rcode != dns.RcodeNameError {
		t.Errorf("B answered A's host name: %v", m.Answer)
	}
	enib, err := c.CreateNetworkInterface(t.Context(), sc, &cloud.CreateNetworkInterfaceInput{SubnetID: subB})
	must(err)
	if m, _ := ask(t, r, atB, enib.NetworkInterface.PrivateDNSName, dns.TypeA); m.Rcode != dns.RcodeNameError {
		t.Errorf("B (host names off) answered %v", m.Answer)
	}
	// A name that only looks like a host name, an address outside the
	// subnets, a wrong region's form: not answered.
	for _, q := range []string{"ip-10-0-1-250.ec2.internal", "ip-10-0-9-9.ec2.internal", "ip-10-0-1-x.ec2.internal",
		"ip-" + ip.String() + ".ec2.internal", "ip-" + name[3:len(name)-len(".ec2.internal")] + ".eu-west-1.compute.internal"} {
		if m, _ := ask(t, r, atA, q, dns.TypeA); m.Rcode != dns.RcodeNameError {
			t.Errorf("%s answered %v", q, m.Answer)
		}
	}
	_, err = c.DeleteNetworkInterface(t.Context(), sc, &cloud.DeleteNetworkInterfaceInput{NetworkInterfaceID: eni.NetworkInterface.NetworkInterfaceID})
	must(err)
	if m, _ := ask(t, r, atA, name, dns.TypeA); m.Rcode != dns.RcodeNameError {
		t.Errorf("a deleted interface's name still answers %v", m.Answer)
	}
}
