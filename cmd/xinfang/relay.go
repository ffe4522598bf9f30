package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/xinfang/xinfang/analytics"
	"github.com/xinfang/xinfang/internal/app"
	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/store"
)

// relayCmd runs only the analytics relay, for deployments that keep it out
// of the server (then start serve with XINFANG_RELAY=false). Any number of
// relays may run against one PostgreSQL database.
func relayCmd(ctx context.Context, args []string, _, stderr io.Writer) error {
	var cfg config.Config
	fs := flag.NewFlagSet("relay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.Register(fs)
	batch := fs.Int("batch-size", analytics.DefaultBatchSize, "most events per warehouse insert")
	poll := fs.Duration("poll-interval", analytics.DefaultPollInterval, "wait on an empty outbox")
	metricsAddr := fs.String("metrics-addr", "", "serve Prometheus metrics at http://ADDR/metrics, e.g. :9464; empty: off")
	if err := fs.Parse(args); err != nil {
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

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	rc, err := app.RelayConfig(cfg, db, wh, log, reg)
	if err != nil {
		return err
	}
	rc.BatchSize, rc.PollInterval = *batch, *poll
	r, err := analytics.NewRelay(rc)
	if err != nil {
		return err
	}
	if *metricsAddr != "" {
		stop, err := serveMetrics(ctx, *metricsAddr, reg, log)
		if err != nil {
			return err
		}
		defer stop()
	}
	return r.Run(ctx)
}

// serveMetrics serves reg at http://addr/metrics until stop is called.
func serveMetrics(ctx context.Context, addr string, reg *prometheus.Registry, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("metrics listener: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.ErrorContext(ctx, "metrics server stopped", "err", err)
		}
	}()
	log.InfoContext(ctx, "serving metrics", "addr", ln.Addr().String())
	return func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}, nil
}
