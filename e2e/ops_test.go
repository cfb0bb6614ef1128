package e2e

import (
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"tabula/collab"
	"tabula/internal/testtool"
)

// TestReadyz: ready while the store answers; not once it is closed under the server.
func TestReadyz(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	if resp, body := get(t, ts.URL+"/readyz"); resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /readyz: %d %s", resp.StatusCode, body)
	}
	if err := ts.store.Close(); err != nil {
		t.Fatal(err)
	}
	if resp, body := get(t, ts.URL+"/readyz"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GET /readyz with the store closed: %d %s", resp.StatusCode, body)
	}
}

// TestAccessLog: every request gets a line with its id, sent back in X-Request-ID (a
// proxy's id is kept, a forged one replaced), and board ids stay out of the lines.
func TestAccessLog(t *testing.T) {
	checkLeaks(t)
	var logs testtool.LogBuffer
	ts := startProgram(t, testConfig(t), slog.New(slog.NewTextHandler(&logs, nil)))
	b := ts.newBoard(t)

	resp, _ := get(t, ts.URL+"/b/"+b.ID)
	id := resp.Header.Get("X-Request-ID")
	if resp.StatusCode != http.StatusOK || len(id) < 8 {
		t.Fatalf("GET /b/ID: %d, X-Request-ID %q", resp.StatusCode, id)
	}
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/v/"+b.ViewID+"/nope", nil)
	req.Header.Set("X-Request-ID", "proxy-42")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-ID"); got != "proxy-42" || resp.StatusCode != http.StatusNotFound {
		t.Errorf("a proxy's request id: %d, X-Request-ID %q", resp.StatusCode, got)
	}
	req.Header.Set("X-Request-ID", "forged\" status=200")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-ID"); got == "" || strings.Contains(got, "forged") {
		t.Errorf("a forged request id came back as %q", got)
	}
	ts.stop()

	out := logs.String()
	for _, want := range []string{
		"path=/b/~" + collab.LogID(b.ID) + " status=200",
		"path=/v/~" + collab.LogID(b.ViewID) + "/nope status=404",
		"id=" + id, "id=proxy-42", "method=POST path=/boards status=303",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("access log lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{b.ID, b.ViewID, "forged"} {
		if strings.Contains(out, secret) {
			t.Errorf("access log holds %q:\n%s", secret, out)
		}
	}
}
