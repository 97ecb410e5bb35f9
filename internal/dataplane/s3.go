package dataplane

import (
	"net/http"
	"net/url"
	"strings"
)

// s3Call is an S3 request as IAM sees it.
type s3Call struct {
	Bucket, Key string
	// Op is the S3 operation (GetObject, ListObjectsV2, …).
	Op string
	// Actions are the IAM actions and resources the request needs, all of
	// which must be allowed (CopyObject: GetObject on the source and
	// PutObject on the target).
	Actions []actionOn
	// Context are S3's condition keys (s3:prefix, s3:x-amz-acl, …).
	Context map[string][]string
}

type actionOn struct {
	Action, Resource string
	// Unknown: the request names a resource vpce cannot tell (Resource is
	// "*"); see policy.Request.ResourceUnknown.
	Unknown bool
}

// s3Host reports whether a host is an S3 name and the bucket its name
// carries (virtual-hosted style): bucket.s3.us-east-1.amazonaws.com,
// bucket.s3.amazonaws.com, bucket.s3-fips.…, and an interface endpoint's
// bucket.vpce-….s3.….vpce.amazonaws.com (path style) or
// name.bucket.vpce-….s3.….vpce.amazonaws.com.
func s3Host(host string) (bucket string, ok bool) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if !strings.HasSuffix(host, ".amazonaws.com") {
		return "", false
	}
	labels := strings.Split(host, ".")
	for i, l := range labels {
		switch {
		case strings.HasPrefix(l, "vpce-") && i+1 < len(labels) && labels[i+1] == "s3":
			// An interface endpoint's name: bucket.vpce-… (path style, the
			// endpoint URL clients are given) or b.bucket.vpce-…
			// (virtual-hosted); accesspoint. and control. name other APIs.
			if i > 0 && labels[i-1] == "bucket" {
				return strings.Join(labels[:i-1], "."), true
			}
			return strings.Join(labels[:i], "."), true
		case l == "s3" || strings.HasPrefix(l, "s3-"):
			return strings.Join(labels[:i], "."), true
		}
	}
	return "", false
}

// has reports whether a subresource is named in the query.
func has(q url.Values, name string) bool {
	_, ok := q[name]
	return ok
}

// classifyS3 maps an S3 REST request to its operation, IAM actions and
// resources. bucket comes from the host (virtual-hosted) or the path; key
// is the path after the bucket, decoded once, exactly as forwarded.
func classifyS3(r *http.Request, hostBucket string) s3Call {
	path := r.URL.Path
	bucket, key := hostBucket, ""
	if bucket == "" {
		rest := strings.TrimPrefix(path, "/")
		bucket, key, _ = strings.Cut(rest, "/")
	} else {
		key = strings.TrimPrefix(path, "/")
	}
	q := r.URL.Query()
	c := s3Call{Bucket: bucket, Key: key, Context: map[string][]string{}}
	bucketARN := "arn:aws:s3:::" + bucket
	objectARN := bucketARN + "/" + key
	add := func(op, action, resource string) {
		if c.Op == "" {
			c.Op = op
		}
		c.Actions = append(c.Actions, actionOn{Action: action, Resource: resource})
	}
	if acl := r.Header.Get("X-Amz-Acl"); acl != "" {
		c.Context["s3:x-amz-acl"] = []string{acl}
	}
	switch {
	case bucket == "":
		add("ListBuckets", "s3:ListAllMyBuckets", "*")
	case key == "":
		c.bucketOp(r.Method, q, bucketARN, add)
	default:
		c.objectOp(r, q, objectARN, add)
	}
	return c
}

// bucketSub are bucket subresources: name → (GET, PUT, DELETE actions).
var bucketSub = map[string][3]string{
	"policy":              {"s3:GetBucketPolicy", "s3:PutBucketPolicy", "s3:DeleteBucketPolicy"},
	"acl":                 {"s3:GetBucketAcl", "s3:PutBucketAcl", ""},
	"tagging":             {"s3:GetBucketTagging", "s3:PutBucketTagging", "s3:PutBucketTagging"},
	"versioning":          {"s3:GetBucketVersioning", "s3:PutBucketVersioning", ""},
	"cors":                {"s3:GetBucketCORS", "s3:PutBucketCORS", "s3:PutBucketCORS"},
	"lifecycle":           {"s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:PutLifecycleConfiguration"},
	"encryption":          {"s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration", "s3:PutEncryptionConfiguration"},
	"website":             {"s3:GetBucketWebsite", "s3:PutBucketWebsite", "s3:DeleteBucketWebsite"},
	"logging":             {"s3:GetBucketLogging", "s3:PutBucketLogging", ""},
	"notification":        {"s3:GetBucketNotification", "s3:PutBucketNotification", ""},
	"policyStatus":        {"s3:GetBucketPolicyStatus", "", ""},
	"publicAccessBlock":   {"s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"},
	"ownershipControls":   {"s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls", "s3:PutBucketOwnershipControls"},
	"location":            {"s3:GetBucketLocation", "", ""},
	"object-lock":         {"s3:GetBucketObjectLockConfiguration", "s3:PutBucketObjectLockConfiguration", ""},
	"replication":         {"s3:GetReplicationConfiguration", "s3:PutReplicationConfiguration", "s3:PutReplicationConfiguration"},
	"requestPayment":      {"s3:GetBucketRequestPayment", "s3:PutBucketRequestPayment", ""},
	"accelerate":          {"s3:GetAccelerateConfiguration", "s3:PutAccelerateConfiguration", ""},
	"analytics":           {"s3:GetAnalyticsConfiguration", "s3:PutAnalyticsConfiguration", "s3:PutAnalyticsConfiguration"},
	"inventory":           {"s3:GetInventoryConfiguration", "s3:PutInventoryConfiguration", "s3:PutInventoryConfiguration"},
	"metrics":             {"s3:GetMetricsConfiguration", "s3:PutMetricsConfiguration", "s3:PutMetricsConfiguration"},
	"intelligent-tiering": {"s3:GetIntelligentTieringConfiguration", "s3:PutIntelligentTieringConfiguration", "s3:PutIntelligentTieringConfiguration"},
	"uploads":             {"s3:ListBucketMultipartUploads", "", ""},
	"versions":            {"s3:ListBucketVersions", "", ""},
	"delete":              {"", "", ""},
}

