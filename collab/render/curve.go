package render

import (
	"math"

	"tabula/collab/wire"
)

// Round lines and arrows ("curve": "round") are one smooth curve through every point:
// a centripetal Catmull–Rom spline, each span drawn as a cubic Bézier. Centripetal
// (α = ½) rather than uniform, because it never loops or overshoots into a cusp when
// points are unevenly spaced, which hand-placed points always are. The ends are given a
// phantom neighbour by reflecting the second point through the first, so the curve
// leaves each end along its first chord. This is assets/js/curve.js in Go: the export
// and the board page must draw the same curve.

// cubic is one Bézier span from p0 to p3 with control points c1, c2.
type cubic struct{ p0, c1, c2, p3 point }

// curved reports whether e is drawn as a curve: a round line or arrow with at least
// three distinct points (through two, the curve is the straight segment).
func curved(e *wire.Element) bool {
	if e.Curve != "round" || (e.Type != "line" && e.Type != "arrow") {
		return false
	}
	return len(distinct(points(e))) >= 3
}

// distinct drops each point equal to the one before it: a span of length zero has no
// direction to give the spline.
func distinct(pts []point) []point {
	out := make([]point, 0, len(pts))
	for i, p := range pts {
		if i == 0 || p.x != pts[i-1].x || p.y != pts[i-1].y {
			out = append(out, p)
		}
	}
	return out
}

// curveSegments is the spline through pts (distinct, at least two) as n-1 cubics.
func curveSegments(pts []point) []cubic {
	n := len(pts)
	at := func(i int) point {
		switch {
		case i < 0: // reflect the second point through the first
			return point{2*pts[0].x - pts[1].x, 2*pts[0].y - pts[1].y, -1}
		case i >= n:
			return point{2*pts[n-1].x - pts[n-2].x, 2*pts[n-1].y - pts[n-2].y, -1}
		}
		return pts[i]
	}
	out := make([]cubic, 0, n-1)
	for i := 0; i+1 < n; i++ {
		a, b, c, d := at(i-1), at(i), at(i+1), at(i+2)
		// dk is the square root of each chord's length (α = ½), dk² the length itself.
		l1, l2, l3 := dist(a, b), dist(b, c), dist(c, d)
		d1, d2, d3 := math.Sqrt(l1), math.Sqrt(l2), math.Sqrt(l3)
		c1, c2 := b, c
		if d1 > 0 {
			k := 3 * d1 * (d1 + d2)
			w := 2*l1 + 3*d1*d2 + l2
			c1 = point{(l1*c.x - l2*a.x + w*b.x) / k, (l1*c.y - l2*a.y + w*b.y) / k, -1}
		}
		if d3 > 0 {
			k := 3 * d3 * (d3 + d2)
			w := 2*l3 + 3*d3*d2 + l2
			c2 = point{(l3*b.x - l2*d.x + w*c.x) / k, (l3*b.y - l2*d.y + w*c.y) / k, -1}
		}
		out = append(out, cubic{b, c1, c2, c})
	}
	return out
}

func dist(a, b point) float64 { return math.Hypot(b.x-a.x, b.y-a.y) }

// at is the point of the cubic at t in [0, 1].
func (c cubic) at(t float64) point {
	u := 1 - t
	b0, b1, b2, b3 := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
	return point{b0*c.p0.x + b1*c.c1.x + b2*c.c2.x + b3*c.p3.x, b0*c.p0.y + b1*c.c1.y + b2*c.c2.y + b3*c.p3.y, -1}
}

// box is the cubic's exact bounding box: its ends and wherever it turns back along x or y.
func (c cubic) box() Rect {
	r := Rect{min(c.p0.x, c.p3.x), min(c.p0.y, c.p3.y), max(c.p0.x, c.p3.x), max(c.p0.y, c.p3.y)}
	for _, t := range append(turns(c.p0.x, c.c1.x, c.c2.x, c.p3.x), turns(c.p0.y, c.c1.y, c.c2.y, c.p3.y)...) {
		p := c.at(t)
		r.MinX, r.MaxX = min(r.MinX, p.x), max(r.MaxX, p.x)
		r.MinY, r.MaxY = min(r.MinY, p.y), max(r.MaxY, p.y)
	}
	return r
}

// turns are the t in (0, 1) where the one-dimensional cubic with control values
// p0..p3 has a zero derivative: the roots of a·t² + b·t + c.
func turns(p0, p1, p2, p3 float64) []float64 {
	a := -p0 + 3*p1 - 3*p2 + p3
	b := 2 * (p0 - 2*p1 + p2)
	c := p1 - p0
	var ts []float64
	keep := func(t float64) {
		if t > 0 && t < 1 {
			ts = append(ts, t)
		}
	}
	const eps = 1e-12
	if math.Abs(a) < eps {
		if math.Abs(b) > eps {
			keep(-c / b)
		}
		return ts
	}
	disc := b*b - 4*a*c
	if disc < 0 {
		return ts
	}
	s := math.Sqrt(disc)
	keep((-b + s) / (2 * a))
	keep((-b - s) / (2 * a))
	return ts
}

// curveBox is the bounding box of the spline through pts (distinct, at least two).
func curveBox(segs []cubic) Rect {
	r := segs[0].box()
	for _, c := range segs[1:] {
		r = r.union(c.box())
	}
	return r
}

// endTangents are, for arrowheads, a point behind each end along the curve's
// direction there: the first span's first control point and the last span's second.
// Where a control point sits on its end, the span's other end gives the direction.
func endTangents(segs []cubic) (startFrom, endFrom point) {
	first, last := segs[0], segs[len(segs)-1]
	startFrom = first.c1
	if startFrom.x == first.p0.x && startFrom.y == first.p0.y {
		startFrom = first.p3
	}
	endFrom = last.c2
	if endFrom.x == last.p3.x && endFrom.y == last.p3.y {
		endFrom = last.p0
	}
	return startFrom, endFrom
}
