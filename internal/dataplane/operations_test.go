package dataplane

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"slices"

	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
)

// TestOperationOf: non-S3 requests are named as the service's model
// names them (botocore, through scripts/opsgen): JSON targets, Query
// actions, RPC v2 CBOR paths and REST routes with labels, greedy labels
// and query keys; the most specific route wins.
func TestOperationOf(t *testing.T) {
	for _, tc := range []struct {
		svc, method, url string
		header           [2]string
		form             string
		op, protocol     string
	}{
		{"lambda", "POST", "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/my-fn/invocations", [2]string{}, "", "Invoke", "rest-json"},
		{"lambda", "GET", "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/", [2]string{}, "", "ListFunctions", "rest-json"},
		{"lambda", "GET", "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/my-fn", [2]string{}, "", "GetFunction", "rest-json"},
		{"lambda", "GET", "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Afn/configuration", [2]string{}, "", "GetFunctionConfiguration", "rest-json"},
		{"lambda", "GET", "https://lambda.us-east-1.amazonaws.com/2019-09-30/functions/fn/provisioned-concurrency?List=ALL", [2]string{}, "", "ListProvisionedConcurrencyConfigs", "rest-json"},
		{"lambda", "GET", "https://lambda.us-east-1.amazonaws.com/2019-09-30/functions/fn/provisioned-concurrency?Qualifier=1", [2]string{}, "", "GetProvisionedConcurrencyConfig", "rest-json"},
		{"lambda", "GET", "https://lambda.us-east-1.amazonaws.com/no/such/route", [2]string{}, "", "", ""},
		{"lambda", "DELETE", "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/", [2]string{}, "", "", ""},
		{"eks", "GET", "https://eks.us-east-1.amazonaws.com/clusters", [2]string{}, "", "ListClusters", "rest-json"},
		{"eks", "GET", "https://eks.us-east-1.amazonaws.com/clusters/prod", [2]string{}, "", "DescribeCluster", "rest-json"},
		{"elasticfilesystem", "GET", "https://elasticfilesystem.us-east-1.amazonaws.com/2015-02-01/file-systems", [2]string{}, "", "DescribeFileSystems", "rest-json"},
		{"securityhub", "DELETE", "https://securityhub.us-east-1.amazonaws.com/actionTargets/arn:aws:securityhub:us-east-1:1:action/custom/x", [2]string{}, "", "DeleteActionTarget", "rest-json"},
		{"secretsmanager", "POST", "https://secretsmanager.us-east-1.amazonaws.com/", [2]string{"X-Amz-Target", "secretsmanager.GetSecretValue"}, "", "GetSecretValue", "json"},
		{"monitoring", "POST", "https://monitoring.us-east-1.amazonaws.com/service/GraniteServiceVersion20100801/operation/PutMetricData", [2]string{"Smithy-Protocol", "rpc-v2-cbor"}, "", "PutMetricData", "json"},
		{"sts", "POST", "https://sts.us-east-1.amazonaws.com/", [2]string{}, "GetCallerIdentity", "GetCallerIdentity", "query"},
	} {
		r := httptest.NewRequest(tc.method, tc.url, nil)
		if tc.header[0] != "" {
			r.Header.Set(tc.header[0], tc.header[1])
		}
		op, proto := operationOf(tc.svc, r, tc.form)
		if op != tc.op || proto != tc.protocol {
			t.Errorf("%s %s %s: %q %q, want %q %q", tc.svc, tc.method, tc.url, op, proto, tc.op, tc.protocol)
		}
	}
}

