package cloud

import (
	"context"
	"errors"
	"flag"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/store"
)

var sc = Scope{Account: "123456789012", Region: "us-east-1"}

// fakeClock is a settable clock for state transitions.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeClock) Now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	f.t = f.t.Add(d)
	f.mu.Unlock()
}

// TestMain runs the tests with every write's index records taken from its
// object checked against those of its JSON (benchmarks measure without).
func TestMain(m *testing.M) {
	flag.Parse()
	checkIndexedOf = flag.Lookup("test.bench").Value.String() == ""
	os.Exit(m.Run())
}

func newTestCloud(t testing.TB) (*Cloud, *fakeClock) {
	t.Helper()
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &fakeClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	return New(Config{Store: st, Clock: clk.Now, ProvisionDelay: 10 * time.Second}), clk
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	e, ok := apierr.As(err)
	if !ok || e.Code != code {
		t.Fatalf("err = %v, want code %s", err, code)
	}
}

func mustDo[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func TestGlob(t *testing.T) {
	for _, tc := range []struct {
		pattern, s string
		want       bool
	}{
		{"abc", "abc", true},
		{"abc", "abd", false},
		{"a*", "a", true},
		{"a*", "abc/def", true},
		{"*c", "abc", true},
		{"a?c", "abc", true},
		{"a?c", "ac", false},
		{"*b*d*", "abcd", true},
		{"*b*d*", "abce", false},
		{"**", "", true},
		{"?", "", false},
		{"us-east-1?", "us-east-1a", true},
		{"Name", "name", false},
	} {
		if got := Glob(tc.pattern, tc.s); got != tc.want {
			t.Errorf("Glob(%q, %q) = %v, want %v", tc.pattern, tc.s, got, tc.want)
		}
	}
}

func TestPaginate(t *testing.T) {
	var items []*string
	add := func(ss ...string) {
		for _, s := range ss {
			items = append(items, &s)
		}
	}
	add("e", "a", "d", "b", "c")
	id := func(s *string) string { return *s }
	two := int64(2)
	var got []string
	p := Page{MaxResults: &two}
	for i := 0; ; i++ {
		page, next, err := paginate(items, id, p, 1, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page {
			got = append(got, *s)
		}
		if next == "" {
			break
		}
		p.NextToken = next
		if i == 0 {
			// Written while paging: "0" sorts behind the cursor and is
			// not returned; "f" sorts ahead and is.
			add("0", "f")
		}
	}
	if joinAll(got) != "abcdef" {
		t.Errorf("pages = %v, want a…f each once", got)
	}
	_, _, err := paginate(items, id, Page{NextToken: "!!"}, 1, 10)
	wantCode(t, err, "InvalidNextToken")
	big := int64(11)
	_, _, err = paginate(items, id, Page{MaxResults: &big}, 1, 10)
	wantCode(t, err, "InvalidParameterValue")
}

func joinAll(s []string) string {
	out := ""
	for _, v := range s {
		out += v
	}
	return out
}

func TestRouteLookupLongestPrefix(t *testing.T) {
	rt := &RouteTable{Routes: []Route{
		{DestinationCidrBlock: "10.0.0.0/16", GatewayID: "local"},
		{DestinationCidrBlock: "0.0.0.0/0", GatewayID: "igw-1"},
		{DestinationCidrBlock: "10.0.5.0/24", NetworkInterfaceID: "eni-1"},
		{DestinationPrefixListID: "pl-1", GatewayID: "vpce-1"},
	}}
	for _, tc := range []struct{ addr, want string }{
		{"10.0.5.9", "eni-1"},
		{"10.0.6.9", "local"},
		{"8.8.8.8", "igw-1"},
	} {
		r, ok := rt.Lookup(netip.MustParseAddr(tc.addr))
		got := r.GatewayID + r.NetworkInterfaceID
		if !ok || got != tc.want {
			t.Errorf("Lookup(%s) = %s, want %s", tc.addr, got, tc.want)
		}
	}
}

func TestDefaultsCreatedOnce(t *testing.T) {
	c, _ := newTestCloud(t)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.DescribeVpcs(t.Context(), sc, &DescribeVpcsInput{}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	out := mustDo[*DescribeVpcsOutput](t)(c.DescribeVpcs(t.Context(), sc, &DescribeVpcsInput{}))
	if len(out.Vpcs) != 1 || !out.Vpcs[0].IsDefault || out.Vpcs[0].CidrBlock.String() != "172.31.0.0/16" {
		t.Fatalf("VPCs after concurrent first use = %+v", out.Vpcs)
	}
	// After a reset the defaults come back.
	if err := c.Reset(t.Context()); err != nil {
		t.Fatal(err)
	}
	out = mustDo[*DescribeVpcsOutput](t)(c.DescribeVpcs(t.Context(), sc, &DescribeVpcsInput{}))
	if len(out.Vpcs) != 1 {
		t.Errorf("VPCs after reset = %d", len(out.Vpcs))
	}
}

func TestUnknownRegion(t *testing.T) {
	c, _ := newTestCloud(t)
	_, err := c.DescribeVpcs(t.Context(), Scope{Account: "1", Region: "mars-1"}, &DescribeVpcsInput{})
	wantCode(t, err, "AuthFailure")
}

// failingStore fails the nth Put of each Update, to show that a failed
// operation leaves no trace.
type failingStore struct {
	store.Store
	n int
}

type failingTxn struct {
	store.Txn
	left *int
}

func (f *failingTxn) Put(k store.Key, b []byte) error {
	*f.left--
	if *f.left == 0 {
		return errors.New("disk on fire")
	}
	return f.Txn.Put(k, b)
}

func (f *failingStore) Update(ctx context.Context, fn func(store.Txn) error) error {
	left := f.n
	return f.Store.Update(ctx, func(tx store.Txn) error { return fn(&failingTxn{Txn: tx, left: &left}) })
}

func TestCreateVpcIsAtomic(t *testing.T) {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	good := New(Config{Store: st})
	mustDo[*DescribeVpcsOutput](t)(good.DescribeVpcs(t.Context(), sc, &DescribeVpcsInput{}))
	// CreateVpc writes the VPC, its route table, group and ACL: fail each.
	for n := 1; n <= 4; n++ {
		bad := New(Config{Store: &failingStore{Store: st, n: n}})
		bad.inited.Store(sc, struct{}{})
		_, err := bad.CreateVpc(t.Context(), sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16"})
		wantCode(t, err, "InternalError")
	}
	vpcs := mustDo[*DescribeVpcsOutput](t)(good.DescribeVpcs(t.Context(), sc, &DescribeVpcsInput{}))
	rts := mustDo[*DescribeRouteTablesOutput](t)(good.DescribeRouteTables(t.Context(), sc, &DescribeRouteTablesInput{}))
	sgs := mustDo[*DescribeSecurityGroupsOutput](t)(good.DescribeSecurityGroups(t.Context(), sc, &DescribeSecurityGroupsInput{}))
	acls := mustDo[*DescribeNetworkACLsOutput](t)(good.DescribeNetworkAcls(t.Context(), sc, &DescribeNetworkACLsInput{}))
	if len(vpcs.Vpcs) != 1 || len(rts.RouteTables) != 1 || len(sgs.SecurityGroups) != 1 || len(acls.NetworkACLs) != 1 {
		t.Errorf("after failed creates: %d VPCs, %d route tables, %d groups, %d ACLs; want only the defaults",
			len(vpcs.Vpcs), len(rts.RouteTables), len(sgs.SecurityGroups), len(acls.NetworkACLs))
	}
}

func newSubnet(t *testing.T, c *Cloud, vpcCIDR, cidr string) *Subnet {
	t.Helper()
	v := mustDo[*CreateVpcOutput](t)(c.CreateVpc(t.Context(), sc, &CreateVpcInput{CidrBlock: vpcCIDR}))
	return mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(t.Context(), sc, &CreateSubnetInput{VpcID: v.Vpc.VpcID, CidrBlock: cidr})).Subnet
}

func TestAddressAllocation(t *testing.T) {
	c, _ := newTestCloud(t)
	s := newSubnet(t, c, "10.0.0.0/16", "10.0.0.16/28")
	var got []string
	for range 11 {
		e := mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(t.Context(), sc, &CreateNetworkInterfaceInput{SubnetID: s.SubnetID}))
		got = append(got, e.NetworkInterface.PrivateIPAddress.String())
	}
	if got[0] != "10.0.0.20" || got[10] != "10.0.0.30" {
		t.Errorf("allocated %v: want 10.0.0.20 … 10.0.0.30 (first four and last reserved)", got)
	}
	_, err := c.CreateNetworkInterface(t.Context(), sc, &CreateNetworkInterfaceInput{SubnetID: s.SubnetID})
	wantCode(t, err, "InsufficientFreeAddressesInSubnet")
	subs := mustDo[*DescribeSubnetsOutput](t)(c.DescribeSubnets(t.Context(), sc, &DescribeSubnetsInput{SubnetIDs: []string{s.SubnetID}}))
	if n := subs.Subnets[0].AvailableIPAddressCount; n != 0 {
		t.Errorf("availableIpAddressCount of a full /28 = %d", n)
	}
}

func TestNatGatewayStates(t *testing.T) {
	c, clk := newTestCloud(t)
	s := newSubnet(t, c, "10.0.0.0/16", "10.0.1.0/24")
	n := mustDo[*CreateNatGatewayOutput](t)(c.CreateNatGateway(t.Context(), sc, &CreateNatGatewayInput{SubnetID: s.SubnetID, ConnectivityType: "private"})).NatGateway
	state := func() string {
		out, err := c.DescribeNatGateways(t.Context(), sc, &DescribeNatGatewaysInput{NatGatewayIDs: []string{n.NatGatewayID}})
		if apierr.HasCode(err, "NatGatewayNotFound") {
			return "gone"
		}
		if err != nil {
			t.Fatal(err)
		}
		return out.NatGateways[0].State
	}
	for _, step := range []struct {
		advance time.Duration
		do      func()
		want    string
	}{
		{0, nil, "pending"},
		{11 * time.Second, nil, "available"},
		{0, func() {
			mustDo[*DeleteNatGatewayOutput](t)(c.DeleteNatGateway(t.Context(), sc, &DeleteNatGatewayInput{NatGatewayID: n.NatGatewayID}))
		}, "deleting"},
		{11 * time.Second, nil, "deleted"},
		{time.Hour, nil, "gone"},
	} {
		clk.Advance(step.advance)
		if step.do != nil {
			step.do()
		}
		if got := state(); got != step.want {
			t.Fatalf("state = %s, want %s", got, step.want)
		}
	}
}

func TestInstanceStates(t *testing.T) {
	c, clk := newTestCloud(t)
	one := int32(1)
	res := mustDo[*Reservation](t)(c.RunInstances(t.Context(), sc, &RunInstancesInput{ImageID: "ami-12345678", MinCount: &one, MaxCount: &one}))
	id := res.Instances[0].InstanceID
	state := func() string {
		out := mustDo[*DescribeInstancesOutput](t)(c.DescribeInstances(t.Context(), sc, &DescribeInstancesInput{Filters: []Filter{{Name: "instance-id", Values: []string{id}}}}))
		if len(out.Reservations) == 0 {
			return "gone"
		}
		return out.Reservations[0].Instances[0].State.Name
	}
	if s := state(); s != "pending" {
		t.Fatalf("state = %s", s)
	}
	clk.Advance(11 * time.Second)
	if s := state(); s != "running" {
		t.Fatalf("state = %s", s)
	}
	term := mustDo[*TerminateInstancesOutput](t)(c.TerminateInstances(t.Context(), sc, &TerminateInstancesInput{InstanceIDs: []string{id}}))
	if term.Instances[0].CurrentState.Code != 32 || term.Instances[0].PreviousState.Code != 16 {
		t.Errorf("terminate = %+v", term.Instances[0])
	}
	clk.Advance(11 * time.Second)
	if s := state(); s != "terminated" {
		t.Fatalf("state = %s", s)
	}
	clk.Advance(time.Hour)
	if s := state(); s != "gone" {
		t.Fatalf("state = %s", s)
	}
}

func TestFilters(t *testing.T) {
	c, _ := newTestCloud(t)
	newSubnet(t, c, "10.0.0.0/16", "10.0.1.0/24")
	for _, tc := range []struct {
		filters []Filter
		want    int
	}{
		{nil, 7}, // six default subnets and one more
		{[]Filter{{Name: "cidr-block", Values: []string{"10.0.*"}}}, 1},
		{[]Filter{{Name: "default-for-az", Values: []string{"true"}}}, 6},
		{[]Filter{{Name: "default-for-az", Values: []string{"true"}}, {Name: "availability-zone", Values: []string{"us-east-1a", "us-east-1b"}}}, 2},
		{[]Filter{{Name: "tag:Name", Values: []string{"*"}}}, 0},
	} {
		out, err := c.DescribeSubnets(t.Context(), sc, &DescribeSubnetsInput{Filters: tc.filters})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Subnets) != tc.want {
			t.Errorf("DescribeSubnets(%+v) = %d subnets, want %d", tc.filters, len(out.Subnets), tc.want)
		}
	}
	_, err := c.DescribeSubnets(t.Context(), sc, &DescribeSubnetsInput{Filters: []Filter{{Name: "nope", Values: []string{"x"}}}})
	wantCode(t, err, "InvalidParameterValue")
}

func TestSecurityGroupRender(t *testing.T) {
	g := &SecurityGroup{GroupID: "sg-1", Rules: []SecurityGroupRule{
		{IPProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIPv4: "10.0.0.0/8"},
		{IPProtocol: "tcp", FromPort: 443, ToPort: 443, ReferencedGroupInfo: &ReferencedGroup{GroupID: "sg-2"}},
		{IPProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIPv4: "10.0.0.0/8"},
		{IPProtocol: "-1", FromPort: -1, ToPort: -1, CidrIPv4: "0.0.0.0/0", IsEgress: true},
	}}
	g.render()
	if len(g.IPPermissions) != 2 || len(g.IPPermissions[0].IPRanges) != 1 || len(g.IPPermissions[0].Groups) != 1 {
		t.Errorf("ingress = %+v", g.IPPermissions)
	}
	if len(g.IPPermissionsEgress) != 1 || g.IPPermissionsEgress[0].FromPort != nil {
		t.Errorf("egress = %+v (all-traffic permissions carry no ports)", g.IPPermissionsEgress)
	}
}

func TestPrivateDNSName(t *testing.T) {
	a := netip.MustParseAddr("10.0.1.5")
	if got := PrivateDNSName("us-east-1", a); got != "ip-10-0-1-5.ec2.internal" {
		t.Errorf("us-east-1: %s", got)
	}
	if got := PrivateDNSName("eu-west-1", a); got != "ip-10-0-1-5.eu-west-1.compute.internal" {
		t.Errorf("eu-west-1: %s", got)
	}
}

// TestVpcTenancy: CreateVpc keeps InstanceTenancy=dedicated (it was
// validated and then dropped), and ModifyVpcTenancy changes it back to
// default only, as AWS allows.
func TestVpcTenancy(t *testing.T) {
	c, _ := newTestCloud(t)
	v := mustDo[*CreateVpcOutput](t)(c.CreateVpc(t.Context(), sc, &CreateVpcInput{CidrBlock: "10.9.0.0/16", InstanceTenancy: "dedicated"})).Vpc
	if v.InstanceTenancy != "dedicated" {
		t.Fatalf("create answered tenancy %q", v.InstanceTenancy)
	}
	tenancy := func() string {
		out := mustDo[*DescribeVpcsOutput](t)(c.DescribeVpcs(t.Context(), sc, &DescribeVpcsInput{VpcIDs: []string{v.VpcID}}))
		return out.Vpcs[0].InstanceTenancy
	}
	if got := tenancy(); got != "dedicated" {
		t.Fatalf("described tenancy %q", got)
	}
	_, err := c.ModifyVpcTenancy(t.Context(), sc, &ModifyVpcTenancyInput{VpcID: v.VpcID, InstanceTenancy: "dedicated"})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.ModifyVpcTenancy(t.Context(), sc, &ModifyVpcTenancyInput{VpcID: "vpc-00000000000000000", InstanceTenancy: "default"})
	wantCode(t, err, "InvalidVpcID.NotFound")
	mustDo[*Return](t)(c.ModifyVpcTenancy(t.Context(), sc, &ModifyVpcTenancyInput{VpcID: v.VpcID, InstanceTenancy: "default"}))
	if got := tenancy(); got != "default" {
		t.Fatalf("tenancy after ModifyVpcTenancy %q", got)
	}
}

// TestRuleTags: security group rules (sgr-…) take tags after creation
// as AWS allows — CreateTags, DeleteTags, DescribeTags with resource type
// security-group-rule, and DescribeSecurityGroupRules shows them; an
// unknown rule is InvalidSecurityGroupRuleId.NotFound.
func TestRuleTags(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := t.Context()
	v := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.8.0.0/16"})).Vpc
	g := mustDo[*CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx, sc, &CreateSecurityGroupInput{GroupName: "web", Description: "web", VpcID: v.VpcID})).GroupID
	port := int32(443)
	rule := mustDo[*AuthorizeOutput](t)(c.AuthorizeSecurityGroupIngress(ctx, sc, &SecurityGroupRulesInput{GroupID: g,
		IPPermissions: []IPPermission{{IPProtocol: "tcp", FromPort: &port, ToPort: &port, IPRanges: []IPRange{{CidrIP: "10.0.0.0/8"}}}}})).Rules[0].SecurityGroupRuleID
	mustDo[*Return](t)(c.CreateTags(ctx, sc, &CreateTagsInput{Resources: []string{rule}, Tags: []Tag{{Key: "Name", Value: "https-in"}}}))
	rules := mustDo[*DescribeSecurityGroupRulesOutput](t)(c.DescribeSecurityGroupRules(ctx, sc, &DescribeSecurityGroupRulesInput{RuleIDs: []string{rule}}))
	if len(rules.Rules) != 1 || len(rules.Rules[0].Tags) != 1 || rules.Rules[0].Tags[0].Value != "https-in" {
		t.Fatalf("rule after CreateTags: %+v", rules.Rules)
	}
	tags := mustDo[*DescribeTagsOutput](t)(c.DescribeTags(ctx, sc, &DescribeTagsInput{Filters: []Filter{{Name: "resource-type", Values: []string{"security-group-rule"}}}}))
	if len(tags.Tags) != 1 || tags.Tags[0].ResourceID != rule || tags.Tags[0].ResourceType != "security-group-rule" {
		t.Fatalf("DescribeTags: %+v", tags.Tags)
	}
	mustDo[*Return](t)(c.DeleteTags(ctx, sc, &DeleteTagsInput{Resources: []string{rule}}))
	rules = mustDo[*DescribeSecurityGroupRulesOutput](t)(c.DescribeSecurityGroupRules(ctx, sc, &DescribeSecurityGroupRulesInput{RuleIDs: []string{rule}}))
	if len(rules.Rules[0].Tags) != 0 {
		t.Fatalf("rule after DeleteTags: %+v", rules.Rules[0].Tags)
	}
	_, err := c.CreateTags(ctx, sc, &CreateTagsInput{Resources: []string{"sgr-0123456789abcdef0"}, Tags: []Tag{{Key: "a", Value: "b"}}})
	wantCode(t, err, "InvalidSecurityGroupRuleId.NotFound")
}

