package workflow_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/internal/clock"
	"github.com/xinfang/xinfang/internal/testenv"
	"github.com/xinfang/xinfang/internal/workflow"
	"github.com/xinfang/xinfang/policy"
)

// TestPostgresIntakeMatchesEntPath: the one-statement PostgreSQL intake
// (intake_postgres.go) must write exactly the rows the portable ent path
// writes. Both paths submit the same case on the same database; the rows
// (petitioner, case, first event, outbox) must agree in every column but
// their IDs and the PIN hash's random nonce.
func TestPostgresIntakeMatchesEntPath(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.Open(t, testenv.Postgres)
	dept, err := db.Client.Department.Create().SetCode("CS").SetName("客户服务部").SetIntake(true).Save(ctx)
	require.NoError(t, err)
	cat, err := db.Client.Category.Create().SetCode("SVC").SetName("服务").Save(ctx)
	require.NoError(t, err)
	agent, err := db.Client.Staff.Create().SetUsername("a").SetDisplayName("a").SetPasswordHash("x").
		SetRole("INTAKE_AGENT").SetDepartmentID(dept.ID).Save(ctx)
	require.NoError(t, err)
	clk := clock.NewManual(time.Date(2026, 6, 1, 8, 0, 0, 123456000, time.UTC))

	newService := func(postgres bool) *workflow.Service {
		engine, err := policy.New(ctx, policy.Options{})
		require.NoError(t, err)
		s, err := workflow.New(workflow.Config{Client: db.Client, Postgres: postgres, Policy: engine,
			PINSecret: []byte(strings.Repeat("s", 32)), Now: clk.Now})
		require.NoError(t, err)
		return s
	}
	in := workflow.Submission{
		Channel: casefile.ChannelLETTER, Kind: casefile.KindCOMPLAINT, Priority: casefile.PriorityHIGH,
		Subject: "来信反映问题", Body: "信件内容", CategoryID: &cat.ID, Locale: "zh-CN",
		ReceivedAt: clk.Now().Add(-2 * time.Hour),
		Contact:    workflow.Contact{Name: "王五", Phone: "13900000000", Email: "w@example.com", Address: "北京市"},
	}
	staffCtx := policy.WithSubject(ctx, policy.Subject{Kind: policy.StaffMember, StaffID: agent.ID, Role: policy.RoleIntakeAgent})
	viaEnt, err := newService(false).Record(staffCtx, in)
	require.NoError(t, err)
	viaSQL, err := newService(true).Record(staffCtx, in)
	require.NoError(t, err)

	row := func(query string, id int) map[string]any {
		var raw []byte
		require.NoError(t, db.SQL.QueryRowContext(ctx, query, id).Scan(&raw))
		var m map[string]any
		require.NoError(t, json.Unmarshal(raw, &m))
		return m
	}
	caseRow := func(id int) map[string]any {
		m := row(`SELECT row_to_json(c) FROM cases c WHERE id = $1`, id)
		pin := m["pin_hash"].(string)
		require.Regexp(t, `^[0-9a-f]{32}\$[0-9a-f]{64}$`, pin)
		delete(m, "id")
		delete(m, "pin_hash")
		delete(m, "petitioner_id")
		// The hash covers the event's payload, which names the policy
		// decisions; each decision has its own ID, so the hashes differ.
		// VerifyChain below checks them.
		delete(m, "last_event_hash")
		return m
	}
	eventRow := func(caseID int) map[string]any {
		m := row(`SELECT row_to_json(e) FROM case_events e WHERE case_id = $1`, caseID)
		delete(m, "id")
		delete(m, "case_id")
		delete(m, "hash")
		payload := m["payload"].(map[string]any)
		decisions := payload["decisions"].(map[string]any)
		require.NotEmpty(t, decisions["routing"])
		require.NotEmpty(t, decisions["limits"])
		delete(payload, "decisions")
		return m
	}
	outboxRow := func(caseID int) map[string]any {
		m := row(`SELECT row_to_json(o) FROM analytics_outbox o JOIN case_events e ON e.id = o.event_id WHERE e.case_id = $1`, caseID)
		delete(m, "id")
		delete(m, "event_id")
		return m
	}
	petitionerRow := func(caseID int) map[string]any {
		m := row(`SELECT row_to_json(p) FROM petitioners p JOIN cases c ON c.petitioner_id = p.id WHERE c.id = $1`, caseID)
		delete(m, "id")
		return m
	}
	require.Equal(t, caseRow(viaEnt.CaseID), caseRow(viaSQL.CaseID))
	require.Equal(t, eventRow(viaEnt.CaseID), eventRow(viaSQL.CaseID))
	require.Equal(t, petitionerRow(viaEnt.CaseID), petitionerRow(viaSQL.CaseID))
	require.Equal(t, outboxRow(viaEnt.CaseID), outboxRow(viaSQL.CaseID))
	var outboxRows, events int
	require.NoError(t, db.SQL.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM analytics_outbox), (SELECT count(*) FROM case_events)`).Scan(&outboxRows, &events))
	require.Equal(t, 2, events)
	require.Equal(t, events, outboxRows, "one outbox row per event")

	// The chains verify either way.
	s := newService(true)
	require.NoError(t, s.VerifyChain(ctx, viaEnt.CaseID))
	require.NoError(t, s.VerifyChain(ctx, viaSQL.CaseID))
}
