// Package execcmd is `vpce exec`, `vpce ca` and `vpce usage`: running a
// program as if from an instance, the data plane's CA, and what crossed
// the endpoints.
package execcmd

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/vpce/vpce/internal/cli/exitcode"
	"github.com/vpce/vpce/internal/cli/vpceapi"
	"github.com/vpce/vpce/internal/dataplane"
)

// get reads a vpce endpoint of the server at base into out.
func get(base, path string, out any) ([]byte, error) {
	b, err := vpceapi.Call(base, http.MethodGet, path, nil)
	var se *vpceapi.StatusError
	if errors.As(err, &se) && se.Status == http.StatusNotFound {
		return nil, errors.New("the server runs no data plane (vpce serve --proxy 127.0.0.1:4580)")
	}
	if err != nil {
		return nil, err
	}
	return b, json.Unmarshal(b, out)
}

// ProxyEnv returns the environment that sends a program's AWS traffic
// through the data plane from src, trusting vpce's CA.
func ProxyEnv(env []string, proxy, src, caFile, apiURL, accessKey, secretKey string) []string {
	host, port, err := net.SplitHostPort(proxy)
	if err == nil && (host == "" || host == "0.0.0.0" || host == "::") {
		proxy = net.JoinHostPort("127.0.0.1", port)
	}
	// The aws CLI sends proxy credentials only with a password: give one —
	// the caller's key, which a server with --auth sigv4 checks.
	pass := "vpce"
	if accessKey != "" && secretKey != "" {
		pass = accessKey + ":" + secretKey
	}
	pu := (&url.URL{Scheme: "http", User: url.UserPassword(src, pass), Host: proxy}).String()
	noProxy := "localhost,127.0.0.1"
	if u, err := url.Parse(apiURL); err == nil && u.Hostname() != "" && !strings.Contains(noProxy, u.Hostname()) {
		noProxy += "," + u.Hostname()
	}
	set := map[string]string{
		"HTTPS_PROXY": pu, "https_proxy": pu, "HTTP_PROXY": pu, "http_proxy": pu,
		"NO_PROXY": noProxy, "no_proxy": noProxy,
		"AWS_CA_BUNDLE": caFile, "SSL_CERT_FILE": caFile, "CURL_CA_BUNDLE": caFile, "REQUESTS_CA_BUNDLE": caFile,
		"VPCE_SOURCE": src,
	}
	out := make([]string, 0, len(env)+len(set))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if _, ok := set[k]; !ok {
			out = append(out, kv)
		}
	}
	for k, v := range set {
		out = append(out, k+"="+v)
	}
	return out
}

