package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"tabula/app/program"
	"tabula/internal/client"
)

// TestHostileInput sends each kind of bad input over a real WebSocket and checks the
// documented answer: an error naming the problem or a close code; whether the connection
// stays usable; and that the board is unchanged.
func TestHostileInput(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) {
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
		{name: "FrameContainingItself", hello: true, frame: opsFrame(`{"o":"put","el":{"id":"f","type":"frame","frame":"f","z":"c"}}`), code: "bad_frame"},
		{name: "FrameInFrame", hello: true, frame: opsFrame(`{"o":"del","id":"r2"},{"o":"put","el":{"id":"f","type":"frame","z":"c"}},{"o":"put","el":{"id":"g","type":"frame","frame":"f","z":"d"}}`), code: "bad_frame"},
		{name: "MemberOfNonFrame", hello: true, frame: opsFrame(`{"o":"patch","id":"r1","set":{"frame":"r2"}}`), code: "bad_frame"},
		{name: "MemberOfMissingFrame", hello: true, frame: opsFrame(`{"o":"patch","id":"r1","set":{"frame":"nope"}}`), code: "bad_frame"},
		{name: "FrameNameTooLong", hello: true, frame: opsFrame(`{"o":"put","el":{"id":"f","type":"frame","z":"c","text":"` + strings.Repeat("x", 51) + `"}}`), code: "text_too_long"},
		{name: "TooManyFrames", hello: true, frame: opsFrame(`{"o":"put","el":{"id":"f","type":"frame","z":"c"}},{"o":"put","el":{"id":"g","type":"frame","z":"d"}}`), code: "too_many_elements"},
		{name: "ElementOnMissingPage", hello: true, frame: opsFrame(`{"o":"patch","id":"r1","set":{"page":"nope"}}`), code: "bad_page"},
		{name: "PageOnPage", hello: true, frame: opsFrame(`{"o":"del","id":"r2"},{"o":"put","el":{"id":"p","type":"page","z":"c"}},{"o":"put","el":{"id":"q","type":"page","page":"p","z":"d"}}`), code: "bad_page"},
		{name: "ElementInFrameOnOtherPage", hello: true, frame: opsFrame(`{"o":"del","id":"r2"},{"o":"put","el":{"id":"p","type":"page","z":"c"}},{"o":"put","el":{"id":"f","type":"frame","page":"p","z":"d"}},{"o":"patch","id":"r1","set":{"frame":"f"}}`), code: "bad_page"},
		{name: "PageDeletedWithElementsOnIt", hello: true, frame: opsFrame(`{"o":"put","el":{"id":"page1","type":"page","z":"a"}},{"o":"del","id":"page1"}`), code: "bad_page"},
		{name: "PageNameTooLong", hello: true, frame: opsFrame(`{"o":"put","el":{"id":"p","type":"page","z":"c","text":"` + strings.Repeat("x", 201) + `"}}`), code: "text_too_long"},
		{name: "CursorOnBadPage", hello: true, frame: `{"t":"cursor","x":1,"y":2,"page":"a b"}`, code: "bad_value"},
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

// wsBaseline is the process's goroutines and descriptors, for checking that hostile
// WebSocket clients leave nothing behind once they are gone.
func wsBaseline(t *testing.T) func() {
	t.Helper()
	goroutines, files := runtime.NumGoroutine(), openFiles(t)
	return func() {
		t.Helper()
		eventually(t, "goroutines and descriptors back to where they were", func() bool {
			return runtime.NumGoroutine() <= goroutines+5 && openFiles(t) <= files+5
		})
	}
}

// Connections that never say hello are closed (1008, with the reason) once the hello
// deadline passes: 300 of them, holding nothing afterwards.
func TestWebSocketsThatNeverSayHelloAreClosed(t *testing.T) {
	ts := startServer(t, func(c *program.Config) { c.HelloTimeout, c.MaxSockets = 300*time.Millisecond, 1000 })
	url := ts.wsURL("/b/", ts.newBoard(t).ID)
	back := wsBaseline(t)
	conns := make([]*rawWS, 300)
	for i := range conns {
		conns[i], _ = dialRaw(t, url, "", nil)
	}
	for i, c := range conns {
		op, p, err := c.next()
		for err == nil && op != 0x8 {
			op, p, err = c.next()
		}
		if err != nil || closeOf(p) != 1008 || !strings.Contains(string(p[2:]), "hello") {
			t.Fatalf("connection %d: %v, close %q; want 1008 naming hello", i, err, p)
		}
		c.conn.Close()
	}
	back()
}

// A message trickled a byte at a time is closed once it has taken longer than the
// message deadline: frames no longer buy time.
func TestTrickledMessageIsClosed(t *testing.T) {
	ts := startServer(t, func(c *program.Config) { c.MessageTimeout = 300 * time.Millisecond })
	url := ts.wsURL("/b/", ts.newBoard(t).ID)
	back := wsBaseline(t)
	c, _ := dialRaw(t, url, "", text(rawHello))
	c.until("welcome", isText(`"t":"welcome"`))
	c.send(frame(false, 0x1, []byte("{"), true))
	stop := make(chan struct{})
	go func() { // one-byte fragments, every 20 ms, until the server closes
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				if _, err := c.conn.Write(frame(false, 0x0, []byte(" "), true)); err != nil {
					return
				}
			}
		}
	}()
	defer close(stop)
	op, p, err := c.next()
	for err == nil && op != 0x8 {
		op, p, err = c.next()
	}
	if err != nil || closeOf(p) != 1008 {
		t.Fatalf("%v, close %q; want 1008", err, p)
	}
	c.conn.Close()
	back()
}

