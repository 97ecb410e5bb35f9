package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/btree"
)

// Change is one committed write: Data is the object's new content, nil for
// a deletion.
type Change struct {
	Key  Key
	Data []byte
}

// Durable is the durable half of a [Memory] store: where committed changes
// go, and where the state is read back from at start.
type Durable interface {
	// Load calls fn with the stored state, as changes applied in order to
	// an empty state (a store that keeps objects: one put per object),
	// and returns the log position the state reflects.
	Load(ctx context.Context, fn func(Change) error) (pos uint64, err error)
	// Begin starts a durable write after position pos. It returns the
	// changes others committed since pos (a shared store; nil for a store
	// of one process), which the caller applies before its own, and holds
	// what makes writers exclusive until the write ends. ErrBehind says
	// pos is older than the log keeps: reload.
	Begin(ctx context.Context, pos uint64) (Write, []LogEntry, error)
	// Reset deletes every object, durably (in a shared store, as an entry
	// of the log that tells the others).
	Reset(ctx context.Context) error
	// Close releases the store.
	Close() error
}

// Write is a durable write begun with [Durable.Begin].
type Write interface {
	// Commit makes the changes durable in one transaction and returns the
	// new log position; an empty list only ends the write.
	Commit(changes []Change) (pos uint64, err error)
	// Abort ends the write without changes.
	Abort()
}

// LogEntry is one committed transaction of a shared store's log.
type LogEntry struct {
	Pos     uint64
	Reset   bool // every object was deleted before Changes
	Changes []Change
}

// Follower is a [Durable] shared with other processes: it reports when they
// commit, and what they committed.
type Follower interface {
	// Notify returns a channel that receives a value when another
	// process may have committed.
	Notify() <-chan struct{}
	// Since returns the log entries after pos (ErrBehind when the log no
	// longer holds them).
	Since(ctx context.Context, pos uint64) ([]LogEntry, error)
}

// Compacter is a [Durable] whose log is compacted into snapshots of the
// state, which the memory store provides.
type Compacter interface {
	// NeedsCompaction reports that the log has grown enough.
	NeedsCompaction() bool
	// Rotate starts a new log segment and returns the function that
	// writes the state as of the rotation, given as its objects.
	Rotate() (func(objects func(yield func(Change) bool)) error, error)
}

// ErrBehind is returned by a shared store whose log no longer holds the
// changes after a position: the reader must load the whole state again.
var ErrBehind = errors.New("store: the log no longer holds the changes after this position")

// Memory keeps every object in memory, indexed by key, by parent and by
// kind, over a [Durable] store. Readers read an immutable snapshot without
// locks and never see half a transaction; writers queue for one goroutine,
// which runs a batch of updates against a copy-on-write copy, makes the
// batch durable with one commit, publishes the new snapshot and only then
// answers the callers.
type Memory struct {
	d    Durable
	snap atomic.Pointer[snapshot]

	writes     chan *memReq
	closed     chan struct{}
	writerDone chan struct{}
	closeOnce  sync.Once

	// master is the writer's own tree set: published snapshots are clones.
	master  *trees
	pos     uint64
	remote  atomic.Pointer[func(changes []RemoteChange)]
	batches atomic.Int64
	// onCommit, when set, hears of every commit of updates.
	onCommit atomic.Pointer[func(CommitStats)]

	// With a store of one process, the writer runs the next batches while
	// the committer makes the previous ones durable (pipelined). A commit
	// that fails fails the batches run on top of it: they carry the
	// writer's epoch, and failed (an epoch plus one) tells the writer to
	// go back to the last published state and start a new epoch.
	jobs          chan *job
	committerDone chan struct{}
	epoch         uint64
	failed        atomic.Uint64
}

// job is a batch the writer ran, waiting for its durable commit.
type job struct {
	w       Write
	changes []Change
	batch   []*memReq
	errs    []error
	after   *trees // the state after the batch, published once durable
	epoch   uint64
	reset   *memReq // a reset instead of a batch
}

// snapshot is one published state.
type snapshot struct {
	t *trees
}

// entry is one object. Entries are never changed once in a tree.
type entry struct {
	account, region, kind, id string
	parent                    string
	data                      []byte
}

