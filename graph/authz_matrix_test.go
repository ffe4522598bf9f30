package graph_test

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/internal/testenv"
)

// The authorization matrix: every staff role, the petitioner and the
// public, against every case operation, on a case of the intake department
// (CS) assigned to "handler". "adminHead" and "adminHand" are the head and a
// handler of another department; "handler2" is a handler of the same
// department who is not the assignee. Each expectation runs end to end
// through GraphQL: an allowed mutation must succeed on a fresh case, a
// refused one must fail with the code and leave the case unchanged.

// matrixCallers are the callers of the matrix. "petitioner" holds the
// case's tracking code and PIN, "otherPetitioner" those of another case.
var matrixCallers = []string{
	"admin", "intake", "head", "handler", "handler2", "adminHead", "adminHand",
	"evaluator", "oversight", "hr", "petitioner", "otherPetitioner", "public",
}

// readers may read the case; personal are those who also see the
// petitioner's identity; anonymised read only anonymised text.
var (
	matrixReaders    = []string{"admin", "intake", "head", "handler", "handler2", "evaluator", "oversight"}
	matrixPersonal   = []string{"admin", "intake", "head", "handler", "handler2"}
	matrixAnonymised = []string{"oversight"}
)

// matrixOperation is one mutation of the matrix: the state it needs, its
// input, and who may perform it.
type matrixOperation struct {
	mutation string
	// prepare brings a fresh case into the state the mutation needs and
	// returns it with extra input fields.
	prepare func(b *testBundle) (submitted, caseView, map[string]any)
	allowed []string
}

func matrixOperations(b *testBundle) []matrixOperation {
	submittedCase := func(b *testBundle) (submitted, caseView, map[string]any) {
		s := b.submit("窗口排队时间太长", "我叫王小明，电话13912345678，上周在服务中心等了三个小时。")
		return s, b.getCase("admin", s.ID), nil
	}
	accepted := func(b *testBundle) (submitted, caseView, map[string]any) {
		s, c, _ := submittedCase(b)
		return s, b.act("intake", "acceptCase", map[string]any{"id": s.ID, "version": c.Version}), nil
	}
	assigned := func(b *testBundle) (submitted, caseView, map[string]any) {
		s, c, _ := accepted(b)
		return s, b.act("head", "assignCase", map[string]any{"id": s.ID, "version": c.Version, "assigneeId": itoa(b.staff["handler"].ID)}), nil
	}
	inProgress := func(b *testBundle) (submitted, caseView, map[string]any) {
		s, c, _ := assigned(b)
		return s, b.act("handler", "startWork", map[string]any{"id": s.ID, "version": c.Version}), nil
	}
	extensionPending := func(b *testBundle) (submitted, caseView, map[string]any) {
		s, c, _ := inProgress(b)
		return s, b.act("handler", "requestExtension", map[string]any{"id": s.ID, "version": c.Version, "hours": 24, "reason": "需要调取记录"}), nil
	}
	responded := func(b *testBundle) (submitted, caseView, map[string]any) {
		s, c, _ := inProgress(b)
		return s, b.act("handler", "respondCase", map[string]any{"id": s.ID, "version": c.Version, "outcome": "EXPLAINED", "reply": "已增加窗口。"}), nil
	}
	awaiting := func(b *testBundle) (submitted, caseView, map[string]any) {
		s, c, _ := inProgress(b)
		return s, b.act("handler", "requestInformation", map[string]any{"id": s.ID, "version": c.Version, "question": "请问是哪一天？"}), nil
	}
	closed := func(b *testBundle) (submitted, caseView, map[string]any) {
		s, c, _ := responded(b)
		return s, b.act("handler", "closeCase", map[string]any{"id": s.ID, "version": c.Version}), nil
	}
	duplicate := func(b *testBundle) (submitted, caseView, map[string]any) {
		original := b.submit("原件", "原件内容")
		s, c, _ := submittedCase(b)
		return s, c, map[string]any{"intoId": original.ID}
	}
	with := func(prepare func(*testBundle) (submitted, caseView, map[string]any), extra map[string]any) func(*testBundle) (submitted, caseView, map[string]any) {
		return func(b *testBundle) (submitted, caseView, map[string]any) {
			s, c, in := prepare(b)
			if in == nil {
				in = map[string]any{}
			}
			for k, v := range extra {
				in[k] = v
			}
			return s, c, in
		}
	}
	triage := []string{"admin", "intake", "head"}
	assignee := []string{"admin", "head", "handler"}
	department := []string{"admin", "intake", "head", "handler", "handler2"}
	petitioner := []string{"petitioner"}
	return []matrixOperation{
		{"acceptCase", submittedCase, triage},
		{"declineCase", with(submittedCase, map[string]any{"reason": "不属于受理范围"}), triage},
		{"assignCase", with(accepted, map[string]any{"assigneeId": itoa(b.staff["handler2"].ID)}), []string{"admin", "head"}},
		{"startWork", assigned, assignee},
		{"addNote", with(inProgress, map[string]any{"text": "已联系当事人"}), department},
		{"requestInformation", with(inProgress, map[string]any{"question": "请补充时间"}), assignee},
		{"transferCase", with(inProgress, map[string]any{"departmentId": itoa(b.depts["ADMIN"].ID), "reason": "属于行政部职责"}), department},
		{"requestExtension", with(inProgress, map[string]any{"hours": 24, "reason": "需要调取记录"}), assignee},
		{"decideExtension", with(extensionPending, map[string]any{"approve": true}), []string{"admin", "head"}},
		{"respondCase", with(inProgress, map[string]any{"outcome": "SUPPORTED", "reply": "已处理。"}), assignee},
		{"closeCase", responded, department},
		{"mergeCase", duplicate, triage},
		{"provideInformation", with(awaiting, map[string]any{"answer": "上周二"}), petitioner},
		{"rateCase", with(closed, map[string]any{"rating": 5}), petitioner},
		{"requestReview", with(closed, map[string]any{"reason": "仍不满意"}), petitioner},
	}
}

