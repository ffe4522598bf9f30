package graph_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/internal/app"
	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/testenv"
	"github.com/xinfang/xinfang/internal/workflow"
)

type caseList struct {
	Cases struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Edges []struct {
			Node struct {
				ID      string
				Subject string
				Body    string
				Status  string
			}
		}
	}
}

func (l caseList) subjects() []string {
	var out []string
	for _, e := range l.Cases.Edges {
		out = append(out, e.Node.Subject)
	}
	return out
}

const listQuery = `query($first: Int, $after: Cursor, $where: CaseWhereInput, $search: String, $overdue: Boolean, $orderBy: [CaseOrder!]) {
	cases(first: $first, after: $after, where: $where, search: $search, overdue: $overdue, orderBy: $orderBy) {
		totalCount pageInfo { hasNextPage endCursor } edges { node { id subject body status } } } }`

// TestChineseTextAndSearch checks that Chinese (and other non-ASCII) text
// round-trips unchanged and that search finds Chinese words.
func TestChineseTextAndSearch(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		body := "助学金发放延迟了两个月，孩子的学费交不上。😟 请尽快处理！「紧急」"
		s := b.submit("助学金发放延迟", body)
		b.submit("志愿者服务很好", "感谢志愿者的耐心帮助。")
		b.submit("Late scholarship payment", "The scholarship payment is two months late.")

		var got struct {
			Node struct{ Subject, Body string }
		}
		b.ok("admin", `query($id: ID!) { node(id: $id) { ... on Case { subject body } } }`, map[string]any{"id": s.ID}, &got)
		require.Equal(t, "助学金发放延迟", got.Node.Subject)
		require.Equal(t, body, got.Node.Body)

		for search, want := range map[string][]string{
			"助学金":          {"助学金发放延迟"},
			"学费":           {"助学金发放延迟"},
			"志愿者":          {"志愿者服务很好"},
			"SCHOLARSHIP":  {"Late scholarship payment"},
			s.TrackingCode: {"助学金发放延迟"},
			"不存在的词":        nil,
		} {
			var l caseList
			b.ok("admin", listQuery, map[string]any{"search": search}, &l)
			require.ElementsMatch(t, want, l.subjects(), "search %q", search)
			require.Equal(t, len(want), l.Cases.TotalCount)
		}
	})
}

func TestCaseListFiltersAndPagination(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		for i := 0; i < 7; i++ {
			b.submit(fmt.Sprintf("案件 %02d", i), "内容")
			b.clock.Advance(time.Minute)
		}
		s, _ := b.inProgress("进行中的案件")
		var all []string
		var after *string
		for {
			var l caseList
			b.ok("admin", listQuery, map[string]any{"first": 3, "after": after}, &l)
			require.Equal(t, 8, l.Cases.TotalCount)
			all = append(all, l.subjects()...)
			if !l.Cases.PageInfo.HasNextPage {
				break
			}
			after = l.Cases.PageInfo.EndCursor
		}
		require.Len(t, all, 8)
		require.Equal(t, "进行中的案件", all[0], "newest received first")

		var l caseList
		b.ok("admin", listQuery, map[string]any{"where": map[string]any{"status": "IN_PROGRESS"}}, &l)
		require.Equal(t, []string{"进行中的案件"}, l.subjects())
		b.ok("admin", listQuery, map[string]any{"where": map[string]any{"assigneeID": itoa(b.staff["handler"].ID)}}, &l)
		require.Equal(t, []string{"进行中的案件"}, l.subjects())
		b.ok("admin", listQuery, map[string]any{"where": map[string]any{"channel": "HOTLINE"}}, &l)
		require.Empty(t, l.subjects())
		b.ok("admin", listQuery, map[string]any{"where": map[string]any{"departmentID": itoa(b.depts["CS"].ID), "kind": "COMPLAINT", "priority": "NORMAL"}}, &l)
		require.Equal(t, 8, l.Cases.TotalCount)
		b.ok("admin", listQuery, map[string]any{"where": map[string]any{"receivedAtGTE": b.clock.Now().Add(-90 * time.Second).Format(time.RFC3339Nano)}}, &l)
		require.ElementsMatch(t, []string{"案件 06", "进行中的案件"}, l.subjects())
		b.ok("admin", listQuery, map[string]any{"orderBy": []map[string]any{{"field": "RECEIVED_AT", "direction": "ASC"}}, "first": 1}, &l)
		require.Equal(t, []string{"案件 00"}, l.subjects())

		// Overdue: open, running, past the response deadline.
		b.ok("admin", listQuery, map[string]any{"overdue": true}, &l)
		require.Empty(t, l.subjects())
		b.clock.Advance(49 * time.Hour)
		b.ok("admin", listQuery, map[string]any{"overdue": true}, &l)
		require.Equal(t, 8, l.Cases.TotalCount)
		require.True(t, b.getCase("admin", s.ID).Overdue)

		b.fails("VALIDATION", "admin", listQuery, map[string]any{"first": 101})
		b.fails("UNAUTHENTICATED", "", listQuery, nil)
		b.fails("FORBIDDEN", "hr", listQuery, nil)
		// Cases are only reachable through the authorized list, not through
		// a department or a staff member.
		b.fails("GRAPHQL_VALIDATION_FAILED", "hr", `{ departments { edges { node { cases { totalCount } } } } }`, nil)
		b.fails("GRAPHQL_VALIDATION_FAILED", "hr", `{ staff { edges { node { assignedCases { totalCount } } } } }`, nil)
	})
}

