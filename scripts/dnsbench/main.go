// Command dnsbench prepares the DNS benchmark: it creates interface
// endpoints in a running vpce until their vpce names number at least -names,
// then writes the dnsperf query file and an unbound configuration that
// answers the same names from local-data. scripts/bench-dns.sh runs it.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/ec2query"
)

func main() {
	endpoint := flag.String("endpoint-url", "http://127.0.0.1:4566", "vpce serve")
	names := flag.Int("names", 10000, "how many endpoint names to create")
	out := flag.String("out", ".", "directory for queries.txt and unbound.conf")
	unboundPort := flag.Int("unbound-port", 5399, "port unbound listens on")
	zoneNames := flag.Int("zone-names", 0, "how many A records of a Route 53 private hosted zone (bench.internal) associated with the first VPC to add to the queries")
	resolverEndpoints := flag.Bool("resolver-endpoints", false, "also create a Route 53 Resolver inbound endpoint in the first VPC, and a VPC whose FORWARD rules send vpce.amazonaws.com and bench.internal to it")
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
	if *zoneNames > 0 {
		for n, ips := range privateZone(*endpoint, firstVPC, *zoneNames) {
			records[n] = ips
		}
	}
	names2 := make([]string, 0, len(records))
	for n := range records {
		names2 = append(names2, n)
	}
	sort.Strings(names2)
	var q, conf strings.Builder
	fmt.Fprintf(&conf, "server:\n  interface: 127.0.0.1\n  port: %d\n  num-threads: 2\n  so-reuseport: yes\n  do-daemonize: no\n  username: \"\"\n  chroot: \"\"\n  directory: \"%s\"\n  pidfile: \"\"\n  use-syslog: no\n  logfile: \"\"\n  verbosity: 0\n  access-control: 127.0.0.0/8 allow\n  local-zone: \"vpce.amazonaws.com.\" static\n  local-zone: \"bench.internal.\" static\n", *unboundPort, *out)
	for _, n := range names2 {
		fmt.Fprintf(&q, "%s A\n", n)
		for _, ip := range records[n] {
			fmt.Fprintf(&conf, "  local-data: \"%s. 60 IN A %s\"\n", n, ip)
		}
	}
	must(os.WriteFile(filepath.Join(*out, "queries.txt"), []byte(q.String()), 0o644))
	must(os.WriteFile(filepath.Join(*out, "unbound.conf"), []byte(conf.String()), 0o644))
	fmt.Printf("endpoints=%d names=%d first-vpc=%s\n", created, len(names2), firstVPC)
	if *resolverEndpoints {
		in, ruleVPC := resolverSetup(ctx, c, *endpoint, firstVPC)
		fmt.Printf("inbound-endpoint=%s rule-vpc=%s\n", in, ruleVPC)
	}
}

func must(err error) {
	if err != nil {
		log.Fatal(err)
	}
}

// privateZone creates the private hosted zone bench.internal associated
// with vpc through the Route 53 API, with n A records, and returns them.
func privateZone(endpoint, vpc string, n int) map[string][]string {
	post := func(path, body string) {
		req, _ := http.NewRequest("POST", endpoint+path, strings.NewReader(body))
		// Auth is off in the benchmark: the credential names the account.
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=123456789012/"+time.Now().UTC().Format("20060102")+"/us-east-1/route53/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
		req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			log.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			log.Fatalf("POST %s: %d %s", path, resp.StatusCode, b)
		}
		if strings.HasSuffix(path, "/hostedzone") {
			id := regexp.MustCompile(`<Id>/hostedzone/([A-Z0-9]+)</Id>`).FindSubmatch(b)
			if id == nil {
				log.Fatalf("no zone ID in %s", b)
			}
			zoneID = string(id[1])
		}
	}
	post("/2013-04-01/hostedzone", `<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><Name>bench.internal</Name><CallerReference>bench</CallerReference>`+
		`<VPC><VPCRegion>us-east-1</VPCRegion><VPCId>`+vpc+`</VPCId></VPC><HostedZoneConfig><PrivateZone>true</PrivateZone></HostedZoneConfig></CreateHostedZoneRequest>`)
	out := map[string][]string{}
	for start := 0; start < n; start += 1000 {
		var b strings.Builder
		b.WriteString(`<ChangeResourceRecordSetsRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><ChangeBatch><Changes>`)
		for i := start; i < n && i < start+1000; i++ {
			name, ip := fmt.Sprintf("h%d.bench.internal", i), fmt.Sprintf("10.250.%d.%d", i/250, i%250+1)
			fmt.Fprintf(&b, `<Change><Action>CREATE</Action><ResourceRecordSet><Name>%s</Name><Type>A</Type><TTL>60</TTL><ResourceRecords><ResourceRecord><Value>%s</Value></ResourceRecord></ResourceRecords></ResourceRecordSet></Change>`, name, ip)
			out[name] = []string{ip}
		}
		b.WriteString(`</Changes></ChangeBatch></ChangeResourceRecordSetsRequest>`)
		post("/2013-04-01/hostedzone/"+zoneID+"/rrset/", b.String())
	}
	return out
}

