package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"tabula/collab"
	"tabula/collab/bolt"
	"tabula/internal/client"
)

// fullDisk is a bbolt store whose commits fail, as on a full disk, while full is set.
type fullDisk struct {
	*bolt.Store
	full atomic.Bool
}

func (f *fullDisk) Commit(ctx context.Context, ws []collab.Write) error {
	if f.full.Load() {
		return fmt.Errorf("write: %w", syscall.ENOSPC)
	}
	return f.Store.Commit(ctx, ws)
}

func dialBoard(t *testing.T, ts *testServer, path string) (*client.Conn, *client.Msg) {
	t.Helper()
	c, _, err := client.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+path, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.WS.Close() })
	w, err := c.Hello(0, "tester", time.Now().Add(10*time.Second))
	if err != nil {
		t.Fatalf("join %s: %v", path, err)
	}
	return c, w
}

func rectOp(id string) map[string]any {
	return map[string]any{"o": "put", "el": map[string]any{"id": id, "type": "rect", "x": 1, "y": 2, "w": 30, "h": 40, "z": "a" + id}}
}

// readUntil reads c until cond holds, failing on a read error.
func readUntil(t *testing.T, c *client.Conn, cond func(*client.Msg) bool) *client.Msg {
	t.Helper()
	for {
		m, err := c.Read(time.Now().Add(10 * time.Second))
		if err != nil {
			t.Fatalf("reading: %v", err)
		}
		if cond(m) {
			return m
		}
	}
}

// closedWith reads c until the server closes it, and returns the close code.
func closedWith(c *client.Conn) int {
	for {
		_, err := c.Read(time.Now().Add(10 * time.Second))
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

// When a board's write fails (disk full), the editor hears that it could not be saved;
// viewers who were reading keep reading, and new viewers (and editors) can join and
// read what is durable. Once there is room again, writing carries on and reaches them.
func TestDiskFullKeepsReadersReading(t *testing.T) {
	b, err := bolt.Open(t.TempDir() + "/t.db")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	store := &fullDisk{Store: b}
	ts := startTestServer(t, store, Config{})
	board, err := ts.svc.CreateBoard(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	editor, _ := dialBoard(t, ts, "/b/"+board.ID+"/ws")
	editor.Send(map[string]any{"t": "ops", "cid": "c1", "ops": []any{rectOp("r1")}})
	readUntil(t, editor, func(m *client.Msg) bool { return m.T == "ack" && m.CID == "c1" })
	reader, w := dialBoard(t, ts, "/v/"+board.ViewID+"/ws")
	if w.Seq != 1 {
		t.Fatalf("viewer welcomed at seq %d, want 1", w.Seq)
	}

	store.full.Store(true)
	editor.Send(map[string]any{"t": "ops", "cid": "c2", "ops": []any{rectOp("r2")}})
	m := readUntil(t, editor, func(m *client.Msg) bool { return m.T == "error" || m.T == "ack" })
	if m.T != "error" || !strings.Contains(m.Message, "could not be saved") {
		t.Fatalf("editor got %s %q, want an error saying the board could not be saved", m.T, m.Message)
	}
	if code := closedWith(editor); code != 1011 {
		t.Fatalf("editor closed with %d, want 1011", code)
	}

	// Still full: ten viewers join and read the durable board, as does an editor, who
	// hears again that nothing can be saved when it tries.
	for i := range 10 {
		_, w := dialBoard(t, ts, "/v/"+board.ViewID+"/ws")
		if w.Seq != 1 || len(w.Elements) != 1 {
			t.Fatalf("viewer %d welcomed at seq %d with %d elements, want 1 and 1", i, w.Seq, len(w.Elements))
		}
	}
	again, w := dialBoard(t, ts, "/b/"+board.ID+"/ws")
	if w.Seq != 1 {
		t.Fatalf("editor rejoined at seq %d, want 1", w.Seq)
	}
	again.Send(map[string]any{"t": "ops", "cid": "c3", "ops": []any{rectOp("r3")}})
	if m := readUntil(t, again, func(m *client.Msg) bool { return m.T == "error" || m.T == "ack" }); m.T != "error" {
		t.Fatalf("a write on a full disk was answered %s", m.T)
	}

	// Room again: the next editor's batch is stored and reaches the viewer that has
	// been reading since before the failure.
	store.full.Store(false)
	writer, _ := dialBoard(t, ts, "/b/"+board.ID+"/ws")
	writer.Send(map[string]any{"t": "ops", "cid": "c4", "ops": []any{rectOp("r4")}})
	ack := readUntil(t, writer, func(m *client.Msg) bool { return m.T == "ack" && m.CID == "c4" || m.T == "error" })
	if ack.T != "ack" || ack.Seq != 2 {
		t.Fatalf("after the disk freed: %s seq %d %q, want ack at seq 2", ack.T, ack.Seq, ack.Message)
	}
	if got := readUntil(t, reader, func(m *client.Msg) bool { return m.T == "ops" }); got.Seq != 2 || got.CID != "c4" {
		t.Fatalf("the first viewer got ops seq %d cid %s, want seq 2 c4", got.Seq, got.CID)
	}
}
