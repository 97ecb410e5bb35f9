package cloud

import (
	"context"
	"crypto/rand"
	"slices"
	"strings"
	"time"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/catalog"
	"github.com/vpce/vpce/internal/policy"
)

// Endpoint types.
const (
	EndpointInterface = catalog.TypeInterface
	EndpointGateway   = catalog.TypeGateway
)

// Quotas from the PrivateLink quotas page.
const (
	maxInterfaceEndpointsPerVpc  = 50
	maxGatewayEndpointsPerRegion = 20
	maxPolicyLength              = 20480
)

// Default endpoint policies, byte for byte as AWS returns them: the gateway
// form from the API reference sample, the interface form (pretty-printed
// with ", " separators) from the aws CLI samples.
const (
	DefaultGatewayPolicy   = `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`
	DefaultInterfacePolicy = "{\n  \"Statement\": [\n    {\n      \"Action\": \"*\", \n      \"Effect\": \"Allow\", \n      \"Principal\": \"*\", \n      \"Resource\": \"*\"\n    }\n  ]\n}"
)

// VpcEndpoint is a gateway or interface VPC endpoint. Its DNS entries,
// subnet and interface lists and state are derived when it is read, from
// the facts stored with it.
type VpcEndpoint struct {
	VpcEndpointID       string            `xml:"vpcEndpointId" json:"id"`
	VpcEndpointType     string            `xml:"vpcEndpointType" json:"type"`
	VpcID               string            `xml:"vpcId" json:"vpc"`
	ServiceName         string            `xml:"serviceName" json:"service"`
	State               string            `xml:"state" json:"-"`
	PolicyDocument      string            `xml:"policyDocument,omitempty" json:"policy"`
	RouteTableIDs       []string          `xml:"routeTableIdSet>item" json:"rtbs,omitempty"`
	SubnetIDs           []string          `xml:"subnetIdSet>item" json:"-"`
	Groups              []GroupIdentifier `xml:"groupSet>item" json:"groups,omitempty"`
	IPAddressType       string            `xml:"ipAddressType" json:"ipType"`
	DNSOptions          *DNSOptions       `xml:"dnsOptions,omitempty" json:"dnsOptions,omitempty"`
	PrivateDNSEnabled   bool              `xml:"privateDnsEnabled" json:"privateDns"`
	RequesterManaged    bool              `xml:"requesterManaged" json:"-"`
	NetworkInterfaceIDs []string          `xml:"networkInterfaceIdSet>item" json:"-"`
	DNSEntries          []DNSEntry        `xml:"dnsEntrySet>item" json:"-"`
	CreationTimestamp   Timestamp         `xml:"creationTimestamp" json:"created"`
	Tags                TagSet            `xml:"tagSet,omitempty" json:"tags,omitempty"`
	OwnerID             string            `xml:"ownerId" json:"owner"`
	// ServiceRegion is the region of the endpoint's service: its own.
	ServiceRegion string `xml:"serviceRegion,omitempty" json:"-"`

	// Subnets are the interface endpoint's placements, one per zone.
	Subnets []EndpointSubnet `xml:"-" json:"subnets,omitempty"`
	// DNSSuffix is the random part of the endpoint's vpce DNS names.
	DNSSuffix string     `xml:"-" json:"dnsSuffix,omitempty"`
	ReadyAt   time.Time  `xml:"-" json:"readyAt"`
	DeletedAt *time.Time `xml:"-" json:"deletedAt,omitempty"`
	// FixedState is the state of an imported endpoint that time does not
	// move (pendingAcceptance, rejected, failed); empty for vpce's own.
	FixedState string `xml:"-" json:"fixedState,omitempty"`
}

// EndpointSubnet is one subnet of an interface endpoint and its interface.
type EndpointSubnet struct {
	SubnetID string `json:"subnet"`
	Zone     string `json:"zone"`
	ENI      string `json:"eni"`
}

// DNSOptions are an endpoint's DNS settings.
type DNSOptions struct {
	DNSRecordIPType                          string `ec2:"DnsRecordIpType" xml:"dnsRecordIpType,omitempty" json:"recordIpType,omitempty"`
	PrivateDNSOnlyForInboundResolverEndpoint *bool  `ec2:"PrivateDnsOnlyForInboundResolverEndpoint" xml:"privateDnsOnlyForInboundResolverEndpoint,omitempty" json:"inboundOnly,omitempty"`
}

// DNSEntry is one DNS name of an endpoint and its Route 53 hosted zone.
type DNSEntry struct {
	DNSName      string `xml:"dnsName"`
	HostedZoneID string `xml:"hostedZoneId"`
}

// parentID indexes live endpoints under their VPC. A deleted endpoint
// leaves the index: it stays visible to Describe for a while, but the
// per-VPC checks on every create and delete never read it again.
func (e *VpcEndpoint) parentID() string {
	if e.DeletedAt != nil {
		return ""
	}
	return e.VpcID
}

// live reports whether the endpoint counts: neither deleting nor deleted.
func (e *VpcEndpoint) live() bool { return e.DeletedAt == nil }

func (e *VpcEndpoint) state(tx *txn) string {
	if e.FixedState != "" && e.DeletedAt == nil {
		return e.FixedState
	}
	if e.DeletedAt != nil {
		if tx.now.Before(e.DeletedAt.Add(tx.c.delay)) {
			return "deleting"
		}
		return "deleted"
	}
	if tx.now.Before(e.ReadyAt) {
		return "pending"
	}
	return "available"
}

func (e *VpcEndpoint) visible(tx *txn) bool {
	return e.DeletedAt == nil || tx.now.Before(e.DeletedAt.Add(tx.c.retention))
}

// Service returns the catalog service of the endpoint.
func (e *VpcEndpoint) Service(region string) (catalog.Service, bool) {
	return catalog.LookupService(region, e.ServiceName, e.VpcEndpointType)
}

