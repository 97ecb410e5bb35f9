// Package pgtest gives tests a fresh PostgreSQL database. The server comes
// from VPCE_TEST_POSTGRES (scripts/test.sh starts one with
// scripts/postgres.sh); without it a test is skipped, saying so, unless
// VPCE_REQUIRE_POSTGRES=1 (as in the test script), where it fails.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

// DSN creates an empty database on the test server and returns its DSN;
// the database is dropped when t ends.
func DSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("VPCE_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("VPCE_REQUIRE_POSTGRES") == "1" {
			t.Fatal("VPCE_TEST_POSTGRES is not set but VPCE_REQUIRE_POSTGRES=1: start one with scripts/postgres.sh")
		}
		t.Skip("no PostgreSQL: set VPCE_TEST_POSTGRES (bash scripts/postgres.sh start DIR prints one); scripts/test.sh does")
	}
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("PostgreSQL at VPCE_TEST_POSTGRES: %v", err)
	}
	defer admin.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	name := "vpce_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return
		}
		defer c.Close(context.Background())
		c.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
