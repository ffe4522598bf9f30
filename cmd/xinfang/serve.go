package main

import (
	"context"
	"flag"
	"io"
	"time"

	"github.com/xinfang/xinfang/internal/app"
	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/server"
	"github.com/xinfang/xinfang/internal/store"
)

func serve(ctx context.Context, args []string, _, stderr io.Writer) error {
	var cfg config.Config
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Register(fs)
	grace := fs.Duration("shutdown-grace", 20*time.Second, "how long to wait for requests in flight on shutdown")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := newLogger(stderr, cfg.LogFormat, cfg.LogLevel)
	backend := "embedded SQLite in " + cfg.DataDir
	if cfg.DatabaseURL != "" {
		backend = store.Redact(cfg.DatabaseURL)
	}
	log.Info("starting xinfang", "version", version, "database", backend)
	a, err := app.New(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	if cfg.Relay {
		// Its metrics join the server's registry once /metrics exists.
		stopRelay, err := startRelay(ctx, cfg, a.DB, log, nil)
		if err != nil {
			return err
		}
		defer stopRelay()
	}
	return server.Run(ctx, cfg.Addr, a.Handler, *grace, log)
}
