package app

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// A panic while a WebSocket session handles a message is recovered: logged with its
// stack, that connection closed with 1011, and the server goes on serving others.
func TestWebSocketSessionPanicIsRecovered(t *testing.T) {
	ts := startTestServer(t, nil, Config{})
	ts.beforeReceive = func(msg []byte) {
		if strings.Contains(string(msg), "boom") {
			panic("injected: boom")
		}
	}
	b, err := ts.svc.CreateBoard(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/b/" + b.ID + "/ws"
	dial := func() *websocket.Conn {
		c, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		if err := c.WriteMessage(websocket.TextMessage, []byte(`{"t":"hello","v":1,"name":"p"}`)); err != nil {
			t.Fatal(err)
		}
		for {
			_, m, err := c.ReadMessage()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(m), `"t":"welcome"`) {
				return c
			}
		}
	}
	c := dial()
	if err := c.WriteMessage(websocket.TextMessage, []byte(`{"t":"cursor","x":1,"y":2,"boom":1}`)); err != nil {
		t.Fatal(err)
	}
	var ce *websocket.CloseError
	for {
		if _, _, err = c.ReadMessage(); err != nil {
			break
		}
	}
	if !errors.As(err, &ce) || ce.Code != 1011 {
		t.Fatalf("after the panic: %v; want close 1011", err)
	}
	waitFor(t, "the panic in the log with its stack", func() bool {
		return logHas(ts, "panic in a WebSocket session", "injected: boom", "readMessages")
	})
	// The server carries on.
	other := dial()
	if err := other.WriteMessage(websocket.TextMessage, []byte(`{"t":"cursor","x":1,"y":2}`)); err != nil {
		t.Fatal(err)
	}
}
