//go:build linux && (amd64 || arm64)

package store

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestAIOSync: the log's syncs go through Linux AIO on this platform —
// a file syncs, concurrent callers each get their own answer, and a
// descriptor that cannot be synced (a pipe) fails as fdatasync fails.
func TestAIOSync(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "seg"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	a := &aio{}
	if err, ok := a.sync(f); !ok || err != nil {
		t.Fatalf("AIO sync of a file: %v (taken: %v); this kernel has AIO (Linux 4.18+)", err, ok)
	}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 50 {
				if _, err := f.WriteAt([]byte{byte(i), byte(j)}, int64(i*100+j*2)); err != nil {
					t.Error(err)
					return
				}
				if err, ok := a.sync(f); !ok || err != nil {
					t.Errorf("sync %d/%d: %v (taken: %v)", i, j, err, ok)
					return
				}
			}
		})
	}
	wg.Wait()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if err := datasync(w); err == nil {
		t.Fatal("a pipe synced")
	}
	if err := datasync(f); err != nil {
		t.Fatalf("after the pipe: %v", err)
	}
}
