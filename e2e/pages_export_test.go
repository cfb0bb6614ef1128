package e2e

import (
	"bytes"
	"encoding/json"
	"image"
	"image/png"
	"slices"
	"strings"
	"testing"

	"tabula/app/program"
	"tabula/internal/client"
	"tabula/internal/testtool"
)

// pageBoard puts three pages on a board through a real client: the first page (never
// written as an element) with a red rectangle, page "ideas" with a blue one in frame
// fI, and page "plan", ordered between them, with frame fP. Page order is first, plan,
// ideas; so a deck is fP then fI although fI has the lower z.
func pageBoard(t *testing.T, p *peer) {
	t.Helper()
	p.commit("pages",
		put(map[string]any{"id": "ideas", "type": "page", "text": "Ideas", "z": "a2"}),
		put(map[string]any{"id": "plan", "type": "page", "text": "Plan", "z": "a1"}),
		put(map[string]any{"id": "red", "type": "rect", "x": 0, "y": 0, "w": 100, "h": 50, "fill": "#ff0000", "fillStyle": "solid", "z": "b0"}),
		put(map[string]any{"id": "fI", "type": "frame", "page": "ideas", "x": 0, "y": 0, "w": 80, "h": 160, "text": "Idea", "z": "a0"}),
		put(map[string]any{"id": "blue", "type": "rect", "page": "ideas", "frame": "fI", "x": 0, "y": 0, "w": 80, "h": 160, "fill": "#0000ff", "fillStyle": "solid", "z": "b1"}),
		put(map[string]any{"id": "fP", "type": "frame", "page": "plan", "x": 0, "y": 0, "w": 300, "h": 100, "text": "Goal", "z": "a9"}),
		put(map[string]any{"id": "redP", "type": "rect", "page": "plan", "frame": "fP", "x": 0, "y": 0, "w": 300, "h": 100, "fill": "#ff0000", "fillStyle": "solid", "z": "b2"}),
	)
}

// TestExportPages exports each page alone, the first by default, the whole board as
// JSON, and every frame of every page as one PDF in page order.
func TestExportPages(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	p := join(t, ts.wsURL("/b/", b.ID), 0)
	pageBoard(t, p)
	base := ts.URL + "/b/" + b.ID + "/export."
	pic := func(t *testing.T, url string) image.Image {
		t.Helper()
		resp, body := get(t, url)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %.200s", url, resp.StatusCode, body)
		}
		img, err := png.Decode(bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		return img
	}
	centre := func(img image.Image) (int, int) { s := img.Bounds().Size(); return s.X / 2, s.Y / 2 }
	t.Run("ImageOfTheFirstPageByDefault", func(t *testing.T) {
		img := pic(t, base+"png?padding=0")
		// The red rectangle and its outline: nothing of the other pages widens it.
		if got := img.Bounds().Size(); got.X > 110 || got.Y > 60 {
			t.Fatalf("the default export is %v, want the first page's 100x50 and its outline", got)
		}
		x, y := centre(img)
		pixelIs(t, img, x, y, pureRed)
		if again := pic(t, base+"png?padding=0&page=page1"); again.Bounds() != img.Bounds() {
			t.Fatalf("page=page1 is %v, the default %v", again.Bounds(), img.Bounds())
		}
	})
	t.Run("ImageOfOnePage", func(t *testing.T) {
		img := pic(t, base+"png?padding=0&page=ideas")
		if got := img.Bounds().Size(); got.X > 90 || got.Y < 160 {
			t.Fatalf("page ideas is %v, want 80x160 and the frame's name", got)
		}
		pixelIs(t, img, img.Bounds().Size().X/2, img.Bounds().Size().Y-40, pureBlue)
		_, svg := get(t, ts.URL+"/v/"+b.ViewID+"/export.svg?page=ideas")
		if !strings.Contains(string(svg), "#0000ff") || strings.Contains(string(svg), "#ff0000") {
			t.Fatalf("the SVG of page ideas through the view link: %.300s", svg)
		}
	})
	t.Run("MissingPage", func(t *testing.T) {
		for _, q := range []string{"png?page=nope", "json?page=nope", "pdf?page=a%20b"} {
			if resp, body := get(t, base+q); resp.StatusCode/100 != 4 {
				t.Fatalf("%s: %d %.200s", q, resp.StatusCode, body)
			}
		}
	})
	t.Run("JSONHoldsEveryPage", func(t *testing.T) {
		_, body := get(t, base+"json")
		var f struct {
			Version  int
			Elements []struct{ ID, Type, Page string }
		}
		if err := json.Unmarshal(body, &f); err != nil || f.Version != 4 || len(f.Elements) != 7 {
			t.Fatalf("%v version %d, %d elements: %s", err, f.Version, len(f.Elements), body)
		}
		_, body = get(t, base+"json?page=ideas")
		f.Elements = nil
		json.Unmarshal(body, &f)
		var ids []string
		for _, e := range f.Elements {
			ids = append(ids, e.ID)
		}
		if slices.Sort(ids); strings.Join(ids, ",") != "blue,fI,ideas" {
			t.Fatalf("page ideas as a file holds %v", ids)
		}
		// The file of one page imports as a board with that page.
		resp, made := post(t, ts.URL+"/import", "application/json", body)
		if resp.StatusCode != 201 {
			t.Fatalf("import: %d %s", resp.StatusCode, made)
		}
	})
	t.Run("DeckInPageOrderThenFrameOrder", func(t *testing.T) {
		resp, body := get(t, base+"pdf?frames=all")
		if resp.StatusCode != 200 {
			t.Fatalf("%d %.200s", resp.StatusCode, body)
		}
		pages := testtool.PDFPages(t, body, 96)
		if len(pages) != 2 {
			t.Fatalf("%d pages, want 2", len(pages))
		}
		if a, b := pages[0].Bounds().Size(), pages[1].Bounds().Size(); a != (image.Point{300, 100}) || b != (image.Point{80, 160}) {
			t.Fatalf("pages are %v then %v, want frame Goal (page Plan, 300x100) then Idea (page Ideas, 80x160)", a, b)
		}
		pixelIs(t, pages[0], 150, 50, pureRed)
		pixelIs(t, pages[1], 40, 80, pureBlue)
		// One page's frames only.
		_, body = get(t, base+"pdf?frames=all&page=ideas")
		if n := len(testtool.PDFPages(t, body, 96)); n != 1 {
			t.Fatalf("the deck of page ideas has %d pages, want 1", n)
		}
	})
}

