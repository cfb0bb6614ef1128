package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/png"
	"net/http"
	"strings"
	"sync"
	"testing"

	"tabula/collab"
	"tabula/collab/bolt"
	"tabula/collab/wire"
)

// slowImages is a bbolt store whose Image waits until the test opens the gate: a
// render that draws an image holds its slot until then, as a large drawing would.
type slowImages struct {
	*bolt.Store
	gate    chan struct{}
	reached chan struct{}
}

func (s *slowImages) Image(ctx context.Context, id, src string) ([]byte, error) {
	select {
	case s.reached <- struct{}{}:
	default:
	}
	<-s.gate
	return s.Store.Image(ctx, id, src)
}

// imageBoard imports a board showing one image.
func imageBoard(t *testing.T, ts *testServer) collab.BoardMeta {
	t.Helper()
	var pic bytes.Buffer
	png.Encode(&pic, image.NewRGBA(image.Rect(0, 0, 4, 4)))
	sum := sha256.Sum256(pic.Bytes())
	src := "sha256:" + hex.EncodeToString(sum[:])
	b, err := ts.svc.ImportBoard(context.Background(), "pictures", []*wire.Element{{ID: "i", Type: "image", W: 40, H: 40, Z: "a", Opacity: 1, Src: src}}, map[string][]byte{src: pic.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Exports beyond the render workers wait in a bounded queue; past it they are refused
// at once with 429 and Retry-After, and the ones let in all finish.
func TestExportQueueIsBounded(t *testing.T) {
	b, err := bolt.Open(t.TempDir() + "/t.db")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	store := &slowImages{Store: b, gate: make(chan struct{}), reached: make(chan struct{}, 1)}
	ts := startTestServer(t, store, Config{RenderWorkers: 1, RenderQueue: 2})
	board := imageBoard(t, ts)
	url := ts.URL + "/v/" + board.ViewID + "/export.png"

	const exports = 8
	statuses := make(chan int, exports)
	var wg sync.WaitGroup
	start := func() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(url)
			if err != nil {
				statuses <- 0
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		}()
	}
	start()
	<-store.reached // the first holds the only worker
	start()
	start()
	waitFor(t, "two exports waiting", func() bool { return ts.renders.waiting.Load() == 2 })
	for range exports - 3 {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("export past the queue: %d, Retry-After %q; want 429 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	}
	close(store.gate)
	wg.Wait()
	close(statuses)
	for s := range statuses {
		if s != 200 {
			t.Fatalf("an export let into the queue answered %d", s)
		}
	}
}

// A PNG export whose scale would pass the pixel budget is refused with a reason naming
// a scale that fits; the same board at scale 1 exports.
func TestExportPixelBudget(t *testing.T) {
	ts := startTestServer(t, nil, Config{})
	b, err := ts.svc.ImportBoard(context.Background(), "wide", []*wire.Element{{ID: "r", Type: "rect", X: 0, Y: 0, W: 3000, H: 3000, Z: "a", Stroke: "#000000", Width: 2, Opacity: 1}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	status, body := httpGet(t, ts.URL+"/v/"+b.ViewID+"/export.png?scale=4")
	if status != 413 || !strings.Contains(body, "scale of 1.8 or less") {
		t.Fatalf("scale 4: %d %s; want 413 naming a scale that fits", status, body)
	}
	if status, body := httpGet(t, ts.URL+"/v/"+b.ViewID+"/export.png?scale=1"); status != 200 {
		t.Fatalf("scale 1: %d %.200s", status, body)
	}
}
