package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func newTestStore(t *testing.T) (*SQLite, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := OpenSQLite(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

var sc = Scope{Account: "000000000000", Region: "us-east-1"}

func TestPutGetListDelete(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func() Store) {
		s := open()
		ctx := t.Context()
		err := s.Update(ctx, func(tx Txn) error {
			for _, id := range []string{"b", "a", "c"} {
				if err := tx.Put(Key{Scope: sc, Kind: "vpc", ID: id}, []byte(`"`+id+`"`)); err != nil {
					return err
				}
			}
			// Reads in a transaction see its own writes.
			if _, err := tx.Get(Key{Scope: sc, Kind: "vpc", ID: "a"}); err != nil {
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
			if _, err := tx.Get(Key{Scope: sc, Kind: "subnet", ID: "a"}); !errors.Is(err, ErrNotFound) {
				t.Errorf("Get(missing) err = %v, want ErrNotFound", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestUpdateRollsBack(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func() Store) {
		s := open()
		ctx := t.Context()
		boom := errors.New("boom")
		err := s.Update(ctx, func(tx Txn) error {
			tx.Put(Key{Scope: sc, Kind: "vpc", ID: "x"}, []byte("1"))
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Update err = %v", err)
		}
		s.View(ctx, func(tx Txn) error {
			if _, err := tx.Get(Key{Scope: sc, Kind: "vpc", ID: "x"}); !errors.Is(err, ErrNotFound) {
				t.Errorf("rolled-back object visible: %v", err)
			}
			return nil
		})
	})
}

func TestPersistsAcrossReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenSQLite(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Update(context.Background(), func(tx Txn) error { return tx.Put(Key{Scope: sc, Kind: "vpc", ID: "x"}, []byte("1")) })
	s.Close()
	s, err = OpenSQLite(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.SchemaVersion(); v != len(migrations) {
		t.Errorf("SchemaVersion = %d, want %d", v, len(migrations))
	}
	s.View(context.Background(), func(tx Txn) error {
		if b, err := tx.Get(Key{Scope: sc, Kind: "vpc", ID: "x"}); err != nil || string(b) != "1" {
			t.Errorf("Get after reopen = %q, %v", b, err)
		}
		return nil
	})
}

func TestUpdatesSerialize(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func() Store) {
		s := open()
		ctx := t.Context()
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := s.Update(ctx, func(tx Txn) error {
					b, err := tx.Get(Key{Scope: sc, Kind: "counter", ID: "n"})
					n := 0
					if err == nil {
						fmt.Sscan(string(b), &n)
					}
					return tx.Put(Key{Scope: sc, Kind: "counter", ID: "n"}, []byte(fmt.Sprint(n+1)))
				})
				if err != nil {
					t.Errorf("update %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		s.View(ctx, func(tx Txn) error {
			b, _ := tx.Get(Key{Scope: sc, Kind: "counter", ID: "n"})
			if string(b) != "20" {
				t.Errorf("counter = %s, want 20 (lost update)", b)
			}
			return nil
		})
	})
}

func TestReset(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func() Store) {
		s := open()
		ctx := t.Context()
		s.Update(ctx, func(tx Txn) error { return tx.Put(Key{Scope: sc, Kind: "vpc", ID: "x"}, []byte("1")) })
		if err := s.Reset(ctx); err != nil {
			t.Fatal(err)
		}
		s.View(ctx, func(tx Txn) error {
			if rs, _ := tx.List(sc, "vpc"); len(rs) != 0 {
				t.Errorf("after Reset List = %v", rs)
			}
			return nil
		})
	})
}

func TestListChildren(t *testing.T) {
	forEachStore(t, func(t *testing.T, open func() Store) {
		s := open()
		ctx := t.Context()
		s.Update(ctx, func(tx Txn) error {
			tx.Put(Key{Scope: sc, Kind: "eni", ID: "a", Parent: "subnet-1"}, []byte("1"))
			tx.Put(Key{Scope: sc, Kind: "eni", ID: "b", Parent: "subnet-2"}, []byte("2"))
			tx.Put(Key{Scope: sc, Kind: "eni", ID: "c", Parent: "subnet-1"}, []byte("3"))
			// Re-putting moves an object to its new parent.
			return tx.Put(Key{Scope: sc, Kind: "eni", ID: "b", Parent: "subnet-1"}, []byte("2"))
		})
		s.View(ctx, func(tx Txn) error {
			rs, err := tx.ListChildren(sc, "eni", "subnet-1")
			if err != nil || len(rs) != 3 {
				t.Errorf("ListChildren(subnet-1) = %v, %v; want a, b, c", rs, err)
			}
			rs, _ = tx.ListChildren(sc, "eni", "subnet-2")
			if len(rs) != 0 {
				t.Errorf("ListChildren(subnet-2) = %v, want none", rs)
			}
			return nil
		})
	})
}

// TestMigrateFromV1 opens a database written by schema version 1 and checks
// that versions 2 and 3 fill in the parents of existing interfaces,
// endpoints and security groups.
func TestMigrateFromV1(t *testing.T) {
	dir := t.TempDir()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, dbFileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{migrations[0], `PRAGMA user_version = 1`,
		`INSERT INTO objects VALUES ('1','us-east-1','network-interface','eni-1','{"id":"eni-1","subnet":"subnet-9","ips":[{"ip":"10.0.0.4"},{"ip":"10.0.0.9"}],"groups":[{"id":"sg-9"}]}')`,
		`INSERT INTO objects VALUES ('1','us-east-1','vpc-endpoint','vpce-1','{"id":"vpce-1","vpc":"vpc-9"}')`,
		`INSERT INTO objects VALUES ('1','us-east-1','vpc-endpoint','vpce-2','{"id":"vpce-2","vpc":"vpc-8","type":"Gateway"}')`,
		`INSERT INTO objects VALUES ('1','us-east-1','vpc-endpoint','vpce-3','{"id":"vpce-3","vpc":"vpc-9","type":"Gateway","deletedAt":"2026-01-01T00:00:00Z"}')`,
		`INSERT INTO objects VALUES ('1','us-east-1','vpc','vpc-9','{"id":"vpc-9","tags":[{"k":"Name","v":"prod"},{"k":"tëam","v":"a=b/c"}]}')`,
		`INSERT INTO objects VALUES ('1','us-east-1','security-group','sg-9','{"id":"sg-9","vpc":"vpc-9","name":"web","rules":[{"ref":{"id":"sg-9"}}]}')`,
		`INSERT INTO objects VALUES ('1','us-east-1','security-group','sg-8','{"id":"sg-8","vpc":"vpc-8","name":"db","rules":[{"ref":{"id":"sg-9"}}]}')`,
		`INSERT INTO objects VALUES ('1','us-east-1','subnet','subnet-9','{"id":"subnet-9","vpc":"vpc-9"}')`,
		`INSERT INTO objects VALUES ('1','us-east-1','route-table','rtb-9','{"id":"rtb-9","vpc":"vpc-9"}')`,
		`INSERT INTO objects VALUES ('1','us-east-1','network-acl','acl-9','{"id":"acl-9","vpc":"vpc-9"}')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	s, err := OpenSQLite(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := s.SchemaVersion(); v != len(migrations) {
		t.Fatalf("schema version = %d, want %d", v, len(migrations))
	}
	checkMigrated(t, s)
	s.Close()
	// The embedded store converts the directory: the same objects and
	// indexes, the database kept aside, and the conversion done once.
	for range 2 {
		m, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		checkMigrated(t, m)
		m.Close()
	}
	if kept, _ := filepath.Glob(filepath.Join(dir, dbFileName+".migrated-*")); len(kept) == 0 {
		t.Error("the converted database was not kept")
	}
	if _, err := os.Stat(filepath.Join(dir, dbFileName)); err == nil {
		t.Error("vpce.db is still in place after the conversion")
	}
}

func checkMigrated(t *testing.T, s Store) {
	t.Helper()
	one := Scope{Account: "1", Region: "us-east-1"}
	s.View(t.Context(), func(tx Txn) error {
		for kind, parent := range map[string]string{"network-interface": "subnet-9", "vpc-endpoint": "vpc-9", "security-group": "vpc-9", "subnet": "vpc-9", "route-table": "vpc-9", "network-acl": "vpc-9"} {
			if rs, err := tx.ListChildren(one, kind, parent); err != nil || len(rs) != 1 {
				t.Errorf("after migration ListChildren(%s, %s) = %v, %v", kind, parent, rs, err)
			}
		}
		if rs, err := tx.ListChildren(one, "address", "subnet-9"); err != nil || len(rs) != 2 || rs[0].ID != "subnet-9/10.0.0.4" {
			t.Errorf("after migration the addresses of subnet-9 = %v, %v", rs, err)
		}
		if rs, err := tx.ListChildren(one, "ref", "sg-9"); err != nil || len(rs) != 2 {
			t.Errorf("after migration the references to sg-9 = %v, %v, want eni-1 and sg-8 (not sg-9 itself)", rs, err)
		}
		if rs, err := tx.ListChildren(one, "tag", "vpc/4:Name=prod"); err != nil || len(rs) != 1 || string(rs[0].Data) != `{"id":"vpc-9"}` {
			t.Errorf("after migration the Name=prod tag index = %v, %v", rs, err)
		}
		if rs, err := tx.ListChildren(one, "tag", "vpc/4:tëam=a=b/c"); err != nil || len(rs) != 1 {
			t.Errorf("after migration a non-ASCII tag key's index = %v, %v (the length counts characters, as Go's side does)", rs, err)
		}
		if rs, err := tx.List(one, "gateway-endpoint"); err != nil || len(rs) != 1 || rs[0].ID != "vpce-2" {
			t.Errorf("after migration the live gateway endpoints = %v, %v, want vpce-2", rs, err)
		}
		if b, err := tx.Get(Key{Scope: one, Kind: "security-group-name", ID: "vpc-9/web"}); err != nil || string(b) != `{"id":"sg-9"}` {
			t.Errorf("after migration the name index of sg-9 = %s, %v", b, err)
		}
		return nil
	})
}