// TestPauseExcludedFromOverdue: a case awaiting the petitioner is not
// overdue, and its deadline moves by the pause.
func TestPauseExcludedFromOverdue(t *testing.T) {
	t.Parallel()
	b := setup(t, testenv.SQLite)
	s, c := b.inProgress("暂停计时")
	c = b.act("handler", "requestInformation", map[string]any{"id": s.ID, "version": c.Version, "question": "请补充材料"})
	b.clock.Advance(72 * time.Hour)
	var l caseList
	b.ok("admin", listQuery, map[string]any{"overdue": true}, &l)
	require.Empty(t, l.subjects(), "paused cases are not overdue")
	require.False(t, b.getCase("admin", s.ID).Overdue)
	b.petitioner(s, "provideInformation", map[string]any{"answer": "材料已补充"})
	c = b.getCase("admin", s.ID)
	require.False(t, c.Overdue, "the 72 paused hours do not count")
	b.clock.Advance(49 * time.Hour)
	require.True(t, b.getCase("admin", s.ID).Overdue)
}

// TestListQueryCount: listing cases with their department, assignee and
// latest event costs the same few statements for 5 cases as for 50.
func TestListQueryCount(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		db, counter := testenv.Counting(testenv.Open(t, backend))
		b := setupDB(t, db)
		query := `query($first: Int) { cases(first: $first) { totalCount edges { node {
			id trackingCode status subject department { name } assignee { displayName }
			events(last: 1) { edges { node { type occurredAt } } } } } } }`
		counts := map[int]int{}
		for _, n := range []int{5, 50} {
			for i := len(counts) * 5; i < n; i++ {
				s, _ := b.inProgress(fmt.Sprintf("案件 %d", i))
				require.NotEmpty(t, s.ID)
			}
			var l struct {
				Cases struct {
					TotalCount int
					Edges      []struct {
						Node struct {
							Department struct{ Name string }
							Assignee   struct{ DisplayName string }
							Events     struct {
								Edges []struct{ Node struct{ Type string } }
							}
						}
					}
				}
			}
			// Once to warm the signed-in member's cached record, then counted.
			b.ok("admin", query, map[string]any{"first": n}, &l)
			counter.Reset()
			b.ok("admin", query, map[string]any{"first": n}, &l)
			counts[n] = counter.Count()
			require.Len(t, l.Cases.Edges, n)
			for _, e := range l.Cases.Edges {
				require.Equal(t, "handler", e.Node.Assignee.DisplayName)
				require.Equal(t, "客户服务部", e.Node.Department.Name)
				require.Len(t, e.Node.Events.Edges, 1)
				require.Equal(t, "WORK_STARTED", e.Node.Events.Edges[0].Node.Type, "the latest event")
			}
		}
		require.Equal(t, counts[5], counts[50], "no N+1: %v", counts)
		require.LessOrEqual(t, counts[50], 6, "statements for one page: %v", counts)
	})
}

