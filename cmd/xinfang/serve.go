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
	// The policy watcher and the relay stop with ctx; the database closes
	// only after they have.
	ctx, stop := context.WithCancel(ctx)
	background := make(chan struct{})
	go func() {
		defer close(background)
		if err := a.Run(ctx); err != nil {
			log.Error("background work stopped", "err", err)
		}
	}()
	err = server.Run(ctx, cfg.Addr, a.Handler, *grace, log)
	stop()
	<-background
	return err
}
