package dataplane

import (
	"bytes"
	"cmp"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/ec2query"
	"github.com/vpce/vpce/internal/policy"
	"github.com/vpce/vpce/internal/reach"
	"github.com/vpce/vpce/internal/resolver"
)

// Limits of one request.
const (
	maxQueryBody = 1 << 20  // a Query or JSON protocol body read to find the operation
	maxPolicy    = 20 << 10 // S3's bucket policy limit
)

// call is a request as IAM sees it.
type call struct {
	Service string // s3, ssm, sts, …: the catalog's short name
	Op      string
	Actions []actionOn
	Context map[string][]string
	Bucket  string // S3 only
	Key     string // S3 only
	// Protocol is how errors are written: rest-xml (S3), json or query.
	Protocol string
	// Deletes are a DeleteObjects request's keys, one per action.
	Deletes *deleteDoc
}

// iamPrefix is the IAM service prefix of a catalog service: the name's
// first part, except where the Service Authorization Reference names the
// service otherwise.
func iamPrefix(service string) string {
	switch service {
	case "ecr.api", "ecr.dkr":
		return "ecr"
	case "kinesis-streams":
		return "kinesis"
	case "kinesis-firehose":
		return "firehose"
	case "monitoring":
		return "cloudwatch"
	case "email-smtp":
		return "ses"
	case "execute-api":
		return "execute-api"
	case "bedrock-runtime", "bedrock-agent", "bedrock-agent-runtime":
		return "bedrock"
	case "appconfigdata":
		return "appconfig"
	case "guardduty-data":
		return "guardduty"
	case "memory-db":
		return "memorydb"
	case "sync-states":
		return "states"
	case "git-codecommit":
		return "codecommit"
	case "ecs-agent", "ecs-telemetry":
		return "ecs"
	case "appmesh-envoy-management":
		return "appmesh"
	case "appsync-api":
		return "appsync"
	case "tagging":
		return "tag"
	}
	first, _, _ := strings.Cut(service, ".")
	return first
}

func requestID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return strings.ToUpper(hex.EncodeToString(b))
}

// serviceOf says which service a request is for: S3 by its names (any
// form), else the public name's service, else the interface endpoint the
// path ends at.
func (p *Proxy) serviceOf(t *tunnel) (string, string) {
	if bucket, ok := s3Host(t.host); ok {
		return "s3", bucket
	}
	if _, svc, ok := resolver.PublicService(t.host); ok {
		return svc, ""
	}
	if t.path.Endpoint != "" {
		if ep := t.a.Snapshot().Endpoints[t.path.Endpoint]; ep != nil {
			if s, ok := ep.Service(t.a.Snapshot().Scope.Region); ok {
				if s.Short == "s3" {
					return "s3", ""
				}
				return s.Short, ""
			}
		}
	}
	return "", ""
}

