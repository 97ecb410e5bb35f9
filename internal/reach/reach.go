package reach

import (
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/vpce/vpce/internal/catalog"
	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/policy"
	"github.com/vpce/vpce/internal/resolver"
)

// Verdicts: how the destination is reached, or BLOCKED.
const (
	PrivateInterfaceEndpoint = "PRIVATE_INTERFACE_ENDPOINT"
	PrivateGatewayEndpoint   = "PRIVATE_GATEWAY_ENDPOINT"
	PublicNAT                = "PUBLIC_NAT"
	PublicIGW                = "PUBLIC_IGW"
	// PublicEgressOnly: IPv6 out through an egress-only internet gateway.
	PublicEgressOnly = "PUBLIC_EGRESS_ONLY_IGW"
	Local            = "LOCAL"
	Blocked          = "BLOCKED"
)

// Query is one question: can From reach To on Protocol/Port, and, when
// Action is set, would the request be allowed on the way?
type Query struct {
	// From is an instance (i-…), a network interface (eni-…), a subnet
	// (subnet-…) or an IPv4 address, inside a VPC or outside all of them.
	From string
	// To is a DNS name (ssm.us-east-1.amazonaws.com), a service name
	// (com.amazonaws.us-east-1.s3), an IPv4 address, or an instance,
	// interface, VPC endpoint or internet gateway ID.
	To string
	// IPv6 analyses the IPv6 path: the source's IPv6 address, names by
	// their AAAA answers, destinations' IPv6 addresses. An IPv6 address
	// given as From or To implies it.
	IPv6 bool
	// DNS names where names are resolved: a Route 53 Resolver inbound
	// endpoint (rslvr-in-…), as an on-premises client that queries it
	// would; empty means the source's VPC resolver, or public DNS for a
	// source outside every VPC.
	DNS string
	// Protocol is tcp (the default) or udp.
	Protocol string
	// Port is the destination port; 443 when zero.
	Port int

	// Action, Resource and Principal describe the request the connection
	// carries (s3:GetObject, arn:aws:s3:::bucket/key, a role ARN). With an
	// Action, the endpoint policy on the path must allow it.
	Action, Resource, Principal string
	// Identity are the caller's identity policies and ResourcePolicy the
	// resource's; when Identity is empty only the endpoint policy is
	// judged.
	Identity       []*policy.Policy
	ResourcePolicy *policy.Policy
}

// Result is the verdict and every hop that led to it.
type Result struct {
	Verdict   string `json:"verdict"`
	Reachable bool   `json:"reachable"`
	Source    Place  `json:"source"`
	// Destination is what To named, with the address the path goes to.
	Destination Place  `json:"destination"`
	Protocol    string `json:"protocol"`
	Port        int    `json:"port"`
	// Hops is the forward path in order; ReturnHops the checks the
	// answer passes on its way back (network ACLs are stateless).
	Hops       []Hop `json:"hops"`
	ReturnHops []Hop `json:"returnHops"`
	// Explanations say why the path is blocked (empty when reachable);
	// Details are facts worth knowing that did not block it.
	Explanations []Explanation `json:"explanations"`
	Details      []Explanation `json:"details"`
	// Fix lists the smallest changes that would open the path.
	Fix []string `json:"fix"`
	// Endpoint is the VPC endpoint the path ends at, NatGateway the NAT
	// gateway it leaves by, PublicAddress the address a service sees on a
	// public path (for aws:SourceIp).
	Endpoint      string     `json:"endpoint,omitempty"`
	NatGateway    string     `json:"natGateway,omitempty"`
	PublicAddress netip.Addr `json:"publicAddress,omitzero"`
}

// Place is a source or destination.
type Place struct {
	// ID is the component named (i-…, eni-…, subnet-…, vpce-…), if any.
	ID string `json:"id,omitempty"`
	// Kind is instance, network-interface, subnet, address, name,
	// service, vpc-endpoint or internet-gateway.
	Kind    string     `json:"kind"`
	Name    string     `json:"name,omitempty"`
	Service string     `json:"service,omitempty"`
	Address netip.Addr `json:"address,omitzero"`
	VpcID   string     `json:"vpcId,omitempty"`
	Subnet  string     `json:"subnetId,omitempty"`
	Zone    string     `json:"availabilityZone,omitempty"`
}

// Hop is one component the path passes and what it did there.
type Hop struct {
	// Component is the AWS ID (sg-…, acl-…, rtb-…, vpce-…) or the VPC
	// whose resolver answered.
	Component string `json:"component"`
	// Kind is dns, instance, network-interface, security-group,
	// network-acl, route-table, vpc-endpoint, nat-gateway,
	// internet-gateway or policy.
	Kind string `json:"kind"`
	// Direction is outbound or inbound for rule checks.
	Direction string `json:"direction,omitempty"`
	// Result is allow, deny, route, resolved or pass.
	Result string `json:"result"`
	// Rule says in words which rule or route matched.
	Rule string `json:"rule,omitempty"`

	ACLRule  *cloud.ACLEntry          `json:"aclRule,omitempty"`
	Route    *cloud.Route             `json:"route,omitempty"`
	SGRule   *cloud.SecurityGroupRule `json:"securityGroupRule,omitempty"`
	Subnet   string                   `json:"subnetId,omitempty"`
	VpcID    string                   `json:"vpcId,omitempty"`
	Address  netip.Addr               `json:"address,omitzero"`
	Policies []string                 `json:"statements,omitempty"`
}