// TestGreedyLabel: a {label+} takes one segment or more, and a route
// with more literal segments beats a label.
func TestGreedyLabel(t *testing.T) {
	s := &opService{routes: map[string][]route{"GET": {
		compileRoute("/objects/{Key+}", "GetAny"),
		compileRoute("/objects/{Key}/meta", "GetMeta"),
	}}}
	for path, want := range map[string]string{"/objects/a": "GetAny", "/objects/a/b/c": "GetAny", "/objects/a/meta": "GetMeta", "/objects": "", "/objects/": ""} {
		r := httptest.NewRequest("GET", "https://x.example"+path, nil)
		if got := s.restOperation("GET", r.URL); got != want {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
	}
}

// TestOperationTableCoversCatalog: the table names a model for every
// catalog service whose API botocore describes, and each REST route
// compiles to at least one segment or the root.
func TestOperationTableCoversCatalog(t *testing.T) {
	tab := operationTable()
	for _, svc := range []string{"ssm", "kms", "logs", "sqs", "sns", "secretsmanager", "ecr.api", "lambda", "eks", "dynamodb", "sts", "monitoring", "execute-api", "kinesis-streams", "states"} {
		s := tab[svc]
		if s == nil || len(s.Models) == 0 {
			t.Errorf("%s: no model in operations.json", svc)
			continue
		}
		if !s.rest() && len(s.Operations) == 0 {
			t.Errorf("%s: no operations", svc)
		}
	}
	if !slices.Contains(tab["ssm"].Operations, "GetParameter") || slices.Contains(tab["ssm"].Operations, "NoSuchOperation") {
		t.Error("ssm's operations are not the model's")
	}
	for name, s := range tab {
		for m, rs := range s.routes {
			for _, r := range rs {
				if r.op == "" || strings.ContainsAny(m, "/ ") {
					t.Errorf("%s: bad route %+v for %s", name, r, m)
				}
			}
		}
	}
}

// TestRESTServiceThroughInterfaceEndpoint: a Lambda interface endpoint
// whose policy allows lambda:InvokeFunction only. Invoke (the operation
// Invoke, the IAM action InvokeFunction) reaches the upstream; ListFunctions
// is refused as Lambda refuses, 403 AccessDeniedException in REST-JSON,
// naming the action and the VPC endpoint policy; a route the model does
// not have is decided as lambda:UnknownOperation and refused too.
func TestRESTServiceThroughInterfaceEndpoint(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	cloudtest.Must[*cloud.Return](t)(r.c.ModifyVpcAttribute(ctx, sc, &cloud.ModifyVpcAttributeInput{VpcID: r.vpc, EnableDNSHostnames: &cloud.AttributeBoolean{Value: cloudtest.Ptr(true)}}))
	doc := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"*"}]}`
	ep := cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(r.c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: r.vpc,
		ServiceName: "com.amazonaws.us-east-1.lambda", VpcEndpointType: "Interface", SubnetIDs: []string{r.subnet},
		PrivateDNSEnabled: cloudtest.Ptr(true), PolicyDocument: &doc})).VpcEndpoint.VpcEndpointID
	var got []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		got = append(got, req.Method+" "+req.URL.Path)
		io.WriteString(w, `{"StatusCode":200}`)
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	r.p = New(Config{Cloud: r.c, CA: r.ca, Upstreams: map[string]*url.URL{"lambda": u}})
	r.proxy = startProxy(t, r.p)
	defer r.proxy.Close()
	c := r.client(r.inst)

	code, hdr, body := r.do(c, "POST", "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/report/invocations", `{}`)
	if code != 200 || len(got) != 1 || got[0] != "POST /2015-03-31/functions/report/invocations" {
		t.Fatalf("Invoke: %d %v %s (upstream saw %v)", code, hdr, body, got)
	}
	code, hdr, body = r.do(c, "GET", "https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/", "")
	if code != 403 || hdr.Get("X-Amzn-ErrorType") != "AccessDeniedException" || hdr.Get("X-Vpce-Reason") != "ENDPOINT_POLICY_DENY" || hdr.Get("X-Vpce-Component") != ep ||
		!strings.Contains(body, "lambda:ListFunctions") || !strings.Contains(body, "because no VPC endpoint policy allows") {
		t.Fatalf("ListFunctions: %d %v %s", code, hdr, body)
	}
	code, _, body = r.do(c, "GET", "https://lambda.us-east-1.amazonaws.com/no/such/route", "")
	if code != 403 || !strings.Contains(body, "lambda:UnknownOperation") || len(got) != 1 {
		t.Fatalf("unknown route: %d %s (upstream saw %v)", code, body, got)
	}
}

// TestBedrockThroughInterfaceEndpoint: a bedrock-runtime interface
// endpoint whose policy allows one foundation model and one inference
// profile. The calls are bedrock: actions (the service's IAM prefix, not
// its endpoint name), Converse is allowed by bedrock:InvokeModel, and a
// model the policy does not name is refused as Bedrock refuses, naming
// the model's ARN, before the upstream hears of it.
func TestBedrockThroughInterfaceEndpoint(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	cloudtest.Must[*cloud.Return](t)(r.c.ModifyVpcAttribute(ctx, sc, &cloud.ModifyVpcAttributeInput{VpcID: r.vpc, EnableDNSHostnames: &cloud.AttributeBoolean{Value: cloudtest.Ptr(true)}}))
	doc := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":["bedrock:InvokeModel","bedrock:InvokeModelWithResponseStream"],
		"Resource":["arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-express-v1","arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0"]}]}`
	cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(r.c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: r.vpc,
		ServiceName: "com.amazonaws.us-east-1.bedrock-runtime", VpcEndpointType: "Interface", SubnetIDs: []string{r.subnet},
		PrivateDNSEnabled: cloudtest.Ptr(true), PolicyDocument: &doc}))
	var got []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		got = append(got, req.URL.Path)
		io.WriteString(w, `{}`)
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	r.p = New(Config{Cloud: r.c, CA: r.ca, Upstreams: map[string]*url.URL{"bedrock-runtime": u}})
	r.proxy = startProxy(t, r.p)
	defer r.proxy.Close()
	c := r.client(r.inst)
	const host = "https://bedrock-runtime.us-east-1.amazonaws.com"
	for _, path := range []string{"/model/amazon.titan-text-express-v1/invoke", "/model/amazon.titan-text-express-v1/converse",
		"/model/us.anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream"} {
		if code, _, body := r.do(c, "POST", host+path, `{}`); code != 200 {
			t.Fatalf("POST %s: %d %s", path, code, body)
		}
	}
	code, hdr, body := r.do(c, "POST", host+"/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke", `{}`)
	if code != 403 || hdr.Get("X-Amzn-ErrorType") != "AccessDeniedException" || !strings.Contains(body, "bedrock:InvokeModel") ||
		!strings.Contains(body, "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0") || len(got) != 3 {
		t.Fatalf("a model the policy does not name: %d %v %s (upstream saw %v)", code, hdr, body, got)
	}
}

