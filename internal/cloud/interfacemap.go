package cloud

import (
	"iter"
	"maps"
	"net/netip"
)

// layered maps keys to interfaces as a base shared between snapshots plus
// the changes since, so that a snapshot patched after a few interfaces
// changed does not copy a large map. A nil layered is empty. Snapshots
// never change one another's: a patch edits a copy (edit), which copies
// the changes only (at most maxLayerDelta, then folded into a new base).
type layered[K comparable] struct {
	base  map[K]*NetworkInterface
	delta map[K]*NetworkInterface // nil: the key went
	n     int
}

// maxLayerDelta is the most changes a layered map keeps apart from its
// base before they are folded into a new base (a variable for tests).
var maxLayerDelta = 4096

func newLayered[K comparable](base map[K]*NetworkInterface) *layered[K] {
	return &layered[K]{base: base, n: len(base)}
}

// get returns the interface at k, or nil.
func (m *layered[K]) get(k K) *NetworkInterface {
	if m == nil {
		return nil
	}
	if e, ok := m.delta[k]; ok {
		return e
	}
	return m.base[k]
}

// all yields every key and interface, in no order.
func (m *layered[K]) all() iter.Seq2[K, *NetworkInterface] {
	return func(yield func(K, *NetworkInterface) bool) {
		if m == nil {
			return
		}
		for k, e := range m.base {
			if _, changed := m.delta[k]; changed {
				continue
			}
			if !yield(k, e) {
				return
			}
		}
		for k, e := range m.delta {
			if e != nil && !yield(k, e) {
				return
			}
		}
	}
}

// edit returns a copy of m to change: the base shared, the changes copied.
func (m *layered[K]) edit() *layered[K] {
	if m == nil {
		return &layered[K]{}
	}
	return &layered[K]{base: m.base, delta: maps.Clone(m.delta), n: m.n}
}

// set puts (e non-nil) or removes k; only on a map from edit.
func (m *layered[K]) set(k K, e *NetworkInterface) {
	had := m.get(k) != nil
	if _, inBase := m.base[k]; !inBase && e == nil {
		delete(m.delta, k)
	} else {
		if m.delta == nil {
			m.delta = map[K]*NetworkInterface{}
		}
		m.delta[k] = e
	}
	switch {
	case had && e == nil:
		m.n--
	case !had && e != nil:
		m.n++
	}
}

// fold makes the changes a new base once there are more than maxLayerDelta.
func (m *layered[K]) fold() {
	if len(m.delta) <= maxLayerDelta {
		return
	}
	m.base, m.delta = maps.Collect(m.all()), nil
}

// InterfaceMap is a snapshot's interfaces by ID, layered (a base shared
// between snapshots plus the changes since). A nil map is empty.
type InterfaceMap struct{ layered[string] }

// NewInterfaceMap returns the map of the given interfaces.
func NewInterfaceMap(enis []*NetworkInterface) *InterfaceMap {
	base := make(map[string]*NetworkInterface, len(enis))
	for _, e := range enis {
		base[e.NetworkInterfaceID] = e
	}
	return &InterfaceMap{*newLayered(base)}
}

// Get returns the interface with the ID, or nil.
func (m *InterfaceMap) Get(id string) *NetworkInterface {
	if m == nil {
		return nil
	}
	return m.get(id)
}

// Len returns the number of interfaces.
func (m *InterfaceMap) Len() int {
	if m == nil {
		return 0
	}
	return m.n
}

// All yields every interface by ID, in no order.
func (m *InterfaceMap) All() iter.Seq2[string, *NetworkInterface] {
	if m == nil {
		return func(func(string, *NetworkInterface) bool) {}
	}
	return m.all()
}

// edit returns a copy of m to change (see layered.edit).
func (m *InterfaceMap) edit() *InterfaceMap {
	if m == nil {
		return &InterfaceMap{}
	}
	return &InterfaceMap{*m.layered.edit()}
}

// addrIndex maps a VPC's addresses to the interfaces holding them, layered.
type addrIndex = layered[netip.Addr]
