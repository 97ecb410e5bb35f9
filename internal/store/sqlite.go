package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Table and schema names, used everywhere.
const (
	tableObjects = "objects"
	indexParent  = "objects_parent"
	dbFileName   = "vpce.db"
)

// migrations bring a database forward one schema version at a time; the
// index in the slice plus one is the version it produces (PRAGMA user_version).
var migrations = []string{
	`CREATE TABLE ` + tableObjects + ` (
		account TEXT NOT NULL,
		region  TEXT NOT NULL,
		kind    TEXT NOT NULL,
		id      TEXT NOT NULL,
		data    BLOB NOT NULL,
		PRIMARY KEY (account, region, kind, id)
	) WITHOUT ROWID`,
	// 2: objects know their parent, so a subnet's interfaces and a VPC's
	// endpoints are listed without scanning the whole kind.
	`ALTER TABLE ` + tableObjects + ` ADD COLUMN parent TEXT NOT NULL DEFAULT '';
	CREATE INDEX ` + indexParent + ` ON ` + tableObjects + ` (account, region, kind, parent, id);
	UPDATE ` + tableObjects + ` SET parent = COALESCE(json_extract(data, '$.subnet'), '') WHERE kind = 'network-interface';
	UPDATE ` + tableObjects + ` SET parent = COALESCE(json_extract(data, '$.vpc'), '') WHERE kind = 'vpc-endpoint' AND json_extract(data, '$.deletedAt') IS NULL`,
	// 3: security groups know their VPC, so group names are checked per VPC
	// without reading every group of the account.
	`UPDATE ` + tableObjects + ` SET parent = COALESCE(json_extract(data, '$.vpc'), '') WHERE kind = 'security-group'`,
	// 4: the index of security groups by VPC and name.
	`INSERT OR IGNORE INTO ` + tableObjects + ` (account, region, kind, id, data, parent)
	SELECT account, region, 'security-group-name', json_extract(data, '$.vpc') || '/' || json_extract(data, '$.name'), json_object('id', id), ''
	FROM ` + tableObjects + ` WHERE kind = 'security-group'`,
	// 5: subnets, route tables and network ACLs know their VPC.
	`UPDATE ` + tableObjects + ` SET parent = COALESCE(json_extract(data, '$.vpc'), '') WHERE kind IN ('subnet', 'route-table', 'network-acl')`,
	// 6: the live gateway endpoints of each region, counted for the quota.
	`INSERT OR IGNORE INTO ` + tableObjects + ` (account, region, kind, id, data, parent)
	SELECT account, region, 'gateway-endpoint', id, '{}', '' FROM ` + tableObjects + `
	WHERE kind = 'vpc-endpoint' AND json_extract(data, '$.type') = 'Gateway' AND json_extract(data, '$.deletedAt') IS NULL`,
	// 7: the private addresses in use, per subnet, for address allocation.
	`INSERT OR IGNORE INTO ` + tableObjects + ` (account, region, kind, id, data, parent)
	SELECT o.account, o.region, 'address', json_extract(o.data, '$.subnet') || '/' || json_extract(j.value, '$.ip'),
		json_object('eni', o.id), json_extract(o.data, '$.subnet')
	FROM ` + tableObjects + ` o, json_each(o.data, '$.ips') j WHERE o.kind = 'network-interface'`,
	// 8: which interfaces use a security group, and which groups' rules
	// name it.
	`INSERT OR IGNORE INTO ` + tableObjects + ` (account, region, kind, id, data, parent)
	SELECT o.account, o.region, 'ref', json_extract(j.value, '$.id') || '/network-interface/' || o.id, '{}', json_extract(j.value, '$.id')
	FROM ` + tableObjects + ` o, json_each(o.data, '$.groups') j WHERE o.kind = 'network-interface';
	INSERT OR IGNORE INTO ` + tableObjects + ` (account, region, kind, id, data, parent)
	SELECT o.account, o.region, 'ref', json_extract(j.value, '$.ref.id') || '/security-group/' || o.id, '{}', json_extract(j.value, '$.ref.id')
	FROM ` + tableObjects + ` o, json_each(o.data, '$.rules') j
	WHERE o.kind = 'security-group' AND json_extract(j.value, '$.ref.id') IS NOT NULL AND json_extract(j.value, '$.ref.id') != o.id`,
	// 9: the tags of the taggable resources, for tag:Key filters. The
	// parent is kind/len:key=value, the length in characters.
	`INSERT OR IGNORE INTO ` + tableObjects + ` (account, region, kind, id, data, parent)
	SELECT account, region, 'tag', p || '/' || oid, json_object('id', oid), p FROM (
		SELECT o.account AS account, o.region AS region, o.id AS oid,
			o.kind || '/' || length(json_extract(j.value, '$.k')) || ':' || json_extract(j.value, '$.k') || '=' || json_extract(j.value, '$.v') AS p
		FROM ` + tableObjects + ` o, json_each(o.data, '$.tags') j
		WHERE o.kind IN ('vpc', 'subnet', 'security-group', 'network-interface', 'instance', 'vpc-endpoint', 'route-table', 'network-acl', 'internet-gateway', 'natgateway'))`,
}

