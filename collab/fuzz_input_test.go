package collab

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"

	"tabula/collab/wire"
)

// Fuzz targets for client input that does not come over the WebSocket (which
// fuzz_test.go, decode_test.go and voice_test.go cover): uploaded images, a presence
// stream's Last-Event-ID, and the stored data the image collector reads.

// FuzzCheckImage sniffs arbitrary uploads: no panic; what is accepted is one of the
// four formats by its content, decodes as that format, is within the pixel limit, and
// is addressed by the SHA-256 of its bytes.
func FuzzCheckImage(f *testing.F) {
	var p, g, j bytes.Buffer
	png.Encode(&p, image.NewNRGBA(image.Rect(0, 0, 3, 2)))
	gif.Encode(&g, image.NewPaletted(image.Rect(0, 0, 2, 2), color.Palette{color.Black, color.White}), nil)
	jpeg.Encode(&j, image.NewGray(image.Rect(0, 0, 4, 4)), nil)
	for _, seed := range [][]byte{p.Bytes(), g.Bytes(), j.Bytes(), []byte("RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"), []byte("<svg onload=alert(1)>"), p.Bytes()[:20]} {
		f.Add(seed)
	}
	s := &Service{cfg: Config{MaxImage: 1 << 20}}
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := s.checkImage(data)
		if err != nil {
			if c := wire.ErrorCode(err); c != wire.EBadValue && c != wire.ETooBig {
				t.Fatalf("refusal %v is neither EBadValue nor ETooBig", err)
			}
			return
		}
		if imageTypes[img.ContentType] == "" {
			t.Fatalf("accepted as %q", img.ContentType)
		}
		if img.Width <= 0 || img.Height <= 0 || img.Width*img.Height > MaxImagePixels {
			t.Fatalf("accepted at %d×%d", img.Width, img.Height)
		}
		sum := sha256.Sum256(data)
		if img.Src != "sha256:"+hex.EncodeToString(sum[:]) || !wire.ValidSrc(img.Src) {
			t.Fatalf("addressed as %s", img.Src)
		}
	})
}

// FuzzCatchUp resumes a presence stream from arbitrary Last-Event-IDs: no panic, and
// the answer is either what followed a known id (ending ": resumed") or a fresh roster,
// in whole events.
func FuzzCatchUp(f *testing.F) {
	p := newPresence()
	for i := range 3 {
		p.join("b", Person{SID: fmt.Sprintf("s%d", i), Name: "n"}, nil)
		r := p.get("b")
		r.mu.Lock()
		if r.timer != nil {
			r.timer.Stop()
			r.timer = nil
		}
		r.mu.Unlock()
		r.flush()
	}
	r := p.get("b")
	for _, seed := range []string{"", p.epoch + "-0", p.epoch + "-1", p.epoch + "-3", p.epoch + "-99", p.epoch + "--1", "x-1", p.epoch + "-9223372036854775807"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, last string) {
		r.mu.Lock()
		b := r.catchUp(last)
		r.mu.Unlock()
		resumed := bytes.HasSuffix(b, []byte(": resumed\n\n"))
		if !resumed && !bytes.HasPrefix(b, []byte("id: "+p.epoch+"-")) || !bytes.HasSuffix(b, []byte("\n\n")) {
			t.Fatalf("Last-Event-ID %q answered %q", last, b)
		}
		if resumed && !strings.HasPrefix(last, p.epoch+"-") {
			t.Fatalf("resumed from a foreign id %q", last)
		}
	})
}

// FuzzFindSrcs: the image collector finds in arbitrary data exactly the lower-cased
// "sha256:" + 64 hex digit runs it holds, so that one an element shows is never missed.
func FuzzFindSrcs(f *testing.F) {
	src := "sha256:" + strings.Repeat("ab12", 16)
	f.Add([]byte(`{"src":"` + src + `"}`))
	f.Add([]byte("sha256:sha256:" + strings.ToUpper(src[7:]) + "sha256:"))
	f.Add([]byte("\x16sha256:0123"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var found []string
		findSrcs(data, func(s string) { found = append(found, s) })
		lower := bytes.ToLower(data)
		for _, s := range found {
			if !wire.ValidSrc(s) || s != strings.ToLower(s) || !bytes.Contains(lower, []byte(s)) {
				t.Fatalf("found %q in %q", s, data)
			}
		}
		// Every address in the data is found: check by planting one.
		planted := append(append(bytes.Clone(data), `"`+src+`"`...), data...)
		ok := false
		findSrcs(planted, func(s string) { ok = ok || s == src })
		if !ok {
			t.Fatalf("missed %s after %q", src, data)
		}
	})
}
