package analytics

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Evaluate computes both periods with three queries over case_facts
// FINAL that run at once: totals and trend (GROUP BY period, bucket WITH
// ROLLUP), the counts by channel, kind, category and service project, and
// the petitioners. FINAL keeps the latest row of each case even before
// parts merge; ClickHouse 18.16 reads a FINAL table in one stream, so
// concurrent queries are what puts a second core to work.
func (ch *ClickHouse) Evaluate(ctx context.Context, q Query) (*Evaluation, error) {
	p, err := planOf(q, ch.loc)
	if err != nil {
		return nil, err
	}
	var (
		wg               sync.WaitGroup
		tot              [3]totals // by period code: 1 previous, 2 current
		trend, combos    []breakdown
		pet              [3][2]int64
		errA, errB, errC error
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		trend, errA = ch.totalsAndTrend(ctx, p, &tot)
	}()
	go func() {
		defer wg.Done()
		errC = ch.petitioners(ctx, p, &pet)
	}()
	combos, errB = ch.combinations(ctx, p)
	wg.Wait()
	for _, err := range []error{errA, errB, errC} {
		if err != nil {
			return nil, err
		}
	}
	for code := 1; code <= 2; code++ {
		tot[code].Petitioners, tot[code].RepeatPetitioners = pet[code][0], pet[code][1]
	}
	return p.assemble(tot[2], tot[1], append(trend, combos...)), nil
}

// chFacts is the fact rows of both periods, filtered, with period 2 for
// the current one and 1 for the previous one (0 is ROLLUP's grand total).
func chFacts(p plan, columns string) string {
	where := []string{
		"received_at >= toDateTime(" + strconv.FormatInt(p.prev.from, 10) + ")",
		"received_at < toDateTime(" + strconv.FormatInt(p.cur.to, 10) + ")",
	}
	if p.q.DepartmentID != 0 {
		where = append(where, "department_id = "+strconv.FormatInt(p.q.DepartmentID, 10))
	}
	if p.q.Channel != "" {
		where = append(where, "channel = "+chQuote(p.q.Channel))
	}
	if p.q.Kind != "" {
		where = append(where, "kind = "+chQuote(p.q.Kind))
	}
	if p.q.CategoryID != 0 {
		where = append(where, "category_id = "+strconv.FormatInt(p.q.CategoryID, 10))
	}
	// WHERE, never PREWHERE: with FINAL, a PREWHERE on a column that
	// changes between a case's rows would pick an outdated row.
	return "SELECT if(received_at >= toDateTime(" + strconv.FormatInt(p.cur.from, 10) + "), 2, 1) AS period, " + columns +
		" FROM case_facts FINAL WHERE " + strings.Join(where, " AND ")
}

// chQuantiles is the count, nearest-rank median and 90th percentile of
// the seconds from received_at to column, over the rows where it is set.
// quantilesExact(level) returns the value at 0-based index
// floor(level·n) of the ascending values; over the negated values that is
// rank n − floor(level·n) of the ascending ones, which for levels 0.5 and
// 0.1 is ceil(0.5·n) and ceil(0.9·n): the nearest ranks. (quantileExactLow
// is not in 18.16; sorting a groupArray is slower.)
func chQuantiles(column string) string {
	return fmt.Sprintf("toInt64(countIf(%[1]s != 0)), "+
		"quantilesExactIf(0.5, 0.1)(toInt32(toUInt32(received_at) - toUInt32(%[1]s)), %[1]s != 0)", column)
}

// negatedQuantiles turns chQuantiles' two values back into seconds.
// (Int32 values: half the memory of Int64 and measurably faster; 68 years
// of seconds fit.)
func negatedQuantiles(count int64, q []int32) Durations {
	if count == 0 || len(q) != 2 {
		return Durations{Count: count}
	}
	return Durations{Count: count, Median: float64(-q[0]), P90: float64(-q[1])}
}