// Explanation is a code (Reachability Analyzer's where it has one) and the
// component it is about.
type Explanation struct {
	Code      string `json:"code"`
	Component string `json:"component,omitempty"`
	Message   string `json:"message"`
}

// Analyzer answers queries over one snapshot. It is safe for concurrent
// use and caches what it compiles (DNS views, endpoint policies).
type Analyzer struct {
	snap *cloud.Snapshot

	mu       sync.Mutex
	views    map[string]*resolver.View
	public   *resolver.View
	shared   *resolver.Shared
	policies map[string]*policy.Policy
	// callers and endpoints hold condition keys prepared once per
	// principal and per endpoint and source address (Decide).
	callers   map[string]preparedCaller
	endpoints map[endpointKeys]*policy.Context
}

// New returns an analyzer over a snapshot.
func New(snap *cloud.Snapshot) *Analyzer {
	return &Analyzer{snap: snap, views: map[string]*resolver.View{}, policies: map[string]*policy.Policy{}}
}

// Snapshot returns the snapshot the analyzer reads.
func (a *Analyzer) Snapshot() *cloud.Snapshot { return a.snap }

// InputError is a query that names something that does not exist or
// cannot be a source or destination.
type InputError struct{ Msg string }

func (e *InputError) Error() string { return e.Msg }

func inputErr(format string, args ...any) error { return &InputError{fmt.Sprintf(format, args...)} }

// source is where a path starts.
type source struct {
	Place
	eni      *cloud.NetworkInterface // nil for a subnet or an outside address
	inst     *cloud.Instance         // set alone for an instance that is not running
	subnet   *cloud.Subnet
	vpc      *cloud.Vpc
	groups   []string // security groups of the source interface
	publicIP bool
	external bool // an address outside every VPC of the snapshot
	// vpn is the VPN connection an outside address stands behind (on
	// premises: one of its static routes holds the address).
	vpn *cloud.VpnConnection
}

// dest is where a path goes.
type dest struct {
	Place
	svc      *catalog.Service // the service the address belongs to, if known
	endpoint *cloud.VpcEndpoint
	internet bool // any internet address (an internet gateway as destination)
}

// path is one analysis in progress.
type path struct {
	a   *Analyzer
	q   Query
	r   *Result
	src source
	dst dest
	// proto is the IANA protocol number as a string: "6" or "17".
	proto string
	// v6 is set for an IPv6 path.
	v6 bool
	// natPublic is the public address of the NAT gateway on the path.
	natPublic netip.Addr
}

// Analyze answers a query. A query that names something unknown returns
// an *InputError; every other outcome, blocked or not, is a Result.
func (a *Analyzer) Analyze(q Query) (*Result, error) {
	if q.Protocol == "" {
		q.Protocol = "tcp"
	}
	q.Protocol = strings.ToLower(q.Protocol)
	proto := map[string]string{"tcp": "6", "6": "6", "udp": "17", "17": "17"}[q.Protocol]
	if proto == "" {
		return nil, inputErr("protocol %q: only tcp and udp paths are analysed", q.Protocol)
	}
	if q.Port == 0 {
		q.Port = 443
	}
	if q.Port < 1 || q.Port > 65535 {
		return nil, inputErr("port %d: must be 1-65535", q.Port)
	}
	p := &path{a: a, q: q, proto: proto, r: &Result{Protocol: map[string]string{"6": "tcp", "17": "udp"}[proto], Port: q.Port}}
	p.v6 = q.IPv6 || isIPv6Literal(q.From) || isIPv6Literal(q.To)
	src, err := a.source(q.From, p.v6)
	if err != nil {
		return nil, err
	}
	p.src = src
	p.r.Source = src.Place
	if err := p.run(); err != nil {
		return nil, err
	}
	r := p.r
	if r.Verdict == "" {
		r.Verdict = Blocked
	}
	r.Reachable = r.Verdict != Blocked
	for _, s := range []*[]Hop{&r.Hops, &r.ReturnHops} {
		if *s == nil {
			*s = []Hop{}
		}
	}
	for _, s := range []*[]Explanation{&r.Explanations, &r.Details} {
		if *s == nil {
			*s = []Explanation{}
		}
	}
	if r.Fix == nil {
		r.Fix = []string{}
	}
	return r, nil
}

func (p *path) hop(h Hop) { p.r.Hops = append(p.r.Hops, h) }