// petitionerMutations take the tracking code and PIN instead of a staff
// token and an ID.
var petitionerMutations = map[string]bool{"provideInformation": true, "rateCase": true, "requestReview": true}

// run performs op as caller on the case s and returns the error code ("" on
// success).
func (b *testBundle) runAs(caller string, op matrixOperation, s, other submitted, c caseView, extra map[string]any) string {
	b.t.Helper()
	in := map[string]any{}
	for k, v := range extra {
		in[k] = v
	}
	token := caller
	if petitionerMutations[op.mutation] {
		switch caller {
		case "petitioner":
			in["trackingCode"], in["pin"] = s.TrackingCode, s.PIN
		case "otherPetitioner":
			// Another case's PIN does not open this one.
			in["trackingCode"], in["pin"] = s.TrackingCode, other.PIN
		default:
			// Staff and the public have no PIN: they try the case's code
			// with a wrong one.
			in["trackingCode"], in["pin"] = s.TrackingCode, "00000000"
		}
		token = ""
	} else {
		in["id"] = s.ID
		if op.mutation != "addNote" {
			in["version"] = c.Version
		}
		if caller == "petitioner" || caller == "otherPetitioner" || caller == "public" {
			token = ""
		}
	}
	resp := b.do(request{as: token, query: `mutation($in: ` + inputType(op.mutation) + `!) { ` + op.mutation + `(input: $in) { __typename } }`,
		vars: map[string]any{"in": in}})
	if len(resp.Errors) == 0 {
		return ""
	}
	return resp.Errors[0].Code()
}

