package e2e

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"tabula/collab"
	"tabula/collab/wire"
	"tabula/internal/client"
	"tabula/internal/testtool"
)

// A panic in a board's goroutine is recovered and logged with its stack; the board's
// people are closed with 1011 "internal error"; the server keeps serving other boards;
// and the board loads again, with everything acknowledged, on the next join.
func TestRoomPanicIsRecovered(t *testing.T) {
	var logs testtool.LogBuffer
	ts := startProgram(t, testConfig(t), slog.New(slog.NewTextHandler(&logs, nil)))
	sick, well := ts.newBoard(t), ts.newBoard(t)
	collab.SetTestHookRoom(func(board string, m *wire.Message) {
		if board == sick.ID && m.Type == wire.MsgTitle && m.Title == "panic" {
			panic("injected by the test")
		}
	})
	t.Cleanup(func() { collab.SetTestHookRoom(nil) })

	a := join(t, ts.wsURL("/b/", sick.ID), 0)
	viewer := join(t, ts.wsURL("/v/", sick.ViewID), 0)
	a.commit("one", put(rect("r1", 1)))
	a.commit("two", put(rect("r2", 2)))
	other := join(t, ts.wsURL("/b/", well.ID), 0)
	other.commit("o1", put(rect("o1", 1)))

	if err := a.c.Send(map[string]any{"t": "title", "title": "panic"}); err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]*peer{"editor": a, "viewer": viewer} {
		if code, reason := closeAndReason(p.c); code != collab.CloseInternal || reason != "internal error" {
			t.Errorf("%s closed with %d %q, want 1011 \"internal error\"", name, code, reason)
		}
	}
	if l := logs.String(); !strings.Contains(l, "injected by the test") || !strings.Contains(l, "roomguard.go") {
		t.Errorf("the panic was not logged with its stack:\n%s", l)
	}

	// Other boards and the HTTP side carry on.
	other.commit("o2", put(rect("o2", 2)))
	if resp, err := http.Get(ts.URL + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz after the panic: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	// The board loads again with its data and takes changes.
	b := join(t, ts.wsURL("/b/", sick.ID), 0)
	if b.doc.Els["r1"] == nil || b.doc.Els["r2"] == nil {
		t.Fatalf("the board came back without its elements: %v", b.doc.Els)
	}
	b.commit("three", put(rect("r3", 3)))
	c := join(t, ts.wsURL("/b/", sick.ID), 0)
	if len(c.doc.Els) != 3 {
		t.Fatalf("after the reload a newcomer sees %d elements, want 3", len(c.doc.Els))
	}
}

// closeAndReason reads until the connection ends and returns its close code and reason (-1 if
// it ended without a close frame).
func closeAndReason(c *client.Conn) (int, string) {
	for {
		_, err := c.Read(time.Now().Add(wait))
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			return ce.Code, ce.Text
		}
		return -1, err.Error()
	}
}
