// Package server assembles vpce's control plane: the store, the domain and
// the EC2 Query API behind one HTTP listener, with health and reset
// endpoints and graceful shutdown.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/dataplane"
	"github.com/vpce/vpce/internal/ec2query"
	"github.com/vpce/vpce/internal/ram"
	"github.com/vpce/vpce/internal/reach"
	"github.com/vpce/vpce/internal/resolver"
	"github.com/vpce/vpce/internal/route53"
	"github.com/vpce/vpce/internal/route53resolver"
	"github.com/vpce/vpce/internal/store"
)

// Config configures [Run]. The zero value of each field is a working default
// except StateDir, which is required.
type Config struct {
	// Listen is the TCP address to serve on; empty means 127.0.0.1:4566.
	Listen string
	// StateDir is the directory of the embedded store, the local CA and
	// the embedded S3.
	StateDir string
	// Store, when set, is a shared store ("postgres://…") used instead of
	// the embedded one in StateDir.
	Store string
	// NoSync answers writes to the embedded store before they are synced
	// to disk (see [store.Options]).
	NoSync bool
	// InitState starts an empty store over one that cannot be trusted
	// (see [store.Options]).
	InitState bool
	// DefaultAccount and DefaultRegion: see [ec2query.Config].
	DefaultAccount string
	DefaultRegion  string
	// Auth, Credentials and AdminKeys: see [ec2query.Config]. With auth
	// on, reset needs an admin key and the DNS admin endpoints answer in
	// the caller's account (every account for an admin key).
	Auth        string
	Credentials ec2query.Credentials
	AdminKeys   []string
	// AllowedHosts are Host names the server answers besides localhost and
	// loopback addresses when auth is off ("*": any).
	AllowedHosts []string
	// ProvisionDelay and Quotas: see [cloud.Config].
	ProvisionDelay time.Duration
	Quotas         map[string]int
	// DNSAddr is where the VPC resolvers listen ("0.0.0.0:5353"); each VPC
	// is answered at its own loopback address on this port. Empty disables
	// DNS.
	DNSAddr string
	// DNSUpstream, when set, receives queries VPCs do not answer themselves.
	DNSUpstream string
	// DNSRuleTargets are the networks (CIDRs) Resolver FORWARD rules may
	// send queries to; nil: loopback only.
	DNSRuleTargets []string
	// ProxyAddr is where the data plane's forward proxy listens
	// ("127.0.0.1:4580"); empty disables it.
	ProxyAddr string
	// Upstreams send a service's data-plane requests on (s3 → MinIO);
	// S3 without one is served by the embedded S3.
	Upstreams map[string]*url.URL
	// IdentitiesFile maps data-plane access keys to principals and
	// policies (see dataplane.LoadIdentities).
	IdentitiesFile string
	// Version is reported by the health endpoint.
	Version string
	// Logger; nil means slog.Default().
	Logger *slog.Logger
	// Ready, when set, is called with the bound address once serving.
	Ready func(addr net.Addr)

	registry  *prometheus.Registry // set by Run; nil: no /metrics
	dataplane *dataplane.Proxy     // set by Run; nil: no data plane
}

