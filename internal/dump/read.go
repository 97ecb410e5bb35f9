// Package dump reads and writes folders of `aws ec2 describe-*` JSON
// outputs (describe-vpcs, describe-subnets, describe-route-tables, …), the
// form in which real accounts are copied, so that vpce can import them as
// ordinary state and export its state the same way.
package dump

import (
	"cmp"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io/fs"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/vpce/vpce/internal/catalog"
	"github.com/vpce/vpce/internal/cloud"
)

// Warning is something a reader should know that did not stop the read.
type Warning struct {
	File    string `json:"file"`
	Message string `json:"message"`
}

// Account is one account and region's dump, ready to import.
type Account struct {
	Dir   string
	Scope cloud.Scope
	Set   *cloud.ImportSet
	// Problems are records that could not be read (a bad CIDR), with the
	// file and record; they are not in Set.
	Problems []cloud.ImportProblem
}

// Options fixes the account and region of a dump that does not say.
type Options struct {
	Account, Region string
}

// maxFile bounds one describe-* file; real ones of 100,000 records are
// a few hundred MB at most.
const maxFile = 2 << 30

// Read reads every folder under root that holds describe-* outputs: one
// folder per account and region (…/123456789012/us-east-1/), or flat. The
// account comes from Options, a 12-digit folder name, or the records'
// OwnerId; the region from Options, a region-named folder or file suffix
// (Vpcs-us-west-2.json), or the subnets' zones.
func Read(root string, opts Options) ([]*Account, []Warning, error) {
	groups := map[string][]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(strings.ToLower(d.Name()), ".json") {
			groups[filepath.Dir(p)] = append(groups[filepath.Dir(p)], p)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	var dirs []string
	for d := range groups {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	var out []*Account
	var warns []Warning
	// Files named Kind-region.json (Batfish's flat layout) form one
	// account per region.
	for _, d := range dirs {
		byRegion := map[string][]string{}
		for _, f := range groups[d] {
			byRegion[regionOfFile(f)] = append(byRegion[regionOfFile(f)], f)
		}
		regions := make([]string, 0, len(byRegion))
		for r := range byRegion {
			regions = append(regions, r)
		}
		sort.Strings(regions)
		for _, r := range regions {
			a, w, err := readDir(root, d, r, byRegion[r], opts)
			if err != nil {
				return nil, nil, err
			}
			warns = append(warns, w...)
			if a != nil {
				out = append(out, a)
			}
		}
	}
	if len(out) == 0 {
		warns = append(warns, Warning{root, "no describe-* output vpce reads was found"})
	}
	return out, warns, nil
}

var fileRegion = regexp.MustCompile(`-([a-z]{2}(?:-gov)?-[a-z]+-\d)\.json$`)

func regionOfFile(p string) string {
	if m := fileRegion.FindStringSubmatch(filepath.Base(p)); m != nil {
		return m[1]
	}
	return ""
}

// known are the top-level keys vpce reads; others are reported once.
var known = map[string]bool{"Vpcs": true, "Subnets": true, "RouteTables": true, "SecurityGroups": true, "NetworkAcls": true,
	"NetworkInterfaces": true, "Reservations": true, "VpcEndpoints": true, "NatGateways": true, "InternetGateways": true,
	"PrefixLists": true, "Entries": true, "NextToken": true, "DhcpOptions": true, "Addresses": true, "EgressOnlyInternetGateways": true,
	"TransitGateways": true, "TransitGatewayVpcAttachments": true, "TransitGatewayAttachments": true, "TransitGatewayRouteTables": true,
	"Routes": true, "AdditionalRoutesAvailable": true, "TransitGatewayRouteTablePropagations": true,
	"CustomerGateways": true, "VpnGateways": true, "VpnConnections": true}

var tgwRtbInName = regexp.MustCompile(`tgw-rtb-[0-9a-f]+`)

var plInName = regexp.MustCompile(`pl-[0-9a-f]+`)

// reader accumulates one folder's records.
type reader struct {
	a     *Account
	warns []Warning
	raw   struct {
		vpcs     []vpc
		subnets  []subnet
		rts      []routeTable
		sgs      []securityGroup
		acls     []networkACL
		enis     []networkInterface
		res      []reservation
		eps      []vpcEndpoint
		nats     []natGateway
		igws     []internetGateway
		eigws    []egressOnlyInternetGateway
		dhcps    []dhcpOptions
		addrs    []address
		pls      []prefixList
		mpls     []managedPrefixList
		entries  map[string][]plEntry
		whereIdx map[string]string
		tgws     []transitGateway
		tgwVpc   []tgwVpcAttachment
		tgwAtts  []tgwAttachment
		tgwRTs   []tgwRouteTable
		tgwRoute map[string][]tgwRoute       // route table → search-transit-gateway-routes
		tgwProp  map[string][]tgwPropagation // route table → its propagations
		cgws     []customerGateway
		vgws     []vpnGateway
		vpns     []vpnConnection
	}
}

// decodeList decodes the list under one top-level key: in one pass when
// every record is well-formed, else record by record, reporting the bad.
func decodeList[T any](r *reader, file, kind string, raw json.RawMessage, dst *[]T, id func(*T) string) {
	if raw == nil {
		return
	}
	var all []T
	if err := json.Unmarshal(raw, &all); err == nil {
		for i := range all {
			r.raw.whereIdx[id(&all[i])] = fmt.Sprintf("%s#%d", file, i)
		}
		*dst = append(*dst, all...)
		return
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(raw, &raws); err != nil {
		r.a.Problems = append(r.a.Problems, cloud.ImportProblem{Where: file, Problem: fmt.Sprintf("not a list of %s records: %v", kind, err)})
		return
	}
	decodeAll(r, file, kind, raws, dst, id)
}

func decodeAll[T any](r *reader, file, kind string, raws []json.RawMessage, dst *[]T, id func(*T) string) {
	for i, m := range raws {
		var v T
		if err := json.Unmarshal(m, &v); err != nil {
			r.a.Problems = append(r.a.Problems, cloud.ImportProblem{Where: fmt.Sprintf("%s#%d", file, i), Problem: fmt.Sprintf("not a %s record: %v", kind, err)})
			continue
		}
		r.raw.whereIdx[id(&v)] = fmt.Sprintf("%s#%d", file, i)
		*dst = append(*dst, v)
	}
}

// rawList splits a JSON list into its records; nil when it is not one.
func rawList(raw json.RawMessage) []json.RawMessage {
	var out []json.RawMessage
	if raw != nil {
		json.Unmarshal(raw, &out)
	}
	return out
}

func readDir(root, dir, region string, files []string, opts Options) (*Account, []Warning, error) {
	sort.Strings(files)
	r := &reader{a: &Account{Dir: dir, Set: &cloud.ImportSet{Where: map[string]string{}}}}
	r.raw.entries, r.raw.whereIdx = map[string][]plEntry{}, map[string]string{}
	r.raw.tgwRoute, r.raw.tgwProp = map[string][]tgwRoute{}, map[string][]tgwPropagation{}
	any := false
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		st, err := os.Stat(f)
		if err != nil {
			return nil, nil, err
		}
		if st.Size() > maxFile {
			r.warns = append(r.warns, Warning{rel, "larger than 2 GiB: skipped"})
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, nil, err
		}
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(b, &keys); err != nil {
			r.warns = append(r.warns, Warning{rel, "not a JSON object: " + err.Error()})
			continue
		}
		var unknown []string
		for k := range keys {
			if !known[k] {
				unknown = append(unknown, k)
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			r.warns = append(r.warns, Warning{rel, "ignored: vpce does not model " + strings.Join(unknown, ", ")})
		}
		any = any || len(unknown) < len(keys)
		decodeList(r, rel, "VPC", keys["Vpcs"], &r.raw.vpcs, func(v *vpc) string { return v.VpcID })
		decodeList(r, rel, "subnet", keys["Subnets"], &r.raw.subnets, func(v *subnet) string { return v.SubnetID })
		decodeList(r, rel, "route table", keys["RouteTables"], &r.raw.rts, func(v *routeTable) string { return v.RouteTableID })
		decodeList(r, rel, "security group", keys["SecurityGroups"], &r.raw.sgs, func(v *securityGroup) string { return v.GroupID })
		decodeList(r, rel, "network ACL", keys["NetworkAcls"], &r.raw.acls, func(v *networkACL) string { return v.NetworkACLID })
		decodeList(r, rel, "network interface", keys["NetworkInterfaces"], &r.raw.enis, func(v *networkInterface) string { return v.NetworkInterfaceID })
		decodeList(r, rel, "reservation", keys["Reservations"], &r.raw.res, func(v *reservation) string { return v.ReservationID })
		decodeList(r, rel, "VPC endpoint", keys["VpcEndpoints"], &r.raw.eps, func(v *vpcEndpoint) string { return v.VpcEndpointID })
		decodeList(r, rel, "NAT gateway", keys["NatGateways"], &r.raw.nats, func(v *natGateway) string { return v.NatGatewayID })
		decodeList(r, rel, "internet gateway", keys["InternetGateways"], &r.raw.igws, func(v *internetGateway) string { return v.InternetGatewayID })
		decodeList(r, rel, "DHCP option set", keys["DhcpOptions"], &r.raw.dhcps, func(v *dhcpOptions) string { return v.DhcpOptionsID })
		decodeList(r, rel, "egress-only internet gateway", keys["EgressOnlyInternetGateways"], &r.raw.eigws, func(v *egressOnlyInternetGateway) string { return v.EgressOnlyInternetGatewayID })
		decodeList(r, rel, "Elastic IP", keys["Addresses"], &r.raw.addrs, func(v *address) string { return v.AllocationID })
		decodeList(r, rel, "transit gateway", keys["TransitGateways"], &r.raw.tgws, func(v *transitGateway) string { return v.TransitGatewayID })
		decodeList(r, rel, "transit gateway VPC attachment", keys["TransitGatewayVpcAttachments"], &r.raw.tgwVpc, func(v *tgwVpcAttachment) string { return v.TransitGatewayAttachmentID })
		decodeList(r, rel, "transit gateway attachment", keys["TransitGatewayAttachments"], &r.raw.tgwAtts, func(v *tgwAttachment) string { return v.TransitGatewayAttachmentID })
		decodeList(r, rel, "transit gateway route table", keys["TransitGatewayRouteTables"], &r.raw.tgwRTs, func(v *tgwRouteTable) string { return v.TransitGatewayRouteTableID })
		decodeList(r, rel, "customer gateway", keys["CustomerGateways"], &r.raw.cgws, func(v *customerGateway) string { return v.CustomerGatewayID })
		decodeList(r, rel, "virtual private gateway", keys["VpnGateways"], &r.raw.vgws, func(v *vpnGateway) string { return v.VpnGatewayID })
		decodeList(r, rel, "VPN connection", keys["VpnConnections"], &r.raw.vpns, func(v *vpnConnection) string { return v.VpnConnectionID })
		// search-transit-gateway-routes and get-transit-gateway-route-table-
		// propagations answer for one table, which the file name says.
		if keys["Routes"] != nil || keys["TransitGatewayRouteTablePropagations"] != nil {
			id := tgwRtbInName.FindString(filepath.Base(f))
			if id == "" {
				r.warns = append(r.warns, Warning{rel, "transit gateway routes or propagations, but the file name does not say which route table (name it after the tgw-rtb- ID)"})
			} else {
				var routes []tgwRoute
				var props []tgwPropagation
				decodeList(r, rel, "transit gateway route", keys["Routes"], &routes, func(v *tgwRoute) string { return id + "/" + v.DestinationCidrBlock })
				decodeList(r, rel, "transit gateway propagation", keys["TransitGatewayRouteTablePropagations"], &props, func(v *tgwPropagation) string { return id + "/" + v.TransitGatewayAttachmentID })
				r.raw.tgwRoute[id] = append(r.raw.tgwRoute[id], routes...)
				r.raw.tgwProp[id] = append(r.raw.tgwProp[id], props...)
			}
		}
		// describe-prefix-lists (items with Cidrs) and
		// describe-managed-prefix-lists (without) share the key.
		for _, m := range rawList(keys["PrefixLists"]) {
			var probe map[string]json.RawMessage
			json.Unmarshal(m, &probe)
			if _, ok := probe["Cidrs"]; ok {
				decodeAll(r, rel, "prefix list", []json.RawMessage{m}, &r.raw.pls, func(v *prefixList) string { return v.PrefixListID })
			} else {
				decodeAll(r, rel, "managed prefix list", []json.RawMessage{m}, &r.raw.mpls, func(v *managedPrefixList) string { return v.PrefixListID })
			}
		}
		if entries := rawList(keys["Entries"]); len(entries) > 0 {
			id := plInName.FindString(filepath.Base(f))
			if id == "" {
				r.warns = append(r.warns, Warning{rel, "prefix list entries, but the file name does not say which list (name it after the pl- ID)"})
			}
			for _, m := range entries {
				var e plEntry
				if json.Unmarshal(m, &e) == nil {
					r.raw.entries[id] = append(r.raw.entries[id], e)
				}
			}
		}
	}
	if !any {
		return nil, r.warns, nil
	}
	sc, err := r.scope(root, dir, region, opts)
	if err != nil {
		r.warns = append(r.warns, Warning{dir, err.Error() + ": folder skipped"})
		return nil, r.warns, nil
	}
	r.a.Scope = sc
	r.convert()
	for k, v := range r.raw.whereIdx {
		r.a.Set.Where[k] = v
	}
	return r.a, r.warns, nil
}

// scope decides the account and region of a folder.
func (r *reader) scope(root, dir, region string, opts Options) (cloud.Scope, error) {
	sc := cloud.Scope{Account: opts.Account, Region: opts.Region}
	rel, _ := filepath.Rel(root, dir)
	parts := strings.Split(filepath.ToSlash(rel), "/")
	for _, p := range parts {
		if sc.Account == "" && len(p) == 12 && strings.Trim(p, "0123456789") == "" {
			sc.Account = p
		}
		if _, ok := catalog.LookupRegion(p); ok && sc.Region == "" {
			sc.Region = p
		}
	}
	if sc.Region == "" {
		sc.Region = region
	}
	if sc.Account == "" {
		for _, o := range r.owners() {
			if len(o) == 12 {
				sc.Account = o
				break
			}
		}
	}
	if sc.Region == "" {
		for _, s := range r.raw.subnets {
			if z := s.AvailabilityZone; len(z) > 1 {
				if _, ok := catalog.LookupRegion(z[:len(z)-1]); ok {
					sc.Region = z[:len(z)-1]
					break
				}
			}
		}
	}
	switch {
	case sc.Account == "":
		return sc, fmt.Errorf("no account: give --account (no 12-digit folder name, no OwnerId)")
	case sc.Region == "":
		return sc, fmt.Errorf("no region: give --region (no region folder or file suffix, no subnet zones)")
	}
	if _, ok := catalog.LookupRegion(sc.Region); !ok {
		return sc, fmt.Errorf("region %q is not one vpce knows", sc.Region)
	}
	return sc, nil
}

func (r *reader) owners() []string {
	var out []string
	for _, v := range r.raw.vpcs {
		out = append(out, v.OwnerID)
	}
	for _, v := range r.raw.subnets {
		out = append(out, v.OwnerID)
	}
	for _, v := range r.raw.sgs {
		out = append(out, v.OwnerID)
	}
	return out
}

func (r *reader) problem(id, format string, args ...any) {
	r.a.Problems = append(r.a.Problems, cloud.ImportProblem{Where: r.raw.whereIdx[id], ID: id, Problem: fmt.Sprintf(format, args...)})
}

func tags(ts []tag) []cloud.Tag {
	if len(ts) == 0 {
		return nil
	}
	out := make([]cloud.Tag, len(ts))
	for i, t := range ts {
		out[i] = cloud.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

// parseTime reads the timestamps dumps carry: ISO 8601 from the CLI,
// "2020-05-08 03:45:53+00:00" from Python's str(). Zero when unreadable.
func parseTime(s string) time.Time {
	for _, l := range []string{time.RFC3339Nano, "2006-01-02 15:04:05-07:00", "2006-01-02 15:04:05.999999-07:00", "2006-01-02T15:04:05.000Z"} {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

func groups(gs []groupIdent) []cloud.GroupIdentifier {
	out := make([]cloud.GroupIdentifier, len(gs))
	for i, g := range gs {
		out[i] = cloud.GroupIdentifier{GroupID: g.GroupID, GroupName: g.GroupName}
	}
	return out
}

func privateIPs(ps []privateIP) []cloud.PrivateIP {
	var out []cloud.PrivateIP
	for _, p := range ps {
		a, err := netip.ParseAddr(p.PrivateIPAddress)
		if err != nil {
			continue
		}
		out = append(out, cloud.PrivateIP{PrivateIPAddress: a, PrivateDNSName: p.PrivateDNSName, Primary: p.Primary})
	}
	return out
}

// normProto is the protocol as vpce stores security group rules.
func normProto(p string) string {
	switch strings.ToLower(p) {
	case "-1", "all":
		return "-1"
	case "6", "tcp":
		return "tcp"
	case "17", "udp":
		return "udp"
	case "1", "icmp":
		return "icmp"
	case "58", "icmpv6":
		return "icmpv6"
	}
	return p
}

func ruleID(parts ...any) string {
	h := fnv.New64a()
	fmt.Fprint(h, parts...)
	return fmt.Sprintf("sgr-%017x", h.Sum64()&0xfffffffffffffff)[:21]
}

// convert turns the raw records into vpce's types, reporting records it
// cannot read.
func (r *reader) convert() {
	set, sc := r.a.Set, r.a.Scope
	for _, v := range r.raw.vpcs {
		p, err := netip.ParsePrefix(v.CidrBlock)
		if err != nil {
			r.problem(v.VpcID, "CidrBlock %q: %v", v.CidrBlock, err)
			continue
		}
		o := &cloud.Vpc{VpcID: v.VpcID, OwnerID: v.OwnerID, State: "available", CidrBlock: p, DhcpOptionsID: v.DhcpOptionsID,
			InstanceTenancy: v.InstanceTenancy, IsDefault: v.IsDefault, Tags: tags(v.Tags), EnableDNSSupport: true, EnableDNSHostnames: v.IsDefault}
		if v.EnableDNSSupport != nil {
			o.EnableDNSSupport = v.EnableDNSSupport.Value
		}
		if v.EnableDNSHostnames != nil {
			o.EnableDNSHostnames = v.EnableDNSHostnames.Value
		}
		for _, a := range v.CidrBlockAssociationSet {
			if cp, err := netip.ParsePrefix(a.CidrBlock); err == nil {
				ca := cloud.CidrAssociation{AssociationID: a.AssociationID, CidrBlock: cp}
				ca.CidrBlockState.State = a.CidrBlockState.State
				o.CidrBlockAssociationSet = append(o.CidrBlockAssociationSet, ca)
			}
		}
		for _, a := range v.Ipv6CidrBlockAssociationSet {
			if cp, err := netip.ParsePrefix(a.Ipv6CidrBlock); err == nil && cp.Addr().Is6() {
				o.Ipv6CidrBlockAssociationSet = append(o.Ipv6CidrBlockAssociationSet, cloud.Ipv6CidrAssociation{AssociationID: a.AssociationID, Ipv6CidrBlock: cp,
					Ipv6CidrBlockState: cloud.CidrBlockState{State: a.Ipv6CidrBlockState.State}, NetworkBorderGroup: a.NetworkBorderGroup, Ipv6Pool: a.Ipv6Pool,
					Ipv6AddressAttribute: a.Ipv6AddressAttribute, IPSource: a.IPSource})
			}
		}
		if o.OwnerID == "" {
			o.OwnerID = sc.Account
		}
		set.Vpcs = append(set.Vpcs, o)
	}
	for _, s := range r.raw.subnets {
		var p netip.Prefix
		if !s.Ipv6Native || s.CidrBlock != "" {
			var err error
			if p, err = netip.ParsePrefix(s.CidrBlock); err != nil {
				r.problem(s.SubnetID, "CidrBlock %q: %v", s.CidrBlock, err)
				continue
			}
		}
		o := &cloud.Subnet{SubnetID: s.SubnetID, SubnetArn: s.SubnetArn, OwnerID: s.OwnerID, State: "available", VpcID: s.VpcID, CidrBlock: p,
			AvailabilityZone: s.AvailabilityZone, AvailabilityZoneID: s.AvailabilityZoneID, DefaultForAz: s.DefaultForAz, MapPublicIPOnLaunch: s.MapPublicIPOnLaunch, Tags: tags(s.Tags),
			AssignIpv6OnCreation: s.AssignIpv6AddressOnCreation, Ipv6Native: s.Ipv6Native}
		for _, a := range s.Ipv6CidrBlockAssociationSet {
			if cp, err := netip.ParsePrefix(a.Ipv6CidrBlock); err == nil && cp.Addr().Is6() {
				o.Ipv6CidrBlockAssociationSet = append(o.Ipv6CidrBlockAssociationSet, cloud.SubnetIpv6Association{AssociationID: a.AssociationID, Ipv6CidrBlock: cp,
					Ipv6CidrBlockState: cloud.CidrBlockState{State: a.Ipv6CidrBlockState.State}, Ipv6AddressAttribute: a.Ipv6AddressAttribute, IPSource: a.IPSource})
			}
		}
		if o.SubnetArn == "" {
			o.SubnetArn = fmt.Sprintf("arn:aws:ec2:%s:%s:subnet/%s", sc.Region, sc.Account, s.SubnetID)
		}
		if o.OwnerID == "" {
			o.OwnerID = sc.Account
		}
		o.PrivateDNSNameOptions.HostnameType = "ip-name"
		set.Subnets = append(set.Subnets, o)
	}
	for _, t := range r.raw.rts {
		o := &cloud.RouteTable{RouteTableID: t.RouteTableID, VpcID: t.VpcID, OwnerID: t.OwnerID, Tags: tags(t.Tags)}
		for _, rt := range t.Routes {
			if rt.Origin == "EnableVgwRoutePropagation" && len(t.PropagatingVgws) > 0 {
				continue // derived again from the gateway's VPN connections
			}
			if rt.DestinationCidrBlock == "" && rt.DestinationIpv6CidrBlock == "" && rt.DestinationPrefixListID == "" {
				r.problem(t.RouteTableID, "a route without a destination: skipped")
				continue
			}
			o.Routes = append(o.Routes, cloud.Route{DestinationCidrBlock: rt.DestinationCidrBlock, DestinationPrefixListID: rt.DestinationPrefixListID,
				DestinationIpv6CidrBlock: rt.DestinationIpv6CidrBlock, EgressOnlyIGWID: rt.EgressOnlyInternetGatewayID,
				GatewayID: rt.GatewayID, NatGatewayID: rt.NatGatewayID, InstanceID: rt.InstanceID, InstanceOwnerID: rt.InstanceOwnerID,
				NetworkInterfaceID: rt.NetworkInterfaceID, VpcEndpointID: rt.VpcEndpointID, VpcPeeringConnectionID: rt.VpcPeeringConnectionID,
				TransitGatewayID: rt.TransitGatewayID, Origin: rt.Origin, State: rt.State})
		}
		for _, a := range t.Associations {
			o.Associations = append(o.Associations, cloud.RTAssociation{Main: a.Main, RouteTableAssociationID: a.RouteTableAssociationID,
				RouteTableID: t.RouteTableID, SubnetID: a.SubnetID, GatewayID: a.GatewayID})
		}
		for _, g := range t.PropagatingVgws {
			o.PropagatingVgws = append(o.PropagatingVgws, cloud.PropagatingVgw{GatewayID: g.GatewayID})
		}
		set.RouteTables = append(set.RouteTables, o)
	}
	for _, g := range r.raw.sgs {
		o := &cloud.SecurityGroup{GroupID: g.GroupID, GroupName: g.GroupName, Description: g.Description, VpcID: g.VpcID, OwnerID: g.OwnerID, Tags: tags(g.Tags),
			SecurityGroupArn: fmt.Sprintf("arn:aws:ec2:%s:%s:security-group/%s", sc.Region, sc.Account, g.GroupID)}
		if o.OwnerID == "" {
			o.OwnerID = sc.Account
		}
		for _, dir := range []struct {
			perms  []ipPermission
			egress bool
		}{{g.IPPermissions, false}, {g.IPPermissionsEgress, true}} {
			for _, p := range dir.perms {
				proto := normProto(p.IPProtocol)
				from, to := int32(-1), int32(-1)
				if p.FromPort != nil {
					from = *p.FromPort
				}
				if p.ToPort != nil {
					to = *p.ToPort
				}
				add := func(rule cloud.SecurityGroupRule, peer string) {
					rule.SecurityGroupRuleID = ruleID(g.GroupID, dir.egress, proto, from, to, peer)
					rule.GroupID, rule.GroupOwnerID, rule.IsEgress, rule.IPProtocol, rule.FromPort, rule.ToPort = g.GroupID, o.OwnerID, dir.egress, proto, from, to
					rule.SecurityGroupRuleArn = fmt.Sprintf("arn:aws:ec2:%s:%s:security-group-rule/%s", sc.Region, sc.Account, rule.SecurityGroupRuleID)
					o.Rules = append(o.Rules, rule)
				}
				for _, x := range p.IPRanges {
					add(cloud.SecurityGroupRule{CidrIPv4: x.CidrIP, Description: x.Description}, x.CidrIP)
				}
				for _, x := range p.Ipv6Ranges {
					add(cloud.SecurityGroupRule{CidrIPv6: x.CidrIPv6, Description: x.Description}, x.CidrIPv6)
				}
				for _, x := range p.PrefixListIDs {
					add(cloud.SecurityGroupRule{PrefixListID: x.PrefixListID, Description: x.Description}, x.PrefixListID)
				}
				for _, x := range p.UserIDGroupPairs {
					add(cloud.SecurityGroupRule{ReferencedGroupInfo: &cloud.ReferencedGroup{GroupID: x.GroupID, UserID: x.UserID}, Description: x.Description}, x.GroupID)
				}
			}
		}
		set.SecurityGroups = append(set.SecurityGroups, o)
	}
	for _, a := range r.raw.acls {
		o := &cloud.NetworkACL{NetworkACLID: a.NetworkACLID, VpcID: a.VpcID, IsDefault: a.IsDefault, OwnerID: a.OwnerID, Tags: tags(a.Tags)}
		for _, e := range a.Entries {
			if e.CidrBlock == "" && e.Ipv6Cidr == "" {
				continue
			}
			ce := cloud.ACLEntry{RuleNumber: e.RuleNumber, Protocol: e.Protocol, RuleAction: e.RuleAction, Egress: e.Egress, CidrBlock: e.CidrBlock, Ipv6CidrBlock: e.Ipv6Cidr}
			if e.PortRange != nil {
				ce.PortRange = &cloud.PortRange{From: e.PortRange.From, To: e.PortRange.To}
			}
			if e.IcmpTypeCode != nil {
				ce.IcmpTypeCode = &cloud.IcmpTypeCode{Code: e.IcmpTypeCode.Code, Type: e.IcmpTypeCode.Type}
			}
			o.Entries = append(o.Entries, ce)
		}
		for _, as := range a.Associations {
			o.Associations = append(o.Associations, cloud.ACLAssociation{AssociationID: as.NetworkACLAssociationID, NetworkACLID: a.NetworkACLID, SubnetID: as.SubnetID})
		}
		set.NetworkACLs = append(set.NetworkACLs, o)
	}
	eniSubnet := map[string]string{}
	for _, e := range r.raw.enis {
		addr, err := netip.ParseAddr(e.PrivateIPAddress)
		if (err != nil || !addr.Is4()) && !(e.PrivateIPAddress == "" && len(e.Ipv6Addresses) > 0) {
			r.problem(e.NetworkInterfaceID, "PrivateIpAddress %q is not an IPv4 address", e.PrivateIPAddress)
			continue
		}
		o := &cloud.NetworkInterface{NetworkInterfaceID: e.NetworkInterfaceID, SubnetID: e.SubnetID, VpcID: e.VpcID, AvailabilityZone: e.AvailabilityZone,
			Description: e.Description, OwnerID: e.OwnerID, RequesterID: e.RequesterID, RequesterManaged: e.RequesterManaged, Status: e.Status,
			MacAddress: e.MacAddress, PrivateIPAddress: addr, PrivateDNSName: e.PrivateDNSName, SourceDestCheck: e.SourceDestCheck,
			InterfaceType: e.InterfaceType, Groups: groups(e.Groups), PrivateIPs: privateIPs(e.PrivateIPAddresses), Tags: tags(append(e.TagSet, e.Tags...))}
		if len(o.PrivateIPs) == 0 && addr.IsValid() {
			o.PrivateIPs = []cloud.PrivateIP{{PrivateIPAddress: addr, PrivateDNSName: e.PrivateDNSName, Primary: true}}
		}
		for _, a := range e.Ipv6Addresses {
			if ip, err := netip.ParseAddr(a.Ipv6Address); err == nil && ip.Is6() {
				o.Ipv6Addresses = append(o.Ipv6Addresses, cloud.ENIIpv6Address{Ipv6Address: ip, IsPrimaryIpv6: a.IsPrimaryIpv6})
			}
		}
		if a := e.Attachment; a != nil {
			o.Attachment = &cloud.ENIAttachment{AttachmentID: a.AttachmentID, InstanceID: a.InstanceID, InstanceOwnerID: a.InstanceOwnerID,
				DeviceIndex: a.DeviceIndex, Status: a.Status, AttachTime: cloud.Timestamp(parseTime(a.AttachTime)), DeleteOnTermination: a.DeleteOnTermination}
		}
		if a := e.Association; a != nil && a.PublicIP != "" {
			o.Association = &cloud.ENIAssociation{PublicIP: a.PublicIP, PublicDNSName: a.PublicDNSName, IPOwnerID: a.IPOwnerID, AllocationID: a.AllocationID}
		}
		eniSubnet[o.NetworkInterfaceID] = o.SubnetID
		set.NetworkInterfaces = append(set.NetworkInterfaces, o)
	}
	for _, res := range r.raw.res {
		for _, in := range res.Instances {
			r.raw.whereIdx[in.InstanceID] = r.raw.whereIdx[res.ReservationID]
			o := &cloud.Instance{InstanceID: in.InstanceID, ImageID: in.ImageID, InstanceType: in.InstanceType, LaunchTime: cloud.Timestamp(parseTime(in.LaunchTime)),
				Placement: cloud.Placement{AvailabilityZone: in.Placement.AvailabilityZone, Tenancy: in.Placement.Tenancy}, SubnetID: in.SubnetID, VpcID: in.VpcID,
				PrivateDNSName: in.PrivateDNSName, SourceDestCheck: in.SourceDestCheck, Groups: groups(in.SecurityGroups), Tags: tags(in.Tags), ReservationID: res.ReservationID}
			if a, err := netip.ParseAddr(in.PrivateIPAddress); err == nil {
				o.PrivateIPAddress = &a
			}
			switch in.State.Name {
			case "running", "":
			case "terminated", "shutting-down":
				t := time.Time{}
				o.TerminatedAt = &t
				o.FixedState = in.State.Name
			default:
				o.FixedState = in.State.Name
			}
			for _, n := range in.NetworkInterfaces {
				a, _ := netip.ParseAddr(n.PrivateIPAddress)
				o.NetworkInterfaces = append(o.NetworkInterfaces, cloud.InstanceNetworkInterface{NetworkInterfaceID: n.NetworkInterfaceID, SubnetID: n.SubnetID,
					VpcID: n.VpcID, OwnerID: n.OwnerID, MacAddress: n.MacAddress, PrivateIPAddress: a, PrivateDNSName: n.PrivateDNSName, Groups: groups(n.Groups),
					Attachment: cloud.ENIAttachment{AttachmentID: n.Attachment.AttachmentID, InstanceID: in.InstanceID, DeviceIndex: n.Attachment.DeviceIndex,
						Status: n.Attachment.Status, AttachTime: cloud.Timestamp(parseTime(n.Attachment.AttachTime)), DeleteOnTermination: n.Attachment.DeleteOnTermination},
					PrivateIPs: privateIPs(n.PrivateIPAddresses)})
			}
			// The primary interface first, as vpce's own instances have it.
			slices.SortStableFunc(o.NetworkInterfaces, func(a, b cloud.InstanceNetworkInterface) int {
				return int(a.Attachment.DeviceIndex - b.Attachment.DeviceIndex)
			})
			set.Instances = append(set.Instances, o)
		}
	}
	for _, e := range r.raw.eps {
		o := &cloud.VpcEndpoint{VpcEndpointID: e.VpcEndpointID, VpcEndpointType: e.VpcEndpointType, VpcID: e.VpcID, ServiceName: e.ServiceName,
			PolicyDocument: e.PolicyDocument, RouteTableIDs: e.RouteTableIDs, Groups: groups(e.Groups), IPAddressType: e.IPAddressType,
			PrivateDNSEnabled: e.PrivateDNSEnabled, CreationTimestamp: cloud.Timestamp(parseTime(e.CreationTimestamp)), Tags: tags(e.Tags), OwnerID: e.OwnerID}
		if e.DNSOptions != nil {
			o.DNSOptions = &cloud.DNSOptions{DNSRecordIPType: e.DNSOptions.DNSRecordIPType, PrivateDNSOnlyForInboundResolverEndpoint: e.DNSOptions.PrivateDNSOnlyForInboundResolverEndpoint}
		}
		switch e.State {
		case "available", "Available", "":
		case "deleted", "Deleted", "deleting", "Deleting":
			r.problem(e.VpcEndpointID, "the endpoint is %s", e.State)
			continue
		default:
			o.FixedState = e.State
		}
		// vpce-…-SUFFIX.service…: the suffix of its DNS names.
		for _, d := range e.DNSEntries {
			name := strings.TrimPrefix(d.DNSName, "*.")
			if first, _, ok := strings.Cut(name, "."); ok && strings.HasPrefix(first, e.VpcEndpointID+"-") {
				o.DNSSuffix = strings.SplitN(strings.TrimPrefix(first, e.VpcEndpointID+"-"), "-", 2)[0]
				break
			}
		}
		bySubnet := map[string]string{}
		for _, id := range e.NetworkInterfaceIDs {
			bySubnet[eniSubnet[id]] = id
		}
		for _, s := range e.SubnetIDs {
			zone := ""
			for _, sn := range set.Subnets {
				if sn.SubnetID == s {
					zone = sn.AvailabilityZone
				}
			}
			o.Subnets = append(o.Subnets, cloud.EndpointSubnet{SubnetID: s, Zone: zone, ENI: bySubnet[s]})
		}
		set.Endpoints = append(set.Endpoints, o)
	}
	for _, n := range r.raw.nats {
		if n.State == "deleted" || n.State == "failed" {
			r.problem(n.NatGatewayID, "the NAT gateway is %s", n.State)
			continue
		}
		o := &cloud.NatGateway{NatGatewayID: n.NatGatewayID, SubnetID: n.SubnetID, VpcID: n.VpcID, ConnectivityType: n.ConnectivityType,
			CreateTime: cloud.Timestamp(parseTime(n.CreateTime)), Tags: tags(n.Tags)}
		if o.ConnectivityType == "" {
			o.ConnectivityType = "public"
		}
		for i, a := range n.NatGatewayAddresses {
			ip, _ := netip.ParseAddr(a.PrivateIP)
			primary := i == 0
			if a.IsPrimary != nil {
				primary = *a.IsPrimary
			}
			o.Addresses = append(o.Addresses, cloud.NatAddress{AllocationID: a.AllocationID, NetworkInterfaceID: a.NetworkInterfaceID, PrivateIP: ip,
				PublicIP: a.PublicIP, IsPrimary: primary, Status: "succeeded"})
		}
		set.NatGateways = append(set.NatGateways, o)
	}
	for _, g := range r.raw.igws {
		o := &cloud.InternetGateway{InternetGatewayID: g.InternetGatewayID, OwnerID: g.OwnerID, Tags: tags(g.Tags)}
		for _, a := range g.Attachments {
			o.Attachments = append(o.Attachments, cloud.IGWAttachment{VpcID: a.VpcID, State: a.State})
		}
		set.InternetGateways = append(set.InternetGateways, o)
	}
	for _, g := range r.raw.eigws {
		o := &cloud.EgressOnlyInternetGateway{EgressOnlyIGWID: g.EgressOnlyInternetGatewayID, Tags: tags(g.Tags)}
		for _, a := range g.Attachments {
			o.Attachments = append(o.Attachments, cloud.IGWAttachment{VpcID: a.VpcID, State: a.State})
		}
		set.EgressOnlyInternetGateways = append(set.EgressOnlyInternetGateways, o)
	}
	for _, a := range r.raw.addrs {
		if a.AllocationID == "" {
			continue // EC2-Classic addresses have none: not on any VPC path
		}
		set.Addresses = append(set.Addresses, &cloud.Address{AllocationID: a.AllocationID, PublicIP: a.PublicIP, AssociationID: a.AssociationID,
			InstanceID: a.InstanceID, NetworkInterfaceID: a.NetworkInterfaceID, NetworkInterfaceOwnerID: a.NetworkInterfaceOwnerID,
			PrivateIPAddress: a.PrivateIPAddress, Tags: tags(a.Tags)})
	}
	for _, d := range r.raw.dhcps {
		o := &cloud.DhcpOptions{DhcpOptionsID: d.DhcpOptionsID, OwnerID: d.OwnerID, Tags: tags(d.Tags)}
		for _, c := range d.DhcpConfigurations {
			dc := cloud.DhcpConfiguration{Key: c.Key}
			for _, v := range c.Values {
				dc.Values = append(dc.Values, cloud.AttributeValue{Value: v.Value})
			}
			o.Configurations = append(o.Configurations, dc)
		}
		set.DhcpOptions = append(set.DhcpOptions, o)
	}
	r.convertTransit()
	for _, p := range r.raw.pls {
		entries := make([]cloud.PrefixListEntry, 0, len(p.Cidrs))
		for _, c := range p.Cidrs {
			entries = append(entries, cloud.PrefixListEntry{Cidr: c})
		}
		set.PrefixLists = append(set.PrefixLists, &cloud.ManagedPrefixList{PrefixListID: p.PrefixListID, AddressFamily: "IPv4", State: "create-complete",
			PrefixListArn: fmt.Sprintf("arn:aws:ec2:%s:aws:prefix-list/%s", sc.Region, p.PrefixListID), PrefixListName: p.PrefixListName, OwnerID: "AWS",
			Versions: [][]cloud.PrefixListEntry{entries}})
	}
	for _, p := range r.raw.mpls {
		if p.OwnerID == "AWS" {
			continue // AWS-managed: describe-prefix-lists carries their CIDRs
		}
		var entries []cloud.PrefixListEntry
		for _, e := range r.raw.entries[p.PrefixListID] {
			entries = append(entries, cloud.PrefixListEntry{Cidr: e.Cidr, Description: e.Description})
		}
		if _, ok := r.raw.entries[p.PrefixListID]; !ok {
			r.warns = append(r.warns, Warning{r.raw.whereIdx[p.PrefixListID], fmt.Sprintf("%s has no entries file (get-managed-prefix-list-entries): imported empty", p.PrefixListID)})
		}
		o := &cloud.ManagedPrefixList{PrefixListID: p.PrefixListID, AddressFamily: p.AddressFamily, State: "create-complete", PrefixListArn: p.PrefixListArn,
			PrefixListName: p.PrefixListName, MaxEntries: p.MaxEntries, Version: p.Version, OwnerID: p.OwnerID, Tags: tags(p.Tags), Versions: [][]cloud.PrefixListEntry{entries}}
		if o.AddressFamily == "" {
			o.AddressFamily = "IPv4"
		}
		set.PrefixLists = append(set.PrefixLists, o)
	}
}

// gone reports a state a describe answer still shows for a while after the
// resource ended.
func gone(state string) bool {
	switch state {
	case "deleted", "deleting", "failed", "failing", "rejected", "rejecting", "rollingBack":
		return true
	}
	return false
}

// convertTransit turns the transit gateway and VPN records into vpce's.
func (r *reader) convertTransit() {
	set, sc := r.a.Set, r.a.Scope
	for _, g := range r.raw.cgws {
		if gone(g.State) {
			continue
		}
		set.CustomerGateways = append(set.CustomerGateways, &cloud.CustomerGateway{CustomerGatewayID: g.CustomerGatewayID, Type: g.Type,
			IPAddress: g.IPAddress, BgpAsn: g.BgpAsn, DeviceName: g.DeviceName, Tags: tags(g.Tags)})
	}
	for _, g := range r.raw.vgws {
		if gone(g.State) {
			continue
		}
		o := &cloud.VpnGateway{VpnGatewayID: g.VpnGatewayID, Type: g.Type, AvailabilityZone: g.AvailabilityZone, AmazonSideAsn: g.AmazonSideAsn, Tags: tags(g.Tags)}
		for _, a := range g.VpcAttachments {
			if a.State == "attached" {
				o.VpcAttachments = append(o.VpcAttachments, cloud.IGWAttachment{VpcID: a.VpcID, State: a.State})
			}
		}
		set.VpnGateways = append(set.VpnGateways, o)
	}
	for _, v := range r.raw.vpns {
		if gone(v.State) {
			continue
		}
		o := &cloud.VpnConnection{VpnConnectionID: v.VpnConnectionID, Type: v.Type, CustomerGatewayID: v.CustomerGatewayID,
			VpnGatewayID: v.VpnGatewayID, TransitGatewayID: v.TransitGatewayID, Tags: tags(v.Tags)}
		if v.Options != nil {
			o.Options.StaticRoutesOnly = v.Options.StaticRoutesOnly
		}
		for _, rt := range v.Routes {
			p, err := netip.ParsePrefix(rt.DestinationCidrBlock)
			if err != nil || gone(rt.State) {
				continue
			}
			o.Routes = append(o.Routes, cloud.VpnStaticRoute{DestinationCidrBlock: p.Masked()})
		}
		set.VpnConnections = append(set.VpnConnections, o)
	}
	owner := map[string]string{} // gateway → its account
	for _, g := range r.raw.tgws {
		owner[g.TransitGatewayID] = g.OwnerID
		if gone(g.State) {
			continue
		}
		if g.OwnerID == "" {
			g.OwnerID = sc.Account
		}
		set.TransitGateways = append(set.TransitGateways, &cloud.TransitGateway{TransitGatewayID: g.TransitGatewayID, TransitGatewayArn: g.TransitGatewayArn,
			OwnerID: g.OwnerID, Description: g.Description, CreationTime: cloud.Timestamp(parseTime(g.CreationTime)), Tags: tags(g.Tags),
			Options: cloud.TransitGatewayOptions{AmazonSideAsn: g.Options.AmazonSideAsn, AutoAcceptSharedAttachments: cmp.Or(g.Options.AutoAcceptSharedAttachments, "disable"),
				DefaultRouteTableAssociation: cmp.Or(g.Options.DefaultRouteTableAssociation, "enable"), AssociationDefaultRouteTableID: g.Options.AssociationDefaultRouteTableID,
				DefaultRouteTablePropagation: cmp.Or(g.Options.DefaultRouteTablePropagation, "enable"), PropagationDefaultRouteTableID: g.Options.PropagationDefaultRouteTableID,
				VpnEcmpSupport: cmp.Or(g.Options.VpnEcmpSupport, "enable"), DNSSupport: cmp.Or(g.Options.DNSSupport, "enable"),
				SecurityGroupReferencingSupport: "disable", MulticastSupport: "disable"}})
	}
	assoc := map[string]string{} // attachment → route table
	for _, a := range r.raw.tgwAtts {
		if a.TransitGatewayOwnerID != "" {
			owner[a.TransitGatewayID] = a.TransitGatewayOwnerID
		}
		if a.Association != nil && a.Association.State != "disassociated" {
			assoc[a.TransitGatewayAttachmentID] = a.Association.TransitGatewayRouteTableID
		}
	}
	// An attachment's interfaces are the transit_gateway interfaces AWS
	// describes as "Network Interface for Transit Gateway Attachment <ID>".
	enis := map[string]map[string]string{}
	for _, e := range r.raw.enis {
		if e.InterfaceType != cloud.InterfaceTypeTransitGateway {
			continue
		}
		id := tgwAttachInText.FindString(e.Description)
		if enis[id] == nil {
			enis[id] = map[string]string{}
		}
		enis[id][e.SubnetID] = e.NetworkInterfaceID
	}
	for _, a := range r.raw.tgwVpc {
		if gone(a.State) {
			continue
		}
		o := &cloud.TransitGatewayVpcAttachment{TransitGatewayAttachmentID: a.TransitGatewayAttachmentID, TransitGatewayID: a.TransitGatewayID,
			VpcID: a.VpcID, VpcOwnerID: cmp.Or(a.VpcOwnerID, sc.Account), SubnetIDs: a.SubnetIDs, CreationTime: cloud.Timestamp(parseTime(a.CreationTime)),
			Tags: tags(a.Tags), ENIs: enis[a.TransitGatewayAttachmentID],
			Options: cloud.TGWVpcAttachmentOptions{DNSSupport: "enable", SecurityGroupReferencingSupport: "enable", Ipv6Support: "disable", ApplianceModeSupport: "disable"}}
		if o.ENIs == nil {
			o.ENIs = map[string]string{}
		}
		if a.State == "pendingAcceptance" {
			o.Acceptance = a.State
		}
		if own := owner[a.TransitGatewayID]; own != "" && own != sc.Account {
			o.TGWOwner = own
		}
		set.TGWAttachments = append(set.TGWAttachments, o)
	}
	for _, a := range r.raw.tgwAtts {
		if a.ResourceType != "vpn" || gone(a.State) || (a.TransitGatewayOwnerID != "" && a.TransitGatewayOwnerID != sc.Account) {
			continue
		}
		set.TGWAttachments = append(set.TGWAttachments, &cloud.TransitGatewayVpcAttachment{TransitGatewayAttachmentID: a.TransitGatewayAttachmentID,
			TransitGatewayID: a.TransitGatewayID, VpnConnectionID: a.ResourceID, VpcOwnerID: sc.Account, ENIs: map[string]string{},
			CreationTime: cloud.Timestamp(parseTime(a.CreationTime)), Tags: tags(a.Tags)})
	}
	for _, t := range r.raw.tgwRTs {
		if gone(t.State) {
			continue
		}
		o := &cloud.TransitGatewayRouteTable{TransitGatewayRouteTableID: t.TransitGatewayRouteTableID, TransitGatewayID: t.TransitGatewayID,
			DefaultAssociationRouteTable: t.DefaultAssociationRouteTable, DefaultPropagationRouteTable: t.DefaultPropagationRouteTable,
			CreationTime: cloud.Timestamp(parseTime(t.CreationTime)), Tags: tags(t.Tags)}
		for _, id := range slices.Sorted(maps.Keys(assoc)) {
			if assoc[id] == o.TransitGatewayRouteTableID {
				o.Associations = append(o.Associations, id)
			}
		}
		for _, p := range r.raw.tgwProp[o.TransitGatewayRouteTableID] {
			if p.State == "enabled" || p.State == "enabling" {
				o.Propagations = append(o.Propagations, p.TransitGatewayAttachmentID)
			}
		}
		for _, rt := range r.raw.tgwRoute[o.TransitGatewayRouteTableID] {
			p, err := netip.ParsePrefix(rt.DestinationCidrBlock)
			if err != nil || rt.Type != "static" {
				continue // propagated routes follow from the propagations
			}
			x := cloud.TGWStaticRoute{Cidr: p.Masked(), Blackhole: len(rt.TransitGatewayAttachments) == 0}
			if !x.Blackhole {
				x.Attachment = rt.TransitGatewayAttachments[0].TransitGatewayAttachmentID
			}
			o.Routes = append(o.Routes, x)
		}
		if _, ok := r.raw.tgwRoute[o.TransitGatewayRouteTableID]; !ok {
			r.warns = append(r.warns, Warning{r.raw.whereIdx[o.TransitGatewayRouteTableID], fmt.Sprintf("%s has no routes file (search-transit-gateway-routes): its static routes are not imported", o.TransitGatewayRouteTableID)})
		}
		set.TGWRouteTables = append(set.TGWRouteTables, o)
	}
}

var tgwAttachInText = regexp.MustCompile(`tgw-attach-[0-9a-f]+`)
