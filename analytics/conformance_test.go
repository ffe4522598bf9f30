package analytics

import (
	"context"
	"log/slog"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/internal/store"
	"github.com/xinfang/xinfang/internal/testenv"
)

// The conformance suite feeds every warehouse the same hand-written event
// stream and checks the figures against numbers worked out by hand (see
// the comments at each case and in expectedQuarter). The stream covers two
// quarters of 2026 in Asia/Shanghai: the current period is
// [2026-01-01, 2026-04-01) and so the previous one is
// [2025-10-03, 2026-01-01) (90 days each).

var petitionerSecret = []byte("conformance")

// fixtureCase is a case of the stream; its events take its attributes
// unless an option changes them.
type fixtureCase struct {
	id         int64
	channel    string
	kind       string
	dept       int64
	cat, proj  int64
	petitioner int64 // 0: anonymous
	received   time.Time
	seq        int32
}

type eventOption func(c *fixtureCase, e *Event)

func due(d time.Duration) eventOption {
	return func(c *fixtureCase, e *Event) { e.RespondDue = c.received.Add(d) }
}
func rating(n int8) eventOption { return func(_ *fixtureCase, e *Event) { e.Rating = n } }
func round(r int32) eventOption { return func(_ *fixtureCase, e *Event) { e.ReviewRound = r } }

// ev is the case's next event, offset after its receipt.
func (c *fixtureCase) ev(typ string, offset time.Duration, opts ...eventOption) Event {
	c.seq++
	e := Event{
		EventID: c.id*100 + int64(c.seq), CaseID: c.id, Seq: c.seq, Type: typ,
		OccurredAt: c.received.Add(offset), ActorKind: "STAFF", ToStatus: "X",
		Channel: c.channel, Kind: c.kind, Priority: "NORMAL", DepartmentID: c.dept,
		CategoryID: c.cat, ServiceProjectID: c.proj, ReceivedAt: c.received,
	}
	if c.petitioner != 0 {
		e.PetitionerKey = PetitionerKey(petitionerSecret, int(c.petitioner))
	}
	switch typ {
	case "EXTENSION_APPROVED":
		e.ExtensionHours = 24
	case "DEADLINE_BREACHED":
		e.Deadline = "RESPOND"
	case "RESPONDED":
		e.Outcome = "EXPLAINED"
	}
	for _, o := range opts {
		o(c, &e)
	}
	return e
}

// fixture is the stream in three deliveries (the last repeats the second,
// as a relay retrying would), and the cases with their petitioners for
// loading PostgreSQL.
type fixture struct {
	batches [][]Event
	cases   []BenchCase
}

