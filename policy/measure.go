package policy

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// Percentiles summarise measured latencies.
type Percentiles struct {
	P50, P90, P99, Max time.Duration
}

func (p Percentiles) String() string {
	return fmt.Sprintf("p50 %v, p90 %v, p99 %v, max %v", p.P50, p.P90, p.P99, p.Max)
}

// DecisionLatencies are the latencies of an Engine's decisions, measured
// in process by MeasureDecisions.
type DecisionLatencies struct {
	// N is how many decisions of each kind were measured.
	N int
	// Authorize is one Authorize call once the engine has made many
	// decisions (its per-revision memo of authorization decisions filled,
	// as in a running server): the measured questions are drawn from the
	// same distribution as the warm-up's but from another random stream,
	// so a question whose facts the warm-up never met is evaluated, as it
	// would be in a server.
	Authorize Percentiles
	// AuthorizeUncached is the same with the memo bypassed: one Rego
	// evaluation each, as for the first question with a new combination of
	// role, action, case kind and relation.
	AuthorizeUncached Percentiles
	// RouteAndLimits is a Route call followed by a Limits call for the
	// routed department, as intake does, once the engine has seen the
	// inputs (its per-revision memo of routing and limit decisions warm).
	RouteAndLimits Percentiles
	// RouteAndLimitsUncached is the same with the memo bypassed: one Rego
	// evaluation for each decision, as for the first case with a new
	// combination of kind, category, project, keywords, ....
	RouteAndLimitsUncached Percentiles
	// CaseScope is one CaseScope call after a warm-up like Authorize's.
	CaseScope Percentiles
}

// warmupFactor is how many warm-up questions MeasureDecisions asks for
// each measured authorization or scope question: enough for the memo to
// meet nearly every combination of facts the distribution yields (a few
// thousand), as a server does in its first hours, so that the warm figure
// is the steady state, with the rare first-time question counted as it
// comes.
const warmupFactor = 10

// MeasureDecisions measures the latency of n varied decisions of each kind
// (n ≥ 100) and returns their percentiles, for `make bench`. The inputs are
// drawn from every role, action, department, kind, status, priority and
// channel, and from Chinese and English texts like the demo's, with fixed
// seeds so that runs compare. Each kind of decision is warmed up first:
// routing and limits over the measured inputs; authorization and scope
// over warmupFactor·n inputs of another random stream than the measured
// ones. Decisions are made one at a time, as the server makes them. The
// engine's decision log should be above Debug, as in production.
func MeasureDecisions(e *Engine, n int) (DecisionLatencies, error) {
	if n < 100 {
		return DecisionLatencies{}, errors.New("measure decisions: n must be at least 100")
	}
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(2026, 3))
	warmAuthz := make([]authzCase, warmupFactor*n)
	for i := range n {
		warmAuthz[i] = randomAuthz(rng)
	}
	routes := make([]RoutingInput, n)
	rounds := make([]int, n)
	for i := range routes {
		routes[i] = randomRouting(rng)
		rounds[i] = rng.IntN(3)
	}
	for i := n; i < len(warmAuthz); i++ {
		warmAuthz[i] = randomAuthz(rng)
	}
	measured := rand.New(rand.NewPCG(2026, 4))
	authz := make([]authzCase, n)
	for i := range authz {
		authz[i] = randomAuthz(measured)
	}
	out := DecisionLatencies{N: n}
	var err error
	authorize := func(remembered bool) func(authzCase) error {
		return func(a authzCase) error {
			_, err := e.authorizeDecision(ctx, a.s, a.a, a.r, remembered)
			if err != nil && !isRefusal(err) {
				return err
			}
			return nil
		}
	}
	if out.Authorize, err = measure(warmAuthz, authz, authorize(true)); err != nil {
		return out, err
	}
	if out.AuthorizeUncached, err = measure(warmAuthz[:n], authz, authorize(false)); err != nil {
		return out, err
	}
	routeAndLimits := func(uncached bool) func(int) error {
		return func(i int) error {
			if uncached {
				c := e.active.Load()
				r, err := c.evalRoute(ctx, routes[i], c.keywords.match(routes[i].Subject, routes[i].Body))
				if err != nil {
					return err
				}
				_, err = c.evalLimits(ctx, DeadlineInput{Department: r.Department, Kind: routes[i].Kind,
					Priority: routes[i].Priority, Channel: routes[i].Channel, ReviewRound: rounds[i]})
				return err
			}
			r, err := e.Route(ctx, routes[i])
			if err != nil {
				return err
			}
			_, err = e.Limits(ctx, DeadlineInput{Department: r.Department, Kind: routes[i].Kind,
				Priority: routes[i].Priority, Channel: routes[i].Channel, ReviewRound: rounds[i]})
			return err
		}
	}
	indexes := make([]int, n)
	for i := range indexes {
		indexes[i] = i
	}
	if out.RouteAndLimits, err = measure(indexes, indexes, routeAndLimits(false)); err != nil {
		return out, err
	}
	if out.RouteAndLimitsUncached, err = measure(indexes, indexes, routeAndLimits(true)); err != nil {
		return out, err
	}
	if out.CaseScope, err = measure(warmAuthz, authz, func(a authzCase) error {
		_, err := e.CaseScope(ctx, a.s)
		return err
	}); err != nil {
		return out, err
	}
	return out, nil
}

