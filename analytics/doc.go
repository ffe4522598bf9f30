// Package analytics is the evaluation warehouse: case events leave the
// transactional database through an outbox, a relay ships them to
// ClickHouse (or to the embedded warehouse in the default SQLite mode), and
// evaluation queries compute the half-yearly figures from them.
//
// ClickHouse is used only in this package.
package analytics
