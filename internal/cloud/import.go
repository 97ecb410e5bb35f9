package cloud

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/vpce/vpce/internal/store"
)

// ImportSet is one account and region's network as a real account
// describes it, already in vpce's types (package dump reads describe-*
// files into it). Where says, per ID, which file and record it came from.
type ImportSet struct {
	Vpcs              []*Vpc
	Subnets           []*Subnet
	RouteTables       []*RouteTable
	SecurityGroups    []*SecurityGroup
	NetworkACLs       []*NetworkACL
	NetworkInterfaces []*NetworkInterface
	Instances         []*Instance
	Endpoints         []*VpcEndpoint
	NatGateways       []*NatGateway
	InternetGateways  []*InternetGateway
	// EgressOnlyInternetGateways are IPv6 egress-only gateways.
	EgressOnlyInternetGateways []*EgressOnlyInternetGateway
	PrefixLists                []*ManagedPrefixList
	DhcpOptions                []*DhcpOptions
	Addresses                  []*Address
	// TransitGateways, TGWAttachments (VPC and VPN attachments of the
	// account's gateways, and its VPCs' attachments to gateways of other
	// accounts — TGWOwner set) and TGWRouteTables (associations,
	// propagations and static routes filled in).
	TransitGateways []*TransitGateway
	TGWAttachments  []*TransitGatewayVpcAttachment
	TGWRouteTables  []*TransitGatewayRouteTable
	// CustomerGateways, VpnGateways and VpnConnections are the VPN.
	CustomerGateways []*CustomerGateway
	VpnGateways      []*VpnGateway
	VpnConnections   []*VpnConnection
	Where            map[string]string
}

// ImportProblem is a record that was not imported, and why.
type ImportProblem struct {
	Where   string `json:"where"`
	ID      string `json:"id"`
	Problem string `json:"problem"`
}

// ImportReport says what an import loaded and what it skipped.
type ImportReport struct {
	Scope    Scope           `json:"-"`
	Account  string          `json:"account"`
	Region   string          `json:"region"`
	Imported map[string]int  `json:"imported"`
	Skipped  []ImportProblem `json:"skipped"`
}

