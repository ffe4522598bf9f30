package graph_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/graph"
)

// TestPanicsAreHidden: a resolver that panics (here: no services wired)
// yields an INTERNAL error without internals, and the panic is logged.
func TestPanicsAreHidden(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	h := graph.NewHandler(&graph.Resolver{}, graph.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ activeCategories { id } }"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var resp gqlResponse
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &resp))
	require.Len(t, resp.Errors, 1)
	require.Equal(t, "INTERNAL", resp.Errors[0].Code())
	require.NotContains(t, resp.Errors[0].Message, "nil pointer")
	require.Contains(t, logs.String(), "panic in resolver")
	require.Contains(t, logs.String(), "nil pointer")
}
