package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// vexec runs `vpce exec --instance src -- args…` as an account and returns
// stdout+stderr and the exit status.
func vexec(t *testing.T, s *server, account, src string, args ...string) (string, int) {
	t.Helper()
	flag := "--instance"
	if net.ParseIP(src) != nil {
		flag = "--from" // an address on premises
	}
	all := append([]string{"exec", flag, src, "--endpoint-url", s.url, "--"}, args...)
	cmd := exec.Command(binary, all...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+account, "AWS_SECRET_ACCESS_KEY=secret", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_MAX_ATTEMPTS=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), 0
	case errors.As(err, &ee):
		return out.String(), ee.ExitCode()
	}
	t.Fatalf("vpce exec: %v", err)
	return "", -1
}

// TestDataPlane runs the seed's scenarios with the real aws CLI v2 and curl
// through `vpce exec`, and aws-sdk-go-v2 through the proxy: S3 through a
// gateway endpoint with a bucket policy on aws:SourceVpce (allowed through
// the endpoint, denied by NAT once the endpoint is deleted mid-test), an
// endpoint policy that allows one bucket only, an interface endpoint whose
// group closes 443 (blocked with the group named), private DNS off (public
// by NAT).
func TestDataPlane(t *testing.T) {
	acct := newAccount()
	run := cliRunner(t, acct)
	vpc := str(run("create-vpc", "--cidr-block", "10.70.0.0/16"), "Vpc", "VpcId")
	run("modify-vpc-attribute", "--vpc-id", vpc, "--enable-dns-hostnames")
	priv := str(run("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.70.1.0/24", "--availability-zone", "us-east-1a"), "Subnet", "SubnetId")
	pub := str(run("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.70.0.0/24", "--availability-zone", "us-east-1a"), "Subnet", "SubnetId")
	privRT := str(run("create-route-table", "--vpc-id", vpc), "RouteTable", "RouteTableId")
	pubRT := str(run("create-route-table", "--vpc-id", vpc), "RouteTable", "RouteTableId")
	run("associate-route-table", "--route-table-id", privRT, "--subnet-id", priv)
	run("associate-route-table", "--route-table-id", pubRT, "--subnet-id", pub)
	igw := str(run("create-internet-gateway"), "InternetGateway", "InternetGatewayId")
	run("attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc)
	run("create-route", "--route-table-id", pubRT, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", igw)
	eip := str(run("allocate-address", "--domain", "vpc"), "AllocationId")
	nat := str(run("create-nat-gateway", "--subnet-id", pub, "--allocation-id", eip), "NatGateway", "NatGatewayId")
	run("create-route", "--route-table-id", privRT, "--destination-cidr-block", "0.0.0.0/0", "--nat-gateway-id", nat)
	inst := str(run("run-instances", "--image-id", "ami-12345678", "--subnet-id", priv), "Instances", 0, "InstanceId")
	s3ep := str(run("create-vpc-endpoint", "--vpc-id", vpc, "--service-name", "com.amazonaws.us-east-1.s3", "--route-table-ids", privRT), "VpcEndpoint", "VpcEndpointId")
	time.Sleep(400 * time.Millisecond) // NAT and instance leave pending

	bucket := "reports-" + acct
	file := filepath.Join(t.TempDir(), "q3.csv")
	os.WriteFile(file, []byte("region,total\nus-east-1,42\n"), 0o644)
	for _, args := range [][]string{
		{awsCLI, "s3", "mb", "s3://" + bucket},
		{awsCLI, "s3", "cp", file, "s3://" + bucket + "/q3.csv"},
	} {
		if out, code := vexec(t, shared, acct, inst, args...); code != 0 {
			t.Fatalf("%v: exit %d\n%s", args, code, out)
		}
	}
	if out, code := vexec(t, shared, acct, inst, awsCLI, "s3", "ls", "s3://"+bucket); code != 0 || !strings.Contains(out, "q3.csv") {
		t.Fatalf("s3 ls: exit %d\n%s", code, out)
	}
	// A bucket policy that denies everything not coming through the
	// endpoint, set through the data plane itself.
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"OnlyThroughTheEndpoint","Effect":"Deny","Principal":"*","Action":"s3:*",
		"Resource":["arn:aws:s3:::` + bucket + `","arn:aws:s3:::` + bucket + `/*"],"Condition":{"StringNotEquals":{"aws:SourceVpce":"` + s3ep + `"}}}]}`
	if out, code := vexec(t, shared, acct, inst, awsCLI, "s3api", "put-bucket-policy", "--bucket", bucket, "--policy", policy); code != 0 {
		t.Fatalf("put-bucket-policy: exit %d\n%s", code, out)
	}
	if out, code := vexec(t, shared, acct, inst, awsCLI, "s3", "cp", "s3://"+bucket+"/q3.csv", "-"); code != 0 || !strings.Contains(out, "us-east-1,42") {
		t.Fatalf("get through the endpoint: exit %d\n%s", code, out)
	}
	// An endpoint policy that allows another bucket only.
	run("modify-vpc-endpoint", "--vpc-endpoint-id", s3ep, "--policy-document",
		`{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::elsewhere","arn:aws:s3:::elsewhere/*"]}]}`)
	out, code := vexec(t, shared, acct, inst, awsCLI, "s3api", "get-object", "--bucket", bucket, "--key", "q3.csv", filepath.Join(t.TempDir(), "out"))
	if code == 0 || !strings.Contains(out, "AccessDenied") || !strings.Contains(out, "because no VPC endpoint policy allows the s3:GetObject action") {
		t.Fatalf("endpoint policy: exit %d\n%s", code, out)
	}
	run("modify-vpc-endpoint", "--vpc-endpoint-id", s3ep, "--reset-policy")

	// aws-sdk-go-v2 through the proxy, trusting vpce's CA.
	var info struct{ Proxy, CAFile string }
	must[[]byte](t)(getJSON(shared.url+"/_vpce/dataplane", &info))
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(must[[]byte](t)(os.ReadFile(info.CAFile)))
	proxyURL := &url.URL{Scheme: "http", Host: info.Proxy, User: url.UserPassword(inst, "x")}
	sdk := s3.New(s3.Options{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(acct, "secret", ""),
		HTTPClient: &http.Client{Timeout: 20 * time.Second, Transport: &http.Transport{Proxy: http.ProxyURL(proxyURL), TLSClientConfig: &tls.Config{RootCAs: pool}}}})
	obj := must[*s3.GetObjectOutput](t)(sdk.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("q3.csv")}))
	body, _ := io.ReadAll(obj.Body)
	obj.Body.Close()
	if !strings.Contains(string(body), "us-east-1,42") {
		t.Fatalf("sdk get: %q", body)
	}

	// The endpoint deleted mid-test: S3 now goes out by the NAT gateway,
	// where the bucket policy denies.
	run("delete-vpc-endpoints", "--vpc-endpoint-ids", s3ep)
	out, code = vexec(t, shared, acct, inst, awsCLI, "s3api", "get-object", "--bucket", bucket, "--key", "q3.csv", filepath.Join(t.TempDir(), "out"))
	if code == 0 || !strings.Contains(out, "with an explicit deny in a resource-based policy") {
		t.Fatalf("after deleting the endpoint: exit %d\n%s", code, out)
	}
	_, err := sdk.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("q3.csv")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("sdk after deleting the endpoint: %v", err)
	}

	// An SSM interface endpoint whose group lets nothing in: the tunnel is
	// refused at once, naming the group.
	sg := str(run("create-security-group", "--group-name", "ssm-endpoint", "--description", "closed", "--vpc-id", vpc), "GroupId")
	ssm := str(run("create-vpc-endpoint", "--vpc-id", vpc, "--vpc-endpoint-type", "Interface", "--service-name", "com.amazonaws.us-east-1.ssm",
		"--subnet-ids", priv, "--security-group-ids", sg, "--private-dns-enabled"), "VpcEndpoint", "VpcEndpointId")
	time.Sleep(400 * time.Millisecond)
	out, code = vexec(t, shared, acct, inst, "curl", "-sv", "https://ssm.us-east-1.amazonaws.com/")
	if code == 0 || !strings.Contains(out, "X-Vpce-Reason: ENI_SG_RULES_MISMATCH") || !strings.Contains(out, "X-Vpce-Component: "+sg) {
		t.Fatalf("closed endpoint group: exit %d\n%s", code, out)
	}
	// The aws CLI sees the refusal too (as its proxy failing).
	if out, code = vexec(t, shared, acct, inst, awsCLI, "ssm", "describe-parameters"); code == 0 || !strings.Contains(out, "Failed to connect to proxy") {
		t.Fatalf("aws ssm through a closed group: exit %d\n%s", code, out)
	}
	// Private DNS off: ssm's name resolves publicly and the path is by
	// NAT: open, and answered 502 since no upstream serves SSM.
	run("authorize-security-group-ingress", "--group-id", sg, "--protocol", "tcp", "--port", "443", "--cidr", "10.70.0.0/16")
	run("modify-vpc-endpoint", "--vpc-endpoint-id", ssm, "--no-private-dns-enabled")
	out, code = vexec(t, shared, acct, inst, "curl", "-s", "https://ssm.us-east-1.amazonaws.com/")
	if code != 0 || !strings.Contains(out, "NO_UPSTREAM") || !strings.Contains(out, "--upstream ssm=") {
		t.Fatalf("private DNS off: exit %d\n%s", code, out)
	}
	// Usage names the endpoint and the NAT gateway.
	raw, err := getJSON(shared.url+"/_vpce/usage?account="+acct, nil)
	if err != nil || !bytes.Contains(raw, []byte(s3ep)) || !bytes.Contains(raw, []byte(nat)) {
		t.Fatalf("usage: %v %s", err, raw)
	}
	// Cost from what the data plane measured: the S3 bytes, priced on
	// today's path (by NAT, the endpoint is gone).
	out, code = runVpce(t, shared.url, acct, "cost", "--from-metrics", "--vpc", vpc, "-o", "json")
	var rep struct {
		Traffic []struct {
			Service    string  `json:"service"`
			GBPerMonth float64 `json:"gbPerMonth"`
			Path       string  `json:"path"`
		} `json:"traffic"`
	}
	if err := json.Unmarshal([]byte(out), &rep); code != 0 || err != nil || len(rep.Traffic) == 0 || rep.Traffic[0].Service != "s3" || rep.Traffic[0].GBPerMonth <= 0 || rep.Traffic[0].Path != "PUBLIC_NAT" {
		t.Fatalf("cost --from-metrics: exit %d %v\n%s", code, err, out)
	}
	// No source: a 407 that says how to name one.
	resp, err := (&http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(&url.URL{Scheme: "http", Host: info.Proxy})}}).Get("http://s3.us-east-1.amazonaws.com/")
	if err != nil || resp.StatusCode != http.StatusProxyAuthRequired {
		t.Fatalf("no source: %v %v", resp, err)
	}
	resp.Body.Close()
}

// getJSON reads a vpce endpoint unsigned (auth is off on the shared
// server) and decodes it into out when given.
func getJSON(u string, out any) ([]byte, error) {
	resp, err := http.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		return b, errors.Join(err, errors.New(resp.Status))
	}
	if out != nil {
		return b, jsonUnmarshal(b, out)
	}
	return b, nil
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// TestDataPlaneAuth: with --auth sigv4 the data plane verifies the
// signatures of the requests it carries, and a source is used only by its
// own account's keys.
func TestDataPlaneAuth(t *testing.T) {
	s := authServer(t)
	tc := tenantClient(s, tenantKey, tenantSecret)
	ctx := context.Background()
	vpc := must[*ec2.CreateVpcOutput](t)(tc.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.2.0.0/16")})).Vpc
	sn := must[*ec2.CreateSubnetOutput](t)(tc.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.VpcId, CidrBlock: aws.String("10.2.1.0/24")})).Subnet
	inst := must[*ec2.RunInstancesOutput](t)(tc.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-12345678"), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), SubnetId: sn.SubnetId})).Instances[0].InstanceId
	rts := must[*ec2.DescribeRouteTablesOutput](t)(tc.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{Filters: []ec2types.Filter{{Name: aws.String("vpc-id"), Values: []string{aws.ToString(vpc.VpcId)}}}})).RouteTables
	must[*ec2.CreateVpcEndpointOutput](t)(tc.CreateVpcEndpoint(ctx, &ec2.CreateVpcEndpointInput{VpcId: vpc.VpcId, ServiceName: aws.String("com.amazonaws.us-east-1.s3"),
		RouteTableIds: []string{aws.ToString(rts[0].RouteTableId)}}))
	time.Sleep(1200 * time.Millisecond) // the instance leaves pending (default delay)
	run := func(key, secret string, args ...string) (string, int) {
		all := append([]string{"exec", "--instance", aws.ToString(inst), "--endpoint-url", s.url, "--"}, args...)
		cmd := exec.Command(binary, all...)
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+key, "AWS_SECRET_ACCESS_KEY="+secret, "AWS_DEFAULT_REGION=us-east-1",
			"AWS_PAGER=", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_MAX_ATTEMPTS=1")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return out.String(), ee.ExitCode()
		}
		return out.String(), 0
	}
	bucket := "auth-" + tenantKey
	if out, code := run(tenantKey, tenantSecret, awsCLI, "s3", "mb", "s3://"+bucket); code != 0 {
		t.Fatalf("mb with the right key: exit %d\n%s", code, out)
	}
	if out, code := run(tenantKey, tenantSecret, "env", "AWS_SECRET_ACCESS_KEY=wrong", awsCLI, "s3", "ls", "s3://"+bucket); code == 0 || !strings.Contains(out, "SignatureDoesNotMatch") {
		t.Fatalf("a wrong secret: exit %d\n%s", code, out)
	}
	// (vpce exec itself signs with a known key; the CLI inside with another.)
	if out, code := run(tenantKey, tenantSecret, "env", "AWS_ACCESS_KEY_ID=AKIANOSUCHKEY", "AWS_SECRET_ACCESS_KEY=x", awsCLI, "s3", "ls", "s3://"+bucket); code == 0 || !strings.Contains(out, "InvalidAccessKeyId") {
		t.Fatalf("an unknown key: exit %d\n%s", code, out)
	}
	// Another tenant, with a good key of its own, cannot send from this
	// tenant's instance.
	if out, code := run(tenantKey, tenantSecret, "env", "AWS_ACCESS_KEY_ID="+otherKey, "AWS_SECRET_ACCESS_KEY="+otherSecret, awsCLI, "s3", "ls", "s3://"+bucket); code == 0 || !strings.Contains(out, "AccessDenied") {
		t.Fatalf("another tenant's key: exit %d\n%s", code, out)
	}
	if out, code := run(tenantKey, tenantSecret, awsCLI, "s3", "ls", "s3://"+bucket); code != 0 {
		t.Fatalf("ls with the right key: exit %d\n%s", code, out)
	}
	// The proxy itself asks for a key: without one, or with another
	// tenant's, the tunnel is refused before any path is decided, and
	// another tenant's source is "unknown", not "not yours".
	connect := func(user string) (int, string) {
		conn, err := net.DialTimeout("tcp", s.proxy, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "CONNECT s3.us-east-1.amazonaws.com:443 HTTP/1.1\r\nHost: s3.us-east-1.amazonaws.com:443\r\nProxy-Authorization: Basic %s\r\n\r\n",
			base64.StdEncoding.EncodeToString([]byte(user)))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, resp.Header.Get("X-Vpce-Reason")
	}
	src := aws.ToString(inst)
	for user, want := range map[string]string{
		src + ":x":                                            "PROXY_AUTH",
		src + ":" + tenantKey + ":wrong":                      "PROXY_AUTH",
		src + ":" + otherKey + ":" + otherSecret:              "UNKNOWN_SOURCE",
		"i-0123456789abcdef0:" + otherKey + ":" + otherSecret: "UNKNOWN_SOURCE",
	} {
		if code, reason := connect(user); code != http.StatusProxyAuthRequired || reason != want {
			t.Errorf("CONNECT as %q: %d %s, want 407 %s", user, code, reason, want)
		}
	}
	if code, _ := connect(src + ":" + tenantKey + ":" + tenantSecret); code != http.StatusOK {
		t.Errorf("CONNECT with the tenant's key: %d", code)
	}
}