// block ends the path with an explanation and the change that would open it.
func (p *path) block(code, component, msg string, fix ...string) {
	p.r.Verdict = Blocked
	p.r.Explanations = append(p.r.Explanations, Explanation{code, component, msg})
	p.r.Fix = append(p.r.Fix, fix...)
}

func (p *path) detail(code, component, msg string) {
	p.r.Details = append(p.r.Details, Explanation{code, component, msg})
}

func (p *path) blocked() bool { return p.r.Verdict == Blocked }

func isIPv6Literal(s string) bool {
	a, err := netip.ParseAddr(s)
	return err == nil && a.Is6() && !a.Is4In6()
}

// source resolves From; v6 picks the source's IPv6 address.
func (a *Analyzer) source(from string, v6 bool) (source, error) {
	s := a.snap.Home() // a path starts in the asking account
	switch {
	case from == "":
		return source{}, inputErr("a source is required: an instance, interface, subnet or IPv4 address")
	case strings.HasPrefix(from, "i-"):
		in := s.Instances[from]
		if in == nil {
			return source{}, inputErr("instance %s does not exist in %s/%s", from, s.Scope.Account, s.Scope.Region)
		}
		if st := in.State.Name; st != "running" || len(in.NetworkInterfaces) == 0 {
			// Not running (a terminated instance has no interface left):
			// the path stops at the instance.
			return source{Place: Place{ID: from, Kind: "instance", VpcID: in.VpcID, Subnet: in.SubnetID}, inst: in}, nil
		}
		eni := s.NetworkInterfaces.Get(in.NetworkInterfaces[0].NetworkInterfaceID)
		if eni == nil {
			return source{}, inputErr("instance %s: its interface %s is not in the state", from, in.NetworkInterfaces[0].NetworkInterfaceID)
		}
		src, err := a.eniSource(eni, v6)
		src.ID, src.Kind = from, "instance"
		return src, err
	case strings.HasPrefix(from, "eni-"):
		eni := s.NetworkInterfaces.Get(from)
		if eni == nil {
			return source{}, inputErr("network interface %s does not exist in %s/%s", from, s.Scope.Account, s.Scope.Region)
		}
		return a.eniSource(eni, v6)
	case strings.HasPrefix(from, "subnet-"):
		sn := s.Subnets[from]
		if sn == nil {
			return source{}, inputErr("subnet %s does not exist in %s/%s", from, s.Scope.Account, s.Scope.Region)
		}
		// A subnet stands for a new interface in it without security
		// groups: the first address AWS would hand out.
		block := sn.CidrBlock
		if v6 {
			if bs := sn.Ipv6Blocks(); len(bs) > 0 {
				block = bs[0]
			} else {
				return source{}, inputErr("subnet %s has no IPv6 block: there is no IPv6 path from it", from)
			}
		}
		addr := block.Addr()
		for range 4 {
			addr = addr.Next()
		}
		return a.subnetSource(sn, addr, from, "subnet")
	}
	addr, err := netip.ParseAddr(from)
	if err != nil || addr.Is4In6() {
		return source{}, inputErr("source %q: give an instance (i-…), interface (eni-…), subnet (subnet-…) or an IP address", from)
	}
	if addr.Is4() && v6 {
		return source{}, inputErr("source %s is an IPv4 address: an IPv6 path starts at an IPv6 address", from)
	}
	for _, vpcID := range slices.Sorted(maps.Keys(s.Vpcs)) {
		if eni := s.InterfaceAt(vpcID, addr); eni != nil {
			src, err := a.eniSource(eni, false)
			src.Kind, src.ID, src.Address = "address", eni.NetworkInterfaceID, addr
			return src, err
		}
	}
	for _, id := range slices.Sorted(maps.Keys(s.Subnets)) {
		sn := s.Subnets[id]
		if sn.CidrBlock.Contains(addr) || slices.ContainsFunc(sn.Ipv6Blocks(), func(b netip.Prefix) bool { return b.Contains(addr) }) {
			return a.subnetSource(sn, addr, id, "address")
		}
	}
	if v := s.OnPremises(addr); v != nil {
		return source{Place: Place{Kind: "on-premises", Address: addr}, external: true, vpn: v}, nil
	}
	return source{Place: Place{Kind: "address", Address: addr}, external: true}, nil
}

func (a *Analyzer) eniSource(eni *cloud.NetworkInterface, v6 bool) (source, error) {
	sn := a.snap.Subnets[eni.SubnetID]
	if sn == nil {
		return source{}, inputErr("interface %s: its subnet %s is not in the state", eni.NetworkInterfaceID, eni.SubnetID)
	}
	addr := eni.PrivateIPAddress
	if !v6 && !addr.IsValid() {
		return source{}, inputErr("interface %s has no IPv4 address (an IPv6-only subnet): ask for its IPv6 path with --ipv6", eni.NetworkInterfaceID)
	}
	if v6 {
		if len(eni.Ipv6Addresses) == 0 {
			return source{}, inputErr("interface %s has no IPv6 address: there is no IPv6 path from it (aws ec2 assign-ipv6-addresses --network-interface-id %s --ipv6-address-count 1)", eni.NetworkInterfaceID, eni.NetworkInterfaceID)
		}
		addr = eni.Ipv6Addresses[0].Ipv6Address
	}
	src, err := a.subnetSource(sn, addr, eni.NetworkInterfaceID, "network-interface")
	src.eni = eni
	for _, g := range eni.Groups {
		src.groups = append(src.groups, g.GroupID)
	}
	src.publicIP = eni.Association != nil && eni.Association.PublicIP != ""
	return src, err
}

