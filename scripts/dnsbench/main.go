// Command dnsbench prepares the DNS benchmark: it creates interface
// endpoints in a running vpce until their vpce names number at least -names,
// then writes the dnsperf query file and an unbound configuration that
// answers the same names from local-data. scripts/bench-dns.sh runs it.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/ec2query"
)

func main() {
	endpoint := flag.String("endpoint-url", "http://127.0.0.1:4566", "vpce serve")
	names := flag.Int("names", 10000, "how many endpoint names to create")
	out := flag.String("out", ".", "directory for queries.txt and unbound.conf")
	unboundPort := flag.Int("unbound-port", 5399, "port unbound listens on")
	flag.Parse()
	ctx := context.Background()
	c := &ec2query.Client{URL: *endpoint, AccessKey: "123456789012", SecretKey: "x", Region: "us-east-1"}
	zones := []string{"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1e", "us-east-1f"}
	do := func(action string, p url.Values, o any) {
		if err := c.Do(ctx, action, p, o); err != nil {
			log.Fatalf("%s: %v", action, err)
		}
	}
	perEndpoint := 1 + len(zones)
	created := 0
	var firstVPC string
	for v := 0; created*perEndpoint < *names; v++ {
		var vpc cloud.CreateVpcOutput
		do("CreateVpc", url.Values{"CidrBlock": {fmt.Sprintf("10.%d.0.0/16", v)}}, &vpc)
		if firstVPC == "" {
			firstVPC = vpc.Vpc.VpcID
		}
		p := url.Values{"VpcEndpointType": {"Interface"}, "VpcId": {vpc.Vpc.VpcID}, "ServiceName": {"com.amazonaws.us-east-1.kms"}, "PrivateDnsEnabled": {"false"}}
		for i, z := range zones {
			var s cloud.CreateSubnetOutput
			do("CreateSubnet", url.Values{"VpcId": {vpc.Vpc.VpcID}, "CidrBlock": {fmt.Sprintf("10.%d.%d.0/24", v, i)}, "AvailabilityZone": {z}}, &s)
			p.Set(fmt.Sprintf("SubnetId.%d", i+1), s.Subnet.SubnetID)
		}
		for i := 0; i < 50 && created*perEndpoint < *names; i++ {
			do("CreateVpcEndpoint", p, &cloud.CreateVpcEndpointOutput{})
			created++
		}
	}
	// Read back every endpoint's names and addresses.
	ips := map[string]string{}
	var enis cloud.DescribeNetworkInterfacesOutput
	do("DescribeNetworkInterfaces", url.Values{"Filter.1.Name": {"interface-type"}, "Filter.1.Value.1": {"vpc_endpoint"}}, &enis)
	for _, e := range enis.NetworkInterfaces {
		ips[e.NetworkInterfaceID] = e.PrivateIPAddress.String()
	}
	records := map[string][]string{}
	p := url.Values{"MaxResults": {"1000"}}
	for {
		var page cloud.DescribeVpcEndpointsOutput
		do("DescribeVpcEndpoints", p, &page)
		for _, e := range page.VpcEndpoints {
			var all []string
			byZone := map[string]string{}
			for _, id := range e.NetworkInterfaceIDs {
				for _, n := range enis.NetworkInterfaces {
					if n.NetworkInterfaceID == id {
						byZone[n.AvailabilityZone] = ips[id]
					}
				}
			}
			zs := make([]string, 0, len(byZone))
			for z := range byZone {
				zs = append(zs, z)
			}
			sort.Strings(zs)
			for _, z := range zs {
				all = append(all, byZone[z])
			}
			for _, d := range e.DNSEntries {
				recs := all
				for _, z := range zs {
					if strings.Contains(d.DNSName, "-"+z+".") {
						recs = []string{byZone[z]}
					}
				}
				records[d.DNSName] = recs
			}
		}
		if page.NextToken == "" {
			break
		}
		p.Set("NextToken", page.NextToken)
	}
	names2 := make([]string, 0, len(records))
	for n := range records {
		names2 = append(names2, n)
	}
	sort.Strings(names2)
	var q, conf strings.Builder
	fmt.Fprintf(&conf, "server:\n  interface: 127.0.0.1\n  port: %d\n  num-threads: 2\n  so-reuseport: yes\n  do-daemonize: no\n  username: \"\"\n  chroot: \"\"\n  directory: \"%s\"\n  pidfile: \"\"\n  use-syslog: no\n  logfile: \"\"\n  verbosity: 0\n  access-control: 127.0.0.0/8 allow\n  local-zone: \"vpce.amazonaws.com.\" static\n", *unboundPort, *out)
	for _, n := range names2 {
		fmt.Fprintf(&q, "%s A\n", n)
		for _, ip := range records[n] {
			fmt.Fprintf(&conf, "  local-data: \"%s. 60 IN A %s\"\n", n, ip)
		}
	}
	must(os.WriteFile(filepath.Join(*out, "queries.txt"), []byte(q.String()), 0o644))
	must(os.WriteFile(filepath.Join(*out, "unbound.conf"), []byte(conf.String()), 0o644))
	fmt.Printf("endpoints=%d names=%d first-vpc=%s\n", created, len(names2), firstVPC)
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