func (ch *ClickHouse) totalsAndTrend(ctx context.Context, p plan, tot *[3]totals) ([]breakdown, error) {
	bucket := "toStartOfMonth(received_at, " + chQuote(p.zone) + ")"
	if p.q.Trend == Week {
		bucket = "toMonday(received_at, " + chQuote(p.zone) + ")"
	}
	query := `SELECT period, toUInt16(bucket),
    toInt64(count()),
    toInt64(countIf(accepted_at != 0)),
    toInt64(countIf(declined_at != 0 AND accepted_at = 0)),
    ` + chQuantiles("acknowledged_at") + `,
    ` + chQuantiles("responded_at") + `,
    ` + chQuantiles("closed_at") + `,
    toInt64(sum(within)),
    toInt64(sum(breached)),
    toInt64(sum(extensions)),
    toInt64(countIf(rating > 0)),
    toInt64(countIf(rating >= 4)),
    toInt64(countIf(review_round >= 1)),
    toInt64(countIf(review_round >= 2))
FROM (` + chFacts(p, bucket+` AS bucket, received_at, accepted_at, declined_at, acknowledged_at, responded_at,
    closed_at, within, breached, extensions, rating, review_round`) + `)
GROUP BY period, bucket WITH ROLLUP`
	rows, err := ch.conn.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: evaluation totals: %w", err)
	}
	defer rows.Close()
	var trend []breakdown
	for rows.Next() {
		var (
			period            uint8
			bucketDay         uint16
			t                 totals
			ackQ, respQ, resQ []int32
		)
		err := rows.Scan(&period, &bucketDay, &t.Received, &t.Accepted, &t.Declined,
			&t.Ack.Count, &ackQ, &t.Response.Count, &respQ, &t.Resolution.Count, &resQ,
			&t.WithinLimit, &t.Breaches, &t.Extensions, &t.Rated, &t.Satisfied, &t.Reviews, &t.ReReviews)
		if err != nil {
			return nil, fmt.Errorf("clickhouse: evaluation totals: %w", err)
		}
		t.Ack = negatedQuantiles(t.Ack.Count, ackQ)
		t.Response = negatedQuantiles(t.Response.Count, respQ)
		t.Resolution = negatedQuantiles(t.Resolution.Count, resQ)
		t.Closed = t.Resolution.Count
		switch {
		case period == 0: // the grand total of both periods
		case bucketDay == 0: // the total of a period
			tot[period] = t
		default:
			// Buckets come as day numbers: ROLLUP's totals are the
			// default Date, which versions print differently.
			day := time.Unix(int64(bucketDay)*86400, 0).UTC().Format("2006-01-02")
			trend = append(trend, breakdown{
				Current: period == 2, Dim: dimBucket, Key: day, Cases: t.Received,
				Responded: t.Response.Count, WithinLimit: t.WithinLimit, Rated: t.Rated, Satisfied: t.Satisfied,
				MedianResponse: t.Response.Median,
			})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clickhouse: evaluation totals: %w", err)
	}
	return trend, nil
}

// combinations counts the cases by channel, kind, category and service
// project together (a few thousand groups at most) and splits the counts
// by dimension in Go. Channels and kinds are grouped by code; when a case
// has a value without one (code 0), they are grouped by name instead.
func (ch *ClickHouse) combinations(ctx context.Context, p plan) ([]breakdown, error) {
	out, unknown, err := ch.combinationsBy(ctx, p, "channel_code", "kind_code")
	if err == nil && unknown {
		out, _, err = ch.combinationsBy(ctx, p, "channel", "kind")
	}
	return out, err
}

func (ch *ClickHouse) combinationsBy(ctx context.Context, p plan, channel, kind string) (out []breakdown, unknown bool, err error) {
	query := `SELECT period, toString(` + channel + `), toString(` + kind + `), category_id, service_project_id, toInt64(count())
FROM (` + chFacts(p, channel+", "+kind+", category_id, service_project_id") + `)
GROUP BY period, ` + channel + `, ` + kind + `, category_id, service_project_id`
	rows, err := ch.conn.Query(ctx, query)
	if err != nil {
		return nil, false, fmt.Errorf("clickhouse: evaluation breakdowns: %w", err)
	}
	defer rows.Close()
	name := func(key string, names []string) string {
		if channel == "channel" {
			return key
		}
		code, _ := strconv.Atoi(key)
		if code < 1 || code > len(names) {
			unknown = true
			return ""
		}
		return names[code-1]
	}
	sums := map[breakdown]int64{}
	for rows.Next() {
		var (
			period              uint8
			channelKey, kindKey string
			cat, proj           uint64
			n                   int64
		)
		if err := rows.Scan(&period, &channelKey, &kindKey, &cat, &proj, &n); err != nil {
			return nil, false, fmt.Errorf("clickhouse: evaluation breakdowns: %w", err)
		}
		cur := period == 2
		sums[breakdown{Current: cur, Dim: dimChannel, Key: name(channelKey, channelCodes)}] += n
		sums[breakdown{Current: cur, Dim: dimKind, Key: name(kindKey, kindCodes)}] += n
		sums[breakdown{Current: cur, Dim: dimCategory, Key: strconv.FormatUint(cat, 10)}] += n
		sums[breakdown{Current: cur, Dim: dimProject, Key: strconv.FormatUint(proj, 10)}] += n
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("clickhouse: evaluation breakdowns: %w", err)
	}
	out = make([]breakdown, 0, len(sums))
	for b, n := range sums {
		b.Cases = n
		out = append(out, b)
	}
	return out, unknown, nil
}

// petitioners counts, per period, the distinct petitioner keys and those
// with two or more cases: arrayEnumerateUniq numbers each occurrence of a
// key (1 for its first case, 2 for its second, ...).
func (ch *ClickHouse) petitioners(ctx context.Context, p plan, out *[3][2]int64) error {
	query := `SELECT period, toInt64(countEqual(occurrence, 1)), toInt64(countEqual(occurrence, 2))
FROM (
    SELECT period, arrayEnumerateUniq(groupArrayIf(petitioner_hi, identified), groupArrayIf(petitioner_lo, identified)) AS occurrence
    FROM (` + chFacts(p, "petitioner_hi, petitioner_lo, petitioner_hi != 0 OR petitioner_lo != 0 AS identified") + `)
    GROUP BY period
)`
	rows, err := ch.conn.Query(ctx, query)
	if err != nil {
		return fmt.Errorf("clickhouse: evaluation petitioners: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var period uint8
		var distinct, repeat int64
		if err := rows.Scan(&period, &distinct, &repeat); err != nil {
			return fmt.Errorf("clickhouse: evaluation petitioners: %w", err)
		}
		out[period] = [2]int64{distinct, repeat}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("clickhouse: evaluation petitioners: %w", err)
	}
	return nil
}
