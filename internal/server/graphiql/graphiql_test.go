package graphiql

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

var assetFiles = map[string]string{
	"react.production.min.js":     "text/javascript; charset=utf-8",
	"react-dom.production.min.js": "text/javascript; charset=utf-8",
	"graphiql.min.js":             "text/javascript; charset=utf-8",
	"graphiql.min.css":            "text/css; charset=utf-8",
}

func do(t *testing.T, h http.Handler, method, target string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

func TestPage(t *testing.T) {
	t.Parallel()
	res, body := do(t, Handler("/api/graphql"), http.MethodGet, "/")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", res.StatusCode)
	}
	if got := res.Header.Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", got)
	}
	for _, want := range []string{
		`<title>xinfang GraphQL</title>`,
		`data-endpoint="/api/graphql"`,
		`GraphiQL.createFetcher(`,
		`subscriptionUrl:`,
		`isHeadersEditorEnabled: true`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("page does not contain %q", want)
		}
	}

	// Every script and stylesheet is one of the embedded assets, by a local
	// relative URL.
	refs := regexp.MustCompile(`<(?:script|link)\b[^>]*\b(?:src|href)="([^"]*)"`).FindAllStringSubmatch(body, -1)
	if len(refs) != len(assetFiles) {
		t.Errorf("page references %d assets, want %d: %q", len(refs), len(assetFiles), refs)
	}
	for _, m := range refs {
		u := m[1]
		if strings.Contains(u, "http://") || strings.Contains(u, "https://") || strings.HasPrefix(u, "//") {
			t.Errorf("page references a remote asset: %q", u)
		}
		name, ok := strings.CutPrefix(u, "graphiql/assets/")
		if _, known := assetFiles[name]; !ok || !known {
			t.Errorf("page references %q, not an embedded asset", u)
		}
	}
	if strings.Contains(body, "http://") || strings.Contains(body, "https://") {
		t.Error("page contains an absolute http(s) URL")
	}

	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'self' 'sha256-", "connect-src 'self' ws: wss:"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "http") {
		t.Errorf("Content-Security-Policy allows a remote origin: %q", csp)
	}
	// The inline bootstrap script is allowed by its hash.
	m := regexp.MustCompile(`(?s)<script>(.*?)</script>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no inline bootstrap script")
	}
	sum := sha256.Sum256([]byte(m[1]))
	if hash := "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"; !strings.Contains(csp, hash) {
		t.Errorf("Content-Security-Policy %q does not allow the inline script (%s)", csp, hash)
	}
}

func TestDefaultEndpoint(t *testing.T) {
	t.Parallel()
	_, body := do(t, Handler(""), http.MethodGet, "/")
	if !strings.Contains(body, `data-endpoint="/graphql"`) {
		t.Error("empty endpoint does not default to /graphql")
	}
}

func TestEndpointIsEscaped(t *testing.T) {
	t.Parallel()
	_, body := do(t, Handler(`/q"><script>alert(1)</script>`), http.MethodGet, "/")
	if strings.Contains(body, "<script>alert(1)") {
		t.Error("endpoint is not escaped")
	}
}

func TestAssets(t *testing.T) {
	t.Parallel()
	h := Handler("/graphql")
	for name, ct := range assetFiles {
		res, body := do(t, h, http.MethodGet, AssetsPath+name)
		if res.StatusCode != http.StatusOK {
			t.Errorf("%s: status = %d, want 200", name, res.StatusCode)
			continue
		}
		if len(body) == 0 {
			t.Errorf("%s: empty body", name)
		}
		if got := res.Header.Get("Content-Type"); got != ct {
			t.Errorf("%s: Content-Type = %q, want %q", name, got, ct)
		}
		if got := res.Header.Get("Cache-Control"); got != "public, max-age=86400" {
			t.Errorf("%s: Cache-Control = %q", name, got)
		}
		etag := res.Header.Get("ETag")
		if etag == "" {
			t.Errorf("%s: no ETag", name)
			continue
		}
		req := httptest.NewRequest(http.MethodGet, AssetsPath+name, nil)
		req.Header.Set("If-None-Match", etag)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotModified {
			t.Errorf("%s: conditional GET status = %d, want 304", name, rec.Code)
		}
	}
}

func TestHead(t *testing.T) {
	t.Parallel()
	h := Handler("/graphql")
	for _, target := range []string{"/", AssetsPath + "graphiql.min.js"} {
		res, body := do(t, h, http.MethodHead, target)
		if res.StatusCode != http.StatusOK || body != "" {
			t.Errorf("HEAD %s: status %d, %d body bytes", target, res.StatusCode, len(body))
		}
	}
}

func TestNotFound(t *testing.T) {
	t.Parallel()
	h := Handler("/graphql")
	for _, target := range []string{
		AssetsPath + "nope.js",
		AssetsPath,
		AssetsPath + "../index.html",
		"/graphiql/index.html",
		"/index.html",
		"/graphql",
		"/favicon.ico",
	} {
		if res, _ := do(t, h, http.MethodGet, target); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status = %d, want 404", target, res.StatusCode)
		}
	}
}

func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	h := Handler("/graphql")
	for _, target := range []string{"/", AssetsPath + "graphiql.min.css"} {
		for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodDelete} {
			res, _ := do(t, h, method, target)
			if res.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: status = %d, want 405", method, target, res.StatusCode)
			}
			if got := res.Header.Get("Allow"); got != "GET, HEAD" {
				t.Errorf("%s %s: Allow = %q", method, target, got)
			}
		}
	}
}

// TestMount checks the mounting documented in the package doc.
func TestMount(t *testing.T) {
	t.Parallel()
	ide := Handler("/graphql")
	mux := http.NewServeMux()
	mux.Handle("/{$}", ide)
	mux.Handle(AssetsPath, ide)
	mux.Handle("/debug/", http.StripPrefix("/debug", ide))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	for _, target := range []string{
		"/", AssetsPath + "graphiql.min.js",
		"/debug/", "/debug/" + assetPrefix + "react.production.min.js",
	} {
		res, err := srv.Client().Get(srv.URL + target)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: status = %d, want 200", target, res.StatusCode)
		}
	}
}
