package evaluation

import (
	"context"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/xinfang/xinfang/ent/improvementaction"
	"github.com/xinfang/xinfang/ent/staff"
	"github.com/xinfang/xinfang/policy"
)

// Status is how a KPI stands against its target; see the package
// documentation for the rule.
type Status string

// The KPI statuses.
const (
	StatusMet    Status = "MET"
	StatusAtRisk Status = "AT_RISK"
	StatusMissed Status = "MISSED"
	StatusNoData Status = "NO_DATA"
)

// Unit says how to read a KPI's target and value.
type Unit string

// The KPI units.
const (
	// UnitShare is a fraction from 0 to 1 (shown as a percentage).
	UnitShare Unit = "SHARE"
	UnitHours Unit = "HOURS"
	UnitCount Unit = "COUNT"
)

// Comparison says whether a KPI's value must reach its target or stay
// under it.
type Comparison string

// The comparisons.
const (
	AtLeast Comparison = "AT_LEAST"
	AtMost  Comparison = "AT_MOST"
)

// The KPI keys; improvement actions name the KPI they address by key.
const (
	KPIQuarterlyReports         = "QUARTERLY_REPORTS"
	KPIReportCoverage           = "REPORT_COVERAGE"
	KPIChannelsInUse            = "CHANNELS_IN_USE"
	KPIResponseWithinLimit      = "RESPONSE_WITHIN_LIMIT"
	KPIMedianFirstResponse      = "MEDIAN_FIRST_RESPONSE"
	KPIYearlyVolume             = "YEARLY_VOLUME"
	KPIEfficiencyGain           = "EFFICIENCY_GAIN"
	KPISatisfaction             = "SATISFACTION"
	KPITrainingSessions         = "TRAINING_SESSIONS"
	KPIStaffTrained             = "STAFF_TRAINED"
	KPIOversightCommittee       = "OVERSIGHT_COMMITTEE"
	KPIConsultations            = "CONSULTATIONS"
	KPIConsultationParticipants = "CONSULTATION_PARTICIPANTS"
	KPIConsultationOpinions     = "CONSULTATION_OPINIONS"
	KPIHalfYearlyEvaluation     = "HALF_YEARLY_EVALUATION"
)

// KPIKeys lists every KPI key in scorecard order.
var KPIKeys = []string{
	KPIQuarterlyReports, KPIReportCoverage,
	KPIChannelsInUse, KPIResponseWithinLimit, KPIMedianFirstResponse, KPIYearlyVolume,
	KPIEfficiencyGain, KPISatisfaction,
	KPITrainingSessions, KPIStaffTrained,
	KPIOversightCommittee, KPIConsultations, KPIConsultationParticipants, KPIConsultationOpinions,
	KPIHalfYearlyEvaluation,
}

// KnownKPI reports whether key names a KPI.
func KnownKPI(key string) bool {
	for _, k := range KPIKeys {
		if k == key {
			return true
		}
	}
	return false
}

// Seed strategy targets.
const (
	responseLimitHours    = 48
	yearlyVolumeTarget    = 500
	efficiencyGainTarget  = 0.30
	satisfactionTarget    = 0.85
	withinLimitTarget     = 1.0
	seedChannelsTarget    = 3
	oversightMemberTarget = 1
)

// seedChannels are the channels the seed strategy asks for: the hotline,
// email and the online feedback platform (the web form).
var seedChannels = []string{"HOTLINE", "EMAIL", "WEB"}

// KPI is one quantified target of the seed strategy and how the period
// stands against it.
type KPI struct {
	Key string
	// Area is the section (1–6) of the seed strategy's quantified targets.
	Area       int
	Title      string // Chinese
	TitleEn    string
	Unit       Unit
	Comparison Comparison
	// Target is the value to reach (AtLeast) or stay under (AtMost), in
	// Unit, prorated to the period where the strategy gives a yearly
	// figure.
	Target float64
	// Current is the period's value; nil with NO_DATA.
	Current *float64
	Status  Status
	// Basis says, in Chinese and English, how the value is measured or
	// why there is none.
	Basis   string
	BasisEn string
	// Data are the figures behind the value.
	Data []Datum
}

// Datum is one figure behind a KPI.
type Datum struct {
	Key     string
	Label   string // Chinese
	LabelEn string
	Value   float64
	Unit    Unit
}

