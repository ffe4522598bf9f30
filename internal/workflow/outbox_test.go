package workflow_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/caseevent"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/internal/clock"
	"github.com/xinfang/xinfang/internal/store"
	"github.com/xinfang/xinfang/internal/testenv"
	"github.com/xinfang/xinfang/internal/workflow"
	"github.com/xinfang/xinfang/policy"
)

// outboxBundle is a database with an organisation and a workflow on it.
type outboxBundle struct {
	db      *store.DB
	clk     *clock.Manual
	wf      *workflow.Service
	admin   context.Context
	handler int
}

func setupOutbox(t *testing.T, backend testenv.Backend) *outboxBundle {
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
	b := &outboxBundle{db: db, clk: clock.NewManual(time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)), handler: handler.ID}
	b.wf = b.service(t, db.Client, backend == testenv.Postgres)
	b.admin = policy.WithSubject(ctx, policy.Subject{Kind: policy.StaffMember, StaffID: admin.ID, Role: policy.RoleAdmin, DepartmentID: dept.ID})
	return b
}

func (b *outboxBundle) service(t *testing.T, client *ent.Client, postgres bool) *workflow.Service {
	t.Helper()
	s, err := workflow.New(workflow.Config{Client: client, Policy: testenv.Policy(t), Postgres: postgres,
		PINSecret: []byte(strings.Repeat("s", 32)), Now: b.clk.Now})
	require.NoError(t, err)
	return s
}

// counts returns how many case events and outbox rows there are, and
// whether the outbox names exactly the events.
func (b *outboxBundle) counts(t *testing.T) (events, outbox int) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, b.db.SQL.QueryRowContext(ctx,
		`SELECT (SELECT count(*) FROM case_events), (SELECT count(*) FROM analytics_outbox)`).Scan(&events, &outbox))
	var unmatched int
	require.NoError(t, b.db.SQL.QueryRowContext(ctx, `SELECT count(*) FROM case_events e
		WHERE NOT EXISTS (SELECT 1 FROM analytics_outbox o WHERE o.event_id = e.id)`).Scan(&unmatched))
	require.Zero(t, unmatched, "every event has its outbox row")
	return events, outbox
}

func petitioner(ctx context.Context, caseID int) context.Context {
	return policy.WithSubject(ctx, policy.Subject{Kind: policy.Petitioner, CaseID: caseID})
}

func submission(subject string) workflow.Submission {
	return workflow.Submission{Kind: casefile.KindCOMPLAINT, Subject: subject, Body: "内容",
		Contact: workflow.Contact{Name: "张三", Phone: "13800000000"}}
}

// TestOutboxRowPerEvent: intake and every kind of transition write one
// outbox row per event, in the same transaction.
func TestOutboxRowPerEvent(t *testing.T) {
	t.Parallel()
	for _, backend := range testenv.Backends(t) {
		t.Run(backend.String(), func(t *testing.T) {
			t.Parallel()
			b := setupOutbox(t, backend)
			ctx := b.admin
			step := func(c *ent.CaseFile, err error) *ent.CaseFile {
				t.Helper()
				require.NoError(t, err)
				b.clk.Advance(time.Hour)
				return c
			}

			r, err := b.wf.Submit(context.Background(), submission("网上投诉"))
			require.NoError(t, err)
			id := r.CaseID
			c := step(b.wf.Accept(ctx, workflow.Ref{ID: id, Version: workflow.V(1)}, nil))
			c = step(b.wf.Assign(ctx, workflow.Ref{ID: id, Version: &c.Version}, b.handler))
			c = step(b.wf.StartWork(ctx, workflow.Ref{ID: id, Version: &c.Version}))
			c = step(b.wf.AddNote(ctx, workflow.Ref{ID: id}, "内部备注", false))
			c = step(b.wf.RequestInformation(ctx, workflow.Ref{ID: id, Version: &c.Version}, "请补充材料"))
			c = step(b.wf.ProvideInformation(petitioner(ctx, id), workflow.Ref{ID: id, Version: &c.Version}, "材料"))
			c = step(b.wf.RequestExtension(ctx, workflow.Ref{ID: id, Version: &c.Version}, 24, "需要调查"))
			c = step(b.wf.DecideExtension(ctx, workflow.Ref{ID: id, Version: &c.Version}, true, ""))
			due := *c.RespondDue
			c = step(b.wf.Respond(ctx, workflow.Ref{ID: id, Version: &c.Version}, casefile.OutcomeSUPPORTED, "答复"))
			c = step(b.wf.Close(ctx, workflow.Ref{ID: id, Version: &c.Version}))
			c = step(b.wf.Rate(petitioner(ctx, id), workflow.Ref{ID: id, Version: &c.Version}, 5, ""))
			step(b.wf.RequestReview(petitioner(ctx, id), workflow.Ref{ID: id, Version: &c.Version}, "不满意"))

			recorded := submission("来电")
			recorded.Channel = casefile.ChannelHOTLINE
			r2, err := b.wf.Record(ctx, recorded)
			require.NoError(t, err)
			r3, err := b.wf.Submit(context.Background(), submission("重复投诉"))
			require.NoError(t, err)
			step(b.wf.Merge(ctx, workflow.Ref{ID: r3.CaseID, Version: workflow.V(1)}, r2.CaseID))
			r4, err := b.wf.Submit(context.Background(), submission("不受理"))
			require.NoError(t, err)
			step(b.wf.Decline(ctx, workflow.Ref{ID: r4.CaseID, Version: workflow.V(1)}, "不属于受理范围"))

			events, outbox := b.counts(t)
			// 13 events of the first case, RECORDED, SUBMITTED + MERGED +
			// DUPLICATE_MERGED, SUBMITTED + DECLINED.
			require.Equal(t, 13+1+3+2, events)
			require.Equal(t, events, outbox)

			responded, err := b.db.Client.CaseEvent.Query().
				Where(caseevent.CaseID(id), caseevent.TypeEQ(caseevent.TypeRESPONDED)).Only(context.Background())
			require.NoError(t, err)
			require.Equal(t, due.UTC().Format(time.RFC3339Nano), responded.Payload["respondDue"],
				"the response carries the deadline in force")
		})
	}
}

