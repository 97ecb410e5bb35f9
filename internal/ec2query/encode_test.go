package ec2query

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/cloud"
)

func TestEncodeResponse(t *testing.T) {
	b, err := encodeResponse("DeleteVpc", "req-1", &cloud.Return{Return: true})
	if err != nil {
		t.Fatal(err)
	}
	want := `<?xml version="1.0" encoding="UTF-8"?>` + "\n" +
		`<DeleteVpcResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>req-1</requestId><return>true</return></DeleteVpcResponse>`
	if string(b) != want {
		t.Errorf("encodeResponse =\n%s\nwant\n%s", b, want)
	}
	b, err = encodeResponse("DescribeTags", "req-2", &struct{}{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(b, []byte(`<requestId>req-2</requestId></DescribeTagsResponse>`)) {
		t.Errorf("empty output = %s", b)
	}
}

func TestWriteErrorEscapes(t *testing.T) {
	rec := httptest.NewRecorder()
	writeError(rec, 400, "InvalidParameterValue", `bad <value> & "more"`, "r")
	if !strings.Contains(rec.Body.String(), "<Message>bad &lt;value&gt; &amp; &#34;more&#34;</Message>") {
		t.Errorf("error body = %s", rec.Body.String())
	}
}

// TestSigV4MatchesSDK signs with aws-sdk-go-v2's signer and verifies with
// vpce's: they must agree, and any change to the body must break it.
func TestSigV4MatchesSDK(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	body := "Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=tag%3AName&Filter.1.Value.1=a%20b"
	sign := func(target string) *http.Request {
		req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		if err := v4.NewSigner().SignHTTP(t.Context(), aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "s3cr3t"}, req, sha256Hex(body), "ec2", "eu-west-1", now); err != nil {
			t.Fatal(err)
		}
		return req
	}
	for _, target := range []string{"http://127.0.0.1:4566/", "http://localhost:4566/?x=1&a=b%2Fc"} {
		req := sign(target)
		s, signed, err := parseSigV4(req)
		if err != nil || !signed {
			t.Fatalf("parse: %v %v", signed, err)
		}
		if s.region != "eu-west-1" || s.accessKey != "AKID" {
			t.Errorf("scope = %+v", s)
		}
		if err := s.verify(req, []byte(body), "s3cr3t", now.Add(time.Minute), ServiceEC2); err != nil {
			t.Errorf("verify(%s) = %v", target, err)
		}
		if err := s.verify(req, []byte(body+"&x=1"), "s3cr3t", now, ServiceEC2); err == nil {
			t.Error("verify accepted a changed body")
		}
		if err := s.verify(req, []byte(body), "wrong", now, ServiceEC2); err == nil {
			t.Error("verify accepted a wrong secret")
		}
		if err := s.verify(req, []byte(body), "s3cr3t", now.Add(16*time.Minute), ServiceEC2); err == nil {
			t.Error("verify accepted a stale signature")
		}
		if err := s.verify(req, []byte(body), "s3cr3t", now, ServiceVPCE); err == nil || !strings.Contains(err.Error(), "scoped to correct service") {
			t.Errorf("verify for another service = %v", err)
		}
	}
}

// TestSigV4SignedTransferEncoding: curl --aws-sigv4 signs the
// Transfer-Encoding of a chunked upload; net/http's reader takes that
// header out of the map (into TransferEncoding), and the signature still
// verifies. The request is one curl 7.88 sent, as captured.
func TestSigV4SignedTransferEncoding(t *testing.T) {
	raw := "PUT /reports/c.txt HTTP/1.1\r\nHost: 127.0.0.1:5099\r\n" +
		"Authorization: AWS4-HMAC-SHA256 Credential=111111111111/20261203/us-east-1/s3/aws4_request, SignedHeaders=host;transfer-encoding;x-amz-content-sha256;x-amz-date, Signature=4402d126eaaafa3e048ef2c38ca9517f8704db90b45f0c983834eafcffcef4d2\r\n" +
		"X-Amz-Date: 20261203T021323Z\r\nUser-Agent: curl/7.88.1\r\nAccept: */*\r\nTransfer-Encoding: chunked\r\n" +
		"x-amz-content-sha256: UNSIGNED-PAYLOAD\r\nExpect: 100-continue\r\n\r\n"
	r, err := http.ReadRequest(bufio.NewReader(strings.NewReader(raw)))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 3, 2, 13, 30, 0, time.UTC)
	creds := Credentials{"111111111111": "sA"}
	if _, err := VerifyDeclared(r, "UNSIGNED-PAYLOAD", creds, now); err != nil {
		t.Fatalf("curl's signed chunked upload: %v", err)
	}
	r.TransferEncoding = []string{"identity"}
	if _, err := VerifyDeclared(r, "UNSIGNED-PAYLOAD", creds, now); err == nil {
		t.Error("another Transfer-Encoding under the same signature was accepted")
	}
}

