package cloud

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/vpce/vpce/internal/store"
)

// TestVpcQuota: AWS's default of 5 VPCs per account and region, the default
// VPC included (VPC quotas page of the Amazon VPC guide), per account.
func TestVpcQuota(t *testing.T) {
	c, _ := newTestCloud(t)
	for i := range 4 {
		mustDo[*CreateVpcOutput](t)(c.CreateVpc(t.Context(), sc, &CreateVpcInput{CidrBlock: fmt.Sprintf("10.%d.0.0/16", i)}))
	}
	_, err := c.CreateVpc(t.Context(), sc, &CreateVpcInput{CidrBlock: "10.9.0.0/16"})
	wantCode(t, err, "VpcLimitExceeded")
	// Another account, and another region, are not affected.
	other := Scope{Account: "210987654321", Region: "us-east-1"}
	mustDo[*CreateVpcOutput](t)(c.CreateVpc(t.Context(), other, &CreateVpcInput{CidrBlock: "10.0.0.0/16"}))
	mustDo[*CreateVpcOutput](t)(c.CreateVpc(t.Context(), Scope{Account: sc.Account, Region: "eu-west-1"}, &CreateVpcInput{CidrBlock: "10.0.0.0/16"}))
	// A deleted VPC frees its place.
	vpcs := mustDo[*DescribeVpcsOutput](t)(c.DescribeVpcs(t.Context(), sc, &DescribeVpcsInput{}))
	for _, v := range vpcs.Vpcs {
		if !v.IsDefault {
			mustDo[*Return](t)(c.DeleteVpc(t.Context(), sc, &DeleteVpcInput{VpcID: v.VpcID}))
			break
		}
	}
	mustDo[*CreateVpcOutput](t)(c.CreateVpc(t.Context(), sc, &CreateVpcInput{CidrBlock: "10.9.0.0/16"}))
}

// TestResolverPoolFull: when the shared resolver range is used up, new
// accounts still get their default VPC (without a resolver) instead of
// failing on their first request.
func TestResolverPoolFull(t *testing.T) {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clk := &fakeClock{t: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	c := New(Config{Store: st, Clock: clk.Now, ResolverPrefix: netip.MustParsePrefix("127.100.0.0/30"), Quotas: map[string]int{QuotaVPCs: 100}})
	for i := range 4 {
		mustDo[*CreateVpcOutput](t)(c.CreateVpc(t.Context(), sc, &CreateVpcInput{CidrBlock: fmt.Sprintf("10.%d.0.0/16", i)}))
	}
	newcomer := Scope{Account: "555555555555", Region: "us-east-1"}
	out, err := c.DescribeVpcs(t.Context(), newcomer, &DescribeVpcsInput{})
	if err != nil || len(out.Vpcs) != 1 || !out.Vpcs[0].IsDefault {
		t.Fatalf("a new account with the pool full: %v %+v", err, out)
	}
	if out.Vpcs[0].ResolverAddr.IsValid() {
		t.Errorf("resolver %s handed out from a full /30", out.Vpcs[0].ResolverAddr)
	}
}

// TestPurge: terminated instances and expired client tokens leave the
// store once no reader can see them; live ones stay.
func TestPurge(t *testing.T) {
	c, clk := newTestCloud(t)
	one := int32(1)
	run := func(token string) string {
		res := mustDo[*Reservation](t)(c.RunInstances(t.Context(), sc, &RunInstancesInput{ImageID: "ami-12345678", MinCount: &one, MaxCount: &one, ClientToken: token}))
		return res.Instances[0].InstanceID
	}
	dead, alive := run("tok-1"), run("")
	mustDo[*TerminateInstancesOutput](t)(c.TerminateInstances(t.Context(), sc, &TerminateInstancesInput{InstanceIDs: []string{dead}}))
	count := func(kind string) int {
		n := 0
		c.st.View(t.Context(), func(tx store.Txn) error {
			rs, err := tx.ListKind(kind)
			n = len(rs)
			return err
		})
		return n
	}
	if n, err := c.Purge(t.Context()); err != nil || n != 0 {
		t.Fatalf("purge while everything is visible: %d %v", n, err)
	}
	clk.Advance(2 * time.Hour)
	if n, err := c.Purge(t.Context()); err != nil || n != 1 {
		t.Fatalf("purge after the retention: %d %v, want the terminated instance", n, err)
	}
	if got := count(kindInstance); got != 1 {
		t.Errorf("%d instances stored, want the live one (%s)", got, alive)
	}
	if count(kindToken) != 1 {
		t.Error("the client token went before its 24 hours")
	}
	clk.Advance(TokenRetention)
	if n, _ := c.Purge(t.Context()); n != 1 || count(kindToken) != 0 {
		t.Errorf("the expired client token stayed (%d purged)", n)
	}
}

// TestDNSGeneration: a change DNS does not read (a security group) leaves
// the DNS generation alone; one it reads (a subnet) moves it.
func TestDNSGeneration(t *testing.T) {
	c, _ := newTestCloud(t)
	vpc := mustDo[*CreateVpcOutput](t)(c.CreateVpc(t.Context(), sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
	before := c.DNSGeneration()
	mustDo[*CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(t.Context(), sc, &CreateSecurityGroupInput{VpcID: vpc, GroupName: "web", Description: "d"}))
	if got := c.DNSGeneration(); got != before {
		t.Errorf("a security group moved the DNS generation %d → %d", before, got)
	}
	mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(t.Context(), sc, &CreateSubnetInput{VpcID: vpc, CidrBlock: "10.0.1.0/24"}))
	if c.DNSGeneration() == before {
		t.Error("a subnet did not move the DNS generation")
	}
}

// TestAddressIndex: the address index follows every interface write —
// an address in use is refused, a deleted interface's address is free
// again, and the index holds exactly the subnet's addresses.
func TestAddressIndex(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := t.Context()
	vpc := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
	sub := mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: vpc, CidrBlock: "10.0.1.0/28"})).Subnet.SubnetID
	a := mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: sub, PrivateIPAddress: "10.0.1.9"})).NetworkInterface
	_, err := c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: sub, PrivateIPAddress: "10.0.1.9"})
	wantCode(t, err, "InvalidIPAddress.InUse")
	b := mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: sub})).NetworkInterface
	if b.PrivateIPAddress.String() != "10.0.1.4" {
		t.Errorf("first free address = %s, want 10.0.1.4", b.PrivateIPAddress)
	}
	mustDo[*Return](t)(c.DeleteNetworkInterface(ctx, sc, &DeleteNetworkInterfaceInput{NetworkInterfaceID: a.NetworkInterfaceID}))
	mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: sub, PrivateIPAddress: "10.0.1.9"}))
	var ids []string
	c.st.View(ctx, func(tx store.Txn) error {
		rs, err := tx.ListChildren(sc, kindAddress, sub)
		for _, r := range rs {
			ids = append(ids, r.ID)
		}
		return err
	})
	if strings.Join(ids, ",") != sub+"/10.0.1.4,"+sub+"/10.0.1.9" {
		t.Errorf("address index = %v", ids)
	}
}

