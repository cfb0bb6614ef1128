package render

import (
	"image"
	"math"
	"strings"
	"sync"

	"github.com/tdewolff/canvas"

	"tabula/collab/wire"
)

// lineHeight is the distance between lines of text, in font sizes.
const lineHeight = 1.25

// drawer draws elements onto a canvas context whose view maps board coordinates (y
// down) to the output. Each method mirrors the function of assets/js/render.js with the
// same name, so that an export looks like the board on screen.
type drawer struct {
	ctx   *canvas.Context
	pal   palette
	image func(src string) image.Image // nil: no bitmap
}

func (d *drawer) element(e *wire.Element) {
	ctx := d.ctx
	ctx.Push()
	defer ctx.Pop()
	ctx.Translate(e.X, e.Y)
	if e.Angle != 0 {
		b := localBox(e)
		cx, cy := (b.MinX+b.MaxX)/2, (b.MinY+b.MaxY)/2
		ctx.Translate(cx, cy)
		ctx.Rotate(e.Angle * 180 / math.Pi)
		ctx.Translate(-cx, -cy)
	}
	switch e.Type {
	case "stroke":
		d.stroke(e)
	case "line", "arrow":
		d.linear(e)
	case "rect", "ellipse", "diamond":
		d.shape(e)
	case "text":
		d.text(e)
	case "note":
		d.note(e)
	case "image":
		d.picture(e)
	case "frame":
		d.frame(e)
	}
}

// setLine prepares a stroke of the element's colour, width and dash with round ends.
// Reports false when the element has no (valid) stroke colour.
func (d *drawer) setLine(e *wire.Element, colour string, width float64) bool {
	c, ok := parseColour(colour)
	if !ok {
		return false
	}
	ctx := d.ctx
	ctx.ResetStyle()
	ctx.SetFill(canvas.Paint{})
	ctx.SetStrokeColor(d.pal.colour(c, e.Opacity))
	ctx.SetStrokeWidth(width)
	ctx.SetStrokeCapper(canvas.RoundCap)
	ctx.SetStrokeJoiner(canvas.RoundJoin)
	// canvas measures dashes in stroke widths; the board page in board units.
	switch e.Dash {
	case "dashed":
		ctx.SetDashes(0, (width*2+6)/width, (width*2+6)/width)
	case "dotted":
		ctx.SetDashes(0, 0.01/width, (width*2+4)/width)
	}
	return true
}

// setFill prepares a fill of colour; false when there is none.
func (d *drawer) setFill(e *wire.Element, colour string) bool {
	c, ok := parseColour(colour)
	if !ok {
		return false
	}
	d.ctx.ResetStyle()
	d.ctx.SetStroke(canvas.Paint{})
	d.ctx.SetFillColor(d.pal.colour(c, e.Opacity))
	return true
}

func widthOf(e *wire.Element) float64 {
	if e.Width == 0 {
		return 1
	}
	return e.Width
}

// stroke draws a freehand stroke: a smooth centre line of constant width, or a filled
// outline whose width follows pen pressure. A single point is a dot.
func (d *drawer) stroke(e *wire.Element) {
	pts := points(e)
	if len(pts) == 0 {
		return
	}
	width := widthOf(e)
	if len(pts) == 1 || hasPressure(pts) {
		if d.setFill(e, e.Stroke) {
			d.ctx.DrawPath(0, 0, smoothPath(outline(pts, width), true))
		}
		return
	}
	if d.setLine(e, e.Stroke, width) {
		d.ctx.DrawPath(0, 0, smoothPath(pts, false))
	}
}

// smoothPath is assets/js/smooth.js pathData: straight to the first midpoint, then
// quadratic curves through the midpoints with each sample as control point.
func smoothPath(pts []point, closed bool) *canvas.Path {
	p := &canvas.Path{}
	n := len(pts)
	if n == 0 {
		return p
	}
	if n < 3 {
		p.MoveTo(pts[0].x, pts[0].y)
		for _, q := range pts[1:] {
			p.LineTo(q.x, q.y)
		}
		if closed {
			p.Close()
		}
		return p
	}
	mid := func(i int) (float64, float64) {
		a, b := pts[i%n], pts[(i+1)%n]
		return (a.x + b.x) / 2, (a.y + b.y) / 2
	}
	if closed {
		p.MoveTo(mid(0))
		for i := 1; i <= n; i++ {
			mx, my := mid(i)
			p.QuadTo(pts[i%n].x, pts[i%n].y, mx, my)
		}
		p.Close()
		return p
	}
	p.MoveTo(pts[0].x, pts[0].y)
	p.LineTo(mid(0))
	for i := 1; i < n-1; i++ {
		mx, my := mid(i)
		p.QuadTo(pts[i].x, pts[i].y, mx, my)
	}
	p.LineTo(pts[n-1].x, pts[n-1].y)
	return p
}