// TestSigV4PayloadBinding: the payload hash is the body's, never the
// header's; a header that disagrees with the body, or says the payload is
// unsigned, is refused (the replay of a captured signature with another
// body).
func TestSigV4PayloadBinding(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	signed := "Action=DescribeVpcs&Version=2016-11-15"
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:4566/", strings.NewReader(signed))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Amz-Content-Sha256", sha256Hex(signed))
	if err := v4.NewSigner().SignHTTP(t.Context(), aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "k"}, req, sha256Hex(signed), "ec2", "us-east-1", now); err != nil {
		t.Fatal(err)
	}
	s, _, _ := parseSigV4(req)
	if err := s.verify(req, []byte(signed), "k", now, ServiceEC2); err != nil {
		t.Fatalf("the signed body: %v", err)
	}
	err := s.verify(req, []byte("Action=CreateVpc&CidrBlock=10.0.0.0/16&Version=2016-11-15"), "k", now, ServiceEC2)
	if e, ok := apierr.As(err); !ok || e.Code != "XAmzContentSHA256Mismatch" {
		t.Errorf("another body under the captured hash header = %v", err)
	}
	req.Header.Del("X-Amz-Content-Sha256")
	if err := s.verify(req, []byte("Action=CreateVpc&CidrBlock=10.0.0.0/16&Version=2016-11-15"), "k", now, ServiceEC2); err == nil {
		t.Error("another body without the header was accepted")
	}
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	if err := s.verify(req, []byte(signed), "k", now, ServiceEC2); err == nil {
		t.Error("UNSIGNED-PAYLOAD was accepted for EC2")
	}
}

// TestSigV4PresignExpiry: a presigned request is good for X-Amz-Expires
// seconds from X-Amz-Date.
func TestSigV4PresignExpiry(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		expires string
		age     time.Duration
		ok      bool
	}{
		{"60", 30 * time.Second, true},
		{"60", 61 * time.Second, false},
		{"3600", 30 * time.Minute, true},
		{"0", 0, false},
		{"604801", 0, false},
		{"x", 0, false},
	} {
		req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:4566/?Action=DescribeVpcs&Version=2016-11-15&X-Amz-Expires="+tc.expires, nil)
		signedURL, _, err := v4.NewSigner().PresignHTTP(t.Context(), aws.Credentials{AccessKeyID: "AKID", SecretAccessKey: "k"}, req, sha256Hex(""), "ec2", "us-east-1", now)
		if err != nil {
			t.Fatal(err)
		}
		preq := httptest.NewRequest(http.MethodGet, signedURL, nil)
		s, signed, err := parseSigV4(preq)
		if err != nil || !signed || s.expires != tc.expires {
			t.Fatalf("parse presigned: %v %v %+v", signed, err, s)
		}
		err = s.verify(preq, nil, "k", now.Add(tc.age), ServiceEC2)
		if (err == nil) != tc.ok {
			t.Errorf("X-Amz-Expires=%s after %v: %v, want ok=%v", tc.expires, tc.age, err, tc.ok)
		}
	}
}

func TestParseCredentials(t *testing.T) {
	c, err := ParseCredentials("a:b, 123456789012:x")
	if err != nil || c["a"] != "b" || c["123456789012"] != "x" {
		t.Errorf("ParseCredentials = %v, %v", c, err)
	}
	if _, err := ParseCredentials("nocolon"); err == nil {
		t.Error("ParseCredentials accepted a pair without a secret")
	}
}

// TestNewRequestID: a request ID is a version 4 UUID, as AWS's are, and
// no two are alike.
func TestNewRequestID(t *testing.T) {
	shape := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := NewRequestID()
		if !shape.MatchString(id) {
			t.Fatalf("request ID %q is not a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("request ID %q given twice", id)
		}
		seen[id] = true
	}
}

// TestEncodeResponseReusesEncoder: answers rendered one after another by
// the pooled encoders each hold only their own fields.
func TestEncodeResponseReusesEncoder(t *testing.T) {
	for i := range 50 {
		id := fmt.Sprint("req-", i)
		b, err := encodeResponse("DeleteVpc", id, &cloud.Return{Return: i%2 == 0})
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf(`%s<DeleteVpcResponse xmlns="%s"><requestId>%s</requestId><return>%v</return></DeleteVpcResponse>`, xml.Header, Namespace, id, i%2 == 0)
		if string(b) != want {
			t.Fatalf("answer %d:\n%s\nwant\n%s", i, b, want)
		}
	}
	if _, err := encodeResponse("Bad", "req", make(chan int)); err == nil {
		t.Fatal("a channel encoded")
	}
	b, err := encodeResponse("DeleteVpc", "req-x", &cloud.Return{Return: true})
	if err != nil || !bytes.Contains(b, []byte("<requestId>req-x</requestId><return>true</return></DeleteVpcResponse>")) {
		t.Fatalf("after a failed encoding: %s, %v", b, err)
	}
}