// TestGroupDependents: a group used by an interface, or named by another
// group's rule, cannot be deleted (DependencyViolation); once the use is
// gone it can. A group naming itself does not block its own deletion.
func TestGroupDependents(t *testing.T) {
	c, _ := newTestCloud(t)
	ctx := t.Context()
	vpc := mustDo[*CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
	sub := mustDo[*CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: vpc, CidrBlock: "10.0.1.0/24"})).Subnet.SubnetID
	group := func(name string) string {
		return mustDo[*CreateSecurityGroupOutput](t)(c.CreateSecurityGroup(ctx, sc, &CreateSecurityGroupInput{VpcID: vpc, GroupName: name, Description: "d"})).GroupID
	}
	web, db := group("web"), group("db")
	eni := mustDo[*CreateNetworkInterfaceOutput](t)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: sub, Groups: []string{web}})).NetworkInterface
	_, err := c.DeleteSecurityGroup(ctx, sc, &DeleteSecurityGroupInput{GroupID: web})
	wantCode(t, err, "DependencyViolation")
	mustDo[*Return](t)(c.DeleteNetworkInterface(ctx, sc, &DeleteNetworkInterfaceInput{NetworkInterfaceID: eni.NetworkInterfaceID}))
	port := int32(5432)
	rule := &SecurityGroupRulesInput{GroupID: db, IPPermissions: []IPPermission{{IPProtocol: "tcp", FromPort: &port, ToPort: &port, Groups: []UserIDGroupPair{{GroupID: web}}}}}
	mustDo[*AuthorizeOutput](t)(c.AuthorizeSecurityGroupIngress(ctx, sc, rule))
	_, err = c.DeleteSecurityGroup(ctx, sc, &DeleteSecurityGroupInput{GroupID: web})
	wantCode(t, err, "DependencyViolation")
	// Two rules name web: revoking one leaves web in use.
	other := int32(6432)
	rule2 := &SecurityGroupRulesInput{GroupID: db, IPPermissions: []IPPermission{{IPProtocol: "tcp", FromPort: &other, ToPort: &other, Groups: []UserIDGroupPair{{GroupID: web}}}}}
	mustDo[*AuthorizeOutput](t)(c.AuthorizeSecurityGroupIngress(ctx, sc, rule2))
	mustDo[*RevokeOutput](t)(c.RevokeSecurityGroupIngress(ctx, sc, rule))
	_, err = c.DeleteSecurityGroup(ctx, sc, &DeleteSecurityGroupInput{GroupID: web})
	wantCode(t, err, "DependencyViolation")
	mustDo[*RevokeOutput](t)(c.RevokeSecurityGroupIngress(ctx, sc, rule2))
	self := &SecurityGroupRulesInput{GroupID: web, IPPermissions: []IPPermission{{IPProtocol: "-1", Groups: []UserIDGroupPair{{GroupID: web}}}}}
	mustDo[*AuthorizeOutput](t)(c.AuthorizeSecurityGroupIngress(ctx, sc, self))
	mustDo[*DeleteSecurityGroupOutput](t)(c.DeleteSecurityGroup(ctx, sc, &DeleteSecurityGroupInput{GroupID: web}))
}

// TestFilterLimits: AWS's limits of 50 filters and 200 filter values per
// call are FilterLimitExceeded.
func TestFilterLimits(t *testing.T) {
	c, _ := newTestCloud(t)
	many := make([]Filter, 51)
	for i := range many {
		many[i] = Filter{Name: "vpc-id", Values: []string{"vpc-1"}}
	}
	_, err := c.DescribeVpcs(t.Context(), sc, &DescribeVpcsInput{Filters: many})
	wantCode(t, err, "FilterLimitExceeded")
	_, err = c.DescribeVpcs(t.Context(), sc, &DescribeVpcsInput{Filters: []Filter{{Name: "vpc-id", Values: make([]string, 201)}}})
	wantCode(t, err, "FilterLimitExceeded")
	if _, err := c.DescribeVpcs(t.Context(), sc, &DescribeVpcsInput{Filters: many[:50]}); err != nil {
		t.Errorf("50 filters: %v", err)
	}
}
