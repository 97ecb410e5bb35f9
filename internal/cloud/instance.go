package cloud

import (
	"context"
	"encoding/xml"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vpce/vpce/internal/apierr"
)

// Instance is an EC2 instance, modelled only as far as networking needs:
// where it sits, its addresses, groups and lifecycle.
type Instance struct {
	InstanceID         string                     `xml:"instanceId" json:"id"`
	ImageID            string                     `xml:"imageId" json:"image"`
	State              InstanceState              `xml:"instanceState" json:"-"`
	PrivateDNSName     string                     `xml:"privateDnsName" json:"dns"`
	DNSName            string                     `xml:"dnsName" json:"-"`
	PublicIP           string                     `xml:"ipAddress,omitempty" json:"-"`
	Reason             string                     `xml:"reason" json:"reason"`
	AmiLaunchIndex     int                        `xml:"amiLaunchIndex" json:"index"`
	InstanceType       string                     `xml:"instanceType" json:"type"`
	LaunchTime         Timestamp                  `xml:"launchTime" json:"launched"`
	Placement          Placement                  `xml:"placement" json:"placement"`
	Monitoring         State                      `xml:"monitoring" json:"-"`
	SubnetID           string                     `xml:"subnetId" json:"subnet"`
	VpcID              string                     `xml:"vpcId" json:"vpc"`
	PrivateIPAddress   *netip.Addr                `xml:"privateIpAddress,omitempty" json:"ip,omitempty"`
	SourceDestCheck    bool                       `xml:"sourceDestCheck" json:"srcDstCheck"`
	Groups             []GroupIdentifier          `xml:"groupSet>item" json:"groups"`
	Architecture       string                     `xml:"architecture" json:"-"`
	RootDeviceType     string                     `xml:"rootDeviceType" json:"-"`
	RootDeviceName     string                     `xml:"rootDeviceName" json:"-"`
	VirtualizationType string                     `xml:"virtualizationType" json:"-"`
	Hypervisor         string                     `xml:"hypervisor" json:"-"`
	NetworkInterfaces  []InstanceNetworkInterface `xml:"networkInterfaceSet>item" json:"enis"`
	Tags               TagSet                     `xml:"tagSet,omitempty" json:"tags,omitempty"`
	ClientToken        string                     `xml:"clientToken,omitempty" json:"token,omitempty"`
	ReservationID      string                     `xml:"-" json:"reservation"`
	TerminatedAt       *time.Time                 `xml:"-" json:"terminated,omitempty"`
	// FixedState is the state of an imported instance that time does not
	// move (stopped, pending as recorded); empty for vpce's own.
	FixedState string `xml:"-" json:"fixedState,omitempty"`
}

// InstanceState is an instance's lifecycle state with AWS's code.
type InstanceState struct {
	Code int    `xml:"code"`
	Name string `xml:"name"`
}

