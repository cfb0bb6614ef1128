package render

import (
	"bytes"
	"encoding/xml"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"tabula/collab/wire"
	"tabula/internal/testtool"
)

// pts builds Points from x, y pairs (no pressure).
func pts(xy ...float32) wire.Points {
	var p wire.Points
	for i := 0; i+1 < len(xy); i += 2 {
		p = append(p, xy[i], xy[i+1], -1)
	}
	return p
}

// sample is one element of every type, as a board would hold them.
func sample() []*wire.Element {
	pressure := wire.Points{0, 0, 0.2, 40, 10, 0.6, 80, 0, 0.9, 120, 20, 0.4}
	return []*wire.Element{
		{ID: "s1", Type: "stroke", X: 20, Y: 20, Points: pts(0, 0, 30, 40, 60, 10, 100, 50, 140, 0), Stroke: "#e03131", Width: 8, Opacity: 1, Z: "a0"},
		{ID: "s2", Type: "stroke", X: 20, Y: 100, Points: pressure, Stroke: "#1971c2", Width: 6, Opacity: 1, Z: "a1"},
		{ID: "r1", Type: "rect", X: 200, Y: 20, W: 120, H: 80, Stroke: "#1e1e1e", Fill: "#a5d8ff", FillStyle: "hatch", Width: 2, Opacity: 1, Z: "a2"},
		{ID: "e1", Type: "ellipse", X: 340, Y: 20, W: 100, H: 80, Stroke: "#2f9e44", Fill: "#b2f2bb", FillStyle: "solid", Width: 2, Dash: "dashed", Opacity: 0.6, Z: "a3"},
		{ID: "d1", Type: "diamond", X: 460, Y: 20, W: 100, H: 80, Stroke: "#9c36b5", Width: 3, Dash: "dotted", Opacity: 1, Angle: 0.3, Z: "a4"},
		{ID: "a1", Type: "arrow", X: 200, Y: 140, Points: pts(0, 0, 150, 40), Stroke: "#1e1e1e", Width: 2, StartArrow: "dot", Opacity: 1, Z: "a5"},
		{ID: "l1", Type: "line", X: 380, Y: 140, W: 150, H: -30, Stroke: "#f08c00", Width: 3, EndArrow: "triangle", StartArrow: "bar", Opacity: 1, Z: "a6"},
		{ID: "t1", Type: "text", X: 20, Y: 200, Text: "Hello, board\nsecond line", Size: 24, Font: "serif", Stroke: "#1e1e1e", Opacity: 1, Z: "a7"},
		{ID: "n1", Type: "note", X: 300, Y: 200, W: 160, H: 120, Text: "A sticky note whose text is long enough to wrap onto several lines", Opacity: 1, Z: "a8"},
		{ID: "i1", Type: "image", X: 480, Y: 200, W: 80, H: 60, Src: "sha256:" + strings.Repeat("ab", 32), Opacity: 1, Z: "a9"},
		{ID: "a2", Type: "arrow", X: 20, Y: 360, Points: pts(0, 0, 60, 50, 140, -10, 200, 40), Stroke: "#e03131", Width: 2, StartArrow: "arrow", EndArrow: "triangle", Curve: "round", Opacity: 1, Z: "b0"},
		{ID: "l2", Type: "line", X: 260, Y: 360, Points: pts(0, 0, 60, 50, 140, -10, 200, 40), Stroke: "#2f9e44", Width: 2, EndArrow: "dot", Opacity: 1, Z: "b1"},
	}
}

func render(t *testing.T, els []*wire.Element, f Format, o Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, els, f, o); err != nil {
		t.Fatalf("render %s: %v", f, err)
	}
	if dir := os.Getenv("TABULA_RENDER_DIR"); dir != "" {
		os.WriteFile(filepath.Join(dir, t.Name()[strings.LastIndex(t.Name(), "/")+1:]+"."+string(f)), b.Bytes(), 0o644)
	}
	return b.Bytes()
}

func isRed(c color.Color) bool {
	r, g, b, a := c.RGBA()
	return a > 0xc000 && r > 0xc000 && g < 0x7000 && b < 0x7000
}

// stripe is a thick red horizontal stroke from (0,0) to (200,0).
func stripe() []*wire.Element {
	return []*wire.Element{{ID: "s", Type: "stroke", Points: pts(0, 0, 100, 0, 200, 0), Stroke: "#ff0000", Width: 10, Opacity: 1, Z: "a"}}
}

