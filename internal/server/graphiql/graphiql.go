package graphiql

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"
)

// AssetsPath is the path prefix under which Handler serves the embedded
// assets. Mount the handler on it (as well as on the page's path).
const AssetsPath = "/graphiql/assets/"

// defaultQuery is what the editor shows on a first visit: how to sign in
// and a first look at the cases.
const defaultQuery = `# xinfang GraphQL API — GraphiQL 调试界面
#
# 1. Sign in (登录) and copy the token:
#      mutation { login(input: {username: "admin", password: "..."}) { token } }
# 2. Put it in the Headers tab: {"Authorization": "Bearer <token>"}
# 3. Run the query below. The Docs panel describes every type and field.
#
# The public submits with submitCase and follows a case with
# publicCase(trackingCode, pin); no sign-in is needed for those.

query RecentCases {
  me { displayName role department { name } }
  cases(first: 10) {
    totalCount
    edges {
      node {
        trackingCode
        status
        kind
        subject
        respondDue
        overdue
        department { name }
        assignee { displayName }
      }
    }
  }
}
`

// DefaultEndpoint is used by Handler when it is given an empty endpoint.
const DefaultEndpoint = "/graphql"

// assetPrefix is how the page refers to the assets: relative to the page
// at "/", so that the page keeps working when mounted below a prefix.
const assetPrefix = "graphiql/assets/"

//go:embed assets index.html
var files embed.FS

var pageTemplate = template.Must(template.ParseFS(files, "index.html"))

// inlineScript matches the bootstrap script (a <script> without attributes).
var inlineScript = regexp.MustCompile(`(?s)<script>(.*?)</script>`)

// contentTypes maps the extensions of the embedded assets to the types
// they are served with; files with other extensions are not served.
var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
	".txt": "text/plain; charset=utf-8",
}

type file struct {
	body        []byte
	contentType string
	etag        string
}

type handler struct {
	page   file
	csp    string
	assets map[string]file
}

// Handler serves the GraphiQL page at "/" of its mount point and the assets
// under "/graphiql/assets/", both from the binary. endpoint is the path of
// the GraphQL endpoint (same origin, e.g. "/graphql"; "" means
// DefaultEndpoint); subscriptions use the same path over ws:// or wss://.
//
// The page is rendered once, here. Only GET and HEAD are allowed (405
// otherwise); every other path is 404. See the package documentation for
// how to mount it.
func Handler(endpoint string) http.Handler {
	if endpoint == "" {
		endpoint = DefaultEndpoint
	}
	var buf bytes.Buffer
	err := pageTemplate.Execute(&buf, struct{ Endpoint, AssetPrefix, DefaultQuery string }{endpoint, assetPrefix, defaultQuery})
	if err != nil {
		panic(fmt.Sprintf("graphiql: render page: %v", err)) // the template is embedded: a bug
	}
	page := buf.Bytes()

	// Allow the bootstrap script by its hash rather than 'unsafe-inline'.
	var hashes []string
	for _, m := range inlineScript.FindAllSubmatch(page, -1) {
		sum := sha256.Sum256(m[1])
		hashes = append(hashes, "'sha256-"+base64.StdEncoding.EncodeToString(sum[:])+"'")
	}
	csp := strings.Join([]string{
		"default-src 'none'",
		"script-src 'self' " + strings.Join(hashes, " "),
		// GraphiQL and CodeMirror set inline styles; the page has a <style>.
		"style-src 'self' 'unsafe-inline'",
		// The GraphiQL stylesheet embeds its fonts and images as data: URLs.
		"font-src 'self' data:",
		"img-src 'self' data:",
		"connect-src 'self' ws: wss:",
		"base-uri 'none'",
		"form-action 'none'",
		"frame-ancestors 'self'",
	}, "; ")

	h := &handler{
		page:   newFile(page, "text/html; charset=utf-8"),
		csp:    csp,
		assets: make(map[string]file),
	}
	entries, err := fs.ReadDir(files, "assets")
	if err != nil {
		panic(fmt.Sprintf("graphiql: read assets: %v", err))
	}
	for _, e := range entries {
		ct, ok := contentTypes[path.Ext(e.Name())]
		if e.IsDir() || !ok {
			continue
		}
		body, err := files.ReadFile("assets/" + e.Name())
		if err != nil {
			panic(fmt.Sprintf("graphiql: read asset %s: %v", e.Name(), err))
		}
		h.assets[e.Name()] = newFile(body, ct)
	}
	return h
}

func newFile(body []byte, contentType string) file {
	sum := sha256.Sum256(body)
	return file{body: body, contentType: contentType, etag: fmt.Sprintf(`"%x"`, sum[:12])}
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var (
		f      file
		cache  string
		isPage bool
	)
	switch p := r.URL.Path; {
	case p == "/":
		f, cache, isPage = h.page, "no-cache", true
	case strings.HasPrefix(p, AssetsPath):
		a, ok := h.assets[strings.TrimPrefix(p, AssetsPath)]
		if !ok {
			http.NotFound(w, r)
			return
		}
		f, cache = a, "public, max-age=86400"
	default:
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}

	hdr := w.Header()
	hdr.Set("Content-Type", f.contentType)
	hdr.Set("Cache-Control", cache)
	hdr.Set("ETag", f.etag)
	hdr.Set("X-Content-Type-Options", "nosniff")
	if isPage {
		hdr.Set("Content-Security-Policy", h.csp)
		hdr.Set("Referrer-Policy", "no-referrer")
	}
	// ServeContent handles HEAD, Range and If-None-Match.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}
