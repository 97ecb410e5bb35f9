package main

import (
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/vpce/vpce/internal/cli/analysiscmd"
	"github.com/vpce/vpce/internal/cli/dnscmd"
	"github.com/vpce/vpce/internal/cli/dumpcmd"
	"github.com/vpce/vpce/internal/cli/endpoints"
	"github.com/vpce/vpce/internal/cli/execcmd"
	"github.com/vpce/vpce/internal/cli/policycmd"
	"github.com/vpce/vpce/internal/cli/reachcmd"
	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/ec2query"
	"github.com/vpce/vpce/internal/server"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "0.1.0-dev"

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "vpce",
		Short: "Design, test and understand private connectivity to AWS services, locally",
		Long: `vpce implements AWS VPC networking and VPC endpoints locally, and explains them.

'vpce serve' speaks the EC2 Query API, so the aws CLI, boto3, the Go SDK and
Terraform work against it with --endpoint-url http://127.0.0.1:4566; it also
serves each VPC's DNS resolver and the data plane that carries real requests
from an instance ('vpce exec --instance i-… -- aws s3 ls').

'vpce reach' says whether a path is private and what blocks it, 'vpce doctor'
what to fix, 'vpce cost' what it costs; 'vpce import' loads a real account's
describe-* outputs to ask the same of it.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServeCmd(), newVersionCmd(), endpoints.NewCmd(), dnscmd.NewCmd(), policycmd.NewCmd(), reachcmd.NewCmd(),
		dumpcmd.NewImportCmd(defaultStateDir()), dumpcmd.NewExportCmd(defaultStateDir()),
		execcmd.NewExecCmd(), execcmd.NewCACmd(defaultStateDir()), execcmd.NewUsageCmd(),
		analysiscmd.NewDoctorCmd(), analysiscmd.NewCostCmd())
	return root
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of vpce",
		Args:  cobra.NoArgs,
		Run: func(cmd *cobra.Command, args []string) {
			fmt.Fprintln(cmd.OutOrStdout(), "vpce", version)
		},
	}
}

// defaultStateDir is $XDG_STATE_HOME/vpce, else ~/.local/state/vpce.
func defaultStateDir() string {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "vpce")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".local", "state", "vpce")
	}
	return ".vpce-state"
}

type serveOptions struct {
	listen, state, account, region, auth, credsFile, logLevel string
	dnsAddr, dnsUpstream, proxyAddr, identities, store        string
	dnsRuleTargets                                            []string
	upstreams                                                 map[string]string
	adminKeys, allowedHosts                                   []string
	quotas                                                    map[string]int
	initState, fsync                                          bool
	provisionDelay                                            time.Duration
}

func newServeCmd() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the EC2-compatible control plane, the VPC resolvers and the data plane",
		Long: `Run the EC2-compatible control plane on an embedded SQLite store.

Every flag can also be set by an environment variable: VPCE_ and the flag's
name in upper case with - as _ (VPCE_LISTEN, VPCE_STATE, VPCE_AUTH …).
A flag given on the command line wins over the environment.

With --auth sigv4, requests must be signed with a known key pair. Keys come
from --credentials-file (lines of "ACCESS_KEY_ID SECRET_KEY") and from
VPCE_CREDENTIALS ("AKID:SECRET,AKID2:SECRET2"). A 12-digit access key ID is
the account the request acts in; any other key acts in --default-account.
Admin keys (--admin-keys, or the word admin after a key in the credentials
file) may reset all state; other keys may not, and see only their own
account's resolvers through /_vpce/dns. Admin requests are signed for the
service "vpce" (vpce dns and vpce endpoints sign with AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY).

With auth off (the default, for a developer's machine) every request is
accepted, so the server refuses what a web page could send it: a Host that
is not localhost, a loopback address or one of --allowed-hosts (DNS
rebinding), a cross-site Origin or Sec-Fetch-Site (CSRF), and POST bodies
that are not forms. See docs/security.md.`,
		Example: `  vpce serve
  vpce serve --listen 127.0.0.1:4566 --state /var/lib/vpce
  aws --endpoint-url http://127.0.0.1:4566 ec2 describe-vpcs`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := applyEnv(cmd.Flags()); err != nil {
				return err
			}
			return runServe(cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.listen, "listen", "127.0.0.1:4566", "address to serve the EC2 API on")
	f.StringVar(&o.state, "state", defaultStateDir(), "directory of the embedded store (and of the local CA and the embedded S3)")
	f.StringVar(&o.store, "store", "", "shared store instead of the embedded one: postgres://user:password@host:5432/db; several vpce serve processes on one database see each other's changes")
	f.StringVar(&o.account, "default-account", "000000000000", "account of requests whose access key is not a 12-digit account ID")
	f.StringVar(&o.region, "default-region", "us-east-1", "region of unsigned requests")
	f.StringVar(&o.auth, "auth", ec2query.AuthOff, "authentication: off (any credentials) or sigv4 (verify signatures)")
	f.StringVar(&o.credsFile, "credentials-file", "", "file of \"ACCESS_KEY_ID SECRET_KEY [admin]\" lines for --auth sigv4")
	f.StringSliceVar(&o.adminKeys, "admin-keys", nil, "access key IDs that may call the admin endpoints (reset) with --auth sigv4")
	f.StringSliceVar(&o.allowedHosts, "allowed-hosts", nil, "Host names served besides localhost and loopback addresses (\"*\": any)")
	f.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.StringVar(&o.dnsAddr, "dns", "0.0.0.0:5353", "address of the VPC resolvers (UDP and TCP); each VPC answers at its own loopback address on this port; empty disables DNS")
	f.StringVar(&o.dnsUpstream, "dns-upstream", "", "resolver (host:port) for names a VPC does not answer itself; empty: answer AWS names from the catalog")
	f.StringSliceVar(&o.dnsRuleTargets, "dns-rule-targets", []string{"127.0.0.0/8", "::1/128"}, "networks (CIDRs) Route 53 Resolver FORWARD rules may send queries to; other targets are not asked (SERVFAIL)")
	f.BoolVar(&o.fsync, "fsync", true, "sync every write to disk before answering it; false: written before the answer (a killed vpce loses nothing) and synced every 100 ms (a power loss may lose the last 100 ms) — faster, for test suites")
	f.BoolVar(&o.initState, "init-state", false, "start an empty store when the state directory's store cannot be trusted (an empty vpce.db, a WAL without its database); the old files are kept, renamed")
	f.StringToIntVar(&o.quotas, "quota", nil, "override AWS's default quotas per account and region, e.g. vpcs=100 (default vpcs=5)")
	f.StringVar(&o.proxyAddr, "proxy", "127.0.0.1:4580", "address of the data plane's forward proxy (vpce exec, HTTPS_PROXY=http://i-…:x@ADDR); empty disables it")
	f.StringToStringVar(&o.upstreams, "upstream", nil, "where the data plane sends a service's requests, e.g. s3=http://127.0.0.1:9000,ssm=http://127.0.0.1:4567 (S3 without one: the embedded S3)")
	f.StringVar(&o.identities, "identities", "", "JSON file mapping data-plane access keys to principals and identity policies")
	f.DurationVar(&o.provisionDelay, "provision-delay", time.Second, "how long NAT gateways and instances stay pending (0s: none)")
	return cmd
}

