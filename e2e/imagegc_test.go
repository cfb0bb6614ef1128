package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"tabula/app/program"
	"testing"
	"time"
)

// randomPNG is a w×h PNG of noise, so that it does not compress: as large as a photo.
func randomPNG(t *testing.T, seed uint64, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	r := rand.New(rand.NewPCG(seed, 1))
	for i := range img.Pix {
		img.Pix[i] = byte(r.Uint32())
	}
	var b bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func srcOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

func imageEl(id, src string) map[string]any {
	return map[string]any{"id": id, "type": "image", "src": src, "x": 0, "y": 0, "w": 40, "h": 30, "z": "a0"}
}

// getStatus answers the status of GET url.
func getStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// TestUnusedImagesCollected: an upload that no version of the board in its kept history
// shows is deleted once the grace period has passed, and frees the board's quota; one
// that any restorable version shows stays.
func TestUnusedImagesCollected(t *testing.T) {
	checkLeaks(t)
	const grace = time.Hour
	ts := startServer(t, func(c *program.Config) { c.Retention.Images = grace; c.ImageRate.PerMinute = 0 })
	ctx := context.Background()
	b := ts.newBoard(t)
	p := join(t, ts.wsURL("/b/", b.ID), 0)
	up := ts.URL + "/b/" + b.ID + "/images"
	img := func(name string, seed uint64) string {
		data := randomPNG(t, seed, 40, 30)
		if u := postImage(t, up, "", data); u.status != http.StatusCreated {
			t.Fatalf("upload %s: %+v", name, u)
		}
		return srcOf(data)
	}
	present := func(src string) bool {
		t.Helper()
		switch st := getStatus(t, ts.URL+"/b/"+b.ID+"/images/"+src); st {
		case 200:
			return true
		case 404:
			return false
		default:
			t.Fatalf("GET image: %d", st)
		}
		return false
	}
	unused, shown, replaced, replacement, deleted, inFlight := img("unused", 1), img("shown", 2), img("replaced", 3), img("replacement", 4), img("deleted", 5), img("in flight", 6)
	p.commit("c1", put(imageEl("shown", shown)))
	beforeReplace := p.commit("c2", put(imageEl("swap", replaced)))
	p.commit("c3", patch("swap", map[string]any{"src": replacement}))
	p.commit("c4", put(imageEl("gone", deleted)))
	p.commit("c5", del("gone"))
	count, size, err := ts.store.ImageUsage(ctx, b.ID)
	if err != nil || count != 6 {
		t.Fatalf("usage before: %d images, %v", count, err)
	}

	// Within the grace period nothing goes, used or not: the element showing an upload
	// may still be on its way.
	if n, err := ts.svc.CollectImages(ctx, time.Now()); err != nil || n != 0 {
		t.Fatalf("collected %d (%v) within the grace period", n, err)
	}
	if !present(unused) || !present(inFlight) {
		t.Fatal("an upload went within the grace period")
	}
	p.commit("c6", put(imageEl("late", inFlight)))

	later := time.Now().Add(grace + time.Minute)
	if n, err := ts.svc.CollectImages(ctx, later); err != nil || n != 1 {
		t.Fatalf("collected %d (%v), want the one unused upload", n, err)
	}
	if present(unused) {
		t.Fatal("the unused upload is still served")
	}
	for name, src := range map[string]string{"shown": shown, "replaced (in history)": replaced, "replacement": replacement, "deleted (in history)": deleted, "sent late": inFlight} {
		if !present(src) {
			t.Fatalf("the %s image was collected", name)
		}
	}
	n, left, err := ts.store.ImageUsage(ctx, b.ID)
	if err != nil || n != 5 || left != size-int64(len(randomPNG(t, 1, 40, 30))) {
		t.Fatalf("usage after: %d images, %d of %d bytes, %v", n, left, size, err)
	}
	if n, err := ts.svc.CollectImages(ctx, later); err != nil || n != 0 {
		t.Fatalf("a second sweep collected %d (%v)", n, err)
	}

	t.Run("RestoredVersionFindsItsImage", func(t *testing.T) {
		if _, err := ts.svc.Restore(ctx, b, beforeReplace); err != nil {
			t.Fatal(err)
		}
		_, els, err := ts.svc.State(ctx, b.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range els {
			if e.ID == "swap" && e.Src != replaced {
				t.Fatalf("restored element shows %s", e.Src)
			}
		}
		if !present(replaced) {
			t.Fatal("the restored version's image is gone")
		}
	})
	t.Run("ExportAfterCollection", func(t *testing.T) {
		for _, format := range []string{"json", "png", "svg"} {
			resp, err := http.Get(ts.URL + "/b/" + b.ID + "/export." + format)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || len(body) == 0 {
				t.Fatalf("export.%s: %d %s", format, resp.StatusCode, body)
			}
			if format == "json" && (!bytes.Contains(body, []byte(shown)) || bytes.Contains(body, []byte(unused))) {
				t.Fatal("export.json does not carry the images the board shows")
			}
		}
	})
}

// TestUnusedImagesCollectedInBackground: the janitor does it unasked.
func TestUnusedImagesCollectedInBackground(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) {
		c.Retention.Images = time.Millisecond
		c.Retention.Every = 20 * time.Millisecond
	})
	ctx := context.Background()
	b := ts.newBoard(t)
	p := join(t, ts.wsURL("/b/", b.ID), 0)
	used, unused := randomPNG(t, 1, 20, 20), randomPNG(t, 2, 20, 20)
	// The element first: with a grace period this short, an upload waiting for its
	// element would be fair game.
	p.commit("c1", put(imageEl("a", srcOf(used))))
	for _, data := range [][]byte{used, unused} {
		if u := postImage(t, ts.URL+"/b/"+b.ID+"/images", "", data); u.status != http.StatusCreated {
			t.Fatalf("upload: %+v", u)
		}
	}
	deadline := time.Now().Add(wait)
	for {
		n, _, err := ts.store.ImageUsage(ctx, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d images after %s, want the used one only", n, wait)
		}
		time.Sleep(10 * time.Millisecond) // polling a condition with a deadline
	}
	if st := getStatus(t, ts.URL+"/b/"+b.ID+"/images/"+srcOf(used)); st != 200 {
		t.Fatalf("the used image: %d", st)
	}
}

