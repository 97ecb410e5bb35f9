package dump

// The shapes below are the aws CLI's JSON output of the describe-* calls
// (botocore's member names). Unknown fields are ignored; the fields vpce
// models are read. Export writes the same shapes.

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type state struct {
	State string `json:"State,omitempty"`
}

type attrBool struct {
	Value bool `json:"Value"`
}

type vpc struct {
	VpcID                   string     `json:"VpcId"`
	OwnerID                 string     `json:"OwnerId,omitempty"`
	State                   string     `json:"State,omitempty"`
	CidrBlock               string     `json:"CidrBlock"`
	CidrBlockAssociationSet []cidrAsoc `json:"CidrBlockAssociationSet,omitempty"`
	// Ipv6CidrBlockAssociationSet: the VPC's IPv6 blocks.
	Ipv6CidrBlockAssociationSet []ipv6Asoc `json:"Ipv6CidrBlockAssociationSet,omitempty"`
	DhcpOptionsID               string     `json:"DhcpOptionsId,omitempty"`
	InstanceTenancy             string     `json:"InstanceTenancy,omitempty"`
	IsDefault                   bool       `json:"IsDefault"`
	Tags                        []tag      `json:"Tags,omitempty"`
	// Not in describe-vpcs: describe-vpc-attribute's answers, which vpce
	// writes beside the record and reads back when present.
	EnableDNSSupport   *attrBool `json:"EnableDnsSupport,omitempty"`
	EnableDNSHostnames *attrBool `json:"EnableDnsHostnames,omitempty"`
}

// ipv6Asoc is an IPv6 block association of a VPC or a subnet.
type ipv6Asoc struct {
	AssociationID        string `json:"AssociationId"`
	Ipv6CidrBlock        string `json:"Ipv6CidrBlock"`
	Ipv6CidrBlockState   state  `json:"Ipv6CidrBlockState"`
	NetworkBorderGroup   string `json:"NetworkBorderGroup,omitempty"`
	Ipv6Pool             string `json:"Ipv6Pool,omitempty"`
	Ipv6AddressAttribute string `json:"Ipv6AddressAttribute,omitempty"`
	IPSource             string `json:"IpSource,omitempty"`
}

type cidrAsoc struct {
	AssociationID  string `json:"AssociationId"`
	CidrBlock      string `json:"CidrBlock"`
	CidrBlockState state  `json:"CidrBlockState"`
}

type subnet struct {
	SubnetID            string `json:"SubnetId"`
	SubnetArn           string `json:"SubnetArn,omitempty"`
	OwnerID             string `json:"OwnerId,omitempty"`
	State               string `json:"State,omitempty"`
	VpcID               string `json:"VpcId"`
	CidrBlock           string `json:"CidrBlock,omitempty"`
	AvailabilityZone    string `json:"AvailabilityZone"`
	AvailabilityZoneID  string `json:"AvailabilityZoneId,omitempty"`
	DefaultForAz        bool   `json:"DefaultForAz"`
	MapPublicIPOnLaunch bool   `json:"MapPublicIpOnLaunch"`
	Tags                []tag  `json:"Tags,omitempty"`
	// IPv6: the subnet's block, whether interfaces get an address of it,
	// and whether it is IPv6-only (then CidrBlock is absent).
	Ipv6CidrBlockAssociationSet []ipv6Asoc `json:"Ipv6CidrBlockAssociationSet,omitempty"`
	AssignIpv6AddressOnCreation bool       `json:"AssignIpv6AddressOnCreation"`
	Ipv6Native                  bool       `json:"Ipv6Native"`
}

type route struct {
	DestinationCidrBlock        string `json:"DestinationCidrBlock,omitempty"`
	DestinationIpv6CidrBlock    string `json:"DestinationIpv6CidrBlock,omitempty"`
	DestinationPrefixListID     string `json:"DestinationPrefixListId,omitempty"`
	EgressOnlyInternetGatewayID string `json:"EgressOnlyInternetGatewayId,omitempty"`
	GatewayID                   string `json:"GatewayId,omitempty"`
	NatGatewayID                string `json:"NatGatewayId,omitempty"`
	InstanceID                  string `json:"InstanceId,omitempty"`
	InstanceOwnerID             string `json:"InstanceOwnerId,omitempty"`
	NetworkInterfaceID          string `json:"NetworkInterfaceId,omitempty"`
	VpcEndpointID               string `json:"VpcEndpointId,omitempty"`
	VpcPeeringConnectionID      string `json:"VpcPeeringConnectionId,omitempty"`
	TransitGatewayID            string `json:"TransitGatewayId,omitempty"`
	Origin                      string `json:"Origin,omitempty"`
	State                       string `json:"State,omitempty"`
}

