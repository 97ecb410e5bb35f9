package store

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// The embedded store's files in the state directory:
//
//	vpce-<n>.log   a segment of the log: one record per committed batch
//	vpce-<n>.snap  a snapshot: the whole state after every segment up to n
//
// A record is a little-endian uint32 payload length, the payload's CRC-32C
// and the payload. A log payload is a count and that many changes; a
// change is an operation byte (put or delete) and the key's account,
// region, kind, id (and for a put the parent and the data), each a uvarint
// length and bytes. A snapshot holds records of puts and ends with an end
// record (a single byte and the count of objects); without it the
// snapshot is not used.
//
// A segment is written ahead with zeros (preallocChunk at a time) and
// records overwrite them: a sync then flushes the record alone, without
// the file-size change that an append makes the file system journal. So a
// segment may end in zeros — after a crash, or while it is open — and a
// record header of zeros (length 0, checksum 0; no record is empty) marks
// the end of its records. A clean close cuts the zeros off.
const (
	logMagic  = "VPCELOG\x01"
	snapMagic = "VPCESNP\x01"
	opPut     = 1
	opDelete  = 2
	opEnd     = 0xFF
	// LogFormatVersion is the embedded store's format, reported as the
	// schema version (the SQLite schema it replaces ended at 9).
	LogFormatVersion = 10
	// maxRecord bounds one record: a batch (an import) may be large, but
	// a length beyond this is damage, not data.
	maxRecord = 1 << 30
)

// compactAt is the size of the current segment past which the state is
// written as a snapshot (or the snapshot's size, when larger); tests lower
// it.
var compactAt int64 = 64 << 20

// preallocChunk is how far a segment is written ahead with zeros; tests
// lower it.
var preallocChunk int64 = 4 << 20

// zeroBlock is what a segment is written ahead with, a block at a time.
var zeroBlock [256 << 10]byte

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Log is the embedded durable store under [Memory]: each committed batch is
// appended to the current log segment and synced (fsync) before anyone is
// answered; when the segment grows past the last snapshot's size (and
// 64 MiB) the state is written as a new snapshot in the background and the
// segments it covers are removed. Opening reads the newest snapshot and
// replays the segments after it. A record torn by a crash at the end of
// the last segment was never acknowledged and is cut off; damage anywhere
// else is refused.
type Log struct {
	dir  string
	lock *os.File
	log  *slog.Logger

	mu   sync.Mutex // the current segment, for Commit, rotate and Reset
	seg  uint64
	f    *os.File
	size int64 // the end of the segment's records
	// alloc is the segment file's length: size and the zeros written
	// ahead of it.
	alloc int64
	// broken is a failed append that could not be undone: every later
	// write fails with it until the process restarts.
	broken error

	snapSize   atomic.Int64
	compacting atomic.Bool
	lastWrite  atomic.Pointer[error]
	compacted  sync.WaitGroup
	snapshots  atomic.Int64 // snapshots written, for tests
	// init moves damaged files aside at Load instead of refusing them.
	init bool
	// noSync: appends are not synced before the answer but every
	// SyncEvery by syncer; dirty says an append awaits its sync.
	noSync     bool
	dirty      bool
	stopSyncer chan struct{}
	syncerDone chan struct{}
	// fault, when set (tests), fails appends as a full disk would.
	fault func() error
}

// OpenLog opens (creating if needed) the embedded store in dir. It takes
// the directory's lock; a directory that holds a SQLite store of an
// earlier vpce (vpce.db) is converted: its objects become the first
// snapshot and the database is kept beside it, renamed
// vpce.db.migrated-<time>. Damage is refused with ErrUntrusted unless
// opts.Init, which moves the damaged files aside and starts empty.
func OpenLog(dir string, opts Options) (*Log, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	l := &Log{dir: dir, lock: lock, log: slog.Default().With("component", "store"), init: opts.Init, noSync: opts.NoSync}
	if err := l.migrateSQLite(opts); err != nil {
		lock.Close()
		return nil, err
	}
	if l.noSync {
		l.stopSyncer, l.syncerDone = make(chan struct{}), make(chan struct{})
		go l.syncer()
	}
	return l, nil
}

// closeSegment cuts the zeros written ahead off the current segment,
// syncs it and closes it (l.mu held). Should the cut fail, the zeros stay:
// reading takes them as the end of the records.
func (l *Log) closeSegment() {
	if l.alloc > l.size && l.f.Truncate(l.size) == nil {
		l.alloc = l.size
		l.dirty = true
	}
	l.syncLocked()
	l.f.Close()
}