// NewExecCmd returns `vpce exec`.
func NewExecCmd() *cobra.Command {
	var instance, eni, from, dns, apiURL string
	cmd := &cobra.Command{
		Use:   "exec (--instance i-…|--eni eni-…|--from ADDRESS) -- CMD [ARGS…]",
		Short: "Run a program as if on an instance: its AWS traffic takes that instance's path",
		Long: `Run CMD with HTTPS_PROXY, HTTP_PROXY, AWS_CA_BUNDLE, SSL_CERT_FILE (and
NO_PROXY for the vpce API itself) set so that every AWS request it makes goes
through vpce's data plane from the instance or interface named: resolved in
its VPC, routed by its subnet, filtered by its security groups and network
ACLs, decided by the endpoint, identity and bucket policies, then carried to
the embedded S3 or an --upstream of vpce serve. With --from, the program stands
on premises at that address (inside a static route of a VPN connection): names
resolve as public DNS answers them (an interface endpoint by its vpce name) or,
with --dns rslvr-in-…, as that inbound Resolver endpoint answers them, and the
path enters the VPC over the VPN. The exit status is CMD's.`,
		Example: `  vpce exec --instance i-0abc… -- aws s3 ls s3://reports
  vpce exec --eni eni-0abc… -- curl -s https://ssm.us-east-1.amazonaws.com/
  vpce exec --from 192.168.10.5 -- curl -s https://bucket.vpce-0abc….s3.us-east-1.vpce.amazonaws.com/reports/q3.csv`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var src string
			n := 0
			for _, v := range []string{instance, eni, from} {
				if v != "" {
					src, n = v, n+1
				}
			}
			if n != 1 {
				return exitcode.New(2, errors.New("give one of --instance, --eni or --from"))
			}
			if from != "" {
				if _, err := netip.ParseAddr(from); err != nil {
					return exitcode.New(2, fmt.Errorf("--from %q: give an IP address on premises", from))
				}
			}
			if dns != "" {
				if from == "" || !strings.HasPrefix(dns, "rslvr-in-") {
					return exitcode.New(2, errors.New("--dns names an inbound Resolver endpoint (rslvr-in-…) for a program --from an address on premises"))
				}
				src += "/" + dns
			}
			var info struct{ Proxy, CAFile string }
			if _, err := get(apiURL, "/_vpce/dataplane", &info); err != nil {
				return err
			}
			c := exec.Command(args[0], args[1:]...)
			c.Stdin, c.Stdout, c.Stderr = cmd.InOrStdin(), cmd.OutOrStdout(), cmd.ErrOrStderr()
			c.Env = ProxyEnv(os.Environ(), info.Proxy, src, info.CAFile, apiURL, os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY"))
			err := c.Run()
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				return exitcode.New(ee.ExitCode(), nil)
			}
			if err != nil {
				return exitcode.New(127, err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&instance, "instance", "", "the instance the program runs on")
	cmd.Flags().StringVar(&eni, "eni", "", "the network interface the program sends from")
	cmd.Flags().StringVar(&from, "from", "", "an address on premises the program sends from (behind a VPN connection)")
	cmd.Flags().StringVar(&dns, "dns", "", "with --from: the inbound Resolver endpoint (rslvr-in-…) on-premises name servers forward to (default: public DNS)")
	cmd.Flags().StringVar(&apiURL, "endpoint-url", vpceapi.DefaultURL(), "the running vpce serve")
	cmd.Flags().SetInterspersed(false)
	return cmd
}

// NewCACmd returns `vpce ca`.
func NewCACmd(defaultState string) *cobra.Command {
	var state string
	var pem bool
	cmd := &cobra.Command{
		Use:   "ca",
		Short: "Print the path of vpce's local CA certificate (trust it to let the data plane read TLS)",
		Long: `vpce keeps a local certificate authority in its state directory (made on
first start; the key is 0600). The data plane signs a certificate for each
service name with it. Point AWS_CA_BUNDLE or SSL_CERT_FILE at this file
(vpce exec does) to trust it.`,
		Example: `  vpce ca
  export AWS_CA_BUNDLE=$(vpce ca)
  vpce ca --pem > vpce-ca.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ca, err := dataplane.LoadCA(state)
			if err != nil {
				return err
			}
			if pem {
				b, err := os.ReadFile(ca.CertFile)
				if err != nil {
					return err
				}
				_, err = cmd.OutOrStdout().Write(b)
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), ca.CertFile)
			return nil
		},
	}
	cmd.Flags().StringVar(&state, "state", defaultState, "state directory (vpce serve's --state)")
	cmd.Flags().BoolVar(&pem, "pem", false, "print the certificate instead of its path")
	return cmd
}

// NewUsageCmd returns `vpce usage`.
func NewUsageCmd() *cobra.Command {
	var apiURL, output string
	cmd := &cobra.Command{
		Use:   "usage",
		Short: "What crossed each endpoint, NAT gateway and internet gateway through the data plane",
		Example: `  vpce usage
  vpce usage -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var out struct {
				Usage []dataplane.Usage `json:"usage"`
			}
			raw, err := get(apiURL, "/_vpce/usage", &out)
			if err != nil {
				return err
			}
			if output == "json" {
				_, err := cmd.OutOrStdout().Write(raw)
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ACCOUNT\tREGION\tCOMPONENT\tPATH\tREQUESTS\tBYTES IN\tBYTES OUT\tDENIED")
			for _, u := range out.Usage {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\n", u.Account, u.Region, u.Component, u.Path, u.Requests, u.BytesIn, u.BytesOut, u.Denied)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&apiURL, "endpoint-url", vpceapi.DefaultURL(), "the running vpce serve")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "output format: table or json")
	return cmd
}
