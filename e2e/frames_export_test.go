package e2e

import (
	"bytes"
	"encoding/json"
	"image"
	"strings"
	"testing"

	"tabula/internal/testtool"
)

// frameBoard puts two frames on a board through a real client, each holding one
// coloured rectangle that spills past its frame's edge, plus a green rectangle on
// top of the first frame that is not in it. Frame fB comes first in frame order (lower
// z) although its id sorts last.
func frameBoard(t *testing.T, p *peer) {
	t.Helper()
	p.commit("frames",
		put(map[string]any{"id": "fA", "type": "frame", "x": 0, "y": 0, "w": 200, "h": 100, "text": "Second", "z": "a1"}),
		put(map[string]any{"id": "fB", "type": "frame", "x": 400, "y": 0, "w": 100, "h": 200, "text": "First", "z": "a0"}),
		put(map[string]any{"id": "red", "type": "rect", "x": 10, "y": 10, "w": 300, "h": 80, "fill": "#ff0000", "fillStyle": "solid", "frame": "fA", "z": "b0"}),
		put(map[string]any{"id": "blue", "type": "rect", "x": 410, "y": 10, "w": 80, "h": 180, "fill": "#0000ff", "fillStyle": "solid", "frame": "fB", "z": "b1"}),
		put(map[string]any{"id": "green", "type": "rect", "x": 150, "y": 20, "w": 30, "h": 30, "fill": "#00a000", "fillStyle": "solid", "z": "b2"}),
	)
}

func pixelIs(t *testing.T, img image.Image, x, y int, want [3]int) {
	t.Helper()
	r, g, b, _ := img.At(x, y).RGBA()
	got := [3]int{int(r >> 8), int(g >> 8), int(b >> 8)}
	if colourDistance(got, want) > 48 {
		t.Errorf("pixel (%d,%d) is %v, want %v", x, y, got, want)
	}
}

var (
	pureRed  = [3]int{255, 0, 0}
	pureBlue = [3]int{0, 0, 255}
	paper    = [3]int{255, 255, 255}
)

// TestExportFrames exports one frame in every format and every frame as one PDF, and
// refuses a frame that does not exist and a deck of a board without frames.
func TestExportFrames(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	p := join(t, ts.wsURL("/b/", b.ID), 0)
	frameBoard(t, p)
	base := ts.URL + "/b/" + b.ID + "/export."

	t.Run("AllFramesAsOnePDF", func(t *testing.T) {
		resp, body := get(t, base+"pdf?frames=all&background=on")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("%d %s: %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		pages := testtool.PDFPages(t, body, 96)
		if len(pages) != 2 {
			t.Fatalf("%d pages, want 2 (one per frame)", len(pages))
		}
		// Page 1 is frame fB ("First", lower z): 100x200, blue.
		if got := pages[0].Bounds().Size(); got != (image.Point{100, 200}) {
			t.Errorf("page 1 is %v, want 100x200 (frame First)", got)
		}
		pixelIs(t, pages[0], 50, 100, pureBlue)
		// Page 2 is frame fA: 200x100, red, cut at the frame's edge, without the
		// green rectangle that is not in the frame.
		if got := pages[1].Bounds().Size(); got != (image.Point{200, 100}) {
			t.Errorf("page 2 is %v, want 200x100 (frame Second)", got)
		}
		pixelIs(t, pages[1], 100, 50, pureRed)
		pixelIs(t, pages[1], 165, 35, pureRed)
		pixelIs(t, pages[1], 100, 95, paper)
	})
	t.Run("OneFramePNG", func(t *testing.T) {
		resp, body := get(t, base+"png?frame=fA")
		if resp.StatusCode != 200 {
			t.Fatalf("%d: %.200s", resp.StatusCode, body)
		}
		img := decodePNG(t, body)
		if got := img.Bounds().Size(); got != (image.Point{200, 100}) {
			t.Fatalf("PNG is %v, want the frame's 200x100", got)
		}
		pixelIs(t, img, 165, 35, pureRed)
	})
	t.Run("OneFramePDF", func(t *testing.T) {
		resp, body := get(t, base+"pdf?frame=fB")
		if resp.StatusCode != 200 {
			t.Fatalf("%d: %.200s", resp.StatusCode, body)
		}
		img := testtool.PDFPage(t, body, 96)
		if got := img.Bounds().Size(); got != (image.Point{100, 200}) {
			t.Fatalf("page is %v, want 100x200", got)
		}
		pixelIs(t, img, 50, 100, pureBlue)
	})
	t.Run("OneFrameSVG", func(t *testing.T) {
		resp, body := get(t, base+"svg?frame=fA")
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`width="200"`)) || !bytes.Contains(body, []byte(`height="100"`)) {
			t.Fatalf("%d: %.300s", resp.StatusCode, body)
		}
		if bytes.Contains(body, []byte("#00a000")) || bytes.Contains(body, []byte("0000ff")) {
			t.Fatal("the SVG of frame fA holds elements that are not in it")
		}
	})
	t.Run("OneFrameJSONHoldsTheFrame", func(t *testing.T) {
		_, body := get(t, base+"json?frame=fA")
		var f struct{ Elements []struct{ ID, Frame string } }
		if err := json.Unmarshal(body, &f); err != nil {
			t.Fatal(err)
		}
		if len(f.Elements) != 2 || f.Elements[0].ID != "fA" || f.Elements[1].Frame != "fA" {
			t.Fatalf("elements %+v, want fA and its member", f.Elements)
		}
	})
	for _, tt := range []struct {
		name, query string
		status      int
		msg         string
	}{
		{"MissingFrame", "pdf?frame=nope", 404, "no frame nope"},
		{"BadFrameID", "png?frame=a%20b", 400, "frame must be"},
		{"FramesAllIsPDFOnly", "png?frames=all", 400, "export.pdf?frames=all"},
		{"FramesIsAll", "pdf?frames=some", 400, "frames must be all"},
		{"NotBoth", "pdf?frames=all&frame=fA", 400, "not both"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := get(t, base+tt.query)
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.msg) {
				t.Fatalf("%d %s, want %d and %q", resp.StatusCode, body, tt.status, tt.msg)
			}
		})
	}
	t.Run("NoFrames", func(t *testing.T) {
		empty := ts.newBoard(t)
		resp, body := get(t, ts.URL+"/b/"+empty.ID+"/export.pdf?frames=all")
		if resp.StatusCode != 422 || !strings.Contains(string(body), "no frames") {
			t.Fatalf("%d %s, want 422 saying the board has no frames", resp.StatusCode, body)
		}
	})
}
