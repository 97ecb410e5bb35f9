package dump

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzRead feeds one file of arbitrary bytes to the reader: it never
// panics, and what it reads converts (bad records become problems).
func FuzzRead(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/batfish/*/us-east-1/*.json")
	for _, s := range seeds {
		if b, err := os.ReadFile(s); err == nil && len(b) < 8000 {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"Vpcs":[{"VpcId":"vpc-1","CidrBlock":"10.0.0.0/33"}]}`))
	f.Add([]byte(`{"NetworkInterfaces":[{"NetworkInterfaceId":"eni-1","PrivateIpAddress":"::1"}],"Subnets":null}`))
	f.Add([]byte(`{"Reservations":[{"Instances":[{"InstanceId":"i-1","State":{"Name":"stopped"},"NetworkInterfaces":[{}]}]}]}`))
	f.Add([]byte(`{"PrefixLists":[{"PrefixListId":"pl-1","Cidrs":["x"]},{"PrefixListId":"pl-2","OwnerId":"1"}],"Entries":[1]}`))
	f.Add([]byte(`[1,2,3]`))
	f.Add([]byte(`{"TransitGatewayVpcAttachments":[{"TransitGatewayAttachmentId":"tgw-attach-1","State":"pendingAcceptance","SubnetIds":null}],"TransitGatewayAttachments":[{"ResourceType":"vpn","Association":{}}]}`))
	f.Add([]byte(`{"TransitGatewayRouteTables":[{"TransitGatewayRouteTableId":"tgw-rtb-1"}],"Routes":[{"DestinationCidrBlock":"x","Type":"static","TransitGatewayAttachments":[]}]}`))
	f.Add([]byte(`{"VpnConnections":[{"VpnConnectionId":"vpn-1","Routes":[{"DestinationCidrBlock":"10.0.0.0/8"}],"Options":null}],"VpnGateways":[{"VpcAttachments":[{}]}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := filepath.Join(t.TempDir(), "111122223333", "us-east-1")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "x.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		accts, _, err := Read(filepath.Dir(filepath.Dir(dir)), Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range accts {
			if a.Scope.Account != "111122223333" || a.Scope.Region != "us-east-1" {
				t.Fatalf("scope %+v", a.Scope)
			}
		}
	})
}
