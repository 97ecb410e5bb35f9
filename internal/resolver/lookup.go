package resolver

import (
	"net/netip"
	"slices"
	"strings"

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
	// Chain is the CNAME chain from the name asked (first) to the name
	// the addresses belong to (last); empty without CNAMEs.
	Chain []string
	// Private is set when a private hosted zone decided the answer: its
	// NXDOMAIN is final, never asked of the upstream.
	Private bool
	// Forward are the targets of the Resolver rule the name matched: the
	// query is theirs to answer (Kind NotAnswered).
	Forward []netip.AddrPort
	// ForwardVPC is the VPC of the inbound endpoint those targets are,
	// when vpce serves it (path analysis asks that VPC's inbound view).
	ForwardVPC string
	Reason     string
}

// answer decides a name in a zone: the one place the resolver's rules
// live, used by the DNS server and by path analysis alike.
func (z *zone) answer(name string) Result {
	if !z.dnsSupport {
		return Result{Kind: Refused, Reason: z.target.VpcID + " has enableDnsSupport off: its resolver does not answer"}
	}
	return z.answerDepth(name, 0)
}

// maxChain bounds CNAME and alias chains.
const maxChain = 8

func (z *zone) answerDepth(name string, depth int) Result {
	rec, ok := z.lookup(name)
	if rule := z.decidingRule(name); rule != nil {
		return Result{Kind: NotAnswered, Forward: rule.Targets, ForwardVPC: rule.InboundVPC, Reason: "forwarded by Resolver rule " + rule.ID + " (" + rule.Domain + ")"}
	}
	if pz := z.privateZone(name); pz != nil && !(ok && rec.zone != "" && labels(rec.zone) >= labels(pz.Name)) {
		// A private hosted zone answers every name under it — unless an
		// endpoint's private DNS makes a zone at least as specific.
		res := z.answerPrivate(pz, name, depth)
		res.Private = true
		return res
	}
	if ok {
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

func labels(name string) int { return strings.Count(strings.TrimSuffix(name, "."), ".") + 1 }

// privateZone returns the most specific private hosted zone of the VPC
// holding name; nil when none does.
func (z *zone) privateZone(name string) *cloud.DNSZone {
	for i := range z.phz {
		pz := &z.phz[i]
		if name == pz.Name || strings.HasSuffix(name, "."+pz.Name) {
			return pz
		}
	}
	return nil
}

// answerPrivate answers a name from a private hosted zone, as Route 53
// Resolver does: its A and AAAA records, a CNAME followed (shown as a
// chain), an alias answered with its target's addresses; a name the zone
// lacks is NXDOMAIN, never asked of public DNS.
func (z *zone) answerPrivate(pz *cloud.DNSZone, name string, depth int) Result {
	why := "private hosted zone " + pz.ID + " (" + pz.Name + ")"
	var sets []cloud.RecordSet
	for _, r := range pz.Records {
		if r.Name == name {
			sets = append(sets, r)
		}
	}
	if len(sets) == 0 {
		// A wildcard record of the zone, at the nearest enclosing name.
		for rest := name; rest != pz.Name && strings.Contains(rest, "."); {
			_, rest, _ = strings.Cut(rest, ".")
			for _, r := range pz.Records {
				if r.Name == "*."+rest {
					sets = append(sets, r)
				}
			}
			if len(sets) > 0 {
				break
			}
		}
	}
	if len(sets) == 0 {
		exists := slices.ContainsFunc(pz.Records, func(r cloud.RecordSet) bool { return strings.HasSuffix(r.Name, "."+name) })
		if exists {
			return Result{Kind: FromVPC, Reason: why + ": " + name + " has no address records"}
		}
		return Result{Kind: NoSuchName, Reason: why + " has no record " + name}
	}
	res := Result{Kind: FromVPC, Reason: why}
	for _, r := range sets {
		switch {
		case r.Alias != nil || r.Type == "CNAME":
			if depth >= maxChain {
				return Result{Kind: NotAnswered, Reason: why + ": CNAME or alias chain too long at " + name}
			}
			target := ""
			if r.Alias != nil {
				target = fqdn(r.Alias.DNSName)
			} else if len(r.Values) > 0 {
				target = fqdn(r.Values[0])
			}
			sub := z.answerDepth(target, depth+1)
			if sub.Kind != FromVPC && sub.Kind != FromCatalog {
				sub.Reason = why + ": " + name + " → " + target + ": " + sub.Reason
				return sub
			}
			out := Result{Kind: FromVPC, Addrs: sub.Addrs, Addrs6: sub.Addrs6, Reason: why + ": " + name + " → " + target + " (" + sub.Reason + ")"}
			if r.Type == "CNAME" {
				out.Chain = append([]string{name}, sub.Chain...)
				if len(sub.Chain) == 0 {
					out.Chain = []string{name, target}
				}
			} else {
				out.Chain = sub.Chain // an alias answers as the name itself
			}
			return out
		case r.Type == "A":
			for _, v := range r.Values {
				if a, err := netip.ParseAddr(v); err == nil {
					res.Addrs = append(res.Addrs, a)
				}
			}
		case r.Type == "AAAA":
			for _, v := range r.Values {
				if a, err := netip.ParseAddr(v); err == nil {
					res.Addrs6 = append(res.Addrs6, a)
				}
			}
		}
	}
	return res
}

// decidingRule returns the FORWARD rule that sends name on: the most
// specific rule holding it, unless that is a SYSTEM rule or a private zone
// or endpoint private name more specific than the rule's domain holds the
// name (those answer here). Nil when the VPC answers the name itself.
func (z *zone) decidingRule(name string) *cloud.DNSRule {
	if len(z.rules) == 0 {
		return nil
	}
	rule := z.rule(name)
	if rule == nil || rule.System {
		return nil
	}
	d := ruleDepth(rule.Domain)
	if pz := z.privateZone(name); pz != nil && labels(pz.Name) > d {
		return nil
	}
	if rec, ok := z.lookup(name); ok && rec.zone != "" && labels(rec.zone) > d {
		return nil
	}
	return rule
}

// rule returns the most specific Resolver rule whose domain holds name;
// nil when none does.
func (z *zone) rule(name string) *cloud.DNSRule {
	var best *cloud.DNSRule
	for i := range z.rules {
		r := &z.rules[i]
		if (r.Domain == "." || name == r.Domain || strings.HasSuffix(name, "."+r.Domain)) && (best == nil || ruleDepth(r.Domain) > ruleDepth(best.Domain)) {
			best = r
		}
	}
	return best
}

// ruleDepth is the number of labels of a rule's domain; the root "." has
// none, so every other rule is more specific.
func ruleDepth(domain string) int {
	if domain == "." {
		return 0
	}
	return labels(domain)
}
