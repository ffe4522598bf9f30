package server

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRoutesCORSAndBodyLimit(t *testing.T) {
	t.Parallel()
	gql := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	h := Routes(RoutesConfig{GraphQL: gql, Ready: func(context.Context) error { return nil }, MaxBodyBytes: 10,
		CORSOrigins: []string{"https://spa.example.org"}})

	do := func(method, origin, body string, headers ...string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, "/graphql", strings.NewReader(body))
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	pre := do(http.MethodOptions, "https://spa.example.org", "", "Access-Control-Request-Method", "POST")
	if pre.Code != http.StatusNoContent || pre.Header().Get("Access-Control-Allow-Origin") != "https://spa.example.org" ||
		!strings.Contains(pre.Header().Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Fatalf("preflight: %d %v", pre.Code, pre.Header())
	}
	if got := do(http.MethodPost, "https://evil.example", "{}").Header().Get("Access-Control-Allow-Origin"); got != "" {
		t.Fatalf("foreign origin answered: %q", got)
	}
	if got := do(http.MethodPost, "https://spa.example.org", "{}").Header().Get("Access-Control-Allow-Origin"); got != "https://spa.example.org" {
		t.Fatalf("allowed origin: %q", got)
	}
	if rec := do(http.MethodPost, "", strings.Repeat("x", 11)); rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("body limit: %d", rec.Code)
	}
	if rec := do(http.MethodPost, "", "{}"); rec.Header().Get("X-Request-Id") == "" {
		t.Fatal("no request id")
	}
}
