package cloud

import (
	"context"
	"net/netip"
	"slices"

	"github.com/vpce/vpce/internal/apierr"
)

// kindEIP is the stored kind of Elastic IP addresses.
const kindEIP = "elastic-ip"

// Address is an Elastic IP address allocated to the account, and what it
// is associated with.
type Address struct {
	AllocationID            string `xml:"allocationId" json:"id"`
	PublicIP                string `xml:"publicIp" json:"ip"`
	Domain                  string `xml:"domain" json:"-"`
	PublicIpv4Pool          string `xml:"publicIpv4Pool" json:"-"`
	NetworkBorderGroup      string `xml:"networkBorderGroup" json:"-"`
	AssociationID           string `xml:"associationId,omitempty" json:"assoc,omitempty"`
	InstanceID              string `xml:"instanceId,omitempty" json:"instance,omitempty"`
	NetworkInterfaceID      string `xml:"networkInterfaceId,omitempty" json:"eni,omitempty"`
	NetworkInterfaceOwnerID string `xml:"networkInterfaceOwnerId,omitempty" json:"eniOwner,omitempty"`
	PrivateIPAddress        string `xml:"privateIpAddress,omitempty" json:"privateIp,omitempty"`
	Tags                    TagSet `xml:"tagSet,omitempty" json:"tags,omitempty"`
}

func (a *Address) render(region string) {
	a.Domain, a.PublicIpv4Pool, a.NetworkBorderGroup = "vpc", "amazon", region
}

func (tx *txn) address(id string) (*Address, error) {
	if err := checkID(id, "eipalloc", "InvalidAllocationID.Malformed"); err != nil {
		return nil, err
	}
	a, err := getOr[Address](tx, kindEIP, id, func() error {
		return apierr.New("InvalidAllocationID.NotFound", "The allocation ID '%s' does not exist", id)
	})
	if err != nil {
		return nil, err
	}
	a.render(tx.sc.Region)
	return a, nil
}

// AllocateAddressInput is the input of AllocateAddress.
type AllocateAddressInput struct {
	Domain            string             `ec2:"Domain"`
	TagSpecifications []TagSpecification `ec2:"TagSpecification"`
}

// AllocateAddressOutput is the output of AllocateAddress.
type AllocateAddressOutput struct {
	PublicIP           string `xml:"publicIp"`
	AllocationID       string `xml:"allocationId"`
	PublicIpv4Pool     string `xml:"publicIpv4Pool"`
	NetworkBorderGroup string `xml:"networkBorderGroup"`
	Domain             string `xml:"domain"`
}

// AllocateAddress allocates an Elastic IP address (domain vpc). Its public
// address only names it: vpce sends nothing to it.
func (c *Cloud) AllocateAddress(ctx context.Context, sc Scope, in *AllocateAddressInput) (*AllocateAddressOutput, error) {
	if in.Domain != "" && in.Domain != "vpc" && in.Domain != "standard" {
		return nil, invalidValue("Value (%s) for parameter domain is invalid. Valid values: vpc, standard", in.Domain)
	}
	tags, err := tagsFor(in.TagSpecifications, "elastic-ip")
	if err != nil {
		return nil, err
	}
	a := &Address{AllocationID: newID("eipalloc"), Tags: tags["elastic-ip"]}
	a.PublicIP = publicIPFor(a.AllocationID)
	if err := c.update(ctx, sc, func(tx *txn) error { return putObj(tx, kindEIP, a.AllocationID, a) }); err != nil {
		return nil, err
	}
	a.render(sc.Region)
	return &AllocateAddressOutput{PublicIP: a.PublicIP, AllocationID: a.AllocationID, PublicIpv4Pool: a.PublicIpv4Pool,
		NetworkBorderGroup: a.NetworkBorderGroup, Domain: a.Domain}, nil
}

// DescribeAddressesInput is the input of DescribeAddresses.
type DescribeAddressesInput struct {
	PublicIPs     []string `ec2:"PublicIp"`
	AllocationIDs []string `ec2:"AllocationId"`
	Filters       []Filter `ec2:"Filter"`
}

// DescribeAddressesOutput is the output of DescribeAddresses.
type DescribeAddressesOutput struct {
	Addresses []*Address `xml:"addressesSet>item"`
}

