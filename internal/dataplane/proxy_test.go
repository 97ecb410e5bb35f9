package dataplane

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
)

var sc = cloud.Scope{Account: "123456789012", Region: "us-east-1"}

// benchRig is newRig for benchmarks.
func newBenchRig(b *testing.B) *rig { return newRigTB(b) }

// rig is a VPC with an instance in a private subnet whose route table has
// an S3 gateway endpoint, and the data plane in front of it.
type rig struct {
	t        testing.TB
	c        *cloud.Cloud
	proxy    *testProxy
	p        *Proxy
	ca       *CA
	inst     string
	vpc      string
	subnet   string
	rtb      string
	s3ep     string
	endpoint *url.URL
}

func newRig(t *testing.T) *rig { return newRigTB(t) }

func newRigTB(t testing.TB) *rig {
	t.Helper()
	dir := t.TempDir()
	c := cloud.New(cloud.Config{Store: cloudtest.Store(t, dir), ProvisionDelay: -1})
	ctx := context.Background()
	r := &rig{t: t, c: c}
	r.vpc = cloudtest.Must[*cloud.CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &cloud.CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
	r.subnet = cloudtest.Must[*cloud.CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &cloud.CreateSubnetInput{VpcID: r.vpc, CidrBlock: "10.0.1.0/24", AvailabilityZone: "us-east-1a"})).Subnet.SubnetID
	r.inst = cloudtest.Must[*cloud.Reservation](t)(c.RunInstances(ctx, sc, &cloud.RunInstancesInput{ImageID: "ami-12345678", MinCount: cloudtest.Ptr[int32](1), MaxCount: cloudtest.Ptr[int32](1), SubnetID: r.subnet})).Instances[0].InstanceID
	r.rtb = cloudtest.Must[*cloud.CreateRouteTableOutput](t)(c.CreateRouteTable(ctx, sc, &cloud.CreateRouteTableInput{VpcID: r.vpc})).RouteTable.RouteTableID
	cloudtest.Must[*cloud.AssociateRouteTableOutput](t)(c.AssociateRouteTable(ctx, sc, &cloud.AssociateRouteTableInput{RouteTableID: r.rtb, SubnetID: r.subnet}))
	doc := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::reports","arn:aws:s3:::reports/public/*","arn:aws:s3:::other","arn:aws:s3:::other/*"]},
		{"Effect":"Allow","Principal":"*","Action":["s3:CreateBucket","s3:PutObject"],"Resource":"*"}]}`
	r.s3ep = cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: r.vpc, ServiceName: "com.amazonaws.us-east-1.s3",
		RouteTableIDs: []string{r.rtb}, PolicyDocument: &doc})).VpcEndpoint.VpcEndpointID
	r.ca = cloudtest.Must[*CA](t)(LoadCA(dir))
	s3, closer, err := EmbeddedS3(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closer.Close() })
	r.p = New(Config{Cloud: c, CA: r.ca, S3: s3})
	r.proxy = startProxy(r.t, r.p)
	return r
}

// client is an HTTP client whose requests leave from src through the
// data plane, trusting its CA, signing as account 123456789012.
func (r *rig) client(src string) *http.Client {
	pool := x509.NewCertPool()
	pem, _ := os.ReadFile(r.ca.CertFile)
	pool.AppendCertsFromPEM(pem)
	pu, _ := url.Parse(r.proxy.URL)
	if src != "" {
		pu.User = url.UserPassword(src, "x")
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: http.ProxyURL(pu), TLSClientConfig: &tls.Config{RootCAs: pool}}}
}

func signed(method, u, body string) *http.Request {
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=123456789012/20261202/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00")
	return req
}

func (r *rig) do(c *http.Client, method, u, body string) (int, http.Header, string) {
	r.t.Helper()
	resp, err := c.Do(signed(method, u, body))
	if err != nil {
		return 0, nil, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func TestProxyS3ThroughGatewayEndpoint(t *testing.T) {
	r := newRig(t)
	c := r.client(r.inst)
	for _, step := range []struct{ method, url, body string }{
		{"PUT", "https://s3.us-east-1.amazonaws.com/reports", ""},
		{"PUT", "https://reports.s3.us-east-1.amazonaws.com/public/a.txt", "open data"},
		{"PUT", "https://reports.s3.us-east-1.amazonaws.com/secret.txt", "the secret"},
	} {
		if code, _, body := r.do(c, step.method, step.url, step.body); code != 200 {
			t.Fatalf("%s %s: %d %s", step.method, step.url, code, body)
		}
	}
	if code, _, body := r.do(c, "GET", "https://reports.s3.us-east-1.amazonaws.com/public/a.txt", ""); code != 200 || body != "open data" {
		t.Fatalf("get public: %d %s", code, body)
	}
	// The endpoint policy allows reading public/* only: S3's AccessDenied,
	// naming the VPC endpoint policy, and the reason header.
	code, hdr, body := r.do(c, "GET", "https://reports.s3.us-east-1.amazonaws.com/secret.txt", "")
	if code != 403 || !strings.Contains(body, "<Code>AccessDenied</Code>") || !strings.Contains(body, "because no VPC endpoint policy allows the s3:GetObject action") ||
		hdr.Get("X-Vpce-Reason") != "ENDPOINT_POLICY_DENY" || hdr.Get("X-Vpce-Component") != r.s3ep {
		t.Fatalf("get secret: %d %v %s", code, hdr, body)
	}
	// Metering counts what crossed the endpoint.
	var u Usage
	for _, x := range r.p.Meter().Report("") {
		if x.Component == r.s3ep {
			u.Path = x.Path
			u.Requests += x.Requests
			u.Denied += x.Denied
			u.BytesIn += x.BytesIn
			if x.Service != "" && x.Service != "s3" {
				t.Errorf("service %q", x.Service)
			}
		}
	}
	if u.Requests != 4 || u.Denied != 1 || u.BytesIn != int64(len("open data")+len("the secret")) || u.Path != "PRIVATE_GATEWAY_ENDPOINT" {
		t.Errorf("usage %+v", u)
	}
}

func TestProxyRefusals(t *testing.T) {
	r := newRig(t)
	// No source named: 407 saying how to name one.
	code, hdr, body := r.do(r.client(""), "GET", "http://s3.us-east-1.amazonaws.com/reports", "")
	if code != 407 || hdr.Get("X-Vpce-Reason") != "NO_SOURCE" || !strings.Contains(body, "vpce exec") {
		t.Fatalf("no source: %d %s", code, body)
	}
	code, _, body = r.do(r.client("i-0123456789abcdef0"), "GET", "http://s3.us-east-1.amazonaws.com/reports", "")
	if code != 407 || !strings.Contains(body, "UNKNOWN_SOURCE") {
		t.Fatalf("unknown source: %d %s", code, body)
	}
	// No route to SSM's public address: the tunnel is refused at once
	// with the hop and the code.
	code, _, body = r.do(r.client(r.inst), "GET", "https://ssm.us-east-1.amazonaws.com/", "")
	if code != 0 || !strings.Contains(body, "Forbidden") {
		t.Fatalf("blocked CONNECT through the client: %d %s", code, body)
	}
	status, hdrs := rawConnect(t, r.proxy.Listener.Addr().String(), r.inst, "ssm.us-east-1.amazonaws.com:443")
	if !strings.Contains(status, "403") || !strings.Contains(hdrs, "X-Vpce-Reason: NO_ROUTE_TO_DESTINATION") || !strings.Contains(hdrs, "X-Vpce-Component: "+r.rtb) {
		t.Fatalf("blocked CONNECT: %s\n%s", status, hdrs)
	}
}

// TestUpstreams: without an embedded S3 or an upstream the data plane
// answers 502 naming the flag; with --upstream s3=URL it forwards
// path-style, with exactly the bucket and key it decided.
func TestUpstreams(t *testing.T) {
	r := newRig(t)
	// A proxy of the same state with no embedded S3 (each proxy is
	// configured before it serves).
	serve := func(cfg Config) {
		r.p = New(cfg)
		r.proxy = startProxy(r.t, r.p)
	}
	serve(Config{Cloud: r.c, CA: r.ca})
	c := r.client(r.inst)
	code, hdr, body := r.do(c, "GET", "https://reports.s3.us-east-1.amazonaws.com/public/a%20b.txt", "")
	if code != 502 || hdr.Get("X-Vpce-Reason") != "NO_UPSTREAM" || !strings.Contains(body, "--upstream s3=") {
		t.Fatalf("no upstream: %d %s", code, body)
	}
	var got *http.Request
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		got = req
		io.WriteString(w, "from upstream")
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL + "/base")
	serve(Config{Cloud: r.c, CA: r.ca, Upstreams: map[string]*url.URL{"s3": u}})
	c = r.client(r.inst)
	code, _, body = r.do(c, "GET", "https://reports.s3.us-east-1.amazonaws.com/public/a%20b.txt?versionId=7", "")
	if code != 200 || body != "from upstream" || got == nil {
		t.Fatalf("upstream: %d %s", code, body)
	}
	if got.URL.Path != "/base/reports/public/a b.txt" || got.URL.RawQuery != "versionId=7" || got.Header.Get("Proxy-Authorization") != "" {
		t.Errorf("forwarded %s ? %s (proxy auth %q)", got.URL.Path, got.URL.RawQuery, got.Header.Get("Proxy-Authorization"))
	}
}

// rawConnect sends CONNECT with the source as proxy user and returns the
// status line and headers.
func rawConnect(t *testing.T, proxy, src, target string) (string, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", proxy, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	auth := base64.StdEncoding.EncodeToString([]byte(src + ":x"))
	fmt.Fprintf(conn, "CONNECT %s HTTP/1.1\r\nHost: %s\r\nProxy-Authorization: Basic %s\r\n\r\n", target, target, auth)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	resp.Header.Write(&b)
	return resp.Status, b.String()
}

// tunnel opens a TLS tunnel to host through the proxy and sends raw
// request bytes, returning the raw response.
func (r *rig) tunnel(host, raw string) string {
	r.t.Helper()
	conn, err := net.DialTimeout("tcp", r.proxy.Listener.Addr().String(), 5*time.Second)
	if err != nil {
		r.t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	auth := base64.StdEncoding.EncodeToString([]byte(r.inst + ":x"))
	fmt.Fprintf(conn, "CONNECT %s:443 HTTP/1.1\r\nHost: %s:443\r\nProxy-Authorization: Basic %s\r\n\r\n", host, host, auth)
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		return resp.Status
	}
	pool := x509.NewCertPool()
	pem, _ := os.ReadFile(r.ca.CertFile)
	pool.AppendCertsFromPEM(pem)
	tc := tls.Client(conn, &tls.Config{ServerName: host, RootCAs: pool})
	if err := tc.Handshake(); err != nil {
		return "handshake: " + err.Error()
	}
	io.WriteString(tc, raw)
	out, _ := io.ReadAll(tc)
	return string(out)
}

// TestBypassCorpus: the endpoint policy allows reading reports/public/*
// only. No spelling of a request reaches reports/secret.txt: every one is
// denied, or names (and is answered for) a different, literal key.
func TestBypassCorpus(t *testing.T) {
	r := newRig(t)
	c := r.client(r.inst)
	r.do(c, "PUT", "https://s3.us-east-1.amazonaws.com/reports", "")
	r.do(c, "PUT", "https://s3.us-east-1.amazonaws.com/reports/secret.txt", "TOP-SECRET")
	r.do(c, "PUT", "https://s3.us-east-1.amazonaws.com/reports/public/ok.txt", "fine")
	const auth = "Authorization: AWS4-HMAC-SHA256 Credential=123456789012/20261202/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00\r\n"
	get := func(host, target string, extra ...string) string {
		return r.tunnel(host, "GET "+target+" HTTP/1.1\r\nHost: "+host+"\r\n"+auth+strings.Join(extra, "")+"Connection: close\r\n\r\n")
	}
	cases := map[string]string{
		"plain":                     get("s3.us-east-1.amazonaws.com", "/reports/secret.txt"),
		"dot-dot":                   get("s3.us-east-1.amazonaws.com", "/reports/public/../secret.txt"),
		"encoded dot-dot":           get("s3.us-east-1.amazonaws.com", "/reports/public/%2e%2e/secret.txt"),
		"encoded slash":             get("s3.us-east-1.amazonaws.com", "/reports/public%2F..%2Fsecret.txt"),
		"double slash":              get("s3.us-east-1.amazonaws.com", "/reports//secret.txt"),
		"dot segment":               get("s3.us-east-1.amazonaws.com", "/reports/./secret.txt"),
		"virtual-hosted":            get("reports.s3.us-east-1.amazonaws.com", "/secret.txt"),
		"virtual-hosted dot-dot":    get("reports.s3.us-east-1.amazonaws.com", "/public/../secret.txt"),
		"upper-case host":           get("REPORTS.S3.US-EAST-1.AMAZONAWS.COM", "/secret.txt"),
		"global name":               get("reports.s3.amazonaws.com", "/secret.txt"),
		"absolute-form inside":      get("s3.us-east-1.amazonaws.com", "https://s3.us-east-1.amazonaws.com/reports/secret.txt"),
		"HTTP/1.0":                  r.tunnel("s3.us-east-1.amazonaws.com", "GET /reports/secret.txt HTTP/1.0\r\nHost: s3.us-east-1.amazonaws.com\r\n"+auth+"\r\n"),
		"Host differs from tunnel":  r.tunnel("s3.us-east-1.amazonaws.com", "GET /secret.txt HTTP/1.1\r\nHost: reports.s3.us-east-1.amazonaws.com\r\n"+auth+"Connection: close\r\n\r\n"),
		"query smuggled key":        get("s3.us-east-1.amazonaws.com", "/reports/public/x?/../../secret.txt"),
		"presigned, no header auth": r.tunnel("s3.us-east-1.amazonaws.com", "GET /reports/secret.txt?X-Amz-Credential=123456789012%2F20261202%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=00 HTTP/1.1\r\nHost: s3.us-east-1.amazonaws.com\r\nConnection: close\r\n\r\n"),
		"smuggled CL+TE": r.tunnel("s3.us-east-1.amazonaws.com", "POST /reports/public/ok.txt?select HTTP/1.1\r\nHost: s3.us-east-1.amazonaws.com\r\n"+auth+
			"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /reports/secret.txt HTTP/1.1\r\nHost: s3.us-east-1.amazonaws.com\r\n"+auth+"Connection: close\r\n\r\n"),
	}
	for name, resp := range cases {
		first, _, _ := strings.Cut(resp, "\r\n")
		t.Logf("%-26s %s", name, first)
		if strings.Contains(resp, "TOP-SECRET") {
			t.Errorf("%s reached the secret:\n%s", name, resp)
		}
	}
	// The plain request is denied as AWS would; the Host trick is refused.
	if !strings.Contains(cases["plain"], "403") || !strings.Contains(cases["plain"], "AccessDenied") {
		t.Errorf("plain: %s", cases["plain"])
	}
	if !strings.Contains(cases["Host differs from tunnel"], "421") {
		t.Errorf("host mismatch: %s", cases["Host differs from tunnel"])
	}
	// SNI must name the tunnel's host.
	conn, err := net.Dial("tcp", r.proxy.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "CONNECT s3.us-east-1.amazonaws.com:443 HTTP/1.1\r\nHost: x\r\nProxy-Authorization: Basic %s\r\n\r\n", base64.StdEncoding.EncodeToString([]byte(r.inst+":x")))
	http.ReadResponse(bufio.NewReader(conn), nil)
	tc := tls.Client(conn, &tls.Config{ServerName: "reports.s3.us-east-1.amazonaws.com", InsecureSkipVerify: true})
	if err := tc.Handshake(); err == nil {
		t.Errorf("a TLS server name other than the tunnel's was accepted")
	}
}

// TestDeleteObjectsPerKey: a Deny on one prefix holds for DeleteObjects,
// which names its keys in the body.
// TestDeleteObjectsPerKey: S3 decides a multi-object delete per key —
// the keys a policy allows are deleted, each denied one is reported as
// AccessDenied in the DeleteResult, and a request whose every key is
// denied deletes nothing and still answers 200.
func TestDeleteObjectsPerKey(t *testing.T) {
	r := newRig(t)
	doc := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"},
		{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::reports/keep/*"}]}`
	cloudtest.Must[*cloud.Return](t)(r.c.ModifyVpcEndpoint(context.Background(), sc, &cloud.ModifyVpcEndpointInput{VpcEndpointID: r.s3ep, PolicyDocument: &doc}))
	c := r.client(r.inst)
	r.do(c, "PUT", "https://s3.us-east-1.amazonaws.com/reports", "")
	r.do(c, "PUT", "https://s3.us-east-1.amazonaws.com/reports/keep/a", "precious")
	r.do(c, "PUT", "https://s3.us-east-1.amazonaws.com/reports/tmp/b", "scratch")
	body := `<Delete><Object><Key>tmp/b</Key></Object><Object><Key>keep/a</Key></Object></Delete>`
	code, hdr, resp := r.do(c, "POST", "https://s3.us-east-1.amazonaws.com/reports?delete", body)
	resp = strings.Join(strings.Fields(resp), "")
	if code != 200 || !strings.Contains(resp, "<Deleted><Key>tmp/b</Key>") || !strings.Contains(resp, "<Error><Key>keep/a</Key><Code>AccessDenied</Code>") ||
		strings.Contains(resp, "<Deleted><Key>keep/a</Key>") || hdr.Get("X-Vpce-Reason") != "ENDPOINT_POLICY_DENY" {
		t.Fatalf("delete with a protected key: %d %v %s", code, hdr, resp)
	}
	if code, _, got := r.do(c, "GET", "https://s3.us-east-1.amazonaws.com/reports/keep/a", ""); code != 200 || got != "precious" {
		t.Fatalf("protected object: %d %s", code, got)
	}
	if code, _, _ := r.do(c, "GET", "https://s3.us-east-1.amazonaws.com/reports/tmp/b", ""); code != 404 {
		t.Fatalf("tmp/b after delete: %d", code)
	}
	code, _, resp = r.do(c, "POST", "https://s3.us-east-1.amazonaws.com/reports?delete", `<Delete><Quiet>true</Quiet><Object><Key>keep/a</Key></Object></Delete>`)
	if code != 200 || !strings.Contains(resp, "<Error><Key>keep/a</Key><Code>AccessDenied</Code>") || strings.Contains(resp, "<Deleted>") {
		t.Fatalf("delete of protected keys only: %d %s", code, resp)
	}
	if code, _, got := r.do(c, "GET", "https://s3.us-east-1.amazonaws.com/reports/keep/a", ""); code != 200 || got != "precious" {
		t.Fatalf("protected object after the second delete: %d %s", code, got)
	}
}

// TestUnclassifiedFailsClosed: an S3 request the classifier cannot name
// (a browser POST upload, an unknown subresource) is not carried.
func TestUnclassifiedFailsClosed(t *testing.T) {
	r := newRig(t)
	c := r.client(r.inst)
	r.do(c, "PUT", "https://s3.us-east-1.amazonaws.com/reports", "")
	code, _, body := r.do(c, "POST", "https://s3.us-east-1.amazonaws.com/reports", "key=secret.txt&file=x")
	if code != 501 || !strings.Contains(body, "NotImplemented") {
		t.Fatalf("browser POST: %d %s", code, body)
	}
	if code, _, _ = r.do(c, "GET", "https://s3.us-east-1.amazonaws.com/reports/secret.txt", ""); code != 403 && code != 404 {
		t.Fatalf("after the POST: %d", code)
	}
}

// testProxy is the proxy served by its front end on a loopback port.
type testProxy struct {
	URL      string
	Listener net.Listener
	srv      *Server
}

// Close stops the front end.
func (tp *testProxy) Close() { tp.srv.Close() }

func startProxy(tb testing.TB, p *Proxy) *testProxy {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := p.NewServer()
	go srv.Serve(ln)
	tp := &testProxy{URL: "http://" + ln.Addr().String(), Listener: ln, srv: srv}
	tb.Cleanup(tp.Close)
	return tp
}
