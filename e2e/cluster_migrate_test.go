package e2e

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"testing"

	"tabula/app/program"
	"tabula/internal/redistest"
)

// TestClusterMigrateRoundTrip moves a node's boards from its bbolt file into Redis with
// `tabula migrate` and back into a new file, and checks that a server on the new file
// serves every board as the first did: the same elements, seq and title.
func TestClusterMigrateRoundTrip(t *testing.T) {
	bin := tabulaBinary(t)
	ts := startServer(t)
	type board struct {
		id, title string
		seq       int64
		els       string
	}
	var boards []board
	for b := range 3 {
		id := postBoard(t, ts)
		p := join(t, ts.wsURL("/b/", id), 0)
		for i := range 5 + b {
			el := fmt.Sprintf("e%d", i)
			p.commit(fmt.Sprintf("c%d", i), put(map[string]any{"id": el, "type": "rect", "x": i * 10, "y": b, "w": 20, "h": 20, "z": fmt.Sprintf("a%d", i)}))
			if i%2 == 1 {
				p.commit(fmt.Sprintf("p%d", i), patch(el, map[string]any{"fill": "#ffc9c9"}))
			}
		}
		p.commit("gone", del("e0"))
		title := fmt.Sprintf("Board %d", b)
		if err := p.c.Send(map[string]any{"t": "title", "title": title}); err != nil {
			t.Fatal(err)
		}
		waitUntil(t, wait, "the title stored", func() error {
			if m, err := ts.svc.Board(t.Context(), id); err != nil || m.Title != title {
				return fmt.Errorf("title %q, %v", m.Title, err)
			}
			return nil
		})
		els, _ := json.Marshal(p.doc.Els)
		boards = append(boards, board{id: id, title: title, seq: p.doc.Seq, els: string(els)})
	}
	ts.stop()

	r := redistest.Start(t)
	back := filepath.Join(t.TempDir(), "back.db")
	migrate := func(args ...string) {
		t.Helper()
		out, err := exec.Command(bin, append([]string{"migrate"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tabula migrate %v: %v\n%s", args, err, out)
		}
		t.Logf("tabula migrate %v:\n%s", args, out)
	}
	migrate("-from", ts.cfg.DataPath, "-to", r.URL())
	// A node on the Redis serves the boards as they were.
	c := startCluster(t, 1, r.URL())
	for _, b := range boards {
		p := join(t, boardWS(c.node(0).URL(), b.id), 0)
		if els, _ := json.Marshal(p.doc.Els); p.doc.Seq != b.seq || string(els) != b.els {
			t.Errorf("board %s from Redis: seq %d\n%s\nwant seq %d\n%s", b.id, p.doc.Seq, els, b.seq, b.els)
		}
		p.c.Close()
	}
	c.stop()
	migrate("-from", r.URL(), "-to", back)

	ts2 := startServer(t, func(c *program.Config) { c.DataPath = back })
	for _, b := range boards {
		p := join(t, ts2.wsURL("/b/", b.id), 0)
		els, _ := json.Marshal(p.doc.Els)
		if p.doc.Seq != b.seq || string(els) != b.els {
			t.Errorf("board %s after the round trip: seq %d\n%s\nwant seq %d\n%s", b.id, p.doc.Seq, els, b.seq, b.els)
		}
		meta, err := ts2.svc.Board(t.Context(), b.id)
		if err != nil {
			t.Fatalf("board %s: %v", b.id, err)
		}
		if meta.Title != b.title {
			t.Errorf("board %s: title %q, want %q", b.id, meta.Title, b.title)
		}
	}
}
