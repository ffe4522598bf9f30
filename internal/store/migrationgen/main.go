package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"net/url"
	"os"
	"time"

	atlas "ariga.io/atlas/sql/migrate"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql/schema"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/xinfang/xinfang/ent/migrate"
)

// Command migrationgen writes the next PostgreSQL migration; see main.

// GenerateMigration writes a new versioned migration to dir (normally
// internal/store/migrations/postgres) with the SQL that brings a database
// at the existing migrations up to the current ent schema. devURL is an
// empty PostgreSQL schema to replay the migrations in, e.g.
// postgres://root@127.0.0.1:5432/test?search_path=xinfang_dev. It writes
// nothing when the schema has not changed.
func GenerateMigration(ctx context.Context, dir, devURL, name string) error {
	local, err := atlas.NewLocalDir(dir)
	if err != nil {
		return fmt.Errorf("open migration directory %s: %w", dir, err)
	}
	err = migrate.NamedDiff(ctx, devURL, name,
		schema.WithDir(local),
		schema.WithMigrationMode(schema.ModeReplay),
		schema.WithDialect(dialect.Postgres),
		schema.WithFormatter(atlas.DefaultFormatter),
		schema.WithDropColumn(true),
		schema.WithDropIndex(true),
	)
	if err != nil {
		return fmt.Errorf("generate migration %s: %w", name, err)
	}
	return nil
}

// migrationgen writes the next PostgreSQL migration from the ent schema:
//
//	go run ./internal/store/migrationgen -name add_x
//
// It replays the existing migrations into a scratch schema of the
// development database (XINFANG_DEV_DATABASE_URL, default the local test
// database) and diffs that against the ent schema.
func main() {
	name := flag.String("name", "", "migration name, e.g. add_case_tags")
	dir := flag.String("dir", "internal/store/migrations/postgres", "migration directory")
	flag.Parse()
	if *name == "" {
		log.Fatal("migrationgen: -name is required")
	}
	base := os.Getenv("XINFANG_DEV_DATABASE_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	// ent opens the development database under the driver name "postgres".
	sql.Register("postgres", stdlib.GetDefaultDriver())
	ctx := context.Background()
	scratch := fmt.Sprintf("xinfang_migrationgen_%d", time.Now().UnixNano())
	db, err := sql.Open("pgx", base)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+scratch); err != nil {
		log.Fatalf("migrationgen: create scratch schema: %v", err)
	}
	defer db.ExecContext(ctx, "DROP SCHEMA "+scratch+" CASCADE")
	u, err := url.Parse(base)
	if err != nil {
		log.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", scratch)
	u.RawQuery = q.Encode()
	if err := GenerateMigration(ctx, *dir, u.String(), *name); err != nil {
		log.Fatal(err)
	}
}
