package cloud

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// BenchmarkGrowth measures calls whose cost must not grow with the state:
// a create in a VPC, Describe by ID, Describe with a parent filter, at
// 1,000 and 10,000 security groups and interfaces in the account. Compare
// the ns/op of the sizes (run: go test -run='^$' -bench=Growth
// -benchtime=100x ./internal/cloud; VPCE_GROWTH_SIZES=1000,100000 for
// other sizes).
func BenchmarkGrowth(b *testing.B) {
	sizes := []int{1000, 10000}
	if env := os.Getenv("VPCE_GROWTH_SIZES"); env != "" { // e.g. 1000,100000
		sizes = nil
		for _, f := range strings.Split(env, ",") {
			n, err := strconv.Atoi(f)
			if err != nil {
				b.Fatalf("VPCE_GROWTH_SIZES: %v", err)
			}
			sizes = append(sizes, n)
		}
	}
	for _, n := range sizes {
		c, _ := newTestCloud(b)
		ctx := b.Context()
		vpc := mustDo[*CreateVpcOutput](b)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
		other := ""
		empty := mustDo[*CreateSubnetOutput](b)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: vpc, CidrBlock: "10.0.0.0/24"})).Subnet.SubnetID
		var lastSG, lastENI, sub string
		for i := range n {
			if i%(250*256) == 0 { // a /16 holds 256 subnets of 250 interfaces
				other = mustDo[*CreateVpcOutput](b)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: fmt.Sprintf("10.%d.0.0/16", 1+i/250/256)})).Vpc.VpcID
			}
			if i%250 == 0 { // interfaces spread over /24 subnets, as in real VPCs
				sub = mustDo[*CreateSubnetOutput](b)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: other, CidrBlock: fmt.Sprintf("10.%d.%d.0/24", 1+i/250/256, i/250%256)})).Subnet.SubnetID
			}
			lastSG = mustDo[*CreateSecurityGroupOutput](b)(c.CreateSecurityGroup(ctx, sc, &CreateSecurityGroupInput{VpcID: other, GroupName: fmt.Sprint("g", i), Description: "d"})).GroupID
			lastENI = mustDo[*CreateNetworkInterfaceOutput](b)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: sub})).NetworkInterface.NetworkInterfaceID
		}
		mustDo[*Return](b)(c.CreateTags(ctx, sc, &CreateTagsInput{Resources: []string{lastSG}, Tags: []Tag{{Key: "Name", Value: "needle"}}}))
		b.Run(fmt.Sprintf("DescribeSecurityGroupsFilterTag/%d", n), func(b *testing.B) {
			for b.Loop() {
				out := mustDo[*DescribeSecurityGroupsOutput](b)(c.DescribeSecurityGroups(ctx, sc, &DescribeSecurityGroupsInput{Filters: []Filter{{Name: "tag:Name", Values: []string{"needle"}}}}))
				if len(out.SecurityGroups) != 1 {
					b.Fatalf("tag filter found %d groups", len(out.SecurityGroups))
				}
			}
		})
		b.Run(fmt.Sprintf("CreateSecurityGroup/%d", n), func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				mustDo[*CreateSecurityGroupOutput](b)(c.CreateSecurityGroup(ctx, sc, &CreateSecurityGroupInput{VpcID: vpc, GroupName: fmt.Sprint("new", n, "-", i), Description: "d"}))
			}
		})
		b.Run(fmt.Sprintf("DescribeSecurityGroupsByID/%d", n), func(b *testing.B) {
			for b.Loop() {
				mustDo[*DescribeSecurityGroupsOutput](b)(c.DescribeSecurityGroups(ctx, sc, &DescribeSecurityGroupsInput{GroupIDs: []string{lastSG}}))
			}
		})
		b.Run(fmt.Sprintf("CreateNetworkInterfaceEmptySubnet/%d", n), func(b *testing.B) {
			for b.Loop() {
				e := mustDo[*CreateNetworkInterfaceOutput](b)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: empty}))
				mustDo[*Return](b)(c.DeleteNetworkInterface(ctx, sc, &DeleteNetworkInterfaceInput{NetworkInterfaceID: e.NetworkInterface.NetworkInterfaceID}))
			}
		})
		b.Run(fmt.Sprintf("DescribeNetworkInterfacesByID/%d", n), func(b *testing.B) {
			for b.Loop() {
				mustDo[*DescribeNetworkInterfacesOutput](b)(c.DescribeNetworkInterfaces(ctx, sc, &DescribeNetworkInterfacesInput{NetworkInterfaceIDs: []string{lastENI}}))
			}
		})
		b.Run(fmt.Sprintf("FullPagingSecurityGroups/%d", n), func(b *testing.B) {
			for b.Loop() {
				page := Page{MaxResults: new(int64)}
				*page.MaxResults = 1000
				got := 0
				for {
					out := mustDo[*DescribeSecurityGroupsOutput](b)(c.DescribeSecurityGroups(ctx, sc, &DescribeSecurityGroupsInput{Page: page}))
					got += len(out.SecurityGroups)
					if out.NextToken == "" {
						break
					}
					page.NextToken = out.NextToken
				}
				if got < n {
					b.Fatalf("paged %d groups of %d", got, n)
				}
			}
		})
		b.Run(fmt.Sprintf("DescribeSecurityGroupsFilterVpc/%d", n), func(b *testing.B) {
			for b.Loop() {
				mustDo[*DescribeSecurityGroupsOutput](b)(c.DescribeSecurityGroups(ctx, sc, &DescribeSecurityGroupsInput{Filters: []Filter{{Name: "vpc-id", Values: []string{vpc}}}}))
			}
		})
		b.Run(fmt.Sprintf("DescribeNetworkInterfacesFilterSubnet/%d", n), func(b *testing.B) {
			for b.Loop() {
				mustDo[*DescribeNetworkInterfacesOutput](b)(c.DescribeNetworkInterfaces(ctx, sc, &DescribeNetworkInterfacesInput{Filters: []Filter{{Name: "subnet-id", Values: []string{sub}}}}))
			}
		})
		b.Run(fmt.Sprintf("DescribeSubnetsByID/%d", n), func(b *testing.B) {
			for b.Loop() {
				mustDo[*DescribeSubnetsOutput](b)(c.DescribeSubnets(ctx, sc, &DescribeSubnetsInput{SubnetIDs: []string{empty}}))
			}
		})
	}
}