func (a *Analyzer) subnetSource(sn *cloud.Subnet, addr netip.Addr, id, kind string) (source, error) {
	vpc := a.snap.Vpcs[sn.VpcID]
	if vpc == nil {
		return source{}, inputErr("subnet %s: its VPC %s is not in the state", sn.SubnetID, sn.VpcID)
	}
	return source{Place: Place{ID: id, Kind: kind, Address: addr, VpcID: sn.VpcID, Subnet: sn.SubnetID, Zone: sn.AvailabilityZone},
		subnet: sn, vpc: vpc}, nil
}

// run walks the path: the start, DNS, then the network.
func (p *path) run() error {
	if err := p.start(); err != nil || p.blocked() {
		return err
	}
	if err := p.destination(); err != nil || p.blocked() {
		return err
	}
	p.r.Destination = p.dst.Place
	if p.src.external {
		p.fromOutside()
		return nil
	}
	p.forward()
	return nil
}

// start checks the source itself can send.
func (p *path) start() error {
	if p.src.external {
		return nil
	}
	if in := p.src.inst; in != nil && p.src.eni == nil {
		p.hop(Hop{Component: in.InstanceID, Kind: "instance", Result: "deny", Rule: "instance is " + in.State.Name})
		p.block("BAD_STATE", in.InstanceID, fmt.Sprintf("instance %s is %s, not running", in.InstanceID, in.State.Name))
		return nil
	}
	if p.src.eni != nil {
		if in := p.a.snap.InstanceOf(p.src.eni); in != nil {
			st := in.State.Name
			h := Hop{Component: in.InstanceID, Kind: "instance", Result: "pass", Rule: "instance is " + st}
			if st != "running" {
				h.Result = "deny"
				p.hop(h)
				p.block("BAD_STATE", in.InstanceID, fmt.Sprintf("instance %s is %s, not running", in.InstanceID, st))
				return nil
			}
			p.hop(h)
		}
		p.hop(Hop{Component: p.src.eni.NetworkInterfaceID, Kind: "network-interface", Result: "pass",
			Rule: fmt.Sprintf("%s in %s (%s)", p.src.Address, p.src.Subnet, p.src.Zone), Subnet: p.src.Subnet, VpcID: p.src.VpcID, Address: p.src.Address})
	} else {
		p.hop(Hop{Component: p.src.Subnet, Kind: "subnet", Result: "pass",
			Rule: fmt.Sprintf("a new interface at %s, without security groups", p.src.Address), Subnet: p.src.Subnet, VpcID: p.src.VpcID, Address: p.src.Address})
	}
	return nil
}

// zonePref orders candidate addresses: an endpoint interface in the
// source's zone first, as a client that prefers its zone would pick.
func (p *path) pick(addrs []netip.Addr) netip.Addr {
	if len(addrs) == 0 {
		return netip.Addr{}
	}
	if p.src.vpc != nil {
		for _, a := range addrs {
			if e := p.a.snap.InterfaceAt(p.src.VpcID, a); e != nil && e.AvailabilityZone == p.src.Zone {
				return a
			}
		}
	}
	return addrs[0]
}