var zoneID string

// resolverSetup creates an inbound Resolver endpoint in vpc and a new VPC
// with an outbound endpoint and FORWARD rules for vpce.amazonaws.com and
// bench.internal to the inbound endpoint's first address; it returns the
// inbound endpoint's ID and the new VPC's.
func resolverSetup(ctx context.Context, c *ec2query.Client, endpoint, vpc string) (string, string) {
	do := func(action string, p url.Values, o any) {
		if err := c.Do(ctx, action, p, o); err != nil {
			log.Fatalf("%s: %v", action, err)
		}
	}
	subnetsOf := func(vpc string) []string {
		var out cloud.DescribeSubnetsOutput
		do("DescribeSubnets", url.Values{"Filter.1.Name": {"vpc-id"}, "Filter.1.Value.1": {vpc}}, &out)
		var ids []string
		for _, s := range out.Subnets {
			ids = append(ids, s.SubnetID)
		}
		sort.Strings(ids)
		return ids
	}
	group := func(vpc string) string {
		var g cloud.CreateSecurityGroupOutput
		do("CreateSecurityGroup", url.Values{"VpcId": {vpc}, "GroupName": {"dns"}, "GroupDescription": {"dns"}}, &g)
		return g.GroupID
	}
	hub := subnetsOf(vpc)
	in := resolverCall(endpoint, "CreateResolverEndpoint", map[string]any{"CreatorRequestId": "bench-in", "Direction": "INBOUND", "SecurityGroupIds": []string{group(vpc)},
		"IpAddresses": []map[string]string{{"SubnetId": hub[0]}, {"SubnetId": hub[1]}}})["ResolverEndpoint"].(map[string]any)["Id"].(string)
	ips := resolverCall(endpoint, "ListResolverEndpointIpAddresses", map[string]any{"ResolverEndpointId": in})["IpAddresses"].([]any)
	target := ips[0].(map[string]any)["Ip"].(string)

	var spoke cloud.CreateVpcOutput
	do("CreateVpc", url.Values{"CidrBlock": {"172.31.0.0/16"}}, &spoke)
	var subnets []string
	for i, z := range []string{"us-east-1a", "us-east-1b"} {
		var s cloud.CreateSubnetOutput
		do("CreateSubnet", url.Values{"VpcId": {spoke.Vpc.VpcID}, "CidrBlock": {fmt.Sprintf("172.31.%d.0/24", i)}, "AvailabilityZone": {z}}, &s)
		subnets = append(subnets, s.Subnet.SubnetID)
	}
	out := resolverCall(endpoint, "CreateResolverEndpoint", map[string]any{"CreatorRequestId": "bench-out", "Direction": "OUTBOUND", "SecurityGroupIds": []string{group(spoke.Vpc.VpcID)},
		"IpAddresses": []map[string]string{{"SubnetId": subnets[0]}, {"SubnetId": subnets[1]}}})["ResolverEndpoint"].(map[string]any)["Id"].(string)
	for _, d := range []string{"vpce.amazonaws.com", "bench.internal"} {
		rule := resolverCall(endpoint, "CreateResolverRule", map[string]any{"CreatorRequestId": "bench-" + d, "RuleType": "FORWARD", "DomainName": d,
			"ResolverEndpointId": out, "TargetIps": []map[string]string{{"Ip": target}}})["ResolverRule"].(map[string]any)["Id"].(string)
		resolverCall(endpoint, "AssociateResolverRule", map[string]any{"ResolverRuleId": rule, "VPCId": spoke.Vpc.VpcID})
	}
	return in, spoke.Vpc.VpcID
}

// resolverCall calls the Route 53 Resolver API (auth off: the credential
// names the account).
func resolverCall(endpoint, action string, in any) map[string]any {
	body, _ := json.Marshal(in)
	req, _ := http.NewRequest("POST", endpoint+"/", bytes.NewReader(body))
	req.Header.Set("X-Amz-Target", "Route53Resolver."+action)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=123456789012/"+time.Now().UTC().Format("20060102")+"/us-east-1/route53resolver/aws4_request, SignedHeaders=host;x-amz-date, Signature=00")
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		log.Fatalf("%s: %d %s", action, resp.StatusCode, b)
	}
	out := map[string]any{}
	must(json.Unmarshal(b, &out))
	return out
}
