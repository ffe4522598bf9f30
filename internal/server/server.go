package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/internal/i18n"
	"github.com/xinfang/xinfang/internal/server/graphiql"
)

// RoutesConfig is what Routes needs.
type RoutesConfig struct {
	// GraphQL serves /graphql.
	GraphQL http.Handler
	// Ready reports whether the server can serve (the database answers).
	Ready func(context.Context) error
	// MaxBodyBytes bounds request bodies.
	MaxBodyBytes int64
	// CORSOrigins are the origins (e.g. https://spa.example.org, or "*")
	// whose pages may call /graphql; empty allows same-origin use only.
	CORSOrigins []string
	// Metrics serves /metrics (Prometheus); nil leaves the route out.
	Metrics http.Handler
	Logger  *slog.Logger
}

// Routes returns the server's handler:
//
//	/graphql            GraphQL over HTTP (POST, GET) and websocket
//	/                   GraphiQL, served from the binary
//	/graphiql/assets/   GraphiQL's scripts and styles
//	/healthz            200 while the process runs
//	/readyz             200 when the database answers, else 503
//	/metrics            Prometheus metrics
func Routes(cfg RoutesConfig) http.Handler {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	mux := http.NewServeMux()
	mux.Handle("/graphql", cors(cfg.CORSOrigins, limitBody(cfg.MaxBodyBytes, cfg.GraphQL)))
	ide := graphiql.Handler("/graphql")
	mux.Handle("/{$}", ide)
	mux.Handle(graphiql.AssetsPath, ide)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := cfg.Ready(ctx); err != nil {
			log.WarnContext(ctx, "not ready", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "reason": "database"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	})
	if cfg.Metrics != nil {
		mux.Handle("GET /metrics", cfg.Metrics)
	}
	return accessLog(log, mux)
}

// limitBody refuses bodies larger than max with 413 and a GraphQL-shaped
// LIMIT_EXCEEDED error; bodies of unknown length are cut at max.
func limitBody(max int64, next http.Handler) http.Handler {
	if max <= 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			e := apperr.New(apperr.LimitExceeded, "limit.body")
			writeJSON(w, http.StatusRequestEntityTooLarge, map[string]any{
				"errors": []map[string]any{{
					"message":    e.Message(i18n.Negotiate(r.Header.Get("Accept-Language"))),
					"extensions": map[string]any{"code": string(e.Code)},
				}},
			})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, max)
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer
// (websocket upgrades need its Hijacker).
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// accessLog logs each request at debug level (errors at warn) with a
// request ID, which is also returned in X-Request-Id.
func accessLog(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if id == "" || len(id) > 64 {
			var b [8]byte
			_, _ = rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		level := slog.LevelDebug
		if rec.status >= 500 {
			level = slog.LevelWarn
		}
		log.Log(r.Context(), level, "http request", "method", r.Method, "path", r.URL.Path,
			"status", rec.status, "bytes", rec.bytes, "duration", time.Since(start), "request_id", id)
	})
}

// Run serves handler on addr until ctx is cancelled, then stops accepting
// connections and waits up to grace for requests in flight.
func Run(ctx context.Context, addr string, handler http.Handler, grace time.Duration, log *slog.Logger) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", addr, err)
	}
	return Serve(ctx, ln, handler, grace, log)
}

// Serve is Run on an existing listener.
func Serve(ctx context.Context, ln net.Listener, handler http.Handler, grace time.Duration, log *slog.Logger) error {
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", grace)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
