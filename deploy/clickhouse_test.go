package deploy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/analytics"
)

// clickhouseAddrEnv names the ClickHouse test server (native protocol),
// e.g. 127.0.0.1:19000 from scripts/clickhouse-test-server.sh: Debian's
// 18.16, the oldest release the warehouse SQL must run on.
const clickhouseAddrEnv = "XINFANG_TEST_CLICKHOUSE_ADDR"

// identifying names the columns an oversight query must never read: the
// committee sees aggregates, never a case, an event or a petitioner.
var identifying = regexp.MustCompile(`\b(case_id|event_id|petitioner_key|petitioner_hi|petitioner_lo)\b`)

// oversightQueries returns the SQL of the oversight dashboard by panel
// title.
func oversightQueries(t *testing.T) map[string]string {
	t.Helper()
	queries := map[string]string{}
	for _, tg := range dashboardByUID(t, "xinfang-oversight").targets() {
		require.Equal(t, clickhouseUID, tg.datasource, "panel %q", tg.panel)
		require.NotContains(t, queries, tg.panel, "two queries on panel %q", tg.panel)
		queries[tg.panel] = tg.sql
	}
	require.NotEmpty(t, queries)
	return queries
}

func TestOversightQueriesReadOnlyAggregates(t *testing.T) {
	t.Parallel()
	for panel, sql := range oversightQueries(t) {
		require.NotRegexp(t, identifying, sql, "panel %q reads an identifying column", panel)
		require.NotContains(t, sql, "*", "panel %q: name the columns", panel)
		require.Regexp(t, `^SELECT `, sql, "panel %q", panel)
		require.NotContains(t, sql, ";", "panel %q: one statement", panel)
	}
}

// timeFilter is the ClickHouse plugin's $__timeFilter(column) macro.
var timeFilter = regexp.MustCompile(`\$__timeFilter\(([a-z_]+)\)`)

// expandMacros does what Grafana and the ClickHouse plugin do to a query
// before sending it: dashboard variables, then the time-range macro.
func expandMacros(sql string, from, to time.Time) string {
	sql = strings.NewReplacer("${tz}", "Asia/Shanghai", "$tz", "Asia/Shanghai").Replace(sql)
	return timeFilter.ReplaceAllString(sql, fmt.Sprintf("$1 >= toDateTime(%d) AND $1 <= toDateTime(%d)", from.Unix(), to.Unix()))
}

func TestExpandMacros(t *testing.T) {
	t.Parallel()
	from, to := time.Unix(100, 0), time.Unix(200, 0)
	require.Equal(t,
		"SELECT toStartOfMonth(received_at, 'Asia/Shanghai') FROM case_facts FINAL WHERE received_at >= toDateTime(100) AND received_at <= toDateTime(200)",
		expandMacros("SELECT toStartOfMonth(received_at, '${tz}') FROM case_facts FINAL WHERE $__timeFilter(received_at)", from, to))
}

// openWarehouse creates the analytics schema in a database of its own on
// the test server, dropped at the end.
func openWarehouse(t *testing.T) *analytics.ClickHouse {
	t.Helper()
	addr := os.Getenv(clickhouseAddrEnv)
	if addr == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s must be set under CI", clickhouseAddrEnv)
		}
		t.Skipf("%s is not set: the oversight SQL is not run", clickhouseAddrEnv)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "xft_deploy_" + hex.EncodeToString(b[:])
	ch, err := analytics.OpenClickHouse(context.Background(), analytics.ClickHouseConfig{Addr: addr, Database: name})
	require.NoError(t, err)
	t.Cleanup(func() {
		if err := ch.Conn().Exec(context.Background(), "DROP DATABASE IF EXISTS "+name); err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
		ch.Close()
	})
	return ch
}