type rtAssoc struct {
	Main                    bool   `json:"Main"`
	RouteTableAssociationID string `json:"RouteTableAssociationId"`
	RouteTableID            string `json:"RouteTableId"`
	SubnetID                string `json:"SubnetId,omitempty"`
	GatewayID               string `json:"GatewayId,omitempty"`
	AssociationState        *state `json:"AssociationState,omitempty"`
}

type routeTable struct {
	RouteTableID    string           `json:"RouteTableId"`
	VpcID           string           `json:"VpcId"`
	OwnerID         string           `json:"OwnerId,omitempty"`
	Routes          []route          `json:"Routes"`
	Associations    []rtAssoc        `json:"Associations"`
	PropagatingVgws []propagatingVgw `json:"PropagatingVgws"`
	Tags            []tag            `json:"Tags,omitempty"`
}

type ipRange struct {
	CidrIP      string `json:"CidrIp"`
	Description string `json:"Description,omitempty"`
}

type ipv6Range struct {
	CidrIPv6    string `json:"CidrIpv6"`
	Description string `json:"Description,omitempty"`
}

type plID struct {
	PrefixListID string `json:"PrefixListId"`
	Description  string `json:"Description,omitempty"`
}

type groupPair struct {
	GroupID     string `json:"GroupId"`
	UserID      string `json:"UserId,omitempty"`
	Description string `json:"Description,omitempty"`
}

type ipPermission struct {
	IPProtocol       string      `json:"IpProtocol"`
	FromPort         *int32      `json:"FromPort,omitempty"`
	ToPort           *int32      `json:"ToPort,omitempty"`
	IPRanges         []ipRange   `json:"IpRanges"`
	Ipv6Ranges       []ipv6Range `json:"Ipv6Ranges"`
	PrefixListIDs    []plID      `json:"PrefixListIds"`
	UserIDGroupPairs []groupPair `json:"UserIdGroupPairs"`
}

type securityGroup struct {
	GroupID             string         `json:"GroupId"`
	GroupName           string         `json:"GroupName"`
	Description         string         `json:"Description"`
	VpcID               string         `json:"VpcId"`
	OwnerID             string         `json:"OwnerId,omitempty"`
	IPPermissions       []ipPermission `json:"IpPermissions"`
	IPPermissionsEgress []ipPermission `json:"IpPermissionsEgress"`
	Tags                []tag          `json:"Tags,omitempty"`
}

type portRange struct {
	From *int32 `json:"From,omitempty"`
	To   *int32 `json:"To,omitempty"`
}

type icmpTypeCode struct {
	Code *int32 `json:"Code,omitempty"`
	Type *int32 `json:"Type,omitempty"`
}

type aclEntry struct {
	RuleNumber   int32         `json:"RuleNumber"`
	Protocol     string        `json:"Protocol"`
	RuleAction   string        `json:"RuleAction"`
	Egress       bool          `json:"Egress"`
	CidrBlock    string        `json:"CidrBlock,omitempty"`
	Ipv6Cidr     string        `json:"Ipv6CidrBlock,omitempty"`
	PortRange    *portRange    `json:"PortRange,omitempty"`
	IcmpTypeCode *icmpTypeCode `json:"IcmpTypeCode,omitempty"`
}

type aclAssoc struct {
	NetworkACLAssociationID string `json:"NetworkAclAssociationId"`
	NetworkACLID            string `json:"NetworkAclId"`
	SubnetID                string `json:"SubnetId"`
}

type networkACL struct {
	NetworkACLID string     `json:"NetworkAclId"`
	VpcID        string     `json:"VpcId"`
	IsDefault    bool       `json:"IsDefault"`
	OwnerID      string     `json:"OwnerId,omitempty"`
	Entries      []aclEntry `json:"Entries"`
	Associations []aclAssoc `json:"Associations"`
	Tags         []tag      `json:"Tags,omitempty"`
}

