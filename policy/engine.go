package policy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	opametrics "github.com/open-policy-agent/opa/v1/metrics"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"
	"github.com/prometheus/client_golang/prometheus"
)

// Options configure an Engine.
type Options struct {
	// Dir is an override directory laid out like the embedded policy
	// (rego/*.rego, config/*.json): its files replace embedded files of the
	// same relative path and add new ones. "" uses the embedded policy only.
	Dir string
	// Registerer receives the engine's metrics; nil registers none.
	Registerer prometheus.Registerer
	// Logger receives reloads (Info, refusals at Error) and decisions
	// (Debug); nil uses slog.Default().
	Logger *slog.Logger
	// PollInterval is how often Watch looks for changes in Dir; default 2s.
	PollInterval time.Duration
}

// DefaultPollInterval is how often Watch looks at the override directory
// when Options.PollInterval is zero.
const DefaultPollInterval = 2 * time.Second

// Decision identifies one policy decision: a unique ID and the revision of
// the policy that made it. The workflow stores both on the case event the
// decision led to, so that any outcome can be traced to the policy text.
type Decision struct{ ID, Revision string }

// Engine makes the policy decisions of xinfang with OPA: authorization,
// routing, time limits and escalation. It is safe for concurrent use;
// reloading swaps the whole prepared policy at once and never blocks a
// decision.
type Engine struct {
	dir      string
	poll     time.Duration
	log      *slog.Logger
	metrics  *metrics
	active   atomic.Pointer[compiled]
	reloadMu sync.Mutex // one load at a time
	idPrefix string
	seq      atomic.Uint64
}

// compiled is one loaded revision of the policy: prepared queries and the
// Go structures derived from its data. It never changes once built.
type compiled struct {
	revision   string
	dirHash    string // content hash of the override files, for Watch
	authz      rego.PreparedEvalQuery
	visibility rego.PreparedEvalQuery
	scope      rego.PreparedEvalQuery
	routing    rego.PreparedEvalQuery
	limits     rego.PreparedEvalQuery
	calendar   rego.PreparedEvalQuery
	escalation rego.PreparedEvalQuery
	calendars  map[string]*Calendar
	keywords   *keywordMatcher
	// evalOpts are the options of every evaluation: one read transaction
	// for the revision's life (its data never changes), no metrics, and no
	// cancellation goroutine per query (decisions take microseconds).
	evalOpts []rego.EvalOption
	tests    int // Rego tests that passed when it was loaded
	// memoize is set when the policy is deterministic (see memo.go).
	memoize        bool
	reads          authzReads // the facts the authorization policy reads
	limitsMemo     memo[DeadlineInput, Limits]
	routeMemo      memo[string, Route]
	authzMemo      memo[authzFacts, authzVerdict]
	visibilityMemo memo[authzFacts, Visibility]
	scopeMemo      memo[Subject, Scope]
	files          []sourceFile
	ignored        []string
}

// The rules an Engine queries. A policy that does not define them all is
// refused.
const (
	queryAuthz      = "data.xinfang.v1.authz.decision"
	queryVisibility = "data.xinfang.v1.authz.visibility"
	queryScope      = "data.xinfang.v1.authz.scope"
	queryRouting    = "data.xinfang.v1.routing.route"
	queryLimits     = "data.xinfang.v1.deadlines.decision"
	queryCalendar   = "data.xinfang.v1.deadlines.calendar"
	queryEscalation = "data.xinfang.v1.escalation.decision"
)

// New loads the policy (the embedded one, overlaid by opts.Dir) and returns
// an Engine. A policy that does not load — Rego that does not compile,
// data that does not match the schema, a failing Rego test — is an error.
func New(ctx context.Context, opts Options) (*Engine, error) {
	e := &Engine{
		dir:     opts.Dir,
		poll:    opts.PollInterval,
		log:     opts.Logger,
		metrics: newMetrics(),
	}
	if e.poll <= 0 {
		e.poll = DefaultPollInterval
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	var prefix [4]byte
	_, _ = rand.Read(prefix[:]) // never fails (crypto/rand documents it)
	e.idPrefix = hex.EncodeToString(prefix[:]) + "-"
	c, err := loadCached(ctx, e.dir)
	if err != nil {
		// Nothing is registered: the caller may fix the policy and call
		// New again with the same Registerer.
		return nil, fmt.Errorf("load policy%s: %w", where(e.dir), err)
	}
	if err := e.metrics.register(opts.Registerer); err != nil {
		return nil, err
	}
	e.activate(c)
	e.metrics.reloadOK.Inc()
	e.log.Info("policy loaded", "revision", c.revision, "dir", e.dir, "files", len(c.files), "rego_tests", c.tests)
	return e, nil
}

func where(dir string) string {
	if dir == "" {
		return ""
	}
	return " from " + dir
}

func (e *Engine) activate(c *compiled) {
	e.active.Store(c)
	e.metrics.activate(c.revision)
}

// Revision returns the active policy's revision: a short hash of its code
// and data.
func (e *Engine) Revision() string { return e.active.Load().revision }

// Reload loads the policy again now. On success the new revision serves
// every later decision; on error the error is logged and returned, and the
// last good policy stays active.
func (e *Engine) Reload(ctx context.Context) error {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	old := e.active.Load()
	c, err := load(ctx, e.dir)
	if err != nil {
		e.metrics.reloadError.Inc()
		e.log.Error("policy refused; the previous policy stays active",
			"active_revision", old.revision, "dir", e.dir, "error", err)
		return fmt.Errorf("reload policy%s: %w", where(e.dir), err)
	}
	e.metrics.reloadOK.Inc()
	if c.revision == old.revision {
		return nil
	}
	e.activate(c)
	e.log.Info("policy reloaded", "revision", c.revision, "previous_revision", old.revision, "dir", e.dir, "rego_tests", c.tests)
	return nil
}

// Watch reloads the policy whenever the content of the override directory
// changes, looking every PollInterval, until ctx is done. A change that
// does not load is refused once (logged, counted) and retried only when
// the directory changes again. Without an override directory Watch just
// waits for ctx.
func (e *Engine) Watch(ctx context.Context) {
	if e.dir == "" {
		<-ctx.Done()
		return
	}
	seen := e.active.Load().dirHash
	failedRead := false
	ticker := time.NewTicker(e.poll)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		files, _, err := readOverride(e.dir)
		if err != nil {
			if !failedRead {
				e.log.Error("policy directory unreadable; the active policy stays", "dir", e.dir, "error", err)
			}
			failedRead = true
			continue
		}
		failedRead = false
		h := overrideHash(files)
		if h == seen {
			continue
		}
		seen = h
		_ = e.Reload(ctx) // logged and counted by Reload
	}
}

