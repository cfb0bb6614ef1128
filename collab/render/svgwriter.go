package render

import (
	"bufio"
	"image/color"
	"math"
	"strconv"

	"github.com/tdewolff/canvas"
	"github.com/tdewolff/canvas/renderers/svg"
)

// svgWriter is the library's SVG renderer with a faster path writer: formatting path
// data through fmt took most of an export's time (360 ms for 10,000 elements). Text
// and images still go through the library, which escapes text as character data and
// embeds the fonts; both write, in order, to the same buffer.
type svgWriter struct {
	*svg.SVG
	w   *bufio.Writer
	h   float64
	buf []byte
}

// RenderPath writes one <path>. Only what the drawer uses is handled here — plain
// colours, round caps and joins, dashes under a similarity transform; anything else
// goes to the library.
func (r *svgWriter) RenderPath(path *canvas.Path, style canvas.Style, m canvas.Matrix) {
	plain := (!style.HasFill() || style.Fill.IsColor()) && (!style.HasStroke() || style.Stroke.IsColor())
	if !plain || !m.IsSimilarity() {
		r.SVG.RenderPath(path, style, m)
		return
	}
	if style.HasStroke() {
		_, round := style.StrokeJoiner.(canvas.RoundJoiner)
		_, roundCap := style.StrokeCapper.(canvas.RoundCapper)
		_, butt := style.StrokeCapper.(canvas.ButtCapper)
		_, miter := style.StrokeJoiner.(canvas.MiterJoiner)
		if !(round && roundCap) && !(butt && miter) {
			r.SVG.RenderPath(path, style, m)
			return
		}
	}
	p := path.Copy().Transform(canvas.Identity.ReflectYAbout(r.h / 2).Mul(m))
	b := append(r.buf[:0], `<path d="`...)
	for s := p.Scanner(); s.Scan(); {
		end := s.End()
		switch s.Cmd() {
		case canvas.MoveToCmd:
			b = append(b, 'M')
			b = appendPoint(b, end)
		case canvas.LineToCmd:
			b = append(b, 'L')
			b = appendPoint(b, end)
		case canvas.QuadToCmd:
			b = append(b, 'Q')
			b = appendPoint(b, s.CP1())
			b = append(b, ' ')
			b = appendPoint(b, end)
		case canvas.CubeToCmd:
			b = append(b, 'C')
			b = appendPoint(b, s.CP1())
			b = append(b, ' ')
			b = appendPoint(b, s.CP2())
			b = append(b, ' ')
			b = appendPoint(b, end)
		case canvas.ArcToCmd:
			rx, ry, rot, large, sweep := s.Arc()
			b = append(b, 'A')
			b = appendNum(b, rx)
			b = append(b, ' ')
			b = appendNum(b, ry)
			b = append(b, ' ')
			b = appendNum(b, rot)
			b = append(b, ' ', flag(large), ' ', flag(sweep), ' ')
			b = appendPoint(b, end)
		case canvas.CloseCmd:
			b = append(b, 'z')
		}
	}
	b = append(b, '"')
	if style.HasFill() {
		b = appendPaint(b, "fill", style.Fill.Color)
	} else {
		b = append(b, ` fill="none"`...)
	}
	if style.HasStroke() {
		scale := math.Sqrt(math.Abs(m.Det()))
		width := style.StrokeWidth * scale
		b = appendPaint(b, "stroke", style.Stroke.Color)
		b = append(b, ` stroke-width="`...)
		b = appendNum(b, width)
		b = append(b, '"')
		if _, ok := style.StrokeCapper.(canvas.RoundCapper); ok {
			b = append(b, ` stroke-linecap="round" stroke-linejoin="round"`...)
		}
		if style.IsDashed() {
			b = append(b, ` stroke-dasharray="`...)
			for i, d := range style.Dashes {
				if i > 0 {
					b = append(b, ' ')
				}
				b = appendNum(b, d*width)
			}
			b = append(b, '"')
		}
	}
	b = append(b, "/>"...)
	r.w.Write(b) // a bufio.Writer keeps its first error; Close reports it
	r.buf = b
}

func flag(v bool) byte {
	if v {
		return '1'
	}
	return '0'
}

func appendPoint(b []byte, p canvas.Point) []byte {
	b = appendNum(b, p.X)
	b = append(b, ' ')
	return appendNum(b, p.Y)
}

// appendNum writes v to a hundredth of a unit: finer than any screen shows.
func appendNum(b []byte, v float64) []byte {
	n := int64(math.Round(v * 100))
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	b = strconv.AppendInt(b, n/100, 10)
	if f := n % 100; f != 0 {
		b = append(b, '.', byte('0'+f/10))
		if f%10 != 0 {
			b = append(b, byte('0'+f%10))
		}
	}
	return b
}

// appendPaint writes a colour attribute (and its opacity when not opaque) from the
// premultiplied colour c: only hex digits and a number, never element text.
func appendPaint(b []byte, attr string, c color.RGBA) []byte {
	const hex = "0123456789abcdef"
	r, g, bl := c.R, c.G, c.B
	if c.A > 0 && c.A < 255 {
		un := func(v uint8) uint8 { return uint8(min(255, math.Round(float64(v)*255/float64(c.A)))) }
		r, g, bl = un(r), un(g), un(bl)
	}
	b = append(b, ' ')
	b = append(b, attr...)
	b = append(b, `="#`...)
	for _, v := range [3]uint8{r, g, bl} {
		b = append(b, hex[v>>4], hex[v&15])
	}
	b = append(b, '"')
	if c.A < 255 {
		b = append(b, ' ')
		b = append(b, attr...)
		b = append(b, `-opacity="`...)
		b = strconv.AppendFloat(b, math.Round(float64(c.A)/255*1000)/1000, 'f', -1, 64)
		b = append(b, '"')
	}
	return b
}
