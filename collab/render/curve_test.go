package render

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"math"
	"strconv"
	"strings"
	"testing"

	"tabula/collab/wire"
)

func TestCurveThroughEveryPoint(t *testing.T) {
	in := []point{{0, 0, -1}, {40, 90, -1}, {41, 95, -1}, {200, 10, -1}, {120, -60, -1}}
	segs := curveSegments(in)
	if len(segs) != len(in)-1 {
		t.Fatalf("%d spans for %d points", len(segs), len(in))
	}
	for i, c := range segs {
		if c.p0 != in[i] || c.p3 != in[i+1] || c.at(0) != in[i] || !closeTo(c.at(1), in[i+1], 1e-9) {
			t.Fatalf("span %d runs %v → %v, want %v → %v", i, c.p0, c.p3, in[i], in[i+1])
		}
	}
	// Consecutive spans meet smoothly: the control points on either side of a point are
	// on one line through it.
	for i := 1; i < len(segs); i++ {
		a, p, b := segs[i-1].c2, segs[i].p0, segs[i].c1
		if cross := (p.x-a.x)*(b.y-p.y) - (p.y-a.y)*(b.x-p.x); math.Abs(cross) > 1e-6*dist(a, p)*dist(p, b)+1e-9 {
			t.Fatalf("a kink at point %d: %v %v %v", i, a, p, b)
		}
	}
}

func TestStraightCurveIsTheLine(t *testing.T) {
	a, b := point{10, 20, -1}, point{110, 70, -1}
	segs := curveSegments([]point{a, b})
	if len(segs) != 1 {
		t.Fatalf("%d spans", len(segs))
	}
	for i := 0; i <= 20; i++ {
		p := segs[0].at(float64(i) / 20)
		if d := distToSegment(p, a, b); d > 1e-9 {
			t.Fatalf("t=%v: %v is %v off the line", float64(i)/20, p, d)
		}
	}
	// Three points in a row are still a straight line.
	line := &wire.Element{Type: "line", Curve: "round", Points: pts(0, 0, 50, 0, 100, 0)}
	if b := localBox(line); b.MinY != 0 || b.MaxY != 0 || b.MinX != 0 || b.MaxX != 100 {
		t.Fatalf("box of a straight round line: %+v", b)
	}
}

func TestCurveBoxHoldsTheCurve(t *testing.T) {
	e := &wire.Element{Type: "arrow", Curve: "round", Points: pts(0, 0, 100, 100, 200, 100)}
	b := localBox(e)
	// Still rising at (100, 100), the curve swings past y=100 before it levels out at the
	// last point: the box must hold that swing.
	if b.MaxY <= 101 || b.MinY != 0 || b.MinX != 0 || b.MaxX != 200 {
		t.Fatalf("box %+v", b)
	}
	var sampled Rect
	sampled.MinX, sampled.MinY, sampled.MaxX, sampled.MaxY = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, c := range curveSegments(points(e)) {
		for i := 0; i <= 1000; i++ {
			p := c.at(float64(i) / 1000)
			sampled.MinX, sampled.MaxX = min(sampled.MinX, p.x), max(sampled.MaxX, p.x)
			sampled.MinY, sampled.MaxY = min(sampled.MinY, p.y), max(sampled.MaxY, p.y)
		}
	}
	for _, d := range []float64{b.MinX - sampled.MinX, b.MinY - sampled.MinY, b.MaxX - sampled.MaxX, b.MaxY - sampled.MaxY} {
		if math.Abs(d) > 0.01 {
			t.Fatalf("box %+v, the sampled curve spans %+v", b, sampled)
		}
	}
	e.Curve = "sharp"
	if b := localBox(e); b.MaxY != 100 {
		t.Fatalf("a sharp line's box %+v", b)
	}
}

