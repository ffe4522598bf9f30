package policy

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// The benchmarks cycle through varied inputs (every role, action, kind,
// priority, channel; Chinese and English texts) with a fixed seed. The
// memos of the revision warm up during the run, as in a server.

func BenchmarkAuthorize(b *testing.B) {
	ctx := context.Background()
	e := embedded(b)
	rng := rand.New(rand.NewPCG(1, 1))
	inputs := make([]authzCase, 1024)
	for i := range inputs {
		inputs[i] = randomAuthz(rng)
	}
	i := 0
	for b.Loop() {
		a := inputs[i%len(inputs)]
		if err := e.Authorize(ctx, a.s, a.a, a.r); err != nil && !isRefusal(err) {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkAuthorizeUncached evaluates the policy every time: the cost of
// a combination of facts the engine has not seen.
func BenchmarkAuthorizeUncached(b *testing.B) {
	ctx := context.Background()
	e := embedded(b)
	rng := rand.New(rand.NewPCG(1, 1))
	inputs := make([]authzCase, 1024)
	for i := range inputs {
		inputs[i] = randomAuthz(rng)
	}
	i := 0
	for b.Loop() {
		a := inputs[i%len(inputs)]
		if _, err := e.authorizeDecision(ctx, a.s, a.a, a.r, false); err != nil && !isRefusal(err) {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkRouteAndLimits is intake's question: where does a new case go,
// and what are its limits there. The memo of the revision warms up during
// the run, as in a server.
func BenchmarkRouteAndLimits(b *testing.B) {
	ctx := context.Background()
	e := embedded(b)
	rng := rand.New(rand.NewPCG(2, 2))
	inputs := make([]RoutingInput, 1024)
	for i := range inputs {
		inputs[i] = randomRouting(rng)
	}
	i := 0
	for b.Loop() {
		in := inputs[i%len(inputs)]
		r, err := e.Route(ctx, in)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.Limits(ctx, DeadlineInput{Department: r.Department, Kind: in.Kind, Priority: in.Priority, Channel: in.Channel}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkRouteAndLimitsUncached evaluates both policies every time: the
// cost of a combination the engine has not seen.
func BenchmarkRouteAndLimitsUncached(b *testing.B) {
	ctx := context.Background()
	c := embedded(b).active.Load()
	rng := rand.New(rand.NewPCG(2, 2))
	inputs := make([]RoutingInput, 1024)
	for i := range inputs {
		inputs[i] = randomRouting(rng)
	}
	i := 0
	for b.Loop() {
		in := inputs[i%len(inputs)]
		r, err := c.evalRoute(ctx, in, c.keywords.match(in.Subject, in.Body))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.evalLimits(ctx, DeadlineInput{Department: r.Department, Kind: in.Kind, Priority: in.Priority, Channel: in.Channel}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkCaseScope(b *testing.B) {
	ctx := context.Background()
	e := embedded(b)
	rng := rand.New(rand.NewPCG(3, 3))
	inputs := make([]Subject, 1024)
	for i := range inputs {
		inputs[i] = randomAuthz(rng).s
	}
	i := 0
	for b.Loop() {
		if _, err := e.CaseScope(ctx, inputs[i%len(inputs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkCalendarAdd(b *testing.B) {
	c := officeCalendar(b, "Asia/Shanghai")
	start := at(b, "Asia/Shanghai", "2026-04-30 16:30")
	for b.Loop() {
		c.Add(start, 60*24*time.Hour) // 60 days of working time
	}
}

func TestMeasureDecisions(t *testing.T) {
	t.Parallel()
	_, err := MeasureDecisions(embedded(t), 10)
	require.Error(t, err)
	lat, err := MeasureDecisions(embedded(t), 200)
	require.NoError(t, err)
	require.Equal(t, 200, lat.N)
	for _, p := range []Percentiles{lat.Authorize, lat.AuthorizeUncached, lat.RouteAndLimits, lat.RouteAndLimitsUncached, lat.CaseScope} {
		require.Positive(t, p.P50)
		require.LessOrEqual(t, p.P50, p.P90)
		require.LessOrEqual(t, p.P90, p.P99)
		require.LessOrEqual(t, p.P99, p.Max)
	}
	t.Logf("authorize %v; uncached %v; route+limits %v; uncached %v; scope %v", lat.Authorize, lat.AuthorizeUncached, lat.RouteAndLimits, lat.RouteAndLimitsUncached, lat.CaseScope)
}
