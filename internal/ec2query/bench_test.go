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
	if !strings.Contains(body, "Version=") {
		body += "&Version=" + APIVersion
	}
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

// BenchmarkEndpoints measures the endpoint actions through the HTTP
// handler and SQLite.
func BenchmarkEndpoints(b *testing.B) {
	h := newBenchHandler(b)
	vpc := between(post(b, h, "Action=CreateVpc&CidrBlock=10.0.0.0/16"), "<vpcId>", "</vpcId>")
	post(b, h, "Action=ModifyVpcAttribute&VpcId="+vpc+"&EnableDnsHostnames.Value=true")
	sa := between(post(b, h, "Action=CreateSubnet&VpcId="+vpc+"&CidrBlock=10.0.0.0/20&AvailabilityZone=us-east-1a"), "<subnetId>", "</subnetId>")
	sb := between(post(b, h, "Action=CreateSubnet&VpcId="+vpc+"&CidrBlock=10.0.16.0/20&AvailabilityZone=us-east-1b"), "<subnetId>", "</subnetId>")
	rtb := between(post(b, h, "Action=CreateRouteTable&VpcId="+vpc), "<routeTableId>", "</routeTableId>")
	b.Run("CreateDeleteInterfaceEndpoint/2-subnets", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			id := between(post(b, h, "Action=CreateVpcEndpoint&VpcEndpointType=Interface&VpcId="+vpc+"&ServiceName=com.amazonaws.us-east-1.ssm&SubnetId.1="+sa+"&SubnetId.2="+sb+"&PrivateDnsEnabled=true"),
				"<vpcEndpointId>", "</vpcEndpointId>")
			post(b, h, "Action=DeleteVpcEndpoints&VpcEndpointId.1="+id)
		}
	})
	b.Run("CreateDeleteGatewayEndpoint", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			id := between(post(b, h, "Action=CreateVpcEndpoint&VpcId="+vpc+"&ServiceName=com.amazonaws.us-east-1.s3&RouteTableId.1="+rtb), "<vpcEndpointId>", "</vpcEndpointId>")
			post(b, h, "Action=DeleteVpcEndpoints&VpcEndpointId.1="+id)
		}
	})
	b.Run("DescribeVpcEndpointServices/all", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			post(b, h, "Action=DescribeVpcEndpointServices")
		}
	})
	b.Run("DescribeVpcEndpointServices/filtered", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			post(b, h, "Action=DescribeVpcEndpointServices&Filter.1.Name=service-name&Filter.1.Value.1=*.ssm*")
		}
	})
}

// BenchmarkDescribeVpcEndpoints describes 1,000 live interface endpoints
// in 20 VPCs, each with one interface and private DNS off.
func BenchmarkDescribeVpcEndpoints(b *testing.B) {
	h := newBenchHandler(b)
	var first string
	for v := 0; v < 20; v++ {
		vpc := between(post(b, h, fmt.Sprintf("Action=CreateVpc&CidrBlock=10.%d.0.0/16", v)), "<vpcId>", "</vpcId>")
		sub := between(post(b, h, fmt.Sprintf("Action=CreateSubnet&VpcId=%s&CidrBlock=10.%d.0.0/20", vpc, v)), "<subnetId>", "</subnetId>")
		if first == "" {
			first = vpc
		}
		for i := 0; i < 50; i++ {
			post(b, h, "Action=CreateVpcEndpoint&VpcEndpointType=Interface&VpcId="+vpc+"&ServiceName=com.amazonaws.us-east-1.kms&PrivateDnsEnabled=false&SubnetId.1="+sub)
		}
	}
	for _, bc := range []struct{ name, query string }{
		{"all-1000", "Action=DescribeVpcEndpoints"},
		{"page-100", "Action=DescribeVpcEndpoints&MaxResults=100"},
		{"filter-vpc-50", "Action=DescribeVpcEndpoints&Filter.1.Name=vpc-id&Filter.1.Value.1=" + first},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				post(b, h, bc.query)
			}
		})
	}
}
