package cloud

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/vpce/vpce/internal/store"
	"github.com/vpce/vpce/internal/store/pgtest"
)

// TestRemoteChangesPatch: two processes on one PostgreSQL store. A's
// interface writes reach B as B's own do: B's next snapshot holds them,
// patched from its last one (the interfaces by ID share their base) rather
// than rebuilt, and equal to a build from scratch; a change B's snapshot
// does not read (another account) leaves it as it was.
func TestRemoteChangesPatch(t *testing.T) {
	dsn := pgtest.DSN(t)
	node := func() *Cloud {
		d, err := store.OpenPostgres(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		m, err := store.NewMemory(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return New(Config{Store: m, ProvisionDelay: -1})
	}
	a, b := node(), node()
	ctx := t.Context()
	vpc := mustDo[*CreateVpcOutput](t)(a.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: "10.0.0.0/16"})).Vpc.VpcID
	sub := mustDo[*CreateSubnetOutput](t)(a.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: vpc, CidrBlock: "10.0.1.0/24"})).Subnet.SubnetID
	var enis []string
	for range 5 {
		enis = append(enis, mustDo[*CreateNetworkInterfaceOutput](t)(a.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: sub})).NetworkInterface.NetworkInterfaceID)
	}
	// seen waits until B's snapshot satisfies ok.
	seen := func(what string, ok func(*Snapshot) bool) *Snapshot {
		t.Helper()
		for start := time.Now(); time.Since(start) < 2*time.Second; time.Sleep(5 * time.Millisecond) {
			if s := mustDo[*Snapshot](t)(b.Snapshot(ctx, sc)); ok(s) {
				return s
			}
		}
		t.Fatalf("B never saw %s", what)
		return nil
	}
	first := seen("A's interfaces", func(s *Snapshot) bool { return s.NetworkInterfaces.Get(enis[4]) != nil })

	added := mustDo[*CreateNetworkInterfaceOutput](t)(a.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: sub})).NetworkInterface
	mustDo[*Return](t)(a.DeleteNetworkInterface(ctx, sc, &DeleteNetworkInterfaceInput{NetworkInterfaceID: enis[0]}))
	mustDo[*Return](t)(a.CreateTags(ctx, sc, &CreateTagsInput{Resources: []string{enis[1]}, Tags: []Tag{{Key: "k", Value: "v"}}}))
	second := seen("A's interface changes", func(s *Snapshot) bool {
		e := s.NetworkInterfaces.Get(enis[1])
		return s.NetworkInterfaces.Get(added.NetworkInterfaceID) != nil && s.NetworkInterfaces.Get(enis[0]) == nil && e != nil && len(e.Tags) == 1
	})
	if second.NetworkInterfaces.base == nil || fmt.Sprintf("%p", second.NetworkInterfaces.base) != fmt.Sprintf("%p", first.NetworkInterfaces.base) {
		t.Error("B built its interfaces whole after A changed three: want them patched from its last snapshot")
	}
	if second.InterfaceAt(vpc, added.PrivateIPAddress) == nil {
		t.Error("B's address index misses A's new interface")
	}
	var want *Snapshot
	if err := b.view(ctx, sc, func(tx *txn) error {
		var err error
		want, err = tx.snapshotTxn(nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if d := interfaceViewsDiff(second, want); d != "" {
		t.Fatalf("B's patched snapshot: %s", d)
	}

	other := Scope{Account: "210987654321", Region: sc.Region}
	mustDo[*CreateVpcOutput](t)(a.CreateVpc(ctx, other, &CreateVpcInput{CidrBlock: "10.9.0.0/16"}))
	seen("the other account's VPC", func(*Snapshot) bool {
		s := mustDo[*Snapshot](t)(b.Snapshot(ctx, other))
		return len(s.Vpcs) == 2 // its default VPC and the new one
	})
	if third := mustDo[*Snapshot](t)(b.Snapshot(ctx, sc)); third != second {
		t.Error("another account's commit on A rebuilt B's snapshot of this one")
	}
}
