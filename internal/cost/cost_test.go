package cost

import (
	"context"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/vpce/vpce/internal/catalog"
	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
	"github.com/vpce/vpce/internal/reach"
)

var sc = cloud.Scope{Account: "123456789012", Region: "us-east-1"}

// natVPC: private subnets in two zones routed through a NAT gateway.
type natVPC struct {
	c                   *cloud.Cloud
	vpc, a, b, rtb, nat string
}

func newNatVPC(t *testing.T) *natVPC {
	c := cloudtest.New(t)
	ctx := context.Background()
	n := &natVPC{c: c}
	n.vpc = cloudtest.Must[*cloud.CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &cloud.CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
	sub := func(cidr, az string) string {
		return cloudtest.Must[*cloud.CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &cloud.CreateSubnetInput{VpcID: n.vpc, CidrBlock: cidr, AvailabilityZone: az})).Subnet.SubnetID
	}
	n.a, n.b = sub("10.0.1.0/24", "us-east-1a"), sub("10.0.2.0/24", "us-east-1b")
	pub := sub("10.0.0.0/24", "us-east-1a")
	n.rtb = cloudtest.Must[*cloud.CreateRouteTableOutput](t)(c.CreateRouteTable(ctx, sc, &cloud.CreateRouteTableInput{VpcID: n.vpc})).RouteTable.RouteTableID
	for _, s := range []string{n.a, n.b} {
		cloudtest.Must[*cloud.AssociateRouteTableOutput](t)(c.AssociateRouteTable(ctx, sc, &cloud.AssociateRouteTableInput{RouteTableID: n.rtb, SubnetID: s}))
	}
	igw := cloudtest.Must[*cloud.CreateInternetGatewayOutput](t)(c.CreateInternetGateway(ctx, sc, &cloud.CreateInternetGatewayInput{})).InternetGateway.InternetGatewayID
	cloudtest.Must[*cloud.Return](t)(c.AttachInternetGateway(ctx, sc, &cloud.InternetGatewayVpcInput{InternetGatewayID: igw, VpcID: n.vpc}))
	prt := cloudtest.Must[*cloud.CreateRouteTableOutput](t)(c.CreateRouteTable(ctx, sc, &cloud.CreateRouteTableInput{VpcID: n.vpc})).RouteTable.RouteTableID
	cloudtest.Must[*cloud.AssociateRouteTableOutput](t)(c.AssociateRouteTable(ctx, sc, &cloud.AssociateRouteTableInput{RouteTableID: prt, SubnetID: pub}))
	cloudtest.Must[*cloud.Return](t)(c.CreateRoute(ctx, sc, &cloud.RouteInput{RouteTableID: prt, DestinationCidrBlock: "0.0.0.0/0", RouteTarget: cloud.RouteTarget{GatewayID: igw}}))
	n.nat = cloudtest.Must[*cloud.CreateNatGatewayOutput](t)(c.CreateNatGateway(ctx, sc, &cloud.CreateNatGatewayInput{SubnetID: pub, AllocationID: cloudtest.Must[*cloud.AllocateAddressOutput](t)(c.AllocateAddress(ctx, sc, &cloud.AllocateAddressInput{})).AllocationID})).NatGateway.NatGatewayID
	cloudtest.Must[*cloud.Return](t)(c.CreateRoute(ctx, sc, &cloud.RouteInput{RouteTableID: n.rtb, DestinationCidrBlock: "0.0.0.0/0", RouteTarget: cloud.RouteTarget{NatGatewayID: n.nat}}))
	return n
}

func (n *natVPC) estimate(t *testing.T, usage ...Usage) *Report {
	t.Helper()
	snap := cloudtest.Must[*cloud.Snapshot](t)(n.c.Snapshot(context.Background(), sc))
	return cloudtest.Must[*Report](t)(Estimate(reach.New(snap), Options{VPC: n.vpc, Usage: usage}))
}

func item(r *Report, id string) *Item {
	for i := range r.Items {
		if r.Items[i].Resource == id {
			return &r.Items[i]
		}
	}
	return nil
}

func TestTiers(t *testing.T) {
	p, _ := catalog.Prices().For("us-east-1")
	for _, tc := range []struct{ before, gb, want float64 }{
		{0, 100, 1}, {0, 1_000_000, 10_000}, {0, 2_000_000, 16_000}, {999_000, 2000, 10 + 6},
		{0, 6_000_000, 10_000 + 24_000 + 4_000},
	} {
		if got := p.InterfaceEndpointGB.Cost(tc.before, tc.gb); got < tc.want-0.001 || got > tc.want+0.001 {
			t.Errorf("Cost(%v, %v) = %v, want %v", tc.before, tc.gb, got, tc.want)
		}
	}
}

