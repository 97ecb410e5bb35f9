package reach

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
	"github.com/vpce/vpce/internal/dump"
)

// benchENIs is the size of the synthetic organisation: VPCE_SYNTH_ENIS
// (100000 for docs/benchmarks.md), 1000 by default.
func benchENIs() int {
	if n, err := strconv.Atoi(os.Getenv("VPCE_SYNTH_ENIS")); err == nil && n >= 1000 {
		return n
	}
	return 1000
}

// synthState imports a synthetic organisation into a fresh state.
func synthState(b *testing.B, o dump.SynthOptions) (*cloud.Cloud, cloud.Scope, dump.SynthSummary) {
	b.Helper()
	sum, err := dump.Synthesize(b.TempDir(), o)
	if err != nil {
		b.Fatal(err)
	}
	c := cloud.New(cloud.Config{Store: cloudtest.Store(b, b.TempDir())})
	accts, _, err := dump.Read(sum.Dir, dump.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, a := range accts {
		if _, err := c.Import(context.Background(), a.Scope, a.Set); err != nil {
			b.Fatal(err)
		}
	}
	return c, accts[0].Scope, sum
}

// BenchmarkAnalyze is one query on a state of VPCE_SYNTH_ENIS interfaces
// (100 VPCs), over a built snapshot: instance to SSM by name (DNS, groups,
// ACLs, routes, the endpoint) and to S3 (prefix-list route, gateway
// endpoint).
func BenchmarkAnalyze(b *testing.B) {
	c, sc, sum := synthState(b, dump.SynthOptions{VPCs: 100, SubnetsPerVPC: 10, ENIsPerSubnet: max(1, benchENIs()/1000), InstanceEvery: 5})
	snap, err := c.Snapshot(context.Background(), sc)
	if err != nil {
		b.Fatal(err)
	}
	a := New(snap)
	b.ReportMetric(float64(snap.NetworkInterfaces.Len()), "enis")
	for _, q := range []struct {
		name string
		q    Query
	}{
		{"ssm-by-name", Query{From: sum.LastInst, To: "ssm.us-east-1.amazonaws.com"}},
		{"s3-service", Query{From: sum.LastInst, To: "com.amazonaws.us-east-1.s3", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}},
		{"eni-to-eni", Query{From: sum.FirstENI, To: sum.FirstInst, Port: 22}},
	} {
		b.Run(q.name, func(b *testing.B) {
			if r, err := a.Analyze(q.q); err != nil || r.Verdict == "" {
				b.Fatal(err)
			}
			for b.Loop() {
				a.Analyze(q.q)
			}
		})
	}
}

// BenchmarkSnapshot builds the snapshot of a state of VPCE_SYNTH_ENIS
// interfaces: what an analysis pays once after each change.
func BenchmarkSnapshot(b *testing.B) {
	c, sc, _ := synthState(b, dump.SynthOptions{VPCs: 100, SubnetsPerVPC: 10, ENIsPerSubnet: max(1, benchENIs()/1000), InstanceEvery: 5})
	for b.Loop() {
		// A write moves the generation: the next Snapshot is built anew.
		c.ModifyVpcAttribute(context.Background(), sc, &cloud.ModifyVpcAttributeInput{VpcID: "vpc-01000000000000000",
			EnableDNSHostnames: &cloud.AttributeBoolean{Value: new(bool)}})
		if _, err := c.Snapshot(context.Background(), sc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatrix is `vpce reach --matrix` of one VPC of 1,000 subnets
// against its eight services (SSM's three, S3, DynamoDB, …).
func BenchmarkMatrix(b *testing.B) {
	c, sc, sum := synthState(b, dump.SynthOptions{VPCs: 1, SubnetsPerVPC: 1000, ENIsPerSubnet: 2})
	snap, err := c.Snapshot(context.Background(), sc)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		m, err := New(snap).Matrix(sum.FirstVPC)
		if err != nil || len(m.Rows) != 1000 {
			b.Fatal(err)
		}
	}
}
