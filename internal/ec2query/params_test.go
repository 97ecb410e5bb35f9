package ec2query

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/store"
)

// TestUnknownParameter: a parameter the action does not take in AWS's
// model is UnknownParameter naming its top-level name as sent ("The
// parameter Foo is not recognized", as EC2 answers, case-sensitive), not
// silently ignored; the model's parameters, list forms (Filter.1.Name),
// DryRun and query-signature parameters pass.
func TestUnknownParameter(t *testing.T) {
	st, err := store.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	h := New(Config{Cloud: cloud.New(cloud.Config{Store: st})})
	call := func(params string) (int, string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(params+"&Version="+APIVersion))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	for _, tc := range []struct{ params, unknown string }{
		{"Action=CreateVpc&CidrBlock=10.0.0.0/16&Colour=blue", "Colour"},
		{"Action=DescribeVpcs&vpcId.1=vpc-12345678", "vpcId"},
		{"Action=DescribeSecurityGroupRules&Filter.1.Name=group-id&Filter.1.Value.1=sg-12345678&Item.1=x", "Item"},
		{"Action=CreateTags&ResourceId.1=vpc-12345678&Tag.1.Key=a&Tags.1.Key=b", "Tags"},
		{"Action=CreateVpc&CidrBlock=10.0.0.0/16&Zeta=1&Alpha=2", "Alpha"},
	} {
		code, body := call(tc.params)
		if code != 400 || !strings.Contains(body, "<Code>UnknownParameter</Code>") || !strings.Contains(body, "The parameter "+tc.unknown+" is not recognized") {
			t.Errorf("%s: %d %s", tc.params, code, body)
		}
	}
	for _, params := range []string{
		"Action=CreateVpc&CidrBlock=10.1.0.0/16&InstanceTenancy=default&AmazonProvidedIpv6CidrBlock=false&TagSpecification.1.ResourceType=vpc&TagSpecification.1.Tag.1.Key=k&TagSpecification.1.Tag.1.Value=v",
		"Action=DescribeVpcs&Filter.1.Name=cidr&Filter.1.Value.1=10.1.0.0/16&MaxResults=5&DryRun=false",
		"Action=DescribeRegions&AllRegions=true&X-Amz-Date=20261202T000000Z",
	} {
		if code, body := call(params); code != 200 {
			t.Errorf("%s: %d %s", params, code, body)
		}
	}
}

// TestParamsCoverEveryAction: every action vpce serves has its parameter
// table (regenerate with scripts/opsgen after adding one), and the table
// names no action vpce does not serve.
func TestParamsCoverEveryAction(t *testing.T) {
	served := map[string]bool{}
	for _, a := range New(Config{}).Actions() {
		served[a] = true
		if _, ok := actionParams()[a]; !ok {
			t.Errorf("%s has no entry in params.json: run scripts/opsgen", a)
		}
	}
	for a := range actionParams() {
		if !served[a] {
			t.Errorf("params.json names %s, which vpce does not serve", a)
		}
	}
}
