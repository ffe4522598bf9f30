package policysim_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/internal/demo"
	"github.com/xinfang/xinfang/internal/policysim"
	"github.com/xinfang/xinfang/internal/testenv"
	"github.com/xinfang/xinfang/internal/workflow"
	"github.com/xinfang/xinfang/policy"
)

// TestSimulate replays the demo organisation's year of cases, handled
// under the embedded policy, through candidate policies.
func TestSimulate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.Open(t, testenv.SQLite)
	loc, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, loc)
	current, err := policy.New(ctx, policy.Options{})
	require.NoError(t, err)
	_, err = demo.Load(ctx, db.Client, []byte("0123456789abcdef0123456789abcdef"), demo.Options{Now: now, Location: loc, Policy: current})
	require.NoError(t, err)
	opts := policysim.Options{Since: now.AddDate(-2, 0, 0), Now: now, Tracking: func(id int, received time.Time) string {
		return workflow.FormatTrackingCode(id, received.In(loc).Year())
	}}

	t.Run("the same policy changes nothing", func(t *testing.T) {
		same, err := policy.New(ctx, policy.Options{})
		require.NoError(t, err)
		rep, err := policysim.Simulate(ctx, db.Client, current, same, opts)
		require.NoError(t, err)
		require.Equal(t, 200, rep.Cases)
		require.Empty(t, rep.Changes)
		require.Equal(t, rep.BreachesCurrent, rep.BreachesCandidate)
		require.Positive(t, rep.BreachesCurrent, "the demo has late answers")
	})

	t.Run("statutory limits move deadlines later and avoid breaches", func(t *testing.T) {
		statutory, err := policy.New(ctx, policy.Options{Dir: filepath.Join("..", "..", "policy", "examples", "statutory")})
		require.NoError(t, err)
		rep, err := policysim.Simulate(ctx, db.Client, current, statutory, opts)
		require.NoError(t, err)
		require.Zero(t, rep.Rerouted, "the example changes limits only")
		require.Positive(t, rep.DeadlinesLater)
		require.Zero(t, rep.DeadlinesEarlier)
		require.Positive(t, rep.BreachesAvoided)
		require.Zero(t, rep.BreachesIntroduced, "longer limits make no answer late")
		require.Equal(t, rep.BreachesCurrent-rep.BreachesAvoided, rep.BreachesCandidate)
		require.Positive(t, rep.MedianDeadlineShift)
	})

	t.Run("without keyword tables cases route by category or to intake", func(t *testing.T) {
		dir := t.TempDir()
		var routing map[string]map[string]any
		raw, err := os.ReadFile(filepath.Join("..", "..", "policy", "config", "routing.json"))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(raw, &routing))
		routing["routing"]["keywords"] = []any{}
		raw, err = json.Marshal(routing)
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Join(dir, "config"), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "config", "routing.json"), raw, 0o644))
		candidate, err := policy.New(ctx, policy.Options{Dir: dir})
		require.NoError(t, err)
		rep, err := policysim.Simulate(ctx, db.Client, current, candidate, opts)
		require.NoError(t, err)
		require.Positive(t, rep.Rerouted)
		for _, c := range rep.Changes {
			if c.Rerouted() {
				require.NotEqual(t, c.CurrentDepartment, c.CandidateDepartment)
				require.NotEmpty(t, c.CandidateReasons)
				require.Regexp(t, `^XF-\d{4}-\d{6}$`, c.TrackingCode)
			}
		}
		require.Zero(t, rep.DeadlinesEarlier+rep.DeadlinesLater, "routing alone moves no deadline in the handling department")
	})
}