// classify maps a request to its service, operation, actions and
// resources. Query bodies are read (bounded) and put back.
func (p *Proxy) classify(t *tunnel, r *http.Request) (*call, error) {
	svc, bucket := p.serviceOf(t)
	if svc == "s3" {
		c := classifyS3(r, bucket)
		out := &call{Service: "s3", Op: c.Op, Actions: c.Actions, Context: c.Context, Bucket: c.Bucket, Key: c.Key, Protocol: "rest-xml"}
		if c.Op == "DeleteObjects" {
			// Every key is decided: a Deny on one prefix must hold.
			doc, err := readDeleteObjects(r)
			if err != nil {
				return nil, err
			}
			out.Actions, out.Deletes = doc.actions(c.Bucket), doc
		}
		return out, nil
	}
	c := &call{Service: svc, Context: map[string][]string{}}
	var form url.Values // a Query request's parameters: the URL's, then the form body's
	var malformed error // a pair Go's parser dropped
	if r.Header.Get("X-Amz-Target") == "" {
		form, malformed = url.ParseQuery(r.URL.RawQuery)
		if r.Method == http.MethodPost && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			body, err := io.ReadAll(io.LimitReader(r.Body, maxQueryBody+1))
			if err != nil {
				return nil, err
			}
			if len(body) > maxQueryBody {
				return nil, fmt.Errorf("a Query request body larger than %d bytes", maxQueryBody)
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			posted, err := url.ParseQuery(string(body))
			malformed = cmp.Or(malformed, err)
			for k, v := range posted {
				form[k] = append(form[k], v...)
			}
		}
	}
	if malformed != nil && form.Has("Action") {
		// A pair the parser dropped might name the resource the service
		// acts on: a Query request is carried only as it was read.
		return nil, fmt.Errorf("a malformed Query parameter: %v", malformed)
	}
	if k := ambiguous(form); k != "" && form.Has("Action") {
		return nil, fmt.Errorf("the Query parameter %s is given more than once with different values", k)
	}
	c.Op, c.Protocol = operationOf(svc, r, form.Get("Action"))
	prefix := iamPrefix(svc)
	if svc == "" {
		prefix = "unknown"
	}
	if svc == "execute-api" && c.Op == "" {
		// A call of an API Gateway API: execute-api:Invoke on
		// arn:aws:execute-api:REGION:ACCOUNT:API-ID/STAGE/METHOD/PATH,
		// the account being the source's (vpce does not know the API's).
		c.Op, c.Protocol = "Invoke", "rest-json"
		apiID, _, _ := strings.Cut(t.host, ".")
		res := fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s%s", t.scope().Region, t.scope().Account, apiID, executeAPIStage(r.URL.Path), r.Method+executeAPIPath(r.URL.Path))
		c.Actions = []actionOn{{Action: "execute-api:Invoke", Resource: res}}
		return c, nil
	}
	if svc == "ecr.dkr" && c.Op == "" {
		// The registry's Docker API (registry.go).
		op, repo := registryAction(r.Method, r.URL.Path)
		c.Op, c.Protocol = op, "rest-json"
		res := "*"
		if repo != "" {
			res = registryRepository(t.host, repo, t.scope())
		}
		c.Actions = []actionOn{{Action: "ecr:" + op, Resource: res}}
		return c, nil
	}
	if c.Op == "" {
		// Nothing in the request or the model names the operation: it is
		// decided as svc:UnknownOperation (only a policy allowing every
		// action of the service allows it).
		c.Op, c.Protocol = "UnknownOperation", "json"
		if m := operationTable()[svc]; m != nil && m.rest() {
			c.Protocol = "rest-json"
		}
	}
	act := prefix + ":" + c.Op
	if a, ok := iamActions[act]; ok {
		act = a
	}
	// The resources the request names, each decided (a Deny on one table
	// must hold for a batch that names it). Where vpce cannot tell which
	// resources a request names — a service whose ARNs it does not build,
	// an operation it does not know, a document too large to read — the
	// resource is unknown: decided as any of the service's, so no Deny
	// naming one is passed.
	var res []string
	read, params := false, true // (a REST request's parameters are not counted)
	switch {
	case c.Op == "UnknownOperation":
	case c.Protocol == "json":
		var err error
		if res, read, params, err = jsonResources(r, svc, c.Op, t.scope()); err != nil {
			return nil, err
		}
	case c.Protocol == "query":
		res, read = queryResources(svc, c.Op, form, t.scope())
		params = false
		for k := range form {
			params = params || k != "Action" && k != "Version"
		}
	case c.Protocol == "rest-json":
		res, read = restResources(svc, operationTable()[svc], r.Method, r.URL, t.scope())
	}
	c.Actions = []actionOn{{Action: act, Resource: "*", Unknown: !resourcesKnown(read, res, c.Op, params)}}
	if len(res) > 0 {
		c.Actions = c.Actions[:0]
		for _, x := range res {
			c.Actions = append(c.Actions, actionOn{Action: act, Resource: x})
		}
	}
	return c, nil
}

// executeAPIStage is the stage of an API Gateway request (the path's
// first segment) followed by "/".
func executeAPIStage(p string) string {
	segs := splitPath(p)
	if len(segs) == 0 {
		return "*/"
	}
	return segs[0] + "/"
}

// executeAPIPath is the resource path after the stage, from "/".
func executeAPIPath(p string) string {
	segs := splitPath(p)
	if len(segs) < 2 {
		return "/"
	}
	return "/" + strings.Join(segs[1:], "/")
}

