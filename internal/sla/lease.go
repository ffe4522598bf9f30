package sla

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// Lease decides which replica watches the deadlines.
type Lease interface {
	// Hold reports whether this process holds the lease now, taking it
	// when it is free.
	Hold(ctx context.Context) (bool, error)
	// Release gives the lease up.
	Release()
}

// LocalLease is always held: the embedded database belongs to one process.
type LocalLease struct{}

// Hold implements Lease.
func (LocalLease) Hold(context.Context) (bool, error) { return true, nil }

// Release implements Lease.
func (LocalLease) Release() {}

// The watcher's advisory lock is keyed by "xinf" and the schema, so that
// installations sharing a database in separate schemas (and parallel
// tests) each elect their own leader.
const (
	tryLockWatcher = `SELECT pg_try_advisory_lock(x'78696e66'::int, hashtext(current_schema()))`
	unlockWatcher  = `SELECT pg_advisory_unlock(x'78696e66'::int, hashtext(current_schema()))`
)

// AdvisoryLock is a Lease held as a PostgreSQL session-level advisory lock
// on a connection of its own. When the holder dies or loses its
// connection, PostgreSQL releases the lock and another replica's next
// Hold takes it.
type AdvisoryLock struct {
	db *sql.DB

	mu   sync.Mutex
	conn *sql.Conn
}

// NewAdvisoryLock returns the watcher's lease over db (PostgreSQL).
func NewAdvisoryLock(db *sql.DB) *AdvisoryLock {
	return &AdvisoryLock{db: db}
}

// Hold implements Lease.
func (l *AdvisoryLock) Hold(ctx context.Context) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		// Still ours while the session lives.
		if _, err := l.conn.ExecContext(ctx, "SELECT 1"); err == nil {
			return true, nil
		}
		l.conn.Close()
		l.conn = nil
	}
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("watcher lease: connect: %w", err)
	}
	var held bool
	if err := conn.QueryRowContext(ctx, tryLockWatcher).Scan(&held); err != nil {
		conn.Close()
		return false, fmt.Errorf("watcher lease: %w", err)
	}
	if !held {
		conn.Close()
		return false, nil
	}
	l.conn = conn
	return true, nil
}

// Release implements Lease.
func (l *AdvisoryLock) Release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		return
	}
	// Unlock explicitly: a pooled connection would otherwise keep the
	// session, and the lock, alive. The context is fresh because Release
	// runs when the server's context has ended.
	_, _ = l.conn.ExecContext(context.Background(), unlockWatcher)
	l.conn.Close()
	l.conn = nil
}
