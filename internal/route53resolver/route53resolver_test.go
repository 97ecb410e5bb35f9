package route53resolver

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
)

func call(t *testing.T, h http.Handler, action, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("X-Amz-Target", TargetPrefix+action)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	if !Match(req) {
		t.Fatalf("Match refused %s", action)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	out := map[string]any{}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s answered %q: %v", action, w.Body.String(), err)
	}
	return w.Code, out, w.Header()
}

// TestProtocol pins the AWS JSON 1.1 conventions: errors are 400 with
// __type and X-Amzn-ErrorType, a document that is not JSON is a
// SerializationException, an action not served UnknownOperationException,
// an empty body is an empty input, and only POSTs with the
// Route53Resolver target prefix are routed here.
func TestProtocol(t *testing.T) {
	c := cloud.New(cloud.Config{Store: cloudtest.Store(t, t.TempDir())})
	h := New(c, func(*http.Request, []byte, string) (cloud.Scope, error) {
		return cloud.Scope{Account: "111111111111", Region: "us-east-1"}, nil
	})
	for _, tc := range []struct{ action, body, code string }{
		{"ListResolverEndpoints", `{`, "SerializationException"},
		{"ListResolverEndpoints", `{"MaxResults":"ten"}`, "SerializationException"},
		{"CreateFirewallRule", `{}`, "UnknownOperationException"},
		{"GetResolverEndpoint", `{"ResolverEndpointId":"rslvr-in-0123456789abcdef0"}`, "ResourceNotFoundException"},
		{"CreateResolverEndpoint", `{"CreatorRequestId":"x","Direction":"SIDEWAYS","SecurityGroupIds":["sg-1"],"IpAddresses":[{"SubnetId":"subnet-1"},{"SubnetId":"subnet-2"}]}`, "InvalidParameterException"},
		{"CreateResolverRule", `{"CreatorRequestId":"x","RuleType":"FORWARD","DomainName":"corp.example","TargetIps":[{"Ip":"nope"}],"ResolverEndpointId":"rslvr-out-1"}`, "InvalidParameterException"},
		{"DisassociateResolverRule", `{"ResolverRuleId":"rslvr-rr-1","VPCId":"vpc-1"}`, "ResourceNotFoundException"},
	} {
		status, out, hdr := call(t, h, tc.action, tc.body)
		if status != http.StatusBadRequest || out["__type"] != tc.code || hdr.Get("X-Amzn-Errortype") != tc.code || out["message"] == "" {
			t.Errorf("%s %s = %d %v (%s), want 400 %s", tc.action, tc.body, status, out, hdr.Get("X-Amzn-Errortype"), tc.code)
		}
	}
	status, out, _ := call(t, h, "ListResolverRules", "")
	if rules, ok := out["ResolverRules"].([]any); status != http.StatusOK || !ok || len(rules) != 0 {
		t.Errorf("ListResolverRules with no body = %d %v, want an empty list", status, out)
	}
	get := httptest.NewRequest(http.MethodGet, "/", nil)
	get.Header.Set("X-Amz-Target", TargetPrefix+"ListResolverRules")
	other := httptest.NewRequest(http.MethodPost, "/", nil)
	other.Header.Set("X-Amz-Target", "AmazonSSM.ListDocuments")
	if Match(get) || Match(other) {
		t.Error("Match took a GET or another service's target")
	}
}

// FuzzRequests sends any document to any action: the answer is JSON and
// never a server error.
func FuzzRequests(f *testing.F) {
	f.Add("CreateResolverEndpoint", `{"CreatorRequestId":"x","Direction":"INBOUND","SecurityGroupIds":["sg-1"],"IpAddresses":[{"SubnetId":"subnet-1","Ip":"10.0.0.1"},{"SubnetId":"subnet-2"}]}`)
	f.Add("CreateResolverRule", `{"CreatorRequestId":"x","RuleType":"SYSTEM","DomainName":"."}`)
	f.Add("AssociateResolverRule", `{"ResolverRuleId":"","VPCId":null}`)
	f.Add("ListResolverRules", `{"Filters":[{"Name":"Type","Values":[1]}]}`)
	f.Add("ListResolverEndpointIpAddresses", `[]`)
	c := cloud.New(cloud.Config{Store: cloudtest.Store(f, f.TempDir())})
	h := New(c, func(*http.Request, []byte, string) (cloud.Scope, error) {
		return cloud.Scope{Account: "111111111111", Region: "us-east-1"}, nil
	})
	f.Fuzz(func(t *testing.T, action, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", TargetPrefix+action)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 || !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %q = %d %s", action, body, w.Code, w.Body.String())
		}
	})
}
