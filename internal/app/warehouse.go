package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xinfang/xinfang/analytics"
	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/store"
)

// EmbeddedWarehouseFile is the embedded warehouse's file in the data
// directory.
const EmbeddedWarehouseFile = "warehouse.db"

// OpenWarehouse opens the analytics warehouse cfg names: ClickHouse at
// cfg.ClickHouseAddr when set, otherwise the embedded warehouse in the data
// directory. The caller closes it.
func OpenWarehouse(ctx context.Context, cfg config.Config) (analytics.Warehouse, error) {
	loc, err := time.LoadLocation(cfg.AnalyticsTimeZone)
	if err != nil {
		return nil, fmt.Errorf("analytics time zone %q: %w", cfg.AnalyticsTimeZone, err)
	}
	if cfg.ClickHouseAddr != "" {
		ch, err := analytics.OpenClickHouse(ctx, analytics.ClickHouseConfig{
			Addr: cfg.ClickHouseAddr, Database: cfg.ClickHouseDatabase,
			Username: cfg.ClickHouseUser, Password: cfg.ClickHousePassword, TimeZone: cfg.AnalyticsTimeZone,
		})
		if err != nil {
			return nil, fmt.Errorf("ClickHouse at %s: %w", cfg.ClickHouseAddr, err)
		}
		return ch, nil
	}
	w, err := analytics.OpenEmbedded(ctx, filepath.Join(cfg.DataDir, EmbeddedWarehouseFile), loc)
	if err != nil {
		return nil, fmt.Errorf("embedded warehouse: %w", err)
	}
	return w, nil
}

// RelayConfig is the relay configuration of cfg from db's outbox into wh.
func RelayConfig(cfg config.Config, db *store.DB, wh analytics.Warehouse, log *slog.Logger, reg prometheus.Registerer) (analytics.RelayConfig, error) {
	secret, err := PetitionerSecret(cfg)
	if err != nil {
		return analytics.RelayConfig{}, fmt.Errorf("petitioner key: %w", err)
	}
	return analytics.RelayConfig{
		DB: db.SQL, Dialect: db.Dialect, Warehouse: wh, PetitionerSecret: secret,
		Logger: log, Registerer: reg,
	}, nil
}

// PetitionerSecret is the key of the petitioner pseudonyms in the
// warehouse. It is derived from the PIN secret, which must stay the same
// anyway, so that no further secret needs configuring and keeping; the
// derivation keeps the two keys independent.
func PetitionerSecret(cfg config.Config) ([]byte, error) {
	pinKey, err := cfg.Secret(cfg.PINSecret, "pin.key")
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, pinKey)
	mac.Write([]byte("xinfang analytics petitioner key v1"))
	return mac.Sum(nil), nil
}
