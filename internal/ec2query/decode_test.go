package ec2query

import (
	"net/url"
	"reflect"
	"strconv"
	"testing"

	"github.com/vpce/vpce/internal/apierr"
	"github.com/vpce/vpce/internal/cloud"
)

func TestDecode(t *testing.T) {
	form, _ := url.ParseQuery("VpcId=vpc-1&CidrBlock=10.0.0.0/24&TagSpecification.1.ResourceType=subnet" +
		"&TagSpecification.1.Tag.2.Key=b&TagSpecification.1.Tag.2.Value=2&TagSpecification.1.Tag.1.Key=a&TagSpecification.1.Tag.1.Value=1")
	var in cloud.CreateSubnetInput
	if err := Decode(form, &in); err != nil {
		t.Fatal(err)
	}
	want := cloud.CreateSubnetInput{VpcID: "vpc-1", CidrBlock: "10.0.0.0/24", TagSpecifications: []cloud.TagSpecification{
		{ResourceType: "subnet", Tags: []cloud.Tag{{Key: "a", Value: "1"}, {Key: "b", Value: "2"}}}}}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("Decode = %+v, want %+v", in, want)
	}
}

func TestDecodeFiltersAndPage(t *testing.T) {
	form, _ := url.ParseQuery("Filter.1.Name=vpc-id&Filter.1.Value.1=a&Filter.1.Value.10=c&Filter.1.Value.2=b&Filter.2.Name=state&MaxResults=7&NextToken=t&VpcId.1=x")
	var in cloud.DescribeVpcsInput
	if err := Decode(form, &in); err != nil {
		t.Fatal(err)
	}
	if len(in.Filters) != 2 || !reflect.DeepEqual(in.Filters[0].Values, []string{"a", "b", "c"}) || in.Filters[1].Name != "state" {
		t.Errorf("Filters = %+v (values sort by number, not text)", in.Filters)
	}
	if in.MaxResults == nil || *in.MaxResults != 7 || in.NextToken != "t" || in.VpcIDs[0] != "x" {
		t.Errorf("page = %v %q ids %v", in.MaxResults, in.NextToken, in.VpcIDs)
	}
}

func TestDecodeNested(t *testing.T) {
	form, _ := url.ParseQuery("GroupId=sg-1&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=443&IpPermissions.1.ToPort=443" +
		"&IpPermissions.1.IpRanges.1.CidrIp=10.0.0.0/8&IpPermissions.1.Groups.1.GroupId=sg-2&EnableDnsSupport.Value=true")
	var in cloud.SecurityGroupRulesInput
	if err := Decode(form, &in); err != nil {
		t.Fatal(err)
	}
	p := in.IPPermissions[0]
	if *p.FromPort != 443 || p.IPRanges[0].CidrIP != "10.0.0.0/8" || p.Groups[0].GroupID != "sg-2" {
		t.Errorf("permission = %+v", p)
	}
	var attr cloud.ModifyVpcAttributeInput
	form.Set("VpcId", "vpc-1")
	if err := Decode(form, &attr); err != nil {
		t.Fatal(err)
	}
	if attr.EnableDNSSupport == nil || !*attr.EnableDNSSupport.Value || attr.EnableDNSHostnames != nil {
		t.Errorf("attribute = %+v", attr)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		query string
		dst   any
		code  string
	}{
		{"CidrBlock=10.0.0.0/24", &cloud.CreateSubnetInput{}, "MissingParameter"},
		{"MaxResults=x", &cloud.DescribeVpcsInput{}, "InvalidParameterValue"},
		{"MaxResults=99999999999999999999", &cloud.DescribeVpcsInput{}, "InvalidParameterValue"},
		// List positions that are not 1, 2, … are refused, not ignored: a
		// dropped filter would widen a Describe.
		{"Filter.0.Name=vpc-id&Filter.0.Value.1=vpc-1", &cloud.DescribeVpcsInput{}, "UnknownParameter"},
		{"Filter.-1.Name=vpc-id", &cloud.DescribeVpcsInput{}, "UnknownParameter"},
		{"Filter.01.Name=vpc-id", &cloud.DescribeVpcsInput{}, "UnknownParameter"},
		{"Filter.99999999999999999999.Name=vpc-id", &cloud.DescribeVpcsInput{}, "UnknownParameter"},
		{"Filter.1.Name=vpc-id&Filter.1.Value.0=x", &cloud.DescribeVpcsInput{}, "UnknownParameter"},
		{"VpcId.x=vpc-1", &cloud.DescribeVpcsInput{}, "UnknownParameter"},
		{"VpcId=v&EnableDnsSupport.Value=yes", &cloud.ModifyVpcAttributeInput{}, "InvalidParameterValue"},
	} {
		form, _ := url.ParseQuery(tc.query)
		err := Decode(form, tc.dst)
		if !apierr.HasCode(err, tc.code) {
			t.Errorf("Decode(%q) err = %v, want %s", tc.query, err, tc.code)
		}
	}
}

// TestDecodeIsLinear: decoding many parameters costs in proportion to
// their number (no per-element scan of the whole form). Counted, not
// timed: the form's index is built once and each lookup is a map access.
func TestDecodeIsLinear(t *testing.T) {
	vals := url.Values{}
	for i := 1; i <= 10000; i++ {
		vals.Set("Filter.1.Value."+strconv.Itoa(i), "v")
	}
	vals.Set("Filter.1.Name", "vpc-id")
	var in cloud.DescribeVpcsInput
	if err := Decode(vals, &in); err != nil {
		t.Fatal(err)
	}
	if len(in.Filters) != 1 || len(in.Filters[0].Values) != 10000 {
		t.Fatalf("decoded %d filters", len(in.Filters))
	}
	f := indexForm(vals)
	if n := len(f.next["Filter.1.Value"]); n != 10000 {
		t.Errorf("index has %d positions, want 10000", n)
	}
}
