package cloud

import (
	"iter"
	"maps"
)

// InterfaceMap is a snapshot's interfaces by ID: a base map shared between
// snapshots and the changes since, so that a snapshot patched after a few
// interfaces changed does not copy an account's every interface. A nil
// map is empty. Snapshots never change one another's: a patch copies the
// changes (at most maxAddrDelta, then folded into a new base).
type InterfaceMap struct {
	base  map[string]*NetworkInterface
	delta map[string]*NetworkInterface // nil: the interface went
	n     int
}

// NewInterfaceMap returns the map of the given interfaces.
func NewInterfaceMap(enis []*NetworkInterface) *InterfaceMap {
	m := &InterfaceMap{base: make(map[string]*NetworkInterface, len(enis))}
	for _, e := range enis {
		m.base[e.NetworkInterfaceID] = e
	}
	m.n = len(m.base)
	return m
}

// Get returns the interface with the ID, or nil.
func (m *InterfaceMap) Get(id string) *NetworkInterface {
	if m == nil {
		return nil
	}
	if e, ok := m.delta[id]; ok {
		return e
	}
	return m.base[id]
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
	return func(yield func(string, *NetworkInterface) bool) {
		if m == nil {
			return
		}
		for id, e := range m.base {
			if _, changed := m.delta[id]; changed {
				continue
			}
			if !yield(id, e) {
				return
			}
		}
		for id, e := range m.delta {
			if e != nil && !yield(id, e) {
				return
			}
		}
	}
}

// edit returns a copy of m to change: the base shared, the changes copied.
func (m *InterfaceMap) edit() *InterfaceMap {
	if m == nil {
		return &InterfaceMap{}
	}
	return &InterfaceMap{base: m.base, delta: maps.Clone(m.delta), n: m.n}
}

// set puts (e non-nil) or removes the interface id; only on a map from edit.
func (m *InterfaceMap) set(id string, e *NetworkInterface) {
	had := m.Get(id) != nil
	if _, inBase := m.base[id]; !inBase && e == nil {
		delete(m.delta, id)
	} else {
		if m.delta == nil {
			m.delta = map[string]*NetworkInterface{}
		}
		m.delta[id] = e
	}
	switch {
	case had && e == nil:
		m.n--
	case !had && e != nil:
		m.n++
	}
}

// fold makes the changes a new base once there are more than maxAddrDelta.
func (m *InterfaceMap) fold() {
	if len(m.delta) <= maxAddrDelta {
		return
	}
	base := make(map[string]*NetworkInterface, m.n)
	for id, e := range m.All() {
		base[id] = e
	}
	m.base, m.delta = base, nil
}
