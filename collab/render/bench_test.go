package render

import (
	"fmt"
	"io"
	"testing"

	"tabula/collab/wire"
)

// benchBoard is n elements of every kind on a grid of 100 columns, 60 units apart (a
// 6,000 × 6,000 board for 10,000): strokes of 50 points (half with pressure), hatched
// rectangles, dashed ellipses, arrows, text and notes.
func benchBoard(n int) []*wire.Element {
	els := make([]*wire.Element, 0, n)
	for i := range n {
		x, y := float64(i%100)*60, float64(i/100)*60
		e := &wire.Element{ID: fmt.Sprintf("e%d", i), X: x, Y: y, Opacity: 1, Z: fmt.Sprintf("a%05d", i), Stroke: "#1e1e1e", Width: 2}
		switch i % 6 {
		case 0, 1:
			e.Type = "stroke"
			for j := range 50 {
				p := float32(-1)
				if i%2 == 0 {
					p = float32(j%10) / 10
				}
				e.Points = append(e.Points, float32(j), float32((j*7)%40), p)
			}
		case 2:
			e.Type, e.W, e.H, e.Fill, e.FillStyle = "rect", 50, 30, "#a5d8ff", "hatch"
		case 3:
			e.Type, e.W, e.H, e.Fill, e.Dash = "ellipse", 50, 30, "#b2f2bb", "dashed"
		case 4:
			e.Type, e.Points = "arrow", wire.Points{0, 0, -1, 45, 30, -1}
		default:
			if i%12 == 5 {
				e.Type, e.Text, e.Size = "text", fmt.Sprintf("Item %d", i), 14
			} else {
				e.Type, e.W, e.H, e.Text, e.Size = "note", 55, 55, fmt.Sprintf("Note %d to wrap", i), 10
			}
		}
		els = append(els, e)
	}
	return els
}

// BenchmarkExport renders a 10,000-element board (see benchBoard).
func BenchmarkExport(b *testing.B) {
	els := benchBoard(10_000)
	Sort(els)
	for _, f := range []Format{SVG, PNG, PDF} {
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := Render(io.Discard, els, f, Options{Background: true, Padding: 16}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