type dhcpConf = []struct {
	Key    string   `ec2:"Key"`
	Values []string `ec2:"Value"`
}

// TestDhcpOptions: the default set exists in every scope (the region's
// domain, AmazonProvidedDNS) and is every VPC's; custom sets are
// validated as AWS does, comma-separated servers are separate values,
// association and deletion follow AWS's rules and codes.
func TestDhcpOptions(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := t.Context()
	v := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.7.0.0/16"})).Vpc
	all := mustDo[*DescribeDhcpOptionsOutput](t)(c.DescribeDhcpOptions(ctx, sc, &DescribeDhcpOptionsInput{}))
	if len(all.DhcpOptions) != 1 || all.DhcpOptions[0].DhcpOptionsID != v.DhcpOptionsID ||
		!slices.Equal(all.DhcpOptions[0].Values("domain-name"), []string{"ec2.internal"}) || !all.DhcpOptions[0].UsesAmazonDNS() {
		t.Fatalf("default set: %+v (VPC has %s)", all.DhcpOptions, v.DhcpOptionsID)
	}
	for _, bad := range []dhcpConf{
		{{Key: "domain-name-serverz", Values: []string{"10.0.0.2"}}},
		{{Key: "domain-name-servers", Values: []string{"not-an-ip"}}},
		{{Key: "domain-name-servers", Values: []string{"10.0.0.1,10.0.0.2,10.0.0.3,10.0.0.4,10.0.0.5"}}},
		{{Key: "netbios-node-type", Values: []string{"3"}}},
		{{Key: "domain-name", Values: []string{"a.example"}}, {Key: "domain-name", Values: []string{"b.example"}}},
	} {
		_, err := c.CreateDhcpOptions(ctx, sc, &CreateDhcpOptionsInput{Configurations: bad})
		wantCode(t, err, "InvalidParameterValue")
	}
	d := mustDo[*CreateDhcpOptionsOutput](t)(c.CreateDhcpOptions(ctx, sc, &CreateDhcpOptionsInput{Configurations: dhcpConf{
		{Key: "domain-name", Values: []string{"corp.example"}},
		{Key: "domain-name-servers", Values: []string{"10.7.0.10,10.7.0.11"}},
	}, TagSpecifications: []TagSpecification{{ResourceType: "dhcp-options", Tags: []Tag{{Key: "Name", Value: "corp"}}}}})).DhcpOptions
	if got := d.Values("domain-name-servers"); !slices.Equal(got, []string{"10.7.0.10", "10.7.0.11"}) || d.UsesAmazonDNS() || len(d.Tags) != 1 {
		t.Fatalf("created %+v", d)
	}
	byKey := mustDo[*DescribeDhcpOptionsOutput](t)(c.DescribeDhcpOptions(ctx, sc, &DescribeDhcpOptionsInput{Filters: []Filter{{Name: "value", Values: []string{"10.7.0.11"}}}}))
	if len(byKey.DhcpOptions) != 1 || byKey.DhcpOptions[0].DhcpOptionsID != d.DhcpOptionsID {
		t.Fatalf("filter value: %+v", byKey.DhcpOptions)
	}
	_, err := c.AssociateDhcpOptions(ctx, sc, &AssociateDhcpOptionsInput{DhcpOptionsID: "dopt-0123456789abcdef0", VpcID: v.VpcID})
	wantCode(t, err, "InvalidDhcpOptionID.NotFound")
	mustDo[*Return](t)(c.AssociateDhcpOptions(ctx, sc, &AssociateDhcpOptionsInput{DhcpOptionsID: d.DhcpOptionsID, VpcID: v.VpcID}))
	_, err = c.DeleteDhcpOptions(ctx, sc, &DeleteDhcpOptionsInput{DhcpOptionsID: d.DhcpOptionsID})
	wantCode(t, err, "DependencyViolation")
	mustDo[*Return](t)(c.AssociateDhcpOptions(ctx, sc, &AssociateDhcpOptionsInput{DhcpOptionsID: "default", VpcID: v.VpcID}))
	vpcs := mustDo[*DescribeVpcsOutput](t)(c.DescribeVpcs(ctx, sc, &DescribeVpcsInput{VpcIDs: []string{v.VpcID}}))
	if vpcs.Vpcs[0].DhcpOptionsID != "default" {
		t.Fatalf("VPC after associating default: %s", vpcs.Vpcs[0].DhcpOptionsID)
	}
	mustDo[*Return](t)(c.DeleteDhcpOptions(ctx, sc, &DeleteDhcpOptionsInput{DhcpOptionsID: d.DhcpOptionsID}))
	_, err = c.DeleteDhcpOptions(ctx, sc, &DeleteDhcpOptionsInput{DhcpOptionsID: d.DhcpOptionsID})
	wantCode(t, err, "InvalidDhcpOptionsID.NotFound")
	_, err = c.DescribeDhcpOptions(ctx, sc, &DescribeDhcpOptionsInput{DhcpOptionsIDs: []string{d.DhcpOptionsID}})
	wantCode(t, err, "InvalidDhcpOptionID.NotFound")
}

