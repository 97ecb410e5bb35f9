package store

import (
	"testing"

	"github.com/vpce/vpce/internal/store/pgtest"
)

// forEachStore runs fn once per store implementation. open opens the
// implementation on one directory (for PostgreSQL, one database) of the
// test, the same each call (so a test can reopen what it wrote); each opened store is closed at the end.
func forEachStore(t *testing.T, fn func(t *testing.T, open func() Store)) {
	kinds := []struct {
		name string
		open func(t *testing.T, dir string) Store
	}{
		{"log", func(t *testing.T, dir string) Store { return openLogStore(t, dir, Options{}) }},
		{"log-nosync", func(t *testing.T, dir string) Store { return openLogStore(t, dir, Options{NoSync: true}) }},
		{"sqlite", func(t *testing.T, dir string) Store {
			s, err := OpenSQLite(dir, Options{})
			if err != nil {
				t.Fatal(err)
			}
			return s
		}},
		{"memory-sqlite", func(t *testing.T, dir string) Store { return openMemory(t, dir) }},
		{"postgres", func(t *testing.T, dsn string) Store { return openPostgresMemory(t, dsn) }},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			dir := t.TempDir()
			if k.name == "postgres" {
				dir = pgtest.DSN(t)
			}
			fn(t, func() Store {
				s := k.open(t, dir)
				t.Cleanup(func() { s.Close() })
				return s
			})
		})
	}
}
