package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
)

func newTestStore(t *testing.T) (*SQLite, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

var sc = Scope{Account: "000000000000", Region: "us-east-1"}

func TestPutGetListDelete(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := t.Context()
	err := s.Update(ctx, func(tx Txn) error {
		for _, id := range []string{"b", "a", "c"} {
			if err := tx.Put(Key{sc, "vpc", id}, []byte(`"`+id+`"`)); err != nil {
				return err
			}
		}
		// Reads in a transaction see its own writes.
		if _, err := tx.Get(Key{sc, "vpc", "a"}); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.View(ctx, func(tx Txn) error {
		rs, err := tx.List(sc, "vpc")
		if err != nil {
			return err
		}
		if len(rs) != 3 || rs[0].ID != "a" || rs[2].ID != "c" {
			t.Errorf("List = %v, want a,b,c", rs)
		}
		other, _ := tx.List(Scope{"111111111111", "us-east-1"}, "vpc")
		if len(other) != 0 {
			t.Errorf("other account sees %d objects", len(other))
		}
		if _, err := tx.Get(Key{sc, "subnet", "a"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(missing) err = %v, want ErrNotFound", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestUpdateRollsBack(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := t.Context()
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx Txn) error {
		tx.Put(Key{sc, "vpc", "x"}, []byte("1"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update err = %v", err)
	}
	s.View(ctx, func(tx Txn) error {
		if _, err := tx.Get(Key{sc, "vpc", "x"}); !errors.Is(err, ErrNotFound) {
			t.Errorf("rolled-back object visible: %v", err)
		}
		return nil
	})
}

func TestPersistsAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Update(context.Background(), func(tx Txn) error { return tx.Put(Key{sc, "vpc", "x"}, []byte("1")) })
	s.Close()
	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.SchemaVersion(); v != len(migrations) {
		t.Errorf("SchemaVersion = %d, want %d", v, len(migrations))
	}
	s.View(context.Background(), func(tx Txn) error {
		if b, err := tx.Get(Key{sc, "vpc", "x"}); err != nil || string(b) != "1" {
			t.Errorf("Get after reopen = %q, %v", b, err)
		}
		return nil
	})
}

func TestUpdatesSerialize(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := t.Context()
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.Update(ctx, func(tx Txn) error {
				b, err := tx.Get(Key{sc, "counter", "n"})
				n := 0
				if err == nil {
					fmt.Sscan(string(b), &n)
				}
				return tx.Put(Key{sc, "counter", "n"}, []byte(fmt.Sprint(n+1)))
			})
			if err != nil {
				t.Errorf("update %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	s.View(ctx, func(tx Txn) error {
		b, _ := tx.Get(Key{sc, "counter", "n"})
		if string(b) != "20" {
			t.Errorf("counter = %s, want 20 (lost update)", b)
		}
		return nil
	})
}

func TestReset(t *testing.T) {
	s, _ := newTestStore(t)
	ctx := t.Context()
	s.Update(ctx, func(tx Txn) error { return tx.Put(Key{sc, "vpc", "x"}, []byte("1")) })
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	s.View(ctx, func(tx Txn) error {
		if rs, _ := tx.List(sc, "vpc"); len(rs) != 0 {
			t.Errorf("after Reset List = %v", rs)
		}
		return nil
	})
}