// measure runs f over warm to warm up, then over inputs timing each call.
func measure[T any](warm, inputs []T, f func(T) error) (Percentiles, error) {
	for _, in := range warm {
		if err := f(in); err != nil {
			return Percentiles{}, err
		}
	}
	took := make([]time.Duration, len(inputs))
	for i, in := range inputs {
		start := time.Now()
		if err := f(in); err != nil {
			return Percentiles{}, err
		}
		took[i] = time.Since(start)
	}
	slices.Sort(took)
	at := func(q float64) time.Duration { return took[min(len(took)-1, int(q*float64(len(took))))] }
	return Percentiles{P50: at(0.50), P90: at(0.90), P99: at(0.99), Max: took[len(took)-1]}, nil
}

type authzCase struct {
	s Subject
	a Action
	r Resource
}

var (
	measureKinds      = []string{"COMPLAINT", "SUGGESTION", "INQUIRY", "PRAISE", "REPORT"}
	measurePriorities = []string{"LOW", "NORMAL", "HIGH", "URGENT"}
	measureChannels   = []string{"WEB", "HOTLINE", "EMAIL", "LETTER", "VISIT", "CONSULTATION"}
	measureStatuses   = []string{"SUBMITTED", "ACCEPTED", "ASSIGNED", "IN_PROGRESS", "AWAITING_PETITIONER", "RESPONDED", "CLOSED"}
	measureDepts      = []string{"INFORMATION", "CUSTOMER_SERVICE", "ADMINISTRATION", "HR", "PUBLIC_RELATIONS", "EVALUATION", "COMMUNITY_SERVICES", "EDUCATION_AID"}
	measureCategories = [][2]string{
		{"SERVICE_QUALITY", "CUSTOMER_SERVICE"}, {"FINANCE", "INFORMATION"}, {"STAFF_CONDUCT", "ADMINISTRATION"},
		{"PROJECT_PROGRESS", "ADMINISTRATION"}, {"DONATIONS", "PUBLIC_RELATIONS"}, {"PRIVACY", "INFORMATION"},
		{"ACCESSIBILITY", "COMMUNITY_SERVICES"}, {"VOLUNTEER", "PUBLIC_RELATIONS"}, {"SUGGESTION", ""}, {"OTHER", ""}, {"", ""},
	}
	measureProjects = [][2]string{
		{"ELDER_CARE", "COMMUNITY_SERVICES"}, {"FOOD_BANK", "COMMUNITY_SERVICES"}, {"SCHOLARSHIP", "EDUCATION_AID"},
		{"RURAL_LIBRARY", "EDUCATION_AID"}, {"VOLUNTEER", "PUBLIC_RELATIONS"}, {"HOTLINE", "CUSTOMER_SERVICE"},
		{"", ""}, {"", ""}, {"", ""},
	}
	measureTexts = [][2]string{
		{"长者食堂饭菜偏咸、分量不足", "我每天中午在长者食堂吃饭,最近两周饭菜明显偏咸,主食分量也比以前少了,价格却没有变。我们老年人很多有高血压,吃太咸对身体不好。希望能督促供餐单位改进。"},
		{"本学期春蕾助学金迟迟未发放", "我的孩子在希望小学读四年级,去年通过了春蕾助学金审核。往年开学一个月内就能到账,今年开学已经两个多月了还没收到,打电话问学校,学校说要问你们。"},
		{"热线接线员态度生硬,未听完就挂断电话", "昨天下午我打公益服务热线咨询捐赠票据,接线员态度很不耐烦,我还没说完就挂断了电话。希望加强培训。"},
		{"年度工作报告中的财务数据前后不一致", "贵机构年度工作报告第12页的项目支出合计与第15页的财务报表数字不一致,相差约八万元,请解释原因并公开明细。"},
		{"举报乡村图书室采购存在利益关联", "据我了解,乡村图书室的图书采购由一名工作人员亲属经营的书店中标,价格明显高于市场价,请调查。"},
		{"Long waiting times at the elderly care centre", "My father is 82 and goes to the care centre every Monday morning for physiotherapy. For the past month he has had to wait more than 40 minutes each time."},
		{"Scholarship payment for this term has not arrived", "My child was approved for the Spring Bud Scholarship last year. This term more than two months have passed and nothing has come. We rely on it to pay for boarding."},
		{"Rude treatment on the hotline", "I called the hotline yesterday and the operator rudely hung up before I had finished."},
		{"Sales calls after donating — was my data leaked?", "Since I made a donation online I receive sales calls every week. Did you share my personal data?"},
		{"Please announce events earlier", "The volunteer event last Saturday was announced only two days before. Please publish events at least two weeks ahead."},
		{"有人不干活", "你们那边有人不干活。"},
		{"Can you find me a job?", "I am looking for work, can you help?"},
	}
)

