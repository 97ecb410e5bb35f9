package e2e

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

type errorDoc struct {
	XMLName xml.Name `xml:"Response"`
	Errors  []struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Errors>Error"`
	RequestID string `xml:"RequestID"`
}

// raw posts a form to a server as an unsigned request.
func raw(t *testing.T, base string, form url.Values) (int, []byte) {
	t.Helper()
	if _, ok := form["Version"]; !ok {
		form.Set("Version", "2016-11-15") // as every SDK sends
	}
	resp, err := http.Post(base+"/", "application/x-www-form-urlencoded; charset=utf-8", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func TestProtocolErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		code   string
	}{
		{"missing-action", url.Values{"Version": {"2016-11-15"}}, 400, "MissingAction"},
		{"unknown-action", url.Values{"Action": {"LaunchRocket"}, "Version": {"2016-11-15"}}, 400, "InvalidAction"},
		{"missing-parameter", url.Values{"Action": {"CreateSecurityGroup"}, "GroupName": {"x"}}, 400, "MissingParameter"},
		{"bad-integer", url.Values{"Action": {"DescribeVpcs"}, "MaxResults": {"ten"}}, 400, "InvalidParameterValue"},
		{"bad-boolean", url.Values{"Action": {"DescribeVpcs"}, "DryRun": {"maybe"}}, 400, "InvalidParameterValue"},
		{"dry-run-412", url.Values{"Action": {"DescribeVpcs"}, "DryRun": {"true"}}, 412, "DryRunOperation"},
		{"unknown-filter", url.Values{"Action": {"DescribeSubnets"}, "Filter.1.Name": {"flavour"}, "Filter.1.Value.1": {"x"}}, 400, "InvalidParameterValue"},
		{"malformed-id", url.Values{"Action": {"DeleteSubnet"}, "SubnetId": {"subnet-XYZ"}}, 400, "InvalidSubnetID.Malformed"},
		{"dependency", url.Values{"Action": {"DeleteVpc"}, "VpcId": {"vpc-0123456789abcdef0"}}, 400, "InvalidVpcID.NotFound"},
		{"missing-version", url.Values{"Action": {"DescribeVpcs"}, "Version": {""}}, 400, "MissingParameter"},
		{"unknown-version", url.Values{"Action": {"DescribeVpcs"}, "Version": {"2015-12-01"}}, 400, "NoSuchVersion"},
		{"filter-index-zero", url.Values{"Action": {"DescribeVpcs"}, "Filter.0.Name": {"vpc-id"}, "Filter.0.Value.1": {"vpc-1"}}, 400, "UnknownParameter"},
		{"filter-index-padded", url.Values{"Action": {"DescribeVpcs"}, "Filter.01.Name": {"vpc-id"}, "Filter.01.Value.1": {"vpc-1"}}, 400, "UnknownParameter"},
		{"filter-values-over-200", manyValues(201), 400, "FilterLimitExceeded"},
		{"maxresults-past-int32", url.Values{"Action": {"DescribeVpcs"}, "MaxResults": {"3000000000"}}, 400, "InvalidParameterValue"},
		{"huge-next-token", url.Values{"Action": {"DescribeVpcs"}, "MaxResults": {"5"}, "NextToken": {strings.Repeat("A", 100000)}}, 400, "InvalidNextToken"},
		{"bad-utf8-tag", url.Values{"Action": {"CreateVpc"}, "CidrBlock": {"10.0.0.0/16"}, "TagSpecification.1.ResourceType": {"vpc"},
			"TagSpecification.1.Tag.1.Key": {"a\xff"}, "TagSpecification.1.Tag.1.Value": {"x"}}, 400, "InvalidParameterValue"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := raw(t, shared.url, tc.form)
			if status != tc.status {
				t.Errorf("status = %d, want %d: %s", status, tc.status, body)
			}
			var doc errorDoc
			if err := xml.Unmarshal(body, &doc); err != nil {
				t.Fatalf("error body is not AWS's error document: %v: %s", err, body)
			}
			if len(doc.Errors) != 1 || doc.Errors[0].Code != tc.code || doc.Errors[0].Message == "" || doc.RequestID == "" {
				t.Errorf("error = %+v, want code %s", doc, tc.code)
			}
			if len(body) > 2000 {
				t.Errorf("error document of %d bytes: a client's value was echoed whole", len(body))
			}
			if tc.name == "maxresults-past-int32" && !strings.Contains(doc.Errors[0].Message, "must be between") {
				t.Errorf("MaxResults past 2^31: %q, want AWS's range message", doc.Errors[0].Message)
			}
		})
	}
}

func TestProtocolSuccessShape(t *testing.T) {
	// GET with a query string works as POST does.
	resp, err := http.Get(shared.url + "/?Action=DescribeRegions&Version=2016-11-15&RegionName.1=eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET status %d: %s", resp.StatusCode, body)
	}
	for _, want := range []string{
		`<?xml version="1.0" encoding="UTF-8"?>`,
		`<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>`,
		`<regionInfo><item><regionName>eu-west-1</regionName><regionEndpoint>ec2.eu-west-1.amazonaws.com</regionEndpoint>`,
	} {
		if !bytes.Contains(body, []byte(want)) {
			t.Errorf("response lacks %q:\n%s", want, body)
		}
	}
	// Operations without output answer <return>true</return>.
	status, b := raw(t, shared.url, url.Values{"Action": {"CreateInternetGateway"}})
	if status != 200 {
		t.Fatal(string(b))
	}
	var igw struct {
		ID string `xml:"internetGateway>internetGatewayId"`
	}
	xml.Unmarshal(b, &igw)
	status, b = raw(t, shared.url, url.Values{"Action": {"DeleteInternetGateway"}, "InternetGatewayId": {igw.ID}})
	if status != 200 || !bytes.Contains(b, []byte("<return>true</return>")) {
		t.Errorf("DeleteInternetGateway = %d %s", status, b)
	}
}