func overrideHash(files []sourceFile) string {
	sorted := append([]sourceFile(nil), files...)
	sortFiles(sorted)
	return contentHash(sorted)
}

// embeddedPolicy is the compiled embedded policy. It is built from files
// compiled into the binary, so it cannot change while the process runs;
// compiling and testing it once (rather than per Engine) keeps the many
// engines of a test run, and the tools' second engine, cheap.
var embeddedPolicy struct {
	once     sync.Once
	compiled *compiled
	err      error
}

// loadCached is load, shared for the embedded policy alone.
func loadCached(ctx context.Context, dir string) (*compiled, error) {
	if dir != "" {
		return load(ctx, dir)
	}
	embeddedPolicy.once.Do(func() {
		embeddedPolicy.compiled, embeddedPolicy.err = load(context.WithoutCancel(ctx), "")
	})
	return embeddedPolicy.compiled, embeddedPolicy.err
}

// load builds a compiled policy: collect and parse the files, check the
// data, compile, run the Rego tests, prepare the queries and check that
// the list scope agrees with the read decision.
func load(ctx context.Context, dir string) (*compiled, error) {
	files, ignored, err := collect(dir)
	if err != nil {
		return nil, err
	}
	b, err := parseBundle(files, ignored)
	if err != nil {
		return nil, err
	}
	c := &compiled{revision: b.revision, files: files, ignored: ignored, memoize: deterministic(b.modules)}
	c.limitsMemo.max, c.routeMemo.max = limitsMemoSize, routeMemoSize
	c.authzMemo.max, c.visibilityMemo.max, c.scopeMemo.max = authzMemoSize, visibilityMemoSize, scopeMemoSize
	var over []sourceFile
	for _, f := range files {
		if f.origin != "embedded" {
			over = append(over, f)
		}
	}
	c.dirHash = overrideHash(over)

	var problems []error
	for _, p := range checkConfig(b) {
		problems = append(problems, errors.New(p))
	}
	policyModules := map[string]*ast.Module{}
	for p, m := range b.modules {
		if !strings.HasSuffix(p, "_test.rego") {
			policyModules[p] = m
		}
	}
	compiler := ast.NewCompiler().WithDefaultRegoVersion(ast.RegoV1)
	compiler.Compile(policyModules)
	if compiler.Failed() {
		problems = append(problems, compiler.Errors)
	} else {
		for _, q := range []string{queryAuthz, queryVisibility, queryScope, queryRouting, queryLimits, queryCalendar, queryEscalation} {
			if len(compiler.GetRulesExact(ast.MustParseRef(q))) == 0 {
				problems = append(problems, fmt.Errorf("the policy does not define %s, which the engine asks", strings.TrimPrefix(q, "data.")))
			}
		}
	}
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	c.reads = authzReadsOf(compiler.Modules)

	store := inmem.NewFromObjectWithOpts(b.data, inmem.OptRoundTripOnWrite(false), inmem.OptReturnASTValuesOnRead(true))
	if c.tests, err = runRegoTests(ctx, b.modules, store); err != nil {
		return nil, err
	}
	if c.calendars, err = buildCalendars(b.data); err != nil {
		return nil, err
	}
	if c.keywords, err = newKeywordMatcher(b.data); err != nil {
		return nil, err
	}
	for _, q := range []struct {
		dst   *rego.PreparedEvalQuery
		query string
	}{
		{&c.authz, queryAuthz}, {&c.visibility, queryVisibility}, {&c.scope, queryScope},
		{&c.routing, queryRouting}, {&c.limits, queryLimits}, {&c.calendar, queryCalendar},
		{&c.escalation, queryEscalation},
	} {
		pq, err := rego.New(
			rego.Query(q.query),
			rego.Compiler(compiler),
			rego.Store(store),
			rego.StrictBuiltinErrors(true),
			rego.GenerateJSON(keepTerm),
		).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("prepare %s: %w", q.query, err)
		}
		*q.dst = pq
	}
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return nil, fmt.Errorf("open policy data: %w", err)
	}
	c.evalOpts = []rego.EvalOption{
		rego.EvalTransaction(txn),
		rego.EvalMetrics(opametrics.NoOp()),
		rego.EvalExternalCancel(topdown.NewCancel()),
	}
	if err := verifyScope(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// keepTerm leaves query results as AST terms: the engine reads them
// directly instead of converting them to Go maps on every decision.
func keepTerm(t *ast.Term, _ *rego.EvalContext) (any, error) { return t, nil }

// regoTestTimeout bounds one Rego test.
const regoTestTimeout = 10 * time.Second

// runRegoTests runs every test_ rule of modules (the *_test.rego files)
// against the policy data and returns how many passed, or an error listing
// the failures.
func runRegoTests(ctx context.Context, modules map[string]*ast.Module, store storage.Store) (int, error) {
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return 0, fmt.Errorf("run Rego tests: %w", err)
	}
	defer store.Abort(ctx, txn)
	ch, err := tester.NewRunner().
		SetDefaultRegoVersion(ast.RegoV1).
		SetStore(store).
		SetModules(modules).
		SetTimeout(regoTestTimeout).
		RaiseBuiltinErrors(true).
		RunTests(ctx, txn)
	if err != nil {
		return 0, fmt.Errorf("run Rego tests: %w", err)
	}
	passed := 0
	var failures []string
	for r := range ch {
		switch {
		case r.Error != nil:
			failures = append(failures, fmt.Sprintf("%s: %s.%s: error: %v", r.Location, r.Package, r.Name, r.Error))
		case r.Fail:
			failures = append(failures, fmt.Sprintf("%s: %s.%s: FAIL", r.Location, r.Package, r.Name))
		case r.Skip:
		default:
			passed++
		}
	}
	if len(failures) > 0 {
		slices.Sort(failures)
		return passed, fmt.Errorf("%d Rego test(s) failed:\n%s", len(failures), strings.Join(failures, "\n"))
	}
	return passed, nil
}

