package reach

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
)

// queries are the questions the properties are checked on.
func (w *world) queries() []Query {
	return []Query{
		{From: w.app, To: "ssm.us-east-1.amazonaws.com"},
		{From: w.appB, To: "ssmmessages.us-east-1.amazonaws.com"},
		{From: w.app, To: "com.amazonaws.us-east-1.s3"},
		{From: w.app, To: "com.amazonaws.us-east-1.dynamodb"},
		{From: w.web, To: "com.amazonaws.us-east-1.s3"},
		{From: w.appB, To: w.app, Port: 22},
		{From: w.privB, To: "kms.us-east-1.amazonaws.com"},
	}
}

var cidrs = []string{"0.0.0.0/0", "10.0.0.0/16", "10.0.1.0/24", "10.0.2.0/24", "10.0.0.0/24", "52.0.0.0/8", "3.0.0.0/8"}

// restrict closes things at random: egress revoked, network ACL denies.
func (w *world) restrict(rng *rand.Rand) {
	switch rng.IntN(3) {
	case 0: // revoking twice fails: the rule is gone already
		w.c.RevokeSecurityGroupEgress(w.ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: w.appSG,
			IPPermissions: []cloud.IPPermission{{IPProtocol: "-1", IPRanges: []cloud.IPRange{{CidrIP: "0.0.0.0/0"}}}}})
	case 1:
		from := int32(rng.IntN(65535) + 1)
		to := min(from+int32(rng.IntN(40000)), 65535)
		w.denyEntry(rng, from, to)
	case 2:
		w.denyEntry(rng, 443, 443)
	}
}

// denyEntry adds a deny entry at a random number (a taken number is skipped).
func (w *world) denyEntry(rng *rand.Rand, from, to int32) {
	n, egress := int32(1+rng.IntN(99)), rng.IntN(2) == 0
	w.c.CreateNetworkAclEntry(w.ctx, sc, &cloud.NetworkACLEntryInput{NetworkACLID: w.acl, RuleNumber: &n, Protocol: "6", RuleAction: "deny",
		Egress: &egress, CidrBlock: cidrs[rng.IntN(len(cidrs))], PortRange: &cloud.PortRange{From: &from, To: &to}})
}

// allow adds one allow rule at random: security group ingress or egress,
// or a network ACL allow entry at any free number.
func (w *world) allow(rng *rand.Rand) string {
	port := int32(rng.IntN(65535) + 1)
	to := port
	if rng.IntN(2) == 0 {
		to = min(port+int32(rng.IntN(65535)), 65535)
	}
	if rng.IntN(3) == 0 {
		port, to = 443, 443
	}
	cidr := cidrs[rng.IntN(len(cidrs))]
	switch rng.IntN(3) {
	case 0:
		g := []string{w.appSG, w.endpointSG}[rng.IntN(2)]
		_, err := w.c.AuthorizeSecurityGroupIngress(w.ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: g,
			IPPermissions: []cloud.IPPermission{{IPProtocol: "tcp", FromPort: &port, ToPort: &to, IPRanges: []cloud.IPRange{{CidrIP: cidr}}}}})
		return fmt.Sprintf("ingress %s %d-%d %s (%v)", g, port, to, cidr, err)
	case 1:
		_, err := w.c.AuthorizeSecurityGroupEgress(w.ctx, sc, &cloud.SecurityGroupRulesInput{GroupID: w.appSG,
			IPPermissions: []cloud.IPPermission{{IPProtocol: "tcp", FromPort: &port, ToPort: &to, IPRanges: []cloud.IPRange{{CidrIP: cidr}}}}})
		return fmt.Sprintf("egress %d-%d %s (%v)", port, to, cidr, err)
	}
	n, egress := int32(1+rng.IntN(32000)), rng.IntN(2) == 0
	_, err := w.c.CreateNetworkAclEntry(w.ctx, sc, &cloud.NetworkACLEntryInput{NetworkACLID: w.acl, RuleNumber: &n, Protocol: "6", RuleAction: "allow",
		Egress: &egress, CidrBlock: cidr, PortRange: &cloud.PortRange{From: &port, To: &to}})
	return fmt.Sprintf("acl allow %d egress=%v %d-%d %s (%v)", n, egress, port, to, cidr, err)
}

// TestAllowNeverCloses: adding an allow rule (security group or network
// ACL) never closes a path that was open, nor changes how it goes.
func TestAllowNeverCloses(t *testing.T) {
	opened, closedAtStart := 0, 0
	for seed := range uint64(12) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			w := newWorld(t)
			for range rng.IntN(4) {
				w.restrict(rng)
			}
			before := map[int]string{}
			for i, q := range w.queries() {
				before[i] = w.analyze(q).Verdict
				if before[i] == Blocked {
					closedAtStart++
				}
			}
			for step := range 8 {
				what := w.allow(rng)
				for i, q := range w.queries() {
					after := w.analyze(q).Verdict
					if before[i] != Blocked && after != before[i] {
						t.Fatalf("step %d, %s: %+v went from %s to %s", step, what, q, before[i], after)
					}
					if before[i] == Blocked && after != Blocked {
						opened++
					}
					before[i] = after
				}
			}
		})
	}
	// The property is not vacuous: paths started closed, and some allow
	// rules opened them.
	if closedAtStart == 0 || opened == 0 {
		t.Fatalf("closed at start %d, opened %d: the sequences do not exercise the property", closedAtStart, opened)
	}
	t.Logf("%d paths closed at start, %d opened by allow rules", closedAtStart, opened)
}

// TestNoRouteNoPath: removing every route that covers a destination outside
// the VPC never leaves a path to it.
func TestNoRouteNoPath(t *testing.T) {
	w := newWorld(t)
	for _, q := range w.queries() {
		r := w.analyze(q)
		dst := r.Destination.Address
		if !dst.IsValid() || netip.MustParsePrefix("10.0.0.0/16").Contains(dst) {
			continue
		}
		snap := w.snap()
		src := r.Source.Subnet
		rt := snap.RouteTableOf(src)
		a := New(snap)
		for _, route := range rt.Routes {
			m := a.lookupRoute(&cloud.RouteTable{Routes: []cloud.Route{route}}, dst)
			if m.route == nil {
				continue
			}
			if route.DestinationPrefixListID != "" {
				cloudtest.Must[*cloud.Return](t)(w.c.ModifyVpcEndpoint(w.ctx, sc, &cloud.ModifyVpcEndpointInput{VpcEndpointID: route.GatewayID, RemoveRouteTableIDs: []string{rt.RouteTableID}}))
			} else {
				cloudtest.Must[*cloud.Return](t)(w.c.DeleteRoute(w.ctx, sc, &cloud.DeleteRouteInput{RouteTableID: rt.RouteTableID, DestinationCidrBlock: route.DestinationCidrBlock}))
			}
		}
		if r2 := w.analyze(q); r2.Reachable || codes(r2.Explanations) != "NO_ROUTE_TO_DESTINATION" {
			t.Errorf("%+v after removing its routes: %s %s", q, r2.Verdict, codes(r2.Explanations))
		}
	}
}
