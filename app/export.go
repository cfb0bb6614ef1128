package app

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/gofiber/fiber/v2"

	"tabula/collab"
	"tabula/collab/boardfile"
	"tabula/collab/render"
	"tabula/collab/wire"
)

// exportTypes are the formats of GET …/export.{format}, by extension.
var exportTypes = map[string]string{
	"png":  "image/png",
	"svg":  "image/svg+xml",
	"pdf":  "application/pdf",
	"json": "application/json",
}

// svgPolicy keeps an exported SVG inert even when opened straight from the server: no
// scripts, no requests, only its own styles and embedded (data:) fonts and images.
const svgPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; sandbox"

// export answers GET /b/{id}/export.{png,svg,pdf,json} (and /v/…): the board, or a part
// or an earlier version of it, as a download (docs/protocol.md, "Export").
func (s *Server) export(role collab.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		b, err := s.lookup(c, role)
		if err != nil {
			return err
		}
		format := c.Params("format")
		ct, ok := exportTypes[format]
		if !ok {
			return fiber.NewError(fiber.StatusNotFound, "export formats are png, svg, pdf and json")
		}
		q, err := parseExportQuery(c)
		if err != nil {
			return err
		}
		if q.opts.Canvas == "" {
			q.opts.Canvas = b.Canvas
		}
		ctx := c.UserContext()
		seq, els, err := s.svc.State(ctx, b.ID, q.at)
		if err != nil {
			return err
		}
		if els, err = q.onPage(els, format == "json"); err != nil {
			return err
		}
		els = q.pick(els)
		render.Sort(els)
		if q.frames && format != "pdf" {
			return &wire.Error{Code: wire.EBadValue, Msg: "frames=all makes one PDF with a page per frame: use export.pdf?frames=all"}
		}
		var pages []render.Page
		if q.frames {
			if pages, err = framePages(els, q.order); err != nil {
				return err
			}
		} else if q.frame != "" {
			if els, err = frameOnly(els, q.frame, format == "json", &q.opts); err != nil {
				return err
			}
		}
		images := func(src string) []byte {
			data, _, err := s.svc.GetImage(ctx, b.ID, src)
			if err != nil {
				return nil
			}
			return data
		}
		var out bytes.Buffer
		if format == "json" {
			err = boardfile.Encode(&out, boardfile.Board{Title: b.Title, Elements: els, Images: usedImages(els, images)})
		} else {
			q.opts.Image = images
			q.opts.Title = b.Title
			q.opts.MaxPixels = ExportPixels
			if format == "png" {
				if err := checkPixels(els, q.opts); err != nil {
					return err
				}
			}
			err = s.drawing(c, func() error {
				if pages != nil {
					return render.RenderPages(&out, pages, q.opts)
				}
				return render.Render(&out, els, render.Format(format), q.opts)
			})
		}
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, ct)
		c.Set(fiber.HeaderContentDisposition, attachment(b.Title, q.at, format))
		c.Set(fiber.HeaderCacheControl, "private, no-store")
		c.Set("X-Content-Type-Options", "nosniff")
		c.Set("X-Tabula-Seq", strconv.FormatInt(seq, 10))
		if format == "svg" {
			c.Set("Content-Security-Policy", svgPolicy)
		}
		return c.Send(out.Bytes())
	}
}

// drawing runs draw in the server's render queue. A full queue is answered 429 with
// Retry-After.
func (s *Server) drawing(c *fiber.Ctx, draw func() error) error {
	err := s.renders.run(c.UserContext(), draw)
	if errors.Is(err, errRenderBusy) {
		c.Set(fiber.HeaderRetryAfter, "5")
		return fiber.NewError(fiber.StatusTooManyRequests, "The server is busy drawing other exports; please try again in a few seconds.")
	}
	return err
}

// checkPixels refuses, with 413, a PNG whose scale would take it past ExportPixels. A
// board too large even at scale 1 is drawn smaller to fit, as before: only the scale a
// client asks for is refused, with what would fit instead.
func checkPixels(els []*wire.Element, o render.Options) error {
	area, ok := render.Rect{}, false
	if o.Area != nil {
		area, ok = *o.Area, true
	} else {
		area, ok = render.Area(els)
	}
	if !ok || o.Scale <= 1 {
		return nil
	}
	pad := max(0, o.Padding)
	w, h := area.W()+2*pad, area.H()+2*pad
	if w*h > ExportPixels { // too large at scale 1: drawn smaller anyway
		return nil
	}
	if px := w * h * o.Scale * o.Scale; px > ExportPixels {
		fits := math.Floor(math.Sqrt(ExportPixels/(w*h))*10) / 10
		return &wire.Error{Code: wire.ETooBig, Msg: fmt.Sprintf(
			"at scale %g this export would be %.0f million pixels; the limit is %d million, so choose a scale of %g or less, or a smaller area",
			o.Scale, px/1e6, ExportPixels/1_000_000, max(1, fits))}
	}
	return nil
}

// ExportPixels is the most pixels one PNG export may have: 32 million, 128 MiB while it
// is drawn.
const ExportPixels = 32_000_000

// exportQuery is what an export's query string asks for.
type exportQuery struct {
	opts render.Options
	at   int64
	ids  map[string]bool // only these elements (a selection); nil for all
	// frame is the id of the one frame to export (its members, cut at its edges);
	// frames asks for every frame, one PDF page each.
	frame  string
	frames bool
	// page is the id of the page to export; "" for the first (images) or every page
	// (JSON, and frames=all). order is the board's pages in page order, set by onPage.
	page  string
	order []string
}

