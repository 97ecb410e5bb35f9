package server

import "testing"

// TestGCPercent: a small heap gets room to grow (GOGC 400), a heap of the
// headroom or more the default 100, and the step between is continuous.
func TestGCPercent(t *testing.T) {
	for _, tc := range []struct {
		live uint64
		want int
	}{{0, 400}, {8 << 20, 400}, {32 << 20, 400}, {64 << 20, 200}, {128 << 20, 100}, {4 << 30, 100}} {
		if got := gcPercent(tc.live); got != tc.want {
			t.Errorf("live %d MiB: GOGC %d, want %d", tc.live>>20, got, tc.want)
		}
	}
}
