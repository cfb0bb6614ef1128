// Package render draws a board's elements as PNG, SVG or PDF. It is pure: elements and
// options in, bytes out. One scene is built with github.com/tdewolff/canvas and written
// by that library's renderers, so every format shows the same drawing, and each element
// is drawn the way the board page draws it (assets/js/render.js).
//
// Nothing an element says reaches the output as markup: colours are parsed into numbers
// (anything but #rgb, #rrggbb and #rrggbbaa is not drawn), text is written as escaped
// character data, fonts are the server's own, and images are the board's stored bytes
// re-encoded (or, for PNG and JPEG in SVG, base64 of bytes that decoded as such) in
// data: URIs.
package render

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"io"
	"math"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/tdewolff/canvas"
	"github.com/tdewolff/canvas/renderers/pdf"
	"github.com/tdewolff/canvas/renderers/rasterizer"
	"github.com/tdewolff/canvas/renderers/svg"

	"tabula/collab/wire"
)

func init() {
	// Strokes are filled with the non-zero rule by every renderer used here, so the
	// outline of a stroke need not be "settled" into one without self-overlaps; settling
	// was two thirds of the time of a PNG export.
	canvas.FastStroke = true
}

// Format is an output format.
type Format string

// Formats.
const (
	PNG Format = "png"
	SVG Format = "svg"
	PDF Format = "pdf"
)

// Limits of what one render may produce.
const (
	// MaxScale is the largest PNG scale (pixels per board unit).
	MaxScale = 4
	// MaxPixels bounds a PNG: a board spanning millions of units is drawn smaller
	// rather than allocating gigabytes.
	MaxPixels = 64 << 20
	// MaxSide bounds either side of a PNG, in pixels.
	MaxSide = 16384
	// maxPageMM bounds a PDF page side (readers refuse pages over 200 inches).
	maxPageMM = 5000
)

// Options say how to draw. The zero value draws everything at scale 1 on a transparent
// background in the light theme with no padding.
type Options struct {
	// Scale is PNG pixels per board unit, 1–MaxScale (clamped); 0 means 1. SVG and PDF
	// are vector formats and ignore it.
	Scale float64
	// Background paints the theme's shade of the canvas colour; without it a PNG is
	// transparent and SVG and PDF have no background.
	Background bool
	// Canvas is the id of the canvas colour (wire.CanvasColors); empty for the default.
	Canvas string
	// Dark draws with the dark theme's colours.
	Dark bool
	// Padding is the margin around the drawing, in board units.
	Padding float64
	// Area, when set, draws exactly this part of the board (before padding) and only
	// the elements that reach into it; otherwise the area is the bounds of all elements.
	Area *Rect
	// Image returns the stored bytes of an image element's src (PNG, JPEG, GIF or
	// WebP), or nil to draw a placeholder.
	Image func(src string) []byte
	// FitWidth and FitHeight, when set, shrink a PNG (below scale 1 if need be) to fit
	// in that many pixels: thumbnails.
	FitWidth, FitHeight int
	// MaxPixels bounds the PNG's width × height (0: the package's MaxPixels).
	MaxPixels int
	// Title goes in the PDF's document information.
	Title string
}

