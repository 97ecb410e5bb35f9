// Package dataplane is vpce's Hyperplane: a forward proxy that carries real
// aws CLI, SDK and curl requests from a chosen instance or interface along
// the path AWS would take, and enforces every rule on the way. The path
// of each new connection is decided by the path engine (internal/reach),
// the same function `vpce reach` calls; every request on an open path is
// mapped to its IAM action and resource and decided by reach.Decide with
// the endpoint, identity and resource policies; then it is forwarded to
// the embedded S3, a built-in STS, or a configured upstream, and metered.
package dataplane

import (
	"bufio"
	"context"
	"crypto/subtle"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/ec2query"
	"github.com/vpce/vpce/internal/reach"
)

// Config configures the data plane.
type Config struct {
	Cloud *cloud.Cloud
	CA    *CA
	// DefaultAccount is the account of callers whose access key is not a
	// 12-digit account ID and not in Identities.
	DefaultAccount string
	Identities     Identities
	// Upstreams send a service's requests on (s3 → MinIO, ssm → LocalStack);
	// S3 without an upstream goes to the embedded S3.
	Upstreams map[string]*url.URL
	// S3 is the embedded S3 (nil: none).
	S3     http.Handler
	Logger *slog.Logger
	Meter  *Meter
	// Credentials, when set (vpce serve --auth sigv4), are the keys whose
	// signatures the data plane verifies: a signed request with an
	// unknown key or a bad signature is refused as the service would.
	Credentials ec2query.Credentials
	// AdminKeys may send from any account's sources; other keys only from
	// their own account's (with Credentials set).
	AdminKeys []string
	// IdleTimeout is how long a request body, a response being written or
	// an upstream may make no progress (DefaultIdleTimeout when 0).
	IdleTimeout time.Duration
}

// Proxy is the data plane's front end: an HTTP forward proxy that a client
// names its source to with the proxy user name (http://i-0abc…:x@host:port).
type Proxy struct {
	cfg       Config
	upstreams map[string]*upstream

	mu        sync.Mutex
	analyzers map[*cloud.Snapshot]*reach.Analyzer
	// paths caches decisions per analyzer (so per snapshot): plain HTTP
	// requests each ask, as each could open a connection.
	paths    map[pathKey]*reach.Result
	where    map[string]cloud.Scope // source → the scope it was found in
	scopes   []cloud.Scope
	scopesAt time.Time
}

