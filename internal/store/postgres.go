package store

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Postgres is the shared durable store: several vpce processes, each with
// its [Memory] model, share one PostgreSQL database. Writers are serialized
// across processes by a transaction-scoped advisory lock; every commit
// appends the transaction's changes to a log (vpce_log) under a gapless
// position counter and notifies the others (LISTEN/NOTIFY on "vpce"), who
// apply the log entries they have not seen. A writer first applies what
// others committed, under the lock, so allocation (addresses, names) sees
// every node's changes and stays unique.
type Postgres struct {
	pool    *pgxpool.Pool
	notify  chan struct{}
	stop    context.CancelFunc
	done    chan struct{}
	commits atomic.Int64 // for pruning the log now and then
}

// pgLockKey is the advisory lock that serializes writers ("vpce" in ASCII).
const pgLockKey = 0x76706365

// pgKeepLog is how many log entries are kept; a process further behind
// loads the whole state again.
const pgKeepLog = 20000

// pgSchemaVersion is the schema this code writes.
const pgSchemaVersion = 1

var pgSchema = []string{
	`CREATE TABLE IF NOT EXISTS vpce_objects (
		account TEXT NOT NULL, region TEXT NOT NULL, kind TEXT NOT NULL, id TEXT NOT NULL,
		parent TEXT NOT NULL DEFAULT '', data BYTEA NOT NULL,
		PRIMARY KEY (account, region, kind, id))`,
	`CREATE TABLE IF NOT EXISTS vpce_log (seq BIGINT PRIMARY KEY, at TIMESTAMPTZ NOT NULL DEFAULT now(), entry BYTEA NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS vpce_meta (name TEXT PRIMARY KEY, value BIGINT NOT NULL)`,
	`INSERT INTO vpce_meta (name, value) VALUES ('seq', 0) ON CONFLICT DO NOTHING`,
	`INSERT INTO vpce_meta (name, value) VALUES ('schema', ` + strconv.Itoa(pgSchemaVersion) + `) ON CONFLICT DO NOTHING`,
}

