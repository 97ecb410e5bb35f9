package dump

import (
	"encoding/json"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vpce/vpce/internal/cloud"
)

// Write exports one snapshot into dir/<account>/<region>/ as the aws CLI's
// describe-* outputs (Vpcs.json, Subnets.json, …), the layout Read reads
// back. It returns the folder written.
func Write(dir string, snap *cloud.Snapshot) (string, error) {
	out := filepath.Join(dir, snap.Scope.Account, snap.Scope.Region)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return "", err
	}
	files := map[string]any{
		"Vpcs.json":                       map[string]any{"Vpcs": exportVpcs(snap)},
		"Subnets.json":                    map[string]any{"Subnets": exportSubnets(snap)},
		"RouteTables.json":                map[string]any{"RouteTables": exportRouteTables(snap)},
		"SecurityGroups.json":             map[string]any{"SecurityGroups": exportGroups(snap)},
		"NetworkAcls.json":                map[string]any{"NetworkAcls": exportACLs(snap)},
		"NetworkInterfaces.json":          map[string]any{"NetworkInterfaces": exportENIs(snap)},
		"Reservations.json":               map[string]any{"Reservations": exportInstances(snap)},
		"VpcEndpoints.json":               map[string]any{"VpcEndpoints": exportEndpoints(snap)},
		"NatGateways.json":                map[string]any{"NatGateways": exportNATs(snap)},
		"InternetGateways.json":           map[string]any{"InternetGateways": exportIGWs(snap)},
		"EgressOnlyInternetGateways.json": map[string]any{"EgressOnlyInternetGateways": exportEIGWs(snap)},
		"DhcpOptions.json":                map[string]any{"DhcpOptions": exportDhcp(snap)},
		"Addresses.json":                  map[string]any{"Addresses": exportAddresses(snap)},
	}
	exportTransit(snap, files)
	pls, mpls, entries := exportPrefixLists(snap)
	files["PrefixLists.json"] = map[string]any{"PrefixLists": pls}
	files["ManagedPrefixLists.json"] = map[string]any{"PrefixLists": mpls}
	for id, es := range entries {
		files["ManagedPrefixListEntries-"+id+".json"] = map[string]any{"Entries": es}
	}
	for name, v := range files {
		b, err := json.MarshalIndent(v, "", "    ")
		if err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(out, name), append(b, '\n'), 0o644); err != nil {
			return "", err
		}
	}
	return out, nil
}

func sorted[T any](m map[string]*T) []*T {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]*T, len(ids))
	for i, id := range ids {
		out[i] = m[id]
	}
	return out
}

func exportTags(ts []cloud.Tag) []tag {
	if len(ts) == 0 {
		return nil
	}
	out := make([]tag, len(ts))
	for i, t := range ts {
		out[i] = tag{t.Key, t.Value}
	}
	return out
}

func ts(t cloud.Timestamp) string {
	if t.Time().IsZero() {
		return ""
	}
	b, _ := t.MarshalText()
	return string(b)
}

func exportVpcs(s *cloud.Snapshot) []vpc {
	out := []vpc{}
	for _, v := range sorted(s.Vpcs) {
		o := vpc{VpcID: v.VpcID, OwnerID: v.OwnerID, State: v.State, CidrBlock: v.CidrBlock.String(), DhcpOptionsID: v.DhcpOptionsID,
			InstanceTenancy: v.InstanceTenancy, IsDefault: v.IsDefault, Tags: exportTags(v.Tags),
			EnableDNSSupport: &attrBool{v.EnableDNSSupport}, EnableDNSHostnames: &attrBool{v.EnableDNSHostnames}}
		for _, a := range v.CidrBlockAssociationSet {
			o.CidrBlockAssociationSet = append(o.CidrBlockAssociationSet, cidrAsoc{a.AssociationID, a.CidrBlock.String(), state{a.CidrBlockState.State}})
		}
		for _, a := range v.Ipv6CidrBlockAssociationSet {
			o.Ipv6CidrBlockAssociationSet = append(o.Ipv6CidrBlockAssociationSet, ipv6Asoc{a.AssociationID, a.Ipv6CidrBlock.String(), state{a.Ipv6CidrBlockState.State},
				a.NetworkBorderGroup, a.Ipv6Pool, a.Ipv6AddressAttribute, a.IPSource})
		}
		out = append(out, o)
	}
	return out
}