func lessKey(a, b *entry) bool {
	// Field by field with early answers: cmp.Or would compare every
	// field, and cmp.Compare compares strings twice.
	switch {
	case a.account != b.account:
		return a.account < b.account
	case a.region != b.region:
		return a.region < b.region
	case a.kind != b.kind:
		return a.kind < b.kind
	}
	return a.id < b.id
}

func lessParent(a, b *entry) bool {
	if a.account != b.account || a.region != b.region || a.kind != b.kind {
		return lessKey(a, b) // the same first three fields, in the same order
	}
	if a.parent != b.parent {
		return a.parent < b.parent
	}
	return a.id < b.id
}

func lessKind(a, b *entry) bool {
	switch {
	case a.kind != b.kind:
		return a.kind < b.kind
	case a.account != b.account:
		return a.account < b.account
	case a.region != b.region:
		return a.region < b.region
	}
	return a.id < b.id
}

// probe is the entry that finds k's in byKey.
func probe(k Key) *entry {
	return &entry{account: k.Account, region: k.Region, kind: k.Kind, id: k.ID}
}

// trees are the three indexes of one state.
type trees struct {
	byKey, byParent, byKind *btree.BTreeG[*entry]
}

const degree = 32

func newTrees() *trees {
	return &trees{
		byKey:    btree.NewG(degree, lessKey),
		byParent: btree.NewG(degree, lessParent),
		byKind:   btree.NewG(degree, lessKind),
	}
}

// clone returns a copy that shares nodes with t until either is written.
func (t *trees) clone() *trees {
	return &trees{byKey: t.byKey.Clone(), byParent: t.byParent.Clone(), byKind: t.byKind.Clone()}
}

func (t *trees) put(e *entry) {
	if old, ok := t.byKey.ReplaceOrInsert(e); ok {
		t.byParent.Delete(old)
		t.byKind.Delete(old)
	}
	t.byParent.ReplaceOrInsert(e)
	t.byKind.ReplaceOrInsert(e)
}

func (t *trees) del(k Key) {
	if old, ok := t.byKey.Delete(probe(k)); ok {
		t.byParent.Delete(old)
		t.byKind.Delete(old)
	}
}

func (t *trees) apply(c Change) {
	if c.Data == nil {
		t.del(c.Key)
		return
	}
	t.put(&entry{account: c.Key.Account, region: c.Key.Region, kind: c.Key.Kind, id: c.Key.ID, parent: c.Key.Parent, data: c.Data})
}

// NewMemory loads every object of d into memory and returns the store over
// it. Close closes d too.
func NewMemory(ctx context.Context, d Durable) (*Memory, error) {
	m := &Memory{d: d, writes: make(chan *memReq, maxBatch), closed: make(chan struct{}), writerDone: make(chan struct{})}
	if err := m.load(ctx); err != nil {
		return nil, err
	}
	if _, shared := d.(Follower); !shared {
		m.jobs, m.committerDone = make(chan *job, maxBatch), make(chan struct{})
		go m.committer()
	}
	go m.writer()
	return m, nil
}

// load replaces the master state with d's.
func (m *Memory) load(ctx context.Context) error {
	t := newTrees()
	pos, err := m.d.Load(ctx, func(c Change) error {
		t.apply(c)
		return nil
	})
	if err != nil {
		return fmt.Errorf("load state: %w", err)
	}
	m.master, m.pos = t, pos
	m.publish()
	return nil
}

func (m *Memory) publish() {
	m.snap.Store(&snapshot{t: m.master.clone()})
}

// Len reports how many objects the store holds.
func (m *Memory) Len() int { return m.snap.Load().t.byKey.Len() }

// Durable returns the store under m.
func (m *Memory) Durable() Durable { return m.d }

// OnRemoteChange sets fn to be called, on the writer goroutine, after
// changes committed by another process sharing the durable store are
// applied, with what they changed (nil: everything, after a reload or a
// reset). The process's own changes are not reported.
func (m *Memory) OnRemoteChange(fn func(changes []RemoteChange)) { m.remote.Store(&fn) }

// RemoteChange is an object another process wrote: its key, and its data
// before and after (nil: not there).
type RemoteChange struct {
	Key           Key
	Before, After []byte
}

// CommitStats describes one commit of updates to the durable store: how
// many updates it made durable together (group commit) and how long the
// durable store took (for the embedded log, the append and its flush to
// disk).
type CommitStats struct {
	Updates  int
	Duration time.Duration
	Err      error
}