// New returns a proxy.
func New(cfg Config) *Proxy {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Meter == nil {
		cfg.Meter = NewMeter(nil)
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.DefaultAccount == "" {
		cfg.DefaultAccount = "000000000000"
	}
	ups := map[string]*upstream{}
	for svc, u := range cfg.Upstreams {
		ups[svc] = newUpstream(u, cfg.IdleTimeout)
	}
	return &Proxy{cfg: cfg, upstreams: ups, analyzers: map[*cloud.Snapshot]*reach.Analyzer{}, paths: map[pathKey]*reach.Result{}, where: map[string]cloud.Scope{}}
}

// Meter returns the proxy's meter.
func (p *Proxy) Meter() *Meter { return p.cfg.Meter }

// refuse answers a request the data plane will not carry, with the reason
// code in X-Vpce-Reason.
func refuse(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("X-Vpce-Reason", code)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Connection", "close")
	w.WriteHeader(status)
	fmt.Fprintf(w, "vpce: %s: %s\n", code, msg)
}

// sourceOf reads the source from the proxy credentials: the user name of
// Basic Proxy-Authorization (curl sends a user alone; the aws CLI only
// with a password, which is ignored).
func sourceOf(r *http.Request) (src, password string) {
	h := r.Header.Get("Proxy-Authorization")
	kind, cred, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(kind, "Basic") {
		return "", ""
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return "", ""
	}
	user, pass, _ := strings.Cut(string(raw), ":")
	if u, err := url.PathUnescape(user); err == nil {
		user = u
	}
	if p, err := url.PathUnescape(pass); err == nil {
		pass = p
	}
	return strings.TrimSpace(user), pass
}

// proxyKey checks, with auth on, the proxy password: ACCESS_KEY_ID:SECRET
// of a known key (vpce exec sets it). It returns the key.
func (p *Proxy) proxyKey(password string) (string, bool) {
	id, secret, ok := strings.Cut(password, ":")
	if !ok {
		return "", false
	}
	want, known := p.cfg.Credentials[id]
	return id, known && subtle.ConstantTimeCompare([]byte(want), []byte(secret)) == 1
}

const howToName = `name the source in the proxy URL: HTTPS_PROXY=http://i-0123456789abcdef0:x@127.0.0.1:4580 (an instance, an eni- interface, or an address on premises behind a VPN connection), or run the command with "vpce exec --instance i-… -- CMD" (or --eni, --from ADDRESS)`

// locate finds the account and region that hold a source, and the
// snapshot and analyzer of that scope as they are now.
func (p *Proxy) locate(ctx context.Context, src string) (*reach.Analyzer, error) {
	p.mu.Lock()
	if time.Since(p.scopesAt) > time.Second {
		p.mu.Unlock()
		scs, err := p.cfg.Cloud.Scopes(ctx)
		if err != nil {
			return nil, err
		}
		p.mu.Lock()
		p.scopes, p.scopesAt = scs, time.Now()
	}
	scopes := p.scopes
	// The scope a source was last found in is tried first: every request
	// asks, and only the first need look at every account's snapshot.
	last, known := p.where[src]
	p.mu.Unlock()
	for i := -1; i < len(scopes); i++ {
		var sc cloud.Scope
		switch {
		case i < 0 && !known:
			continue
		case i < 0:
			sc = last
		case known && scopes[i] == last:
			continue // tried first
		default:
			sc = scopes[i]
		}
		snap, err := p.cfg.Cloud.LinkedSnapshot(ctx, sc)
		if err != nil {
			return nil, err
		}
		if !holds(snap.Home(), src) {
			continue
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if len(p.where) >= maxPaths {
			clear(p.where)
		}
		p.where[src] = sc
		a := p.analyzers[snap]
		if a == nil {
			if len(p.analyzers) > 64 {
				clear(p.analyzers)
				clear(p.paths)
			}
			a = reach.New(snap)
			p.analyzers[snap] = a
		}
		return a, nil
	}
	return nil, nil
}

// holds reports whether a source is the account's: one of its instances
// or interfaces, or an address on premises behind one of its VPN
// connections.
func holds(s *cloud.Snapshot, src string) bool {
	if (strings.HasPrefix(src, "i-") || strings.HasPrefix(src, "eni-")) && !strings.Contains(src, "/") {
		return s.Instances[src] != nil || s.NetworkInterfaces.Get(src) != nil
	}
	from, dns := splitSource(src)
	if a, err := netip.ParseAddr(from); err == nil {
		e := s.ResolverEndpoints[dns]
		return s.OnPremises(a) != nil && (dns == "" || (e != nil && e.Direction == "INBOUND"))
	}
	return dns == "" && (s.Instances[src] != nil || s.NetworkInterfaces.Get(src) != nil)
}

// splitSource reads an on-premises source that names where its names are
// resolved: ADDRESS/rslvr-in-… (an inbound Resolver endpoint, as on
// premises forwards to); dns is empty for every other source.
func splitSource(src string) (from, dns string) {
	from, dns, _ = strings.Cut(src, "/")
	return from, dns
}

// validSource reports whether a proxy user name can name a source.
func validSource(src string) bool {
	from, dns := splitSource(src)
	if _, err := netip.ParseAddr(from); err == nil {
		return dns == "" || strings.HasPrefix(dns, "rslvr-in-")
	}
	return !strings.Contains(src, "/") && (strings.HasPrefix(src, "i-") || strings.HasPrefix(src, "eni-"))
}

// keyAccount is the account a key acts in: a 12-digit key is the
// account, any other the default account.
func (p *Proxy) keyAccount(key string) string {
	if isAccountID(key) {
		return key
	}
	return p.cfg.DefaultAccount
}

// isAccountID says s is an account ID: 12 digits.
func isAccountID(s string) bool {
	return len(s) == 12 && strings.Trim(s, "0123456789") == ""
}

// tunnel is one client connection's decided path.
type tunnel struct {
	src  string
	host string
	port int
	tls  bool
	a    *reach.Analyzer
	path *reach.Result
	// fresh: the path was decided for the request being served.
	fresh bool
}

// ServeHTTP is the proxy: CONNECT opens a tunnel (TLS terminated with the
// CA), an absolute-form request is carried as is.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	src, password := sourceOf(r)
	if src == "" || !validSource(src) {
		w.Header().Set("Proxy-Authenticate", `Basic realm="vpce: the user name is the source instance or interface"`)
		refuse(w, http.StatusProxyAuthRequired, "NO_SOURCE", howToName)
		return
	}
	key := ""
	if p.cfg.Credentials != nil {
		// With auth on, the proxy itself is authenticated: nobody learns
		// anything about a path before proving a key.
		var ok bool
		if key, ok = p.proxyKey(password); !ok {
			w.Header().Set("Proxy-Authenticate", `Basic realm="vpce: the password is ACCESS_KEY_ID:SECRET_KEY"`)
			refuse(w, http.StatusProxyAuthRequired, "PROXY_AUTH", "with --auth sigv4 the proxy password is ACCESS_KEY_ID:SECRET_KEY of a key of the source's account (vpce exec sets it)")
			return
		}
	}
	a, err := p.locate(r.Context(), src)
	if err != nil {
		refuse(w, http.StatusServiceUnavailable, "STATE_UNAVAILABLE", err.Error())
		return
	}
	if a != nil && p.cfg.Credentials != nil && !slices.Contains(p.cfg.AdminKeys, key) && p.keyAccount(key) != a.Snapshot().Scope.Account {
		a = nil // another account's source: answered as unknown, not as "not yours"
	}
	if a == nil {
		w.Header().Set("Proxy-Authenticate", `Basic realm="vpce"`)
		refuse(w, http.StatusProxyAuthRequired, "UNKNOWN_SOURCE", fmt.Sprintf("%s is no instance, interface or address on premises (inside a static route of a VPN connection) in any account: %s", src, howToName))
		return
	}
	host, port, err := hostPort(r)
	if err != nil {
		refuse(w, http.StatusBadRequest, "BAD_TARGET", err.Error())
		return
	}
	res, err := p.decide(a, src, host, port)
	var ie *reach.InputError
	if errors.As(err, &ie) {
		refuse(w, http.StatusBadGateway, "UNKNOWN_DESTINATION", ie.Msg)
		return
	}
	if err != nil {
		refuse(w, http.StatusInternalServerError, "ANALYSIS_FAILED", err.Error())
		return
	}
	t := &tunnel{src: src, host: host, port: port, tls: r.Method == http.MethodConnect, a: a, path: res}
	if !res.Reachable {
		ex := res.Explanations[0]
		p.cfg.Meter.deny(a.Snapshot().Scope, res, "path")
		p.cfg.Logger.Info("connection blocked", "source", src, "to", net.JoinHostPort(host, strconv.Itoa(port)), "code", ex.Code, "at", ex.Component, "why", ex.Message)
		w.Header().Set("X-Vpce-Component", ex.Component)
		refuse(w, http.StatusForbidden, ex.Code, fmt.Sprintf("%s → %s:%d is blocked at %s: %s", src, host, port, ex.Component, ex.Message))
		return
	}
	if r.Method != http.MethodConnect {
		t.fresh = true // decided for this very request
		p.serveRequest(t, w, r)
		return
	}
	p.serveTunnel(t, w, r)
}

type pathKey struct {
	a         *reach.Analyzer
	src, host string
	port      int
}

// maxPaths bounds the decision cache.
const maxPaths = 100000

// decide is the path from src to host:port over an analyzer's snapshot,
// cached.
func (p *Proxy) decide(a *reach.Analyzer, src, host string, port int) (*reach.Result, error) {
	k := pathKey{a, src, host, port}
	p.mu.Lock()
	res := p.paths[k]
	p.mu.Unlock()
	if res != nil {
		return res, nil
	}
	// A source in an IPv6-only subnet connects over IPv6 (AAAA answers);
	// every other over IPv4, as the clients vpce runs resolve A first.
	from, dns := splitSource(src)
	res, err := a.Analyze(reach.Query{From: from, To: host, Port: port, DNS: dns, IPv6: a.IPv6Only(from)})
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	if len(p.paths) >= maxPaths {
		clear(p.paths)
	}
	p.paths[k] = res
	p.mu.Unlock()
	return res, nil
}

// hostPort is the target of a proxy request.
func hostPort(r *http.Request) (string, int, error) {
	target := r.Host
	defPort := 80
	if r.Method == http.MethodConnect {
		defPort = 443
	} else if r.URL.Scheme == "https" {
		defPort = 443
	}
	if r.Method != http.MethodConnect && !r.URL.IsAbs() {
		return "", 0, errors.New("not a proxy request: send an absolute URL or CONNECT")
	}
	h, ps, err := net.SplitHostPort(target)
	if err != nil {
		h, ps = target, strconv.Itoa(defPort)
	}
	port, err := strconv.Atoi(ps)
	if err != nil || port < 1 || port > 65535 {
		return "", 0, fmt.Errorf("bad port in %q", target)
	}
	h = strings.ToLower(strings.TrimSuffix(strings.Trim(h, "[]"), "."))
	if h == "" {
		return "", 0, errors.New("no host")
	}
	return h, port, nil
}

// serveTunnel answers CONNECT, terminates TLS with a certificate for the
// name asked and serves the requests inside on the decided path.
func (p *Proxy) serveTunnel(t *tunnel, w http.ResponseWriter, r *http.Request) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		refuse(w, http.StatusInternalServerError, "NO_HIJACK", "the connection cannot be taken over")
		return
	}
	conn, rw, err := hj.Hijack()
	if err != nil {
		return
	}
	if _, err := rw.WriteString("HTTP/1.1 200 Connection established\r\n\r\n"); err != nil || rw.Flush() != nil {
		conn.Close()
		return
	}
	raw := &bufferedConn{Conn: conn, r: rw.Reader}
	if t.port != 443 && !looksLikeTLS(raw) {
		// A plain protocol through the tunnel (HTTP on port 80).
		t.tls = false
		p.serveConn(r.Context(), t, raw)
		return
	}
	tc := tls.Server(raw, &tls.Config{MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"},
		GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
			name := hello.ServerName
			if name == "" {
				name = t.host
			}
			if !strings.EqualFold(name, t.host) {
				return nil, fmt.Errorf("server name %q is not the tunnel's %q", name, t.host)
			}
			return p.cfg.CA.Certificate(name)
		}})
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	if err := tc.HandshakeContext(r.Context()); err != nil {
		p.cfg.Logger.Debug("TLS handshake failed", "source", t.src, "host", t.host, "err", err)
		tc.Close()
		return
	}
	tc.SetDeadline(time.Time{})
	p.serveConn(r.Context(), t, tc)
}

// looksLikeTLS peeks at the first byte: a TLS handshake record is 0x16.
func looksLikeTLS(c *bufferedConn) bool {
	c.Conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := c.r.Peek(1)
	c.Conn.SetReadDeadline(time.Time{})
	return err == nil && b[0] == 0x16
}

// serveConn serves HTTP requests on one tunnelled connection, with the
// front end's own loop, and closes it.
func (p *Proxy) serveConn(ctx context.Context, t *tunnel, c net.Conn) {
	var state *tls.ConnectionState
	if tc, ok := c.(*tls.Conn); ok {
		s := tc.ConnectionState()
		state = &s
	}
	if !p.serveHTTP1(ctx, c, state, func(w http.ResponseWriter, r *http.Request) { p.serveRequest(t, w, r) }) {
		c.Close()
	}
}

// bufferedConn reads a hijacked connection through the buffered reader
// the hijack left (it may hold the client's first bytes).
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// scope is the account and region of the tunnel's source.
func (t *tunnel) scope() cloud.Scope { return t.a.Snapshot().Scope }
