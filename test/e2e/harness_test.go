// Package e2e drives a real `vpce serve` process with aws-sdk-go-v2 and the
// aws CLI v2, as users do.
package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/smithy-go"
)

// awsCLI is Debian's aws CLI v2; an older v1 may come first on PATH.
const awsCLI = "/usr/bin/aws"

var (
	binary string // the vpce binary built for this run
	shared *server
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "vpce-e2e-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "vpce")
	build := exec.Command("go", "build", "-race", "-o", binary, "github.com/vpce/vpce/cmd/vpce")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build vpce:", err)
		os.Exit(1)
	}
	shared, err = startServer(filepath.Join(dir, "state"), "--provision-delay", "300ms")
	if err != nil {
		fmt.Fprintln(os.Stderr, "start vpce:", err)
		os.Exit(1)
	}
	code := m.Run()
	shared.stop()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running `vpce serve` process.
type server struct {
	cmd     *exec.Cmd
	url     string
	dnsPort int
	proxy   string // the data plane's address
	state   string
	args    []string
	log     *bytes.Buffer
	done    chan struct{}
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// freeDNSPort finds a port free for both UDP and TCP on all addresses.
func freeDNSPort() (int, error) {
	for range 50 {
		ln, err := net.Listen("tcp4", "0.0.0.0:0")
		if err != nil {
			return 0, err
		}
		port := ln.Addr().(*net.TCPAddr).Port
		pc, err := net.ListenPacket("udp4", fmt.Sprintf("0.0.0.0:%d", port))
		ln.Close()
		if err == nil {
			pc.Close()
			return port, nil
		}
	}
	return 0, errors.New("no free port for DNS")
}

// startServer runs vpce serve on a free loopback port with the given state
// directory and waits until it is healthy.
func startServer(state string, args ...string) (*server, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	dnsPort, err := freeDNSPort()
	if err != nil {
		return nil, err
	}
	proxy, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &server{url: "http://" + addr, dnsPort: dnsPort, proxy: proxy, state: state, args: args, log: &bytes.Buffer{}, done: make(chan struct{})}
	return s, s.start(addr)
}

func (s *server) start(addr string) error {
	all := []string{"serve", "--listen", addr, "--state", s.state, "--log-level", "warn", "--dns", fmt.Sprintf("0.0.0.0:%d", s.dnsPort), "--proxy", s.proxy}
	if !strings.Contains(strings.Join(s.args, " "), "--quota") {
		// Tests make many VPCs in one account; TestQuotas checks AWS's
		// default of 5.
		all = append(all, "--quota", "vpcs=100000")
	}
	all = append(all, s.args...)
	s.cmd = exec.Command(binary, all...)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	s.done = make(chan struct{})
	if err := s.cmd.Start(); err != nil {
		return err
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.url + "/_vpce/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		select {
		case <-s.done:
			return fmt.Errorf("vpce exited: %s", s.log.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
	return errors.New("vpce did not become healthy")
}

func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}

func (s *server) kill() {
	s.cmd.Process.Kill()
	<-s.done
}

func (s *server) restart() error {
	return s.start(strings.TrimPrefix(s.url, "http://"))
}

// newAccount returns a fresh random 12-digit account: every test acts in
// its own account, so tests share one server without seeing each other.
func newAccount() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1e11))
	return fmt.Sprintf("9%011d", n.Int64())
}

// client returns an SDK client acting in a fresh account in us-east-1.
func client(t *testing.T) (*ec2.Client, string) {
	t.Helper()
	acct := newAccount()
	return clientFor(shared.url, acct, "us-east-1"), acct
}

func clientFor(url, account, region string) *ec2.Client {
	return ec2.New(ec2.Options{
		Region:       region,
		BaseEndpoint: aws.String(url),
		Credentials:  credentials.NewStaticCredentialsProvider(account, "secret", ""),
		HTTPClient:   &http.Client{Timeout: 30 * time.Second},
	})
}

// wantCode fails unless err is an API error with the given code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("error code = %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// cli runs the aws CLI v2 against the shared server in an account and
// decodes its JSON output into a map; on failure it returns stderr.
func cli(t *testing.T, account string, args ...string) (map[string]any, error) {
	t.Helper()
	return cliAt(t, shared.url, account, args...)
}

func cliAt(t *testing.T, url, account string, args ...string) (map[string]any, error) {
	t.Helper()
	if _, err := os.Stat(awsCLI); err != nil {
		t.Fatalf("the aws CLI v2 is required at %s (Debian package awscli): %v", awsCLI, err)
	}
	all := append([]string{"--endpoint-url", url, "--output", "json", "ec2"}, args...)
	cmd := exec.Command(awsCLI, all...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+account, "AWS_SECRET_ACCESS_KEY=secret",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("aws %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	out := map[string]any{}
	if stdout.Len() > 0 {
		if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
			return nil, fmt.Errorf("aws %s: decode output: %v: %s", strings.Join(args, " "), err, stdout.String())
		}
	}
	return out, nil
}

// cliRunner returns a function that runs the aws CLI in the account on the
// shared server and fails t on an error.
func cliRunner(t *testing.T, account string) func(args ...string) map[string]any {
	return cliRunnerAt(t, shared.url, account)
}

// cliRunnerAt is cliRunner for the server at url.
func cliRunnerAt(t *testing.T, url, account string) func(args ...string) map[string]any {
	return func(args ...string) map[string]any {
		t.Helper()
		out, err := cliAt(t, url, account, args...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
}

// cliErr runs the CLI expecting failure with an error code.
func cliErr(t *testing.T, account, code string, args ...string) {
	t.Helper()
	_, err := cli(t, account, args...)
	if err == nil {
		t.Fatalf("aws %s succeeded, want %s", strings.Join(args, " "), code)
	}
	if !strings.Contains(err.Error(), "("+code+")") {
		t.Fatalf("aws %s: %v; want code %s", strings.Join(args, " "), err, code)
	}
}

// path digs into decoded JSON: path(m, "Vpc", "VpcId").
func path(v any, keys ...any) any {
	for _, k := range keys {
		switch k := k.(type) {
		case string:
			m, _ := v.(map[string]any)
			v = m[k]
		case int:
			s, _ := v.([]any)
			if k >= len(s) {
				return nil
			}
			v = s[k]
		}
	}
	return v
}

func str(v any, keys ...any) string {
	s, _ := path(v, keys...).(string)
	return s
}

func ctx(t *testing.T) context.Context { return t.Context() }

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// cliSigned runs the CLI with a given key pair.
func cliSigned(t *testing.T, url, akid, secret string, args ...string) (map[string]any, error) {
	t.Helper()
	all := append([]string{"--endpoint-url", url, "--output", "json", "ec2"}, args...)
	cmd := exec.Command(awsCLI, all...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+akid, "AWS_SECRET_ACCESS_KEY="+secret,
		"AWS_DEFAULT_REGION=eu-central-1", "AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("aws %v: %v: %s", args, err, stderr.String())
	}
	out := map[string]any{}
	return out, json.Unmarshal(stdout.Bytes(), &out)
}
