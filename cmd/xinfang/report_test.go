package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/xinfang/xinfang/analytics"
	"github.com/xinfang/xinfang/ent/caseevent"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/internal/app"
	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/demo"
	"github.com/xinfang/xinfang/internal/evaluation"
	"github.com/xinfang/xinfang/internal/store"
)

// demoFigures are counts taken from the transactional database, to check
// the warehouse's figures against.
type demoFigures struct {
	received, previous, responded int
}

// loadDemo fills the embedded database in data with the demo
// organisation's cases (received over the year to 2026-05-20) and relays
// their events into the embedded warehouse beside it, as serve would. It
// counts the cases of 2026H1 and of the previous period, 2025-07-04 to
// 2025-12-31, in the database itself.
func loadDemo(t *testing.T, data string) demoFigures {
	t.Helper()
	ctx := context.Background()
	var cfg config.Config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	cfg.Register(fs)
	require.NoError(t, fs.Parse([]string{"-data-dir", data, "-database-url", "", "-clickhouse-addr", ""}))
	db, err := store.Open(cfg.DatabaseURL, cfg.DataDir)
	require.NoError(t, err)
	defer db.Close()
	log := slog.New(slog.DiscardHandler)
	_, err = db.Migrate(ctx, log)
	require.NoError(t, err)
	pinKey, err := cfg.Secret(cfg.PINSecret, "pin.key")
	require.NoError(t, err)
	loc, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	_, err = demo.Load(ctx, db.Client, pinKey, demo.Options{Cases: 200, Now: time.Date(2026, 5, 20, 15, 30, 0, 0, loc), Seed: 7, Location: loc})
	require.NoError(t, err)

	wh, err := app.OpenWarehouse(ctx, cfg)
	require.NoError(t, err)
	defer wh.Close()
	rc, err := app.RelayConfig(cfg, db, wh, log, nil)
	require.NoError(t, err)
	relay, err := analytics.NewRelay(rc)
	require.NoError(t, err)
	n, err := relay.Drain(ctx)
	require.NoError(t, err)
	require.Positive(t, n)

	h1 := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
	in := func(from, to time.Time) int {
		return db.Client.CaseFile.Query().Where(casefile.ReceivedAtGTE(from), casefile.ReceivedAtLT(to)).CountX(ctx)
	}
	f := demoFigures{
		received: in(h1, h1.AddDate(0, 6, 0)),
		previous: in(time.Date(2025, 7, 4, 0, 0, 0, 0, loc), h1),
		responded: db.Client.CaseFile.Query().Where(casefile.ReceivedAtGTE(h1),
			casefile.HasEventsWith(caseevent.TypeEQ(caseevent.TypeRESPONDED))).CountX(ctx),
	}
	require.Positive(t, f.received)
	require.Positive(t, f.previous)
	require.Positive(t, f.responded)
	return f
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
	// Through the dispatcher (which opens the configured warehouse, the
	// embedded one): a failure, and the usage without a period.
	code = run([]string{"report", "evaluation", "-data-dir", dir, "-period", "2026H1", "-department", "NOPE",
		"-out", filepath.Join(dir, "h1.md")}, &out, &errOut)
	require.Equal(t, 1, code)
	require.Contains(t, errOut.String(), "xinfang report: No department has the code NOPE")
	require.Equal(t, 2, run([]string{"report", "evaluation", "-data-dir", dir}, io.Discard, io.Discard))
	require.Equal(t, 2, run([]string{"report"}, io.Discard, io.Discard))
}

func TestReportWritesTheDocumentAndCharts(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	want := loadDemo(t, data)
	cmd := reportCmd(configuredWarehouse)
	ctx := context.Background()
	var out bytes.Buffer
	md := filepath.Join(dir, "h1.md")
	require.NoError(t, cmd(ctx, []string{"evaluation", "--period", "2026H1", "--data-dir", data, "--out", md}, &out, io.Discard))
	doc, err := os.ReadFile(md)
	require.NoError(t, err)
	require.Contains(t, string(doc), "# 信访处理效果评估报告 2026H1 / Evaluation Report 2026H1")
	require.Contains(t, string(doc), fmt.Sprintf("| 收到信访 Received | %d | %d | %+d |", want.received, want.previous, want.received-want.previous))
	require.Contains(t, string(doc), fmt.Sprintf("| 已答复 Responded | %d |", want.responded))
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
