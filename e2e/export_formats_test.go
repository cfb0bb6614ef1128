package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"io"
	"strings"
	"testing"

	"tabula/internal/testtool"
)

// everyType puts one element of every type on a board, images included (a PNG and a
// JPEG uploaded as the editor uploads them), through a real client's ops. It returns
// the pixels the exports must show: board point → colour.
func everyType(t *testing.T, ts *testServer, id string, p *peer) map[image.Point]color.RGBA {
	t.Helper()
	blue, orange := color.RGBA{0, 0, 255, 255}, color.RGBA{255, 128, 0, 255}
	green, magenta := color.RGBA{0, 160, 0, 255}, color.RGBA{255, 0, 255, 255}
	pngSrc := postImage(t, ts.URL+"/b/"+id+"/images", "", twoTone(t, "png", blue, orange))
	jpegSrc := postImage(t, ts.URL+"/b/"+id+"/images", "", twoTone(t, "jpeg", green, magenta))
	if pngSrc.status != 201 || jpegSrc.status != 201 || jpegSrc.Type != "image/jpeg" {
		t.Fatalf("uploads: %+v %+v", pngSrc, jpegSrc)
	}
	zigzag := [][]float64{{0, 0}, {60, 30}, {120, -10}, {160, 20}}
	p.commit("every-type",
		put(map[string]any{"id": "s1", "type": "stroke", "x": 20, "y": 20, "points": [][]float64{{0, 0}, {80, 0}, {160, 0}}, "stroke": "#ff0000", "width": 10, "z": "a0"}),
		put(map[string]any{"id": "l1", "type": "line", "x": 20, "y": 60, "w": 160, "h": 30, "stroke": "#1e1e1e", "width": 3, "z": "a1"}),
		put(map[string]any{"id": "a1", "type": "arrow", "x": 20, "y": 110, "points": [][]float64{{0, 0}, {160, 20}}, "stroke": "#1e1e1e", "width": 2, "endArrow": "triangle", "z": "a2"}),
		put(map[string]any{"id": "a2", "type": "arrow", "x": 20, "y": 150, "points": zigzag, "stroke": "#1971c2", "width": 2, "endArrow": "arrow", "z": "a3"}),
		put(map[string]any{"id": "a3", "type": "arrow", "x": 20, "y": 200, "points": zigzag, "curve": "round", "stroke": "#e03131", "width": 2, "startArrow": "dot", "endArrow": "bar", "z": "a4"}),
		put(map[string]any{"id": "r1", "type": "rect", "x": 220, "y": 20, "w": 120, "h": 80, "stroke": "#1e1e1e", "fill": "#a5d8ff", "fillStyle": "solid", "width": 2, "z": "a5"}),
		put(map[string]any{"id": "e1", "type": "ellipse", "x": 360, "y": 20, "w": 100, "h": 80, "stroke": "#2f9e44", "fill": "#b2f2bb", "fillStyle": "solid", "width": 2, "z": "a6"}),
		put(map[string]any{"id": "d1", "type": "diamond", "x": 480, "y": 20, "w": 100, "h": 80, "stroke": "#9c36b5", "width": 3, "dash": "dashed", "z": "a7"}),
		put(map[string]any{"id": "t1", "type": "text", "x": 220, "y": 140, "text": "Every element", "size": 24, "stroke": "#1e1e1e", "z": "a8"}),
		put(map[string]any{"id": "n1", "type": "note", "x": 400, "y": 130, "w": 160, "h": 100, "text": "A sticky note", "z": "a9"}),
		put(map[string]any{"id": "i1", "type": "image", "x": 620, "y": 20, "w": 120, "h": 90, "src": pngSrc.Src, "z": "b0"}),
		put(map[string]any{"id": "i2", "type": "image", "x": 760, "y": 20, "w": 120, "h": 90, "src": jpegSrc.Src, "z": "b1"}),
	)
	return map[image.Point]color.RGBA{
		{100, 20}: {255, 0, 0, 255},        // the stroke
		{280, 60}: {0xa5, 0xd8, 0xff, 255}, // the rectangle's fill
		{410, 60}: {0xb2, 0xf2, 0xbb, 255}, // the ellipse's fill
		{680, 42}: blue,                    // the PNG's top half
		{680, 88}: orange,                  // its bottom half
		{790, 65}: green,                   // the JPEG's left half
		{850, 65}: magenta,                 // its right half
	}
}

