package ec2query

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/store"
)

func BenchmarkDecode(b *testing.B) {
	form, _ := url.ParseQuery("GroupId=sg-1&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=443&IpPermissions.1.ToPort=443" +
		"&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8&IpPermissions.1.IpRanges.2.CidrIp=10.1.0.0/16&IpPermissions.1.Groups.1.GroupId=sg-2" +
		"&TagSpecification.1.ResourceType=security-group-rule&TagSpecification.1.Tag.1.Key=a&TagSpecification.1.Tag.1.Value=b")
	b.ReportAllocs()
	for b.Loop() {
		var in cloud.SecurityGroupRulesInput
		if err := Decode(form, &in); err != nil {
			b.Fatal(err)
		}
	}
}

func newBenchHandler(b *testing.B) *Handler {
	st, err := store.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	return New(Config{Cloud: cloud.New(cloud.Config{Store: st})})
}

func post(b *testing.B, h http.Handler, body string) string {
	req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatalf("%s: %d %s", body, rec.Code, rec.Body.String())
	}
	return rec.Body.String()
}

func between(s, a, z string) string {
	_, rest, _ := strings.Cut(s, a)
	v, _, _ := strings.Cut(rest, z)
	return v
}

// BenchmarkAPI measures whole requests through the HTTP handler and the
// SQLite store (synchronous=FULL: every write is fsynced).
func BenchmarkAPI(b *testing.B) {
	h := newBenchHandler(b)
	vpc := between(post(b, h, "Action=CreateVpc&CidrBlock=10.0.0.0/16"), "<vpcId>", "</vpcId>")
	subnet := between(post(b, h, "Action=CreateSubnet&VpcId="+vpc+"&CidrBlock=10.0.0.0/20"), "<subnetId>", "</subnetId>")
	b.Run("DescribeVpcs", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			post(b, h, "Action=DescribeVpcs")
		}
	})
	b.Run("CreateDeleteNetworkInterface", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			eni := between(post(b, h, "Action=CreateNetworkInterface&SubnetId="+subnet), "<networkInterfaceId>", "</networkInterfaceId>")
			post(b, h, "Action=DeleteNetworkInterface&NetworkInterfaceId="+eni)
		}
	})
	for i := 0; i < 1000; i++ {
		post(b, h, "Action=CreateNetworkInterface&SubnetId="+subnet)
	}
	b.Run("DescribeNetworkInterfaces/1000/filtered", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			post(b, h, "Action=DescribeNetworkInterfaces&Filter.1.Name=private-ip-address&Filter.1.Value.1=10.0.0.1?")
		}
	})
	b.Run("DescribeNetworkInterfaces/1000/page100", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			post(b, h, "Action=DescribeNetworkInterfaces&MaxResults=100")
		}
	})
	b.Run("CreateNetworkInterface/1000-in-subnet", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			eni := between(post(b, h, "Action=CreateNetworkInterface&SubnetId="+subnet), "<networkInterfaceId>", "</networkInterfaceId>")
			b.StopTimer()
			post(b, h, "Action=DeleteNetworkInterface&NetworkInterfaceId="+eni)
			b.StartTimer()
		}
	})
	_ = fmt.Sprint
}