// EndpointDNSEntries returns the DNS entries of an endpoint as AWS lists
// them: the regional name, one zonal name per zone, then the private names
// when private DNS is on. S3's names carry a leading "*.".
func EndpointDNSEntries(e *VpcEndpoint, region string) []DNSEntry {
	if e.VpcEndpointType != EndpointInterface {
		return nil
	}
	svc, ok := e.Service(region)
	if !ok {
		return nil
	}
	reg, _ := catalog.LookupRegion(region)
	wild := ""
	if svc.WildcardDNS {
		wild = "*."
	}
	base := e.VpcEndpointID + "-" + e.DNSSuffix
	out := []DNSEntry{{wild + base + "." + svc.BaseDNS, reg.VpceHostedZone}}
	zones := make([]string, 0, len(e.Subnets))
	for _, s := range e.Subnets {
		zones = append(zones, s.Zone)
	}
	slices.Sort(zones)
	for _, z := range zones {
		out = append(out, DNSEntry{wild + base + "-" + z + "." + svc.BaseDNS, reg.VpceHostedZone})
	}
	if e.PrivateDNSEnabled {
		for _, name := range svc.PrivateDNSNames {
			out = append(out, DNSEntry{name, privateZoneID(e.VpcID, name)})
		}
	}
	return out
}

// privateZoneID is the ID of the private hosted zone AWS makes for a
// private DNS name in a VPC; stable for the pair.
func privateZoneID(vpcID, name string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	h := uint64(14695981039346656037)
	for _, b := range []byte(vpcID + "/" + name) {
		h = (h ^ uint64(b)) * 1099511628211
	}
	id := []byte("Z")
	for range 13 {
		id = append(id, alphabet[h%36])
		h /= 36
		h ^= h << 13
	}
	return string(id)
}

func randomSuffix() string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	var b [8]byte
	rand.Read(b[:])
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

// render fills the derived fields for output.
func (tx *txn) renderEndpoint(e *VpcEndpoint) {
	e.State = e.state(tx)
	e.SubnetIDs, e.NetworkInterfaceIDs = nil, nil
	if e.DeletedAt == nil {
		for _, s := range e.Subnets {
			e.SubnetIDs = append(e.SubnetIDs, s.SubnetID)
			e.NetworkInterfaceIDs = append(e.NetworkInterfaceIDs, s.ENI)
		}
		e.DNSEntries = EndpointDNSEntries(e, tx.sc.Region)
		if e.State == "pending" {
			// Until the endpoint is available, AWS lists its private DNS
			// names under the hosted zone ZONEIDPENDING.
			for i, d := range e.DNSEntries {
				if !strings.HasSuffix(d.DNSName, ".vpce.amazonaws.com") {
					e.DNSEntries[i].HostedZoneID = "ZONEIDPENDING"
				}
			}
		}
	}
	e.ServiceRegion = tx.sc.Region
}

func (tx *txn) endpoint(id string) (*VpcEndpoint, error) {
	if err := checkID(id, "vpce", "InvalidVpcEndpointId.Malformed"); err != nil {
		return nil, err
	}
	nf := func() error {
		return apierr.New("InvalidVpcEndpointId.NotFound", "The VpcEndpoint Id '%s' does not exist", id)
	}
	e, err := getOr[VpcEndpoint](tx, kindEndpoint, id, nf)
	if err != nil {
		return nil, err
	}
	if !e.visible(tx) {
		return nil, nf()
	}
	return e, nil
}

// liveEndpoints returns a VPC's endpoints that are neither deleting nor
// deleted.
func (tx *txn) liveEndpoints(vpcID string) ([]*VpcEndpoint, error) {
	all, err := listChildren[VpcEndpoint](tx, kindEndpoint, vpcID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(e *VpcEndpoint) bool { return !e.live() }), nil
}

// liveGatewayEndpoints counts the scope's live gateway endpoints; it runs
// on every gateway create.
func (tx *txn) liveGatewayEndpoints() (int, error) {
	// The live gateway endpoints of a region are indexed one record each
	// (at most the quota), so the count never reads the deleted endpoints
	// kept visible for an hour or the interface endpoints.
	return tx.countTxn(kindGatewayIndex)
}

// validatePolicy checks an endpoint policy with the policy engine, as an
// endpoint policy (Principal required, 20,480 characters, the rules for
// keys holding AWS-generated IDs), and refuses it as EC2 does.
func validatePolicy(doc string) error {
	if len(doc) > maxPolicyLength {
		return apierr.New("InvalidPolicyDocument", "The policy document exceeds the maximum length of %d characters.", maxPolicyLength)
	}
	if _, fs := policy.Parse("PolicyDocument", policy.KindEndpoint, doc); policy.Refusal(fs) != nil {
		code, msg := policy.EndpointPolicyError(fs)
		return apierr.New(code, "%s", msg)
	}
	return nil
}

// SubnetConfiguration pins the address of an endpoint's interface in a subnet.
type SubnetConfiguration struct {
	SubnetID string `ec2:"SubnetId"`
	IPv4     string `ec2:"Ipv4"`
	IPv6     string `ec2:"Ipv6"`
}

// CreateVpcEndpointInput is the input of CreateVpcEndpoint.
type CreateVpcEndpointInput struct {
	VpcID                string                `ec2:"VpcId,required"`
	ServiceName          string                `ec2:"ServiceName"`
	VpcEndpointType      string                `ec2:"VpcEndpointType"`
	PolicyDocument       *string               `ec2:"PolicyDocument"`
	RouteTableIDs        []string              `ec2:"RouteTableId"`
	SubnetIDs            []string              `ec2:"SubnetId"`
	SecurityGroupIDs     []string              `ec2:"SecurityGroupId"`
	IPAddressType        string                `ec2:"IpAddressType"`
	DNSOptions           *DNSOptions           `ec2:"DnsOptions"`
	PrivateDNSEnabled    *bool                 `ec2:"PrivateDnsEnabled"`
	SubnetConfigurations []SubnetConfiguration `ec2:"SubnetConfiguration"`
	ClientToken          string                `ec2:"ClientToken"`
	TagSpecifications    []TagSpecification    `ec2:"TagSpecification"`
	ServiceNetworkArn    string                `ec2:"ServiceNetworkArn"`
	ResourceConfigArn    string                `ec2:"ResourceConfigurationArn"`
	ServiceRegion        string                `ec2:"ServiceRegion"`
}