// linear draws a line or arrow: straight segments through its points (or from the
// origin to w, h), or for a round one a smooth curve through them, then its heads,
// aimed along the line at each end. An arrow whose end style is unset gets an
// arrowhead.
func (d *drawer) linear(e *wire.Element) {
	pts := points(e)
	if len(pts) == 0 {
		pts = []point{{0, 0, -1}, {e.W, e.H, -1}}
	}
	width := widthOf(e)
	if !d.setLine(e, e.Stroke, width) {
		return
	}
	p := &canvas.Path{}
	p.MoveTo(pts[0].x, pts[0].y)
	// Heads point away from the nearest point behind them that is not on them.
	ends := distinct(pts)
	startFrom, endFrom := ends[0], ends[0]
	if len(ends) > 1 {
		startFrom, endFrom = ends[1], ends[len(ends)-2]
	}
	if curved(e) {
		segs := curveSegments(ends)
		for _, c := range segs {
			p.CubeTo(c.c1.x, c.c1.y, c.c2.x, c.c2.y, c.p3.x, c.p3.y)
		}
		startFrom, endFrom = endTangents(segs)
	} else {
		for _, q := range pts[1:] {
			p.LineTo(q.x, q.y)
		}
	}
	d.ctx.DrawPath(0, 0, p)
	d.ctx.SetDashes(0)
	end := e.EndArrow
	if end == "" {
		end = "none"
		if e.Type == "arrow" {
			end = "arrow"
		}
	}
	if len(pts) > 1 {
		d.head(e, endFrom, pts[len(pts)-1], end, width)
		d.head(e, startFrom, pts[0], e.StartArrow, width)
	}
}

// head draws an arrowhead of kind at tip, pointing away from from.
func (d *drawer) head(e *wire.Element, from, tip point, kind string, width float64) {
	if kind == "" || kind == "none" {
		return
	}
	a := math.Atan2(tip.y-from.y, tip.x-from.x)
	length := 8 + width*3
	const spread = math.Pi / 7
	at := func(angle, r float64) (float64, float64) {
		return tip.x - math.Cos(angle)*r, tip.y - math.Sin(angle)*r
	}
	ctx := d.ctx
	p := &canvas.Path{}
	switch kind {
	case "arrow", "triangle":
		lx, ly := at(a-spread, length)
		rx, ry := at(a+spread, length)
		p.MoveTo(lx, ly)
		p.LineTo(tip.x, tip.y)
		p.LineTo(rx, ry)
		if kind == "triangle" {
			p.Close()
			c, _ := parseColour(e.Stroke)
			ctx.SetFillColor(d.pal.colour(c, e.Opacity))
		}
		ctx.DrawPath(0, 0, p)
	case "dot":
		if d.setFill(e, e.Stroke) {
			ctx.DrawPath(tip.x, tip.y, canvas.Circle(length/3))
		}
	case "bar":
		lx, ly := at(a-math.Pi/2, length/2)
		rx, ry := at(a+math.Pi/2, length/2)
		p.MoveTo(lx, ly)
		p.LineTo(rx, ry)
		ctx.DrawPath(0, 0, p)
	}
}

// shapePath is the outline of a rect, ellipse or diamond in local coordinates.
func shapePath(e *wire.Element) *canvas.Path {
	b := localBox(e)
	cx, cy := (b.MinX+b.MaxX)/2, (b.MinY+b.MaxY)/2
	p := &canvas.Path{}
	switch e.Type {
	case "ellipse":
		return canvas.Ellipse(b.W()/2, b.H()/2).Translate(cx, cy)
	case "diamond":
		p.MoveTo(cx, b.MinY)
		p.LineTo(b.MaxX, cy)
		p.LineTo(cx, b.MaxY)
		p.LineTo(b.MinX, cy)
		p.Close()
		return p
	}
	return canvas.Rectangle(b.W(), b.H()).Translate(b.MinX, b.MinY)
}

