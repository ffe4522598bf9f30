package graph_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/internal/testenv"
)

// TestWebsocketTransport runs operations over the graphql-transport-ws
// protocol, signed in through the connection_init payload.
func TestWebsocketTransport(t *testing.T) {
	t.Parallel()
	b := setup(t, testenv.SQLite)
	srv := httptest.NewServer(b.app.Handler)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	dial := func(payload map[string]any) (*websocket.Conn, map[string]any, error) {
		conn, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/graphql", &websocket.DialOptions{
			Subprotocols: []string{"graphql-transport-ws"},
			HTTPHeader:   http.Header{"Accept-Language": {"en"}},
		})
		require.NoError(t, err)
		require.NoError(t, wsjson.Write(ctx, conn, map[string]any{"type": "connection_init", "payload": payload}))
		var ack map[string]any
		err = wsjson.Read(ctx, conn, &ack)
		return conn, ack, err
	}

	conn, ack, err := dial(map[string]any{"Authorization": "Bearer " + b.tokens["head"]})
	require.NoError(t, err)
	defer conn.Close(websocket.StatusNormalClosure, "")
	require.Equal(t, "connection_ack", ack["type"])
	require.NoError(t, wsjson.Write(ctx, conn, map[string]any{"id": "1", "type": "subscribe",
		"payload": map[string]any{"query": `{ me { username role } }`}}))
	var next struct {
		Type    string
		Payload struct {
			Data   json.RawMessage
			Errors []gqlError
		}
	}
	require.NoError(t, wsjson.Read(ctx, conn, &next))
	require.Equal(t, "next", next.Type)
	require.JSONEq(t, `{"me": {"username": "head", "role": "DEPT_HEAD"}}`, string(next.Payload.Data))

	// Anonymous connections run as the public.
	anon, ack, err := dial(nil)
	require.NoError(t, err)
	defer anon.Close(websocket.StatusNormalClosure, "")
	require.Equal(t, "connection_ack", ack["type"])
	require.NoError(t, wsjson.Write(ctx, anon, map[string]any{"id": "1", "type": "subscribe",
		"payload": map[string]any{"query": `{ cases { totalCount } }`}}))
	require.NoError(t, wsjson.Read(ctx, anon, &next))
	require.Equal(t, "UNAUTHENTICATED", next.Payload.Errors[0].Code())
	require.Equal(t, "Sign in to do this.", next.Payload.Errors[0].Message, "the upgrade request's language")

	// A bad token is refused at connection time.
	bad, _, err := dial(map[string]any{"Authorization": "Bearer nonsense"})
	require.ErrorContains(t, err, "close frame", "the server closes instead of acknowledging")
	bad.CloseNow()
}
