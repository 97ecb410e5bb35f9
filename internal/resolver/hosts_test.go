package resolver

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/miekg/dns"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
	"github.com/vpce/vpce/internal/store"
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

// TestVpceNamesFollowTheState: public vpce names are answered from the
// endpoint their ID names, in whatever account, when asked — regional and
// zonal names, from another VPC's resolver, as the compiled shared zone
// answers them (the same rules: path analysis compiles them); a deleted
// endpoint stops answering; an endpoint stored without the ID index (an
// earlier vpce's state) answers once BackfillIndexes ran.
func TestVpceNamesFollowTheState(t *testing.T) {
	st := cloudtest.Store(t, t.TempDir())
	c := cloud.New(cloud.Config{Store: st, ProvisionDelay: -1})
	owner := cloud.Scope{Account: "111111111111", Region: "us-east-1"}
	other := cloud.Scope{Account: "222222222222", Region: "us-east-1"}
	v := cloudtest.Must[*cloud.CreateVpcOutput](t)(c.CreateVpc(t.Context(), owner, &cloud.CreateVpcInput{CidrBlock: "10.0.0.0/16"}))
	var subnets []string
	for i, zone := range []string{"us-east-1a", "us-east-1b"} {
		s := cloudtest.Must[*cloud.CreateSubnetOutput](t)(c.CreateSubnet(t.Context(), owner, &cloud.CreateSubnetInput{VpcID: v.Vpc.VpcID,
			CidrBlock: fmt.Sprintf("10.0.%d.0/24", i), AvailabilityZone: zone}))
		subnets = append(subnets, s.Subnet.SubnetID)
	}
	w := cloudtest.Must[*cloud.CreateVpcOutput](t)(c.CreateVpc(t.Context(), other, &cloud.CreateVpcInput{CidrBlock: "10.9.0.0/16"}))
	r := New(Config{Source: c})
	at := w.Vpc.ResolverAddr // another account's VPC: the names are public
	e := cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(t.Context(), owner, &cloud.CreateVpcEndpointInput{VpcID: v.Vpc.VpcID,
		ServiceName: "com.amazonaws.us-east-1.ssm", VpcEndpointType: "Interface", SubnetIDs: subnets, PrivateDNSEnabled: cloudtest.Ptr(false)})).VpcEndpoint
	de, ok, err := c.VpceEndpointDNS(t.Context(), e.VpcEndpointID)
	if err != nil || !ok {
		t.Fatalf("VpceEndpointDNS = %v, %v", ok, err)
	}
	want := CompileShared([]cloud.DNSEndpoint{de})
	var names []string
	for _, d := range e.DNSEntries {
		names = append(names, d.DNSName)
	}
	if len(names) < 3 {
		t.Fatalf("DNS entries %v, want a regional and two zonal names", names)
	}
	for _, name := range names {
		m, why := ask(t, r, at, name, dns.TypeA)
		w := want.z.answer(fqdn(name))
		if m.Rcode != dns.RcodeSuccess || addrs(m) != joinAddrs(w.Addrs) || why != w.Reason {
			t.Errorf("%s = %s %q, want %s %q (the compiled shared zone's answer)", name, addrs(m), why, joinAddrs(w.Addrs), w.Reason)
		}
	}
	for _, q := range []string{"vpce-0123456789abcdef0-abcd1234.ssm.us-east-1.vpce.amazonaws.com", "vpce-zz.ssm.us-east-1.vpce.amazonaws.com",
		"x" + names[0], strings.Replace(names[0], "ssm", "ec2", 1)} {
		if m, _ := ask(t, r, at, q, dns.TypeA); m.Rcode != dns.RcodeNameError {
			t.Errorf("%s answered %v", q, m.Answer)
		}
	}
	// Without the ID index (as an earlier vpce stored endpoints: a server
	// started on such a store), the names are not found until the
	// backfill.
	if err := st.Update(t.Context(), func(tx store.Txn) error {
		return tx.Delete(store.Key{Scope: store.Scope{Account: "*", Region: "*"}, Kind: "endpoint-scope", ID: e.VpcEndpointID})
	}); err != nil {
		t.Fatal(err)
	}
	r = New(Config{Source: c})
	if m, _ := ask(t, r, at, names[0], dns.TypeA); m.Rcode != dns.RcodeNameError {
		t.Fatalf("answered without the index: %v", m.Answer)
	}
	if err := c.BackfillIndexes(t.Context()); err != nil {
		t.Fatal(err)
	}
	if m, _ := ask(t, r, at, names[0], dns.TypeA); m.Rcode != dns.RcodeSuccess {
		t.Errorf("after BackfillIndexes: %v", m)
	}
	cloudtest.Must[*cloud.DeleteVpcEndpointsOutput](t)(c.DeleteVpcEndpoints(t.Context(), owner, &cloud.DeleteVpcEndpointsInput{VpcEndpointIDs: []string{e.VpcEndpointID}}))
	if m, _ := ask(t, r, at, names[0], dns.TypeA); m.Rcode != dns.RcodeNameError {
		t.Errorf("a deleted endpoint's name answers %v", m.Answer)
	}
}

func joinAddrs(as []netip.Addr) string {
	var out []string
	for _, a := range as {
		out = append(out, a.String())
	}
	return strings.Join(out, ",")
}
