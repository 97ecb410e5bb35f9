// Command apibench drives an EC2 API with aws-sdk-go-v2 clients running a
// mix of calls, and the same client against constant-answer servers in
// the same run, so the ratios say how much of what this client can get
// here vpce delivers: one answering minimal valid answers, one answering
// with the fields AWS's answers carry, and one that also appends each
// write to a log and flushes it to the disk before answering (group
// commit) — the most any server whose answers are durable gets here.
// scripts/bench-api.sh runs it against a fresh `vpce serve`; -ceilings=false
// measures the target alone (A/B runs of two builds).
//
// Mixes (one iteration each):
//
//	network:  CreateSecurityGroup, DescribeSecurityGroups (by ID),
//	          CreateNetworkInterface, DescribeNetworkInterfaces (by ID),
//	          DeleteNetworkInterface, DeleteSecurityGroup
//	endpoint: CreateVpcEndpoint (gateway, DynamoDB), DescribeVpcEndpoints
//	          (by ID), DeleteVpcEndpoints
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/vpce/vpce/scripts/internal/floor"
)

func main() {
	target := flag.String("endpoint-url", "http://127.0.0.1:4599", "the vpce serve to measure")
	workers := flag.Int("workers", 4, "concurrent clients")
	dur := flag.Duration("duration", 10*time.Second, "how long each run lasts")
	mix := flag.String("mix", "network", "network or endpoint")
	ceilings := flag.Bool("ceilings", true, "measure the constant servers too (false: only the target, for A/B runs of two builds)")
	logDir := flag.String("log-dir", os.TempDir(), "where the durable constant server keeps its log (the disk vpce's state is on)")
	flag.Parse()
	ctx := context.Background()

	g, err := floor.New(*logDir)
	if err != nil {
		log.Fatal(err)
	}
	constURL, stop := constantServer(minimalAnswers, "r", nil)
	defer stop()
	awsURL, stopAWS := constantServer(awsShapedAnswers, "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE", nil)
	defer stopAWS()
	durURL, stopDur := constantServer(awsShapedAnswers, "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE", g)
	defer stopDur()
	base, shaped, durable := result{rate: 1}, result{rate: 1}, result{rate: 1}
	if *ceilings {
		base = run(ctx, constURL, *mix, *workers, *dur, true)
		shaped = run(ctx, awsURL, *mix, *workers, *dur, true)
		durable = run(ctx, durURL, *mix, *workers, *dur, true)
	}
	got := run(ctx, *target, *mix, *workers, *dur, false)
	fmt.Printf("mix=%s workers=%d duration=%s\n", *mix, *workers, *dur)
	if *ceilings {
		fmt.Printf("constant server: %8.0f calls/s  p50 %6.2f ms  p99 %6.2f ms  (minimal answers)\n", base.rate, base.p50, base.p99)
		fmt.Printf("constant server: %8.0f calls/s  p50 %6.2f ms  p99 %6.2f ms  (answers with AWS's fields)\n", shaped.rate, shaped.p50, shaped.p99)
		fmt.Printf("constant server: %8.0f calls/s  p50 %6.2f ms  p99 %6.2f ms  (AWS's fields, writes flushed to disk first)\n", durable.rate, durable.p50, durable.p99)
		fmt.Printf("vpce:            %8.0f calls/s  p50 %6.2f ms  p99 %6.2f ms  (%.0f%% of the minimal constant server, %.0f%% of the AWS-shaped one, %.0f%% of the durable one)\n",
			got.rate, got.p50, got.p99, 100*got.rate/base.rate, 100*got.rate/shaped.rate, 100*got.rate/durable.rate)
	} else {
		fmt.Printf("vpce:            %8.0f calls/s  p50 %6.2f ms  p99 %6.2f ms\n", got.rate, got.p50, got.p99)
	}
	if got.errors > 0 {
		fmt.Printf("errors: %d (first: %v)\n", got.errors, got.first)
		os.Exit(1)
	}
}

type result struct {
	rate, p50, p99 float64
	errors         int
	first          error
}

func client(url, account string) *ec2.Client {
	return ec2.New(ec2.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(account, "secret", ""),
		HTTPClient:  &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}})
}