// twoTone is a 16×12 picture encoded as format ("png" or "jpeg"): a PNG's top half is
// a and its bottom half b, a JPEG's left half a and its right half b, so a picture
// drawn flipped or turned shows the wrong colours.
func twoTone(t *testing.T, format string, a, b color.RGBA) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 12))
	draw.Draw(img, img.Bounds(), image.NewUniform(a), image.Point{}, draw.Src)
	half := image.Rect(0, 6, 16, 12)
	if format == "jpeg" {
		half = image.Rect(8, 0, 16, 12)
	}
	draw.Draw(img, half, image.NewUniform(b), image.Point{}, draw.Src)
	var out bytes.Buffer
	var err error
	if format == "png" {
		err = png.Encode(&out, img)
	} else {
		err = jpeg.Encode(&out, img, &jpeg.Options{Quality: 95})
	}
	if err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// TestExportEveryType exports a board holding every element type, a PNG and a JPEG
// image among them, in every format, and opens each file: the PNG and the PDF (drawn
// by pdftoppm) show the elements' colours where they are, the SVG embeds both images
// as stored, the JSON holds every element and both images.
func TestExportEveryType(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	p := join(t, ts.wsURL("/b/", b.ID), 0)
	want := everyType(t, ts, b.ID, p)
	// One board unit per pixel: the PNG at scale 1, the PDF drawn at 96 dpi.
	base := ts.URL + "/b/" + b.ID + "/export."
	const area = "?area=0,0,900,260&padding=0"

	pixels := func(t *testing.T, img image.Image) {
		t.Helper()
		if got := img.Bounds().Size(); got != (image.Point{900, 260}) {
			t.Fatalf("page is %v pixels, want 900x260", got)
		}
		for at, c := range want {
			r, g, bl, _ := img.At(at.X, at.Y).RGBA()
			got := [3]int{int(r >> 8), int(g >> 8), int(bl >> 8)}
			if colourDistance(got, [3]int{int(c.R), int(c.G), int(c.B)}) > 48 {
				t.Errorf("pixel %v is %v, want %v", at, got, c)
			}
		}
	}
	for _, tt := range []struct {
		format, contentType string
		check               func(t *testing.T, body []byte)
	}{
		{"png", "image/png", func(t *testing.T, body []byte) { pixels(t, decodePNG(t, body)) }},
		{"pdf", "application/pdf", func(t *testing.T, body []byte) { pixels(t, testtool.PDFPage(t, body, 96)) }},
		{"svg", "image/svg+xml", func(t *testing.T, body []byte) {
			hrefs := svgImages(t, body)
			if len(hrefs) != 2 || !strings.HasPrefix(hrefs[0], "data:image/png;base64,") || !strings.HasPrefix(hrefs[1], "data:image/jpeg;base64,") {
				t.Fatalf("SVG images %.60q, want the PNG then the JPEG as stored", hrefs)
			}
		}},
		{"json", "application/json", func(t *testing.T, body []byte) {
			var f struct {
				Elements []struct{ ID, Type string }
				Images   map[string]string
			}
			if err := json.Unmarshal(body, &f); err != nil {
				t.Fatal(err)
			}
			types := map[string]int{}
			for _, e := range f.Elements {
				types[e.Type]++
			}
			if len(f.Elements) != 12 || types["arrow"] != 3 || types["image"] != 2 || len(types) != 9 || len(f.Images) != 2 {
				t.Fatalf("%d elements by type %v and %d images, want 12 of 9 types and 2", len(f.Elements), types, len(f.Images))
			}
			for src, data := range f.Images {
				raw, err := base64.StdEncoding.DecodeString(data)
				if _, _, derr := image.Decode(bytes.NewReader(raw)); err != nil || derr != nil {
					t.Errorf("image %s does not decode: %v %v", src, err, derr)
				}
			}
		}},
	} {
		t.Run(strings.ToUpper(tt.format), func(t *testing.T) {
			resp, body := get(t, base+tt.format+area)
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tt.contentType {
				t.Fatalf("%d %s: %.200s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			tt.check(t, body)
		})
	}
}

// svgImages returns the href of every <image> in an SVG, in document order.
func svgImages(t *testing.T, body []byte) []string {
	t.Helper()
	var hrefs []string
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return hrefs
		}
		if err != nil {
			t.Fatalf("SVG is not XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == "image" {
			for _, a := range se.Attr {
				if a.Name.Local == "href" {
					hrefs = append(hrefs, a.Value)
				}
			}
		}
	}
}