// TestSecondaryAddresses: an interface takes several private addresses
// (PrivateIpAddresses.N, SecondaryPrivateIpAddressCount, Assign /
// UnassignPrivateIpAddresses), each unique in the subnet and counted in
// its free addresses; AllowReassignment moves a secondary address between
// interfaces but never a primary one; the primary cannot be unassigned.
func TestSecondaryAddresses(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := t.Context()
	s := newSubnet(t, c, "10.6.0.0/16", "10.6.1.0/28") // 11 usable addresses
	free := func() int {
		out := mustDo[*DescribeSubnetsOutput](t)(c.DescribeSubnets(ctx, sc, &DescribeSubnetsInput{SubnetIDs: []string{s.SubnetID}}))
		return out.Subnets[0].AvailableIPAddressCount
	}
	before := free()
	in := &CreateNetworkInterfaceInput{SubnetID: s.SubnetID}
	in.PrivateIPs = append(in.PrivateIPs, struct {
		PrivateIPAddress string `ec2:"PrivateIpAddress"`
		Primary          bool   `ec2:"Primary"`
	}{"10.6.1.10", true}, struct {
		PrivateIPAddress string `ec2:"PrivateIpAddress"`
		Primary          bool   `ec2:"Primary"`
	}{"10.6.1.11", false})
	a := mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, in)).NetworkInterface
	if a.PrivateIPAddress.String() != "10.6.1.10" || len(a.PrivateIPs) != 2 || !a.PrivateIPs[0].Primary || a.PrivateIPs[1].PrivateIPAddress.String() != "10.6.1.11" || a.PrivateIPs[1].Primary {
		t.Fatalf("created %+v", a.PrivateIPs)
	}
	n := int32(3)
	b := mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: s.SubnetID, SecondaryCount: &n})).NetworkInterface
	if len(b.PrivateIPs) != 4 {
		t.Fatalf("with 3 secondaries: %+v", b.PrivateIPs)
	}
	seen := map[string]bool{}
	for _, e := range []*NetworkInterface{a, b} {
		for _, p := range e.PrivateIPs {
			if seen[p.PrivateIPAddress.String()] {
				t.Fatalf("address %s given twice", p.PrivateIPAddress)
			}
			seen[p.PrivateIPAddress.String()] = true
		}
	}
	if got := free(); got != before-6 {
		t.Fatalf("free addresses %d → %d, want 6 fewer", before, got)
	}
	// Named addresses and a count together, or neither: refused.
	_, err := c.AssignPrivateIpAddresses(ctx, sc, &AssignPrivateIpAddressesInput{NetworkInterfaceID: b.NetworkInterfaceID, PrivateIPs: []string{"10.6.1.12"}, SecondaryCount: &n})
	wantCode(t, err, "InvalidParameterCombination")
	_, err = c.AssignPrivateIpAddresses(ctx, sc, &AssignPrivateIpAddressesInput{NetworkInterfaceID: b.NetworkInterfaceID})
	wantCode(t, err, "MissingParameter")
	// Taken, reserved, outside: refused.
	_, err = c.AssignPrivateIpAddresses(ctx, sc, &AssignPrivateIpAddressesInput{NetworkInterfaceID: b.NetworkInterfaceID, PrivateIPs: []string{"10.6.1.11"}})
	wantCode(t, err, "InvalidIPAddress.InUse")
	_, err = c.AssignPrivateIpAddresses(ctx, sc, &AssignPrivateIpAddressesInput{NetworkInterfaceID: b.NetworkInterfaceID, PrivateIPs: []string{"10.6.1.1"}})
	wantCode(t, err, "InvalidParameterValue")
	// Reassignment moves a secondary address, never a primary one.
	_, err = c.AssignPrivateIpAddresses(ctx, sc, &AssignPrivateIpAddressesInput{NetworkInterfaceID: b.NetworkInterfaceID, PrivateIPs: []string{"10.6.1.10"}, AllowReassignment: true})
	wantCode(t, err, "InvalidIPAddress.InUse")
	got := mustDo[*AssignPrivateIpAddressesOutput](t)(c.AssignPrivateIpAddresses(ctx, sc, &AssignPrivateIpAddressesInput{NetworkInterfaceID: b.NetworkInterfaceID, PrivateIPs: []string{"10.6.1.11"}, AllowReassignment: true}))
	if len(got.Assigned) != 1 || got.Assigned[0].PrivateIPAddress != "10.6.1.11" {
		t.Fatalf("reassigned %+v", got)
	}
	enis := mustDo[*DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx, sc, &DescribeNetworkInterfacesInput{NetworkInterfaceIDs: []string{a.NetworkInterfaceID}}))
	if len(enis.NetworkInterfaces[0].PrivateIPs) != 1 {
		t.Fatalf("a after its secondary moved: %+v", enis.NetworkInterfaces[0].PrivateIPs)
	}
	_, err = c.UnassignPrivateIpAddresses(ctx, sc, &UnassignPrivateIpAddressesInput{NetworkInterfaceID: b.NetworkInterfaceID, PrivateIPs: []string{b.PrivateIPAddress.String()}})
	wantCode(t, err, "InvalidParameterValue")
	mustDo[*Return](t)(c.UnassignPrivateIpAddresses(ctx, sc, &UnassignPrivateIpAddressesInput{NetworkInterfaceID: b.NetworkInterfaceID, PrivateIPs: []string{"10.6.1.11"}}))
	// The freed address can be taken again; the subnet runs out as AWS says.
	mustDo[*AssignPrivateIpAddressesOutput](t)(c.AssignPrivateIpAddresses(ctx, sc, &AssignPrivateIpAddressesInput{NetworkInterfaceID: a.NetworkInterfaceID, PrivateIPs: []string{"10.6.1.11"}}))
	many := int32(20)
	_, err = c.AssignPrivateIpAddresses(ctx, sc, &AssignPrivateIpAddressesInput{NetworkInterfaceID: a.NetworkInterfaceID, SecondaryCount: &many})
	wantCode(t, err, "InsufficientFreeAddressesInSubnet")
}

