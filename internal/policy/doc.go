// Package policy is the IAM policy language: it parses policies with the
// position of every element, validates them with AWS's messages, compiles
// them, and decides requests the way AWS does — identity, resource and VPC
// endpoint policies (and optionally permission boundaries and SCPs)
// combined, explicit Deny first — with the matched statements and the
// context keys a decision needed but the request lacked.
//
// Compiled policies are immutable and safe for concurrent use; deciding a
// request allocates nothing when the caller reuses its [Result].
package policy