// TestSeedExample: the seed's worked figures. A NAT gateway is $0.045/h
// (730 h: $32.85) + $0.045/GB; a gateway endpoint is free; an interface
// endpoint is $0.01 per AZ-hour ($7.30 a zone, $14.60 in two) + $0.01/GB.
func TestSeedExample(t *testing.T) {
	n := newNatVPC(t)
	r := n.estimate(t, Usage{VPC: n.vpc, Service: "s3", GBPerMonth: 500})
	if it := item(r, n.nat); it == nil || it.Monthly != 32.85+22.50 || r.MonthlyTotal != 55.35 {
		t.Fatalf("NAT: %+v total %v", it, r.MonthlyTotal)
	}
	if r.Currency != "USD" || r.PriceDate == "" || r.PriceRegion != "us-east-1" {
		t.Errorf("price facts %+v", r)
	}
	tr := r.Traffic[0]
	if tr.Path != reach.PublicNAT || tr.Monthly != 22.5 || tr.Alternatives["gateway-endpoint"] != 0 || tr.Alternatives["interface-endpoint"] != 14.6+5 {
		t.Errorf("traffic %+v", tr)
	}
	if len(r.Recommendations) != 1 || r.Recommendations[0].MonthlySavings != 22.5 {
		t.Fatalf("recommendations %+v", r.Recommendations)
	}
	// With the gateway endpoint: S3 is free, the NAT costs its hours.
	ctx := context.Background()
	gw := cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(n.c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: n.vpc, ServiceName: "com.amazonaws.us-east-1.s3", RouteTableIDs: []string{n.rtb}})).VpcEndpoint.VpcEndpointID
	ssm := cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(n.c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: n.vpc, ServiceName: "com.amazonaws.us-east-1.ssm",
		VpcEndpointType: "Interface", SubnetIDs: []string{n.a, n.b}, PrivateDNSEnabled: cloudtest.Ptr(false)})).VpcEndpoint.VpcEndpointID
	// The SSM endpoint's default group lets nothing in: its traffic goes
	// nowhere, but its hours are billed all the same.
	r = n.estimate(t, Usage{VPC: n.vpc, Service: "s3", GBPerMonth: 500})
	if it := item(r, gw); it == nil || it.Monthly != 0 || it.Kind != "gateway-endpoint" {
		t.Errorf("gateway endpoint %+v", it)
	}
	if it := item(r, ssm); it == nil || it.Monthly != 14.6 || it.Hours != 1460 {
		t.Errorf("interface endpoint in two zones %+v", it)
	}
	if it := item(r, n.nat); it.Monthly != 32.85 || r.Traffic[0].Path != reach.PrivateGatewayEndpoint || r.Traffic[0].Monthly != 0 {
		t.Errorf("after the gateway endpoint: %+v %+v", it, r.Traffic[0])
	}
	if r.MonthlyTotal != 32.85+14.6 {
		t.Errorf("total %v", r.MonthlyTotal)
	}
}

// TestGatewayEndpointNeverRaisesS3Cost: for any volume, adding the S3
// gateway endpoint never makes S3 traffic dearer.
func TestGatewayEndpointNeverRaisesS3Cost(t *testing.T) {
	n := newNatVPC(t)
	rng := rand.New(rand.NewPCG(1, 2))
	var vols []float64
	for range 20 {
		vols = append(vols, float64(rng.IntN(5_000_000)))
	}
	before := map[float64]float64{}
	for _, gb := range vols {
		before[gb] = n.estimate(t, Usage{VPC: n.vpc, Service: "s3", GBPerMonth: gb}).MonthlyTotal
	}
	cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(n.c.CreateVpcEndpoint(context.Background(), sc, &cloud.CreateVpcEndpointInput{VpcID: n.vpc, ServiceName: "com.amazonaws.us-east-1.s3", RouteTableIDs: []string{n.rtb}}))
	for _, gb := range vols {
		if after := n.estimate(t, Usage{VPC: n.vpc, Service: "s3", GBPerMonth: gb}).MonthlyTotal; after > before[gb] {
			t.Errorf("%v GB: %v before the gateway endpoint, %v after", gb, before[gb], after)
		}
	}
}

