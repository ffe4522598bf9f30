package analytics

import (
	"cmp"
	"slices"
	"strconv"
	"time"

	"github.com/xinfang/xinfang/internal/apperr"
)

// DefaultTopN is how many categories and service projects a query ranks
// when Query.TopN is 0.
const DefaultTopN = 10

// period is one half of an evaluation: [from, to) in whole Unix seconds.
type period struct {
	from, to int64
}

// plan is a validated query with both periods resolved.
type plan struct {
	q         Query
	cur, prev period
	loc       *time.Location
	// zone is loc's IANA name, for the databases' time-zone functions.
	zone string
	topN int
}

// planOf validates q and resolves its periods. A nil Location means def.
// Bounds are truncated to whole seconds, the precision every warehouse
// keeps (see the package documentation).
func planOf(q Query, def *time.Location) (plan, error) {
	loc := q.Location
	if loc == nil {
		loc = def
	}
	if loc == nil {
		loc = time.UTC
	}
	zone := loc.String()
	if zone == "" || zone == "Local" {
		return plan{}, apperr.Field("location", "analytics.time_zone")
	}
	from, to := q.From.Unix(), q.To.Unix()
	if q.From.IsZero() || q.To.IsZero() || to <= from {
		return plan{}, apperr.Field("to", "analytics.period")
	}
	switch q.Trend {
	case "":
		q.Trend = Month
	case Week, Month:
	default:
		return plan{}, apperr.Field("trend", "input.invalid")
	}
	topN := q.TopN
	if topN < 0 {
		return plan{}, apperr.Field("topN", "input.invalid")
	}
	if topN == 0 {
		topN = DefaultTopN
	}
	q.Location = loc
	return plan{
		q:    q,
		cur:  period{from: from, to: to},
		prev: period{from: from - (to - from), to: from},
		loc:  loc, zone: zone, topN: topN,
	}, nil
}

// bucketStart is the start of the trend bucket holding t, in p's location:
// the Monday of its week or the first of its month, at midnight.
func (p plan) bucketStart(t time.Time) time.Time {
	t = t.In(p.loc)
	y, m, d := t.Date()
	if p.q.Trend == Week {
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, m, d-back, 0, 0, 0, 0, p.loc)
	}
	return time.Date(y, m, 1, 0, 0, 0, 0, p.loc)
}

// buckets lists the starts of the trend buckets that overlap per, in order.
func (p plan) buckets(per period) []time.Time {
	var out []time.Time
	end := time.Unix(per.to, 0)
	for b := p.bucketStart(time.Unix(per.from, 0)); b.Before(end); {
		out = append(out, b)
		y, m, d := b.Date()
		if p.q.Trend == Week {
			b = time.Date(y, m, d+7, 0, 0, 0, 0, p.loc)
		} else {
			b = time.Date(y, m+1, 1, 0, 0, 0, 0, p.loc)
		}
	}
	return out
}

// bucketKey names a bucket by its local start date, the form the SQL
// warehouses return it in.
func bucketKey(start time.Time) string { return start.Format("2006-01-02") }

// Nearest-rank quantiles: the value at 1-based rank ceil(p·n) of the n
// values in ascending order, in integers so that every engine agrees.
func medianRank(n int64) int64 { return (n + 1) / 2 }
func p90Rank(n int64) int64    { return (9*n + 9) / 10 }

// durationsOf summarises ascending-sorted durations with the nearest-rank
// median and 90th percentile.
func durationsOf(sorted []int64) Durations {
	n := int64(len(sorted))
	if n == 0 {
		return Durations{}
	}
	return Durations{Count: n, Median: float64(sorted[medianRank(n)-1]), P90: float64(sorted[p90Rank(n)-1])}
}

// totals are the scalar figures of one period as the warehouses compute
// them; assemble derives the rates.
type totals struct {
	Received, Accepted, Declined              int64
	Ack, Response, Resolution                 Durations
	WithinLimit, Breaches, Extensions, Closed int64
	Rated, Satisfied, Reviews, ReReviews      int64
	Petitioners, RepeatPetitioners            int64
}

// Dimensions of the breakdown rows the warehouses return.
const (
	dimChannel  = "c"
	dimKind     = "k"
	dimCategory = "g"
	dimProject  = "p"
	dimBucket   = "b"
)

