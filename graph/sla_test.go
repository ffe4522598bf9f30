package graph_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/ent/caseevent"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/internal/sla"
	"github.com/xinfang/xinfang/internal/testenv"
)

// alertView is a deadline alert as the SPA reads it.
type alertView struct {
	ID       string
	Case     struct{ ID string }
	Deadline string
	Level    string
	Due      time.Time
	Notify   []string
}

const alertFields = `id case { id } deadline level due notify reasons`

func (b *testBundle) alerts(as string) []alertView {
	b.t.Helper()
	var out struct {
		DeadlineAlerts struct {
			Nodes       []alertView
			HasNextPage bool
		}
	}
	b.ok(as, `{ deadlineAlerts(first: 50) { nodes { `+alertFields+` } hasNextPage } }`, nil, &out)
	return out.DeadlineAlerts.Nodes
}

func (b *testBundle) tick() sla.TickStats {
	b.t.Helper()
	stats, err := b.app.Watcher.Tick(context.Background())
	require.NoError(b.t, err)
	return stats
}

func (b *testBundle) slaState(id string) string {
	b.t.Helper()
	var out struct{ Node struct{ SlaState string } }
	b.ok("admin", `query($id: ID!) { node(id: $id) { ... on Case { slaState } } }`, map[string]any{"id": id}, &out)
	return out.Node.SlaState
}

// deadlineEvents counts the watcher's events of a case.
func (b *testBundle) deadlineEvents(id string) map[caseevent.Type]int {
	b.t.Helper()
	var caseID int
	require.NoError(b.t, json.Unmarshal([]byte(id), &caseID))
	events, err := b.app.DB.Client.CaseEvent.Query().
		Where(caseevent.CaseID(caseID), caseevent.TypeIn(caseevent.TypeDEADLINE_WARNING, caseevent.TypeDEADLINE_BREACHED, caseevent.TypeDEADLINE_ESCALATED)).
		All(context.Background())
	require.NoError(b.t, err)
	n := map[caseevent.Type]int{}
	for _, ev := range events {
		n[ev.Type]++
		require.Equal(b.t, caseevent.ActorKindSYSTEM, ev.ActorKind)
	}
	return n
}

// gaugeValue reads an unlabelled gauge from a registry.
func gaugeValue(t *testing.T, reg prometheus.Gatherer, name string) float64 {
	t.Helper()
	families, err := reg.Gather()
	require.NoError(t, err)
	for _, f := range families {
		if f.GetName() == name {
			return f.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}

// TestDeadlineWatcher walks one case through warning, breach and
// escalation: each recorded once, addressed as the policy says, and
// nothing repeated by further ticks or a restarted watcher.
func TestDeadlineWatcher(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		s, c := b.inProgress("食堂饭菜质量差")
		require.NotNil(t, c.RespondDue)
		require.Equal(t, b.clock.Now().Add(48*time.Hour), c.RespondDue.UTC())

		// At once: the watcher schedules the warning, records nothing.
		stats := b.tick()
		require.Equal(t, 1, stats.Checked)
		require.Zero(t, stats.Recorded)
		require.Equal(t, "ON_TRACK", b.slaState(s.ID))
		require.Zero(t, b.tick().Checked, "a quiet tick reads no case")

		// 75 % of the 48 hours: the warning, for the assignee and the head.
		b.clock.Advance(36*time.Hour + time.Minute)
		require.Equal(t, 1, b.tick().Recorded)
		require.Equal(t, "AT_RISK", b.slaState(s.ID))
		warning := b.alerts("handler")
		require.Len(t, warning, 1)
		require.Equal(t, s.ID, warning[0].Case.ID)
		require.Equal(t, "RESPOND", warning[0].Deadline)
		require.Equal(t, "AT_RISK", warning[0].Level)
		require.Equal(t, c.RespondDue.UTC(), warning[0].Due.UTC())
		require.Equal(t, []string{"assignee", "dept_head"}, warning[0].Notify)
		require.Len(t, b.alerts("head"), 1)
		require.Empty(t, b.alerts("handler2"), "not the assignee")
		require.Empty(t, b.alerts("adminHead"), "head of another department")
		require.Empty(t, b.alerts("admin"), "warnings stay in the department")
		require.Zero(t, b.tick().Recorded, "recorded once")

		// Past the deadline: the breach, for the head.
		b.clock.Advance(12 * time.Hour)
		require.Equal(t, 1, b.tick().Recorded)
		require.Equal(t, "BREACHED", b.slaState(s.ID))
		head := b.alerts("head")
		require.Len(t, head, 2)
		require.Equal(t, "BREACHED", head[0].Level, "newest first")
		require.Len(t, b.alerts("handler"), 1)
		var overdue struct{ Node caseView }
		b.ok("head", `query($id: ID!) { node(id: $id) { ... on Case { overdue } } }`, map[string]any{"id": s.ID}, &overdue)
		require.True(t, overdue.Node.Overdue)

		// A restarted watcher finds the levels recorded.
		restarted, err := sla.New(sla.Config{Cases: b.app.Workflow, Policy: b.app.Policy, Now: b.clock.Now, Logger: slog.New(slog.DiscardHandler)})
		require.NoError(t, err)
		stats, err = restarted.Tick(context.Background())
		require.NoError(t, err)
		require.Zero(t, stats.Recorded)

		// 24 hours after the breach: escalated to the administrator (督办).
		b.clock.Advance(24 * time.Hour)
		require.Equal(t, 1, b.tick().Recorded)
		require.Equal(t, "ESCALATED", b.slaState(s.ID))
		admin := b.alerts("admin")
		require.Len(t, admin, 1)
		require.Equal(t, "ESCALATED", admin[0].Level)
		require.Equal(t, []string{"admin"}, admin[0].Notify)
		b.clock.Advance(24 * time.Hour)
		require.Zero(t, b.tick().Checked, "nothing further happens to an escalated deadline")

		require.Equal(t, map[caseevent.Type]int{
			caseevent.TypeDEADLINE_WARNING: 1, caseevent.TypeDEADLINE_BREACHED: 1, caseevent.TypeDEADLINE_ESCALATED: 1,
		}, b.deadlineEvents(s.ID))

		// The reply starts the resolution deadline afresh.
		c = b.getCase("handler", s.ID)
		b.act("handler", "respondCase", map[string]any{"id": s.ID, "version": c.Version, "outcome": "EXPLAINED", "reply": "已整改。"})
		require.Equal(t, "ON_TRACK", b.slaState(s.ID))
		require.Equal(t, 1, b.tick().Checked)

		var caseID int
		require.NoError(t, json.Unmarshal([]byte(s.ID), &caseID))
		require.NoError(t, b.app.Workflow.VerifyChain(context.Background(), caseID))
	})
}

