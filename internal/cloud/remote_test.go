package cloud

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/vpce/vpce/internal/store"
	"github.com/vpce/vpce/internal/store/pgtest"
)

// pgNode is a process's Cloud over the PostgreSQL database dsn.
func pgNode(t testing.TB, dsn string) *Cloud {
	t.Helper()
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

// TestRemoteChangesPatch: two processes on one PostgreSQL store. A's
// interface writes reach B as B's own do: B's next snapshot holds them,
// patched from its last one (the interfaces by ID share their base) rather
// than rebuilt, and equal to a build from scratch — an Elastic IP A
// associates too; a change B's snapshot does not read (another account)
// leaves it as it was.
func TestRemoteChangesPatch(t *testing.T) {
	dsn := pgtest.DSN(t)
	a, b := pgNode(t, dsn), pgNode(t, dsn)
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

	// An Elastic IP A associates is shown on B, patched in as on A (the
	// store reports the address before and after).
	eip := mustDo[*AllocateAddressOutput](t)(a.AllocateAddress(ctx, sc, &AllocateAddressInput{Domain: "vpc"}))
	mustDo[*AssociateAddressOutput](t)(a.AssociateAddress(ctx, sc, &AssociateAddressInput{AllocationID: eip.AllocationID, NetworkInterfaceID: enis[2]}))
	third := seen("A's Elastic IP on its interface", func(s *Snapshot) bool {
		e := s.NetworkInterfaces.Get(enis[2])
		return e != nil && e.Association != nil && e.Association.PublicIP == eip.PublicIP
	})
	if fmt.Sprintf("%p", third.NetworkInterfaces.base) != fmt.Sprintf("%p", second.NetworkInterfaces.base) {
		t.Error("B built its interfaces whole after A associated an Elastic IP: want them patched")
	}
	var want2 *Snapshot
	if err := b.view(ctx, sc, func(tx *txn) error {
		var err error
		want2, err = tx.snapshotTxn(nil)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if d := interfaceViewsDiff(third, want2); d != "" {
		t.Fatalf("B's snapshot patched with A's Elastic IP: %s", d)
	}
	second = third

	other := Scope{Account: "210987654321", Region: sc.Region}
	mustDo[*CreateVpcOutput](t)(a.CreateVpc(ctx, other, &CreateVpcInput{CidrBlock: "10.9.0.0/16"}))
	seen("the other account's VPC", func(*Snapshot) bool {
		s := mustDo[*Snapshot](t)(b.Snapshot(ctx, other))
		return len(s.Vpcs) == 2 // its default VPC and the new one
	})
	if last := mustDo[*Snapshot](t)(b.Snapshot(ctx, sc)); last != second {
		t.Error("another account's commit on A rebuilt B's snapshot of this one")
	}
}

// BenchmarkRemoteSnapshot: two processes on one PostgreSQL store, an
// account of n interfaces; each round A tags one interface and B's
// snapshot is taken until it shows the tag (B learns of the commit by
// LISTEN/NOTIFY, then patches or rebuilds).
//
//	VPCE_TEST_POSTGRES=… VPCE_REMOTE_SIZE=20000 go test -run XXX -bench RemoteSnapshot -benchtime 20x ./internal/cloud
func BenchmarkRemoteSnapshot(b *testing.B) {
	n := 1000
	if env := os.Getenv("VPCE_REMOTE_SIZE"); env != "" {
		var err error
		if n, err = strconv.Atoi(env); err != nil {
			b.Fatalf("VPCE_REMOTE_SIZE: %v", err)
		}
	}
	dsn := pgtest.DSN(b)
	a, bn := pgNode(b, dsn), pgNode(b, dsn)
	ctx := b.Context()
	var vpc, sub, eni string
	var wg sync.WaitGroup
	var mu sync.Mutex
	sem := make(chan struct{}, 16)
	for i := range n {
		if i%(250*256) == 0 { // a /16 holds 256 subnets of 250 interfaces
			vpc = mustDo[*CreateVpcOutput](b)(a.CreateVpc(ctx, sc, &CreateVpcInput{CidrBlock: fmt.Sprintf("10.%d.0.0/16", i/250/256)})).Vpc.VpcID
		}
		if i%250 == 0 {
			sub = mustDo[*CreateSubnetOutput](b)(a.CreateSubnet(ctx, sc, &CreateSubnetInput{VpcID: vpc, CidrBlock: fmt.Sprintf("10.%d.%d.0/24", i/250/256, i/250%256)})).Subnet.SubnetID
		}
		wg.Add(1)
		sem <- struct{}{}
		go func(sub string) {
			defer func() { <-sem; wg.Done() }()
			e := mustDo[*CreateNetworkInterfaceOutput](b)(a.CreateNetworkInterface(ctx, sc, &CreateNetworkInterfaceInput{SubnetID: sub})).NetworkInterface.NetworkInterfaceID
			mu.Lock()
			if eni == "" {
				eni = e
			}
			mu.Unlock()
		}(sub)
	}
	wg.Wait()
	shows := func(v string) bool {
		e := mustDo[*Snapshot](b)(bn.Snapshot(ctx, sc)).NetworkInterfaces.Get(eni)
		return e != nil && len(e.Tags) == 1 && e.Tags[0].Value == v
	}
	i := 0
	for b.Loop() {
		i++
		mustDo[*Return](b)(a.CreateTags(ctx, sc, &CreateTagsInput{Resources: []string{eni}, Tags: []Tag{{Key: "k", Value: strconv.Itoa(i)}}}))
		for !shows(strconv.Itoa(i)) {
			time.Sleep(100 * time.Microsecond)
		}
	}
}
