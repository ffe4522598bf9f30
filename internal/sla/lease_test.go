package sla_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/internal/sla"
	"github.com/xinfang/xinfang/internal/testenv"
)

// TestAdvisoryLockElectsOneLeader: of two replicas on one PostgreSQL
// schema only one holds the watcher's lease; when it lets go, or its
// connection dies, the other takes over.
func TestAdvisoryLockElectsOneLeader(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := testenv.Open(t, testenv.Postgres)
	first, second := sla.NewAdvisoryLock(db.SQL), sla.NewAdvisoryLock(db.SQL)
	defer first.Release()
	defer second.Release()

	held, err := first.Hold(ctx)
	require.NoError(t, err)
	require.True(t, held)
	held, err = second.Hold(ctx)
	require.NoError(t, err)
	require.False(t, held, "one leader at a time")
	held, err = first.Hold(ctx)
	require.NoError(t, err)
	require.True(t, held, "the leader keeps its lease")

	first.Release()
	held, err = second.Hold(ctx)
	require.NoError(t, err)
	require.True(t, held, "the other replica takes over")
	held, err = first.Hold(ctx)
	require.NoError(t, err)
	require.False(t, held)

	// A leader whose session dies loses the lease with it.
	_, err = db.SQL.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND classid = x'78696e66'::int AND objid::int = hashtext(current_schema())`)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		held, err := first.Hold(ctx)
		return err == nil && held
	}, 5e9, 1e8)
}
