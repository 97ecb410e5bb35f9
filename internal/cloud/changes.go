package cloud

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/vpce/vpce/internal/store"
)

// part is what changes are recorded by: a kind of object in a scope.
type part struct {
	sc   store.Scope
	kind string
}

// changes records, per kind of object in a scope, the generation of the
// last committed change that wrote one, so that a view built from a few
// (an account's snapshot reads its own scope's kinds, and the peerings,
// gateways and shares of the accounts joined to it) stays current while
// other accounts write. A change that names nothing (a reset, a commit of
// another process on a shared store) counts for everything.
type changes struct {
	// mu is held by a commit while it moves the generation and marks what
	// it wrote, and read-held by a build deciding what it can take from
	// an earlier one: a build never sees a generation without its marks.
	mu    sync.RWMutex
	parts sync.Map      // part → *atomic.Uint64
	all   atomic.Uint64 // generation of the last change of everything
	// enis are the interfaces the last commits wrote, per scope (under
	// mu): what a snapshot patches its interface views with.
	enis map[store.Scope]*interfaceLog
}

// interfaceLog is a scope's recent interface writes, oldest first.
type interfaceLog struct {
	entries []loggedWrite
	floor   uint64 // writes up to this generation may have been dropped
}

type loggedWrite struct {
	gen uint64
	id  string
}

// maxLoggedWrites bounds each scope's log; a snapshot older than what
// it holds is built whole.
const maxLoggedWrites = 4096

// logInterfaces records the interfaces a commit (generation g) wrote.
// The caller holds mu.
func (ch *changes) logInterfaces(keys []store.Key, g uint64) {
	for _, k := range keys {
		if ch.enis == nil {
			ch.enis = map[store.Scope]*interfaceLog{}
		}
		l := ch.enis[k.Scope]
		if l == nil {
			l = &interfaceLog{} // every write since the process started is logged
			ch.enis[k.Scope] = l
		}
		l.entries = append(l.entries, loggedWrite{g, k.ID})
		if n := len(l.entries); n > maxLoggedWrites {
			drop := n - maxLoggedWrites/2
			l.floor = l.entries[drop-1].gen
			l.entries = slices.Clone(l.entries[drop:])
		}
	}
}

// interfacesSince returns the IDs of the scope's interfaces written after
// generation g, and whether the log reaches back that far (ok false:
// unknown). The caller holds mu.
func (ch *changes) interfacesSince(sc store.Scope, g uint64) (ids []string, ok bool) {
	l := ch.enis[sc]
	if l == nil {
		return nil, true // none written since the process started
	}
	if g < l.floor {
		return nil, false
	}
	seen := map[string]bool{}
	for i := len(l.entries) - 1; i >= 0 && l.entries[i].gen > g && len(ids) <= maxPatch; i-- {
		if id := l.entries[i].id; !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids, true // more than maxPatch: stopped counting, built whole
}

// mark records that a change committed as generation g wrote p.
func (ch *changes) mark(p part, g uint64) {
	v, ok := ch.parts.Load(p)
	if !ok {
		v, _ = ch.parts.LoadOrStore(p, new(atomic.Uint64))
	}
	v.(*atomic.Uint64).Store(g)
}

// current reports whether none of deps changed after generation g.
func (ch *changes) current(deps []part, g uint64) bool {
	if ch.all.Load() > g {
		return false
	}
	for _, p := range deps {
		if v, ok := ch.parts.Load(p); ok && v.(*atomic.Uint64).Load() > g {
			return false
		}
	}
	return true
}

// readingTxn notes the kinds and scopes a read transaction reads.
type readingTxn struct {
	store.Txn
	mu   sync.Mutex
	deps []part
	any  bool // read a kind in every scope (ListKind)
}

func (t *readingTxn) note(sc store.Scope, kind string) {
	p := part{sc, kind}
	t.mu.Lock()
	if !slices.Contains(t.deps, p) {
		t.deps = append(t.deps, p)
	}
	t.mu.Unlock()
}

func (t *readingTxn) Get(k store.Key) ([]byte, error) {
	t.note(k.Scope, k.Kind)
	return t.Txn.Get(k)
}

func (t *readingTxn) List(sc store.Scope, kind string) ([]store.Record, error) {
	t.note(sc, kind)
	return t.Txn.List(sc, kind)
}

func (t *readingTxn) ListKind(kind string) ([]store.ScopedRecord, error) {
	t.mu.Lock()
	t.any = true
	t.mu.Unlock()
	return t.Txn.ListKind(kind)
}

func (t *readingTxn) ListChildren(sc store.Scope, kind, parent string) ([]store.Record, error) {
	t.note(sc, kind)
	return t.Txn.ListChildren(sc, kind, parent)
}

func (t *readingTxn) ListAfter(sc store.Scope, kind, after string, limit int) ([]store.Record, error) {
	t.note(sc, kind)
	return t.Txn.ListAfter(sc, kind, after, limit)
}

// dependencies are what a derived view was built from: the generation
// before its read began and the kinds it read (all: some in every scope).
type dependencies struct {
	gen   uint64
	parts []part
	all   bool
}

// current reports whether nothing the view read has changed since.
func (c *Cloud) current(d dependencies) bool {
	if g := c.gen.Load(); g == d.gen || d.all {
		return g == d.gen
	}
	return c.changes.current(d.parts, d.gen)
}

// viewRecording is viewWith, reporting what fn read; gen is the
// generation before the read began.
func (c *Cloud) viewRecording(ctx context.Context, sc Scope, init bool, gen uint64, fn func(*txn) error) (dependencies, error) {
	d := dependencies{gen: gen}
	var rec *readingTxn
	err := c.viewStore(ctx, sc, init, func(stx store.Txn) store.Txn {
		rec = &readingTxn{Txn: stx}
		return rec
	}, fn)
	if rec != nil {
		d.parts, d.all = rec.deps, rec.any
	}
	return d, err
}

// interfaceChanges reads, together with the generation now, what changed
// in sc since the view d was built: whether only logged interfaces could
// have changed what its interface views show (not everything: a reset;
// an Elastic IP written logs the interfaces it is shown on, before and
// after), the interfaces written (known false: the log does not reach
// back), and whether its security groups are unchanged.
func (c *Cloud) interfaceChanges(d dependencies, sc store.Scope) (gen uint64, logged bool, ids []string, known, groupsSame bool) {
	c.changes.mu.RLock()
	defer c.changes.mu.RUnlock()
	gen = c.gen.Load()
	logged = c.changes.current(nil, d.gen) // not everything changed (a reset)
	ids, known = c.changes.interfacesSince(sc, d.gen)
	groupsSame = c.changes.current([]part{{sc, kindSG}}, d.gen)
	return gen, logged, ids, known, groupsSame
}
