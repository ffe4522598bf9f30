package analytics

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/stretchr/testify/require"
)

// clickhouseAddrEnv names the ClickHouse server tests use (native
// protocol), e.g. 127.0.0.1:19000 from scripts/clickhouse-test-server.sh.
const clickhouseAddrEnv = "XINFANG_TEST_CLICKHOUSE_ADDR"

// clickhouseAddr returns the test server's address, skipping the test
// when there is none (failing it under CI).
func clickhouseAddr(t testing.TB) string {
	t.Helper()
	addr := os.Getenv(clickhouseAddrEnv)
	if addr == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s must be set under CI", clickhouseAddrEnv)
		}
		t.Skipf("%s is not set: ClickHouse tests are skipped", clickhouseAddrEnv)
	}
	return addr
}

// testClickHouseDatabase names a database private to the test and drops
// it afterwards.
func testClickHouseDatabase(t testing.TB, addr string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "xft_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		conn, err := clickhouse.Open(&clickhouse.Options{Addr: []string{addr}})
		if err != nil {
			t.Logf("drop database %s: %v", name, err)
			return
		}
		defer conn.Close()
		if err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name); err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
	})
	return name
}

// openTestClickHouse opens a ClickHouse warehouse in a fresh database.
func openTestClickHouse(t testing.TB) *ClickHouse {
	t.Helper()
	addr := clickhouseAddr(t)
	ch, err := OpenClickHouse(context.Background(), ClickHouseConfig{Addr: addr, Database: testClickHouseDatabase(t, addr)})
	require.NoError(t, err)
	t.Cleanup(func() { ch.Close() })
	return ch
}

// openTestEmbedded opens an embedded warehouse in a temporary directory.
func openTestEmbedded(t testing.TB) *Embedded {
	t.Helper()
	w, err := OpenEmbedded(context.Background(), filepath.Join(t.TempDir(), "data", "warehouse.db"), shanghai(t))
	require.NoError(t, err)
	t.Cleanup(func() { w.Close() })
	return w
}

func shanghai(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Asia/Shanghai")
	require.NoError(t, err)
	return loc
}