// OnCommit sets fn to hear of every commit of updates (not of resets or
// other processes' changes), on the goroutine that committed: fn must
// return quickly. Metrics use it.
func (m *Memory) OnCommit(fn func(CommitStats)) { m.onCommit.Store(&fn) }

// observeCommit tells the OnCommit function, if any, of a commit of n
// updates, and how long the durable store took.
func (m *Memory) observeCommit(n int, took time.Duration, err error) {
	if fn := m.onCommit.Load(); fn != nil && n > 0 {
		(*fn)(CommitStats{Updates: n, Duration: took, Err: err})
	}
}

// succeeded counts the updates of a batch that had not failed before its
// commit.
func succeeded(errs []error) int {
	n := 0
	for _, e := range errs {
		if e == nil {
			n++
		}
	}
	return n
}

// memReq is one queued update, or a reset.
type memReq struct {
	ctx   context.Context
	fn    func(Txn) error
	reset bool
	done  chan error
}

// Update implements [Store]: fn runs on the writer goroutine against the
// latest state; Update returns after the change is durable and visible.
func (m *Memory) Update(ctx context.Context, fn func(Txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return m.queue(ctx, &memReq{ctx: ctx, fn: fn, done: make(chan error, 1)})
}

func (m *Memory) queue(ctx context.Context, r *memReq) error {
	select {
	case m.writes <- r:
	case <-m.closed:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the update may commit: wait for the outcome rather than
	// answer "failed" for a change that is made.
	select {
	case err := <-r.done:
		return err
	case <-m.writerDone:
		// Queued as the store closed: the writer answered it, or never
		// saw it.
		select {
		case err := <-r.done:
			return err
		default:
			return errClosed
		}
	}
}

// View implements [Store]: fn reads the last published snapshot.
func (m *Memory) View(ctx context.Context, fn func(Txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return fn(&memTxn{t: m.snap.Load().t})
}

// Reset implements [Store].
func (m *Memory) Reset(ctx context.Context) error {
	return m.queue(ctx, &memReq{ctx: ctx, reset: true, done: make(chan error, 1)})
}

// Close implements [Store]; it waits for the writer and closes the durable
// store.
func (m *Memory) Close() error {
	m.closeOnce.Do(func() { close(m.closed) })
	<-m.writerDone
	return m.d.Close()
}

// writer runs queued updates in batches until the store closes, and
// follows other processes' commits when the durable store is shared.
func (m *Memory) writer() {
	defer close(m.writerDone)
	defer func() {
		if m.jobs != nil {
			close(m.jobs)
			<-m.committerDone
		}
		for { // answer what is still queued
			select {
			case r := <-m.writes:
				r.done <- errClosed
			default:
				return
			}
		}
	}()
	var notify <-chan struct{}
	var tick <-chan time.Time
	if f, ok := m.d.(Follower); ok {
		notify = f.Notify()
		t := time.NewTicker(time.Second) // in case a notification is lost
		defer t.Stop()
		tick = t.C
	}
	for {
		var first *memReq
		select {
		case first = <-m.writes:
		case <-notify:
			m.follow()
			continue
		case <-tick:
			m.follow()
			continue
		case <-m.closed:
			return
		}
		batch := []*memReq{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case r := <-m.writes:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		for len(batch) > 0 {
			n := 0
			for n < len(batch) && !batch[n].reset {
				n++
			}
			if m.failed.Load() == m.epoch+1 {
				// A commit failed: what was run on top of it is gone.
				m.master = m.snap.Load().t.clone()
				m.epoch++
			}
			switch {
			case n == 0 && m.jobs != nil:
				m.master = newTrees()
				m.jobs <- &job{reset: batch[0], epoch: m.epoch}
				n = 1
			case n == 0:
				m.reset(batch[0])
				n = 1
			default:
				m.commitBatch(batch[:n])
			}
			batch = batch[n:]
		}
	}
}

// committer makes the pipelined batches durable in order — all the
// batches waiting when it turns to them in one commit — publishes the
// state after them and answers their callers.
func (m *Memory) committer() {
	defer close(m.committerDone)
	var failErr error
	var next *job
	for {
		j := next
		next = nil
		if j == nil {
			var ok bool
			if j, ok = <-m.jobs; !ok {
				return
			}
		}
		group := []*job{j}
		if j.reset == nil {
		gather:
			for len(group) < maxBatch {
				select {
				case k, ok := <-m.jobs:
					if !ok {
						break gather
					}
					if k.reset != nil || k.epoch != j.epoch {
						next = k
						break gather
					}
					group = append(group, k)
				default:
					break gather
				}
			}
		}
		var err error
		switch {
		case m.failed.Load() == j.epoch+1:
			err = failErr // run on top of a batch that failed
		case j.reset != nil:
			if err = m.d.Reset(context.Background()); err == nil {
				m.snap.Store(&snapshot{t: newTrees()})
			}
		default:
			var changes []Change
			for _, g := range group {
				changes = append(changes, g.changes...)
			}
			start := time.Now()
			_, err = j.w.Commit(changes)
			took, n := time.Since(start), 0
			for _, g := range group {
				n += succeeded(g.errs)
			}
			m.observeCommit(n, took, err)
			if err == nil {
				m.snap.Store(&snapshot{t: group[len(group)-1].after})
				m.compact()
			}
		}
		if err != nil && m.failed.Load() != j.epoch+1 {
			err = classify(err)
			failErr = err
			m.failed.Store(j.epoch + 1)
		}
		if j.reset != nil {
			j.reset.done <- err
			continue
		}
		for _, g := range group {
			for i, r := range g.batch {
				if g.errs[i] == nil {
					g.errs[i] = err
				}
				r.done <- g.errs[i]
			}
		}
	}
}

// reset deletes every object, alone in its batch.
func (m *Memory) reset(r *memReq) {
	err := m.d.Reset(context.Background())
	if err == nil {
		m.master = newTrees()
		m.publish()
	}
	r.done <- err
}

// follow applies what other processes committed since m.pos.
func (m *Memory) follow() {
	f := m.d.(Follower)
	entries, err := f.Since(context.Background(), m.pos)
	if errors.Is(err, ErrBehind) {
		m.reload()
		return
	}
	if err != nil || len(entries) == 0 {
		return
	}
	m.applyRemote(entries)
	m.publish()
}

// reload loads the whole state again, keeping the old one if that fails.
func (m *Memory) reload() {
	old, pos := m.master, m.pos
	if err := m.load(context.Background()); err != nil {
		m.master, m.pos = old, pos
		return
	}
	m.report(nil)
}

// applyRemote applies other processes' log entries to the master state and
// reports what they changed.
func (m *Memory) applyRemote(entries []LogEntry) {
	changes, everything := []RemoteChange{}, false
	for _, e := range entries {
		if e.Reset {
			m.master = newTrees()
			everything = true
		}
		for _, c := range e.Changes {
			if !everything {
				rc := RemoteChange{Key: c.Key, After: c.Data}
				if old, ok := m.master.byKey.Get(probe(c.Key)); ok {
					rc.Before = old.data
				}
				changes = append(changes, rc)
			}
			m.master.apply(c)
		}
		m.pos = e.Pos
	}
	if everything {
		changes = nil
	}
	m.report(changes)
}

func (m *Memory) report(changes []RemoteChange) {
	if fn := m.remote.Load(); fn != nil {
		(*fn)(changes)
	}
}

// commitBatch runs the batch's updates one after the other, each on a copy
// it can drop, then makes all their changes durable with one commit.
func (m *Memory) commitBatch(batch []*memReq) {
	m.batches.Add(1)
	errs := make([]error, len(batch))
	w, missed, err := m.d.Begin(context.Background(), m.pos)
	if errors.Is(err, ErrBehind) {
		m.reload()
		w, missed, err = m.d.Begin(context.Background(), m.pos)
	}
	if err != nil {
		err = classify(err)
		for _, r := range batch {
			r.done <- err
		}
		return
	}
	if len(missed) > 0 {
		m.applyRemote(missed)
		m.publish()
	}
	var changes []Change
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err // the client left before its turn: never run
			continue
		}
		errs[i] = m.run(r, &changes)
	}
	if m.jobs != nil {
		m.jobs <- &job{w: w, changes: changes, batch: batch, errs: errs, after: m.master.clone(), epoch: m.epoch}
		return
	}
	start := time.Now()
	pos, commitErr := w.Commit(changes)
	m.observeCommit(succeeded(errs), time.Since(start), commitErr)
	if commitErr != nil {
		commitErr = classify(commitErr)
		// Back to the last published state (missed entries included).
		m.master = m.snap.Load().t.clone()
	} else {
		if pos != 0 {
			m.pos = pos
		}
		m.publish()
		m.compact()
	}
	for i, r := range batch {
		if errs[i] == nil {
			errs[i] = commitErr
		}
		r.done <- errs[i]
	}
}

// compact starts writing a snapshot in the background when the durable
// store's log has grown enough: the published snapshot is exactly the
// state the rotated log holds, and it never changes.
func (m *Memory) compact() {
	c, ok := m.d.(Compacter)
	if !ok || !c.NeedsCompaction() {
		return
	}
	write, err := c.Rotate()
	if err != nil {
		return
	}
	t := m.snap.Load().t
	go write(func(yield func(Change) bool) {
		t.byKey.Ascend(func(e *entry) bool {
			return yield(Change{Key: Key{Scope: Scope{Account: e.account, Region: e.region}, Kind: e.kind, ID: e.id, Parent: e.parent}, Data: e.data})
		})
	})
}

// run runs one update on the master state; when it fails (or panics) the
// master state is what it was before.
func (m *Memory) run(r *memReq, changes *[]Change) (err error) {
	before := m.master.clone()
	n := len(*changes)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("update panicked: %v", p)
		}
		if err != nil {
			m.master = before
			*changes = (*changes)[:n]
		}
	}()
	return r.fn(&memTxn{t: m.master, changes: changes})
}