// applyEnv sets each flag not given on the command line from VPCE_<NAME>.
func applyEnv(fs *pflag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed || err != nil {
			return
		}
		name := "VPCE_" + toEnv(f.Name)
		if v, ok := os.LookupEnv(name); ok {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s=%q: %w", name, v, e)
			}
		}
	})
	return err
}

func toEnv(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c == '-':
			b[i] = '_'
		case 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

func runServe(cmd *cobra.Command, o serveOptions) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return fmt.Errorf("--log-level: %w", err)
	}
	logger := slog.New(slog.NewTextHandler(cmd.ErrOrStderr(), &slog.HandlerOptions{Level: level}))
	if o.auth != ec2query.AuthOff && o.auth != ec2query.AuthSigV4 {
		return fmt.Errorf("--auth must be %q or %q, not %q", ec2query.AuthOff, ec2query.AuthSigV4, o.auth)
	}
	creds := ec2query.Credentials{}
	admins := append([]string{}, o.adminKeys...)
	if o.credsFile != "" {
		c, a, err := ec2query.LoadCredentials(o.credsFile)
		if err != nil {
			return err
		}
		creds, admins = c, append(admins, a...)
	}
	if env := os.Getenv("VPCE_CREDENTIALS"); env != "" {
		c, err := ec2query.ParseCredentials(env)
		if err != nil {
			return err
		}
		for k, v := range c {
			creds[k] = v
		}
	}
	if o.auth == ec2query.AuthSigV4 && len(creds) == 0 {
		return fmt.Errorf("--auth sigv4 needs credentials: --credentials-file or VPCE_CREDENTIALS")
	}
	for _, k := range admins {
		if _, ok := creds[k]; !ok && o.auth == ec2query.AuthSigV4 {
			return fmt.Errorf("--admin-keys: %s is not a known key (--credentials-file or VPCE_CREDENTIALS)", k)
		}
	}
	for name, n := range o.quotas {
		if _, ok := cloud.DefaultQuotas[name]; !ok || n < 1 {
			return fmt.Errorf("--quota %s=%d: known quotas are vpcs, each at least 1", name, n)
		}
	}
	ups := map[string]*url.URL{}
	for svc, raw := range o.upstreams {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--upstream %s=%s: want http(s)://host:port", svc, raw)
		}
		ups[svc] = u
	}
	delay := o.provisionDelay
	if delay == 0 {
		delay = -1 // cloud.Config: negative means none
	}
	return server.Run(cmd.Context(), server.Config{
		Listen: o.listen, StateDir: o.state, Store: o.store, NoSync: !o.fsync, InitState: o.initState, DefaultAccount: o.account, DefaultRegion: o.region,
		Auth: o.auth, Credentials: creds, AdminKeys: admins, AllowedHosts: o.allowedHosts, Quotas: o.quotas, ProvisionDelay: delay, Version: version, Logger: logger,
		DNSAddr: o.dnsAddr, DNSUpstream: o.dnsUpstream, DNSRuleTargets: o.dnsRuleTargets, ProxyAddr: o.proxyAddr, Upstreams: ups, IdentitiesFile: o.identities,
	})
}
