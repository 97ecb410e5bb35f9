package server

import (
	"context"
	"fmt"
	"net"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/dataplane"
	"github.com/vpce/vpce/internal/ec2query"
)

// startDataPlane opens the CA and the embedded S3 and serves the forward
// proxy on cfg.ProxyAddr until ctx is done; stop closes what it opened.
func startDataPlane(ctx context.Context, c *cloud.Cloud, cfg Config, reg prometheus.Registerer) (*dataplane.Proxy, func(), error) {
	log := cfg.Logger.With("component", "dataplane")
	ca, err := dataplane.LoadCA(cfg.StateDir)
	if err != nil {
		return nil, nil, fmt.Errorf("data plane CA: %w", err)
	}
	var ids dataplane.Identities
	if cfg.IdentitiesFile != "" {
		if ids, err = dataplane.LoadIdentities(cfg.IdentitiesFile); err != nil {
			return nil, nil, fmt.Errorf("--identities: %w", err)
		}
	}
	s3, s3Close, err := dataplane.EmbeddedS3(cfg.StateDir)
	if err != nil {
		return nil, nil, fmt.Errorf("embedded S3: %w", err)
	}
	dc := dataplane.Config{Cloud: c, CA: ca, DefaultAccount: cfg.DefaultAccount, Identities: ids, Upstreams: cfg.Upstreams,
		S3: s3, Logger: log, Meter: dataplane.NewMeter(reg)}
	if cfg.Auth == ec2query.AuthSigV4 {
		dc.Credentials, dc.AdminKeys = cfg.Credentials, cfg.AdminKeys
	}
	p := dataplane.New(dc)
	ln, err := net.Listen("tcp", cfg.ProxyAddr)
	if err != nil {
		s3Close.Close()
		return nil, nil, fmt.Errorf("--proxy %s: %w", cfg.ProxyAddr, err)
	}
	srv := p.NewServer()
	go srv.Serve(ln)
	log.Info("serving the data plane: name the source in the proxy URL, or use vpce exec", "proxy", "http://"+ln.Addr().String(), "ca", ca.CertFile)
	stop := func() {
		srv.Close()
		s3Close.Close()
	}
	return p, stop, nil
}

// dataplaneAPI serves GET /_vpce/usage (the caller's account; every
// account for an admin key) and GET /_vpce/dataplane (where the proxy and
// CA are, for vpce exec).
type dataplaneAPI struct {
	p     *dataplane.Proxy
	api   *ec2query.Handler
	proxy string
	ca    string
}

func (d *dataplaneAPI) usage(w http.ResponseWriter, r *http.Request) {
	id, err := admin(d.api, r, false)
	if err != nil {
		ec2query.WriteError(w, err)
		return
	}
	acct := ""
	if d.api.AuthOn() && !id.Admin {
		acct = id.Account
	} else if q := r.URL.Query().Get("account"); q != "" {
		acct = q
	}
	writeJSON(w, http.StatusOK, map[string]any{"usage": d.p.Meter().Report(acct)})
}

func (d *dataplaneAPI) info(w http.ResponseWriter, r *http.Request) {
	if _, err := admin(d.api, r, false); err != nil {
		ec2query.WriteError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"proxy": d.proxy, "caFile": d.ca})
}
