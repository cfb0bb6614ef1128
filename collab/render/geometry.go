package render

import (
	"math"

	"tabula/collab/wire"
)

// Rect is an axis-aligned rectangle in board coordinates.
type Rect struct{ MinX, MinY, MaxX, MaxY float64 }

// W is the rectangle's width.
func (r Rect) W() float64 { return r.MaxX - r.MinX }

// H is the rectangle's height.
func (r Rect) H() float64 { return r.MaxY - r.MinY }

func (r Rect) union(o Rect) Rect {
	return Rect{min(r.MinX, o.MinX), min(r.MinY, o.MinY), max(r.MaxX, o.MaxX), max(r.MaxY, o.MaxY)}
}

// Intersects reports whether r and o overlap (touching counts).
func (r Rect) Intersects(o Rect) bool {
	return r.MinX <= o.MaxX && r.MaxX >= o.MinX && r.MinY <= o.MaxY && r.MaxY >= o.MinY
}

// pointTypes are drawn from their points rather than their w × h box.
func pointType(t string) bool { return t == "stroke" || t == "line" || t == "arrow" }

// localBox is the element's box in its own coordinates (before x, y and rotation), as
// assets/js/geometry.js computes it: points-based types from their points (a round line
// from its curve, which may swing outside them), text without a size estimated from its
// length.
func localBox(e *wire.Element) Rect {
	if curved(e) {
		return curveBox(curveSegments(distinct(points(e))))
	}
	if pointType(e.Type) && e.Points.Len() > 0 {
		x, y, _ := e.Points.At(0)
		r := Rect{float64(x), float64(y), float64(x), float64(y)}
		for i := 1; i < e.Points.Len(); i++ {
			x, y, _ := e.Points.At(i)
			r.MinX, r.MaxX = min(r.MinX, float64(x)), max(r.MaxX, float64(x))
			r.MinY, r.MaxY = min(r.MinY, float64(y)), max(r.MaxY, float64(y))
		}
		return r
	}
	w, h := e.W, e.H
	if e.Type == "text" && (w == 0 || h == 0) {
		size := fontSize(e, 20)
		lines := splitLines(e.Text)
		longest := 0
		for _, l := range lines {
			longest = max(longest, len([]rune(l)))
		}
		if w == 0 {
			w = float64(longest) * size * 0.6
		}
		if h == 0 {
			h = float64(len(lines)) * size * lineHeight
		}
	}
	return Rect{min(0, w), min(0, h), max(0, w), max(0, h)}
}

// Bounds is the world rectangle that holds everything drawn for e: stroke width,
// arrowheads and rotation included (assets/js/geometry.js elementBounds).
func Bounds(e *wire.Element) Rect {
	box := localBox(e)
	width := e.Width
	if width == 0 {
		width = 1
	}
	margin := width + 1
	if e.Type == "arrow" || e.Type == "line" {
		margin = width*4 + 12
	}
	r := Rect{e.X + box.MinX - margin, e.Y + box.MinY - margin, e.X + box.MaxX + margin, e.Y + box.MaxY + margin}
	if e.Type == "frame" { // its name sits above it
		r.MinY -= frameLabelGap + 4
	}
	if e.Angle != 0 {
		cx, cy := (r.MinX+r.MaxX)/2, (r.MinY+r.MaxY)/2
		hw, hh := r.W()/2, r.H()/2
		c, s := math.Abs(math.Cos(e.Angle)), math.Abs(math.Sin(e.Angle))
		ex, ey := hw*c+hh*s, hw*s+hh*c
		r = Rect{cx - ex, cy - ey, cx + ex, cy + ey}
	}
	return r
}

type point struct{ x, y, p float64 } // p < 0: no pressure

func points(e *wire.Element) []point {
	n := e.Points.Len()
	out := make([]point, n)
	for i := range n {
		x, y, p := e.Points.At(i)
		out[i] = point{float64(x), float64(y), float64(p)}
	}
	return out
}

func hasPressure(pts []point) bool {
	for _, p := range pts {
		if p.p >= 0 {
			return true
		}
	}
	return false
}

// pressureRadius is the radius of a pressure stroke at pressure p (assets/js/smooth.js).
func pressureRadius(width, p float64) float64 { return width / 2 * (0.3 + 1.4*p) }