// OpenPostgres connects to the database at dsn (postgres://user:pass@host/db),
// creates vpce's tables when they are missing and starts listening for
// other processes' commits.
func OpenPostgres(ctx context.Context, dsn string) (*Postgres, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("store %q: %w", redact(dsn), err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 5 * time.Second // a database that is down is an error, not a hang
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	p := &Postgres{pool: pool, notify: make(chan struct{}, 1), done: make(chan struct{})}
	if err := p.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	lctx, stop := context.WithCancel(context.Background())
	p.stop = stop
	go p.listen(lctx)
	return p, nil
}

func redact(dsn string) string {
	if c, err := pgx.ParseConfig(dsn); err == nil {
		return fmt.Sprintf("postgres://%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
	}
	return "postgres://…"
}

func (p *Postgres) migrate(ctx context.Context) error {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, pgLockKey); err != nil {
		return fmt.Errorf("create schema: %w", err)
	}
	for _, q := range pgSchema {
		if _, err := tx.Exec(ctx, q); err != nil {
			return fmt.Errorf("create schema: %w", err)
		}
	}
	var v int
	if err := tx.QueryRow(ctx, `SELECT value FROM vpce_meta WHERE name = 'schema'`).Scan(&v); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if v > pgSchemaVersion {
		return fmt.Errorf("the database holds vpce schema %d; this vpce knows %d: upgrade vpce", v, pgSchemaVersion)
	}
	return tx.Commit(ctx)
}

// listen feeds Notify from LISTEN vpce on its own connection, reconnecting
// after failures.
func (p *Postgres) listen(ctx context.Context) {
	defer close(p.done)
	for ctx.Err() == nil {
		conn, err := p.pool.Acquire(ctx)
		if err == nil {
			_, err = conn.Exec(ctx, `LISTEN vpce`)
			for err == nil {
				p.poke() // (re)connected: something may have been missed
				_, err = conn.Conn().WaitForNotification(ctx)
			}
			conn.Release()
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
}

func (p *Postgres) poke() {
	select {
	case p.notify <- struct{}{}:
	default:
	}
}

// Notify implements [Follower].
func (p *Postgres) Notify() <-chan struct{} { return p.notify }

// Load implements [Durable]: every object and the log position, from one
// snapshot of the database.
func (p *Postgres) Load(ctx context.Context, fn func(Change) error) (uint64, error) {
	tx, err := p.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(ctx)
	var pos int64
	if err := tx.QueryRow(ctx, `SELECT value FROM vpce_meta WHERE name = 'seq'`).Scan(&pos); err != nil {
		return 0, err
	}
	rows, err := tx.Query(ctx, `SELECT account, region, kind, id, parent, data FROM vpce_objects`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var k Key
		var data []byte
		if err := rows.Scan(&k.Account, &k.Region, &k.Kind, &k.ID, &k.Parent, &data); err != nil {
			return 0, err
		}
		if data == nil {
			data = []byte{} // an empty object, not a deletion
		}
		if err := fn(Change{Key: k, Data: data}); err != nil {
			return 0, err
		}
	}
	return uint64(pos), rows.Err()
}

// encodeEntry is a log entry as vpce_log stores it: a byte that says
// whether every object was deleted first, then the changes as the
// embedded log encodes them (encodeChanges).
func encodeEntry(reset bool, changes []Change) []byte {
	flag := byte(0)
	if reset {
		flag = 1
	}
	return append([]byte{flag}, encodeChanges(changes)...)
}

func decodeEntry(seq int64, b []byte) (LogEntry, error) {
	if len(b) == 0 || b[0] > 1 {
		return LogEntry{}, fmt.Errorf("log entry %d: %w: bad header", seq, errCorrupt)
	}
	e := LogEntry{Pos: uint64(seq), Reset: b[0] == 1}
	err := decodeChanges(b[1:], func(c Change) error { e.Changes = append(e.Changes, c); return nil })
	if err != nil {
		return LogEntry{}, fmt.Errorf("log entry %d: %w", seq, err)
	}
	return e, nil
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// since reads the log after pos up to cur, checking that nothing is
// missing.
func since(ctx context.Context, q querier, pos, cur uint64) ([]LogEntry, error) {
	if cur <= pos {
		return nil, nil
	}
	rows, err := q.Query(ctx, `SELECT seq, entry FROM vpce_log WHERE seq > $1 AND seq <= $2 ORDER BY seq`, int64(pos), int64(cur))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LogEntry
	next := pos + 1
	for rows.Next() {
		var seq int64
		var b []byte
		if err := rows.Scan(&seq, &b); err != nil {
			return nil, err
		}
		if uint64(seq) != next {
			return nil, ErrBehind
		}
		e, err := decodeEntry(seq, b)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
		next++
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if next != cur+1 {
		return nil, ErrBehind
	}
	return out, nil
}

// Since implements [Follower].
func (p *Postgres) Since(ctx context.Context, pos uint64) ([]LogEntry, error) {
	tx, err := p.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx)
	var cur int64
	if err := tx.QueryRow(ctx, `SELECT value FROM vpce_meta WHERE name = 'seq'`).Scan(&cur); err != nil {
		return nil, err
	}
	return since(ctx, tx, pos, uint64(cur))
}

// Begin implements [Durable]: it takes the writers' lock and returns what
// others committed after pos.
func (p *Postgres) Begin(ctx context.Context, pos uint64) (Write, []LogEntry, error) {
	w, err := p.lock(ctx)
	if err != nil {
		return nil, nil, err
	}
	missed, err := since(ctx, w.tx, pos, w.cur)
	if err != nil {
		w.Abort()
		return nil, nil, err
	}
	return w, missed, nil
}

// lock begins a transaction holding the writers' lock and reads the log
// position.
func (p *Postgres) lock(ctx context.Context) (*pgWrite, error) {
	tx, err := p.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	w := &pgWrite{p: p, tx: tx}
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, pgLockKey); err != nil {
		w.Abort()
		return nil, err
	}
	var cur int64
	if err := tx.QueryRow(ctx, `SELECT value FROM vpce_meta WHERE name = 'seq'`).Scan(&cur); err != nil {
		w.Abort()
		return nil, err
	}
	w.cur = uint64(cur)
	return w, nil
}

// pgWrite is one locked write transaction.
type pgWrite struct {
	p   *Postgres
	tx  pgx.Tx
	cur uint64
}

func (w *pgWrite) Abort() { w.tx.Rollback(context.Background()) }

func (w *pgWrite) Commit(changes []Change) (uint64, error) {
	return w.commit(false, changes)
}

func (w *pgWrite) commit(reset bool, changes []Change) (uint64, error) {
	ctx := context.Background()
	if !reset && len(changes) == 0 {
		return w.cur, w.tx.Commit(ctx)
	}
	defer w.Abort() // after Commit, a no-op
	b := &pgx.Batch{}
	if reset {
		b.Queue(`DELETE FROM vpce_objects`)
	}
	for _, c := range changes {
		if c.Data == nil {
			b.Queue(`DELETE FROM vpce_objects WHERE account = $1 AND region = $2 AND kind = $3 AND id = $4`,
				c.Key.Account, c.Key.Region, c.Key.Kind, c.Key.ID)
			continue
		}
		b.Queue(`INSERT INTO vpce_objects (account, region, kind, id, parent, data) VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (account, region, kind, id) DO UPDATE SET parent = excluded.parent, data = excluded.data`,
			c.Key.Account, c.Key.Region, c.Key.Kind, c.Key.ID, c.Key.Parent, c.Data)
	}
	seq := int64(w.cur + 1)
	b.Queue(`INSERT INTO vpce_log (seq, entry) VALUES ($1, $2)`, seq, encodeEntry(reset, changes))
	b.Queue(`UPDATE vpce_meta SET value = $1 WHERE name = 'seq'`, seq)
	b.Queue(`SELECT pg_notify('vpce', $1)`, strconv.FormatInt(seq, 10))
	if w.p.commits.Add(1)%1000 == 0 {
		b.Queue(`DELETE FROM vpce_log WHERE seq <= $1`, seq-pgKeepLog)
	}
	if err := w.tx.SendBatch(ctx, b).Close(); err != nil {
		return 0, err
	}
	if err := w.tx.Commit(ctx); err != nil {
		return 0, err
	}
	return uint64(seq), nil
}

// Reset implements [Durable]: every object is deleted, and the log tells
// the other processes to drop theirs.
func (p *Postgres) Reset(ctx context.Context) error {
	w, err := p.lock(ctx)
	if err != nil {
		return err
	}
	_, err = w.commit(true, nil)
	return err
}

// Health reports whether the database answers.
func (p *Postgres) Health(ctx context.Context) error {
	if err := p.pool.Ping(ctx); err != nil {
		return fmt.Errorf("PostgreSQL: %w", err)
	}
	return nil
}

// SchemaVersion reports the database's vpce schema version.
func (p *Postgres) SchemaVersion() (int, error) {
	var v int
	err := p.pool.QueryRow(context.Background(), `SELECT value FROM vpce_meta WHERE name = 'schema'`).Scan(&v)
	return v, err
}

// Close stops listening and closes the connections.
func (p *Postgres) Close() error {
	p.stop()
	<-p.done
	p.pool.Close()
	return nil
}
