package analytics

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Relay defaults.
const (
	// DefaultBatchSize is how many events a relay ships per warehouse
	// insert: large enough to amortise a ClickHouse INSERT, small enough
	// that a batch's row locks and memory stay modest.
	DefaultBatchSize = 10_000
	// DefaultPollInterval is how long the relay waits for new events once
	// the outbox is empty.
	DefaultPollInterval = 200 * time.Millisecond
	// DefaultMaxBackoff caps the wait between retries while the warehouse
	// (or the database) fails.
	DefaultMaxBackoff = 30 * time.Second
	// DefaultIngestTimeout bounds one warehouse insert.
	DefaultIngestTimeout = time.Minute
)

const (
	// minBackoff is the first retry's wait.
	minBackoff = 100 * time.Millisecond
	// backlogEvery is how often Run measures the backlog for its gauges.
	backlogEvery = time.Second
	// ackTimeout bounds deleting a delivered batch, which goes ahead even
	// when the relay is being stopped: the events are already stored.
	ackTimeout = 30 * time.Second
)

// RelayConfig configures a Relay (and Rebuild).
type RelayConfig struct {
	// DB is the transactional database holding cases, case events and the
	// outbox.
	DB *sql.DB
	// Dialect is "postgres" or "sqlite3" (store.DB.Dialect).
	Dialect string
	// Warehouse receives the events.
	Warehouse Warehouse
	// PetitionerSecret keys the petitioner pseudonyms (PetitionerKey); at
	// least 16 bytes, and stable, or repeat petitioners stop matching.
	PetitionerSecret []byte
	// BatchSize is the most events per warehouse insert (DefaultBatchSize).
	BatchSize int
	// PollInterval is the wait on an empty outbox (DefaultPollInterval).
	// Full batches are shipped back to back.
	PollInterval time.Duration
	// MaxBackoff caps the retry wait during an outage (DefaultMaxBackoff).
	MaxBackoff time.Duration
	// IngestTimeout bounds one warehouse insert (DefaultIngestTimeout).
	IngestTimeout time.Duration
	// Logger receives one warning per outage and a note when it ends
	// (slog.Default when nil).
	Logger *slog.Logger
	// Registerer receives the relay metrics (not registered when nil).
	Registerer prometheus.Registerer
	// Now is the clock the lag is measured with (time.Now when nil); the
	// outbox rows carry the workflow's clock.
	Now func() time.Time
}

// withDefaults validates c and fills in its defaults.
func (c RelayConfig) withDefaults() (RelayConfig, error) {
	if c.DB == nil {
		return c, errors.New("analytics relay: a database is required")
	}
	if err := checkDialect(c.Dialect); err != nil {
		return c, err
	}
	if c.Warehouse == nil {
		return c, errors.New("analytics relay: a warehouse is required")
	}
	if len(c.PetitionerSecret) < 16 {
		return c, errors.New("analytics relay: the petitioner secret must be at least 16 bytes")
	}
	if c.BatchSize <= 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.PollInterval <= 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = DefaultMaxBackoff
	}
	if c.IngestTimeout <= 0 {
		c.IngestTimeout = DefaultIngestTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}

// Relay ships case events from the transactional outbox to the warehouse:
// it claims a batch of outbox rows, builds their events, ingests them, and
// deletes the rows only once the warehouse has stored them. A crash between
// the warehouse's acknowledgement and the delete delivers the batch again,
// which the warehouse's idempotent Ingest absorbs: every committed event
// arrives, none is counted twice. See outbox for how concurrent relays
// share the work. Run, Drain and DrainOnce of one Relay take turns.
type Relay struct {
	cfg     RelayConfig
	outbox  *outbox
	metrics *relayMetrics
	log     *slog.Logger

	// mu lets one drain run at a time per Relay: the SQLite cursor and
	// the pipelined claim assume it.
	mu sync.Mutex
	// lastBacklog is when Run last measured the backlog.
	lastBacklog time.Time
	// claimers is how many claims may run at once: on PostgreSQL several
	// (SKIP LOCKED keeps them apart), on SQLite one (the cursor does not).
	claimers int
}

// NewRelay returns a Relay.
func NewRelay(cfg RelayConfig) (*Relay, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	m, err := newRelayMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	return &Relay{
		cfg:      cfg,
		outbox:   newOutbox(cfg.DB, cfg.Dialect, cfg.PetitionerSecret),
		metrics:  m,
		log:      cfg.Logger,
		claimers: claimersFor(cfg.Dialect),
	}, nil
}

// claimersFor is how many claims of a drain run at once. On PostgreSQL,
// claiming — the outbox read joined with the events — is the slowest stage
// of the pipeline, and two claims keep two server processes busy.
func claimersFor(dialect string) int {
	if dialect == DialectPostgres {
		return 2
	}
	return 1
}

