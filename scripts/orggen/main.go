// Command orggen writes a synthetic organisation as aws ec2 describe-*
// outputs (dump.Synthesize), for `vpce import` and the benchmarks:
//
//	go run ./scripts/orggen -dir /tmp/org -vpcs 100 -subnets 10 -enis 50 -instance-every 5
package main

import (
	"flag"
	"fmt"
	"log"

	"github.com/vpce/vpce/internal/dump"
)

func main() {
	dir := flag.String("dir", "org", "folder to write into")
	o := dump.SynthOptions{}
	flag.IntVar(&o.VPCs, "vpcs", 100, "VPCs")
	flag.IntVar(&o.SubnetsPerVPC, "subnets", 10, "subnets per VPC")
	flag.IntVar(&o.ENIsPerSubnet, "enis", 100, "interfaces per subnet")
	flag.IntVar(&o.InstanceEvery, "instance-every", 5, "every Nth interface is an instance's")
	flag.StringVar(&o.Account, "account", "210987654321", "account")
	flag.Parse()
	sum, err := dump.Synthesize(*dir, o)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%s: %d records, %d interfaces, %d subnets; e.g. instance %s in %s\n", *dir, sum.Records, sum.ENIs, sum.Subnets, sum.FirstInst, sum.FirstVPC)
}