// TestInterfaceAttachments: RunInstances with NetworkInterface.N (a new
// primary in a subnet with secondaries, an existing interface at index
// 1), Attach/DetachNetworkInterface with AWS's rules, the attachment's
// delete-on-termination, and termination deleting only the interfaces
// marked so — the others stay, available.
func TestInterfaceAttachments(t *testing.T) {
	c, clk := newTestCloud(t)
	ctx := t.Context()
	s := newSubnet(t, c, "10.5.0.0/16", "10.5.1.0/24")
	spare := mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: s.SubnetID})).NetworkInterface.NetworkInterfaceID
	two := int32(2)
	zero, one := int32(0), int32(1)
	one1 := int32(1)
	res := mustDo[*Reservation](t)(c.RunInstances(ctx, sc, &RunInstancesInput{ImageID: "ami-12345678", MinCount: &one1, MaxCount: &one1,
		NetworkInterfaces: []LaunchInterface{{DeviceIndex: &zero, SubnetID: s.SubnetID, SecondaryCount: &two}, {DeviceIndex: &one, NetworkInterfaceID: spare}}}))
	inst := res.Instances[0]
	if inst.SubnetID != s.SubnetID || len(inst.NetworkInterfaces) != 2 || len(inst.NetworkInterfaces[0].PrivateIPs) != 3 ||
		inst.NetworkInterfaces[1].NetworkInterfaceID != spare || inst.NetworkInterfaces[1].Attachment.DeviceIndex != 1 || inst.NetworkInterfaces[1].Attachment.DeleteOnTermination {
		t.Fatalf("launched %+v", inst.NetworkInterfaces)
	}
	_, err := c.RunInstances(ctx, sc, &RunInstancesInput{ImageID: "ami-12345678", MinCount: &one1, MaxCount: &one1, SubnetID: s.SubnetID,
		NetworkInterfaces: []LaunchInterface{{DeviceIndex: &zero, SubnetID: s.SubnetID}}})
	wantCode(t, err, "InvalidParameterCombination")
	clk.Advance(time.Minute) // running
	// Attach a third at index 2; not twice, not at a taken index.
	third := mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: s.SubnetID})).NetworkInterface.NetworkInterfaceID
	_, err = c.AttachNetworkInterface(ctx, sc, &AttachNetworkInterfaceInput{NetworkInterfaceID: third, InstanceID: inst.InstanceID, DeviceIndex: &one})
	wantCode(t, err, "InvalidParameterValue")
	idx := int32(2)
	att := mustDo[*AttachNetworkInterfaceOutput](t)(c.AttachNetworkInterface(ctx, sc, &AttachNetworkInterfaceInput{NetworkInterfaceID: third, InstanceID: inst.InstanceID, DeviceIndex: &idx}))
	_, err = c.AttachNetworkInterface(ctx, sc, &AttachNetworkInterfaceInput{NetworkInterfaceID: third, InstanceID: inst.InstanceID, DeviceIndex: &idx})
	wantCode(t, err, "InvalidNetworkInterface.InUse")
	_, err = c.DetachNetworkInterface(ctx, sc, &DetachNetworkInterfaceInput{AttachmentID: inst.NetworkInterfaces[0].Attachment.AttachmentID})
	wantCode(t, err, "OperationNotPermitted")
	// An interface of another zone cannot be attached.
	vpcOf := mustDo[*DescribeSubnetsOutput](t)(c.DescribeSubnets(ctx, sc, &DescribeSubnetsInput{SubnetIDs: []string{s.SubnetID}})).Subnets[0]
	zone := "us-east-1b"
	if vpcOf.AvailabilityZone == zone {
		zone = "us-east-1c"
	}
	far := mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: vpcOf.VpcID, CidrBlock: "10.5.9.0/24", AvailabilityZone: zone})).Subnet
	farENI := mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: far.SubnetID})).NetworkInterface.NetworkInterfaceID
	idx3 := int32(3)
	_, err = c.AttachNetworkInterface(ctx, sc, &AttachNetworkInterfaceInput{NetworkInterfaceID: farENI, InstanceID: inst.InstanceID, DeviceIndex: &idx3})
	wantCode(t, err, "InvalidParameterCombination")
	described := func() *Instance {
		out := mustDo[*DescribeInstancesOutput](t)(c.DescribeInstances(ctx, sc, &DescribeInstancesInput{InstanceIDs: []string{inst.InstanceID}}))
		return out.Reservations[0].Instances[0]
	}
	if n := len(described().NetworkInterfaces); n != 3 {
		t.Fatalf("interfaces after attach: %d", n)
	}
	mustDo[*Return](t)(c.DetachNetworkInterface(ctx, sc, &DetachNetworkInterfaceInput{AttachmentID: att.AttachmentID}))
	_, err = c.DetachNetworkInterface(ctx, sc, &DetachNetworkInterfaceInput{AttachmentID: att.AttachmentID})
	wantCode(t, err, "InvalidAttachmentID.NotFound")
	if n := len(described().NetworkInterfaces); n != 2 {
		t.Fatalf("interfaces after detach: %d", n)
	}
	// The spare is kept at termination unless marked; the primary goes.
	yes := true
	mustDo[*Return](t)(c.ModifyNetworkInterfaceAttribute(ctx, sc, &ModifyNetworkInterfaceAttributeInput{NetworkInterfaceID: inst.NetworkInterfaces[0].NetworkInterfaceID,
		Attachment: &struct {
			AttachmentID        string `ec2:"AttachmentId"`
			DeleteOnTermination *bool  `ec2:"DeleteOnTermination"`
		}{inst.NetworkInterfaces[0].Attachment.AttachmentID, &yes}}))
	mustDo[*TerminateInstancesOutput](t)(c.TerminateInstances(ctx, sc, &TerminateInstancesInput{InstanceIDs: []string{inst.InstanceID}}))
	left := mustDo[*DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx, sc, &DescribeNetworkInterfacesInput{}))
	ids := map[string]string{}
	for _, e := range left.NetworkInterfaces {
		ids[e.NetworkInterfaceID] = e.Status
	}
	if _, gone := ids[inst.NetworkInterfaces[0].NetworkInterfaceID]; gone || ids[spare] != "available" || ids[third] != "available" {
		t.Fatalf("after termination: %v", ids)
	}
}

