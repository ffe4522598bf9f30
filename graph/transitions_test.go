package graph_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/internal/testenv"
	"github.com/xinfang/xinfang/internal/workflow"
)

// inProgress submits a case and brings it to IN_PROGRESS with "handler"
// of the intake department as assignee.
func (b *testBundle) inProgress(subject string) (submitted, caseView) {
	b.t.Helper()
	s := b.submit(subject, subject+"，详细情况如下。")
	c := b.act("intake", "acceptCase", map[string]any{"id": s.ID, "version": 1})
	c = b.act("head", "assignCase", map[string]any{"id": s.ID, "version": c.Version, "assigneeId": itoa(b.staff["handler"].ID)})
	c = b.act("handler", "startWork", map[string]any{"id": s.ID, "version": c.Version})
	return s, c
}

func TestRecordCase(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		input := map[string]any{
			"channel": "HOTLINE", "kind": "SUGGESTION", "priority": "URGENT",
			"subject": "Opening hours of the north office", "body": "Caller suggests longer opening hours on Saturdays.",
			"categoryId": itoa(b.cat.ID), "name": "Li Si", "phone": "+86 138-0000-0000", "locale": "en",
			"receivedAt": b.clock.Now().Add(-3 * time.Hour).Format(time.RFC3339),
		}
		var out struct {
			RecordCase struct {
				TrackingCode string
				Pin          string
				Case         struct {
					Channel    string
					Priority   string
					Department struct{ Code string }
					RecordedBy struct{ Username string }
					Petitioner struct{ Name, Phone string }
				}
			}
		}
		b.ok("intake", `mutation($in: RecordCaseInput!) { recordCase(input: $in) { trackingCode pin case {
			channel priority department { code } recordedBy { username } petitioner { name phone } } } }`,
			map[string]any{"in": input}, &out)
		rc := out.RecordCase
		require.Equal(t, "HOTLINE", rc.Case.Channel)
		require.Equal(t, "URGENT", rc.Case.Priority)
		require.Equal(t, "ADMIN", rc.Case.Department.Code, "routed to the category's department")
		require.Equal(t, "intake", rc.Case.RecordedBy.Username)
		require.Equal(t, "Li Si", rc.Case.Petitioner.Name)
		require.Len(t, rc.Pin, 8)

		// The petitioner can open it with the code and PIN given on the phone.
		pub := b.public(submitted{TrackingCode: rc.TrackingCode, PIN: rc.Pin})
		require.Equal(t, "Administration", *pub.DepartmentName, "English petitioner, English department name")

		// Routing override needs a reason.
		override := map[string]any{"channel": "LETTER", "kind": "COMPLAINT", "subject": "信件", "body": "来信内容", "departmentId": itoa(b.depts["HR"].ID)}
		record := func(code, as string, in map[string]any) gqlError {
			return b.fails(code, as, `mutation($in: RecordCaseInput!) { recordCase(input: $in) { trackingCode } }`, map[string]any{"in": in})
		}
		require.Equal(t, "routingReason", record("VALIDATION", "intake", override).Extensions["field"])
		override["routingReason"] = "涉及员工考勤"
		b.ok("intake", `mutation($in: RecordCaseInput!) { recordCase(input: $in) { case { department { code } } } }`, map[string]any{"in": override}, nil)

		web := map[string]any{"channel": "WEB", "kind": "COMPLAINT", "subject": "x", "body": "y"}
		require.Equal(t, "channel", record("VALIDATION", "intake", web).Extensions["field"])
		future := map[string]any{"channel": "EMAIL", "kind": "COMPLAINT", "subject": "x", "body": "y", "receivedAt": b.clock.Now().Add(time.Hour).Format(time.RFC3339)}
		require.Equal(t, "receivedAt", record("VALIDATION", "intake", future).Extensions["field"])
		record("FORBIDDEN", "handler", input)
		record("FORBIDDEN", "oversight", input)
		record("UNAUTHENTICATED", "", input)
	})
}