// run drives the mix from workers clients, each in its own account, for
// dur, and reports calls per second and latency percentiles.
func run(ctx context.Context, url, mix string, workers int, dur time.Duration, constant bool) result {
	var mu sync.Mutex
	var lat []time.Duration
	var res result
	deadline := time.Now().Add(dur)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := client(url, fmt.Sprintf("9%011d", time.Now().UnixNano()%1e10*10+int64(w)))
			setup, err := prepare(ctx, c, mix)
			if err != nil {
				mu.Lock()
				res.errors++
				res.first = err
				mu.Unlock()
				return
			}
			var mine []time.Duration
			for i := 0; time.Now().Before(deadline); i++ {
				d, err := iteration(ctx, c, mix, setup, i)
				mine = append(mine, d...)
				if err != nil {
					mu.Lock()
					res.errors++
					if res.first == nil {
						res.first = err
					}
					mu.Unlock()
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	slices.Sort(lat)
	if len(lat) > 0 {
		res.rate = float64(len(lat)) / dur.Seconds()
		res.p50 = float64(lat[len(lat)/2]) / 1e6
		res.p99 = float64(lat[len(lat)*99/100]) / 1e6
	}
	return res
}

type fixture struct{ vpc, subnet, rtb string }

// prepare makes what the mix needs once per worker: a VPC, a subnet, a
// route table.
func prepare(ctx context.Context, c *ec2.Client, mix string) (fixture, error) {
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	if err != nil {
		return fixture{}, fmt.Errorf("CreateVpc: %w", err)
	}
	f := fixture{vpc: *vpc.Vpc.VpcId}
	sub, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.0.0.0/20")})
	if err != nil {
		return f, fmt.Errorf("CreateSubnet: %w", err)
	}
	f.subnet = *sub.Subnet.SubnetId
	rt, err := c.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: vpc.Vpc.VpcId})
	if err != nil {
		return f, fmt.Errorf("CreateRouteTable: %w", err)
	}
	f.rtb = *rt.RouteTable.RouteTableId
	return f, nil
}

// iteration runs one round of the mix and returns each call's latency.
func iteration(ctx context.Context, c *ec2.Client, mix string, f fixture, i int) ([]time.Duration, error) {
	var lat []time.Duration
	timed := func(call func() error) error {
		t := time.Now()
		err := call()
		lat = append(lat, time.Since(t))
		return err
	}
	switch mix {
	case "endpoint":
		var id string
		if err := timed(func() error {
			out, err := c.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: &f.vpc, ServiceName: aws.String("com.amazonaws.us-east-1.dynamodb"), RouteTableIds: []string{f.rtb}})
			if err == nil {
				id = *out.VpcEndpoint.VpcEndpointId
			}
			return err
		}); err != nil {
			return lat, err
		}
		if err := timed(func() error {
			_, err := c.DescribeVpcEndpoints(ctx, &ec2.DescribeVpcEndpointsInput{VpcEndpointIds: []string{id}})
			return err
		}); err != nil {
			return lat, err
		}
		return lat, timed(func() error {
			_, err := c.DeleteVpcEndpoints(ctx, &ec2.DeleteVpcEndpointsInput{VpcEndpointIds: []string{id}})
			return err
		})
	default:
		var sg, eni string
		if err := timed(func() error {
			out, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{VpcId: &f.vpc, GroupName: aws.String(fmt.Sprint("g", i)), Description: aws.String("bench")})
			if err == nil {
				sg = *out.GroupId
			}
			return err
		}); err != nil {
			return lat, err
		}
		steps := []func() error{
			func() error {
				_, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{sg}})
				return err
			},
			func() error {
				out, err := c.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: &f.subnet, Groups: []string{sg}})
				if err == nil {
					eni = *out.NetworkInterface.NetworkInterfaceId
				}
				return err
			},
			func() error {
				_, err := c.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{eni}})
				return err
			},
			func() error {
				_, err := c.DeleteNetworkInterface(ctx, &ec2.DeleteNetworkInterfaceInput{NetworkInterfaceId: &eni})
				return err
			},
			func() error {
				_, err := c.DeleteSecurityGroup(ctx, &ec2.DeleteSecurityGroupInput{GroupId: &sg})
				return err
			},
		}
		for _, s := range steps {
			if err := timed(s); err != nil {
				return lat, err
			}
		}
		return lat, nil
	}
}

