package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
)

func openLogStore(t testing.TB, dir string, opts Options) *Memory {
	t.Helper()
	m, err := OpenWith(dir, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func putN(t testing.TB, m Store, from, to int) {
	t.Helper()
	for i := from; i < to; i++ {
		if err := m.Update(t.Context(), func(tx Txn) error {
			return tx.Put(Key{Scope: sc, Kind: "vpc", ID: fmt.Sprintf("vpc-%04d", i)}, fmt.Appendf(nil, `{"n":%d}`, i))
		}); err != nil {
			t.Fatal(err)
		}
	}
}

func count(t testing.TB, m Store) int {
	var n int
	m.View(t.Context(), func(tx Txn) error { rs, _ := tx.List(sc, "vpc"); n = len(rs); return nil })
	return n
}

func lastSegment(t *testing.T, dir string) string {
	segs, _ := filepath.Glob(filepath.Join(dir, "vpce-*.log"))
	if len(segs) == 0 {
		t.Fatal("no log segment")
	}
	return segs[len(segs)-1]
}

// TestLogTornTail: a record cut short by a crash at the end of the last
// segment was never acknowledged: it is cut off and what came before
// stays; the store goes on writing after it.
func TestLogTornTail(t *testing.T) {
	dir := t.TempDir()
	m := openLogStore(t, dir, Options{})
	putN(t, m, 0, 10)
	m.Close()
	seg := lastSegment(t, dir)
	full := appendRecord(nil, encodeChanges([]Change{{Key: Key{Scope: sc, Kind: "vpc", ID: "vpc-torn"}, Data: []byte("{}")}}))
	for _, cut := range []int{3, 8, len(full) - 1} {
		f, _ := os.OpenFile(seg, os.O_WRONLY|os.O_APPEND, 0)
		f.Write(full[:cut])
		f.Close()
		m = openLogStore(t, dir, Options{})
		if n := count(t, m); n != 10 {
			t.Fatalf("cut at %d: %d objects after reopening, want 10", cut, n)
		}
		putN(t, m, 10, 11)
		m.Close()
		m = openLogStore(t, dir, Options{})
		if n := count(t, m); n != 11 {
			t.Fatalf("cut at %d: %d objects after a write past the torn record, want 11", cut, n)
		}
		m.Update(t.Context(), func(tx Txn) error { return tx.Delete(Key{Scope: sc, Kind: "vpc", ID: "vpc-0010"}) })
		m.Close()
		seg = lastSegment(t, dir)
	}
}

// TestLogDamageRefused: damage before the end (a flipped byte in a record
// followed by others) is refused, naming the file; Init keeps the files
// aside and starts empty.
func TestLogDamageRefused(t *testing.T) {
	dir := t.TempDir()
	m := openLogStore(t, dir, Options{})
	putN(t, m, 0, 5)
	m.Close()
	seg := lastSegment(t, dir)
	b, _ := os.ReadFile(seg)
	b[len(logMagic)+12] ^= 0xFF // inside the first record's payload
	os.WriteFile(seg, b, 0o600)
	_, err := OpenWith(dir, Options{})
	if !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), filepath.Base(seg)) || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("Open over a damaged log = %v, want ErrUntrusted naming the file and the checksum", err)
	}
	m = openLogStore(t, dir, Options{Init: true})
	if n := count(t, m); n != 0 {
		t.Errorf("Init: %d objects, want an empty store", n)
	}
	putN(t, m, 0, 1)
	m.Close()
	if kept, _ := filepath.Glob(filepath.Join(dir, "*.broken-*")); len(kept) == 0 {
		t.Error("Init did not keep the damaged files")
	}
	m = openLogStore(t, dir, Options{})
	defer m.Close()
	if n := count(t, m); n != 1 {
		t.Errorf("after Init and a write: %d objects, want 1", n)
	}
}