// Import loads a set into a scope in one transaction: all of it that is
// consistent, or nothing. A record that names what is neither in the set
// nor already in the state (an interface in an unknown subnet), or whose
// ID is already taken, is skipped and reported. IDs, addresses and ARNs are
// kept; VPCs get resolver addresses as if created here. The scope gets no
// default VPC of vpce's making: the account's own comes with the set.
func (c *Cloud) Import(ctx context.Context, sc Scope, set *ImportSet) (*ImportReport, error) {
	rep := &ImportReport{Scope: sc, Account: sc.Account, Region: sc.Region, Imported: map[string]int{}, Skipped: []ImportProblem{}}
	err := c.updateWith(ctx, sc, false, func(tx *txn) error {
		rep.Imported, rep.Skipped = map[string]int{}, []ImportProblem{} // a retried transaction starts again
		im := &importer{tx: tx, set: set, rep: rep, known: map[string]bool{}}
		return im.run()
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(rep.Skipped, func(i, j int) bool { return rep.Skipped[i].Where < rep.Skipped[j].Where })
	return rep, nil
}

type importer struct {
	tx    *txn
	set   *ImportSet
	rep   *ImportReport
	known map[string]bool // IDs imported in this transaction
}

func (im *importer) skip(id, format string, args ...any) {
	im.rep.Skipped = append(im.rep.Skipped, ImportProblem{Where: im.set.Where[id], ID: id, Problem: fmt.Sprintf(format, args...)})
}

// exists reports whether an ID is in this import or already in the state.
func (im *importer) exists(kind, id string) (bool, error) {
	if id == "" {
		return false, nil
	}
	if im.known[id] {
		return true, nil
	}
	_, err := im.tx.Get(store.Key{Scope: im.tx.sc, Kind: kind, ID: id})
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// put stores one object unless its ID is taken or a reference is missing;
// refs are kind/ID pairs the object needs.
func (im *importer) put(kind, prefix, id string, v any, refs ...[2]string) error {
	if !strings.HasPrefix(id, prefix+"-") {
		im.skip(id, "%q is not a %s- ID", id, prefix)
		return nil
	}
	taken, err := im.exists(kind, id)
	if err != nil {
		return err
	}
	if taken {
		im.skip(id, "%s is already in the state", id)
		return nil
	}
	for _, r := range refs {
		ok, err := im.exists(r[0], r[1])
		if err != nil {
			return err
		}
		if !ok {
			im.skip(id, "it names %s %q, which is neither in the import nor in the state", r[0], r[1])
			return nil
		}
	}
	if err := putObjWith(im.tx, kind, id, v, true); err != nil {
		return err
	}
	im.known[id] = true
	im.rep.Imported[kind]++
	return nil
}

func (im *importer) run() error {
	tx, set := im.tx, im.set
	marker := scopeMarker{}
	if _, err := tx.Get(store.Key{Scope: tx.sc, Kind: kindScope, ID: "defaults"}); errors.Is(err, store.ErrNotFound) {
		for _, v := range set.Vpcs {
			if v.IsDefault {
				marker.DefaultVpcID = v.VpcID
			}
		}
		if err := putObj(tx, kindScope, "defaults", marker); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	for _, v := range set.Vpcs {
		if taken, err := im.exists(kindVpc, v.VpcID); err != nil {
			return err
		} else if taken {
			im.skip(v.VpcID, "%s is already in the state", v.VpcID)
			continue
		}
		addr, err := tx.allocateResolverTxn(v.VpcID)
		if err != nil && !errors.Is(err, errResolverPoolFull) {
			return err
		}
		v.ResolverAddr = addr
		// Its IPv6 blocks are held as vpce's own are: no VPC made later
		// gets one of them.
		var kept []Ipv6CidrAssociation
		for _, a := range v.Ipv6CidrBlockAssociationSet {
			k := store.Key{Scope: globalScope, Kind: kindIpv6Block, ID: a.Ipv6CidrBlock.String()}
			if _, err := tx.Get(k); err == nil {
				im.skip(v.VpcID, "its IPv6 block %s is held by another VPC of the state: the block is left out", a.Ipv6CidrBlock)
				continue
			} else if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if err := tx.Put(k, []byte(`{"vpc":"`+v.VpcID+`","account":"`+tx.sc.Account+`"}`)); err != nil {
				return err
			}
			kept = append(kept, a)
		}
		v.Ipv6CidrBlockAssociationSet = kept
		if err := im.put(kindVpc, "vpc", v.VpcID, v); err != nil {
			return err
		}
	}
	vpcRef := func(id string) [2]string { return [2]string{kindVpc, id} }
	for _, d := range set.DhcpOptions {
		if err := im.put(kindDHCP, "dopt", d.DhcpOptionsID, d); err != nil {
			return err
		}
	}
	for _, s := range set.Subnets {
		if err := im.put(kindSubnet, "subnet", s.SubnetID, s, vpcRef(s.VpcID)); err != nil {
			return err
		}
	}
	for _, g := range set.InternetGateways {
		var refs [][2]string
		for _, a := range g.Attachments {
			refs = append(refs, vpcRef(a.VpcID))
		}
		if err := im.put(kindIGW, "igw", g.InternetGatewayID, g, refs...); err != nil {
			return err
		}
	}
	for _, g := range set.EgressOnlyInternetGateways {
		var refs [][2]string
		for _, a := range g.Attachments {
			refs = append(refs, vpcRef(a.VpcID))
		}
		if err := im.put(kindEIGW, "eigw", g.EgressOnlyIGWID, g, refs...); err != nil {
			return err
		}
	}
	for _, g := range set.SecurityGroups {
		if err := im.put(kindSG, "sg", g.GroupID, g, vpcRef(g.VpcID)); err != nil {
			return err
		}
	}
	for _, p := range set.PrefixLists {
		if err := im.put(kindPrefixList, "pl", p.PrefixListID, p); err != nil {
			return err
		}
	}
	for _, e := range set.NetworkInterfaces {
		if err := im.put(kindENI, "eni", e.NetworkInterfaceID, e, [2]string{kindSubnet, e.SubnetID}); err != nil {
			return err
		}
	}
	for _, a := range set.Addresses {
		var refs [][2]string
		if a.NetworkInterfaceID != "" {
			refs = append(refs, [2]string{kindENI, a.NetworkInterfaceID})
		}
		if err := im.put(kindEIP, "eipalloc", a.AllocationID, a, refs...); err != nil {
			return err
		}
	}
	for _, in := range set.Instances {
		refs := [][2]string{{kindSubnet, in.SubnetID}}
		if in.SubnetID == "" {
			im.skip(in.InstanceID, "the instance is in no subnet (EC2-Classic or terminated): not on any VPC path")
			continue
		}
		if err := im.put(kindInstance, "i", in.InstanceID, in, refs...); err != nil {
			return err
		}
	}
	for _, n := range set.NatGateways {
		if err := im.put(kindNAT, "nat", n.NatGatewayID, n, [2]string{kindSubnet, n.SubnetID}); err != nil {
			return err
		}
	}
	for _, a := range set.NetworkACLs {
		var refs [][2]string
		for _, as := range a.Associations {
			refs = append(refs, [2]string{kindSubnet, as.SubnetID})
		}
		if err := im.put(kindACL, "acl", a.NetworkACLID, a, append([][2]string{vpcRef(a.VpcID)}, refs...)...); err != nil {
			return err
		}
	}
	for _, e := range set.Endpoints {
		refs := [][2]string{vpcRef(e.VpcID)}
		for _, s := range e.Subnets {
			refs = append(refs, [2]string{kindSubnet, s.SubnetID}, [2]string{kindENI, s.ENI})
		}
		if err := im.put(kindEndpoint, "vpce", e.VpcEndpointID, e, refs...); err != nil {
			return err
		}
	}
	if err := im.transitAndVPN(); err != nil {
		return err
	}
	for _, rt := range set.RouteTables {
		refs := [][2]string{vpcRef(rt.VpcID)}
		for _, a := range rt.Associations {
			if a.SubnetID != "" {
				refs = append(refs, [2]string{kindSubnet, a.SubnetID})
			}
		}
		if err := im.put(kindRT, "rtb", rt.RouteTableID, rt, refs...); err != nil {
			return err
		}
	}
	return nil
}

// transitAndVPN imports the VPN and transit gateway records. An
// attachment of another account's VPC to a gateway of this one is stored
// with the gateway and referenced from the VPC owner's scope (as
// CreateTransitGatewayVpcAttachment does), so that account's paths find
// it whichever folder is imported first; an attachment of this account's
// VPC to another's gateway becomes such a reference only.
func (im *importer) transitAndVPN() error {
	tx, set := im.tx, im.set
	for _, g := range set.CustomerGateways {
		if err := im.put(kindCGW, "cgw", g.CustomerGatewayID, g); err != nil {
			return err
		}
	}
	for _, g := range set.VpnGateways {
		var refs [][2]string
		for _, a := range g.VpcAttachments {
			if a.State == "attached" {
				refs = append(refs, [2]string{kindVpc, a.VpcID})
			}
		}
		if err := im.put(kindVGW, "vgw", g.VpnGatewayID, g, refs...); err != nil {
			return err
		}
	}
	for _, g := range set.TransitGateways {
		if g.OwnerID != "" && g.OwnerID != tx.sc.Account {
			continue // a gateway shared with the account: its owner's folder holds it
		}
		if err := im.put(kindTGW, "tgw", g.TransitGatewayID, g); err != nil {
			return err
		}
	}
	for _, v := range set.VpnConnections {
		refs := [][2]string{{kindCGW, v.CustomerGatewayID}}
		if v.VpnGatewayID != "" {
			refs = append(refs, [2]string{kindVGW, v.VpnGatewayID})
		}
		if v.TransitGatewayID != "" {
			refs = append(refs, [2]string{kindTGW, v.TransitGatewayID})
		}
		if err := im.put(kindVPN, "vpn", v.VpnConnectionID, v, refs...); err != nil {
			return err
		}
	}
	for _, rt := range set.TGWRouteTables {
		if err := im.put(kindTGWRouteTable, "tgw-rtb", rt.TransitGatewayRouteTableID, rt, [2]string{kindTGW, rt.TransitGatewayID}); err != nil {
			return err
		}
	}
	for _, a := range set.TGWAttachments {
		if a.TGWOwner != "" && a.TGWOwner != tx.sc.Account {
			// This account's VPC on another's gateway: a reference.
			if err := putObj(tx, kindTGWAttachmentRef, a.TransitGatewayAttachmentID, attachmentRef{Owner: a.TGWOwner}); err != nil {
				return err
			}
			im.rep.Imported[kindTGWAttachmentRef]++
			continue
		}
		cross := a.VpcOwnerID != "" && a.VpcOwnerID != tx.sc.Account
		a.TGWOwner = ""
		if cross {
			a.TGWOwner = tx.sc.Account
		}
		refs := [][2]string{{kindTGW, a.TransitGatewayID}}
		if !cross && a.VpcID != "" {
			refs = append(refs, [2]string{kindVpc, a.VpcID})
		}
		if err := im.put(kindTGWAttachment, "tgw-attach", a.TransitGatewayAttachmentID, a, refs...); err != nil {
			return err
		}
		if cross && im.known[a.TransitGatewayAttachmentID] {
			if err := putObj(tx.in(a.VpcOwnerID), kindTGWAttachmentRef, a.TransitGatewayAttachmentID, attachmentRef{Owner: tx.sc.Account}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Scopes lists the accounts and regions that have state, in order.
func (c *Cloud) Scopes(ctx context.Context) ([]Scope, error) {
	var out []Scope
	err := c.st.View(ctx, func(stx store.Txn) error {
		rs, err := stx.ListKind(kindScope)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if r.ID == "defaults" {
				out = append(out, r.Scope)
			}
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		if out[i].Account != out[j].Account {
			return out[i].Account < out[j].Account
		}
		return out[i].Region < out[j].Region
	})
	return out, err
}