func exportSubnets(s *cloud.Snapshot) []subnet {
	out := []subnet{}
	for _, v := range sorted(s.Subnets) {
		o := subnet{SubnetID: v.SubnetID, SubnetArn: v.SubnetArn, OwnerID: v.OwnerID, State: v.State, VpcID: v.VpcID,
			AvailabilityZone: v.AvailabilityZone, AvailabilityZoneID: v.AvailabilityZoneID, DefaultForAz: v.DefaultForAz, MapPublicIPOnLaunch: v.MapPublicIPOnLaunch, Tags: exportTags(v.Tags),
			AssignIpv6AddressOnCreation: v.AssignIpv6OnCreation, Ipv6Native: v.Ipv6Native}
		if v.CidrBlock.IsValid() {
			o.CidrBlock = v.CidrBlock.String()
		}
		for _, a := range v.Ipv6CidrBlockAssociationSet {
			o.Ipv6CidrBlockAssociationSet = append(o.Ipv6CidrBlockAssociationSet, ipv6Asoc{AssociationID: a.AssociationID, Ipv6CidrBlock: a.Ipv6CidrBlock.String(),
				Ipv6CidrBlockState: state{a.Ipv6CidrBlockState.State}, Ipv6AddressAttribute: a.Ipv6AddressAttribute, IPSource: a.IPSource})
		}
		out = append(out, o)
	}
	return out
}

func exportRouteTables(s *cloud.Snapshot) []routeTable {
	out := []routeTable{}
	for _, t := range sorted(s.RouteTables) {
		o := routeTable{RouteTableID: t.RouteTableID, VpcID: t.VpcID, OwnerID: t.OwnerID, Routes: []route{}, Associations: []rtAssoc{}, Tags: exportTags(t.Tags),
			PropagatingVgws: []propagatingVgw{}}
		for _, g := range t.PropagatingVgws {
			o.PropagatingVgws = append(o.PropagatingVgws, propagatingVgw{g.GatewayID})
		}
		for _, r := range t.Routes {
			o.Routes = append(o.Routes, route{DestinationCidrBlock: r.DestinationCidrBlock, DestinationPrefixListID: r.DestinationPrefixListID, GatewayID: r.GatewayID,
				DestinationIpv6CidrBlock: r.DestinationIpv6CidrBlock, EgressOnlyInternetGatewayID: r.EgressOnlyIGWID,
				NatGatewayID: r.NatGatewayID, InstanceID: r.InstanceID, InstanceOwnerID: r.InstanceOwnerID, NetworkInterfaceID: r.NetworkInterfaceID,
				VpcEndpointID: r.VpcEndpointID, VpcPeeringConnectionID: r.VpcPeeringConnectionID, TransitGatewayID: r.TransitGatewayID, Origin: r.Origin, State: r.State})
		}
		for _, a := range t.Associations {
			o.Associations = append(o.Associations, rtAssoc{Main: a.Main, RouteTableAssociationID: a.RouteTableAssociationID, RouteTableID: t.RouteTableID,
				SubnetID: a.SubnetID, GatewayID: a.GatewayID, AssociationState: &state{"associated"}})
		}
		out = append(out, o)
	}
	return out
}