// stageError is a failed relay step.
type stageError struct {
	stage string
	err   error
}

func (e *stageError) Error() string { return e.err.Error() }
func (e *stageError) Unwrap() error { return e.err }

// DrainOnce ships one batch and returns how many events it delivered: 0
// when nothing waits. On an error the batch stays in the outbox.
func (r *Relay) DrainOnce(ctx context.Context) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, err := r.claim(ctx)
	if err != nil {
		return 0, err
	}
	return r.ship(ctx, b)
}

// Drain ships batches until no more events wait, and returns how many it
// delivered. Reading, ingesting and acknowledging consecutive batches
// overlap, so the database and the warehouse work at the same time.
func (r *Relay) Drain(ctx context.Context) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, err := r.drain(ctx)
	r.observeBacklog(ctx)
	return n, err
}

// Run ships events until ctx is done, waiting PollInterval whenever the
// outbox is empty and backing off (exponentially, with jitter, up to
// MaxBackoff) while deliveries fail. It logs a warning when an outage
// starts and a note when it ends, not every attempt. It returns nil when
// ctx is done.
func (r *Relay) Run(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.log.InfoContext(ctx, "analytics relay started", "dialect", r.cfg.Dialect, "batchSize", r.cfg.BatchSize)
	var (
		failures    int
		outageSince time.Time
	)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			r.log.InfoContext(context.WithoutCancel(ctx), "analytics relay stopped")
			return nil
		case <-timer.C:
		}
		_, err := r.drain(ctx)
		if time.Since(r.lastBacklog) >= backlogEvery {
			r.observeBacklog(ctx)
		}
		if ctx.Err() != nil {
			continue
		}
		wait := r.cfg.PollInterval
		switch {
		case err != nil:
			failures++
			if failures == 1 {
				outageSince = time.Now()
				r.log.WarnContext(ctx, "analytics delivery failing; retrying with backoff until it succeeds",
					"stage", stageOf(err), "err", err)
			} else {
				r.log.DebugContext(ctx, "analytics delivery still failing", "attempt", failures, "stage", stageOf(err), "err", err)
			}
			wait = r.backoff(failures)
		case failures > 0:
			r.log.InfoContext(ctx, "analytics delivery resumed",
				"failedAttempts", failures, "outage", time.Since(outageSince).Round(time.Millisecond).String())
			failures = 0
			wait = 0
		}
		timer.Reset(wait)
	}
}

// backoff is the wait before retry number attempt (1, 2, ...): doubling
// from minBackoff up to MaxBackoff, with the upper half jittered so that
// relays do not retry in step.
func (r *Relay) backoff(attempt int) time.Duration {
	d := r.cfg.MaxBackoff
	if attempt < 30 {
		d = min(minBackoff<<(attempt-1), r.cfg.MaxBackoff)
	}
	return d/2 + rand.N(d/2+1)
}

func stageOf(err error) string {
	var se *stageError
	if errors.As(err, &se) {
		return se.stage
	}
	return "unknown"
}

// drain ships batches until one is not full, as a pipeline of three
// stages that work at the same time on consecutive batches: one goroutine
// claims (reads the outbox and the events), this one ingests, another
// acknowledges (deletes the rows and commits). A batch takes all three in
// turn; the pipeline's pace is its slowest stage rather than their sum.
// Each stage (and each claimer) holds at most one batch. On the first
// failure the stages stop, batches not yet ingested are released, and the
// error is returned.
func (r *Relay) drain(ctx context.Context) (int, error) {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	// The first failure stops every stage; the failures it causes (a
	// cancelled claim or insert) are not reported.
	var (
		errMu    sync.Mutex
		firstErr error
	)
	fail := func(err error) {
		errMu.Lock()
		firstErr = cmp.Or(firstErr, err)
		errMu.Unlock()
		stop()
	}

	claims := make(chan *batch)
	var (
		claimers sync.WaitGroup
		// drained tells the claimers that a claim came back short.
		drained atomic.Bool
	)
	for range r.claimers {
		claimers.Go(func() {
			for !drained.Load() && ctx.Err() == nil {
				b, err := r.claim(ctx)
				if err != nil {
					fail(err)
					return
				}
				if b.claimed < r.cfg.BatchSize {
					drained.Store(true)
				}
				if b.claimed == 0 {
					r.outbox.release(b)
					return
				}
				select {
				case claims <- b:
				case <-ctx.Done():
					r.outbox.release(b)
					return
				}
			}
		})
	}
	go func() {
		claimers.Wait()
		close(claims)
	}()

	acks := make(chan *batch)
	acked := make(chan struct{})
	delivered := 0 // read after acked closes
	go func() {
		defer close(acked)
		for b := range acks {
			// Acknowledge even after a failure elsewhere: these events
			// are stored.
			n, err := r.ack(ctx, b)
			if err != nil {
				fail(err)
				continue
			}
			delivered += n
		}
	}()

	for b := range claims {
		if ctx.Err() != nil {
			r.outbox.release(b)
			continue
		}
		if err := r.ingest(ctx, b); err != nil {
			fail(err)
			continue
		}
		acks <- b
	}
	close(acks)
	<-acked
	errMu.Lock()
	defer errMu.Unlock()
	return delivered, firstErr
}

