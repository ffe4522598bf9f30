package policy

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"
)

// sharedEngine serves the tests that only ask the embedded policy.
var sharedEngine = sync.OnceValues(func() (*Engine, error) {
	return New(context.Background(), Options{Logger: slog.New(slog.DiscardHandler)})
})

func embedded(t testing.TB) *Engine {
	t.Helper()
	e, err := sharedEngine()
	require.NoError(t, err)
	return e
}

// writeFiles writes files (slash-separated relative path → content) under
// dir, creating directories.
func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(content), 0o644))
	}
}

// overrideDir returns a new override directory holding files.
func overrideDir(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	writeFiles(t, dir, files)
	return dir
}

// embeddedFile returns an embedded policy file, to edit in tests.
func embeddedFile(t testing.TB, p string) string {
	t.Helper()
	b, err := builtin.ReadFile(p)
	require.NoError(t, err)
	return string(b)
}

// respondIn returns config/deadlines.json with the default respond limit
// replaced.
func respondIn(t testing.TB, limit string) string {
	t.Helper()
	s := embeddedFile(t, "config/deadlines.json")
	out := strings.Replace(s, `"respond": "48h"`, `"respond": "`+limit+`"`, 1)
	require.NotEqual(t, s, out)
	return out
}

// syncBuffer is a log destination safe for the engine's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type testBundle struct {
	engine *Engine
	dir    string
	reg    *prometheus.Registry
	log    *syncBuffer
}

// setup starts an engine on an override directory holding files.
func setup(t *testing.T, files map[string]string, opts Options) *testBundle {
	t.Helper()
	b := &testBundle{dir: overrideDir(t, files), reg: prometheus.NewRegistry(), log: &syncBuffer{}}
	opts.Dir, opts.Registerer = b.dir, b.reg
	opts.Logger = slog.New(slog.NewTextHandler(b.log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e, err := New(context.Background(), opts)
	require.NoError(t, err)
	b.engine = e
	return b
}

// metric returns the value of a counter, gauge or histogram count.
func (b *testBundle) metric(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := b.reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			if matches(m, labels) {
				switch {
				case m.Counter != nil:
					return m.GetCounter().GetValue()
				case m.Gauge != nil:
					return m.GetGauge().GetValue()
				case m.Histogram != nil:
					return float64(m.GetHistogram().GetSampleCount())
				}
			}
		}
	}
	t.Fatalf("no metric %s%v", name, labels)
	return 0
}

func matches(m *dto.Metric, labels map[string]string) bool {
	found := 0
	for _, l := range m.GetLabel() {
		if v, ok := labels[l.GetName()]; ok {
			if v != l.GetValue() {
				return false
			}
			found++
		}
	}
	return found == len(labels)
}

func respondLimit(t *testing.T, e *Engine) time.Duration {
	t.Helper()
	l, err := e.Limits(context.Background(), DeadlineInput{Department: "X", Kind: "COMPLAINT", Priority: "NORMAL", Channel: "WEB"})
	require.NoError(t, err)
	return l.Respond
}

func TestEmbeddedPolicyLoads(t *testing.T) {
	t.Parallel()
	e := embedded(t)
	require.Len(t, e.Revision(), revisionLength)
	c := e.active.Load()
	require.GreaterOrEqual(t, c.tests, 40, "the embedded Rego tests ran")
	require.True(t, c.memoize, "the embedded policy is deterministic")
	// The same content is the same revision.
	again, err := New(context.Background(), Options{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	require.Equal(t, e.Revision(), again.Revision())
}

func TestOverrideReplacesOneFile(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]string{"config/deadlines.json": respondIn(t, "36h")}, Options{})
	require.Equal(t, 36*time.Hour, respondLimit(t, b.engine))
	require.NotEqual(t, embedded(t).Revision(), b.engine.Revision())
	// Everything else is the embedded policy.
	r, err := b.engine.Route(context.Background(), RoutingInput{Kind: "COMPLAINT", Subject: "长者食堂", IntakeDepartment: "CUSTOMER_SERVICE"})
	require.NoError(t, err)
	require.Equal(t, "COMMUNITY_SERVICES", r.Department)
}

func TestNewRefusesABrokenDirectory(t *testing.T) {
	t.Parallel()
	dir := overrideDir(t, map[string]string{"rego/routing.rego": "package xinfang.v1.routing\n\nroute := {\n"})
	_, err := New(context.Background(), Options{Dir: dir, Logger: slog.New(slog.DiscardHandler)})
	require.ErrorContains(t, err, "rego/routing.rego")
	_, err = New(context.Background(), Options{Dir: filepath.Join(dir, "missing"), Logger: slog.New(slog.DiscardHandler)})
	require.ErrorContains(t, err, "policy directory")
}