// CreateVpcEndpointOutput is the output of CreateVpcEndpoint.
type CreateVpcEndpointOutput struct {
	VpcEndpoint *VpcEndpoint `xml:"vpcEndpoint"`
	ClientToken string       `xml:"clientToken,omitempty"`
}

// CreateVpcEndpoint creates a gateway endpoint (routes to the service's
// prefix list in each route table) or an interface endpoint (an interface
// in each subnet, DNS names, optionally private DNS).
func (c *Cloud) CreateVpcEndpoint(ctx context.Context, sc Scope, in *CreateVpcEndpointInput) (*CreateVpcEndpointOutput, error) {
	switch in.VpcEndpointType {
	case "":
		in.VpcEndpointType = EndpointGateway
	case EndpointGateway, EndpointInterface:
	case "GatewayLoadBalancer", "Resource", "ServiceNetwork":
		return nil, apierr.New("UnsupportedOperation", "VPC endpoints of type %s are not supported by vpce.", in.VpcEndpointType)
	default:
		return nil, apierr.New("InvalidVpcEndpointType", "The VPC endpoint type '%s' is not valid. Valid types: Interface, Gateway, GatewayLoadBalancer, Resource, ServiceNetwork.", in.VpcEndpointType)
	}
	if in.ServiceName == "" {
		return nil, apierr.Missing("ServiceName")
	}
	if in.ServiceRegion != "" && in.ServiceRegion != sc.Region {
		return nil, apierr.New("UnsupportedOperation", "Cross-region endpoints are not supported by vpce.")
	}
	tags, err := tagsFor(in.TagSpecifications, "vpc-endpoint")
	if err != nil {
		return nil, err
	}
	if in.PolicyDocument != nil {
		if err := validatePolicy(*in.PolicyDocument); err != nil {
			return nil, err
		}
	}
	out := &CreateVpcEndpointOutput{ClientToken: in.ClientToken}
	err = c.update(ctx, sc, func(tx *txn) error {
		vpc, err := tx.vpc(in.VpcID)
		if err != nil {
			return err
		}
		svc, err := tx.endpointService(in.ServiceName, in.VpcEndpointType)
		if err != nil {
			return err
		}
		return tx.idempotent("CreateVpcEndpoint", in.ClientToken, in, &out.VpcEndpoint, func() (any, error) {
			e, err := tx.createEndpointTxn(vpc, svc, in, tags["vpc-endpoint"])
			if err != nil {
				return nil, err
			}
			tx.renderEndpoint(e)
			return e, nil
		})
	})
	if err == nil && out.VpcEndpoint != nil && out.VpcEndpoint.VpcEndpointType == EndpointInterface {
		// AWS's CreateVpcEndpoint answer for an interface endpoint has no
		// policy document; Describe shows it.
		e := *out.VpcEndpoint
		e.PolicyDocument = ""
		out.VpcEndpoint = &e
	}
	return out, err
}

// endpointService finds a service of the given type, with AWS's errors.
func (tx *txn) endpointService(name, typ string) (catalog.Service, error) {
	svc, ok := catalog.LookupService(tx.sc.Region, name, typ)
	if ok {
		return svc, nil
	}
	if types := catalog.ServiceTypes(tx.sc.Region, name); len(types) > 0 {
		return svc, invalidParameter("Endpoint type (%s) does not match available service types ([%s]).", typ, strings.Join(types, ", "))
	}
	return svc, apierr.New("InvalidServiceName", "The Vpc Endpoint Service '%s' does not exist", name)
}

