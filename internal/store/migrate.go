package store

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"sort"
	"strings"
	"sync"
	"time"

	"ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
)

//go:embed migrations/postgres/*.sql migrations/postgres/atlas.sum
var postgresMigrations embed.FS

// migrationsTable records which versioned migrations a PostgreSQL database
// has.
const migrationsTable = "xinfang_schema_migrations"

// migrationLockKey is the pg_advisory_lock key that serialises migrating
// replicas ("xinfang" in ASCII).
const migrationLockKey = 0x78696e66616e67

var autoMigrateMu sync.Mutex

// Migration is one versioned migration file.
type Migration struct {
	Version     string
	Description string
	SQL         string
	Checksum    string
}

// Applied is a migration a database has, with when it got it.
type Applied struct {
	Version   string
	AppliedAt time.Time
}

// PostgresMigrations returns the embedded migrations in order, after
// checking them against atlas.sum.
func PostgresMigrations() ([]Migration, error) {
	dir, err := embeddedDir()
	if err != nil {
		return nil, err
	}
	if err := migrate.Validate(dir); err != nil {
		return nil, fmt.Errorf("migrations do not match atlas.sum (regenerate with `make migration`): %w", err)
	}
	files, err := dir.Files()
	if err != nil {
		return nil, err
	}
	out := make([]Migration, 0, len(files))
	for _, f := range files {
		sum := sha256.Sum256(f.Bytes())
		out = append(out, Migration{
			Version: f.Version(), Description: f.Desc(), SQL: string(f.Bytes()),
			Checksum: hex.EncodeToString(sum[:]),
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	return out, nil
}

func embeddedDir() (*migrate.MemDir, error) {
	dir := &migrate.MemDir{}
	root := "migrations/postgres"
	entries, err := fs.ReadDir(postgresMigrations, root)
	if err != nil {
		return nil, fmt.Errorf("read embedded migrations: %w", err)
	}
	for _, e := range entries {
		b, err := postgresMigrations.ReadFile(path.Join(root, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("read migration %s: %w", e.Name(), err)
		}
		if err := dir.WriteFile(e.Name(), b); err != nil {
			return nil, err
		}
	}
	return dir, nil
}

// Migrate brings the schema up to date: versioned migrations on
// PostgreSQL, ent's automatic migration on SQLite. It returns the versions
// it applied.
func (db *DB) Migrate(ctx context.Context, log *slog.Logger) ([]string, error) {
	if db.Dialect == dialect.SQLite {
		// ent's automatic migration writes to package-level table
		// definitions: two at once in one process (parallel tests) race.
		autoMigrateMu.Lock()
		defer autoMigrateMu.Unlock()
		if err := db.Client.Schema.Create(ctx); err != nil {
			return nil, fmt.Errorf("migrate sqlite schema: %w", err)
		}
		return nil, nil
	}
	migrations, err := PostgresMigrations()
	if err != nil {
		return nil, err
	}
	conn, err := db.SQL.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate: connect: %w", err)
	}
	defer conn.Close()
	// The lock is per session, so it is taken on one connection and every
	// migration runs on that connection.
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, migrationLockKey); err != nil {
		return nil, fmt.Errorf("migrate: take lock: %w", err)
	}
	defer func() {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLockKey)
	}()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+migrationsTable+` (
		version text PRIMARY KEY,
		description text NOT NULL,
		checksum text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, fmt.Errorf("migrate: create %s: %w", migrationsTable, err)
	}
	done := map[string]string{}
	rows, err := conn.QueryContext(ctx, `SELECT version, checksum FROM `+migrationsTable)
	if err != nil {
		return nil, fmt.Errorf("migrate: read applied migrations: %w", err)
	}
	for rows.Next() {
		var v, sum string
		if err := rows.Scan(&v, &sum); err != nil {
			rows.Close()
			return nil, err
		}
		done[v] = sum
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var applied []string
	for _, m := range migrations {
		if sum, ok := done[m.Version]; ok {
			if sum != m.Checksum {
				return applied, fmt.Errorf("migration %s was changed after it was applied; never edit an applied migration, add a new one", m.Version)
			}
			continue
		}
		start := time.Now()
		// PostgreSQL runs DDL in transactions: a failing migration leaves
		// nothing behind.
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return applied, err
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			_ = tx.Rollback()
			return applied, fmt.Errorf("apply migration %s_%s: %w", m.Version, m.Description, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+migrationsTable+` (version, description, checksum) VALUES ($1, $2, $3)`,
			m.Version, m.Description, m.Checksum); err != nil {
			_ = tx.Rollback()
			return applied, fmt.Errorf("record migration %s: %w", m.Version, err)
		}
		if err := tx.Commit(); err != nil {
			return applied, fmt.Errorf("commit migration %s: %w", m.Version, err)
		}
		log.InfoContext(ctx, "applied migration", "version", m.Version, "description", m.Description,
			"duration", time.Since(start).Round(time.Millisecond))
		applied = append(applied, m.Version)
	}
	return applied, nil
}

// Status lists the migrations and whether the database has each.
func (db *DB) Status(ctx context.Context) ([]Migration, map[string]time.Time, error) {
	if db.Dialect == dialect.SQLite {
		return nil, nil, nil
	}
	migrations, err := PostgresMigrations()
	if err != nil {
		return nil, nil, err
	}
	applied := map[string]time.Time{}
	rows, err := db.SQL.QueryContext(ctx, `SELECT version, applied_at FROM `+migrationsTable)
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			return migrations, applied, nil
		}
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var v string
		var at time.Time
		if err := rows.Scan(&v, &at); err != nil {
			return nil, nil, err
		}
		applied[v] = at
	}
	return migrations, applied, rows.Err()
}