// syncer syncs a NoSync log's appends every SyncEvery.
func (l *Log) syncer() {
	defer close(l.syncerDone)
	t := time.NewTicker(SyncEvery)
	defer t.Stop()
	for {
		select {
		case <-l.stopSyncer:
			return
		case <-t.C:
			l.mu.Lock()
			l.syncLocked()
			l.mu.Unlock()
		}
	}
}

// syncLocked syncs the current segment if an append awaits it (l.mu held).
func (l *Log) syncLocked() {
	if !l.dirty || l.f == nil {
		return
	}
	if err := datasync(l.f); err != nil {
		err = classifyIO(fmt.Errorf("sync the log: %w", err))
		l.lastWrite.Store(&err)
		return
	}
	l.dirty = false
}

// files lists the segment and snapshot numbers present in the directory.
func (l *Log) files() (segs, snaps []uint64, err error) {
	ents, err := os.ReadDir(l.dir)
	if err != nil {
		return nil, nil, fmt.Errorf("open store: %w", err)
	}
	for _, e := range ents {
		name := e.Name()
		if !strings.HasPrefix(name, "vpce-") {
			continue
		}
		num, ext, ok := strings.Cut(strings.TrimPrefix(name, "vpce-"), ".")
		n, perr := strconv.ParseUint(num, 10, 64)
		if !ok || perr != nil {
			continue
		}
		switch ext {
		case "log":
			segs = append(segs, n)
		case "snap":
			snaps = append(snaps, n)
		}
	}
	slices.Sort(segs)
	slices.Sort(snaps)
	return segs, snaps, nil
}

func (l *Log) segPath(n uint64) string { return filepath.Join(l.dir, fmt.Sprintf("vpce-%012d.log", n)) }
func (l *Log) snapPath(n uint64) string {
	return filepath.Join(l.dir, fmt.Sprintf("vpce-%012d.snap", n))
}

// migrateSQLite converts a state directory of an earlier vpce (vpce.db)
// into the first snapshot.
func (l *Log) migrateSQLite(opts Options) error {
	db := filepath.Join(l.dir, dbFileName)
	_, dbErr := os.Stat(db)
	_, walErr := os.Stat(db + "-wal")
	if dbErr != nil && walErr != nil {
		return nil
	}
	segs, snaps, err := l.files()
	if err != nil {
		return err
	}
	if len(segs)+len(snaps) == 0 {
		s, err := openSQLite(l.dir, opts, nil)
		if err != nil {
			return err
		}
		var objs []Change
		_, err = s.Load(context.Background(), func(c Change) error { objs = append(objs, c); return nil })
		s.Close()
		if err != nil {
			return fmt.Errorf("convert %s: %w", db, err)
		}
		if _, err := os.Stat(db); err != nil {
			return nil // Init moved a broken database aside: start empty
		}
		if err := l.writeSnapshot(0, func(yield func(Change) bool) {
			for _, c := range objs {
				if !yield(c) {
					return
				}
			}
		}); err != nil {
			return fmt.Errorf("convert %s: %w", db, err)
		}
		l.log.Info("converted the SQLite store of an earlier vpce", "objects", len(objs), "kept", db+".migrated-…")
	}
	// The snapshot is durable: keep the database aside, never read again.
	suffix := ".migrated-" + time.Now().UTC().Format("20060102T150405Z")
	for _, f := range []string{db, db + "-wal", db + "-shm"} {
		if err := os.Rename(f, f+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("open store: keep %s aside: %w", f, err)
		}
	}
	return syncDir(l.dir)
}

// Load implements [Durable]: the newest complete snapshot, then every
// segment after it. It cuts a torn record off the end of the last segment
// and starts a new segment for the appends to come.
func (l *Log) Load(ctx context.Context, fn func(Change) error) (uint64, error) {
	if !l.init {
		return l.load(fn)
	}
	// Init: a dry read first; damaged files are kept aside, renamed, and
	// the store starts without them.
	_, err := l.load(func(Change) error { return nil })
	if !errors.Is(err, ErrUntrusted) {
		if err != nil {
			return 0, err
		}
		l.f.Close()
		l.f = nil
		return l.load(fn)
	}
	// Init: keep the damaged files aside and start empty.
	l.log.Warn("the state directory's log is damaged: starting an empty store (--init-state); the old files are kept, renamed", "err", err)
	segs, snaps, ferr := l.files()
	if ferr != nil {
		return 0, ferr
	}
	suffix := ".broken-" + time.Now().UTC().Format("20060102T150405Z")
	for _, n := range segs {
		os.Rename(l.segPath(n), l.segPath(n)+suffix)
	}
	for _, n := range snaps {
		os.Rename(l.snapPath(n), l.snapPath(n)+suffix)
	}
	return l.load(fn)
}