// Scorecard is the seed strategy's targets for a period.
type Scorecard struct {
	Period Period
	// AsOf is when the scorecard was computed: it decides whether a
	// shortfall is AT_RISK (period running) or MISSED (period over).
	AsOf time.Time
	KPIs []KPI
}

// ScorecardFacts are what a scorecard is computed from.
type ScorecardFacts struct {
	AsOf time.Time
	// Evaluation holds the organisation-wide figures of the period.
	Evaluation *Evaluation
	// OversightMembers counts the active OVERSIGHT_MEMBER staff accounts.
	OversightMembers int
	// ActionsByHalfYear counts improvement actions that are not cancelled,
	// by period label (2026H1, ...).
	ActionsByHalfYear map[string]int
}

// MarshalGQL writes the status as a GraphQL enum value.
func (s Status) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(s))) }

// UnmarshalGQL reads a GraphQL enum value.
func (s *Status) UnmarshalGQL(v any) error {
	str, ok := v.(string)
	if !ok {
		return fmt.Errorf("status must be a string")
	}
	*s = Status(str)
	return nil
}

// MarshalGQL writes the unit as a GraphQL enum value.
func (u Unit) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(u))) }

// UnmarshalGQL reads a GraphQL enum value.
func (u *Unit) UnmarshalGQL(v any) error {
	str, ok := v.(string)
	if !ok {
		return fmt.Errorf("unit must be a string")
	}
	*u = Unit(str)
	return nil
}

// MarshalGQL writes the comparison as a GraphQL enum value.
func (c Comparison) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(c))) }

// UnmarshalGQL reads a GraphQL enum value.
func (c *Comparison) UnmarshalGQL(v any) error {
	str, ok := v.(string)
	if !ok {
		return fmt.Errorf("comparison must be a string")
	}
	*c = Comparison(str)
	return nil
}

// Scorecard computes the seed strategy's scorecard for a period, from the
// organisation-wide figures.
func (s *Service) Scorecard(ctx context.Context, period string) (*Scorecard, error) {
	if err := s.authorize(ctx, policy.ActionEvaluationRead); err != nil {
		return nil, err
	}
	p, err := ParsePeriod(period, s.loc)
	if err != nil {
		return nil, err
	}
	return s.scorecard(ctx, p, nil)
}

// scorecard computes the scorecard; ev, when given, is the period's
// organisation-wide evaluation already at hand.
func (s *Service) scorecard(ctx context.Context, p Period, ev *Evaluation) (*Scorecard, error) {
	if ev == nil {
		var err error
		if ev, err = s.evaluate(ctx, p, Filter{}); err != nil {
			return nil, err
		}
	}
	members, err := s.client.Staff.Query().
		Where(staff.RoleEQ(staff.RoleOVERSIGHT_MEMBER), staff.Active(true)).
		Count(ctx)
	if err != nil {
		return nil, fmt.Errorf("count oversight members: %w", err)
	}
	labels := p.HalfYears()
	rows, err := s.client.ImprovementAction.Query().
		Where(improvementaction.PeriodLabelIn(labels...), improvementaction.StatusNEQ(improvementaction.StatusCANCELLED)).
		Select(improvementaction.FieldPeriodLabel).
		Strings(ctx)
	if err != nil {
		return nil, fmt.Errorf("count improvement actions: %w", err)
	}
	actions := map[string]int{}
	for _, label := range rows {
		actions[label]++
	}
	sc := BuildScorecard(ScorecardFacts{
		AsOf: s.now().In(s.loc), Evaluation: ev, OversightMembers: members, ActionsByHalfYear: actions,
	})
	return &sc, nil
}