// TestSecondaryVpcCidr: a VPC takes secondary IPv4 blocks (EKS's
// 100.64.0.0/16 is the classic), each with a local route in every route
// table of the VPC (old and new), subnets in them; overlap, the quota and
// the primary block are refused as AWS refuses them, and a block in use
// by a subnet stays.
func TestSecondaryVpcCidr(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := t.Context()
	v := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.4.0.0/16"})).Vpc
	out := mustDo[*AssociateVpcCidrBlockOutput](t)(c.AssociateVpcCidrBlock(ctx, sc, &AssociateVpcCidrBlockInput{VpcID: v.VpcID, CidrBlock: "100.64.0.0/16"}))
	if out.CidrBlockAssociation.CidrBlockState.State != "associating" || out.VpcID != v.VpcID {
		t.Fatalf("associate answered %+v", out)
	}
	// AWS's association restrictions: other private ranges than the
	// primary's (172.16.0.0/12, 192.168.0.0/16, 198.19.0.0/16 with a
	// 10.0.0.0/8 primary) are refused; public blocks and 100.64.0.0/10 go.
	for _, bad := range []struct{ cidr, code string }{{"10.4.128.0/17", "InvalidVpc.Range"}, {"100.0.0.0/8", "InvalidVpc.Range"}, {"100.64.0.0/8", "InvalidParameterValue"}, {"100.64.5.0/24", "InvalidVpc.Range"},
		{"172.16.0.0/16", "InvalidVpc.Range"}, {"192.168.0.0/16", "InvalidVpc.Range"}, {"198.19.0.0/16", "InvalidVpc.Range"}} {
		_, err := c.AssociateVpcCidrBlock(ctx, sc, &AssociateVpcCidrBlockInput{VpcID: v.VpcID, CidrBlock: bad.cidr})
		wantCode(t, err, bad.code)
	}
	for _, ok := range []string{"10.5.0.0/16", "10.6.0.0/16", "10.7.0.0/16"} {
		mustDo[*AssociateVpcCidrBlockOutput](t)(c.AssociateVpcCidrBlock(ctx, sc, &AssociateVpcCidrBlockInput{VpcID: v.VpcID, CidrBlock: ok}))
	}
	_, err := c.AssociateVpcCidrBlock(ctx, sc, &AssociateVpcCidrBlockInput{VpcID: v.VpcID, CidrBlock: "10.8.0.0/16"})
	wantCode(t, err, "CidrLimitExceeded")
	newRT := mustDo[*CreateRouteTableOutput](t)(c.CreateRouteTable(ctx, sc, &CreateRouteTableInput{VpcID: v.VpcID})).RouteTable
	rts := mustDo[*DescribeRouteTablesOutput](t)(c.DescribeRouteTables(ctx, sc, &DescribeRouteTablesInput{Filters: []Filter{{Name: "vpc-id", Values: []string{v.VpcID}}}}))
	for _, rt := range rts.RouteTables {
		if !slices.ContainsFunc(rt.Routes, func(r Route) bool { return r.GatewayID == "local" && r.DestinationCidrBlock == "100.64.0.0/16" }) {
			t.Fatalf("route table %s (new: %v) has no local route for the secondary block: %+v", rt.RouteTableID, rt.RouteTableID == newRT.RouteTableID, rt.Routes)
		}
	}
	s := mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: v.VpcID, CidrBlock: "100.64.1.0/24"})).Subnet
	vpcs := mustDo[*DescribeVpcsOutput](t)(c.DescribeVpcs(ctx, sc, &DescribeVpcsInput{VpcIDs: []string{v.VpcID}}))
	var assoc string
	for _, a := range vpcs.Vpcs[0].CidrBlockAssociationSet {
		if a.CidrBlock.String() == "100.64.0.0/16" {
			assoc = a.AssociationID
			if a.CidrBlockState.State != "associated" {
				t.Fatalf("described state %s", a.CidrBlockState.State)
			}
		}
	}
	_, err = c.DisassociateVpcCidrBlock(ctx, sc, &DisassociateVpcCidrBlockInput{AssociationID: assoc})
	wantCode(t, err, "InvalidCidrBlock.InUse")
	_, err = c.DisassociateVpcCidrBlock(ctx, sc, &DisassociateVpcCidrBlockInput{AssociationID: vpcs.Vpcs[0].CidrBlockAssociationSet[0].AssociationID})
	wantCode(t, err, "OperationNotPermitted")
	mustDo[*Return](t)(c.DeleteSubnet(ctx, sc, &DeleteSubnetInput{SubnetID: s.SubnetID}))
	mustDo[*DisassociateVpcCidrBlockOutput](t)(c.DisassociateVpcCidrBlock(ctx, sc, &DisassociateVpcCidrBlockInput{AssociationID: assoc}))
	rt := mustDo[*DescribeRouteTablesOutput](t)(c.DescribeRouteTables(ctx, sc, &DescribeRouteTablesInput{RouteTableIDs: []string{newRT.RouteTableID}})).RouteTables[0]
	if slices.ContainsFunc(rt.Routes, func(r Route) bool { return r.DestinationCidrBlock == "100.64.0.0/16" }) {
		t.Fatalf("local route left after disassociation: %+v", rt.Routes)
	}
	_, err = c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: v.VpcID, CidrBlock: "100.64.1.0/24"})
	wantCode(t, err, "InvalidSubnet.Range")
}

