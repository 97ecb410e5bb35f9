package dataplane

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzClassifyS3 feeds arbitrary S3 requests to the classifier: it never
// panics, every action names the bucket the request is for, and the path
// forwarded reads back as exactly the key decided.
func FuzzClassifyS3(f *testing.F) {
	for _, s := range [][3]string{
		{"GET", "reports.s3.us-east-1.amazonaws.com", "/a/b.csv"},
		{"PUT", "s3.us-east-1.amazonaws.com", "/reports/public/../secret?acl"},
		{"POST", "s3.amazonaws.com", "/reports?delete"},
		{"PUT", "s3.us-east-1.amazonaws.com", "/b/k%2F..%2Fx?partNumber=1&uploadId=2"},
		{"DELETE", "my.bucket.s3.amazonaws.com", "//x?versionId=1"},
		{"GET", "x.vpce-0123-abcd.s3.us-east-1.vpce.amazonaws.com", "/%00%ff?list-type=2&prefix=a"},
	} {
		f.Add(s[0], s[1], s[2], "/src%20bucket/key")
	}
	f.Fuzz(func(t *testing.T, method, host, target, copySource string) {
		u, err := url.Parse("https://x" + target)
		if err != nil || !strings.HasPrefix(target, "/") {
			return
		}
		r := &http.Request{Method: method, URL: u, Host: host, Header: http.Header{}}
		if copySource != "" {
			r.Header.Set("X-Amz-Copy-Source", copySource)
		}
		bucket, ok := s3Host(host)
		if !ok {
			return
		}
		c := classifyS3(r, bucket)
		if c.Op == "" || len(c.Actions) == 0 {
			t.Fatalf("%s %s%s: no operation", method, host, target)
		}
		if c.Bucket != "" && !strings.HasPrefix(c.Actions[0].Resource, "arn:aws:s3:::"+c.Bucket) {
			t.Fatalf("first action %v is not on bucket %q", c.Actions[0], c.Bucket)
		}
		if c.Bucket == "" || strings.ContainsAny(c.Bucket, "/?#%") {
			return
		}
		path, raw := s3Path("", c.Bucket, c.Key)
		back, err := url.Parse("http://h" + raw)
		if err != nil {
			t.Fatalf("forwarded path %q does not parse: %v", raw, err)
		}
		if back.Path != path {
			t.Fatalf("key %q: forwarded %q reads back as %q", c.Key, raw, back.Path)
		}
	})
}