func (tx *txn) createEndpointTxn(vpc *Vpc, svc catalog.Service, in *CreateVpcEndpointInput, tags []Tag) (*VpcEndpoint, error) {
	e := &VpcEndpoint{VpcEndpointID: newID("vpce"), VpcEndpointType: svc.Type, VpcID: vpc.VpcID, ServiceName: svc.Name,
		IPAddressType: "ipv4", CreationTimestamp: Timestamp(tx.now), Tags: tags, OwnerID: tx.sc.Account, ReadyAt: tx.now}
	if in.IPAddressType != "" {
		if err := checkIPAddressType(svc, in.IPAddressType); err != nil {
			return nil, err
		}
		e.IPAddressType = in.IPAddressType
	}
	live, err := tx.liveEndpoints(vpc.VpcID)
	if err != nil {
		return nil, err
	}
	if in.PolicyDocument != nil && !svc.PolicySupported {
		return nil, invalidParameter("The service %s does not support VPC endpoint policies.", svc.Name)
	}
	if svc.Type == EndpointGateway {
		if err := interfaceOnly(len(in.SubnetIDs)+len(in.SubnetConfigurations) > 0, len(in.SecurityGroupIDs) > 0, in.PrivateDNSEnabled, in.DNSOptions); err != nil {
			return nil, err
		}
		n, err := tx.liveGatewayEndpoints()
		if err != nil {
			return nil, err
		}
		if n >= maxGatewayEndpointsPerRegion {
			return nil, apierr.New("VpcEndpointLimitExceeded", "You've reached the limit on the number of VPC endpoints that you can create in the region: %d gateway endpoints.", maxGatewayEndpointsPerRegion)
		}
		e.PolicyDocument = DefaultGatewayPolicy
		if in.PolicyDocument != nil {
			e.PolicyDocument = *in.PolicyDocument
		}
		for _, id := range in.RouteTableIDs {
			if err := tx.addEndpointRoute(e, svc, id); err != nil {
				return nil, err
			}
		}
		return e, putObj(tx, kindEndpoint, e.VpcEndpointID, e)
	}

	// Interface.
	if len(in.RouteTableIDs) > 0 {
		return nil, invalidParameter("Route table IDs are only supported for Gateway type VPC Endpoint.")
	}
	n := 0
	for _, o := range live {
		if o.VpcID == vpc.VpcID && o.VpcEndpointType == EndpointInterface {
			n++
		}
	}
	if n >= maxInterfaceEndpointsPerVpc {
		return nil, apierr.New("VpcEndpointLimitExceeded", "You've reached the limit on the number of VPC endpoints that you can create in the VPC %s: %d interface endpoints.", vpc.VpcID, maxInterfaceEndpointsPerVpc)
	}
	e.PolicyDocument = DefaultInterfacePolicy
	if in.PolicyDocument != nil {
		e.PolicyDocument = *in.PolicyDocument
	}
	e.DNSSuffix = randomSuffix()
	e.ReadyAt = tx.now.Add(tx.c.delay)
	if e.Groups, err = tx.groupsFor(vpc.VpcID, in.SecurityGroupIDs); err != nil {
		return nil, err
	}
	e.DNSOptions = &DNSOptions{DNSRecordIPType: e.IPAddressType}
	if in.DNSOptions != nil && in.DNSOptions.DNSRecordIPType != "" {
		if err := checkRecordIPType(e.IPAddressType, in.DNSOptions.DNSRecordIPType); err != nil {
			return nil, err
		}
		e.DNSOptions.DNSRecordIPType = in.DNSOptions.DNSRecordIPType
	}
	// Private DNS: on by default for services with a private name (the
	// API's documented default), except S3, where it must be asked for.
	private := svc.PrivateDNSName() != "" && !svc.WildcardDNS
	if in.PrivateDNSEnabled != nil {
		private = *in.PrivateDNSEnabled
	}
	var inbound *bool
	if in.DNSOptions != nil {
		inbound = in.DNSOptions.PrivateDNSOnlyForInboundResolverEndpoint
	}
	if err := tx.setPrivateDNS(e, svc, vpc, private, inbound, live); err != nil {
		return nil, err
	}
	subnets := slices.Clone(in.SubnetIDs)
	pinned := map[string]SubnetConfiguration{}
	for _, sc := range in.SubnetConfigurations {
		if sc.SubnetID == "" {
			return nil, apierr.Missing("SubnetConfiguration.SubnetId")
		}
		if sc.IPv6 != "" && e.IPAddressType == "ipv4" {
			return nil, invalidParameter("An IPv6 address can be given only for an endpoint of IP address type dualstack or ipv6.")
		}
		pinned[sc.SubnetID] = sc
		if !slices.Contains(subnets, sc.SubnetID) {
			subnets = append(subnets, sc.SubnetID)
		}
	}
	for _, id := range subnets {
		if err := tx.addEndpointSubnet(e, svc, id, pinned[id]); err != nil {
			return nil, err
		}
	}
	return e, putObj(tx, kindEndpoint, e.VpcEndpointID, e)
}

// interfaceOnly refuses, for a gateway endpoint, the parameters that only
// interface endpoints take — in Create and Modify alike.
func interfaceOnly(subnets, groups bool, privateDNS *bool, dnsOpts *DNSOptions) error {
	switch {
	case subnets:
		return invalidParameter("Subnet IDs are only supported for Interface and GatewayLoadBalancer type VPC Endpoints.")
	case groups:
		return invalidParameter("Security group IDs are only supported for Interface type VPC Endpoints.")
	case privateDNS != nil && *privateDNS:
		return invalidParameter("Private DNS can only be enabled for Interface type VPC Endpoints.")
	case dnsOpts != nil && dnsOpts.PrivateDNSOnlyForInboundResolverEndpoint != nil:
		return invalidParameter("DnsOptions PrivateDnsOnlyForInboundResolverEndpoint is applicable only to Interface VPC Endpoints.")
	}
	return nil
}

// setPrivateDNS applies AWS's rules for turning private DNS on or off.
func (tx *txn) setPrivateDNS(e *VpcEndpoint, svc catalog.Service, vpc *Vpc, on bool, inbound *bool, live []*VpcEndpoint) error {
	if !on {
		if inbound != nil && *inbound {
			return invalidParameter("PrivateDnsOnlyForInboundResolverEndpoint can be set only when private DNS is enabled.")
		}
		e.PrivateDNSEnabled = false
		if e.DNSOptions != nil {
			e.DNSOptions.PrivateDNSOnlyForInboundResolverEndpoint = nil
		}
		return nil
	}
	if svc.PrivateDNSName() == "" {
		return invalidParameter("Private DNS can't be enabled because the service %s does not provide a private DNS name.", svc.Name)
	}
	if !vpc.EnableDNSSupport || !vpc.EnableDNSHostnames {
		return invalidParameter("Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for %s", vpc.VpcID)
	}
	for _, o := range live {
		if o.VpcEndpointID != e.VpcEndpointID && o.VpcID == vpc.VpcID && o.ServiceName == svc.Name && o.VpcEndpointType == EndpointInterface && o.PrivateDNSEnabled {
			return invalidParameter("private-dns-enabled cannot be set because there is already a conflicting DNS domain for %s in the VPC %s", svc.PrivateDNSName(), vpc.VpcID)
		}
	}
	if inbound != nil && !svc.InboundResolverOption {
		return invalidParameter("DnsOptions PrivateDnsOnlyForInboundResolverEndpoint is applicable only to services that have both Gateway and Interface endpoints.")
	}
	if svc.InboundResolverOption {
		v := true // S3's and DynamoDB's default with private DNS on
		if inbound != nil {
			v = *inbound
		}
		if v && !slices.ContainsFunc(live, func(o *VpcEndpoint) bool {
			return o.VpcID == vpc.VpcID && o.ServiceName == svc.Name && o.VpcEndpointType == EndpointGateway
		}) {
			return invalidParameter("To set PrivateDnsOnlyForInboundResolverEndpoint to true, the VPC %s must have a Gateway endpoint for the service.", vpc.VpcID)
		}
		e.DNSOptions.PrivateDNSOnlyForInboundResolverEndpoint = &v
	}
	e.PrivateDNSEnabled = true
	return nil
}

