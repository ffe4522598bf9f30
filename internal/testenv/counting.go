package testenv

import (
	"context"
	stdsql "database/sql"
	"sync/atomic"

	"entgo.io/ent/dialect"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/internal/store"
)

// QueryCounter counts the SQL statements sent through a database.
type QueryCounter struct{ n atomic.Int64 }

// Reset sets the count to zero.
func (c *QueryCounter) Reset() { c.n.Store(0) }

// Count returns the statements sent since the last Reset.
func (c *QueryCounter) Count() int { return int(c.n.Load()) }

// Counting returns a copy of db whose client counts every statement.
func Counting(db *store.DB) (*store.DB, *QueryCounter) {
	c := &QueryCounter{}
	drv := &countingDriver{Driver: db.Driver, c: c}
	counted := *db
	counted.Client = ent.NewClient(ent.Driver(drv))
	return &counted, c
}

type countingDriver struct {
	dialect.Driver
	c *QueryCounter
}

func (d *countingDriver) Exec(ctx context.Context, query string, args, v any) error {
	d.c.n.Add(1)
	return d.Driver.Exec(ctx, query, args, v)
}

func (d *countingDriver) Query(ctx context.Context, query string, args, v any) error {
	d.c.n.Add(1)
	return d.Driver.Query(ctx, query, args, v)
}

func (d *countingDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return &countingTx{Tx: tx, c: d.c}, nil
}

type countingTx struct {
	dialect.Tx
	c *QueryCounter
}

func (t *countingTx) Exec(ctx context.Context, query string, args, v any) error {
	t.c.n.Add(1)
	return t.Tx.Exec(ctx, query, args, v)
}

func (t *countingTx) Query(ctx context.Context, query string, args, v any) error {
	t.c.n.Add(1)
	return t.Tx.Query(ctx, query, args, v)
}

// QueryContext counts and forwards raw queries (ent's ExecQuery feature).
func (d *countingDriver) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	d.c.n.Add(1)
	return d.Driver.(interface {
		QueryContext(context.Context, string, ...any) (*stdsql.Rows, error)
	}).QueryContext(ctx, query, args...)
}
