package analytics

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations/clickhouse/*.sql
var clickhouseMigrations embed.FS

// chMigration is one versioned schema change: migrations/clickhouse/NNNN_name.sql.
type chMigration struct {
	version    uint32
	name       string
	checksum   string
	statements []string
}

// The ClickHouse schema belongs to the binary. Every statement of a
// migration must be idempotent (CREATE ... IF NOT EXISTS and the like):
// two processes that start at once may both apply it, and both record it
// in the ReplacingMergeTree below, which keeps one row per version.
const migrationsTableDDL = `CREATE TABLE IF NOT EXISTS xinfang_schema_migrations (
    version UInt32,
    name String,
    checksum String,
    applied_at DateTime DEFAULT now()
) ENGINE = ReplacingMergeTree(applied_at) ORDER BY version`

func loadClickHouseMigrations() ([]chMigration, error) {
	const dir = "migrations/clickhouse"
	entries, err := fs.ReadDir(clickhouseMigrations, dir)
	if err != nil {
		return nil, fmt.Errorf("read embedded clickhouse migrations: %w", err)
	}
	var out []chMigration
	for _, e := range entries {
		file := e.Name()
		num, name, ok := strings.Cut(strings.TrimSuffix(file, ".sql"), "_")
		version, err := strconv.ParseUint(num, 10, 32)
		if !ok || err != nil || version == 0 {
			return nil, fmt.Errorf("clickhouse migration %s: name it NNNN_what.sql", file)
		}
		body, err := fs.ReadFile(clickhouseMigrations, path.Join(dir, file))
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(body)
		out = append(out, chMigration{
			version: uint32(version), name: name, checksum: hex.EncodeToString(sum[:]),
			statements: splitStatements(string(body)),
		})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("clickhouse migrations: version %d appears twice", out[i].version)
		}
	}
	return out, nil
}

// splitStatements drops -- comment lines and splits on semicolons that
// end a line (the native protocol takes one statement at a time).
func splitStatements(sql string) []string {
	var lines []string
	for _, line := range strings.Split(sql, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			lines = append(lines, line)
		}
	}
	var out []string
	for _, stmt := range strings.Split(strings.Join(lines, "\n"), ";\n") {
		if stmt = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(stmt), ";")); stmt != "" {
			out = append(out, stmt)
		}
	}
	return out
}

// migrate applies the embedded migrations the database lacks, in order.
func (ch *ClickHouse) migrate(ctx context.Context) error {
	migrations, err := loadClickHouseMigrations()
	if err != nil {
		return err
	}
	if err := ch.conn.Exec(ctx, migrationsTableDDL); err != nil {
		return fmt.Errorf("clickhouse: create migrations table: %w", err)
	}
	applied, err := ch.appliedMigrations(ctx)
	if err != nil {
		return err
	}
	for _, m := range migrations {
		if applied[m.version] {
			continue
		}
		for i, stmt := range m.statements {
			if err := ch.conn.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("clickhouse migration %04d_%s, statement %d: %w", m.version, m.name, i+1, err)
			}
		}
		err := ch.conn.Exec(ctx, fmt.Sprintf(
			// INSERT ... SELECT: the server has all the data, so the
			// native protocol sends no block.
			"INSERT INTO xinfang_schema_migrations (version, name, checksum) SELECT %d, %s, %s",
			m.version, chQuote(m.name), chQuote(m.checksum)))
		if err != nil {
			return fmt.Errorf("clickhouse: record migration %04d: %w", m.version, err)
		}
	}
	return nil
}

func (ch *ClickHouse) appliedMigrations(ctx context.Context) (map[uint32]bool, error) {
	rows, err := ch.conn.Query(ctx, "SELECT version FROM xinfang_schema_migrations FINAL")
	if err != nil {
		return nil, fmt.Errorf("clickhouse: read migrations: %w", err)
	}
	defer rows.Close()
	applied := map[uint32]bool{}
	for rows.Next() {
		var v uint32
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("clickhouse: read migrations: %w", err)
		}
		applied[v] = true
	}
	return applied, rows.Err()
}

// AppliedMigrations lists the versions of the schema the database has,
// for `xinfang analytics status`-style tools and tests.
func (ch *ClickHouse) AppliedMigrations(ctx context.Context) ([]uint32, error) {
	applied, err := ch.appliedMigrations(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]uint32, 0, len(applied))
	for v := range applied {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}
