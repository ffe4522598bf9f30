package graph_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/internal/testenv"
	"github.com/xinfang/xinfang/internal/workflow"
)

type publicView struct {
	TrackingCode     string
	Version          int
	Status           string
	DepartmentName   *string
	Reply            string
	Outcome          *string
	PendingQuestion  *string
	CanRate          bool
	CanRequestReview bool
	ReviewRound      int
	Rating           *int
	Timeline         []struct {
		Type    string
		Status  string
		Message *string
	}
}

const publicFields = `trackingCode version status departmentName reply outcome pendingQuestion canRate
	canRequestReview reviewRound rating timeline { type status message }`

func (b *testBundle) public(s submitted) publicView {
	b.t.Helper()
	var out struct{ PublicCase publicView }
	b.ok("", `query($code: String!, $pin: String!) { publicCase(trackingCode: $code, pin: $pin) { `+publicFields+` } }`,
		map[string]any{"code": s.TrackingCode, "pin": s.PIN}, &out)
	return out.PublicCase
}

func (b *testBundle) petitioner(s submitted, mutation string, input map[string]any) publicView {
	b.t.Helper()
	input["trackingCode"], input["pin"] = s.TrackingCode, s.PIN
	var out map[string]publicView
	b.ok("", `mutation($in: `+inputType(mutation)+`!) { `+mutation+`(input: $in) { `+publicFields+` } }`,
		map[string]any{"in": input}, &out)
	return out[mutation]
}