func newFixture(t testing.TB) fixture {
	loc := shanghai(t)
	at := func(y int, m time.Month, d, h, mi, s, ns int) time.Time {
		return time.Date(y, m, d, h, mi, s, ns, loc)
	}
	h := time.Hour
	const (
		pA, pB, pC, pD, pE = 1, 2, 3, 4, 5
	)
	mk := func(id int64, channel, kind string, dept, cat, proj, pet int64, received time.Time) *fixtureCase {
		return &fixtureCase{id: id, channel: channel, kind: kind, dept: dept, cat: cat, proj: proj, petitioner: pet, received: received}
	}
	// Current period.
	// C1: web complaint, answered in 24 h of 48, closed at 30 h, rated 5.
	c1 := mk(1, "WEB", "COMPLAINT", 10, 100, 200, pA, at(2026, 1, 5, 9, 0, 0, 700_000_000))
	c1e := []Event{
		c1.ev("SUBMITTED", 0), c1.ev("ACCEPTED", h), c1.ev("ASSIGNED", 2*h), c1.ev("WORK_STARTED", 3*h),
		c1.ev("RESPONDED", 24*h, due(48*h)), c1.ev("CLOSED", 30*h), c1.ev("RATED", 40*h, rating(5)),
	}
	// C2: hotline, recorded 2 h after receipt, two extensions, answered at
	// 72 h of 96, closed at 73 h, rated 3, reviewed (round 1), answered and
	// closed again, rated 4: the latest rating (4) counts.
	c2 := mk(2, "HOTLINE", "COMPLAINT", 10, 100, 0, pB, at(2026, 1, 10, 10, 0, 0, 0))
	c2e := []Event{
		c2.ev("RECORDED", 2*h), c2.ev("ACCEPTED", 3*h), c2.ev("ASSIGNED", 4*h),
		c2.ev("EXTENSION_APPROVED", 10*h), c2.ev("EXTENSION_APPROVED", 20*h), c2.ev("WORK_STARTED", 21*h),
		c2.ev("RESPONDED", 72*h, due(96*h)), c2.ev("CLOSED", 73*h), c2.ev("RATED", 80*h, rating(3)),
		c2.ev("REVIEW_REQUESTED", 90*h, round(1)), c2.ev("ASSIGNED", 91*h, round(1)),
		c2.ev("RESPONDED", 100*h, due(140*h), round(1)), c2.ev("CLOSED", 101*h, round(1)),
		c2.ev("RATED", 110*h, rating(4), round(1)),
	}
	// C3: anonymous web suggestion, declined.
	c3 := mk(3, "WEB", "SUGGESTION", 11, 101, 200, 0, at(2026, 2, 3, 8, 0, 0, 0))
	c3e := []Event{c3.ev("SUBMITTED", 0), c3.ev("DECLINED", 5*h)}
	// C4: e-mail from pA again, recorded after 1 h, a breach event at 50 h,
	// answered late at 60 h of 48, closed, not rated.
	c4 := mk(4, "EMAIL", "COMPLAINT", 11, 101, 201, pA, at(2026, 2, 14, 12, 0, 0, 0))
	c4e := []Event{
		c4.ev("RECORDED", h), c4.ev("ACCEPTED", 2*h), c4.ev("ASSIGNED", 3*h), c4.ev("DEADLINE_BREACHED", 50*h),
		c4.ev("WORK_STARTED", 51*h), c4.ev("RESPONDED", 60*h, due(48*h)), c4.ev("CLOSED", 61*h),
	}
	// C5: web inquiry transferred from department 10 to 11; answered at
	// 10 h with no deadline (counts as within); not closed.
	c5 := mk(5, "WEB", "INQUIRY", 10, 0, 0, pC, at(2026, 3, 2, 9, 0, 0, 0))
	c5e := []Event{c5.ev("SUBMITTED", 0), c5.ev("ACCEPTED", h)}
	c5.dept = 11
	c5e = append(c5e, c5.ev("TRANSFERRED", 2*h), c5.ev("ASSIGNED", 3*h), c5.ev("WORK_STARTED", 4*h), c5.ev("RESPONDED", 10*h))
	// C6: letter from pB again, recorded a day after receipt, answered late
	// (100 h of 72) with no breach event, rated 2, reviewed twice.
	c6 := mk(6, "LETTER", "COMPLAINT", 10, 100, 201, pB, at(2026, 3, 20, 0, 0, 0, 0))
	c6e := []Event{
		c6.ev("RECORDED", 24*h), c6.ev("ACCEPTED", 25*h), c6.ev("ASSIGNED", 26*h), c6.ev("WORK_STARTED", 27*h),
		c6.ev("RESPONDED", 100*h, due(72*h)), c6.ev("CLOSED", 101*h), c6.ev("RATED", 102*h, rating(2)),
		c6.ev("REVIEW_REQUESTED", 103*h, round(1)), c6.ev("RESPONDED", 110*h, round(1)),
		c6.ev("CLOSED", 111*h, round(1)), c6.ev("REVIEW_REQUESTED", 112*h, round(2)),
	}
	// C7: praise in the last half hour of the period, nothing else.
	c7 := mk(7, "WEB", "PRAISE", 12, 102, 0, pD, at(2026, 3, 31, 23, 30, 0, 0))
	c7e := []Event{c7.ev("SUBMITTED", 0)}
	// C8: received exactly at the end of the period: in neither.
	c8 := mk(8, "WEB", "COMPLAINT", 10, 100, 200, pA, at(2026, 4, 1, 0, 0, 0, 0))
	c8e := []Event{c8.ev("SUBMITTED", 0), c8.ev("ACCEPTED", h)}
	// C9: a visit received exactly at the start of the period, answered at
	// 5 h, closed at 6 h, rated 3 (not satisfied).
	c9 := mk(9, "VISIT", "COMPLAINT", 12, 100, 0, pE, at(2026, 1, 1, 0, 0, 0, 0))
	c9e := []Event{
		c9.ev("RECORDED", 0), c9.ev("ACCEPTED", h), c9.ev("ASSIGNED", h), c9.ev("WORK_STARTED", 2*h),
		c9.ev("RESPONDED", 5*h, due(48*h)), c9.ev("CLOSED", 6*h), c9.ev("RATED", 7*h, rating(3)),
	}
	// Previous period.
	// P1: answered exactly at its deadline (48 h: within), rated 4.
	p1 := mk(11, "WEB", "COMPLAINT", 10, 100, 200, pA, at(2025, 11, 3, 10, 0, 0, 0))
	p1e := []Event{
		p1.ev("SUBMITTED", 0), p1.ev("ACCEPTED", h), p1.ev("ASSIGNED", 2*h), p1.ev("WORK_STARTED", 3*h),
		p1.ev("RESPONDED", 48*h, due(48*h)), p1.ev("CLOSED", 50*h), p1.ev("RATED", 51*h, rating(4)),
	}
	// P2: anonymous, received in the last second of the previous period,
	// answered late (72 h of 48), closed.
	p2 := mk(12, "HOTLINE", "SUGGESTION", 11, 101, 0, 0, at(2025, 12, 31, 23, 59, 59, 900_000_000))
	p2e := []Event{
		p2.ev("RECORDED", h), p2.ev("ACCEPTED", 2*h), p2.ev("ASSIGNED", 3*h), p2.ev("WORK_STARTED", 4*h),
		p2.ev("RESPONDED", 72*h, due(48*h)), p2.ev("CLOSED", 73*h),
	}
	// P3: received the day before the previous period: in neither.
	p3 := mk(13, "WEB", "COMPLAINT", 10, 100, 200, pA, at(2025, 10, 2, 23, 0, 0, 0))
	p3e := []Event{p3.ev("SUBMITTED", 0), p3.ev("ACCEPTED", h)}

	var first []Event
	for _, evs := range [][]Event{c1e, c3e, c4e, c6e, c7e, c8e, c9e, p1e, p2e, p3e, c2e[:5], c5e[3:]} {
		first = append(first, evs...)
	}
	second := append(append(append([]Event{}, c2e[3:]...), c5e[:3]...), c1e[6], c4e[3])

	all := map[int64][]Event{}
	pet := map[int64]int64{}
	for _, c := range []*fixtureCase{c1, c2, c3, c4, c5, c6, c7, c8, c9, p1, p2, p3} {
		pet[c.id] = c.petitioner
	}
	for _, e := range append(append([]Event{}, first...), second...) {
		all[e.CaseID] = append(all[e.CaseID], e)
	}
	var cases []BenchCase
	for id, evs := range all {
		sort.Slice(evs, func(i, j int) bool { return evs[i].Seq < evs[j].Seq })
		cases = append(cases, BenchCase{ID: id, PetitionerID: pet[id], Events: evs})
	}
	sort.Slice(cases, func(i, j int) bool { return cases[i].ID < cases[j].ID })
	return fixture{batches: [][]Event{first, second, second}, cases: cases}
}