func (l *Log) load(fn func(Change) error) (uint64, error) {
	segs, snaps, err := l.files()
	if err != nil {
		return 0, err
	}
	var base uint64
	if len(snaps) > 0 {
		base = snaps[len(snaps)-1]
		if err := l.readFile(l.snapPath(base), snapMagic, false, fn); err != nil {
			return 0, err
		}
	}
	var last uint64 = base
	for i, n := range segs {
		if n <= base {
			continue // covered by the snapshot; left by a compaction cut short
		}
		if err := l.readFile(l.segPath(n), logMagic, i == len(segs)-1, fn); err != nil {
			return 0, err
		}
		last = n
	}
	if _, serr := os.Stat(l.segPath(last)); last > base && serr == nil {
		err = l.reopenSegment(last) // appends continue where the last run stopped
	} else {
		err = l.openSegment(last + 1) // (an empty last segment was removed)
	}
	if err != nil {
		return 0, err
	}
	if fi, err := os.Stat(l.snapPath(base)); err == nil {
		l.snapSize.Store(fi.Size())
	}
	return 0, nil
}

// damaged is the error of a file that cannot be trusted.
func damaged(path string, off int64, why string) error {
	return fmt.Errorf("%w: %s is damaged at byte %d (%s); restore the state directory from a backup, or start an empty store with --init-state (the files are kept, renamed)",
		ErrUntrusted, path, off, why)
}

// readFile reads one segment or snapshot. last says the file is the last
// segment, whose torn end (a crash during an append) is cut off.
func (l *Log) readFile(path, magic string, last bool, fn func(Change) error) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	r := bufio.NewReaderSize(f, 1<<20)
	head := make([]byte, len(magic))
	if _, err := io.ReadFull(r, head); err != nil || string(head) != magic {
		if last && magic == logMagic && fi.Size() < int64(len(magic)) {
			return os.Remove(path) // created, then the crash: nothing in it
		}
		return damaged(path, 0, "not a vpce "+map[string]string{logMagic: "log", snapMagic: "snapshot"}[magic])
	}
	off := int64(len(magic))
	ended := false
	for {
		payload, n, err := readRecord(r, fi.Size()-off)
		if err == io.EOF {
			break
		}
		if errors.Is(err, errZeros) && magic == logMagic {
			// The end of the records: zeros written ahead follow.
			if zero, zerr := restIsZero(r); zerr != nil || !zero {
				return damaged(path, off, "data after the end of the records")
			}
			if last {
				if err := os.Truncate(path, off); err != nil {
					return fmt.Errorf("open store: %w", err)
				}
			}
			break
		}
		if err != nil {
			torn := errors.Is(err, errTorn) || off+n == fi.Size()
			if !torn && !errors.Is(err, errZeros) && magic == logMagic {
				// A record half written over the zeros ahead of it.
				zero, zerr := restIsZero(r)
				torn = zerr == nil && zero
			}
			if last && torn {
				l.log.Warn("cut a torn record off the end of the log (a crash during a write that was never acknowledged)", "file", path, "offset", off)
				if err := os.Truncate(path, off); err != nil {
					return fmt.Errorf("open store: %w", err)
				}
				break
			}
			return damaged(path, off, err.Error())
		}
		if ended {
			return damaged(path, off, "data after the end of a snapshot")
		}
		if magic == snapMagic && len(payload) > 0 && payload[0] == opEnd {
			ended = true
		} else if err := decodeChanges(payload, fn); err != nil {
			if errors.Is(err, errCorrupt) {
				return damaged(path, off, err.Error())
			}
			return err
		}
		off += n
	}
	if magic == snapMagic && !ended {
		return damaged(path, off, "the snapshot has no end record")
	}
	return nil
}

var (
	errTorn    = errors.New("record cut short")
	errCorrupt = errors.New("malformed record")
	errZeros   = fmt.Errorf("%w: a header of zeros", errCorrupt)
)

