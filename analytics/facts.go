package analytics

import (
	"slices"
	"strconv"
	"time"
)

// caseFact is one case as the warehouses keep it: its attributes (those
// of its latest event) and its timings, in Unix seconds, 0 meaning
// "never". It is the row of the fact tables.
type caseFact struct {
	CaseID           int64
	Received         int64
	Channel, Kind    string
	Priority         string
	DepartmentID     int64
	CategoryID       int64
	ServiceProjectID int64
	PetitionerKey    string
	Acknowledged     int64 // first SUBMITTED or RECORDED event
	Accepted         int64 // first ACCEPTED event
	Declined         int64 // first DECLINED event
	Responded        int64 // first RESPONDED event
	RespondDue       int64 // the deadline carried by that event, 0 when none
	Closed           int64 // first CLOSED event
	Rating           int8  // of the latest RATED event, 0 when none
	ReviewRound      int32 // highest round of its REVIEW_REQUESTED events
	Extensions       int64 // EXTENSION_APPROVED events
	Breaches         int64 // DEADLINE_BREACHED events
}

func (c caseFact) withinLimit() bool {
	return c.Responded != 0 && (c.RespondDue == 0 || c.Responded <= c.RespondDue)
}

func (c caseFact) breached() bool {
	return c.Breaches > 0 || (c.Responded != 0 && !c.withinLimit())
}

// matches reports whether the case passes the query's filters.
func (c caseFact) matches(q Query) bool {
	return (q.DepartmentID == 0 || c.DepartmentID == q.DepartmentID) &&
		(q.Channel == "" || c.Channel == q.Channel) &&
		(q.Kind == "" || c.Kind == q.Kind) &&
		(q.CategoryID == 0 || c.CategoryID == q.CategoryID)
}

// accumulate computes, in Go, what the SQL warehouses compute in their
// databases: the totals and breakdowns of both periods from the fact rows
// of the cases received in them. The embedded warehouse uses it.
func (p plan) accumulate(facts []caseFact) (cur, prev totals, rows []breakdown) {
	type acc struct {
		t              *totals
		ack, resp, res []int64
		petitioners    map[string]int
		groups         map[[2]string]*breakdown
		bucketResp     map[string][]int64
	}
	newAcc := func(t *totals) *acc {
		return &acc{t: t, petitioners: map[string]int{}, groups: map[[2]string]*breakdown{}, bucketResp: map[string][]int64{}}
	}
	accs := map[bool]*acc{true: newAcc(&cur), false: newAcc(&prev)}
	for _, c := range facts {
		if !c.matches(p.q) {
			continue
		}
		var current bool
		switch {
		case c.Received >= p.cur.from && c.Received < p.cur.to:
			current = true
		case c.Received >= p.prev.from && c.Received < p.prev.to:
		default:
			continue
		}
		a := accs[current]
		t := a.t
		t.Received++
		if c.Accepted != 0 {
			t.Accepted++
		} else if c.Declined != 0 {
			t.Declined++
		}
		if c.Acknowledged != 0 {
			a.ack = append(a.ack, c.Acknowledged-c.Received)
		}
		if c.Responded != 0 {
			a.resp = append(a.resp, c.Responded-c.Received)
		}
		if c.Closed != 0 {
			a.res = append(a.res, c.Closed-c.Received)
			t.Closed++
		}
		if c.withinLimit() {
			t.WithinLimit++
		}
		if c.breached() {
			t.Breaches++
		}
		t.Extensions += c.Extensions
		if c.Rating > 0 {
			t.Rated++
		}
		if c.Rating >= 4 {
			t.Satisfied++
		}
		if c.ReviewRound >= 1 {
			t.Reviews++
		}
		if c.ReviewRound >= 2 {
			t.ReReviews++
		}
		if c.PetitionerKey != "" {
			a.petitioners[c.PetitionerKey]++
		}
		bucket := bucketKey(p.bucketStart(time.Unix(c.Received, 0)))
		for _, dk := range [][2]string{
			{dimChannel, c.Channel}, {dimKind, c.Kind},
			{dimCategory, strconv.FormatInt(c.CategoryID, 10)},
			{dimProject, strconv.FormatInt(c.ServiceProjectID, 10)},
			{dimBucket, bucket},
		} {
			g := a.groups[dk]
			if g == nil {
				g = &breakdown{Current: current, Dim: dk[0], Key: dk[1]}
				a.groups[dk] = g
			}
			g.Cases++
			if dk[0] != dimBucket {
				continue
			}
			if c.Responded != 0 {
				g.Responded++
				a.bucketResp[bucket] = append(a.bucketResp[bucket], c.Responded-c.Received)
			}
			if c.withinLimit() {
				g.WithinLimit++
			}
			if c.Rating > 0 {
				g.Rated++
			}
			if c.Rating >= 4 {
				g.Satisfied++
			}
		}
	}
	for _, a := range accs {
		slices.Sort(a.ack)
		slices.Sort(a.resp)
		slices.Sort(a.res)
		a.t.Ack, a.t.Response, a.t.Resolution = durationsOf(a.ack), durationsOf(a.resp), durationsOf(a.res)
		for _, n := range a.petitioners {
			a.t.Petitioners++
			if n >= 2 {
				a.t.RepeatPetitioners++
			}
		}
		for dk, g := range a.groups {
			if dk[0] == dimBucket {
				secs := a.bucketResp[dk[1]]
				slices.Sort(secs)
				g.MedianResponse = durationsOf(secs).Median
			}
			rows = append(rows, *g)
		}
	}
	return cur, prev, rows
}
