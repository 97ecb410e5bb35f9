package dataplane

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestClassifyS3 pins S3 operations to the IAM actions and resources the
// S3 documentation's "Actions, resources, and condition keys" page gives.
func TestClassifyS3(t *testing.T) {
	for _, tc := range []struct {
		method, host, target string
		hdr                  map[string]string
		op, actions          string
	}{
		{"GET", "s3.us-east-1.amazonaws.com", "/", nil, "ListBuckets", "s3:ListAllMyBuckets *"},
		{"PUT", "s3.us-east-1.amazonaws.com", "/reports", nil, "CreateBucket", "s3:CreateBucket arn:aws:s3:::reports"},
		{"PUT", "reports.s3.us-east-1.amazonaws.com", "/", nil, "CreateBucket", "s3:CreateBucket arn:aws:s3:::reports"},
		{"HEAD", "reports.s3.amazonaws.com", "/", nil, "HeadBucket", "s3:ListBucket arn:aws:s3:::reports"},
		{"GET", "reports.s3.us-east-1.amazonaws.com", "/?list-type=2&prefix=q3/", nil, "ListObjectsV2", "s3:ListBucket arn:aws:s3:::reports"},
		{"GET", "s3.us-east-1.amazonaws.com", "/reports?versions", nil, "ListBucketVersions", "s3:ListBucketVersions arn:aws:s3:::reports"},
		{"GET", "s3.us-east-1.amazonaws.com", "/reports?location", nil, "GetBucketLocation", "s3:GetBucketLocation arn:aws:s3:::reports"},
		{"PUT", "s3.us-east-1.amazonaws.com", "/reports?policy", nil, "PutBucketPolicy", "s3:PutBucketPolicy arn:aws:s3:::reports"},
		{"DELETE", "s3.us-east-1.amazonaws.com", "/reports?policy", nil, "DeleteBucketPolicy", "s3:DeleteBucketPolicy arn:aws:s3:::reports"},
		{"GET", "s3.us-east-1.amazonaws.com", "/reports/q3/a.csv", nil, "GetObject", "s3:GetObject arn:aws:s3:::reports/q3/a.csv"},
		{"HEAD", "s3.us-east-1.amazonaws.com", "/reports/q3/a.csv", nil, "HeadObject", "s3:GetObject arn:aws:s3:::reports/q3/a.csv"},
		{"GET", "s3.us-east-1.amazonaws.com", "/reports/a?versionId=3", nil, "GetObject", "s3:GetObjectVersion arn:aws:s3:::reports/a"},
		{"PUT", "reports.s3.us-east-1.amazonaws.com", "/q3/a.csv", nil, "PutObject", "s3:PutObject arn:aws:s3:::reports/q3/a.csv"},
		{"PUT", "s3.us-east-1.amazonaws.com", "/reports/b", map[string]string{"X-Amz-Copy-Source": "/other/src%20key"}, "CopyObject",
			"s3:PutObject arn:aws:s3:::reports/b, s3:GetObject arn:aws:s3:::other/src key"},
		{"POST", "s3.us-east-1.amazonaws.com", "/reports/big?uploads", nil, "CreateMultipartUpload", "s3:PutObject arn:aws:s3:::reports/big"},
		{"PUT", "s3.us-east-1.amazonaws.com", "/reports/big?partNumber=1&uploadId=x", nil, "UploadPart", "s3:PutObject arn:aws:s3:::reports/big"},
		{"GET", "s3.us-east-1.amazonaws.com", "/reports/big?uploadId=x", nil, "ListParts", "s3:ListMultipartUploadParts arn:aws:s3:::reports/big"},
		{"DELETE", "s3.us-east-1.amazonaws.com", "/reports/big?uploadId=x", nil, "AbortMultipartUpload", "s3:AbortMultipartUpload arn:aws:s3:::reports/big"},
		{"DELETE", "s3.us-east-1.amazonaws.com", "/reports/a", nil, "DeleteObject", "s3:DeleteObject arn:aws:s3:::reports/a"},
		{"POST", "s3.us-east-1.amazonaws.com", "/reports?delete", nil, "DeleteObjects", "s3:DeleteObject arn:aws:s3:::reports/*"},
		{"PUT", "s3.us-east-1.amazonaws.com", "/reports/a?tagging", nil, "PutObjectTagging", "s3:PutObjectTagging arn:aws:s3:::reports/a"},
		{"GET", "s3.us-east-1.amazonaws.com", "/reports/a?acl", nil, "GetObjectAcl", "s3:GetObjectAcl arn:aws:s3:::reports/a"},
		// Keys are decoded once and kept literally: dot segments and
		// encoded slashes are part of the key, as in S3.
		{"GET", "s3.us-east-1.amazonaws.com", "/reports/public/../secret", nil, "GetObject", "s3:GetObject arn:aws:s3:::reports/public/../secret"},
		{"GET", "s3.us-east-1.amazonaws.com", "/reports/a%2Fb", nil, "GetObject", "s3:GetObject arn:aws:s3:::reports/a/b"},
		{"GET", "reports.vpce-0123456789abcdef0-abcdefgh.s3.us-east-1.vpce.amazonaws.com", "/k", nil, "GetObject", "s3:GetObject arn:aws:s3:::reports/k"},
		// The endpoint URL an S3 interface endpoint gives clients
		// (bucket.vpce-…): path style, and virtual-hosted under it.
		{"GET", "bucket.vpce-0123456789abcdef0-abcdefgh.s3.us-east-1.vpce.amazonaws.com", "/reports/k", nil, "GetObject", "s3:GetObject arn:aws:s3:::reports/k"},
		{"GET", "reports.bucket.vpce-0123456789abcdef0-abcdefgh.s3.us-east-1.vpce.amazonaws.com", "/k", nil, "GetObject", "s3:GetObject arn:aws:s3:::reports/k"},
		{"GET", "my.dotted.bucket.s3.us-east-1.amazonaws.com", "/k", nil, "GetObject", "s3:GetObject arn:aws:s3:::my.dotted.bucket/k"},
	} {
		u, err := url.Parse("https://" + tc.host + tc.target)
		if err != nil {
			t.Fatal(err)
		}
		r := &http.Request{Method: tc.method, URL: u, Host: tc.host, Header: http.Header{}}
		for k, v := range tc.hdr {
			r.Header.Set(k, v)
		}
		bucket, ok := s3Host(tc.host)
		if !ok {
			t.Fatalf("%s is not recognised as S3", tc.host)
		}
		c := classifyS3(r, bucket)
		var acts []string
		for _, a := range c.Actions {
			acts = append(acts, a.Action+" "+a.Resource)
		}
		if c.Op != tc.op || strings.Join(acts, ", ") != tc.actions {
			t.Errorf("%s %s%s: %s [%s], want %s [%s]", tc.method, tc.host, tc.target, c.Op, strings.Join(acts, ", "), tc.op, tc.actions)
		}
	}
	for _, h := range []string{"ssm.us-east-1.amazonaws.com", "example.com", "s3.example.com"} {
		if _, ok := s3Host(h); ok {
			t.Errorf("%s taken for S3", h)
		}
	}
}

