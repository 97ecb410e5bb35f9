package cloud

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"
)

// TestInterfaceMap: random puts and removals on edited copies match a
// plain map at every step, with and without folds, and an edit never
// changes the map it was made from.
func TestInterfaceMap(t *testing.T) {
	defer func(v int) { maxLayerDelta = v }(maxLayerDelta)
	for _, fold := range []int{4096, 5} {
		maxLayerDelta = fold
		rng := rand.New(rand.NewPCG(1, uint64(fold)))
		var start []*NetworkInterface
		want := map[string]*NetworkInterface{}
		for i := range 50 {
			e := &NetworkInterface{NetworkInterfaceID: fmt.Sprint("eni-", i)}
			start = append(start, e)
			want[e.NetworkInterfaceID] = e
		}
		m := NewInterfaceMap(start)
		for step := range 500 {
			before, beforeWant := m, maps.Clone(want)
			m = m.edit()
			for range 1 + rng.IntN(3) {
				id := fmt.Sprint("eni-", rng.IntN(80))
				if rng.IntN(3) == 0 {
					m.set(id, nil)
					delete(want, id)
				} else {
					e := &NetworkInterface{NetworkInterfaceID: id, Description: fmt.Sprint(step)}
					m.set(id, e)
					want[id] = e
				}
			}
			m.fold()
			for _, c := range []struct {
				m    *InterfaceMap
				want map[string]*NetworkInterface
			}{{m, want}, {before, beforeWant}} {
				if c.m.Len() != len(c.want) {
					t.Fatalf("fold %d step %d: Len %d, want %d", fold, step, c.m.Len(), len(c.want))
				}
				if got := maps.Collect(c.m.All()); !maps.Equal(got, c.want) {
					t.Fatalf("fold %d step %d: All() = %d interfaces, want %d", fold, step, len(got), len(c.want))
				}
				for i := range 80 {
					id := fmt.Sprint("eni-", i)
					if c.m.Get(id) != c.want[id] {
						t.Fatalf("fold %d step %d: Get(%s) = %v, want %v", fold, step, id, c.m.Get(id), c.want[id])
					}
				}
			}
		}
	}
	var none *InterfaceMap
	if none.Len() != 0 || none.Get("eni-1") != nil {
		t.Error("a nil map is not empty")
	}
}
