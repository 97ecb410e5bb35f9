package dump

import (
	"bytes"
	"context"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
	"github.com/vpce/vpce/internal/reach"
)

func newCloud(t testing.TB) *cloud.Cloud {
	t.Helper()
	return cloud.New(cloud.Config{Store: cloudtest.Store(t, t.TempDir())})
}

// load reads a dump folder and imports it, failing on any problem.
func load(t *testing.T, c *cloud.Cloud, dir string, opts Options) []*Account {
	t.Helper()
	accts, _, err := Read(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) == 0 {
		t.Fatalf("%s: nothing read", dir)
	}
	for _, a := range accts {
		if len(a.Problems) > 0 {
			t.Fatalf("%s: problems %+v", a.Dir, a.Problems)
		}
		rep, err := c.Import(context.Background(), a.Scope, a.Set)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Skipped) > 0 {
			t.Fatalf("%s: skipped %+v", a.Dir, rep.Skipped)
		}
	}
	return accts
}

func analyzer(t *testing.T, c *cloud.Cloud, sc cloud.Scope) *reach.Analyzer {
	t.Helper()
	snap, err := c.Snapshot(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	return reach.New(snap)
}

func verdict(t *testing.T, a *reach.Analyzer, q reach.Query) *reach.Result {
	t.Helper()
	r, err := a.Analyze(q)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestBatfishGatewayEndpoint imports Batfish's gateway-endpoint snapshot
// and checks the verdicts its test expects
// (AwsConfigurationVpcEndpointGatewayTest): both subnets reach S3's
// configured range through the gateway endpoint; another AWS address has
// no route from the private subnet and goes out by the internet gateway
// from the public one.
func TestBatfishGatewayEndpoint(t *testing.T) {
	c := newCloud(t)
	accts := load(t, c, "testdata/batfish/test-vpc-endpoint-gateway", Options{})
	sc := accts[0].Scope
	if sc != (cloud.Scope{Account: "554773406868", Region: "us-east-1"}) {
		t.Fatalf("scope %+v", sc)
	}
	a := analyzer(t, c, sc)
	const private, public, vpce, igw = "i-01c6c0647fdccc89e", "i-0464d440ca0ee9e34", "vpce-0b7357542bb7b83ec", "igw-0c8afe4471084ccba"
	for _, tc := range []struct {
		from, to, verdict, code, via string
	}{
		{private, "52.216.237.77", reach.PrivateGatewayEndpoint, "", vpce},
		{public, "52.216.237.77", reach.PrivateGatewayEndpoint, "", vpce},
		{private, "54.222.57.1", reach.Blocked, "NO_ROUTE_TO_DESTINATION", ""},
		{public, "54.222.57.1", reach.PublicIGW, "", igw},
	} {
		r := verdict(t, a, reach.Query{From: tc.from, To: tc.to, Port: 443})
		code := ""
		if len(r.Explanations) > 0 {
			code = r.Explanations[0].Code
		}
		if r.Verdict != tc.verdict || code != tc.code {
			t.Errorf("%s → %s: %s %s, want %s %s", tc.from, tc.to, r.Verdict, code, tc.verdict, tc.code)
			continue
		}
		if tc.via != "" && !hasHop(r, tc.via) {
			t.Errorf("%s → %s: no hop through %s", tc.from, tc.to, tc.via)
		}
	}
	// By name: the VPC's resolver answers S3's name inside the account's
	// own (2020) S3 prefix list, not the catalog's newer ranges, so the
	// name takes the gateway endpoint as its addresses did.
	r := verdict(t, a, reach.Query{From: private, To: "s3.us-east-1.amazonaws.com"})
	if r.Verdict != reach.PrivateGatewayEndpoint {
		t.Errorf("s3 by name: %s %v (address %s)", r.Verdict, r.Explanations, r.Destination.Address)
	}
}

func hasHop(r *reach.Result, id string) bool {
	for _, h := range r.Hops {
		if h.Component == id {
			return true
		}
	}
	return false
}

// TestBatfishInterfaceEndpoint: Batfish's interface-endpoint snapshot
// (AwsConfigurationVpcEndpointInterfaceTest): instances in both subnets
// reach the endpoint's address 10.1.101.97 on 443, from the other subnet
// through the VPC.
func TestBatfishInterfaceEndpoint(t *testing.T) {
	c := newCloud(t)
	accts := load(t, c, "testdata/batfish/test-vpc-endpoint-interface", Options{})
	a := analyzer(t, c, accts[0].Scope)
	for _, from := range []string{"i-0a0fbd0cfa774970f", "i-0eb6eb395a0d09117"} {
		r := verdict(t, a, reach.Query{From: from, To: "10.1.101.97", Port: 443})
		if r.Verdict != reach.PrivateInterfaceEndpoint || !hasHop(r, "vpce-083c683a6be29b889") {
			t.Errorf("%s → endpoint: %s %v", from, r.Verdict, r.Explanations)
		}
	}
	// Private DNS of the cloudtrail endpoint answers inside the VPC, as
	// the dump's DnsEntries say it does.
	r := verdict(t, a, reach.Query{From: "i-0eb6eb395a0d09117", To: "cloudtrail.us-east-1.amazonaws.com"})
	if r.Verdict != reach.PrivateInterfaceEndpoint || r.Destination.Address.String() != "10.1.101.97" {
		t.Errorf("cloudtrail by name: %s %s", r.Verdict, r.Destination.Address)
	}
	// The endpoint keeps its DNS names.
	snap, _ := c.Snapshot(context.Background(), accts[0].Scope)
	if got := snap.Endpoints["vpce-083c683a6be29b889"].DNSEntries[0].DNSName; got != "vpce-083c683a6be29b889-0h4w5u94.cloudtrail.us-east-1.vpce.amazonaws.com" {
		t.Errorf("regional name %s", got)
	}
}

// TestRoundTrip: export what was imported, import the export into a new
// state, export again: the two exports are identical, and so are the
// verdicts.
func TestRoundTrip(t *testing.T) {
	for _, name := range []string{"test-vpc-endpoint-gateway", "test-vpc-endpoint-interface"} {
		t.Run(name, func(t *testing.T) {
			c1 := newCloud(t)
			sc := load(t, c1, "testdata/batfish/"+name, Options{})[0].Scope
			snap1, _ := c1.Snapshot(context.Background(), sc)
			out1 := t.TempDir()
			if _, err := Write(out1, snap1); err != nil {
				t.Fatal(err)
			}
			c2 := newCloud(t)
			if got := load(t, c2, out1, Options{})[0].Scope; got != sc {
				t.Fatalf("scope after export: %+v", got)
			}
			snap2, _ := c2.Snapshot(context.Background(), sc)
			out2 := t.TempDir()
			if _, err := Write(out2, snap2); err != nil {
				t.Fatal(err)
			}
			files, _ := filepath.Glob(filepath.Join(out1, sc.Account, sc.Region, "*.json"))
			if len(files) < 10 {
				t.Fatalf("export wrote %d files", len(files))
			}
			for _, f := range files {
				b1, _ := os.ReadFile(f)
				b2, err := os.ReadFile(filepath.Join(out2, sc.Account, sc.Region, filepath.Base(f)))
				if err != nil || !bytes.Equal(b1, b2) {
					t.Errorf("%s differs after a round trip (%v)", filepath.Base(f), err)
				}
			}
			a1, a2 := reach.New(snap1), reach.New(snap2)
			for id := range snap1.Instances {
				for _, to := range []string{"52.216.237.77", "54.222.57.1", "10.1.101.97", "com.amazonaws.us-east-1.s3"} {
					r1, _ := a1.Analyze(reach.Query{From: id, To: to})
					r2, _ := a2.Analyze(reach.Query{From: id, To: to})
					if r1.Verdict != r2.Verdict {
						t.Errorf("%s → %s: %s before, %s after", id, to, r1.Verdict, r2.Verdict)
					}
				}
			}
		})
	}
}

// TestInconsistentRecords: what cannot be placed is reported with its file
// and record and skipped; the rest loads; unknown files are warnings.
func TestInconsistentRecords(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "111122223333", "eu-west-1")
	os.MkdirAll(dir, 0o755)
	write := func(name, body string) { os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644) }
	write("vpcs.json", `{"Vpcs":[{"VpcId":"vpc-0aaaaaaaaaaaaaaaa","CidrBlock":"10.9.0.0/16","Extra":{"ignored":true}},{"VpcId":"vpc-0bbbbbbbbbbbbbbbb","CidrBlock":"not-a-cidr"}]}`)
	write("subnets.json", `{"Subnets":[{"SubnetId":"subnet-0aaaaaaaaaaaaaaaa","VpcId":"vpc-0aaaaaaaaaaaaaaaa","CidrBlock":"10.9.1.0/24","AvailabilityZone":"eu-west-1a"}]}`)
	write("enis.json", `{"NetworkInterfaces":[{"NetworkInterfaceId":"eni-0aaaaaaaaaaaaaaaa","SubnetId":"subnet-0aaaaaaaaaaaaaaaa","VpcId":"vpc-0aaaaaaaaaaaaaaaa","PrivateIpAddress":"10.9.1.10"},
		{"NetworkInterfaceId":"eni-0bbbbbbbbbbbbbbbb","SubnetId":"subnet-0ffffffffffffffff","VpcId":"vpc-0aaaaaaaaaaaaaaaa","PrivateIpAddress":"10.9.1.11"}]}`)
	write("lgw.json", `{"LocalGateways":[{"LocalGatewayId":"lgw-1"}]}`)
	write("broken.json", `{"Vpcs": [`)
	accts, warns, err := Read(filepath.Dir(filepath.Dir(dir)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(accts) != 1 || accts[0].Scope != (cloud.Scope{Account: "111122223333", Region: "eu-west-1"}) {
		t.Fatalf("accounts %+v", accts)
	}
	w := ""
	for _, x := range warns {
		w += x.File + ": " + x.Message + "\n"
	}
	if !strings.Contains(w, "lgw.json: ignored: vpce does not model LocalGateways") || !strings.Contains(w, "broken.json: not a JSON object") {
		t.Errorf("warnings:\n%s", w)
	}
	a := accts[0]
	if len(a.Problems) != 1 || a.Problems[0].ID != "vpc-0bbbbbbbbbbbbbbbb" || !strings.HasSuffix(a.Problems[0].Where, "vpcs.json#1") {
		t.Errorf("problems %+v", a.Problems)
	}
	c := newCloud(t)
	rep, err := c.Import(context.Background(), a.Scope, a.Set)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Skipped) != 1 || rep.Skipped[0].ID != "eni-0bbbbbbbbbbbbbbbb" || !strings.HasSuffix(rep.Skipped[0].Where, "enis.json#1") || !strings.Contains(rep.Skipped[0].Problem, "subnet-0ffffffffffffffff") {
		t.Errorf("skipped %+v", rep.Skipped)
	}
	if rep.Imported["vpc"] != 1 || rep.Imported["subnet"] != 1 || rep.Imported["network-interface"] != 1 {
		t.Errorf("imported %v", rep.Imported)
	}
	// Importing again: every ID is taken, nothing changes.
	rep, err = c.Import(context.Background(), a.Scope, a.Set)
	if err != nil || len(rep.Imported) != 0 || len(rep.Skipped) != 4 {
		t.Errorf("second import: %v %+v %v", rep.Imported, rep.Skipped, err)
	}
	// The imported scope has no default VPC of vpce's making.
	snap, _ := c.Snapshot(context.Background(), a.Scope)
	if len(snap.Vpcs) != 1 {
		t.Errorf("VPCs after import: %d", len(snap.Vpcs))
	}
}

// exportImport writes a scope of c1 as describe-* outputs and imports them
// into a new cloud.
func exportImport(t *testing.T, c1 *cloud.Cloud, sc cloud.Scope) *cloud.Cloud {
	t.Helper()
	snap, err := c1.Snapshot(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if _, err := Write(out, snap); err != nil {
		t.Fatal(err)
	}
	c2 := newCloud(t)
	load(t, c2, out, Options{})
	return c2
}

// TestDhcpOptionsRoundTrip: a VPC's DHCP option set is exported
// (DhcpOptions.json, as describe-dhcp-options writes it) and imported
// back, so an offline analysis of the dump knows the VPC's instances ask
// other name servers.
func TestDhcpOptionsRoundTrip(t *testing.T) {
	ctx := context.Background()
	c1 := newCloud(t)
	sc := cloud.Scope{Account: "123456789012", Region: "us-east-1"}
	v := cloudtest.Must[*cloud.CreateVpcOutput](t)(c1.CreateVpc(ctx, sc, &cloud.CreateVpcInput{CidrBlock: "10.9.0.0/16"})).Vpc.VpcID
	d := cloudtest.Must[*cloud.CreateDhcpOptionsOutput](t)(c1.CreateDhcpOptions(ctx, sc, &cloud.CreateDhcpOptionsInput{Configurations: []struct {
		Key    string   `ec2:"Key"`
		Values []string `ec2:"Value"`
	}{{Key: "domain-name-servers", Values: []string{"10.9.0.53"}}}})).DhcpOptions.DhcpOptionsID
	cloudtest.Must[*cloud.Return](t)(c1.AssociateDhcpOptions(ctx, sc, &cloud.AssociateDhcpOptionsInput{DhcpOptionsID: d, VpcID: v}))
	c2 := exportImport(t, c1, sc)
	snap2, err := c2.Snapshot(ctx, sc)
	if err != nil {
		t.Fatal(err)
	}
	got := snap2.DhcpOf(v)
	if got == nil || got.DhcpOptionsID != d || got.UsesAmazonDNS() || got.Values("domain-name-servers")[0] != "10.9.0.53" {
		t.Fatalf("imported set: %+v", got)
	}
}

// TestAddressesRoundTrip: Elastic IPs are exported (Addresses.json, as
// describe-addresses writes it) and imported with their association, so
// an imported state answers DescribeAddresses and shows the interface's
// public address.
func TestAddressesRoundTrip(t *testing.T) {
	ctx := context.Background()
	c1 := newCloud(t)
	sc := cloud.Scope{Account: "123456789012", Region: "us-east-1"}
	v := cloudtest.Must[*cloud.CreateVpcOutput](t)(c1.CreateVpc(ctx, sc, &cloud.CreateVpcInput{CidrBlock: "10.8.0.0/16"})).Vpc.VpcID
	sn := cloudtest.Must[*cloud.CreateSubnetOutput](t)(c1.CreateSubnet(ctx, sc, &cloud.CreateSubnetInput{VpcID: v, CidrBlock: "10.8.1.0/24"})).Subnet.SubnetID
	eni := cloudtest.Must[*cloud.CreateNetworkInterfaceOutput](t)(c1.CreateNetworkInterface(ctx, sc, &cloud.CreateNetworkInterfaceInput{SubnetID: sn})).NetworkInterface.NetworkInterfaceID
	eip := cloudtest.Must[*cloud.AllocateAddressOutput](t)(c1.AllocateAddress(ctx, sc, &cloud.AllocateAddressInput{}))
	cloudtest.Must[*cloud.AssociateAddressOutput](t)(c1.AssociateAddress(ctx, sc, &cloud.AssociateAddressInput{AllocationID: eip.AllocationID, NetworkInterfaceID: eni}))
	c2 := exportImport(t, c1, sc)
	got := cloudtest.Must[*cloud.DescribeAddressesOutput](t)(c2.DescribeAddresses(ctx, sc, &cloud.DescribeAddressesInput{}))
	if len(got.Addresses) != 1 || got.Addresses[0].PublicIP != eip.PublicIP || got.Addresses[0].NetworkInterfaceID != eni {
		t.Fatalf("imported addresses: %+v", got.Addresses)
	}
	enis := cloudtest.Must[*cloud.DescribeNetworkInterfacesOutput](t)(c2.DescribeNetworkInterfaces(ctx, sc, &cloud.DescribeNetworkInterfacesInput{NetworkInterfaceIDs: []string{eni}}))
	if a := enis.NetworkInterfaces[0].Association; a == nil || a.PublicIP != eip.PublicIP || a.AllocationID != eip.AllocationID {
		t.Fatalf("imported interface's association: %+v", a)
	}
}

// TestIPv6RoundTrip: a dual-stack VPC is exported as describe-* writes it
// (IPv6 block associations, subnet blocks, IPv6-only subnets without
// CidrBlock, interface IPv6 addresses, ::/0 to an egress-only gateway in
// EgressOnlyInternetGateways.json) and imported back; the imported VPC's
// block stays reserved, and the imported state analyses the same IPv6
// path.
func TestIPv6RoundTrip(t *testing.T) {
	ctx := context.Background()
	c1 := newCloud(t)
	sc := cloud.Scope{Account: "123456789012", Region: "us-east-1"}
	vpc := cloudtest.Must[*cloud.CreateVpcOutput](t)(c1.CreateVpc(ctx, sc, &cloud.CreateVpcInput{CidrBlock: "10.7.0.0/16", AmazonIpv6: cloudtest.Ptr(true)})).Vpc
	block := vpc.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock
	b := block.Addr().As16()
	b[7] = 1
	p1 := netip.PrefixFrom(netip.AddrFrom16(b), 64)
	b[7] = 2
	p2 := netip.PrefixFrom(netip.AddrFrom16(b), 64)
	sn := cloudtest.Must[*cloud.CreateSubnetOutput](t)(c1.CreateSubnet(ctx, sc, &cloud.CreateSubnetInput{VpcID: vpc.VpcID, CidrBlock: "10.7.1.0/24", Ipv6CidrBlock: p1.String()})).Subnet.SubnetID
	native := cloudtest.Must[*cloud.CreateSubnetOutput](t)(c1.CreateSubnet(ctx, sc, &cloud.CreateSubnetInput{VpcID: vpc.VpcID, Ipv6Native: cloudtest.Ptr(true), Ipv6CidrBlock: p2.String()})).Subnet.SubnetID
	eni := cloudtest.Must[*cloud.CreateNetworkInterfaceOutput](t)(c1.CreateNetworkInterface(ctx, sc, &cloud.CreateNetworkInterfaceInput{SubnetID: sn, Ipv6AddressCount: cloudtest.Ptr[int32](2)})).NetworkInterface
	eigw := cloudtest.Must[*cloud.CreateEgressOnlyInternetGatewayOutput](t)(c1.CreateEgressOnlyInternetGateway(ctx, sc, &cloud.CreateEgressOnlyInternetGatewayInput{VpcID: vpc.VpcID})).EgressOnlyInternetGateway.EgressOnlyIGWID
	rt := cloudtest.Must[*cloud.Snapshot](t)(c1.Snapshot(ctx, sc)).RouteTableOf(sn).RouteTableID
	cloudtest.Must[*cloud.Return](t)(c1.CreateRoute(ctx, sc, &cloud.RouteInput{RouteTableID: rt, DestinationIpv6CidrBlock: "::/0", RouteTarget: cloud.RouteTarget{EgressOnlyIGWID: eigw}}))
	snap1 := cloudtest.Must[*cloud.Snapshot](t)(c1.Snapshot(ctx, sc))

	c2 := exportImport(t, c1, sc)
	snap := cloudtest.Must[*cloud.Snapshot](t)(c2.Snapshot(ctx, sc))
	if got := snap.Vpcs[vpc.VpcID].Ipv6Blocks(); len(got) != 1 || got[0] != block {
		t.Errorf("imported VPC's IPv6 blocks = %v, want [%s]", got, block)
	}
	if s := snap.Subnets[native]; s == nil || !s.Ipv6Native || s.CidrBlock.IsValid() || len(s.Ipv6Blocks()) != 1 || s.Ipv6Blocks()[0] != p2 {
		t.Errorf("imported IPv6-only subnet = %+v", s)
	}
	if e := snap.NetworkInterfaces.Get(eni.NetworkInterfaceID); e == nil || len(e.Ipv6Addresses) != 2 || e.Ipv6Addresses[0] != eni.Ipv6Addresses[0] {
		t.Errorf("imported interface's IPv6 addresses = %+v, want %+v", e, eni.Ipv6Addresses)
	}
	if snap.EgressOnlyInternetGateways[eigw] == nil {
		t.Errorf("egress-only gateway %s not imported", eigw)
	}
	var routed bool
	for _, r := range snap.RouteTables[rt].Routes {
		routed = routed || (r.DestinationIpv6CidrBlock == "::/0" && r.EgressOnlyIGWID == eigw && r.State == "active")
	}
	if !routed {
		t.Errorf("::/0 → %s not imported: %+v", eigw, snap.RouteTables[rt].Routes)
	}
	for _, sn := range []*cloud.Snapshot{snap1, snap} {
		r, err := reach.New(sn).Analyze(reach.Query{From: eni.NetworkInterfaceID, To: "2606:4700:4700::1111"})
		if err != nil || r.Verdict != reach.PublicEgressOnly {
			t.Errorf("IPv6 path to the internet: %v, %v", r, err)
		}
	}
	// The imported block is held: importing the same VPC again into a
	// second scope of the same store leaves the block out and says so.
	rep := cloudtest.Must[*cloud.ImportReport](t)(c2.Import(ctx, cloud.Scope{Account: "210987654321", Region: "us-east-1"},
		&cloud.ImportSet{Vpcs: []*cloud.Vpc{{VpcID: "vpc-0123456789abcdef0", CidrBlock: netip.MustParsePrefix("10.7.0.0/16"),
			Ipv6CidrBlockAssociationSet: snap.Vpcs[vpc.VpcID].Ipv6CidrBlockAssociationSet}}}))
	if len(rep.Skipped) != 1 || !strings.Contains(rep.Skipped[0].Problem, block.String()) {
		t.Errorf("second import of the block: %+v", rep.Skipped)
	}
}
