package store

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

func put(t *testing.T, s *SQLite, id string, data []byte) error {
	t.Helper()
	return s.Update(t.Context(), func(tx Txn) error {
		return tx.Put(Key{Scope: Scope{Account: "a", Region: "r"}, Kind: "k", ID: id}, data)
	})
}

// TestDirectoryLock: a second store on one directory is refused and names
// the holder; closing the first frees it.
func TestDirectoryLock(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenSQLite(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(dir)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "process ") {
		t.Fatalf("second Open = %v, want ErrLocked naming the holder", err)
	}
	s.Close()
	s2, err := Open(dir)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	s2.Close()
}

// TestUntrustedFiles: an empty database file, or a WAL without its
// database, is refused rather than silently starting empty; Init starts
// over and keeps the old files.
func TestUntrustedFiles(t *testing.T) {
	t.Run("empty-db", func(t *testing.T) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, dbFileName), nil, 0o600)
		if _, err := OpenSQLite(dir, Options{}); !errors.Is(err, ErrUntrusted) {
			t.Fatalf("Open over an empty vpce.db = %v", err)
		}
		s, err := OpenSQLite(dir, Options{Init: true})
		if err != nil {
			t.Fatalf("Init: %v", err)
		}
		s.Close()
		kept, _ := filepath.Glob(filepath.Join(dir, dbFileName+".broken-*"))
		if len(kept) != 1 {
			t.Errorf("the old file was not kept: %v", kept)
		}
	})
	t.Run("orphaned-wal", func(t *testing.T) {
		dir := t.TempDir()
		s, err := OpenSQLite(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := put(t, s, "x", []byte("committed")); err != nil {
			t.Fatal(err)
		}
		// Copy the database's WAL as a crash leaves it, then lose the
		// database file.
		wal, _ := os.ReadFile(filepath.Join(dir, dbFileName+"-wal"))
		s.Close()
		if len(wal) == 0 {
			wal = []byte("a WAL that holds committed pages")
		}
		os.Remove(filepath.Join(dir, dbFileName))
		os.WriteFile(filepath.Join(dir, dbFileName+"-wal"), wal, 0o600)
		if _, err := OpenSQLite(dir, Options{}); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "write-ahead log") {
			t.Fatalf("Open with an orphaned WAL = %v", err)
		}
	})
}

// TestCorruptDatabaseRefused: a database whose pages are damaged is refused
// at start (quick_check) instead of answering errors to every request.
func TestCorruptDatabaseRefused(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenSQLite(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		if err := put(t, s, string(rune('a'+i%26))+strings.Repeat("x", i), bytes.Repeat([]byte("data"), 200)); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	path := filepath.Join(dir, dbFileName)
	b, _ := os.ReadFile(path)
	if len(b) < 3*4096 {
		t.Fatalf("database of %d bytes, want several pages", len(b))
	}
	if _, err := os.Stat(path + "-wal"); err == nil {
		t.Log("the WAL outlived Close")
	}
	for off := 4096; off+4096 <= len(b); off += 4096 {
		copy(b[off+8:], bytes.Repeat([]byte{0xA5}, 64)) // damage every page's cells
	}
	os.WriteFile(path, b, 0o600)
	s, err = OpenSQLite(dir, Options{})
	if err == nil {
		s.Close()
		t.Fatal("a corrupt database was opened")
	}
	if !strings.Contains(err.Error(), "corrupt") && !strings.Contains(err.Error(), "malformed") {
		t.Errorf("Open of a corrupt database = %v, want it to say so", err)
	}
}

// TestDiskFullAndReadOnly: writes that fail for want of space or
// permission say so (ErrDiskFull, ErrReadOnly), and Health reports it until
// a write succeeds.
func TestDiskFullAndReadOnly(t *testing.T) {
	s, err := OpenSQLite(t.TempDir(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	var pages int
	s.w.QueryRow(`PRAGMA page_count`).Scan(&pages)
	// SQLite's page limit stands in for a full disk: the same SQLITE_FULL.
	if _, err := s.w.Exec(`PRAGMA max_page_count = ` + itoa(pages)); err != nil {
		t.Fatal(err)
	}
	err = put(t, s, "big", bytes.Repeat([]byte("x"), 1<<20))
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("write to a full store = %v, want ErrDiskFull", err)
	}
	if h := s.Health(ctx); !errors.Is(h, ErrDiskFull) {
		t.Errorf("Health after a full disk = %v", h)
	}
	s.w.Exec(`PRAGMA max_page_count = 1073741823`)
	if err := put(t, s, "small", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if h := s.Health(ctx); h != nil {
		t.Errorf("Health after a good write = %v", h)
	}
	s.w.Exec(`PRAGMA query_only = 1`)
	if err := put(t, s, "ro", []byte("x")); !errors.Is(err, ErrReadOnly) {
		t.Errorf("write to a read-only store = %v, want ErrReadOnly", err)
	}
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// TestGroupCommit: concurrent updates share commits; one that fails leaves
// no trace while the others in its batch stand; every one is durable when
// Update returns (reopened, all are there).
func TestGroupCommit(t *testing.T) {
	dir := t.TempDir()
	s, err := OpenSQLite(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 200
	errs := make(chan error, n)
	for i := range n {
		go func() {
			errs <- s.Update(t.Context(), func(tx Txn) error {
				if err := tx.Put(Key{Scope: Scope{Account: "a", Region: "r"}, Kind: "k", ID: itoa(i + 1)}, []byte("v")); err != nil {
					return err
				}
				if i%10 == 0 {
					return errors.New("refused") // undone: its Put must not land
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
	batches := s.batches.Load()
	s.Close()
	if failed != n/10 {
		t.Errorf("%d updates failed, want %d", failed, n/10)
	}
	if batches >= n {
		t.Errorf("%d transactions for %d concurrent updates: no group commit", batches, n)
	}
	s, err = OpenSQLite(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.View(t.Context(), func(tx Txn) error {
		rs, err := tx.List(Scope{Account: "a", Region: "r"}, "k")
		if err != nil || len(rs) != n-n/10 {
			t.Errorf("after reopening: %d objects (%v), want %d", len(rs), err, n-n/10)
		}
		return nil
	})
}

// BenchmarkDurableWrites: small durable updates from parallel writers
// (go test -run='^$' -bench=DurableWrites -cpu=1,4,16 ./internal/store).
func BenchmarkDurableWrites(b *testing.B) {
	s, err := OpenSQLite(b.TempDir(), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	var n atomic.Int64
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			id := itoa(int(n.Add(1)))
			if err := s.Update(context.Background(), func(tx Txn) error {
				return tx.Put(Key{Scope: Scope{Account: "a", Region: "r"}, Kind: "k", ID: id}, []byte(`{"id":"x"}`))
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
