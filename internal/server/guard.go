package server

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/ec2query"
)

// guard refuses what a web page in the user's browser could send: a Host
// that is not vpce's (DNS rebinding), a cross-site Origin or
// Sec-Fetch-Site (CSRF). Programs — the aws CLI, SDKs, Terraform, curl —
// send neither a foreign Origin nor Sec-Fetch-Site and are not affected.
type guard struct {
	// checkHost is off when auth is on: a signature covers the Host, so a
	// rebound name cannot be used without the key.
	checkHost bool
	// hosts are the names (and addresses) allowed besides loopback ones;
	// "*" allows every Host.
	hosts []string
	next  http.Handler
}

func newGuard(next http.Handler, authOn bool, listen string, allowed []string) *guard {
	g := &guard{checkHost: !authOn, next: next}
	for _, h := range allowed {
		if h = strings.TrimSpace(strings.ToLower(h)); h != "" {
			g.hosts = append(g.hosts, h)
		}
	}
	// The address vpce listens on is its own name, when it is a specific
	// address.
	if host, _, err := net.SplitHostPort(listen); err == nil {
		if ip := net.ParseIP(host); ip != nil && !ip.IsUnspecified() {
			g.hosts = append(g.hosts, strings.ToLower(host))
		}
	}
	return g
}

// allowedHost reports whether a Host (or an Origin's host) names vpce:
// localhost and *.localhost, loopback addresses, and the configured names.
func (g *guard) allowedHost(hostport string) bool {
	host := strings.ToLower(hostport)
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if host == "" {
		return false
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return true
	}
	for _, h := range g.hosts {
		if h == "*" || h == host {
			return true
		}
	}
	return false
}

func forbidden(msg string) error {
	return &apierr.Error{Code: "AccessDenied", Message: msg, Status: http.StatusForbidden}
}

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if g.checkHost && !g.allowedHost(r.Host) {
		ec2query.WriteError(w, forbidden("Host "+r.Host+" is not this server's: vpce answers localhost, loopback addresses and the names given with --allowed-hosts (a defence against DNS rebinding)."))
		return
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" {
		ec2query.WriteError(w, forbidden("Cross-site requests from a web page are refused."))
		return
	}
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if origin == "null" || err != nil || u.Host == "" || !g.allowedHost(u.Host) {
			ec2query.WriteError(w, forbidden("Requests from the web origin "+origin+" are refused."))
			return
		}
	}
	g.next.ServeHTTP(w, r)
}
