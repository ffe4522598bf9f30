package analytics

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/internal/clock"
	"github.com/xinfang/xinfang/internal/store"
	"github.com/xinfang/xinfang/internal/testenv"
	"github.com/xinfang/xinfang/internal/workflow"
	"github.com/xinfang/xinfang/policy"
)

var relayTestSecret = []byte("relay-test-petitioner-secret")

// recordingSink is a Warehouse test double: it records every event it is
// given, by ID, and fails while told to, as a warehouse outage would.
type recordingSink struct {
	mu      sync.Mutex
	events  map[int64]Event
	times   map[int64]int
	batches int
	failing atomic.Bool
	// refused counts inserts refused while failing.
	refused atomic.Int64
}

var errSinkDown = errors.New("warehouse unavailable")

func newRecordingSink() *recordingSink {
	return &recordingSink{events: map[int64]Event{}, times: map[int64]int{}}
}

func (s *recordingSink) Ingest(_ context.Context, events []Event) error {
	if s.failing.Load() {
		s.refused.Add(1)
		return errSinkDown
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.batches++
	for _, ev := range events {
		s.events[ev.EventID] = ev
		s.times[ev.EventID]++
	}
	return nil
}

func (s *recordingSink) Evaluate(context.Context, Query) (*Evaluation, error) {
	return nil, errors.New("not implemented by the test sink")
}

func (s *recordingSink) Close() error { return nil }

// delivered returns how many distinct events arrived and the IDs that
// arrived more than once.
func (s *recordingSink) delivered() (int, []int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var twice []int64
	for id, n := range s.times {
		if n > 1 {
			twice = append(twice, id)
		}
	}
	return len(s.times), twice
}

func (s *recordingSink) event(id int64) Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.events[id]
}

// relayBundle is a database with an organisation, a workflow on it and a
// recording sink.
type relayBundle struct {
	db      *store.DB
	clk     *clock.Manual
	wf      *workflow.Service
	sink    *recordingSink
	admin   context.Context
	handler int
}

func setupRelay(t *testing.T, backend testenv.Backend) *relayBundle {
	t.Helper()
	ctx := context.Background()
	db := testenv.Open(t, backend)
	dept, err := db.Client.Department.Create().SetCode("CS").SetName("客户服务部").SetIntake(true).Save(ctx)
	require.NoError(t, err)
	admin, err := db.Client.Staff.Create().SetUsername("admin").SetDisplayName("admin").SetPasswordHash("x").
		SetRole("ADMIN").SetDepartmentID(dept.ID).Save(ctx)
	require.NoError(t, err)
	handler, err := db.Client.Staff.Create().SetUsername("h").SetDisplayName("h").SetPasswordHash("x").
		SetRole("HANDLER").SetDepartmentID(dept.ID).Save(ctx)
	require.NoError(t, err)
	clk := clock.NewManual(time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC))
	wf, err := workflow.New(workflow.Config{Client: db.Client, Policy: testenv.Policy(t), Postgres: backend == testenv.Postgres,
		PINSecret: []byte(strings.Repeat("s", 32)), Now: clk.Now})
	require.NoError(t, err)
	return &relayBundle{
		db: db, clk: clk, wf: wf, sink: newRecordingSink(), handler: handler.ID,
		admin: policy.WithSubject(ctx, policy.Subject{Kind: policy.StaffMember, StaffID: admin.ID, Role: policy.RoleAdmin, DepartmentID: dept.ID}),
	}
}

func (b *relayBundle) config() RelayConfig {
	return RelayConfig{
		DB: b.db.SQL, Dialect: b.db.Dialect, Warehouse: b.sink, PetitionerSecret: relayTestSecret,
		Logger: slog.New(slog.DiscardHandler), Now: b.clk.Now,
	}
}

func (b *relayBundle) relay(t *testing.T, adjust func(*RelayConfig)) *Relay {
	t.Helper()
	cfg := b.config()
	if adjust != nil {
		adjust(&cfg)
	}
	r, err := NewRelay(cfg)
	require.NoError(t, err)
	return r
}