// restIsZero reads r to its end and reports whether every byte is zero.
func restIsZero(r *bufio.Reader) (bool, error) {
	var buf [32 << 10]byte
	for {
		n, err := r.Read(buf[:])
		for _, c := range buf[:n] {
			if c != 0 {
				return false, nil
			}
		}
		if err == io.EOF {
			return true, nil
		}
		if err != nil {
			return false, err
		}
	}
}

// readRecord reads one record of at most remaining bytes; n is its size
// on disk.
func readRecord(r *bufio.Reader, remaining int64) (payload []byte, n int64, err error) {
	var h [8]byte
	k, err := io.ReadFull(r, h[:])
	if err == io.EOF {
		return nil, 0, io.EOF
	}
	if err != nil {
		return nil, int64(k), errTorn
	}
	size := binary.LittleEndian.Uint32(h[:4])
	if size == 0 && binary.LittleEndian.Uint32(h[4:]) == 0 {
		return nil, 8, errZeros
	}
	if size > maxRecord {
		return nil, 8, fmt.Errorf("%w: length %d", errCorrupt, size)
	}
	if int64(size)+8 > remaining {
		return nil, remaining, errTorn
	}
	payload = make([]byte, size)
	if _, err := io.ReadFull(r, payload); err != nil {
		return nil, 8 + int64(size), errTorn
	}
	if crc32.Checksum(payload, crcTable) != binary.LittleEndian.Uint32(h[4:]) {
		return nil, 8 + int64(size), fmt.Errorf("%w: checksum mismatch", errCorrupt)
	}
	return payload, 8 + int64(size), nil
}

// appendRecord appends a record holding payload to b.
func appendRecord(b, payload []byte) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(len(payload)))
	b = binary.LittleEndian.AppendUint32(b, crc32.Checksum(payload, crcTable))
	return append(b, payload...)
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendChange(b []byte, c Change) []byte {
	op := byte(opPut)
	if c.Data == nil {
		op = opDelete
	}
	b = append(b, op)
	for _, s := range [...]string{c.Key.Account, c.Key.Region, c.Key.Kind, c.Key.ID} {
		b = appendString(b, s)
	}
	if op == opPut {
		b = appendString(b, c.Key.Parent)
		b = binary.AppendUvarint(b, uint64(len(c.Data)))
		b = append(b, c.Data...)
	}
	return b
}

// encodeChanges is a log payload: the count, then the changes.
func encodeChanges(changes []Change) []byte {
	return appendChanges(make([]byte, 0, changesSize(changes)), changes)
}

// appendChanges appends the log payload of changes to b.
func appendChanges(b []byte, changes []Change) []byte {
	b = binary.AppendUvarint(b, uint64(len(changes)))
	for _, c := range changes {
		b = appendChange(b, c)
	}
	return b
}

// changesSize is the length of the log payload of changes.
func changesSize(changes []Change) int {
	n := uvarintLen(uint64(len(changes)))
	for _, c := range changes {
		n++ // the operation
		for _, s := range [...]string{c.Key.Account, c.Key.Region, c.Key.Kind, c.Key.ID} {
			n += uvarintLen(uint64(len(s))) + len(s)
		}
		if c.Data != nil {
			n += uvarintLen(uint64(len(c.Key.Parent))) + len(c.Key.Parent) + uvarintLen(uint64(len(c.Data))) + len(c.Data)
		}
	}
	return n
}

// uvarintLen is the length of v's uvarint encoding.
func uvarintLen(v uint64) int {
	n := 1
	for ; v >= 0x80; v >>= 7 {
		n++
	}
	return n
}