// TestLogDiskFull: an append that fails for want of space says so
// (ErrDiskFull), leaves no trace in memory or on disk, and Health reports
// it until a write succeeds.
func TestLogDiskFull(t *testing.T) {
	dir := t.TempDir()
	m := openLogStore(t, dir, Options{})
	l := m.Durable().(*Log)
	putN(t, m, 0, 2)
	l.mu.Lock()
	l.fault = func() error { return syscall.ENOSPC }
	l.mu.Unlock()
	err := m.Update(t.Context(), func(tx Txn) error { return tx.Put(Key{Scope: sc, Kind: "vpc", ID: "full"}, []byte("{}")) })
	if !errors.Is(err, ErrDiskFull) {
		t.Fatalf("write to a full disk = %v, want ErrDiskFull", err)
	}
	if h := l.Health(t.Context()); !errors.Is(h, ErrDiskFull) {
		t.Errorf("Health after a full disk = %v", h)
	}
	if n := count(t, m); n != 2 {
		t.Errorf("%d objects visible after the failed write, want 2", n)
	}
	l.mu.Lock()
	l.fault = func() error { return syscall.EROFS }
	l.mu.Unlock()
	if err := m.Update(t.Context(), func(tx Txn) error { return tx.Put(Key{Scope: sc, Kind: "vpc", ID: "ro"}, []byte("{}")) }); !errors.Is(err, ErrReadOnly) {
		t.Errorf("write to a read-only disk = %v, want ErrReadOnly", err)
	}
	l.mu.Lock()
	l.fault = nil
	l.mu.Unlock()
	putN(t, m, 2, 3)
	if h := l.Health(t.Context()); h != nil {
		t.Errorf("Health after a good write = %v", h)
	}
	m.Close()
	m = openLogStore(t, dir, Options{})
	defer m.Close()
	if n := count(t, m); n != 3 {
		t.Errorf("%d objects after reopening, want 3", n)
	}
}

// TestLogReset: a reset is durable (an empty snapshot), and writes after it
// are kept.
func TestLogReset(t *testing.T) {
	dir := t.TempDir()
	m := openLogStore(t, dir, Options{})
	putN(t, m, 0, 5)
	if err := m.Reset(t.Context()); err != nil {
		t.Fatal(err)
	}
	putN(t, m, 5, 7)
	m.Close()
	m = openLogStore(t, dir, Options{})
	defer m.Close()
	if n := count(t, m); n != 2 {
		t.Errorf("%d objects after reset, two writes and reopening, want 2", n)
	}
}

// FuzzLoadSegment: whatever bytes a segment holds, opening never panics:
// it loads, cuts a torn tail, or refuses with ErrUntrusted.
func FuzzLoadSegment(f *testing.F) {
	rec := appendRecord(nil, encodeChanges([]Change{
		{Key: Key{Scope: sc, Kind: "vpc", ID: "vpc-1", Parent: "p"}, Data: []byte(`{"id":"vpc-1"}`)},
		{Key: Key{Scope: sc, Kind: "vpc", ID: "vpc-2"}},
	}))
	f.Add(append([]byte(logMagic), rec...))
	f.Add(append([]byte(logMagic), rec[:len(rec)-2]...))
	f.Add([]byte(logMagic + "\xff\xff\xff\xff\x00\x00\x00\x00"))
	f.Add([]byte("VPCE"))
	zeros := make([]byte, 64)
	f.Add(append(append([]byte(logMagic), rec...), zeros...))
	f.Add(append(append([]byte(logMagic), rec[:len(rec)-5]...), zeros...))
	f.Add(append(append(append([]byte(logMagic), zeros...), rec...), zeros...))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "vpce-000000000001.log"), data, 0o600)
		m, err := Open(dir)
		if err != nil {
			if !errors.Is(err, ErrUntrusted) {
				t.Fatalf("Open = %v, want success or ErrUntrusted", err)
			}
			return
		}
		m.Close()
	})
}