func TestS3PathKeepsTheKey(t *testing.T) {
	for key, want := range map[string]string{
		"a/b.csv":         "/reports/a/b.csv",
		"public/../x":     "/reports/public/../x",
		"sp ace+plus?q#f": "/reports/sp%20ace%2Bplus%3Fq%23f",
		"ünï":             "/reports/%C3%BCn%C3%AF",
	} {
		if _, raw := s3Path("", "reports", key); raw != want {
			t.Errorf("%q → %s, want %s", key, raw, want)
		}
		u, _ := url.Parse("http://h" + func() string { _, r := s3Path("", "reports", key); return r }())
		if got := strings.TrimPrefix(u.Path, "/reports/"); got != key {
			t.Errorf("%q does not come back: %q", key, got)
		}
	}
}

// TestDeclaredPayloadHash: a body that is not what its
// x-amz-content-sha256 says is refused as S3 refuses it
// (XAmzContentSHA256Mismatch) and not stored; the right hash, or
// UNSIGNED-PAYLOAD, stores it.
func TestDeclaredPayloadHash(t *testing.T) {
	r := newRig(t)
	c := r.client(r.inst)
	r.do(c, "PUT", "https://s3.us-east-1.amazonaws.com/reports", "")
	put := func(key, body, hash string) (int, string) {
		req := signed("PUT", "https://reports.s3.us-east-1.amazonaws.com/public/"+key, body)
		req.Header.Set("X-Amz-Content-Sha256", hash)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	sum := sha256.Sum256([]byte("the real body"))
	good := hex.EncodeToString(sum[:])
	if code, body := put("tampered", "another body!", good); code != 400 || !strings.Contains(body, "<Code>XAmzContentSHA256Mismatch</Code>") {
		t.Fatalf("tampered body: %d %s", code, body)
	}
	if code, _, _ := r.do(c, "GET", "https://reports.s3.us-east-1.amazonaws.com/public/tampered", ""); code != 404 {
		t.Fatalf("the tampered object was stored: %d", code)
	}
	if code, body := put("good", "the real body", good); code != 200 {
		t.Fatalf("good hash: %d %s", code, body)
	}
	if code, body := put("unsigned", "any body", "UNSIGNED-PAYLOAD"); code != 200 {
		t.Fatalf("unsigned payload: %d %s", code, body)
	}
	if code, _, got := r.do(c, "GET", "https://reports.s3.us-east-1.amazonaws.com/public/good", ""); code != 200 || got != "the real body" {
		t.Fatalf("good object: %d %s", code, got)
	}
}