func (d *drawer) shape(e *wire.Element) {
	path := shapePath(e)
	d.fillShape(e, path)
	if d.setLine(e, e.Stroke, widthOf(e)) {
		d.ctx.DrawPath(0, 0, path)
	}
}

// fillShape fills a shape solid, or with 45° hatching clipped to the shape. A fill
// colour with no fill style is solid, as on screen.
func (d *drawer) fillShape(e *wire.Element, path *canvas.Path) {
	if e.Fill == "" || e.FillStyle == "none" {
		return
	}
	if e.FillStyle != "hatch" {
		if d.setFill(e, e.Fill) {
			d.ctx.DrawPath(0, 0, path)
		}
		return
	}
	c, ok := parseColour(e.Fill)
	if !ok {
		return
	}
	b := localBox(e)
	poly := shapePolygon(e.Type, b)
	hatch := &canvas.Path{}
	h := b.H()
	for x := b.MinX - h; x < b.MaxX; x += 8 {
		p, q, ok := clipSegment(point{x, b.MaxY, -1}, point{x + h, b.MinY, -1}, poly)
		if ok {
			hatch.MoveTo(p.x, p.y)
			hatch.LineTo(q.x, q.y)
		}
	}
	ctx := d.ctx
	ctx.ResetStyle()
	ctx.SetFill(canvas.Paint{})
	ctx.SetStrokeColor(d.pal.colour(c, e.Opacity))
	ctx.SetStrokeWidth(max(1, widthOf(e)/2))
	ctx.DrawPath(0, 0, hatch)
}

func fontSize(e *wire.Element, fallback float64) float64 {
	if e.Size > 0 {
		return e.Size
	}
	return fallback
}

func splitLines(s string) []string { return strings.Split(s, "\n") }

// face is the font face of an element's text in colour c, sized in board units.
func (d *drawer) face(e *wire.Element, size float64) *canvas.FontFace {
	colour := e.Stroke
	if _, ok := parseColour(colour); !ok {
		colour = ink
	}
	c, _ := parseColour(colour)
	// canvas sizes fonts in points and draws in millimetres; one board unit is drawn
	// as one millimetre, so ask for the size in points of that many millimetres.
	return family(e.Font).Face(size*72/25.4, d.pal.colour(c, e.Opacity))
}