// Sort orders elements the way they are drawn: ascending z, ties by id.
func Sort(els []*wire.Element) {
	slices.SortFunc(els, func(a, b *wire.Element) int {
		if a.Z != b.Z {
			if a.Z < b.Z {
				return -1
			}
			return 1
		}
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
}

// Area returns the bounds of the live elements, and false if there are none.
func Area(els []*wire.Element) (Rect, bool) {
	var r Rect
	found := false
	for _, e := range els {
		if e.Deleted {
			continue
		}
		b := Bounds(e)
		if !found {
			r, found = b, true
		} else {
			r = r.union(b)
		}
	}
	return r, found
}

// Render draws the live elements of els (deleted ones are skipped) in format to w.
// els must be in draw order (see Sort).
func Render(w io.Writer, els []*wire.Element, format Format, o Options) (err error) {
	if err := loadFonts(); err != nil {
		return err
	}
	defer func() {
		// The drawing library panics on input it cannot handle; one odd element must
		// not take the server down.
		if v := recover(); v != nil {
			err = fmt.Errorf("render %s: %v\n%s", format, v, debug.Stack())
		}
	}()
	area, ok := Rect{}, false
	if o.Area != nil {
		area, ok = *o.Area, o.Area.W() > 0 && o.Area.H() > 0
	} else {
		area, ok = Area(els)
	}
	pad := max(0, min(o.Padding, wire.MaxCoord))
	if !ok {
		area = Rect{0, 0, 1, 1}
	}
	area = Rect{area.MinX - pad, area.MinY - pad, area.MaxX + pad, area.MaxY + pad}
	bg := wire.CanvasShade(o.Canvas, o.Dark)

	switch format {
	case SVG:
		c := scene(els, o, newImages(o.Image, true), area, area, 1)
		opts := svg.DefaultOptions
		opts.SizeUnits = ""
		opts.SubsetFonts = true
		bw := bufio.NewWriterSize(w, 64<<10)
		r := &svgWriter{SVG: svg.New(bw, c.W, c.H, &opts), w: bw, h: c.H}
		c.RenderTo(r)
		if err := r.Close(); err != nil {
			return err
		}
		return bw.Flush()
	case PDF:
		k := 25.4 / 96 // millimetres per board unit: a board unit is a CSS pixel
		if side := max(area.W(), area.H()) * k; side > maxPageMM {
			k *= maxPageMM / side
		}
		c := scene(els, o, newImages(o.Image, false), area, area, k)
		r := pdf.New(w, c.W, c.H, nil)
		r.SetInfo(o.Title, "", "", "", "Tabula")
		c.RenderTo(r)
		return r.Close()
	case PNG:
		return encodePNG(w, raster(els, o, newImages(o.Image, false), area, bg))
	}
	return fmt.Errorf("unknown format %q", format)
}

// scene draws the elements that reach into view onto a new canvas showing view at k
// millimetres per board unit, y down. area is the whole output: the background covers
// it (SVG and PDF; a PNG starts with its background in place).
func scene(els []*wire.Element, o Options, imgs *images, area, view Rect, k float64) *canvas.Canvas {
	c := canvas.New(view.W()*k, view.H()*k)
	clip := &clipper{c: c} // members cut to their frames (clip.go)
	ctx := canvas.NewContext(clip)
	ctx.SetCoordSystem(canvas.CartesianIV)
	if o.Background && view == area {
		ctx.SetFillColor(wire.CanvasShade(o.Canvas, o.Dark))
		ctx.SetStroke(canvas.Paint{})
		ctx.DrawPath(0, 0, canvas.Rectangle(c.W, c.H))
	}
	ctx.Scale(k, k)
	ctx.Translate(-view.MinX, -view.MinY)
	d := &drawer{ctx: ctx, pal: palette{dark: o.Dark}, image: imgs.get}
	frames, base := frameClips(els), ctx.CoordSystemView().Mul(ctx.View())
	for _, e := range els {
		if !e.Deleted && Bounds(e).Intersects(view) {
			clip.clipFor(e, frames, base, view)
			d.element(e)
		}
	}
	clip.clip = nil
	return c
}

// raster draws area into bands of pixels, one band per processor, drawn at the same
// time: each band draws only the elements that reach into it.
func raster(els []*wire.Element, o Options, imgs *images, area Rect, bg color.RGBA) []*image.RGBA {
	scale := o.Scale
	if !(scale >= 1) {
		scale = 1
	}
	maxPixels := float64(MaxPixels)
	if o.MaxPixels > 0 {
		maxPixels = float64(min(o.MaxPixels, MaxPixels))
	}
	scale = min(scale, MaxScale, MaxSide/area.W(), MaxSide/area.H(), math.Sqrt(maxPixels/(area.W()*area.H())))
	if o.FitWidth > 0 && o.FitHeight > 0 {
		scale = min(scale, float64(o.FitWidth)/area.W(), float64(o.FitHeight)/area.H())
	}
	wpx, hpx := max(1, int(area.W()*scale+0.5)), max(1, int(area.H()*scale+0.5))
	n := max(1, min(runtime.GOMAXPROCS(0), hpx/64))
	bands := make([]*image.RGBA, n)
	var wg sync.WaitGroup
	var panicked atomic.Value
	for i := range n {
		y0, y1 := hpx*i/n, hpx*(i+1)/n
		view := Rect{area.MinX, area.MinY + float64(y0)/scale, area.MinX + float64(wpx)/scale, area.MinY + float64(y1)/scale}
		img := image.NewRGBA(image.Rect(0, 0, wpx, y1-y0))
		if o.Background {
			fill(img, bg)
		}
		bands[i] = img
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if v := recover(); v != nil {
					panicked.Store(fmt.Sprintf("%v\n%s", v, debug.Stack()))
				}
			}()
			ras := rasterizer.FromImage(img, canvas.DPMM(scale), canvas.DefaultColorSpace)
			scene(els, o, imgs, area, view, 1).RenderTo(ras)
			ras.Close()
		}()
	}
	wg.Wait()
	if v := panicked.Load(); v != nil {
		panic(v) // Render recovers it, on its own goroutine
	}
	return bands
}

// fill sets every pixel of img to c, doubling the filled part of the buffer each copy.
func fill(img *image.RGBA, c color.RGBA) {
	if len(img.Pix) < 4 {
		return
	}
	img.Pix[0], img.Pix[1], img.Pix[2], img.Pix[3] = c.R, c.G, c.B, c.A
	for n := 4; n < len(img.Pix); n *= 2 {
		copy(img.Pix[n:], img.Pix[:n])
	}
}

// withOpacity returns img faded to opacity (unchanged at 1).
func withOpacity(img image.Image, opacity float64) image.Image {
	if opacity >= 1 {
		return img
	}
	out := image.NewRGBA(img.Bounds())
	mask := image.NewUniform(color.Alpha{uint8(math.Round(255 * clamp01(opacity)))})
	draw.DrawMask(out, out.Bounds(), img, img.Bounds().Min, mask, image.Point{}, draw.Over)
	return out
}