// TestConcurrentTransitions: 50 goroutines race on one case. For each
// version exactly one wins; every loser gets CONFLICT; no event is lost and
// the event chain verifies.
func TestConcurrentTransitions(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		s := b.submit("并发测试", "内容")
		const workers = 50

		// Round 1: everybody tries to accept version 1.
		var wins, conflicts atomic.Int32
		var wg sync.WaitGroup
		for i := 0; i < workers; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp := b.do(request{as: "intake", query: `mutation($in: AcceptCaseInput!) { acceptCase(input: $in) { version } }`,
					vars: map[string]any{"in": map[string]any{"id": s.ID, "version": 1}}})
				switch {
				case len(resp.Errors) == 0:
					wins.Add(1)
				case resp.Errors[0].Code() == "CONFLICT" || resp.Errors[0].Code() == "INVALID_TRANSITION":
					conflicts.Add(1)
				default:
					t.Errorf("unexpected error: %+v", resp.Errors[0])
				}
			}()
		}
		wg.Wait()
		require.EqualValues(t, 1, wins.Load())
		require.EqualValues(t, workers-1, conflicts.Load())

		// Round 2: everybody adds a note, retrying on conflict with the
		// version it re-reads, until each has added one.
		var attempts atomic.Int32
		for i := 0; i < workers; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				for {
					attempts.Add(1)
					var c struct{ Node struct{ Version int } }
					resp := b.do(request{as: "intake", query: `query($id: ID!) { node(id: $id) { ... on Case { version } } }`, vars: map[string]any{"id": s.ID}})
					if len(resp.Errors) > 0 {
						t.Errorf("read: %+v", resp.Errors[0])
						return
					}
					_ = jsonUnmarshal(resp.Data, &c)
					resp = b.do(request{as: "intake", query: `mutation($in: AddNoteInput!) { addNote(input: $in) { version } }`,
						vars: map[string]any{"in": map[string]any{"id": s.ID, "version": c.Node.Version, "text": fmt.Sprintf("note %d", i)}}})
					if len(resp.Errors) == 0 {
						return
					}
					if resp.Errors[0].Code() != "CONFLICT" {
						t.Errorf("note %d: %+v", i, resp.Errors[0])
						return
					}
				}
			}(i)
		}
		wg.Wait()
		c := b.getCase("admin", s.ID)
		require.Equal(t, 2+workers, c.Version, "one version per winning transition")
		id, _, _ := workflow.ParseTrackingCode(s.TrackingCode)
		require.NoError(t, b.app.Workflow.VerifyChain(context.Background(), id))
		n, err := b.app.DB.Client.CaseEvent.Query().Count(context.Background())
		require.NoError(t, err)
		require.Equal(t, 2+workers, n, "no event lost, none extra")
		t.Logf("%s: %d attempts for %d notes", backend, attempts.Load(), workers)
	})
}

func TestGuards(t *testing.T) {
	t.Parallel()
	b := setup(t, testenv.SQLite, func(c *config.Config, _ *app.Options) {
		c.Introspection = false
		c.MaxBodyBytes = 4096
		c.DepthLimit = 6
		c.ComplexityLimit = 500
	})
	// Body size.
	resp := b.do(request{query: `{ me { id } }`, vars: map[string]any{"pad": string(make([]byte, 5000))}})
	require.Equal(t, 413, resp.status)
	require.Equal(t, "LIMIT_EXCEEDED", resp.Errors[0].Code())
	// Depth.
	deep := `{ cases(first: 1) { edges { node { department { staff(first: 1) { edges { node { department { id } } } } } } } } }`
	b.fails("LIMIT_EXCEEDED", "admin", deep, nil)
	// Complexity: a page of 100 with nested pages costs too much.
	complex := `{ cases(first: 100) { edges { node { id subject body events(first: 50) { edges { node { type } } } } } } }`
	b.fails("COMPLEXITY_LIMIT_EXCEEDED", "admin", complex, nil)
	// Introspection off.
	b.fails("FORBIDDEN", "", `{ __schema { types { name } } }`, nil)
}

