package dataplane

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
	"github.com/vpce/vpce/internal/ec2query"
)

// A denial speaks the service's protocol, as AWS's do: the JSON protocol
// (SSM) answers 400 with __type AccessDeniedException, the Query protocol
// (STS) 403 with an ErrorResponse whose code is AccessDenied.
func TestDenialSpeaksTheServiceProtocol(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	cloudtest.Must[*cloud.Return](t)(r.c.ModifyVpcAttribute(ctx, sc, &cloud.ModifyVpcAttributeInput{VpcID: r.vpc, EnableDNSHostnames: &cloud.AttributeBoolean{Value: cloudtest.Ptr(true)}}))
	endpoint := func(svc, doc string) string {
		return cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(r.c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: r.vpc, VpcEndpointType: "Interface",
			ServiceName: "com.amazonaws.us-east-1." + svc, SubnetIDs: []string{r.subnet}, PrivateDNSEnabled: cloudtest.Ptr(true), PolicyDocument: &doc})).VpcEndpoint.VpcEndpointID
	}
	ssm := endpoint("ssm", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"ssm:GetParameter","Resource":"*"}]}`)
	sts := endpoint("sts", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"},{"Effect":"Deny","Principal":"*","Action":"sts:GetCallerIdentity","Resource":"*"}]}`)
	c := r.client(r.inst)

	req := signed("POST", "https://ssm.us-east-1.amazonaws.com/", `{"Name":"x","Value":"y"}`)
	req.Header.Set("X-Amz-Target", "AmazonSSM.PutParameter")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	code, hdr, body := send(t, c, req)
	if code != 400 || hdr.Get("X-Amzn-ErrorType") != "AccessDeniedException" || jsonField(body, "__type") != "AccessDeniedException" ||
		!strings.Contains(jsonField(body, "message"), "because no VPC endpoint policy allows the ssm:PutParameter action") ||
		hdr.Get("X-Vpce-Reason") != "ENDPOINT_POLICY_DENY" || hdr.Get("X-Vpce-Component") != ssm {
		t.Fatalf("ssm PutParameter: %d %v %s", code, hdr, body)
	}

	req = signed("POST", "https://sts.us-east-1.amazonaws.com/", "Action=GetCallerIdentity&Version=2011-06-15")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	code, hdr, body = send(t, c, req)
	if code != 403 || !strings.Contains(body, "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>") ||
		!strings.Contains(body, "with an explicit deny in a VPC endpoint policy") || hdr.Get("X-Vpce-Component") != sts || hdr.Get("X-Amz-Request-Id") == "" {
		t.Fatalf("sts GetCallerIdentity: %d %v %s", code, hdr, body)
	}
}

// With auth on, another account's good key cannot send from this
// account's instance, and the answer says so (SOURCE_NOT_YOURS, not a
// signature failure).
func TestSourceNotYours(t *testing.T) {
	r := newRig(t)
	creds := ec2query.Credentials{"123456789012": "mine", "210987654321": "theirs"}
	c := authClient(t, r, creds)

	req, _ := http.NewRequest("GET", "https://reports.s3.us-east-1.amazonaws.com/public/a.txt", nil)
	sum := sha256.Sum256(nil)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	if err := v4.NewSigner().SignHTTP(t.Context(), aws.Credentials{AccessKeyID: "210987654321", SecretAccessKey: "theirs"}, req, hash, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	code, hdr, body := send(t, c, req)
	if code != 403 || hdr.Get("X-Vpce-Reason") != "SOURCE_NOT_YOURS" || !strings.Contains(body, "<Code>AccessDenied</Code>") ||
		!strings.Contains(body, "must be signed by a key of account 123456789012") {
		t.Fatalf("another account's key: %d %v %s", code, hdr, body)
	}
}

// authClient is a client sending from the rig's instance through a proxy
// with auth on (creds), its proxy password account 123456789012's key
// "mine".
func authClient(t *testing.T, r *rig, creds ec2query.Credentials) *http.Client {
	t.Helper()
	srv := startProxy(t, New(Config{Cloud: r.c, CA: r.ca, Credentials: creds, DefaultAccount: "123456789012"}))
	c := r.client(r.inst)
	pu, _ := url.Parse(srv.URL)
	pu.User = url.UserPassword(r.inst, "123456789012:mine")
	c.Transport.(*http.Transport).Proxy = http.ProxyURL(pu)
	return c
}

func send(t *testing.T, c *http.Client, req *http.Request) (int, http.Header, string) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(b)
}

func jsonField(body, name string) string {
	var m map[string]string
	json.Unmarshal([]byte(body), &m)
	return m[name]
}

// TestLargeUnsignedBody: with auth on, a body without x-amz-content-sha256
// is hashed to verify its signature, and one larger than vpce reads is
// answered RequestEntityTooLarge saying so — not SignatureDoesNotMatch,
// which sent users looking for a wrong key.
func TestLargeUnsignedBody(t *testing.T) {
	r := newRig(t)
	cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(r.c.CreateVpcEndpoint(t.Context(), sc, &cloud.CreateVpcEndpointInput{VpcID: r.vpc,
		ServiceName: "com.amazonaws.us-east-1.dynamodb", RouteTableIDs: []string{r.rtb}}))
	creds := ec2query.Credentials{"123456789012": "mine"}
	c := authClient(t, r, creds)
	// Exactly one byte over: the proxy reads it all, so the client reads
	// the answer rather than a reset.
	const head, tail = `{"TableName":"t","Item":{"pad":{"S":"`, `"}}}`
	body := head + strings.Repeat("x", maxQueryBody+1-len(head)-len(tail)) + tail
	req, _ := http.NewRequest("POST", "https://dynamodb.us-east-1.amazonaws.com/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", "DynamoDB_20120810.PutItem")
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(t.Context(), aws.Credentials{AccessKeyID: "123456789012", SecretAccessKey: "mine"}, req, hex.EncodeToString(sum[:]), "dynamodb", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	code, hdr, resp := send(t, c, req)
	// (The JSON protocol's errors are 400s, as serviceError answers them.)
	if code != 400 || hdr.Get("X-Vpce-Reason") != "BODY_TOO_LARGE" || !strings.Contains(resp, "RequestEntityTooLarge") || !strings.Contains(resp, "reads at most 1048576 bytes") {
		t.Fatalf("a %d-byte body: %d %v %s", len(body), code, hdr, resp)
	}
}
