// Package config reads xinfang's settings from flags and the environment.
// Every setting has an environment variable (XINFANG_...) and a flag; a
// flag given on the command line wins.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is the server's configuration.
type Config struct {
	// Addr is the listen address.
	Addr string
	// DataDir holds the embedded database and generated secrets.
	DataDir string
	// DatabaseURL selects PostgreSQL (postgres://...); empty means the
	// embedded SQLite database in DataDir.
	DatabaseURL string
	// AutoMigrate applies migrations on start.
	AutoMigrate bool
	// JWTSecret signs staff tokens; empty means a random key kept in
	// DataDir/jwt.key.
	JWTSecret string
	// PINSecret keys the stored PIN hashes; empty means a random key kept
	// in DataDir/pin.key.
	PINSecret string
	// TokenTTL is how long a staff session lasts.
	TokenTTL time.Duration
	// Introspection enables GraphQL schema introspection.
	Introspection bool
	// MaxBodyBytes bounds a request body.
	MaxBodyBytes int64
	// ComplexityLimit and DepthLimit bound GraphQL operations.
	ComplexityLimit int
	DepthLimit      int
	// TrustProxy takes the client address from X-Forwarded-For.
	TrustProxy bool
	// WebsocketOrigins lists other origins allowed to open websockets.
	WebsocketOrigins []string
	// CORSOrigins lists the origins whose pages may call the API.
	CORSOrigins []string
	// TimeZone is the organisation's time zone (tracking-code years).
	TimeZone string
	// LogFormat is "text" or "json"; LogLevel is debug, info, warn or error.
	LogFormat string
	LogLevel  string
	// PolicyDir overlays the embedded policy bundle (Rego and data) with
	// the files of a directory, watched for changes; empty: embedded only.
	PolicyDir string
	// PolicyPollInterval is how often PolicyDir is checked for changes.
	PolicyPollInterval time.Duration
	// ClickHouseAddr (host:port, native protocol) selects ClickHouse as the
	// analytics warehouse; empty means the embedded warehouse.
	ClickHouseAddr     string
	ClickHouseDatabase string
	ClickHouseUser     string
	ClickHousePassword string
	// AnalyticsTimeZone is the zone evaluations bucket days, weeks and
	// months in.
	AnalyticsTimeZone string
	// Relay runs the analytics relay inside serve; turn it off when
	// `xinfang relay` runs on its own.
	Relay bool
	// Watcher runs the deadline watcher inside serve. On PostgreSQL the
	// replicas elect one leader, so it can stay on everywhere.
	Watcher bool
	// WatchInterval is the time between two ticks of the watcher (15 s
	// when zero).
	WatchInterval time.Duration
	// AlertPollInterval is how often a deadline alert subscription looks
	// for alerts another replica recorded (5 s when zero).
	AlertPollInterval time.Duration
	// MetricsReconcileInterval is how often serve resets the case gauges
	// to the database's counts; 0 means DefaultMetricsReconcileInterval.
	MetricsReconcileInterval time.Duration
}

// DefaultMetricsReconcileInterval is how often the case gauges are
// reconciled by default.
const DefaultMetricsReconcileInterval = 5 * time.Minute

// minMetricsReconcileInterval keeps reconciling, which reads every
// unclosed case, from becoming a load on the database.
const minMetricsReconcileInterval = 10 * time.Second

