package e2e

import (
	"image"
	"strings"
	"testing"

	"tabula/internal/client"
	"tabula/internal/testtool"
)

// Reordering frames is a patch of a frame's z (assets/js/deck.js, moveFrame): the server
// refuses a z that is not a fractional key, and a valid one reorders the deck's pages.
func TestReorderFramesChangesTheDeck(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	p := join(t, ts.wsURL("/b/", b.ID), 0)
	frameBoard(t, p) // fB (z a0) then fA (z a1)

	for _, tc := range []struct {
		name string
		z    any
	}{
		{"Empty", ""},
		{"TooLong", strings.Repeat("a", 65)},
		{"NotAKey", "a 0"},
		{"Markup", "<b>"},
		{"NotAString", 3},
	} {
		t.Run("Refuses"+tc.name, func(t *testing.T) {
			p.send("bad-"+tc.name, patch("fA", map[string]any{"z": tc.z}))
			m := p.until(func(m *client.Msg) bool { return m.T == "error" || m.T == "ack" })
			if m.T != "error" || m.Code != "bad_value" && m.Code != "bad_json" {
				t.Fatalf("z %v: got %s %s %s", tc.z, m.T, m.Code, m.Message)
			}
		})
	}

	// fA before fB, as the frames list's "move up" sends it (keyBetween(null, "a0")).
	p.commit("up", patch("fA", map[string]any{"z": "Zz"}))
	resp, body := get(t, ts.URL+"/b/"+b.ID+"/export.pdf?frames=all&background=on")
	if resp.StatusCode != 200 {
		t.Fatalf("%d: %.200s", resp.StatusCode, body)
	}
	pages := testtool.PDFPages(t, body, 96)
	if len(pages) != 2 {
		t.Fatalf("%d pages, want 2", len(pages))
	}
	if got := pages[0].Bounds().Size(); got != (image.Point{200, 100}) {
		t.Errorf("page 1 is %v, want 200x100: frame fA, moved first", got)
	}
	pixelIs(t, pages[0], 100, 50, pureRed)
	pixelIs(t, pages[1], 50, 100, pureBlue)
}
