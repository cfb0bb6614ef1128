package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/png"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"tabula/collab"
	"tabula/collab/bolt"
	"tabula/collab/wire"
)

// panickyStore is a bbolt store that panics, as a bug would, when asked for the board
// or the images named in it.
type panickyStore struct {
	*bolt.Store
	board  atomic.Value // string: Board(id) panics
	images atomic.Bool  // Image panics
}

func (p *panickyStore) Board(ctx context.Context, id string) (collab.BoardMeta, error) {
	if p.board.Load() == id {
		panic("test: store.Board panicked")
	}
	return p.Store.Board(ctx, id)
}

// BoardByEdit is how a request's edit link is looked up.
func (p *panickyStore) BoardByEdit(ctx context.Context, id string) (collab.BoardMeta, error) {
	if p.board.Load() == id {
		panic("test: store.Board panicked")
	}
	return p.Store.BoardByEdit(ctx, id)
}

func (p *panickyStore) Image(ctx context.Context, id, src string) ([]byte, error) {
	if p.images.Load() {
		panic("test: store.Image panicked")
	}
	return p.Store.Image(ctx, id, src)
}

// A panic in a handler, in a render or in an event stream's goroutine is logged with
// its stack; the client gets "internal error" (or its stream ends) and the server keeps
// serving.
func TestPanicsAreRecovered(t *testing.T) {
	b, err := bolt.Open(t.TempDir() + "/t.db")
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	store := &panickyStore{Store: b}
	store.board.Store("")
	ts := startTestServer(t, store, Config{})
	ctx := context.Background()
	var pic bytes.Buffer
	png.Encode(&pic, image.NewRGBA(image.Rect(0, 0, 4, 4)))
	sum := sha256.Sum256(pic.Bytes())
	src := "sha256:" + hex.EncodeToString(sum[:])
	board, err := ts.svc.ImportBoard(ctx, "pictures", []*wire.Element{{ID: "i", Type: "image", W: 40, H: 40, Z: "a", Opacity: 1, Src: src}}, map[string][]byte{src: pic.Bytes()})
	if err != nil {
		t.Fatal(err)
	}
	other, err := ts.svc.CreateBoard(ctx)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("Handler", func(t *testing.T) {
		store.board.Store(other.ID)
		defer store.board.Store("")
		status, body := httpGet(t, ts.URL+"/b/"+other.ID+"/history")
		if status != 500 || !strings.Contains(body, "internal error") || strings.Contains(body, "panicked") {
			t.Fatalf("got %d %s, want 500 internal error without details", status, body)
		}
		if !logHas(ts, "handler panicked", "test: store.Board panicked", "goroutine ", "recover.go") {
			t.Fatalf("the panic and its stack are not in the log:\n%s", ts.log.String())
		}
	})
	t.Run("Render", func(t *testing.T) {
		store.images.Store(true)
		defer store.images.Store(false)
		for _, format := range []string{"png", "svg", "pdf"} {
			status, body := httpGet(t, ts.URL+"/v/"+board.ViewID+"/export."+format)
			if status != 500 || !strings.Contains(body, "internal error") {
				t.Fatalf("export.%s: got %d %s, want 500 internal error", format, status, body)
			}
		}
		if !logHas(ts, "test: store.Image panicked", "goroutine ") {
			t.Fatalf("the render's panic and its stack are not in the log:\n%s", ts.log.String())
		}
	})
	t.Run("EventStream", func(t *testing.T) {
		// A route of the test's own that streams through the server's stream code.
		f := fiber.New(fiber.Config{DisableStartupMessage: true})
		f.Get("/boom", func(c *fiber.Ctx) error {
			return ts.stream(c, func(send func([]byte) bool, _ <-chan time.Time, _ <-chan struct{}) {
				send([]byte("event: x\ndata: 1\n\n"))
				panic("test: stream panicked")
			})
		})
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go f.Listener(ln)
		defer f.Shutdown()
		resp, err := http.Get("http://" + ln.Addr().String() + "/boom")
		if err != nil {
			t.Fatal(err)
		}
		var all bytes.Buffer
		all.ReadFrom(resp.Body) // ends when the stream's connection is closed
		resp.Body.Close()
		waitFor(t, "the stream's panic in the log", func() bool { return logHas(ts, "event stream", "test: stream panicked", "goroutine ") })
		waitFor(t, "the stream's slot to be freed", func() bool {
			ts.sse.mu.Lock()
			defer ts.sse.mu.Unlock()
			return len(ts.sse.n) == 0
		})
	})
	// Still serving, the boards that did not panic included.
	if status, _ := httpGet(t, ts.URL+"/healthz"); status != 200 {
		t.Fatalf("healthz: %d", status)
	}
	if status, _ := httpGet(t, ts.URL+"/v/"+board.ViewID+"/export.png"); status != 200 {
		t.Fatalf("export after the panics: %d", status)
	}
}
