package main

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/internal/testenv"
)

// TestMeasureWatcher runs the watcher part of the benchmark on a few
// cases: the busy tick checks exactly the due ones through the index, the
// quiet ticks check none, pgbench gives a baseline, the report renders.
func TestMeasureWatcher(t *testing.T) {
	t.Parallel()
	base := testenv.PostgresSchema(t) // skips without PostgreSQL
	pgbench, err := exec.LookPath("pgbench")
	if err != nil {
		t.Skip("no pgbench on the PATH")
	}
	admin, err := sql.Open("pgx", base)
	require.NoError(t, err)
	defer admin.Close()
	var logs bytes.Buffer
	schemas := &schemaSet{admin: admin, base: base, log: slog.New(slog.DiscardHandler)}
	o := options{watcherCases: 5000, watcherDue: 150, pgbench: pgbench, pgbenchMode: "prepared",
		postgresURL:  os.Getenv("XINFANG_TEST_POSTGRES_URL"), // pgbench takes no search_path in the URL
		progressLogs: slog.New(slog.NewTextHandler(&logs, nil))}
	w, err := measureWatcher(context.Background(), o, schemas)
	schemas.dropAll()
	require.NoError(t, err, logs.String())
	require.Equal(t, 150, w.Checked)
	require.Positive(t, w.Records, "some seeded cases are past their warning threshold")
	require.Equal(t, watcherQuietTicks, w.Quiet.N)
	require.Positive(t, w.RawQuery)
	require.Contains(t, w.Plan, "casefile_deadline_check_at")
	var b bytes.Buffer
	for _, row := range w.rows() {
		b.WriteString(row.what + " | " + row.result + "\n")
	}
	w.describe(&b)
	t.Log(b.String())
	require.Contains(t, b.String(), "5000 unclosed cases")
}