// TestExecuteAPI: a call of a private API is execute-api:Invoke on the
// API's stage, method and path, so an endpoint policy can allow one
// method of one API.
func TestExecuteAPI(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	cloudtest.Must[*cloud.Return](t)(r.c.ModifyVpcAttribute(ctx, sc, &cloud.ModifyVpcAttributeInput{VpcID: r.vpc, EnableDNSHostnames: &cloud.AttributeBoolean{Value: cloudtest.Ptr(true)}}))
	doc := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"execute-api:Invoke","Resource":"arn:aws:execute-api:us-east-1:123456789012:abc123/prod/GET/pets/*"}]}`
	cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(r.c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: r.vpc,
		ServiceName: "com.amazonaws.us-east-1.execute-api", VpcEndpointType: "Interface", SubnetIDs: []string{r.subnet},
		PrivateDNSEnabled: cloudtest.Ptr(true), PolicyDocument: &doc}))
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) { io.WriteString(w, "pet") }))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	r.p = New(Config{Cloud: r.c, CA: r.ca, Upstreams: map[string]*url.URL{"execute-api": u}})
	r.proxy = startProxy(t, r.p)
	defer r.proxy.Close()
	c := r.client(r.inst)
	if code, _, body := r.do(c, "GET", "https://abc123.execute-api.us-east-1.amazonaws.com/prod/pets/1", ""); code != 200 || body != "pet" {
		t.Fatalf("GET a pet: %d %s", code, body)
	}
	code, hdr, body := r.do(c, "DELETE", "https://abc123.execute-api.us-east-1.amazonaws.com/prod/pets/1", "")
	if code != 403 || !strings.Contains(body, `execute-api:Invoke on resource: \"arn:aws:execute-api:us-east-1:123456789012:abc123/prod/DELETE/pets/1\"`) || hdr.Get("X-Vpce-Reason") != "ENDPOINT_POLICY_DENY" {
		t.Fatalf("DELETE a pet: %d %v %s", code, hdr, body)
	}
}