// TestCreateDefaultVpcAndSubnet: after the default VPC is deleted,
// CreateDefaultVpc makes it again (172.31.0.0/16, default subnets,
// internet gateway); a second is DefaultVpcAlreadyExists; a deleted
// default subnet comes back with CreateDefaultSubnet in its zone.
func TestCreateDefaultVpcAndSubnet(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := t.Context()
	vpcs := mustDo[*DescribeVpcsOutput](t)(c.DescribeVpcs(ctx, sc, &DescribeVpcsInput{Filters: []Filter{{Name: "is-default", Values: []string{"true"}}}}))
	def := vpcs.Vpcs[0]
	_, err := c.CreateDefaultVpc(ctx, sc, &CreateDefaultVpcInput{})
	wantCode(t, err, "DefaultVpcAlreadyExists")
	subs := mustDo[*DescribeSubnetsOutput](t)(c.DescribeSubnets(ctx, sc, &DescribeSubnetsInput{Filters: []Filter{{Name: "vpc-id", Values: []string{def.VpcID}}}}))
	zone := subs.Subnets[0].AvailabilityZone
	mustDo[*Return](t)(c.DeleteSubnet(ctx, sc, &DeleteSubnetInput{SubnetID: subs.Subnets[0].SubnetID}))
	s := mustDo[*CreateSubnetOutput](t)(c.CreateDefaultSubnet(ctx, sc, &CreateDefaultSubnetInput{AvailabilityZone: zone})).Subnet
	if !s.DefaultForAz || s.AvailabilityZone != zone || s.CidrBlock != subs.Subnets[0].CidrBlock {
		t.Fatalf("default subnet again: %+v (was %+v)", s, subs.Subnets[0])
	}
	_, err = c.CreateDefaultSubnet(ctx, sc, &CreateDefaultSubnetInput{AvailabilityZone: zone})
	wantCode(t, err, "DefaultSubnetAlreadyExistsInAvailabilityZone")
	// Delete the whole default VPC (subnets, gateway first), then make it again.
	all := mustDo[*DescribeSubnetsOutput](t)(c.DescribeSubnets(ctx, sc, &DescribeSubnetsInput{Filters: []Filter{{Name: "vpc-id", Values: []string{def.VpcID}}}}))
	for _, sn := range all.Subnets {
		mustDo[*Return](t)(c.DeleteSubnet(ctx, sc, &DeleteSubnetInput{SubnetID: sn.SubnetID}))
	}
	igws := mustDo[*DescribeInternetGatewaysOutput](t)(c.DescribeInternetGateways(ctx, sc, &DescribeInternetGatewaysInput{}))
	for _, g := range igws.InternetGateways {
		mustDo[*Return](t)(c.DetachInternetGateway(ctx, sc, &InternetGatewayVpcInput{InternetGatewayID: g.InternetGatewayID, VpcID: def.VpcID}))
		mustDo[*Return](t)(c.DeleteInternetGateway(ctx, sc, &DeleteInternetGatewayInput{InternetGatewayID: g.InternetGatewayID}))
	}
	mustDo[*Return](t)(c.DeleteVpc(ctx, sc, &DeleteVpcInput{VpcID: def.VpcID}))
	_, err = c.CreateDefaultSubnet(ctx, sc, &CreateDefaultSubnetInput{AvailabilityZone: zone})
	wantCode(t, err, "DefaultVpcDoesNotExist")
	again := mustDo[*CreateVpcOutput](t)(c.CreateDefaultVpc(ctx, sc, &CreateDefaultVpcInput{})).Vpc
	if !again.IsDefault || again.CidrBlock.String() != "172.31.0.0/16" || again.VpcID == def.VpcID {
		t.Fatalf("default VPC again: %+v", again)
	}
	subs = mustDo[*DescribeSubnetsOutput](t)(c.DescribeSubnets(ctx, sc, &DescribeSubnetsInput{Filters: []Filter{{Name: "vpc-id", Values: []string{again.VpcID}}}}))
	if len(subs.Subnets) != len(all.Subnets) {
		t.Fatalf("default subnets: %d, want %d", len(subs.Subnets), len(all.Subnets))
	}
}

