package ec2query

import (
	"net/url"
	"reflect"
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
		{"MaxResults=99999999999", &cloud.DescribeVpcsInput{}, "InvalidParameterValue"},
		{"VpcId=v&EnableDnsSupport.Value=yes", &cloud.ModifyVpcAttributeInput{}, "InvalidParameterValue"},
	} {
		form, _ := url.ParseQuery(tc.query)
		err := Decode(form, tc.dst)
		if !apierr.HasCode(err, tc.code) {
			t.Errorf("Decode(%q) err = %v, want %s", tc.query, err, tc.code)
		}
	}
}
