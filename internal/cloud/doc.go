// Package cloud is vpce's domain: VPCs, subnets, route tables, security
// groups, network ACLs, gateways, network interfaces and instances, with
// AWS's IDs, defaults, states, validation and error codes. It knows nothing
// of HTTP or SQL: every operation is a plain method on [Cloud] that takes a
// [Scope] (account and region) and a typed input, and runs as one store
// transaction, so that all of its effects commit together or not at all.
//
// Input types carry `ec2` struct tags naming their EC2 Query parameters and
// output types carry `xml` tags naming their response elements; the
// ec2query package decodes and encodes with them and holds no rules.
package cloud
