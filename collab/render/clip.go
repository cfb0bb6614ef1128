package render

import (
	"image"
	"math"

	"github.com/tdewolff/canvas"

	"tabula/collab/wire"
)

// Frames clip their members, on the board page and in a whole-board export alike: what
// a member draws outside its frame is cut away. The drawing library has no clip paths,
// so a member that reaches out of its frame is cut geometrically: each path it draws is
// intersected with the frame's rectangle (a stroke first turned into the outline it
// paints, text into its glyphs' outlines). Members wholly inside their frame — nearly
// all of them — are drawn as they are, at no cost.

// clipper is the Renderer a scene draws through: it passes everything on to the canvas,
// cut to clip while clip is set.
type clipper struct {
	c    *canvas.Canvas
	clip *canvas.Path // in the canvas's coordinates; nil: draw everything whole
}

var _ canvas.Renderer = (*clipper)(nil)

func (r *clipper) Size() (float64, float64) { return r.c.Size() }

func (r *clipper) RenderPath(path *canvas.Path, style canvas.Style, m canvas.Matrix) {
	if r.clip == nil {
		r.c.RenderPath(path, style, m)
		return
	}
	p := path.Copy().Transform(m) // Transform changes its path, which the drawer may draw again
	if style.HasFill() {
		fill := style
		fill.Stroke = canvas.Paint{}
		if q := r.cut(p); !q.Empty() {
			r.c.RenderPath(q, fill, canvas.Identity)
		}
	}
	if style.HasStroke() && style.StrokeWidth > 0 {
		k := math.Sqrt(math.Abs(m.Det())) // the stroke is as wide as m makes it
		line := p
		if len(style.Dashes) > 0 {
			d := make([]float64, len(style.Dashes))
			for i, v := range style.Dashes {
				d[i] = v * k
			}
			line = line.Dash(style.DashOffset*k, d...)
		}
		outline := line.Stroke(style.StrokeWidth*k, style.StrokeCapper, style.StrokeJoiner, canvas.Tolerance)
		if q := r.cut(outline); !q.Empty() {
			r.c.RenderPath(q, canvas.Style{Fill: style.Stroke, FillRule: canvas.NonZero}, canvas.Identity)
		}
	}
}

// cut returns what of p (a filled path, holes included) lies inside the clip. p is kept
// whole, not split into its rings (Path.And splits it, and a ring that is a hole would
// come back filled).
func (r *clipper) cut(p *canvas.Path) *canvas.Path {
	return canvas.Paths(canvas.Paths{p}.And(canvas.Paths{r.clip})).Merge()
}

func (r *clipper) RenderText(text *canvas.Text, m canvas.Matrix) {
	if r.clip == nil {
		r.c.RenderText(text, m)
		return
	}
	text.RenderAsPath(r, m, canvas.DefaultResolution)
}

// RenderImage draws an image whole: a picture that reaches out of its frame is not cut.
func (r *clipper) RenderImage(img image.Image, m canvas.Matrix) { r.c.RenderImage(img, m) }

// frameClips returns the live frames of els by id, for the members drawn in a scene;
// nil when no element is in a frame.
func frameClips(els []*wire.Element) map[string]*wire.Element {
	var frames map[string]*wire.Element
	members := false
	for _, e := range els {
		if e.Deleted {
			continue
		}
		if e.Type == "frame" {
			if frames == nil {
				frames = make(map[string]*wire.Element)
			}
			frames[e.ID] = e
		} else if e.Frame != "" {
			members = true
		}
	}
	if !members {
		return nil
	}
	return frames
}

// clipFor sets the clip for drawing e: its frame's rectangle when e is a member that
// reaches out of its frame, else none. base is the scene's matrix from board units to
// the canvas; view is what the scene shows: when the frame covers it (a deck's page, a
// frame exported alone) the page's edges cut already.
func (r *clipper) clipFor(e *wire.Element, frames map[string]*wire.Element, base canvas.Matrix, view Rect) {
	r.clip = nil
	if e.Frame == "" || frames == nil {
		return
	}
	f := frames[e.Frame]
	if f == nil {
		return // its frame is gone: drawn as if in no frame (docs/protocol.md)
	}
	fr := FrameRect(f)
	if inside(Bounds(e), fr) || inside(view, fr) {
		return
	}
	r.clip = canvas.Rectangle(fr.W(), fr.H()).Translate(fr.MinX, fr.MinY).Transform(base)
}

// inside reports whether a lies wholly within b.
func inside(a, b Rect) bool {
	return a.MinX >= b.MinX && a.MinY >= b.MinY && a.MaxX <= b.MaxX && a.MaxY <= b.MaxY
}