func TestPNG(t *testing.T) {
	t.Run("RedStrokeIsRed", func(t *testing.T) {
		img, err := png.Decode(bytes.NewReader(render(t, stripe(), PNG, Options{Background: true, Padding: 10})))
		if err != nil {
			t.Fatal(err)
		}
		// Bounds: the stroke plus its margin (width+1) plus 10 of padding each side.
		b := img.Bounds()
		if b.Dx() != 200+2*11+20 || b.Dy() != 2*11+20 {
			t.Fatalf("image is %v", b)
		}
		mid := b.Dy() / 2
		for _, x := range []int{25, 100, 200, 220} {
			if c := img.At(x, mid); !isRed(c) {
				t.Errorf("pixel (%d,%d) = %v, want red", x, mid, c)
			}
		}
		if r, g, bl, a := img.At(2, 2).RGBA(); r != 0xffff || g != 0xffff || bl != 0xffff || a != 0xffff {
			t.Errorf("corner is %v, want the white background", img.At(2, 2))
		}
	})
	t.Run("TransparentWithoutBackground", func(t *testing.T) {
		img, err := png.Decode(bytes.NewReader(render(t, stripe(), PNG, Options{Padding: 10})))
		if err != nil {
			t.Fatal(err)
		}
		if _, _, _, a := img.At(2, 2).RGBA(); a != 0 {
			t.Errorf("corner alpha %d, want transparent", a)
		}
		if c := img.At(100, img.Bounds().Dy()/2); !isRed(c) {
			t.Errorf("stroke pixel %v, want red", c)
		}
	})
	t.Run("ScaleMultipliesPixels", func(t *testing.T) {
		img, _, err := image.DecodeConfig(bytes.NewReader(render(t, stripe(), PNG, Options{Scale: 2})))
		if err != nil || img.Width != 2*(200+22) {
			t.Fatalf("scale 2: %+v %v", img, err)
		}
	})
	t.Run("HugeBoardIsDrawnSmaller", func(t *testing.T) {
		els := []*wire.Element{{ID: "a", Type: "rect", W: 1e7, H: 1e7, Stroke: "#ff0000", Opacity: 1, Z: "a"}}
		// A small pixel budget keeps the test quick; the default works the same way.
		img, _, err := image.DecodeConfig(bytes.NewReader(render(t, els, PNG, Options{Scale: 4, MaxPixels: 1 << 20})))
		if err != nil || img.Width > MaxSide || img.Width*img.Height > 1<<20 || img.Width < 1000 {
			t.Fatalf("huge board: %+v %v", img, err)
		}
	})
	t.Run("EveryType", func(t *testing.T) {
		img, err := png.Decode(bytes.NewReader(render(t, sample(), PNG, Options{Background: true, Padding: 20, Scale: 2})))
		if err != nil {
			t.Fatal(err)
		}
		if img.Bounds().Dx() < 1000 {
			t.Fatalf("image is %v", img.Bounds())
		}
	})
	t.Run("ImagesAreDrawn", func(t *testing.T) {
		src := image.NewRGBA(image.Rect(0, 0, 4, 3))
		for i := 0; i < len(src.Pix); i += 4 {
			src.Pix[i], src.Pix[i+3] = 255, 255
		}
		var data bytes.Buffer
		png.Encode(&data, src)
		els := []*wire.Element{{ID: "i", Type: "image", W: 40, H: 30, Src: "sha256:" + strings.Repeat("0", 64), Opacity: 1, Z: "a"}}
		opts := Options{Image: func(string) []byte { return data.Bytes() }}
		img, err := png.Decode(bytes.NewReader(render(t, els, PNG, opts)))
		if err != nil {
			t.Fatal(err)
		}
		if c := img.At(20, 15); !isRed(c) {
			t.Fatalf("middle of the image is %v, want red", c)
		}
		svg := string(render(t, els, SVG, opts))
		if !strings.Contains(svg, "data:image/png;base64,") {
			t.Fatalf("the SVG does not embed the image: %.300s", svg)
		}
	})
	t.Run("Dark", func(t *testing.T) {
		img, err := png.Decode(bytes.NewReader(render(t, sample(), PNG, Options{Background: true, Dark: true, Padding: 20})))
		if err != nil {
			t.Fatal(err)
		}
		if r, g, b, _ := img.At(1, 1).RGBA(); r>>8 != 0x12 || g>>8 != 0x12 || b>>8 != 0x12 {
			t.Fatalf("dark background is %v", img.At(1, 1))
		}
	})
}

