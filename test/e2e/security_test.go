package e2e

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

const (
	tenantKey, tenantSecret = "111122223333", "tenantsecret"
	otherKey, otherSecret   = "444455556666", "othersecret"
	adminKey, adminSecret   = "AKIAVPCEADMIN", "adminsecret"
)

// authServer starts vpce with --auth sigv4, two tenants and an admin key.
func authServer(t *testing.T) *server {
	t.Helper()
	creds := filepath.Join(t.TempDir(), "creds")
	os.WriteFile(creds, []byte(tenantKey+" "+tenantSecret+"\n"+otherKey+" "+otherSecret+"\n"+adminKey+" "+adminSecret+" admin\n"), 0o600)
	s, err := startServer(filepath.Join(t.TempDir(), "state"), "--auth", "sigv4", "--credentials-file", creds)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.stop)
	return s
}

// do sends a request, signed with the SDK's signer when key is set, and
// returns the status, the error code (if any) and the body.
func do(t *testing.T, method, u string, body string, hdr map[string]string, key, secret, service string, at time.Time) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if key != "" {
		if err := v4.NewSigner().SignHTTP(ctx(t), aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}, req, sha256Hex([]byte(body)), service, "us-east-1", at); err != nil {
			t.Fatal(err)
		}
	}
	return send(t, req)
}

func send(t *testing.T, req *http.Request) (int, string, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var doc errorDoc
	code := ""
	if bytes.HasPrefix(bytes.TrimSpace(b), []byte("<?xml")) && xmlUnmarshal(b, &doc) == nil && len(doc.Errors) > 0 {
		code = doc.Errors[0].Code
	}
	return resp.StatusCode, code, b
}

func tenantClient(s *server, key, secret string) *ec2.Client {
	return ec2.New(ec2.Options{Region: "us-east-1", BaseEndpoint: aws.String(s.url), Credentials: credentials.NewStaticCredentialsProvider(key, secret, "")})
}

// TestAdminEndpointsNeedAdmin: with --auth sigv4, nobody wipes state
// without an admin key, and the DNS admin endpoints answer in the caller's
// account only.
func TestAdminEndpointsNeedAdmin(t *testing.T) {
	s := authServer(t)
	tenant := tenantClient(s, tenantKey, tenantSecret)
	vpc := must[*ec2.CreateVpcOutput](t)(tenant.CreateVpc(ctx(t), &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})).Vpc.VpcId
	other := tenantClient(s, otherKey, otherSecret)
	otherVpc := must[*ec2.CreateVpcOutput](t)(other.CreateVpc(ctx(t), &ec2.CreateVpcInput{CidrBlock: aws.String("10.8.0.0/16")})).Vpc.VpcId
	stillThere := func() bool {
		out, err := tenant.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{VpcIds: []string{*vpc}})
		return err == nil && len(out.Vpcs) == 1
	}
	now := time.Now()
	for _, path := range []string{"/_vpce/reset", "/moto-api/reset"} {
		for _, tc := range []struct {
			name             string
			hdr              map[string]string
			key, secret, svc string
			wantStatus       int
			wantCode         string
		}{
			{"unsigned", nil, "", "", "", 401, "AuthFailure"},
			{"cross-site-text-plain", map[string]string{"Content-Type": "text/plain", "Origin": "http://evil.example"}, "", "", "", 403, "AccessDenied"},
			{"tenant-key", nil, tenantKey, tenantSecret, "vpce", 403, "UnauthorizedOperation"},
			{"admin-key-scoped-to-ec2", nil, adminKey, adminSecret, "ec2", 403, "SignatureDoesNotMatch"},
			{"admin-wrong-secret", nil, adminKey, "guess", "vpce", 403, "SignatureDoesNotMatch"},
		} {
			status, code, body := do(t, "POST", s.url+path, "", tc.hdr, tc.key, tc.secret, tc.svc, now)
			if status != tc.wantStatus || code != tc.wantCode {
				t.Errorf("POST %s %s: %d %s, want %d %s\n%s", path, tc.name, status, code, tc.wantStatus, tc.wantCode, body)
			}
			if !stillThere() {
				t.Fatalf("POST %s %s wiped the state", path, tc.name)
			}
		}
	}

	// DNS admin endpoints: a tenant sees its own resolvers only.
	list := func(key, secret string) []string {
		status, _, body := do(t, "GET", s.url+"/_vpce/dns", "", nil, key, secret, "vpce", time.Now())
		if status != 200 {
			t.Fatalf("GET /_vpce/dns as %s: %d %s", key, status, body)
		}
		var rs []struct{ VpcID, Account string }
		json.Unmarshal(body, &rs)
		var ids []string
		for _, r := range rs {
			ids = append(ids, r.VpcID)
		}
		return ids
	}
	if status, code, _ := do(t, "GET", s.url+"/_vpce/dns", "", nil, "", "", "", now); status != 401 || code != "AuthFailure" {
		t.Errorf("unsigned GET /_vpce/dns: %d %s", status, code)
	}
	mine := list(tenantKey, tenantSecret)
	if !contains(mine, *vpc) || contains(mine, *otherVpc) {
		t.Errorf("tenant's resolvers = %v, want %s and not %s", mine, *vpc, *otherVpc)
	}
	if all := list(adminKey, adminSecret); !contains(all, *vpc) || !contains(all, *otherVpc) {
		t.Errorf("admin's resolvers = %v, want both accounts'", all)
	}
	q := url.Values{"vpc": {*otherVpc}, "name": {"example.org"}}
	if status, _, body := do(t, "GET", s.url+"/_vpce/dns/resolve?"+q.Encode(), "", nil, tenantKey, tenantSecret, "vpce", time.Now()); status != 404 {
		t.Errorf("resolving in another account's VPC: %d %s", status, body)
	}
	q.Set("vpc", *vpc)
	q.Set("name", "ssm.us-east-1.amazonaws.com")
	if status, _, body := do(t, "GET", s.url+"/_vpce/dns/resolve?"+q.Encode(), "", nil, tenantKey, tenantSecret, "vpce", time.Now()); status != 200 {
		t.Errorf("resolving in the tenant's own VPC: %d %s", status, body)
	}
	// vpce dns signs with the environment's keys.
	cmd := exec.Command(binary, "dns", "--endpoint-url", s.url, "-o", "json")
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+tenantKey, "AWS_SECRET_ACCESS_KEY="+tenantSecret)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), *vpc) || strings.Contains(string(out), *otherVpc) {
		t.Errorf("vpce dns as the tenant: %v\n%s", err, out)
	}

	// The admin key resets.
	if status, code, body := do(t, "POST", s.url+"/_vpce/reset", "", nil, adminKey, adminSecret, "vpce", time.Now()); status != 200 {
		t.Fatalf("admin reset: %d %s %s", status, code, body)
	}
	if stillThere() {
		t.Error("the admin's reset left the tenant's VPC")
	}
}