// exportPerms writes the permissions the snapshot grouped (the way
// describe-security-groups groups rules: cloud's SecurityGroup.render).
func exportPerms(perms []cloud.IPPermission) []ipPermission {
	out := make([]ipPermission, 0, len(perms))
	for _, p := range perms {
		x := ipPermission{IPProtocol: p.IPProtocol, FromPort: p.FromPort, ToPort: p.ToPort,
			IPRanges: []ipRange{}, Ipv6Ranges: []ipv6Range{}, PrefixListIDs: []plID{}, UserIDGroupPairs: []groupPair{}}
		for _, r := range p.IPRanges {
			x.IPRanges = append(x.IPRanges, ipRange{r.CidrIP, r.Description})
		}
		for _, r := range p.IPv6Ranges {
			x.Ipv6Ranges = append(x.Ipv6Ranges, ipv6Range{r.CidrIPv6, r.Description})
		}
		for _, r := range p.PrefixListIDs {
			x.PrefixListIDs = append(x.PrefixListIDs, plID{r.PrefixListID, r.Description})
		}
		for _, g := range p.Groups {
			x.UserIDGroupPairs = append(x.UserIDGroupPairs, groupPair{g.GroupID, g.UserID, g.Description})
		}
		out = append(out, x)
	}
	return out
}

func exportGroups(s *cloud.Snapshot) []securityGroup {
	out := []securityGroup{}
	for _, g := range sorted(s.SecurityGroups) {
		out = append(out, securityGroup{GroupID: g.GroupID, GroupName: g.GroupName, Description: g.Description, VpcID: g.VpcID, OwnerID: g.OwnerID,
			IPPermissions: exportPerms(g.IPPermissions), IPPermissionsEgress: exportPerms(g.IPPermissionsEgress), Tags: exportTags(g.Tags)})
	}
	return out
}

func exportACLs(s *cloud.Snapshot) []networkACL {
	out := []networkACL{}
	for _, a := range sorted(s.NetworkACLs) {
		o := networkACL{NetworkACLID: a.NetworkACLID, VpcID: a.VpcID, IsDefault: a.IsDefault, OwnerID: a.OwnerID, Entries: []aclEntry{}, Associations: []aclAssoc{}, Tags: exportTags(a.Tags)}
		for _, e := range a.Entries {
			x := aclEntry{RuleNumber: e.RuleNumber, Protocol: e.Protocol, RuleAction: e.RuleAction, Egress: e.Egress, CidrBlock: e.CidrBlock, Ipv6Cidr: e.Ipv6CidrBlock}
			if e.PortRange != nil {
				x.PortRange = &portRange{e.PortRange.From, e.PortRange.To}
			}
			if e.IcmpTypeCode != nil {
				x.IcmpTypeCode = &icmpTypeCode{e.IcmpTypeCode.Code, e.IcmpTypeCode.Type}
			}
			o.Entries = append(o.Entries, x)
		}
		for _, as := range a.Associations {
			o.Associations = append(o.Associations, aclAssoc{as.AssociationID, a.NetworkACLID, as.SubnetID})
		}
		out = append(out, o)
	}
	return out
}

func exportGroupIdents(gs []cloud.GroupIdentifier) []groupIdent {
	out := make([]groupIdent, len(gs))
	for i, g := range gs {
		out[i] = groupIdent{g.GroupID, g.GroupName}
	}
	return out
}

func exportIPs(ps []cloud.PrivateIP) []privateIP {
	out := make([]privateIP, len(ps))
	for i, p := range ps {
		out[i] = privateIP{p.PrivateIPAddress.String(), p.PrivateDNSName, p.Primary}
	}
	return out
}

func exportENIs(s *cloud.Snapshot) []networkInterface {
	out := []networkInterface{}
	for _, e := range sorted(maps.Collect(s.NetworkInterfaces.All())) {
		o := networkInterface{NetworkInterfaceID: e.NetworkInterfaceID, SubnetID: e.SubnetID, VpcID: e.VpcID, AvailabilityZone: e.AvailabilityZone,
			Description: e.Description, OwnerID: e.OwnerID, RequesterID: e.RequesterID, RequesterManaged: e.RequesterManaged, Status: e.Status,
			MacAddress: e.MacAddress, PrivateDNSName: e.PrivateDNSName, SourceDestCheck: e.SourceDestCheck,
			InterfaceType: e.InterfaceType, Groups: exportGroupIdents(e.Groups), PrivateIPAddresses: exportIPs(e.PrivateIPs), TagSet: exportTags(e.Tags),
			Ipv6Addresses: []ipv6Address{}}
		for _, a := range e.Ipv6Addresses {
			o.Ipv6Addresses = append(o.Ipv6Addresses, ipv6Address{a.Ipv6Address.String(), a.IsPrimaryIpv6})
		}
		if e.PrivateIPAddress.IsValid() {
			o.PrivateIPAddress = e.PrivateIPAddress.String()
		}
		if a := e.Attachment; a != nil {
			o.Attachment = &eniAttachment{AttachmentID: a.AttachmentID, InstanceID: a.InstanceID, InstanceOwnerID: a.InstanceOwnerID, DeviceIndex: a.DeviceIndex,
				Status: a.Status, AttachTime: ts(a.AttachTime), DeleteOnTermination: a.DeleteOnTermination}
		}
		if a := e.Association; a != nil {
			o.Association = &eniAssoc{a.PublicIP, a.PublicDNSName, a.IPOwnerID, a.AllocationID}
		}
		out = append(out, o)
	}
	return out
}

