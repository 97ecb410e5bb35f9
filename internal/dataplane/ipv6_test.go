package dataplane

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"

	"github.com/vpce/vpce/internal/cloud"
	"github.com/vpce/vpce/internal/cloud/cloudtest"
)

// TestIPv6OnlySource: an instance in an IPv6-only subnet reaches KMS
// through an IPv6-only interface endpoint (its private DNS answers AAAA
// only): the data plane decides its connections as IPv6 paths, and the
// endpoint's policy judges each request.
func TestIPv6OnlySource(t *testing.T) {
	r := newRig(t)
	c, ctx := r.c, context.Background()
	vpc := cloudtest.Must[*cloud.CreateVpcOutput](t)(c.CreateVpc(ctx, sc, &cloud.CreateVpcInput{CidrBlock: "10.9.0.0/16", AmazonIpv6: cloudtest.Ptr(true)})).Vpc
	cloudtest.Must[*cloud.Return](t)(c.ModifyVpcAttribute(ctx, sc, &cloud.ModifyVpcAttributeInput{VpcID: vpc.VpcID, EnableDNSHostnames: &cloud.AttributeBoolean{Value: cloudtest.Ptr(true)}}))
	b := vpc.Ipv6CidrBlockAssociationSet[0].Ipv6CidrBlock.Addr().As16()
	b[7] = 1
	sn := cloudtest.Must[*cloud.CreateSubnetOutput](t)(c.CreateSubnet(ctx, sc, &cloud.CreateSubnetInput{VpcID: vpc.VpcID, AvailabilityZone: "us-east-1a",
		Ipv6Native: cloudtest.Ptr(true), Ipv6CidrBlock: netip.PrefixFrom(netip.AddrFrom16(b), 64).String()})).Subnet.SubnetID
	doc := `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}`
	cloudtest.Must[*cloud.CreateVpcEndpointOutput](t)(c.CreateVpcEndpoint(ctx, sc, &cloud.CreateVpcEndpointInput{VpcID: vpc.VpcID, ServiceName: "com.amazonaws.us-east-1.kms",
		VpcEndpointType: "Interface", SubnetIDs: []string{sn}, IPAddressType: "ipv6", PrivateDNSEnabled: cloudtest.Ptr(true), PolicyDocument: &doc}))
	inst := cloudtest.Must[*cloud.Reservation](t)(c.RunInstances(ctx, sc, &cloud.RunInstancesInput{ImageID: "ami-12345678", MinCount: cloudtest.Ptr[int32](1), MaxCount: cloudtest.Ptr[int32](1),
		SubnetID: sn})).Instances[0].InstanceID
	var got []string
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		got = append(got, req.Header.Get("X-Amz-Target"))
		io.WriteString(w, `{}`)
	}))
	defer up.Close()
	u, _ := url.Parse(up.URL)
	r.p = New(Config{Cloud: c, CA: r.ca, Upstreams: map[string]*url.URL{"kms": u}})
	r.proxy = startProxy(t, r.p)
	defer r.proxy.Close()
	cl := r.client(inst)
	call := func(op string) (int, http.Header, string) {
		req, _ := http.NewRequest("POST", "https://kms.us-east-1.amazonaws.com/", strings.NewReader(`{}`))
		req.Header.Set("X-Amz-Target", "TrentService."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=123456789012/20261202/us-east-1/kms/aws4_request, SignedHeaders=host, Signature=00")
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(body)
	}
	if code, hdr, body := call("Decrypt"); code != 200 || len(got) != 1 {
		t.Fatalf("Decrypt over the IPv6 path: %d %v %s (upstream saw %v)", code, hdr, body, got)
	}
	// Refused as KMS (an AWS JSON service) refuses: 400 AccessDeniedException.
	if code, hdr, _ := call("Encrypt"); code != 400 || hdr.Get("X-Amzn-ErrorType") != "AccessDeniedException" || hdr.Get("X-Vpce-Reason") != "ENDPOINT_POLICY_DENY" || len(got) != 1 {
		t.Fatalf("Encrypt: %d %v (upstream saw %v)", code, hdr, got)
	}
}