// maxDeleteBody bounds a DeleteObjects body: 1,000 keys of 1,024 bytes.
const maxDeleteBody = 2 << 20

// deleteDoc is a DeleteObjects request's body.
type deleteDoc struct {
	XMLName xml.Name `xml:"Delete"`
	Quiet   bool     `xml:"Quiet"`
	Objects []struct {
		Key       string `xml:"Key"`
		VersionID string `xml:"VersionId,omitempty"`
	} `xml:"Object"`
}

// readDeleteObjects reads a DeleteObjects body (and puts it back).
func readDeleteObjects(r *http.Request) (*deleteDoc, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxDeleteBody+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxDeleteBody {
		return nil, fmt.Errorf("a DeleteObjects body larger than %d bytes", maxDeleteBody)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	doc := &deleteDoc{}
	if err := xml.Unmarshal(body, doc); err != nil {
		return nil, fmt.Errorf("a DeleteObjects body that is not XML: %v", err)
	}
	if len(doc.Objects) == 0 || len(doc.Objects) > 1000 {
		return nil, fmt.Errorf("DeleteObjects takes 1 to 1,000 keys, not %d", len(doc.Objects))
	}
	return doc, nil
}

// actions are s3:DeleteObject (or DeleteObjectVersion) on each key.
func (d *deleteDoc) actions(bucket string) []actionOn {
	out := make([]actionOn, 0, len(d.Objects))
	for _, o := range d.Objects {
		a := "s3:DeleteObject"
		if o.VersionID != "" {
			a = "s3:DeleteObjectVersion"
		}
		out = append(out, actionOn{Action: a, Resource: "arn:aws:s3:::" + bucket + "/" + o.Key})
	}
	return out
}

// keep rewrites r's body to the objects not denied, as S3 goes on with
// the keys it may delete: Content-Length, Content-MD5 and the payload
// hash follow the new body; checksums of the old one are dropped.
func (d *deleteDoc) keep(r *http.Request, denied map[int]bool) error {
	kept := &deleteDoc{Quiet: d.Quiet}
	for i, o := range d.Objects {
		if !denied[i] {
			kept.Objects = append(kept.Objects, o)
		}
	}
	body, err := xml.Marshal(kept)
	if err != nil {
		return err
	}
	body = append([]byte(xml.Header), body...)
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.Header.Set("Content-Length", strconv.Itoa(len(body)))
	md := md5.Sum(body)
	r.Header.Set("Content-Md5", base64.StdEncoding.EncodeToString(md[:]))
	if r.Header.Get("X-Amz-Content-Sha256") != "" {
		sum := sha256.Sum256(body)
		r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	}
	for k := range r.Header {
		if strings.HasPrefix(k, "X-Amz-Checksum-") || k == "X-Amz-Sdk-Checksum-Algorithm" || k == "X-Amz-Trailer" {
			delete(r.Header, k)
		}
	}
	return nil
}

// deniedErrors are S3's per-key errors for the keys a policy denied.
func (d *deleteDoc) deniedErrors(denied map[int]bool) string {
	var b strings.Builder
	for i, o := range d.Objects {
		if !denied[i] {
			continue
		}
		b.WriteString("<Error><Key>" + xmlEscape(o.Key) + "</Key>")
		if o.VersionID != "" {
			b.WriteString("<VersionId>" + xmlEscape(o.VersionID) + "</VersionId>")
		}
		b.WriteString("<Code>AccessDenied</Code><Message>Access Denied</Message></Error>")
	}
	return b.String()
}

// deleteMerge holds a DeleteObjects answer to add the denied keys'
// errors to it.
type deleteMerge struct {
	http.ResponseWriter
	status int
	buf    bytes.Buffer
}

func (m *deleteMerge) WriteHeader(s int) {
	if m.status == 0 {
		m.status = s
	}
}

func (m *deleteMerge) Write(b []byte) (int, error) {
	if m.status == 0 {
		m.status = http.StatusOK
	}
	if m.buf.Len()+len(b) > 16<<20 {
		return 0, errors.New("DeleteObjects answer too large")
	}
	return m.buf.Write(b)
}

// Flush is held until the answer is merged.
func (m *deleteMerge) Flush() {}

// finish writes the answer with the errors inside its DeleteResult.
func (m *deleteMerge) finish(errs string) {
	body := m.buf.Bytes()
	if m.status == 0 {
		m.status = http.StatusOK
	}
	if i := bytes.LastIndex(body, []byte("</DeleteResult>")); m.status == http.StatusOK && i >= 0 {
		body = slices.Concat(body[:i], []byte(errs), body[i:])
	}
	m.Header().Set("Content-Length", strconv.Itoa(len(body)))
	m.ResponseWriter.WriteHeader(m.status)
	m.ResponseWriter.Write(body)
}

// allDenied answers a DeleteObjects whose every key was denied as S3
// does: 200, each key's AccessDenied in the DeleteResult.
func allDenied(w http.ResponseWriter, errs string) {
	w.Header().Set("Content-Type", "application/xml")
	w.Header().Set("X-Amz-Request-Id", requestID())
	io.WriteString(w, xml.Header+`<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`+errs+`</DeleteResult>`)
}

// serveRequest carries one request on an open path: classify, decide,
// answer or forward, meter.
func (p *Proxy) serveRequest(t *tunnel, w http.ResponseWriter, r *http.Request) {
	host := strings.ToLower(r.Host)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host != t.host {
		p.cfg.Meter.deny(t.scope(), t.path, "host")
		refuse(w, http.StatusMisdirectedRequest, "HOST_MISMATCH", fmt.Sprintf("Host %q is not the host %q this connection was opened (and decided) for", r.Host, t.host))
		return
	}
	if !t.fresh && !p.stillOpen(t, r) {
		// The path this connection was opened on changed (a route, an
		// endpoint, a group): as a TCP flow whose route moves, it is
		// reset; the client's next connection is decided anew.
		p.cfg.Meter.deny(t.scope(), t.path, "path-changed")
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		refuse(w, http.StatusServiceUnavailable, "PATH_CHANGED", "the path of this connection changed; open a new one")
		return
	}
	if r.ContentLength != 0 {
		r.Body = &idleBody{ReadCloser: http.MaxBytesReader(w, r.Body, 5<<30), rc: http.NewResponseController(w), progress: progress{idle: p.cfg.IdleTimeout}}
	}
	c, err := p.classify(t, r)
	if err != nil {
		refuse(w, http.StatusBadRequest, "BAD_REQUEST", err.Error())
		return
	}
	if c.Service == "s3" && (c.Op == "Unknown" || strings.HasPrefix(c.Op, "Unknown")) {
		// Fail closed: what is not classified is not carried (a browser
		// POST upload names its key in a form vpce does not read).
		p.cfg.Meter.deny(t.scope(), t.path, "unclassified")
		s3Error(w, http.StatusNotImplemented, "NotImplemented", fmt.Sprintf("vpce's data plane does not carry this S3 request (%s %s): it cannot name the action and resource to decide", r.Method, r.URL.Path))
		return
	}
	registry := c.Service == "ecr.dkr" && accessKeyOf(r) == ""
	if p.cfg.Credentials != nil && registry {
		// A registry client's credentials are a token's password (ecrtoken.go).
		if _, err := p.ecrTokenKey(registryPassword(r), true, time.Now()); err != nil {
			p.cfg.Meter.deny(t.scope(), t.path, "signature")
			registryChallenge(w, t.host, err.Error())
			return
		}
	} else if p.cfg.Credentials != nil {
		if err := p.verify(r, c); err != nil {
			reason := "SIGNATURE"
			if apierr.HasCode(err, "RequestEntityTooLarge") {
				reason = "BODY_TOO_LARGE"
			}
			p.cfg.Meter.deny(t.scope(), t.path, "signature")
			p.authError(w, c, reason, err)
			return
		}
	}
	id, key := p.identity(r)
	if registry {
		if k, err := p.ecrTokenKey(registryPassword(r), false, time.Time{}); err == nil {
			id, key = p.identityOf(k)
		}
	}
	if p.cfg.Credentials != nil && !slices.Contains(p.cfg.AdminKeys, key) && (key == "" || id.Account != t.scope().Account) {
		// With auth on, a source is used only by its own account's keys:
		// nobody sends from another tenant's instance.
		p.cfg.Meter.deny(t.scope(), t.path, "source-account")
		msg := fmt.Sprintf("requests from %s must be signed by a key of account %s", t.src, t.scope().Account)
		serviceError(w, c.Protocol, "SOURCE_NOT_YOURS", http.StatusForbidden, "AccessDenied", msg)
		return
	}
	if t.tls {
		c.Context["aws:SecureTransport"] = []string{"true"}
	} else {
		c.Context["aws:SecureTransport"] = []string{"false"}
	}
	req := reach.Request{Principal: id.Principal, Identity: id.Policies, Boundary: id.Boundary, Context: c.Context}
	var bucket cloud.Bucket
	if c.Service == "s3" && c.Bucket != "" {
		b, ok, err := p.cfg.Cloud.GetBucket(r.Context(), c.Bucket)
		if err != nil {
			refuse(w, http.StatusServiceUnavailable, "STATE_UNAVAILABLE", err.Error())
			return
		}
		if ok {
			bucket = b
			req.ResourceAccount = b.Owner
			if b.Policy != "" {
				pol, fs := policy.Parse("bucket "+b.Name, policy.KindResource, b.Policy)
				if policy.Refusal(fs) == nil {
					req.ResourcePolicy = pol
				}
			}
		}
	}
	var denied map[int]bool // DeleteObjects: the keys S3 would report AccessDenied for
	for i, act := range c.Actions {
		req.Action, req.Resource, req.ResourceUnknown = act.Action, act.Resource, act.Unknown
		d := t.a.Decide(t.path, req)
		if !d.Allowed {
			p.cfg.Meter.deny(t.scope(), t.path, "policy")
			p.cfg.Logger.Info("request denied", "source", t.src, "host", t.host, "action", act.Action, "resource", act.Resource,
				"principal", id.Principal, "code", d.Code, "statements", strings.Join(d.Statements, ","))
			if c.Deletes != nil {
				// S3 decides a multi-object delete per key: the others go on.
				if denied == nil {
					denied = map[int]bool{}
				}
				denied[i] = true
				w.Header().Set("X-Vpce-Reason", d.Code)
				continue
			}
			p.accessDenied(w, c, id, act, d)
			return
		}
	}
	if len(denied) > 0 {
		errs := c.Deletes.deniedErrors(denied)
		if len(denied) == len(c.Actions) {
			allDenied(w, errs)
			return
		}
		if err := c.Deletes.keep(r, denied); err != nil {
			s3Error(w, http.StatusInternalServerError, "InternalError", err.Error())
			return
		}
		m := &deleteMerge{ResponseWriter: w}
		defer m.finish(errs)
		w = m
	}
	cw := &countingWriter{ResponseWriter: w}
	body := &countingBody{ReadCloser: r.Body}
	r.Body = body
	defer func() { p.cfg.Meter.carry(t.scope(), t.path, c.Service, body.n+cw.in, cw.n) }()
	switch {
	case c.Service == "s3" && c.Op == "GetBucketPolicy":
		p.getBucketPolicy(cw, c, bucket)
	case c.Service == "s3" && c.Op == "PutBucketPolicy":
		p.putBucketPolicy(cw, r, c, bucket, id)
	case c.Service == "s3" && c.Op == "DeleteBucketPolicy":
		if bucket.Name != "" {
			bucket.Policy = ""
			p.cfg.Cloud.SetBucket(r.Context(), bucket, false)
		}
		cw.WriteHeader(http.StatusNoContent)
	case c.Service == "sts" && c.Op == "GetCallerIdentity":
		getCallerIdentity(cw, id, key)
	case c.Service == "ecr.api" && c.Op == "GetAuthorizationToken" && p.upstreams["ecr.api"] == nil:
		p.getAuthorizationToken(cw, t, id, key)
	default:
		p.forward(t, cw, r, c, id)
	}
}

// stillOpen re-decides a connection's path when the state changed since
// it was decided, and reports whether it is the same path.
func (p *Proxy) stillOpen(t *tunnel, r *http.Request) bool {
	a, err := p.locate(r.Context(), t.src)
	if err != nil || a == nil {
		return false
	}
	if a == t.a {
		return true
	}
	res, err := p.decide(a, t.src, t.host, t.port)
	if err != nil || !res.Reachable || res.Verdict != t.path.Verdict || res.Endpoint != t.path.Endpoint || res.NatGateway != t.path.NatGateway {
		return false
	}
	t.a, t.path = a, res
	return true
}

// verify checks a signed request's signature with the server's keys. The
// payload hash is the one S3 requests declare (or UNSIGNED-PAYLOAD for a
// presigned URL); other services' bodies are read (bounded) and hashed.
func (p *Proxy) verify(r *http.Request, c *call) error {
	hash := r.Header.Get("X-Amz-Content-Sha256")
	if hash == "" && r.URL.Query().Get("X-Amz-Signature") != "" {
		hash = "UNSIGNED-PAYLOAD"
	}
	if hash == "" {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxQueryBody+1))
		if err != nil {
			return err
		}
		if len(body) > maxQueryBody {
			// Not a bad signature: a body vpce does not read whole to hash.
			return &apierr.Error{Code: "RequestEntityTooLarge", Status: http.StatusRequestEntityTooLarge,
				Message: fmt.Sprintf("with --auth sigv4 vpce verifies a signed body without x-amz-content-sha256 by hashing it, and reads at most %d bytes of one", maxQueryBody)}
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(body)
		hash = hex.EncodeToString(sum[:])
	}
	_, err := ec2query.VerifyDeclared(r, hash, p.cfg.Credentials, time.Now())
	return err
}

