package analytics

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// Evaluate computes both periods with two queries over case_facts FINAL
// that run at once: one for the totals, one for the breakdowns and the
// trend. FINAL keeps the latest row of each case even before parts merge;
// ClickHouse reads a FINAL table in one stream, so the two queries use
// both cores of a small server.
func (ch *ClickHouse) Evaluate(ctx context.Context, q Query) (*Evaluation, error) {
	p, err := planOf(q, ch.loc)
	if err != nil {
		return nil, err
	}
	var (
		wg             sync.WaitGroup
		cur, prev      totals
		rows           []breakdown
		errTot, errBrk error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		cur, prev, errTot = ch.totals(ctx, p)
	}()
	rows, errBrk = ch.breakdowns(ctx, p)
	wg.Wait()
	if errTot != nil {
		return nil, errTot
	}
	if errBrk != nil {
		return nil, errBrk
	}
	return p.assemble(cur, prev, rows), nil
}

// chFacts is the fact rows of both periods, filtered; isCurrent tells
// the periods apart.
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
	return "SELECT received_at >= toDateTime(" + strconv.FormatInt(p.cur.from, 10) + ") AS is_current, " + columns +
		" FROM case_facts FINAL WHERE " + strings.Join(where, " AND ")
}

// The conditions shared by the queries, over case_facts columns.
const (
	chWithin   = "(responded_at != 0 AND (respond_due = 0 OR responded_at <= respond_due))"
	chBreached = "(breaches > 0 OR (responded_at != 0 AND respond_due != 0 AND responded_at > respond_due))"
)

// chQuantiles selects the count, nearest-rank median and 90th percentile
// of a sorted array column.
func chQuantiles(arr string) string {
	return fmt.Sprintf("toInt64(length(%[1]s)), toFloat64(%[1]s[intDiv(length(%[1]s) + 1, 2)]), toFloat64(%[1]s[intDiv(9 * length(%[1]s) + 9, 10)])", arr)
}

func (ch *ClickHouse) totals(ctx context.Context, p plan) (cur, prev totals, err error) {
	inner := `SELECT is_current,
    toInt64(count()) AS t_received,
    toInt64(countIf(accepted_at != 0)) AS t_accepted,
    toInt64(countIf(declined_at != 0 AND accepted_at = 0)) AS t_declined,
    arraySort(groupArrayIf(toInt64(acknowledged_at) - toInt64(received_at), acknowledged_at != 0)) AS t_ack,
    arraySort(groupArrayIf(toInt64(responded_at) - toInt64(received_at), responded_at != 0)) AS t_resp,
    arraySort(groupArrayIf(toInt64(closed_at) - toInt64(received_at), closed_at != 0)) AS t_res,
    toInt64(countIf(` + chWithin + `)) AS t_within,
    toInt64(countIf(` + chBreached + `)) AS t_breaches,
    toInt64(sum(extensions)) AS t_extensions,
    toInt64(countIf(closed_at != 0)) AS t_closed,
    toInt64(countIf(rating > 0)) AS t_rated,
    toInt64(countIf(rating >= 4)) AS t_satisfied,
    toInt64(countIf(review_round >= 1)) AS t_reviews,
    toInt64(countIf(review_round >= 2)) AS t_rereviews,
    arrayEnumerateUniq(groupArrayIf(petitioner_key, petitioner_key != '')) AS t_occurrence
FROM (` + chFacts(p, "received_at, accepted_at, declined_at, acknowledged_at, responded_at, respond_due, closed_at, breaches, extensions, rating, review_round, petitioner_key") + `)
GROUP BY is_current`
	query := `SELECT toUInt8(is_current), t_received, t_accepted, t_declined,
    ` + chQuantiles("t_ack") + `, ` + chQuantiles("t_resp") + `, ` + chQuantiles("t_res") + `,
    t_within, t_breaches, t_extensions, t_closed, t_rated, t_satisfied, t_reviews, t_rereviews,
    toInt64(countEqual(t_occurrence, 1)), toInt64(countEqual(t_occurrence, 2))
FROM (` + inner + `)`
	rows, err := ch.conn.Query(ctx, query)
	if err != nil {
		return cur, prev, fmt.Errorf("clickhouse: evaluation totals: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var isCurrent uint8
		var t totals
		err := rows.Scan(&isCurrent, &t.Received, &t.Accepted, &t.Declined,
			&t.Ack.Count, &t.Ack.Median, &t.Ack.P90,
			&t.Response.Count, &t.Response.Median, &t.Response.P90,
			&t.Resolution.Count, &t.Resolution.Median, &t.Resolution.P90,
			&t.WithinLimit, &t.Breaches, &t.Extensions, &t.Closed, &t.Rated, &t.Satisfied,
			&t.Reviews, &t.ReReviews, &t.Petitioners, &t.RepeatPetitioners)
		if err != nil {
			return cur, prev, fmt.Errorf("clickhouse: evaluation totals: %w", err)
		}
		if isCurrent == 1 {
			cur = t
		} else {
			prev = t
		}
	}
	if err := rows.Err(); err != nil {
		return cur, prev, fmt.Errorf("clickhouse: evaluation totals: %w", err)
	}
	return cur, prev, nil
}

func (ch *ClickHouse) breakdowns(ctx context.Context, p plan) ([]breakdown, error) {
	bucket := "toStartOfMonth(received_at, " + chQuote(p.zone) + ")"
	if p.q.Trend == Week {
		bucket = "toMonday(received_at, " + chQuote(p.zone) + ")"
	}
	// One row per case and dimension (ARRAY JOIN), grouped once.
	facts := chFacts(p, `responded_at, respond_due, rating,
        toInt64(responded_at) - toInt64(received_at) AS response_secs,
        [('`+dimChannel+`', channel), ('`+dimKind+`', kind),
         ('`+dimCategory+`', toString(category_id)), ('`+dimProject+`', toString(service_project_id)),
         ('`+dimBucket+`', toString(`+bucket+`))] AS dims`)
	query := `SELECT toUInt8(is_current), dim, key, cases, responded, within, rated, satisfied,
    toFloat64(response[intDiv(length(response) + 1, 2)])
FROM (
    SELECT is_current, tupleElement(dk, 1) AS dim, tupleElement(dk, 2) AS key,
        toInt64(count()) AS cases,
        toInt64(countIf(responded_at != 0)) AS responded,
        toInt64(countIf(` + chWithin + `)) AS within,
        toInt64(countIf(rating > 0)) AS rated,
        toInt64(countIf(rating >= 4)) AS satisfied,
        arraySort(groupArrayIf(response_secs, responded_at != 0 AND tupleElement(dk, 1) = '` + dimBucket + `')) AS response
    FROM (` + facts + `)
    ARRAY JOIN dims AS dk
    GROUP BY is_current, dim, key
)`
	rows, err := ch.conn.Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("clickhouse: evaluation breakdowns: %w", err)
	}
	defer rows.Close()
	var out []breakdown
	for rows.Next() {
		var isCurrent uint8
		var b breakdown
		if err := rows.Scan(&isCurrent, &b.Dim, &b.Key, &b.Cases, &b.Responded, &b.WithinLimit,
			&b.Rated, &b.Satisfied, &b.MedianResponse); err != nil {
			return nil, fmt.Errorf("clickhouse: evaluation breakdowns: %w", err)
		}
		b.Current = isCurrent == 1
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("clickhouse: evaluation breakdowns: %w", err)
	}
	return out, nil
}
