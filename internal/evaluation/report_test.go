package evaluation_test

import (
	"bytes"
	"encoding/csv"
	"image"
	"image/color"
	"image/png"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/xinfang/xinfang/internal/evaluation"
)

// reportData is the half-year with its scorecard and two actions.
func reportData(t *testing.T) evaluation.ReportData {
	t.Helper()
	loc := shanghai(t)
	ev := halfYear(t)
	sc := evaluation.BuildScorecard(evaluation.ScorecardFacts{
		AsOf: time.Date(2026, 7, 10, 9, 0, 0, 0, loc), Evaluation: ev,
		OversightMembers: 3, ActionsByHalfYear: map[string]int{"2026H1": 2},
	})
	return evaluation.ReportData{
		Evaluation: ev, Scorecard: &sc, GeneratedAt: time.Date(2026, 7, 10, 9, 0, 0, 0, loc),
		Actions: []evaluation.ActionLine{
			{ID: 30064771073, Title: "热线高峰增加值班 | Extra hotline shifts", Department: "客户服务部", DueDate: "2026-09-30",
				Status: "IN_PROGRESS", KPIKey: evaluation.KPIResponseWithinLimit, PeriodLabel: "2026H1"},
			{ID: 30064771074, Title: "满意度回访", Department: "评估部", DueDate: "2026-12-31", Status: "OPEN", PeriodLabel: "2026H1"},
		},
	}
}

func TestMarkdownReport(t *testing.T) {
	t.Parallel()
	r, err := evaluation.Render(evaluation.Markdown, reportData(t))
	require.NoError(t, err)
	require.Equal(t, "evaluation-2026H1.md", r.Document.Name)
	require.Equal(t, []string{"evaluation-2026H1-trend.png", "evaluation-2026H1-within-limit.png"},
		[]string{r.Charts[0].Name, r.Charts[1].Name})
	md := string(r.Document.Data)
	for _, want := range []string{
		"# 信访处理效果评估报告 2026H1 / Evaluation Report 2026H1\n",
		"- 评估期间 Period: 2026-01-01 至 2026-06-30（181天 days）",
		"- 对比期间 Previous period: 2025-07-04 至 2025-12-31",
		"- 范围 Scope: 全组织 / Whole organisation",
		"## 1. 主要指标 Key figures",
		// Absolute and relative change against the previous half-year.
		"| 收到信访 Received | 300 | 200 | +100 | +50.0% |",
		"| 首次答复时长中位数 Time to first response, median | 20.0 h | 30.0 h | −10.0 h | −33.3% |",
		"| 确认时长中位数 Time to acknowledge, median | 10 min | 15 min | −5 min | −33.3% |",
		"| 满意率（评分≥4） Satisfaction rate (ratings ≥ 4) | 90.0% | 80.0% | +10.0 pp | +12.5% |",
		"Efficiency gain (previous ÷ current median time to first response − 1): **+50.0%**",
		"| 邮件 Email | 30 | 0 |",
		"| 服务质量 Service quality | SERVICE | 120 |",
		"| #8589934999 #8589934999 | #8589934999 | 5 |", // a category the directory does not know
		"| 助学项目 Education aid | EDU | 80 |",
		"![收到与答复 Received and responded](evaluation-2026H1-trend.png)",
		"![按时答复率 Share within the time limit](evaluation-2026H1-within-limit.png)",
		"| 2026-03-01 | 50 | 45 | 92.0% | 88.0% | 20.0 h |",
		"## 5. 目标考核 Scorecard",
		"| 3 | 满意度（评分≥4的比例）<br>Satisfaction (share of ratings ≥ 4) | ≥ 85.0% | 90.0% | 达标 MET |",
		"| 2 | 在时限（≤48小时）内答复的比例<br>Share answered within the time limit (≤ 48 h) | ≥ 100.0% | 96.0% | 未达标 MISSED |",
		"| 2 | 首次答复时长中位数<br>Median time to first response | ≤ 48.0 h | 20.0 h | 达标 MET |",
		"| 4 | 信访处理培训次数<br>Training sessions held | ≥ 1 | — | 暂无数据 NO_DATA |",
		"Process completeness is not measured yet and is left out.",
		"## 6. 改进措施 Improvement actions",
		`| 热线高峰增加值班 \| Extra hotline shifts | 客户服务部 | 2026-09-30 | 进行中 IN_PROGRESS | RESPONSE_WITHIN_LIMIT | 2026H1 |`,
		"| 满意度回访 | 评估部 | 2026-12-31 | 未开始 OPEN | — | 2026H1 |",
	} {
		require.Contains(t, md, want)
	}
	require.NotContains(t, md, "NaN")
}