// Worked out by hand from the stream above. Durations are in seconds.
func quarterQuery(t testing.TB) Query {
	loc := shanghai(t)
	return Query{
		From: time.Date(2026, 1, 1, 0, 0, 0, 0, loc), To: time.Date(2026, 4, 1, 0, 0, 0, 0, loc),
		Trend: Month, Location: loc,
	}
}

func checkQuarter(t *testing.T, ev *Evaluation) {
	t.Helper()
	loc := shanghai(t)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }

	cur := ev.Current
	checkPeriod(t, cur, day(2026, 1, 1), day(2026, 4, 1))
	// C1 C2 C3 C4 C5 C6 C7 C9.
	require.Equal(t, int64(8), cur.Received)
	require.Equal(t, map[string]int64{"WEB": 4, "HOTLINE": 1, "EMAIL": 1, "LETTER": 1, "VISIT": 1}, cur.ByChannel)
	require.Equal(t, map[string]int64{"COMPLAINT": 5, "SUGGESTION": 1, "INQUIRY": 1, "PRAISE": 1}, cur.ByKind)
	require.Equal(t, int64(6), cur.Accepted) // C1 C2 C4 C5 C6 C9
	require.Equal(t, int64(1), cur.Declined) // C3
	require.Equal(t, 6.0/7, cur.AcceptanceRate)
	// 0 0 0 0 0 3600 7200 86400: rank 4 and rank 8.
	require.Equal(t, Durations{Count: 8, Median: 0, P90: 86400}, cur.TimeToAcknowledge)
	// 18000 36000 86400 216000 259200 360000: rank 3 and rank 6.
	require.Equal(t, Durations{Count: 6, Median: 86400, P90: 360000}, cur.TimeToFirstResponse)
	// 21600 108000 219600 262800 363600: rank 3 and rank 5.
	require.Equal(t, Durations{Count: 5, Median: 219600, P90: 363600}, cur.TimeToResolution)
	require.Equal(t, int64(6), cur.Responded)
	require.Equal(t, int64(4), cur.WithinLimit) // C1 C2 C5 C9
	require.Equal(t, 4.0/6, cur.WithinLimitShare)
	require.Equal(t, int64(2), cur.Breaches)   // C4 (event and late), C6 (late)
	require.Equal(t, int64(2), cur.Extensions) // C2, delivered three times
	require.Equal(t, int64(5), cur.Closed)     // C1 C2 C4 C6 C9
	require.Equal(t, int64(4), cur.Rated)      // C1 5, C2 4 (latest), C6 2, C9 3
	require.Equal(t, int64(2), cur.Satisfied)
	require.Equal(t, 2.0/4, cur.SatisfactionRate)
	require.Equal(t, 4.0/5, cur.SurveyResponseRate)
	require.Equal(t, int64(2), cur.Reviews)   // C2 C6
	require.Equal(t, int64(1), cur.ReReviews) // C6
	require.Equal(t, 2.0/5, cur.ReviewRate)
	require.Equal(t, 1.0/2, cur.ReReviewRate)
	require.Equal(t, int64(5), cur.Petitioners)       // pA pB pC pD pE
	require.Equal(t, int64(2), cur.RepeatPetitioners) // pA (C1 C4), pB (C2 C6)
	require.Equal(t, []Ranked{{100, 4}, {101, 2}, {102, 1}}, cur.TopCategories)
	require.Equal(t, []Ranked{{200, 2}, {201, 2}}, cur.TopServiceProjects)
	checkTrend(t, cur.Trend, []TrendPoint{
		// C9 C1 C2: responses 18000 86400 259200, all within, ratings 3 5 4.
		{Start: day(2026, 1, 1), Received: 3, Responded: 3, WithinLimitShare: 1, SatisfactionRate: 2.0 / 3, MedianResponseSecs: 86400},
		// C3 C4: C4 answered late, not rated.
		{Start: day(2026, 2, 1), Received: 2, Responded: 1, WithinLimitShare: 0, SatisfactionRate: 0, MedianResponseSecs: 216000},
		// C5 C6 C7: 36000 (within) and 360000 (late); C6 rated 2.
		{Start: day(2026, 3, 1), Received: 3, Responded: 2, WithinLimitShare: 0.5, SatisfactionRate: 0, MedianResponseSecs: 36000},
	})

	prev := ev.Previous
	checkPeriod(t, prev, day(2025, 10, 3), day(2026, 1, 1))
	require.Equal(t, int64(2), prev.Received) // P1 P2
	require.Equal(t, map[string]int64{"WEB": 1, "HOTLINE": 1}, prev.ByChannel)
	require.Equal(t, map[string]int64{"COMPLAINT": 1, "SUGGESTION": 1}, prev.ByKind)
	require.Equal(t, int64(2), prev.Accepted)
	require.Equal(t, int64(0), prev.Declined)
	require.Equal(t, 1.0, prev.AcceptanceRate)
	require.Equal(t, Durations{Count: 2, Median: 0, P90: 3600}, prev.TimeToAcknowledge)
	require.Equal(t, Durations{Count: 2, Median: 172800, P90: 259200}, prev.TimeToFirstResponse)
	require.Equal(t, Durations{Count: 2, Median: 180000, P90: 262800}, prev.TimeToResolution)
	require.Equal(t, int64(2), prev.Responded)
	require.Equal(t, int64(1), prev.WithinLimit) // P1, exactly at the deadline
	require.Equal(t, 0.5, prev.WithinLimitShare)
	require.Equal(t, int64(1), prev.Breaches)
	require.Equal(t, int64(0), prev.Extensions)
	require.Equal(t, int64(2), prev.Closed)
	require.Equal(t, int64(1), prev.Rated)
	require.Equal(t, int64(1), prev.Satisfied)
	require.Equal(t, 1.0, prev.SatisfactionRate)
	require.Equal(t, 0.5, prev.SurveyResponseRate)
	require.Equal(t, int64(0), prev.Reviews)
	require.Equal(t, 0.0, prev.ReviewRate)
	require.Equal(t, 0.0, prev.ReReviewRate)
	require.Equal(t, int64(1), prev.Petitioners)
	require.Equal(t, int64(0), prev.RepeatPetitioners)
	require.Equal(t, []Ranked{{100, 1}, {101, 1}}, prev.TopCategories)
	require.Equal(t, []Ranked{{200, 1}}, prev.TopServiceProjects)
	checkTrend(t, prev.Trend, []TrendPoint{
		{Start: day(2025, 10, 1)},
		{Start: day(2025, 11, 1), Received: 1, Responded: 1, WithinLimitShare: 1, SatisfactionRate: 1, MedianResponseSecs: 172800},
		{Start: day(2025, 12, 1), Received: 1, Responded: 1, WithinLimitShare: 0, SatisfactionRate: 0, MedianResponseSecs: 259200},
	})

	// Median time to first response 172800 before, 86400 now.
	require.NotNil(t, ev.EfficiencyGain)
	require.InDelta(t, 1.0, *ev.EfficiencyGain, 1e-12)
}