// breakdown is one group of the cases of a period: a channel, kind,
// category, service project (Key is the decimal ID) or trend bucket (Key is
// its local start date, 2006-01-02). Responded, WithinLimit, Rated,
// Satisfied and MedianResponse are filled for buckets only.
type breakdown struct {
	Current                bool
	Dim, Key               string
	Cases                  int64
	Responded, WithinLimit int64
	Rated, Satisfied       int64
	MedianResponse         float64
}

// assemble builds the evaluation from the two periods' totals and
// breakdowns.
func (p plan) assemble(cur, prev totals, rows []breakdown) *Evaluation {
	ev := &Evaluation{
		Current:  p.figures(p.cur, cur, rows, true),
		Previous: p.figures(p.prev, prev, rows, false),
	}
	c, pr := ev.Current.TimeToFirstResponse, ev.Previous.TimeToFirstResponse
	if c.Count > 0 && pr.Count > 0 && c.Median > 0 {
		gain := pr.Median/c.Median - 1
		ev.EfficiencyGain = &gain
	}
	return ev
}

func (p plan) figures(per period, t totals, rows []breakdown, current bool) Figures {
	f := Figures{
		From: time.Unix(per.from, 0).In(p.loc), To: time.Unix(per.to, 0).In(p.loc),
		Received: t.Received, ByChannel: map[string]int64{}, ByKind: map[string]int64{},
		Accepted: t.Accepted, Declined: t.Declined,
		TimeToAcknowledge: t.Ack, TimeToFirstResponse: t.Response, TimeToResolution: t.Resolution,
		Responded: t.Response.Count, WithinLimit: t.WithinLimit, Breaches: t.Breaches, Extensions: t.Extensions,
		Closed: t.Closed, Rated: t.Rated, Satisfied: t.Satisfied,
		Reviews: t.Reviews, ReReviews: t.ReReviews,
		Petitioners: t.Petitioners, RepeatPetitioners: t.RepeatPetitioners,
		TopCategories: []Ranked{}, TopServiceProjects: []Ranked{},
	}
	f.AcceptanceRate = ratio(f.Accepted, f.Accepted+f.Declined)
	f.WithinLimitShare = ratio(f.WithinLimit, f.Responded)
	f.SatisfactionRate = ratio(f.Satisfied, f.Rated)
	f.SurveyResponseRate = ratio(f.Rated, f.Closed)
	f.ReviewRate = ratio(f.Reviews, f.Closed)
	f.ReReviewRate = ratio(f.ReReviews, f.Reviews)

	trend := map[string]breakdown{}
	for _, r := range rows {
		if r.Current != current || r.Cases == 0 {
			continue
		}
		switch r.Dim {
		case dimChannel:
			f.ByChannel[r.Key] += r.Cases
		case dimKind:
			f.ByKind[r.Key] += r.Cases
		case dimCategory:
			f.TopCategories = appendRanked(f.TopCategories, r)
		case dimProject:
			f.TopServiceProjects = appendRanked(f.TopServiceProjects, r)
		case dimBucket:
			trend[r.Key] = r
		}
	}
	f.TopCategories = topOf(f.TopCategories, p.topN)
	f.TopServiceProjects = topOf(f.TopServiceProjects, p.topN)
	for _, start := range p.buckets(per) {
		b := trend[bucketKey(start)]
		f.Trend = append(f.Trend, TrendPoint{
			Start: start, Received: b.Cases, Responded: b.Responded,
			WithinLimitShare:   ratio(b.WithinLimit, b.Responded),
			SatisfactionRate:   ratio(b.Satisfied, b.Rated),
			MedianResponseSecs: b.MedianResponse,
		})
	}
	return f
}

// appendRanked adds a category or service project row; ID 0 (none) is
// not ranked.
func appendRanked(list []Ranked, r breakdown) []Ranked {
	id, err := strconv.ParseInt(r.Key, 10, 64)
	if err != nil || id == 0 {
		return list
	}
	return append(list, Ranked{ID: id, Cases: r.Cases})
}

// topOf orders by cases, most first, ties by ID ascending, and keeps n.
func topOf(list []Ranked, n int) []Ranked {
	slices.SortFunc(list, func(a, b Ranked) int {
		if a.Cases != b.Cases {
			return cmp.Compare(b.Cases, a.Cases)
		}
		return cmp.Compare(a.ID, b.ID)
	})
	if len(list) > n {
		list = list[:n]
	}
	return list
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}
