package catalog

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"
)

//go:embed services.json
var servicesJSON []byte

//go:embed aws-ip-ranges-s3-dynamodb.json
var ipRangesJSON []byte

// Endpoint service types.
const (
	TypeInterface = "Interface"
	TypeGateway   = "Gateway"
)

// Service is one endpoint service as DescribeVpcEndpointServices shows it.
type Service struct {
	// Name is the full service name, com.amazonaws.<region>.<short>.
	Name string
	// Short is the part after the region: ssm, ecr.api, s3.
	Short  string
	Type   string // TypeInterface or TypeGateway
	Region string
	// ID is a stable vpce-svc-… ID derived from region, name and type.
	ID string
	// DNSLabel is the service's label in endpoint DNS names: ssm, api.ecr.
	DNSLabel string
	// BaseDNS is <label>.<region>.vpce.amazonaws.com; empty for gateways.
	BaseDNS string
	// PrivateDNSNames are the names private DNS answers for, first the
	// primary one; empty for gateways and services without private DNS.
	PrivateDNSNames []string
	Zones           []Zone
	PolicySupported bool
	// WildcardDNS reports whether the endpoint's vpce names take a "*."
	// prefix (S3 interface endpoints).
	WildcardDNS bool
	// InboundResolverOption reports whether the service takes the
	// PrivateDnsOnlyForInboundResolverEndpoint option: interface services
	// that also exist as gateways (S3, DynamoDB).
	InboundResolverOption bool
	// Port is the TCP port clients use; 443 unless stated.
	Port int
}

// PrivateDNSName returns the primary private DNS name, or "".
func (s Service) PrivateDNSName() string {
	if len(s.PrivateDNSNames) == 0 {
		return ""
	}
	return s.PrivateDNSNames[0]
}

// ZoneNames returns the names of the zones the service is offered in.
func (s Service) ZoneNames() []string {
	out := make([]string, len(s.Zones))
	for i, z := range s.Zones {
		out[i] = z.Name
	}
	return out
}

// OffersZone reports whether the service is offered in the zone.
func (s Service) OffersZone(name string) bool {
	return slices.ContainsFunc(s.Zones, func(z Zone) bool { return z.Name == name })
}

// PrefixList is an AWS-managed prefix list: the public ranges of a
// gateway service in a region.
type PrefixList struct {
	ID      string
	Name    string // com.amazonaws.<region>.<service>
	Region  string
	Service string // s3 or dynamodb
	CIDRs   []netip.Prefix
}

type rawService struct {
	Name         string              `json:"name"`
	DNS          string              `json:"dns"`
	Private      *[]string           `json:"private"`
	Policy       *bool               `json:"policy"`
	MissingZones map[string][]string `json:"missingZones"`
	Wildcard     bool                `json:"wildcard"`
	Gateway      bool                `json:"gateway"`
	Port         int                 `json:"port"`
}

var (
	svcOnce     sync.Once
	svcByRegion map[string][]Service
	svcByKey    map[string]Service // region/name/type
	plByRegion  map[string][]PrefixList
	knownPLIDs  = map[string]string{"us-east-1/s3": "pl-63a5400a", "us-east-1/dynamodb": "pl-02cd2c6b", "us-west-2/s3": "pl-68a54001"}
)

func stableHex(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "/")))
	return hex.EncodeToString(sum[:])
}

