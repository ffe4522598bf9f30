package main

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/internal/testenv"
)

// TestMeasureMetrics runs the metrics part of the benchmark on a small
// number of cases: the seeded cases reach the scrape, the report renders,
// and the schema is gone afterwards.
func TestMeasureMetrics(t *testing.T) {
	t.Parallel()
	base := testenv.PostgresSchema(t) // skips without PostgreSQL
	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	defer admin.Close()
	var logs bytes.Buffer
	schemas := &schemaSet{admin: admin, base: base, log: slog.New(slog.DiscardHandler)}
	o := options{metricsCases: 5000, progressLogs: slog.New(slog.NewTextHandler(&logs, nil))}
	m, err := measureMetrics(context.Background(), o, schemas)
	schemas.dropAll()
	require.NoError(t, err, logs.String())
	t.Log(logs.String())
	require.Equal(t, 5000, m.OpenCounted)
	require.Equal(t, metricsScrapes, m.Scrape.N)
	require.Equal(t, metricsScrapes, m.Baseline.N)
	require.Greater(t, m.Scrape.Series, m.Baseline.Series+metricsDepartments*6)
	require.Positive(t, m.ReconcileMedian)
	var b bytes.Buffer
	for _, row := range m.rows() {
		b.WriteString(row.what + " | " + row.result + " | " + row.target + " | " + row.met + "\n")
	}
	m.describe(&b)
	t.Log(b.String())
	require.Contains(t, b.String(), "5000 unclosed cases in 20 departments")

	require.Len(t, schemas.created, 1)
	var left int
	require.NoError(t, admin.QueryRow("SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1",
		schemas.created[0]).Scan(&left))
	require.Zero(t, left, "the benchmark's schema is dropped")
}