// SQLite is the embedded store: one database file in a directory, in WAL
// mode with synchronous=FULL, so a commit that returned survives kill -9
// and power loss.
type SQLite struct {
	w    *sql.DB // one connection: writers are serialized
	r    *sql.DB // readers
	lock *os.File
	// writes queue updates for the writer goroutine (group commit).
	writes     chan *writeReq
	closed     chan struct{}
	writerDone chan struct{}
	closeOnce  sync.Once
	batches    atomic.Int64 // transactions the writer has run, for tests
	// lastWrite is the failure of the last write that failed for want of
	// disk or permission, nil once a write succeeds; health reports it.
	lastWrite atomic.Pointer[error]
	// wst and rst are the statements prepared once on each pool:
	// preparing (parsing) a statement per call cost more than running it.
	wst, rst *stmts
}

// Options configure [OpenWith]. The zero value is the safe default.
type Options struct {
	// Init starts an empty store where the directory holds a database
	// that cannot be trusted (an empty vpce.db, or a WAL without its
	// database); the old files are kept beside it, renamed.
	Init bool
	// NoSync (the log only) answers a commit once it is written to the
	// log file, and syncs the file to disk in the background every
	// SyncEvery: a killed process loses nothing it answered (the kernel
	// holds the data), a power loss or kernel crash may lose the last
	// SyncEvery of answered changes. For test suites that want speed.
	NoSync bool
}

// SyncEvery is how often a NoSync log is synced to disk.
const SyncEvery = 100 * time.Millisecond

// ErrUntrusted is returned by Open for a state directory whose files say
// that data may have been lost; Options.Init starts over.
var ErrUntrusted = errors.New("the state directory holds a store that cannot be trusted")

// OpenSQLite opens (creating if needed) the SQLite store of earlier vpce
// versions in dir and migrates its schema forward. It takes an exclusive
// lock on the directory (a second vpce on it is refused, naming the
// holder), refuses a zero-byte vpce.db or a WAL without its database (data
// would silently be gone) unless opts.Init, and checks the database's
// integrity (SQLite's quick_check). vpce serves from [Open]'s store; this
// one remains to convert old state directories (and as a [Durable] of its
// own).
func OpenSQLite(dir string, opts Options) (*SQLite, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	lock, err := lockDir(dir)
	if err != nil {
		return nil, err
	}
	s, err := openSQLite(dir, opts, lock)
	if err != nil {
		lock.Close()
	}
	return s, err
}