func loadServices() {
	var raw struct {
		Services []rawService `json:"services"`
	}
	if err := json.Unmarshal(servicesJSON, &raw); err != nil {
		panic(fmt.Sprintf("catalog: embedded services.json: %v", err))
	}
	var ranges struct {
		Prefixes []struct {
			Prefix  string `json:"ip_prefix"`
			Region  string `json:"region"`
			Service string `json:"service"`
		} `json:"prefixes"`
	}
	if err := json.Unmarshal(ipRangesJSON, &ranges); err != nil {
		panic(fmt.Sprintf("catalog: embedded ip ranges: %v", err))
	}
	svcByRegion = map[string][]Service{}
	svcByKey = map[string]Service{}
	plByRegion = map[string][]PrefixList{}
	for _, reg := range Regions() {
		var list []Service
		for _, r := range raw.Services {
			label := r.DNS
			if label == "" {
				label = r.Name
			}
			private := []string{label + ".{region}.amazonaws.com"}
			if r.Private != nil {
				private = slices.Clone(*r.Private)
			}
			for i := range private {
				private[i] = strings.ReplaceAll(private[i], "{region}", reg.Name)
			}
			var zones []Zone
			for _, z := range reg.Zones {
				if !slices.Contains(r.MissingZones[reg.Name], z.ID) {
					zones = append(zones, z)
				}
			}
			port := r.Port
			if port == 0 {
				port = 443
			}
			name := "com.amazonaws." + reg.Name + "." + r.Name
			s := Service{Name: name, Short: r.Name, Type: TypeInterface, Region: reg.Name,
				ID: "vpce-svc-" + stableHex(reg.Name, name, TypeInterface)[:17], DNSLabel: label,
				BaseDNS: label + "." + reg.Name + ".vpce.amazonaws.com", PrivateDNSNames: slices.Clone(private), Zones: zones,
				PolicySupported: r.Policy == nil || *r.Policy, WildcardDNS: r.Wildcard, InboundResolverOption: r.Gateway, Port: port}
			list = append(list, s)
			if r.Gateway {
				g := Service{Name: name, Short: r.Name, Type: TypeGateway, Region: reg.Name,
					ID: "vpce-svc-" + stableHex(reg.Name, name, TypeGateway)[:17], DNSLabel: label,
					Zones: reg.Zones, PolicySupported: true, Port: 443}
				list = append(list, g)
				pl := PrefixList{Name: name, Region: reg.Name, Service: r.Name}
				pl.ID = knownPLIDs[reg.Name+"/"+r.Name]
				if pl.ID == "" {
					pl.ID = "pl-" + stableHex("prefix-list", name)[:8]
				}
				for _, p := range ranges.Prefixes {
					if p.Region == reg.Name && strings.EqualFold(p.Service, r.Name) {
						pl.CIDRs = append(pl.CIDRs, netip.MustParsePrefix(p.Prefix))
					}
				}
				slices.SortFunc(pl.CIDRs, func(a, b netip.Prefix) int { return a.Addr().Compare(b.Addr()) })
				plByRegion[reg.Name] = append(plByRegion[reg.Name], pl)
			}
		}
		slices.SortStableFunc(list, func(a, b Service) int { return strings.Compare(a.Name, b.Name) })
		svcByRegion[reg.Name] = list
		for _, s := range list {
			svcByKey[reg.Name+"/"+s.Name+"/"+s.Type] = s
		}
	}
}

// Services returns the endpoint services of a region, ordered by name.
// S3 and DynamoDB appear twice, as Gateway and as Interface services.
func Services(region string) []Service {
	svcOnce.Do(loadServices)
	return svcByRegion[region]
}

// LookupService returns a region's service by name and type.
func LookupService(region, name, typ string) (Service, bool) {
	svcOnce.Do(loadServices)
	s, ok := svcByKey[region+"/"+name+"/"+typ]
	return s, ok
}

// ServiceTypes returns the types a service name is offered as in a region.
func ServiceTypes(region, name string) []string {
	var out []string
	for _, s := range Services(region) {
		if s.Name == name {
			out = append(out, s.Type)
		}
	}
	return out
}

// PrefixLists returns the AWS-managed prefix lists of a region.
func PrefixLists(region string) []PrefixList {
	svcOnce.Do(loadServices)
	return plByRegion[region]
}

// LookupPrefixList returns a region's AWS-managed prefix list by ID.
func LookupPrefixList(region, id string) (PrefixList, bool) {
	for _, p := range PrefixLists(region) {
		if p.ID == id {
			return p, true
		}
	}
	return PrefixList{}, false
}

// ServicePrefixList returns the prefix list of a gateway service by name.
func ServicePrefixList(region, serviceName string) (PrefixList, bool) {
	for _, p := range PrefixLists(region) {
		if p.Name == serviceName {
			return p, true
		}
	}
	return PrefixList{}, false
}

// HasGateway reports whether a service is offered as a (free) gateway
// endpoint in the region: S3 and DynamoDB.
func HasGateway(region, name string) bool {
	_, ok := LookupService(region, name, TypeGateway)
	return ok
}

// ipv6Services are the interface services (short names) whose PrivateLink
// endpoints AWS documents as taking IPv6 (dual-stack), as of 2026-12: KMS
// and AWS Private CA ("Dual-stack endpoint support" in their guides), IAM
// and STS (IAM guide, "Dual-stack endpoint support"), DAX. AWS has no
// machine-readable list; a service missing here answers ipv4 only.
var ipv6Services = map[string]bool{"kms": true, "acm-pca": true, "sts": true, "iam": true, "dax": true}

// SupportsIPv6 reports whether the service's interface endpoints can be
// dual-stack.
func (s Service) SupportsIPv6() bool { return s.Type == TypeInterface && ipv6Services[s.Short] }
