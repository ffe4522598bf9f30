package evaluation

import (
	"fmt"
	"time"

	"github.com/xuri/excelize/v2"
)

// The sheets of the XLSX report.
const (
	SheetFigures = "概况 Figures"
	SheetKPI     = "考核 KPI"
	SheetTrend   = "趋势 Trend"
	SheetActions = "措施 Actions"
)

// renderXLSX writes the report as a workbook: figures with the comparison,
// the scorecard, the trend with both charts embedded, and the actions.
// Numbers are stored as numbers (shares as fractions in percent format,
// durations in hours) so that the committee can compute with them.
func renderXLSX(d ReportData, charts []File) ([]byte, error) {
	ev := d.Evaluation
	f := excelize.NewFile()
	defer f.Close()
	x := &workbook{f: f}
	x.sheet(SheetFigures, true)
	header, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	percent, _ := f.NewStyle(&excelize.Style{NumFmt: 10}) // 0.00%
	decimal, _ := f.NewStyle(&excelize.Style{CustomNumFmt: ptr("0.0")})
	x.header = header
	styleOf := func(u Unit) int {
		switch u {
		case UnitShare:
			return percent
		case UnitHours:
			return decimal
		}
		return 0
	}

	scope, scopeEn := scopeLabel(ev)
	x.row(SheetFigures, 0, "信访处理效果评估报告 Evaluation Report", ev.Period.Label)
	x.row(SheetFigures, 0, "评估期间 Period", ev.Period.FirstDay()+" .. "+ev.Period.LastDay())
	x.row(SheetFigures, 0, "对比期间 Previous period", ev.PreviousPeriod.FirstDay()+" .. "+ev.PreviousPeriod.LastDay())
	x.row(SheetFigures, 0, "范围 Scope", scope+" / "+scopeEn)
	x.row(SheetFigures, 0, "生成时间 Generated", d.GeneratedAt.Format("2006-01-02 15:04 MST"))
	x.skip(SheetFigures)
	x.headerRow(SheetFigures, "指标", "Figure", "本期 Current", "上期 Previous", "变化 Change", "变化率 Change %")
	for _, c := range compare(ev) {
		style := styleOf(c.row.unit)
		var share any = ""
		if c.changeShare != nil {
			share = *c.changeShare
		}
		r := x.row(SheetFigures, 0, c.row.label, c.row.labelEn, c.current, c.previous, c.change, share)
		x.style(SheetFigures, r, 3, 5, style)
		x.style(SheetFigures, r, 6, 6, percent)
	}
	var gain any = "—"
	if ev.EfficiencyGain != nil {
		gain = *ev.EfficiencyGain
	}
	r := x.row(SheetFigures, 0, "处理效率提升（目标≥30%）", "Efficiency gain (target ≥ 30%)", gain)
	x.style(SheetFigures, r, 3, 3, percent)
	x.skip(SheetFigures)
	x.headerRow(SheetFigures, "渠道", "Channel", "本期 Current", "上期 Previous")
	for i, c := range ev.Current.Channels {
		x.row(SheetFigures, 0, channelName(string(c.Channel)), channelNameEn(string(c.Channel)), c.Cases, ev.Previous.Channels[i].Cases)
	}
	x.skip(SheetFigures)
	x.headerRow(SheetFigures, "类型", "Kind", "本期 Current", "上期 Previous")
	for i, k := range ev.Current.Kinds {
		x.row(SheetFigures, 0, kindName(string(k.Kind)), string(k.Kind), k.Cases, ev.Previous.Kinds[i].Cases)
	}
	for _, list := range []struct {
		zh, en  string
		entries []RankedEntry
	}{{"热点分类", "Top category", ev.Current.RankedCategories}, {"热点服务项目", "Top service project", ev.Current.RankedServiceProjects}} {
		x.skip(SheetFigures)
		x.headerRow(SheetFigures, list.zh, list.en, "代码 Code", "件数 Cases")
		for _, e := range list.entries {
			x.row(SheetFigures, 0, e.Name, e.NameEn, e.Code, e.Cases)
		}
	}
	x.widths(SheetFigures, 24, 34, 16, 16, 16, 16)

	x.sheet(SheetKPI, false)
	x.headerRow(SheetKPI, "领域 Area", "代码 Key", "指标", "KPI", "比较 Comparison", "目标 Target", "本期 Current", "状态 Status", "依据", "Basis")
	for _, k := range d.Scorecard.KPIs {
		var current any = ""
		if k.Current != nil {
			current = *k.Current
		}
		r := x.row(SheetKPI, 0, k.Area, k.Key, k.Title, k.TitleEn, string(k.Comparison), k.Target, current, statusLabel(k.Status), k.Basis, k.BasisEn)
		x.style(SheetKPI, r, 6, 7, styleOf(k.Unit))
	}
	x.widths(SheetKPI, 10, 28, 36, 44, 14, 12, 12, 18, 60, 60)

	x.sheet(SheetTrend, false)
	x.headerRow(SheetTrend, "起始 Start", "收到 Received", "答复 Responded", "按时答复率 Within limit", "满意率 Satisfaction", "答复时长中位数（小时）Median response h")
	for _, t := range ev.Current.Trend {
		r := x.row(SheetTrend, 0, t.Start.Format(time.DateOnly), t.Received, t.Responded, t.WithinLimitShare, t.SatisfactionRate, hours(t.MedianResponseSecs))
		x.style(SheetTrend, r, 4, 5, percent)
		x.style(SheetTrend, r, 6, 6, decimal)
	}
	x.widths(SheetTrend, 14, 14, 14, 22, 18, 30)
	// The charts go to the right of the table, one under the other
	// (a chart is 420 px, about 21 rows).
	for i, c := range charts {
		cell, _ := excelize.CoordinatesToCellName(8, 2+i*23)
		if err := f.AddPictureFromBytes(SheetTrend, cell, &excelize.Picture{
			Extension: ".png", File: c.Data,
			Format: &excelize.GraphicOptions{AltText: c.Name, Name: c.Name, ScaleX: 0.8, ScaleY: 0.8},
		}); err != nil {
			return nil, fmt.Errorf("embed chart %s: %w", c.Name, err)
		}
	}

	x.sheet(SheetActions, false)
	x.headerRow(SheetActions, "措施 Action", "负责部门 Department", "截止 Due", "状态 Status", "指标 KPI", "期间 Period")
	for _, a := range d.Actions {
		x.row(SheetActions, 0, a.Title, a.Department, a.DueDate, actionStatusLabel(a.Status), a.KPIKey, a.PeriodLabel)
	}
	x.widths(SheetActions, 48, 20, 14, 20, 26, 10)

	if x.err != nil {
		return nil, fmt.Errorf("write xlsx report: %w", x.err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, fmt.Errorf("write xlsx report: %w", err)
	}
	return buf.Bytes(), nil
}

// workbook writes rows one after another per sheet and keeps the first
// error, so that the layout code above reads top to bottom.
type workbook struct {
	f      *excelize.File
	next   map[string]int
	header int
	err    error
}

func (x *workbook) sheet(name string, first bool) {
	if x.next == nil {
		x.next = map[string]int{}
	}
	x.next[name] = 1
	if first {
		x.keep(x.f.SetSheetName("Sheet1", name))
		return
	}
	_, err := x.f.NewSheet(name)
	x.keep(err)
}

func (x *workbook) keep(err error) {
	if x.err == nil && err != nil {
		x.err = err
	}
}

// row writes values in the sheet's next row from column 1 and returns the
// row number; style, if not 0, applies to the whole row.
func (x *workbook) row(sheet string, style int, values ...any) int {
	r := x.next[sheet]
	x.next[sheet]++
	cell, _ := excelize.CoordinatesToCellName(1, r)
	x.keep(x.f.SetSheetRow(sheet, cell, &values))
	if style != 0 {
		x.style(sheet, r, 1, len(values), style)
	}
	return r
}

func (x *workbook) headerRow(sheet string, titles ...string) {
	values := make([]any, len(titles))
	for i, t := range titles {
		values[i] = t
	}
	x.row(sheet, x.header, values...)
}

func (x *workbook) skip(sheet string) { x.next[sheet]++ }

func (x *workbook) style(sheet string, row, fromCol, toCol, style int) {
	if style == 0 {
		return
	}
	from, _ := excelize.CoordinatesToCellName(fromCol, row)
	to, _ := excelize.CoordinatesToCellName(toCol, row)
	x.keep(x.f.SetCellStyle(sheet, from, to, style))
}

func (x *workbook) widths(sheet string, widths ...float64) {
	for i, w := range widths {
		col, _ := excelize.ColumnNumberToName(i + 1)
		x.keep(x.f.SetColWidth(sheet, col, col, w))
	}
}

func ptr[T any](v T) *T { return &v }