func exportInstances(s *cloud.Snapshot) []reservation {
	byRes := map[string]*reservation{}
	for _, in := range sorted(s.Instances) {
		r := byRes[in.ReservationID]
		if r == nil {
			r = &reservation{ReservationID: in.ReservationID, OwnerID: s.Scope.Account}
			byRes[in.ReservationID] = r
		}
		o := instance{InstanceID: in.InstanceID, ImageID: in.ImageID, InstanceType: in.InstanceType, State: instanceState{int(in.State.Code), in.State.Name},
			LaunchTime: ts(in.LaunchTime), Placement: placement{in.Placement.AvailabilityZone, in.Placement.Tenancy}, SubnetID: in.SubnetID, VpcID: in.VpcID,
			PrivateDNSName: in.PrivateDNSName, SourceDestCheck: in.SourceDestCheck, SecurityGroups: exportGroupIdents(in.Groups), Tags: exportTags(in.Tags)}
		if in.PrivateIPAddress != nil {
			o.PrivateIPAddress = in.PrivateIPAddress.String()
		}
		for _, n := range in.NetworkInterfaces {
			o.NetworkInterfaces = append(o.NetworkInterfaces, instanceENI{NetworkInterfaceID: n.NetworkInterfaceID, SubnetID: n.SubnetID, VpcID: n.VpcID,
				OwnerID: n.OwnerID, MacAddress: n.MacAddress, PrivateIPAddress: addrText(n.PrivateIPAddress), PrivateDNSName: n.PrivateDNSName,
				Groups: exportGroupIdents(n.Groups), Attachment: eniAttachment{AttachmentID: n.Attachment.AttachmentID, InstanceID: in.InstanceID,
					DeviceIndex: n.Attachment.DeviceIndex, Status: n.Attachment.Status, AttachTime: ts(n.Attachment.AttachTime), DeleteOnTermination: n.Attachment.DeleteOnTermination},
				PrivateIPAddresses: exportIPs(n.PrivateIPs)})
		}
		r.Instances = append(r.Instances, o)
	}
	out := []reservation{}
	for _, r := range sorted(byRes) {
		out = append(out, *r)
	}
	return out
}

func exportEndpoints(s *cloud.Snapshot) []vpcEndpoint {
	out := []vpcEndpoint{}
	for _, e := range sorted(s.Endpoints) {
		if e.State == "deleted" || e.State == "deleting" {
			continue
		}
		o := vpcEndpoint{VpcEndpointID: e.VpcEndpointID, VpcEndpointType: e.VpcEndpointType, VpcID: e.VpcID, ServiceName: e.ServiceName, State: e.State,
			PolicyDocument: e.PolicyDocument, RouteTableIDs: append([]string{}, e.RouteTableIDs...), SubnetIDs: append([]string{}, e.SubnetIDs...),
			Groups: exportGroupIdents(e.Groups), IPAddressType: e.IPAddressType, PrivateDNSEnabled: e.PrivateDNSEnabled, RequesterManaged: e.RequesterManaged,
			NetworkInterfaceIDs: append([]string{}, e.NetworkInterfaceIDs...), DNSEntries: []dnsEntry{}, CreationTimestamp: ts(e.CreationTimestamp),
			Tags: exportTags(e.Tags), OwnerID: e.OwnerID}
		if e.DNSOptions != nil {
			o.DNSOptions = &dnsOptions{e.DNSOptions.DNSRecordIPType, e.DNSOptions.PrivateDNSOnlyForInboundResolverEndpoint}
		}
		for _, d := range e.DNSEntries {
			o.DNSEntries = append(o.DNSEntries, dnsEntry{d.DNSName, d.HostedZoneID})
		}
		out = append(out, o)
	}
	return out
}