// TestSignatureBindsBody: a captured signature cannot carry another body,
// another service's scope, or outlive a presigned URL's expiry.
func TestSignatureBindsBody(t *testing.T) {
	s := authServer(t)
	tenant := tenantClient(s, tenantKey, tenantSecret)
	count := func() int {
		return len(must[*ec2.DescribeVpcsOutput](t)(tenant.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{})).Vpcs)
	}
	before := count()
	describe := "Action=DescribeVpcs&Version=2016-11-15"
	create := "Action=CreateVpc&CidrBlock=10.66.0.0%2F16&Version=2016-11-15"
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for _, withHeader := range []bool{true, false} {
		req, _ := http.NewRequest("POST", s.url+"/", strings.NewReader(describe))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if withHeader {
			req.Header.Set("X-Amz-Content-Sha256", sha256Hex([]byte(describe)))
		}
		if err := v4.NewSigner().SignHTTP(ctx(t), aws.Credentials{AccessKeyID: tenantKey, SecretAccessKey: tenantSecret}, req, sha256Hex([]byte(describe)), "ec2", "us-east-1", time.Now()); err != nil {
			t.Fatal(err)
		}
		// Replay the captured headers with a CreateVpc body.
		replay, _ := http.NewRequest("POST", s.url+"/", strings.NewReader(create))
		replay.Header = req.Header.Clone()
		status, code, body := send(t, replay)
		want := "SignatureDoesNotMatch"
		if withHeader {
			want = "XAmzContentSHA256Mismatch"
		}
		if status < 400 || code != want {
			t.Errorf("replayed signature (hash header %v) with another body: %d %s, want %s\n%s", withHeader, status, code, want, body)
		}
	}
	if n := count(); n != before {
		t.Fatalf("a replayed signature created a VPC: %d VPCs, had %d", n, before)
	}
	if status, code, _ := do(t, "POST", s.url+"/", describe, map[string]string{"Content-Type": "application/x-www-form-urlencoded", "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD"},
		tenantKey, tenantSecret, "ec2", time.Now()); status < 400 || code != "InvalidRequest" {
		t.Errorf("UNSIGNED-PAYLOAD for EC2: %d %s", status, code)
	}
	if status, code, _ := do(t, "POST", s.url+"/", describe, form, tenantKey, tenantSecret, "s3", time.Now()); status != 403 || code != "SignatureDoesNotMatch" {
		t.Errorf("a signature scoped to s3 used for EC2: %d %s", status, code)
	}
	// Presigned: good within X-Amz-Expires, refused after.
	presign := func(expires string, at time.Time) string {
		req, _ := http.NewRequest("GET", s.url+"/?Action=DescribeVpcs&Version=2016-11-15&X-Amz-Expires="+expires, nil)
		u, _, err := v4.NewSigner().PresignHTTP(ctx(t), aws.Credentials{AccessKeyID: tenantKey, SecretAccessKey: tenantSecret}, req, sha256Hex(nil), "ec2", "us-east-1", at)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	get := func(u string) (int, string) {
		req, _ := http.NewRequest("GET", u, nil)
		status, code, _ := send(t, req)
		return status, code
	}
	if status, code := get(presign("60", time.Now())); status != 200 {
		t.Errorf("fresh presigned URL: %d %s", status, code)
	}
	if status, code := get(presign("2", time.Now().Add(-5*time.Second))); status != 400 || code != "RequestExpired" {
		t.Errorf("presigned URL past X-Amz-Expires: %d %s", status, code)
	}
}