// checkIPAddressType refuses an endpoint IP address type AWS does not
// take, or the service does not offer.
func checkIPAddressType(svc catalog.Service, t string) error {
	switch t {
	case "ipv4":
		return nil
	case "dualstack", "ipv6":
		if !svc.SupportsIPv6() {
			return invalidParameter("The VPC endpoint service %s does not support the IP address type %s.", svc.Name, t)
		}
		return nil
	}
	return invalidValue("Value (%s) for parameter ipAddressType is invalid. Valid values are: ipv4, dualstack, ipv6", t)
}

// checkRecordIPType refuses a DNS record IP type the endpoint's IP
// address type cannot serve: an IPv4 endpoint has only A records.
func checkRecordIPType(ipType, rec string) error {
	ok := map[string][]string{"ipv4": {"ipv4", "service-defined"}, "dualstack": {"ipv4", "ipv6", "dualstack", "service-defined"},
		"ipv6": {"ipv6", "service-defined"}}[ipType]
	switch rec {
	case "ipv4", "service-defined", "ipv6", "dualstack":
		if slices.Contains(ok, rec) {
			return nil
		}
		return invalidParameter("DnsRecordIpType %s is not supported for an endpoint with IP address type %s.", rec, ipType)
	}
	return invalidValue("Value (%s) for parameter dnsRecordIpType is invalid. Valid values are: ipv4, dualstack, ipv6, service-defined", rec)
}

// addEndpointSubnet places an interface in a subnet of another zone, with
// an IPv6 address too when the endpoint is dual-stack.
func (tx *txn) addEndpointSubnet(e *VpcEndpoint, svc catalog.Service, subnetID string, pin SubnetConfiguration) error {
	ip := pin.IPv4
	s, err := tx.subnet(subnetID)
	if err != nil {
		return err
	}
	if s.VpcID != e.VpcID {
		return invalidParameter("The subnet ID '%s' does not belong to the VPC %s", s.SubnetID, e.VpcID)
	}
	if slices.ContainsFunc(e.Subnets, func(x EndpointSubnet) bool { return x.SubnetID == s.SubnetID }) {
		return invalidParameter("The subnet %s is already a subnet of VPC endpoint %s.", s.SubnetID, e.VpcEndpointID)
	}
	if slices.ContainsFunc(e.Subnets, func(x EndpointSubnet) bool { return x.Zone == s.AvailabilityZone }) {
		return apierr.New("DuplicateSubnetsInSameZone", "Found another VPC endpoint subnet in the availability zone of %s. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.", s.SubnetID)
	}
	if !svc.OffersZone(s.AvailabilityZone) {
		return invalidParameter("The VPC endpoint service %s does not support the availability zone of the subnet: %s.", svc.Name, s.SubnetID)
	}
	if err := subnetFitsIPType(s, e.IPAddressType); err != nil {
		return err
	}
	eni, err := tx.newInterfaceTxn(s, ip, e.Groups, InterfaceTypeVpcEndpoint, "VPC Endpoint Interface "+e.VpcEndpointID, nil)
	if err != nil {
		return err
	}
	if e.IPAddressType != "ipv4" {
		var wants []string
		if pin.IPv6 != "" {
			wants = []string{pin.IPv6}
		}
		if _, err := tx.addIpv6Txn(s, eni, wants, 1-len(wants)); err != nil {
			return err
		}
	}
	eni.RequesterManaged, eni.RequesterID, eni.Status = true, awsRequesterID, "in-use"
	if err := putObj(tx, kindENI, eni.NetworkInterfaceID, eni); err != nil {
		return err
	}
	e.Subnets = append(e.Subnets, EndpointSubnet{SubnetID: s.SubnetID, Zone: s.AvailabilityZone, ENI: eni.NetworkInterfaceID})
	return nil
}

func (tx *txn) removeEndpointSubnet(e *VpcEndpoint, subnetID string) error {
	i := slices.IndexFunc(e.Subnets, func(x EndpointSubnet) bool { return x.SubnetID == subnetID })
	if i < 0 {
		return apierr.New("InvalidSubnetId.NotFound", "The subnet ID '%s' is not a subnet of VPC endpoint %s", subnetID, e.VpcEndpointID)
	}
	if err := delObj(tx, kindENI, e.Subnets[i].ENI); err != nil {
		return err
	}
	e.Subnets = slices.Delete(e.Subnets, i, i+1)
	return nil
}

// addEndpointRoute adds the gateway endpoint's prefix-list route to a table.
func (tx *txn) addEndpointRoute(e *VpcEndpoint, svc catalog.Service, rtbID string) error {
	rt, err := tx.routeTable(rtbID)
	if err != nil {
		return err
	}
	if rt.VpcID != e.VpcID {
		return invalidParameter("The route table %s does not belong to the VPC %s", rt.RouteTableID, e.VpcID)
	}
	pl, ok := catalog.ServicePrefixList(tx.sc.Region, svc.Name)
	if !ok {
		return internal(errorf("no prefix list for %s", svc.Name))
	}
	if slices.Contains(e.RouteTableIDs, rt.RouteTableID) {
		return invalidParameter("The route table %s is already associated with VPC endpoint %s.", rt.RouteTableID, e.VpcEndpointID)
	}
	if findRoute(rt, Route{DestinationPrefixListID: pl.ID}) >= 0 {
		return apierr.New("RouteAlreadyExists", "route table %s already has a route with destination-prefix-list-id %s", rt.RouteTableID, pl.ID)
	}
	rt.Routes = append(rt.Routes, Route{DestinationPrefixListID: pl.ID, GatewayID: e.VpcEndpointID, Origin: "CreateRoute", State: "active"})
	e.RouteTableIDs = append(e.RouteTableIDs, rt.RouteTableID)
	return putObj(tx, kindRT, rt.RouteTableID, rt)
}