// claim claims the next batch; it returns an empty batch when none waits.
func (r *Relay) claim(ctx context.Context) (*batch, error) {
	started := time.Now()
	b, err := r.outbox.claim(ctx, r.cfg.BatchSize)
	if err != nil {
		if ctx.Err() == nil {
			r.metrics.errors.WithLabelValues(stageClaim).Inc()
		}
		return nil, &stageError{stageClaim, err}
	}
	b.started = started
	return b, nil
}

// ship ingests a claimed batch and acknowledges it.
func (r *Relay) ship(ctx context.Context, b *batch) (int, error) {
	if b.claimed == 0 {
		r.outbox.release(b)
		return 0, nil
	}
	if err := r.ingest(ctx, b); err != nil {
		return 0, err
	}
	return r.ack(ctx, b)
}

// ingest stores a batch's events in the warehouse; on failure the batch is
// released.
func (r *Relay) ingest(ctx context.Context, b *batch) error {
	ictx, cancel := context.WithTimeout(ctx, r.cfg.IngestTimeout)
	err := r.cfg.Warehouse.Ingest(ictx, b.events)
	cancel()
	if err != nil {
		r.outbox.release(b)
		if ctx.Err() == nil {
			r.metrics.errors.WithLabelValues(stageIngest).Inc()
		}
		return &stageError{stageIngest, fmt.Errorf("ingest %d events: %w", len(b.events), err)}
	}
	return nil
}

// ack deletes the rows of an ingested batch. The events are stored, so it
// goes ahead even when the relay is being stopped: otherwise they would
// only be delivered again.
func (r *Relay) ack(ctx context.Context, b *batch) (int, error) {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), ackTimeout)
	defer cancel()
	if err := r.outbox.ack(actx, b); err != nil {
		r.metrics.errors.WithLabelValues(stageAck).Inc()
		return 0, &stageError{stageAck, err}
	}
	r.metrics.delivered.Add(float64(len(b.events)))
	r.metrics.batchDuration.Observe(time.Since(b.started).Seconds())
	return len(b.events), nil
}

// observeBacklog updates the backlog and lag gauges.
func (r *Relay) observeBacklog(ctx context.Context) {
	r.lastBacklog = time.Now()
	rows, oldest, err := r.outbox.backlog(ctx)
	if err != nil {
		if ctx.Err() == nil {
			r.metrics.errors.WithLabelValues(stageBacklog).Inc()
			r.log.DebugContext(ctx, "measure analytics backlog", "err", err)
		}
		return
	}
	r.metrics.backlog.Set(float64(rows))
	lag := 0.0
	if rows > 0 {
		lag = max(0, r.cfg.Now().Sub(oldest).Seconds())
	}
	r.metrics.lag.Set(lag)
}

// Rebuild streams every case event in the database into cfg.Warehouse, in
// ID order and in batches of cfg.BatchSize, and returns how many it sent.
// Emptying the warehouse first is the caller's part. The outbox is left
// alone: the events in it are delivered again by the relay, which the
// warehouse absorbs. Rebuild stops at the first failed insert; running it
// again is safe.
func Rebuild(ctx context.Context, cfg RelayConfig) (int, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return 0, err
	}
	src, err := NewSource(cfg.DB, cfg.Dialect, cfg.PetitionerSecret)
	if err != nil {
		return 0, err
	}
	started := time.Now()
	next := started.Add(10 * time.Second)
	n, err := src.Stream(ctx, cfg.BatchSize, func(ctx context.Context, events []Event) error {
		ictx, cancel := context.WithTimeout(ctx, cfg.IngestTimeout)
		defer cancel()
		if err := cfg.Warehouse.Ingest(ictx, events); err != nil {
			return fmt.Errorf("ingest events %d to %d: %w", events[0].EventID, events[len(events)-1].EventID, err)
		}
		if time.Now().After(next) {
			cfg.Logger.InfoContext(ctx, "rebuilding analytics", "lastEventId", events[len(events)-1].EventID)
			next = time.Now().Add(10 * time.Second)
		}
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("rebuild analytics after %d events: %w", n, err)
	}
	cfg.Logger.InfoContext(ctx, "analytics rebuilt", "events", n, "took", time.Since(started).Round(time.Millisecond).String())
	return n, nil
}
