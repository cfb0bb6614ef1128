package main

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"tabula/client"
)

// TestHostileInput sends each kind of bad input over a real WebSocket and checks the
// documented answer: an error naming the problem or a close code; whether the connection
// stays usable; and that the board is unchanged.
func TestHostileInput(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *Config) {
		c.Limits.MaxElements = 3
		c.Limits.MaxPoints = 100
		c.Limits.MaxText = 50
		c.Limits.MaxBatch = 10
		c.Limits.MaxMessage = 64 << 10
	})
	b := ts.newBoard(t)
	owner := join(t, ts.wsURL("/b/", b.ID), 0)
	owner.commit("seed", put(rect("r1", 1)), put(rect("r2", 2)))
	before := owner.doc.Canonical()

	points := func(n int) string {
		return "[" + strings.TrimSuffix(strings.Repeat("[1,2],", n), ",") + "]"
	}
	opsFrame := func(ops string) string { return `{"t":"ops","cid":"bad","ops":[` + ops + `]}` }
	tests := []struct {
		name   string
		viewer bool
		hello  bool // send hello first (almost always)
		frame  string
		binary bool
		code   string // expected error code, "" for none
		close  int    // expected close code, 0 if the connection stays open
	}{
		{name: "MalformedJSON", hello: true, frame: `{"t":"ops",`, code: "bad_json"},
		{name: "NotAnObject", hello: true, frame: `"hello"`, code: "bad_json"},
		{name: "UnknownMessageType", hello: true, frame: `{"t":"format_disk"}`, code: "unknown_message"},
		{name: "UnknownElementField", hello: true, frame: opsFrame(`{"o":"put","el":{"id":"x","type":"rect","z":"a","script":"alert(1)"}}`), code: "unknown_field"},
		{name: "UnknownElementType", hello: true, frame: opsFrame(`{"o":"put","el":{"id":"x","type":"iframe","z":"a"}}`), code: "bad_value"},
		{name: "InfiniteCoordinate", hello: true, frame: opsFrame(`{"o":"put","el":{"id":"x","type":"rect","z":"a","x":1e999}}`), code: "bad_value"},
		{name: "OutOfRangeCoordinate", hello: true, frame: opsFrame(`{"o":"patch","id":"r1","set":{"y":-2e7}}`), code: "bad_value"},
		{name: "NaNAsString", hello: true, frame: opsFrame(`{"o":"patch","id":"r1","set":{"x":"NaN"}}`), code: "bad_value"},
		{name: "TooManyPoints", hello: true, frame: opsFrame(`{"o":"put","el":{"id":"x","type":"stroke","z":"a","points":` + points(101) + `}}`), code: "too_many_points"},
		{name: "TextTooLong", hello: true, frame: opsFrame(`{"o":"patch","id":"r1","set":{"text":"` + strings.Repeat("x", 51) + `"}}`), code: "text_too_long"},
		{name: "TooManyOps", hello: true, frame: opsFrame(strings.TrimSuffix(strings.Repeat(`{"o":"del","id":"r1"},`, 11), ",")), code: "too_many_ops"},
		{name: "TooManyElements", hello: true, frame: opsFrame(`{"o":"patch","id":"r1","set":{"x":9}},{"o":"put","el":{"id":"x","type":"rect","z":"a"}},{"o":"put","el":{"id":"y","type":"rect","z":"b"}}`), code: "too_many_elements"},
		{name: "ScriptColour", hello: true, frame: opsFrame(`{"o":"patch","id":"r1","set":{"stroke":"red\" onload=\"alert(1)"}}`), code: "bad_value"},
		{name: "ViewOnlyOps", viewer: true, hello: true, frame: opsFrame(`{"o":"del","id":"r1"}`), code: "view_only"},
		{name: "ViewOnlyPreview", viewer: true, hello: true, frame: `{"t":"preview","el":{"id":"x","type":"rect","z":"a"}}`, code: "view_only"},
		{name: "OpsBeforeHello", frame: opsFrame(`{"o":"del","id":"r1"}`), code: "need_hello", close: 1008},
		{name: "GarbageBeforeHello", frame: "\x00\x01garbage", code: "need_hello", close: 1008},
		{name: "BinaryFrame", hello: true, frame: "\x89PNG\r\n\x1a\n", binary: true, close: 1003},
		{name: "OversizedFrame", hello: true, frame: opsFrame(`{"o":"patch","id":"r1","set":{"text":"` + strings.Repeat("x", 70<<10) + `"}}`), close: 1009},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url := ts.wsURL("/b/", b.ID)
			if tt.viewer {
				url = ts.wsURL("/v/", b.ViewID)
			}
			c, _, err := client.Dial(url, "")
			if err != nil {
				t.Fatal(err)
			}
			defer c.WS.Close()
			if tt.hello {
				if _, err := c.Hello(0, "mallory", time.Now().Add(wait)); err != nil {
					t.Fatal(err)
				}
			}
			typ := websocket.TextMessage
			if tt.binary {
				typ = websocket.BinaryMessage
			}
			if err := c.WS.WriteMessage(typ, []byte(tt.frame)); err != nil {
				t.Fatal(err)
			}
			if tt.code != "" {
				m := readUntil(t, c, func(m *client.Msg) bool { return m.T == "error" })
				if m.Code != tt.code || m.Message == "" {
					t.Fatalf("got %s, want error %s with a message", m.Raw, tt.code)
				}
				if strings.HasPrefix(tt.frame, `{"t":"ops","cid":"bad"`) && tt.code != "need_hello" && m.CID != "bad" {
					t.Fatalf("a refused batch must be named by its cid: %s", m.Raw)
				}
			}
			if tt.close != 0 {
				if code := closeCode(c); code != tt.close {
					t.Fatalf("closed with %d, want %d", code, tt.close)
				}
			} else if !tt.viewer {
				// Still usable: a valid batch goes through, then is undone.
				if err := c.Send(map[string]any{"t": "ops", "cid": "ok-" + tt.name, "ops": []any{patch("r1", map[string]any{"w": 10})}}); err != nil {
					t.Fatal(err)
				}
				readUntil(t, c, func(m *client.Msg) bool { return m.T == "ack" })
			}
			late := join(t, ts.wsURL("/b/", b.ID), 0)
			if got := withoutVersions(late.doc); got != withoutVersions(owner.doc) || late.doc.Live() != 2 {
				t.Fatalf("the board changed:\n%s\nwant\n%s", late.doc.Canonical(), before)
			}
		})
	}

	t.Run("TooManyErrorsCloses", func(t *testing.T) {
		p := join(t, ts.wsURL("/b/", b.ID), 0)
		for i := range 21 {
			if err := p.c.SendRaw([]byte(fmt.Sprintf(`{"t":"nope%d"}`, i))); err != nil {
				break // the server may already have closed
			}
		}
		if code := closeCode(p.c); code != 1008 {
			t.Fatalf("closed with %d, want 1008", code)
		}
	})
	t.Run("ServerStillServes", func(t *testing.T) {
		owner.commit("after", patch("r2", map[string]any{"x": 3}))
	})
}

func readUntil(t *testing.T, c *client.Conn, cond func(*client.Msg) bool) *client.Msg {
	t.Helper()
	for {
		m, err := c.Read(time.Now().Add(wait))
		if err != nil {
			t.Fatalf("reading: %v", err)
		}
		if cond(m) {
			return m
		}
	}
}

// closeCode reads until the connection ends and returns the close code (-1 if the
// connection ended without a close frame).
func closeCode(c *client.Conn) int {
	for {
		_, err := c.Read(time.Now().Add(wait))
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code
		}
		return -1
	}
}

// withoutVersions is the board with v, by and at dropped: the "still usable" check of
// each case patches r1's w to the value it already has, which bumps only those.
func withoutVersions(d *client.Doc) string {
	c := client.NewDoc()
	for id, el := range d.Els {
		cp := map[string]any{}
		for k, v := range el {
			if k != "v" && k != "by" && k != "at" {
				cp[k] = v
			}
		}
		c.Els[id] = cp
	}
	return c.Canonical()
}