func (tx *txn) removeEndpointRoute(e *VpcEndpoint, rtbID string, strict bool) error {
	if !slices.Contains(e.RouteTableIDs, rtbID) {
		if strict {
			return apierr.New("InvalidRouteTableId.NotFound", "The route table %s is not associated with VPC endpoint %s", rtbID, e.VpcEndpointID)
		}
		return nil
	}
	e.RouteTableIDs = slices.DeleteFunc(e.RouteTableIDs, func(id string) bool { return id == rtbID })
	rt, err := getObj[RouteTable](tx, kindRT, rtbID)
	if err != nil {
		return nil // the table is gone, and its routes with it
	}
	rt.Routes = slices.DeleteFunc(rt.Routes, func(r Route) bool { return r.GatewayID == e.VpcEndpointID })
	return putObj(tx, kindRT, rt.RouteTableID, rt)
}

// ModifyVpcEndpointInput is the input of ModifyVpcEndpoint.
type ModifyVpcEndpointInput struct {
	VpcEndpointID          string                `ec2:"VpcEndpointId,required"`
	ResetPolicy            *bool                 `ec2:"ResetPolicy"`
	PolicyDocument         *string               `ec2:"PolicyDocument"`
	AddRouteTableIDs       []string              `ec2:"AddRouteTableId"`
	RemoveRouteTableIDs    []string              `ec2:"RemoveRouteTableId"`
	AddSubnetIDs           []string              `ec2:"AddSubnetId"`
	RemoveSubnetIDs        []string              `ec2:"RemoveSubnetId"`
	AddSecurityGroupIDs    []string              `ec2:"AddSecurityGroupId"`
	RemoveSecurityGroupIDs []string              `ec2:"RemoveSecurityGroupId"`
	IPAddressType          string                `ec2:"IpAddressType"`
	DNSOptions             *DNSOptions           `ec2:"DnsOptions"`
	PrivateDNSEnabled      *bool                 `ec2:"PrivateDnsEnabled"`
	SubnetConfigurations   []SubnetConfiguration `ec2:"SubnetConfiguration"`
}

// ModifyVpcEndpoint changes an endpoint's policy, route tables, subnets,
// security groups or private DNS; every consequence (routes, interfaces,
// DNS names) changes in the same transaction.
func (c *Cloud) ModifyVpcEndpoint(ctx context.Context, sc Scope, in *ModifyVpcEndpointInput) (*Return, error) {
	if in.PolicyDocument != nil {
		if err := validatePolicy(*in.PolicyDocument); err != nil {
			return nil, err
		}
		if in.ResetPolicy != nil && *in.ResetPolicy {
			return nil, apierr.New("InvalidParameterCombination", "The parameter PolicyDocument cannot be used with the parameter ResetPolicy")
		}
	}
	return ok, c.update(ctx, sc, func(tx *txn) error {
		e, err := tx.endpoint(in.VpcEndpointID)
		if err != nil {
			return err
		}
		if !e.live() {
			return apierr.New("IncorrectState", "The VPC endpoint %s is in state %s and cannot be modified.", e.VpcEndpointID, e.state(tx))
		}
		svc, ok := e.Service(tx.sc.Region)
		if !ok {
			return internal(errorf("endpoint %s: service %s gone from catalog", e.VpcEndpointID, e.ServiceName))
		}
		vpc, err := tx.vpc(e.VpcID)
		if err != nil {
			return err
		}
		if in.ResetPolicy != nil && *in.ResetPolicy {
			e.PolicyDocument = DefaultInterfacePolicy
			if e.VpcEndpointType == EndpointGateway {
				e.PolicyDocument = DefaultGatewayPolicy
			}
		}
		if in.PolicyDocument != nil {
			if !svc.PolicySupported {
				return invalidParameter("The service %s does not support VPC endpoint policies.", svc.Name)
			}
			e.PolicyDocument = *in.PolicyDocument
		}
		if e.VpcEndpointType == EndpointGateway {
			if in.IPAddressType != "" && in.IPAddressType != "ipv4" {
				return invalidParameter("IpAddressType %s is not supported by vpce for gateway endpoints.", in.IPAddressType)
			}
			if err := interfaceOnly(len(in.AddSubnetIDs)+len(in.RemoveSubnetIDs)+len(in.SubnetConfigurations) > 0,
				len(in.AddSecurityGroupIDs)+len(in.RemoveSecurityGroupIDs) > 0, in.PrivateDNSEnabled, in.DNSOptions); err != nil {
				return err
			}
			for _, id := range in.RemoveRouteTableIDs {
				if err := tx.removeEndpointRoute(e, id, true); err != nil {
					return err
				}
			}
			for _, id := range in.AddRouteTableIDs {
				if err := tx.addEndpointRoute(e, svc, id); err != nil {
					return err
				}
			}
			return putObj(tx, kindEndpoint, e.VpcEndpointID, e)
		}

		if len(in.AddRouteTableIDs) > 0 || len(in.RemoveRouteTableIDs) > 0 {
			return invalidParameter("Route table IDs are only supported for Gateway type VPC Endpoint.")
		}
		if len(in.AddSecurityGroupIDs) > 0 || len(in.RemoveSecurityGroupIDs) > 0 {
			ids := mapSlice(e.Groups, func(g GroupIdentifier) string { return g.GroupID })
			for _, id := range in.RemoveSecurityGroupIDs {
				if !slices.Contains(ids, id) {
					return apierr.New("InvalidGroup.NotFound", "The security group '%s' is not associated with VPC endpoint %s", id, e.VpcEndpointID)
				}
				ids = slices.DeleteFunc(ids, func(x string) bool { return x == id })
			}
			ids = append(ids, in.AddSecurityGroupIDs...)
			if len(ids) == 0 {
				return invalidParameter("A VPC endpoint of type Interface must have at least one security group.")
			}
			if e.Groups, err = tx.groupsFor(e.VpcID, ids); err != nil {
				return err
			}
		}
		for _, id := range in.RemoveSubnetIDs {
			if err := tx.removeEndpointSubnet(e, id); err != nil {
				return err
			}
		}
		if in.IPAddressType != "" && in.IPAddressType != e.IPAddressType {
			if err := tx.changeIPAddressType(e, svc, in.IPAddressType); err != nil {
				return err
			}
		}
		pinned := map[string]SubnetConfiguration{}
		add := slices.Clone(in.AddSubnetIDs)
		for _, sc := range in.SubnetConfigurations {
			pinned[sc.SubnetID] = sc
			if !slices.Contains(add, sc.SubnetID) {
				add = append(add, sc.SubnetID)
			}
		}
		for _, id := range add {
			if err := tx.addEndpointSubnet(e, svc, id, pinned[id]); err != nil {
				return err
			}
		}
		// Interfaces carry the endpoint's groups.
		for _, s := range e.Subnets {
			eni, err := getObj[NetworkInterface](tx, kindENI, s.ENI)
			if err != nil {
				return err
			}
			eni.Groups = e.Groups
			if err := putObj(tx, kindENI, eni.NetworkInterfaceID, eni); err != nil {
				return err
			}
		}
		if in.DNSOptions != nil && in.DNSOptions.DNSRecordIPType != "" {
			if err := checkRecordIPType(e.IPAddressType, in.DNSOptions.DNSRecordIPType); err != nil {
				return err
			}
			e.DNSOptions.DNSRecordIPType = in.DNSOptions.DNSRecordIPType
		}
		if in.PrivateDNSEnabled != nil || (in.DNSOptions != nil && in.DNSOptions.PrivateDNSOnlyForInboundResolverEndpoint != nil) {
			on := e.PrivateDNSEnabled
			if in.PrivateDNSEnabled != nil {
				on = *in.PrivateDNSEnabled
			}
			var inbound *bool
			if in.DNSOptions != nil {
				inbound = in.DNSOptions.PrivateDNSOnlyForInboundResolverEndpoint
			}
			if inbound == nil && e.DNSOptions.PrivateDNSOnlyForInboundResolverEndpoint != nil && in.PrivateDNSEnabled == nil {
				inbound = e.DNSOptions.PrivateDNSOnlyForInboundResolverEndpoint
			}
			live, err := tx.liveEndpoints(e.VpcID)
			if err != nil {
				return err
			}
			if err := tx.setPrivateDNS(e, svc, vpc, on, inbound, live); err != nil {
				return err
			}
		}
		return putObj(tx, kindEndpoint, e.VpcEndpointID, e)
	})
}

