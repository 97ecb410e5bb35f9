package e2e

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// TestCrash kills vpce with SIGKILL in the middle of a burst of creates and
// checks, after a restart, that every create a client was told succeeded is
// there and that no invariant was broken by a half-written change.
func TestCrash(t *testing.T) {
	s, err := startServer(filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.stop() }()
	const acct = "210987654321"
	c := clientFor(s.url, acct, "us-east-1")
	_, subs := newVPC(t, c, "10.40.0.0/16", map[string]string{"10.40.0.0/20": "us-east-1a"})
	sid := subs["10.40.0.0/20"]

	var (
		mu       sync.Mutex
		ackENIs  []string
		ackVPCs  []string
		wg       sync.WaitGroup
		killedAt = make(chan struct{})
	)
	burst := func(fn func() (string, bool)) {
		defer wg.Done()
		for {
			select {
			case <-killedAt:
				return
			default:
			}
			fn()
		}
	}
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go burst(func() (string, bool) {
			out, err := c.CreateNetworkInterface(t.Context(), &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(sid)})
			if err != nil {
				return "", false
			}
			mu.Lock()
			ackENIs = append(ackENIs, *out.NetworkInterface.NetworkInterfaceId)
			mu.Unlock()
			return "", true
		})
	}
	wg.Add(1)
	go burst(func() (string, bool) {
		out, err := c.CreateVpc(t.Context(), &ec2.CreateVpcInput{CidrBlock: aws.String("10.50.0.0/16")})
		if err != nil {
			return "", false
		}
		mu.Lock()
		ackVPCs = append(ackVPCs, *out.Vpc.VpcId)
		mu.Unlock()
		return "", true
	})
	time.Sleep(1500 * time.Millisecond)
	s.kill()
	close(killedAt)
	wg.Wait()
	if len(ackENIs) == 0 || len(ackVPCs) == 0 {
		t.Fatalf("burst acknowledged %d ENIs and %d VPCs; the test needs some of each", len(ackENIs), len(ackVPCs))
	}
	if err := s.restart(); err != nil {
		t.Fatal(err)
	}
	c = clientFor(s.url, acct, "us-east-1")

	enis := map[string]types.NetworkInterface{}
	p := ec2.NewDescribeNetworkInterfacesPaginator(c, &ec2.DescribeNetworkInterfacesInput{MaxResults: aws.Int32(1000)})
	for p.HasMorePages() {
		for _, e := range must[*ec2.DescribeNetworkInterfacesOutput](t)(p.NextPage(t.Context())).NetworkInterfaces {
			enis[*e.NetworkInterfaceId] = e
		}
	}
	for _, id := range ackENIs {
		if _, ok := enis[id]; !ok {
			t.Errorf("acknowledged ENI %s lost after kill -9", id)
		}
	}
	addrs := map[string]string{}
	inSubnet := 0
	for id, e := range enis {
		if prev, dup := addrs[*e.PrivateIpAddress]; dup {
			t.Errorf("address %s used by %s and %s", *e.PrivateIpAddress, prev, id)
		}
		addrs[*e.PrivateIpAddress] = id
		if *e.SubnetId == sid {
			inSubnet++
		}
	}
	sub := must[*ec2.DescribeSubnetsOutput](t)(c.DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{SubnetIds: []string{sid}})).Subnets[0]
	if got, want := int(*sub.AvailableIpAddressCount), 4096-5-inSubnet; got != want {
		t.Errorf("availableIpAddressCount = %d, want %d", got, want)
	}
	vpcs := must[*ec2.DescribeVpcsOutput](t)(c.DescribeVpcs(t.Context(), &ec2.DescribeVpcsInput{}))
	have := map[string]bool{}
	for _, v := range vpcs.Vpcs {
		have[*v.VpcId] = true
	}
	for _, id := range ackVPCs {
		if !have[id] {
			t.Errorf("acknowledged VPC %s lost after kill -9", id)
		}
	}
	// No VPC is half made: each has exactly one main route table, one
	// default security group and one default network ACL.
	rts := must[*ec2.DescribeRouteTablesOutput](t)(c.DescribeRouteTables(t.Context(), &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filt("association.main", "true")}}))
	sgs := must[*ec2.DescribeSecurityGroupsOutput](t)(c.DescribeSecurityGroups(t.Context(), &ec2.DescribeSecurityGroupsInput{Filters: []types.Filter{filt("group-name", "default")}}))
	acls := must[*ec2.DescribeNetworkAclsOutput](t)(c.DescribeNetworkAcls(t.Context(), &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{filt("default", "true")}}))
	count := func(get func(int) string, n int) map[string]int {
		m := map[string]int{}
		for i := 0; i < n; i++ {
			m[get(i)]++
		}
		return m
	}
	mains := count(func(i int) string { return *rts.RouteTables[i].VpcId }, len(rts.RouteTables))
	defs := count(func(i int) string { return *sgs.SecurityGroups[i].VpcId }, len(sgs.SecurityGroups))
	dacls := count(func(i int) string { return *acls.NetworkAcls[i].VpcId }, len(acls.NetworkAcls))
	for id := range have {
		if mains[id] != 1 || defs[id] != 1 || dacls[id] != 1 {
			t.Errorf("VPC %s: %d main route tables, %d default groups, %d default ACLs; want 1 each", id, mains[id], defs[id], dacls[id])
		}
	}
	t.Logf("acknowledged before kill: %d ENIs, %d VPCs; present after restart: %d ENIs, %d VPCs", len(ackENIs), len(ackVPCs), len(enis), len(vpcs.Vpcs))
}

// TestConcurrentAddresses has many clients create interfaces in one subnet
// at once: no address is handed out twice.
func TestConcurrentAddresses(t *testing.T) {
	c, _ := client(t)
	_, subs := newVPC(t, c, "10.60.0.0/16", map[string]string{"10.60.1.0/24": "us-east-1a"})
	sid := subs["10.60.1.0/24"]
	const clients, each = 10, 20
	var (
		mu    sync.Mutex
		addrs = map[string]string{}
		wg    sync.WaitGroup
	)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < each; j++ {
				out, err := c.CreateNetworkInterface(t.Context(), &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(sid)})
				if err != nil {
					t.Error(err)
					return
				}
				e := out.NetworkInterface
				mu.Lock()
				if prev, dup := addrs[*e.PrivateIpAddress]; dup {
					t.Errorf("address %s given to %s and %s", *e.PrivateIpAddress, prev, *e.NetworkInterfaceId)
				}
				addrs[*e.PrivateIpAddress] = *e.NetworkInterfaceId
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(addrs) != clients*each {
		t.Errorf("%d distinct addresses, want %d", len(addrs), clients*each)
	}
	sub := must[*ec2.DescribeSubnetsOutput](t)(c.DescribeSubnets(t.Context(), &ec2.DescribeSubnetsInput{SubnetIds: []string{sid}})).Subnets[0]
	if got := *sub.AvailableIpAddressCount; got != 251-clients*each {
		t.Errorf("availableIpAddressCount = %d, want %d", got, 251-clients*each)
	}
}