// destination resolves To: names through the source VPC's resolver.
func (p *path) destination() error {
	s, to := p.a.snap, p.q.To
	d := &p.dst
	switch {
	case to == "":
		return inputErr("a destination is required: a DNS name, service name, IPv4 address or ID")
	case isID(to, "i-"):
		in := s.Instances[to]
		if in == nil || len(in.NetworkInterfaces) == 0 {
			return inputErr("instance %s does not exist in %s/%s", to, s.Scope.Account, s.Scope.Region)
		}
		d.Place = Place{ID: to, Kind: "instance", Address: in.NetworkInterfaces[0].PrivateIPAddress, VpcID: in.VpcID, Subnet: in.SubnetID}
		if !p.v6 && !d.Address.IsValid() {
			return inputErr("instance %s has no IPv4 address (an IPv6-only subnet): ask with --ipv6", to)
		}
		if p.v6 {
			e := s.NetworkInterfaces.Get(in.NetworkInterfaces[0].NetworkInterfaceID)
			if e == nil || len(e.Ipv6Addresses) == 0 {
				return inputErr("instance %s has no IPv6 address", to)
			}
			d.Address = e.Ipv6Addresses[0].Ipv6Address
		}
		return nil
	case isID(to, "eni-"):
		e := s.NetworkInterfaces.Get(to)
		if e == nil {
			return inputErr("network interface %s does not exist in %s/%s", to, s.Scope.Account, s.Scope.Region)
		}
		d.Place = Place{ID: to, Kind: "network-interface", Address: e.PrivateIPAddress, VpcID: e.VpcID, Subnet: e.SubnetID, Zone: e.AvailabilityZone}
		if !p.v6 && !d.Address.IsValid() {
			return inputErr("network interface %s has no IPv4 address (an IPv6-only subnet): ask with --ipv6", to)
		}
		if p.v6 {
			if len(e.Ipv6Addresses) == 0 {
				return inputErr("network interface %s has no IPv6 address", to)
			}
			d.Address = e.Ipv6Addresses[0].Ipv6Address
		}
		return nil
	case isID(to, "igw-"):
		g := s.InternetGateways[to]
		if g == nil {
			return inputErr("internet gateway %s does not exist in %s/%s", to, s.Scope.Account, s.Scope.Region)
		}
		d.Place = Place{ID: to, Kind: "internet-gateway", Address: internetAddr}
		if p.v6 {
			d.Address = internetAddr6
		}
		d.internet = true
		return nil
	case isID(to, "eigw-"):
		if s.EgressOnlyInternetGateways[to] == nil {
			return inputErr("egress-only internet gateway %s does not exist in %s/%s", to, s.Scope.Account, s.Scope.Region)
		}
		if !p.v6 {
			return inputErr("egress-only internet gateway %s carries IPv6 only: ask with --ipv6", to)
		}
		d.Place = Place{ID: to, Kind: "egress-only-internet-gateway", Address: internetAddr6}
		d.internet = true
		return nil
	case isID(to, "vpce-"):
		e := s.Endpoints[to]
		if e == nil {
			return inputErr("VPC endpoint %s does not exist in %s/%s", to, s.Scope.Account, s.Scope.Region)
		}
		d.endpoint = e
		d.Place = Place{ID: to, Kind: "vpc-endpoint", Service: e.ServiceName, VpcID: e.VpcID}
		if svc, ok := e.Service(s.Scope.Region); ok {
			d.svc = &svc
		}
		if e.VpcEndpointType == cloud.EndpointGateway {
			d.Address = p.serviceAddr(d.svc)
			return nil
		}
		var addrs []netip.Addr
		for _, sn := range e.Subnets {
			ni := s.NetworkInterfaces.Get(sn.ENI)
			switch {
			case ni == nil:
			case !p.v6:
				if ni.PrivateIPAddress.IsValid() {
					addrs = append(addrs, ni.PrivateIPAddress)
				}
			case len(ni.Ipv6Addresses) > 0:
				addrs = append(addrs, ni.Ipv6Addresses[0].Ipv6Address)
			}
		}
		if len(addrs) == 0 && p.v6 && len(e.Subnets) > 0 {
			p.block("NO_IPV6_ADDRESS", to, fmt.Sprintf("endpoint %s is %s: its interfaces have no IPv6 address", to, e.IPAddressType),
				fmt.Sprintf("aws ec2 modify-vpc-endpoint --vpc-endpoint-id %s --ip-address-type dualstack", to))
			return nil
		}
		if len(addrs) == 0 {
			p.block("VPCE_SERVICE_NOT_INSTALLED_IN_AZ", to, fmt.Sprintf("endpoint %s has no interface in any subnet", to),
				fmt.Sprintf("aws ec2 modify-vpc-endpoint --vpc-endpoint-id %s --add-subnet-ids <a subnet in %s>", to, p.src.Zone))
			return nil
		}
		d.Address = p.pick(addrs)
		return nil
	case strings.HasPrefix(to, "com.amazonaws."):
		rest := strings.TrimPrefix(to, "com.amazonaws.")
		region, short, ok := strings.Cut(rest, ".")
		if !ok || short == "" {
			return inputErr("service %q: give com.amazonaws.<region>.<service>", to)
		}
		if region != s.Scope.Region {
			return inputErr("service %s is in %s: endpoints are regional, and this state is %s", to, region, s.Scope.Region)
		}
		svc, ok := serviceByName(region, to)
		if !ok {
			return inputErr("service %s is not in vpce's catalog of %s", to, region)
		}
		d.svc = &svc
		name := serviceHost(svc)
		d.Place = Place{Kind: "service", Service: to, Name: name}
		return p.resolve(name)
	}
	if addr, err := netip.ParseAddr(to); err == nil {
		if addr.Is4() == p.v6 || addr.Is4In6() {
			return inputErr("destination %s: the source's address and the destination must be of one family (an IPv6 path needs an IPv6 destination)", to)
		}
		d.Place = Place{Kind: "address", Address: addr}
		return nil
	}
	if strings.Contains(to, "/") || strings.ContainsAny(to, " :") {
		return inputErr("destination %q: give a DNS name, service name, IP address or ID", to)
	}
	d.Place = Place{Kind: "name", Name: strings.TrimSuffix(strings.ToLower(to), ".")}
	return p.resolve(d.Name)
}

