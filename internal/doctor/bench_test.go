package doctor

import (
	"context"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
	"github.com/vpce/vpce/internal/cost"
	"github.com/vpce/vpce/internal/dump"
	"github.com/vpce/vpce/internal/reach"
)

// BenchmarkOrganisation runs `vpce doctor --all` and `vpce cost --all` on a
// synthetic organisation of 10,000 instances (100 VPCs × 10 subnets × 50
// interfaces, every fifth an instance's), the snapshot built once.
func BenchmarkOrganisation(b *testing.B) {
	sum, err := dump.Synthesize(b.TempDir(), dump.SynthOptions{VPCs: 100, SubnetsPerVPC: 10, ENIsPerSubnet: 50, InstanceEvery: 5})
	if err != nil {
		b.Fatal(err)
	}
	c := cloud.New(cloud.Config{Store: cloudtest.Store(b, b.TempDir())})
	accts, _, err := dump.Read(sum.Dir, dump.Options{})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := c.Import(context.Background(), accts[0].Scope, accts[0].Set); err != nil {
		b.Fatal(err)
	}
	snap, err := c.Snapshot(context.Background(), accts[0].Scope)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(snap.Instances)), "instances")
	var usage []cost.Usage
	for id := range snap.Vpcs {
		usage = append(usage, cost.Usage{VPC: id, Service: "s3", GBPerMonth: 100}, cost.Usage{VPC: id, Service: "dynamodb", GBPerMonth: 50})
	}
	b.Run("doctor-all", func(b *testing.B) {
		for b.Loop() {
			if _, err := Run(reach.New(snap), Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cost-all", func(b *testing.B) {
		for b.Loop() {
			if _, err := cost.Estimate(reach.New(snap), cost.Options{Usage: usage}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
