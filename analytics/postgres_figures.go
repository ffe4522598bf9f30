package analytics

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// EvaluatePostgres computes the figures of q with hand-written SQL
// directly over the transactional tables cases and case_events of a
// PostgreSQL database, without a warehouse. It is the reference the
// warehouses are checked against and the baseline of the benchmark.
//
// Case attributes come from cases (the current state, which the latest
// event of the warehouses mirrors); event facts from case_events and
// their payloads: RESPONDED.respondDue (the deadline in force at the
// response), RATED.rating, REVIEW_REQUESTED.round. Repeat petitioners are
// counted on petitioner_id, which gives the same counts as the
// warehouses' keyed hashes of it. A nil q.Location means Asia/Shanghai.
func EvaluatePostgres(ctx context.Context, db *sql.DB, q Query) (*Evaluation, error) {
	def, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		return nil, fmt.Errorf("postgres figures: %w", err)
	}
	p, err := planOf(q, def)
	if err != nil {
		return nil, err
	}
	rows, err := db.QueryContext(ctx, postgresFiguresSQL(p), postgresFiguresArgs(p)...)
	if err != nil {
		return nil, fmt.Errorf("postgres figures: %w", err)
	}
	defer rows.Close()
	var cur, prev totals
	var out []breakdown
	for rows.Next() {
		var (
			isCurrent                bool
			dim, key                 string
			t                        totals
			responded, within        int64
			rated, satisfied         int64
			ackMed, ackP90           sql.NullFloat64
			respMed, respP90         sql.NullFloat64
			resMed, resP90           sql.NullFloat64
			petitioners, repeatPetit int64
		)
		err := rows.Scan(&isCurrent, &dim, &key, &t.Received, &t.Accepted, &t.Declined,
			&t.Ack.Count, &ackMed, &ackP90, &responded, &respMed, &respP90, &t.Resolution.Count, &resMed, &resP90,
			&within, &t.Breaches, &t.Extensions, &t.Closed, &rated, &satisfied,
			&t.Reviews, &t.ReReviews, &petitioners, &repeatPetit)
		if err != nil {
			return nil, fmt.Errorf("postgres figures: %w", err)
		}
		if dim == "" {
			t.Ack.Median, t.Ack.P90 = ackMed.Float64, ackP90.Float64
			t.Response = Durations{Count: responded, Median: respMed.Float64, P90: respP90.Float64}
			t.Resolution.Median, t.Resolution.P90 = resMed.Float64, resP90.Float64
			t.WithinLimit, t.Rated, t.Satisfied = within, rated, satisfied
			t.Petitioners, t.RepeatPetitioners = petitioners, repeatPetit
			if isCurrent {
				cur = t
			} else {
				prev = t
			}
			continue
		}
		out = append(out, breakdown{
			Current: isCurrent, Dim: dim, Key: key, Cases: t.Received,
			Responded: responded, WithinLimit: within, Rated: rated, Satisfied: satisfied,
			MedianResponse: respMed.Float64,
		})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres figures: %w", err)
	}
	return p.assemble(cur, prev, out), nil
}

// postgresFiguresArgs are $1 previous start, $2 current start, $3 current
// end, $4 time zone, then the filters in the order postgresFiguresSQL
// numbers them.
func postgresFiguresArgs(p plan) []any {
	args := []any{time.Unix(p.prev.from, 0).UTC(), time.Unix(p.cur.from, 0).UTC(), time.Unix(p.cur.to, 0).UTC(), p.zone}
	if p.q.DepartmentID != 0 {
		args = append(args, p.q.DepartmentID)
	}
	if p.q.Channel != "" {
		args = append(args, p.q.Channel)
	}
	if p.q.Kind != "" {
		args = append(args, p.q.Kind)
	}
	if p.q.CategoryID != 0 {
		args = append(args, p.q.CategoryID)
	}
	return args
}