type groupIdent struct {
	GroupID   string `json:"GroupId"`
	GroupName string `json:"GroupName,omitempty"`
}

type eniAssoc struct {
	PublicIP      string `json:"PublicIp"`
	PublicDNSName string `json:"PublicDnsName,omitempty"`
	IPOwnerID     string `json:"IpOwnerId,omitempty"`
	AllocationID  string `json:"AllocationId,omitempty"`
}

type privateIP struct {
	PrivateIPAddress string `json:"PrivateIpAddress"`
	PrivateDNSName   string `json:"PrivateDnsName,omitempty"`
	Primary          bool   `json:"Primary"`
}

type eniAttachment struct {
	AttachmentID        string `json:"AttachmentId,omitempty"`
	InstanceID          string `json:"InstanceId,omitempty"`
	InstanceOwnerID     string `json:"InstanceOwnerId,omitempty"`
	DeviceIndex         int32  `json:"DeviceIndex"`
	Status              string `json:"Status,omitempty"`
	AttachTime          string `json:"AttachTime,omitempty"`
	DeleteOnTermination bool   `json:"DeleteOnTermination"`
}

type networkInterface struct {
	NetworkInterfaceID string         `json:"NetworkInterfaceId"`
	SubnetID           string         `json:"SubnetId"`
	VpcID              string         `json:"VpcId"`
	AvailabilityZone   string         `json:"AvailabilityZone"`
	Description        string         `json:"Description"`
	OwnerID            string         `json:"OwnerId,omitempty"`
	RequesterID        string         `json:"RequesterId,omitempty"`
	RequesterManaged   bool           `json:"RequesterManaged"`
	Status             string         `json:"Status,omitempty"`
	MacAddress         string         `json:"MacAddress,omitempty"`
	PrivateIPAddress   string         `json:"PrivateIpAddress,omitempty"`
	PrivateDNSName     string         `json:"PrivateDnsName,omitempty"`
	SourceDestCheck    bool           `json:"SourceDestCheck"`
	InterfaceType      string         `json:"InterfaceType,omitempty"`
	Groups             []groupIdent   `json:"Groups"`
	Attachment         *eniAttachment `json:"Attachment,omitempty"`
	Association        *eniAssoc      `json:"Association,omitempty"`
	PrivateIPAddresses []privateIP    `json:"PrivateIpAddresses"`
	Ipv6Addresses      []ipv6Address  `json:"Ipv6Addresses"`
	TagSet             []tag          `json:"TagSet,omitempty"`
	Tags               []tag          `json:"Tags,omitempty"` // some dumps
}

type ipv6Address struct {
	Ipv6Address   string `json:"Ipv6Address"`
	IsPrimaryIpv6 bool   `json:"IsPrimaryIpv6,omitempty"`
}

// egressOnlyInternetGateway is describe-egress-only-internet-gateways'
// item.
type egressOnlyInternetGateway struct {
	EgressOnlyInternetGatewayID string          `json:"EgressOnlyInternetGatewayId"`
	Attachments                 []igwAttachment `json:"Attachments"`
	Tags                        []tag           `json:"Tags,omitempty"`
}

type instanceState struct {
	Code int    `json:"Code"`
	Name string `json:"Name"`
}

type placement struct {
	AvailabilityZone string `json:"AvailabilityZone"`
	Tenancy          string `json:"Tenancy,omitempty"`
}

type instanceENI struct {
	NetworkInterfaceID string        `json:"NetworkInterfaceId"`
	SubnetID           string        `json:"SubnetId"`
	VpcID              string        `json:"VpcId"`
	OwnerID            string        `json:"OwnerId,omitempty"`
	MacAddress         string        `json:"MacAddress,omitempty"`
	PrivateIPAddress   string        `json:"PrivateIpAddress"`
	PrivateDNSName     string        `json:"PrivateDnsName,omitempty"`
	Groups             []groupIdent  `json:"Groups"`
	Attachment         eniAttachment `json:"Attachment"`
	PrivateIPAddresses []privateIP   `json:"PrivateIpAddresses"`
}

