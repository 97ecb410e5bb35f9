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

// TestRegistryAction: the Docker Registry API's routes and the ECR
// actions and repositories they are decided on.
func TestRegistryAction(t *testing.T) {
	for _, tc := range []struct{ method, path, op, repo string }{
		{"GET", "/v2/", "GetAuthorizationToken", ""},
		{"GET", "/v2/app/manifests/latest", "BatchGetImage", "app"},
		{"HEAD", "/v2/team/app/manifests/sha256:abc", "BatchGetImage", "team/app"},
		{"PUT", "/v2/team/app/manifests/v1", "PutImage", "team/app"},
		{"DELETE", "/v2/app/manifests/v1", "BatchDeleteImage", "app"},
		{"GET", "/v2/team/app/blobs/sha256:abc", "GetDownloadUrlForLayer", "team/app"},
		{"HEAD", "/v2/team/app/blobs/sha256:abc", "BatchCheckLayerAvailability", "team/app"},
		{"POST", "/v2/team/app/blobs/uploads/", "InitiateLayerUpload", "team/app"},
		{"PATCH", "/v2/team/app/blobs/uploads/0f3a", "UploadLayerPart", "team/app"},
		{"PUT", "/v2/team/app/blobs/uploads/0f3a", "CompleteLayerUpload", "team/app"},
		{"GET", "/v2/team/app/tags/list", "ListImages", "team/app"},
		{"GET", "/v2/blobs/blobs/sha256:abc", "GetDownloadUrlForLayer", "blobs"},
		{"GET", "/v2/manifests/manifests/latest", "BatchGetImage", "manifests"},
		{"GET", "/v2/app", "UnknownOperation", ""},
		{"GET", "/other", "UnknownOperation", ""},
	} {
		if op, repo := registryAction(tc.method, tc.path); op != tc.op || repo != tc.repo {
			t.Errorf("%s %s = %s on %q, want %s on %q", tc.method, tc.path, op, repo, tc.op, tc.repo)
		}
	}
	sc := cloud.Scope{Account: "123456789012", Region: "us-east-1"}
	for host, want := range map[string]string{
		"210987654321.dkr.ecr.eu-west-1.amazonaws.com":        "arn:aws:ecr:eu-west-1:210987654321:repository/team/app",
		"vpce-0a1b-2c3d.dkr.ecr.us-east-1.vpce.amazonaws.com": "arn:aws:ecr:us-east-1:123456789012:repository/team/app",
	} {
		if got := registryRepository(host, "team/app", sc); got != want {
			t.Errorf("registryRepository(%s) = %s, want %s", host, got, want)
		}
	}
}

// TestRegistryThroughEndpoint: an ecr.dkr endpoint whose policy allows
// pulls of one repository carries them; a pull of another repository
// and a push to the allowed one are refused before the registry.
func TestRegistryThroughEndpoint(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	cloudtest.Must[*cloud.Return](t)(r.c.ModifyVpcAttribute(ctx, sc, &cloud.ModifyVpcAttributeInput{VpcID: r.vpc, EnableDNSHostnames: &cloud.AttributeBoolean{Value: cloudtest.Ptr(true)}}))
	doc := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:GetAuthorizationToken","Resource":"*"},
		{"Effect":"Allow","Principal":"*","Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Resource":"arn:aws:ecr:us-east-1:123456789012:repository/team/app"}]}`
	cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(r.c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: r.vpc, VpcEndpointType: "Interface",
		ServiceName: "com.amazonaws.us-east-1.ecr.dkr", SubnetIDs: []string{r.subnet}, PrivateDNSEnabled: cloudtest.Ptr(true), PolicyDocument: &doc}))
	var got []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		io.Copy(io.Discard, req.Body)
		got = append(got, req.Method+" "+req.URL.Path)
		io.WriteString(w, `{}`)
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	r.p = New(Config{Cloud: r.c, CA: r.ca, Upstreams: map[string]*url.URL{"ecr.dkr": u}})
	r.proxy = startProxy(t, r.p)
	c := r.client(r.inst)
	registry := func(method, path string) (int, http.Header, string) {
		req, err := http.NewRequest(method, "https://123456789012.dkr.ecr.us-east-1.amazonaws.com"+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Basic QVdTOnRva2Vu") // AWS:token, as docker sends it
		return send(t, c, req)
	}
	for _, p := range []string{"/v2/", "/v2/team/app/manifests/latest", "/v2/team/app/blobs/sha256:abc"} {
		if code, _, body := registry("GET", p); code != 200 {
			t.Fatalf("GET %s: %d %s", p, code, body)
		}
	}
	if len(got) != 3 {
		t.Fatalf("the registry saw %v", got)
	}
	for _, tc := range []struct{ method, path, action string }{
		{"GET", "/v2/other/manifests/latest", "ecr:BatchGetImage"},
		{"PUT", "/v2/team/app/manifests/latest", "ecr:PutImage"},
		{"POST", "/v2/team/app/blobs/uploads/", "ecr:InitiateLayerUpload"},
	} {
		code, hdr, body := registry(tc.method, tc.path)
		if code != 403 || hdr.Get("X-Vpce-Reason") != "ENDPOINT_POLICY_DENY" || !strings.Contains(body, tc.action) || len(got) != 3 {
			t.Fatalf("%s %s: %d %v %s (the registry saw %v)", tc.method, tc.path, code, hdr, body, got)
		}
	}
}
