package analytics

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/internal/store"
	"github.com/xinfang/xinfang/internal/testenv"
)

// benchEventsEnv turns on TestWarehouseBench with that many generated
// events, e.g. XINFANG_WAREHOUSE_BENCH_EVENTS=10000000 (it takes minutes).
const benchEventsEnv = "XINFANG_WAREHOUSE_BENCH_EVENTS"

// TestWarehouseBench loads the same generated events into ClickHouse and
// into PostgreSQL's transactional tables, times Evaluate on both for a
// half year (and the half year before it) and checks that both give the
// same evaluation.
func TestWarehouseBench(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv(benchEventsEnv))
	if n <= 0 {
		t.Skipf("%s is not set", benchEventsEnv)
	}
	ctx := context.Background()
	cfg := BenchConfig{Events: n, Seed: 1}

	ch := openTestClickHouse(t)
	start := time.Now()
	events, cases, err := LoadClickHouseBench(ctx, ch, cfg)
	require.NoError(t, err)
	t.Logf("clickhouse: loaded %d events of %d cases in %s", events, cases, time.Since(start).Round(time.Millisecond))

	url := testenv.PostgresSchema(t)
	db, err := store.Open(url, "")
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Migrate(ctx, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	start = time.Now()
	pgEvents, pgCases, err := LoadPostgresBench(ctx, conn, cfg)
	require.NoError(t, err)
	require.Equal(t, events, pgEvents)
	require.Equal(t, cases, pgCases)
	t.Logf("postgres: loaded %d events of %d cases in %s", pgEvents, pgCases, time.Since(start).Round(time.Millisecond))

	loc := shanghai(t)
	q := Query{From: time.Date(2025, 7, 1, 0, 0, 0, 0, loc), To: time.Date(2026, 1, 1, 0, 0, 0, 0, loc), Trend: Month, Location: loc}

	cold, err := TimeEvaluate(ctx, ch.Evaluate, q, 5, true)
	require.NoError(t, err)
	t.Logf("clickhouse Evaluate, parts as loaded: best %s, median %s", cold.Best.Round(time.Millisecond), cold.Median.Round(time.Millisecond))
	start = time.Now()
	require.NoError(t, ch.Optimize(ctx))
	t.Logf("clickhouse: OPTIMIZE FINAL took %s", time.Since(start).Round(time.Millisecond))
	merged, err := TimeEvaluate(ctx, ch.Evaluate, q, 5, true)
	require.NoError(t, err)
	t.Logf("clickhouse Evaluate, parts merged: best %s, median %s", merged.Best.Round(time.Millisecond), merged.Median.Round(time.Millisecond))

	pg, err := TimeEvaluate(ctx, func(ctx context.Context, q Query) (*Evaluation, error) {
		return EvaluatePostgres(ctx, db.SQL, q)
	}, q, 3, true)
	require.NoError(t, err)
	t.Logf("postgres EvaluatePostgres: best %s, median %s", pg.Best.Round(time.Millisecond), pg.Median.Round(time.Millisecond))
	t.Logf("ratio postgres/clickhouse (medians): %.1f as loaded, %.1f merged",
		float64(pg.Median)/float64(cold.Median), float64(pg.Median)/float64(merged.Median))

	cur := merged.Evaluation.Current
	t.Logf("current period: %d cases, %d responded, median response %.0f s", cur.Received, cur.Responded, cur.TimeToFirstResponse.Median)
	requireSameEvaluation(t, pg.Evaluation, cold.Evaluation)
	requireSameEvaluation(t, pg.Evaluation, merged.Evaluation)
}

// benchDatabaseEnv names a ClickHouse database to time Evaluate on
// (TestWarehouseBenchLoaded), kept afterwards so that queries can be tuned
// without reloading; when it has no events, XINFANG_WAREHOUSE_BENCH_EVENTS
// of them are loaded first.
const benchDatabaseEnv = "XINFANG_WAREHOUSE_BENCH_DATABASE"

func TestWarehouseBenchLoaded(t *testing.T) {
	database := os.Getenv(benchDatabaseEnv)
	if database == "" {
		t.Skipf("%s is not set", benchDatabaseEnv)
	}
	ctx := context.Background()
	ch, err := OpenClickHouse(ctx, ClickHouseConfig{Addr: clickhouseAddr(t), Database: database})
	require.NoError(t, err)
	defer ch.Close()
	var loaded uint64
	require.NoError(t, ch.Conn().QueryRow(ctx, "SELECT count() FROM events").Scan(&loaded))
	if n, _ := strconv.Atoi(os.Getenv(benchEventsEnv)); loaded == 0 && n > 0 {
		start := time.Now()
		events, cases, err := LoadClickHouseBench(ctx, ch, BenchConfig{Events: n, Seed: 1})
		require.NoError(t, err)
		t.Logf("clickhouse: loaded %d events of %d cases in %s", events, cases, time.Since(start).Round(time.Millisecond))
	}
	loc := shanghai(t)
	q := Query{From: time.Date(2025, 7, 1, 0, 0, 0, 0, loc), To: time.Date(2026, 1, 1, 0, 0, 0, 0, loc), Trend: Month, Location: loc}
	timing, err := TimeEvaluate(ctx, ch.Evaluate, q, 7, true)
	require.NoError(t, err)
	t.Logf("clickhouse Evaluate on %s: best %s, median %s; %d cases now, %d before", database,
		timing.Best.Round(time.Millisecond), timing.Median.Round(time.Millisecond),
		timing.Evaluation.Current.Received, timing.Evaluation.Previous.Received)
}
