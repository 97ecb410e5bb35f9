package doctor

import (
	"fmt"

	"github.com/vpce/vpce/internal/cloud"
)

// checkDNS: VPCs with interface endpoints and a DNS attribute off (private
// DNS needs both), and interface endpoints with private DNS off although
// their service has private names — clients then resolve the public name.
func checkDNS(c *Context) []Finding {
	var out []Finding
	for _, id := range c.VPCs {
		vpc := c.Snap.Vpcs[id]
		var ifaces []*cloud.VpcEndpoint
		for _, ep := range c.Snap.EndpointsOf(id) {
			if ep.VpcEndpointType == cloud.EndpointInterface {
				ifaces = append(ifaces, ep)
			}
		}
		if len(ifaces) == 0 {
			continue
		}
		if !vpc.EnableDNSSupport || !vpc.EnableDNSHostnames {
			attr, flag := "enableDnsSupport", "--enable-dns-support"
			if vpc.EnableDNSSupport {
				attr, flag = "enableDnsHostnames", "--enable-dns-hostnames"
			}
			out = append(out, Finding{Code: "VPC_DNS_ATTRIBUTE_OFF", Severity: High,
				Title:     fmt.Sprintf("%s has %s off: its %d interface endpoints' private DNS cannot work", id, attr, len(ifaces)),
				Resources: []string{id}, Evidence: fmt.Sprintf("enableDnsSupport=%v enableDnsHostnames=%v", vpc.EnableDNSSupport, vpc.EnableDNSHostnames),
				Fix: fmt.Sprintf(`aws ec2 modify-vpc-attribute --vpc-id %s %s '{"Value":true}'`, id, flag)})
		}
		for _, ep := range ifaces {
			svc, ok := ep.Service(c.Snap.Scope.Region)
			if !ok || len(svc.PrivateDNSNames) == 0 || ep.PrivateDNSEnabled {
				continue
			}
			out = append(out, Finding{Code: "ENDPOINT_PRIVATE_DNS_OFF", Severity: Medium,
				Title:     fmt.Sprintf("%s (%s) has private DNS off: clients in %s resolve %s to its public address", ep.VpcEndpointID, svc.Short, id, svc.PrivateDNSName()),
				Resources: []string{ep.VpcEndpointID}, Evidence: "privateDnsEnabled=false",
				Fix: fmt.Sprintf("aws ec2 modify-vpc-endpoint --vpc-endpoint-id %s --private-dns-enabled", ep.VpcEndpointID)})
		}
	}
	return out
}
