package ec2query

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/store"
)

// inputs are the request types fuzzed: every shape of field the decoder knows.
func inputs() []any {
	return []any{
		&cloud.DescribeVpcsInput{}, &cloud.SecurityGroupRulesInput{}, &cloud.ModifyVpcAttributeInput{},
		&cloud.CreateSubnetInput{}, &cloud.NetworkACLEntryInput{}, &cloud.RunInstancesInput{}, &cloud.DeleteTagsInput{},
	}
}

// FuzzDecode: no input panics the decoder, every failure is an API error,
// and decoding is deterministic.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"Filter.1.Name=vpc-id&Filter.1.Value.1=a",
		"IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8&IpPermissions.1.FromPort=1",
		"MaxResults=-1&Filter.0.Name=x&Filter.01.Name=y",
		"EnableDnsSupport.Value=TRUE&VpcId=v",
		"Icmp.Code=1&PortRange.From=99999999999",
		"Filter.1.Value.1=a&Filter..Name=b&Filter.1.=c",
		"Tag.1.Value=x&Tag.1.Key=",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		form, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		for _, dst := range inputs() {
			err := Decode(form, dst)
			if err != nil {
				if _, ok := apierr.As(err); !ok {
					t.Fatalf("Decode(%q) = non-API error %v", q, err)
				}
			}
		}
	})
}

// FuzzHandler posts arbitrary bodies to the whole API: it never answers
// with a 5xx and never panics.
func FuzzHandler(f *testing.F) {
	st, err := store.Open(f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	h := New(Config{Cloud: cloud.New(cloud.Config{Store: st})})
	for _, s := range []string{
		"Action=CreateVpc&CidrBlock=10.0.0.0/16",
		"Action=CreateVpc&CidrBlock=10.0.0.0/33",
		"Action=CreateSubnet&VpcId=vpc-12345678&CidrBlock=x",
		"Action=DescribeVpcs&Filter.1.Name=tag:x&Filter.1.Value.1=*?*",
		"Action=AuthorizeSecurityGroupIngress&GroupId=sg-12345678&IpPermissions.1.IpProtocol=999",
		"Action=CreateRoute&RouteTableId=rtb-12345678&DestinationCidrBlock=0.0.0.0/0&GatewayId=igw-1",
		"Action=DescribeNetworkInterfaces&MaxResults=5&NextToken=djE6",
		"Action=RunInstances&ImageId=ami-12345678&MinCount=0&MaxCount=0",
		"Action=CreateTags&ResourceId.1=x-1&Tag.1.Key=a",
		"Action=%ff&%zz",
		"Action=DescribeRegions&DryRun=true",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("POST %q = %d: %s", body, rec.Code, rec.Body.String())
		}
	})
}