// count runs a count query.
func (b *relayBundle) count(t *testing.T, query string) int {
	t.Helper()
	var n int
	require.NoError(t, b.db.SQL.QueryRowContext(context.Background(), query).Scan(&n))
	return n
}

// eventIDs returns the IDs of every case event.
func (b *relayBundle) eventIDs(t *testing.T) []int {
	t.Helper()
	ids, err := b.db.Client.CaseEvent.Query().IDs(context.Background())
	require.NoError(t, err)
	return ids
}

// requireExactlyOnce checks that the sink holds every case event exactly
// once and that the outbox is empty.
func (b *relayBundle) requireExactlyOnce(t *testing.T) {
	t.Helper()
	ids := b.eventIDs(t)
	n, twice := b.sink.delivered()
	require.Empty(t, twice, "events delivered twice")
	require.Equal(t, len(ids), n)
	for _, id := range ids {
		require.Contains(t, b.sink.times, int64(id))
	}
	require.Zero(t, b.count(t, `SELECT count(*) FROM analytics_outbox`))
}

// lifecycle takes a case with a petitioner through every kind of event the
// warehouse reads facts from, and returns it.
func (b *relayBundle) lifecycle(t *testing.T, anonymous bool) *ent.CaseFile {
	t.Helper()
	ctx := b.admin
	in := workflow.Submission{Kind: casefile.KindCOMPLAINT, Subject: "投诉", Body: "内容",
		Contact: workflow.Contact{Name: "张三", Phone: "13800000000"}}
	if anonymous {
		in.Contact = workflow.Contact{Anonymous: true}
	}
	r, err := b.wf.Submit(context.Background(), in)
	require.NoError(t, err)
	id := r.CaseID
	pet := policy.WithSubject(context.Background(), policy.Subject{Kind: policy.Petitioner, CaseID: id})
	c, err := b.wf.Accept(ctx, workflow.Ref{ID: id, Version: workflow.V(1)}, nil)
	require.NoError(t, err)
	step := func(next *ent.CaseFile, err error) {
		t.Helper()
		require.NoError(t, err)
		c = next
		b.clk.Advance(time.Hour)
	}
	step(b.wf.Assign(ctx, workflow.Ref{ID: id, Version: &c.Version}, b.handler))
	step(b.wf.StartWork(ctx, workflow.Ref{ID: id, Version: &c.Version}))
	step(b.wf.RequestExtension(ctx, workflow.Ref{ID: id, Version: &c.Version}, 24, "需要调查"))
	step(b.wf.DecideExtension(ctx, workflow.Ref{ID: id, Version: &c.Version}, true, ""))
	step(b.wf.Respond(ctx, workflow.Ref{ID: id, Version: &c.Version}, casefile.OutcomeEXPLAINED, "答复"))
	step(b.wf.Close(ctx, workflow.Ref{ID: id, Version: &c.Version}))
	step(b.wf.Rate(pet, workflow.Ref{ID: id, Version: &c.Version}, 2, ""))
	step(b.wf.RequestReview(pet, workflow.Ref{ID: id, Version: &c.Version}, "不满意"))
	step(b.wf.Assign(ctx, workflow.Ref{ID: id, Version: &c.Version}, b.handler))
	return c
}

func TestPetitionerKey(t *testing.T) {
	t.Parallel()
	k := PetitionerKey([]byte("0123456789abcdef"), 42)
	require.Regexp(t, regexp.MustCompile(`^[0-9a-f]{32}$`), k)
	require.Equal(t, k, PetitionerKey([]byte("0123456789abcdef"), 42), "stable")
	require.NotEqual(t, k, PetitionerKey([]byte("0123456789abcdef"), 43))
	require.NotEqual(t, k, PetitionerKey([]byte("0123456789abcdeF"), 42), "keyed")
	// HMAC-SHA256(key "0123456789abcdef", message "42"), first 16 bytes,
	// as Python's hmac module computes it.
	require.Equal(t, "8d24a2a526d5f556469db8b6280e3a7b", k)
}