func TestReloadKeepsTheLastGoodPolicy(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, map[string]string{"config/deadlines.json": respondIn(t, "36h")}, Options{})
	good := b.engine.Revision()

	// A broken data file is refused; the engine keeps deciding with the
	// previous revision.
	writeFiles(t, b.dir, map[string]string{"config/deadlines.json": `{"deadlines": {"default": `})
	err := b.engine.Reload(ctx)
	require.ErrorContains(t, err, "config/deadlines.json: not valid JSON")
	require.Equal(t, good, b.engine.Revision())
	require.Equal(t, 36*time.Hour, respondLimit(t, b.engine))
	require.Contains(t, b.log.String(), "level=ERROR msg=\"policy refused; the previous policy stays active\"")
	require.Contains(t, b.log.String(), "active_revision="+good)
	require.Equal(t, 1.0, b.metric(t, "xinfang_policy_reloads_total", map[string]string{"result": "error"}))

	// So is Rego that does not compile, and data that breaks the schema.
	writeFiles(t, b.dir, map[string]string{"config/deadlines.json": respondIn(t, "36h"), "rego/extra.rego": "package extra\n\nx := y\n"})
	require.ErrorContains(t, b.engine.Reload(ctx), "rego/extra.rego:3")
	writeFiles(t, b.dir, map[string]string{"rego/extra.rego": "package extra\n", "config/deadlines.json": respondIn(t, "two days")})
	require.ErrorContains(t, b.engine.Reload(ctx), `config/deadlines.json: deadlines.default.respond: "two days" is not a duration`)
	require.Equal(t, 36*time.Hour, respondLimit(t, b.engine))

	// A valid change takes effect.
	writeFiles(t, b.dir, map[string]string{"config/deadlines.json": respondIn(t, "24h")})
	require.NoError(t, b.engine.Reload(ctx))
	require.Equal(t, 24*time.Hour, respondLimit(t, b.engine))
	require.NotEqual(t, good, b.engine.Revision())
	require.Equal(t, 3.0, b.metric(t, "xinfang_policy_reloads_total", map[string]string{"result": "error"}))
	require.Equal(t, 2.0, b.metric(t, "xinfang_policy_reloads_total", map[string]string{"result": "ok"}))
	require.Equal(t, 1.0, b.metric(t, "xinfang_policy_revision_info", map[string]string{"revision": b.engine.Revision()}))
	require.Contains(t, b.log.String(), "msg=\"policy reloaded\" revision="+b.engine.Revision()+" previous_revision="+good)
}

func TestReloadRefusesFailingRegoTests(t *testing.T) {
	t.Parallel()
	b := setup(t, nil, Options{})
	before := b.engine.Revision()
	// A policy change that breaks the embedded tests is refused: here the
	// routing rules forget the service project.
	routing := strings.Replace(embeddedFile(t, "rego/routing.rego"), `input.service_project_department != ""`, `input.service_project_department == "NONE"`, 1)
	writeFiles(t, b.dir, map[string]string{"rego/routing.rego": routing})
	err := b.engine.Reload(context.Background())
	require.ErrorContains(t, err, "Rego test(s) failed")
	require.ErrorContains(t, err, "data.xinfang.v1.routing_test.test_service_project_owner_first: FAIL")
	require.Equal(t, before, b.engine.Revision())
}

func TestWatchReloadsOnChange(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]string{"config/deadlines.json": respondIn(t, "36h")}, Options{PollInterval: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { b.engine.Watch(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })

	writeFiles(t, b.dir, map[string]string{"config/deadlines.json": respondIn(t, "12h")})
	require.Eventually(t, func() bool { return respondLimit(t, b.engine) == 12*time.Hour }, 20*time.Second, 10*time.Millisecond)

	// A broken change is refused once, not on every poll, and the policy
	// keeps serving.
	writeFiles(t, b.dir, map[string]string{"rego/broken.rego": "package broken\n\nx if {\n"})
	require.Eventually(t, func() bool {
		return b.metric(t, "xinfang_policy_reloads_total", map[string]string{"result": "error"}) == 1
	}, 20*time.Second, 10*time.Millisecond)
	time.Sleep(100 * time.Millisecond) // ten more polls
	require.Equal(t, 1.0, b.metric(t, "xinfang_policy_reloads_total", map[string]string{"result": "error"}))
	require.Equal(t, 12*time.Hour, respondLimit(t, b.engine))

	// Fixing it reloads.
	require.NoError(t, os.Remove(filepath.Join(b.dir, "rego", "broken.rego")))
	writeFiles(t, b.dir, map[string]string{"config/deadlines.json": respondIn(t, "6h")})
	require.Eventually(t, func() bool { return respondLimit(t, b.engine) == 6*time.Hour }, 20*time.Second, 10*time.Millisecond)
}

func TestWatchWithoutDirectoryWaitsForCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	embedded(t).Watch(ctx) // returns
	require.Error(t, ctx.Err())
}

func TestDecisionsAreLoggedAndCounted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := setup(t, nil, Options{})
	head := Subject{Kind: StaffMember, StaffID: 5, Role: RoleDeptHead, DepartmentID: 3}
	d, err := b.engine.AuthorizeDecision(ctx, head, ActionCaseAssign, Resource{CaseID: 9, DepartmentID: 3})
	require.NoError(t, err)
	require.Equal(t, b.engine.Revision(), d.Revision)
	_, err = b.engine.AuthorizeDecision(ctx, head, ActionCaseAssign, Resource{CaseID: 9, DepartmentID: 4})
	require.Error(t, err)
	r, err := b.engine.Route(ctx, RoutingInput{Kind: "COMPLAINT", IntakeDepartment: "CUSTOMER_SERVICE"})
	require.NoError(t, err)
	require.NotEqual(t, d.ID, r.Decision.ID)

	log := b.log.String()
	require.Contains(t, log, "level=DEBUG msg=\"policy decision\" policy=authz decision_id="+d.ID+" revision="+d.Revision+" result=allow action=case.assign")
	require.Contains(t, log, "result=deny action=case.assign reason=other_department")
	require.Contains(t, log, "policy=routing decision_id="+r.Decision.ID)
	require.Equal(t, 1.0, b.metric(t, "xinfang_policy_decisions_total", map[string]string{"policy": "authz", "result": "allow"}))
	require.Equal(t, 1.0, b.metric(t, "xinfang_policy_decisions_total", map[string]string{"policy": "authz", "result": "deny"}))
	require.Equal(t, 1.0, b.metric(t, "xinfang_policy_decisions_total", map[string]string{"policy": "routing", "result": "ok"}))
	require.Equal(t, 0.0, b.metric(t, "xinfang_policy_decisions_total", map[string]string{"policy": "limits", "result": "error"}))
	require.Equal(t, 2.0, b.metric(t, "xinfang_policy_decision_duration_seconds", map[string]string{"policy": "authz"}))
}

func TestDecisionIDsAreUnique(t *testing.T) {
	t.Parallel()
	e := embedded(t)
	seen := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 200 {
				l, err := e.Limits(context.Background(), DeadlineInput{Department: "HR"})
				require.NoError(t, err)
				mu.Lock()
				require.False(t, seen[l.Decision.ID], l.Decision.ID)
				seen[l.Decision.ID] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	other, err := New(context.Background(), Options{Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	l, err := other.Limits(context.Background(), DeadlineInput{Department: "HR"})
	require.NoError(t, err)
	require.False(t, seen[l.Decision.ID], "another engine's IDs differ")
}

func TestNilRegistererAndLogger(t *testing.T) {
	t.Parallel()
	e, err := New(context.Background(), Options{})
	require.NoError(t, err)
	require.NoError(t, e.Authorize(context.Background(), Subject{}, ActionCaseSubmit, Resource{}))
}

func TestNonDeterministicPoliciesAreNotRemembered(t *testing.T) {
	t.Parallel()
	b := setup(t, map[string]string{"rego/clock.rego": "package xinfang.clock\n\nnow := time.now_ns()\n"}, Options{})
	require.False(t, b.engine.active.Load().memoize)
	require.True(t, embedded(t).active.Load().memoize)
}

func symlink(target, link string) error { return os.Symlink(target, link) }

func TestFailedNewRegistersNothing(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	broken := overrideDir(t, map[string]string{"config/routing.json": "["})
	_, err := New(context.Background(), Options{Dir: broken, Registerer: reg, Logger: slog.New(slog.DiscardHandler)})
	require.Error(t, err)
	_, err = New(context.Background(), Options{Registerer: reg, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err, "a second New on the same registry works")
	_, err = New(context.Background(), Options{Registerer: reg, Logger: slog.New(slog.DiscardHandler)})
	require.ErrorContains(t, err, "register policy metrics")
}

func TestMemoIsBounded(t *testing.T) {
	t.Parallel()
	m := memo[int, int]{max: 3}
	for i := range 10 {
		m.put(i, i*i)
	}
	require.Equal(t, int64(3), m.size.Load())
	v, ok := m.get(2)
	require.True(t, ok)
	require.Equal(t, 4, v)
	_, ok = m.get(5)
	require.False(t, ok)
}
