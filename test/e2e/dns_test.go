package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

const digPath = "/usr/bin/dig"

// resolverOf returns the loopback address of a VPC's resolver, from the
// server's /_vpce/dns listing.
func resolverOf(t *testing.T, s *server, vpc string) string {
	t.Helper()
	return servedAt(t, s, vpc, "")
}

// servedAt returns the address vpce serves a VPC's resolver at, or with
// inbound set the address of that Route 53 Resolver inbound endpoint.
func servedAt(t *testing.T, s *server, vpc, inbound string) string {
	t.Helper()
	resp, err := http.Get(s.url + "/_vpce/dns")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list []struct {
		Addr    string `json:"address"`
		VpcID   string `json:"vpcId"`
		Inbound string `json:"inboundEndpoint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	for _, r := range list {
		if r.VpcID == vpc && r.Inbound == inbound {
			return r.Addr
		}
	}
	t.Fatalf("no resolver listed for %s", vpc)
	return ""
}

// dig runs Debian's dig against a VPC resolver and returns +short output
// (or the status line with full output).
func dig(t *testing.T, s *server, at string, args ...string) string {
	t.Helper()
	if _, err := os.Stat(digPath); err != nil {
		t.Fatalf("dig is required at %s (Debian package dnsutils): %v", digPath, err)
	}
	all := append([]string{"@" + at, "-p", fmt.Sprint(s.dnsPort), "+time=2", "+tries=1"}, args...)
	out, err := exec.Command(digPath, all...).CombinedOutput()
	if err != nil {
		t.Fatalf("dig %v: %v: %s", all, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestDNSResolvers(t *testing.T) {
	c, acct := client(t)
	vpcA, subs := dnsVPC(t, c, "10.95.0.0/16", map[string]string{"10.95.1.0/24": "us-east-1a", "10.95.2.0/24": "us-east-1b"})
	vpcB, _ := dnsVPC(t, c, "10.95.0.0/16", nil) // same CIDR, other VPC
	e := must[*ec2.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx(t), &ec2.CreateVpcEndpointInput{VpcId: aws.String(vpcA), ServiceName: aws.String("com.amazonaws.us-east-1.ssm"),
		VpcEndpointType: types.VpcEndpointTypeInterface, SubnetIds: []string{subs["10.95.1.0/24"], subs["10.95.2.0/24"]}, PrivateDnsEnabled: aws.Bool(true)})).VpcEndpoint
	ep := waitEndpoint(t, c, *e.VpcEndpointId, "available")
	enis := must[*ec2.DescribeNetworkInterfacesOutput](t)(c.DescribeNetworkInterfaces(ctx(t), &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: ep.NetworkInterfaceIds}))
	ips := map[string]string{}
	for _, n := range enis.NetworkInterfaces {
		ips[*n.AvailabilityZone] = *n.PrivateIpAddress
	}
	want := ips["us-east-1a"] + "\n" + ips["us-east-1b"]
	ra, rb := resolverOf(t, shared, vpcA), resolverOf(t, shared, vpcB)
	if ra == rb {
		t.Fatalf("two VPCs share resolver %s", ra)
	}

	// The same name, answered differently in two VPCs.
	if got := dig(t, shared, ra, "+short", "ssm.us-east-1.amazonaws.com"); got != want {
		t.Errorf("VPC A: ssm = %q, want the endpoint's %q", got, want)
	}
	public := dig(t, shared, rb, "+short", "ssm.us-east-1.amazonaws.com")
	if public == "" || strings.HasPrefix(public, "10.95.") {
		t.Errorf("VPC B: ssm = %q, want a public address", public)
	}
	// Over TCP too, and with Go's resolver.
	if got := dig(t, shared, ra, "+short", "+tcp", "ssm.us-east-1.amazonaws.com"); got != want {
		t.Errorf("VPC A over TCP: %q", got)
	}
	goRes := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, fmt.Sprintf("%s:%d", ra, shared.dnsPort))
	}}
	addrs, err := goRes.LookupHost(ctx(t), "ssm.us-east-1.amazonaws.com")
	if err != nil || strings.Join(addrs, "\n") != want {
		t.Errorf("Go resolver: %v, %v; want %q", addrs, err, want)
	}
	// Regional and zonal vpce names resolve from any VPC, as AWS publishes them.
	regional, zonalB := *ep.DnsEntries[0].DnsName, *ep.DnsEntries[2].DnsName
	if got := dig(t, shared, rb, "+short", regional); got != want {
		t.Errorf("regional name from VPC B = %q", got)
	}
	if got := dig(t, shared, ra, "+short", zonalB); got != ips["us-east-1b"] {
		t.Errorf("zonal name = %q, want %s", got, ips["us-east-1b"])
	}
	// TTL 60 and no AAAA.
	if full := dig(t, shared, ra, "+noall", "+answer", "ssm.us-east-1.amazonaws.com"); !strings.Contains(full, " 60\tIN\tA\t") {
		t.Errorf("answer section = %q, want TTL 60", full)
	}
	if got := dig(t, shared, ra, "+short", "AAAA", "ssm.us-east-1.amazonaws.com"); got != "" {
		t.Errorf("AAAA = %q, want none (ipv4 record type)", got)
	}
	// EC2 host names and PTR, only in the VPC that has the address.
	host := "ip-" + strings.ReplaceAll(ips["us-east-1a"], ".", "-") + ".ec2.internal"
	if got := dig(t, shared, ra, "+short", host); got != ips["us-east-1a"] {
		t.Errorf("%s = %q", host, got)
	}
	if got := dig(t, shared, ra, "+short", "-x", ips["us-east-1a"]); got != host+"." {
		t.Errorf("PTR = %q, want %s.", got, host)
	}
	if got := dig(t, shared, rb, host); !strings.Contains(got, "status: NXDOMAIN") {
		t.Errorf("VPC B answered VPC A's host name: %s", got)
	}

	// Private DNS off and on again with modify-vpc-endpoint, through the CLI.
	if _, err := cli(t, acct, "modify-vpc-endpoint", "--vpc-endpoint-id", *e.VpcEndpointId, "--no-private-dns-enabled"); err != nil {
		t.Fatal(err)
	}
	if got := dig(t, shared, ra, "+short", "ssm.us-east-1.amazonaws.com"); got != public {
		t.Errorf("private DNS off: %q, want the public %q", got, public)
	}
	if _, err := cli(t, acct, "modify-vpc-endpoint", "--vpc-endpoint-id", *e.VpcEndpointId, "--private-dns-enabled"); err != nil {
		t.Fatal(err)
	}
	if got := dig(t, shared, ra, "+short", "ssm.us-east-1.amazonaws.com"); got != want {
		t.Errorf("private DNS back on: %q", got)
	}
	// vpce dns resolve explains the answer.
	out := vpceDNS(t, "dns", "resolve", "--vpc", vpcA, "ssm.us-east-1.amazonaws.com")
	if !strings.Contains(out, "private DNS of "+*e.VpcEndpointId) || !strings.Contains(out, ips["us-east-1a"]) {
		t.Errorf("vpce dns resolve:\n%s", out)
	}
	if list := vpceDNS(t, "dns"); !strings.Contains(list, vpcA) || !strings.Contains(list, "dig @"+ra) {
		t.Errorf("vpce dns lacks %s:\n%s", vpcA, list)
	}
	// Endpoint deleted: the answer is public again.
	must[*ec2.DeleteVpcEndpointsOutput](t)(c.DeleteVpcEndpoints(ctx(t), &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{*e.VpcEndpointId}}))
	if got := dig(t, shared, ra, "+short", "ssm.us-east-1.amazonaws.com"); got != public {
		t.Errorf("after delete: %q, want %q", got, public)
	}
	if got := dig(t, shared, rb, regional); !strings.Contains(got, "status: NXDOMAIN") {
		t.Errorf("deleted endpoint's name still resolves: %s", got)
	}
	// enableDnsSupport off: that VPC's resolver does not serve.
	must[*ec2.ModifyVpcAttributeOutput](t)(c.ModifyVpcAttribute(ctx(t), &ec2.ModifyVpcAttributeInput{VpcId: aws.String(vpcB), EnableDnsSupport: &types.AttributeBooleanValue{Value: aws.Bool(false)}}))
	if got := dig(t, shared, rb, "ssm.us-east-1.amazonaws.com"); !strings.Contains(got, "status: REFUSED") {
		t.Errorf("DNS support off: %s", got)
	}
	// Unknown names in AWS's domains are NXDOMAIN.
	if got := dig(t, shared, ra, "nope.us-east-1.amazonaws.com"); !strings.Contains(got, "status: NXDOMAIN") {
		t.Errorf("unknown AWS name: %s", got)
	}
	// A deleted VPC's resolver stops answering.
	must[*ec2.DeleteVpcOutput](t)(c.DeleteVpc(ctx(t), &ec2.DeleteVpcInput{VpcId: aws.String(vpcB)}))
	if got := dig(t, shared, rb, "ssm.us-east-1.amazonaws.com"); !strings.Contains(got, "status: REFUSED") {
		t.Errorf("deleted VPC's resolver: %s", got)
	}
}

// TestDNSUpstream forwards names the VPC does not answer to an upstream.
func TestDNSUpstream(t *testing.T) {
	up, stop := fakeUpstream(t)
	defer stop()
	s, err := startServer(t.TempDir()+"/state", "--dns-upstream", up)
	if err != nil {
		t.Fatal(err)
	}
	defer s.stop()
	c := clientFor(s.url, "123456789012", "us-east-1")
	vpcs := must[*ec2.DescribeVpcsOutput](t)(c.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{}))
	at := resolverOf(t, s, *vpcs.Vpcs[0].VpcId)
	if got := dig(t, s, at, "+short", "www.example.org"); got != "192.0.2.80" {
		t.Errorf("forwarded answer = %q", got)
	}
}

func vpceDNS(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(binary, append(args, "--endpoint-url", shared.url)...).CombinedOutput()
	if err != nil {
		t.Fatalf("vpce %v: %v: %s", args, err, out)
	}
	return string(out)
}
