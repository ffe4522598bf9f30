package store

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"github.com/xinfang/xinfang/ent"
	// The ent runtime registers schema defaults, validators and the hook
	// that keeps case events append-only.
	_ "github.com/xinfang/xinfang/ent/runtime"
)

// DB is an open database.
type DB struct {
	Client  *ent.Client
	SQL     *sql.DB
	Dialect string
	// Driver is the ent driver the client uses; tests wrap it to count
	// queries.
	Driver *entsql.Driver
}

// Close closes the database.
func (db *DB) Close() error {
	return db.Client.Close()
}

// Ping checks that the database answers, for readiness probes.
func (db *DB) Ping(ctx context.Context) error {
	return db.SQL.PingContext(ctx)
}

// Open connects to the database named by databaseURL: a postgres:// or
// postgresql:// URL, a sqlite: path or file: URL, or empty for the
// embedded SQLite file xinfang.db in dataDir. It does not migrate.
func Open(databaseURL, dataDir string) (*DB, error) {
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		return openPostgres(databaseURL)
	case databaseURL == "":
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory %s: %w", dataDir, err)
		}
		return openSQLite(filepath.Join(dataDir, "xinfang.db"))
	case strings.HasPrefix(databaseURL, "sqlite:"):
		return openSQLite(strings.TrimPrefix(strings.TrimPrefix(databaseURL, "sqlite:"), "//"))
	case strings.HasPrefix(databaseURL, "file:"):
		return openSQLite(databaseURL)
	}
	return nil, fmt.Errorf("database URL %q: use postgres://..., sqlite:PATH, or leave it empty for the embedded database", Redact(databaseURL))
}

func openPostgres(databaseURL string) (*DB, error) {
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		return nil, fmt.Errorf("open postgres %s: %w", Redact(databaseURL), err)
	}
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	db.SetConnMaxIdleTime(5 * time.Minute)
	drv := entsql.OpenDB(dialect.Postgres, db)
	return &DB{Client: ent.NewClient(ent.Driver(drv)), SQL: db, Dialect: dialect.Postgres, Driver: drv}, nil
}

// SQLite settings: foreign keys on; WAL so readers never wait for the
// writer; transactions begin as writers (IMMEDIATE), so two transactions
// never both read and then fail to upgrade; and a busy timeout so writers
// queue instead of failing.
const sqlitePragmas = "_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"

func openSQLite(path string) (*DB, error) {
	dsn := path
	if !strings.HasPrefix(dsn, "file:") {
		// In a file: URI, "?" starts the options and "#" a fragment:
		// escape them (and "%") in a plain path.
		dsn = "file:" + strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(dsn)
	}
	if strings.Contains(dsn, "?") {
		dsn += "&" + sqlitePragmas
	} else {
		dsn += "?" + sqlitePragmas
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	drv := entsql.OpenDB(dialect.SQLite, db)
	return &DB{Client: ent.NewClient(ent.Driver(drv)), SQL: db, Dialect: dialect.SQLite, Driver: drv}, nil
}

// Redact hides the password of a database URL for logs.
func Redact(databaseURL string) string {
	u, err := url.Parse(databaseURL)
	if err != nil || u.User == nil {
		return databaseURL
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