// TestPipelineFailure: while batches are run ahead of their commits, one
// commit fails. Every update that was answered with success is in memory
// and on disk, every one that failed is in neither — including those run
// on top of the failed batch.
func TestPipelineFailure(t *testing.T) {
	dir := t.TempDir()
	m := openLogStore(t, dir, Options{})
	l := m.Durable().(*Log)
	var calls atomic.Int64
	l.mu.Lock()
	l.fault = func() error {
		if n := calls.Add(1); n%7 == 3 {
			return syscall.ENOSPC
		}
		return nil
	}
	l.mu.Unlock()
	const n = 400
	results := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = m.Update(t.Context(), func(tx Txn) error {
				// Each update reads what came before: a lost base would show.
				rs, _ := tx.List(sc, "vpc")
				return tx.Put(Key{Scope: sc, Kind: "vpc", ID: fmt.Sprintf("vpc-%04d", i)}, fmt.Appendf(nil, `{"seen":%d}`, len(rs)))
			})
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range results {
		if err == nil {
			ok++
		} else if !errors.Is(err, ErrDiskFull) {
			t.Fatalf("unexpected error %v", err)
		}
	}
	if ok == 0 || ok == n {
		t.Fatalf("%d of %d updates succeeded; want some of each", ok, n)
	}
	check := func(s Store, when string) {
		s.View(t.Context(), func(tx Txn) error {
			for i, err := range results {
				_, gerr := tx.Get(Key{Scope: sc, Kind: "vpc", ID: fmt.Sprintf("vpc-%04d", i)})
				if (err == nil) != (gerr == nil) {
					t.Errorf("%s: update %d answered %v, object present: %v", when, i, err, gerr == nil)
				}
			}
			return nil
		})
	}
	check(m, "in memory")
	m.Close()
	m = openLogStore(t, dir, Options{})
	defer m.Close()
	check(m, "reopened")
}

// TestNoSyncSurvivesKill: without fsync, an answered write is in the log
// file already (the kernel has it), so a process killed right after the
// answer loses nothing: a copy of the directory taken at that moment, as
// a restart after kill -9 would find it, holds every answered write.
func TestNoSyncSurvivesKill(t *testing.T) {
	dir := t.TempDir()
	m := openLogStore(t, dir, Options{NoSync: true})
	defer m.Close()
	putN(t, m, 0, 50)
	snap := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(dir, "vpce-*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(snap, filepath.Base(f)), b, 0o600)
	}
	c := openLogStore(t, snap, Options{})
	defer c.Close()
	if n := count(t, c); n != 50 {
		t.Errorf("the directory as a kill leaves it holds %d of 50 answered writes", n)
	}
}

// TestLogReopensItsSegment: a restart goes on appending to the last
// segment rather than starting a file per start.
func TestLogReopensItsSegment(t *testing.T) {
	dir := t.TempDir()
	for i := range 3 {
		m := openLogStore(t, dir, Options{})
		putN(t, m, i, i+1)
		m.Close()
	}
	segs, _ := filepath.Glob(filepath.Join(dir, "vpce-*.log"))
	m := openLogStore(t, dir, Options{})
	defer m.Close()
	if len(segs) != 1 || count(t, m) != 3 {
		t.Errorf("after three runs: segments %v, %d objects; want one segment, 3 objects", segs, count(t, m))
	}
}

// copyDir copies the store's files as a kill -9 at this moment would leave
// them (the kernel has every write).
func copyDir(t *testing.T, dir string) string {
	t.Helper()
	to := t.TempDir()
	files, _ := filepath.Glob(filepath.Join(dir, "vpce-*"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(to, filepath.Base(f)), b, 0o600)
	}
	return to
}