// The same stream for department 11, by week, top 1: C3 C4 and C5 (its
// latest department is 11 after the transfer) now; P2 before.
func checkDepartmentWeeks(t *testing.T, ev *Evaluation) {
	t.Helper()
	loc := shanghai(t)
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	cur := ev.Current
	require.Equal(t, int64(3), cur.Received)
	require.Equal(t, map[string]int64{"WEB": 2, "EMAIL": 1}, cur.ByChannel)
	require.Equal(t, map[string]int64{"SUGGESTION": 1, "COMPLAINT": 1, "INQUIRY": 1}, cur.ByKind)
	require.Equal(t, int64(2), cur.Accepted)
	require.Equal(t, int64(1), cur.Declined)
	require.Equal(t, Durations{Count: 3, Median: 0, P90: 3600}, cur.TimeToAcknowledge)
	require.Equal(t, Durations{Count: 2, Median: 36000, P90: 216000}, cur.TimeToFirstResponse)
	require.Equal(t, Durations{Count: 1, Median: 219600, P90: 219600}, cur.TimeToResolution)
	require.Equal(t, int64(1), cur.WithinLimit)
	require.Equal(t, int64(1), cur.Breaches)
	require.Equal(t, int64(1), cur.Closed)
	require.Equal(t, int64(0), cur.Rated)
	require.Equal(t, int64(2), cur.Petitioners) // pA pC; pA's other case is in department 10
	require.Equal(t, int64(0), cur.RepeatPetitioners)
	require.Equal(t, []Ranked{{101, 2}}, cur.TopCategories)
	require.Equal(t, []Ranked{{200, 1}}, cur.TopServiceProjects) // tie with 201: lower ID first
	// Weeks start on Monday: 2025-12-29 to 2026-03-30, 14 of them.
	want := make([]TrendPoint, 14)
	for i := range want {
		want[i].Start = day(2025, 12, 29+7*i)
	}
	want[5] = TrendPoint{Start: day(2026, 2, 2), Received: 1}                                                               // C3
	want[6] = TrendPoint{Start: day(2026, 2, 9), Received: 1, Responded: 1, MedianResponseSecs: 216000}                     // C4
	want[9] = TrendPoint{Start: day(2026, 3, 2), Received: 1, Responded: 1, WithinLimitShare: 1, MedianResponseSecs: 36000} // C5
	checkTrend(t, cur.Trend, want)

	require.Equal(t, int64(1), ev.Previous.Received) // P2
	require.Equal(t, int64(1), ev.Previous.Breaches)
	require.Equal(t, int64(0), ev.Previous.WithinLimit)
	require.Equal(t, int64(0), ev.Previous.Petitioners)
	require.NotNil(t, ev.EfficiencyGain)
	require.InDelta(t, 259200.0/36000-1, *ev.EfficiencyGain, 1e-12)
}