var addressFields = fields[Address]{
	"allocation-id":              func(a *Address) []string { return one(a.AllocationID) },
	"association-id":             func(a *Address) []string { return one(a.AssociationID) },
	"domain":                     func(a *Address) []string { return one(a.Domain) },
	"instance-id":                func(a *Address) []string { return one(a.InstanceID) },
	"network-border-group":       func(a *Address) []string { return one(a.NetworkBorderGroup) },
	"network-interface-id":       func(a *Address) []string { return one(a.NetworkInterfaceID) },
	"network-interface-owner-id": func(a *Address) []string { return one(a.NetworkInterfaceOwnerID) },
	"private-ip-address":         func(a *Address) []string { return one(a.PrivateIPAddress) },
	"public-ip":                  func(a *Address) []string { return one(a.PublicIP) },
}

func addressID(a *Address) string  { return a.AllocationID }
func addressTags(a *Address) []Tag { return a.Tags }

// DescribeAddresses lists the account's Elastic IP addresses.
func (c *Cloud) DescribeAddresses(ctx context.Context, sc Scope, in *DescribeAddressesInput) (*DescribeAddressesOutput, error) {
	out := &DescribeAddressesOutput{}
	err := c.view(ctx, sc, func(tx *txn) error {
		for _, id := range in.AllocationIDs {
			if err := checkID(id, "eipalloc", "InvalidAllocationID.Malformed"); err != nil {
				return err
			}
		}
		all, err := narrow[Address](tx, kindEIP, in.AllocationIDs, in.Filters, "")
		if err != nil {
			return err
		}
		for _, a := range all {
			a.render(tx.sc.Region)
		}
		if all, err = selectIDs(all, addressID, in.AllocationIDs, func(id string) error {
			return apierr.New("InvalidAllocationID.NotFound", "The allocation ID '%s' does not exist", id)
		}); err != nil {
			return err
		}
		for _, ip := range in.PublicIPs {
			if !slices.ContainsFunc(all, func(a *Address) bool { return a.PublicIP == ip }) {
				return apierr.New("InvalidAddress.NotFound", "Address '%s' not found.", ip)
			}
		}
		if len(in.PublicIPs) > 0 {
			all = slices.DeleteFunc(all, func(a *Address) bool { return !slices.Contains(in.PublicIPs, a.PublicIP) })
		}
		out.Addresses, err = filter(ctx, all, in.Filters, addressFields, addressTags)
		return err
	})
	return out, err
}

// ReleaseAddressInput is the input of ReleaseAddress.
type ReleaseAddressInput struct {
	AllocationID string `ec2:"AllocationId,required"`
}

// ReleaseAddress gives an address back; one in use is refused.
func (c *Cloud) ReleaseAddress(ctx context.Context, sc Scope, in *ReleaseAddressInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		a, err := tx.address(in.AllocationID)
		if err != nil {
			return err
		}
		if a.AssociationID != "" {
			return apierr.New("InvalidIPAddress.InUse", "Address %s is in use.", a.PublicIP)
		}
		return delObj(tx, kindEIP, a.AllocationID)
	})
}

// AssociateAddressInput is the input of AssociateAddress.
type AssociateAddressInput struct {
	AllocationID       string `ec2:"AllocationId"`
	InstanceID         string `ec2:"InstanceId"`
	NetworkInterfaceID string `ec2:"NetworkInterfaceId"`
	PrivateIPAddress   string `ec2:"PrivateIpAddress"`
	AllowReassociation *bool  `ec2:"AllowReassociation"`
}

// AssociateAddressOutput is the output of AssociateAddress.
type AssociateAddressOutput struct {
	AssociationID string `xml:"associationId"`
}