// DescribeVpcEndpointsInput is the input of DescribeVpcEndpoints.
type DescribeVpcEndpointsInput struct {
	VpcEndpointIDs []string `ec2:"VpcEndpointId"`
	Filters        []Filter `ec2:"Filter"`
	Page
}

// DescribeVpcEndpointsOutput is the output of DescribeVpcEndpoints.
type DescribeVpcEndpointsOutput struct {
	VpcEndpoints []*VpcEndpoint `xml:"vpcEndpointSet>item"`
	NextToken    string         `xml:"nextToken,omitempty"`
}

var endpointFields = fields[VpcEndpoint]{
	"ip-address-type":    func(e *VpcEndpoint) []string { return one(e.IPAddressType) },
	"service-name":       func(e *VpcEndpoint) []string { return one(e.ServiceName) },
	"service-region":     func(e *VpcEndpoint) []string { return one(strings.Split(e.ServiceName, ".")[2]) },
	"vpc-id":             func(e *VpcEndpoint) []string { return one(e.VpcID) },
	"vpc-endpoint-id":    func(e *VpcEndpoint) []string { return one(e.VpcEndpointID) },
	"vpc-endpoint-state": func(e *VpcEndpoint) []string { return one(e.State) },
	"vpc-endpoint-type":  func(e *VpcEndpoint) []string { return one(e.VpcEndpointType) },
}

func endpointID(e *VpcEndpoint) string  { return e.VpcEndpointID }
func endpointTags(e *VpcEndpoint) []Tag { return e.Tags }

// clampPage applies the "more than 1,000 returns 1,000" rule of the
// endpoint Describe actions.
func clampPage(p Page) Page {
	if p.MaxResults != nil && *p.MaxResults > 1000 {
		v := int64(1000)
		p.MaxResults = &v
	}
	return p
}

// DescribeVpcEndpoints lists endpoints, deleted ones included for a while.
func (c *Cloud) DescribeVpcEndpoints(ctx context.Context, sc Scope, in *DescribeVpcEndpointsInput) (*DescribeVpcEndpointsOutput, error) {
	out := &DescribeVpcEndpointsOutput{}
	err := c.view(ctx, sc, func(tx *txn) error {
		for _, id := range in.VpcEndpointIDs {
			if err := checkID(id, "vpce", "InvalidVpcEndpointId.Malformed"); err != nil {
				return err
			}
		}
		plain := len(in.VpcEndpointIDs) == 0 && len(in.Filters) == 0
		visible := func(e *VpcEndpoint) bool { return e.visible(tx) }
		if page, next, ok, err := pageObj(tx, kindEndpoint, clampPage(in.Page), 1, 1000, plain, visible, endpointID); ok {
			for _, e := range page {
				tx.renderEndpoint(e)
			}
			out.VpcEndpoints, out.NextToken = page, next
			return err
		}
		raw, err := narrow[VpcEndpoint](tx, kindEndpoint, in.VpcEndpointIDs, in.Filters, "")
		if err != nil {
			return err
		}
		var all []*VpcEndpoint
		for _, e := range raw {
			if e.visible(tx) {
				tx.renderEndpoint(e)
				all = append(all, e)
			}
		}
		if all, err = selectIDs(all, endpointID, in.VpcEndpointIDs, func(id string) error {
			return apierr.New("InvalidVpcEndpointId.NotFound", "The VpcEndpoint Id '%s' does not exist", id)
		}); err != nil {
			return err
		}
		if all, err = filter(ctx, all, in.Filters, endpointFields, endpointTags); err != nil {
			return err
		}
		out.VpcEndpoints, out.NextToken, err = paginate(all, endpointID, clampPage(in.Page), 1, 1000)
		return err
	})
	return out, err
}

