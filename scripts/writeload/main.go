// Command writeload creates and deletes a network interface in a subnet at
// a steady rate through the EC2 Query API (one keep-alive connection), and
// prints how many writes succeeded: the write side of
// scripts/bench-dns-writes.sh, without a process per request.
//
//	go run ./scripts/writeload -endpoint-url http://127.0.0.1:4596 -subnet subnet-… -rate 20 -duration 10s
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

func main() {
	endpoint := flag.String("endpoint-url", "http://127.0.0.1:4596", "vpce serve")
	account := flag.String("account", "123456789012", "account to act in")
	subnet := flag.String("subnet", "", "subnet to create interfaces (or endpoints) in (required)")
	vpc := flag.String("vpc", "", "with -service: the subnet's VPC")
	service := flag.String("service", "", "create and delete interface endpoints of this service (com.amazonaws.us-east-1.ssm) instead of interfaces")
	rate := flag.Float64("rate", 20, "writes per second (a create and a delete are two)")
	dur := flag.Duration("duration", 10*time.Second, "how long to write")
	flag.Parse()
	if *subnet == "" {
		log.Fatal("-subnet is required")
	}
	auth := "AWS4-HMAC-SHA256 Credential=" + *account + "/20261201/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0"
	call := func(form url.Values) (string, error) {
		form.Set("Version", "2016-11-15")
		req, _ := http.NewRequest(http.MethodPost, *endpoint, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			return "", fmt.Errorf("%d: %s", resp.StatusCode, b)
		}
		return string(b), nil
	}
	create := url.Values{"Action": {"CreateNetworkInterface"}, "SubnetId": {*subnet}}
	idRE := regexp.MustCompile(`<networkInterfaceId>(eni-[0-9a-f]+)<`)
	del := func(id string) url.Values {
		return url.Values{"Action": {"DeleteNetworkInterface"}, "NetworkInterfaceId": {id}}
	}
	if *service != "" {
		create = url.Values{"Action": {"CreateVpcEndpoint"}, "VpcId": {*vpc}, "ServiceName": {*service}, "VpcEndpointType": {"Interface"},
			"SubnetId.1": {*subnet}, "PrivateDnsEnabled": {"false"}}
		idRE = regexp.MustCompile(`<vpcEndpointId>(vpce-[0-9a-f]+)<`)
		del = func(id string) url.Values {
			return url.Values{"Action": {"DeleteVpcEndpoints"}, "VpcEndpointId.1": {id}}
		}
	}
	tick := time.NewTicker(time.Duration(float64(2*time.Second) / *rate))
	defer tick.Stop()
	end := time.Now().Add(*dur)
	ok, failed := 0, 0
	for now := range tick.C {
		if now.After(end) {
			break
		}
		body, err := call(create)
		m := idRE.FindStringSubmatch(body)
		if err != nil || m == nil {
			failed++
			log.Print(err, body)
			continue
		}
		ok++
		if _, err := call(del(m[1])); err != nil {
			failed++
			log.Print(err)
			continue
		}
		ok++
	}
	fmt.Printf("%d writes succeeded, %d failed, in %s\n", ok, failed, *dur)
}