// AssociateAddress associates an address with an instance's primary
// interface or with an interface (and one of its private addresses).
func (c *Cloud) AssociateAddress(ctx context.Context, sc Scope, in *AssociateAddressInput) (*AssociateAddressOutput, error) {
	if in.AllocationID == "" {
		return nil, apierr.Missing("AllocationId")
	}
	if (in.InstanceID == "") == (in.NetworkInterfaceID == "") {
		return nil, apierr.New("InvalidParameterCombination", "Either an instance ID or a network interface ID must be specified, but not both.")
	}
	out := &AssociateAddressOutput{}
	return out, c.update(ctx, sc, func(tx *txn) error {
		a, err := tx.address(in.AllocationID)
		if err != nil {
			return err
		}
		eniID := in.NetworkInterfaceID
		if in.InstanceID != "" {
			inst, err := tx.instance(in.InstanceID)
			if err != nil {
				return err
			}
			if len(inst.NetworkInterfaces) == 0 {
				return apierr.New("InvalidInstanceID", "The instance %s has no network interface.", in.InstanceID)
			}
			eniID = inst.NetworkInterfaces[0].NetworkInterfaceID
		}
		e, err := tx.networkInterface(eniID)
		if err != nil {
			return err
		}
		ip := e.PrivateIPAddress
		if !ip.IsValid() {
			return invalidParameter("The network interface %s has no private IPv4 address (an IPv6-only subnet): an Elastic IP cannot be associated with it.", eniID)
		}
		if in.PrivateIPAddress != "" {
			want, perr := netip.ParseAddr(in.PrivateIPAddress)
			if perr != nil || !slices.ContainsFunc(e.PrivateIPs, func(p PrivateIP) bool { return p.PrivateIPAddress == want }) {
				return invalidParameter("The private IP address %s is not assigned to the network interface %s.", in.PrivateIPAddress, eniID)
			}
			ip = want
		}
		if a.AssociationID != "" && (in.AllowReassociation == nil || !*in.AllowReassociation) {
			return apierr.New("Resource.AlreadyAssociated", "resource %s is already associated with associate-id %s", a.AllocationID, a.AssociationID)
		}
		a.AssociationID, a.InstanceID, a.NetworkInterfaceID, a.NetworkInterfaceOwnerID, a.PrivateIPAddress =
			newID("eipassoc"), in.InstanceID, eniID, tx.sc.Account, ip.String()
		out.AssociationID = a.AssociationID
		return putObj(tx, kindEIP, a.AllocationID, a)
	})
}

// DisassociateAddressInput is the input of DisassociateAddress.
type DisassociateAddressInput struct {
	AssociationID string `ec2:"AssociationId,required"`
}

// DisassociateAddress ends an association made by AssociateAddress.
func (c *Cloud) DisassociateAddress(ctx context.Context, sc Scope, in *DisassociateAddressInput) (*Return, error) {
	return ok, c.update(ctx, sc, func(tx *txn) error {
		all, err := listObj[Address](tx, kindEIP)
		if err != nil {
			return err
		}
		i := slices.IndexFunc(all, func(a *Address) bool { return a.AssociationID == in.AssociationID })
		if i < 0 {
			return apierr.New("InvalidAssociationID.NotFound", "The association ID '%s' does not exist", in.AssociationID)
		}
		a := all[i]
		if eni, err := tx.networkInterface(a.NetworkInterfaceID); err == nil && eni.InterfaceType == InterfaceTypeNatGateway {
			return apierr.New("InvalidIPAddress.InUse", "Address %s is in use by a NAT gateway; delete the NAT gateway first.", a.PublicIP)
		}
		a.AssociationID, a.InstanceID, a.NetworkInterfaceID, a.NetworkInterfaceOwnerID, a.PrivateIPAddress = "", "", "", "", ""
		return putObj(tx, kindEIP, a.AllocationID, a)
	})
}

// claimForNAT associates the allocation with a NAT gateway's interface,
// refusing an unknown or associated one, as CreateNatGateway does.
func (tx *txn) claimForNAT(allocID string, e *NetworkInterface) (*Address, error) {
	a, err := tx.address(allocID)
	if err != nil {
		return nil, err
	}
	if a.AssociationID != "" {
		return nil, apierr.New("Resource.AlreadyAssociated", "Elastic IP address [%s] is already associated", allocID)
	}
	a.AssociationID, a.NetworkInterfaceID, a.NetworkInterfaceOwnerID, a.PrivateIPAddress =
		newID("eipassoc"), e.NetworkInterfaceID, tx.sc.Account, e.PrivateIPAddress.String()
	return a, putObj(tx, kindEIP, a.AllocationID, a)
}

// releaseFromNAT ends the association of a NAT gateway's address.
func (tx *txn) releaseFromNAT(allocID string) error {
	a, err := tx.address(allocID)
	if err != nil {
		return nil // imported or released: nothing to undo
	}
	a.AssociationID, a.NetworkInterfaceID, a.NetworkInterfaceOwnerID, a.PrivateIPAddress = "", "", "", ""
	return putObj(tx, kindEIP, a.AllocationID, a)
}
