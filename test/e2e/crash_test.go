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
	t.Run("fsync", func(t *testing.T) { testCrash(t) })
	// Without fsync a write is in the log file (the kernel's cache) before
	// its answer: a killed process loses nothing either.
	t.Run("no-fsync", func(t *testing.T) { testCrash(t, "--fsync=false") })
}

func testCrash(t *testing.T, args ...string) {
	s, err := startServer(filepath.Join(t.TempDir(), "state"), args...)
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

// TestCrashEndpoints kills vpce mid-burst of endpoint creates and deletes:
// after a restart every acknowledged endpoint is there, and each endpoint's
// interfaces and routes exist exactly when the endpoint does.
func TestCrashEndpoints(t *testing.T) {
	s, err := startServer(filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.stop() }()
	const acct = "310987654321"
	c := clientFor(s.url, acct, "us-east-1")
	vpc, subs := newVPC(t, c, "10.90.0.0/16", map[string]string{"10.90.0.0/20": "us-east-1a", "10.90.16.0/20": "us-east-1b"})
	rtbs := []string{}
	for i := 0; i < 3; i++ {
		rtbs = append(rtbs, *must[*ec2.CreateRouteTableOutput](t)(c.CreateRouteTable(t.Context(), &ec2.CreateRouteTableInput{VpcId: aws.String(vpc)})).RouteTable.RouteTableId)
	}
	var (
		mu    sync.Mutex
		acked = map[string]bool{} // endpoint → still expected to exist
		wg    sync.WaitGroup
		stop  = make(chan struct{})
	)
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				out, err := c.CreateVpcEndpoint(t.Context(), &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1.sqs"),
					VpcEndpointType: types.VpcEndpointTypeInterface, SubnetIds: []string{subs["10.90.0.0/20"], subs["10.90.16.0/20"]}, PrivateDnsEnabled: aws.Bool(false)})
				if err != nil {
					continue
				}
				id := *out.VpcEndpoint.VpcEndpointId
				mu.Lock()
				acked[id] = true
				mu.Unlock()
				if _, err := c.DeleteVpcEndpoints(t.Context(), &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{id}}); err == nil {
					mu.Lock()
					acked[id] = false
					mu.Unlock()
				}
			}
		}()
	}
	wg.Add(1)
	go func() { // gateway endpoints flip between route tables
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			out, err := c.CreateVpcEndpoint(t.Context(), &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc), ServiceName: aws.String("com.amazonaws.us-east-1.dynamodb"), RouteTableIds: rtbs})
			if err != nil {
				continue
			}
			id := *out.VpcEndpoint.VpcEndpointId
			mu.Lock()
			acked[id] = true
			mu.Unlock()
			if _, err := c.DeleteVpcEndpoints(t.Context(), &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{id}}); err == nil {
				mu.Lock()
				acked[id] = false
				mu.Unlock()
			}
		}
	}()
	time.Sleep(1500 * time.Millisecond)
	s.kill()
	close(stop)
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no endpoint was acknowledged before the kill")
	}
	if err := s.restart(); err != nil {
		t.Fatal(err)
	}
	c = clientFor(s.url, acct, "us-east-1")
	eps := must[*ec2.DescribeVpcEndpointsOutput](t)(c.DescribeVpcEndpoints(t.Context(), &ec2.DescribeVpcEndpointsInput{}))
	byID := map[string]types.VpcEndpoint{}
	for _, e := range eps.VpcEndpoints {
		byID[*e.VpcEndpointId] = e
	}
	for id, live := range acked {
		e, ok := byID[id]
		switch {
		case !ok:
			t.Errorf("acknowledged endpoint %s lost", id)
		case !live && e.State != "deleting" && e.State != "deleted":
			t.Errorf("acknowledged delete of %s lost: state %s", id, e.State)
		}
	}
	// Interfaces: every vpc_endpoint ENI belongs to a live endpoint that
	// lists it, and every live interface endpoint has both of its ENIs.
	enis := must[*ec2.DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(t.Context(), &ec2.DescribeNetworkInterfacesInput{Filters: []types.Filter{filt("interface-type", "vpc_endpoint")}}))
	owner := map[string]string{}
	for _, e := range byID {
		for _, n := range e.NetworkInterfaceIds {
			owner[n] = *e.VpcEndpointId
		}
		live := e.State == "pending" || e.State == "available"
		if e.VpcEndpointType == types.VpcEndpointTypeInterface && live && len(e.NetworkInterfaceIds) != 2 {
			t.Errorf("live endpoint %s has %d interfaces", *e.VpcEndpointId, len(e.NetworkInterfaceIds))
		}
	}
	for _, n := range enis.NetworkInterfaces {
		if owner[*n.NetworkInterfaceId] == "" {
			t.Errorf("orphan endpoint interface %s (%s)", *n.NetworkInterfaceId, *n.Description)
		}
	}
	// Routes: each table routes DynamoDB's prefix list through the one live
	// gateway endpoint, or not at all.
	var liveGW []string
	for id, e := range byID {
		if e.VpcEndpointType == types.VpcEndpointTypeGateway && (e.State == "available") {
			liveGW = append(liveGW, id)
		}
	}
	rts := must[*ec2.DescribeRouteTablesOutput](t)(c.DescribeRouteTables(t.Context(), &ec2.DescribeRouteTablesInput{RouteTableIds: rtbs}))
	for _, rt := range rts.RouteTables {
		var via []string
		for _, r := range rt.Routes {
			if aws.ToString(r.DestinationPrefixListId) == "pl-02cd2c6b" {
				via = append(via, *r.GatewayId)
			}
		}
		if len(via) != len(liveGW) || (len(via) == 1 && via[0] != liveGW[0]) {
			t.Errorf("table %s routes DynamoDB via %v; live gateway endpoints %v", *rt.RouteTableId, via, liveGW)
		}
	}
	t.Logf("endpoints acknowledged: %d; after restart: %d endpoints, %d endpoint ENIs", len(acked), len(byID), len(enis.NetworkInterfaces))
}