func checkPeriod(t *testing.T, f Figures, from, to time.Time) {
	t.Helper()
	require.True(t, f.From.Equal(from), "from %v, want %v", f.From, from)
	require.True(t, f.To.Equal(to), "to %v, want %v", f.To, to)
}

func checkTrend(t *testing.T, got, want []TrendPoint) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		require.True(t, got[i].Start.Equal(want[i].Start), "bucket %d starts %v, want %v", i, got[i].Start, want[i].Start)
		g := got[i]
		g.Start = want[i].Start
		require.Equal(t, want[i], g, "bucket %d", i)
	}
}

// filtered checks the other filters by their received counts.
func checkFilters(t *testing.T, evaluate func(Query) *Evaluation) {
	t.Helper()
	q := quarterQuery(t)
	q.Channel = "WEB" // C1 C3 C5 C7
	require.Equal(t, int64(4), evaluate(q).Current.Received)
	q = quarterQuery(t)
	q.Kind = "COMPLAINT" // C1 C2 C4 C6 C9
	require.Equal(t, int64(5), evaluate(q).Current.Received)
	q = quarterQuery(t)
	q.CategoryID = 100 // C1 C2 C6 C9; P1
	ev := evaluate(q)
	require.Equal(t, int64(4), ev.Current.Received)
	require.Equal(t, int64(1), ev.Previous.Received)
	q = quarterQuery(t)
	q.DepartmentID = 10 // C1 C2 C6 (C5 moved to 11)
	require.Equal(t, int64(3), evaluate(q).Current.Received)
}