// One address may hold MaxSockets WebSockets; the next is refused before the upgrade
// with 429 and a message, and a place freed is a place taken again.
func TestWebSocketsPerAddressCap(t *testing.T) {
	ts := startServer(t, func(c *program.Config) { c.MaxSockets = 3 })
	url := ts.wsURL("/b/", ts.newBoard(t).ID)
	var open []*rawWS
	for range 3 {
		c, resp := dialRaw(t, url, "", text(rawHello))
		if resp.StatusCode != 101 {
			t.Fatalf("within the cap: %s", resp.Status)
		}
		c.until("welcome", isText(`"t":"welcome"`))
		open = append(open, c)
	}
	c, resp := dialRaw(t, url, "", nil)
	body, _ := io.ReadAll(io.LimitReader(c.br, 4096))
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(body), "too many connections") {
		t.Fatalf("over the cap: %s %q; want 429 saying too many connections", resp.Status, body)
	}
	open[0].conn.Close()
	eventually(t, "the closed connection's place to be free", func() bool {
		c, resp := dialRaw(t, url, "", nil)
		c.conn.Close()
		return resp.StatusCode == 101
	})
}

// Messages still arriving hold at most the server's partial-message memory between them:
// past it, the connection growing a message is closed with 1013, and the server serves
// the others.
func TestPartialMessagesMemoryCap(t *testing.T) {
	ts := startServer(t, func(c *program.Config) { c.MaxPartialBytes = 1 << 20 })
	url := ts.wsURL("/b/", ts.newBoard(t).ID)
	back := wsBaseline(t)
	part := bytes.Repeat([]byte("x"), 300<<10)
	closed := 0
	var conns []*rawWS
	for range 4 {
		c, _ := dialRaw(t, url, "", text(rawHello))
		c.until("welcome", isText(`"t":"welcome"`))
		conns = append(conns, c)
	}
	// One at a time: each starts a message of 300 KiB and pings; a connection still
	// reading its message answers the ping, one over the cap gets 1013.
	for i, c := range conns {
		_, _ = c.conn.Write(frame(false, 0x1, part, true))
		_, _ = c.conn.Write(frame(true, 0x9, []byte("still there?"), true))
		_ = c.conn.SetReadDeadline(time.Now().Add(wait))
		for {
			op, p, err := c.next()
			if err != nil {
				t.Fatalf("connection %d: %v", i, err)
			}
			if op == 0x8 {
				if closeOf(p) != 1013 {
					t.Fatalf("connection %d closed %d %q; want 1013", i, closeOf(p), p[2:])
				}
				closed++
				break
			}
			if op == 0xa {
				break
			}
		}
	}
	if closed == 0 {
		t.Fatal("no connection was refused over the partial-message cap")
	}
	for _, c := range conns {
		c.conn.Close()
	}
	p := join(t, url, 0)
	p.commit("after", put(rect("ok", 1)))
	back()
}