type instance struct {
	InstanceID        string        `json:"InstanceId"`
	ImageID           string        `json:"ImageId"`
	InstanceType      string        `json:"InstanceType"`
	State             instanceState `json:"State"`
	LaunchTime        string        `json:"LaunchTime,omitempty"`
	Placement         placement     `json:"Placement"`
	SubnetID          string        `json:"SubnetId,omitempty"`
	VpcID             string        `json:"VpcId,omitempty"`
	PrivateIPAddress  string        `json:"PrivateIpAddress,omitempty"`
	PrivateDNSName    string        `json:"PrivateDnsName,omitempty"`
	PublicIPAddress   string        `json:"PublicIpAddress,omitempty"`
	SourceDestCheck   bool          `json:"SourceDestCheck"`
	SecurityGroups    []groupIdent  `json:"SecurityGroups"`
	NetworkInterfaces []instanceENI `json:"NetworkInterfaces"`
	Tags              []tag         `json:"Tags,omitempty"`
}

type reservation struct {
	ReservationID string     `json:"ReservationId"`
	OwnerID       string     `json:"OwnerId,omitempty"`
	Instances     []instance `json:"Instances"`
}

type dnsEntry struct {
	DNSName      string `json:"DnsName"`
	HostedZoneID string `json:"HostedZoneId"`
}

type dnsOptions struct {
	DNSRecordIPType                          string `json:"DnsRecordIpType,omitempty"`
	PrivateDNSOnlyForInboundResolverEndpoint *bool  `json:"PrivateDnsOnlyForInboundResolverEndpoint,omitempty"`
}

type vpcEndpoint struct {
	VpcEndpointID       string       `json:"VpcEndpointId"`
	VpcEndpointType     string       `json:"VpcEndpointType"`
	VpcID               string       `json:"VpcId"`
	ServiceName         string       `json:"ServiceName"`
	State               string       `json:"State"`
	PolicyDocument      string       `json:"PolicyDocument,omitempty"`
	RouteTableIDs       []string     `json:"RouteTableIds"`
	SubnetIDs           []string     `json:"SubnetIds"`
	Groups              []groupIdent `json:"Groups"`
	IPAddressType       string       `json:"IpAddressType,omitempty"`
	DNSOptions          *dnsOptions  `json:"DnsOptions,omitempty"`
	PrivateDNSEnabled   bool         `json:"PrivateDnsEnabled"`
	RequesterManaged    bool         `json:"RequesterManaged"`
	NetworkInterfaceIDs []string     `json:"NetworkInterfaceIds"`
	DNSEntries          []dnsEntry   `json:"DnsEntries"`
	CreationTimestamp   string       `json:"CreationTimestamp,omitempty"`
	Tags                []tag        `json:"Tags,omitempty"`
	OwnerID             string       `json:"OwnerId,omitempty"`
}

type natAddress struct {
	AllocationID       string `json:"AllocationId,omitempty"`
	NetworkInterfaceID string `json:"NetworkInterfaceId"`
	PrivateIP          string `json:"PrivateIp"`
	PublicIP           string `json:"PublicIp,omitempty"`
	IsPrimary          *bool  `json:"IsPrimary,omitempty"`
	Status             string `json:"Status,omitempty"`
}

type natGateway struct {
	NatGatewayID        string       `json:"NatGatewayId"`
	SubnetID            string       `json:"SubnetId"`
	VpcID               string       `json:"VpcId"`
	State               string       `json:"State"`
	ConnectivityType    string       `json:"ConnectivityType,omitempty"`
	NatGatewayAddresses []natAddress `json:"NatGatewayAddresses"`
	CreateTime          string       `json:"CreateTime,omitempty"`
	Tags                []tag        `json:"Tags,omitempty"`
}

type igwAttachment struct {
	VpcID string `json:"VpcId"`
	State string `json:"State"`
}

type internetGateway struct {
	InternetGatewayID string          `json:"InternetGatewayId"`
	OwnerID           string          `json:"OwnerId,omitempty"`
	Attachments       []igwAttachment `json:"Attachments"`
	Tags              []tag           `json:"Tags,omitempty"`
}

// address is describe-addresses' item (an Elastic IP).
type address struct {
	AllocationID            string `json:"AllocationId"`
	PublicIP                string `json:"PublicIp"`
	Domain                  string `json:"Domain,omitempty"`
	AssociationID           string `json:"AssociationId,omitempty"`
	InstanceID              string `json:"InstanceId,omitempty"`
	NetworkInterfaceID      string `json:"NetworkInterfaceId,omitempty"`
	NetworkInterfaceOwnerID string `json:"NetworkInterfaceOwnerId,omitempty"`
	PrivateIPAddress        string `json:"PrivateIpAddress,omitempty"`
	PublicIpv4Pool          string `json:"PublicIpv4Pool,omitempty"`
	NetworkBorderGroup      string `json:"NetworkBorderGroup,omitempty"`
	Tags                    []tag  `json:"Tags,omitempty"`
}