// isID reports whether s is an ID with the prefix (vpce-…, not a
// vpce-….vpce.amazonaws.com name).
func isID(s, prefix string) bool { return strings.HasPrefix(s, prefix) && !strings.Contains(s, ".") }

// internetAddr stands for "any address on the internet" (TEST-NET-2);
// internetAddr6 for any IPv6 one (in the documentation prefix).
var (
	internetAddr  = netip.MustParseAddr("198.51.100.10")
	internetAddr6 = netip.MustParseAddr("2001:db8:100::10")
)

// serviceByName finds a catalog service, preferring the interface
// variant when a name has both (S3, DynamoDB): its private DNS, if on,
// decides where clients go; without it the public name leads to the
// gateway's ranges.
func serviceByName(region, name string) (catalog.Service, bool) {
	for _, t := range []string{catalog.TypeInterface, catalog.TypeGateway} {
		if s, ok := catalog.LookupService(region, name, t); ok {
			return s, true
		}
	}
	return catalog.Service{}, false
}

// serviceHost is the name clients use for a service.
func serviceHost(svc catalog.Service) string {
	if n := svc.PrivateDNSName(); n != "" {
		return strings.TrimPrefix(n, "*.")
	}
	return svc.DNSLabel + "." + svc.Region + ".amazonaws.com"
}

// serviceAddr is the public address clients reach a service at.
func (p *path) serviceAddr(svc *catalog.Service) netip.Addr {
	if svc == nil {
		return internetAddr
	}
	var ranges []netip.Prefix
	if v := p.a.snap.DNSView(p.src.VpcID); v != nil {
		ranges = v.ServiceRanges[svc.Short]
	}
	return cloud.PublicServiceAddrIn(svc.Region, svc.Short, serviceHost(*svc), ranges)
}

// view returns the compiled DNS view of a VPC.
func (a *Analyzer) view(vpcID string) *resolver.View {
	a.mu.Lock()
	defer a.mu.Unlock()
	if v, ok := a.views[vpcID]; ok {
		return v
	}
	v := resolver.Compile(a.snap.DNSView(vpcID), a.sharedDNS())
	a.views[vpcID] = v
	return v
}

// inboundView is the view an inbound Resolver endpoint of a VPC answers
// with: the VPC's, with names of endpoints whose private DNS is for
// inbound endpoints only.
func (a *Analyzer) inboundView(vpcID string) *resolver.View {
	d := a.snap.DNSView(vpcID)
	if d == nil {
		return nil
	}
	in := *d
	in.Inbound = true
	return resolver.Compile(&in, a.sharedDNS())
}

// publicView answers as public DNS does, outside every VPC: vpce names,
// and public service names, but no private DNS.
func (a *Analyzer) publicView() *resolver.View {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.public == nil {
		a.public = resolver.Compile(&cloud.DNSView{Region: a.snap.Scope.Region, DNSSupport: true}, a.sharedDNS())
	}
	return a.public
}

// sharedDNS is the zone of the snapshot's available interface endpoints'
// vpce names, which are public: compiled once per analyzer, not once per
// VPC. Called with a.mu held.
func (a *Analyzer) sharedDNS() *resolver.Shared {
	if a.shared == nil {
		var eps []cloud.DNSEndpoint
		for _, id := range slices.Sorted(maps.Keys(a.snap.Vpcs)) {
			if v := a.snap.DNSView(id); v != nil {
				eps = append(eps, v.Endpoints...)
			}
		}
		a.shared = resolver.CompileShared(eps)
	}
	return a.shared
}

// queryReaches checks that the source's DNS query reaches an inbound
// Resolver endpoint: UDP 53 to one of its addresses along the path any
// packet takes (VPN, routes, network ACLs, the endpoint's security
// groups), and records it as a hop; false (the path blocked, with the
// query's own explanation) when no address can be reached.
func (p *path) queryReaches(e *cloud.ResolverEndpoint) bool {
	var first *Result
	for _, ip := range e.IPs {
		r, err := p.a.Analyze(Query{From: p.q.From, To: ip.IP.String(), Protocol: "udp", Port: 53})
		if err != nil {
			continue
		}
		if r.Verdict != Blocked {
			p.hop(Hop{Component: e.ID, Kind: "resolver-endpoint", Result: "allow", Address: ip.IP,
				Rule: fmt.Sprintf("the DNS query (udp/53) from %s reaches %s at %s (%s)", p.src.Address, e.ID, ip.IP, ip.ENI)})
			return true
		}
		if first == nil {
			first = r
		}
	}
	if first == nil || len(first.Explanations) == 0 {
		return true
	}
	x := first.Explanations[0]
	p.hop(Hop{Component: e.ID, Kind: "resolver-endpoint", Result: "deny", Rule: fmt.Sprintf("the DNS query (udp/53) from %s reaches no address of %s", p.src.Address, e.ID)})
	p.block(x.Code, x.Component, fmt.Sprintf("the DNS query to inbound endpoint %s cannot reach it: %s", e.ID, x.Message), first.Fix...)
	return false
}

