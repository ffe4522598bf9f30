package config

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSecretIsGeneratedOnceAndKept(t *testing.T) {
	t.Parallel()
	c := Config{DataDir: t.TempDir()}
	first, err := c.Secret("", "jwt.key")
	if err != nil || len(first) != 32 {
		t.Fatalf("generate: %v (%d bytes)", err, len(first))
	}
	again, err := c.Secret("", "jwt.key")
	if err != nil || string(again) != string(first) {
		t.Fatal("the generated key must be reused")
	}
	info, err := os.Stat(filepath.Join(c.DataDir, "jwt.key"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", info.Mode(), err)
	}
	given, err := c.Secret("configured-secret", "jwt.key")
	if err != nil || string(given) != "configured-secret" {
		t.Fatal("a configured secret wins")
	}
	if err := os.WriteFile(filepath.Join(c.DataDir, "pin.key"), []byte("zz\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Secret("", "pin.key"); err == nil {
		t.Fatal("a damaged key file must be an error, not silently replaced")
	}
}

func TestFlagsAndValidation(t *testing.T) {
	t.Setenv("XINFANG_ADDR", ":9999")
	var c Config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	c.Register(fs)
	if err := fs.Parse([]string{"-log-format", "json", "-websocket-origins", "a.example, b.example"}); err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9999" || c.LogFormat != "json" || len(c.WebsocketOrigins) != 2 {
		t.Fatalf("config: %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	c.JWTSecret = "too short"
	if err := c.Validate(); err == nil {
		t.Fatal("short JWT secret accepted")
	}
	c.JWTSecret, c.TimeZone = "", "Mars/Olympus"
	if err := c.Validate(); err == nil {
		t.Fatal("unknown time zone accepted")
	}
	c.TimeZone, c.AnalyticsTimeZone = "UTC", "Mars/Olympus"
	if err := c.Validate(); err == nil {
		t.Fatal("unknown analytics time zone accepted")
	}
}

func TestAnalyticsSettings(t *testing.T) {
	t.Setenv("XINFANG_CLICKHOUSE_ADDR", "ch.internal:9000")
	t.Setenv("XINFANG_RELAY", "false")
	var c Config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	c.Register(fs)
	if err := fs.Parse([]string{"-clickhouse-user", "xinfang"}); err != nil {
		t.Fatal(err)
	}
	if c.ClickHouseAddr != "ch.internal:9000" || c.ClickHouseDatabase != "xinfang" || c.ClickHouseUser != "xinfang" ||
		c.AnalyticsTimeZone != "Asia/Shanghai" || c.Relay {
		t.Fatalf("config: %+v", c)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestMetricsReconcileInterval(t *testing.T) {
	t.Setenv("XINFANG_METRICS_RECONCILE_INTERVAL", "90s")
	var c Config
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	c.Register(fs)
	if err := fs.Parse(nil); err != nil {
		t.Fatal(err)
	}
	if c.MetricsReconcileInterval != 90*time.Second {
		t.Fatalf("interval from the environment: %s", c.MetricsReconcileInterval)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := fs.Parse([]string{"-metrics-reconcile-interval", "1s"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err == nil {
		t.Fatal("a reconcile interval of 1s accepted")
	}
	c.MetricsReconcileInterval = -time.Minute
	if err := c.Validate(); err == nil {
		t.Fatal("a negative reconcile interval accepted")
	}
	c.MetricsReconcileInterval = 0
	if err := c.Validate(); err != nil {
		t.Fatalf("0 means the default: %v", err)
	}

	t.Setenv("XINFANG_METRICS_RECONCILE_INTERVAL", "")
	var d Config
	d.Register(flag.NewFlagSet("test", flag.ContinueOnError))
	if d.MetricsReconcileInterval != DefaultMetricsReconcileInterval || DefaultMetricsReconcileInterval != 5*time.Minute {
		t.Fatalf("default interval: %s", d.MetricsReconcileInterval)
	}
}