func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		other := b.submit("另一件", "另一件的内容")

		t.Run("mutations", func(t *testing.T) {
			for _, op := range matrixOperations(b) {
				// Refusals share one case: a refused call changes nothing,
				// which the version check at the end proves.
				s, c, extra := op.prepare(b)
				callers := matrixCallers
				if petitionerMutations[op.mutation] {
					// Wrong PINs lock a tracking code after five tries:
					// try the three kinds of outsider.
					callers = []string{"otherPetitioner", "public", "admin"}
				}
				for _, caller := range callers {
					if slices.Contains(op.allowed, caller) {
						continue
					}
					code := b.runAs(caller, op, s, other, c, extra)
					want := "FORBIDDEN"
					switch {
					case petitionerMutations[op.mutation]:
						// A wrong PIN: the code alone reveals nothing.
						want = "UNAUTHENTICATED"
					case caller == "public" || caller == "petitioner" || caller == "otherPetitioner":
						want = "UNAUTHENTICATED"
					}
					require.Equal(t, want, code, "%s by %s must be refused", op.mutation, caller)
				}
				require.Equal(t, c.Version, b.getCase("admin", s.ID).Version, "%s: refusals changed the case", op.mutation)
				for _, caller := range op.allowed {
					s, c, extra := op.prepare(b)
					require.Equal(t, "", b.runAs(caller, op, s, other, c, extra), "%s by %s must succeed", op.mutation, caller)
				}
			}
		})

		t.Run("reads", func(t *testing.T) {
			s := b.submit("窗口排队时间太长", "我叫王小明，电话13912345678，上周在服务中心等了三个小时。")
			for _, caller := range matrixCallers {
				if caller == "petitioner" || caller == "otherPetitioner" {
					continue // covered by publicCase below
				}
				token := caller
				if caller == "public" {
					token = ""
				}
				resp := b.do(request{as: token, query: `query($id: ID!) { node(id: $id) { ... on Case {
					id subject body petitioner { name phone } } } }`, vars: map[string]any{"id": s.ID}})
				if !slices.Contains(matrixReaders, caller) {
					require.NotEmpty(t, resp.Errors, "%s must not read the case", caller)
					want := "FORBIDDEN"
					if caller == "public" {
						want = "UNAUTHENTICATED"
					}
					require.Equal(t, want, resp.Errors[0].Code(), caller)
					continue
				}
				require.Empty(t, resp.Errors, caller)
				var out struct {
					Node struct {
						Subject, Body string
						Petitioner    *struct{ Name, Phone string }
					}
				}
				require.NoError(t, jsonUnmarshal(resp.Data, &out))
				if slices.Contains(matrixPersonal, caller) {
					require.NotNil(t, out.Node.Petitioner, "%s sees who submitted", caller)
					require.Equal(t, "张三", out.Node.Petitioner.Name)
				} else {
					require.Nil(t, out.Node.Petitioner, "%s must not see who submitted", caller)
				}
				if slices.Contains(matrixAnonymised, caller) {
					require.NotContains(t, out.Node.Body, "13912345678", caller)
					require.NotContains(t, out.Node.Body, "王小明", caller)
					require.Contains(t, out.Node.Body, "〔电话〕", caller)
				} else {
					require.Contains(t, out.Node.Body, "13912345678", caller)
				}
			}
		})

		t.Run("timelines are anonymised for oversight only", func(t *testing.T) {
			s := b.submit("窗口排队时间太长", "上周在服务中心等了三个小时。")
			b.act("head", "addNote", map[string]any{"id": s.ID, "text": "已电话联系张三，号码13800138000"})
			payloads := func(as string) string {
				resp := b.do(request{as: as, query: `query($id: ID!) { node(id: $id) { ... on Case {
					events(first: 10) { edges { node { payload } } } } } }`, vars: map[string]any{"id": s.ID}})
				require.Empty(t, resp.Errors, as)
				return string(resp.Data)
			}
			for _, caller := range []string{"admin", "intake", "head", "handler", "evaluator"} {
				require.Contains(t, payloads(caller), "13800138000", "%s reads the note whole", caller)
			}
			got := payloads("oversight")
			require.NotContains(t, got, "13800138000")
			require.NotContains(t, got, "张三")
			require.Contains(t, got, "〔电话〕")
		})

		t.Run("lists filter in SQL", func(t *testing.T) {
			// A case of the other department, and one of the intake
			// department: every list shows exactly what its caller may read,
			// and totalCount agrees.
			elsewhere := b.submit("行政部的件", "内容")
			ec := b.getCase("admin", elsewhere.ID)
			b.act("intake", "transferCase", map[string]any{"id": elsewhere.ID, "version": ec.Version,
				"departmentId": itoa(b.depts["ADMIN"].ID), "reason": "属于行政部职责"})
			var all struct {
				Cases struct {
					TotalCount int
					Edges      []struct{ Node struct{ ID string } }
				}
			}
			b.ok("admin", `{ cases(first: 100) { totalCount edges { node { id } } } }`, nil, &all)
			for _, caller := range []string{"admin", "intake", "head", "handler", "handler2", "adminHead", "adminHand", "evaluator", "oversight", "hr"} {
				resp := b.do(request{as: caller, query: `{ cases(first: 100) { totalCount edges { node { id } } } }`})
				var readable []string
				for _, e := range all.Cases.Edges {
					r := b.do(request{as: caller, query: `query($id: ID!) { node(id: $id) { id } }`, vars: map[string]any{"id": e.Node.ID}})
					if len(r.Errors) == 0 {
						readable = append(readable, e.Node.ID)
					}
				}
				if len(resp.Errors) > 0 {
					require.Empty(t, readable, "%s may not list cases but reads some", caller)
					require.Equal(t, "FORBIDDEN", resp.Errors[0].Code(), caller)
					continue
				}
				var got struct {
					Cases struct {
						TotalCount int
						Edges      []struct{ Node struct{ ID string } }
					}
				}
				require.NoError(t, jsonUnmarshal(resp.Data, &got))
				var listed []string
				for _, e := range got.Cases.Edges {
					listed = append(listed, e.Node.ID)
				}
				sort.Strings(listed)
				sort.Strings(readable)
				require.Equal(t, readable, listed, "%s: the list must hold exactly the readable cases", caller)
				require.Equal(t, len(listed), got.Cases.TotalCount, caller)
			}
			// The transfer handed the case to the other department.
			require.Equal(t, "", b.do(request{as: "adminHand", query: `query($id: ID!) { node(id: $id) { id } }`, vars: map[string]any{"id": elsewhere.ID}}).firstCode())
			require.Equal(t, "FORBIDDEN", b.do(request{as: "handler2", query: `query($id: ID!) { node(id: $id) { id } }`, vars: map[string]any{"id": elsewhere.ID}}).firstCode())
		})

		t.Run("petitioner reads only their own case", func(t *testing.T) {
			s := b.submit("我的件", "内容")
			require.Equal(t, "SUBMITTED", b.public(s).Status)
			wrong := submitted{TrackingCode: s.TrackingCode, PIN: other.PIN}
			resp := b.do(request{query: `query($code: String!, $pin: String!) { publicCase(trackingCode: $code, pin: $pin) { status } }`,
				vars: map[string]any{"code": wrong.TrackingCode, "pin": wrong.PIN}})
			require.Equal(t, "UNAUTHENTICATED", resp.firstCode())
			require.False(t, strings.Contains(string(resp.Data), "SUBMITTED"))
		})
	})
}