// BuildScorecard applies the seed strategy's targets to facts. It is a
// pure function.
func BuildScorecard(facts ScorecardFacts) Scorecard {
	ev := facts.Evaluation
	p := ev.Period
	over := p.Over(facts.AsOf)
	cur := ev.Current.Figures
	judge := func(meets bool) Status {
		switch {
		case meets:
			return StatusMet
		case over:
			return StatusMissed
		}
		return StatusAtRisk
	}
	value := func(v float64) *float64 { return &v }
	later := func(key string, area int, title, titleEn string, unit Unit, target float64, source, sourceEn string) KPI {
		return KPI{Key: key, Area: area, Title: title, TitleEn: titleEn, Unit: unit, Comparison: AtLeast, Target: target,
			Status: StatusNoData,
			Basis:  "暂无数据：" + source + "功能尚未上线。", BasisEn: "No data yet: arrives with " + sourceEn + "."}
	}
	var kpis []KPI

	// 1. Transparency.
	kpis = append(kpis,
		later(KPIQuarterlyReports, 1, "每季度发布工作报告", "A work report published every quarter", UnitCount,
			float64(quarters(p)), "季度工作报告", "the quarterly reports"),
		later(KPIReportCoverage, 1, "工作报告覆盖服务项目和财务信息", "Reports cover service projects and finances", UnitShare,
			0.90, "季度工作报告", "the quarterly reports"),
	)

	// 2. Channels, time limit and volume.
	channels := KPI{Key: KPIChannelsInUse, Area: 2, Title: "使用中的信访渠道（热线、邮箱、在线平台）",
		TitleEn: "Channels in use (hotline, email, online platform)", Unit: UnitCount, Comparison: AtLeast,
		Target: seedChannelsTarget,
		Basis:  "本期至少收到一件信访的渠道数（热线、邮件、网上平台）。", BasisEn: "Channels among hotline, email and the web platform with at least one case received in the period."}
	used := 0
	for _, ch := range seedChannels {
		n := cur.ByChannel[ch]
		if n > 0 {
			used++
		}
		channels.Data = append(channels.Data, Datum{Key: ch, Label: channelName(ch), LabelEn: channelNameEn(ch), Value: float64(n), Unit: UnitCount})
	}
	if cur.Received == 0 {
		channels.Status = StatusNoData
	} else {
		channels.Current = value(float64(used))
		channels.Status = judge(used >= seedChannelsTarget)
	}
	kpis = append(kpis, channels)

	within := KPI{Key: KPIResponseWithinLimit, Area: 2, Title: "在时限（≤48小时）内答复的比例",
		TitleEn: "Share answered within the time limit (≤ 48 h)", Unit: UnitShare, Comparison: AtLeast, Target: withinLimitTarget,
		Basis:   "已答复信访中，不晚于当时有效期限（默认48小时，含批准的延期）答复的比例。",
		BasisEn: "Of the cases answered, the share answered no later than the deadline in force (48 h by default, approved extensions included).",
		Data: []Datum{
			{Key: "responded", Label: "已答复", LabelEn: "Responded", Value: float64(cur.Responded), Unit: UnitCount},
			{Key: "withinLimit", Label: "按时答复", LabelEn: "Within the limit", Value: float64(cur.WithinLimit), Unit: UnitCount},
			{Key: "breaches", Label: "超时", LabelEn: "Breaches", Value: float64(cur.Breaches), Unit: UnitCount},
			{Key: "extensions", Label: "延期", LabelEn: "Extensions", Value: float64(cur.Extensions), Unit: UnitCount},
		}}
	if cur.Responded == 0 {
		within.Status = StatusNoData
	} else {
		within.Current = value(cur.WithinLimitShare)
		within.Status = judge(cur.WithinLimit >= cur.Responded)
	}
	kpis = append(kpis, within)

	median := KPI{Key: KPIMedianFirstResponse, Area: 2, Title: "首次答复时长中位数", TitleEn: "Median time to first response",
		Unit: UnitHours, Comparison: AtMost, Target: responseLimitHours,
		Basis:   "从收到到首次书面答复的时长中位数（小时）。",
		BasisEn: "Median hours from receipt to the first written response.",
		Data: []Datum{
			{Key: "responded", Label: "已答复", LabelEn: "Responded", Value: float64(cur.TimeToFirstResponse.Count), Unit: UnitCount},
			{Key: "p90Hours", Label: "90分位时长", LabelEn: "90th percentile", Value: hours(cur.TimeToFirstResponse.P90), Unit: UnitHours},
		}}
	if cur.TimeToFirstResponse.Count == 0 {
		median.Status = StatusNoData
	} else {
		h := hours(cur.TimeToFirstResponse.Median)
		median.Current = value(h)
		median.Status = judge(h <= responseLimitHours)
	}
	kpis = append(kpis, median)
	kpis = append(kpis, volumeKPI(p, facts.AsOf, cur.Received, judge))

	// 3. Process: efficiency and satisfaction.
	prevMedian, curMedian := ev.Previous.TimeToFirstResponse, cur.TimeToFirstResponse
	gain := KPI{Key: KPIEfficiencyGain, Area: 3, Title: "处理效率提升（首次答复时长对比上期）",
		TitleEn: "Efficiency gain (time to first response against the previous period)", Unit: UnitShare, Comparison: AtLeast,
		Target:  efficiencyGainTarget,
		Basis:   "上期首次答复时长中位数 ÷ 本期中位数 − 1；上期为与本期等长的前一时段（" + ev.PreviousPeriod.FirstDay() + " 至 " + ev.PreviousPeriod.LastDay() + "）。",
		BasisEn: "Previous median time to first response ÷ this period's − 1; the previous period is the one of the same length just before (" + ev.PreviousPeriod.FirstDay() + " to " + ev.PreviousPeriod.LastDay() + ").",
		Data: []Datum{
			{Key: "currentMedianHours", Label: "本期中位数", LabelEn: "Median this period", Value: hours(curMedian.Median), Unit: UnitHours},
			{Key: "previousMedianHours", Label: "上期中位数", LabelEn: "Median previous period", Value: hours(prevMedian.Median), Unit: UnitHours},
			{Key: "previousResponded", Label: "上期已答复", LabelEn: "Responded previous period", Value: float64(prevMedian.Count), Unit: UnitCount},
		}}
	if ev.EfficiencyGain == nil {
		gain.Status = StatusNoData
	} else {
		gain.Current = value(*ev.EfficiencyGain)
		gain.Status = judge(*ev.EfficiencyGain >= efficiencyGainTarget)
	}
	kpis = append(kpis, gain)

	satisfaction := KPI{Key: KPISatisfaction, Area: 3, Title: "满意度（评分≥4的比例）", TitleEn: "Satisfaction (share of ratings ≥ 4)",
		Unit: UnitShare, Comparison: AtLeast, Target: satisfactionTarget,
		Basis:   "本期评价中评分4或5的比例；评价率（已评价 ÷ 已办结）为参考。",
		BasisEn: "Share of the period's ratings that are 4 or 5; the survey response rate (rated ÷ closed) is context.",
		Data: []Datum{
			{Key: "rated", Label: "已评价", LabelEn: "Rated", Value: float64(cur.Rated), Unit: UnitCount},
			{Key: "satisfied", Label: "满意（≥4）", LabelEn: "Satisfied (≥ 4)", Value: float64(cur.Satisfied), Unit: UnitCount},
			{Key: "closed", Label: "已办结", LabelEn: "Closed", Value: float64(cur.Closed), Unit: UnitCount},
			{Key: "surveyResponseRate", Label: "评价率", LabelEn: "Survey response rate", Value: cur.SurveyResponseRate, Unit: UnitShare},
		}}
	if cur.Rated == 0 {
		satisfaction.Status = StatusNoData
	} else {
		satisfaction.Current = value(cur.SatisfactionRate)
		satisfaction.Status = judge(cur.SatisfactionRate >= satisfactionTarget)
	}
	kpis = append(kpis, satisfaction)

	// 4. Training.
	kpis = append(kpis,
		later(KPITrainingSessions, 4, "信访处理培训次数", "Training sessions held", UnitCount,
			prorate(2, p), "培训记录", "the training records"),
		later(KPIStaffTrained, 4, "接受培训的员工比例", "Share of staff trained", UnitShare,
			0.80, "培训记录", "the training records"),
	)

	// 5. Public participation.
	oversight := KPI{Key: KPIOversightCommittee, Area: 5, Title: "公众代表监督委员会（在任委员数）",
		TitleEn: "Oversight committee of public representatives (active members)", Unit: UnitCount, Comparison: AtLeast,
		Target: oversightMemberTarget, Current: value(float64(facts.OversightMembers)),
		Status:  judge(facts.OversightMembers >= oversightMemberTarget),
		Basis:   "角色为监督委员会委员的在用账号数。",
		BasisEn: "Active staff accounts with the OVERSIGHT_MEMBER role."}
	kpis = append(kpis, oversight,
		later(KPIConsultations, 5, "公众咨询会次数", "Public consultations held", UnitCount,
			prorate(1, p), "公众咨询会记录", "the consultation records"),
		later(KPIConsultationParticipants, 5, "咨询会参与人数", "Consultation participants", UnitCount,
			100, "公众咨询会记录", "the consultation records"),
		later(KPIConsultationOpinions, 5, "咨询会收集意见数", "Opinions collected at consultations", UnitCount,
			50, "公众咨询会记录", "the consultation records"),
	)

	// 6. Half-yearly evaluation with improvement actions.
	halves := p.HalfYears()
	evaluation := KPI{Key: KPIHalfYearlyEvaluation, Area: 6, Title: "半年评估并制定改进措施（已完成的半年数）",
		TitleEn: "Half-yearly evaluation with improvement actions (half-years covered)", Unit: UnitCount, Comparison: AtLeast,
		Target:  float64(len(halves)),
		Basis:   "期内每个半年（6月、12月评估）至少登记一项未取消的改进措施。",
		BasisEn: "Each half-year of the period (evaluated in June and December) has at least one improvement action recorded that is not cancelled."}
	covered, status := 0, StatusMet
	for _, h := range halves {
		n := facts.ActionsByHalfYear[h]
		evaluation.Data = append(evaluation.Data, Datum{Key: h, Label: h + " 改进措施", LabelEn: h + " improvement actions", Value: float64(n), Unit: UnitCount})
		if n > 0 {
			covered++
			continue
		}
		// Each half-year's evaluation is due by its own end.
		half, _ := ParseLabel(h, p.From.Location())
		if half.Over(facts.AsOf) {
			status = StatusMissed
		} else if status == StatusMet {
			status = StatusAtRisk
		}
	}
	evaluation.Current, evaluation.Status = value(float64(covered)), status
	kpis = append(kpis, evaluation)

	return Scorecard{Period: p, AsOf: facts.AsOf, KPIs: kpis}
}

