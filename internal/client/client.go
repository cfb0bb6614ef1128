// Package client is a Go client of Tabula's sync protocol (docs/protocol.md), used by
// the end-to-end tests and the load tool.
package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/fasthttp/websocket"

	"tabula/collab/wire"
)

// Msg is one server message (wire.ServerMessage). Raw holds its bytes; the typed
// fields cover what clients need to route it.
type Msg = wire.ServerMessage

// Conn is one WebSocket connection to a board.
type Conn struct {
	WS      *websocket.Conn
	pending []*Msg // split from the last frame, not yet returned
}

// Dial connects to a board's WebSocket URL (ws://host/b/ID/ws). origin may be empty.
func Dial(url, origin string) (*Conn, *http.Response, error) {
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	ws, resp, err := d.Dial(url, h)
	if err != nil {
		return nil, resp, err
	}
	return &Conn{WS: ws}, resp, nil
}

// Send writes one message as a text frame.
func (c *Conn) Send(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.WS.WriteMessage(websocket.TextMessage, b)
}

// SendRaw writes one text frame as given.
func (c *Conn) SendRaw(b []byte) error { return c.WS.WriteMessage(websocket.TextMessage, b) }

// Hello sends hello and returns the welcome, reading until it arrives or deadline.
func (c *Conn) Hello(since int64, name string, deadline time.Time) (*Msg, error) {
	if err := c.Send(map[string]any{"t": "hello", "v": 1, "since": since, "name": name}); err != nil {
		return nil, err
	}
	for {
		m, err := c.Read(deadline)
		if err != nil {
			return nil, err
		}
		if m.T == "welcome" {
			return m, nil
		}
		if m.T == "error" {
			return nil, fmt.Errorf("server refused hello: %s: %s", m.Code, m.Message)
		}
	}
}

// Read returns the next server message, splitting frames that carry several.
func (c *Conn) Read(deadline time.Time) (*Msg, error) {
	for len(c.pending) == 0 {
		if err := c.WS.SetReadDeadline(deadline); err != nil {
			return nil, err
		}
		_, data, err := c.WS.ReadMessage()
		if err != nil {
			return nil, err
		}
		for _, line := range bytes.Split(data, []byte{'\n'}) {
			m := &Msg{Raw: line}
			if err := json.Unmarshal(line, m); err != nil {
				return nil, fmt.Errorf("server sent invalid JSON %q: %w", line, err)
			}
			c.pending = append(c.pending, m)
		}
	}
	m := c.pending[0]
	c.pending = c.pending[1:]
	return m, nil
}

// Close closes the connection with a normal close frame.
func (c *Conn) Close() error {
	_ = c.WS.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	return c.WS.Close()
}