// Run serves until ctx is done, then shuts down gracefully.
func Run(ctx context.Context, cfg Config) error {
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:4566"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	log := cfg.Logger.With("component", "server")
	go tuneGC(ctx)
	durable, err := openDurable(ctx, cfg)
	if err != nil {
		return err
	}
	st, err := store.NewMemory(ctx, durable)
	if err != nil {
		durable.Close()
		return err
	}
	defer st.Close()
	log.Info("state loaded into memory", "objects", st.Len(), "store", storeName(cfg))
	c := cloud.New(cloud.Config{Store: st, Logger: cfg.Logger.With("component", "cloud"), ProvisionDelay: cfg.ProvisionDelay, Quotas: cfg.Quotas, Paths: reach.Insights{}})
	if err := c.BackfillIndexes(ctx); err != nil {
		return fmt.Errorf("index the state: %w", err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	registerStoreMetrics(reg, st)
	cfg.registry = reg
	var res *resolver.Resolver
	dnsPort := 0
	if cfg.DNSAddr != "" {
		allowed, err := parsePrefixes(cfg.DNSRuleTargets)
		if err != nil {
			return fmt.Errorf("--dns-rule-targets: %w", err)
		}
		res = resolver.New(resolver.Config{Source: c, Upstream: cfg.DNSUpstream, RuleTargets: allowed, Logger: cfg.Logger.With("component", "dns"), Metrics: resolver.NewMetrics(reg)})
		dns, err := resolver.Listen(res, cfg.DNSAddr)
		if err != nil {
			return fmt.Errorf("dns: %w", err)
		}
		dnsPort = dns.Port()
		go dns.Serve(ctx)
		targets, err := c.ResolverTargets(ctx)
		if err != nil {
			return err
		}
		log.Info("serving VPC resolvers: each VPC at its own loopback address; list them with 'vpce dns'", "port", dnsPort, "vpcs", len(targets))
		for i, t := range targets {
			if i == 20 {
				log.Info("… and more: vpce dns lists all", "more", len(targets)-20)
				break
			}
			log.Info("VPC resolver", "vpc", t.VpcID, "account", t.Account, "region", t.Region, "dig", fmt.Sprintf("dig @%s -p %d", t.Addr, dnsPort))
		}
	}
	go janitor(ctx, c, log)
	var dp *dataplane.Proxy
	if cfg.ProxyAddr != "" {
		var stop func()
		dp, stop, err = startDataPlane(ctx, c, cfg, reg)
		if err != nil {
			return err
		}
		defer stop()
	}
	cfg.dataplane = dp
	h := Handler(c, durable.(Health), cfg, res, dnsPort)
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen %s: %w", cfg.Listen, err)
	}
	lim := newConnLimit(ln, maxConns)
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 30 * time.Second, MaxHeaderBytes: 64 << 10, ConnState: lim.ConnState}
	ln = lim
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("serving EC2 API", "addr", "http://"+ln.Addr().String(), "state", cfg.StateDir, "auth", cfg.Auth)
	if cfg.Ready != nil {
		cfg.Ready(ln.Addr())
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Health is what the health endpoint asks of the durable store.
type Health interface {
	// Health reports why the store cannot take writes, nil if it can.
	Health(ctx context.Context) error
	// SchemaVersion is the store's schema version.
	SchemaVersion() (int, error)
}

// openDurable opens the durable store cfg names: the embedded log in
// StateDir, or a shared PostgreSQL database.
func openDurable(ctx context.Context, cfg Config) (store.Durable, error) {
	if cfg.Store != "" {
		return store.OpenPostgres(ctx, cfg.Store)
	}
	return store.OpenLog(cfg.StateDir, store.Options{Init: cfg.InitState, NoSync: cfg.NoSync})
}

// storeName names the durable store for logs, without a password.
func storeName(cfg Config) string {
	if cfg.Store == "" {
		return cfg.StateDir
	}
	if u, err := url.Parse(cfg.Store); err == nil {
		return u.Redacted()
	}
	return "postgres"
}

// maxConns bounds the connections served at once; past it an idle
// keep-alive is closed to make room, or a new connection waits in the
// kernel's accept queue while every one is busy.
const maxConns = 1024

// Handler returns the HTTP handler of the control plane: the EC2 API at /,
// GET /_vpce/health, POST /_vpce/reset (also /moto-api/reset) and the DNS
// admin endpoints, behind the browser guard.
func Handler(c *cloud.Cloud, st Health, cfg Config, res *resolver.Resolver, dnsPort int) http.Handler {
	var metrics *ec2query.Metrics
	if cfg.registry != nil {
		metrics = ec2query.NewMetrics(cfg.registry)
	}
	api := ec2query.New(ec2query.Config{Cloud: c, Auth: cfg.Auth, Credentials: cfg.Credentials, AdminKeys: cfg.AdminKeys,
		DefaultAccount: cfg.DefaultAccount, DefaultRegion: cfg.DefaultRegion, Logger: cfg.Logger.With("component", "ec2query"), Metrics: metrics})
	mux := http.NewServeMux()
	if cfg.registry != nil {
		mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.registry, promhttp.HandlerOpts{}))
	}
	mux.HandleFunc("GET /_vpce/health", func(w http.ResponseWriter, r *http.Request) {
		v, err := st.SchemaVersion()
		if err == nil {
			err = st.Health(r.Context())
		}
		if err != nil {
			writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "error": err.Error()})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"status": "ok", "version": cfg.Version, "schemaVersion": v, "actions": len(api.Actions()), "auth": cfg.Auth})
	})
	reset := func(w http.ResponseWriter, r *http.Request) {
		if _, err := admin(api, r, true); err != nil {
			ec2query.WriteError(w, err)
			return
		}
		if err := c.Reset(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"reset":true}` + "\n"))
	}
	mux.HandleFunc("POST /_vpce/reset", reset)
	mux.HandleFunc("POST /moto-api/reset", reset)
	if res != nil {
		d := &dnsAdmin{c: c, r: res, port: dnsPort, api: api}
		mux.HandleFunc("GET /_vpce/dns", d.list)
		mux.HandleFunc("GET /_vpce/dns/resolve", d.resolve)
	}
	if cfg.dataplane != nil {
		da := &dataplaneAPI{p: cfg.dataplane, api: api, proxy: cfg.ProxyAddr, ca: dataplane.CAFile(cfg.StateDir)}
		mux.HandleFunc("GET /_vpce/usage", da.usage)
		mux.HandleFunc("GET /_vpce/dataplane", da.info)
	}
	ra := &reachAPI{c: c, api: api, dp: cfg.dataplane}
	mux.HandleFunc("POST /_vpce/reach", ra.analyze)
	mux.HandleFunc("GET /_vpce/reach/matrix", ra.matrix)
	mux.HandleFunc("GET /_vpce/doctor", ra.doctor)
	mux.HandleFunc("POST /_vpce/cost", ra.cost)
	mux.Handle("/2013-04-01/", route53.New(c, func(r *http.Request, body []byte, service string) (string, error) {
		id, err := api.Authenticate(r, body, service)
		return id.Account, err
	}))
	resolverAPI := route53resolver.New(c, func(r *http.Request, body []byte, service string) (cloud.Scope, error) {
		id, err := api.Authenticate(r, body, service)
		return id.Scope, err
	})
	ramAPI := ram.New(c, func(r *http.Request, body []byte, service string) (cloud.Scope, error) {
		id, err := api.Authenticate(r, body, service)
		return id.Scope, err
	})
	for _, p := range ram.Paths() {
		mux.Handle(p, ramAPI)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if route53resolver.Match(r) {
			resolverAPI.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
	return newGuard(mux, api.AuthOn(), cfg.Listen, cfg.AllowedHosts)
}

// admin authenticates a request to an admin endpoint, signed for the
// "vpce" service. With auth off everyone may; with auth on the request
// must be signed by a known key, and by an admin key when needAdmin.
func admin(api *ec2query.Handler, r *http.Request, needAdmin bool) (ec2query.Identity, error) {
	id, _, err := authenticate(api, r, 1<<16)
	if err != nil {
		return id, err
	}
	if needAdmin && api.AuthOn() && !id.Admin {
		return id, &apierr.Error{Code: "UnauthorizedOperation", Status: http.StatusForbidden,
			Message: "You are not authorized to perform this operation: only an admin key (--admin-keys, or \"admin\" in the credentials file) may."}
	}
	return id, nil
}

// authenticate reads a request's body (at most limit bytes) and checks its
// signature for the "vpce" service; with auth off any request passes, in
// the account and region its signature names (else the defaults).
func authenticate(api *ec2query.Handler, r *http.Request, limit int64) (ec2query.Identity, []byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return ec2query.Identity{}, nil, err
	}
	if int64(len(body)) > limit {
		return ec2query.Identity{}, nil, &apierr.Error{Code: "RequestEntityTooLarge", Status: http.StatusRequestEntityTooLarge,
			Message: fmt.Sprintf("the request body is larger than %d bytes", limit)}
	}
	id, err := api.Authenticate(r, body, ec2query.ServiceVPCE)
	return id, body, err
}

// parsePrefixes reads CIDRs (a bare address is a /32 or /128).
func parsePrefixes(ss []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range ss {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !strings.Contains(s, "/") {
			a, err := netip.ParseAddr(s)
			if err != nil {
				return nil, err
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// purgeEvery is how often what nobody can see any more is purged.
const purgeEvery = time.Minute

// janitor purges terminated instances, deleted gateways and endpoints and
// expired client tokens (see [cloud.Cloud.Purge]) until ctx is done.
func janitor(ctx context.Context, c *cloud.Cloud, log *slog.Logger) {
	t := time.NewTicker(purgeEvery)
	defer t.Stop()
	for {
		if n, err := c.Purge(ctx); err != nil && ctx.Err() == nil {
			log.Warn("purge failed", "err", err)
		} else if n > 0 {
			log.Debug("purged", "objects", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
