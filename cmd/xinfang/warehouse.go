package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/xinfang/xinfang/analytics"
	"github.com/xinfang/xinfang/internal/config"
	"github.com/xinfang/xinfang/internal/store"
)

// errNoWarehouse is returned by warehouseFromConfig while no warehouse
// implementation is wired in.
var errNoWarehouse = errors.New("no warehouse configured")

// warehouseFromConfig opens the analytics warehouse cfg names: ClickHouse
// at cfg.ClickHouseAddr when set, otherwise the embedded warehouse in the
// data directory. The caller closes it.
//
// Wired when the warehouses land (issue 5, warehouse part), along these
// lines:
//
//	loc, err := time.LoadLocation(cfg.AnalyticsTimeZone)
//	if cfg.ClickHouseAddr != "" {
//		return analytics.OpenClickHouse(ctx, analytics.ClickHouseConfig{Addr: cfg.ClickHouseAddr,
//			Database: cfg.ClickHouseDatabase, Username: cfg.ClickHouseUser, Password: cfg.ClickHousePassword, TimeZone: ...})
//	}
//	return analytics.OpenEmbedded(ctx, filepath.Join(cfg.DataDir, "analytics"), loc)
func warehouseFromConfig(ctx context.Context, cfg config.Config) (analytics.Warehouse, error) {
	_ = ctx
	_ = cfg
	return nil, errNoWarehouse
}

// petitionerSecret is the key of the petitioner pseudonyms in the
// warehouse. It is derived from the PIN secret, which must stay the same
// anyway, so that no further secret needs configuring and keeping; the
// derivation keeps the two keys independent.
func petitionerSecret(cfg config.Config) ([]byte, error) {
	pinKey, err := cfg.Secret(cfg.PINSecret, "pin.key")
	if err != nil {
		return nil, err
	}
	mac := hmac.New(sha256.New, pinKey)
	mac.Write([]byte("xinfang analytics petitioner key v1"))
	return mac.Sum(nil), nil
}

// relayConfig is the relay configuration of cfg over db and wh.
func relayConfig(cfg config.Config, db *store.DB, wh analytics.Warehouse, log *slog.Logger, reg prometheus.Registerer) (analytics.RelayConfig, error) {
	secret, err := petitionerSecret(cfg)
	if err != nil {
		return analytics.RelayConfig{}, fmt.Errorf("petitioner key: %w", err)
	}
	return analytics.RelayConfig{
		DB: db.SQL, Dialect: db.Dialect, Warehouse: wh, PetitionerSecret: secret,
		Logger: log, Registerer: reg,
	}, nil
}