// Register defines the flags of c on fs, with defaults from the
// environment.
func (c *Config) Register(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", env("XINFANG_ADDR", ":8080"), "listen address (XINFANG_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", env("XINFANG_DATA_DIR", "./data"), "directory for the embedded database and generated keys (XINFANG_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("XINFANG_DATABASE_URL", ""), "postgres://... URL; empty for the embedded SQLite database (XINFANG_DATABASE_URL)")
	fs.BoolVar(&c.AutoMigrate, "auto-migrate", envBool("XINFANG_AUTO_MIGRATE", true), "apply database migrations on start (XINFANG_AUTO_MIGRATE)")
	fs.StringVar(&c.JWTSecret, "jwt-secret", env("XINFANG_JWT_SECRET", ""), "key that signs staff tokens, at least 32 bytes; empty: generated into the data directory (XINFANG_JWT_SECRET)")
	fs.StringVar(&c.PINSecret, "pin-secret", env("XINFANG_PIN_SECRET", ""), "key of the stored PIN hashes, at least 16 bytes; empty: generated into the data directory (XINFANG_PIN_SECRET)")
	fs.DurationVar(&c.TokenTTL, "token-ttl", envDuration("XINFANG_TOKEN_TTL", 12*time.Hour), "how long a staff session lasts (XINFANG_TOKEN_TTL)")
	fs.BoolVar(&c.Introspection, "introspection", envBool("XINFANG_INTROSPECTION", true), "allow GraphQL introspection (XINFANG_INTROSPECTION)")
	fs.Int64Var(&c.MaxBodyBytes, "max-body-bytes", int64(envInt("XINFANG_MAX_BODY_BYTES", 1<<20)), "largest request body accepted (XINFANG_MAX_BODY_BYTES)")
	fs.IntVar(&c.ComplexityLimit, "complexity-limit", envInt("XINFANG_COMPLEXITY_LIMIT", 20000), "largest GraphQL operation cost (XINFANG_COMPLEXITY_LIMIT)")
	fs.IntVar(&c.DepthLimit, "depth-limit", envInt("XINFANG_DEPTH_LIMIT", 12), "deepest GraphQL selection nesting (XINFANG_DEPTH_LIMIT)")
	fs.BoolVar(&c.TrustProxy, "trust-proxy", envBool("XINFANG_TRUST_PROXY", false), "take the client address from X-Forwarded-For (XINFANG_TRUST_PROXY)")
	origins := env("XINFANG_WEBSOCKET_ORIGINS", "")
	fs.Func("websocket-origins", "comma-separated host patterns of other origins allowed to open websockets (XINFANG_WEBSOCKET_ORIGINS)", func(s string) error {
		origins = s
		c.WebsocketOrigins = splitList(s)
		return nil
	})
	c.WebsocketOrigins = splitList(origins)
	cors := env("XINFANG_CORS_ORIGINS", "")
	fs.Func("cors-origins", "comma-separated origins whose pages may call the API, e.g. https://spa.example.org (XINFANG_CORS_ORIGINS)", func(s string) error {
		c.CORSOrigins = splitList(s)
		return nil
	})
	c.CORSOrigins = splitList(cors)
	fs.StringVar(&c.TimeZone, "time-zone", env("XINFANG_TIME_ZONE", "Asia/Shanghai"), "the organisation's time zone (XINFANG_TIME_ZONE)")
	fs.StringVar(&c.LogFormat, "log-format", env("XINFANG_LOG_FORMAT", "text"), "log format: text or json (XINFANG_LOG_FORMAT)")
	fs.StringVar(&c.LogLevel, "log-level", env("XINFANG_LOG_LEVEL", "info"), "log level: debug, info, warn, error (XINFANG_LOG_LEVEL)")
	fs.StringVar(&c.PolicyDir, "policy-dir", env("XINFANG_POLICY_DIR", ""), "directory whose Rego and data files overlay the embedded policy, reloaded on change (XINFANG_POLICY_DIR)")
	fs.DurationVar(&c.PolicyPollInterval, "policy-poll-interval", envDuration("XINFANG_POLICY_POLL_INTERVAL", 2*time.Second), "how often the policy directory is checked for changes (XINFANG_POLICY_POLL_INTERVAL)")
	fs.StringVar(&c.ClickHouseAddr, "clickhouse-addr", env("XINFANG_CLICKHOUSE_ADDR", ""), "ClickHouse host:port (native protocol) for analytics; empty: the embedded warehouse (XINFANG_CLICKHOUSE_ADDR)")
	fs.StringVar(&c.ClickHouseDatabase, "clickhouse-database", env("XINFANG_CLICKHOUSE_DATABASE", "xinfang"), "ClickHouse database of the analytics tables (XINFANG_CLICKHOUSE_DATABASE)")
	fs.StringVar(&c.ClickHouseUser, "clickhouse-user", env("XINFANG_CLICKHOUSE_USER", ""), "ClickHouse user; empty: default (XINFANG_CLICKHOUSE_USER)")
	fs.StringVar(&c.ClickHousePassword, "clickhouse-password", env("XINFANG_CLICKHOUSE_PASSWORD", ""), "ClickHouse password (XINFANG_CLICKHOUSE_PASSWORD)")
	fs.StringVar(&c.AnalyticsTimeZone, "analytics-time-zone", env("XINFANG_ANALYTICS_TIMEZONE", "Asia/Shanghai"), "time zone analytics buckets days, weeks and months in (XINFANG_ANALYTICS_TIMEZONE)")
	fs.DurationVar(&c.MetricsReconcileInterval, "metrics-reconcile-interval", envDuration("XINFANG_METRICS_RECONCILE_INTERVAL", DefaultMetricsReconcileInterval), "how often the case gauges of /metrics are reset to the database's counts, at least 10s (XINFANG_METRICS_RECONCILE_INTERVAL)")
	fs.BoolVar(&c.Relay, "relay", envBool("XINFANG_RELAY", true), "run the analytics relay inside serve; turn off when `xinfang relay` runs separately (XINFANG_RELAY)")
	fs.BoolVar(&c.Watcher, "sla-watcher", envBool("XINFANG_SLA_WATCHER", true), "run the deadline watcher inside serve; replicas elect one leader on PostgreSQL (XINFANG_SLA_WATCHER)")
	fs.DurationVar(&c.WatchInterval, "sla-watch-interval", envDuration("XINFANG_SLA_WATCH_INTERVAL", 15*time.Second), "time between two deadline watcher ticks (XINFANG_SLA_WATCH_INTERVAL)")
	fs.DurationVar(&c.AlertPollInterval, "sla-alert-poll-interval", envDuration("XINFANG_SLA_ALERT_POLL_INTERVAL", 5*time.Second), "how often alert subscriptions look for alerts recorded by other replicas (XINFANG_SLA_ALERT_POLL_INTERVAL)")
}

// Validate checks c.
func (c *Config) Validate() error {
	if c.JWTSecret != "" && len(c.JWTSecret) < 32 {
		return errors.New("the JWT secret must be at least 32 bytes")
	}
	if c.PINSecret != "" && len(c.PINSecret) < 16 {
		return errors.New("the PIN secret must be at least 16 bytes")
	}
	if _, err := time.LoadLocation(c.TimeZone); err != nil {
		return fmt.Errorf("time zone %q: %w", c.TimeZone, err)
	}
	if _, err := time.LoadLocation(c.AnalyticsTimeZone); err != nil {
		return fmt.Errorf("analytics time zone %q: %w", c.AnalyticsTimeZone, err)
	}
	if c.WatchInterval < 0 || c.AlertPollInterval < 0 {
		return errors.New("the deadline watcher's intervals must not be negative")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("log format %q: use text or json", c.LogFormat)
	}
	if c.MetricsReconcileInterval != 0 && c.MetricsReconcileInterval < minMetricsReconcileInterval {
		return fmt.Errorf("metrics reconcile interval %s: use at least %s", c.MetricsReconcileInterval, minMetricsReconcileInterval)
	}
	return nil
}

// Secret returns value, or the key kept in DataDir/name, creating a random
// one on first use. Generated keys keep tokens and PINs valid across
// restarts of a single-machine installation.
func (c *Config) Secret(value, name string) ([]byte, error) {
	if value != "" {
		return []byte(value), nil
	}
	path := filepath.Join(c.DataDir, name)
	if b, err := os.ReadFile(path); err == nil {
		key, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(key) < 32 {
			return nil, fmt.Errorf("key file %s is damaged: delete it to generate a new one", path)
		}
		return key, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read key file %s: %w", path, err)
	}
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(key)+"\n"), 0o600); err != nil {
		return nil, fmt.Errorf("write key file %s: %w", path, err)
	}
	return key, nil
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

func envBool(name string, def bool) bool {
	if v, err := strconv.ParseBool(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