func exportNATs(s *cloud.Snapshot) []natGateway {
	out := []natGateway{}
	for _, n := range sorted(s.NatGateways) {
		if n.State == "deleted" || n.State == "deleting" {
			continue
		}
		o := natGateway{NatGatewayID: n.NatGatewayID, SubnetID: n.SubnetID, VpcID: n.VpcID, State: n.State, ConnectivityType: n.ConnectivityType,
			NatGatewayAddresses: []natAddress{}, CreateTime: ts(n.CreateTime), Tags: exportTags(n.Tags)}
		for _, a := range n.Addresses {
			primary := a.IsPrimary
			o.NatGatewayAddresses = append(o.NatGatewayAddresses, natAddress{a.AllocationID, a.NetworkInterfaceID, a.PrivateIP.String(), a.PublicIP, &primary, a.Status})
		}
		out = append(out, o)
	}
	return out
}

func exportIGWs(s *cloud.Snapshot) []internetGateway {
	out := []internetGateway{}
	for _, g := range sorted(s.InternetGateways) {
		o := internetGateway{InternetGatewayID: g.InternetGatewayID, OwnerID: g.OwnerID, Attachments: []igwAttachment{}, Tags: exportTags(g.Tags)}
		for _, a := range g.Attachments {
			o.Attachments = append(o.Attachments, igwAttachment{a.VpcID, a.State})
		}
		out = append(out, o)
	}
	return out
}

func exportEIGWs(s *cloud.Snapshot) []egressOnlyInternetGateway {
	out := []egressOnlyInternetGateway{}
	for _, g := range sorted(s.EgressOnlyInternetGateways) {
		o := egressOnlyInternetGateway{EgressOnlyInternetGatewayID: g.EgressOnlyIGWID, Attachments: []igwAttachment{}, Tags: exportTags(g.Tags)}
		for _, a := range g.Attachments {
			o.Attachments = append(o.Attachments, igwAttachment{a.VpcID, a.State})
		}
		out = append(out, o)
	}
	return out
}

func exportAddresses(s *cloud.Snapshot) []address {
	out := []address{}
	for _, a := range sorted(s.Addresses) {
		out = append(out, address{AllocationID: a.AllocationID, PublicIP: a.PublicIP, Domain: a.Domain, AssociationID: a.AssociationID,
			InstanceID: a.InstanceID, NetworkInterfaceID: a.NetworkInterfaceID, NetworkInterfaceOwnerID: a.NetworkInterfaceOwnerID,
			PrivateIPAddress: a.PrivateIPAddress, PublicIpv4Pool: a.PublicIpv4Pool, NetworkBorderGroup: a.NetworkBorderGroup, Tags: exportTags(a.Tags)})
	}
	return out
}

func exportDhcp(s *cloud.Snapshot) []dhcpOptions {
	out := []dhcpOptions{}
	for _, d := range sorted(s.DhcpOptions) {
		o := dhcpOptions{DhcpOptionsID: d.DhcpOptionsID, OwnerID: d.OwnerID, DhcpConfigurations: []dhcpConf{}, Tags: exportTags(d.Tags)}
		for _, c := range d.Configurations {
			dc := dhcpConf{Key: c.Key, Values: []dhcpValue{}}
			for _, v := range c.Values {
				dc.Values = append(dc.Values, dhcpValue{v.Value})
			}
			o.DhcpConfigurations = append(o.DhcpConfigurations, dc)
		}
		out = append(out, o)
	}
	return out
}