// TestRelayDeliversEveryEventOnce: the relay delivers each committed case
// event exactly once, with the case's attributes and the payload facts.
func TestRelayDeliversEveryEventOnce(t *testing.T) {
	t.Parallel()
	for _, backend := range testenv.Backends(t) {
		t.Run(backend.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			b := setupRelay(t, backend)
			reviewed := b.lifecycle(t, false)
			anonymous := b.lifecycle(t, true)
			require.NoError(t, FillOutbox(ctx, b.db.SQL, b.db.Dialect, 95))
			events := len(b.eventIDs(t))
			require.Equal(t, 2*11+95, events)

			reg := prometheus.NewRegistry()
			r := b.relay(t, func(c *RelayConfig) { c.BatchSize = 10; c.Registerer = reg })
			n, err := r.DrainOnce(ctx)
			require.NoError(t, err)
			require.Equal(t, 10, n, "one batch")
			n, err = r.Drain(ctx)
			require.NoError(t, err)
			require.Equal(t, events-10, n)
			b.requireExactlyOnce(t)
			require.Equal(t, float64(events), metricValue(t, r.metrics.delivered))
			require.Zero(t, metricValue(t, r.metrics.backlog))
			require.Zero(t, metricValue(t, r.metrics.lag))
			n, err = r.Drain(ctx)
			require.NoError(t, err)
			require.Zero(t, n, "nothing left")

			// The facts of the reviewed case.
			evs, err := b.db.Client.CaseEvent.Query().All(ctx)
			require.NoError(t, err)
			petitioner := *reviewed.PetitionerID
			seen := map[string]bool{}
			for _, row := range evs {
				got := b.sink.event(int64(row.ID))
				require.Equal(t, int64(row.CaseID), got.CaseID)
				require.Equal(t, int32(row.Seq), got.Seq)
				require.Equal(t, string(row.Type), got.Type)
				require.True(t, row.OccurredAt.Equal(got.OccurredAt), "%v %v", row.OccurredAt, got.OccurredAt)
				require.Equal(t, time.UTC, got.OccurredAt.Location())
				if row.FromStatus == nil {
					require.Empty(t, got.FromStatus)
				} else {
					require.Equal(t, string(*row.FromStatus), got.FromStatus)
				}
				if row.CaseID != reviewed.ID && row.CaseID != anonymous.ID {
					continue
				}
				require.Equal(t, "WEB", got.Channel)
				require.Equal(t, "COMPLAINT", got.Kind)
				require.Equal(t, "NORMAL", got.Priority)
				c := reviewed
				if row.CaseID == anonymous.ID {
					c = anonymous
				}
				require.Equal(t, int64(*c.DepartmentID), got.DepartmentID)
				require.Zero(t, got.CategoryID)
				require.True(t, c.ReceivedAt.Equal(got.ReceivedAt), "%v %v", c.ReceivedAt, got.ReceivedAt)
				if row.CaseID == anonymous.ID {
					require.Empty(t, got.PetitionerKey)
					continue
				}
				require.Equal(t, PetitionerKey(relayTestSecret, petitioner), got.PetitionerKey)
				seen[got.Type] = true
				switch got.Type {
				case "RATED":
					require.Equal(t, int8(2), got.Rating)
					require.Zero(t, got.ReviewRound)
				case "RESPONDED":
					require.Equal(t, "EXPLAINED", got.Outcome)
					require.False(t, got.RespondDue.IsZero())
					require.Equal(t, row.Payload["respondDue"], got.RespondDue.Format(time.RFC3339Nano))
					require.Zero(t, got.ReviewRound)
				case "EXTENSION_APPROVED":
					require.Equal(t, int32(24), got.ExtensionHours)
				case "REVIEW_REQUESTED":
					require.Equal(t, int32(1), got.ReviewRound)
				case "ASSIGNED":
					// Assigned before and after the review.
					require.Equal(t, got.Seq > 10, got.ReviewRound == 1, "seq %d round %d", got.Seq, got.ReviewRound)
				default:
					require.Zero(t, got.Rating)
					require.Empty(t, got.Outcome)
					require.Zero(t, got.ExtensionHours)
				}
			}
			require.Len(t, seen, 10, "every event type of the lifecycle checked: %v", seen)

			// Synthetic cases carry their facts too.
			var rated, responded int
			for _, id := range b.eventIDs(t) {
				ev := b.sink.event(int64(id))
				switch {
				case ev.Type == "RATED" && ev.Rating >= 1 && ev.Rating <= 5:
					rated++
				case ev.Type == "RESPONDED" && ev.Outcome != "" && !ev.RespondDue.IsZero():
					responded++
				}
			}
			// Ten whole synthetic cases (the eleventh stops after five
			// events) and the two lifecycle cases.
			require.Equal(t, 10+2, rated)
			require.Equal(t, 10+2, responded)
		})
	}
}

