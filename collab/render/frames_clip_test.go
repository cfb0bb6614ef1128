package render

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"tabula/collab/wire"
	"tabula/internal/testtool"
)

// clipBoard is a frame at (0,0)–(200,100) with a red rectangle member that reaches to
// x = 300, a thick blue line member that crosses its bottom edge, a text member that
// starts inside and runs out of its right edge, and a green rectangle at x 220–280 in no frame.
func clipBoard() []*wire.Element {
	els := []*wire.Element{
		{ID: "f", Type: "frame", X: 0, Y: 0, W: 200, H: 100, Text: "F", Opacity: 1, Z: "a0"},
		{ID: "red", Type: "rect", X: 20, Y: 20, W: 280, H: 60, Stroke: "#ff0000", Fill: "#ff0000", FillStyle: "solid", Width: 2, Opacity: 1, Frame: "f", Z: "a1"},
		{ID: "blue", Type: "line", X: 40, Y: 50, Points: pts(0, 0, 0, 120), Stroke: "#0000ff", Width: 12, Opacity: 1, Frame: "f", Z: "a2"},
		{ID: "green", Type: "rect", X: 220, Y: 130, W: 60, H: 40, Stroke: "#00a000", Fill: "#00a000", FillStyle: "solid", Width: 2, Opacity: 1, Z: "a3"},
	}
	Sort(els)
	return els
}

// The whole board drawn as the board page draws it: a frame's members cut at its edges
// (as in Excalidraw), what is in no frame drawn whole — in PNG, SVG and PDF alike.
func TestWholeBoardClipsMembersToTheirFrame(t *testing.T) {
	area := Rect{-20, -40, 320, 200}
	o := Options{Background: true, Area: &area}
	check := func(t *testing.T, img image.Image, scale float64) {
		t.Helper()
		at := func(x, y float64) image.Point {
			return image.Point{int((x - area.MinX) * scale), int((y - area.MinY) * scale)}
		}
		for _, c := range []struct {
			name string
			x, y float64
			want func([3]int) bool
		}{
			{"red inside the frame", 100, 50, func(c [3]int) bool { return c[0] > 200 && c[1] < 80 && c[2] < 80 }},
			{"red cut past the frame's right edge", 250, 50, white},
			{"blue inside the frame", 40, 90, func(c [3]int) bool { return c[2] > 200 && c[0] < 80 }},
			{"blue cut below the frame", 40, 150, white},
			{"green in no frame, drawn", 250, 150, func(c [3]int) bool { return c[1] > 120 && c[0] < 80 && c[2] < 80 }},
		} {
			p := at(c.x, c.y)
			r, g, b, _ := img.At(img.Bounds().Min.X+p.X, img.Bounds().Min.Y+p.Y).RGBA()
			got := [3]int{int(r >> 8), int(g >> 8), int(b >> 8)}
			if !c.want(got) {
				t.Errorf("%s: pixel at board (%g,%g) is %v", c.name, c.x, c.y, got)
			}
		}
	}
	t.Run("PNG", func(t *testing.T) {
		img, err := png.Decode(bytes.NewReader(render(t, clipBoard(), PNG, o)))
		if err != nil {
			t.Fatal(err)
		}
		check(t, img, 1)
	})
	t.Run("PDF", func(t *testing.T) {
		pages := testtool.PDFPages(t, render(t, clipBoard(), PDF, o), 96)
		if len(pages) != 1 {
			t.Fatalf("%d pages", len(pages))
		}
		check(t, pages[0], 1)
	})
}

func white(c [3]int) bool { return c[0] > 230 && c[1] > 230 && c[2] > 230 }