func TestMarkdownReportOfADepartmentWithoutActions(t *testing.T) {
	t.Parallel()
	d := reportData(t)
	d.Actions = nil
	d.Evaluation.Department = &evaluation.Name{ID: 12884901889, Code: "CS", Name: "客户服务部", NameEn: "Customer Service"}
	d.Evaluation.Filter.Channel = "HOTLINE"
	r, err := evaluation.Render(evaluation.Markdown, d)
	require.NoError(t, err)
	require.Equal(t, "evaluation-2026H1-CS.md", r.Document.Name)
	md := string(r.Document.Data)
	require.Contains(t, md, "- 范围 Scope: 客户服务部（渠道 热线） / Customer Service (channel HOTLINE)")
	require.Contains(t, md, "No improvement actions recorded for this period yet.")
	require.Contains(t, md, "(evaluation-2026H1-CS-trend.png)")
}

func TestCSVReport(t *testing.T) {
	t.Parallel()
	r, err := evaluation.Render(evaluation.CSV, reportData(t))
	require.NoError(t, err)
	require.Equal(t, "evaluation-2026H1.csv", r.Document.Name)
	body, ok := bytes.CutPrefix(r.Document.Data, []byte("\uFEFF"))
	require.True(t, ok, "a byte order mark lets spreadsheet programs read the Chinese")
	rows, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	require.NoError(t, err)
	require.Equal(t, []string{"section", "key", "label_zh", "label_en", "current", "previous", "change", "change_share", "target", "status", "note"}, rows[0])
	find := func(section, key string) []string {
		for _, row := range rows {
			if row[0] == section && row[1] == key {
				return row
			}
		}
		t.Fatalf("no row %s/%s", section, key)
		return nil
	}
	require.Equal(t, []string{"figure", "received", "收到信访", "Received", "300", "200", "100", "0.5", "", "", "COUNT"}, find("figure", "received"))
	require.Equal(t, []string{"20", "30", "-10"}, find("figure", "firstResponseMedianHours")[4:7])
	require.Equal(t, "0.5", find("figure", "efficiencyGain")[4])
	require.Equal(t, "30", find("channel", "EMAIL")[4])
	require.Equal(t, "0", find("channel", "EMAIL")[5])
	require.Equal(t, "服务质量", find("top_category", "SERVICE")[2])
	require.Equal(t, "50", find("trend_received", "2026-03-01")[4])
	require.Equal(t, "0.92", find("trend_within_limit_share", "2026-03-01")[4])
	require.Equal(t, []string{"0.9", "", "", "", "AT_LEAST 0.85", "MET"}, find("kpi", evaluation.KPISatisfaction)[4:10])
	require.Equal(t, "NO_DATA", find("kpi", evaluation.KPIConsultations)[9])
	require.Equal(t, "", find("kpi", evaluation.KPIConsultations)[4], "no value for NO_DATA")
	action := find("action", "30064771073")
	require.Equal(t, "热线高峰增加值班 | Extra hotline shifts", action[2])
	require.Equal(t, []string{"2026-09-30", "IN_PROGRESS", "2026H1 RESPONSE_WITHIN_LIMIT"}, action[8:])
}

