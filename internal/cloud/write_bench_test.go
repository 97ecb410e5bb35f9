package cloud

import (
	"fmt"
	"testing"
	"time"

	"github.com/vpce/vpce/internal/store"
)

// BenchmarkWrites measures the CPU of a write call on the store without
// fsync (NoSync): CreateTags on a VPC that carries 40 tags (the raw write
// of scripts/bench-raw.sh), and the network mix's creates and deletes.
//
//	go test -run '^$' -bench Writes -benchmem ./internal/cloud
func BenchmarkWrites(b *testing.B) {
	st, err := store.OpenWith(b.TempDir(), store.Options{NoSync: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	c := New(Config{Store: st, Clock: time.Now, ProvisionDelay: 0})
	ctx := b.Context()
	vpc := mustDo[*CreateVpcOutput](b)(c.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
	sub := mustDo[*CreateSubnetOutput](b)(c.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: vpc, CidrBlock: "10.0.0.0/24"})).Subnet.SubnetID
	for i := range 40 {
		mustDo[*Return](b)(c.CreateTags(ctx, sc, &CreateTagsInput{Resources: []string{vpc}, Tags: []Tag{{Key: fmt.Sprint("k", i), Value: "v"}}}))
	}
	b.Run("CreateTags40", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			mustDo[*Return](b)(c.CreateTags(ctx, sc, &CreateTagsInput{Resources: []string{vpc}, Tags: []Tag{{Key: fmt.Sprint("k", i%40), Value: fmt.Sprint("v", i)}}}))
		}
	})
	b.Run("NetworkCreateDelete", func(b *testing.B) {
		i := 0
		for b.Loop() {
			i++
			g := mustDo[*CreateSecurityGroupOutput](b)(c.CreateSecurityGroup(ctx, sc, &CreateSecurityGroupInput{VpcID: vpc, GroupName: fmt.Sprint("g", i), Description: "d"})).GroupID
			e := mustDo[*CreateNetworkInterfaceOutput](b)(c.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: sub, Groups: []string{g}})).NetworkInterface.NetworkInterfaceID
			mustDo[*Return](b)(c.DeleteNetworkInterface(ctx, sc, &DeleteNetworkInterfaceInput{NetworkInterfaceID: e}))
			mustDo[*DeleteSecurityGroupOutput](b)(c.DeleteSecurityGroup(ctx, sc, &DeleteSecurityGroupInput{GroupID: g}))
		}
	})
}