// TestUnusedUploadsHostile: a script uploads 25 large images no element will ever show.
// They are all collected, the board's quota is free again, and the space they took is
// reused by later uploads instead of growing the file.
func TestUnusedUploadsHostile(t *testing.T) {
	checkLeaks(t)
	const grace = time.Hour
	ts := startServer(t, func(c *program.Config) { c.Retention.Images = grace; c.ImageRate.PerMinute = 0 })
	ctx := context.Background()
	b := ts.newBoard(t)
	up := ts.URL + "/b/" + b.ID + "/images"
	batch := func(seed uint64) []string {
		var srcs []string
		for i := range uint64(25) {
			data := randomPNG(t, seed+i, 980, 1000) // 3.7 MiB each
			if u := postImage(t, up, "", data); u.status != http.StatusCreated {
				t.Fatalf("upload %d: %d %s", i, u.status, u.Error)
			}
			srcs = append(srcs, srcOf(data))
		}
		return srcs
	}
	fileSize := func() int64 {
		fi, err := os.Stat(ts.cfg.DataPath)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	srcs := batch(100)
	if n, size, _ := ts.store.ImageUsage(ctx, b.ID); n != 25 || size < 25*3<<20 {
		t.Fatalf("usage after the uploads: %d images, %d bytes", n, size)
	}
	if n, err := ts.svc.CollectImages(ctx, time.Now().Add(grace+time.Minute)); err != nil || n != 25 {
		t.Fatalf("collected %d (%v), want 25", n, err)
	}
	if n, size, _ := ts.store.ImageUsage(ctx, b.ID); n != 0 || size != 0 {
		t.Fatalf("usage after collection: %d images, %d bytes", n, size)
	}
	for _, src := range srcs {
		if st := getStatus(t, up+"/"+src); st != 404 {
			t.Fatalf("collected image answered %d", st)
		}
	}
	full := fileSize()
	batch(200)
	if grown := fileSize() - full; grown > 25<<20 {
		t.Fatalf("the file grew by %d MiB for 25 new images after 25 were collected: their space was not reused", grown>>20)
	}
	t.Logf("file %d MiB after the first 25 and their collection, %d MiB after 25 more", full>>20, fileSize()>>20)
	if st := getStatus(t, ts.URL+"/healthz"); st != 200 {
		t.Fatalf("healthz: %d", st)
	}
}