// TestPrefixListStates: prefix list changes are asynchronous in AWS —
// create-in-progress, modify-in-progress with the version before the
// change, delete-in-progress — and complete after the provisioning delay;
// deleting a list a rule references ends delete-failed, the list kept.
func TestPrefixListStates(t *testing.T) {
	c, clk := newTestCloud(t)
	ctx := t.Context()
	max := int32(5)
	p := mustDo[*PrefixListOutput](t)(c.CreateManagedPrefixList(ctx, sc, &CreateManagedPrefixListInput{PrefixListName: "office", MaxEntries: &max, AddressFamily: "IPv4",
		Entries: []PrefixListEntry{{Cidr: "192.0.2.0/24"}}})).PrefixList
	describe := func() *ManagedPrefixList {
		out := mustDo[*DescribeManagedPrefixListsOutput](t)(c.DescribeManagedPrefixLists(ctx, sc, &DescribeManagedPrefixListsInput{PrefixListIDs: []string{p.PrefixListID}}))
		return out.PrefixLists[0]
	}
	if p.State != "create-in-progress" || describe().State != "create-in-progress" {
		t.Fatalf("created: %s / %s", p.State, describe().State)
	}
	clk.Advance(time.Minute)
	if describe().State != "create-complete" {
		t.Fatalf("after the delay: %s", describe().State)
	}
	one := int64(1)
	m := mustDo[*PrefixListOutput](t)(c.ModifyManagedPrefixList(ctx, sc, &ModifyManagedPrefixListInput{PrefixListID: p.PrefixListID, CurrentVersion: &one,
		AddEntries: []PrefixListEntry{{Cidr: "198.51.100.0/24"}}})).PrefixList
	if m.State != "modify-in-progress" || *m.Version != 1 || *describe().Version != 1 {
		t.Fatalf("modify answered %s v%d, described v%d", m.State, *m.Version, *describe().Version)
	}
	clk.Advance(time.Minute)
	if d := describe(); d.State != "modify-complete" || *d.Version != 2 {
		t.Fatalf("after modify: %s v%d", d.State, *d.Version)
	}
	v := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.3.0.0/16"})).Vpc
	g := mustDo[*CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx, sc, &CreateSecurityGroupInput{GroupName: "pl", Description: "pl", VpcID: v.VpcID})).GroupID
	port := int32(22)
	mustDo[*AuthorizeOutput](t)(c.AuthorizeSecurityGroupIngress(ctx, sc, &SecurityGroupRulesInput{GroupID: g,
		IPPermissions: []IPPermission{{IPProtocol: "tcp", FromPort: &port, ToPort: &port, PrefixListIDs: []PrefixListIDPeer{{PrefixListID: p.PrefixListID}}}}}))
	d := mustDo[*PrefixListOutput](t)(c.DeleteManagedPrefixList(ctx, sc, &DeletePrefixListInput{PrefixListID: p.PrefixListID})).PrefixList
	if d.State != "delete-in-progress" {
		t.Fatalf("delete answered %s", d.State)
	}
	clk.Advance(time.Minute)
	if st := describe().State; st != "delete-failed" {
		t.Fatalf("referenced list after delete: %s", st)
	}
}

// TestInterfaceAssociationFilters: DescribeNetworkInterfaces filters on
// the public address association (association.public-ip,
// association.allocation-id …), which comes from the Elastic IPs.
func TestInterfaceAssociationFilters(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := t.Context()
	s := newSubnet(t, c, "10.2.0.0/16", "10.2.1.0/24")
	a := mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: s.SubnetID})).NetworkInterface.NetworkInterfaceID
	mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: s.SubnetID}))
	eip := mustDo[*AllocateAddressOutput](t)(c.AllocateAddress(ctx, sc, &AllocateAddressInput{}))
	mustDo[*AssociateAddressOutput](t)(c.AssociateAddress(ctx, sc, &AssociateAddressInput{AllocationID: eip.AllocationID, NetworkInterfaceID: a}))
	for _, f := range []Filter{{Name: "association.public-ip", Values: []string{eip.PublicIP}}, {Name: "association.allocation-id", Values: []string{eip.AllocationID}}} {
		out := mustDo[*DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx, sc, &DescribeNetworkInterfacesInput{Filters: []Filter{f}}))
		if len(out.NetworkInterfaces) != 1 || out.NetworkInterfaces[0].NetworkInterfaceID != a {
			t.Fatalf("%s: %d interfaces", f.Name, len(out.NetworkInterfaces))
		}
	}
}

// TestTagSpecificationMessages: EC2's wording for a tag specification
// without a resource type or without tags, and for CreateTags without
// tags (all InvalidParameterValue).
func TestTagSpecificationMessages(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := t.Context()
	for _, tc := range []struct {
		spec TagSpecification
		msg  string
	}{
		{TagSpecification{Tags: []Tag{{Key: "a", Value: "b"}}}, "Tag specification resource type must have a value"},
		{TagSpecification{ResourceType: "vpc"}, "Tag specification must have at least one tag"},
	} {
		_, err := c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.1.0.0/16", TagSpecifications: []TagSpecification{tc.spec}})
		wantCode(t, err, "InvalidParameterValue")
		if !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%+v: %v, want %q", tc.spec, err, tc.msg)
		}
	}
	v := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.1.0.0/16"})).Vpc
	_, err := c.CreateTags(ctx, sc, &CreateTagsInput{Resources: []string{v.VpcID}})
	wantCode(t, err, "InvalidParameterValue")
	if !strings.Contains(err.Error(), "You must specify one or more tags to create") {
		t.Errorf("CreateTags without tags: %v", err)
	}
}