func exportPrefixLists(s *cloud.Snapshot) ([]prefixList, []managedPrefixList, map[string][]plEntry) {
	pls, mpls, entries := []prefixList{}, []managedPrefixList{}, map[string][]plEntry{}
	for _, p := range sorted(s.PrefixLists) {
		var cur []cloud.PrefixListEntry
		if len(p.Versions) > 0 {
			cur = p.Versions[len(p.Versions)-1]
		}
		if p.OwnerID == "AWS" {
			cidrs := []string{}
			for _, e := range cur {
				cidrs = append(cidrs, e.Cidr)
			}
			pls = append(pls, prefixList{p.PrefixListID, p.PrefixListName, cidrs})
			continue
		}
		mpls = append(mpls, managedPrefixList{PrefixListID: p.PrefixListID, AddressFamily: p.AddressFamily, State: p.State, PrefixListArn: p.PrefixListArn,
			PrefixListName: p.PrefixListName, MaxEntries: p.MaxEntries, Version: p.Version, OwnerID: p.OwnerID, Tags: exportTags(p.Tags)})
		es := []plEntry{}
		for _, e := range cur {
			es = append(es, plEntry{e.Cidr, e.Description})
		}
		entries[p.PrefixListID] = es
	}
	return pls, mpls, entries
}

