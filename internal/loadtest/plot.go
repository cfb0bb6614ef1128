package loadtest

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"strconv"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// A small line-chart painter on the standard image packages: one panel per chart, with
// axes from zero, round ticks, grid lines, and series drawn as lines through points.

var (
	inkColor  = color.RGBA{0x1e, 0x1e, 0x1e, 0xff}
	gridColor = color.RGBA{0xe6, 0xe6, 0xe6, 0xff}
	face      = basicfont.Face7x13
)

// series is one line of a chart.
type series struct {
	name   string
	colour color.RGBA
	x, y   []float64
}

// panel is one chart: its title, axis labels and series, drawn into area of img.
type panel struct {
	title, xLabel string
	series        []series
}

// draw paints p into area of img.
func (p panel) draw(img *image.RGBA, area image.Rectangle) {
	const left, right, top, bottom = 64, 20, 40, 44
	plot := image.Rect(area.Min.X+left, area.Min.Y+top, area.Max.X-right, area.Max.Y-bottom)
	var xMax, yMax float64
	for _, s := range p.series {
		for i := range s.x {
			xMax, yMax = max(xMax, s.x[i]), max(yMax, s.y[i])
		}
	}
	// A little headroom above, so that no point sits on the top of the frame.
	xMax, xStep := niceScale(xMax)
	yMax, yStep := niceScale(yMax * 1.05)
	at := func(x, y float64) image.Point {
		return image.Pt(
			plot.Min.X+int(math.Round(x/xMax*float64(plot.Dx()))),
			plot.Max.Y-int(math.Round(y/yMax*float64(plot.Dy()))),
		)
	}
	for v := 0.0; v <= yMax+yStep/2; v += yStep {
		pt := at(0, v)
		hline(img, plot.Min.X, plot.Max.X, pt.Y, gridColor)
		label := tickLabel(v)
		text(img, plot.Min.X-8-textWidth(label), pt.Y+4, label, inkColor)
	}
	for v := 0.0; v <= xMax+xStep/2; v += xStep {
		pt := at(v, 0)
		vline(img, pt.X, plot.Max.Y, plot.Max.Y+5, inkColor)
		label := tickLabel(v)
		text(img, pt.X-textWidth(label)/2, plot.Max.Y+18, label, inkColor)
	}
	hline(img, plot.Min.X, plot.Max.X, plot.Max.Y, inkColor)
	vline(img, plot.Min.X, plot.Min.Y, plot.Max.Y, inkColor)
	text(img, area.Min.X+(area.Dx()-textWidth(p.title))/2, area.Min.Y+20, p.title, inkColor)
	text(img, plot.Min.X+(plot.Dx()-textWidth(p.xLabel))/2, area.Max.Y-8, p.xLabel, inkColor)
	for _, s := range p.series {
		for i := range s.x {
			if i > 0 {
				line(img, at(s.x[i-1], s.y[i-1]), at(s.x[i], s.y[i]), s.colour)
			}
			dot(img, at(s.x[i], s.y[i]), s.colour)
		}
	}
	// Legend, top left inside the plot.
	y := plot.Min.Y + 14
	for _, s := range p.series {
		draw.Draw(img, image.Rect(plot.Min.X+10, y-8, plot.Min.X+24, y-2), image.NewUniform(s.colour), image.Point{}, draw.Src)
		text(img, plot.Min.X+30, y, s.name, inkColor)
		y += 16
	}
}

// niceScale returns an axis maximum at or above v and a tick step: 1, 2 or 5 times a
// power of ten, with four to ten ticks.
func niceScale(v float64) (top, step float64) {
	if v <= 0 {
		return 1, 0.2
	}
	raw := v / 5
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if step = m * pow; step >= raw {
			break
		}
	}
	return math.Ceil(v/step) * step, step
}

// tickLabel writes 2500 as 2500, 20000 as 20k, 0.5 as 0.5.
func tickLabel(v float64) string {
	if v >= 10000 && math.Mod(v, 1000) == 0 {
		return strconv.FormatFloat(v/1000, 'f', -1, 64) + "k"
	}
	return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64)
}

func text(img *image.RGBA, x, y int, s string, c color.Color) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: face, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

func textWidth(s string) int { return font.MeasureString(face, s).Ceil() }

func hline(img *image.RGBA, x0, x1, y int, c color.Color) {
	for x := x0; x <= x1; x++ {
		img.Set(x, y, c)
	}
}

func vline(img *image.RGBA, x, y0, y1 int, c color.Color) {
	for y := y0; y <= y1; y++ {
		img.Set(x, y, c)
	}
}

// line draws a two-pixel-wide segment (Bresenham, with each pixel doubled).
func line(img *image.RGBA, a, b image.Point, c color.Color) {
	dx, dy := abs(b.X-a.X), -abs(b.Y-a.Y)
	sx, sy := sign(b.X-a.X), sign(b.Y-a.Y)
	e := dx + dy
	for p := a; ; {
		img.Set(p.X, p.Y, c)
		img.Set(p.X+1, p.Y, c)
		img.Set(p.X, p.Y+1, c)
		if p == b {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			p.X += sx
		}
		if e2 <= dx {
			e += dx
			p.Y += sy
		}
	}
}

// dot draws a filled circle of radius 3 around p.
func dot(img *image.RGBA, p image.Point, c color.Color) {
	for y := -3; y <= 3; y++ {
		for x := -3; x <= 3; x++ {
			if x*x+y*y <= 10 {
				img.Set(p.X+x, p.Y+y, c)
			}
		}
	}
}

func abs(v int) int { return max(v, -v) }

func sign(v int) int {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}
