package doctor

import (
	"fmt"
	"maps"
	"slices"

	"github.com/vpce/vpce/internal/cloud"
)

// checkDNS: VPCs with interface endpoints and a DNS attribute off (private
// DNS needs both), VPCs whose DHCP options send their instances to other
// name servers (the endpoints' private DNS is then not what they get), and
// interface endpoints with private DNS off although their service has
// private names — clients then resolve the public name — and endpoints
// whose private DNS is for inbound Resolver endpoints only in a VPC that
// has none (nobody gets those private names).
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
		if d := c.Snap.DhcpOf(id); d != nil && !d.UsesAmazonDNS() {
			var private []string
			for _, ep := range ifaces {
				if ep.PrivateDNSEnabled {
					private = append(private, ep.VpcEndpointID)
				}
			}
			if len(private) > 0 {
				out = append(out, Finding{Code: "DHCP_OPTIONS_BYPASS_VPC_RESOLVER", Severity: High,
					Title:     fmt.Sprintf("%s's DHCP options %s give its instances other name servers: the private DNS of its %d interface endpoints is not what they get", id, d.DhcpOptionsID, len(private)),
					Resources: append([]string{id, d.DhcpOptionsID}, private...),
					Evidence:  fmt.Sprintf("domain-name-servers=%v (no AmazonProvidedDNS)", d.Values("domain-name-servers")),
					Fix:       fmt.Sprintf("aws ec2 associate-dhcp-options --vpc-id %s --dhcp-options-id <a set whose domain-name-servers include AmazonProvidedDNS>   # or make the servers forward to the VPC resolver", id)})
			}
		}
		inbound := slices.ContainsFunc(slices.Collect(maps.Values(c.Snap.ResolverEndpoints)), func(r *cloud.ResolverEndpoint) bool {
			return r.HostVPCID == id && r.Direction == "INBOUND"
		})
		for _, ep := range ifaces {
			svc, ok := ep.Service(c.Snap.Scope.Region)
			if ok && ep.PrivateDNSEnabled && ep.DNSOptions != nil && ep.DNSOptions.PrivateDNSOnlyForInboundResolverEndpoint != nil &&
				*ep.DNSOptions.PrivateDNSOnlyForInboundResolverEndpoint && !inbound {
				out = append(out, Finding{Code: "INBOUND_ONLY_DNS_WITHOUT_INBOUND_ENDPOINT", Severity: Medium,
					Title:     fmt.Sprintf("%s (%s) answers its private DNS only at inbound Resolver endpoints, and %s has none: on-premises and forwarding clients resolve %s publicly", ep.VpcEndpointID, svc.Short, id, svc.PrivateDNSName()),
					Resources: []string{ep.VpcEndpointID, id},
					Evidence:  "privateDnsOnlyForInboundResolverEndpoint=true; no INBOUND Route 53 Resolver endpoint in the VPC (resolver endpoints are not part of describe-* dumps)",
					Fix:       fmt.Sprintf("aws route53resolver create-resolver-endpoint --direction INBOUND --creator-request-id <id> --security-group-ids <sg allowing 53 from on premises> --ip-addresses SubnetId=<subnet in %s> SubnetId=<another>", id)})
			}
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
