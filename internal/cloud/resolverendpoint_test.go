package cloud

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestResolverEndpoints pins the Route 53 Resolver resources: endpoints
// take an interface per address in the security groups' VPC, an inbound
// one a served address of its own (listed as a resolver target, released
// on delete); FORWARD rules need targets and an outbound endpoint; rules
// associated with a VPC reach its DNS view, a target that is an inbound
// endpoint's interface address as that endpoint's served address (port 0);
// what is in use cannot be deleted.
func TestResolverEndpoints(t *testing.T) {
	c, clk := newTestCloud(t)
	ctx := context.Background()
	vpc := func(cidr, a, b string) (string, []string, string) {
		v := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: cidr})).Vpc.VpcID
		var subnets []string
		for i, s := range []string{a, b} {
			subnets = append(subnets, mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: v, CidrBlock: s, AvailabilityZone: []string{"us-east-1a", "us-east-1b"}[i]})).Subnet.SubnetID)
		}
		g := mustDo[*CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx, sc, &CreateSecurityGroupInput{GroupName: "dns", Description: "dns", VpcID: v})).GroupID
		return v, subnets, g
	}
	hub, hubSubnets, hubSG := vpc("10.0.0.0/16", "10.0.1.0/24", "10.0.2.0/24")
	spoke, spokeSubnets, spokeSG := vpc("10.1.0.0/16", "10.1.1.0/24", "10.1.2.0/24")

	_, err := c.CreateResolverEndpoint(ctx, sc, "r0", "", "INBOUND", []string{hubSG}, []ResolverIPRequest{{SubnetID: hubSubnets[0]}}, nil)
	wantCode(t, err, "InvalidRequestException") // at least two addresses
	_, err = c.CreateResolverEndpoint(ctx, sc, "r0", "", "INBOUND", []string{hubSG}, []ResolverIPRequest{{SubnetID: hubSubnets[0]}, {SubnetID: spokeSubnets[0]}}, nil)
	wantCode(t, err, "InvalidParameterException") // a subnet outside the groups' VPC
	in, err := c.CreateResolverEndpoint(ctx, sc, "r1", "in", "INBOUND", []string{hubSG}, []ResolverIPRequest{{SubnetID: hubSubnets[0], IP: "10.0.1.53"}, {SubnetID: hubSubnets[1]}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if in.Status != "CREATING" || in.IPAddressCount != 2 || in.HostVPCID != hub || !in.Address.IsValid() || in.IPs[0].IP != netip.MustParseAddr("10.0.1.53") {
		t.Fatalf("inbound endpoint = %+v", in)
	}
	// An address in use is Route 53 Resolver's InvalidRequestException,
	// not EC2's InvalidIPAddress.InUse (botocore lists only Resolver codes).
	_, err = c.CreateResolverEndpoint(ctx, sc, "r1b", "", "INBOUND", []string{hubSG}, []ResolverIPRequest{{SubnetID: hubSubnets[0], IP: "10.0.1.53"}, {SubnetID: hubSubnets[1]}}, nil)
	wantCode(t, err, "InvalidRequestException")
	clk.Advance(time.Minute)
	if e := mustDo[*ResolverEndpoint](t)(c.GetResolverEndpoint(ctx, sc, in.ID)); e.Status != "OPERATIONAL" {
		t.Errorf("after a minute the endpoint is %s", e.Status)
	}
	if tg, ok, err := c.ResolverTarget(ctx, in.Address); err != nil || !ok || tg.VpcID != hub || tg.Inbound != in.ID {
		t.Fatalf("served address %s = %+v %v %v", in.Address, tg, ok, err)
	}
	enis := mustDo[*DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx, sc, &DescribeNetworkInterfacesInput{Filters: []Filter{{Name: "vpc-id", Values: []string{hub}}}}))
	if len(enis.NetworkInterfaces) != 2 || !enis.NetworkInterfaces[0].RequesterManaged {
		t.Fatalf("interfaces of the inbound endpoint = %+v", enis.NetworkInterfaces)
	}

	out := mustDo[*ResolverEndpoint](t)(c.CreateResolverEndpoint(ctx, sc, "r2", "", "OUTBOUND", []string{spokeSG}, []ResolverIPRequest{{SubnetID: spokeSubnets[0]}, {SubnetID: spokeSubnets[1]}}, nil))
	if out.Address.IsValid() {
		t.Errorf("an outbound endpoint is served at %s", out.Address)
	}
	_, err = c.CreateResolverRule(ctx, sc, "r3", "", "FORWARD", "corp.example", "", []RuleTarget{{IP: "192.0.2.1"}}, nil)
	wantCode(t, err, "InvalidRequestException") // no endpoint
	_, err = c.CreateResolverRule(ctx, sc, "r3", "", "FORWARD", "corp.example", in.ID, []RuleTarget{{IP: "192.0.2.1"}}, nil)
	wantCode(t, err, "InvalidRequestException") // not outbound
	rule := mustDo[*ResolverRule](t)(c.CreateResolverRule(ctx, sc, "r3", "", "FORWARD", "S3.us-east-1.amazonaws.com.", out.ID, []RuleTarget{{IP: "10.0.1.53"}, {IP: "192.0.2.1", Port: 5353}}, nil))
	if rule.DomainName != "s3.us-east-1.amazonaws.com." || rule.TargetIPs[0].Port != 53 || rule.OwnerID != sc.Account {
		t.Fatalf("rule = %+v", rule)
	}
	mustDo[*ResolverRuleAssociation](t)(c.AssociateResolverRule(ctx, sc, rule.ID, spoke, ""))
	_, err = c.AssociateResolverRule(ctx, sc, rule.ID, spoke, "")
	wantCode(t, err, "ResourceExistsException")

	targets := mustDo[[]ResolverTarget](t)(c.ResolverTargets(ctx))
	var spokeTarget ResolverTarget
	for _, x := range targets {
		if x.VpcID == spoke && x.Inbound == "" {
			spokeTarget = x
		}
	}
	v := mustDo[*DNSView](t)(c.DNSView(ctx, spokeTarget))
	want := []netip.AddrPort{netip.AddrPortFrom(in.Address, 0), netip.MustParseAddrPort("192.0.2.1:5353")}
	if len(v.Rules) != 1 || v.Rules[0].InboundVPC != hub || len(v.Rules[0].Targets) != 2 || v.Rules[0].Targets[0] != want[0] || v.Rules[0].Targets[1] != want[1] {
		t.Fatalf("spoke's rules = %+v, want targets %v", v.Rules, want)
	}

	// Tags by ARN: only the scope's own resources.
	if err := c.TagResolverResource(ctx, sc, rule.Arn, map[string]string{"team": "net", "env": "prod"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := c.TagResolverResource(ctx, sc, rule.Arn, nil, []string{"env"}); err != nil {
		t.Fatal(err)
	}
	if tags := mustDo[map[string]string](t)(c.ResolverTags(ctx, sc, rule.Arn)); len(tags) != 1 || tags["team"] != "net" {
		t.Errorf("rule tags = %v", tags)
	}
	other := Scope{Account: "222222222222", Region: sc.Region}
	_, err = c.ResolverTags(ctx, other, rule.Arn)
	wantCode(t, err, "ResourceNotFoundException")
	wantCode(t, c.TagResolverResource(ctx, other, strings.Replace(rule.Arn, sc.Account, other.Account, 1), map[string]string{"x": "y"}, nil), "ResourceNotFoundException")

	_, err = c.DeleteResolverRule(ctx, sc, rule.ID)
	wantCode(t, err, "ResourceInUseException")
	_, err = c.DeleteResolverEndpoint(ctx, sc, out.ID)
	wantCode(t, err, "InvalidRequestException") // a rule uses it
	mustDo[*ResolverRuleAssociation](t)(c.DisassociateResolverRule(ctx, sc, rule.ID, spoke))
	mustDo[*ResolverRule](t)(c.DeleteResolverRule(ctx, sc, rule.ID))
	mustDo[*ResolverEndpoint](t)(c.DeleteResolverEndpoint(ctx, sc, out.ID))
	mustDo[*ResolverEndpoint](t)(c.DeleteResolverEndpoint(ctx, sc, in.ID))
	if _, ok, _ := c.ResolverTarget(ctx, in.Address); ok {
		t.Errorf("the inbound endpoint's address %s is still served after delete", in.Address)
	}
	if n := len(mustDo[*DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx, sc, &DescribeNetworkInterfacesInput{})).NetworkInterfaces); n != 0 {
		t.Errorf("%d interfaces left after the endpoints were deleted", n)
	}
	_, err = c.GetResolverEndpoint(ctx, sc, in.ID)
	wantCode(t, err, "ResourceNotFoundException")
}
