package e2e

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"tabula/app/program"
)

// send makes one request with the given headers and returns status, Retry-After and body.
func send(t *testing.T, method, url, contentType string, body []byte, headers map[string]string) (int, string, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(string(body)))
	req.Header.Set("Content-Type", contentType)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Retry-After"), string(out)
}

func countBoards(t *testing.T, ts *testServer) int {
	t.Helper()
	bs, err := ts.store.Boards(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(bs)
}

// One address creates (or imports) boards at most at the configured rate; past it the
// server answers 429 with Retry-After and a message a person can read, stores nothing,
// and other addresses are not affected.
func TestBoardCreationRateLimit(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) {
		c.BoardRate.Burst = 3
		c.ProxyHeader = "X-Forwarded-For"
	})
	from := func(addr string) map[string]string { return map[string]string{"X-Forwarded-For": addr} }
	for i := range 3 {
		if status, _, body := send(t, "POST", ts.URL+"/boards", "application/x-www-form-urlencoded", nil, from("192.0.2.1")); status != 303 {
			t.Fatalf("board %d: %d %s", i, status, body)
		}
	}
	before := countBoards(t, ts)
	file := []byte(`{"type":"tabula","version":1,"elements":[]}`)
	for _, c := range []struct {
		name, path, ct string
		body           []byte
		accept         string
	}{
		{"Create", "/boards", "application/x-www-form-urlencoded", nil, ""},
		{"CreateFromThePage", "/boards", "application/x-www-form-urlencoded", nil, "text/html"},
		{"Import", "/import", "application/json", file, ""},
	} {
		status, retry, body := send(t, "POST", ts.URL+c.path, c.ct, c.body, map[string]string{"X-Forwarded-For": "192.0.2.1", "Accept": c.accept})
		if n, err := strconv.Atoi(retry); status != 429 || err != nil || n < 1 || !strings.Contains(body, "creating boards too quickly") {
			t.Errorf("%s past the burst: %d, Retry-After %q, %s; want 429 with Retry-After and a reason", c.name, status, retry, body)
		}
	}
	if after := countBoards(t, ts); after != before {
		t.Fatalf("%d boards stored past the limit", after-before)
	}
	if status, _, body := send(t, "POST", ts.URL+"/boards", "application/x-www-form-urlencoded", nil, from("192.0.2.2")); status != 303 {
		t.Fatalf("another address: %d %s", status, body)
	}
}

// Image uploads are limited per address, and each board holds a bounded number and
// size of images; an image the board has already is still accepted.
func TestImageLimits(t *testing.T) {
	checkLeaks(t)
	t.Run("Rate", func(t *testing.T) {
		ts := startServer(t, func(c *program.Config) { c.ImageRate.Burst = 2 })
		b := ts.newBoard(t)
		url := ts.URL + "/b/" + b.ID + "/images"
		for i := range 2 {
			if u := postImage(t, url, "", encodePNG(t, 4+i, 4)); u.status != 201 {
				t.Fatalf("image %d: %d %s", i, u.status, u.Error)
			}
		}
		status, retry, body := send(t, "POST", url, "image/png", encodePNG(t, 9, 9), nil)
		if status != 429 || retry == "" || !strings.Contains(body, "uploading images too quickly") {
			t.Fatalf("past the burst: %d, Retry-After %q, %s", status, retry, body)
		}
		if n, _, _ := ts.store.ImageUsage(context.Background(), b.ID); n != 2 {
			t.Fatalf("%d images stored, want 2", n)
		}
	})
	t.Run("QuotaPerBoard", func(t *testing.T) {
		ts := startServer(t, func(c *program.Config) { c.MaxBoardImages = 3 })
		b := ts.newBoard(t)
		url := ts.URL + "/b/" + b.ID + "/images"
		first := encodePNG(t, 4, 4)
		for i := range 3 {
			if u := postImage(t, url, "", encodePNG(t, 4+i, 4)); u.status != 201 {
				t.Fatalf("image %d: %d %s", i, u.status, u.Error)
			}
		}
		if u := postImage(t, url, "", encodePNG(t, 20, 20)); u.status != 413 || !strings.Contains(u.Error, "as many images as it may") {
			t.Fatalf("fourth image: %d %q, want 413 naming the quota", u.status, u.Error)
		}
		if u := postImage(t, url, "", first); u.status != 201 {
			t.Fatalf("an image the board has: %d %s", u.status, u.Error)
		}
		if u := postImage(t, ts.URL+"/b/"+ts.newBoard(t).ID+"/images", "", encodePNG(t, 20, 20)); u.status != 201 {
			t.Fatalf("another board: %d %s", u.status, u.Error)
		}
	})
	t.Run("BytesPerBoard", func(t *testing.T) {
		one, two := encodePNG(t, 24, 24), encodePNG(t, 24, 25)
		ts := startServer(t, func(c *program.Config) { c.MaxBoardImageBytes = len(one) + len(two) - 1 })
		b := ts.newBoard(t)
		url := ts.URL + "/b/" + b.ID + "/images"
		if u := postImage(t, url, "", one); u.status != 201 {
			t.Fatalf("first image: %d %s", u.status, u.Error)
		}
		if u := postImage(t, url, "", two); u.status != 413 {
			t.Fatalf("past the byte quota: %d %s", u.status, u.Error)
		}
	})
}