// TestPlainPagingMatchesListing: paging read straight from the store
// returns every group exactly once, in the order a full listing gives,
// and hides deleted endpoints as the listing does.
func TestPlainPagingMatchesListing(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := t.Context()
	vpc := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
	for i := range 23 {
		mustDo[*CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx, sc, &CreateSecurityGroupInput{VpcID: vpc, GroupName: fmt.Sprint("g", i), Description: "d"}))
	}
	all := mustDo[*DescribeSecurityGroupsOutput](t)(c.DescribeSecurityGroups(ctx, sc, &DescribeSecurityGroupsInput{})).SecurityGroups
	var paged []string
	page := Page{MaxResults: new(int64)}
	*page.MaxResults = 5
	for {
		out := mustDo[*DescribeSecurityGroupsOutput](t)(c.DescribeSecurityGroups(ctx, sc, &DescribeSecurityGroupsInput{Page: page}))
		for _, g := range out.SecurityGroups {
			paged = append(paged, g.GroupID)
		}
		if out.NextToken == "" {
			break
		}
		page.NextToken = out.NextToken
	}
	if len(paged) != len(all) {
		t.Fatalf("paged %d groups, listed %d", len(paged), len(all))
	}
	for i := range all {
		if all[i].GroupID != paged[i] {
			t.Fatalf("page order differs at %d: %s vs %s", i, paged[i], all[i].GroupID)
		}
	}
	_, err := c.DescribeSecurityGroups(ctx, sc, &DescribeSecurityGroupsInput{Page: Page{MaxResults: page.MaxResults, NextToken: "bogus"}})
	wantCode(t, err, "InvalidNextToken")
}