// dhcpOptions is describe-dhcp-options' item.
type dhcpOptions struct {
	DhcpOptionsID      string     `json:"DhcpOptionsId"`
	OwnerID            string     `json:"OwnerId,omitempty"`
	DhcpConfigurations []dhcpConf `json:"DhcpConfigurations"`
	Tags               []tag      `json:"Tags,omitempty"`
}

type dhcpConf struct {
	Key    string      `json:"Key"`
	Values []dhcpValue `json:"Values"`
}

type dhcpValue struct {
	Value string `json:"Value"`
}

// prefixList is describe-prefix-lists' item (AWS-managed lists).
type prefixList struct {
	PrefixListID   string   `json:"PrefixListId"`
	PrefixListName string   `json:"PrefixListName"`
	Cidrs          []string `json:"Cidrs"`
}

// managedPrefixList is describe-managed-prefix-lists' item; its entries
// come from get-managed-prefix-list-entries, in a file named for the list.
type managedPrefixList struct {
	PrefixListID   string `json:"PrefixListId"`
	AddressFamily  string `json:"AddressFamily,omitempty"`
	State          string `json:"State,omitempty"`
	PrefixListArn  string `json:"PrefixListArn,omitempty"`
	PrefixListName string `json:"PrefixListName"`
	MaxEntries     *int32 `json:"MaxEntries,omitempty"`
	Version        *int64 `json:"Version,omitempty"`
	OwnerID        string `json:"OwnerId,omitempty"`
	Tags           []tag  `json:"Tags,omitempty"`
}

type plEntry struct {
	Cidr        string `json:"Cidr"`
	Description string `json:"Description,omitempty"`
}

// Transit gateways: describe-transit-gateways, describe-transit-gateway-
// vpc-attachments, describe-transit-gateway-attachments (VPN attachments
// and associations), describe-transit-gateway-route-tables, and per route
// table search-transit-gateway-routes and
// get-transit-gateway-route-table-propagations (files named after the
// table's tgw-rtb- ID).

type transitGateway struct {
	TransitGatewayID  string     `json:"TransitGatewayId"`
	TransitGatewayArn string     `json:"TransitGatewayArn,omitempty"`
	State             string     `json:"State,omitempty"`
	OwnerID           string     `json:"OwnerId,omitempty"`
	Description       string     `json:"Description,omitempty"`
	CreationTime      string     `json:"CreationTime,omitempty"`
	Options           tgwOptions `json:"Options"`
	Tags              []tag      `json:"Tags,omitempty"`
}

type tgwOptions struct {
	AmazonSideAsn                  int64  `json:"AmazonSideAsn"`
	AutoAcceptSharedAttachments    string `json:"AutoAcceptSharedAttachments,omitempty"`
	DefaultRouteTableAssociation   string `json:"DefaultRouteTableAssociation,omitempty"`
	AssociationDefaultRouteTableID string `json:"AssociationDefaultRouteTableId,omitempty"`
	DefaultRouteTablePropagation   string `json:"DefaultRouteTablePropagation,omitempty"`
	PropagationDefaultRouteTableID string `json:"PropagationDefaultRouteTableId,omitempty"`
	VpnEcmpSupport                 string `json:"VpnEcmpSupport,omitempty"`
	DNSSupport                     string `json:"DnsSupport,omitempty"`
}

type tgwVpcAttachment struct {
	TransitGatewayAttachmentID string   `json:"TransitGatewayAttachmentId"`
	TransitGatewayID           string   `json:"TransitGatewayId"`
	VpcID                      string   `json:"VpcId"`
	VpcOwnerID                 string   `json:"VpcOwnerId,omitempty"`
	State                      string   `json:"State,omitempty"`
	SubnetIDs                  []string `json:"SubnetIds"`
	CreationTime               string   `json:"CreationTime,omitempty"`
	Tags                       []tag    `json:"Tags,omitempty"`
}