func TestDeclineAndInvalidTransitions(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		s := b.submit("广告推销", "这是一条与本机构无关的广告信息。")
		e := b.actFails("VALIDATION", "intake", "declineCase", map[string]any{"id": s.ID, "version": 1, "reason": "   "})
		require.Equal(t, "reason", e.Extensions["field"])
		c := b.act("intake", "declineCase", map[string]any{"id": s.ID, "version": 1, "reason": "不属于本机构受理范围"})
		require.Equal(t, "NOT_ACCEPTED", c.Status)
		pub := b.public(s)
		require.Equal(t, "NOT_ACCEPTED", pub.Status)
		last := pub.Timeline[len(pub.Timeline)-1]
		require.Equal(t, "DECLINED", last.Type)
		require.Equal(t, "不属于本机构受理范围", *last.Message)

		e = b.actFails("INVALID_TRANSITION", "intake", "acceptCase", map[string]any{"id": s.ID, "version": c.Version})
		require.Equal(t, "NOT_ACCEPTED", e.Extensions["status"])
		b.actFails("INVALID_TRANSITION", "head", "startWork", map[string]any{"id": s.ID, "version": c.Version})
		b.actFails("INVALID_TRANSITION", "head", "respondCase", map[string]any{"id": s.ID, "version": c.Version, "outcome": "EXPLAINED", "reply": "x"})
		b.actFails("INVALID_TRANSITION", "handler", "closeCase", map[string]any{"id": s.ID, "version": c.Version})
	})
}

func TestTransferAndAssignmentRules(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		s, c := b.inProgress("财务公开不及时")
		e := b.actFails("VALIDATION", "handler", "transferCase", map[string]any{"id": s.ID, "version": c.Version, "departmentId": itoa(b.depts["CS"].ID), "reason": "x"})
		require.Equal(t, "departmentId", e.Extensions["field"])
		b.actFails("VALIDATION", "handler", "transferCase", map[string]any{"id": s.ID, "version": c.Version, "departmentId": itoa(b.depts["ADMIN"].ID), "reason": ""})
		c = b.act("handler", "transferCase", map[string]any{"id": s.ID, "version": c.Version, "departmentId": itoa(b.depts["ADMIN"].ID), "reason": "属于行政部职责"})
		require.Equal(t, "ACCEPTED", c.Status)
		require.Equal(t, "ADMIN", c.Department.Code)
		require.Nil(t, c.Assignee)

		e = b.actFails("VALIDATION", "adminHead", "assignCase", map[string]any{"id": s.ID, "version": c.Version, "assigneeId": itoa(b.staff["handler"].ID)})
		require.Equal(t, "assigneeId", e.Extensions["field"], "a handler of the old department")
		b.actFails("VALIDATION", "adminHead", "assignCase", map[string]any{"id": s.ID, "version": c.Version, "assigneeId": itoa(b.staff["evaluator"].ID)})
		b.actFails("VALIDATION", "adminHead", "assignCase", map[string]any{"id": s.ID, "version": c.Version, "assigneeId": "999999999"})
		b.actFails("FORBIDDEN", "adminHand", "assignCase", map[string]any{"id": s.ID, "version": c.Version, "assigneeId": itoa(b.staff["adminHand"].ID)})
		c = b.act("adminHead", "assignCase", map[string]any{"id": s.ID, "version": c.Version, "assigneeId": itoa(b.staff["adminHand"].ID)})
		require.Equal(t, "adminHand", c.Assignee.Username)
		b.actFails("FORBIDDEN", "handler", "startWork", map[string]any{"id": s.ID, "version": c.Version})
	})
}

func TestMergeDuplicates(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		original := b.submit("捐款去向不明", "我捐的款不知道用在哪里了。")
		dup := b.submit("捐款去向不明", "我捐的款不知道用在哪里了。（重复提交）")
		b.actFails("VALIDATION", "intake", "mergeCase", map[string]any{"id": dup.ID, "version": 1, "intoId": dup.ID})
		b.actFails("VALIDATION", "intake", "mergeCase", map[string]any{"id": dup.ID, "version": 1, "intoId": "4294967999"})
		c := b.act("intake", "mergeCase", map[string]any{"id": dup.ID, "version": 1, "intoId": original.ID})
		require.Equal(t, "MERGED", c.Status)
		var out struct {
			Node struct {
				Version    int
				Duplicates []struct{ ID string }
			}
		}
		b.ok("intake", `query($id: ID!) { node(id: $id) { ... on Case { version duplicates { id } } } }`, map[string]any{"id": original.ID}, &out)
		require.Equal(t, 2, out.Node.Version, "the remaining case records the merge too")
		require.Equal(t, dup.ID, out.Node.Duplicates[0].ID)
		third := b.submit("第三次", "内容")
		b.actFails("VALIDATION", "intake", "mergeCase", map[string]any{"id": third.ID, "version": 1, "intoId": dup.ID})
		b.actFails("INVALID_TRANSITION", "intake", "mergeCase", map[string]any{"id": dup.ID, "version": c.Version, "intoId": third.ID})
		for _, s := range []submitted{original, dup} {
			id, _, _ := workflow.ParseTrackingCode(s.TrackingCode)
			require.NoError(t, b.app.Workflow.VerifyChain(context.Background(), id))
		}
	})
}