// openSQLite opens the database in dir; lock is the directory's lock, held
// by the caller when nil.
func openSQLite(dir string, opts Options, lock *os.File) (*SQLite, error) {
	path := filepath.Join(dir, dbFileName)
	if err := checkFiles(path, opts.Init); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(ON)")
	wq := url.Values{}
	for k, v := range q {
		wq[k] = v
	}
	wq.Set("_txlock", "immediate")
	w, err := sql.Open("sqlite", "file:"+path+"?"+wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	r.SetMaxOpenConns(4)
	s := &SQLite{w: w, r: r, lock: lock}
	if err := s.quickCheck(); err != nil {
		s.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := s.migrate(); err != nil {
		s.Close()
		return nil, classify(err)
	}
	if s.wst, err = prepareAll(s.w); err == nil {
		s.rst, err = prepareAll(s.r)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s.writes, s.closed, s.writerDone = make(chan *writeReq, maxBatch), make(chan struct{}), make(chan struct{})
	go s.writer()
	return s, nil
}

// checkFiles refuses the states in which opening would start an empty
// store over lost data: a zero-byte database, or a WAL (which holds
// committed transactions) without its database. With init, the files are
// moved aside and the store starts empty.
func checkFiles(path string, init bool) error {
	fi, err := os.Stat(path)
	var why string
	switch {
	case err == nil && fi.Size() == 0:
		why = path + " is empty (0 bytes)"
	case errors.Is(err, os.ErrNotExist):
		if wal, werr := os.Stat(path + "-wal"); werr == nil && wal.Size() > 0 {
			why = path + " is missing but its write-ahead log " + path + "-wal holds committed data"
		}
	case err != nil:
		return fmt.Errorf("open store: %w", err)
	}
	if why == "" {
		return nil
	}
	if !init {
		return fmt.Errorf("%w: %s; restore it from a backup, or start an empty store with --init-state (the files are kept, renamed)", ErrUntrusted, why)
	}
	suffix := ".broken-" + time.Now().UTC().Format("20060102T150405Z")
	for _, f := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Rename(f, f+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("open store: keep %s aside: %w", f, err)
		}
	}
	return nil
}

// quickCheck runs SQLite's quick_check: a corrupt database is refused at
// start rather than answering errors to every request later.
func (s *SQLite) quickCheck() error {
	rows, err := s.w.Query(`PRAGMA quick_check`)
	if err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return fmt.Errorf("integrity check: %w", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("integrity check: %w", err)
	}
	if len(problems) > 0 {
		if len(problems) > 5 {
			problems = append(problems[:5], "…")
		}
		return fmt.Errorf("the database is corrupt (quick_check: %s); restore it from a backup", strings.Join(problems, "; "))
	}
	return nil
}

// Health reports whether the store can serve: it reads the database, and
// reports the last write that failed for want of disk space or
// permission.
func (s *SQLite) Health(ctx context.Context) error {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM `+tableObjects+` LIMIT 1)`).Scan(&n); err != nil {
		return classify(fmt.Errorf("read: %w", err))
	}
	if p := s.lastWrite.Load(); p != nil {
		return *p
	}
	return nil
}

// Store errors a client can act on.
var (
	// ErrDiskFull: the state directory's disk is full; nothing was written.
	ErrDiskFull = errors.New("the state directory's disk is full")
	// ErrReadOnly: the state directory (or database) is read-only.
	ErrReadOnly = errors.New("the state directory is read-only")
)

// classify turns SQLite's "disk full" and "read-only" failures into
// ErrDiskFull and ErrReadOnly (wrapping the original).
func classify(err error) error {
	var se *sqlite.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_FULL:
		return fmt.Errorf("%w: %w", ErrDiskFull, err)
	case sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM:
		return fmt.Errorf("%w: %w", ErrReadOnly, err)
	}
	return err
}

func (s *SQLite) migrate() error {
	var v int
	if err := s.w.QueryRow(`PRAGMA user_version`).Scan(&v); err != nil {
		return fmt.Errorf("migrate store: %w", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("migrate store: schema version %d is newer than this vpce (%d)", v, len(migrations))
	}
	for ; v < len(migrations); v++ {
		tx, err := s.w.Begin()
		if err != nil {
			return fmt.Errorf("migrate store to %d: %w", v+1, err)
		}
		if _, err := tx.Exec(migrations[v]); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate store to %d: %w", v+1, err)
		}
		if _, err := tx.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, v+1)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migrate store to %d: %w", v+1, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("migrate store to %d: %w", v+1, err)
		}
	}
	return nil
}

// SchemaVersion reports the schema version of the open database.
func (s *SQLite) SchemaVersion() (int, error) {
	var v int
	err := s.r.QueryRow(`PRAGMA user_version`).Scan(&v)
	return v, err
}

// Update implements [Store].
//
// Updates are group-committed: concurrent updates queue for the one
// writer, which runs a batch of them in one SQLite transaction — each in
// its own savepoint, so a failing update leaves no trace and the others
// stand — and commits the batch with one fsync. Update returns only after
// the commit that holds its changes is durable.
func (s *SQLite) Update(ctx context.Context, fn func(Txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case s.writes <- req:
	case <-s.closed:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued the update may commit: wait for the outcome rather than
	// answer "failed" for a change that is made.
	err := <-req.done
	switch {
	case errors.Is(err, ErrDiskFull) || errors.Is(err, ErrReadOnly):
		s.lastWrite.Store(&err)
	case err == nil:
		s.lastWrite.Store(nil)
	}
	return err
}

// writeReq is one update waiting for the writer.
type writeReq struct {
	ctx  context.Context
	fn   func(Txn) error
	done chan error
}

// maxBatch bounds how many updates share one commit.
const maxBatch = 64

var errClosed = errors.New("store closed")

// writer runs queued updates in batches until the store closes.
func (s *SQLite) writer() {
	defer close(s.writerDone)
	for {
		var first *writeReq
		select {
		case first = <-s.writes:
		case <-s.closed:
			return
		}
		batch := []*writeReq{first}
	drain:
		for len(batch) < maxBatch {
			select {
			case r := <-s.writes:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		s.commitBatch(batch)
	}
}

// commitBatch runs each update in a savepoint of one transaction and
// commits once; every update learns its own outcome.
func (s *SQLite) commitBatch(batch []*writeReq) {
	errs := make([]error, len(batch))
	tx, err := s.w.BeginTx(context.Background(), nil)
	if err != nil {
		err = classify(fmt.Errorf("begin transaction: %w", err))
		for _, r := range batch {
			r.done <- err
		}
		return
	}
	ran := false
	s.batches.Add(1)
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = err // the client left before its turn: never run
			continue
		}
		errs[i] = s.runSavepoint(tx, r)
		ran = ran || errs[i] == nil
	}
	var commitErr error
	if ran {
		if err := tx.Commit(); err != nil {
			commitErr = classify(fmt.Errorf("commit: %w", err))
		}
	} else {
		tx.Rollback()
	}
	for i, r := range batch {
		if errs[i] == nil {
			errs[i] = commitErr
		}
		r.done <- errs[i]
	}
}

// runSavepoint runs one update inside a savepoint, undoing it alone when
// it fails (or panics).
func (s *SQLite) runSavepoint(tx *sql.Tx, r *writeReq) (err error) {
	if _, err := tx.Exec(`SAVEPOINT upd`); err != nil {
		return classify(fmt.Errorf("savepoint: %w", err))
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("update panicked: %v", p)
		}
		if err != nil {
			tx.Exec(`ROLLBACK TO upd`)
		}
		tx.Exec(`RELEASE upd`)
	}()
	// Statements run without the client's context: interrupting one could
	// roll back the whole batch, other clients' updates included.
	if err := r.fn(&sqliteTxn{ctx: context.Background(), tx: tx, st: s.wst}); err != nil {
		return classify(err)
	}
	return nil
}

// View implements [Store].
func (s *SQLite) View(ctx context.Context, fn func(Txn) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer tx.Rollback() // a read-only transaction has nothing to commit
	return fn(&sqliteTxn{ctx: ctx, tx: tx, st: s.rst})
}

// Reset implements [Store].
func (s *SQLite) Reset(ctx context.Context) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM `+tableObjects)
	return err
}

