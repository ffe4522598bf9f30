package auth

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/internal/i18n"
	"github.com/xinfang/xinfang/policy"
)

type clientAddrKey struct{}

// WithClientAddr returns a context carrying the caller's network address.
func WithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// ClientAddr returns the caller's network address, for rate limits.
func ClientAddr(ctx context.Context) string {
	addr, _ := ctx.Value(clientAddrKey{}).(string)
	return addr
}

// Middleware puts the caller's locale, address and identity into the
// request context. A request with an invalid or expired token is refused
// with 401 and a GraphQL-shaped UNAUTHENTICATED error, so the SPA knows to
// sign in again; a request without a token is anonymous.
func (a *Service) Middleware(trustProxy bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		loc := i18n.Negotiate(r.Header.Get("Accept-Language"))
		ctx = i18n.WithLocale(ctx, loc)
		ctx = WithClientAddr(ctx, clientAddr(r, trustProxy))
		if token, ok := BearerToken(r.Header.Get("Authorization")); ok {
			subject, err := a.Authenticate(ctx, token)
			if err != nil {
				writeUnauthenticated(w, loc, err)
				return
			}
			ctx = policy.WithSubject(ctx, subject)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func clientAddr(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if fwd := r.Header.Get("X-Forwarded-For"); fwd != "" {
			first, _, _ := strings.Cut(fwd, ",")
			return strings.TrimSpace(first)
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func writeUnauthenticated(w http.ResponseWriter, loc i18n.Locale, err error) {
	var e *apperr.Error
	if !errors.As(err, &e) || e.Code != apperr.Unauthenticated {
		// A database failure while checking the member: say so honestly.
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		_ = json.NewEncoder(w).Encode(map[string]any{"errors": []map[string]any{{
			"message":    apperr.New(apperr.Internal, "internal.error").Message(loc),
			"extensions": map[string]any{"code": string(apperr.Internal)},
		}}})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("WWW-Authenticate", `Bearer realm="xinfang"`)
	w.WriteHeader(http.StatusUnauthorized)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []map[string]any{{
			"message":    e.Message(loc),
			"extensions": map[string]any{"code": string(e.Code)},
		}},
	})
}

// WebsocketInit authenticates a websocket connection: the client sends
// {"Authorization": "Bearer ..."} (or "authToken") in its connection_init
// payload. Connections without a token are anonymous.
func (a *Service) WebsocketInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	header := payload.Authorization()
	if header == "" {
		if token, ok := payload["authToken"].(string); ok {
			header = "Bearer " + token
		}
	}
	if token, ok := BearerToken(header); ok {
		subject, err := a.Authenticate(ctx, token)
		if err != nil {
			return ctx, nil, err
		}
		ctx = policy.WithSubject(ctx, subject)
	}
	return ctx, &payload, nil
}
