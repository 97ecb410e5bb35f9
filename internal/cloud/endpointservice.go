package cloud

import (
	"context"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/catalog"
)

// ServiceDetail is one item of DescribeVpcEndpointServices.
type ServiceDetail struct {
	ServiceName          string              `xml:"serviceName"`
	ServiceID            string              `xml:"serviceId"`
	ServiceType          []ServiceTypeDetail `xml:"serviceType>item"`
	ServiceRegion        string              `xml:"serviceRegion"`
	AvailabilityZoneIDs  []string            `xml:"availabilityZoneIdSet>item"`
	AvailabilityZones    []string            `xml:"availabilityZoneSet>item"`
	Owner                string              `xml:"owner"`
	BaseEndpointDNSNames []string            `xml:"baseEndpointDnsNameSet>item"`
	PrivateDNSName       string              `xml:"privateDnsName,omitempty"`
	PrivateDNSNames      []PrivateDNSDetails `xml:"privateDnsNameSet>item"`
	PolicySupported      bool                `xml:"vpcEndpointPolicySupported"`
	AcceptanceRequired   bool                `xml:"acceptanceRequired"`
	ManagesVpcEndpoints  bool                `xml:"managesVpcEndpoints"`
	PayerResponsibility  string              `xml:"payerResponsibility"`
	Tags                 []Tag               `xml:"tagSet>item"`
	VerificationState    string              `xml:"privateDnsNameVerificationState,omitempty"`
	SupportedIPTypes     []string            `xml:"supportedIpAddressTypeSet>item"`
}

// ServiceTypeDetail is the doubly nested <serviceType><item><serviceType>.
type ServiceTypeDetail struct {
	ServiceType string `xml:"serviceType"`
}

// PrivateDNSDetails names one private DNS name of a service.
type PrivateDNSDetails struct {
	PrivateDNSName string `xml:"privateDnsName"`
}

func serviceDetail(s catalog.Service) *ServiceDetail {
	d := &ServiceDetail{ServiceName: s.Name, ServiceID: s.ID, ServiceType: []ServiceTypeDetail{{s.Type}}, ServiceRegion: s.Region,
		Owner: "amazon", PolicySupported: s.PolicySupported, PayerResponsibility: "ServiceOwner", SupportedIPTypes: []string{"ipv4"}}
	if s.SupportsIPv6() {
		d.SupportedIPTypes = append(d.SupportedIPTypes, "ipv6")
	}
	for _, z := range s.Zones {
		d.AvailabilityZoneIDs = append(d.AvailabilityZoneIDs, z.ID)
		d.AvailabilityZones = append(d.AvailabilityZones, z.Name)
	}
	if s.Type == catalog.TypeGateway {
		d.BaseEndpointDNSNames = []string{s.DNSLabel + "." + s.Region + ".amazonaws.com"}
		return d
	}
	d.BaseEndpointDNSNames = []string{s.BaseDNS}
	if name := s.PrivateDNSName(); name != "" {
		d.PrivateDNSName, d.VerificationState = name, "verified"
		for _, n := range s.PrivateDNSNames {
			d.PrivateDNSNames = append(d.PrivateDNSNames, PrivateDNSDetails{n})
		}
	}
	return d
}

// DescribeVpcEndpointServicesInput is the input of DescribeVpcEndpointServices.
type DescribeVpcEndpointServicesInput struct {
	ServiceNames   []string `ec2:"ServiceName"`
	ServiceRegions []string `ec2:"ServiceRegion"`
	Filters        []Filter `ec2:"Filter"`
	Page
}

// DescribeVpcEndpointServicesOutput is the output of DescribeVpcEndpointServices.
type DescribeVpcEndpointServicesOutput struct {
	ServiceNames   []string         `xml:"serviceNameSet>item"`
	ServiceDetails []*ServiceDetail `xml:"serviceDetailSet>item"`
	NextToken      string           `xml:"nextToken,omitempty"`
}

var serviceFields = fields[ServiceDetail]{
	"owner":                      func(d *ServiceDetail) []string { return one(d.Owner) },
	"service-name":               func(d *ServiceDetail) []string { return one(d.ServiceName) },
	"service-region":             func(d *ServiceDetail) []string { return one(d.ServiceRegion) },
	"service-type":               func(d *ServiceDetail) []string { return one(d.ServiceType[0].ServiceType) },
	"supported-ip-address-types": func(d *ServiceDetail) []string { return d.SupportedIPTypes },
}

func serviceKey(d *ServiceDetail) string {
	return d.ServiceName + "\x00" + d.ServiceType[0].ServiceType
}

// DescribeVpcEndpointServices lists the endpoint services of the region
// from the embedded catalog.
func (c *Cloud) DescribeVpcEndpointServices(ctx context.Context, sc Scope, in *DescribeVpcEndpointServicesInput) (*DescribeVpcEndpointServicesOutput, error) {
	if err := checkScope(sc); err != nil {
		return nil, err
	}
	var all []*ServiceDetail
	for _, s := range catalog.Services(sc.Region) {
		all = append(all, serviceDetail(s))
	}
	if len(in.ServiceNames) > 0 {
		var named []*ServiceDetail
		for _, n := range in.ServiceNames {
			found := false
			for _, d := range all {
				if d.ServiceName == n {
					named, found = append(named, d), true
				}
			}
			if !found {
				return nil, apierr.New("InvalidServiceName", "The Vpc Endpoint Service '%s' does not exist", n)
			}
		}
		all = named
	}
	if len(in.ServiceRegions) > 0 {
		all = filterKeep(all, func(d *ServiceDetail) bool { return containsStr(in.ServiceRegions, d.ServiceRegion) })
	}
	all, err := filter(ctx, all, in.Filters, serviceFields, func(d *ServiceDetail) []Tag { return d.Tags })
	if e, ok := apierr.As(err); ok && e.Code == "InvalidParameterValue" {
		return nil, apierr.New("InvalidFilter", "%s", e.Message)
	}
	if err != nil {
		return nil, err
	}
	out := &DescribeVpcEndpointServicesOutput{}
	out.ServiceDetails, out.NextToken, err = paginate(all, serviceKey, clampPage(in.Page), 1, 1000)
	for _, d := range out.ServiceDetails {
		if n := len(out.ServiceNames); n == 0 || out.ServiceNames[n-1] != d.ServiceName {
			out.ServiceNames = append(out.ServiceNames, d.ServiceName)
		}
	}
	return out, err
}

func filterKeep[T any](s []*T, keep func(*T) bool) []*T {
	var out []*T
	for _, v := range s {
		if keep(v) {
			out = append(out, v)
		}
	}
	return out
}

func containsStr(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