// DeleteVpcEndpointsInput is the input of DeleteVpcEndpoints.
type DeleteVpcEndpointsInput struct {
	VpcEndpointIDs []string `ec2:"VpcEndpointId,required"`
}

// UnsuccessfulItem is one failure of a bulk action.
type UnsuccessfulItem struct {
	Error struct {
		Code    string `xml:"code"`
		Message string `xml:"message"`
	} `xml:"error"`
	ResourceID string `xml:"resourceId"`
}

// DeleteVpcEndpointsOutput is the output of DeleteVpcEndpoints.
type DeleteVpcEndpointsOutput struct {
	Unsuccessful []UnsuccessfulItem `xml:"unsuccessful>item"`
}

// DeleteVpcEndpoints starts deleting endpoints, removing their routes and
// interfaces at once; failures are reported per endpoint.
func (c *Cloud) DeleteVpcEndpoints(ctx context.Context, sc Scope, in *DeleteVpcEndpointsInput) (*DeleteVpcEndpointsOutput, error) {
	out := &DeleteVpcEndpointsOutput{}
	err := c.update(ctx, sc, func(tx *txn) error {
		fail := func(id string, err error) {
			item := UnsuccessfulItem{ResourceID: id}
			if e, ok := apierr.As(err); ok {
				item.Error.Code, item.Error.Message = e.Code, e.Message
			}
			out.Unsuccessful = append(out.Unsuccessful, item)
		}
		for _, id := range in.VpcEndpointIDs {
			if err := checkID(id, "vpce", "InvalidVpcEndpointId.Malformed"); err != nil {
				fail(id, err)
				continue
			}
			e, err := getObj[VpcEndpoint](tx, kindEndpoint, id)
			if err != nil || !e.visible(tx) || e.state(tx) == "deleted" {
				fail(id, apierr.New("InvalidVpcEndpoint.NotFound", "The VPC endpoint '%s' does not exist", id))
				continue
			}
			if !e.live() {
				continue // already deleting
			}
			if err := tx.deleteEndpointTxn(e); err != nil {
				if _, isAPI := apierr.As(err); !isAPI {
					return err
				}
				fail(id, err)
			}
		}
		return nil
	})
	return out, err
}

func (tx *txn) deleteEndpointTxn(e *VpcEndpoint) error {
	if e.VpcEndpointType == EndpointGateway {
		live, err := tx.liveEndpoints(e.VpcID)
		if err != nil {
			return err
		}
		for _, o := range live {
			if o.VpcID == e.VpcID && o.ServiceName == e.ServiceName && o.VpcEndpointType == EndpointInterface &&
				o.DNSOptions != nil && o.DNSOptions.PrivateDNSOnlyForInboundResolverEndpoint != nil && *o.DNSOptions.PrivateDNSOnlyForInboundResolverEndpoint {
				return invalidParameter("The Gateway endpoint %s cannot be deleted while Interface endpoint %s has PrivateDnsOnlyForInboundResolverEndpoint set to true.", e.VpcEndpointID, o.VpcEndpointID)
			}
		}
		for _, id := range slices.Clone(e.RouteTableIDs) {
			if err := tx.removeEndpointRoute(e, id, false); err != nil {
				return err
			}
		}
	}
	for _, s := range e.Subnets {
		if err := delObj(tx, kindENI, s.ENI); err != nil {
			return err
		}
	}
	t := tx.now
	e.DeletedAt = &t
	return putObj(tx, kindEndpoint, e.VpcEndpointID, e)
}

// changeIPAddressType moves an interface endpoint between ipv4 and
// dualstack: each interface gets an IPv6 address of its subnet, or gives
// it back; the DNS record type follows unless it still fits.
func (tx *txn) changeIPAddressType(e *VpcEndpoint, svc catalog.Service, t string) error {
	if err := checkIPAddressType(svc, t); err != nil {
		return err
	}
	for _, es := range e.Subnets {
		eni, err := getObj[NetworkInterface](tx, kindENI, es.ENI)
		if err != nil {
			return err
		}
		s, err := tx.subnet(es.SubnetID)
		if err != nil {
			return err
		}
		if err := subnetFitsIPType(s, t); err != nil {
			return err
		}
		if t == "ipv4" {
			eni.Ipv6Addresses = nil
		} else {
			if len(eni.Ipv6Addresses) == 0 {
				if _, err := tx.addIpv6Txn(s, eni, nil, 1); err != nil {
					return err
				}
			}
		}
		if err := putObj(tx, kindENI, eni.NetworkInterfaceID, eni); err != nil {
			return err
		}
	}
	e.IPAddressType = t
	if checkRecordIPType(t, e.DNSOptions.DNSRecordIPType) != nil || t == "dualstack" && e.DNSOptions.DNSRecordIPType == "ipv4" {
		e.DNSOptions.DNSRecordIPType = t
	}
	return nil
}

// subnetFitsIPType refuses a subnet an endpoint of an IP address type
// cannot use (AWS's rules): ipv4 needs an IPv4 subnet, dualstack one with
// both, ipv6 an IPv6-only one.
func subnetFitsIPType(s *Subnet, t string) error {
	v4, v6 := s.CidrBlock.IsValid(), s.HasIpv6()
	switch {
	case t == "ipv4" && !v4:
		return invalidParameter("The subnet %s is IPv6-only; an endpoint of IP address type ipv4 needs IPv4 subnets.", s.SubnetID)
	case t == "dualstack" && !(v4 && v6):
		return invalidParameter("The subnet %s does not have both IPv4 and IPv6 CIDR blocks; a dualstack endpoint needs both in every subnet.", s.SubnetID)
	case t == "ipv6" && v4:
		return invalidParameter("The subnet %s has IPv4 addresses; an endpoint of IP address type ipv6 needs IPv6-only subnets.", s.SubnetID)
	}
	return nil
}