// memTxn reads one tree set; in an update it also writes it and records
// the changes.
type memTxn struct {
	t       *trees
	changes *[]Change // nil: read-only
}

var errReadOnly = errors.New("store: write in a read-only transaction")

// Get implements [Txn].
func (t *memTxn) Get(k Key) ([]byte, error) {
	e, ok := t.t.byKey.Get(probe(k))
	if !ok {
		return nil, ErrNotFound
	}
	return e.data, nil
}

// List implements [Txn].
func (t *memTxn) List(sc Scope, kind string) ([]Record, error) {
	return t.ListAfter(sc, kind, "", -1)
}

// ListAfter implements [Txn].
func (t *memTxn) ListAfter(sc Scope, kind, after string, limit int) ([]Record, error) {
	var out []Record
	if limit == 0 {
		return out, nil
	}
	from := &entry{account: sc.Account, region: sc.Region, kind: kind, id: after}
	t.t.byKey.AscendGreaterOrEqual(from, func(e *entry) bool {
		if e.account != sc.Account || e.region != sc.Region || e.kind != kind {
			return false
		}
		if e.id == after && after != "" {
			return true
		}
		out = append(out, Record{ID: e.id, Data: e.data})
		return limit < 0 || len(out) < limit
	})
	return out, nil
}

