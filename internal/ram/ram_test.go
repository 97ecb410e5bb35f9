package ram

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
)

var (
	owner = cloud.Scope{Account: "111111111111", Region: "us-east-1"}
	other = cloud.Scope{Account: "222222222222", Region: "us-east-1"}
)

// handler serves RAM as the account named by the request's X-Test-Account,
// mounted on a mux as the server mounts it.
func handler(c *cloud.Cloud) http.Handler {
	mux := http.NewServeMux()
	for _, p := range Paths() {
		mux.Handle(p, direct(c))
	}
	return mux
}

// direct is the handler itself, without a mux.
func direct(c *cloud.Cloud) *Handler {
	return New(c, func(r *http.Request, _ []byte, service string) (cloud.Scope, error) {
		if service != Service {
			panic("signed for " + service)
		}
		if r.Header.Get("X-Test-Account") == other.Account {
			return other, nil
		}
		return owner, nil
	})
}

func call(t *testing.T, h http.Handler, method, path, account, body string) (int, map[string]any, http.Header) {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Test-Account", account)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	out := map[string]any{}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s answered %q: %v", method, path, w.Body.String(), err)
	}
	return w.Code, out, w.Header()
}

// TestProtocol pins RAM's REST-JSON conventions: one POST path per action
// (DELETE with query parameters for DeleteResourceShare), errors as 400
// with the code in X-Amzn-ErrorType and a message in the body, a body
// that is not the action's JSON an InvalidParameterException, required
// members checked, timestamps as epoch seconds; and a share's round trip
// between two accounts through the handler.
func TestProtocol(t *testing.T) {
	c := cloud.New(cloud.Config{Store: cloudtest.Store(t, t.TempDir())})
	h := handler(c)
	for _, tc := range []struct{ method, path, body, code string }{
		{"POST", "/getresourceshares", `{`, "InvalidParameterException"},
		{"POST", "/getresourceshares", `{}`, "InvalidParameterException"},
		{"POST", "/getresourceshares", `{"resourceOwner":"EVERYONE"}`, "InvalidParameterException"},
		{"POST", "/createresourceshare", `{"name":"x","resourceArns":["nope"]}`, "MalformedArnException"},
		{"POST", "/acceptresourceshareinvitation", `{}`, "InvalidParameterException"},
		{"POST", "/acceptresourceshareinvitation", `{"resourceShareInvitationArn":"arn:aws:ram:us-east-1:111111111111:resource-share-invitation/00000000-0000-4000-8000-000000000000"}`, "ResourceShareInvitationArnNotFoundException"},
		{"DELETE", "/deleteresourceshare", ``, "InvalidParameterException"},
		{"DELETE", "/deleteresourceshare?resourceShareArn=arn:aws:ram:us-east-1:111111111111:resource-share/00000000-0000-4000-8000-000000000000", ``, "UnknownResourceException"},
		{"GET", "/getresourceshares", ``, "UnknownOperationException"},
	} {
		status, out, hdr := call(t, h, tc.method, tc.path, owner.Account, tc.body)
		if status/100 != 4 || hdr.Get("X-Amzn-Errortype") != tc.code || out["message"] == "" {
			t.Errorf("%s %s %s = %d %v (%s), want %s", tc.method, tc.path, tc.body, status, out, hdr.Get("X-Amzn-Errortype"), tc.code)
		}
	}

	status, out, _ := call(t, h, "POST", "/createresourceshare", owner.Account, `{"name":"hub","principals":["222222222222"],"tags":[{"key":"team","value":"net"}],"clientToken":"t1"}`)
	share, _ := out["resourceShare"].(map[string]any)
	if status != 200 || share["status"] != "ACTIVE" || share["owningAccountId"] != owner.Account || out["clientToken"] != "t1" {
		t.Fatalf("create = %d %v", status, out)
	}
	if _, ok := share["creationTime"].(float64); !ok {
		t.Errorf("creationTime %T, want epoch seconds", share["creationTime"])
	}
	arn := share["resourceShareArn"].(string)
	_, out, _ = call(t, h, "POST", "/getresourceshareinvitations", other.Account, `{}`)
	invs := out["resourceShareInvitations"].([]any)
	if len(invs) != 1 || invs[0].(map[string]any)["status"] != "PENDING" {
		t.Fatalf("invitations = %v", out)
	}
	inv := invs[0].(map[string]any)["resourceShareInvitationArn"].(string)
	status, out, _ = call(t, h, "POST", "/acceptresourceshareinvitation", other.Account, `{"resourceShareInvitationArn":"`+inv+`"}`)
	if status != 200 || out["resourceShareInvitation"].(map[string]any)["status"] != "ACCEPTED" {
		t.Fatalf("accept = %d %v", status, out)
	}
	_, out, _ = call(t, h, "POST", "/getresourceshareassociations", owner.Account, `{"associationType":"PRINCIPAL"}`)
	if as := out["resourceShareAssociations"].([]any); len(as) != 1 || as[0].(map[string]any)["status"] != "ASSOCIATED" {
		t.Fatalf("associations = %v", out)
	}
	_, out, _ = call(t, h, "POST", "/listresourcesharepermissions", owner.Account, `{"resourceShareArn":"`+arn+`"}`)
	if ps := out["permissions"].([]any); len(ps) != 0 {
		t.Errorf("permissions of a share without resources = %v", ps)
	}
	status, out, _ = call(t, h, "DELETE", "/deleteresourceshare?resourceShareArn="+arn, other.Account, ``)
	if status != 400 {
		t.Errorf("the principal deleted the owner's share: %d %v", status, out)
	}
	status, out, _ = call(t, h, "DELETE", "/deleteresourceshare?resourceShareArn="+arn+"&clientToken=t2", owner.Account, ``)
	if status != 200 || out["returnValue"] != true || out["clientToken"] != "t2" {
		t.Errorf("delete = %d %v", status, out)
	}
}

// FuzzRequests sends any body to any action: the answer is JSON and never
// a server error.
func FuzzRequests(f *testing.F) {
	f.Add("/createresourceshare", `{"name":"x","resourceArns":["arn:aws:ec2:us-east-1:111111111111:transit-gateway/tgw-0123456789abcdef0"],"principals":["222222222222"]}`)
	f.Add("/createresourceshare", `{"name":"x","allowExternalPrincipals":false,"principals":["o-abc"]}`)
	f.Add("/associateresourceshare", `{"resourceShareArn":"arn:aws:ram:us-east-1:111111111111:resource-share/x","principals":[1]}`)
	f.Add("/getresourceshareassociations", `{"associationType":"RESOURCE","resourceArn":null}`)
	f.Add("/listresources", `{"resourceOwner":"OTHER-ACCOUNTS","resourceType":"ec2:TransitGateway"}`)
	f.Add("/rejectresourceshareinvitation", `[]`)
	c := cloud.New(cloud.Config{Store: cloudtest.Store(f, f.TempDir())})
	h := direct(c)
	f.Fuzz(func(t *testing.T, path, body string) {
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.URL.Path = path
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 || !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %q = %d %s", path, body, w.Code, w.Body.String())
		}
	})
}