// nextDecision returns a new decision of the revision c: IDs are the
// engine's random prefix and a counter, unique and cheap.
func (e *Engine) nextDecision(c *compiled) Decision {
	n := e.seq.Add(1)
	return Decision{ID: e.idPrefix + strconv.FormatUint(n, 36), Revision: c.revision}
}

// eval runs a prepared query of c and returns its single result.
func (c *compiled) eval(ctx context.Context, q rego.PreparedEvalQuery, input ast.Value) (*ast.Term, error) {
	opts := make([]rego.EvalOption, 0, len(c.evalOpts)+1)
	opts = append(append(opts, c.evalOpts...), rego.EvalParsedInput(input))
	rs, err := q.Eval(ctx, opts...)
	if err != nil {
		return nil, err
	}
	if len(rs) == 0 || len(rs[0].Expressions) == 0 {
		return nil, errNoResult
	}
	t, ok := rs[0].Expressions[0].Value.(*ast.Term)
	if !ok {
		return nil, fmt.Errorf("unexpected result %T", rs[0].Expressions[0].Value)
	}
	return t, nil
}

// errNoResult is a query without a result: the policy decided nothing,
// which for authorization is a refusal and for the others an error.
var errNoResult = errors.New("the policy gave no result")

// done records a decision's latency and result, and logs a failure at
// Error. It reports whether the decision is to be logged at Debug, so that
// callers gather the facts of the log line only then.
func (e *Engine) done(ctx context.Context, policy string, start time.Time, d Decision, result string, err error) bool {
	pm := e.metrics.perPolicy[policy]
	pm.duration.Observe(time.Since(start).Seconds())
	switch {
	case err != nil:
		pm.failures.Inc()
		e.log.LogAttrs(ctx, slog.LevelError, "policy decision failed",
			slog.String("policy", policy), slog.String("decision_id", d.ID), slog.String("revision", d.Revision), slog.Any("error", err))
		return false
	case result == resultAllow:
		pm.allow.Inc()
	case result == resultDeny:
		pm.deny.Inc()
	default:
		pm.ok.Inc()
	}
	return e.log.Enabled(ctx, slog.LevelDebug)
}

// logDecision logs a decision at Debug with its facts.
func (e *Engine) logDecision(ctx context.Context, policy string, d Decision, result string, facts ...slog.Attr) {
	attrs := append([]slog.Attr{
		slog.String("policy", policy), slog.String("decision_id", d.ID),
		slog.String("revision", d.Revision), slog.String("result", result),
	}, facts...)
	e.log.LogAttrs(ctx, slog.LevelDebug, "policy decision", attrs...)
}