// TestRestoreWithPages restores a version with a page that was deleted since, and one
// from before the page existed: the page comes and goes with everything on it.
func TestRestoreWithPages(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	p := join(t, ts.wsURL("/b/", b.ID), 0)
	first := p.commit("one", put(rect("a", 0)))
	withPage := p.commit("page",
		put(map[string]any{"id": "p2", "type": "page", "text": "Two", "z": "a1"}),
		put(map[string]any{"id": "f", "type": "frame", "page": "p2", "w": 100, "h": 100, "z": "a2"}),
		put(map[string]any{"id": "m", "type": "rect", "page": "p2", "frame": "f", "w": 10, "h": 10, "z": "a3"}))
	p.commit("gone", del("m"), del("f"), del("p2"))
	want := content(version(t, ts, b.ID, withPage))
	for _, at := range []int64{withPage, first, withPage} {
		resp, body := post(t, ts.URL+"/b/"+b.ID+"/restore?at="+itoa(at), "", nil)
		if resp.StatusCode != 200 {
			t.Fatalf("restore %d: %d %s", at, resp.StatusCode, body)
		}
		var r struct{ Seq int64 }
		json.Unmarshal(body, &r)
		p.untilSeq(r.Seq)
		if got, want := content(p.doc.Els), content(version(t, ts, b.ID, at)); got != want {
			t.Fatalf("after restoring %d:\n%s\nwant\n%s", at, got, want)
		}
	}
	if got := content(p.doc.Els); got != want || !strings.Contains(got, `"page":"p2"`) {
		t.Fatalf("the page did not come back with its elements:\n%s", got)
	}
}

// TestPageRidesWithViewsAndCursors: the page a cursor or view names reaches the others
// as sent, and none is sent for the first page.
func TestPageRidesWithViewsAndCursors(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	ana := join(t, ts.wsURL("/b/", b.ID), 0)
	bob := join(t, ts.wsURL("/v/", b.ViewID), 0)
	if err := ana.c.SendRaw([]byte(`{"t":"view","x":0,"y":0,"w":100,"h":80,"page":"p2"}`)); err != nil {
		t.Fatal(err)
	}
	m := bob.until(func(m *client.Msg) bool { return m.T == "view" })
	if !strings.Contains(string(m.Raw), `"page":"p2"`) {
		t.Fatalf("the view reached bob as %s", m.Raw)
	}
	if err := ana.c.SendRaw([]byte(`{"t":"cursor","x":1,"y":2}`)); err != nil {
		t.Fatal(err)
	}
	m = bob.until(func(m *client.Msg) bool { return m.T == "cursor" })
	if strings.Contains(string(m.Raw), `"page"`) {
		t.Fatalf("a cursor on the first page reached bob as %s", m.Raw)
	}
}

// TestRestoreMovesAFrameBackAcrossPages restores a version from before a frame and its
// members moved to another page, on a server whose small batches split the restore: the
// frame goes back with its members in one batch (the server refuses a frame that
// changes page without them).
func TestRestoreMovesAFrameBackAcrossPages(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) { c.Limits.MaxBatch = 4 })
	b := ts.newBoard(t)
	p := join(t, ts.wsURL("/b/", b.ID), 0)
	p.commit("page", put(map[string]any{"id": "p2", "type": "page", "z": "a1"}),
		put(map[string]any{"id": "f", "type": "frame", "page": "p2", "w": 100, "h": 100, "z": "b0"}),
		put(map[string]any{"id": "m1", "type": "rect", "page": "p2", "frame": "f", "w": 10, "h": 10, "z": "b1"}),
		put(map[string]any{"id": "m2", "type": "rect", "page": "p2", "frame": "f", "w": 10, "h": 10, "z": "b2"}))
	for i := range 6 {
		p.commit("r"+itoa(int64(i)), put(rect("r"+itoa(int64(i)), float64(i))))
	}
	at := p.doc.Seq
	p.commit("move", patch("f", map[string]any{"page": ""}), patch("m1", map[string]any{"page": ""}), patch("m2", map[string]any{"page": ""}))
	for i := range 6 {
		p.commit("x"+itoa(int64(i)), patch("r"+itoa(int64(i)), map[string]any{"x": 100 + i}))
	}
	resp, body := post(t, ts.URL+"/b/"+b.ID+"/restore?at="+itoa(at), "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("restore: %d %s", resp.StatusCode, body)
	}
	var r struct{ Seq int64 }
	json.Unmarshal(body, &r)
	p.untilSeq(r.Seq)
	if got, want := content(p.doc.Els), content(version(t, ts, b.ID, at)); got != want {
		t.Fatalf("after the restore:\n%s\nwant\n%s", got, want)
	}
}