func TestExtensionRules(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		s, c := b.inProgress("需要延期的案件")
		e := b.actFails("VALIDATION", "handler", "requestExtension", map[string]any{"id": s.ID, "version": c.Version, "hours": 49, "reason": "x"})
		require.Equal(t, "hours", e.Extensions["field"])
		b.actFails("VALIDATION", "handler", "requestExtension", map[string]any{"id": s.ID, "version": c.Version, "hours": 0, "reason": "x"})
		b.actFails("INVALID_TRANSITION", "head", "decideExtension", map[string]any{"id": s.ID, "version": c.Version, "approve": true})
		for i := 0; i < 2; i++ {
			c = b.act("handler", "requestExtension", map[string]any{"id": s.ID, "version": c.Version, "hours": 12, "reason": "等待资料"})
			b.actFails("INVALID_TRANSITION", "handler", "requestExtension", map[string]any{"id": s.ID, "version": c.Version, "hours": 12, "reason": "again"})
			b.actFails("FORBIDDEN", "handler", "decideExtension", map[string]any{"id": s.ID, "version": c.Version, "approve": true})
			c = b.act("head", "decideExtension", map[string]any{"id": s.ID, "version": c.Version, "approve": true, "comment": "同意"})
		}
		require.Equal(t, 2, c.ExtensionCount)
		b.actFails("INVALID_TRANSITION", "handler", "requestExtension", map[string]any{"id": s.ID, "version": c.Version, "hours": 1, "reason": "a third"})

		// A rejected request leaves the deadline alone.
		s2, c2 := b.inProgress("另一个案件")
		due := *c2.RespondDue
		c2 = b.act("handler", "requestExtension", map[string]any{"id": s2.ID, "version": c2.Version, "hours": 24, "reason": "x"})
		c2 = b.act("head", "decideExtension", map[string]any{"id": s2.ID, "version": c2.Version, "approve": false, "comment": "请按期办结"})
		require.Equal(t, due, *c2.RespondDue)
		require.Equal(t, 0, c2.ExtensionCount)
	})
}

func TestReviewWindowAndRating(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		s, c := b.inProgress("评分和复查期限")
		rate := `mutation($in: RateCaseInput!) { rateCase(input: $in) { rating } }`
		in := func(extra map[string]any) map[string]any {
			m := map[string]any{"trackingCode": s.TrackingCode, "pin": s.PIN}
			for k, v := range extra {
				m[k] = v
			}
			return map[string]any{"in": m}
		}
		b.fails("INVALID_TRANSITION", "", rate, in(map[string]any{"rating": 5}))
		c = b.act("handler", "respondCase", map[string]any{"id": s.ID, "version": c.Version, "outcome": "EXPLAINED", "reply": "已解释"})
		c = b.act("handler", "closeCase", map[string]any{"id": s.ID, "version": c.Version})
		require.Equal(t, "rating", b.fails("VALIDATION", "", rate, in(map[string]any{"rating": 6})).Extensions["field"])
		b.fails("CONFLICT", "", rate, in(map[string]any{"rating": 5, "version": c.Version - 1}))
		b.ok("", rate, in(map[string]any{"rating": 5, "version": c.Version}), nil)
		b.fails("INVALID_TRANSITION", "", rate, in(map[string]any{"rating": 4}))

		b.clock.Advance(31 * 24 * time.Hour)
		require.False(t, b.public(s).CanRequestReview)
		b.fails("INVALID_TRANSITION", "", `mutation($in: RequestReviewInput!) { requestReview(input: $in) { status } }`,
			in(map[string]any{"reason": "太晚了"}))
	})
}

