package floor

import (
	"sync"
	"testing"
)

// TestWrite: writes are appended and return once flushed, from many
// writers at once; reads are not written.
func TestWrite(t *testing.T) {
	logSize = 1 << 20
	g, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := g.Write("DescribeVpcs", "Action=DescribeVpcs"); err != nil || g.off != 0 {
		t.Fatalf("a read: %v, %d bytes written", err, g.off)
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			if err := g.Write("CreateVpc", "Action=CreateVpc"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if want := int64(20 * len("16 Action=CreateVpc\n")); g.off != want {
		t.Errorf("%d bytes written, want %d", g.off, want)
	}
	b := make([]byte, 20)
	if _, err := g.f.ReadAt(b, 0); err != nil || string(b) != "16 Action=CreateVpc\n" {
		t.Errorf("first record %q, %v", b, err)
	}
}