// Close implements [Store]; it releases the directory's lock.
func (s *SQLite) Close() error {
	s.closeOnce.Do(func() {
		if s.closed != nil {
			close(s.closed)
			<-s.writerDone
		}
	})
	s.wst.close()
	s.rst.close()
	err := errors.Join(s.w.Close(), s.r.Close())
	if s.lock != nil {
		err = errors.Join(err, s.lock.Close())
	}
	return err
}

// The statements a transaction runs, by index into stmts.
const (
	stGet = iota
	stPut
	stDelete
	stList
	stListKind
	stListAfter
	stListChildren
	nStmts
)

var stmtSQL = [nStmts]string{
	stGet: `SELECT data FROM ` + tableObjects + ` WHERE account=? AND region=? AND kind=? AND id=?`,
	stPut: `INSERT INTO ` + tableObjects + ` (account, region, kind, id, parent, data) VALUES (?,?,?,?,?,?)
		ON CONFLICT (account, region, kind, id) DO UPDATE SET data=excluded.data, parent=excluded.parent`,
	stDelete:    `DELETE FROM ` + tableObjects + ` WHERE account=? AND region=? AND kind=? AND id=?`,
	stList:      `SELECT id, data FROM ` + tableObjects + ` WHERE account=? AND region=? AND kind=? ORDER BY id`,
	stListKind:  `SELECT account, region, id, data FROM ` + tableObjects + ` WHERE kind=? ORDER BY account, region, id`,
	stListAfter: `SELECT id, data FROM ` + tableObjects + ` WHERE account=? AND region=? AND kind=? AND id>? ORDER BY id LIMIT ?`,
	// INDEXED BY: the primary key also orders by id, and SQLite's planner
	// would otherwise scan the whole kind through it.
	stListChildren: `SELECT id, data FROM ` + tableObjects + ` INDEXED BY ` + indexParent + ` WHERE account=? AND region=? AND kind=? AND parent=? ORDER BY id`,
}

// stmts are one pool's prepared statements.
type stmts [nStmts]*sql.Stmt

func prepareAll(db *sql.DB) (*stmts, error) {
	var st stmts
	for i, q := range stmtSQL {
		p, err := db.Prepare(q)
		if err != nil {
			return nil, fmt.Errorf("prepare %q: %w", q, err)
		}
		st[i] = p
	}
	return &st, nil
}