// TestRefusals checks the error of each kind of bad request, its code, the
// language of its message and that nothing changed.
func TestRefusals(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		s := b.submit("拒绝测试", "内容")
		accept := `mutation($in: AcceptCaseInput!) { acceptCase(input: $in) { id } }`

		e := b.fails("CONFLICT", "intake", accept, map[string]any{"in": map[string]any{"id": s.ID, "version": 7}})
		require.EqualValues(t, 1, e.Extensions["currentVersion"])
		b.fails("NOT_FOUND", "intake", accept, map[string]any{"in": map[string]any{"id": "4294999999", "version": 1}})
		b.fails("FORBIDDEN", "evaluator", accept, map[string]any{"in": map[string]any{"id": s.ID, "version": 1}})
		b.fails("UNAUTHENTICATED", "", accept, map[string]any{"in": map[string]any{"id": s.ID, "version": 1}})

		// A bad token is refused before GraphQL runs, with 401.
		resp := b.do(request{rawToken: "not-a-token", query: `{ me { id } }`})
		require.Equal(t, http.StatusUnauthorized, resp.status)
		require.Equal(t, "UNAUTHENTICATED", resp.Errors[0].Code())

		// Messages follow Accept-Language.
		en := b.do(request{as: "evaluator", lang: "en-GB,en;q=0.9", query: accept, vars: map[string]any{"in": map[string]any{"id": s.ID, "version": 1}}})
		require.Contains(t, en.Errors[0].Message, "Your role may not do this")
		zh := b.do(request{as: "evaluator", lang: "zh-CN", query: accept, vars: map[string]any{"in": map[string]any{"id": s.ID, "version": 1}}})
		require.Contains(t, zh.Errors[0].Message, "您的角色无权执行此操作")

		// Malformed input.
		b.fails("VALIDATION", "intake", accept, map[string]any{"in": map[string]any{"id": "abc", "version": 1}})
		b.fails("GRAPHQL_VALIDATION_FAILED", "intake", `{ nope }`, nil)
		submit := `mutation($in: SubmitCaseInput!) { submitCase(input: $in) { trackingCode } }`
		for field, in := range map[string]map[string]any{
			"subject": {"kind": "COMPLAINT", "subject": "", "body": "x"},
			"body":    {"kind": "COMPLAINT", "subject": "x", "body": strings.Repeat("长", 20001)},
			"email":   {"kind": "COMPLAINT", "subject": "x", "body": "y", "email": "not an email"},
			"phone":   {"kind": "COMPLAINT", "subject": "x", "body": "y", "phone": "call me"},
			"locale":  {"kind": "COMPLAINT", "subject": "x", "body": "y", "locale": "fr"},
		} {
			e := b.fails("VALIDATION", "", submit, map[string]any{"in": in})
			require.Equal(t, field, e.Extensions["field"])
		}
		b.fails("VALIDATION", "", submit, map[string]any{"in": map[string]any{"kind": "NONSENSE", "subject": "x", "body": "y"}})

		// Nothing above changed the case.
		c := b.getCase("admin", s.ID)
		require.Equal(t, 1, c.Version)
		require.Equal(t, "SUBMITTED", c.Status)
	})
}

func TestPetitionerAccess(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		s := b.submit("查询码测试", "内容")
		other := b.submit("另一个", "内容")
		open := `query($code: String!, $pin: String!) { publicCase(trackingCode: $code, pin: $pin) { status } }`
		wrongPIN := b.fails("UNAUTHENTICATED", "", open, map[string]any{"code": s.TrackingCode, "pin": "00000000"})
		unknown := b.fails("UNAUTHENTICATED", "", open, map[string]any{"code": "XF-2026-999999", "pin": s.PIN})
		require.Equal(t, wrongPIN.Message, unknown.Message, "a code alone reveals nothing")
		b.fails("UNAUTHENTICATED", "", open, map[string]any{"code": other.TrackingCode, "pin": s.PIN})
		b.fails("UNAUTHENTICATED", "", open, map[string]any{"code": "XF-2025" + s.TrackingCode[7:], "pin": s.PIN})

		// Five wrong PINs lock the code, even for the right PIN.
		for i := 0; i < 3; i++ {
			b.fails("UNAUTHENTICATED", "", open, map[string]any{"code": s.TrackingCode, "pin": "1234567" + itoa(i)})
		}
		e := b.fails("RATE_LIMITED", "", open, map[string]any{"code": s.TrackingCode, "pin": s.PIN})
		require.NotZero(t, e.Extensions["retryAfterSeconds"])
		b.clock.Advance(16 * time.Minute)
		b.ok("", open, map[string]any{"code": s.TrackingCode, "pin": s.PIN}, nil)

		// Staff cannot act as petitioners without the PIN, and petitioners
		// cannot act as staff.
		b.fails("UNAUTHENTICATED", "admin", open, map[string]any{"code": s.TrackingCode, "pin": "bad"})
	})
}

func TestPINGuessingLimitPerAddress(t *testing.T) {
	t.Parallel()
	b := setup(t, testenv.SQLite)
	open := `query($code: String!, $pin: String!) { publicCase(trackingCode: $code, pin: $pin) { status } }`
	var codes []submitted
	for i := 0; i < 6; i++ {
		codes = append(codes, b.submit(fmt.Sprintf("案件%d", i), "内容"))
	}
	// 20 failures from one address across many codes (never 5 on one code)
	// lock that address out.
	for i := 0; i < 20; i++ {
		b.fails("UNAUTHENTICATED", "", open, map[string]any{"code": codes[i%5].TrackingCode, "pin": "99999999"})
	}
	b.fails("RATE_LIMITED", "", open, map[string]any{"code": codes[5].TrackingCode, "pin": codes[5].PIN})
}

