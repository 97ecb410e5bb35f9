package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
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
}

// SQLite is the embedded store: one database file in a directory, in WAL
// mode with synchronous=FULL, so a commit that returned survives kill -9
// and power loss.
type SQLite struct {
	w *sql.DB // one connection: writers are serialized
	r *sql.DB // readers
}

// Open opens (creating if needed) the SQLite store in dir and migrates its
// schema forward.
func Open(dir string) (*SQLite, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	path := filepath.Join(dir, dbFileName)
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
	s := &SQLite{w: w, r: r}
	if err := s.migrate(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
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
func (s *SQLite) Update(ctx context.Context, fn func(Txn) error) error {
	return s.run(ctx, s.w, false, fn)
}

// View implements [Store].
func (s *SQLite) View(ctx context.Context, fn func(Txn) error) error {
	return s.run(ctx, s.r, true, fn)
}

func (s *SQLite) run(ctx context.Context, db *sql.DB, readOnly bool, fn func(Txn) error) error {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: readOnly})
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(&sqliteTxn{ctx: ctx, tx: tx}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Reset implements [Store].
func (s *SQLite) Reset(ctx context.Context) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM `+tableObjects)
	return err
}

// Close implements [Store].
func (s *SQLite) Close() error {
	return errors.Join(s.w.Close(), s.r.Close())
}

type sqliteTxn struct {
	ctx context.Context
	tx  *sql.Tx
}

func (t *sqliteTxn) Get(k Key) ([]byte, error) {
	var data []byte
	err := t.tx.QueryRowContext(t.ctx, `SELECT data FROM `+tableObjects+` WHERE account=? AND region=? AND kind=? AND id=?`,
		k.Account, k.Region, k.Kind, k.ID).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("get %s %s: %w", k.Kind, k.ID, err)
	}
	return data, nil
}

func (t *sqliteTxn) List(sc Scope, kind string) ([]Record, error) {
	return t.list(`SELECT id, data FROM `+tableObjects+` WHERE account=? AND region=? AND kind=? ORDER BY id`, kind, sc.Account, sc.Region, kind)
}

func (t *sqliteTxn) ListKind(kind string) ([]ScopedRecord, error) {
	rows, err := t.tx.QueryContext(t.ctx, `SELECT account, region, id, data FROM `+tableObjects+` WHERE kind=? ORDER BY account, region, id`, kind)
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

func (t *sqliteTxn) ListChildren(sc Scope, kind, parent string) ([]Record, error) {
	return t.list(`SELECT id, data FROM `+tableObjects+` WHERE account=? AND region=? AND kind=? AND parent=? ORDER BY id`, kind, sc.Account, sc.Region, kind, parent)
}

func (t *sqliteTxn) list(query, kind string, args ...any) ([]Record, error) {
	rows, err := t.tx.QueryContext(t.ctx, query, args...)
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
	_, err := t.tx.ExecContext(t.ctx, `INSERT INTO `+tableObjects+` (account, region, kind, id, parent, data) VALUES (?,?,?,?,?,?)
		ON CONFLICT (account, region, kind, id) DO UPDATE SET data=excluded.data, parent=excluded.parent`,
		k.Account, k.Region, k.Kind, k.ID, k.Parent, data)
	if err != nil {
		return fmt.Errorf("put %s %s: %w", k.Kind, k.ID, err)
	}
	return nil
}

func (t *sqliteTxn) Delete(k Key) error {
	_, err := t.tx.ExecContext(t.ctx, `DELETE FROM `+tableObjects+` WHERE account=? AND region=? AND kind=? AND id=?`,
		k.Account, k.Region, k.Kind, k.ID)
	if err != nil {
		return fmt.Errorf("delete %s %s: %w", k.Kind, k.ID, err)
	}
	return nil
}
