package analytics

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

// Two processes opening a new database at once both succeed and leave
// each migration recorded once.
func TestClickHouseMigratesConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	addr := clickhouseAddr(t)
	cfg := ClickHouseConfig{Addr: addr, Database: testClickHouseDatabase(t, addr)}
	var wg sync.WaitGroup
	errs := make([]error, 3)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ch, err := OpenClickHouse(ctx, cfg)
			if err == nil {
				err = ch.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	ch, err := OpenClickHouse(ctx, cfg)
	require.NoError(t, err)
	defer ch.Close()
	migrations, err := loadClickHouseMigrations()
	require.NoError(t, err)
	applied, err := ch.AppliedMigrations(ctx)
	require.NoError(t, err)
	require.Len(t, applied, len(migrations))
	require.Equal(t, migrations[len(migrations)-1].version, applied[len(applied)-1])
}

func TestClickHouseRejectsBadDatabaseName(t *testing.T) {
	t.Parallel()
	_, err := OpenClickHouse(context.Background(), ClickHouseConfig{Addr: "127.0.0.1:1", Database: "x; DROP TABLE y"})
	require.ErrorContains(t, err, "database name")
}

// RebuildFacts refolds every case from the events with the same result,
// and Truncate empties the warehouse.
func TestClickHouseRebuildAndTruncate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ch := openTestClickHouse(t)
	fx := newFixture(t)
	for _, batch := range fx.batches {
		require.NoError(t, ch.Ingest(ctx, batch))
	}
	require.NoError(t, ch.Conn().Exec(ctx, "TRUNCATE TABLE case_facts"))
	ev, err := ch.Evaluate(ctx, quarterQuery(t))
	require.NoError(t, err)
	require.Zero(t, ev.Current.Received)

	require.NoError(t, ch.RebuildFacts(ctx))
	ev, err = ch.Evaluate(ctx, quarterQuery(t))
	require.NoError(t, err)
	checkQuarter(t, ev)

	require.NoError(t, ch.Optimize(ctx))
	ev, err = ch.Evaluate(ctx, departmentWeeksQuery(t))
	require.NoError(t, err)
	checkDepartmentWeeks(t, ev)

	require.NoError(t, ch.Truncate(ctx))
	ev, err = ch.Evaluate(ctx, quarterQuery(t))
	require.NoError(t, err)
	require.Zero(t, ev.Current.Received)
	require.Zero(t, ev.Previous.Received)
}

// Events of one case delivered one at a time, newest first, give the
// same fact row as delivering them together.
func TestIngestOneEventAtATime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, w := range map[string]Warehouse{"clickhouse": openTestClickHouse(t), "embedded": openTestEmbedded(t)} {
		fx := newFixture(t)
		var all []Event
		for _, c := range fx.cases {
			all = append(all, c.Events...)
		}
		for i := len(all) - 1; i >= 0; i-- {
			require.NoError(t, w.Ingest(ctx, all[i:i+1]), name)
		}
		ev, err := w.Evaluate(ctx, quarterQuery(t))
		require.NoError(t, err, name)
		checkQuarter(t, ev)
	}
}

func TestEmbeddedKeepsDataAcrossReopen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "warehouse.db")
	w, err := OpenEmbedded(ctx, path, shanghai(t))
	require.NoError(t, err)
	for _, batch := range newFixture(t).batches {
		require.NoError(t, w.Ingest(ctx, batch))
	}
	require.NoError(t, w.Close())

	w, err = OpenEmbedded(ctx, path, shanghai(t))
	require.NoError(t, err)
	defer w.Close()
	ev, err := w.Evaluate(ctx, quarterQuery(t))
	require.NoError(t, err)
	checkQuarter(t, ev)
	require.NoError(t, w.Truncate(ctx))
	ev, err = w.Evaluate(ctx, quarterQuery(t))
	require.NoError(t, err)
	require.Zero(t, ev.Current.Received)
}

func TestQueryValidation(t *testing.T) {
	t.Parallel()
	loc := shanghai(t)
	q := quarterQuery(t)
	_, err := planOf(Query{From: q.To, To: q.From, Location: loc}, loc)
	require.Error(t, err)
	_, err = planOf(Query{From: q.From, To: q.To, Trend: "DAY"}, loc)
	require.Error(t, err)
	p, err := planOf(Query{From: q.From, To: q.To}, loc)
	require.NoError(t, err)
	require.Equal(t, Month, p.q.Trend)
	require.Equal(t, DefaultTopN, p.topN)
	require.Equal(t, q.From.Unix()-90*86400, p.prev.from)
}

func TestNearestRank(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ n, median, p90 int64 }{
		{1, 1, 1}, {2, 1, 2}, {3, 2, 3}, {8, 4, 8}, {10, 5, 9}, {11, 6, 10}, {20, 10, 18}, {21, 11, 19},
	} {
		require.Equal(t, tc.median, medianRank(tc.n), "median rank of %d", tc.n)
		require.Equal(t, tc.p90, p90Rank(tc.n), "p90 rank of %d", tc.n)
	}
	require.Equal(t, Durations{Count: 4, Median: 20, P90: 40}, durationsOf([]int64{10, 20, 30, 40}))
}

// A channel or kind the fact codes do not know is still counted by name.
func TestClickHouseUnknownChannel(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	ch := openTestClickHouse(t)
	q := quarterQuery(t)
	e := Event{EventID: 1, CaseID: 1, Seq: 1, Type: "SUBMITTED", OccurredAt: q.From, ReceivedAt: q.From,
		Channel: "FAX", Kind: "COMPLAINT", DepartmentID: 1}
	require.NoError(t, ch.Ingest(ctx, []Event{e}))
	ev, err := ch.Evaluate(ctx, q)
	require.NoError(t, err)
	require.Equal(t, map[string]int64{"FAX": 1}, ev.Current.ByChannel)
	require.Equal(t, map[string]int64{"COMPLAINT": 1}, ev.Current.ByKind)

	e.EventID, e.PetitionerKey = 2, "not-a-key"
	require.ErrorContains(t, ch.Ingest(ctx, []Event{e}), "petitioner key")
}