// TestOutboxFailureLeavesNothing: a refused transition writes no outbox
// row, and when the outbox row cannot be written, neither the event nor
// the case change is kept.
func TestOutboxFailureLeavesNothing(t *testing.T) {
	t.Parallel()
	for _, backend := range testenv.Backends(t) {
		t.Run(backend.String(), func(t *testing.T) {
			t.Parallel()
			b := setupOutbox(t, backend)
			ctx := b.admin
			r, err := b.wf.Submit(context.Background(), submission("投诉"))
			require.NoError(t, err)
			events, outbox := b.counts(t)
			require.Equal(t, 1, events)
			require.Equal(t, 1, outbox)

			// Refused by the state machine and by the version check.
			_, err = b.wf.Close(ctx, workflow.Ref{ID: r.CaseID, Version: workflow.V(1)})
			require.Equal(t, apperr.InvalidTransition, apperr.CodeOf(err))
			_, err = b.wf.Accept(ctx, workflow.Ref{ID: r.CaseID, Version: workflow.V(7)}, nil)
			require.Equal(t, apperr.Conflict, apperr.CodeOf(err))
			events, outbox = b.counts(t)
			require.Equal(t, 1, events)
			require.Equal(t, 1, outbox)

			// The outbox insert fails after the event was appended: the
			// whole transition rolls back. Both the transition and the
			// portable intake path are checked (the PostgreSQL one-statement
			// intake is atomic as one statement).
			failing := ent.NewClient(ent.Driver(b.db.Driver))
			broken := errors.New("outbox unavailable")
			failing.Outbox.Use(func(ent.Mutator) ent.Mutator {
				return ent.MutateFunc(func(context.Context, ent.Mutation) (ent.Value, error) { return nil, broken })
			})
			wf := b.service(t, failing, false)
			_, err = wf.Accept(ctx, workflow.Ref{ID: r.CaseID, Version: workflow.V(1)}, nil)
			require.ErrorIs(t, err, broken)
			_, err = wf.Submit(context.Background(), submission("另一件"))
			require.ErrorIs(t, err, broken)
			events, outbox = b.counts(t)
			require.Equal(t, 1, events)
			require.Equal(t, 1, outbox)
			c, err := b.db.Client.CaseFile.Get(context.Background(), r.CaseID)
			require.NoError(t, err)
			require.Equal(t, 1, c.Version)
			n, err := b.db.Client.CaseFile.Query().Count(context.Background())
			require.NoError(t, err)
			require.Equal(t, 1, n)
			require.NoError(t, b.wf.VerifyChain(context.Background(), r.CaseID))
		})
	}
}
