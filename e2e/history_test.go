package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"tabula/app/program"
	"tabula/collab/wire"
	"tabula/internal/client"
)

// content is a board's live elements without the server's bookkeeping, as JSON: what
// two versions must agree on to look the same.
func content(els map[string]map[string]any) string {
	var out []string
	for _, el := range els {
		if el["deleted"] == true {
			continue
		}
		c := map[string]any{}
		for k, v := range el {
			if k != "v" && k != "by" && k != "at" && (k != "deleted" || v != false) {
				c[k] = v
			}
		}
		b, _ := json.Marshal(c)
		out = append(out, string(b))
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// copyEls copies a doc's elements.
func copyEls(d *client.Doc) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, el := range d.Els {
		b, _ := json.Marshal(el)
		var c map[string]any
		json.Unmarshal(b, &c)
		out[id] = c
	}
	return out
}

// version fetches GET /b/{id}/history/{seq} as elements by id.
func version(t *testing.T, ts *testServer, id string, seq int64) map[string]map[string]any {
	t.Helper()
	resp, body := get(t, ts.URL+"/b/"+id+"/history/"+itoa(seq))
	if resp.StatusCode != 200 {
		t.Fatalf("version %d: %d %s", seq, resp.StatusCode, body)
	}
	var v struct {
		Seq      int64            `json:"seq"`
		Elements []map[string]any `json:"elements"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.Seq != seq {
		t.Fatalf("version %d: seq %d %v", seq, v.Seq, err)
	}
	out := map[string]map[string]any{}
	for _, el := range v.Elements {
		out[el["id"].(string)] = el
	}
	return out
}

// edits makes a history: puts, moves, recolours and deletes, returning the doc's
// elements after each seq.
func edits(t *testing.T, p *peer, n int) map[int64]map[string]map[string]any {
	t.Helper()
	states := map[int64]map[string]map[string]any{}
	for i := range n {
		id := "r" + itoa(int64(i%7))
		var seq int64
		switch {
		case i < 7:
			seq = p.commit("h"+itoa(int64(i)), put(rect(id, float64(10*i))))
		case i%5 == 0:
			seq = p.commit("h"+itoa(int64(i)), del(id))
		case i%5 == 1:
			seq = p.commit("h"+itoa(int64(i)), patch(id, map[string]any{"deleted": false, "fill": "#ffc9c9"}))
		default:
			seq = p.commit("h"+itoa(int64(i)), patch(id, map[string]any{"x": float64(i), "y": float64(i * 2)}))
		}
		p.untilSeq(seq)
		states[seq] = copyEls(p.doc)
	}
	return states
}

func TestHistory(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) { c.SnapshotEvery = 4 })
	b := ts.newBoard(t)
	p := join(t, ts.wsURL("/b/", b.ID), 0)
	states := edits(t, p, 30)

	t.Run("EveryVersionMatchesTheBoardThen", func(t *testing.T) {
		for seq, want := range states {
			if got := version(t, ts, b.ID, seq); content(got) != content(want) {
				t.Fatalf("version %d:\n%s\nwant\n%s", seq, content(got), content(want))
			}
		}
	})
	t.Run("TimelineSaysWhoAndWhat", func(t *testing.T) {
		_, body := get(t, ts.URL+"/v/"+b.ViewID+"/history?limit=5")
		var h struct {
			Entries []struct {
				Seq             int64
				Name            string
				At              int64
				Put, Patch, Del int
			}
		}
		if err := json.Unmarshal(body, &h); err != nil || len(h.Entries) != 5 {
			t.Fatalf("history: %v %s", err, body)
		}
		if h.Entries[0].Seq != 30 || h.Entries[4].Seq != 26 || h.Entries[0].Name != "tester" || h.Entries[0].At == 0 {
			t.Fatalf("entries %+v", h.Entries)
		}
		_, body = get(t, ts.URL+"/b/"+b.ID+"/history?before=3")
		json.Unmarshal(body, &h)
		if len(h.Entries) != 2 || h.Entries[1].Seq != 1 || h.Entries[1].Put != 1 {
			t.Fatalf("the oldest page: %+v", h.Entries)
		}
	})
	t.Run("RestoreThenUndo", func(t *testing.T) {
		watcher := join(t, ts.wsURL("/v/", b.ViewID), p.doc.Seq)
		before := p.doc.Seq
		original := content(p.doc.Els)
		resp, body := post(t, ts.URL+"/b/"+b.ID+"/restore?at=9", "", nil)
		if resp.StatusCode != 200 {
			t.Fatalf("restore: %d %s", resp.StatusCode, body)
		}
		var r struct{ Seq int64 }
		json.Unmarshal(body, &r)
		watcher.untilSeq(r.Seq)
		p.untilSeq(r.Seq)
		if got := content(watcher.doc.Els); got != content(states[9]) {
			t.Fatalf("after restoring version 9 the board is\n%s\nwant\n%s", got, content(states[9]))
		}
		// Undo: restore the version just before the restore.
		resp, body = post(t, ts.URL+"/b/"+b.ID+"/restore?at="+itoa(before), "", nil)
		if resp.StatusCode != 200 {
			t.Fatalf("undo: %d %s", resp.StatusCode, body)
		}
		json.Unmarshal(body, &r)
		watcher.untilSeq(r.Seq)
		p.untilSeq(r.Seq)
		if got := content(watcher.doc.Els); got != original {
			t.Fatalf("after undoing the restore the board is\n%s\nwant\n%s", got, original)
		}
		if resp, _ := post(t, ts.URL+"/v/"+b.ViewID+"/restore?at=3", "", nil); resp.StatusCode != 404 {
			t.Fatalf("restore through the view link: %d", resp.StatusCode)
		}
	})
	t.Run("CompactionKeepsTheCurrentBoard", func(t *testing.T) {
		ctx := context.Background()
		ts.stop()
		ts2 := startServerWith(t, ts.cfg)
		seq, els, err := ts2.svc.State(ctx, b.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		beforeJSON := encodeAll(els)
		// Everything is older than a cutoff in the future: all of it is thinned.
		if err := ts2.svc.CompactHistory(ctx, b.ID, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		seq2, els2, err := ts2.svc.State(ctx, b.ID, 0)
		if err != nil || seq2 != seq || encodeAll(els2) != beforeJSON {
			t.Fatalf("the current board changed: seq %d → %d, %v", seq, seq2, err)
		}
		// Versions before the compaction are gone, except one a day (the latest of
		// today, which is the compaction point).
		if resp, _ := get(t, ts2.URL+"/b/"+b.ID+"/history/3"); resp.StatusCode != 400 {
			t.Fatalf("a thinned version: %d", resp.StatusCode)
		}
		q := join(t, ts2.wsURL("/b/", b.ID), 0)
		if q.doc.Seq != seq || content(q.doc.Els) != content(p.doc.Els) {
			t.Fatalf("a joining client sees seq %d:\n%s", q.doc.Seq, content(q.doc.Els))
		}
		q.commit("after", put(rect("new", 1)))
	})
}

// encodeAll is every element, tombstones and bookkeeping included, in id order.
func encodeAll(els []*wire.Element) string {
	sort.Slice(els, func(i, j int) bool { return els[i].ID < els[j].ID })
	b, _ := json.Marshal(els)
	return string(b)
}

func TestTrash(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) { c.RoomIdle = 10 * time.Millisecond })
	b := ts.newBoard(t)
	p := join(t, ts.wsURL("/b/", b.ID), 0)
	p.commit("c1", put(rect("r1", 0)))
	html := func(url string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		req.Header.Set("Accept", "text/html")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var sb strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			sb.Write(buf[:n])
			if err != nil {
				break
			}
		}
		return resp.StatusCode, sb.String()
	}
	if resp, _ := post(t, ts.URL+"/v/"+b.ViewID+"/delete", "", nil); resp.StatusCode != 404 {
		t.Fatalf("delete through the view link: %d", resp.StatusCode)
	}
	if resp, body := post(t, ts.URL+"/b/"+b.ID+"/delete", "", nil); resp.StatusCode != 204 {
		t.Fatalf("delete: %d %s", resp.StatusCode, body)
	}
	// Whoever was on the board is told and disconnected.
	m := p.until(func(m *client.Msg) bool { return m.T == "error" })
	if m.Code != "trashed" {
		t.Fatalf("error %s %s", m.Code, m.Message)
	}
	if status, page := html(ts.URL + "/b/" + b.ID); status != 410 || !strings.Contains(page, "/b/"+b.ID+"/undelete") {
		t.Fatalf("edit link of a deleted board: %d\n%s", status, page)
	}
	if status, _ := html(ts.URL + "/v/" + b.ViewID); status != 404 {
		t.Fatalf("view link of a deleted board: %d", status)
	}
	if _, resp, err := client.Dial(ts.wsURL("/b/", b.ID), ""); err == nil || resp == nil || resp.StatusCode != 410 {
		t.Fatalf("websocket to a deleted board: %v", err)
	}
	if resp, _ := post(t, ts.URL+"/b/"+b.ID+"/undelete", "", nil); resp.StatusCode != 303 {
		t.Fatalf("undelete: %d", resp.StatusCode)
	}
	if status, _ := html(ts.URL + "/b/" + b.ID); status != 200 {
		t.Fatalf("restored board: %d", status)
	}
	q := join(t, ts.wsURL("/b/", b.ID), 0)
	if len(q.doc.Els) != 1 {
		t.Fatalf("restored board has %d elements", len(q.doc.Els))
	}
	q.c.Close()

	// Deleted again and left in the trash past its time, it is purged.
	if resp, _ := post(t, ts.URL+"/b/"+b.ID+"/delete", "", nil); resp.StatusCode != 204 {
		t.Fatal("second delete failed")
	}
	waitFor(t, "the room to unload", func() bool { return ts.svc.Rooms() == 0 })
	if err := ts.svc.Tidy(context.Background(), time.Now().Add(ts.cfg.Retention.Trash+time.Hour)); err != nil {
		t.Fatal(err)
	}
	if status, _ := html(ts.URL + "/b/" + b.ID); status != 404 {
		t.Fatalf("purged board: %d", status)
	}
}

// Pages that say what state a board is in are never cached: a browser that kept the
// trash page's 410 showed "in the trash" after the board was restored, until a hard
// reload. The board page, the trash page, not-found pages and the home page are
// no-store.
func TestStatePagesAreNotCached(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	page := func(path string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		req.Header.Set("Accept", "text/html")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header.Get("Cache-Control")
	}
	check := func(name, path string, want int) {
		t.Helper()
		if code, cc := page(path); code != want || cc != "no-store" {
			t.Errorf("%s: %d with Cache-Control %q, want %d and no-store", name, code, cc, want)
		}
	}
	check("Home", "/", 200)
	check("Board", "/b/"+b.ID, 200)
	check("Unknown board", "/b/nosuchboardnosuchboard00", 404)
	if resp, body := post(t, ts.URL+"/b/"+b.ID+"/delete", "", nil); resp.StatusCode != 204 {
		t.Fatalf("delete: %d %s", resp.StatusCode, body)
	}
	check("Trash page", "/b/"+b.ID, 410)
	if resp, body := post(t, ts.URL+"/b/"+b.ID+"/undelete", "", nil); resp.StatusCode != 303 && resp.StatusCode != 200 {
		t.Fatalf("undelete: %d %s", resp.StatusCode, body)
	}
	check("Board after restore", "/b/"+b.ID, 200)
}