// fillLines draws lines of text top-down in a box of the given width, honouring align.
func (d *drawer) fillLines(e *wire.Element, face *canvas.FontFace, lines []string, left, top, width, size, bottom float64) {
	align, x := canvas.Left, left
	switch e.Align {
	case "center":
		align, x = canvas.Center, left+width/2
	case "right":
		align, x = canvas.Right, left+width
	}
	// Canvas 2D's "top" baseline is the top of the em box: the baseline sits the font's
	// ascent (as a share of ascent + descent) below it.
	m := face.Metrics()
	baseline := size * m.Ascent / (m.Ascent + m.Descent)
	for i, line := range lines {
		// A note clips its text at its edge; lines are drawn whole, so a line that would
		// be cut is left out.
		y := top + float64(i)*size*lineHeight
		if y+size > bottom {
			break
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		d.ctx.DrawText(x, y+baseline, shapeLine(face, line, align))
	}
}

// shapeMu serialises text shaping: the fonts are shared by every export running at
// once, and the shaper's font is not documented as safe for concurrent use.
var shapeMu sync.Mutex

func shapeLine(face *canvas.FontFace, line string, align canvas.TextAlign) *canvas.Text {
	shapeMu.Lock()
	defer shapeMu.Unlock()
	return canvas.NewTextLine(face, line, align)
}

func (d *drawer) text(e *wire.Element) {
	if e.Text == "" {
		return
	}
	size := fontSize(e, 20)
	b := localBox(e)
	d.fillLines(e, d.face(e, size), splitLines(e.Text), b.MinX, b.MinY, b.W(), size, math.Inf(1))
}

// note draws a sticky note: a coloured card with the text wrapped to its width and cut
// at its bottom edge.
func (d *drawer) note(e *wire.Element) {
	b := localBox(e)
	fill := e.Fill
	if _, ok := parseColour(fill); !ok {
		fill = noteFill
	}
	// A soft shadow under the card: two offset translucent layers, as on screen.
	ctx := d.ctx
	ctx.ResetStyle()
	ctx.SetStroke(canvas.Paint{})
	ctx.SetFillColor(d.pal.colour(noteShadow, e.Opacity))
	ctx.DrawPath(0, 0, canvas.Rectangle(b.W(), b.H()).Translate(b.MinX+1, b.MinY+3))
	ctx.DrawPath(0, 0, canvas.Rectangle(b.W(), b.H()).Translate(b.MinX, b.MinY+1.5))
	if d.setFill(e, fill) {
		d.ctx.DrawPath(0, 0, canvas.Rectangle(b.W(), b.H()).Translate(b.MinX, b.MinY))
	}
	if e.Text == "" {
		return
	}
	size := fontSize(e, 20)
	pad := min(12, b.W()/8)
	face := d.face(e, size)
	lines := wrap(face, e.Text, b.W()-pad*2)
	d.fillLines(e, face, lines, b.MinX+pad, b.MinY+pad, b.W()-pad*2, size, b.MaxY)
}

// textWidth is the width of s in face from the font's advances and kerning. Shaping
// every candidate line, as the library's TextWidth does, was most of the time of an
// export of a board full of notes; for breaking lines the advances are enough.
func textWidth(face *canvas.FontFace, s string) float64 {
	sfnt := face.Font.SFNT
	w := 0
	var prev uint16
	for i, r := range s {
		g := sfnt.GlyphIndex(r)
		if i > 0 {
			w += int(sfnt.Kerning(prev, g))
		}
		w += int(sfnt.GlyphAdvance(g))
		prev = g
	}
	return float64(w) * face.MmPerEm
}

// wrap breaks text into lines no wider than maxWidth at spaces; a word wider than the
// line is broken between characters; newlines always break (assets/js/textlayout.js).
func wrap(face *canvas.FontFace, text string, maxWidth float64) []string {
	var out []string
	for _, para := range splitLines(text) {
		line := ""
		for _, word := range strings.Split(para, " ") {
			next := word
			if line != "" {
				next = line + " " + word
			}
			if textWidth(face, next) <= maxWidth {
				line = next
				continue
			}
			if line != "" {
				out = append(out, line)
			}
			line = ""
			for _, ch := range word {
				if line != "" && textWidth(face, line+string(ch)) > maxWidth {
					out = append(out, line)
					line = string(ch)
				} else {
					line += string(ch)
				}
			}
		}
		out = append(out, line)
	}
	return out
}

// picture draws an image element's bitmap stretched over its box, or, when the bitmap
// is missing, the placeholder the board shows while an image loads.
func (d *drawer) picture(e *wire.Element) {
	b := localBox(e)
	var img image.Image
	if d.image != nil && e.Src != "" {
		img = d.image(e.Src)
	}
	ctx := d.ctx
	if img == nil || img.Bounds().Dx() == 0 || img.Bounds().Dy() == 0 || b.W() == 0 || b.H() == 0 {
		// An image that cannot be shown: the board's "missing image" placeholder.
		ctx.ResetStyle()
		ctx.SetStroke(canvas.Paint{})
		ctx.SetFillColor(d.pal.colour(placeholderFill, e.Opacity))
		rect := canvas.Rectangle(b.W(), b.H()).Translate(b.MinX, b.MinY)
		ctx.DrawPath(0, 0, rect)
		ctx.SetFill(canvas.Paint{})
		ctx.SetStrokeColor(d.pal.colour(placeholderEdge, e.Opacity))
		ctx.SetStrokeWidth(1)
		ctx.SetDashes(0, 6, 4) // width 1: board units
		ctx.DrawPath(0, 0, rect)
		if w, h := b.W(), b.H(); w > 24 && h > 24 {
			sz := min(w, h, 48) / 2
			cx, cy := b.MinX+w/2, b.MinY+h/2
			cross := &canvas.Path{}
			cross.MoveTo(cx-sz/2, cy-sz/2)
			cross.LineTo(cx+sz/2, cy+sz/2)
			cross.MoveTo(cx+sz/2, cy-sz/2)
			cross.LineTo(cx-sz/2, cy+sz/2)
			ctx.SetDashes(0)
			ctx.DrawPath(0, 0, cross)
		}
		return
	}
	sz := img.Bounds().Size()
	ctx.Push()
	ctx.Translate(b.MinX, b.MinY)
	ctx.Scale(b.W()/float64(sz.X), b.H()/float64(sz.Y))
	ctx.DrawImage(0, 0, withOpacity(img, e.Opacity), canvas.DPMM(1))
	ctx.Pop()
}