// volumeKPI is "≥ 500 items handled a year", prorated to the period and,
// while it runs, judged on pace.
func volumeKPI(p Period, asOf time.Time, received int64, judge func(bool) Status) KPI {
	target := prorate(yearlyVolumeTarget, p)
	k := KPI{Key: KPIYearlyVolume, Area: 2, Title: "信访处理量（每年≥500件，按期间折算）",
		TitleEn: "Items received (≥ 500 a year, prorated to the period)", Unit: UnitCount, Comparison: AtLeast,
		Target:  target,
		Basis:   "本期收到的信访件数，对比按天数折算的年度目标；期间未结束时按进度推算。",
		BasisEn: "Cases received in the period against the yearly target prorated by days; while the period runs, judged on its pace.",
	}
	v := float64(received)
	k.Current = &v
	elapsed := 1.0
	if !p.Over(asOf) {
		elapsed = math.Max(0, float64(asOf.Sub(p.From))) / float64(p.To.Sub(p.From))
	}
	k.Data = []Datum{
		{Key: "received", Label: "已收到", LabelEn: "Received", Value: v, Unit: UnitCount},
		{Key: "elapsedShare", Label: "期间已过比例", LabelEn: "Share of the period elapsed", Value: elapsed, Unit: UnitShare},
	}
	switch {
	case v >= target:
		k.Status = StatusMet
	case elapsed <= 0:
		k.Status = StatusNoData // the period has not started
		k.Current = nil
	default:
		projected := v / elapsed
		k.Data = append(k.Data, Datum{Key: "projected", Label: "按进度推算", LabelEn: "Projected at this pace", Value: math.Round(projected), Unit: UnitCount})
		k.Status = judge(projected >= target)
	}
	return k
}

