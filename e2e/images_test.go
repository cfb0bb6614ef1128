package e2e

import (
	"bytes"
	be "encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"strings"
	"testing"

	"tabula/app/program"
	"tabula/internal/client"
)

func encodePNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = byte(i * 7)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pngClaiming is a PNG header announcing w×h pixels with no real data: a decompression
// bomb's calling card.
func pngClaiming(w, h uint32) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	be.BigEndian.PutUint32(ihdr[0:], w)
	be.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk := append([]byte("IHDR"), ihdr...)
	b = be.BigEndian.AppendUint32(b, 13)
	b = append(b, chunk...)
	b = be.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(chunk))
	return b
}

type upload struct {
	status int
	Src    string `json:"src"`
	Type   string `json:"type"`
	Width  int    `json:"width"`
	Error  string `json:"error"`
}

func postImage(t *testing.T, url, origin string, body []byte) upload {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	req.Header.Set("Content-Type", "image/png") // a lie for most cases: the server must not care
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	u := upload{status: resp.StatusCode}
	raw, _ := io.ReadAll(resp.Body)
	json.Unmarshal(raw, &u)
	return u
}

func TestImages(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) { c.MaxImage = 256 << 10 })
	b := ts.newBoard(t)
	up := ts.URL + "/b/" + b.ID + "/images"
	pngBytes := encodePNG(t, 40, 30)

	got := postImage(t, up, ts.URL, pngBytes)
	if got.status != http.StatusCreated || !strings.HasPrefix(got.Src, "sha256:") || got.Type != "image/png" || got.Width != 40 {
		t.Fatalf("upload: %+v", got)
	}
	if again := postImage(t, up, "", pngBytes); again.Src != got.Src {
		t.Fatalf("the same image got another address: %s vs %s", again.Src, got.Src)
	}
	for _, path := range []string{"/b/" + b.ID, "/v/" + b.ViewID} {
		resp, err := http.Get(ts.URL + path + "/images/" + got.Src)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Equal(body, pngBytes) || resp.Header.Get("Content-Type") != "image/png" ||
			resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Fatalf("GET %s: %d %s, %d bytes", path, resp.StatusCode, resp.Header.Get("Content-Type"), len(body))
		}
	}
	t.Run("OtherFormats", func(t *testing.T) {
		img := image.NewPaletted(image.Rect(0, 0, 8, 8), color.Palette{color.Black, color.White})
		var g, j bytes.Buffer
		gif.Encode(&g, img, nil)
		jpeg.Encode(&j, image.NewGray(image.Rect(0, 0, 8, 8)), nil)
		for name, data := range map[string][]byte{"image/gif": g.Bytes(), "image/jpeg": j.Bytes()} {
			if u := postImage(t, up, "", data); u.status != 201 || u.Type != name {
				t.Fatalf("%s: %+v", name, u)
			}
		}
	})

	bad := []struct {
		name   string
		body   []byte
		status int
		says   string
	}{
		{"NotAnImage", []byte("hello, I am text pretending to be a picture"), 400, "not a PNG"},
		{"SVGWithScript", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>`), 400, "not a PNG"},
		{"HTML", []byte("<!DOCTYPE html><script>alert(1)</script>"), 400, "not a PNG"},
		{"TruncatedPNG", pngBytes[:30], 400, "damaged"},
		{"DecompressionBomb", pngClaiming(100_000, 100_000), 400, "pixels"},
		{"Empty", nil, 400, "not a PNG"},
		{"TooLarge", append(encodePNG(t, 8, 8), make([]byte, 300<<10)...), 413, "limit"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			u := postImage(t, up, "", tt.body)
			if u.status != tt.status || !strings.Contains(u.Error, tt.says) {
				t.Fatalf("got %d %q, want %d mentioning %q", u.status, u.Error, tt.status, tt.says)
			}
		})
	}
	t.Run("OnlyEditorsFromThisSite", func(t *testing.T) {
		if u := postImage(t, ts.URL+"/v/"+b.ViewID+"/images", "", pngBytes); u.status != 404 {
			t.Fatalf("upload through the view link: %d", u.status)
		}
		if u := postImage(t, ts.URL+"/b/"+b.ViewID+"/images", "", pngBytes); u.status != 404 {
			t.Fatalf("upload with the view id as edit id: %d", u.status)
		}
		if u := postImage(t, up, "https://evil.example", pngBytes); u.status != 403 {
			t.Fatalf("upload from another site: %d", u.status)
		}
	})
	t.Run("UnknownImages", func(t *testing.T) {
		other := ts.newBoard(t)
		for _, path := range []string{
			"/b/" + other.ID + "/images/" + got.Src, // images belong to their board
			"/b/" + b.ID + "/images/sha256:" + strings.Repeat("0", 64),
			"/b/" + b.ID + "/images/..%2F..%2Fetc%2Fpasswd",
		} {
			resp, err := http.Get(ts.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 404 {
				t.Fatalf("%s: %d", path, resp.StatusCode)
			}
		}
	})
}

func TestViewIsRelayed(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	a := join(t, ts.wsURL("/b/", b.ID), 0)
	v := join(t, ts.wsURL("/v/", b.ViewID), 0)
	if err := v.c.Send(map[string]any{"t": "view", "x": -10, "y": 20, "w": 1280, "h": 720}); err != nil {
		t.Fatal(err)
	}
	m := a.until(func(m *client.Msg) bool { return m.T == "view" })
	if m.SID != v.sid || !strings.Contains(string(m.Raw), `"w":1280`) {
		t.Fatalf("view relayed as %s", m.Raw)
	}
	if err := v.c.Send(map[string]any{"t": "view", "x": 0, "y": 0, "w": 0, "h": 720}); err != nil {
		t.Fatal(err)
	}
	if m := v.until(func(m *client.Msg) bool { return m.T == "error" }); m.Code != "bad_value" {
		t.Fatalf("empty view answered %s", m.Raw)
	}
}