func TestXLSXReport(t *testing.T) {
	t.Parallel()
	r, err := evaluation.Render(evaluation.XLSX, reportData(t))
	require.NoError(t, err)
	require.Equal(t, "evaluation-2026H1.xlsx", r.Document.Name)
	f, err := excelize.OpenReader(bytes.NewReader(r.Document.Data))
	require.NoError(t, err)
	defer f.Close()
	require.Equal(t, []string{evaluation.SheetFigures, evaluation.SheetKPI, evaluation.SheetTrend, evaluation.SheetActions}, f.GetSheetList())

	rows, err := f.GetRows(evaluation.SheetKPI)
	require.NoError(t, err)
	require.Len(t, rows, 1+len(evaluation.KPIKeys), "a header and a row per KPI")
	var satisfaction []string
	for _, row := range rows {
		if len(row) > 1 && row[1] == evaluation.KPISatisfaction {
			satisfaction = row
		}
	}
	require.NotNil(t, satisfaction)
	require.Equal(t, "满意度（评分≥4的比例）", satisfaction[2])
	require.Equal(t, "达标 MET", satisfaction[7])
	value, err := f.GetCellValue(evaluation.SheetKPI, "G"+strconv.Itoa(rowOf(rows, evaluation.KPISatisfaction)), excelize.Options{RawCellValue: true})
	require.NoError(t, err)
	require.Equal(t, "0.9", value, "numbers stay numbers")

	figures, err := f.GetRows(evaluation.SheetFigures)
	require.NoError(t, err)
	require.Contains(t, figures, []string{"收到信访", "Received", "300", "200", "100", "50.00%"})

	cells, err := f.GetPictureCells(evaluation.SheetTrend)
	require.NoError(t, err)
	require.Len(t, cells, 2, "both charts are embedded")
	for i, cell := range cells {
		pics, err := f.GetPictures(evaluation.SheetTrend, cell)
		require.NoError(t, err)
		require.Len(t, pics, 1)
		require.Equal(t, ".png", pics[0].Extension)
		require.Equal(t, r.Charts[i].Data, pics[0].File)
	}
	actions, err := f.GetRows(evaluation.SheetActions)
	require.NoError(t, err)
	require.Len(t, actions, 3)
	require.Equal(t, "满意度回访", actions[2][0])
}

func rowOf(rows [][]string, key string) int {
	for i, row := range rows {
		if len(row) > 1 && row[1] == key {
			return i + 1
		}
	}
	return 0
}

func countColor(img image.Image, c color.Color) int {
	r0, g0, b0, _ := c.RGBA()
	n := 0
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if r == r0 && g == g0 && b == b0 {
				n++
			}
		}
	}
	return n
}

// TestCharts: both charts are PNGs of the report's size, and their series
// are drawn (the received line in blue, the bars in orange); a period
// without data draws none.
func TestCharts(t *testing.T) {
	t.Parallel()
	blue, green, orange := color.RGBA{31, 119, 180, 255}, color.RGBA{44, 160, 44, 255}, color.RGBA{255, 127, 14, 255}
	decode := func(f evaluation.File) image.Image {
		require.Equal(t, "image/png", f.ContentType)
		img, err := png.Decode(bytes.NewReader(f.Data))
		require.NoError(t, err, f.Name)
		require.Equal(t, image.Rect(0, 0, 960, 420), img.Bounds(), f.Name)
		return img
	}
	r, err := evaluation.Render(evaluation.Markdown, reportData(t))
	require.NoError(t, err)
	trend, within := decode(r.Charts[0]), decode(r.Charts[1])
	require.Greater(t, countColor(trend, blue), 500, "received line")
	require.Greater(t, countColor(trend, green), 500, "responded line")
	require.Greater(t, countColor(within, orange), 20000, "six bars of about 90%")

	d := reportData(t)
	d.Evaluation.Current.Trend = nil
	r, err = evaluation.Render(evaluation.Markdown, d)
	require.NoError(t, err)
	empty := decode(r.Charts[0])
	require.Less(t, countColor(empty, blue), 200, "only the legend's key")
	require.Less(t, countColor(decode(r.Charts[1]), orange), 200, "no bars, only the legend's key")
}