func (st *stmts) close() {
	if st == nil {
		return
	}
	for _, p := range st {
		if p != nil {
			p.Close()
		}
	}
}

type sqliteTxn struct {
	ctx context.Context
	tx  *sql.Tx
	st  *stmts
	// local are the statements bound to this transaction, made on first
	// use: each is the pool's prepared statement on the transaction's
	// connection.
	local [nStmts]*sql.Stmt
}

func (t *sqliteTxn) stmt(i int) *sql.Stmt {
	if t.local[i] == nil {
		t.local[i] = t.tx.StmtContext(t.ctx, t.st[i])
	}
	return t.local[i]
}

func (t *sqliteTxn) Get(k Key) ([]byte, error) {
	var data []byte
	err := t.stmt(stGet).QueryRowContext(t.ctx, k.Account, k.Region, k.Kind, k.ID).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get %s %s: %w", k.Kind, k.ID, err)
	}
	return data, nil
}

func (t *sqliteTxn) List(sc Scope, kind string) ([]Record, error) {
	return t.list(stList, kind, sc.Account, sc.Region, kind)
}

func (t *sqliteTxn) ListKind(kind string) ([]ScopedRecord, error) {
	rows, err := t.stmt(stListKind).QueryContext(t.ctx, kind)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", kind, err)
	}
	defer rows.Close()
	var out []ScopedRecord
	for rows.Next() {
		var r ScopedRecord
		if err := rows.Scan(&r.Account, &r.Region, &r.ID, &r.Data); err != nil {
			return nil, fmt.Errorf("list %s: %w", kind, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *sqliteTxn) ListAfter(sc Scope, kind, after string, limit int) ([]Record, error) {
	return t.list(stListAfter, kind, sc.Account, sc.Region, kind, after, limit)
}

func (t *sqliteTxn) ListChildren(sc Scope, kind, parent string) ([]Record, error) {
	return t.list(stListChildren, kind, sc.Account, sc.Region, kind, parent)
}

func (t *sqliteTxn) list(stmt int, kind string, args ...any) ([]Record, error) {
	rows, err := t.stmt(stmt).QueryContext(t.ctx, args...)
	if err != nil {
		return nil, fmt.Errorf("list %s: %w", kind, err)
	}
	defer rows.Close()
	var out []Record
	for rows.Next() {
		var r Record
		if err := rows.Scan(&r.ID, &r.Data); err != nil {
			return nil, fmt.Errorf("list %s: %w", kind, err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (t *sqliteTxn) Put(k Key, data []byte) error {
	_, err := t.stmt(stPut).ExecContext(t.ctx, k.Account, k.Region, k.Kind, k.ID, k.Parent, data)
	if err != nil {
		return fmt.Errorf("put %s %s: %w", k.Kind, k.ID, err)
	}
	return nil
}

func (t *sqliteTxn) Delete(k Key) error {
	_, err := t.stmt(stDelete).ExecContext(t.ctx, k.Account, k.Region, k.Kind, k.ID)
	if err != nil {
		return fmt.Errorf("delete %s %s: %w", k.Kind, k.ID, err)
	}
	return nil
}

// Load implements [Durable]: it reads every object, in key order, from one
// read snapshot.
func (s *SQLite) Load(ctx context.Context, fn func(Change) error) (uint64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT account, region, kind, id, parent, data FROM `+tableObjects)
	if err != nil {
		return 0, fmt.Errorf("load: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k Key
		var data []byte
		if err := rows.Scan(&k.Account, &k.Region, &k.Kind, &k.ID, &k.Parent, &data); err != nil {
			return 0, fmt.Errorf("load: %w", err)
		}
		if data == nil {
			data = []byte{} // an empty object, not a deletion
		}
		if err := fn(Change{Key: k, Data: data}); err != nil {
			return 0, err
		}
	}
	return 0, rows.Err()
}

// Begin implements [Durable]. One process holds the directory, so nobody
// else commits and nothing is missed; positions are not kept.
func (s *SQLite) Begin(context.Context, uint64) (Write, []LogEntry, error) {
	return sqliteWrite{s}, nil, nil
}

// sqliteWrite commits a batch of changes through the group-commit writer.
type sqliteWrite struct{ s *SQLite }

func (w sqliteWrite) Commit(changes []Change) (uint64, error) {
	if len(changes) == 0 {
		return 0, nil
	}
	return 0, w.s.Update(context.Background(), func(tx Txn) error {
		for _, c := range changes {
			var err error
			if c.Data == nil {
				err = tx.Delete(c.Key)
			} else {
				err = tx.Put(c.Key, c.Data)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func (sqliteWrite) Abort() {}
