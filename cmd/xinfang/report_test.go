package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/xinfang/xinfang/analytics"
	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/evaluation"
	"github.com/xinfang/xinfang/internal/store"
)

// fixedFiguresWarehouse is a test-only warehouse answering every query
// with the same small figures, until the embedded warehouse is merged.
type fixedFiguresWarehouse struct{}

func (fixedFiguresWarehouse) Ingest(context.Context, []analytics.Event) error {
	return errors.New("fixedFiguresWarehouse does not ingest")
}

func (fixedFiguresWarehouse) Evaluate(_ context.Context, q analytics.Query) (*analytics.Evaluation, error) {
	return &analytics.Evaluation{
		Current: analytics.Figures{From: q.From, To: q.To, Received: 7, ByChannel: map[string]int64{"HOTLINE": 7},
			Trend: []analytics.TrendPoint{{Start: q.From, Received: 7, Responded: 5, WithinLimitShare: 0.8}}},
		Previous: analytics.Figures{From: q.From.Add(-q.To.Sub(q.From)), To: q.From, Received: 4},
	}, nil
}

func (fixedFiguresWarehouse) Close() error { return nil }

func openFixed(context.Context, config.Config, *store.DB) (analytics.Warehouse, error) {
	return fixedFiguresWarehouse{}, nil
}

// noWarehouse stands for an installation without a warehouse.
func noWarehouse(context.Context, config.Config, *store.DB) (analytics.Warehouse, error) {
	return nil, nil
}

func TestReportWithoutWarehouse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	err := reportCmd(noWarehouse)(context.Background(), []string{"evaluation", "--period", "2026H1", "--data-dir", dir}, &out, &errOut)
	require.Equal(t, apperr.Unavailable, apperr.CodeOf(err))
	require.Contains(t, strings.ToLower(err.Error()), "analytics warehouse not configured")
	require.Empty(t, out.String(), "nothing written")

	// Through the dispatcher the configured (embedded) warehouse answers;
	// and the usage without a period.
	md := filepath.Join(dir, "report.md")
	code := run([]string{"report", "evaluation", "-data-dir", dir, "-period", "2026H1", "-out", md}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	require.FileExists(t, md)
	require.Equal(t, 2, run([]string{"report", "evaluation", "-data-dir", dir}, io.Discard, io.Discard))
	require.Equal(t, 2, run([]string{"report"}, io.Discard, io.Discard))
}

func TestReportWritesTheDocumentAndCharts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cmd := reportCmd(openFixed)
	ctx := context.Background()
	var out bytes.Buffer
	md := filepath.Join(dir, "h1.md")
	require.NoError(t, cmd(ctx, []string{"evaluation", "--period", "2026H1", "--data-dir", data, "--out", md}, &out, io.Discard))
	doc, err := os.ReadFile(md)
	require.NoError(t, err)
	require.Contains(t, string(doc), "# 信访处理效果评估报告 2026H1 / Evaluation Report 2026H1")
	require.Contains(t, string(doc), "| 收到信访 Received | 7 | 4 | +3 | +75.0% |")
	for _, chart := range []string{"evaluation-2026H1-trend.png", "evaluation-2026H1-within-limit.png"} {
		require.Contains(t, string(doc), "("+chart+")")
		png, err := os.ReadFile(filepath.Join(dir, chart))
		require.NoError(t, err, "the charts lie beside the Markdown document")
		require.True(t, bytes.HasPrefix(png, []byte("\x89PNG")))
	}
	require.Equal(t, "wrote "+md+"\nwrote "+filepath.Join(dir, "evaluation-2026H1-trend.png")+"\nwrote "+
		filepath.Join(dir, "evaluation-2026H1-within-limit.png")+"\n", out.String())

	xlsx := filepath.Join(dir, "h1.xlsx")
	require.NoError(t, cmd(ctx, []string{"evaluation", "--period", "2026H1", "--format", "xlsx", "--data-dir", data, "--out", xlsx}, io.Discard, io.Discard))
	f, err := excelize.OpenFile(xlsx)
	require.NoError(t, err)
	defer f.Close()
	require.Contains(t, f.GetSheetList(), evaluation.SheetKPI)

	out.Reset()
	require.NoError(t, cmd(ctx, []string{"evaluation", "--period", "2026Q1", "--format", "CSV", "--data-dir", data, "--out", "-"}, &out, io.Discard))
	require.True(t, strings.HasPrefix(out.String(), "\uFEFFsection,key,"))

	err = cmd(ctx, []string{"evaluation", "--period", "2026H1", "--data-dir", data, "--department", "NOPE", "--out", md}, io.Discard, io.Discard)
	require.ErrorContains(t, err, "No department has the code NOPE")
	err = cmd(ctx, []string{"evaluation", "--period", "2026H1", "--data-dir", data, "--format", "pdf"}, io.Discard, io.Discard)
	require.Equal(t, apperr.Validation, apperr.CodeOf(err))
}
