package dataplane

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
)

// TestJSONResources pins the ARNs read from AWS JSON documents, by the
// member each service's authorization names; the body is left whole.
func TestJSONResources(t *testing.T) {
	for _, tc := range []struct{ svc, op, body, want string }{
		{"dynamodb", "GetItem", `{"TableName":"orders","Key":{}}`, "arn:aws:dynamodb:us-east-1:123456789012:table/orders"},
		{"dynamodb", "BatchGetItem", `{"RequestItems":{"b":{},"a":{}}}`, "arn:aws:dynamodb:us-east-1:123456789012:table/a arn:aws:dynamodb:us-east-1:123456789012:table/b"},
		{"dynamodb", "GetItem", `{"TableName":"arn:aws:dynamodb:us-east-1:999999999999:table/x"}`, "arn:aws:dynamodb:us-east-1:999999999999:table/x"},
		{"kms", "Decrypt", `{"KeyId":"1234abcd-12ab-34cd-56ef-1234567890ab"}`, "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"},
		{"kms", "Encrypt", `{"KeyId":"alias/app"}`, "arn:aws:kms:us-east-1:123456789012:alias/app"},
		{"kms", "Decrypt", `{"CiphertextBlob":"eA=="}`, ""},
		{"secretsmanager", "GetSecretValue", `{"SecretId":"prod/db"}`, "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db"},
		{"ssm", "GetParameter", `{"Name":"/app/url"}`, "arn:aws:ssm:us-east-1:123456789012:parameter/app/url"},
		{"ssm", "GetParameters", `{"Names":["a","/b"]}`, "arn:aws:ssm:us-east-1:123456789012:parameter/a arn:aws:ssm:us-east-1:123456789012:parameter/b"},
		{"ssm", "DescribeInstanceInformation", `{"Name":"x"}`, ""},
		{"sqs", "SendMessage", `{"QueueUrl":"https://sqs.eu-west-1.amazonaws.com/210987654321/jobs"}`, "arn:aws:sqs:eu-west-1:210987654321:jobs"},
		{"kinesis-streams", "PutRecord", `{"StreamName":"clicks"}`, "arn:aws:kinesis:us-east-1:123456789012:stream/clicks"},
		{"logs", "PutLogEvents", `{"logGroupName":"app","logStreamName":"i-1"}`, "arn:aws:logs:us-east-1:123456789012:log-group:app:log-stream:i-1"},
		{"ecr.api", "BatchGetImage", `{"repositoryName":"web"}`, "arn:aws:ecr:us-east-1:123456789012:repository/web"},
		{"dynamodb", "GetItem", `not json`, ""},
		{"sts", "GetCallerIdentity", `{"TableName":"x"}`, ""},
	} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
		got, err := jsonResources(r, tc.svc, tc.op, sc)
		if err != nil || strings.Join(got, " ") != tc.want {
			t.Errorf("%s %s %s = %v %v, want %s", tc.svc, tc.op, tc.body, got, err, tc.want)
		}
		if b, _ := io.ReadAll(r.Body); string(b) != tc.body {
			t.Errorf("%s %s: body after reading = %q", tc.svc, tc.op, b)
		}
	}
}

// TestResourceInEndpointPolicy: a DynamoDB gateway endpoint whose policy
// allows one table: GetItem on it reaches the upstream, on another table
// it is refused as DynamoDB refuses (AccessDeniedException naming the
// table's ARN), and a batch naming both is refused whole.
func TestResourceInEndpointPolicy(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	doc := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-east-1:123456789012:table/orders"}]}`
	cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(r.c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: r.vpc, ServiceName: "com.amazonaws.us-east-1.dynamodb",
		RouteTableIDs: []string{r.rtb}, PolicyDocument: &doc}))
	var got []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		got = append(got, string(b))
		io.WriteString(w, `{"Item":{}}`)
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	r.p = New(Config{Cloud: r.c, CA: r.ca, Upstreams: map[string]*url.URL{"dynamodb": u}})
	r.proxy = startProxy(t, r.p)
	c := r.client(r.inst)
	call := func(target, body string) (int, http.Header, string) {
		req := signed("POST", "https://dynamodb.us-east-1.amazonaws.com/", body)
		req.Header.Set("X-Amz-Target", "DynamoDB_20120810."+target)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	if code, _, body := call("GetItem", `{"TableName":"orders","Key":{"id":{"S":"1"}}}`); code != 200 || len(got) != 1 || !strings.Contains(got[0], `"orders"`) {
		t.Fatalf("GetItem on orders: %d %s (upstream saw %v)", code, body, got)
	}
	code, hdr, body := call("GetItem", `{"TableName":"users","Key":{"id":{"S":"1"}}}`)
	if code != 400 || !strings.Contains(body, "AccessDeniedException") || !strings.Contains(body, "arn:aws:dynamodb:us-east-1:123456789012:table/users") ||
		hdr.Get("X-Vpce-Reason") != "ENDPOINT_POLICY_DENY" || len(got) != 1 {
		t.Fatalf("GetItem on users: %d %v %s", code, hdr, body)
	}
	if code, _, body := call("BatchGetItem", `{"RequestItems":{"orders":{"Keys":[]},"users":{"Keys":[]}}}`); code != 400 || len(got) != 1 {
		t.Fatalf("a batch naming both tables: %d %s (upstream saw %d)", code, body, len(got))
	}
}
