package e2e

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/vpce/vpce/internal/store/pgtest"
)

// eventually polls ok until it holds, failing after limit; it returns how
// long it took.
func eventually(t *testing.T, limit time.Duration, what string, ok func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !ok() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not after %v", what, limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return time.Since(start)
}

// TestSharedStore runs two vpce serve processes on one PostgreSQL database:
// what one commits, the other's Describe and DNS answer within a second;
// both allocate addresses in one subnet at once without a duplicate; a
// node killed with -9 loses nothing it acknowledged.
func TestSharedStore(t *testing.T) {
	dsn := pgtest.DSN(t)
	dir := t.TempDir()
	a, err := startServer(filepath.Join(dir, "a"), "--store", dsn, "--provision-delay", "0s")
	if err != nil {
		t.Fatal(err)
	}
	defer a.stop()
	b, err := startServer(filepath.Join(dir, "b"), "--store", dsn, "--provision-delay", "0s")
	if err != nil {
		t.Fatal(err)
	}
	defer b.stop()
	acct := newAccount()
	ca, cb := clientFor(a.url, acct, "us-east-1"), clientFor(b.url, acct, "us-east-1")

	vpc, subs := dnsVPC(t, ca, "10.70.0.0/16", map[string]string{"10.70.1.0/24": "us-east-1a"})
	sub := subs["10.70.1.0/24"]
	e := must[*ec2.CreateVpcEndpointOutput](t)(ca.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpc),
		ServiceName: aws.String("com.amazonaws.us-east-1.ssm"), VpcEndpointType: types.VpcEndpointTypeInterface,
		SubnetIds: []string{sub}, PrivateDnsEnabled: aws.Bool(true)})).VpcEndpoint
	id := *e.VpcEndpointId
	took := eventually(t, time.Second, "A's endpoint in B's DescribeVpcEndpoints", func() bool {
		out, err := cb.DescribeVpcEndpoints(ctx(t), &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: []string{id}})
		if err != nil || len(out.VpcEndpoints) != 1 {
			t.Logf("B: %v %v", out, err)
			return false
		}
		return true
	})
	t.Logf("endpoint created on A described on B after %v", took)
	waitEndpoint(t, ca, id, "available")
	eni := must[*ec2.DescribeNetworkInterfacesOutput](t)(cb.DescribeNetworkInterfaces(ctx(t),
		&ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: describeEndpoint(t, cb, id).NetworkInterfaceIds})).NetworkInterfaces[0]
	// B's resolver answers with A's endpoint; the resolver address of a VPC
	// is part of the shared model, so both nodes list the same one.
	ra := resolverOf(t, a, vpc)
	if rb := resolverOf(t, b, vpc); rb != ra {
		t.Errorf("VPC resolver on A %s, on B %s", ra, rb)
	}
	took = eventually(t, time.Second, "A's available endpoint in B's DNS", func() bool {
		return dig(t, b, ra, "+short", "ssm.us-east-1.amazonaws.com") == *eni.PrivateIpAddress
	})
	t.Logf("endpoint available on A answered by B's resolver after %v", took)
	// The aws CLI on B deletes what A made; A's DNS follows.
	if _, err := cliAt(t, b.url, acct, "delete-vpc-endpoints", "--vpc-endpoint-ids", id); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Second, "B's deletion in A's DNS", func() bool {
		return dig(t, a, ra, "+short", "ssm.us-east-1.amazonaws.com") != *eni.PrivateIpAddress
	})

	// Both nodes allocate addresses in one subnet at the same time.
	var mu sync.Mutex
	seen := map[string]string{}
	var wg sync.WaitGroup
	for i := range 24 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := ca
			if i%2 == 1 {
				c = cb
			}
			out, err := c.CreateNetworkInterface(ctx(t), &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(sub)})
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			ip := *out.NetworkInterface.PrivateIpAddress
			if other, dup := seen[ip]; dup {
				t.Errorf("%s given to %s and %s", ip, other, *out.NetworkInterface.NetworkInterfaceId)
			}
			seen[ip] = *out.NetworkInterface.NetworkInterfaceId
		}()
	}
	wg.Wait()
	if len(seen) != 24 {
		t.Fatalf("%d distinct addresses for 24 interfaces", len(seen))
	}

	// kill -9 A right after acknowledged writes: B and a restarted A have them.
	var tagged []string
	for _, id := range mapValues(seen) {
		if _, err := ca.CreateTags(ctx(t), &ec2.CreateTagsInput{Resources: []string{id}, Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}); err != nil {
			t.Fatal(err)
		}
		tagged = append(tagged, id)
	}
	a.kill()
	if err := a.restart(); err != nil {
		t.Fatal(err)
	}
	for _, n := range []*server{a, b} {
		c := clientFor(n.url, acct, "us-east-1")
		out := must[*ec2.DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx(t), &ec2.DescribeNetworkInterfacesInput{
			Filters: []types.Filter{{Name: aws.String("tag:k"), Values: []string{"v"}}}}))
		if len(out.NetworkInterfaces) != len(tagged) {
			t.Errorf("%s: %d tagged interfaces after A was killed, want %d", n.url, len(out.NetworkInterfaces), len(tagged))
		}
	}
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}