func TestCentralise(t *testing.T) {
	c := cloud.New(cloud.Config{Store: cloudtest.Store(t, t.TempDir()), ProvisionDelay: -1, Quotas: map[string]int{"vpcs": 10}})
	ctx := context.Background()
	for i := range 3 {
		vpc := cloudtest.Must[*cloud.CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &cloud.CreateVpcInput{CidrBlock: "10." + string(rune('1'+i)) + ".0.0/16"})).Vpc.VpcID
		sn := cloudtest.Must[*cloud.CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &cloud.CreateSubnetInput{VpcID: vpc, CidrBlock: "10." + string(rune('1'+i)) + ".1.0/24"})).Subnet.SubnetID
		cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: vpc, ServiceName: "com.amazonaws.us-east-1.kms", VpcEndpointType: "Interface", SubnetIDs: []string{sn}, PrivateDNSEnabled: cloudtest.Ptr(false)}))
	}
	snap := cloudtest.Must[*cloud.Snapshot](t)(c.Snapshot(ctx, sc))
	r := cloudtest.Must[*Report](t)(Estimate(reach.New(snap), Options{}))
	if r.MonthlyTotal != 21.9 || len(r.Recommendations) != 1 || r.Recommendations[0].MonthlySavings != 14.6 || len(r.Recommendations[0].Resources) != 3 {
		t.Fatalf("total %v recommendations %+v", r.MonthlyTotal, r.Recommendations)
	}
}

// kmsEndpoint makes a KMS interface endpoint in both subnets, reachable on
// 443 from the VPC, with private DNS.
func (n *natVPC) kmsEndpoint(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	cloudtest.Must[*cloud.Return](t)(n.c.ModifyVpcAttribute(ctx, sc, &cloud.ModifyVpcAttributeInput{VpcID: n.vpc, EnableDNSHostnames: &cloud.AttributeBoolean{Value: cloudtest.Ptr(true)}}))
	sg := cloudtest.Must[*cloud.CreateSecurityGroupOutput](t)(n.c.CreateSecurityGroup(ctx, sc, &cloud.CreateSecurityGroupInput{GroupName: "ep", Description: "ep", VpcID: n.vpc})).GroupID
	p := int32(443)
	cloudtest.Must[*cloud.AuthorizeOutput](t)(n.c.AuthorizeSecurityGroupIngress(ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: sg,
		IPPermissions: []cloud.IPPermission{{IPProtocol: "tcp", FromPort: &p, ToPort: &p, IPRanges: []cloud.IPRange{{CidrIP: "10.0.0.0/16"}}}}}))
	kms := cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(n.c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: n.vpc, ServiceName: "com.amazonaws.us-east-1.kms",
		VpcEndpointType: "Interface", SubnetIDs: []string{n.a, n.b}, SecurityGroupIDs: []string{sg}, PrivateDNSEnabled: cloudtest.Ptr(true)})).VpcEndpoint.VpcEndpointID
	return kms
}

// TestInterfaceDearerThanNAT: an endpoint that carries little costs more
// than the NAT gateway would charge for the same traffic; one that does not
// carry any is not judged.
func TestInterfaceDearerThanNAT(t *testing.T) {
	n := newNatVPC(t)
	kms := n.kmsEndpoint(t)
	r := n.estimate(t, Usage{VPC: n.vpc, Service: "kms", GBPerMonth: 10})
	if tr := r.Traffic[0]; tr.Path != reach.PrivateInterfaceEndpoint || tr.Via != kms || tr.Monthly != 0.1 {
		t.Fatalf("kms traffic %+v", tr)
	}
	if it := item(r, kms); it.Monthly != 14.6+0.1 || it.GB != 10 {
		t.Fatalf("endpoint %+v", it)
	}
	var rec *Recommendation
	for i := range r.Recommendations {
		if r.Recommendations[i].Resources[0] == kms {
			rec = &r.Recommendations[i]
		}
	}
	// $14.70 against 10 GB × $0.045 = $0.45 by NAT; break-even 14.60/0.035 GB.
	if rec == nil || rec.MonthlySavings != 14.25 || !strings.Contains(rec.Detail, "break-even at 417 GB/month") {
		t.Fatalf("recommendation %+v", rec)
	}
	// Without usage it is not judged.
	for _, rc := range n.estimate(t).Recommendations {
		if rc.Resources[0] == kms {
			t.Errorf("judged without traffic: %+v", rc)
		}
	}
}

// TestCrossZone: traffic that crossed zones to an interface endpoint pays
// data transfer between zones on top of processing.
func TestCrossZone(t *testing.T) {
	n := newNatVPC(t)
	n.kmsEndpoint(t)
	r := n.estimate(t, Usage{VPC: n.vpc, Service: "kms", GBPerMonth: 100, CrossZoneGB: 40})
	if tr := r.Traffic[0]; tr.Monthly != 1+0.4 {
		t.Fatalf("traffic %+v", tr)
	}
	if r.MonthlyTotal != 32.85+14.6+1+0.4 {
		t.Fatalf("total %v, items %+v", r.MonthlyTotal, r.Items)
	}
}