// authError answers a failed signature check in the service's format.
func (p *Proxy) authError(w http.ResponseWriter, c *call, reason string, err error) {
	code, msg, status := "SignatureDoesNotMatch", err.Error(), http.StatusForbidden
	if ae, ok := apierr.As(err); ok {
		code, msg = ae.Code, ae.Message
		if ae.Status != 0 {
			status = ae.Status
		}
	}
	serviceError(w, c.Protocol, reason, status, code, msg)
}

// accessDenied answers as the service would, naming the policy type that
// denied as AWS's messages now do.
func (p *Proxy) accessDenied(w http.ResponseWriter, c *call, id Identity, act actionOn, d reach.Decision) {
	kind := map[string]string{policy.TypeEndpoint: "VPC endpoint policy", policy.TypeResource: "resource-based policy",
		policy.TypeBoundary: "permissions boundary", policy.TypeSCP: "service control policy"}[d.DecidedBy]
	if kind == "" {
		kind = "identity-based policy"
	}
	who := id.Principal
	if who == "" {
		who = "anonymous"
	}
	why := "because no " + kind + " allows the " + act.Action + " action"
	if d.Decision == policy.ExplicitDeny {
		why = "with an explicit deny in a " + kind
	}
	msg := fmt.Sprintf("User: %s is not authorized to perform: %s on resource: \"%s\" %s", who, act.Action, act.Resource, why)
	if act.Unknown {
		svc, _, _ := strings.Cut(act.Action, ":")
		msg += " (vpce cannot tell which resource this request names, so it is decided as any of " + svc + "'s: a Deny naming one applies, an Allow must name them all)"
	}
	w.Header().Set("X-Vpce-Component", d.Component)
	serviceError(w, c.Protocol, d.Code, http.StatusForbidden, "AccessDenied", msg)
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// serviceError writes an error as the service would: S3's XML error
// document (rest-xml), the JSON protocol's __type, which AWS answers with
// 400 and names AccessDenied AccessDeniedException, or the Query
// protocol's ErrorResponse. reason goes in X-Vpce-Reason when set.
func serviceError(w http.ResponseWriter, protocol, reason string, status int, code, msg string) {
	rid := requestID()
	if reason != "" {
		w.Header().Set("X-Vpce-Reason", reason)
	}
	w.Header().Set("X-Amz-Request-Id", rid)
	switch protocol {
	case "rest-xml":
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<Error><Code>%s</Code><Message>%s</Message><RequestId>%s</RequestId><HostId>%s</HostId></Error>`, code, xmlEscape(msg), rid, rid)
	case "json":
		if code == "AccessDenied" {
			code = "AccessDeniedException"
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.Header().Set("X-Amzn-ErrorType", code)
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
	case "rest-json":
		// REST-JSON services answer with the HTTP status of the error
		// (403 for AccessDeniedException) and its name in X-Amzn-ErrorType.
		if code == "AccessDenied" {
			code = "AccessDeniedException"
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-ErrorType", code)
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]string{"Message": msg, "message": msg})
	default:
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`, code, xmlEscape(msg), rid)
	}
}