func TestIdempotentSubmission(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		submit := `mutation($in: SubmitCaseInput!) { submitCase(input: $in) { trackingCode pin } }`
		in := map[string]any{"idempotencyKey": "c1a4f3e0-8d9b-4b7e-9b53-5a1d2e0c9f11", "kind": "PRAISE", "subject": "感谢志愿者", "body": "志愿者小王非常耐心。", "anonymous": true}
		type payload struct {
			SubmitCase struct{ TrackingCode, Pin string }
		}
		var first, second payload
		b.ok("", submit, map[string]any{"in": in}, &first)
		b.ok("", submit, map[string]any{"in": in}, &second)
		require.Equal(t, first, second, "a retry returns the same case and PIN")
		b.public(submitted{TrackingCode: second.SubmitCase.TrackingCode, PIN: second.SubmitCase.Pin})

		in["body"] = "不同的内容"
		require.Equal(t, "idempotencyKey", b.fails("VALIDATION", "", submit, map[string]any{"in": in}).Extensions["field"])
		in["idempotencyKey"] = "short"
		require.Equal(t, "idempotencyKey", b.fails("VALIDATION", "", submit, map[string]any{"in": in}).Extensions["field"])

		var count struct{ Cases struct{ TotalCount int } }
		b.ok("admin", `{ cases { totalCount } }`, nil, &count)
		require.Equal(t, 1, count.Cases.TotalCount)
	})
}

func TestLogin(t *testing.T) {
	t.Parallel()
	b := setup(t, testenv.SQLite)
	login := `mutation($in: LoginInput!) { login(input: $in) { token expiresAt staff { username role } } }`
	var out struct {
		Login struct {
			Token string
			Staff struct{ Username, Role string }
		}
	}
	b.ok("", login, map[string]any{"in": map[string]any{"username": "head", "password": testPassword}}, &out)
	require.Equal(t, "DEPT_HEAD", out.Login.Staff.Role)
	var me struct{ Me struct{ Username string } }
	resp := b.do(request{rawToken: out.Login.Token, query: `{ me { username } }`})
	require.Empty(t, resp.Errors)
	require.Contains(t, string(resp.Data), `"head"`)
	_ = me
	wrong := b.fails("UNAUTHENTICATED", "", login, map[string]any{"in": map[string]any{"username": "head", "password": "wrong password"}})
	nobody := b.fails("UNAUTHENTICATED", "", login, map[string]any{"in": map[string]any{"username": "nobody", "password": "wrong password"}})
	require.Equal(t, wrong.Message, nobody.Message)
	var anon struct{ Me *struct{ Username string } }
	b.ok("", `{ me { username } }`, nil, &anon)
	require.Nil(t, anon.Me)
}

func TestHealthAndGraphiQL(t *testing.T) {
	t.Parallel()
	b := setup(t, testenv.SQLite)
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 200, "/": 200, "/graphiql/assets/graphiql.min.js": 200, "/nope": 404} {
		rec := httptest.NewRecorder()
		b.app.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		require.Equal(t, want, rec.Code, path)
	}
	require.NoError(t, b.app.DB.Close())
	rec := httptest.NewRecorder()
	b.app.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code, "not ready without a database")
}

// TestConcurrentIdempotentRetries: the same submission sent many times at
// once creates one case, and every sender gets its tracking code and PIN.
func TestConcurrentIdempotentRetries(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		in := map[string]any{"idempotencyKey": "f0e1d2c3-b4a5-4697-8899-aabbccddeeff", "kind": "INQUIRY", "subject": "同时重试", "body": "网络不好，连点了几次提交。"}
		const senders = 8
		codes := make(chan string, senders)
		var wg sync.WaitGroup
		for i := 0; i < senders; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp := b.do(request{query: `mutation($in: SubmitCaseInput!) { submitCase(input: $in) { trackingCode pin } }`, vars: map[string]any{"in": in}})
				if len(resp.Errors) > 0 {
					t.Errorf("sender: %+v", resp.Errors[0])
					return
				}
				codes <- string(resp.Data)
			}()
		}
		wg.Wait()
		close(codes)
		var first string
		for c := range codes {
			if first == "" {
				first = c
			}
			require.Equal(t, first, c)
		}
		var count struct{ Cases struct{ TotalCount int } }
		b.ok("admin", `{ cases { totalCount } }`, nil, &count)
		require.Equal(t, 1, count.Cases.TotalCount)
	})
}