// ListChildren implements [Txn].
func (t *memTxn) ListChildren(sc Scope, kind, parent string) ([]Record, error) {
	var out []Record
	from := &entry{account: sc.Account, region: sc.Region, kind: kind, parent: parent}
	t.t.byParent.AscendGreaterOrEqual(from, func(e *entry) bool {
		if e.account != sc.Account || e.region != sc.Region || e.kind != kind || e.parent != parent {
			return false
		}
		out = append(out, Record{ID: e.id, Data: e.data})
		return true
	})
	return out, nil
}

// ListKind implements [Txn].
func (t *memTxn) ListKind(kind string) ([]ScopedRecord, error) {
	var out []ScopedRecord
	t.t.byKind.AscendGreaterOrEqual(&entry{kind: kind}, func(e *entry) bool {
		if e.kind != kind {
			return false
		}
		out = append(out, ScopedRecord{Scope: Scope{Account: e.account, Region: e.region}, Record: Record{ID: e.id, Data: e.data}})
		return true
	})
	return out, nil
}

// Put implements [Txn]. The store keeps data itself, not a copy: the
// caller must not change it afterwards (Get hands back that same slice).
func (t *memTxn) Put(k Key, data []byte) error {
	if t.changes == nil {
		return errReadOnly
	}
	if data == nil {
		data = []byte{}
	}
	c := Change{Key: k, Data: data}
	t.t.apply(c)
	*t.changes = append(*t.changes, c)
	return nil
}

// Delete implements [Txn].
func (t *memTxn) Delete(k Key) error {
	if t.changes == nil {
		return errReadOnly
	}
	c := Change{Key: Key{Scope: k.Scope, Kind: k.Kind, ID: k.ID}}
	t.t.apply(c)
	*t.changes = append(*t.changes, c)
	return nil
}