var stateCodes = map[string]int{"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64, "stopped": 80}

func instanceState(name string) InstanceState { return InstanceState{stateCodes[name], name} }

// Placement is where an instance runs.
type Placement struct {
	AvailabilityZone string `xml:"availabilityZone" json:"az"`
	GroupName        string `xml:"groupName" json:"-"`
	Tenancy          string `xml:"tenancy" json:"tenancy"`
}

// InstanceNetworkInterface is an interface as DescribeInstances shows it.
type InstanceNetworkInterface struct {
	NetworkInterfaceID string            `xml:"networkInterfaceId" json:"id"`
	SubnetID           string            `xml:"subnetId" json:"subnet"`
	VpcID              string            `xml:"vpcId" json:"vpc"`
	Description        string            `xml:"description" json:"-"`
	OwnerID            string            `xml:"ownerId" json:"owner"`
	Status             string            `xml:"status" json:"-"`
	MacAddress         string            `xml:"macAddress" json:"mac"`
	PrivateIPAddress   netip.Addr        `xml:"privateIpAddress" json:"ip"`
	PrivateDNSName     string            `xml:"privateDnsName" json:"dns"`
	SourceDestCheck    bool              `xml:"sourceDestCheck" json:"-"`
	Groups             []GroupIdentifier `xml:"groupSet>item" json:"groups"`
	Attachment         ENIAttachment     `xml:"attachment" json:"attachment"`
	PrivateIPs         []PrivateIP       `xml:"privateIpAddressesSet>item" json:"ips"`
	Ipv6Addresses      []InstanceIpv6    `xml:"ipv6AddressesSet>item" json:"ip6,omitempty"`
	InterfaceType      string            `xml:"interfaceType" json:"-"`
	// Association is the interface's public address (json: the address
	// it had at launch; Describe reads the interface).
	Association *ENIAssociation `xml:"association,omitempty" json:"assoc,omitempty"`
}

// MarshalXML writes the interface as AWS does: one in an IPv6-only subnet
// has no privateIpAddress element.
func (n InstanceNetworkInterface) MarshalXML(enc *xml.Encoder, start xml.StartElement) error {
	type plain InstanceNetworkInterface
	if n.PrivateIPAddress.IsValid() {
		return enc.EncodeElement(plain(n), start)
	}
	return enc.EncodeElement(struct {
		plain
		PrivateIPAddress *string `xml:"privateIpAddress,omitempty"`
	}{plain: plain(n)}, start)
}

// resourceName is the resource-based host name of an instance (the names
// of IPv6-only subnets): i-0123456789abcdef0.ec2.internal in us-east-1,
// else i-….<region>.compute.internal.
func resourceName(region, id string) string {
	if region == "us-east-1" {
		return id + ".ec2.internal"
	}
	return id + "." + region + ".compute.internal"
}

// InstanceIpv6 is an IPv6 address as DescribeInstances shows it.
type InstanceIpv6 struct {
	Ipv6Address   netip.Addr `xml:"ipv6Address" json:"ip"`
	IsPrimaryIpv6 bool       `xml:"isPrimaryIpv6" json:"primary"`
}

func instanceIpv6(in []ENIIpv6Address) []InstanceIpv6 {
	out := make([]InstanceIpv6, len(in))
	for i, a := range in {
		out[i] = InstanceIpv6(a)
	}
	return out
}

func (in *Instance) primaryENI() string {
	if len(in.NetworkInterfaces) == 0 {
		return ""
	}
	return in.NetworkInterfaces[0].NetworkInterfaceID
}

// stateName reports the state now: pending until provisioned, running,
// then shutting-down and terminated after TerminateInstances.
func (in *Instance) stateName(tx *txn) string {
	if in.FixedState != "" {
		return in.FixedState
	}
	if in.TerminatedAt != nil {
		if tx.now.Before(in.TerminatedAt.Add(tx.c.delay)) {
			return "shutting-down"
		}
		return "terminated"
	}
	if tx.now.Before(in.LaunchTime.Time().Add(tx.c.delay)) {
		return "pending"
	}
	return "running"
}

func (in *Instance) visible(tx *txn) bool {
	return in.TerminatedAt == nil || tx.now.Before(in.TerminatedAt.Add(tx.c.retention))
}

// render fills the derived fields for output.
func (in *Instance) render(tx *txn) {
	in.State = instanceState(in.stateName(tx))
	in.Monitoring = State{"disabled"}
	in.Architecture, in.RootDeviceType, in.RootDeviceName = "x86_64", "ebs", "/dev/xvda"
	in.VirtualizationType, in.Hypervisor = "hvm", "xen"
	in.PublicIP, in.DNSName = "", ""
	for i := range in.NetworkInterfaces {
		n := &in.NetworkInterfaces[i]
		n.Status, n.SourceDestCheck, n.InterfaceType = "in-use", in.SourceDestCheck, InterfaceTypeInterface
		n.Attachment.Status = "attached"
		if n.Attachment.DeviceIndex == 0 && n.Association != nil && in.stateName(tx) != "terminated" {
			in.PublicIP, in.DNSName = n.Association.PublicIP, n.Association.PublicDNSName
		}
	}
}

func (tx *txn) instance(id string) (*Instance, error) {
	if err := checkID(id, "i", "InvalidInstanceID.Malformed"); err != nil {
		return nil, err
	}
	nf := notFound("InvalidInstanceID.NotFound", "instance", id)
	in, err := getOr[Instance](tx, kindInstance, id, nf)
	if err != nil {
		return nil, err
	}
	if !in.visible(tx) {
		return nil, nf()
	}
	return in, nil
}

// RunInstancesInput is the input of RunInstances.
type RunInstancesInput struct {
	ImageID            string             `ec2:"ImageId,required"`
	InstanceType       string             `ec2:"InstanceType"`
	MinCount           *int32             `ec2:"MinCount,required"`
	MaxCount           *int32             `ec2:"MaxCount,required"`
	SubnetID           string             `ec2:"SubnetId"`
	SecurityGroupIDs   []string           `ec2:"SecurityGroupId"`
	SecurityGroupNames []string           `ec2:"SecurityGroup"`
	PrivateIPAddress   string             `ec2:"PrivateIpAddress"`
	KeyName            string             `ec2:"KeyName"`
	UserData           string             `ec2:"UserData"`
	ClientToken        string             `ec2:"ClientToken"`
	TagSpecifications  []TagSpecification `ec2:"TagSpecification"`
	NetworkInterfaces  []LaunchInterface  `ec2:"NetworkInterface"`
	Ipv6Addresses      []Ipv6AddressInput `ec2:"Ipv6Address"`
	Ipv6AddressCount   *int32             `ec2:"Ipv6AddressCount"`
}

// LaunchInterface is one interface of RunInstances' NetworkInterface.N:
// an existing interface, or one to create in a subnet.
type LaunchInterface struct {
	DeviceIndex         *int32             `ec2:"DeviceIndex"`
	NetworkInterfaceID  string             `ec2:"NetworkInterfaceId"`
	SubnetID            string             `ec2:"SubnetId"`
	Groups              []string           `ec2:"SecurityGroupId"`
	PrivateIPAddress    string             `ec2:"PrivateIpAddress"`
	SecondaryCount      *int32             `ec2:"SecondaryPrivateIpAddressCount"`
	AssociatePublicIP   *bool              `ec2:"AssociatePublicIpAddress"`
	DeleteOnTermination *bool              `ec2:"DeleteOnTermination"`
	Description         string             `ec2:"Description"`
	Ipv6Addresses       []Ipv6AddressInput `ec2:"Ipv6Addresses"`
	Ipv6AddressCount    *int32             `ec2:"Ipv6AddressCount"`
}

// launchInterfaces checks NetworkInterface.N as AWS does and returns the
// specifications by device index, the primary (0) first.
func (in *RunInstancesInput) launchInterfaces(maxC int32) ([]LaunchInterface, error) {
	if len(in.NetworkInterfaces) == 0 {
		return nil, nil
	}
	switch {
	case in.SubnetID != "":
		return nil, apierr.New("InvalidParameterCombination", "Network interfaces and an instance-level subnet ID may not be specified on the same request")
	case len(in.SecurityGroupIDs) > 0 || len(in.SecurityGroupNames) > 0:
		return nil, apierr.New("InvalidParameterCombination", "Network interfaces and an instance-level security groups may not be specified on the same request")
	case in.PrivateIPAddress != "":
		return nil, apierr.New("InvalidParameterCombination", "Network interfaces and an instance-level private IP address should not be specified on the same request")
	}
	specs := slices.Clone(in.NetworkInterfaces)
	seen := map[int32]bool{}
	for _, sp := range specs {
		switch {
		case sp.DeviceIndex == nil:
			return nil, apierr.Missing("NetworkInterface.DeviceIndex")
		case seen[*sp.DeviceIndex]:
			return nil, invalidValue("Each network interface requires a unique device index.")
		case sp.NetworkInterfaceID != "" && (sp.SubnetID != "" || len(sp.Groups) > 0 || sp.PrivateIPAddress != ""):
			return nil, apierr.New("InvalidParameterCombination", "A network interface may not specify both a network interface ID and a subnet, security groups or a private IP address")
		case sp.NetworkInterfaceID != "" && maxC > 1:
			return nil, apierr.New("InvalidParameterCombination", "Cannot specify a network interface ID when launching more than one instance")
		case sp.NetworkInterfaceID == "" && sp.SubnetID == "":
			return nil, apierr.New("MissingParameter", "The request must contain the parameter NetworkInterface.SubnetId or NetworkInterface.NetworkInterfaceId")
		case sp.AssociatePublicIP != nil && *sp.AssociatePublicIP && len(specs) > 1:
			return nil, apierr.New("InvalidParameterCombination", "The associatePublicIPAddress parameter cannot be specified when launching with multiple network interfaces.")
		case sp.PrivateIPAddress != "" && maxC > 1:
			return nil, apierr.New("InvalidParameterCombination", "Cannot specify PrivateIpAddress when launching more than one instance")
		}
		seen[*sp.DeviceIndex] = true
	}
	if !seen[0] {
		return nil, invalidValue("When specifying network interfaces, you must include a device at index 0.")
	}
	slices.SortFunc(specs, func(a, b LaunchInterface) int { return int(*a.DeviceIndex - *b.DeviceIndex) })
	return specs, nil
}

// launchInterfaceTxn makes (or takes) one interface of a launch and
// attaches it to the instance at its device index.
func (tx *txn) launchInterfaceTxn(inst *Instance, sp LaunchInterface, only bool, tags []Tag) (*NetworkInterface, error) {
	var e *NetworkInterface
	deleteOnTermination := sp.NetworkInterfaceID == ""
	if sp.NetworkInterfaceID != "" {
		if sp.AssociatePublicIP != nil && *sp.AssociatePublicIP {
			return nil, apierr.New("InvalidParameterCombination", "The associatePublicIPAddress parameter cannot be specified for a network interface with an ID.")
		}
		var err error
		if e, err = tx.networkInterface(sp.NetworkInterfaceID); err != nil {
			return nil, err
		}
		switch {
		case e.Attachment != nil || e.RequesterManaged:
			return nil, apierr.New("InvalidNetworkInterface.InUse", "Interface: [%s] in use.", e.NetworkInterfaceID)
		case inst.Placement.AvailabilityZone != "" && e.AvailabilityZone != inst.Placement.AvailabilityZone:
			return nil, apierr.New("InvalidParameterCombination", "You may not attach a network interface to an instance if they are not in the same availability zone")
		}
	} else {
		s, err := tx.subnet(sp.SubnetID)
		if err != nil {
			return nil, err
		}
		if inst.Placement.AvailabilityZone != "" && s.AvailabilityZone != inst.Placement.AvailabilityZone {
			return nil, apierr.New("InvalidParameterCombination", "You may not attach a network interface to an instance if they are not in the same availability zone")
		}
		groups, err := tx.groupsFor(s.VpcID, sp.Groups)
		if err != nil {
			return nil, err
		}
		if e, err = tx.newInterfaceTxn(s, sp.PrivateIPAddress, groups, InterfaceTypeInterface, sp.Description, tags); err != nil {
			return nil, err
		}
		if sp.SecondaryCount != nil && *sp.SecondaryCount > 0 {
			if err := tx.addAddressesTxn(s, e, nil, int(*sp.SecondaryCount)); err != nil {
				return nil, err
			}
		}
		wants6, extra6, err := ipv6Request(s, sp.Ipv6Addresses, sp.Ipv6AddressCount)
		if err != nil {
			return nil, err
		}
		if _, err := tx.addIpv6Txn(s, e, wants6, extra6); err != nil {
			return nil, err
		}
		// A public address: asked for, or the subnet's default for a
		// launch with one interface.
		public := only && s.MapPublicIPOnLaunch
		if sp.AssociatePublicIP != nil {
			public = *sp.AssociatePublicIP
		}
		if public && *sp.DeviceIndex == 0 {
			tx.assignPublicIP(e)
		}
	}
	if sp.DeleteOnTermination != nil {
		deleteOnTermination = *sp.DeleteOnTermination
	}
	e.Status = "in-use"
	e.Attachment = &ENIAttachment{AttachmentID: newID("eni-attach"), InstanceID: inst.InstanceID, InstanceOwnerID: tx.sc.Account,
		DeviceIndex: *sp.DeviceIndex, Status: "attached", AttachTime: Timestamp(tx.now), DeleteOnTermination: deleteOnTermination}
	return e, putObj(tx, kindENI, e.NetworkInterfaceID, e)
}

// Reservation is a group of instances launched together.
type Reservation struct {
	ReservationID string            `xml:"reservationId"`
	OwnerID       string            `xml:"ownerId"`
	Groups        []GroupIdentifier `xml:"groupSet>item"`
	Instances     []*Instance       `xml:"instancesSet>item"`
}

// RunInstances launches instances, each with a primary interface holding
// an address from the subnet.
func (c *Cloud) RunInstances(ctx context.Context, sc Scope, in *RunInstancesInput) (*Reservation, error) {
	if err := checkID(in.ImageID, "ami", "InvalidAMIID.Malformed"); err != nil {
		return nil, err
	}
	minC, maxC := *in.MinCount, *in.MaxCount
	switch {
	case minC < 1:
		return nil, invalidValue("Value (%d) for parameter minCount is invalid. Expected a positive integer.", minC)
	case maxC < minC:
		return nil, invalidValue("Value (%d) for parameter maxCount is invalid. Expected a value greater than or equal to minCount.", maxC)
	case maxC > 100:
		return nil, apierr.New("InstanceLimitExceeded", "You have requested more instances (%d) than your current instance limit of 100 allows for the specified instance type.", maxC)
	case maxC > 1 && in.PrivateIPAddress != "":
		return nil, apierr.New("InvalidParameterCombination", "Cannot specify PrivateIpAddress when launching more than one instance")
	case maxC > 1 && len(in.Ipv6Addresses) > 0:
		return nil, apierr.New("InvalidParameterCombination", "Cannot specify Ipv6Addresses when launching more than one instance")
	case len(in.NetworkInterfaces) > 0 && (len(in.Ipv6Addresses) > 0 || in.Ipv6AddressCount != nil):
		return nil, apierr.New("InvalidParameterCombination", "Network interfaces and an instance-level IPv6 address or count may not be specified on the same request")
	}
	if in.InstanceType == "" {
		in.InstanceType = "m1.small"
	}
	tags, err := tagsFor(in.TagSpecifications, "instance", "network-interface", "volume")
	if err != nil {
		return nil, err
	}
	res := &Reservation{ReservationID: newID("r"), OwnerID: sc.Account}
	specs, err := in.launchInterfaces(maxC)
	if err != nil {
		return nil, err
	}
	err = c.update(ctx, sc, func(tx *txn) error {
		if len(specs) > 0 {
			return tx.idempotent("RunInstances", in.ClientToken, in, &res, func() (any, error) {
				return res, tx.launchWithInterfacesTxn(in, specs, minC, maxC, tags, res)
			})
		}
		var s *Subnet
		if in.SubnetID != "" {
			if s, err = tx.subnet(in.SubnetID); err != nil {
				return err
			}
		} else {
			vpcID, err := tx.defaultVpcID()
			if err != nil {
				return err
			}
			subs, err := tx.subnetsOf(vpcID)
			if err != nil {
				return err
			}
			for _, cand := range subs {
				if cand.DefaultForAz && (s == nil || cand.AvailabilityZone < s.AvailabilityZone) {
					s = cand
				}
			}
			if s == nil {
				return apierr.New("MissingInput", "No subnets found for the default VPC '%s'. Please specify a subnet.", vpcID)
			}
		}
		ids := slices.Clone(in.SecurityGroupIDs)
		for _, name := range in.SecurityGroupNames {
			g, ok, err := tx.groupByName(s.VpcID, name)
			if err != nil {
				return err
			}
			if !ok {
				return apierr.New("InvalidGroup.NotFound", "The security group '%s' does not exist in VPC '%s'", name, s.VpcID)
			}
			ids = append(ids, g.GroupID)
		}
		groups, err := tx.groupsFor(s.VpcID, ids)
		if err != nil {
			return err
		}
		return tx.idempotent("RunInstances", in.ClientToken, in, &res, func() (any, error) {
			res.Groups = nil
			for n := int32(0); n < maxC; n++ {
				inst := &Instance{InstanceID: newID("i"), ImageID: in.ImageID, InstanceType: in.InstanceType, AmiLaunchIndex: int(n),
					LaunchTime: Timestamp(tx.now), Placement: Placement{AvailabilityZone: s.AvailabilityZone, Tenancy: "default"},
					SubnetID: s.SubnetID, VpcID: s.VpcID, SourceDestCheck: true, Groups: groups, Tags: tags["instance"],
					ReservationID: res.ReservationID, ClientToken: in.ClientToken}
				e, err := tx.newInterfaceTxn(s, in.PrivateIPAddress, groups, InterfaceTypeInterface, "", tags["network-interface"])
				if apierr.HasCode(err, "InsufficientFreeAddressesInSubnet") && n >= minC {
					break // launch as many as fit, at least MinCount
				}
				if err != nil {
					return nil, err
				}
				wants6, extra6, err := ipv6Request(s, in.Ipv6Addresses, in.Ipv6AddressCount)
				if err != nil {
					return nil, err
				}
				if _, err := tx.addIpv6Txn(s, e, wants6, extra6); err != nil {
					return nil, err
				}
				if s.MapPublicIPOnLaunch {
					tx.assignPublicIP(e)
				}
				e.Status = "in-use"
				e.Attachment = &ENIAttachment{AttachmentID: newID("eni-attach"), InstanceID: inst.InstanceID, InstanceOwnerID: tx.sc.Account,
					Status: "attached", AttachTime: Timestamp(tx.now), DeleteOnTermination: true}
				if err := putObj(tx, kindENI, e.NetworkInterfaceID, e); err != nil {
					return nil, err
				}
				ip := e.PrivateIPAddress
				inst.PrivateDNSName = e.PrivateDNSName
				if ip.IsValid() {
					inst.PrivateIPAddress = &ip
				} else if s.PrivateDNSNameOptions.HostnameType == "resource-name" {
					inst.PrivateDNSName = resourceName(tx.sc.Region, inst.InstanceID)
				}
				inst.NetworkInterfaces = []InstanceNetworkInterface{{
					NetworkInterfaceID: e.NetworkInterfaceID, SubnetID: s.SubnetID, VpcID: s.VpcID, OwnerID: tx.sc.Account,
					MacAddress: e.MacAddress, PrivateIPAddress: ip, PrivateDNSName: e.PrivateDNSName, Groups: groups,
					Attachment: *e.Attachment, PrivateIPs: e.PrivateIPs, Ipv6Addresses: instanceIpv6(e.Ipv6Addresses), Association: e.Association,
				}}
				if err := putObj(tx, kindInstance, inst.InstanceID, inst); err != nil {
					return nil, err
				}
				inst.render(tx)
				res.Instances = append(res.Instances, inst)
			}
			return res, nil
		})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// launchWithInterfacesTxn launches instances whose interfaces
// NetworkInterface.N names: the primary (device 0) decides the subnet,
// zone and groups.
func (tx *txn) launchWithInterfacesTxn(in *RunInstancesInput, specs []LaunchInterface, minC, maxC int32, tags map[string][]Tag, res *Reservation) error {
	res.Groups = nil
	for n := int32(0); n < maxC; n++ {
		inst := &Instance{InstanceID: newID("i"), ImageID: in.ImageID, InstanceType: in.InstanceType, AmiLaunchIndex: int(n),
			LaunchTime: Timestamp(tx.now), Placement: Placement{Tenancy: "default"}, SourceDestCheck: true,
			Tags: tags["instance"], ReservationID: res.ReservationID, ClientToken: in.ClientToken}
		var fitted = true
		var made []string // interfaces created for this instance
		for i, sp := range specs {
			e, err := tx.launchInterfaceTxn(inst, sp, len(specs) == 1, tags["network-interface"])
			if apierr.HasCode(err, "InsufficientFreeAddressesInSubnet") && n >= minC {
				fitted = false // launch as many as fit, at least MinCount
				for _, id := range made {
					if err := delObj(tx, kindENI, id); err != nil {
						return err
					}
				}
				break
			}
			if err == nil && sp.NetworkInterfaceID == "" {
				made = append(made, e.NetworkInterfaceID)
			}
			if err != nil {
				return err
			}
			if i == 0 {
				inst.Placement.AvailabilityZone, inst.SubnetID, inst.VpcID, inst.Groups = e.AvailabilityZone, e.SubnetID, e.VpcID, e.Groups
				ip := e.PrivateIPAddress
				inst.PrivateDNSName = e.PrivateDNSName
				if ip.IsValid() {
					inst.PrivateIPAddress = &ip
				}
			}
			inst.NetworkInterfaces = append(inst.NetworkInterfaces, instanceView(e))
		}
		if !fitted {
			break
		}
		if err := putObj(tx, kindInstance, inst.InstanceID, inst); err != nil {
			return err
		}
		inst.render(tx)
		res.Instances = append(res.Instances, inst)
	}
	return nil
}

// DescribeInstancesInput is the input of DescribeInstances.
type DescribeInstancesInput struct {
	InstanceIDs []string `ec2:"InstanceId"`
	Filters     []Filter `ec2:"Filter"`
	Page
}

// DescribeInstancesOutput is the output of DescribeInstances.
type DescribeInstancesOutput struct {
	Reservations []*Reservation `xml:"reservationSet>item"`
	NextToken    string         `xml:"nextToken,omitempty"`
}

func instNIs(f func(InstanceNetworkInterface) string) func(*Instance) []string {
	return func(in *Instance) []string { return mapSlice(in.NetworkInterfaces, f) }
}

var instanceFields = fields[Instance]{
	"instance-id":         func(in *Instance) []string { return one(in.InstanceID) },
	"instance-state-name": func(in *Instance) []string { return one(in.State.Name) },
	"instance-state-code": func(in *Instance) []string { return one(strconv.Itoa(in.State.Code)) },
	"instance-type":       func(in *Instance) []string { return one(in.InstanceType) },
	"image-id":            func(in *Instance) []string { return one(in.ImageID) },
	"subnet-id":           func(in *Instance) []string { return one(in.SubnetID) },
	"vpc-id":              func(in *Instance) []string { return one(in.VpcID) },
	"availability-zone":   func(in *Instance) []string { return one(in.Placement.AvailabilityZone) },
	"reservation-id":      func(in *Instance) []string { return one(in.ReservationID) },
	"owner-id":            func(in *Instance) []string { return one(in.NetworkInterfacesOwner()) },
	"private-dns-name":    func(in *Instance) []string { return one(in.PrivateDNSName) },
	"ip-address":          func(in *Instance) []string { return one(in.PublicIP) },
	"dns-name":            func(in *Instance) []string { return one(in.DNSName) },
	"client-token":        func(in *Instance) []string { return one(in.ClientToken) },
	"private-ip-address": func(in *Instance) []string {
		if in.PrivateIPAddress == nil {
			return nil
		}
		return one(in.PrivateIPAddress.String())
	},
	"instance.group-id": func(in *Instance) []string {
		return mapSlice(in.Groups, func(g GroupIdentifier) string { return g.GroupID })
	},
	"instance.group-name": func(in *Instance) []string {
		return mapSlice(in.Groups, func(g GroupIdentifier) string { return g.GroupName })
	},
	"network-interface.network-interface-id": instNIs(func(n InstanceNetworkInterface) string { return n.NetworkInterfaceID }),
	"network-interface.subnet-id":            instNIs(func(n InstanceNetworkInterface) string { return n.SubnetID }),
	"network-interface.vpc-id":               instNIs(func(n InstanceNetworkInterface) string { return n.VpcID }),
	"network-interface.addresses.private-ip-address": func(in *Instance) []string {
		var out []string
		for _, n := range in.NetworkInterfaces {
			out = append(out, addrValue(n.PrivateIPAddress)...)
		}
		return out
	},
	"network-interface.ipv6-addresses.ipv6-address": func(in *Instance) []string {
		var out []string
		for _, n := range in.NetworkInterfaces {
			out = append(out, mapSlice(n.Ipv6Addresses, func(a InstanceIpv6) string { return a.Ipv6Address.String() })...)
		}
		return out
	},
}

// NetworkInterfacesOwner reports the account that owns the instance.
func (in *Instance) NetworkInterfacesOwner() string {
	if len(in.NetworkInterfaces) > 0 {
		return in.NetworkInterfaces[0].OwnerID
	}
	return ""
}

func instID(in *Instance) string  { return in.InstanceID }
func instTags(in *Instance) []Tag { return in.Tags }

// DescribeInstances lists instances grouped by reservation.
func (c *Cloud) DescribeInstances(ctx context.Context, sc Scope, in *DescribeInstancesInput) (*DescribeInstancesOutput, error) {
	if len(in.InstanceIDs) > 0 && in.MaxResults != nil {
		return nil, apierr.New("InvalidParameterCombination", "The parameter instancesSet cannot be used with the parameter maxResults")
	}
	out := &DescribeInstancesOutput{}
	err := c.view(ctx, sc, func(tx *txn) error {
		for _, id := range in.InstanceIDs {
			if err := checkID(id, "i", "InvalidInstanceID.Malformed"); err != nil {
				return err
			}
		}
		raw, err := narrow[Instance](tx, kindInstance, in.InstanceIDs, in.Filters, "")
		if err != nil {
			return err
		}
		// The instance's copies of its interfaces are refreshed from the
		// interfaces before filtering when a filter reads them, else on
		// the page only.
		byInterface := slices.ContainsFunc(in.Filters, func(f Filter) bool {
			return strings.HasPrefix(f.Name, "network-interface.") || f.Name == "ip-address" || f.Name == "dns-name"
		})
		eips, err := tx.eipsByInterface()
		if err != nil {
			return err
		}
		var all []*Instance
		for _, i := range raw {
			if i.visible(tx) {
				if byInterface {
					if err := tx.refreshInterfaces(i, eips); err != nil {
						return err
					}
				}
				i.render(tx)
				all = append(all, i)
			}
		}
		if all, err = selectIDs(all, instID, in.InstanceIDs, errNotFoundMany("InvalidInstanceID.NotFound", "instance")); err != nil {
			return err
		}
		if all, err = filter(ctx, all, in.Filters, instanceFields, instTags); err != nil {
			return err
		}
		page, next, err := paginate(all, instID, in.Page, 5, 1000)
		if err != nil {
			return err
		}
		if !byInterface {
			for _, i := range page {
				if err := tx.refreshInterfaces(i, eips); err != nil {
					return err
				}
				i.render(tx)
			}
		}
		out.NextToken = next
		byRes := map[string]*Reservation{}
		for _, i := range page {
			r := byRes[i.ReservationID]
			if r == nil {
				r = &Reservation{ReservationID: i.ReservationID, OwnerID: sc.Account}
				byRes[i.ReservationID] = r
				out.Reservations = append(out.Reservations, r)
			}
			r.Instances = append(r.Instances, i)
		}
		return nil
	})
	return out, err
}

// TerminateInstancesInput is the input of TerminateInstances.
type TerminateInstancesInput struct {
	InstanceIDs []string `ec2:"InstanceId,required"`
}

// InstanceStateChange is one item of TerminateInstances.
type InstanceStateChange struct {
	InstanceID    string        `xml:"instanceId"`
	CurrentState  InstanceState `xml:"currentState"`
	PreviousState InstanceState `xml:"previousState"`
}

// TerminateInstancesOutput is the output of TerminateInstances.
type TerminateInstancesOutput struct {
	Instances []InstanceStateChange `xml:"instancesSet>item"`
}

// TerminateInstances shuts instances down and releases their interfaces.
func (c *Cloud) TerminateInstances(ctx context.Context, sc Scope, in *TerminateInstancesInput) (*TerminateInstancesOutput, error) {
	out := &TerminateInstancesOutput{}
	err := c.update(ctx, sc, func(tx *txn) error {
		for _, id := range in.InstanceIDs {
			inst, err := tx.instance(id)
			if err != nil {
				return err
			}
			prev := instanceState(inst.stateName(tx))
			if inst.TerminatedAt == nil {
				t := tx.now
				inst.TerminatedAt = &t
				if err := tx.releaseInterfacesTxn(inst); err != nil {
					return err
				}
				inst.NetworkInterfaces, inst.PrivateIPAddress = nil, nil
				if err := putObj(tx, kindInstance, inst.InstanceID, inst); err != nil {
					return err
				}
			}
			out.Instances = append(out.Instances, InstanceStateChange{InstanceID: id, CurrentState: instanceState(inst.stateName(tx)), PreviousState: prev})
		}
		return nil
	})
	return out, err
}

func init() {
	taggables = []taggable{
		taggableKind("vpc", kindVpc, "vpc", "InvalidVpcID.NotFound", "vpc", vpcID, vpcTagsP, nil),
		taggableKind("subnet", kindSubnet, "subnet", "InvalidSubnetID.NotFound", "subnet", subnetID, func(s *Subnet) *TagSet { return &s.Tags }, nil),
		taggableKind("rtb", kindRT, "route-table", "InvalidRouteTableID.NotFound", "routeTable", routeTableID, func(r *RouteTable) *TagSet { return &r.Tags }, nil),
		taggableKind("sg", kindSG, "security-group", "InvalidGroup.NotFound", "security group", sgID, func(g *SecurityGroup) *TagSet { return &g.Tags }, nil),
		taggableKind("acl", kindACL, "network-acl", "InvalidNetworkAclID.NotFound", "networkAcl", aclID, func(a *NetworkACL) *TagSet { return &a.Tags }, nil),
		taggableKind("igw", kindIGW, "internet-gateway", "InvalidInternetGatewayID.NotFound", "internetGateway", igwID, func(g *InternetGateway) *TagSet { return &g.Tags }, nil),
		taggableKind("tgw", kindTGW, "transit-gateway", "InvalidTransitGatewayID.NotFound", "transitGateway", tgwID, func(g *TransitGateway) *TagSet { return &g.Tags }, func(tx *txn, g *TransitGateway) bool { return g.DeletedAt == nil }),
		tgwAttachmentTaggable(),
		taggableKind("tgw-rtb", kindTGWRouteTable, "transit-gateway-route-table", "InvalidRouteTableID.NotFound", "transitGatewayRouteTable", tgwRouteTableID, func(rt *TransitGatewayRouteTable) *TagSet { return &rt.Tags }, nil),
		taggableKind("cgw", kindCGW, "customer-gateway", "InvalidCustomerGatewayID.NotFound", "customerGateway", cgwID, func(g *CustomerGateway) *TagSet { return &g.Tags }, nil),
		taggableKind("vgw", kindVGW, "vpn-gateway", "InvalidVpnGatewayID.NotFound", "vpnGateway", vgwID, func(g *VpnGateway) *TagSet { return &g.Tags }, nil),
		taggableKind("vpn", kindVPN, "vpn-connection", "InvalidVpnConnectionID.NotFound", "vpnConnection", vpnID, func(v *VpnConnection) *TagSet { return &v.Tags }, nil),
		taggableKind("eigw", kindEIGW, "egress-only-internet-gateway", "InvalidEgressOnlyInternetGatewayId.NotFound", "egressOnlyInternetGateway", eigwID, func(g *EgressOnlyInternetGateway) *TagSet { return &g.Tags }, nil),
		taggableKind("eipalloc", kindEIP, "elastic-ip", "InvalidAllocationID.NotFound", "allocation", addressID, func(a *Address) *TagSet { return &a.Tags }, nil),
		taggableKind("nat", kindNAT, "natgateway", "NatGatewayNotFound", "natGateway", natID, func(n *NatGateway) *TagSet { return &n.Tags }, func(tx *txn, n *NatGateway) bool { return n.visible(tx) }),
		taggableKind("eni", kindENI, "network-interface", "InvalidNetworkInterfaceID.NotFound", "networkInterface", eniID, func(e *NetworkInterface) *TagSet { return &e.Tags }, nil),
		taggableKind("vpce", kindEndpoint, "vpc-endpoint", "InvalidVpcEndpointId.NotFound", "VpcEndpoint", endpointID, func(e *VpcEndpoint) *TagSet { return &e.Tags }, func(tx *txn, e *VpcEndpoint) bool { return e.visible(tx) }),
		taggableKind("pl", kindPrefixList, "prefix-list", "InvalidPrefixListID.NotFound", "prefix list", prefixListID, func(p *ManagedPrefixList) *TagSet { return &p.Tags }, func(tx *txn, p *ManagedPrefixList) bool { return !p.deleted() }),
		taggableKind("i", kindInstance, "instance", "InvalidInstanceID.NotFound", "instance", instID, func(i *Instance) *TagSet { return &i.Tags }, func(tx *txn, i *Instance) bool { return i.visible(tx) }),
		taggableKind("nip", kindInsightsPath, "network-insights-path", "InvalidNetworkInsightsPathId.NotFound", "networkInsightsPath", pathID, pathTags2, nil),
		ruleTaggable(),
		dhcpTaggable(),
		peeringTaggable(),
		taggableKind("nia", kindInsightsAnalysis, "network-insights-analysis", "InvalidNetworkInsightsAnalysisId.NotFound", "networkInsightsAnalysis", analysisID, func(a *NetworkInsightsAnalysis) *TagSet { return &a.Tags }, nil),
	}
}
