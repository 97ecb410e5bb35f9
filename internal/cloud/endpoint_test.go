package cloud

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/vpce/vpce/internal/store"
)

func endpointVPC(t *testing.T, c *Cloud) (*Vpc, []*Subnet) {
	t.Helper()
	v := mustDo[*CreateVpcOutput](t)(c.CreateVpc(t.Context(), sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc
	yes := true
	mustDo[*Return](t)(c.ModifyVpcAttribute(t.Context(), sc, &ModifyVpcAttributeInput{VpcID: v.VpcID, EnableDNSHostnames: &AttributeBoolean{Value: &yes}}))
	var subs []*Subnet
	for i, z := range []string{"us-east-1a", "us-east-1b"} {
		s := mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(t.Context(), sc, &CreateSubnetInput{VpcID: v.VpcID, CidrBlock: []string{"10.0.1.0/24", "10.0.2.0/24"}[i], AvailabilityZone: z})).Subnet
		subs = append(subs, s)
	}
	return v, subs
}

func TestEndpointLifecycle(t *testing.T) {
	c, clk := newTestCloud(t)
	v, subs := endpointVPC(t, c)
	e := mustDo[*CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(t.Context(), sc, &CreateVpcEndpointInput{VpcID: v.VpcID, ServiceName: "com.amazonaws.us-east-1.ssm",
		VpcEndpointType: "Interface", SubnetIDs: []string{subs[1].SubnetID, subs[0].SubnetID}})).VpcEndpoint
	// AWS's create answer: pending, no policy document for an interface
	// endpoint, the service's region.
	if e.State != "pending" || !e.PrivateDNSEnabled || e.PolicyDocument != "" || e.ServiceRegion != "us-east-1" {
		t.Errorf("created = state %s privateDns %v policy %q serviceRegion %q", e.State, e.PrivateDNSEnabled, e.PolicyDocument, e.ServiceRegion)
	}
	// DNS entries: regional, zonal in zone order, then the private name.
	re := regexp.MustCompile(`^` + e.VpcEndpointID + `-[a-z0-9]{8}(-us-east-1[ab])?\.ssm\.us-east-1\.vpce\.amazonaws\.com$`)
	if len(e.DNSEntries) != 4 || !re.MatchString(e.DNSEntries[0].DNSName) || !strings.HasSuffix(e.DNSEntries[1].DNSName, "-us-east-1a.ssm.us-east-1.vpce.amazonaws.com") ||
		!strings.HasSuffix(e.DNSEntries[2].DNSName, "-us-east-1b.ssm.us-east-1.vpce.amazonaws.com") || e.DNSEntries[3].DNSName != "ssm.us-east-1.amazonaws.com" {
		t.Errorf("DNS entries = %+v", e.DNSEntries)
	}
	// While pending, the private name's hosted zone is ZONEIDPENDING.
	if e.DNSEntries[3].HostedZoneID != "ZONEIDPENDING" || e.DNSEntries[0].HostedZoneID != "Z7HUB22UULQXV" {
		t.Errorf("hosted zones while pending = %+v", e.DNSEntries)
	}
	state := func() string {
		out, err := c.DescribeVpcEndpoints(t.Context(), sc, &DescribeVpcEndpointsInput{Filters: []Filter{{Name: "vpc-endpoint-id", Values: []string{e.VpcEndpointID}}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.VpcEndpoints) == 0 {
			return "gone"
		}
		return out.VpcEndpoints[0].State
	}
	clk.Advance(11 * time.Second)
	if s := state(); s != "available" {
		t.Fatalf("state = %s", s)
	}
	d := mustDo[*DescribeVpcEndpointsOutput](t)(c.DescribeVpcEndpoints(t.Context(), sc, &DescribeVpcEndpointsInput{VpcEndpointIDs: []string{e.VpcEndpointID}})).VpcEndpoints[0]
	if !regexp.MustCompile(`^Z[A-Z0-9]{13}$`).MatchString(d.DNSEntries[3].HostedZoneID) || d.PolicyDocument != DefaultInterfacePolicy || d.ServiceRegion != "us-east-1" {
		t.Errorf("available: hosted zones %+v, policy %q, serviceRegion %q", d.DNSEntries, d.PolicyDocument, d.ServiceRegion)
	}
	del := mustDo[*DeleteVpcEndpointsOutput](t)(c.DeleteVpcEndpoints(t.Context(), sc, &DeleteVpcEndpointsInput{VpcEndpointIDs: []string{e.VpcEndpointID}}))
	if len(del.Unsuccessful) != 0 {
		t.Fatal(del.Unsuccessful)
	}
	if s := state(); s != "deleting" {
		t.Fatalf("state = %s", s)
	}
	clk.Advance(11 * time.Second)
	if s := state(); s != "deleted" {
		t.Fatalf("state = %s", s)
	}
	clk.Advance(time.Hour)
	if s := state(); s != "gone" {
		t.Fatalf("state = %s", s)
	}
	enis := mustDo[*DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(t.Context(), sc, &DescribeNetworkInterfacesInput{Filters: []Filter{{Name: "vpc-id", Values: []string{v.VpcID}}}}))
	if len(enis.NetworkInterfaces) != 0 {
		t.Errorf("%d interfaces left", len(enis.NetworkInterfaces))
	}
}

// TestCreateEndpointIsAtomic fails a write in the middle of creating an
// interface endpoint in two subnets: nothing of it remains.
func TestCreateEndpointIsAtomic(t *testing.T) {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	good := New(Config{Store: st})
	v, subs := endpointVPC(t, good)
	for n := 1; n <= 3; n++ { // ENI 1, ENI 2, the endpoint
		bad := New(Config{Store: &failingStore{Store: st, n: n}})
		bad.inited.Store(sc, struct{}{})
		_, err := bad.CreateVpcEndpoint(t.Context(), sc, &CreateVpcEndpointInput{VpcID: v.VpcID, ServiceName: "com.amazonaws.us-east-1.ssm",
			VpcEndpointType: "Interface", SubnetIDs: []string{subs[0].SubnetID, subs[1].SubnetID}})
		wantCode(t, err, "InternalError")
	}
	eps := mustDo[*DescribeVpcEndpointsOutput](t)(good.DescribeVpcEndpoints(t.Context(), sc, &DescribeVpcEndpointsInput{}))
	enis := mustDo[*DescribeNetworkInterfacesOutput](t)(good.DescribeNetworkInterfaces(t.Context(), sc, &DescribeNetworkInterfacesInput{}))
	if len(eps.VpcEndpoints) != 0 || len(enis.NetworkInterfaces) != 0 {
		t.Errorf("after failed creates: %d endpoints, %d interfaces", len(eps.VpcEndpoints), len(enis.NetworkInterfaces))
	}
}

func TestGatewayEndpointRoutes(t *testing.T) {
	c, _ := newTestCloud(t)
	v, _ := endpointVPC(t, c)
	rt := mustDo[*CreateRouteTableOutput](t)(c.CreateRouteTable(t.Context(), sc, &CreateRouteTableInput{VpcID: v.VpcID})).RouteTable
	e := mustDo[*CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(t.Context(), sc, &CreateVpcEndpointInput{VpcID: v.VpcID, ServiceName: "com.amazonaws.us-east-1.s3", RouteTableIDs: []string{rt.RouteTableID}})).VpcEndpoint
	if e.VpcEndpointType != EndpointGateway || e.State != "available" || e.PolicyDocument != DefaultGatewayPolicy || e.PrivateDNSEnabled || len(e.DNSEntries) != 0 {
		t.Errorf("gateway endpoint = %+v", e)
	}
	got := mustDo[*DescribeRouteTablesOutput](t)(c.DescribeRouteTables(t.Context(), sc, &DescribeRouteTablesInput{RouteTableIDs: []string{rt.RouteTableID}})).RouteTables[0]
	r := got.Routes[1]
	if r.DestinationPrefixListID != "pl-63a5400a" || r.GatewayID != e.VpcEndpointID || r.State != "active" || r.Origin != "CreateRoute" {
		t.Errorf("endpoint route = %+v", r)
	}
	_, err := c.DeleteVpc(t.Context(), sc, &DeleteVpcInput{VpcID: v.VpcID})
	wantCode(t, err, "DependencyViolation")
}

// TestEndpointRules pins AWS behaviour the endpoint code assumes.
func TestEndpointRules(t *testing.T) {
	c, _ := newTestCloud(t)
	v, subs := endpointVPC(t, c)
	create := func(svc string, private *bool) (*VpcEndpoint, error) {
		out, err := c.CreateVpcEndpoint(t.Context(), sc, &CreateVpcEndpointInput{VpcID: v.VpcID, ServiceName: "com.amazonaws.us-east-1." + svc,
			VpcEndpointType: "Interface", SubnetIDs: []string{subs[0].SubnetID}, PrivateDNSEnabled: private})
		if err != nil {
			return nil, err
		}
		return out.VpcEndpoint, nil
	}
	// Services without a private DNS name default to private DNS off and
	// refuse it when asked.
	e, err := create("elasticache", nil)
	if err != nil || e.PrivateDNSEnabled {
		t.Errorf("elasticache default: %+v, %v", e, err)
	}
	yes := true
	_, err = create("elasticache", &yes)
	wantCode(t, err, "InvalidParameter")
	// S3's interface endpoint keeps private DNS off unless asked.
	s3, err := create("s3", nil)
	if err != nil || s3.PrivateDNSEnabled || s3.DNSOptions.PrivateDNSOnlyForInboundResolverEndpoint != nil {
		t.Errorf("S3 interface default: %+v, %v", s3, err)
	}
	// The record type defaults to ipv4; ones needing IPv6 are refused.
	if s3.DNSOptions.DNSRecordIPType != "ipv4" || s3.IPAddressType != "ipv4" {
		t.Errorf("S3 DNS options = %+v, ip type %s", s3.DNSOptions, s3.IPAddressType)
	}
	_, err = c.CreateVpcEndpoint(t.Context(), sc, &CreateVpcEndpointInput{VpcID: v.VpcID, ServiceName: "com.amazonaws.us-east-1.kms", VpcEndpointType: "Interface",
		DNSOptions: &DNSOptions{DNSRecordIPType: "ipv6"}})
	wantCode(t, err, "InvalidParameter")
	// A deleting endpoint cannot be modified.
	mustDo[*DeleteVpcEndpointsOutput](t)(c.DeleteVpcEndpoints(t.Context(), sc, &DeleteVpcEndpointsInput{VpcEndpointIDs: []string{e.VpcEndpointID}}))
	reset := true
	_, err = c.ModifyVpcEndpoint(t.Context(), sc, &ModifyVpcEndpointInput{VpcEndpointID: e.VpcEndpointID, ResetPolicy: &reset})
	wantCode(t, err, "IncorrectState")
	// The type defaults to Gateway, as the API does.
	g := mustDo[*CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(t.Context(), sc, &CreateVpcEndpointInput{VpcID: v.VpcID, ServiceName: "com.amazonaws.us-east-1.dynamodb"}))
	if g.VpcEndpoint.VpcEndpointType != EndpointGateway {
		t.Errorf("default type = %s", g.VpcEndpoint.VpcEndpointType)
	}
}