// hostile is text and colours an attacker would try, on elements built directly (the
// protocol refuses such colours, the renderer must not rely on that).
func hostile() []*wire.Element {
	return []*wire.Element{
		{ID: "t", Type: "text", X: 0, Y: 0, Text: `</text><script>alert(1)</script>`, Stroke: `red" onload="x`, Opacity: 1, Z: "a"},
		{ID: "n", Type: "note", X: 0, Y: 100, W: 200, H: 100, Text: `<![CDATA[ ]]> & javascript:alert(1)`, Fill: `url(javascript:alert(1))`, Opacity: 1, Z: "b"},
		{ID: "r", Type: "rect", X: 0, Y: 300, W: 50, H: 50, Stroke: `#000" onclick="alert(1)`, Fill: "javascript:alert(1)", Opacity: 1, Z: "c"},
		{ID: "i", Type: "image", X: 100, Y: 300, W: 50, H: 50, Src: "javascript:alert(1)", Opacity: 1, Z: "d"},
	}
}

func TestSVG(t *testing.T) {
	t.Run("ParsesWithEveryType", func(t *testing.T) {
		out := render(t, sample(), SVG, Options{Background: true, Padding: 20})
		names := svgElements(t, out)
		for _, want := range []string{"svg", "path", "text", "style"} {
			if names[want] == 0 {
				t.Errorf("no <%s> in the SVG: %v", want, names)
			}
		}
		if names["path"] < 10 {
			t.Errorf("%d paths, want one or more per element", names["path"])
		}
	})
	t.Run("HostileTextAndColoursStayInert", func(t *testing.T) {
		out := render(t, hostile(), SVG, Options{})
		names := svgElements(t, out)
		if names["script"] > 0 {
			t.Fatalf("a <script> element in the SVG:\n%s", out)
		}
		low := strings.ToLower(string(out))
		for _, bad := range []string{"<script", "javascript:", "onload", "onclick"} {
			if strings.Contains(low, bad) && bad != "javascript:" {
				t.Errorf("SVG contains %q", bad)
			}
		}
		// javascript: may appear only as escaped text content, never in an attribute.
		checkAttributes(t, out)
		texts := svgText(t, out)
		if !strings.Contains(texts, `</text><script>alert(1)</script>`) {
			t.Errorf("the text did not survive as text: %q", texts)
		}
		if !strings.Contains(texts, `<![CDATA[ ]]> &`) || !strings.Contains(texts, "javascript:alert(1)") {
			t.Errorf("the note's text did not survive as text: %q", texts)
		}
	})
}

// svgElements parses out as XML and counts its elements by local name.
func svgElements(t *testing.T, out []byte) map[string]int {
	t.Helper()
	names := map[string]int{}
	dec := xml.NewDecoder(bytes.NewReader(out))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not XML: %v\n%.500s", err, out)
		}
		if se, ok := tok.(xml.StartElement); ok {
			names[se.Name.Local]++
		}
	}
	return names
}

// checkAttributes fails on any on* attribute and any attribute value holding a
// script-capable URL.
func checkAttributes(t *testing.T, out []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(out))
	for {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		for _, a := range se.Attr {
			v := strings.ToLower(a.Value)
			if strings.HasPrefix(strings.ToLower(a.Name.Local), "on") || strings.Contains(v, "javascript:") ||
				(strings.Contains(v, "url(") && !strings.Contains(v, "url(#")) {
				t.Errorf("<%s %s=%q>", se.Name.Local, a.Name.Local, a.Value)
			}
			if strings.HasSuffix(a.Name.Local, "href") && !strings.HasPrefix(v, "data:image/") {
				t.Errorf("<%s %s=%.40q>: not a data: image", se.Name.Local, a.Name.Local, a.Value)
			}
		}
	}
}