func departmentWeeksQuery(t testing.TB) Query {
	q := quarterQuery(t)
	q.DepartmentID, q.Trend, q.TopN = 11, Week, 1
	return q
}

func TestConformance(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		open func(t *testing.T) Warehouse
	}{
		{"clickhouse", func(t *testing.T) Warehouse { return openTestClickHouse(t) }},
		{"embedded", func(t *testing.T) Warehouse { return openTestEmbedded(t) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			w := tc.open(t)
			fx := newFixture(t)
			for _, batch := range fx.batches {
				require.NoError(t, w.Ingest(ctx, batch))
			}
			evaluate := func(q Query) *Evaluation {
				ev, err := w.Evaluate(ctx, q)
				require.NoError(t, err)
				return ev
			}
			checkQuarter(t, evaluate(quarterQuery(t)))
			checkDepartmentWeeks(t, evaluate(departmentWeeksQuery(t)))
			checkFilters(t, evaluate)

			// An empty period has zero figures and no efficiency gain.
			q := quarterQuery(t)
			q.From, q.To = q.From.AddDate(5, 0, 0), q.To.AddDate(5, 0, 0)
			ev := evaluate(q)
			require.Zero(t, ev.Current.Received)
			require.Nil(t, ev.EfficiencyGain)
			require.Len(t, ev.Current.Trend, 3)

			_, err := w.Evaluate(ctx, Query{From: q.To, To: q.From})
			require.Error(t, err)
		})
	}
}

// TestPostgresAgreement loads the same cases into PostgreSQL's cases and
// case_events and checks that EvaluatePostgres gives the figures worked
// out by hand, and exactly the embedded warehouse's evaluation.
func TestPostgresAgreement(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	url := testenv.PostgresSchema(t)
	db, err := store.Open(url, "")
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Migrate(ctx, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)

	fx := newFixture(t)
	loader := NewPostgresLoader(conn)
	for _, c := range fx.cases {
		require.NoError(t, loader.Add(ctx, c))
	}
	require.NoError(t, loader.Flush(ctx))

	evaluate := func(q Query) *Evaluation {
		ev, err := EvaluatePostgres(ctx, db.SQL, q)
		require.NoError(t, err)
		return ev
	}
	checkQuarter(t, evaluate(quarterQuery(t)))
	checkDepartmentWeeks(t, evaluate(departmentWeeksQuery(t)))
	checkFilters(t, evaluate)

	embedded := openTestEmbedded(t)
	for _, batch := range fx.batches {
		require.NoError(t, embedded.Ingest(ctx, batch))
	}
	for _, q := range []Query{quarterQuery(t), departmentWeeksQuery(t)} {
		want, err := embedded.Evaluate(ctx, q)
		require.NoError(t, err)
		requireSameEvaluation(t, want, evaluate(q))
	}
}

func requireSameEvaluation(t *testing.T, want, got *Evaluation) {
	t.Helper()
	normalise := func(ev *Evaluation) Evaluation {
		out := *ev
		for _, f := range []*Figures{&out.Current, &out.Previous} {
			f.From, f.To = time.Unix(f.From.Unix(), 0).UTC(), time.Unix(f.To.Unix(), 0).UTC()
			trend := append([]TrendPoint(nil), f.Trend...)
			for i := range trend {
				trend[i].Start = time.Unix(trend[i].Start.Unix(), 0).UTC()
			}
			f.Trend = trend
		}
		return out
	}
	require.Equal(t, normalise(want), normalise(got))
}