// outline is the polygon of a variable-width stroke: each point offset to both sides by
// its pressure radius, with round caps; a single point gives a circle. It is
// assets/js/smooth.js outline, so exports match the canvas.
func outline(in []point, width float64) []point {
	pts := make([]point, 0, len(in))
	for i, p := range in {
		if i == 0 || p.x != in[i-1].x || p.y != in[i-1].y {
			pts = append(pts, p)
		}
	}
	n := len(pts)
	pr := func(p point) float64 {
		if p.p < 0 {
			return 0.5
		}
		return p.p
	}
	if n == 1 {
		r := pressureRadius(width, pr(pts[0]))
		out := make([]point, 12)
		for i := range out {
			a := float64(i) * math.Pi / 6
			out[i] = point{pts[0].x + math.Cos(a)*r, pts[0].y + math.Sin(a)*r, -1}
		}
		return out
	}
	normals := make([]point, n)
	radius := make([]float64, n)
	for i := range pts {
		a, b := pts[max(0, i-1)], pts[min(n-1, i+1)]
		dx, dy := b.x-a.x, b.y-a.y
		l := math.Hypot(dx, dy)
		if l == 0 {
			l = 1
		}
		normals[i] = point{-dy / l, dx / l, -1}
		radius[i] = pressureRadius(width, pr(pts[i]))
	}
	out := make([]point, 0, 2*n+10)
	for i, p := range pts {
		out = append(out, point{p.x + normals[i].x*radius[i], p.y + normals[i].y*radius[i], -1})
	}
	out = appendCap(out, pts[n-1], normals[n-1], radius[n-1])
	for i := n - 1; i >= 0; i-- {
		p := pts[i]
		out = append(out, point{p.x - normals[i].x*radius[i], p.y - normals[i].y*radius[i], -1})
	}
	return appendCap(out, pts[0], point{-normals[0].x, -normals[0].y, -1}, radius[0])
}

// appendCap appends a half circle around c from the +normal side to the −normal side.
func appendCap(out []point, c, normal point, r float64) []point {
	start := math.Atan2(normal.y, normal.x)
	const steps = 6
	for i := 1; i < steps; i++ {
		a := start - math.Pi*float64(i)/steps
		out = append(out, point{c.x + math.Cos(a)*r, c.y + math.Sin(a)*r, -1})
	}
	return out
}

// clipSegment clips the segment a-b to the convex polygon poly (Cyrus–Beck). ok is false
// when nothing of it is inside.
func clipSegment(a, b point, poly []point) (point, point, bool) {
	t0, t1 := 0.0, 1.0
	dx, dy := b.x-a.x, b.y-a.y
	// Orientation of the polygon decides which side of each edge is inside.
	area := 0.0
	for i := range poly {
		j := (i + 1) % len(poly)
		area += poly[i].x*poly[j].y - poly[j].x*poly[i].y
	}
	sign := 1.0
	if area < 0 {
		sign = -1
	}
	for i := range poly {
		p, q := poly[i], poly[(i+1)%len(poly)]
		// inward normal
		nx, ny := -(q.y-p.y)*sign, (q.x-p.x)*sign
		num := nx*(a.x-p.x) + ny*(a.y-p.y)
		den := nx*dx + ny*dy
		if den == 0 {
			if num < 0 {
				return a, b, false
			}
			continue
		}
		t := -num / den
		if den > 0 {
			t0 = max(t0, t)
		} else {
			t1 = min(t1, t)
		}
		if t0 > t1 {
			return a, b, false
		}
	}
	return point{a.x + dx*t0, a.y + dy*t0, -1}, point{a.x + dx*t1, a.y + dy*t1, -1}, true
}

// shapePolygon is the outline of a rect, diamond or ellipse (as a 64-gon) in local
// coordinates, for clipping hatch lines.
func shapePolygon(typ string, b Rect) []point {
	cx, cy := (b.MinX+b.MaxX)/2, (b.MinY+b.MaxY)/2
	switch typ {
	case "ellipse":
		out := make([]point, 64)
		for i := range out {
			a := 2 * math.Pi * float64(i) / 64
			out[i] = point{cx + math.Cos(a)*b.W()/2, cy + math.Sin(a)*b.H()/2, -1}
		}
		return out
	case "diamond":
		return []point{{cx, b.MinY, -1}, {b.MaxX, cy, -1}, {cx, b.MaxY, -1}, {b.MinX, cy, -1}}
	}
	return []point{{b.MinX, b.MinY, -1}, {b.MaxX, b.MinY, -1}, {b.MaxX, b.MaxY, -1}, {b.MinX, b.MaxY, -1}}
}