// postgresFiguresSQL is one statement: a per-case fold of the events
// (the fact rows the warehouses keep), then every figure of both periods
// in one GROUP BY GROUPING SETS. Times are compared and subtracted in
// whole seconds (floor of the epoch), as the warehouses keep them;
// percentile_disc is the nearest-rank quantile.
func postgresFiguresSQL(p plan) string {
	where := []string{"c.received_at >= $1", "c.received_at < $3"}
	n := 4
	next := func() string { n++; return "$" + strconv.Itoa(n) }
	if p.q.DepartmentID != 0 {
		where = append(where, "c.department_id = "+next())
	}
	if p.q.Channel != "" {
		where = append(where, "c.channel = "+next())
	}
	if p.q.Kind != "" {
		where = append(where, "c.kind = "+next())
	}
	if p.q.CategoryID != 0 {
		where = append(where, "c.category_id = "+next())
	}
	trunc := "month"
	if p.q.Trend == Week {
		trunc = "week"
	}
	return `WITH per_case AS (
	SELECT c.id, c.received_at >= $2 AS is_current,
		c.channel, c.kind, coalesce(c.category_id, 0) AS category_id,
		coalesce(c.service_project_id, 0) AS service_project_id, c.petitioner_id,
		to_char(date_trunc('` + trunc + `', c.received_at AT TIME ZONE $4), 'YYYY-MM-DD') AS bucket,
		floor(extract(epoch FROM c.received_at))::bigint AS received,
		floor(extract(epoch FROM min(e.occurred_at) FILTER (WHERE e.type IN ('SUBMITTED', 'RECORDED'))))::bigint AS acknowledged,
		bool_or(e.type = 'ACCEPTED') AS accepted,
		bool_or(e.type = 'DECLINED') AS declined,
		floor(extract(epoch FROM min(e.occurred_at) FILTER (WHERE e.type = 'RESPONDED')))::bigint AS responded,
		floor(extract(epoch FROM ((array_agg(e.payload->>'respondDue'
			ORDER BY floor(extract(epoch FROM e.occurred_at)), e.seq) FILTER (WHERE e.type = 'RESPONDED'))[1])::timestamptz))::bigint AS respond_due,
		floor(extract(epoch FROM min(e.occurred_at) FILTER (WHERE e.type = 'CLOSED')))::bigint AS closed,
		(array_agg((e.payload->>'rating')::int ORDER BY e.seq DESC) FILTER (WHERE e.type = 'RATED'))[1] AS rating,
		coalesce(max((e.payload->>'round')::int) FILTER (WHERE e.type = 'REVIEW_REQUESTED'), 0) AS review_round,
		count(*) FILTER (WHERE e.type = 'EXTENSION_APPROVED') AS extensions,
		count(*) FILTER (WHERE e.type = 'DEADLINE_BREACHED') AS breaches
	FROM cases c JOIN case_events e ON e.case_id = c.id
	WHERE ` + strings.Join(where, " AND ") + `
	GROUP BY c.id
), facts AS (
	SELECT *,
		responded IS NOT NULL AND (respond_due IS NULL OR responded <= respond_due) AS within,
		count(*) OVER (PARTITION BY is_current, petitioner_id) AS petitioner_cases
	FROM per_case
)
SELECT is_current,
	CASE WHEN GROUPING(channel) = 0 THEN '` + dimChannel + `'
		WHEN GROUPING(kind) = 0 THEN '` + dimKind + `'
		WHEN GROUPING(category_id) = 0 THEN '` + dimCategory + `'
		WHEN GROUPING(service_project_id) = 0 THEN '` + dimProject + `'
		WHEN GROUPING(bucket) = 0 THEN '` + dimBucket + `'
		ELSE '' END AS dim,
	coalesce(channel, kind, category_id::text, service_project_id::text, bucket, '') AS key,
	count(*) AS received,
	count(*) FILTER (WHERE accepted) AS accepted,
	count(*) FILTER (WHERE declined AND NOT accepted) AS declined,
	count(acknowledged),
	percentile_disc(0.5) WITHIN GROUP (ORDER BY acknowledged - received)::float8,
	percentile_disc(0.9) WITHIN GROUP (ORDER BY acknowledged - received)::float8,
	count(responded),
	percentile_disc(0.5) WITHIN GROUP (ORDER BY responded - received)::float8,
	percentile_disc(0.9) WITHIN GROUP (ORDER BY responded - received)::float8,
	count(closed),
	percentile_disc(0.5) WITHIN GROUP (ORDER BY closed - received)::float8,
	percentile_disc(0.9) WITHIN GROUP (ORDER BY closed - received)::float8,
	count(*) FILTER (WHERE within),
	count(*) FILTER (WHERE breaches > 0 OR (responded IS NOT NULL AND NOT within)),
	coalesce(sum(extensions), 0)::bigint,
	count(closed),
	count(rating),
	count(*) FILTER (WHERE rating >= 4),
	count(*) FILTER (WHERE review_round >= 1),
	count(*) FILTER (WHERE review_round >= 2),
	count(DISTINCT petitioner_id),
	count(DISTINCT petitioner_id) FILTER (WHERE petitioner_cases >= 2)
FROM facts
GROUP BY GROUPING SETS ((is_current), (is_current, channel), (is_current, kind),
	(is_current, category_id), (is_current, service_project_id), (is_current, bucket))`
}