// resolve answers a name in the source's VPC (or in public DNS for a
// source outside every VPC) and records the DNS hop.
func (p *path) resolve(name string) error {
	var res resolver.Result
	comp := p.src.VpcID
	if p.q.DNS != "" {
		e := p.a.snap.Home().ResolverEndpoints[p.q.DNS]
		if e == nil || e.Direction != "INBOUND" {
			return inputErr("%s is not an inbound Resolver endpoint in %s/%s", p.q.DNS, p.a.snap.Scope.Account, p.a.snap.Scope.Region)
		}
		v := p.a.inboundView(e.HostVPCID)
		if v == nil {
			return inputErr("VPC %s of %s is not in the state", e.HostVPCID, e.ID)
		}
		if !p.queryReaches(e) {
			return nil
		}
		res = v.Lookup(name)
		res.Reason = fmt.Sprintf("asked at inbound endpoint %s (%s's view): %s", e.ID, e.HostVPCID, res.Reason)
		comp = e.ID
	} else if p.src.external {
		res = p.a.publicView().Lookup(name)
		comp = "public-dns"
	} else {
		if p.a.snap.DNSView(p.src.VpcID) == nil {
			return inputErr("VPC %s is not in the state", p.src.VpcID)
		}
		res = p.a.view(p.src.VpcID).Lookup(name)
		if len(res.Forward) > 0 && res.ForwardVPC != "" {
			// A Resolver rule forwards the name to an inbound endpoint
			// vpce serves: that endpoint answers with its VPC's view.
			if v := p.a.inboundView(res.ForwardVPC); v != nil {
				in := v.Lookup(name)
				in.Reason = fmt.Sprintf("%s: answered by the inbound endpoint in %s (%s)", res.Reason, res.ForwardVPC, in.Reason)
				res = in
			}
		}
		if d := p.a.snap.DhcpOf(p.src.VpcID); d != nil && !d.UsesAmazonDNS() {
			// The VPC's DHCP options send the instances' queries to other
			// name servers: what they answer is theirs, not the VPC
			// resolver's (no private DNS of endpoints, no private zones).
			// vpce answers as public DNS would, and says so.
			res = p.a.publicView().Lookup(name)
			servers := strings.Join(d.Values("domain-name-servers"), ", ")
			if servers == "" {
				servers = "no name servers"
			}
			comp = d.DhcpOptionsID
			p.detail("DHCP_OPTIONS_CUSTOM_DNS", d.DhcpOptionsID, fmt.Sprintf("VPC %s's DHCP options %s give its instances %s, not AmazonProvidedDNS: %s is resolved as public DNS answers it (a server that forwards to the VPC resolver at %s would give the VPC's answer)",
				p.src.VpcID, d.DhcpOptionsID, servers, name, p.a.snap.DNSView(p.src.VpcID).ResolverAddr))
			p.r.Fix = append(p.r.Fix, fmt.Sprintf("aws ec2 associate-dhcp-options --vpc-id %s --dhcp-options-id <a set whose domain-name-servers include AmazonProvidedDNS>", p.src.VpcID))
		}
	}
	h := Hop{Component: comp, Kind: "dns", VpcID: p.src.VpcID, Rule: name + ": " + res.Reason}
	switch res.Kind {
	case resolver.Refused:
		h.Result = "deny"
		p.hop(h)
		p.block("DNS_SUPPORT_DISABLED", p.src.VpcID, res.Reason,
			fmt.Sprintf("aws ec2 modify-vpc-attribute --vpc-id %s --enable-dns-support '{\"Value\":true}'", p.src.VpcID))
		return nil
	case resolver.NoSuchName, resolver.NotAnswered:
		h.Result = "deny"
		p.hop(h)
		p.block("UNKNOWN_DESTINATION", comp, fmt.Sprintf("%s does not resolve: %s", name, res.Reason))
		return nil
	}
	addrs := res.Addrs
	if p.v6 {
		addrs = res.Addrs6
		if len(addrs) == 0 {
			h.Result = "deny"
			p.hop(h)
			p.block("NO_IPV6_ADDRESS", comp, fmt.Sprintf("%s has no IPv6 address (AAAA) in %s's view: %s", name, cmp.Or(p.src.VpcID, "public DNS"), res.Reason),
				p.ipv6DNSFix(name)...)
			return nil
		}
	}
	p.dst.Address = p.pick(addrs)
	h.Result, h.Address = "resolved", p.dst.Address
	h.Rule = fmt.Sprintf("%s → %s: %s", name, p.dst.Address, res.Reason)
	p.hop(h)
	if res.Kind == resolver.FromCatalog && !p.src.external {
		p.noteUnusedEndpoint(name)
	}
	return nil
}