// TestDeadlinePauseAndExtension: a paused deadline is not watched and
// keeps its level; an approved extension lowers the level without an
// event, and the new deadline warns again.
func TestDeadlinePauseAndExtension(t *testing.T) {
	t.Parallel()
	b := setup(t, testenv.SQLite)
	s, c := b.inProgress("Broken lift in the north building")
	b.tick()
	b.clock.Advance(40 * time.Hour)
	require.Equal(t, 1, b.tick().Recorded)

	c = b.act("handler", "requestInformation", map[string]any{"id": s.ID, "version": c.Version + 1, "question": "Which floor?"})
	require.Equal(t, "AWAITING_PETITIONER", c.Status)
	require.Equal(t, "AT_RISK", b.slaState(s.ID), "a pause keeps the level")
	b.clock.Advance(100 * time.Hour)
	require.Zero(t, b.tick().Checked, "a paused deadline is not watched")
	b.petitioner(s, "provideInformation", map[string]any{"answer": "The 3rd floor."})
	require.Zero(t, b.tick().Recorded, "the same deadline, warned already")

	c = b.getCase("handler", s.ID)
	c = b.act("handler", "requestExtension", map[string]any{"id": s.ID, "version": c.Version, "hours": 48, "reason": "Parts on order"})
	b.act("head", "decideExtension", map[string]any{"id": s.ID, "version": c.Version, "approve": true})
	stats := b.tick()
	require.Equal(t, 1, stats.Checked)
	require.Zero(t, stats.Recorded)
	require.Equal(t, "ON_TRACK", b.slaState(s.ID), "the extension moved the deadline away")
	b.clock.Advance(40 * time.Hour)
	require.Equal(t, 1, b.tick().Recorded)
	require.Equal(t, map[caseevent.Type]int{caseevent.TypeDEADLINE_WARNING: 2}, b.deadlineEvents(s.ID))
}

// TestDeadlineWatchersRace: four watchers ticking at once over the same
// breached cases record each level exactly once.
func TestDeadlineWatchersRace(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		var ids []string
		for i := range 12 {
			s, _ := b.inProgress("Case " + itoa(i) + " about the canteen")
			ids = append(ids, s.ID)
		}
		b.clock.Advance(49 * time.Hour)
		var wg sync.WaitGroup
		for range 4 {
			w, err := sla.New(sla.Config{Cases: b.app.Workflow, Policy: b.app.Policy, Now: b.clock.Now,
				BatchSize: 5, Logger: slog.New(slog.DiscardHandler)})
			require.NoError(t, err)
			wg.Go(func() {
				_, err := w.Tick(context.Background())
				require.NoError(t, err)
			})
		}
		wg.Wait()
		b.tick() // whatever a lost race left due
		for _, id := range ids {
			require.Equal(t, map[caseevent.Type]int{caseevent.TypeDEADLINE_BREACHED: 1}, b.deadlineEvents(id), "case %s", id)
			require.Equal(t, "BREACHED", b.slaState(id))
		}
		breached, err := b.app.DB.Client.CaseFile.Query().Where(casefile.SLAStateEQ(casefile.SLAStateBREACHED)).Count(context.Background())
		require.NoError(t, err)
		require.Equal(t, len(ids), breached)
	})
}