// prorate scales a yearly target to the period's days, rounded up.
func prorate(yearly float64, p Period) float64 {
	y := p.From.Year()
	daysInYear := time.Date(y+1, 1, 1, 0, 0, 0, 0, time.UTC).Sub(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)).Hours() / 24
	return math.Ceil(yearly * float64(p.Days()) / daysInYear)
}

// quarters counts the calendar quarters the period overlaps.
func quarters(p Period) int {
	n := 0
	y, m, _ := p.From.Date()
	q := time.Date(y, time.Month(((int(m)-1)/3)*3+1), 1, 0, 0, 0, 0, p.From.Location())
	for ; q.Before(p.To); q = q.AddDate(0, 3, 0) {
		n++
	}
	return n
}

func hours(seconds float64) float64 { return seconds / 3600 }

func channelName(ch string) string {
	return map[string]string{"WEB": "网上平台", "HOTLINE": "热线", "EMAIL": "邮件", "LETTER": "来信",
		"VISIT": "来访", "CONSULTATION": "咨询会"}[ch]
}

func channelNameEn(ch string) string {
	return map[string]string{"WEB": "Web platform", "HOTLINE": "Hotline", "EMAIL": "Email", "LETTER": "Letter",
		"VISIT": "Visit", "CONSULTATION": "Consultation"}[ch]
}
