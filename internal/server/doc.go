// Package server is xinfang's HTTP front: the routes (GraphQL, the
// GraphiQL IDE, health and readiness probes), request limits, access logs,
// and a listener that shuts down gracefully on SIGTERM and SIGINT.
package server
