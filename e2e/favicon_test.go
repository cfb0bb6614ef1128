package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// Every page links the SVG icon, the server sends it as an SVG, and /favicon.ico, which
// browsers ask for by themselves, leads to it instead of a 404.
func TestFavicon(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	resp, err := client.Get(ts.URL + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMovedPermanently || resp.Header.Get("Location") != "/assets/img/favicon.svg" {
		t.Errorf("/favicon.ico: %d → %q, want 301 → /assets/img/favicon.svg", resp.StatusCode, resp.Header.Get("Location"))
	}

	resp, err = http.Get(ts.URL + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "image/svg+xml") || !strings.Contains(string(body), "<svg") {
		t.Errorf("the icon: %d %q, %d bytes; want 200 image/svg+xml", resp.StatusCode, ct, len(body))
	}

	board := ts.newBoard(t)
	for _, path := range []string{"/", "/b/" + board.ID, "/v/" + board.ViewID, "/b/nosuchboard"} {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		req.Header.Set("Accept", "text/html") // as a browser asks for a page
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if !strings.Contains(string(page), `<link rel="icon" href="/assets/img/favicon.svg" type="image/svg+xml">`) {
			t.Errorf("%s (%d) does not link the icon", path, resp.StatusCode)
		}
	}
}
