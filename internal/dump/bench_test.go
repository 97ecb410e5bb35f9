package dump

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/vpce/vpce/internal/reach"
)

// synthSize is the interfaces of the synthetic organisation the
// benchmarks import: VPCE_SYNTH_ENIS (100000 for the figures in
// docs/benchmarks.md), 1000 by default.
func synthSize() int {
	if n, err := strconv.Atoi(os.Getenv("VPCE_SYNTH_ENIS")); err == nil && n >= 1000 {
		return n
	}
	return 1000
}

// synthOrg makes n interfaces: 100 VPCs of 10 subnets.
func synthOrg(tb testing.TB, n int) SynthSummary {
	tb.Helper()
	sum, err := Synthesize(tb.TempDir(), SynthOptions{VPCs: 100, SubnetsPerVPC: 10, ENIsPerSubnet: max(1, n/1000), InstanceEvery: 5})
	if err != nil {
		tb.Fatal(err)
	}
	return sum
}

// TestSynthetic: the generated organisation is what it says: SSM by its
// interface endpoints, S3 by the gateway endpoint, the rest by NAT.
func TestSynthetic(t *testing.T) {
	sum, err := Synthesize(t.TempDir(), SynthOptions{VPCs: 2, SubnetsPerVPC: 3, ENIsPerSubnet: 5, InstanceEvery: 2})
	if err != nil {
		t.Fatal(err)
	}
	c := newCloud(t)
	accts := load(t, c, sum.Dir, Options{})
	a := analyzer(t, c, accts[0].Scope)
	for _, tc := range []struct{ from, to, want string }{
		{sum.FirstInst, "ssm.us-east-1.amazonaws.com", reach.PrivateInterfaceEndpoint},
		{sum.LastInst, "ec2messages.us-east-1.amazonaws.com", reach.PrivateInterfaceEndpoint},
		{sum.FirstENI, "com.amazonaws.us-east-1.s3", reach.PrivateGatewayEndpoint},
		{sum.FirstInst, "com.amazonaws.us-east-1.dynamodb", reach.PublicNAT},
	} {
		if r := verdict(t, a, reach.Query{From: tc.from, To: tc.to}); r.Verdict != tc.want {
			t.Errorf("%s → %s: %s %v, want %s", tc.from, tc.to, r.Verdict, r.Explanations, tc.want)
		}
	}
	if sum.ENIs != 2*3*5+2+2*2*3 {
		t.Errorf("interfaces %d", sum.ENIs)
	}
}

// BenchmarkImport reads and imports a synthetic organisation of
// VPCE_SYNTH_ENIS interfaces into a fresh state, once per iteration.
func BenchmarkImport(b *testing.B) {
	sum := synthOrg(b, synthSize())
	b.ReportMetric(float64(sum.Records), "records")
	for b.Loop() {
		b.StopTimer()
		c := newCloud(b)
		b.StartTimer()
		accts, _, err := Read(sum.Dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range accts {
			if _, err := c.Import(context.Background(), a.Scope, a.Set); err != nil {
				b.Fatal(err)
			}
		}
	}
}
