package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/xinfang/xinfang/analytics"
	"github.com/xinfang/xinfang/internal/app"
	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/evaluation"
	"github.com/xinfang/xinfang/internal/store"
	"github.com/xinfang/xinfang/policy"
)

// warehouseOpener opens the analytics warehouse a command reads figures
// from; nil with no error means the installation has none.
type warehouseOpener func(ctx context.Context, cfg config.Config, db *store.DB) (analytics.Warehouse, error)

// configuredWarehouse opens the warehouse the configuration names.
func configuredWarehouse(ctx context.Context, cfg config.Config, _ *store.DB) (analytics.Warehouse, error) {
	return app.OpenWarehouse(ctx, cfg)
}

// operator is who the report command acts as. Whoever can run the binary
// against the database can read it anyway, so the command does not ask for
// a staff account; the policy sees an administrator.
var operator = policy.Subject{Kind: policy.StaffMember, Role: policy.RoleAdmin}

const reportUsage = "Usage: xinfang report evaluation --period 2026H1 [--format md|csv|xlsx] [--out FILE] [--department CODE]"

// reportCmd returns the report subcommand, reading figures from the
// warehouse that open returns.
func reportCmd(open warehouseOpener) func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) error {
		if len(args) == 0 || args[0] != "evaluation" {
			fmt.Fprintln(stderr, reportUsage)
			return errUsage
		}
		var cfg config.Config
		fs := flag.NewFlagSet("report evaluation", flag.ContinueOnError)
		fs.SetOutput(stderr)
		cfg.Register(fs)
		period := fs.String("period", "", "period: 2026H1, 2026H2, 2026Q3, 2026 or 2026-01-01..2026-03-31 (required)")
		format := fs.String("format", "md", "document format: md, csv or xlsx")
		out := fs.String("out", "", "document file; default: its own name (e.g. evaluation-2026H1.md) in the current directory; - for standard output. A Markdown document's charts are written beside it")
		department := fs.String("department", "", "department CODE to narrow the figures to; the KPI table covers the whole organisation")
		if err := fs.Parse(args[1:]); err != nil {
			return err
		}
		if *period == "" {
			fmt.Fprintln(stderr, reportUsage)
			return errUsage
		}
		f, err := evaluation.ParseFormat(*format)
		if err != nil {
			return err
		}
		if err := cfg.Validate(); err != nil {
			return err
		}
		loc, err := time.LoadLocation(cfg.TimeZone)
		if err != nil {
			return err
		}
		log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
		db, err := store.Open(cfg.DatabaseURL, cfg.DataDir)
		if err != nil {
			return err
		}
		defer db.Close()
		if cfg.AutoMigrate {
			if _, err := db.Migrate(ctx, log); err != nil {
				return err
			}
		}
		wh, err := open(ctx, cfg, db)
		if err != nil {
			return fmt.Errorf("open the analytics warehouse: %w", err)
		}
		if wh != nil {
			defer wh.Close()
		}
		engine, err := policy.New(ctx, policy.Options{Dir: cfg.PolicyDir})
		if err != nil {
			return fmt.Errorf("policy: %w", err)
		}
		svc := evaluation.New(db.Client, wh, engine, nil, loc)
		report, err := svc.Report(policy.WithSubject(ctx, operator), evaluation.ReportRequest{
			Period: *period, Format: f, DepartmentCode: *department,
		})
		if err != nil {
			return err
		}
		return writeReport(report, *out, stdout, stderr)
	}
}

// writeReport writes the document to out (a file, "" for its own name, or
// "-" for stdout) and, for Markdown, the charts it links beside it.
func writeReport(r *evaluation.Report, out string, stdout, stderr io.Writer) error {
	if out == "-" {
		_, err := stdout.Write(r.Document.Data)
		if err == nil && r.Format == evaluation.Markdown {
			fmt.Fprintln(stderr, "charts not written: give --out FILE to write them beside the document")
		}
		return err
	}
	if out == "" {
		out = r.Document.Name
	}
	type file struct {
		path string
		data []byte
	}
	files := []file{{out, r.Document.Data}}
	if r.Format == evaluation.Markdown {
		for _, c := range r.Charts {
			files = append(files, file{filepath.Join(filepath.Dir(out), c.Name), c.Data})
		}
	}
	var errs []error
	for _, f := range files {
		if err := os.WriteFile(f.path, f.data, 0o644); err != nil {
			errs = append(errs, fmt.Errorf("write %s: %w", f.path, err))
			continue
		}
		fmt.Fprintln(stdout, "wrote", f.path)
	}
	return errors.Join(errs...)
}