// encodeRecord is the log record of changes, built in one allocation: the
// header (length, checksum) and the payload.
func encodeRecord(changes []Change) []byte {
	size := changesSize(changes)
	b := appendChanges(make([]byte, 8, 8+size), changes)
	payload := b[8:]
	binary.LittleEndian.PutUint32(b[0:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(b[4:], crc32.Checksum(payload, crcTable))
	return b
}

// decodeChanges calls fn with each change of a payload. Data is copied
// out of the payload, so the payload is not kept alive by the state.
func decodeChanges(p []byte, fn func(Change) error) error {
	d := decoder{b: p}
	n := d.uvarint()
	for i := uint64(0); i < n && d.err == nil; i++ {
		op := d.byte()
		var c Change
		c.Key.Account, c.Key.Region, c.Key.Kind, c.Key.ID = d.string(), d.string(), d.string(), d.string()
		switch op {
		case opPut:
			c.Key.Parent = d.string()
			c.Data = append([]byte{}, d.bytes()...)
		case opDelete:
		default:
			d.fail("operation %d", op)
		}
		if d.err != nil {
			break
		}
		if err := fn(c); err != nil {
			return err
		}
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("%d bytes after the changes", len(d.b))
	}
	return d.err
}

// decoder reads a payload, remembering the first problem.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: %s", errCorrupt, fmt.Sprintf(format, args...))
	}
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("bad length")
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) byte() byte {
	if len(d.b) == 0 {
		d.fail("cut short")
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if d.err != nil {
		return nil
	}
	if n > uint64(len(d.b)) {
		d.fail("a field of %d bytes in %d", n, len(d.b))
		d.b = nil
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) string() string { return string(d.bytes()) }

// reopenSegment makes the existing segment n (read, its torn tail cut)
// the current one, appending after its end.
func (l *Log) reopenSegment(n uint64) error {
	f, err := os.OpenFile(l.segPath(n), os.O_RDWR, 0o600)
	if err != nil {
		return classifyIO(fmt.Errorf("open log segment: %w", err))
	}
	size, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		f.Close()
		return fmt.Errorf("open log segment: %w", err)
	}
	l.seg, l.f, l.size, l.alloc, l.dirty = n, f, size, size, false
	return nil
}

// openSegment makes the new segment n the current one.
func (l *Log) openSegment(n uint64) error {
	path := l.segPath(n)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return classifyIO(fmt.Errorf("open log segment: %w", err))
	}
	if _, err := f.Write([]byte(logMagic)); err != nil {
		f.Close()
		return classifyIO(fmt.Errorf("open log segment: %w", err))
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return classifyIO(fmt.Errorf("open log segment: %w", err))
	}
	if err := syncDir(l.dir); err != nil {
		f.Close()
		return err
	}
	if l.f != nil {
		l.closeSegment()
	}
	l.seg, l.f, l.size, l.alloc, l.dirty = n, f, int64(len(logMagic)), int64(len(logMagic)), false
	return nil
}

// Begin implements [Durable]: one process holds the directory, so nothing
// is missed.
func (l *Log) Begin(context.Context, uint64) (Write, []LogEntry, error) { return logWrite{l}, nil, nil }

type logWrite struct{ l *Log }

func (w logWrite) Abort() {}

// Commit appends the changes as one record and syncs it.
func (w logWrite) Commit(changes []Change) (uint64, error) {
	if len(changes) == 0 {
		return 0, nil
	}
	err := w.l.append(encodeRecord(changes))
	switch {
	case err == nil:
		w.l.lastWrite.Store(nil)
	case errors.Is(err, ErrDiskFull) || errors.Is(err, ErrReadOnly):
		w.l.lastWrite.Store(&err)
	}
	return 0, err
}

func (l *Log) append(rec []byte) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.broken != nil {
		return l.broken
	}
	if l.f == nil {
		return errClosed
	}
	var err error
	if l.fault != nil {
		err = l.fault()
	}
	if err == nil && l.size+int64(len(rec)) > l.alloc {
		// Zeros ahead, made durable by this record's sync.
		ahead := max(preallocChunk, int64(len(rec)))
		for w := int64(0); err == nil && w < ahead; w += int64(len(zeroBlock)) {
			_, err = l.f.WriteAt(zeroBlock[:min(int64(len(zeroBlock)), ahead-w)], l.alloc+w)
		}
		if err == nil {
			l.alloc += ahead
		}
	}
	if err == nil {
		_, err = l.f.WriteAt(rec, l.size)
	}
	if err == nil && !l.noSync {
		err = datasync(l.f)
	}
	if err != nil {
		err = classifyIO(fmt.Errorf("append to the log: %w", err))
		// Undo a partial record, so the next append follows whole ones.
		if terr := l.f.Truncate(l.size); terr != nil {
			l.broken = fmt.Errorf("the log could not be repaired after a failed write (%v); restart vpce: %w", terr, err)
		}
		l.alloc = l.size
		return err
	}
	l.size += int64(len(rec))
	l.dirty = l.noSync
	return nil
}

// classifyIO marks the errors of a full disk and of a read-only or
// forbidden file as ErrDiskFull and ErrReadOnly.
func classifyIO(err error) error {
	switch {
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	case errors.Is(err, syscall.EROFS), errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM):
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	}
	return err
}