// TestDeadlineAlertsAccess: alerts are for staff; the public and
// petitioners are refused, paging validates its size.
func TestDeadlineAlertsAccess(t *testing.T) {
	t.Parallel()
	b := setup(t, testenv.SQLite)
	b.fails("UNAUTHENTICATED", "", `{ deadlineAlerts { nodes { id } } }`, nil)
	b.fails("VALIDATION", "head", `{ deadlineAlerts(first: 1000) { nodes { id } } }`, nil)
	s1, _ := b.inProgress("First")
	s2, _ := b.inProgress("Second")
	b.tick()
	b.clock.Advance(37 * time.Hour)
	require.Equal(t, 2, b.tick().Recorded)
	var page struct {
		DeadlineAlerts struct {
			Nodes       []alertView
			EndCursor   *string
			HasNextPage bool
		}
	}
	b.ok("head", `{ deadlineAlerts(first: 1) { nodes { `+alertFields+` } endCursor hasNextPage } }`, nil, &page)
	require.True(t, page.DeadlineAlerts.HasNextPage)
	seen := []string{page.DeadlineAlerts.Nodes[0].Case.ID}
	b.ok("head", `query($before: ID) { deadlineAlerts(first: 1, before: $before) { nodes { `+alertFields+` } endCursor hasNextPage } }`,
		map[string]any{"before": *page.DeadlineAlerts.EndCursor}, &page)
	require.False(t, page.DeadlineAlerts.HasNextPage)
	seen = append(seen, page.DeadlineAlerts.Nodes[0].Case.ID)
	require.ElementsMatch(t, []string{s1.ID, s2.ID}, seen, "two pages, each alert once")
}

// TestDeadlineAlertSubscription: a department head subscribed over the
// websocket receives the warning the moment the watcher records it.
func TestDeadlineAlertSubscription(t *testing.T) {
	t.Parallel()
	b := setup(t, testenv.SQLite)
	srv := httptest.NewServer(b.app.Handler)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/graphql", &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"}, HTTPHeader: http.Header{"Accept-Language": {"en"}},
	})
	require.NoError(t, err)
	defer conn.Close(websocket.StatusNormalClosure, "")
	require.NoError(t, wsjson.Write(ctx, conn, map[string]any{"type": "connection_init",
		"payload": map[string]any{"Authorization": "Bearer " + b.tokens["head"]}}))
	var ack map[string]any
	require.NoError(t, wsjson.Read(ctx, conn, &ack))
	require.Equal(t, "connection_ack", ack["type"])

	s, _ := b.inProgress("Noise from the workshop at night")
	b.tick()
	require.NoError(t, wsjson.Write(ctx, conn, map[string]any{"id": "1", "type": "subscribe",
		"payload": map[string]any{"query": `subscription { deadlineAlerts { ` + alertFields + ` } }`}}))
	// The subscription starts asynchronously; alerts from before it are
	// not replayed, so record the warning once it is served.
	require.Eventually(t, func() bool {
		return gaugeValue(t, b.app.Metrics, "xinfang_sla_alert_subscriptions") == 1
	}, 10*time.Second, 10*time.Millisecond)
	b.clock.Advance(37 * time.Hour)
	require.Equal(t, 1, b.tick().Recorded)

	var next struct {
		Type    string
		Payload struct {
			Data struct{ DeadlineAlerts alertView }
		}
	}
	require.NoError(t, wsjson.Read(ctx, conn, &next))
	require.Equal(t, "next", next.Type)
	require.Equal(t, s.ID, next.Payload.Data.DeadlineAlerts.Case.ID)
	require.Equal(t, "AT_RISK", next.Payload.Data.DeadlineAlerts.Level)

	// The public cannot subscribe.
	anon, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/graphql", &websocket.DialOptions{
		Subprotocols: []string{"graphql-transport-ws"}})
	require.NoError(t, err)
	defer anon.Close(websocket.StatusNormalClosure, "")
	require.NoError(t, wsjson.Write(ctx, anon, map[string]any{"type": "connection_init"}))
	require.NoError(t, wsjson.Read(ctx, anon, &ack))
	require.NoError(t, wsjson.Write(ctx, anon, map[string]any{"id": "1", "type": "subscribe",
		"payload": map[string]any{"query": `subscription { deadlineAlerts { id } }`}}))
	var refused struct {
		Type    string
		Payload struct{ Errors []gqlError }
	}
	require.NoError(t, wsjson.Read(ctx, anon, &refused))
	require.Equal(t, "next", refused.Type)
	require.Len(t, refused.Payload.Errors, 1)
	require.Equal(t, "UNAUTHENTICATED", refused.Payload.Errors[0].Code())
}