// TestRelayOutage: while the warehouse fails nothing leaves the outbox;
// Run retries with backoff, warns once per outage, and delivers everything
// once the warehouse is back.
func TestRelayOutage(t *testing.T) {
	t.Parallel()
	for _, backend := range testenv.Backends(t) {
		t.Run(backend.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			b := setupRelay(t, backend)
			require.NoError(t, FillOutbox(ctx, b.db.SQL, b.db.Dialect, 50))
			var logs syncBuffer
			reg := prometheus.NewRegistry()
			r := b.relay(t, func(c *RelayConfig) {
				c.BatchSize = 20
				c.PollInterval = 10 * time.Millisecond
				c.MaxBackoff = 20 * time.Millisecond
				c.Registerer = reg
				c.Now = time.Now // FillOutbox stamps rows with the wall clock
				c.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
			})

			b.sink.failing.Store(true)
			_, err := r.DrainOnce(ctx)
			require.ErrorIs(t, err, errSinkDown)
			require.Equal(t, 50, b.count(t, `SELECT count(*) FROM analytics_outbox`), "a failed batch stays")
			require.Equal(t, 1.0, metricValue(t, r.metrics.errors.WithLabelValues(stageIngest)))

			runCtx, stop := context.WithCancel(ctx)
			done := make(chan error, 1)
			go func() { done <- r.Run(runCtx) }()
			require.Eventually(t, func() bool { return b.sink.refused.Load() >= 6 }, 10*time.Second, 5*time.Millisecond)
			require.Equal(t, 50, b.count(t, `SELECT count(*) FROM analytics_outbox`))
			require.Eventually(t, func() bool { return metricValue(t, r.metrics.backlog) == 50 }, 5*time.Second, 5*time.Millisecond)
			require.Positive(t, metricValue(t, r.metrics.lag))

			b.sink.failing.Store(false)
			require.Eventually(t, func() bool {
				n, _ := b.sink.delivered()
				return n == 50
			}, 10*time.Second, 5*time.Millisecond)
			// New events after the outage flow too.
			require.NoError(t, FillOutbox(ctx, b.db.SQL, b.db.Dialect, 7))
			require.Eventually(t, func() bool {
				n, _ := b.sink.delivered()
				return n == 57
			}, 10*time.Second, 5*time.Millisecond)
			// Deliveries show in the sink before the drain that made them
			// returns and Run notes the end of the outage.
			require.Eventually(t, func() bool { return strings.Contains(logs.String(), "analytics delivery resumed") },
				10*time.Second, 5*time.Millisecond)
			stop()
			require.NoError(t, <-done)
			b.requireExactlyOnce(t)

			out := logs.String()
			require.Equal(t, 1, strings.Count(out, "level=WARN"), "one warning per outage:\n%s", out)
			require.Contains(t, out, "analytics delivery failing")
			require.Contains(t, out, "stage=ingest")
			require.Equal(t, 1, strings.Count(out, "analytics delivery resumed"), out)
		})
	}
}