// TestParentFilterMatchesScan: a Describe narrowed through the parent
// index (vpc-id on groups, subnet-id on interfaces) answers what the
// full scan with the same filters answers.
func TestParentFilterMatchesScan(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := t.Context()
	var vpcs []string
	for i := range 2 {
		vpcs = append(vpcs, mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: fmt.Sprintf("10.%d.0.0/16", i)})).Vpc.VpcID)
		for j := range 3 {
			mustDo[*CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx, sc, &CreateSecurityGroupInput{VpcID: vpcs[i], GroupName: fmt.Sprint("g", j), Description: "d"}))
		}
	}
	ids := func(fs []Filter) string {
		out := mustDo[*DescribeSecurityGroupsOutput](t)(c.DescribeSecurityGroups(ctx, sc, &DescribeSecurityGroupsInput{Filters: fs}))
		var s []string
		for _, g := range out.SecurityGroups {
			s = append(s, g.GroupID)
		}
		return strings.Join(s, ",")
	}
	indexed := ids([]Filter{{Name: "vpc-id", Values: []string{vpcs[0]}}})
	scanned := ids([]Filter{{Name: "vpc-id", Values: []string{vpcs[0][:6] + "*"}}, {Name: "vpc-id", Values: []string{vpcs[0]}}}) // a wildcard forces the scan
	if indexed == "" || indexed != scanned || strings.Count(indexed, ",") != 3 {
		t.Errorf("vpc-id through the index = %s, through the scan = %s (want the VPC's 4 groups)", indexed, scanned)
	}
	both := ids([]Filter{{Name: "vpc-id", Values: vpcs}, {Name: "group-name", Values: []string{"g1"}}})
	if strings.Count(both, ",") != 1 {
		t.Errorf("two VPCs and a name = %s, want 2 groups", both)
	}
}

// TestTagFilterThroughIndex: a tag:Key filter read through the tag index
// answers as the scan does, follows CreateTags and DeleteTags, and forgets
// deleted resources.
func TestTagFilterThroughIndex(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := t.Context()
	vpc := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
	var subnets []string
	for i := range 4 {
		subnets = append(subnets, mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: vpc, CidrBlock: fmt.Sprintf("10.0.%d.0/24", i)})).Subnet.SubnetID)
	}
	mustDo[*Return](t)(c.CreateTags(ctx, sc, &CreateTagsInput{Resources: subnets[:3], Tags: []Tag{{Key: "tier", Value: "private"}}}))
	mustDo[*Return](t)(c.CreateTags(ctx, sc, &CreateTagsInput{Resources: subnets[2:], Tags: []Tag{{Key: "tier", Value: "public"}}}))
	ids := func(fs ...Filter) string {
		out := mustDo[*DescribeSubnetsOutput](t)(c.DescribeSubnets(ctx, sc, &DescribeSubnetsInput{Filters: fs}))
		var s []string
		for _, x := range out.Subnets {
			s = append(s, x.SubnetID)
		}
		return strings.Join(s, ",")
	}
	sorted := func(xs []string) string { return strings.Join(slices.Sorted(slices.Values(xs)), ",") }
	indexed := ids(Filter{Name: "tag:tier", Values: []string{"private"}})
	scanned := ids(Filter{Name: "tag:tier", Values: []string{"priv*"}}) // a wildcard forces the scan
	if indexed != scanned || indexed != sorted(subnets[:2]) {
		t.Errorf("tag:tier=private through the index = %s, the scan = %s, want %v (the third was retagged public)", indexed, scanned, subnets[:2])
	}
	if got := ids(Filter{Name: "tag:tier", Values: []string{"public"}}); got != sorted(subnets[2:]) {
		t.Errorf("tag:tier=public = %s", got)
	}
	mustDo[*Return](t)(c.DeleteTags(ctx, sc, &DeleteTagsInput{Resources: subnets[:1]}))
	mustDo[*Return](t)(c.DeleteSubnet(ctx, sc, &DeleteSubnetInput{SubnetID: subnets[1]}))
	if got := ids(Filter{Name: "tag:tier", Values: []string{"private"}}); got != "" {
		t.Errorf("after DeleteTags and DeleteSubnet, tag:tier=private = %s, want none", got)
	}
}
