package render

import (
	"fmt"
	"io"
	"testing"

	"tabula/collab/wire"
)

// BenchmarkDeck exports a 30-frame deck of a 10,000-element board (issue 16 asks for
// ≤ 3 s): 30 frames of 1,000 × 600 units tile the 6,000 × 6,000 board, every element
// in the frame its origin falls in, one PDF page per frame.
func BenchmarkDeck(b *testing.B) {
	els := benchBoard(10_000)
	var frames []*wire.Element
	for i := range 30 {
		x, y := float64(i%6)*1000, float64(i/6)*1200
		frames = append(frames, &wire.Element{ID: fmt.Sprintf("f%02d", i), Type: "frame", X: x, Y: y, W: 1000, H: 1200, Opacity: 1, Z: fmt.Sprintf("b%02d", i)})
	}
	for _, e := range els {
		for _, f := range frames {
			if e.X >= f.X && e.X < f.X+f.W && e.Y >= f.Y && e.Y < f.Y+f.H {
				e.Frame = f.ID
			}
		}
	}
	all := append(els, frames...)
	Sort(all)
	b.ResetTimer()
	for range b.N {
		ordered := Frames(all)
		pages := make([]Page, len(ordered))
		for i, f := range ordered {
			pages[i] = Page{Area: FrameRect(f), Els: FrameElements(all, f.ID)}
		}
		if err := RenderPages(io.Discard, pages, Options{Background: true}); err != nil {
			b.Fatal(err)
		}
	}
}