// addrText is an address as describe-* writes it: empty when unset (an
// interface of an IPv6-only subnet has no IPv4 address).
func addrText(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

// exportTransit adds the transit gateway and VPN files: the gateways, their
// VPC attachments, every attachment with its association, the route
// tables, and per table its routes and propagations (files named after
// the table, as Read expects); customer and virtual private gateways and
// VPN connections.
func exportTransit(s *cloud.Snapshot, files map[string]any) {
	tgws := []transitGateway{}
	for _, g := range sorted(s.TransitGateways) {
		o := g.Options
		tgws = append(tgws, transitGateway{TransitGatewayID: g.TransitGatewayID, TransitGatewayArn: g.TransitGatewayArn, State: g.State, OwnerID: g.OwnerID,
			Description: g.Description, CreationTime: ts(g.CreationTime), Tags: exportTags(g.Tags),
			Options: tgwOptions{AmazonSideAsn: o.AmazonSideAsn, AutoAcceptSharedAttachments: o.AutoAcceptSharedAttachments, DefaultRouteTableAssociation: o.DefaultRouteTableAssociation,
				AssociationDefaultRouteTableID: o.AssociationDefaultRouteTableID, DefaultRouteTablePropagation: o.DefaultRouteTablePropagation,
				PropagationDefaultRouteTableID: o.PropagationDefaultRouteTableID, VpnEcmpSupport: o.VpnEcmpSupport, DNSSupport: o.DNSSupport}})
	}
	vpcAtts, atts := []tgwVpcAttachment{}, []tgwAttachment{}
	for _, a := range sorted(s.TGWAttachments) {
		x := tgwAttachment{TransitGatewayAttachmentID: a.TransitGatewayAttachmentID, TransitGatewayID: a.TransitGatewayID, TransitGatewayOwnerID: a.Owner(),
			ResourceOwnerID: a.VpcOwnerID, ResourceType: a.ResourceType(), ResourceID: a.ResourceID(), State: a.State, CreationTime: ts(a.CreationTime), Tags: exportTags(a.Tags)}
		if rt := s.TGWAssociation(a.TransitGatewayAttachmentID); rt != nil {
			x.Association = &tgwAssociation{rt.TransitGatewayRouteTableID, "associated"}
		}
		atts = append(atts, x)
		if a.VpnConnectionID == "" {
			vpcAtts = append(vpcAtts, tgwVpcAttachment{TransitGatewayAttachmentID: a.TransitGatewayAttachmentID, TransitGatewayID: a.TransitGatewayID, VpcID: a.VpcID,
				VpcOwnerID: a.VpcOwnerID, State: a.State, SubnetIDs: a.SubnetIDs, CreationTime: ts(a.CreationTime), Tags: exportTags(a.Tags)})
		}
	}
	rts := []tgwRouteTable{}
	for _, t := range sorted(s.TGWRouteTables) {
		rts = append(rts, tgwRouteTable{TransitGatewayRouteTableID: t.TransitGatewayRouteTableID, TransitGatewayID: t.TransitGatewayID, State: t.State,
			DefaultAssociationRouteTable: t.DefaultAssociationRouteTable, DefaultPropagationRouteTable: t.DefaultPropagationRouteTable,
			CreationTime: ts(t.CreationTime), Tags: exportTags(t.Tags)})
		routes := []tgwRoute{}
		for _, r := range s.TGWRoutes(t.TransitGatewayRouteTableID) {
			x := tgwRoute{DestinationCidrBlock: r.Cidr.String(), Type: r.Type, State: r.State}
			if r.Attachment != "" {
				rtype := "vpc"
				if strings.HasPrefix(r.Resource, "vpn-") {
					rtype = "vpn"
				}
				x.TransitGatewayAttachments = []tgwRouteAttachment{{ResourceID: r.Resource, TransitGatewayAttachmentID: r.Attachment, ResourceType: rtype}}
			}
			routes = append(routes, x)
		}
		files["TransitGatewayRoutes-"+t.TransitGatewayRouteTableID+".json"] = map[string]any{"Routes": routes, "AdditionalRoutesAvailable": false}
		props := []tgwPropagation{}
		for _, id := range t.Propagations {
			if a := s.TGWAttachments[id]; a != nil {
				props = append(props, tgwPropagation{TransitGatewayAttachmentID: id, ResourceID: a.ResourceID(), ResourceType: a.ResourceType(), State: "enabled"})
			}
		}
		files["TransitGatewayRouteTablePropagations-"+t.TransitGatewayRouteTableID+".json"] = map[string]any{"TransitGatewayRouteTablePropagations": props}
	}
	cgws := []customerGateway{}
	for _, g := range sorted(s.CustomerGateways) {
		cgws = append(cgws, customerGateway{CustomerGatewayID: g.CustomerGatewayID, BgpAsn: g.BgpAsn, IPAddress: g.IPAddress, Type: g.Type, State: "available",
			DeviceName: g.DeviceName, Tags: exportTags(g.Tags)})
	}
	vgws := []vpnGateway{}
	for _, g := range sorted(s.VpnGateways) {
		o := vpnGateway{VpnGatewayID: g.VpnGatewayID, State: g.State, Type: g.Type, AvailabilityZone: g.AvailabilityZone, AmazonSideAsn: g.AmazonSideAsn,
			VpcAttachments: []igwAttachment{}, Tags: exportTags(g.Tags)}
		for _, a := range g.VpcAttachments {
			o.VpcAttachments = append(o.VpcAttachments, igwAttachment{a.VpcID, a.State})
		}
		vgws = append(vgws, o)
	}
	vpns := []vpnConnection{}
	for _, v := range sorted(s.VpnConnections) {
		o := vpnConnection{VpnConnectionID: v.VpnConnectionID, CustomerGatewayID: v.CustomerGatewayID, VpnGatewayID: v.VpnGatewayID, TransitGatewayID: v.TransitGatewayID,
			Type: v.Type, State: v.State, Category: "VPN", Options: &vpnOptions{v.Options.StaticRoutesOnly}, Routes: []vpnRoute{}, Tags: exportTags(v.Tags)}
		for _, r := range v.Routes {
			o.Routes = append(o.Routes, vpnRoute{r.DestinationCidrBlock.String(), "Static", r.State})
		}
		vpns = append(vpns, o)
	}
	files["TransitGateways.json"] = map[string]any{"TransitGateways": tgws}
	files["TransitGatewayVpcAttachments.json"] = map[string]any{"TransitGatewayVpcAttachments": vpcAtts}
	files["TransitGatewayAttachments.json"] = map[string]any{"TransitGatewayAttachments": atts}
	files["TransitGatewayRouteTables.json"] = map[string]any{"TransitGatewayRouteTables": rts}
	files["CustomerGateways.json"] = map[string]any{"CustomerGateways": cgws}
	files["VpnGateways.json"] = map[string]any{"VpnGateways": vgws}
	files["VpnConnections.json"] = map[string]any{"VpnConnections": vpns}
}
