package analytics

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// BenchConfig describes a generated event stream for benchmarks. The
// stream depends only on the config: the same config gives the same
// events.
type BenchConfig struct {
	// Events is roughly how many events to generate: cases are generated
	// until the count reaches it (about 7 events a case).
	Events int
	// Start is the earliest receipt; Days how many days receipts spread
	// over. Defaults: 2025-01-01 in Asia/Shanghai, 395 days.
	Start time.Time
	Days  int
	Seed  uint64
	// Sizes of the organisation; defaults 8, 40, 25, and one identified
	// petitioner for every 3 cases.
	Departments, Categories, ServiceProjects int
	Petitioners                              int
	// PetitionerSecret keys PetitionerKey; default "bench".
	PetitionerSecret []byte
}

func (c BenchConfig) withDefaults() BenchConfig {
	if c.Start.IsZero() {
		loc, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			loc = time.FixedZone("CST", 8*3600)
		}
		c.Start = time.Date(2025, 1, 1, 0, 0, 0, 0, loc)
	}
	if c.Days == 0 {
		c.Days = 395
	}
	if c.Departments == 0 {
		c.Departments = 8
	}
	if c.Categories == 0 {
		c.Categories = 40
	}
	if c.ServiceProjects == 0 {
		c.ServiceProjects = 25
	}
	if c.Petitioners == 0 {
		c.Petitioners = max(1, c.Events/7/3)
	}
	if c.PetitionerSecret == nil {
		c.PetitionerSecret = []byte("bench")
	}
	return c
}

// BenchCase is one generated case: its events in timeline order and, for
// loading the transactional tables, its petitioner (0: anonymous).
type BenchCase struct {
	ID           int64
	PetitionerID int64
	Events       []Event
}

// GenerateBench streams the cases of cfg to yield, one at a time, so that
// memory stays bounded whatever the size. The mix: six channels and five
// kinds in realistic shares, 8% declined, transfers, information requests,
// extensions, 92% of accepted cases answered (a few late, some with a
// breach event), ratings on 60% of closed cases, reviews and re-reviews.
func GenerateBench(ctx context.Context, cfg BenchConfig, yield func(BenchCase) error) error {
	cfg = cfg.withDefaults()
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x78696e66616e67))
	span := int64(cfg.Days) * 86400
	var eventID int64
	events := 0
	for caseID := int64(1); events < cfg.Events; caseID++ {
		if caseID%10000 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		g := caseGen{rng: rng, cfg: cfg, nextEventID: &eventID}
		c := g.generate(caseID, cfg.Start.Add(time.Duration(rng.Int64N(span))*time.Second))
		events += len(c.Events)
		if err := yield(c); err != nil {
			return err
		}
	}
	return nil
}

type caseGen struct {
	rng         *rand.Rand
	cfg         BenchConfig
	nextEventID *int64
	c           BenchCase
	attrs       Event // the case's current attributes
	seq         int32
	at          time.Time
	status      string
}

func pick[T any](rng *rand.Rand, values []T, weights []int) T {
	total := 0
	for _, w := range weights {
		total += w
	}
	n := rng.IntN(total)
	for i, w := range weights {
		if n < w {
			return values[i]
		}
		n -= w
	}
	return values[len(values)-1]
}

func (g *caseGen) chance(percent int) bool { return g.rng.IntN(100) < percent }

// after moves the clock by a random duration in [lo, hi).
func (g *caseGen) after(lo, hi time.Duration) time.Time {
	g.at = g.at.Add(lo + time.Duration(g.rng.Int64N(int64(hi-lo)/int64(time.Second)))*time.Second)
	return g.at
}

func (g *caseGen) emit(typ, to string, set func(*Event)) {
	g.seq++
	*g.nextEventID++
	e := g.attrs
	e.EventID, e.CaseID, e.Seq, e.Type, e.OccurredAt = *g.nextEventID, g.c.ID, g.seq, typ, g.at
	e.FromStatus, e.ToStatus = g.status, to
	e.ActorKind = "STAFF"
	if set != nil {
		set(&e)
	}
	if to != "" {
		g.status = to
	} else {
		e.ToStatus = g.status
	}
	g.c.Events = append(g.c.Events, e)
}

