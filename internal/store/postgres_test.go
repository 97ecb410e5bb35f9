package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/vpce/vpce/internal/store/pgtest"
)

// openPostgresMemory opens a node: the memory store over the database.
func openPostgresMemory(t testing.TB, dsn string) *Memory {
	t.Helper()
	d, err := OpenPostgres(context.Background(), dsn)
	return memoryOver(t, d, err)
}

func openNode(t *testing.T, dsn string) *Memory {
	t.Helper()
	m := openPostgresMemory(t, dsn)
	t.Cleanup(func() { m.Close() })
	return m
}

// waitFor polls node's view until ok holds, failing after limit.
func waitFor(t *testing.T, node Store, limit time.Duration, what string, ok func(Txn) bool) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		var done bool
		node.View(context.Background(), func(tx Txn) error { done = ok(tx); return nil })
		if done {
			return time.Since(start)
		}
		if time.Since(start) > limit {
			t.Fatalf("%s: not seen after %v", what, limit)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestTwoNodes: a change committed on one node is in the other's snapshot
// within a second, reported as a remote change with its keys; a reset on
// one empties the other.
func TestTwoNodes(t *testing.T) {
	dsn := pgtest.DSN(t)
	a, b := openNode(t, dsn), openNode(t, dsn)
	var mu sync.Mutex
	var reported [][]RemoteChange
	b.OnRemoteChange(func(c []RemoteChange) { mu.Lock(); reported = append(reported, c); mu.Unlock() })
	k := Key{Scope: sc, Kind: "vpc-endpoint", ID: "vpce-1", Parent: "vpc-1"}
	if err := a.Update(t.Context(), func(tx Txn) error { return tx.Put(k, []byte(`{"state":"available"}`)) }); err != nil {
		t.Fatal(err)
	}
	took := waitFor(t, b, time.Second, "A's endpoint on B", func(tx Txn) bool {
		rs, _ := tx.ListChildren(sc, "vpc-endpoint", "vpc-1")
		return len(rs) == 1 && string(rs[0].Data) == `{"state":"available"}`
	})
	t.Logf("A's commit visible on B after %v", took)
	mu.Lock()
	if len(reported) == 0 || !slices.ContainsFunc(reported[len(reported)-1], func(c RemoteChange) bool {
		return c.Key == k && c.Before == nil && string(c.After) == `{"state":"available"}`
	}) {
		t.Errorf("B reported remote changes %v, want %v put, new", reported, k)
	}
	mu.Unlock()
	// B's own write lands after A's, and A sees it.
	if err := b.Update(t.Context(), func(tx Txn) error { return tx.Delete(k) }); err != nil {
		t.Fatal(err)
	}
	waitFor(t, a, time.Second, "B's delete on A", func(tx Txn) bool {
		_, err := tx.Get(k)
		return errors.Is(err, ErrNotFound)
	})
	a.Update(t.Context(), func(tx Txn) error { return tx.Put(k, []byte("{}")) })
	waitFor(t, b, time.Second, "A's put on B", func(tx Txn) bool { _, err := tx.Get(k); return err == nil })
	if err := a.Reset(t.Context()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, b, time.Second, "A's reset on B", func(tx Txn) bool { rs, _ := tx.ListKind("vpc-endpoint"); return len(rs) == 0 })
	mu.Lock()
	if reported[len(reported)-1] != nil {
		t.Errorf("a reset reported as %v, want nil (everything)", reported[len(reported)-1])
	}
	mu.Unlock()
	// A node opened now loads what is there.
	b.Update(t.Context(), func(tx Txn) error { return tx.Put(Key{Scope: sc, Kind: "vpc", ID: "vpc-9"}, []byte("{}")) })
	c := openNode(t, dsn)
	c.View(t.Context(), func(tx Txn) error {
		if rs, _ := tx.List(sc, "vpc"); len(rs) != 1 {
			t.Errorf("a new node loaded %v", rs)
		}
		return nil
	})
}

// TestTwoNodesSerialize: read-modify-write updates racing on two nodes
// lose nothing: each writer first applies what the other committed.
func TestTwoNodesSerialize(t *testing.T) {
	dsn := pgtest.DSN(t)
	nodes := []*Memory{openNode(t, dsn), openNode(t, dsn)}
	k := Key{Scope: sc, Kind: "counter", ID: "n"}
	var wg sync.WaitGroup
	const per = 40
	var committed atomic.Int64 // the updates the nodes' metrics hear of
	for _, n := range nodes {
		n.OnCommit(func(s CommitStats) {
			if s.Err == nil {
				committed.Add(int64(s.Updates))
			}
		})
	}
	for _, n := range nodes {
		for range per {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := n.Update(t.Context(), func(tx Txn) error {
					v := 0
					if b, err := tx.Get(k); err == nil {
						fmt.Sscan(string(b), &v)
					}
					return tx.Put(k, fmt.Append(nil, v+1))
				})
				if err != nil {
					t.Error(err)
				}
			}()
		}
	}
	wg.Wait()
	for i, n := range nodes {
		waitFor(t, n, time.Second, fmt.Sprint("node ", i), func(tx Txn) bool {
			b, _ := tx.Get(k)
			return string(b) == fmt.Sprint(2*per)
		})
	}
	if committed.Load() != 2*per {
		t.Errorf("OnCommit heard of %d updates, want %d", committed.Load(), 2*per)
	}
}