// TestBrowserGuard: with auth off, what a web page could send is refused —
// a foreign Host (DNS rebinding), a cross-site Origin or Sec-Fetch-Site,
// a text/plain body — while programs go through.
func TestBrowserGuard(t *testing.T) {
	acct := newAccount()
	form := "Action=DescribeVpcs&Version=2016-11-15"
	signedAs := func(req *http.Request) {
		v4.NewSigner().SignHTTP(ctx(t), aws.Credentials{AccessKeyID: acct, SecretAccessKey: "x"}, req, sha256Hex([]byte(form)), "ec2", "us-east-1", time.Now())
	}
	for _, tc := range []struct {
		name       string
		host       string
		hdr        map[string]string
		ctype      string
		wantStatus int
		wantCode   string
	}{
		{"program", "", nil, "application/x-www-form-urlencoded; charset=utf-8", 200, ""},
		{"localhost-name", "localhost:4566", nil, "application/x-www-form-urlencoded", 200, ""},
		{"same-site-page", "", map[string]string{"Origin": "http://localhost:3000", "Sec-Fetch-Site": "same-site"}, "application/x-www-form-urlencoded", 200, ""},
		{"rebound-host", "attacker.example:4566", nil, "application/x-www-form-urlencoded", 403, "AccessDenied"},
		{"cross-site-origin", "", map[string]string{"Origin": "https://attacker.example"}, "application/x-www-form-urlencoded", 403, "AccessDenied"},
		{"null-origin", "", map[string]string{"Origin": "null"}, "application/x-www-form-urlencoded", 403, "AccessDenied"},
		{"sec-fetch-cross-site", "", map[string]string{"Sec-Fetch-Site": "cross-site"}, "application/x-www-form-urlencoded", 403, "AccessDenied"},
		{"text-plain-body", "", nil, "text/plain", 415, "InvalidRequest"},
	} {
		req, _ := http.NewRequest("POST", shared.url+"/", strings.NewReader(form))
		req.Header.Set("Content-Type", tc.ctype)
		for k, v := range tc.hdr {
			req.Header.Set(k, v)
		}
		if tc.host != "" {
			req.Host = tc.host
		}
		signedAs(req)
		status, code, body := send(t, req)
		if status != tc.wantStatus || code != tc.wantCode {
			t.Errorf("%s: %d %s, want %d %s\n%s", tc.name, status, code, tc.wantStatus, tc.wantCode, body)
		}
	}
	// A cross-site reset from a web page is refused, on every path.
	for _, path := range []string{"/_vpce/reset", "/moto-api/reset"} {
		req, _ := http.NewRequest("POST", shared.url+path, strings.NewReader("x"))
		req.Header.Set("Content-Type", "text/plain")
		req.Header.Set("Origin", "http://attacker.example")
		if status, code, _ := send(t, req); status != 403 || code != "AccessDenied" {
			t.Errorf("cross-site POST %s: %d %s", path, status, code)
		}
		req, _ = http.NewRequest("POST", shared.url+path, nil)
		req.Host = "attacker.example"
		if status, code, _ := send(t, req); status != 403 || code != "AccessDenied" {
			t.Errorf("POST %s with a rebound Host: %d %s", path, status, code)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

func xmlUnmarshal(b []byte, v any) error { return xml.Unmarshal(b, v) }

// TestDefaultVpcQuota: a server with AWS's default quota refuses a sixth
// VPC in one account and region with VpcLimitExceeded, and other accounts
// carry on.
func TestDefaultVpcQuota(t *testing.T) {
	s, err := startServer(filepath.Join(t.TempDir(), "state"), "--quota", "vpcs=5")
	if err != nil {
		t.Fatal(err)
	}
	defer s.stop()
	c := clientFor(s.url, newAccount(), "us-east-1")
	for i := range 4 {
		must[*ec2.CreateVpcOutput](t)(c.CreateVpc(ctx(t), &ec2.CreateVpcInput{CidrBlock: aws.String(fmt.Sprintf("10.%d.0.0/16", i))}))
	}
	_, err = c.CreateVpc(ctx(t), &ec2.CreateVpcInput{CidrBlock: aws.String("10.50.0.0/16")})
	wantCode(t, err, "VpcLimitExceeded")
	other := clientFor(s.url, newAccount(), "us-east-1")
	must[*ec2.CreateVpcOutput](t)(other.CreateVpc(ctx(t), &ec2.CreateVpcInput{CidrBlock: aws.String("10.50.0.0/16")}))
}
