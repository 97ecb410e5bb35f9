package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync/atomic"
	"testing"
)

// openMemory opens the memory store over SQLite in dir.
func openMemory(t testing.TB, dir string) *Memory {
	t.Helper()
	d, err := OpenSQLite(dir, Options{})
	return memoryOver(t, d, err)
}

// memoryOver returns the memory store over d, failing t on err or on a
// failed load.
func memoryOver(t testing.TB, d Durable, err error) *Memory {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	m, err := NewMemory(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMemoryMatchesSQLite applies the same random updates (some failing)
// to the memory store and to a plain SQLite store, and compares every kind
// of read after each one; then it reopens the memory store's directory and
// compares again: what memory answered is what is on disk.
func TestMemoryMatchesSQLite(t *testing.T) {
	t.Run("over-sqlite", func(t *testing.T) { testMatchesSQLite(t, openMemory) })
	// Over the log, compacting every few kilobytes: snapshots written in
	// the background while updates go on, replayed when reopened.
	defer func(v int64) { compactAt = v }(compactAt)
	compactAt = 4 << 10
	t.Run("over-log", func(t *testing.T) {
		testMatchesSQLite(t, func(t testing.TB, dir string) *Memory {
			m, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			return m
		})
	})
}

func testMatchesSQLite(t *testing.T, open func(testing.TB, string) *Memory) {
	dir := t.TempDir()
	m := open(t, dir)
	q, err := OpenSQLite(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	rng := rand.New(rand.NewPCG(1, 2))
	scopes := []Scope{{"111111111111", "us-east-1"}, {"111111111111", "eu-west-1"}, {"222222222222", "us-east-1"}}
	kinds := []string{"vpc", "subnet", "eni"}
	randKey := func() Key {
		return Key{Scope: scopes[rng.IntN(len(scopes))], Kind: kinds[rng.IntN(len(kinds))],
			ID: fmt.Sprintf("id-%02d", rng.IntN(30)), Parent: fmt.Sprintf("p%d", rng.IntN(3))}
	}
	boom := errors.New("refused")
	for step := range 300 {
		ops := make([]func(Txn) error, 1+rng.IntN(4))
		for i := range ops {
			k, v := randKey(), fmt.Appendf(nil, `{"step":%d}`, step)
			if rng.IntN(3) == 0 {
				ops[i] = func(tx Txn) error { return tx.Delete(k) }
			} else {
				ops[i] = func(tx Txn) error { return tx.Put(k, v) }
			}
		}
		fail := rng.IntN(5) == 0
		fn := func(tx Txn) error {
			for _, op := range ops {
				if err := op(tx); err != nil {
					return err
				}
			}
			if fail {
				return boom
			}
			return nil
		}
		if err1, err2 := m.Update(t.Context(), fn), q.Update(t.Context(), fn); !errors.Is(err1, err2) {
			t.Fatalf("step %d: memory %v, sqlite %v", step, err1, err2)
		}
		if step%10 == 0 {
			compareStores(t, fmt.Sprint("step ", step), m, q, scopes, kinds)
		}
	}
	compareStores(t, "end", m, q, scopes, kinds)
	m.Close()
	if l, ok := m.Durable().(*Log); ok && l.snapshots.Load() < 3 {
		t.Errorf("%d snapshots written, want several (compaction not exercised)", l.snapshots.Load())
	}
	m = open(t, dir)
	defer m.Close()
	compareStores(t, "reopened", m, q, scopes, kinds)
}

func compareStores(t *testing.T, when string, a, b Store, scopes []Scope, kinds []string) {
	t.Helper()
	read := func(s Store) map[string]any {
		out := map[string]any{}
		s.View(context.Background(), func(tx Txn) error {
			for _, kind := range kinds {
				out["kind "+kind], _ = tx.ListKind(kind)
				for _, sc := range scopes {
					p := fmt.Sprint(sc, kind)
					out["list "+p], _ = tx.List(sc, kind)
					for _, parent := range []string{"p0", "p1", "p2", ""} {
						out["children "+p+parent], _ = tx.ListChildren(sc, kind, parent)
					}
					out["page "+p], _ = tx.ListAfter(sc, kind, "id-10", 5)
					out["page0 "+p], _ = tx.ListAfter(sc, kind, "", 3)
					g, err := tx.Get(Key{Scope: sc, Kind: kind, ID: "id-07"})
					out["get "+p] = fmt.Sprint(string(g), err)
				}
			}
			return nil
		})
		return out
	}
	ra, rb := read(a), read(b)
	for k, va := range ra {
		vb := rb[k]
		if fmt.Sprint(va) != fmt.Sprint(vb) && !(isEmpty(va) && isEmpty(vb)) {
			t.Fatalf("%s: %s differs:\n memory %v\n sqlite %v", when, k, va, vb)
		}
	}
}

func isEmpty(v any) bool {
	r := reflect.ValueOf(v)
	return r.Kind() == reflect.Slice && r.Len() == 0
}

// TestMemorySnapshotIsolation: a reader keeps the state it started with
// while writers commit, and never sees half of an update.
func TestMemorySnapshotIsolation(t *testing.T) {
	m := openMemory(t, t.TempDir())
	defer m.Close()
	ctx := t.Context()
	k1, k2 := Key{Scope: sc, Kind: "vpc", ID: "a"}, Key{Scope: sc, Kind: "vpc", ID: "b"}
	m.Update(ctx, func(tx Txn) error { tx.Put(k1, []byte("0")); return tx.Put(k2, []byte("0")) })
	err := m.View(ctx, func(tx Txn) error {
		if err := m.Update(ctx, func(tx Txn) error { tx.Put(k1, []byte("1")); return tx.Put(k2, []byte("1")) }); err != nil {
			return err
		}
		a, _ := tx.Get(k1)
		b, _ := tx.Get(k2)
		if string(a) != "0" || string(b) != "0" {
			t.Errorf("a reader saw a later commit: a=%s b=%s", a, b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m.View(ctx, func(tx Txn) error {
		a, _ := tx.Get(k1)
		if string(a) != "1" {
			t.Errorf("after the update a = %s, want 1 (an answered update is visible)", a)
		}
		if err := tx.Put(k1, []byte("2")); err == nil {
			t.Error("a view wrote")
		}
		return nil
	})
}

// TestMemoryGroupCommit: concurrent updates share commits, a failing or
// panicking update is undone alone, and what was answered is on disk.
func TestMemoryGroupCommit(t *testing.T) {
	dir := t.TempDir()
	m := openMemory(t, dir)
	const n = 300
	var commits, committed atomic.Int64
	m.OnCommit(func(s CommitStats) {
		if s.Err != nil || s.Duration <= 0 || s.Updates < 1 {
			t.Errorf("commit observed as %+v", s)
		}
		commits.Add(1)
		committed.Add(int64(s.Updates))
	})
	errs := make(chan error, n)
	for i := range n {
		go func() {
			errs <- m.Update(t.Context(), func(tx Txn) error {
				if err := tx.Put(Key{Scope: sc, Kind: "k", ID: itoa(i + 1), Parent: "p"}, []byte("v")); err != nil {
					return err
				}
				switch i % 10 {
				case 0:
					return errors.New("refused")
				case 5:
					panic("boom")
				}
				return nil
			})
		}()
	}
	failed := 0
	for range n {
		if err := <-errs; err != nil {
			failed++
		}
	}
	batches := m.batches.Load()
	durableBatches := m.d.(*SQLite).batches.Load()
	m.Close()
	if failed != n/5 {
		t.Errorf("%d updates failed, want %d", failed, n/5)
	}
	if batches >= n || durableBatches > batches {
		t.Errorf("%d batches and %d durable commits for %d concurrent updates: no group commit", batches, durableBatches, n)
	}
	// What metrics hear: every update that succeeded, in fewer commits.
	// (A commit whose updates all failed is not heard.)
	if committed.Load() != n-n/5 || commits.Load() >= n-n/5 || commits.Load() > durableBatches {
		t.Errorf("OnCommit heard %d updates in %d commits, want %d updates in at most %d commits", committed.Load(), commits.Load(), n-n/5, durableBatches)
	}
	m = openMemory(t, dir)
	defer m.Close()
	m.View(t.Context(), func(tx Txn) error {
		rs, _ := tx.ListChildren(sc, "k", "p")
		if len(rs) != n-n/5 {
			t.Errorf("after reopening: %d objects, want %d", len(rs), n-n/5)
		}
		return nil
	})
}

// BenchmarkMemoryReads: a read by key and a page of 100 from the memory
// store holding n objects (VPCE_BENCH_N, default 100,000).
func BenchmarkMemoryReads(b *testing.B) {
	m := openMemory(b, b.TempDir())
	defer m.Close()
	const n = 100_000
	for i := 0; i < n; i += 1000 {
		m.Update(b.Context(), func(tx Txn) error {
			for j := i; j < i+1000; j++ {
				tx.Put(Key{Scope: sc, Kind: "eni", ID: fmt.Sprintf("eni-%08d", j), Parent: fmt.Sprintf("subnet-%d", j/250)}, []byte(`{"id":"x"}`))
			}
			return nil
		})
	}
	b.Run("Get", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			m.View(b.Context(), func(tx Txn) error {
				_, err := tx.Get(Key{Scope: sc, Kind: "eni", ID: fmt.Sprintf("eni-%08d", i%n)})
				return err
			})
		}
	})
	b.Run("Page100", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			m.View(b.Context(), func(tx Txn) error {
				_, err := tx.ListAfter(sc, "eni", fmt.Sprintf("eni-%08d", i%n), 100)
				return err
			})
		}
	})
	b.Run("Write", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			m.Update(b.Context(), func(tx Txn) error {
				return tx.Put(Key{Scope: sc, Kind: "eni", ID: fmt.Sprintf("eni-%08d", i%n), Parent: "subnet-0"}, []byte(`{"id":"y"}`))
			})
		}
	})
}

// BenchmarkMemoryDurableWrites: small durable updates from parallel writers
// through the memory store (go test -run='^$' -bench=MemoryDurableWrites -cpu=1,4 ./internal/store).
func BenchmarkMemoryDurableWrites(b *testing.B) {
	m := openMemory(b, b.TempDir())
	defer m.Close()
	var n atomic.Int64
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := itoa(int(n.Add(1)))
			if err := m.Update(context.Background(), func(tx Txn) error {
				return tx.Put(Key{Scope: Scope{Account: "a", Region: "r"}, Kind: "k", ID: id}, []byte(`{"id":"x"}`))
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.ReportMetric(float64(b.N)/float64(m.batches.Load()), "updates/commit")
}
