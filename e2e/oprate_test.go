package e2e

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"tabula/app/program"
	"tabula/collab"
	"tabula/collab/wire"
	"tabula/internal/client"
)

// dialFrom opens a board's WebSocket as a client that a trusted proxy (the test's own
// 127.0.0.1) says is xff, and says hello.
func dialFrom(t *testing.T, url, xff string) *client.Conn {
	t.Helper()
	h := http.Header{}
	if xff != "" {
		h.Set("X-Forwarded-For", xff)
	}
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	ws, _, err := d.Dial(url, h)
	if err != nil {
		t.Fatal(err)
	}
	c := &client.Conn{WS: ws}
	t.Cleanup(func() { ws.Close() })
	if _, err := c.Hello(0, "tester", time.Now().Add(wait)); err != nil {
		t.Fatal(err)
	}
	return c
}

// kbStroke is a put of a stroke of about 1.3 KB.
func kbStroke(id string) map[string]any {
	pts := make([][]float64, 100)
	for i := range pts {
		pts[i] = []float64{float64(i), float64(i % 7)}
	}
	return put(map[string]any{"id": id, "type": "stroke", "x": 0, "y": 0, "points": pts, "stroke": "#1e1e1e", "width": 2, "z": "a0"})
}

// refusal reads until the connection ends and returns the rate_limited error it was
// sent and the close frame's code and reason.
func refusal(t *testing.T, c *client.Conn) (errMsg *client.Msg, code int, reason string) {
	t.Helper()
	for {
		m, err := c.Read(time.Now().Add(wait))
		if err != nil {
			var ce *websocket.CloseError
			if errors.As(err, &ce) {
				return errMsg, ce.Code, ce.Text
			}
			t.Fatalf("connection ended without a close frame: %v", err)
		}
		if m.T == "error" && m.Code == wire.ERateLimited {
			errMsg = m
		}
	}
}

// storedIDs returns the ids of the live elements of board id, as a newcomer sees them.
func storedIDs(t *testing.T, ts *testServer, id string) map[string]bool {
	t.Helper()
	p := join(t, ts.wsURL("/b/", id), 0)
	ids := map[string]bool{}
	for k := range p.doc.Els {
		ids[k] = true
	}
	return ids
}

// assertPrefix checks that what is stored of the n batches sent (one element each,
// "<prefix><i>") is the first k of them, 0 < k < n: the limit let the start through
// and stored nothing after the batch it refused.
func assertPrefix(t *testing.T, stored map[string]bool, prefix string, n int) int {
	t.Helper()
	k := 0
	for k < n && stored[fmt.Sprint(prefix, k)] {
		k++
	}
	for i := k; i < n; i++ {
		if stored[fmt.Sprint(prefix, i)] {
			t.Fatalf("batch %d stored after batch %d was refused", i, k)
		}
	}
	if k == 0 || k == n {
		t.Fatalf("%d of %d batches stored; want the limit to let some through and refuse the rest", k, n)
	}
	return k
}

// One connection that stores changes faster than -op-rate allows is closed with 1008
// and a reason a person can read, after an error that says when to come back; nothing
// it sent past the limit is stored.
func TestOpRateLimitPerConnection(t *testing.T) {
	ts := startServer(t, func(c *program.Config) {
		c.ConnOpRate = collab.OpRate{PerSecond: 1 << 10, Burst: 8 << 10}
		c.AddrOpRate = collab.OpRate{}
	})
	b := ts.newBoard(t)
	c := dialFrom(t, ts.wsURL("/b/", b.ID), "")
	const n = 40 // 52 KB: far past the 8 KiB burst, however the test is scheduled
	for i := range n {
		if err := c.Send(map[string]any{"t": "ops", "cid": fmt.Sprint("c", i), "ops": []any{kbStroke(fmt.Sprint("s", i))}}); err != nil {
			break // closed under us: the rest was refused anyway
		}
	}
	e, code, reason := refusal(t, c)
	if code != collab.ClosePolicy || !strings.Contains(reason, "faster than this server allows") {
		t.Fatalf("closed with %d %q, want 1008 with the reason", code, reason)
	}
	if e == nil || !strings.Contains(string(e.Raw), `"retry":`) {
		t.Fatalf("no rate_limited error with a retry time before the close: %+v", e)
	}
	k := assertPrefix(t, storedIDs(t, ts, b.ID), "s", n)
	t.Logf("%d of %d batches stored", k, n)

	// Another connection from the same address has a bucket of its own.
	p := join(t, ts.wsURL("/b/", b.ID), 0)
	p.commit("again", kbStroke("again"))
}