// TestLogZerosAhead: a segment is written ahead with zeros and records
// overwrite them. A crash leaves the zeros: the records before them load,
// a record half written over them is cut off as a torn tail, and data
// after them is damage. A clean close cuts the zeros off.
func TestLogZerosAhead(t *testing.T) {
	defer func(v int64) { preallocChunk = v }(preallocChunk)
	preallocChunk = 4 << 10
	dir := t.TempDir()
	m := openLogStore(t, dir, Options{})
	putN(t, m, 0, 20)
	l := m.Durable().(*Log)
	l.mu.Lock()
	end, alloc, seg := l.size, l.alloc, l.segPath(l.seg)
	l.mu.Unlock()
	if alloc <= end || alloc%preallocChunk != int64(len(logMagic))%preallocChunk {
		t.Fatalf("records end at %d, file written to %d: want zeros ahead in chunks of %d", end, alloc, preallocChunk)
	}
	if fi, _ := os.Stat(seg); fi.Size() != alloc {
		t.Fatalf("segment is %d bytes, want %d", fi.Size(), alloc)
	}

	crashed := copyDir(t, dir)
	c := openLogStore(t, crashed, Options{})
	if n := count(t, c); n != 20 {
		t.Errorf("after a crash with zeros ahead: %d objects, want 20", n)
	}
	putN(t, c, 20, 21)
	c.Close()
	c = openLogStore(t, crashed, Options{})
	if n := count(t, c); n != 21 {
		t.Errorf("a write after reopening a crashed segment: %d objects, want 21", n)
	}
	c.Close()

	full := appendRecord(nil, encodeChanges([]Change{{Key: Key{Scope: sc, Kind: "vpc", ID: "vpc-torn"}, Data: []byte("{}")}}))
	for _, cut := range []int{3, 8, 12, len(full) - 1} {
		torn := copyDir(t, dir)
		f, _ := os.OpenFile(filepath.Join(torn, filepath.Base(seg)), os.O_WRONLY, 0)
		f.WriteAt(full[:cut], end)
		f.Close()
		c := openLogStore(t, torn, Options{})
		if n := count(t, c); n != 20 {
			t.Errorf("record cut at %d over the zeros: %d objects, want 20", cut, n)
		}
		c.Close()
	}

	damagedCopy := copyDir(t, dir)
	f, _ := os.OpenFile(filepath.Join(damagedCopy, filepath.Base(seg)), os.O_WRONLY, 0)
	f.WriteAt([]byte{1}, alloc-1)
	f.Close()
	if _, err := OpenWith(damagedCopy, Options{}); !errors.Is(err, ErrUntrusted) || !strings.Contains(err.Error(), "after the end of the records") {
		t.Errorf("a byte after the zeros = %v, want ErrUntrusted", err)
	}

	m.Close()
	if fi, _ := os.Stat(seg); fi.Size() != end {
		t.Errorf("after a clean close the segment is %d bytes, want %d (its records)", fi.Size(), end)
	}
}

// TestEncodeRecord: a commit's record is built in one allocation of
// exactly its size, and holds the same bytes as the record built in steps
// (which replay reads back): puts, deletes, empty data, lengths that take
// more than one uvarint byte.
func TestEncodeRecord(t *testing.T) {
	long := strings.Repeat("x", 300)
	cases := [][]Change{
		{{Key: Key{Scope: sc, Kind: "vpc", ID: "vpc-1", Parent: "p"}, Data: []byte(`{"a":1}`)}},
		{{Key: Key{Scope: sc, Kind: "vpc", ID: "vpc-1"}}}, // a delete
		{{Key: Key{Scope: sc, Kind: "k", ID: "e"}, Data: []byte{}}},
		{{Key: Key{Scope: Scope{Account: long, Region: ""}, Kind: long, ID: long, Parent: long}, Data: []byte(strings.Repeat("d", 20000))},
			{Key: Key{Scope: sc, Kind: "sg", ID: "sg-1"}}},
		make([]Change, 200), // 200 deletes of empty keys: a count of two bytes
	}
	for i, changes := range cases {
		got := encodeRecord(changes)
		if want := appendRecord(nil, encodeChanges(changes)); !bytes.Equal(got, want) {
			t.Errorf("case %d: record differs from the one built in steps", i)
		}
		if cap(got) != len(got) {
			t.Errorf("case %d: record of %d bytes in a buffer of %d: its size was computed wrong", i, len(got), cap(got))
		}
		if n := testing.AllocsPerRun(10, func() { encodeRecord(changes) }); n != 1 {
			t.Errorf("case %d: %v allocations, want 1", i, n)
		}
		var back []Change
		if err := decodeChanges(got[8:], func(c Change) error { back = append(back, c); return nil }); err != nil || len(back) != len(changes) {
			t.Errorf("case %d: read back %d changes, %v", i, len(back), err)
		}
	}
}