// TestLogBehind: a reader whose position the log no longer holds is told
// to reload, and a writer that is behind reloads and still commits.
func TestLogBehind(t *testing.T) {
	dsn := pgtest.DSN(t)
	a := openNode(t, dsn)
	for i := range 3 {
		a.Update(t.Context(), func(tx Txn) error { return tx.Put(Key{Scope: sc, Kind: "vpc", ID: fmt.Sprint(i)}, []byte("{}")) })
	}
	conn, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), `DELETE FROM vpce_log WHERE seq <= 2`); err != nil {
		t.Fatal(err)
	}
	d := a.Durable().(Follower)
	if _, err := d.Since(t.Context(), 0); !errors.Is(err, ErrBehind) {
		t.Errorf("Since(0) after pruning = %v, want ErrBehind", err)
	}
	if es, err := d.Since(t.Context(), 2); err != nil || len(es) != 1 || es[0].Pos != 3 {
		t.Errorf("Since(2) = %v, %v; want the entry at 3", es, err)
	}
	// A node whose memory is behind the pruned log: it loads again.
	pg, err := OpenPostgres(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewMemory(t.Context(), &staleLoad{Postgres: pg})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Update(t.Context(), func(tx Txn) error {
		rs, _ := tx.List(sc, "vpc")
		if len(rs) != 3 {
			return fmt.Errorf("writer saw %d objects, want 3", len(rs))
		}
		return tx.Put(Key{Scope: sc, Kind: "vpc", ID: "b"}, []byte("{}"))
	}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, a, time.Second, "b's write on a", func(tx Txn) bool { rs, _ := tx.List(sc, "vpc"); return len(rs) == 4 })
	b.Close()
	if n := b.Durable().(*staleLoad).loads; n != 2 {
		t.Errorf("b loaded %d times, want 2 (a reload when behind)", n)
	}
}

// staleLoad reports position 0 from its first load, as if the objects had
// been loaded before the log was pruned.
type staleLoad struct {
	*Postgres
	loads int
}

func (s *staleLoad) Load(ctx context.Context, fn func(Change) error) (uint64, error) {
	pos, err := s.Postgres.Load(ctx, fn)
	if s.loads++; s.loads == 1 {
		pos = 0
	}
	return pos, err
}

// TestPostgresUnreachable: a database that does not answer is a prompt
// error that says so, without the password of the DSN.
func TestPostgresUnreachable(t *testing.T) {
	_, err := OpenPostgres(t.Context(), "postgres://vpce:s3cret-pw@127.0.0.1:1/vpce?sslmode=disable")
	if err == nil {
		t.Fatal("OpenPostgres on a closed port succeeded")
	}
	if !strings.Contains(err.Error(), "PostgreSQL") || strings.Contains(err.Error(), "s3cret-pw") {
		t.Errorf("error = %v; want it to name PostgreSQL and not the password", err)
	}
	if _, err := OpenPostgres(t.Context(), "postgres://vpce:s3cret-pw@[::1"); err == nil || strings.Contains(err.Error(), "s3cret-pw") {
		t.Errorf("a malformed DSN: %v", err)
	}
}