// minimalAnswers are the smallest valid answers: the most this client can
// get on this machine when it has next to nothing to decode.
var minimalAnswers = map[string]string{
	"CreateVpc":                 `<vpc><vpcId>vpc-0123456789abcdef0</vpcId><cidrBlock>10.0.0.0/16</cidrBlock><state>available</state></vpc>`,
	"CreateSubnet":              `<subnet><subnetId>subnet-0123456789abcdef0</subnetId><vpcId>vpc-0123456789abcdef0</vpcId></subnet>`,
	"CreateRouteTable":          `<routeTable><routeTableId>rtb-0123456789abcdef0</routeTableId></routeTable>`,
	"CreateSecurityGroup":       `<groupId>sg-0123456789abcdef0</groupId><return>true</return>`,
	"DescribeSecurityGroups":    `<securityGroupInfo><item><groupId>sg-0123456789abcdef0</groupId><groupName>g</groupName><vpcId>vpc-0123456789abcdef0</vpcId></item></securityGroupInfo>`,
	"CreateNetworkInterface":    `<networkInterface><networkInterfaceId>eni-0123456789abcdef0</networkInterfaceId><subnetId>subnet-0123456789abcdef0</subnetId><privateIpAddress>10.0.0.4</privateIpAddress></networkInterface>`,
	"DescribeNetworkInterfaces": `<networkInterfaceSet><item><networkInterfaceId>eni-0123456789abcdef0</networkInterfaceId></item></networkInterfaceSet>`,
	"DeleteNetworkInterface":    `<return>true</return>`,
	"DeleteSecurityGroup":       `<return>true</return>`,
	"CreateVpcEndpoint":         `<vpcEndpoint><vpcEndpointId>vpce-0123456789abcdef0</vpcEndpointId><vpcEndpointType>Gateway</vpcEndpointType></vpcEndpoint>`,
	"DescribeVpcEndpoints":      `<vpcEndpointSet><item><vpcEndpointId>vpce-0123456789abcdef0</vpcEndpointId></item></vpcEndpointSet>`,
	"DeleteVpcEndpoints":        `<unsuccessful/>`,
}

// endpointItem is a gateway endpoint with the fields AWS answers for one
// (DescribeVpcEndpoints and CreateVpcEndpoint in the EC2 API reference and
// the aws CLI's examples): its full-access default policy, route table,
// empty interface sets, private DNS off, timestamps and owner.
const endpointItem = `<vpcEndpointId>vpce-0123456789abcdef0</vpcEndpointId><vpcEndpointType>Gateway</vpcEndpointType>` +
	`<vpcId>vpc-0123456789abcdef0</vpcId><serviceName>com.amazonaws.us-east-1.dynamodb</serviceName><state>available</state>` +
	`<policyDocument>{&quot;Version&quot;:&quot;2008-10-17&quot;,&quot;Statement&quot;:[{&quot;Effect&quot;:&quot;Allow&quot;,&quot;Principal&quot;:&quot;*&quot;,&quot;Action&quot;:&quot;*&quot;,&quot;Resource&quot;:&quot;*&quot;}]}</policyDocument>` +
	`<routeTableIdSet><item>rtb-0123456789abcdef0</item></routeTableIdSet><subnetIdSet/><groupSet/>` +
	`<ipAddressType>ipv4</ipAddressType><privateDnsEnabled>false</privateDnsEnabled><requesterManaged>false</requesterManaged>` +
	`<networkInterfaceIdSet/><dnsEntrySet/><creationTimestamp>2026-12-03T02:50:00.000Z</creationTimestamp><tagSet/><ownerId>123456789012</ownerId><serviceRegion>us-east-1</serviceRegion>`

// interfaceItem is a network interface with the fields AWS answers for one
// just created in a subnet with one security group (CreateNetworkInterface
// in the EC2 API reference and the aws CLI's examples).
const interfaceItem = `<networkInterfaceId>eni-0123456789abcdef0</networkInterfaceId><subnetId>subnet-0123456789abcdef0</subnetId>` +
	`<vpcId>vpc-0123456789abcdef0</vpcId><availabilityZone>us-east-1a</availabilityZone><description/><ownerId>123456789012</ownerId>` +
	`<requesterManaged>false</requesterManaged><status>available</status><macAddress>02:1a:80:41:52:9c</macAddress>` +
	`<privateIpAddress>10.0.0.4</privateIpAddress><privateDnsName>ip-10-0-0-4.ec2.internal</privateDnsName><sourceDestCheck>true</sourceDestCheck>` +
	`<groupSet><item><groupId>sg-0123456789abcdef0</groupId><groupName>g1</groupName></item></groupSet><tagSet/>` +
	`<privateIpAddressesSet><item><privateIpAddress>10.0.0.4</privateIpAddress><privateDnsName>ip-10-0-0-4.ec2.internal</privateDnsName><primary>true</primary></item></privateIpAddressesSet>` +
	`<ipv6AddressesSet/><interfaceType>interface</interfaceType>`

