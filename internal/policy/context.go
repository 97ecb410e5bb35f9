package policy

import "strings"

// Context holds a request's condition keys. Keys are case-insensitive;
// each has one value or several (multivalued keys).
type Context struct {
	entries []entry
}

type entry struct {
	key    string // lowercase
	values []string
}

// Set gives a key its values, replacing any it had.
func (c *Context) Set(key string, values ...string) {
	c.setLower(lowerKey(key), values)
}

// SetAll gives each of from's keys its values, replacing any they had: a
// context prepared once (a caller's keys, an endpoint's) applied to many
// requests. Values are shared, never changed.
func (c *Context) SetAll(from *Context) {
	for _, e := range from.entries {
		c.setLower(e.key, e.values)
	}
}

func (c *Context) setLower(k string, values []string) {
	for i := range c.entries {
		if c.entries[i].key == k {
			c.entries[i].values = values
			return
		}
	}
	c.entries = append(c.entries, entry{k, values})
}

// Len is the number of keys.
func (c *Context) Len() int { return len(c.entries) }

// Grow makes room for n more keys, so that setting them allocates once.
func (c *Context) Grow(n int) {
	if n > cap(c.entries)-len(c.entries) {
		c.entries = append(make([]entry, 0, len(c.entries)+n), c.entries...)
	}
}

// lowerKey is a key in lowercase: as given when it is, else from a table
// of the keys requests carry most, else newly made.
func lowerKey(key string) string {
	for i := 0; i < len(key); i++ {
		if c := key[i]; 'A' <= c && c <= 'Z' || c >= 0x80 {
			if l, ok := commonKeys[key]; ok {
				return l
			}
			return strings.ToLower(key)
		}
	}
	return key
}

// commonKeys maps the global condition keys set on most requests to
// their lowercase form.
var commonKeys = func() map[string]string {
	m := map[string]string{}
	for _, k := range []string{"aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType", "aws:PrincipalOrgID",
		"aws:PrincipalOrgPaths", "aws:PrincipalTag", "aws:PrincipalIsAWSService", "aws:SourceVpce", "aws:SourceVpc",
		"aws:VpcSourceIp", "aws:SourceIp", "aws:SecureTransport", "aws:CurrentTime", "aws:EpochTime", "aws:RequestedRegion",
		"aws:ViaAWSService", "aws:CalledVia", "aws:SourceAccount", "aws:SourceArn", "aws:ResourceAccount", "aws:TokenIssueTime",
		"aws:MultiFactorAuthPresent", "aws:UserAgent", "aws:Referer", "s3:x-amz-acl", "s3:ExistingObjectTag", "s3:RequestObjectTag",
		"s3:signatureversion", "s3:authType", "s3:TlsVersion", "s3:x-amz-content-sha256", "s3:x-amz-server-side-encryption"} {
		m[k] = strings.ToLower(k)
	}
	return m
}()

// Delete removes a key.
func (c *Context) Delete(key string) {
	k := lowerKey(key)
	for i := range c.entries {
		if c.entries[i].key == k {
			c.entries = append(c.entries[:i], c.entries[i+1:]...)
			return
		}
	}
}

// Get returns a key's values and whether it is present.
func (c *Context) Get(key string) ([]string, bool) {
	return c.get(strings.ToLower(key))
}

func (c *Context) get(lowerKey string) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	for i := range c.entries {
		if c.entries[i].key == lowerKey {
			return c.entries[i].values, true
		}
	}
	return nil, false
}

// single returns a single-valued key's value, for policy variables.
func (c *Context) single(lowerKey string) (string, bool) {
	v, ok := c.get(lowerKey)
	if !ok || len(v) != 1 {
		return "", false
	}
	return v[0], true
}

// Keys returns the keys present, lowercase.
func (c *Context) Keys() []string {
	out := make([]string, len(c.entries))
	for i, e := range c.entries {
		out[i] = e.key
	}
	return out
}

// Request is one request to decide: who asks to do what to which resource,
// and the condition keys that come with it.
type Request struct {
	// PrincipalARN is the caller (arn:aws:iam::111122223333:role/app, or
	// …:root). Empty means anonymous.
	PrincipalARN string
	// PrincipalAccount is the caller's account; derived from the ARN when
	// empty.
	PrincipalAccount string
	// PrincipalService is set when a service principal calls
	// (ec2.amazonaws.com).
	PrincipalService string
	// PrincipalFederated is a web identity or SAML provider
	// (cognito-identity.amazonaws.com, arn:aws:iam::…:saml-provider/x).
	PrincipalFederated string
	// PrincipalCanonicalUser is an S3 canonical user ID.
	PrincipalCanonicalUser string
	Action                 string
	Resource               string
	// ResourceUnknown says the request names a resource that the caller
	// could not determine (a service whose ARNs it cannot build, a document
	// too large to read): Resource is then "*", and the resource is decided
	// as any the action's service may have — a Deny applies when one of its
	// Resource patterns could name a resource of that service (or its
	// NotResource does not cover every resource), an Allow only when a
	// Resource is "*" (or its NotResource can name none of the service's).
	// Nothing the caller does not know is taken as allowed.
	ResourceUnknown bool
	// ResourceAccount owns the resource; empty means the caller's account.
	ResourceAccount string
	Context         Context
}

// Endpoint describes the VPC endpoint a request came through.
type Endpoint struct {
	ID       string // vpce-…
	VpcID    string
	SourceIP string // the caller's private address
	Type     string // Interface or Gateway
}

// ViaEndpoint makes the request one that came through a VPC endpoint, as
// AWS presents it: aws:SourceVpce, aws:SourceVpc and aws:VpcSourceIp are
// set, and aws:SourceIp is removed — it is absent on endpoint traffic.
func (r *Request) ViaEndpoint(e Endpoint) {
	r.Context.Set("aws:SourceVpce", e.ID)
	if e.VpcID != "" {
		r.Context.Set("aws:SourceVpc", e.VpcID)
	}
	if e.SourceIP != "" {
		r.Context.Set("aws:VpcSourceIp", e.SourceIP)
	}
	r.Context.Delete("aws:SourceIp")
}

func (r *Request) principalAccount() string {
	if r.PrincipalAccount != "" {
		return r.PrincipalAccount
	}
	return arnAccount(r.PrincipalARN)
}

// arnAccount returns the account field (the fifth) of an ARN, or "".
func arnAccount(arn string) string {
	rest := arn
	for range 4 {
		i := strings.IndexByte(rest, ':')
		if i < 0 {
			return ""
		}
		rest = rest[i+1:]
	}
	i := strings.IndexByte(rest, ':')
	if i < 0 {
		return ""
	}
	return rest[:i]
}