func pick[T any](rng *rand.Rand, list []T) T { return list[rng.IntN(len(list))] }

func randomAuthz(rng *rand.Rand) authzCase {
	var s Subject
	switch x := rng.IntN(20); {
	case x == 0:
		s = Subject{Kind: Anonymous}
	case x < 3:
		s = Subject{Kind: Petitioner, CaseID: 1 + rng.IntN(50)}
	default:
		s = Subject{Kind: StaffMember, StaffID: 1 + rng.IntN(40), Role: pick(rng, Roles), DepartmentID: rng.IntN(9)}
	}
	r := Resource{
		CaseID: 1 + rng.IntN(50), DepartmentID: 1 + rng.IntN(8), AssigneeID: rng.IntN(41),
		Kind: pick(rng, measureKinds), Status: pick(rng, measureStatuses),
	}
	if r.Kind == "REPORT" {
		r.ConcernedDepartmentID = rng.IntN(9)
	}
	return authzCase{s: s, a: pick(rng, allActions), r: r}
}

func randomRouting(rng *rand.Rand) RoutingInput {
	text, cat, proj := pick(rng, measureTexts), pick(rng, measureCategories), pick(rng, measureProjects)
	in := RoutingInput{
		Kind: pick(rng, measureKinds), Channel: pick(rng, measureChannels), Priority: pick(rng, measurePriorities),
		Subject: text[0], Body: text[1],
		Category: cat[0], CategoryDepartment: cat[1],
		ServiceProject: proj[0], ServiceProjectDepartment: proj[1],
		IntakeDepartment: "CUSTOMER_SERVICE",
	}
	if in.Kind == "REPORT" && rng.IntN(2) == 0 {
		in.ConcernedDepartment = pick(rng, measureDepts)
	}
	return in
}