// svgText is the character data of every <tspan>, joined.
func svgText(t *testing.T, out []byte) string {
	t.Helper()
	var b strings.Builder
	dec := xml.NewDecoder(bytes.NewReader(out))
	in := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return b.String()
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local == "tspan" {
				in++
			}
		case xml.EndElement:
			if tok.Name.Local == "tspan" {
				in--
				b.WriteByte('\n')
			}
		case xml.CharData:
			if in > 0 {
				b.Write(tok)
			}
		}
	}
}

func TestPDF(t *testing.T) {
	t.Run("EveryType", func(t *testing.T) {
		out := render(t, append(stripe(), sample()...), PDF, Options{Background: true, Padding: 10, Title: "A <board>"})
		if !bytes.HasPrefix(out, []byte("%PDF")) {
			t.Fatalf("PDF starts with %q", out[:min(len(out), 16)])
		}
		if n := bytes.Count(out, []byte("/Type /Page\n")) + bytes.Count(out, []byte("/Type /Page/")) + bytes.Count(out, []byte("/Type /Page ")); n > 1 {
			t.Errorf("%d pages, want 1", n)
		}
		img := testtool.PDFPage(t, out, 96)
		// The red stroke runs along y = 0 from x = 0 to 200, 21 units in from the
		// top-left corner (margin 11 + padding 10), at 96 dpi one unit per pixel.
		red := 0
		for x := 30; x < 200; x++ {
			if isRed(img.At(x, 21)) {
				red++
			}
		}
		if red < 150 {
			t.Fatalf("%d red pixels along the stroke in the rendered PDF, want most of 170", red)
		}
	})
	t.Run("PNGAndJPEGImages", func(t *testing.T) {
		blue, green := color.RGBA{0, 0, 255, 255}, color.RGBA{0, 160, 0, 255}
		files := map[string][]byte{"sha256:png": solidPNG(t, blue), "sha256:jpeg": solidJPEG(t, green)}
		els := []*wire.Element{
			{ID: "i1", Type: "image", X: 0, Y: 0, W: 80, H: 60, Src: "sha256:png", Opacity: 1, Z: "a"},
			{ID: "i2", Type: "image", X: 100, Y: 0, W: 80, H: 60, Src: "sha256:jpeg", Opacity: 1, Z: "b"},
			{ID: "i3", Type: "image", X: 200, Y: 0, W: 80, H: 60, Src: "sha256:png", Opacity: 1, Z: "c"}, // the same bitmap twice
		}
		opts := Options{Background: true, Image: func(src string) []byte { return files[src] }}
		svg := string(render(t, els, SVG, opts))
		for _, mime := range []string{"image/png", "image/jpeg"} {
			if !strings.Contains(svg, "data:"+mime+";base64,") {
				t.Errorf("the SVG does not embed the %s as it was stored", mime)
			}
		}
		img := testtool.PDFPage(t, render(t, els, PDF, opts), 96)
		for _, c := range []struct {
			x, y int
			want color.RGBA
		}{{40, 30, blue}, {140, 30, green}, {240, 30, blue}} {
			if got := img.At(c.x, c.y); !near(got, c.want) {
				t.Errorf("PDF pixel (%d,%d) = %v, want %v", c.x, c.y, got, c.want)
			}
		}
	})
}

// solidPNG and solidJPEG are 16×12 images of one colour, as a person would upload.
func solidPNG(t *testing.T, c color.RGBA) []byte {
	var b bytes.Buffer
	if err := png.Encode(&b, solid(c)); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func solidJPEG(t *testing.T, c color.RGBA) []byte {
	var b bytes.Buffer
	if err := jpeg.Encode(&b, solid(c), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func solid(c color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 16, 12))
	draw.Draw(img, img.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
	return img
}

// near says whether got is want give or take what JPEG and anti-aliasing change.
func near(got color.Color, want color.RGBA) bool {
	r, g, b, _ := got.RGBA()
	d := func(x uint32, y uint8) int { return max(int(x>>8)-int(y), int(y)-int(x>>8)) }
	return d(r, want.R) <= 24 && d(g, want.G) <= 24 && d(b, want.B) <= 24
}

// TestConcurrentRenders draws boards full of text in every format at once, as
// simultaneous exports do (run with -race).
func TestConcurrentRenders(t *testing.T) {
	els := sample()
	done := make(chan error, 6)
	for i := range 6 {
		f := []Format{PNG, SVG, PDF}[i%3]
		go func() { done <- Render(io.Discard, els, f, Options{Scale: 2}) }()
	}
	for range 6 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
