// Package reach is the path engine: for a source, a destination and a
// port it decides the path AWS would take through one snapshot of the
// network — DNS in the source VPC (the resolver's own rules), security
// groups, network ACLs both ways, routes and prefix lists, gateways and
// endpoints, then the endpoint, identity and resource policies through
// the policy engine — and explains every hop with Reachability
// Analyzer's explanation codes, plus vpce's own where RA has none.
//
// It is pure: it reads a cloud.Snapshot and never changes anything.
// vpce reach, the EC2 Network Insights API and the data plane all call it.
package reach
