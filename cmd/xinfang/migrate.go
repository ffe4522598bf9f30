package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/store"
)

func migrateCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg config.Config
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Register(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: xinfang migrate [flags] [up|status]\n\n  up      apply pending migrations (the default)\n  status  list migrations and when each was applied\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	action := "up"
	if fs.NArg() > 0 {
		action = fs.Arg(0)
	}
	log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	db, err := store.Open(cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	switch action {
	case "up":
		applied, err := db.Migrate(ctx, log)
		if err != nil {
			return err
		}
		if db.Dialect != "postgres" {
			fmt.Fprintln(stdout, "embedded database schema is up to date")
			return nil
		}
		fmt.Fprintf(stdout, "applied %d migration(s)\n", len(applied))
		return nil
	case "status":
		migrations, applied, err := db.Status(ctx)
		if err != nil {
			return err
		}
		if migrations == nil {
			fmt.Fprintln(stdout, "the embedded database follows the schema automatically; no versioned migrations")
			return nil
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "VERSION\tDESCRIPTION\tAPPLIED")
		for _, m := range migrations {
			when := "pending"
			if at, ok := applied[m.Version]; ok {
				when = at.Format("2006-01-02 15:04:05 MST")
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", m.Version, m.Description, when)
		}
		return tw.Flush()
	}
	fs.Usage()
	return errUsage
}
