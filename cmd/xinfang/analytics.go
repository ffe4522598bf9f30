package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/xinfang/xinfang/analytics"
	"github.com/xinfang/xinfang/internal/app"
	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/store"
)

// truncater is a warehouse that can be emptied before a rebuild. The
// warehouses provide it; one that does not can only be added to (-keep).
type truncater interface {
	Truncate(ctx context.Context) error
}

func analyticsCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	usage := func() {
		fmt.Fprintln(stderr, "Usage: xinfang analytics rebuild [flags]\n\n  rebuild  empty the warehouse and load every case event into it again")
	}
	if len(args) == 0 || args[0] != "rebuild" {
		usage()
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return flag.ErrHelp
		}
		return errUsage
	}
	var cfg config.Config
	fs := flag.NewFlagSet("analytics rebuild", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Register(fs)
	batch := fs.Int("batch-size", analytics.DefaultBatchSize, "events per warehouse insert")
	keep := fs.Bool("keep", false, "do not empty the warehouse first: only add what is missing (events already there are not duplicated)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	db, err := store.Open(cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	wh, err := app.OpenWarehouse(ctx, cfg)
	if err != nil {
		return fmt.Errorf("open warehouse: %w", err)
	}
	defer wh.Close()
	if !*keep {
		t, ok := wh.(truncater)
		if !ok {
			return fmt.Errorf("this warehouse cannot be emptied; rebuild with -keep to add the missing events")
		}
		if err := t.Truncate(ctx); err != nil {
			return fmt.Errorf("empty the warehouse: %w", err)
		}
	}
	rc, err := app.RelayConfig(cfg, db, wh, log, nil)
	if err != nil {
		return err
	}
	rc.BatchSize = *batch
	started := time.Now()
	n, err := analytics.Rebuild(ctx, rc)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "loaded %d case events into the warehouse in %s\n", n, time.Since(started).Round(time.Millisecond))
	return nil
}