func (c *s3Call) bucketOp(method string, q url.Values, bucketARN string, add func(op, action, resource string)) {
	for name, acts := range bucketSub {
		if !has(q, name) {
			continue
		}
		if name == "delete" && method == http.MethodPost {
			add("DeleteObjects", "s3:DeleteObject", bucketARN+"/*") // refined per key by the caller
			return
		}
		var a string
		switch method {
		case http.MethodGet, http.MethodHead:
			a = acts[0]
		case http.MethodPut:
			a = acts[1]
		case http.MethodDelete:
			a = acts[2]
		}
		if a == "" {
			a = "s3:Unknown" + method + strings.ToUpper(name[:1]) + name[1:]
		}
		add(strings.TrimPrefix(a, "s3:"), a, bucketARN)
		return
	}
	switch method {
	case http.MethodPut:
		add("CreateBucket", "s3:CreateBucket", bucketARN)
	case http.MethodDelete:
		add("DeleteBucket", "s3:DeleteBucket", bucketARN)
	case http.MethodHead:
		add("HeadBucket", "s3:ListBucket", bucketARN)
	case http.MethodGet:
		op := "ListObjects"
		if q.Get("list-type") == "2" {
			op = "ListObjectsV2"
		}
		for _, k := range []string{"prefix", "delimiter", "max-keys"} {
			if has(q, k) {
				c.Context["s3:"+k] = []string{q.Get(k)}
			}
		}
		add(op, "s3:ListBucket", bucketARN)
	default:
		add("Unknown", "s3:Unknown"+method, bucketARN)
	}
}

func (c *s3Call) objectOp(r *http.Request, q url.Values, objectARN string, add func(op, action, resource string)) {
	version := has(q, "versionId")
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		switch {
		case has(q, "acl"):
			add("GetObjectAcl", pick(version, "s3:GetObjectVersionAcl", "s3:GetObjectAcl"), objectARN)
		case has(q, "tagging"):
			add("GetObjectTagging", pick(version, "s3:GetObjectVersionTagging", "s3:GetObjectTagging"), objectARN)
		case has(q, "uploadId"):
			add("ListParts", "s3:ListMultipartUploadParts", objectARN)
		case has(q, "attributes"):
			add("GetObjectAttributes", pick(version, "s3:GetObjectVersionAttributes", "s3:GetObjectAttributes"), objectARN)
		default:
			op := "GetObject"
			if r.Method == http.MethodHead {
				op = "HeadObject"
			}
			add(op, pick(version, "s3:GetObjectVersion", "s3:GetObject"), objectARN)
		}
	case http.MethodPut:
		switch {
		case has(q, "acl"):
			add("PutObjectAcl", pick(version, "s3:PutObjectVersionAcl", "s3:PutObjectAcl"), objectARN)
		case has(q, "tagging"):
			add("PutObjectTagging", pick(version, "s3:PutObjectVersionTagging", "s3:PutObjectTagging"), objectARN)
		default:
			op := "PutObject"
			if has(q, "uploadId") {
				op = "UploadPart"
			}
			if src := r.Header.Get("X-Amz-Copy-Source"); src != "" {
				op = map[string]string{"PutObject": "CopyObject", "UploadPart": "UploadPartCopy"}[op]
				add(op, "s3:PutObject", objectARN)
				if u, err := url.PathUnescape(src); err == nil {
					src = u
				}
				src, _, _ = strings.Cut(strings.TrimPrefix(src, "/"), "?")
				c.Actions = append(c.Actions, actionOn{Action: "s3:GetObject", Resource: "arn:aws:s3:::" + src})
				return
			}
			add(op, "s3:PutObject", objectARN)
		}
	case http.MethodDelete:
		switch {
		case has(q, "uploadId"):
			add("AbortMultipartUpload", "s3:AbortMultipartUpload", objectARN)
		case has(q, "tagging"):
			add("DeleteObjectTagging", pick(version, "s3:DeleteObjectVersionTagging", "s3:DeleteObjectTagging"), objectARN)
		default:
			add("DeleteObject", pick(version, "s3:DeleteObjectVersion", "s3:DeleteObject"), objectARN)
		}
	case http.MethodPost:
		switch {
		case has(q, "uploads"):
			add("CreateMultipartUpload", "s3:PutObject", objectARN)
		case has(q, "uploadId"):
			add("CompleteMultipartUpload", "s3:PutObject", objectARN)
		case has(q, "restore"):
			add("RestoreObject", "s3:RestoreObject", objectARN)
		case has(q, "select"):
			add("SelectObjectContent", "s3:GetObject", objectARN)
		default:
			add("Unknown", "s3:UnknownPOST", objectARN)
		}
	default:
		add("Unknown", "s3:Unknown"+r.Method, objectARN)
	}
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}