// The per-address limit counts every connection of one client address, keyed on the
// address a trusted proxy saw; a client that writes its own X-Forwarded-For entries
// does not get a fresh bucket, and another address is not affected.
func TestOpRateLimitPerAddress(t *testing.T) {
	ts := startServer(t, func(c *program.Config) {
		c.ConnOpRate = collab.OpRate{}
		c.AddrOpRate = collab.OpRate{PerSecond: 1 << 10, Burst: 8 << 10}
		c.ProxyHeader = "X-Forwarded-For"
	})
	b := ts.newBoard(t)
	url := ts.wsURL("/b/", b.ID)
	// Four connections of one client, each claiming another address to the left of the
	// one the proxy appended.
	var conns []*client.Conn
	for i := range 4 {
		conns = append(conns, dialFrom(t, url, fmt.Sprintf("198.51.100.%d, 192.0.2.1", i)))
	}
	const n = 40
	closed := map[int]bool{}
	for i := range n {
		j := i % len(conns)
		if closed[j] {
			continue
		}
		if err := conns[j].Send(map[string]any{"t": "ops", "cid": fmt.Sprint("c", i), "ops": []any{kbStroke(fmt.Sprint("s", i))}}); err != nil {
			closed[j] = true
		}
	}
	// The address's 8 KiB take about six of the 40 batches, whichever connections sent
	// them; every connection has batches after that, so each is refused.
	for j, c := range conns {
		if _, code, reason := refusal(t, c); code != collab.ClosePolicy {
			t.Fatalf("connection %d closed with %d %q, want 1008", j, code, reason)
		}
	}
	stored := storedIDs(t, ts, b.ID)
	if len(stored) >= n {
		t.Fatalf("%d of %d batches stored, want the address's budget to stop it", len(stored), n)
	}
	// Each connection's batches reach the room in order: of each, the start is stored,
	// nothing after its first refused batch.
	for j := range conns {
		seen := false
		for i := j; i < n; i += len(conns) {
			id := fmt.Sprint("s", i)
			if seen && stored[id] {
				t.Fatalf("connection %d: batch %d stored after an earlier one was refused", j, i)
			}
			seen = seen || !stored[id]
		}
	}

	// The same client reconnecting is still over its budget (a batch of 6.5 KB takes
	// seconds to earn at 1 KiB/s); another address is not.
	c := dialFrom(t, url, "203.0.113.5, 192.0.2.1")
	big := []any{kbStroke("late1"), kbStroke("late2"), kbStroke("late3"), kbStroke("late4"), kbStroke("late5")}
	c.Send(map[string]any{"t": "ops", "cid": "late", "ops": big})
	if _, code, _ := refusal(t, c); code != collab.ClosePolicy {
		t.Fatalf("the same address reconnecting: closed with %d, want 1008", code)
	}
	other := dialFrom(t, url, "192.0.2.2")
	other.Send(map[string]any{"t": "ops", "cid": "other", "ops": []any{kbStroke("other")}})
	m := readUntil(t, other, func(m *client.Msg) bool { return m.T == "ack" || m.T == "error" })
	if m.T != "ack" {
		t.Fatalf("another address refused: %s %s", m.Code, m.Message)
	}
}