// s3Error writes S3's error document.
func s3Error(w http.ResponseWriter, status int, code, msg string) {
	serviceError(w, "rest-xml", "", status, code, msg)
}

func (p *Proxy) getBucketPolicy(w http.ResponseWriter, c *call, b cloud.Bucket) {
	if b.Policy == "" {
		s3Error(w, http.StatusNotFound, "NoSuchBucketPolicy", "The bucket policy does not exist")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, b.Policy)
}

func (p *Proxy) putBucketPolicy(w http.ResponseWriter, r *http.Request, c *call, b cloud.Bucket, id Identity) {
	doc, err := io.ReadAll(io.LimitReader(r.Body, maxPolicy+1))
	if err != nil {
		s3Error(w, http.StatusBadRequest, "IncompleteBody", err.Error())
		return
	}
	if len(doc) > maxPolicy {
		s3Error(w, http.StatusBadRequest, "PolicyTooLarge", "Policies must be no more than 20 KB")
		return
	}
	_, fs := policy.Parse("bucket "+c.Bucket, policy.KindResource, string(doc))
	if f := policy.Refusal(fs); f != nil {
		s3Error(w, http.StatusBadRequest, "MalformedPolicy", f.Message)
		return
	}
	if b.Name == "" {
		b = cloud.Bucket{Name: c.Bucket, Owner: id.Account}
	}
	b.Policy = string(doc)
	if err := p.cfg.Cloud.SetBucket(r.Context(), b, false); err != nil {
		s3Error(w, http.StatusServiceUnavailable, "ServiceUnavailable", err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func getCallerIdentity(w http.ResponseWriter, id Identity, key string) {
	if id.Principal == "" {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `<ErrorResponse><Error><Type>Sender</Type><Code>MissingAuthenticationToken</Code><Message>Request is missing Authentication Token</Message></Error></ErrorResponse>`)
		return
	}
	userID := key
	if strings.HasSuffix(id.Principal, ":root") {
		userID = id.Account
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>%s</Arn><UserId>%s</UserId><Account>%s</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
		xmlEscape(id.Principal), xmlEscape(userID), id.Account, strings.ToLower(requestID()))
}

// forward sends a request to the service's upstream: the configured one,
// else the embedded S3 for S3; otherwise 502 naming the flag.
func (p *Proxy) forward(t *tunnel, w http.ResponseWriter, r *http.Request, c *call, id Identity) {
	up := p.upstreams[c.Service]
	if c.Service == "s3" && up == nil && p.cfg.S3 != nil {
		p.embeddedS3(w, r, c, id)
		return
	}
	if up == nil {
		name := c.Service
		if name == "" {
			name = "SERVICE"
		}
		refuse(w, http.StatusBadGateway, "NO_UPSTREAM", fmt.Sprintf("no upstream serves %s (%s): start vpce serve with --upstream %s=http://127.0.0.1:PORT (LocalStack, MinIO, moto …)", t.host, orUnknown(c.Service), name))
		return
	}
	path, raw, host := r.URL.Path, r.URL.RawPath, r.Host // upstreams route (and check signatures) by the service's name
	if c.Service == "s3" {
		path, raw = s3Path(up.url.Path, c.Bucket, c.Key)
		host = up.url.Host // path-style at the upstream
	} else if base := strings.TrimSuffix(up.url.Path, "/"); base != "" {
		path, raw = base+r.URL.Path, ""
		if r.URL.RawPath != "" {
			raw = base + r.URL.RawPath
		}
	}
	if err := up.serve(w, r, path, raw, host); err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			refuse(w, http.StatusGatewayTimeout, "UPSTREAM_TIMEOUT", fmt.Sprintf("the %s upstream made no progress for %s: %v", c.Service, p.cfg.IdleTimeout, err))
			return
		}
		refuse(w, http.StatusBadGateway, "UPSTREAM_FAILED", err.Error())
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "a service vpce does not know"
	}
	return s
}