// noteUnusedEndpoint explains why a name resolved publicly although the
// VPC has an interface endpoint for its service.
func (p *path) noteUnusedEndpoint(name string) {
	for _, e := range p.a.snap.EndpointsOf(p.src.VpcID) {
		if e.VpcEndpointType != cloud.EndpointInterface {
			continue
		}
		svc, ok := e.Service(p.a.snap.Scope.Region)
		if !ok || !slices.ContainsFunc(svc.PrivateDNSNames, func(n string) bool { return nameMatches(n, name) }) {
			continue
		}
		switch {
		case e.State != "available":
			p.detail("BAD_STATE", e.VpcEndpointID, fmt.Sprintf("endpoint %s for %s is %s: its private DNS does not answer yet", e.VpcEndpointID, e.ServiceName, e.State))
		case !e.PrivateDNSEnabled:
			p.detail("PRIVATE_DNS_DISABLED", e.VpcEndpointID, fmt.Sprintf("endpoint %s serves %s but has private DNS off: %s resolves to the public address", e.VpcEndpointID, e.ServiceName, name))
			p.r.Fix = append(p.r.Fix, fmt.Sprintf("aws ec2 modify-vpc-endpoint --vpc-endpoint-id %s --private-dns-enabled", e.VpcEndpointID))
		case e.DNSOptions != nil && e.DNSOptions.PrivateDNSOnlyForInboundResolverEndpoint != nil && *e.DNSOptions.PrivateDNSOnlyForInboundResolverEndpoint:
			p.detail("PRIVATE_DNS_INBOUND_ONLY", e.VpcEndpointID, fmt.Sprintf("endpoint %s answers its private names only for queries through an inbound Resolver endpoint; inside the VPC the gateway endpoint's route serves %s", e.VpcEndpointID, name))
		}
	}
}

func nameMatches(pattern, name string) bool {
	if rest, ok := strings.CutPrefix(pattern, "*."); ok {
		return name == rest || strings.HasSuffix(name, "."+rest)
	}
	return pattern == name
}

// serviceOf finds the service an address belongs to: an endpoint's
// interface, a gateway service's published ranges, or a public address
// vpce hands out for a service name.
func (p *path) serviceOf(addr netip.Addr) *catalog.Service {
	if p.dst.svc != nil {
		return p.dst.svc
	}
	region := p.a.snap.Scope.Region
	for _, id := range slices.Sorted(maps.Keys(p.a.snap.PrefixLists)) {
		pl := p.a.snap.PrefixLists[id]
		if pl.OwnerID != "AWS" {
			continue
		}
		for _, c := range p.a.snap.PrefixListCIDRs(id) {
			if c.Contains(addr) {
				if s, ok := catalog.LookupService(region, pl.PrefixListName, catalog.TypeGateway); ok {
					return &s
				}
			}
		}
	}
	if p.dst.Name != "" {
		for _, s := range catalog.Services(region) {
			if slices.ContainsFunc(s.PrivateDNSNames, func(n string) bool { return nameMatches(n, p.dst.Name) }) {
				return &s
			}
		}
	}
	return nil
}

func portText(proto string, port int) string {
	return map[string]string{"6": "tcp", "17": "udp"}[proto] + "/" + strconv.Itoa(port)
}

// ipv6DNSFix proposes what gives a name an AAAA answer: a dual-stack
// endpoint whose DNS records include IPv6.
func (p *path) ipv6DNSFix(name string) []string {
	for _, e := range p.a.snap.EndpointsOf(p.src.VpcID) {
		svc, ok := e.Service(p.a.snap.Scope.Region)
		if !ok || e.VpcEndpointType != cloud.EndpointInterface || !slices.ContainsFunc(svc.PrivateDNSNames, func(n string) bool { return nameMatches(n, name) }) {
			continue
		}
		if !svc.SupportsIPv6() {
			return []string{fmt.Sprintf("%s takes no IPv6 on its endpoints: use the IPv4 path", svc.Name)}
		}
		return []string{fmt.Sprintf("aws ec2 modify-vpc-endpoint --vpc-endpoint-id %s --ip-address-type dualstack --dns-options DnsRecordIpType=dualstack", e.VpcEndpointID)}
	}
	return nil
}

// IPv6Only reports whether a source (an instance or interface) has IPv6
// addresses and no IPv4 one, as in an IPv6-only subnet: its connections
// can only take IPv6 paths.
func (a *Analyzer) IPv6Only(from string) bool {
	s := a.snap
	eni := s.NetworkInterfaces.Get(from)
	if in := s.Instances[from]; in != nil && len(in.NetworkInterfaces) > 0 {
		eni = s.NetworkInterfaces.Get(in.NetworkInterfaces[0].NetworkInterfaceID)
	}
	return eni != nil && !eni.PrivateIPAddress.IsValid() && len(eni.Ipv6Addresses) > 0
}
