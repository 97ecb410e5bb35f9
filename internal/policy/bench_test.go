package policy

import (
	"fmt"
	"strings"
	"testing"
)

// benchEndpointPolicy: 5 statements with conditions, as an S3 gateway
// endpoint policy that limits buckets, principals and transport.
const benchEndpointPolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ReadReports", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:ListBucket"],
     "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"],
     "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}},
    {"Sid": "WriteUploads", "Effect": "Allow", "Principal": "*", "Action": "s3:PutObject",
     "Resource": "arn:aws:s3:::uploads/${aws:PrincipalAccount}/*",
     "Condition": {"StringEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
    {"Sid": "AmazonLinuxRepos", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
     "Resource": ["arn:aws:s3:::al2023-repos-us-east-1-de612dc2/*", "arn:aws:s3:::amazonlinux-2-repos-us-east-1/*"]},
    {"Sid": "DenyInsecure", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Sid": "DenyOtherOrgs", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
     "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}
  ]
}`

// benchIdentityPolicy has 20 statements over several services.
func benchIdentityPolicy() string {
	var stmts []string
	services := []string{"ec2", "ssm", "kms", "logs", "sqs", "sns", "dynamodb", "lambda", "sts", "ecr"}
	for i := 0; i < 18; i++ {
		svc := services[i%len(services)]
		stmts = append(stmts, fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":["%s:Describe*","%s:Get*"],"Resource":"arn:aws:%s:us-east-1:111122223333:thing%d/*",
			"Condition":{"StringEquals":{"aws:RequestedRegion":"us-east-1"},"IpAddressIfExists":{"aws:SourceIp":"203.0.113.0/24"}}}`, i, svc, svc, svc, i))
	}
	stmts = append(stmts, `{"Sid":"S3Read","Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::reports","arn:aws:s3:::reports/*"],
		"Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1a2b3c4d5e6f7a8b9"}}}`)
	stmts = append(stmts, `{"Sid":"DenyDelete","Effect":"Deny","Action":"s3:Delete*","Resource":"*"}`)
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func benchRequest() *Request {
	r := &Request{PrincipalARN: roleA, Action: "s3:GetObject", Resource: object}
	r.Context.Set("aws:PrincipalArn", roleA)
	r.Context.Set("aws:PrincipalAccount", acctA)
	r.Context.Set("aws:PrincipalOrgID", "o-a1b2c3d4e5")
	r.Context.Set("aws:SecureTransport", "true")
	r.Context.Set("aws:RequestedRegion", "us-east-1")
	r.Context.Set("aws:CurrentTime", "2026-11-25T12:00:00Z")
	r.ViaEndpoint(Endpoint{ID: "vpce-1a2b3c4d5e6f7a8b9", VpcID: myVpc, SourceIP: "10.0.1.5"})
	return r
}

func benchInput() *Input {
	return &Input{
		Identity:     []*Policy{MustParse("role", KindIdentity, benchIdentityPolicy())},
		Endpoint:     MustParse("endpoint", KindEndpoint, benchEndpointPolicy),
		EndpointType: "Gateway",
	}
}

func BenchmarkEvaluate(b *testing.B) {
	in, r := benchInput(), benchRequest()
	var res Result
	EvaluateInto(&res, in, r)
	if res.Decision != Allowed {
		b.Fatalf("decision %s: %+v", res.Decision, res)
	}
	b.ReportAllocs()
	for b.Loop() {
		EvaluateInto(&res, in, r)
	}
}

func BenchmarkEvaluateDeny(b *testing.B) {
	in, r := benchInput(), benchRequest()
	r.Action = "s3:DeleteObject"
	var res Result
	b.ReportAllocs()
	for b.Loop() {
		EvaluateInto(&res, in, r)
	}
}

// sessionInput adds, for a role session, a bucket policy that names the
// role (allow) and another role (deny), and a permissions boundary: the
// principal kinds and the boundary rules on the decision path.
func sessionInput() (*Input, *Request) {
	in := benchInput()
	in.Resource = MustParse("bucket", KindResource, `{"Version":"2012-10-17","Statement":[
		{"Sid":"App","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/app"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"},
		{"Sid":"NotOthers","Effect":"Deny","Principal":{"AWS":["arn:aws:iam::111122223333:role/other","444455556666"]},"Action":"s3:*","Resource":"arn:aws:s3:::reports/*"}]}`)
	in.Boundary = MustParse("boundary", KindIdentity, allowS3)
	r := benchRequest()
	r.PrincipalARN = "arn:aws:sts::111122223333:assumed-role/app/i-0abc"
	return in, r
}

func BenchmarkEvaluateSession(b *testing.B) {
	in, r := sessionInput()
	var res Result
	if EvaluateInto(&res, in, r); res.Decision != Allowed {
		b.Fatalf("decision %s by %s", res.Decision, res.DecidedBy)
	}
	b.ReportAllocs()
	for b.Loop() {
		EvaluateInto(&res, in, r)
	}
}

func BenchmarkParse(b *testing.B) {
	doc := benchIdentityPolicy()
	b.ReportAllocs()
	for b.Loop() {
		if p, _ := Parse("p", KindIdentity, doc); p == nil {
			b.Fatal("parse failed")
		}
	}
}

// TestEvaluateAllocs pins the zero-allocation hot path.
func TestEvaluateAllocs(t *testing.T) {
	in, r := benchInput(), benchRequest()
	var res Result
	EvaluateInto(&res, in, r)
	if res.Decision != Allowed || res.Endpoint != Allowed {
		t.Fatalf("benchmark request: %+v", res)
	}
	if n := testing.AllocsPerRun(100, func() { EvaluateInto(&res, in, r) }); n != 0 {
		t.Errorf("EvaluateInto allocates %.1f times per decision, want 0", n)
	}
	sin, sr := sessionInput()
	EvaluateInto(&res, sin, sr)
	if res.Decision != Allowed || res.ResourceGrant != "role" {
		t.Fatalf("session request: %s by %s, grant %q", res.Decision, res.DecidedBy, res.ResourceGrant)
	}
	if n := testing.AllocsPerRun(100, func() { EvaluateInto(&res, sin, sr) }); n != 0 {
		t.Errorf("EvaluateInto allocates %.1f times per session decision, want 0", n)
	}
}
