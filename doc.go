// Package xinfang is the root of the xinfang case-handling platform for
// public complaints, petitions, suggestions and praise (信访).
//
// The root package only carries the code-generation entry point; the
// packages below it do the work:
//
//   - ent: the data model (schema in ent/schema, the rest generated).
//   - graph: the GraphQL API the SPA and dashboards use, with thin resolvers.
//   - internal/workflow: the case state machine, the only code that changes a case.
//   - policy: authorization and deadline decisions.
//   - cmd/xinfang: the single binary (serve, migrate, admin, demo).
package xinfang
