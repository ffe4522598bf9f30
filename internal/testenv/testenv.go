// Package testenv gives tests a fresh database of each kind: an SQLite
// file always, and a PostgreSQL schema of its own when
// XINFANG_TEST_POSTGRES_URL names a server. With CI set, a missing
// PostgreSQL fails the test instead of skipping it, so CI cannot pass
// without having run it.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver

	"github.com/xinfang/xinfang/internal/store"
	"github.com/xinfang/xinfang/policy"
)

// PostgresURLEnv names the environment variable with the PostgreSQL
// server tests use, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const PostgresURLEnv = "XINFANG_TEST_POSTGRES_URL"

// Backend is a kind of database.
type Backend string

// The backends.
const (
	SQLite   Backend = "sqlite"
	Postgres Backend = "postgres"
)

// Backends returns the backends to test against: SQLite always, and
// PostgreSQL when configured (or, under CI, demanded).
func Backends(t testing.TB) []Backend {
	if os.Getenv(PostgresURLEnv) == "" && os.Getenv("CI") == "" {
		t.Logf("%s is not set: PostgreSQL tests are skipped", PostgresURLEnv)
		return []Backend{SQLite}
	}
	return []Backend{SQLite, Postgres}
}

// Open returns a migrated, empty database of the given backend, private to
// the test and removed after it.
func Open(t testing.TB, backend Backend) *store.DB {
	t.Helper()
	ctx := context.Background()
	var db *store.DB
	var err error
	switch backend {
	case SQLite:
		db, err = store.Open("", t.TempDir())
	case Postgres:
		db, err = store.Open(PostgresSchema(t), "")
	default:
		t.Fatalf("unknown backend %q", backend)
	}
	if err != nil {
		t.Fatalf("open %s: %v", backend, err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("migrate %s: %v", backend, err)
	}
	return db
}

// PostgresSchema creates an empty schema on the test server and returns a
// URL whose connections use it; the schema is dropped after the test.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s must be set under CI", PostgresURLEnv)
		}
		t.Skipf("%s is not set", PostgresURLEnv)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "xft_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		admin.Close()
		t.Fatalf("create schema (is PostgreSQL running at %s?): %v", store.Redact(base), err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Logf("drop schema %s: %v", schema, err)
		}
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresURLEnv, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Name is a readable subtest name for a backend.
func (b Backend) String() string { return string(b) }

// Policy returns an engine of the embedded policy (compiled once per test
// binary), for tests that build a workflow themselves.
func Policy(t testing.TB) *policy.Engine {
	t.Helper()
	e, err := policy.New(context.Background(), policy.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatalf("policy: %v", err)
	}
	return e
}
