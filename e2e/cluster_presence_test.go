package e2e

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"tabula/internal/client"
	"tabula/internal/redistest"
)

// rosterWatch follows a presence stream's roster as a page does.
type rosterWatch struct {
	t      *testing.T
	stream *client.EventStream
	sids   map[string]bool
}

func watchRoster(t *testing.T, url string) *rosterWatch {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s, err := client.Subscribe(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &rosterWatch{t: t, stream: s, sids: map[string]bool{}}
}

// until reads events until the roster's sids are want.
func (w *rosterWatch) until(what string, want ...string) {
	w.t.Helper()
	slices.Sort(want)
	deadline := time.AfterFunc(wait, func() { w.stream.Close() })
	defer deadline.Stop()
	for {
		got := slices.Sorted(maps.Keys(w.sids))
		if slices.Equal(got, want) {
			return
		}
		ev, err := w.stream.Next()
		if err != nil {
			w.t.Fatalf("waiting for %s: roster %v, want %v: %v", what, got, want, err)
		}
		switch ev.Type {
		case "roster":
			var people []struct{ SID string }
			if err := json.Unmarshal([]byte(ev.Data), &people); err != nil {
				w.t.Fatal(err)
			}
			clear(w.sids)
			for _, p := range people {
				w.sids[p.SID] = true
			}
		case "join", "leave":
			var p struct{ SID string }
			if err := json.Unmarshal([]byte(ev.Data), &p); err != nil {
				w.t.Fatal(err)
			}
			w.sids[p.SID] = ev.Type == "join"
			if ev.Type == "leave" {
				delete(w.sids, p.SID)
			}
		}
	}
}

// TestClusterPresenceIsTheUnion: a board's presence stream shows the people on it
// whichever node serves the stream; when the node holding their sessions dies without
// a word, they leave every stream once its roster entries expire.
func TestClusterPresenceIsTheUnion(t *testing.T) {
	checkLeaks(t)
	srv := redistest.Start(t)
	nodes := startNodes(t, srv, 2)
	a, b := nodes[0], nodes[1]
	board := a.newBoard(t)
	onB := watchRoster(t, b.URL+"/b/"+board.ID+"/presence")
	onA := watchRoster(t, a.URL+"/b/"+board.ID+"/presence")
	p1 := join(t, a.wsURL("/b/", board.ID), 0)
	p2 := join(t, b.wsURL("/b/", board.ID), 0) // forwarded: its session is on A
	onA.until("both people on the owner's stream", p1.sid, p2.sid)
	onB.until("both people on the other node's stream", p1.sid, p2.sid)
	if n := b.svc.Present(board.ID); n != 2 {
		t.Fatalf("B counts %d people on the board; want 2", n)
	}
	p2.c.WS.Close()
	onB.until("the one who left gone", p1.sid)
	// A dies: no leave is ever published; its entry expires.
	a.svc.Crash()
	a.stop()
	onB.until("the dead node's people gone")
}

// TestClusterReplacedLinkEndsStreamsOnEveryNode: replacing a board's edit link ends the
// presence streams on the old link on every node, as on one node — not only those the
// owner serves: a stream another node serves would otherwise go on showing who is on
// the board to whoever held the replaced link.
func TestClusterReplacedLinkEndsStreamsOnEveryNode(t *testing.T) {
	checkLeaks(t)
	srv := redistest.Start(t)
	nodes := startNodes(t, srv, 2)
	a, b := nodes[0], nodes[1]
	board := a.newBoard(t)
	p := join(t, a.wsURL("/b/", board.ID), 0) // A owns the board
	onB := watchRoster(t, b.URL+"/b/"+board.ID+"/presence")
	onB.until("the editor on B's stream", p.sid)

	resp, err := http.Post(a.URL+"/b/"+board.ID+"/rotate?link=edit", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("replace the edit link: %d", resp.StatusCode)
	}
	var timedOut atomic.Bool
	deadline := time.AfterFunc(wait, func() { timedOut.Store(true); onB.stream.Close() })
	defer deadline.Stop()
	for {
		if _, err := onB.stream.Next(); err != nil {
			if timedOut.Load() {
				t.Fatalf("B's stream on the replaced link still open after %v", wait)
			}
			return
		}
	}
}
