// Package store opens xinfang's database and keeps its schema current.
//
// Two databases are supported:
//
//   - SQLite (modernc.org/sqlite, pure Go), the embedded default: a single
//     file in the data directory, created and migrated on start. Its schema
//     follows the ent schema directly (ent's automatic migration), since an
//     embedded file has no operator to review SQL.
//   - PostgreSQL, for production: versioned SQL migrations under
//     migrations/postgres, generated from the ent schema (`make migration`),
//     checked against atlas.sum, and applied in order under an advisory
//     lock so that several replicas can start at once.
package store