// seedCases stores twelve cases received in March 2026: eight of category
// 7 and four of category 9, in several channels and kinds; some replied
// in time, one late, some rated, one reviewed.
func seedCases(t *testing.T, ch *analytics.ClickHouse) {
	t.Helper()
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	channels := []string{"WEB", "HOTLINE", "EMAIL", "LETTER", "VISIT", "CONSULTATION"}
	kinds := []string{"COMPLAINT", "SUGGESTION", "INQUIRY", "PRAISE", "REPORT"}
	var events []analytics.Event
	eventID := int64(0)
	add := func(caseID int64, seq int32, typ string, at time.Time, e analytics.Event) {
		eventID++
		e.EventID, e.CaseID, e.Seq, e.Type, e.OccurredAt = eventID, caseID, seq, typ, at
		events = append(events, e)
	}
	for i := range 12 {
		caseID := int64(1000 + i)
		received := base.Add(time.Duration(i) * 24 * time.Hour)
		category := int64(7)
		if i >= 8 {
			category = 9
		}
		attrs := analytics.Event{
			Channel: channels[i%len(channels)], Kind: kinds[i%len(kinds)], Priority: "NORMAL",
			DepartmentID: 3, CategoryID: category, ReceivedAt: received,
			PetitionerKey: fmt.Sprintf("%032x", i+1),
		}
		add(caseID, 1, "SUBMITTED", received, attrs)
		add(caseID, 2, "ACCEPTED", received.Add(2*time.Hour), attrs)
		if i%4 == 3 {
			continue // still open
		}
		replied := attrs
		replied.Outcome = "EXPLAINED"
		replied.RespondDue = received.Add(48 * time.Hour)
		replyAfter := time.Duration(10+i) * time.Hour
		if i == 5 {
			replyAfter = 60 * time.Hour // late
			add(caseID, 3, "DEADLINE_BREACHED", received.Add(48*time.Hour), analytics.Event{
				Channel: attrs.Channel, Kind: attrs.Kind, Priority: "NORMAL", DepartmentID: 3, CategoryID: category,
				ReceivedAt: received, PetitionerKey: attrs.PetitionerKey, Deadline: "respond",
			})
		}
		add(caseID, 4, "RESPONDED", received.Add(replyAfter), replied)
		add(caseID, 5, "CLOSED", received.Add(replyAfter+time.Hour), attrs)
		rated := attrs
		rated.Rating = int8(3 + i%3)
		add(caseID, 6, "RATED", received.Add(replyAfter+2*time.Hour), rated)
		if i == 0 {
			review := attrs
			review.ReviewRound = 1
			add(caseID, 7, "REVIEW_REQUESTED", received.Add(72*time.Hour), review)
		}
	}
	require.NoError(t, ch.Ingest(context.Background(), events))
}

// queryRows runs sql and returns its column names and rows, each value
// scanned into its column's Go type.
func queryRows(t *testing.T, ch *analytics.ClickHouse, panel, sql string) ([]string, [][]any) {
	t.Helper()
	rows, err := ch.Conn().Query(context.Background(), sql)
	require.NoError(t, err, "panel %q:\n%s", panel, sql)
	defer rows.Close()
	columns := rows.Columns()
	types := rows.ColumnTypes()
	var out [][]any
	for rows.Next() {
		dest := make([]any, len(types))
		for i, ct := range types {
			dest[i] = reflect.New(ct.ScanType()).Interface()
		}
		require.NoError(t, rows.Scan(dest...), "panel %q", panel)
		row := make([]any, len(dest))
		for i, d := range dest {
			row[i] = reflect.ValueOf(d).Elem().Interface()
		}
		out = append(out, row)
	}
	require.NoError(t, rows.Err(), "panel %q", panel)
	return columns, out
}

// The oversight dashboard's SQL runs on the test server (ClickHouse 18.16,
// the oldest supported) and gives the figures of the seeded cases.
func TestOversightQueriesRunOnClickHouse(t *testing.T) {
	t.Parallel()
	ch := openWarehouse(t)
	seedCases(t, ch)
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	to := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

	results := map[string][][]any{}
	for panel, sql := range oversightQueries(t) {
		columns, rows := queryRows(t, ch, panel, expandMacros(sql, from, to))
		require.NotEmpty(t, rows, "panel %q returns no row", panel)
		for _, c := range columns {
			require.NotRegexp(t, identifying, c, "panel %q returns an identifying column", panel)
		}
		results[panel] = rows
	}

	require.Equal(t, [][]any{{uint64(12)}}, results["Cases received"])
	// Replied: the nine cases other than 3, 7 and 11; all but case 5 in
	// time.
	within := toFloat(t, results["Replied within the limit"][0][0])
	require.InDelta(t, 8.0/9.0, within, 1e-9)
	// Reply after 10+i hours for i in 0,1,2,4,6,8,9,10 and 60 h for i=5:
	// the median of {10,11,12,14,16,18,19,20,60} is 16 h.
	require.InDelta(t, 16*3600, toFloat(t, results["Median time to reply"][0][0]), 1e-9)

	// One month, each channel counted once per case.
	months := results["Cases by channel"]
	require.Len(t, months, 1)
	require.Equal(t, "2026-03", months[0][0])
	var total float64
	for _, v := range months[0][1:] {
		total += toFloat(t, v)
	}
	require.Equal(t, 12.0, total)

	// Category 9 has four cases: too few to show.
	byCategory := results["By category"]
	require.Len(t, byCategory, 1)
	require.Equal(t, "7", fmt.Sprint(byCategory[0][0]))
	require.Equal(t, "8", fmt.Sprint(byCategory[0][1]))

	// A query outside the period finds nothing.
	_, none := queryRows(t, ch, "Cases received", expandMacros(oversightQueries(t)["Cases received"],
		time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)))
	require.Equal(t, [][]any{{uint64(0)}}, none)
}

func toFloat(t *testing.T, v any) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(fmt.Sprint(v), 64)
	require.NoError(t, err, "%v (%T) is no number", v, v)
	return f
}