// TestSchemaIsDescribed: the SDL is the SPA's contract, so every type,
// field, argument and enum value carries a description.
func TestSchemaIsDescribed(t *testing.T) {
	t.Parallel()
	b := setup(t, testenv.SQLite)
	var out struct {
		Schema struct {
			Types []struct {
				Name        string
				Kind        string
				Description *string
				Fields      []struct {
					Name        string
					Description *string
					Args        []struct {
						Name        string
						Description *string
					}
				}
				InputFields []struct {
					Name        string
					Description *string
				}
				EnumValues []struct {
					Name        string
					Description *string
				}
			}
		} `json:"__schema"`
	}
	b.ok("", `{ __schema { types { name kind description
		fields { name description args { name description } }
		inputFields { name description }
		enumValues { name description } } } }`, nil, &out)
	var missing []string
	empty := func(s *string) bool { return s == nil || *s == "" }
	for _, ty := range out.Schema.Types {
		if len(ty.Name) > 1 && ty.Name[:2] == "__" {
			continue
		}
		if empty(ty.Description) && ty.Kind != "SCALAR" {
			missing = append(missing, ty.Name)
		}
		for _, f := range ty.Fields {
			if empty(f.Description) {
				missing = append(missing, ty.Name+"."+f.Name)
			}
			for _, a := range f.Args {
				if empty(a.Description) {
					missing = append(missing, ty.Name+"."+f.Name+"("+a.Name+")")
				}
			}
		}
		for _, f := range ty.InputFields {
			if empty(f.Description) {
				missing = append(missing, ty.Name+"."+f.Name)
			}
		}
		for _, v := range ty.EnumValues {
			if empty(v.Description) {
				missing = append(missing, ty.Name+"."+v.Name)
			}
		}
	}
	require.Empty(t, missing, "%d schema elements lack a description", len(missing))
}

// TestPersonalData: petitioner identity is shown to case workers only, and
// cannot be used as a list filter by anyone.
func TestPersonalData(t *testing.T) {
	t.Parallel()
	b := setup(t, testenv.SQLite)
	s := b.submit("个人信息保护", "内容")
	query := `query($id: ID!) { node(id: $id) { ... on Case { petitioner { name phone email } } } }`
	type view struct {
		Node struct {
			Petitioner *struct{ Name, Phone, Email string }
		}
	}
	for as, visible := range map[string]bool{"intake": true, "head": true, "handler": true, "admin": true, "oversight": false, "evaluator": false} {
		var v view
		b.ok(as, query, map[string]any{"id": s.ID}, &v)
		if visible {
			require.NotNil(t, v.Node.Petitioner, as)
			require.Equal(t, "张三", v.Node.Petitioner.Name)
		} else {
			require.Nil(t, v.Node.Petitioner, as)
		}
	}
	b.fails("GRAPHQL_VALIDATION_FAILED", "admin", `{ cases(where: {hasPetitionerWith: {nameContains: "张"}}) { totalCount } }`, nil)

	// An anonymous submission has no petitioner at all.
	var out struct{ SubmitCase struct{ TrackingCode string } }
	b.ok("", `mutation { submitCase(input: {kind: REPORT, subject: "举报", body: "有人挪用捐款", anonymous: true, name: "ignored"}) { trackingCode } }`, nil, &out)
	id, _, _ := workflow.ParseTrackingCode(out.SubmitCase.TrackingCode)
	var v view
	b.ok("admin", query, map[string]any{"id": itoa(id)}, &v)
	require.Nil(t, v.Node.Petitioner)
}