// s3Path is the path-style path of a bucket and key, escaped so that the
// upstream reads back exactly the key that was decided.
func s3Path(base, bucket, key string) (path, raw string) {
	base = strings.TrimSuffix(base, "/")
	if bucket == "" {
		return base + "/", ""
	}
	path = base + "/" + bucket
	raw = base + "/" + url.PathEscape(bucket)
	if key != "" {
		path += "/" + key
		raw += "/" + escapeKey(key)
	}
	return path, raw
}

// escapeKey escapes every byte of a key but unreserved ones and "/".
func escapeKey(k string) string {
	var b strings.Builder
	for i := 0; i < len(k); i++ {
		ch := k[i]
		if ch == '/' || ch == '-' || ch == '_' || ch == '.' || ch == '~' || ('a' <= ch && ch <= 'z') || ('A' <= ch && ch <= 'Z') || ('0' <= ch && ch <= '9') {
			b.WriteByte(ch)
		} else {
			fmt.Fprintf(&b, "%%%02X", ch)
		}
	}
	return b.String()
}

// embeddedS3 serves S3 from the embedded store, path-style, recording
// bucket owners as buckets are made and removed.
func (p *Proxy) embeddedS3(w http.ResponseWriter, r *http.Request, c *call, id Identity) {
	out := r.Clone(r.Context())
	out.URL = &url.URL{Path: "/", RawQuery: r.URL.RawQuery}
	out.URL.Path, out.URL.RawPath = s3Path("", c.Bucket, c.Key)
	out.RequestURI = out.URL.RequestURI()
	out.Host = "s3.vpce.internal"
	out.Header.Del("Proxy-Authorization")
	if want := r.Header.Get("X-Amz-Content-Sha256"); r.ContentLength != 0 && isSHA256Hex(want) {
		// S3 checks a body against the hash its request declares. The
		// embedded S3 holds each object in memory to store it anyway: the
		// body is read, checked, then served.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			s3Error(w, http.StatusBadRequest, "IncompleteBody", "The request body terminated unexpectedly")
			return
		}
		if sum := sha256.Sum256(body); !strings.EqualFold(hex.EncodeToString(sum[:]), want) {
			s3Error(w, http.StatusBadRequest, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.")
			return
		}
		out.Body, out.ContentLength = io.NopCloser(bytes.NewReader(body)), int64(len(body))
	}
	rec := &statusWriter{ResponseWriter: w}
	p.cfg.S3.ServeHTTP(rec, out)
	ok := rec.status == 0 || rec.status/100 == 2
	switch {
	case c.Op == "CreateBucket" && ok:
		p.cfg.Cloud.SetBucket(r.Context(), cloud.Bucket{Name: c.Bucket, Owner: id.Account}, false)
	case c.Op == "DeleteBucket" && ok:
		p.cfg.Cloud.SetBucket(r.Context(), cloud.Bucket{Name: c.Bucket}, true)
	}
}

// isSHA256Hex reports whether a payload hash is a SHA-256 (not
// UNSIGNED-PAYLOAD or a STREAMING-… chunked signature).
func isSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
	w.ResponseWriter.WriteHeader(s)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// countingWriter meters an answer. (Its write deadline is the front
// end's: pushed ahead as the connection's writes make progress.)
type countingWriter struct {
	http.ResponseWriter
	n  int64
	in int64 // bytes from the client after a protocol switch
}

func (w *countingWriter) Write(b []byte) (int, error) {
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (a protocol
// upgrade hijacks it).
func (w *countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// spliced meters a switched connection's bytes.
func (w *countingWriter) spliced(in, out int64) { w.n += out; w.in += in }

func (w *countingWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

type countingBody struct {
	io.ReadCloser
	n int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n += int64(n)
	return n, err
}