func (g *caseGen) generate(id int64, received time.Time) BenchCase {
	rng, cfg := g.rng, g.cfg
	g.c = BenchCase{ID: id}
	a := &g.attrs
	a.Channel = pick(rng, []string{"WEB", "HOTLINE", "EMAIL", "LETTER", "VISIT", "CONSULTATION"}, []int{40, 25, 15, 8, 8, 4})
	a.Kind = pick(rng, []string{"COMPLAINT", "SUGGESTION", "INQUIRY", "PRAISE", "REPORT"}, []int{50, 15, 20, 5, 10})
	a.Priority = pick(rng, []string{"NORMAL", "HIGH", "LOW", "URGENT"}, []int{80, 10, 5, 5})
	a.DepartmentID = 1 + rng.Int64N(int64(cfg.Departments))
	if !g.chance(10) {
		// Skewed: low IDs are the common categories.
		a.CategoryID = 1 + int64(float64(cfg.Categories)*rng.Float64()*rng.Float64())
	}
	if !g.chance(40) {
		a.ServiceProjectID = 1 + rng.Int64N(int64(cfg.ServiceProjects))
	}
	if !g.chance(15) {
		g.c.PetitionerID = 1 + int64(float64(cfg.Petitioners)*rng.Float64()*rng.Float64())
		a.PetitionerKey = PetitionerKey(cfg.PetitionerSecret, int(g.c.PetitionerID))
	}
	a.ReceivedAt = received
	g.at = received
	if a.Channel == "WEB" {
		g.emit("SUBMITTED", "SUBMITTED", func(e *Event) { e.ActorKind = "PETITIONER" })
	} else {
		g.after(0, 6*time.Hour)
		g.emit("RECORDED", "SUBMITTED", nil)
	}
	if g.chance(8) {
		g.after(time.Hour, 24*time.Hour)
		g.emit("DECLINED", "NOT_ACCEPTED", nil)
		return g.c
	}
	g.after(10*time.Minute, 12*time.Hour)
	g.emit("ACCEPTED", "ACCEPTED", nil)
	due := received.Add(48 * time.Hour)
	if g.chance(5) {
		g.after(time.Hour, 8*time.Hour)
		g.emit("TRANSFERRED", "ACCEPTED", nil)
		g.attrs.DepartmentID = 1 + (g.attrs.DepartmentID % int64(cfg.Departments))
	}
	g.after(10*time.Minute, 4*time.Hour)
	g.emit("ASSIGNED", "ASSIGNED", nil)
	g.after(10*time.Minute, 4*time.Hour)
	g.emit("WORK_STARTED", "IN_PROGRESS", nil)
	for range rng.IntN(3) {
		g.after(10*time.Minute, 6*time.Hour)
		g.emit("NOTE_ADDED", "", nil)
	}
	if g.chance(10) {
		g.after(time.Hour, 12*time.Hour)
		g.emit("INFORMATION_REQUESTED", "AWAITING_PETITIONER", nil)
		asked := g.at
		paused := g.after(time.Hour, 72*time.Hour).Sub(asked)
		g.emit("INFORMATION_PROVIDED", "IN_PROGRESS", func(e *Event) { e.ActorKind = "PETITIONER" })
		due = due.Add(paused)
	}
	if g.chance(6) {
		g.after(time.Hour, 12*time.Hour)
		g.emit("EXTENSION_APPROVED", "", func(e *Event) { e.ExtensionHours = 48 })
		due = due.Add(48 * time.Hour)
	}
	if !g.chance(92) {
		return g.c // still open
	}
	// Most answers come within the limit, a tail much later.
	respondAt := g.at.Add(time.Duration(float64(100*time.Hour)*rng.Float64()*rng.Float64()) + time.Hour)
	if respondAt.After(due) && g.chance(50) {
		g.at = due
		g.emit("DEADLINE_BREACHED", "", func(e *Event) { e.ActorKind, e.Deadline = "SYSTEM", "RESPOND" })
	}
	g.at = respondAt
	outcome := pick(rng, []string{"SUPPORTED", "EXPLAINED", "NOT_SUPPORTED"}, []int{40, 45, 15})
	g.emit("RESPONDED", "RESPONDED", func(e *Event) { e.Outcome, e.RespondDue = outcome, due })
	for round := int32(1); ; round++ {
		if !g.chance(95) {
			return g.c
		}
		g.after(time.Hour, 24*time.Hour)
		g.emit("CLOSED", "CLOSED", nil)
		if g.chance(60) {
			rating := pick(rng, []int8{5, 4, 3, 2, 1}, []int{45, 30, 12, 8, 5})
			g.after(time.Hour, 72*time.Hour)
			g.emit("RATED", "", func(e *Event) { e.Rating, e.ActorKind = rating, "PETITIONER" })
		}
		if round > 2 || !g.chance(map[int32]int{1: 6, 2: 20}[round]) {
			return g.c
		}
		g.after(time.Hour, 48*time.Hour)
		g.attrs.ReviewRound = round
		g.emit("REVIEW_REQUESTED", "ACCEPTED", func(e *Event) { e.ActorKind = "PETITIONER" })
		g.after(time.Hour, 8*time.Hour)
		g.emit("ASSIGNED", "ASSIGNED", nil)
		g.after(time.Hour, 8*time.Hour)
		g.emit("WORK_STARTED", "IN_PROGRESS", nil)
		reviewDue := g.at.Add(7 * 24 * time.Hour)
		g.after(time.Hour, 120*time.Hour)
		g.emit("RESPONDED", "RESPONDED", func(e *Event) { e.Outcome, e.RespondDue = outcome, reviewDue })
	}
}

