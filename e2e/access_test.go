package e2e

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"tabula/app/program"
	"tabula/internal/client"
)

func TestOriginCheck(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) { c.AllowedOrigins = []string{"https://board.example.com"} })
	b := ts.newBoard(t)
	tests := []struct {
		name, origin string
		want         int
	}{
		{"SameOrigin", ts.URL, http.StatusSwitchingProtocols},
		{"NoOrigin", "", http.StatusSwitchingProtocols},
		{"Configured", "https://board.example.com", http.StatusSwitchingProtocols},
		{"Foreign", "https://evil.example", http.StatusForbidden},
		{"SameHostOtherPort", "http://127.0.0.1:1", http.StatusForbidden},
		{"NullOrigin", "null", http.StatusForbidden},
		{"NotAURL", "javascript:alert(1)", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, resp, err := client.Dial(ts.wsURL("/b/", b.ID), tt.origin)
			if c != nil {
				c.Close()
			}
			if resp == nil {
				t.Fatalf("no response: %v", err)
			}
			if resp.StatusCode != tt.want {
				t.Fatalf("upgrade answered %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
	t.Run("ForeignPostRefused", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/boards", nil)
		req.Header.Set("Origin", "https://evil.example")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("got %d, want 403", resp.StatusCode)
		}
	})
}

func TestBoardPages(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	get := func(path string) (int, string, http.Header) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
		req.Header.Set("Accept", "text/html")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body), resp.Header
	}
	t.Run("EditPage", func(t *testing.T) {
		code, body, h := get("/b/" + b.ID)
		if code != 200 || !strings.Contains(body, b.ViewID) || !strings.Contains(body, "/b/"+b.ID+"/ws") {
			t.Fatalf("edit page: %d, must carry the view id for sharing and the ws path", code)
		}
		if h.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Fatalf("edit links must not leak through Referer or framing: %v", h)
		}
	})
	t.Run("ViewPageHidesEditID", func(t *testing.T) {
		code, body, _ := get("/v/" + b.ViewID)
		if code != 200 || strings.Contains(body, b.ID) || !strings.Contains(body, "viewer") {
			t.Fatalf("view page: %d; it must not contain the edit id", code)
		}
	})
	for _, path := range []string{"/b/AAAAAAAAAAAAAAAAAAAAAA", "/v/" + b.ID, "/b/" + b.ViewID, "/b/../../etc/passwd", "/b/%3Cscript%3E", "/nope"} {
		t.Run("NotFound"+path, func(t *testing.T) {
			code, body, _ := get(path)
			if code != 404 || !strings.Contains(body, "doesn") || strings.Contains(body, "<script>") {
				t.Fatalf("%s: %d, want the friendly 404 page", path, code)
			}
		})
	}
	t.Run("UnknownBoardWebSocket", func(t *testing.T) {
		_, resp, err := client.Dial(ts.wsURL("/b/", "AAAAAAAAAAAAAAAAAAAAAA"), "")
		if err == nil || resp == nil || resp.StatusCode != 404 {
			t.Fatalf("got %v %v, want 404 before upgrading", resp, err)
		}
	})
	t.Run("WebSocketPathWithoutUpgrade", func(t *testing.T) {
		code, _, _ := get("/b/" + b.ID + "/ws")
		if code != http.StatusUpgradeRequired {
			t.Fatalf("got %d, want 426", code)
		}
	})
	t.Run("HomeAndHealth", func(t *testing.T) {
		if code, body, _ := get("/"); code != 200 || !strings.Contains(body, `action="/boards"`) {
			t.Fatalf("home page: %d", code)
		}
		if code, body, _ := get("/healthz"); code != 200 || !strings.Contains(body, "ok") {
			t.Fatalf("healthz: %d %s", code, body)
		}
	})
	t.Run("Assets", func(t *testing.T) {
		resp, err := http.Get(ts.URL + "/assets/js/board.js")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Content-Type"), "javascript") {
			t.Fatalf("board.js: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	})
}

// TestBrowserFormPosts sends the headers Chromium sends for the home page's "New board"
// and the trash page's "Restore" forms under Referrer-Policy: no-referrer (Origin: null,
// Sec-Fetch-Site: same-origin), and what another site's page sends.
func TestBrowserFormPosts(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	post := func(path, origin, site string) int {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, ts.URL+path, nil)
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if site != "" {
			req.Header.Set("Sec-Fetch-Site", site)
		}
		req.Header.Set("Accept", "text/html")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tests := []struct {
		name, origin, site string
		want               int
	}{
		{"OwnPageNullOrigin", "null", "same-origin", http.StatusSeeOther},
		{"OwnPageWithOrigin", ts.URL, "same-origin", http.StatusSeeOther},
		{"OtherSiteNullOrigin", "null", "cross-site", http.StatusForbidden},
		{"OtherSiteOrigin", "https://evil.example", "cross-site", http.StatusForbidden},
		{"SameSiteOtherOrigin", "http://127.0.0.1:1", "same-site", http.StatusForbidden},
		{"NullOriginNoFetchMetadata", "null", "", http.StatusForbidden},
		{"SpoofedSameOriginClaimWithoutHeader", "http://127.0.0.1:1", "", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := post("/boards", tt.origin, tt.site); got != tt.want {
				t.Fatalf("POST /boards answered %d, want %d", got, tt.want)
			}
		})
	}
}
