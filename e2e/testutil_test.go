package e2e

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tabula/app/program"
	"tabula/collab"
	"tabula/collab/bolt"
	"tabula/collab/voice"
	"tabula/internal/client"
)

// testServer is a real Program on 127.0.0.1:0 with its data file in a temp dir.
type testServer struct {
	*program.Program
	URL   string // http://127.0.0.1:port
	cfg   program.Config
	svc   *collab.Service
	store *bolt.Store
	voice *voice.SFU // nil when voice is off
	stop  func()
}

// startServer runs a Program with the defaults users get, except the address, the data
// file and whatever change makes.
func startServer(t testing.TB, change ...func(*program.Config)) *testServer {
	t.Helper()
	return startServerWith(t, testConfig(t, change...))
}

// testConfig is the configuration startServer runs: the defaults, with loopback
// addresses picked by the kernel and a temporary data file, changed by change.
func testConfig(t testing.TB, change ...func(*program.Config)) program.Config {
	t.Helper()
	cfg, err := program.ParseConfig(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = "127.0.0.1:0"
	cfg.Ops.AdminAddr = "127.0.0.1:0"
	cfg.DataPath = filepath.Join(t.TempDir(), "tabula.db")
	for _, c := range change {
		c(&cfg)
	}
	return cfg
}

func startServerWith(t testing.TB, cfg program.Config) *testServer {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("TABULA_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	return startProgram(t, cfg, log)
}

// startProgram runs a Program with cfg, logging to log.
func startProgram(t testing.TB, cfg program.Config, log *slog.Logger) *testServer {
	t.Helper()
	p, err := program.New(cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	ts := &testServer{Program: p, URL: "http://" + p.Addr(), cfg: cfg, svc: p.Service(), store: p.Store(), voice: p.Voice()}
	stopped := false
	ts.stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		if err := <-done; err != nil {
			t.Errorf("run: %v", err)
		}
		if err := p.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}
	t.Cleanup(ts.stop)
	return ts
}

// newBoard creates a board through the HTTP API, as the home page's button does.
func (ts *testServer) newBoard(t testing.TB) collab.BoardMeta {
	t.Helper()
	b, err := ts.svc.Board(context.Background(), postBoard(t, ts))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// postBoard creates a board with POST /boards and returns its edit id.
func postBoard(t testing.TB, ts *testServer) string {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Post(ts.URL+"/boards", "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/b/") {
		t.Fatalf("POST /boards: %d %q", resp.StatusCode, loc)
	}
	return strings.TrimPrefix(loc, "/b/")
}

func (ts *testServer) wsURL(prefix, id string) string {
	return "ws://" + ts.Addr() + prefix + id + "/ws"
}

// peer is a test client with its own copy of the board.
type peer struct {
	t    testing.TB
	c    *client.Conn
	doc  *client.Doc
	sid  string
	acks map[string]int64
	errs []*client.Msg
}

const wait = 10 * time.Second // generous deadline for events that take milliseconds

// join connects to a board and says hello.
func join(t testing.TB, url string, since int64) *peer {
	t.Helper()
	c, _, err := client.Dial(url, "")
	if err != nil {
		t.Fatal(err)
	}
	p := &peer{t: t, c: c, doc: client.NewDoc(), acks: map[string]int64{}}
	p.doc.Seq = since
	w, err := c.Hello(since, "tester", time.Now().Add(wait))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.doc.Welcome(w); err != nil {
		t.Fatal(err)
	}
	p.sid = w.SID
	t.Cleanup(func() { c.WS.Close() })
	return p
}

// next reads one message and applies it to the peer's doc.
func (p *peer) next() (*client.Msg, error) {
	m, err := p.c.Read(time.Now().Add(wait))
	if err != nil {
		return nil, err
	}
	switch m.T {
	case "ops":
		if err := p.doc.Apply(m); err != nil {
			p.t.Fatalf("apply: %v", err)
		}
	case "ack":
		p.acks[m.CID] = m.Seq
	case "error":
		p.errs = append(p.errs, m)
	}
	return m, nil
}

// until reads messages until cond holds.
func (p *peer) until(cond func(m *client.Msg) bool) *client.Msg {
	p.t.Helper()
	for {
		m, err := p.next()
		if err != nil {
			p.t.Fatalf("waiting: %v", err)
		}
		if cond(m) {
			return m
		}
	}
}

// untilSeq reads until the peer's doc has reached seq.
func (p *peer) untilSeq(seq int64) {
	p.t.Helper()
	for p.doc.Seq < seq {
		p.until(func(m *client.Msg) bool { return m.T == "ops" })
	}
}

// send sends a batch and returns immediately.
func (p *peer) send(cid string, ops ...map[string]any) {
	p.t.Helper()
	if err := p.c.Send(map[string]any{"t": "ops", "cid": cid, "ops": ops}); err != nil {
		p.t.Fatal(err)
	}
}

// commit sends a batch and waits for its ack, returning its seq.
func (p *peer) commit(cid string, ops ...map[string]any) int64 {
	p.t.Helper()
	p.send(cid, ops...)
	m := p.until(func(m *client.Msg) bool { return m.T == "ack" && m.CID == cid || m.T == "error" })
	if m.T == "error" {
		p.t.Fatalf("batch %s refused: %s %s", cid, m.Code, m.Message)
	}
	return m.Seq
}

func put(el map[string]any) map[string]any { return map[string]any{"o": "put", "el": el} }

func patch(id string, set map[string]any) map[string]any {
	return map[string]any{"o": "patch", "id": id, "set": set}
}

func del(id string) map[string]any { return map[string]any{"o": "del", "id": id} }

func rect(id string, x float64) map[string]any {
	return map[string]any{"id": id, "type": "rect", "x": x, "y": 0, "w": 10, "h": 10, "stroke": "#1e1e1e", "z": "a0"}
}
