// Package resolver is each VPC's DNS resolver (AmazonProvidedDNS): it
// answers as AWS's resolver would inside that VPC. With private DNS on, a
// service's public name resolves to the interface endpoint's addresses;
// the endpoints' vpce.amazonaws.com names resolve everywhere, as AWS
// publishes them; EC2 host names and their PTR records resolve when the VPC
// has enableDnsHostnames; anything else gets the public answer, from an
// upstream resolver when one is configured, else from the catalog.
//
// Each VPC's resolver has its own loopback address (see
// cloud.ResolverTarget); one UDP socket and one TCP listener serve them all
// and tell VPCs apart by the address a query was sent to.
package resolver