// awsShapedAnswers are answers with the fields AWS's own answers to these
// calls carry (the EC2 API reference's examples and the aws CLI's): a
// client decodes as much from them as from vpce's or AWS's, so the ratio
// against this server measures the server, not the size of its answers.
var awsShapedAnswers = map[string]string{
	"CreateVpc": `<vpc><vpcId>vpc-0123456789abcdef0</vpcId><ownerId>123456789012</ownerId><state>pending</state><cidrBlock>10.0.0.0/16</cidrBlock>` +
		`<cidrBlockAssociationSet><item><cidrBlock>10.0.0.0/16</cidrBlock><associationId>vpc-cidr-assoc-0123456789abcdef0</associationId><cidrBlockState><state>associated</state></cidrBlockState></item></cidrBlockAssociationSet>` +
		`<ipv6CidrBlockAssociationSet/><dhcpOptionsId>dopt-0123456789abcdef0</dhcpOptionsId><instanceTenancy>default</instanceTenancy><isDefault>false</isDefault></vpc>`,
	"CreateSubnet": `<subnet><subnetId>subnet-0123456789abcdef0</subnetId><state>available</state><vpcId>vpc-0123456789abcdef0</vpcId><cidrBlock>10.0.0.0/20</cidrBlock>` +
		`<ipv6CidrBlockAssociationSet/><availableIpAddressCount>4091</availableIpAddressCount><availabilityZone>us-east-1a</availabilityZone><availabilityZoneId>use1-az1</availabilityZoneId>` +
		`<defaultForAz>false</defaultForAz><mapPublicIpOnLaunch>false</mapPublicIpOnLaunch><assignIpv6AddressOnCreation>false</assignIpv6AddressOnCreation>` +
		`<subnetArn>arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0123456789abcdef0</subnetArn><ownerId>123456789012</ownerId></subnet>`,
	"CreateRouteTable": `<routeTable><routeTableId>rtb-0123456789abcdef0</routeTableId><vpcId>vpc-0123456789abcdef0</vpcId><ownerId>123456789012</ownerId>` +
		`<routeSet><item><destinationCidrBlock>10.0.0.0/16</destinationCidrBlock><gatewayId>local</gatewayId><state>active</state><origin>CreateRouteTable</origin></item></routeSet>` +
		`<associationSet/><propagatingVgwSet/><tagSet/></routeTable>`,
	"CreateSecurityGroup": `<return>true</return><groupId>sg-0123456789abcdef0</groupId>` +
		`<securityGroupArn>arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0</securityGroupArn>`,
	"DescribeSecurityGroups": `<securityGroupInfo><item><ownerId>123456789012</ownerId><groupId>sg-0123456789abcdef0</groupId><groupName>g1</groupName>` +
		`<groupDescription>bench</groupDescription><vpcId>vpc-0123456789abcdef0</vpcId><ipPermissions/>` +
		`<ipPermissionsEgress><item><ipProtocol>-1</ipProtocol><groups/><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><ipv6Ranges/><prefixListIds/></item></ipPermissionsEgress>` +
		`<securityGroupArn>arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0</securityGroupArn></item></securityGroupInfo>`,
	"CreateNetworkInterface":    `<networkInterface>` + interfaceItem + `</networkInterface>`,
	"DescribeNetworkInterfaces": `<networkInterfaceSet><item>` + interfaceItem + `</item></networkInterfaceSet>`,
	"DeleteNetworkInterface":    `<return>true</return>`,
	"DeleteSecurityGroup":       `<return>true</return><groupId>sg-0123456789abcdef0</groupId>`,
	"CreateVpcEndpoint":         `<vpcEndpoint>` + endpointItem + `</vpcEndpoint>`,
	"DescribeVpcEndpoints":      `<vpcEndpointSet><item>` + endpointItem + `</item></vpcEndpointSet>`,
	"DeleteVpcEndpoints":        `<unsuccessful/>`,
}

// constantServer answers every action with a fixed, valid response from
// answers, under requestID; with g, its writes are durable first.
func constantServer(answers map[string]string, requestID string, g *floor.Log) (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		a := r.Form.Get("Action")
		if g != nil {
			if err := g.Write(a, r.Form.Encode()); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
		}
		w.Header().Set("Content-Type", "text/xml;charset=UTF-8")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<%sResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>%s</requestId>%s</%sResponse>`, a, requestID, answers[a], a)
	})}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String(), func() { srv.Close() }
}
