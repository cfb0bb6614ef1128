package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"image"
	"image/png"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"tabula/app/program"
)

// get fetches url and returns the response with its body read.
func get(t *testing.T, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func post(t *testing.T, url, contentType string, body []byte) (*http.Response, []byte) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Post(url, contentType, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, out
}

// redStroke is a thick red horizontal stroke from (100,100) to (300,100).
func redStroke(id string) map[string]any {
	return map[string]any{"id": id, "type": "stroke", "x": 100, "y": 100, "points": [][]float64{{0, 0}, {100, 0}, {200, 0}},
		"stroke": "#ff0000", "width": 10, "z": "a1"}
}

func decodePNG(t *testing.T, body []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("not a PNG: %v (%.100q)", err, body)
	}
	return img
}

// redPixels counts clearly red pixels.
func redPixels(img image.Image) int {
	return countPixels(img, img.Bounds(), func(c [3]int) bool { return c[0] > 200 && c[1] < 80 && c[2] < 80 })
}

func TestExport(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	p := join(t, ts.wsURL("/b/", b.ID), 0)
	p.commit("c1", put(redStroke("s1")))
	p.commit("c2", put(map[string]any{"id": "t1", "type": "text", "x": 100, "y": 200, "text": "</text><script>alert(1)</script>", "stroke": "#1e1e1e", "z": "a2"}))
	base := ts.URL + "/b/" + b.ID + "/export."
	today := time.Now().Format("2006-01-02")

	t.Run("PNG", func(t *testing.T) {
		resp, body := get(t, base+"png?scale=2")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, `attachment; filename="Untitled board-`+today+`.png"`) {
			t.Fatalf("Content-Disposition %q", cd)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatal("no nosniff")
		}
		img := decodePNG(t, body)
		if redPixels(img) < 2*2*150*8 {
			t.Fatalf("%d red pixels, want the stroke at scale 2", redPixels(img))
		}
		if _, _, _, a := img.At(1, 1).RGBA(); a != 0xffff {
			t.Fatal("background is not opaque")
		}
	})
	t.Run("TransparentPNG", func(t *testing.T) {
		_, body := get(t, base+"png?background=off")
		img := decodePNG(t, body)
		if _, _, _, a := img.At(1, 1).RGBA(); a != 0 {
			t.Fatalf("corner alpha %d, want transparent", a)
		}
		if redPixels(img) < 150*8 {
			t.Fatal("no red stroke")
		}
	})
	t.Run("SVG", func(t *testing.T) {
		resp, body := get(t, base+"svg?theme=dark")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/svg+xml" {
			t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
			t.Fatalf("CSP %q", csp)
		}
		dec := xml.NewDecoder(bytes.NewReader(body))
		var texts []string
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("SVG is not XML: %v", err)
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				if tok.Name.Local == "script" {
					t.Fatal("<script> in the SVG")
				}
				for _, a := range tok.Attr {
					if strings.HasPrefix(a.Name.Local, "on") || strings.Contains(strings.ToLower(a.Value), "javascript:") {
						t.Fatalf("attribute %s=%q", a.Name.Local, a.Value)
					}
				}
			case xml.CharData:
				texts = append(texts, string(tok))
			}
		}
		if !strings.Contains(strings.Join(texts, ""), "</text><script>alert(1)</script>") {
			t.Fatal("the text did not survive as text")
		}
	})
	t.Run("PDF", func(t *testing.T) {
		resp, body := get(t, base+"pdf")
		if resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF")) {
			t.Fatalf("%s %.10q", resp.Header.Get("Content-Type"), body)
		}
	})
	t.Run("ViewLinkAndSelection", func(t *testing.T) {
		resp, body := get(t, ts.URL+"/v/"+b.ViewID+"/export.png?ids=t1")
		if resp.StatusCode != 200 {
			t.Fatalf("view link export: %d %s", resp.StatusCode, body)
		}
		if n := redPixels(decodePNG(t, body)); n != 0 {
			t.Fatalf("the selection (text only) has %d red pixels", n)
		}
		if resp, _ := get(t, ts.URL+"/v/"+b.ID+"/export.png"); resp.StatusCode != 404 {
			t.Fatalf("an edit id on the view path: %d", resp.StatusCode)
		}
	})
	t.Run("Area", func(t *testing.T) {
		_, body := get(t, base+"png?area=150,90,50,20&padding=0")
		img := decodePNG(t, body)
		if img.Bounds().Dx() != 50 || img.Bounds().Dy() != 20 || redPixels(img) < 50*8 {
			t.Fatalf("area export %v with %d red pixels", img.Bounds(), redPixels(img))
		}
	})
	t.Run("BadOptions", func(t *testing.T) {
		for _, q := range []string{"png?scale=9", "png?background=maybe", "svg?theme=blue", "png?at=x", "png?area=1,2,3", "png?padding=-1"} {
			if resp, body := get(t, base+q); resp.StatusCode != 400 || !strings.Contains(string(body), "error") {
				t.Errorf("%s: %d %s", q, resp.StatusCode, body)
			}
		}
		if resp, _ := get(t, base+"gif"); resp.StatusCode != 404 {
			t.Errorf("gif: %d", resp.StatusCode)
		}
		if resp, _ := get(t, base+"png?at=999"); resp.StatusCode != 400 {
			t.Errorf("a version the board never had: %d", resp.StatusCode)
		}
	})
	t.Run("VersionFromHistory", func(t *testing.T) {
		seq := p.commit("c3", del("s1"))
		_, now := get(t, base+"png")
		if n := redPixels(decodePNG(t, now)); n != 0 {
			t.Fatalf("deleted stroke still drawn: %d red pixels", n)
		}
		resp, then := get(t, base+"png?at="+itoa(seq-1))
		if n := redPixels(decodePNG(t, then)); n < 150*8 {
			t.Fatalf("version %d has %d red pixels, want the stroke", seq-1, n)
		}
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "-v"+itoa(seq-1)+".png") {
			t.Fatalf("version download named %q", cd)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestImport(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) { c.Limits.MaxElements, c.MaxImport = 100, 64<<10 })
	b := ts.newBoard(t)
	p := join(t, ts.wsURL("/b/", b.ID), 0)
	p.commit("c1", put(redStroke("s1")),
		put(map[string]any{"id": "n1", "type": "note", "x": 0, "y": 300, "w": 120, "h": 90, "text": "Ship it ✓", "fill": "#ffc9c9", "z": "a2"}),
		put(map[string]any{"id": "a1", "type": "arrow", "points": [][]float64{{0, 0}, {50, 20, 0.5}}, "stroke": "#1971c2", "startBind": "n1", "z": "a3"}))
	up := postImage(t, ts.URL+"/b/"+b.ID+"/images", "", encodePNG(t, 8, 6))
	p.commit("c2", put(map[string]any{"id": "i1", "type": "image", "x": 300, "y": 0, "w": 80, "h": 60, "src": up.Src, "z": "a4"}))
	boards := func() int {
		all, err := ts.store.Boards(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return len(all)
	}

	t.Run("JSONRoundTrip", func(t *testing.T) {
		_, first := get(t, ts.URL+"/b/"+b.ID+"/export.json")
		resp, body := post(t, ts.URL+"/import", "application/json", first)
		if resp.StatusCode != 201 {
			t.Fatalf("import: %d %s", resp.StatusCode, body)
		}
		var made struct{ ID, View, URL string }
		json.Unmarshal(body, &made)
		_, second := get(t, ts.URL+"/b/"+made.ID+"/export.json")
		if !bytes.Equal(first, second) {
			t.Fatalf("export → import → export differs:\n%s\n%s", first, second)
		}
		if resp, _ := get(t, ts.URL+"/v/"+made.View+"/export.png"); resp.StatusCode != 200 {
			t.Fatalf("the imported board's view link: %d", resp.StatusCode)
		}
		// The imported board is a normal board: people can join it and draw on.
		q := join(t, ts.wsURL("/b/", made.ID), 0)
		if q.doc.Seq != 1 || len(q.doc.Els) != 4 {
			t.Fatalf("joined the imported board at seq %d with %d elements", q.doc.Seq, len(q.doc.Els))
		}
		q.commit("more", put(rect("r9", 5)))
	})
	t.Run("Excalidraw", func(t *testing.T) {
		data, err := os.ReadFile("../collab/boardfile/testdata/sample.excalidraw")
		if err != nil {
			t.Fatal(err)
		}
		resp, body := post(t, ts.URL+"/import", "application/octet-stream", data)
		if resp.StatusCode != 201 {
			t.Fatalf("import: %d %s", resp.StatusCode, body)
		}
		var made struct{ ID string }
		json.Unmarshal(body, &made)
		_, els, err := ts.svc.State(context.Background(), made.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		types := map[string]bool{}
		for _, e := range els {
			types[e.Type] = true
		}
		for _, want := range []string{"rect", "ellipse", "diamond", "line", "arrow", "stroke", "text", "image"} {
			if !types[want] {
				t.Errorf("no %s on the imported board", want)
			}
		}
		if resp, body := get(t, ts.URL+"/b/"+made.ID+"/export.png"); resp.StatusCode != 200 || len(body) < 1000 {
			t.Fatalf("export of the imported board: %d", resp.StatusCode)
		}
	})
	t.Run("BadFilesMakeNoBoard", func(t *testing.T) {
		before := boards()
		many := `{"type":"tabula","version":1,"elements":[` + strings.Repeat(`{"id":"x","type":"rect","z":"a"},`, 150)
		many = many[:len(many)-1] + `]}`
		var manyIDs []string
		for i := range 101 {
			manyIDs = append(manyIDs, `{"id":"e`+itoa(int64(i))+`","type":"rect","z":"a"}`)
		}
		overCap := `{"type":"tabula","version":1,"elements":[` + strings.Join(manyIDs, ",") + `]}`
		for _, c := range []struct {
			name, body string
			status     int
			msg        string
		}{
			{"NotJSON", "hello", 400, "not JSON"},
			{"WrongSchema", `{"type":"tabula","version":1,"elements":{"a":1}}`, 400, "Tabula format"},
			{"FutureVersion", `{"type":"tabula","version":7,"elements":[]}`, 400, "newer Tabula"},
			{"DuplicateIDs", many, 400, "used twice"},
			{"OverTheCap", overCap, 400, "at most 100"},
			{"BadImage", `{"type":"tabula","version":1,"elements":[{"id":"i","type":"image","src":"sha256:` + strings.Repeat("0", 64) + `","z":"a"}],"images":{"sha256:` + strings.Repeat("0", 64) + `":"aGVsbG8="}}`, 400, "not a PNG"},
			{"Huge", strings.Repeat(" ", 100<<10), 413, "larger than 64 KiB"},
		} {
			resp, body := post(t, ts.URL+"/import", "application/json", []byte(c.body))
			if resp.StatusCode != c.status || !strings.Contains(string(body), c.msg) {
				t.Errorf("%s: %d %s, want %d mentioning %q", c.name, resp.StatusCode, body, c.status, c.msg)
			}
		}
		if after := boards(); after != before {
			t.Fatalf("bad files made %d boards", after-before)
		}
	})
	t.Run("ForeignOriginRefused", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/import", strings.NewReader(`{"type":"tabula","version":1,"elements":[]}`))
		req.Header.Set("Origin", "https://evil.example")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Fatalf("import from another site: %d", resp.StatusCode)
		}
	})
}