// BenchTiming is how long repeated runs of one evaluation took.
type BenchTiming struct {
	Runs        int
	Best        time.Duration
	Median      time.Duration
	Evaluation  *Evaluation // of the last run
	Description string
}

// TimeEvaluate runs evaluate runs times (after one unmeasured warm-up
// when warmup is set) and reports the best and median durations.
func TimeEvaluate(ctx context.Context, evaluate func(context.Context, Query) (*Evaluation, error), q Query, runs int, warmup bool) (BenchTiming, error) {
	if runs < 1 {
		runs = 1
	}
	t := BenchTiming{Runs: runs}
	if warmup {
		if _, err := evaluate(ctx, q); err != nil {
			return t, err
		}
	}
	var took []time.Duration
	for range runs {
		start := time.Now()
		ev, err := evaluate(ctx, q)
		if err != nil {
			return t, err
		}
		took = append(took, time.Since(start))
		t.Evaluation = ev
	}
	slices.Sort(took)
	t.Best, t.Median = took[0], took[(len(took)-1)/2]
	return t, nil
}

// LoadClickHouseBench streams the generated cases into ClickHouse with
// large native inserts of events, then builds the fact rows once
// (RebuildFacts), as `xinfang analytics rebuild` does. It returns the
// number of events and cases.
func LoadClickHouseBench(ctx context.Context, ch *ClickHouse, cfg BenchConfig) (events, cases int, err error) {
	const batch = 200_000
	var block eventBlock
	flush := func() error {
		if len(block.eventID) == 0 {
			return nil
		}
		err := ch.sendEvents(ctx, &block)
		block = eventBlock{}
		return err
	}
	err = GenerateBench(ctx, cfg, func(c BenchCase) error {
		cases++
		for _, e := range c.Events {
			block.add(e)
		}
		events += len(c.Events)
		if len(block.eventID) >= batch {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return events, cases, fmt.Errorf("load clickhouse: %w", err)
	}
	if err := ch.RebuildFacts(ctx); err != nil {
		return events, cases, fmt.Errorf("load clickhouse: %w", err)
	}
	return events, cases, nil
}
