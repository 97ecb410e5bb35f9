package resolver

import (
	"net/netip"

	"github.com/vpce/vpce/internal/cloud"
)

// Origin says where an answer came from.
type Origin int

// Where a name's answer comes from.
const (
	// FromVPC: the VPC answers the name itself (private DNS of an
	// endpoint, a vpce name, an EC2 host name).
	FromVPC Origin = iota
	// FromCatalog: a public AWS service name, answered with its public
	// address (forwarded upstream instead when one is configured).
	FromCatalog
	// NoSuchName: a name in AWS's domains that does not exist (NXDOMAIN).
	NoSuchName
	// NotAnswered: not an AWS name; only an upstream could answer it.
	NotAnswered
	// Refused: the VPC's resolver does not answer at all (DNS support off).
	Refused
)

// Result is what a VPC's resolver answers for a name, and why.
type Result struct {
	Kind   Origin
	Addrs  []netip.Addr // A records
	Addrs6 []netip.Addr // AAAA records
	Reason string
}

// answer decides a name in a zone: the one place the resolver's rules
// live, used by the DNS server and by path analysis alike.
func (z *zone) answer(name string) Result {
	if !z.dnsSupport {
		return Result{Kind: Refused, Reason: z.target.VpcID + " has enableDnsSupport off: its resolver does not answer"}
	}
	if rec, ok := z.lookup(name); ok {
		return Result{Kind: FromVPC, Addrs: rec.addrs, Addrs6: rec.addrs6, Reason: rec.reason}
	}
	if pn, ok := public.lookup(name); ok {
		a := cloud.PublicServiceAddrIn(pn.region, pn.service, name, z.ranges[pn.service])
		return Result{Kind: FromCatalog, Addrs: []netip.Addr{a}, Reason: "public address of " + pn.service + " in " + pn.region + " (catalog)"}
	}
	if awsDomain(name) {
		return Result{Kind: NoSuchName, Reason: "no such name in AWS's domains"}
	}
	return Result{Kind: NotAnswered, Reason: "not an AWS name and no --dns-upstream configured"}
}

// View is a VPC's compiled DNS view, for callers that ask what a name
// resolves to without sending a packet (path analysis).
type View struct{ z *zone }

// Compile builds the view of the VPC v describes over the shared zone of
// public vpce names (CompileShared).
func Compile(v *cloud.DNSView, shared *Shared) *View {
	t := cloud.ResolverTarget{Addr: v.ResolverAddr, Region: v.Region, VpcID: v.VpcID}
	return &View{compile(v, t, shared.z)}
}

// Shared is the compiled zone of the public vpce names every VPC answers,
// made once for all the VPCs of a state.
type Shared struct{ z *zone }

// CompileShared compiles the public vpce names of interface endpoints.
func CompileShared(eps []cloud.DNSEndpoint) *Shared { return &Shared{compileShared(eps)} }

// Lookup answers an A query for name as the VPC's resolver does when no
// upstream is configured.
func (v *View) Lookup(name string) Result { return v.z.answer(fqdn(name)) }

// PublicService returns the region and service (s3, ssm, ecr.api) a
// public AWS name belongs to: the service's own names, bucket names under
// S3's, and the global names AWS still answers (s3.amazonaws.com).
func PublicService(name string) (region, service string, ok bool) {
	pn, ok := public.lookup(fqdn(name))
	return pn.region, pn.service, ok
}
