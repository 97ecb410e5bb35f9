// Package ec2query speaks the EC2 Query protocol (API version 2016-11-15):
// it decodes form parameters into the typed inputs of package cloud using
// their `ec2` struct tags, dispatches by Action, encodes outputs as EC2's
// XML using their `xml` tags, writes AWS's error documents, and verifies
// SigV4 signatures. It holds no business rules.
package ec2query