// NeedsCompaction reports whether the current segment has grown past the
// last snapshot (and 64 MiB) with no compaction running.
func (l *Log) NeedsCompaction() bool {
	l.mu.Lock()
	size := l.size
	l.mu.Unlock()
	return !l.compacting.Load() && size > max(compactAt, l.snapSize.Load())
}

// Rotate closes the current segment and starts the next; it returns the
// function that writes the snapshot of the state as of the rotation and
// removes the files it replaces. The caller (the memory store's writer)
// calls Rotate between batches and runs the returned function in the
// background with an immutable view of that state.
func (l *Log) Rotate() (func(objects func(yield func(Change) bool)) error, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.compacting.CompareAndSwap(false, true) {
		return nil, errors.New("a compaction is running")
	}
	covered := l.seg
	if err := l.openSegment(l.seg + 1); err != nil {
		l.compacting.Store(false)
		return nil, err
	}
	l.compacted.Add(1)
	return func(objects func(yield func(Change) bool)) error {
		defer l.compacted.Done()
		defer l.compacting.Store(false)
		err := l.writeSnapshot(covered, objects)
		if err != nil {
			l.log.Warn("compaction failed; the log is kept and replayed at start", "err", err)
		}
		return err
	}, nil
}

// writeSnapshot writes the objects as snapshot n (atomically: a temporary
// file, synced, renamed) and removes the segments and older snapshots it
// replaces.
func (l *Log) writeSnapshot(n uint64, objects func(yield func(Change) bool)) error {
	tmp := l.snapPath(n) + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return classifyIO(fmt.Errorf("write snapshot: %w", err))
	}
	defer os.Remove(tmp) // after the rename, nothing
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString(snapMagic)
	var chunk []Change
	var count uint64
	var rec []byte
	flush := func() {
		rec = appendRecord(rec[:0], encodeChanges(chunk))
		w.Write(rec)
		chunk = chunk[:0]
	}
	objects(func(c Change) bool {
		chunk = append(chunk, c)
		count++
		if len(chunk) == 1000 {
			flush()
		}
		return true
	})
	if len(chunk) > 0 {
		flush()
	}
	w.Write(appendRecord(nil, binary.AppendUvarint([]byte{opEnd}, count)))
	err = w.Flush()
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, l.snapPath(n))
	}
	if err == nil {
		err = syncDir(l.dir)
	}
	if err != nil {
		return classifyIO(fmt.Errorf("write snapshot: %w", err))
	}
	if fi, err := os.Stat(l.snapPath(n)); err == nil {
		l.snapSize.Store(fi.Size())
	}
	l.snapshots.Add(1)
	segs, snaps, err := l.files()
	if err != nil {
		return err
	}
	for _, s := range segs {
		if s <= n {
			os.Remove(l.segPath(s))
		}
	}
	for _, s := range snaps {
		if s < n {
			os.Remove(l.snapPath(s))
		}
	}
	return nil
}

// Reset implements [Durable]: an empty snapshot replaces everything.
func (l *Log) Reset(ctx context.Context) error {
	l.compacted.Wait() // a running compaction finishes first
	l.mu.Lock()
	covered := l.seg
	err := l.openSegment(l.seg + 1)
	l.mu.Unlock()
	if err != nil {
		return err
	}
	return l.writeSnapshot(covered, func(func(Change) bool) {})
}

// Health reports the last write that failed for want of disk space or
// permission (nil once a write succeeds), or a log that cannot be written.
func (l *Log) Health(context.Context) error {
	l.mu.Lock()
	broken := l.broken
	l.mu.Unlock()
	if broken != nil {
		return broken
	}
	if e := l.lastWrite.Load(); e != nil {
		return *e
	}
	return nil
}

// SchemaVersion reports the store's format version.
func (l *Log) SchemaVersion() (int, error) { return LogFormatVersion, nil }

// Close waits for a running compaction, closes the current segment and
// releases the directory.
func (l *Log) Close() error {
	l.compacted.Wait()
	if l.stopSyncer != nil {
		close(l.stopSyncer)
		<-l.syncerDone
		l.stopSyncer = nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.f != nil {
		l.closeSegment()
		l.f = nil
	}
	if l.lock != nil {
		l.lock.Close()
		l.lock = nil
	}
	return nil
}

// syncDir makes a directory's entries (a new or renamed file) durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return classifyIO(fmt.Errorf("sync %s: %w", dir, err))
	}
	return nil
}