// TestCaseLifecycle walks one case through every transition of its life:
// intake, handling with a pause and an extension, answer, closing, rating,
// review and re-review, and checks the state, the deadlines, what the
// petitioner sees, and the event chain at the end.
func TestCaseLifecycle(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		s := b.submit("社区中心排队时间太长", "我上周二在社区服务中心等了三个小时才办完手续，希望增加窗口。")
		require.Regexp(t, `^XF-2026-\d{6}$`, s.TrackingCode)
		require.Len(t, s.PIN, 8)

		c := b.getCase("intake", s.ID)
		require.Equal(t, "SUBMITTED", c.Status)
		require.Equal(t, 1, c.Version)
		require.Equal(t, "CS", c.Department.Code, "no category or project: the intake department")
		require.Equal(t, b.clock.Now().Add(48*time.Hour), c.RespondDue.UTC(), "the seed's 48-hour limit")
		require.Equal(t, []string{"ACCEPT", "DECLINE", "TRANSFER", "MERGE", "ADD_NOTE"}, c.AvailableActions)

		pub := b.public(s)
		require.Equal(t, "SUBMITTED", pub.Status)
		require.Equal(t, "客户服务部", *pub.DepartmentName)

		c = b.act("intake", "acceptCase", map[string]any{"id": s.ID, "version": c.Version, "priority": "HIGH"})
		require.Equal(t, "ACCEPTED", c.Status)
		c = b.act("head", "assignCase", map[string]any{"id": s.ID, "version": c.Version, "assigneeId": itoa(b.staff["handler"].ID)})
		require.Equal(t, "ASSIGNED", c.Status)
		require.Equal(t, "handler", c.Assignee.Username)
		b.clock.Advance(2 * time.Hour)
		c = b.act("handler", "startWork", map[string]any{"id": s.ID, "version": c.Version})
		require.Equal(t, "IN_PROGRESS", c.Status)
		c = b.act("handler", "addNote", map[string]any{"id": s.ID, "text": "已联系中心主任核实情况"})
		c = b.act("handler", "addNote", map[string]any{"id": s.ID, "version": c.Version, "text": "我们正在核实，请耐心等待。", "visibleToPetitioner": true})

		// Asking the petitioner pauses the clock; the deadline moves by the pause.
		dueBefore := *c.RespondDue
		c = b.act("handler", "requestInformation", map[string]any{"id": s.ID, "version": c.Version, "question": "请问您是在哪个窗口办理的？"})
		require.Equal(t, "AWAITING_PETITIONER", c.Status)
		require.Equal(t, "请问您是在哪个窗口办理的？", *b.public(s).PendingQuestion)
		b.clock.Advance(10 * time.Hour)
		pub = b.petitioner(s, "provideInformation", map[string]any{"answer": "3号窗口"})
		require.Equal(t, "IN_PROGRESS", pub.Status)
		c = b.getCase("handler", s.ID)
		require.Equal(t, dueBefore.Add(10*time.Hour), *c.RespondDue)
		require.Equal(t, 10*3600, c.PausedSeconds)

		c = b.act("handler", "requestExtension", map[string]any{"id": s.ID, "version": c.Version, "hours": 24, "reason": "需要调取监控记录"})
		require.Equal(t, 24, *c.ExtensionRequestedHours)
		require.NotContains(t, c.AvailableActions, "DECIDE_EXTENSION", "a handler may not decide")
		require.Contains(t, b.getCase("head", s.ID).AvailableActions, "DECIDE_EXTENSION")
		dueBefore = *c.RespondDue
		c = b.act("head", "decideExtension", map[string]any{"id": s.ID, "version": c.Version, "approve": true})
		require.Nil(t, c.ExtensionRequestedHours)
		require.Equal(t, 1, c.ExtensionCount)
		require.Equal(t, dueBefore.Add(24*time.Hour), *c.RespondDue)

		c = b.act("handler", "respondCase", map[string]any{"id": s.ID, "version": c.Version, "outcome": "SUPPORTED",
			"reply": "经核实情况属实，中心将于下月起增设两个窗口。"})
		require.Equal(t, "RESPONDED", c.Status)
		c = b.act("handler", "closeCase", map[string]any{"id": s.ID, "version": c.Version})
		require.Equal(t, "CLOSED", c.Status)

		pub = b.public(s)
		require.Equal(t, "SUPPORTED", *pub.Outcome)
		require.True(t, pub.CanRate)
		require.True(t, pub.CanRequestReview)
		pub = b.petitioner(s, "rateCase", map[string]any{"rating": 2, "comment": "速度太慢"})
		require.Equal(t, 2, *pub.Rating)
		require.False(t, pub.CanRate)

		// Review (复查), then re-review (复核), then no more.
		for round := 1; round <= workflow.MaxReviewRound; round++ {
			b.clock.Advance(24 * time.Hour)
			pub = b.petitioner(s, "requestReview", map[string]any{"reason": "仍不满意"})
			require.Equal(t, "ACCEPTED", pub.Status)
			require.Equal(t, round, pub.ReviewRound)
			c = b.getCase("head", s.ID)
			require.Nil(t, c.Assignee, "a review is assigned anew")
			require.Nil(t, c.Rating, "each round is rated anew")
			c = b.act("head", "assignCase", map[string]any{"id": s.ID, "version": c.Version, "assigneeId": itoa(b.staff["handler2"].ID)})
			c = b.act("handler2", "startWork", map[string]any{"id": s.ID, "version": c.Version})
			c = b.act("handler2", "respondCase", map[string]any{"id": s.ID, "version": c.Version, "outcome": "EXPLAINED", "reply": "复查维持原意见。"})
			c = b.act("handler2", "closeCase", map[string]any{"id": s.ID, "version": c.Version})
		}
		pub = b.public(s)
		require.False(t, pub.CanRequestReview)
		require.Equal(t, 2, pub.ReviewRound)
		in := map[string]any{"reason": "还是不满意", "trackingCode": s.TrackingCode, "pin": s.PIN}
		b.fails("INVALID_TRANSITION", "", `mutation($in: RequestReviewInput!) { requestReview(input: $in) { status } }`, map[string]any{"in": in})

		// The petitioner's timeline shows public steps only, with their texts.
		var types []string
		for _, ev := range pub.Timeline {
			types = append(types, ev.Type)
		}
		require.NotContains(t, types, "ASSIGNED", "assignment is internal")
		require.Contains(t, types, "INFORMATION_REQUESTED")
		notes := 0
		for _, ev := range pub.Timeline {
			if ev.Type == "NOTE_ADDED" {
				notes++
				require.Equal(t, "我们正在核实，请耐心等待。", *ev.Message, "only the public note")
			}
		}
		require.Equal(t, 1, notes)

		// Every event is in the chain, one per version.
		id, _, _ := workflow.ParseTrackingCode(s.TrackingCode)
		require.NoError(t, b.app.Workflow.VerifyChain(context.Background(), id))
		final := b.getCase("admin", s.ID)
		var timeline struct {
			Node struct {
				Events struct{ TotalCount int }
			}
		}
		b.ok("admin", `query($id: ID!) { node(id: $id) { ... on Case { events { totalCount } } } }`, map[string]any{"id": s.ID}, &timeline)
		require.Equal(t, final.Version, timeline.Node.Events.TotalCount)
	})
}
