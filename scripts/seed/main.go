// Command seed fills a state directory with many resources through the
// domain API (no HTTP), for growth and start-up measurements: N security
// groups and N network interfaces in one account, 250 interfaces per /24
// subnet, written by parallel workers (group commit batches them).
//
//	go run ./scripts/seed -state /tmp/big -n 100000
//	time vpce serve --state /tmp/big   # until /_vpce/health answers
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"sync"
	"time"

	"github.com/vpce/vpce/internal/catalog"
	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/store"
)

func main() {
	state := flag.String("state", "", "state directory to fill (required)")
	n := flag.Int("n", 10000, "security groups and network interfaces to create")
	workers := flag.Int("workers", 16, "parallel writers")
	endpoints := flag.Int("endpoints", 0, "interface endpoints to create besides (50 per VPC (the quota), private DNS off, in VPCs 10.100.0.0/16 and up of another account)")
	flag.Parse()
	if *state == "" {
		log.Fatal("-state is required")
	}
	st, err := store.Open(*state)
	if err != nil {
		log.Fatal(err)
	}
	defer st.Close()
	c := cloud.New(cloud.Config{Store: st, Quotas: map[string]int{cloud.QuotaVPCs: 100000}, ProvisionDelay: -1})
	ctx := context.Background()
	sc := cloud.Scope{Account: "123456789012", Region: "us-east-1"}
	start := time.Now()
	// One /16 VPC holds 256 subnets of 250 interfaces.
	perVPC := 250 * 256
	var subnets []string
	var vpcs []string
	for i := 0; i < *n; i += 250 {
		if i%perVPC == 0 {
			v, err := c.CreateVpc(ctx, sc, &cloud.CreateVpcInput{CidrBlock: fmt.Sprintf("10.%d.0.0/16", 1+i/perVPC)})
			if err != nil {
				log.Fatal(err)
			}
			vpcs = append(vpcs, v.Vpc.VpcID)
		}
		s, err := c.CreateSubnet(ctx, sc, &cloud.CreateSubnetInput{VpcID: vpcs[len(vpcs)-1], CidrBlock: fmt.Sprintf("10.%d.%d.0/24", 1+i/perVPC, i/250%256)})
		if err != nil {
			log.Fatal(err)
		}
		subnets = append(subnets, s.Subnet.SubnetID)
	}
	var wg sync.WaitGroup
	jobs := make(chan int)
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				vpc := vpcs[i/perVPC]
				if _, err := c.CreateSecurityGroup(ctx, sc, &cloud.CreateSecurityGroupInput{VpcID: vpc, GroupName: fmt.Sprint("g", i), Description: "seed"}); err != nil {
					log.Fatal(err)
				}
				if _, err := c.CreateNetworkInterface(ctx, sc, &cloud.CreateNetworkInterfaceInput{SubnetID: subnets[i/250]}); err != nil {
					log.Fatal(err)
				}
			}
		}()
	}
	for i := range *n {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	fmt.Printf("seeded %d security groups and %d interfaces in %d subnets, %d VPCs, in %s\n", *n, *n, len(subnets), len(vpcs), time.Since(start).Round(time.Millisecond))
	if *endpoints > 0 {
		start = time.Now()
		seedEndpoints(ctx, c, *endpoints, *workers)
		fmt.Printf("seeded %d interface endpoints in %d VPCs in %s\n", *endpoints, (*endpoints+49)/50, time.Since(start).Round(time.Millisecond))
	}
}

// seedEndpoints creates n interface endpoints, 50 per VPC (the quota) (one subnet
// each), cycling through the region's interface services.
func seedEndpoints(ctx context.Context, c *cloud.Cloud, n, workers int) {
	sc := cloud.Scope{Account: "210987654321", Region: "us-east-1"}
	var services []string
	for _, s := range catalog.Services("us-east-1") {
		if s.Type == catalog.TypeInterface {
			services = append(services, s.Name)
		}
	}
	type job struct{ vpc, subnet, service string }
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if _, err := c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: j.vpc, ServiceName: j.service,
					VpcEndpointType: "Interface", SubnetIDs: []string{j.subnet}, PrivateDNSEnabled: new(bool)}); err != nil {
					log.Fatal(err)
				}
			}
		}()
	}
	for i := 0; i < n; i += 50 {
		v, err := c.CreateVpc(ctx, sc, &cloud.CreateVpcInput{CidrBlock: fmt.Sprintf("10.%d.%d.0/24", 100+i/50/256, i/50%256)})
		if err != nil {
			log.Fatal(err)
		}
		s, err := c.CreateSubnet(ctx, sc, &cloud.CreateSubnetInput{VpcID: v.Vpc.VpcID, CidrBlock: fmt.Sprintf("10.%d.%d.0/24", 100+i/50/256, i/50%256), AvailabilityZone: "us-east-1a"})
		if err != nil {
			log.Fatal(err)
		}
		for k := i; k < min(n, i+50); k++ {
			jobs <- job{v.Vpc.VpcID, s.Subnet.SubnetID, services[k%len(services)]}
		}
	}
	close(jobs)
	wg.Wait()
}