type tgwAttachment struct {
	TransitGatewayAttachmentID string          `json:"TransitGatewayAttachmentId"`
	TransitGatewayID           string          `json:"TransitGatewayId"`
	TransitGatewayOwnerID      string          `json:"TransitGatewayOwnerId,omitempty"`
	ResourceOwnerID            string          `json:"ResourceOwnerId,omitempty"`
	ResourceType               string          `json:"ResourceType"`
	ResourceID                 string          `json:"ResourceId"`
	State                      string          `json:"State,omitempty"`
	Association                *tgwAssociation `json:"Association,omitempty"`
	CreationTime               string          `json:"CreationTime,omitempty"`
	Tags                       []tag           `json:"Tags,omitempty"`
}

type tgwAssociation struct {
	TransitGatewayRouteTableID string `json:"TransitGatewayRouteTableId"`
	State                      string `json:"State,omitempty"`
}

type tgwRouteTable struct {
	TransitGatewayRouteTableID   string `json:"TransitGatewayRouteTableId"`
	TransitGatewayID             string `json:"TransitGatewayId"`
	State                        string `json:"State,omitempty"`
	DefaultAssociationRouteTable bool   `json:"DefaultAssociationRouteTable"`
	DefaultPropagationRouteTable bool   `json:"DefaultPropagationRouteTable"`
	CreationTime                 string `json:"CreationTime,omitempty"`
	Tags                         []tag  `json:"Tags,omitempty"`
}

type tgwRoute struct {
	DestinationCidrBlock      string               `json:"DestinationCidrBlock"`
	TransitGatewayAttachments []tgwRouteAttachment `json:"TransitGatewayAttachments,omitempty"`
	Type                      string               `json:"Type"`
	State                     string               `json:"State"`
}

type tgwRouteAttachment struct {
	ResourceID                 string `json:"ResourceId,omitempty"`
	TransitGatewayAttachmentID string `json:"TransitGatewayAttachmentId"`
	ResourceType               string `json:"ResourceType,omitempty"`
}

type tgwPropagation struct {
	TransitGatewayAttachmentID string `json:"TransitGatewayAttachmentId"`
	ResourceID                 string `json:"ResourceId,omitempty"`
	ResourceType               string `json:"ResourceType,omitempty"`
	State                      string `json:"State"`
}

// VPN: describe-customer-gateways, describe-vpn-gateways,
// describe-vpn-connections.

type customerGateway struct {
	CustomerGatewayID string `json:"CustomerGatewayId"`
	BgpAsn            string `json:"BgpAsn,omitempty"`
	IPAddress         string `json:"IpAddress,omitempty"`
	Type              string `json:"Type"`
	State             string `json:"State,omitempty"`
	DeviceName        string `json:"DeviceName,omitempty"`
	Tags              []tag  `json:"Tags,omitempty"`
}

type vpnGateway struct {
	VpnGatewayID     string          `json:"VpnGatewayId"`
	State            string          `json:"State,omitempty"`
	Type             string          `json:"Type"`
	AvailabilityZone string          `json:"AvailabilityZone,omitempty"`
	VpcAttachments   []igwAttachment `json:"VpcAttachments"`
	AmazonSideAsn    int64           `json:"AmazonSideAsn,omitempty"`
	Tags             []tag           `json:"Tags,omitempty"`
}

type vpnConnection struct {
	VpnConnectionID   string      `json:"VpnConnectionId"`
	CustomerGatewayID string      `json:"CustomerGatewayId"`
	VpnGatewayID      string      `json:"VpnGatewayId,omitempty"`
	TransitGatewayID  string      `json:"TransitGatewayId,omitempty"`
	Type              string      `json:"Type"`
	State             string      `json:"State,omitempty"`
	Category          string      `json:"Category,omitempty"`
	Options           *vpnOptions `json:"Options,omitempty"`
	Routes            []vpnRoute  `json:"Routes,omitempty"`
	Tags              []tag       `json:"Tags,omitempty"`
}

type vpnOptions struct {
	StaticRoutesOnly bool `json:"StaticRoutesOnly"`
}

type vpnRoute struct {
	DestinationCidrBlock string `json:"DestinationCidrBlock"`
	Source               string `json:"Source,omitempty"`
	State                string `json:"State,omitempty"`
}

type propagatingVgw struct {
	GatewayID string `json:"GatewayId"`
}
