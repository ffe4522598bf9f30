package evaluation

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// renderMarkdown writes the report in Chinese with English headings and
// labels; the charts are linked by file name.
func renderMarkdown(d ReportData, charts []File) []byte {
	ev := d.Evaluation
	var b bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	cell := func(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ") }
	scope, scopeEn := scopeLabel(ev)

	w("# 信访处理效果评估报告 %s / Evaluation Report %s\n\n", ev.Period.Label, ev.Period.Label)
	w("- 评估期间 Period: %s 至 %s（%d天 days）\n", ev.Period.FirstDay(), ev.Period.LastDay(), ev.Period.Days())
	w("- 对比期间 Previous period: %s 至 %s（与本期等长的前一时段 the period of the same length just before）\n",
		ev.PreviousPeriod.FirstDay(), ev.PreviousPeriod.LastDay())
	w("- 范围 Scope: %s / %s\n", scope, scopeEn)
	w("- 生成时间 Generated: %s\n\n", d.GeneratedAt.Format("2006-01-02 15:04 MST"))
	w("数据均为匿名统计，不含信访内容和个人信息。 Figures only: no case text, no personal data.\n\n")

	w("## 1. 主要指标 Key figures\n\n")
	w("| 指标 Figure | 本期 Current | 上期 Previous | 变化 Change | 变化率 Change %% |\n|---|---:|---:|---:|---:|\n")
	for _, c := range compare(ev) {
		w("| %s %s | %s | %s | %s | %s |\n", c.row.label, c.row.labelEn, formatValue(c.current, c.row.unit),
			formatValue(c.previous, c.row.unit), formatChange(c.change, c.row.unit), formatShareChange(c.changeShare))
	}
	w("\n")
	if ev.EfficiencyGain != nil {
		w("处理效率提升 Efficiency gain (previous ÷ current median time to first response − 1): **%s**（目标 target ≥ +30%%）\n\n",
			formatShareChange(ev.EfficiencyGain))
	} else {
		w("处理效率提升 Efficiency gain: 暂无数据 no data (a period without responses)\n\n")
	}

	w("## 2. 渠道与类型 Channels and kinds\n\n")
	w("| 渠道 Channel | 本期 Current | 上期 Previous |\n|---|---:|---:|\n")
	for i, c := range ev.Current.Channels {
		w("| %s %s | %d | %d |\n", channelName(string(c.Channel)), channelNameEn(string(c.Channel)), c.Cases, ev.Previous.Channels[i].Cases)
	}
	w("\n| 类型 Kind | 本期 Current | 上期 Previous |\n|---|---:|---:|\n")
	for i, k := range ev.Current.Kinds {
		w("| %s %s | %d | %d |\n", kindName(string(k.Kind)), k.Kind, k.Cases, ev.Previous.Kinds[i].Cases)
	}

	w("\n## 3. 热点分类与服务项目 Top categories and service projects\n\n")
	for _, list := range []struct {
		title   string
		entries []RankedEntry
	}{{"分类 Category", ev.Current.RankedCategories}, {"服务项目 Service project", ev.Current.RankedServiceProjects}} {
		w("| %s | 代码 Code | 件数 Cases |\n|---|---|---:|\n", list.title)
		if len(list.entries) == 0 {
			w("| — | — | 0 |\n")
		}
		for _, e := range list.entries {
			w("| %s %s | %s | %d |\n", cell(e.Name), cell(e.NameEn), cell(e.Code), e.Cases)
		}
		w("\n")
	}

	w("## 4. 趋势 Trend\n\n")
	for _, c := range charts {
		alt := "收到与答复 Received and responded"
		if strings.HasSuffix(c.Name, "-within-limit.png") {
			alt = "按时答复率 Share within the time limit"
		}
		w("![%s](%s)\n\n", alt, c.Name)
	}
	w("| 起始 Start | 收到 Received | 答复 Responded | 按时答复率 Within limit | 满意率 Satisfaction | 答复时长中位数 Median response |\n|---|---:|---:|---:|---:|---:|\n")
	for _, t := range ev.Current.Trend {
		w("| %s | %d | %d | %s | %s | %s |\n", t.Start.Format(time.DateOnly), t.Received, t.Responded,
			formatValue(t.WithinLimitShare, UnitShare), formatValue(t.SatisfactionRate, UnitShare), formatValue(hours(t.MedianResponseSecs), UnitHours))
	}

	w("\n## 5. 目标考核 Scorecard\n\n")
	w("对照种子策略的量化目标，覆盖全组织。 The seed strategy's targets, for the whole organisation.\n\n")
	w("| 领域 Area | 指标 KPI | 目标 Target | 本期 Current | 状态 Status | 依据 Basis |\n|---:|---|---:|---:|---|---|\n")
	for _, k := range d.Scorecard.KPIs {
		w("| %d | %s<br>%s | %s | %s | %s | %s |\n", k.Area, cell(k.Title), cell(k.TitleEn), formatTarget(k), formatCurrent(k),
			statusLabel(k.Status), cell(k.Basis+" "+k.BasisEn))
	}
	w("\n流程完整性（责任人、时限、每步反馈）暂无统计口径，未列入。 Process completeness is not measured yet and is left out.\n")

	w("\n## 6. 改进措施 Improvement actions\n\n")
	if len(d.Actions) == 0 {
		w("本期尚未登记改进措施。 No improvement actions recorded for this period yet.\n")
	} else {
		w("| 措施 Action | 负责部门 Department | 截止 Due | 状态 Status | 指标 KPI | 期间 Period |\n|---|---|---|---|---|---|\n")
		for _, a := range d.Actions {
			w("| %s | %s | %s | %s | %s | %s |\n", cell(a.Title), cell(a.Department), a.DueDate, actionStatusLabel(a.Status),
				dash(a.KPIKey), a.PeriodLabel)
		}
	}
	return b.Bytes()
}

func dash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// csvHeader names the columns of the CSV report: one row per figure, KPI,
// trend bucket, ranked entry or action, told apart by section.
var csvHeader = []string{"section", "key", "label_zh", "label_en", "current", "previous", "change", "change_share", "target", "status", "note"}

// renderCSV writes the report as one table, with a UTF-8 byte order mark
// so that spreadsheet programs read the Chinese labels right. Numbers are
// plain (shares as fractions, durations in hours).
func renderCSV(d ReportData) ([]byte, error) {
	ev := d.Evaluation
	var b bytes.Buffer
	b.WriteString("\uFEFF")
	w := csv.NewWriter(&b)
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	numPtr := func(v *float64) string {
		if v == nil {
			return ""
		}
		return num(*v)
	}
	rows := [][]string{csvHeader}
	scope, scopeEn := scopeLabel(ev)
	rows = append(rows,
		[]string{"period", ev.Period.Label, "评估期间", "Period", ev.Period.FirstDay() + ".." + ev.Period.LastDay(),
			ev.PreviousPeriod.FirstDay() + ".." + ev.PreviousPeriod.LastDay(), "", "", "", "", ""},
		[]string{"scope", "scope", scope, scopeEn, "", "", "", "", "", "", ""},
	)
	for _, c := range compare(ev) {
		rows = append(rows, []string{"figure", c.row.key, c.row.label, c.row.labelEn, num(c.current), num(c.previous),
			num(c.change), numPtr(c.changeShare), "", "", string(c.row.unit)})
	}
	rows = append(rows, []string{"figure", "efficiencyGain", "处理效率提升", "Efficiency gain", numPtr(ev.EfficiencyGain), "", "", "", num(efficiencyGainTarget), "", string(UnitShare)})
	for i, c := range ev.Current.Channels {
		rows = append(rows, []string{"channel", string(c.Channel), channelName(string(c.Channel)), channelNameEn(string(c.Channel)),
			num(float64(c.Cases)), num(float64(ev.Previous.Channels[i].Cases)), "", "", "", "", ""})
	}
	for i, k := range ev.Current.Kinds {
		rows = append(rows, []string{"kind", string(k.Kind), kindName(string(k.Kind)), string(k.Kind),
			num(float64(k.Cases)), num(float64(ev.Previous.Kinds[i].Cases)), "", "", "", "", ""})
	}
	for _, e := range ev.Current.RankedCategories {
		rows = append(rows, []string{"top_category", e.Code, e.Name, e.NameEn, num(float64(e.Cases)), "", "", "", "", "", ""})
	}
	for _, e := range ev.Current.RankedServiceProjects {
		rows = append(rows, []string{"top_service_project", e.Code, e.Name, e.NameEn, num(float64(e.Cases)), "", "", "", "", "", ""})
	}
	for _, t := range ev.Current.Trend {
		start := t.Start.Format(time.DateOnly)
		rows = append(rows,
			[]string{"trend_received", start, "收到", "Received", num(float64(t.Received)), "", "", "", "", "", ""},
			[]string{"trend_responded", start, "答复", "Responded", num(float64(t.Responded)), "", "", "", "", "", ""},
			[]string{"trend_within_limit_share", start, "按时答复率", "Share within the limit", num(t.WithinLimitShare), "", "", "", "", "", ""},
			[]string{"trend_satisfaction_rate", start, "满意率", "Satisfaction rate", num(t.SatisfactionRate), "", "", "", "", "", ""},
			[]string{"trend_median_response_hours", start, "答复时长中位数", "Median response hours", num(hours(t.MedianResponseSecs)), "", "", "", "", "", ""},
		)
	}
	for _, k := range d.Scorecard.KPIs {
		rows = append(rows, []string{"kpi", k.Key, k.Title, k.TitleEn, numPtr(k.Current), "", "", "",
			string(k.Comparison) + " " + num(k.Target), string(k.Status), k.BasisEn})
	}
	for _, a := range d.Actions {
		rows = append(rows, []string{"action", strconv.Itoa(a.ID), a.Title, a.Department, "", "", "", "",
			a.DueDate, a.Status, strings.TrimSpace(a.PeriodLabel + " " + a.KPIKey)})
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, fmt.Errorf("write csv report: %w", err)
	}
	return b.Bytes(), nil
}