// parseExportQuery reads scale (1–4), background (on/off, or a canvas colour id to use
// instead of the board's), theme (light/dark), padding
// (0–1000), ids (comma-separated), area (x,y,w,h) and at (a version's seq). Returns
// EBadValue naming the parameter that is wrong.
func parseExportQuery(c *fiber.Ctx) (exportQuery, error) {
	q := exportQuery{opts: render.Options{Scale: 1, Background: true, Padding: 16}}
	bad := func(format string, args ...any) error {
		return &wire.Error{Code: wire.EBadValue, Msg: fmt.Sprintf(format, args...)}
	}
	if v := c.Query("scale"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f >= 1 && f <= render.MaxScale) {
			return q, bad("scale must be a number from 1 to %d", render.MaxScale)
		}
		q.opts.Scale = f
	}
	switch v := c.Query("background"); v {
	case "", "on", "true", "1":
	case "off", "false", "0":
		q.opts.Background = false
	default:
		if !slices.Contains(wire.CanvasIDs(), v) {
			return q, bad("background must be on, off or one of the canvas colours %s", strings.Join(wire.CanvasIDs(), ", "))
		}
		q.opts.Canvas = v
	}
	switch c.Query("theme") {
	case "", "light":
	case "dark":
		q.opts.Dark = true
	default:
		return q, bad("theme must be light or dark")
	}
	if v := c.Query("padding"); v != "" {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f >= 0 && f <= 1000) {
			return q, bad("padding must be a number from 0 to 1000")
		}
		q.opts.Padding = f
	}
	if v := c.Query("at"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return q, bad("at must be a version number (a seq of 1 or more)")
		}
		q.at = n
	}
	if v := c.Query("ids"); v != "" {
		q.ids = map[string]bool{}
		for _, id := range strings.Split(v, ",") {
			if id = strings.TrimSpace(id); id != "" {
				q.ids[id] = true
			}
		}
	}
	if v := c.Query("page"); v != "" {
		if !wire.URLSafe(v) || len(v) > wire.MaxIDLen {
			return q, bad("page must be the id of a page")
		}
		q.page = v
	}
	if v := c.Query("frame"); v != "" {
		if !wire.URLSafe(v) || len(v) > wire.MaxIDLen {
			return q, bad("frame must be the id of a frame")
		}
		q.frame = v
	}
	switch c.Query("frames") {
	case "":
	case "all":
		q.frames = true
	default:
		return q, bad("frames must be all")
	}
	if q.frame != "" && q.frames {
		return q, bad("ask for one frame (frame=id) or all of them (frames=all), not both")
	}
	if v := c.Query("area"); v != "" {
		parts := strings.Split(v, ",")
		var n [4]float64
		ok := len(parts) == 4
		for i := 0; ok && i < 4; i++ {
			f, err := strconv.ParseFloat(strings.TrimSpace(parts[i]), 64)
			ok = err == nil && f >= -wire.MaxCoord && f <= wire.MaxCoord
			n[i] = f
		}
		if !ok || n[2] <= 0 || n[3] <= 0 {
			return q, bad("area must be x,y,w,h with a positive width and height")
		}
		q.opts.Area = &render.Rect{MinX: n[0], MinY: n[1], MaxX: n[0] + n[2], MaxY: n[1] + n[3]}
	}
	return q, nil
}

// pick keeps the live elements the query asks for.
func (q *exportQuery) pick(els []*wire.Element) []*wire.Element {
	out := els[:0:0]
	for _, e := range els {
		if !e.Deleted && (q.ids == nil || q.ids[e.ID]) {
			out = append(out, e)
		}
	}
	return out
}

// usedImages loads every image the elements show.
func usedImages(els []*wire.Element, load func(string) []byte) map[string][]byte {
	out := map[string][]byte{}
	for _, e := range els {
		if e.Src == "" || out[e.Src] != nil {
			continue
		}
		if data := load(e.Src); data != nil {
			out[e.Src] = data
		}
	}
	return out
}

// attachment is the Content-Disposition of a download named after the board and the
// day: "Sprint plan-2026-11-24.png" (a plain ASCII fallback for old clients, the real
// name in UTF-8). A version from history carries its number: "…-v42.png".
func attachment(title string, at int64, ext string) string {
	return attachmentName(exportName(title, at, time.Now(), ext))
}

func exportName(title string, at int64, now time.Time, ext string) string {
	name := strings.Map(func(r rune) rune {
		switch {
		case r == '/' || r == '\\' || r == ':' || r == '*' || r == '?' || r == '"' || r == '<' || r == '>' || r == '|':
			return '-'
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, strings.TrimSpace(title))
	name = strings.Trim(name, ". ")
	if name == "" {
		name = "board"
	}
	if r := []rune(name); len(r) > 80 {
		name = string(r[:80])
	}
	name += "-" + now.Format("2006-01-02")
	if at > 0 {
		name += "-v" + strconv.FormatInt(at, 10)
	}
	return name + "." + ext
}

func attachmentName(name string) string {
	ascii := strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e || r == '"' || r == '\\' || r == '%' {
			return '_'
		}
		return r
	}, name)
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + url.PathEscape(name)
}