// TestCrossMerges: merging A into B while B is merged into A never leaves
// both merged and never fails with an internal error (PostgreSQL may see a
// deadlock, which is reported as CONFLICT).
func TestCrossMerges(t *testing.T) {
	t.Parallel()
	forEachBackend(t, func(t *testing.T, backend testenv.Backend) {
		b := setup(t, backend)
		for round := 0; round < 8; round++ {
			x := b.submit(fmt.Sprintf("重复 %d A", round), "内容")
			y := b.submit(fmt.Sprintf("重复 %d B", round), "内容")
			var wg sync.WaitGroup
			var wins atomic.Int32
			for _, pair := range [][2]submitted{{x, y}, {y, x}} {
				wg.Add(1)
				go func(from, into submitted) {
					defer wg.Done()
					resp := b.do(request{as: "intake", query: `mutation($in: MergeCaseInput!) { mergeCase(input: $in) { id } }`,
						vars: map[string]any{"in": map[string]any{"id": from.ID, "version": 1, "intoId": into.ID}}})
					if len(resp.Errors) == 0 {
						wins.Add(1)
						return
					}
					switch resp.Errors[0].Code() {
					case "CONFLICT", "VALIDATION", "INVALID_TRANSITION":
					default:
						t.Errorf("round %d: %+v", round, resp.Errors[0])
					}
				}(pair[0], pair[1])
			}
			wg.Wait()
			require.EqualValues(t, 1, wins.Load(), "round %d", round)
		}
	})
}

// TestNodes: node and nodes resolve every type by global ID, with the
// caller's rights.
func TestNodes(t *testing.T) {
	t.Parallel()
	b := setup(t, testenv.SQLite)
	s := b.submit("节点查询", "内容")
	var events struct {
		Node struct {
			Events struct {
				Edges []struct{ Node struct{ ID string } }
			}
		}
	}
	b.ok("admin", `query($id: ID!) { node(id: $id) { ... on Case { events { edges { node { id } } } } } }`, map[string]any{"id": s.ID}, &events)
	firstEventID := events.Node.Events.Edges[0].Node.ID
	ids := []string{s.ID, itoa(b.depts["CS"].ID), itoa(b.staff["handler"].ID), itoa(b.cat.ID), itoa(b.project.ID), firstEventID, "99"}
	var out struct {
		Nodes []*struct {
			Typename string `json:"__typename"`
		}
	}
	resp := b.do(request{as: "admin", query: `query($ids: [ID!]!) { nodes(ids: $ids) { __typename } }`, vars: map[string]any{"ids": ids}})
	require.NoError(t, jsonUnmarshal(resp.Data, &out))
	var types []string
	for _, n := range out.Nodes {
		if n == nil {
			types = append(types, "")
			continue
		}
		types = append(types, n.Typename)
	}
	require.Equal(t, []string{"Case", "Department", "Staff", "Category", "ServiceProject", "CaseEvent", ""}, types)
	require.Empty(t, resp.Errors, "a missing node is null, not an error")
	b.fails("NOT_FOUND", "admin", `{ node(id: "123456789012345") { id } }`, nil)
	b.fails("UNAUTHENTICATED", "", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": s.ID})
	b.fails("FORBIDDEN", "hr", `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": s.ID})
}

// TestComputedFieldsAlone: computed fields (trackingCode, overdue,
// availableActions, petitioner) are right even when the query selects none
// of the columns they are computed from.
func TestComputedFieldsAlone(t *testing.T) {
	t.Parallel()
	b := setup(t, testenv.SQLite)
	s := b.submit("计算字段", "内容")
	var out struct {
		Cases struct {
			Edges []struct {
				Node struct {
					TrackingCode     string
					Overdue          bool
					AvailableActions []string
					Petitioner       *struct{ Name string }
				}
			}
		}
	}
	b.ok("intake", `{ cases { edges { node { trackingCode overdue availableActions petitioner { name } } } } }`, nil, &out)
	n := out.Cases.Edges[0].Node
	require.Equal(t, s.TrackingCode, n.TrackingCode)
	require.Equal(t, []string{"ACCEPT", "DECLINE", "TRANSFER", "MERGE", "ADD_NOTE"}, n.AvailableActions)
	require.Equal(t, "张三", n.Petitioner.Name)
	b.clock.Advance(49 * time.Hour)
	b.ok("intake", `{ cases { edges { node { overdue } } } }`, nil, &out)
	require.True(t, out.Cases.Edges[0].Node.Overdue)
}
