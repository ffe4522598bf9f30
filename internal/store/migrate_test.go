package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/internal/store"
	"github.com/xinfang/xinfang/internal/testenv"
)

func TestEmbeddedMigrationsMatchAtlasSum(t *testing.T) {
	t.Parallel()
	migrations, err := store.PostgresMigrations()
	require.NoError(t, err)
	require.NotEmpty(t, migrations)
	for i := 1; i < len(migrations); i++ {
		require.Less(t, migrations[i-1].Version, migrations[i].Version)
	}
}

// TestMigrationsMatchSchema: the versioned migrations must produce exactly
// the schema ent would create from ent/schema. A schema change without a
// new migration (make migration) fails here.
func TestMigrationsMatchSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	migrated, err := store.Open(testenv.PostgresSchema(t), "")
	require.NoError(t, err)
	defer migrated.Close()
	applied, err := migrated.Migrate(ctx, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	require.NotEmpty(t, applied)

	again, err := migrated.Migrate(ctx, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	require.Empty(t, again, "a second run applies nothing")

	automatic, err := store.Open(testenv.PostgresSchema(t), "")
	require.NoError(t, err)
	defer automatic.Close()
	require.NoError(t, automatic.Client.Schema.Create(ctx))

	require.Equal(t, describe(t, automatic.SQL), describe(t, migrated.SQL))
}

// describe lists the columns and indexes of the current schema.
func describe(t *testing.T, db *sql.DB) []string {
	t.Helper()
	var out []string
	rows, err := db.Query(`SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, ''), coalesce(identity_start, '')
		FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> 'xinfang_schema_migrations'`)
	require.NoError(t, err)
	for rows.Next() {
		var table, column, typ, nullable, def, start string
		require.NoError(t, rows.Scan(&table, &column, &typ, &nullable, &def, &start))
		out = append(out, fmt.Sprintf("column %s.%s %s null=%s default=%s start=%s", table, column, typ, nullable, def, start))
	}
	require.NoError(t, rows.Err())
	schemaName := regexp.MustCompile(`\bxft_[0-9a-f]+\.`)
	rows, err = db.Query(`SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename <> 'xinfang_schema_migrations'`)
	require.NoError(t, err)
	for rows.Next() {
		var name, def string
		require.NoError(t, rows.Scan(&name, &def))
		out = append(out, "index "+name+" "+schemaName.ReplaceAllString(def, ""))
	}
	require.NoError(t, rows.Err())
	sort.Strings(out)
	require.Greater(t, len(out), 50, "schema looks empty:\n%s", strings.Join(out, "\n"))
	return out
}

func TestOpenRejectsUnknownURLs(t *testing.T) {
	t.Parallel()
	_, err := store.Open("mysql://root@localhost/x", "")
	require.ErrorContains(t, err, "use postgres://")
	require.Equal(t, "postgres://u:xxxxx@h/db", store.Redact("postgres://u:secret@h/db"))
}