// TestConcurrentRelays: several relays draining one PostgreSQL outbox
// while events keep arriving deliver every event, none twice.
func TestConcurrentRelays(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setupRelay(t, testenv.Postgres)
	require.NoError(t, FillOutbox(ctx, b.db.SQL, b.db.Dialect, 2000))

	runCtx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	relays := make([]*Relay, 4)
	for i := range relays {
		relays[i] = b.relay(t, func(c *RelayConfig) { c.BatchSize = 50; c.PollInterval = 5 * time.Millisecond })
		wg.Go(func() { require.NoError(t, relays[i].Run(runCtx)) })
	}
	// Intake goes on meanwhile, through the workflow and in bulk.
	for range 20 {
		b.lifecycle(t, false)
		require.NoError(t, FillOutbox(ctx, b.db.SQL, b.db.Dialect, 100))
	}
	require.Eventually(t, func() bool {
		return b.count(t, `SELECT count(*) FROM analytics_outbox`) == 0
	}, 30*time.Second, 10*time.Millisecond)
	stop()
	wg.Wait()
	b.requireExactlyOnce(t)
	require.Equal(t, 2000+20*(11+100), len(b.eventIDs(t)))
	busy := 0
	for _, r := range relays {
		if metricValue(t, r.metrics.delivered) > 0 {
			busy++
		}
	}
	require.Greater(t, busy, 1, "the relays shared the work")
}

// TestRebuild streams every event, delivered or not, and leaves the
// outbox alone.
func TestRebuild(t *testing.T) {
	t.Parallel()
	for _, backend := range testenv.Backends(t) {
		t.Run(backend.String(), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			b := setupRelay(t, backend)
			require.NoError(t, FillOutbox(ctx, b.db.SQL, b.db.Dialect, 40))
			_, err := b.relay(t, nil).Drain(ctx)
			require.NoError(t, err)
			b.lifecycle(t, false)
			waiting := b.count(t, `SELECT count(*) FROM analytics_outbox`)
			require.Equal(t, 11, waiting)

			fresh := newRecordingSink()
			cfg := b.config()
			cfg.Warehouse = fresh
			cfg.BatchSize = 7
			n, err := Rebuild(ctx, cfg)
			require.NoError(t, err)
			require.Equal(t, 51, n)
			got, twice := fresh.delivered()
			require.Equal(t, 51, got)
			require.Empty(t, twice)
			require.Equal(t, waiting, b.count(t, `SELECT count(*) FROM analytics_outbox`), "the outbox is untouched")
			// Rebuild builds the same events as the relay.
			for id, ev := range b.sink.events {
				require.Equal(t, ev, fresh.event(id))
			}

			fresh.failing.Store(true)
			_, err = Rebuild(ctx, cfg)
			require.ErrorIs(t, err, errSinkDown)
		})
	}
}

func TestRelayConfigValidation(t *testing.T) {
	t.Parallel()
	b := setupRelay(t, testenv.SQLite)
	for name, adjust := range map[string]func(*RelayConfig){
		"no database":  func(c *RelayConfig) { c.DB = nil },
		"dialect":      func(c *RelayConfig) { c.Dialect = "mysql" },
		"no warehouse": func(c *RelayConfig) { c.Warehouse = nil },
		"short secret": func(c *RelayConfig) { c.PetitionerSecret = []byte("short") },
	} {
		cfg := b.config()
		adjust(&cfg)
		_, err := NewRelay(cfg)
		require.Error(t, err, name)
	}
	r := b.relay(t, nil)
	require.Equal(t, DefaultBatchSize, r.cfg.BatchSize)
	require.Equal(t, DefaultPollInterval, r.cfg.PollInterval)
	for attempt := 1; attempt < 40; attempt++ {
		d := r.backoff(attempt)
		require.LessOrEqual(t, d, DefaultMaxBackoff)
		require.GreaterOrEqual(t, d, minBackoff/2)
	}
	require.GreaterOrEqual(t, r.backoff(20), DefaultMaxBackoff/2, "capped, not reset")
}

// syncBuffer is a bytes.Buffer safe for the relay's goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// metricValue reads a gauge or counter.
func metricValue(t *testing.T, m prometheus.Metric) float64 {
	t.Helper()
	var out dto.Metric
	require.NoError(t, m.Write(&out))
	switch {
	case out.Gauge != nil:
		return out.Gauge.GetValue()
	case out.Counter != nil:
		return out.Counter.GetValue()
	}
	t.Fatalf("metric %v is neither a gauge nor a counter", m.Desc())
	return 0
}