func TestMetricsEndpoint(t *testing.T) {
	c, _ := client(t)
	must[*ec2.DescribeVpcsOutput](t)(c.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{}))
	must[*ec2.CreateVpcOutput](t)(c.CreateVpc(ctx(t), &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")}))
	resp, err := http.Get(shared.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`vpce_ec2_requests_total{action="DescribeVpcs",code="ok"}`, "vpce_ec2_request_duration_seconds_bucket", "go_goroutines",
		`vpce_store_commits_total{outcome="ok"}`, "vpce_store_commit_updates_bucket", "vpce_store_commit_duration_seconds_bucket"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestHealthAndReset(t *testing.T) {
	s, err := startServer(filepath.Join(t.TempDir(), "state"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.stop()
	c := clientFor(s.url, "123456789012", "us-east-1")
	vpc, _ := newVPC(t, c, "10.0.0.0/16", nil)
	for _, p := range []string{"/_vpce/reset", "/moto-api/reset"} {
		resp, err := http.Post(s.url+p, "", nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("POST %s: %v %v", p, err, resp)
		}
		resp.Body.Close()
		_, err = c.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{VpcIds: []string{vpc}})
		wantCode(t, err, "InvalidVpcID.NotFound")
		// The default VPC comes back after a reset.
		vs := must[*ec2.DescribeVpcsOutput](t)(c.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{}))
		if len(vs.Vpcs) != 1 || !*vs.Vpcs[0].IsDefault {
			t.Errorf("after reset VPCs = %+v", vs.Vpcs)
		}
	}
}

func TestSigV4(t *testing.T) {
	creds := filepath.Join(t.TempDir(), "creds")
	os.WriteFile(creds, []byte("# test keys\n111122223333 topsecret\nAKIDEXAMPLE othersecret\n"), 0o600)
	s, err := startServer(filepath.Join(t.TempDir(), "state"), "--auth", "sigv4", "--credentials-file", creds, "--default-account", "444455556666")
	if err != nil {
		t.Fatal(err)
	}
	defer s.stop()
	c := ec2.New(ec2.Options{Region: "eu-central-1", BaseEndpoint: aws.String(s.url), Credentials: credentials.NewStaticCredentialsProvider("111122223333", "topsecret", "")})
	vpcs := must[*ec2.DescribeVpcsOutput](t)(c.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{}))
	if *vpcs.Vpcs[0].OwnerId != "111122223333" {
		t.Errorf("owner = %s, want the 12-digit key's account", *vpcs.Vpcs[0].OwnerId)
	}
	other := ec2.New(ec2.Options{Region: "eu-central-1", BaseEndpoint: aws.String(s.url), Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "othersecret", "")})
	vpcs = must[*ec2.DescribeVpcsOutput](t)(other.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{}))
	if *vpcs.Vpcs[0].OwnerId != "444455556666" {
		t.Errorf("owner = %s, want the default account", *vpcs.Vpcs[0].OwnerId)
	}
	wrong := ec2.New(ec2.Options{Region: "eu-central-1", BaseEndpoint: aws.String(s.url), Credentials: credentials.NewStaticCredentialsProvider("111122223333", "wrong", "")})
	_, err = wrong.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{})
	wantCode(t, err, "SignatureDoesNotMatch")
	unknown := ec2.New(ec2.Options{Region: "eu-central-1", BaseEndpoint: aws.String(s.url), Credentials: credentials.NewStaticCredentialsProvider("NOBODY", "x", "")})
	_, err = unknown.DescribeVpcs(ctx(t), &ec2.DescribeVpcsInput{})
	wantCode(t, err, "AuthFailure")
	status, body := raw(t, s.url, url.Values{"Action": {"DescribeVpcs"}})
	if status != 401 || !bytes.Contains(body, []byte("<Code>AuthFailure</Code>")) {
		t.Errorf("unsigned request = %d %s", status, body)
	}
	// A request signed 20 minutes ago has expired.
	form := "Action=DescribeVpcs&Version=2016-11-15"
	req, _ := http.NewRequest("POST", s.url+"/", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	payload := sha256Hex([]byte(form))
	signer := v4.NewSigner()
	err = signer.SignHTTP(ctx(t), aws.Credentials{AccessKeyID: "111122223333", SecretAccessKey: "topsecret"}, req, payload, "ec2", "eu-central-1", time.Now().Add(-20*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Contains(body, []byte("<Code>RequestExpired</Code>")) {
		t.Errorf("stale signature = %d %s", resp.StatusCode, body)
	}
	// The aws CLI signs as the SDK does.
	out, err := cliSigned(t, s.url, "111122223333", "topsecret", "describe-vpcs")
	if err != nil {
		t.Fatal(err)
	}
	if str(out, "Vpcs", 0, "OwnerId") != "111122223333" {
		t.Errorf("CLI describe-vpcs = %v", out)
	}
	if _, err := cliSigned(t, s.url, "111122223333", "nope", "describe-vpcs"); err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Errorf("CLI with a wrong secret: %v", err)
	}
}

func manyValues(n int) url.Values {
	v := url.Values{"Action": {"DescribeVpcs"}, "Filter.1.Name": {"tag:Name"}}
	for i := 1; i <= n; i++ {
		v.Set(fmt.Sprintf("Filter.1.Value.%d", i), "x")
	}
	return v
}
