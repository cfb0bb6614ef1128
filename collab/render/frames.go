package render

import (
	"fmt"
	"io"
	"math"
	"runtime/debug"

	"github.com/tdewolff/canvas"
	"github.com/tdewolff/canvas/renderers/pdf"

	"tabula/collab/wire"
)

// Frames: a frame is a named rectangle; elements whose frame field names it are its
// members. On a whole-board export a frame is drawn as its outline with its name above
// its top-left corner (as assets/js/frames.js draws it on the board); a frame exported
// alone (FrameElements, then Render with Area = the frame) shows its members cut at its
// edges and neither outline nor name, like a slide.

// frameLabelSize is the font size of a frame's name, in board units; frameLabelGap is
// how far above the frame the name's top sits.
const (
	frameLabelSize = 14
	frameLabelGap  = 20
	frameLine      = "#9a9a9a"
	frameInk       = "#6b6b6b"
)

// FrameName is the name a frame shows: its text, or "Frame" when it has none.
func FrameName(e *wire.Element) string {
	if e.Text != "" {
		return e.Text
	}
	return "Frame"
}

// frame draws a frame's outline and its name (see the package comment on frames).
func (d *drawer) frame(e *wire.Element) {
	b := localBox(e)
	if d.setFill(e, e.Fill) {
		d.ctx.DrawPath(0, 0, canvas.Rectangle(b.W(), b.H()).Translate(b.MinX, b.MinY))
	}
	if d.setLine(e, frameLine, 1) {
		d.ctx.DrawPath(0, 0, canvas.Rectangle(b.W(), b.H()).Translate(b.MinX, b.MinY))
	}
	label := &wire.Element{Type: "text", Stroke: frameInk, Opacity: 1, Font: "sans", Size: frameLabelSize}
	d.fillLines(label, d.face(label, frameLabelSize), []string{FrameName(e)}, b.MinX, b.MinY-frameLabelGap, b.W(), frameLabelSize, math.Inf(1))
}

// FrameRect is the area a frame covers on the board.
func FrameRect(e *wire.Element) Rect {
	return Rect{e.X, e.Y, e.X + max(e.W, 1), e.Y + max(e.H, 1)}
}

// Frames returns the live frames of els in frame order: ascending z, ties by id (the
// order of the frames list and of a deck; docs/protocol.md).
func Frames(els []*wire.Element) []*wire.Element {
	var out []*wire.Element
	for _, e := range els {
		if e.Type == "frame" && !e.Deleted {
			out = append(out, e)
		}
	}
	Sort(out)
	return out
}

// FrameElements returns the live members of frame id, in the order of els.
func FrameElements(els []*wire.Element, id string) []*wire.Element {
	var out []*wire.Element
	for _, e := range els {
		if e.Frame == id && !e.Deleted && e.Type != "frame" {
			out = append(out, e)
		}
	}
	return out
}

// Page is one page of a multi-page PDF: an area of the board and the elements drawn in
// it, in draw order.
type Page struct {
	Area Rect
	Els  []*wire.Element
}

// RenderPages writes a PDF with one page per entry of pages, each the size of its area
// (scaled as Render scales a PDF) and cut at its edges. o.Padding is ignored: a page is
// exactly its area.
func RenderPages(w io.Writer, pages []Page, o Options) (err error) {
	if len(pages) == 0 {
		return fmt.Errorf("render pages: no pages")
	}
	if err := loadFonts(); err != nil {
		return err
	}
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("render pages: %v\n%s", v, debug.Stack())
		}
	}()
	imgs := newImages(o.Image, false)
	var r *pdf.PDF
	for i, p := range pages {
		k := 25.4 / 96
		if side := max(p.Area.W(), p.Area.H()) * k; side > maxPageMM {
			k *= maxPageMM / side
		}
		c := scene(p.Els, o, imgs, p.Area, p.Area, k)
		if i == 0 {
			r = pdf.New(w, c.W, c.H, nil)
			r.SetInfo(o.Title, "", "", "", "Tabula")
		} else {
			r.NewPage(c.W, c.H)
		}
		c.RenderTo(r)
	}
	return r.Close()
}
