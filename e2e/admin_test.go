package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"tabula/app/program"
	"tabula/collab"
	"tabula/internal/testtool"
)

// TestAdminListener: the server's costs and metrics are served on the admin listener
// only; the public address has no /debug/stats.
func TestAdminListener(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	admin := "http://" + ts.AdminAddr()
	if ts.AdminAddr() == "" || ts.AdminAddr() == ts.Addr() {
		t.Fatalf("admin listener %q beside %q", ts.AdminAddr(), ts.Addr())
	}
	if resp, _ := get(t, ts.URL+"/debug/stats"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /debug/stats on the public listener: %d, want 404", resp.StatusCode)
	}
	if resp, _ := get(t, ts.URL+"/metrics"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on the public listener: %d, want 404", resp.StatusCode)
	}
	resp, body := get(t, admin+"/debug/stats")
	var st struct {
		Rooms      *int     `json:"rooms"`
		CPUSeconds *float64 `json:"cpu_seconds"`
	}
	if err := json.Unmarshal(body, &st); resp.StatusCode != http.StatusOK || err != nil || st.Rooms == nil || st.CPUSeconds == nil {
		t.Errorf("GET admin /debug/stats: %d %s (%v)", resp.StatusCode, body, err)
	}
}

// TestAdminOff: an empty -admin-addr serves no admin listener.
func TestAdminOff(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) { c.Ops.AdminAddr = "" })
	if ts.AdminAddr() != "" {
		t.Errorf("admin listener on %s with -admin-addr empty", ts.AdminAddr())
	}
	cfg, err := program.ParseConfig(nil, func(k string) string {
		return map[string]string{"TABULA_ADMIN_ADDR": "off"}[k]
	}, io.Discard)
	if err != nil || cfg.Ops.AdminAddr != "" {
		t.Errorf("TABULA_ADMIN_ADDR=off: %q, %v", cfg.Ops.AdminAddr, err)
	}
	if _, err := program.ParseConfig([]string{"-admin-addr", "8081"}, func(string) string { return "" }, io.Discard); err == nil {
		t.Error("-admin-addr 8081 (no colon) accepted")
	}
}

// TestMetricsScrape scrapes /metrics while a client is connected and has drawn: the
// figures an operator graphs are there and say what happened.
func TestMetricsScrape(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	p := join(t, ts.wsURL("/b/", b.ID), 0)
	p.commit("c1", put(rect("r1", 0)), put(rect("r2", 20)))
	p.commit("c2", patch("r1", map[string]any{"x": 5}))
	// A foreign page's request is refused, and counted.
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/boards", nil)
	req.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("foreign POST: %d", resp.StatusCode)
	}

	m := scrape(t, "http://"+ts.AdminAddr())
	for name, want := range map[string]func(float64) bool{
		"tabula_websocket_connections":                   func(v float64) bool { return v == 1 },
		"tabula_boards_loaded":                           func(v float64) bool { return v == 1 },
		"tabula_ops_total":                               func(v float64) bool { return v == 3 },
		"tabula_batches_total":                           func(v float64) bool { return v == 2 },
		"tabula_commit_seconds_count":                    func(v float64) bool { return v >= 1 },
		`tabula_commit_seconds_bucket{le="+Inf"}`:        func(v float64) bool { return v >= 1 },
		"tabula_ack_seconds_count":                       func(v float64) bool { return v >= 1 },
		"tabula_durable_seconds_count":                   func(v float64) bool { return v == 2 },
		"tabula_fanout_seconds_count":                    func(v float64) bool { return v >= 0 },
		"tabula_presence_streams":                        func(v float64) bool { return v == 0 },
		"tabula_voice_participants":                      func(v float64) bool { return v == 0 },
		"tabula_export_queue":                            func(v float64) bool { return v == 0 },
		`tabula_refusals_total{reason="foreign_origin"}`: func(v float64) bool { return v >= 1 },
		"go_goroutines":                                  func(v float64) bool { return v > 0 },
		"process_resident_memory_bytes":                  func(v float64) bool { return v > 0 },
	} {
		v, ok := m[name]
		if !ok {
			t.Errorf("%s: not scraped", name)
		} else if !want(v) {
			t.Errorf("%s = %v", name, v)
		}
	}
}

// TestLogsKeepBoardLinksSecret goes through what logs a board (create, a refused foreign
// request on its path, trash, restore, an op) and checks that neither of its ids is in
// any log line, while its log tag is.
func TestLogsKeepBoardLinksSecret(t *testing.T) {
	checkLeaks(t)
	var logs testtool.LogBuffer
	cfg := testConfig(t)
	ts := startProgram(t, cfg, slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	b := ts.newBoard(t)
	p := join(t, ts.wsURL("/b/", b.ID), 0)
	p.commit("c1", put(rect("r1", 0)))
	foreign, _ := http.NewRequest(http.MethodPost, ts.URL+"/b/"+b.ID+"/delete", nil)
	foreign.Header.Set("Origin", "https://evil.example")
	resp, err := http.DefaultClient.Do(foreign)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, path := range []string{"/b/" + b.ID + "/delete", "/b/" + b.ID + "/undelete"} {
		resp, err := noRedirect.Post(ts.URL+path, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode >= 400 {
			t.Fatalf("POST %s: %d", path, resp.StatusCode)
		}
	}
	ts.stop()
	out := logs.String()
	if !strings.Contains(out, collab.LogID(b.ID)) {
		t.Errorf("no log line names the board by its tag %s:\n%s", collab.LogID(b.ID), out)
	}
	for _, id := range []string{b.ID, b.ViewID} {
		if strings.Contains(out, id) {
			t.Errorf("a board id is in the log:\n%s", out)
		}
	}
}

// scrape reads the admin listener's /metrics into name{labels} → value.
func scrape(t *testing.T, admin string) map[string]float64 {
	t.Helper()
	m, err := scrapeMetrics(admin)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// scrapeMetrics is scrape for any goroutine: it returns what went wrong.
func scrapeMetrics(admin string) (map[string]float64, error) {
	resp, err := http.Get(admin + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %d %s", resp.StatusCode, body)
	}
	m := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			return nil, fmt.Errorf("metrics line %q: %v", line, err)
		}
		m[line[:i]] = v
	}
	return m, nil
}