// TestPeeringLifecycle: AWS's rules for ending peerings — a pending
// request is deleted by its requester but only rejected by the peer, a
// rejected one cannot be deleted, a VPC with a pending request from
// another account cannot be deleted, and deleting a VPC deletes its active
// peerings.
func TestPeeringLifecycle(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := t.Context()
	other := Scope{Account: "210987654321", Region: sc.Region}
	a := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.60.0.0/16"})).Vpc.VpcID
	b := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, other, &CreateVpcInput{CidrBlock: "10.61.0.0/16"})).Vpc.VpcID
	req := func() string {
		return mustDo[*VpcPeeringConnectionOutput](t)(c.CreateVpcPeeringConnection(ctx, sc, &CreateVpcPeeringConnectionInput{VpcID: a, PeerVpcID: b, PeerOwnerID: other.Account})).VpcPeeringConnection.VpcPeeringConnectionID
	}
	p1 := req()
	_, err := c.DeleteVpcPeeringConnection(ctx, other, &VpcPeeringConnectionIDInput{VpcPeeringConnectionID: p1})
	wantCode(t, err, "OperationNotPermitted")
	_, err = c.DeleteVpc(ctx, other, &DeleteVpcInput{VpcID: b})
	wantCode(t, err, "DependencyViolation")
	mustDo[*Return](t)(c.RejectVpcPeeringConnection(ctx, other, &VpcPeeringConnectionIDInput{VpcPeeringConnectionID: p1}))
	_, err = c.DeleteVpcPeeringConnection(ctx, sc, &VpcPeeringConnectionIDInput{VpcPeeringConnectionID: p1})
	wantCode(t, err, "InvalidStateTransition")
	p2 := req()
	_, err = c.RejectVpcPeeringConnection(ctx, sc, &VpcPeeringConnectionIDInput{VpcPeeringConnectionID: p2})
	wantCode(t, err, "OperationNotPermitted") // the requester cannot reject its own request
	acc := mustDo[*VpcPeeringConnectionOutput](t)(c.AcceptVpcPeeringConnection(ctx, other, &VpcPeeringConnectionIDInput{VpcPeeringConnectionID: p2}))
	if acc.VpcPeeringConnection.Status.Code != "provisioning" || acc.VpcPeeringConnection.AccepterVpcInfo.CidrBlock != "10.61.0.0/16" {
		t.Fatalf("accept answered %+v", acc.VpcPeeringConnection)
	}
	_, err = c.AcceptVpcPeeringConnection(ctx, other, &VpcPeeringConnectionIDInput{VpcPeeringConnectionID: p2})
	wantCode(t, err, "InvalidStateTransition")
	_, err = c.AcceptVpcPeeringConnection(ctx, other, &VpcPeeringConnectionIDInput{VpcPeeringConnectionID: "pcx-0123456789abcdef0"})
	wantCode(t, err, "InvalidVpcPeeringConnectionID.NotFound")
	mustDo[*Return](t)(c.DeleteVpc(ctx, sc, &DeleteVpcInput{VpcID: a}))
	got := mustDo[*DescribeVpcPeeringConnectionsOutput](t)(c.DescribeVpcPeeringConnections(ctx, other, &DescribeVpcPeeringConnectionsInput{IDs: []string{p2}}))
	if got.Connections[0].Status.Code != "deleted" {
		t.Fatalf("peering after its requester VPC was deleted: %s", got.Connections[0].Status.Code)
	}
}

// TestCidrRangeRestrictions: the table of AWS's "IPv4 CIDR block
// association restrictions" by the primary block's range.
func TestCidrRangeRestrictions(t *testing.T) {
	for _, tc := range []struct {
		primary, add string
		restricted   bool
	}{
		{"10.0.0.0/16", "10.1.0.0/16", false},
		{"10.0.0.0/16", "172.16.0.0/16", true},
		{"10.0.0.0/16", "192.168.0.0/16", true},
		{"10.0.0.0/16", "198.19.0.0/16", true},
		{"10.0.0.0/16", "100.64.0.0/16", false},
		{"10.0.0.0/16", "52.0.0.0/16", false},
		{"172.31.0.0/16", "172.30.0.0/16", false},
		{"172.31.0.0/16", "10.0.0.0/16", true},
		{"192.168.0.0/20", "192.168.16.0/20", false},
		{"192.168.0.0/20", "172.16.0.0/16", true},
		{"198.19.0.0/20", "198.19.16.0/20", false},
		{"198.19.0.0/20", "10.0.0.0/16", true},
		{"100.64.0.0/16", "10.0.0.0/16", true},
		{"100.64.0.0/16", "100.65.0.0/16", false},
		{"52.0.0.0/16", "192.168.0.0/16", true},
		{"52.0.0.0/16", "53.0.0.0/16", false},
	} {
		if got := restrictedCidr(netip.MustParsePrefix(tc.primary), netip.MustParsePrefix(tc.add)); got != tc.restricted {
			t.Errorf("primary %s, adding %s: restricted = %v, want %v", tc.primary, tc.add, got, tc.restricted)
		}
	}
}

// TestInterRegionPeering: a peering with a VPC of another region is
// pending-acceptance in both regions, accepted only in the peer's region,
// and routes in either side then target it; an unknown region is refused.
// Path analysis stays within one region (the peer is not in the linked
// snapshot).
func TestInterRegionPeering(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := t.Context()
	west := Scope{Account: sc.Account, Region: "eu-west-1"}
	a := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.60.0.0/16"})).Vpc.VpcID
	b := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, west, &CreateVpcInput{CidrBlock: "10.61.0.0/16"})).Vpc.VpcID
	_, err := c.CreateVpcPeeringConnection(ctx, sc, &CreateVpcPeeringConnectionInput{VpcID: a, PeerVpcID: b, PeerRegion: "mars-north-1"})
	wantCode(t, err, "InvalidParameterValue")
	_, err = c.CreateVpcPeeringConnection(ctx, sc, &CreateVpcPeeringConnectionInput{VpcID: a, PeerVpcID: b}) // b is not in us-east-1
	wantCode(t, err, "InvalidVpcID.NotFound")
	p := mustDo[*VpcPeeringConnectionOutput](t)(c.CreateVpcPeeringConnection(ctx, sc, &CreateVpcPeeringConnectionInput{VpcID: a, PeerVpcID: b, PeerRegion: "eu-west-1"})).VpcPeeringConnection
	if p.AccepterVpcInfo.Region != "eu-west-1" || p.RequesterVpcInfo.Region != "us-east-1" {
		t.Fatalf("peering = %+v", p)
	}
	_, err = c.AcceptVpcPeeringConnection(ctx, sc, &VpcPeeringConnectionIDInput{p.VpcPeeringConnectionID})
	wantCode(t, err, "OperationNotPermitted") // the requester's region
	seen := mustDo[*DescribeVpcPeeringConnectionsOutput](t)(c.DescribeVpcPeeringConnections(ctx, west, &DescribeVpcPeeringConnectionsInput{}))
	if len(seen.Connections) != 1 || seen.Connections[0].Status.Code != "pending-acceptance" {
		t.Fatalf("in the peer's region = %+v", seen.Connections)
	}
	mustDo[*VpcPeeringConnectionOutput](t)(c.AcceptVpcPeeringConnection(ctx, west, &VpcPeeringConnectionIDInput{p.VpcPeeringConnectionID}))
	rt := mustDo[*CreateRouteTableOutput](t)(c.CreateRouteTable(ctx, west, &CreateRouteTableInput{VpcID: b})).RouteTable.RouteTableID
	mustDo[*Return](t)(c.CreateRoute(ctx, west, &RouteInput{RouteTableID: rt, DestinationCidrBlock: "10.60.0.0/16", RouteTarget: RouteTarget{VpcPeeringConnectionID: p.VpcPeeringConnectionID}}))
	l := mustDo[*Snapshot](t)(c.LinkedSnapshot(ctx, sc))
	if l.Peerings[p.VpcPeeringConnectionID] == nil || !l.Peerings[p.VpcPeeringConnectionID].Active() || l.Vpcs[b] != nil {
		t.Fatalf("linked snapshot across regions: accounts %v", l.Accounts())
	}
}