// TestCurvedArrowSVG exports a round arrow: its path is cubic curves through the
// points, and its head points along the curve's last tangent, not the last chord.
func TestCurvedArrowSVG(t *testing.T) {
	arrow := &wire.Element{ID: "a", Type: "arrow", Points: pts(0, 0, 100, 100, 200, 0), Stroke: "#1e1e1e", Width: 2, Opacity: 1, Z: "a", Curve: "round"}
	paths := svgPaths(t, render(t, []*wire.Element{arrow}, SVG, Options{}))
	if len(paths) != 2 || !strings.Contains(paths[0], "C") || strings.Contains(paths[1], "C") {
		t.Fatalf("want a curve and a head, got %q", paths)
	}
	curve, head := pathPoints(t, paths[0]), pathPoints(t, paths[1])
	// M, then three numbers a span: 2 spans → 1 + 6 points.
	if len(curve) != 7 || len(head) != 3 {
		t.Fatalf("curve %v, head %v", curve, head)
	}
	// In the SVG, y runs the same way as on the board; check the head's axis against the
	// tangent the path itself ends with.
	tip, c2 := curve[6], curve[5]
	if !closeTo(head[1], tip, 1e-3) {
		t.Fatalf("head tip %v, curve ends at %v", head[1], tip)
	}
	axis := point{(head[0].x+head[2].x)/2 - tip.x, (head[0].y+head[2].y)/2 - tip.y, -1}
	tangent := point{c2.x - tip.x, c2.y - tip.y, -1}
	if angle := math.Abs(math.Atan2(axis.y, axis.x) - math.Atan2(tangent.y, tangent.x)); angle > 1e-3 {
		t.Fatalf("the head is %v rad off the curve's end tangent (axis %v, tangent %v)", angle, axis, tangent)
	}

	arrow.Curve = "sharp"
	paths = svgPaths(t, render(t, []*wire.Element{arrow}, SVG, Options{}))
	if strings.Contains(paths[0], "C") {
		t.Fatalf("a sharp arrow is drawn with curves: %q", paths[0])
	}
	line, head := pathPoints(t, paths[0]), pathPoints(t, paths[1])
	axis = point{(head[0].x+head[2].x)/2 - head[1].x, (head[0].y+head[2].y)/2 - head[1].y, -1}
	chord := point{line[1].x - line[2].x, line[1].y - line[2].y, -1}
	if angle := math.Abs(math.Atan2(axis.y, axis.x) - math.Atan2(chord.y, chord.x)); angle > 1e-3 {
		t.Fatalf("a sharp arrow's head is %v rad off its last segment", angle)
	}
}

// TestCurvedArrowPNG draws a round arrow: pixels on the curve are ink, the straight
// segment the sharp style would draw is not.
func TestCurvedArrowPNG(t *testing.T) {
	arrow := &wire.Element{ID: "a", Type: "arrow", X: 20, Y: 20, Points: pts(0, 0, 100, 100, 200, 0), Stroke: "#1e1e1e", Width: 2, Opacity: 1, Z: "a", Curve: "round"}
	out := render(t, []*wire.Element{arrow}, PNG, Options{Background: true, Area: &Rect{0, 0, 260, 160}})
	img, err := png.Decode(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	dark := func(p point) bool {
		r, g, b, _ := img.At(int(math.Round(arrow.X+p.x)), int(math.Round(arrow.Y+p.y))).RGBA()
		return r < 0x8000 && g < 0x8000 && b < 0x8000
	}
	segs := curveSegments(points(arrow))
	for _, tt := range []float64{0.25, 0.5, 0.75} {
		if p := segs[0].at(tt); !dark(p) {
			t.Errorf("the curve at %v is not drawn", p)
		}
	}
	if mid := (point{50, 50, -1}); dark(mid) || !(distToCurve(mid, segs) > 4) {
		t.Errorf("the straight segment's middle %v is drawn (or on the curve)", mid)
	}
}

func closeTo(a, b point, eps float64) bool {
	return math.Abs(a.x-b.x) <= eps && math.Abs(a.y-b.y) <= eps
}

func distToSegment(p, a, b point) float64 {
	dx, dy := b.x-a.x, b.y-a.y
	t := math.Max(0, math.Min(1, ((p.x-a.x)*dx+(p.y-a.y)*dy)/(dx*dx+dy*dy)))
	return math.Hypot(a.x+t*dx-p.x, a.y+t*dy-p.y)
}

func distToCurve(p point, segs []cubic) float64 {
	best := math.Inf(1)
	for _, c := range segs {
		for i := 0; i <= 200; i++ {
			best = min(best, dist(p, c.at(float64(i)/200)))
		}
	}
	return best
}

// svgPaths is the d attribute of every <path>, in order.
func svgPaths(t *testing.T, out []byte) []string {
	t.Helper()
	var ds []string
	dec := xml.NewDecoder(bytes.NewReader(out))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return ds
		}
		if err != nil {
			t.Fatalf("SVG is not XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "path" {
			for _, a := range se.Attr {
				if a.Name.Local == "d" {
					ds = append(ds, a.Value)
				}
			}
		}
	}
}

// pathPoints reads the coordinate pairs of path data made of M, L and C commands.
func pathPoints(t *testing.T, d string) []point {
	t.Helper()
	fields := strings.FieldsFunc(d, func(r rune) bool { return r == ' ' || r == ',' || r == 'M' || r == 'L' || r == 'C' })
	if len(fields)%2 != 0 {
		t.Fatalf("odd number of coordinates in %q", d)
	}
	var out []point
	for i := 0; i < len(fields); i += 2 {
		x, err1 := strconv.ParseFloat(fields[i], 64)
		y, err2 := strconv.ParseFloat(fields[i+1], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("path data %q: %v %v", d, err1, err2)
		}
		out = append(out, point{x, y, -1})
	}
	return out
}
