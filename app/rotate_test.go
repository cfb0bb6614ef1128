package app

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"tabula/collab"
	"tabula/collab/bolt"
	"tabula/internal/client"
	"tabula/internal/testtool"
)

// rotated is the answer of POST /b/{edit}/rotate.
type rotated struct {
	ID, View, EditURL, ViewURL string
	Error                      string
}

// rotate asks for link (edit, view, both) of the board edit to be replaced, with extra
// headers, and returns the status and the answer.
func rotate(t *testing.T, ts *testServer, edit, query string, header map[string]string) (int, rotated) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, ts.URL+"/b/"+edit+"/rotate?"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got rotated
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatalf("rotate answered %d with no JSON: %v", resp.StatusCode, err)
	}
	return resp.StatusCode, got
}

// sameOrigin is what the board page's fetch sends.
var sameOrigin = map[string]string{"Sec-Fetch-Site": "same-origin"}

// closedBecause reads c until the server closes it and returns the close code and
// reason, and the error message the server sent before closing (if any).
func closedBecause(t *testing.T, c *client.Conn) (code int, reason, msg string) {
	t.Helper()
	for {
		m, err := c.Read(time.Now().Add(10 * time.Second))
		if err == nil {
			if m.T == "error" {
				msg = m.Code + ": " + m.Message
			}
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("connection ended without a close frame: %v", err)
		}
		return ce.Code, ce.Text, msg
	}
}

// streamEnds reads an event stream until it ends, failing if it does not within 10 s.
func streamEnds(t *testing.T, s *client.EventStream) {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		for {
			if _, err := s.Next(); err != nil {
				done <- err
				return
			}
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the presence stream on the replaced link is still open")
	}
}

// joinedOn reads a presence stream until sid joins, failing if the stream ends.
func joinedOn(t *testing.T, s *client.EventStream, sid string) {
	t.Helper()
	for {
		ev, err := s.Next()
		if err != nil {
			t.Fatalf("the presence stream ended before %s joined: %v", sid, err)
		}
		if ev.Type == "join" && strings.Contains(ev.Data, sid) {
			return
		}
	}
}

func subscribe(t *testing.T, ts *testServer, path string) *client.EventStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := client.Subscribe(ctx, ts.URL+path, "")
	if err != nil {
		t.Fatalf("subscribe %s: %v", path, err)
	}
	t.Cleanup(func() { cancel(); s.Close() })
	if ev, err := s.Next(); err != nil || ev.Type != "roster" {
		t.Fatalf("first event of %s: %+v %v", path, ev, err)
	}
	return s
}

// status returns the status of GET path.
func status(t *testing.T, ts *testServer, path string, accept string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, ts.URL+path, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// gone checks that every way into a board through link prefix/id is a 404.
func gone(t *testing.T, ts *testServer, prefix, id string) {
	t.Helper()
	for _, p := range []string{"", "/export.png", "/export.json", "/thumb.png", "/presence", "/history"} {
		if got := status(t, ts, prefix+id+p, ""); got != http.StatusNotFound {
			t.Errorf("GET %s…%s: %d, want 404", prefix, p, got)
		}
	}
	if got := status(t, ts, prefix+id, "text/html"); got != http.StatusNotFound {
		t.Errorf("the page of a replaced link: %d, want the not-found page (404)", got)
	}
	_, resp, err := client.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+prefix+id+"/ws", "")
	if err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Errorf("WebSocket on a replaced link: %v %v, want a 404", resp, err)
	}
}

func newBoard(t *testing.T, ts *testServer) collab.BoardMeta {
	t.Helper()
	b, err := ts.svc.CreateBoard(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Replacing the edit link closes every editor on it, with the reason, and its presence
// streams; the old id opens nothing; the new one opens the whole board; viewers carry on
// and see what is drawn through the new link.
func TestReplaceEditLink(t *testing.T) {
	ts := startTestServer(t, nil, Config{})
	b := newBoard(t, ts)
	a1, _ := dialBoard(t, ts, "/b/"+b.ID+"/ws")
	a2, _ := dialBoard(t, ts, "/b/"+b.ID+"/ws")
	viewer, _ := dialBoard(t, ts, "/v/"+b.ViewID+"/ws")
	editStream := subscribe(t, ts, "/b/"+b.ID+"/presence")
	viewStream := subscribe(t, ts, "/v/"+b.ViewID+"/presence")
	a1.Send(map[string]any{"t": "ops", "cid": "c1", "ops": []any{rectOp("r1")}})
	readUntil(t, a1, func(m *client.Msg) bool { return m.T == "ack" && m.CID == "c1" })

	// Opened before the replacement, says hello after it.
	late, _, err := client.Dial("ws"+strings.TrimPrefix(ts.URL, "http")+"/b/"+b.ID+"/ws", "")
	if err != nil {
		t.Fatal(err)
	}
	defer late.WS.Close()

	code, got := rotate(t, ts, b.ID, "link=edit", sameOrigin)
	if _, err := late.Hello(0, "late", time.Now().Add(10*time.Second)); err == nil || !strings.Contains(err.Error(), "link_replaced") {
		t.Errorf("a hello on the replaced link after the replacement: %v, want link_replaced", err)
	}
	if code != http.StatusOK || got.ID == "" || got.ID == b.ID || got.View != b.ViewID || !strings.HasSuffix(got.EditURL, "/b/"+got.ID) {
		t.Fatalf("rotate: %d %+v", code, got)
	}
	for i, c := range []*client.Conn{a1, a2} {
		code, reason, msg := closedBecause(t, c)
		if code != collab.ClosePolicy || !strings.Contains(reason, "replaced by an editor") || !strings.HasPrefix(msg, "link_replaced: This edit link was replaced") {
			t.Errorf("editor %d closed with %d %q after %q, want 1008 and the reason", i, code, reason, msg)
		}
	}
	streamEnds(t, editStream)
	gone(t, ts, "/b/", b.ID)

	// The viewer is still there and hears the editors leave.
	readUntil(t, viewer, func(m *client.Msg) bool { return m.T == "leave" })

	if got := status(t, ts, "/b/"+got.ID, "text/html"); got != http.StatusOK {
		t.Fatalf("the new edit link: %d", got)
	}
	a3, w := dialBoard(t, ts, "/b/"+got.ID+"/ws")
	if w.Seq != 1 || len(w.Elements) != 1 {
		t.Fatalf("the new link welcomes at seq %d with %d elements, want 1 and 1", w.Seq, len(w.Elements))
	}
	joinedOn(t, viewStream, w.SID) // the viewers' stream goes on
	a3.Send(map[string]any{"t": "ops", "cid": "c2", "ops": []any{rectOp("r2")}})
	readUntil(t, a3, func(m *client.Msg) bool { return m.T == "ack" && m.CID == "c2" })
	if m := readUntil(t, viewer, func(m *client.Msg) bool { return m.T == "ops" }); m.Seq != 2 {
		t.Fatalf("the viewer got seq %d, want 2", m.Seq)
	}
	if st, body := httpGet(t, ts.URL+"/b/"+got.ID+"/export.json"); st != 200 || !strings.Contains(body, `"r1"`) || !strings.Contains(body, `"r2"`) {
		t.Fatalf("export through the new link: %d, %.200s", st, body)
	}
	if st := status(t, ts, "/b/"+got.ID+"/thumb.png", ""); st != 200 {
		t.Fatalf("thumbnail through the new link: %d", st)
	}
}

// The editor who replaces the edit link names their session, which stays connected;
// everyone else on the link is closed.
func TestReplaceEditLinkKeepsTheAsker(t *testing.T) {
	ts := startTestServer(t, nil, Config{})
	b := newBoard(t, ts)
	asker, w := dialBoard(t, ts, "/b/"+b.ID+"/ws")
	other, _ := dialBoard(t, ts, "/b/"+b.ID+"/ws")
	if code, _ := rotate(t, ts, b.ID, "link=edit&session="+w.SID, sameOrigin); code != 200 {
		t.Fatalf("rotate: %d", code)
	}
	if code, _, _ := closedBecause(t, other); code != collab.ClosePolicy {
		t.Fatalf("the other editor closed with %d, want 1008", code)
	}
	asker.Send(map[string]any{"t": "ops", "cid": "c1", "ops": []any{rectOp("r1")}})
	if m := readUntil(t, asker, func(m *client.Msg) bool { return m.T == "ack" || m.T == "error" }); m.T != "ack" {
		t.Fatalf("the asker's batch was answered %s %q", m.T, m.Message)
	}
}

// Replacing the view link closes the viewers and their streams; editors carry on.
func TestReplaceViewLink(t *testing.T) {
	ts := startTestServer(t, nil, Config{})
	b := newBoard(t, ts)
	editor, _ := dialBoard(t, ts, "/b/"+b.ID+"/ws")
	viewer, vw := dialBoard(t, ts, "/v/"+b.ViewID+"/ws")
	editStream := subscribe(t, ts, "/b/"+b.ID+"/presence")
	viewStream := subscribe(t, ts, "/v/"+b.ViewID+"/presence")

	// Naming the viewer's session does not keep it: only the asking editor's is kept.
	code, got := rotate(t, ts, b.ID, "link=view&session="+vw.SID, sameOrigin)
	if code != 200 || got.ID != b.ID || got.View == b.ViewID {
		t.Fatalf("rotate: %d %+v", code, got)
	}
	if code, reason, msg := closedBecause(t, viewer); code != collab.ClosePolicy || !strings.Contains(reason, "view link was replaced") || !strings.HasPrefix(msg, "link_replaced") {
		t.Fatalf("viewer closed with %d %q after %q", code, reason, msg)
	}
	streamEnds(t, viewStream)
	gone(t, ts, "/v/", b.ViewID)

	editor.Send(map[string]any{"t": "ops", "cid": "c1", "ops": []any{rectOp("r1")}})
	readUntil(t, editor, func(m *client.Msg) bool { return m.T == "ack" && m.CID == "c1" })
	_, w := dialBoard(t, ts, "/v/"+got.View+"/ws")
	if w.Seq != 1 || w.Role != "viewer" {
		t.Fatalf("new view link: seq %d role %s", w.Seq, w.Role)
	}
	joinedOn(t, editStream, w.SID) // the editors' stream goes on
	if st := status(t, ts, "/b/"+b.ID, "text/html"); st != 200 {
		t.Fatalf("the edit link after a view replacement: %d", st)
	}
}

// A replacement is durable: after a restart the old links are still gone and the new
// ones open the board with everything on it.
func TestReplacedLinksSurviveRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.db")
	start := func() (*testServer, func()) {
		store, err := bolt.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := collab.DefaultConfig()
		svc := collab.NewService(store, sc)
		srv, err := New(svc, Config{})
		if err != nil {
			t.Fatal(err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go srv.Serve(ln)
		return &testServer{Server: srv, URL: "http://" + ln.Addr().String(), log: &testtool.LogBuffer{}}, func() {
			svc.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(ctx)
			store.Close()
		}
	}
	ts, stop := start()
	b := newBoard(t, ts)
	editor, _ := dialBoard(t, ts, "/b/"+b.ID+"/ws")
	editor.Send(map[string]any{"t": "ops", "cid": "c1", "ops": []any{rectOp("r1")}})
	readUntil(t, editor, func(m *client.Msg) bool { return m.T == "ack" })
	code, got := rotate(t, ts, b.ID, "link=both", sameOrigin)
	if code != 200 {
		t.Fatalf("rotate: %d", code)
	}
	closedBecause(t, editor)
	stop()

	ts, stop = start()
	defer stop()
	gone(t, ts, "/b/", b.ID)
	gone(t, ts, "/v/", b.ViewID)
	if _, w := dialBoard(t, ts, "/b/"+got.ID+"/ws"); w.Seq != 1 || len(w.Elements) != 1 {
		t.Fatalf("after a restart the new edit link shows seq %d, %d elements", w.Seq, len(w.Elements))
	}
	if _, w := dialBoard(t, ts, "/v/"+got.View+"/ws"); w.Seq != 1 {
		t.Fatalf("after a restart the new view link shows seq %d", w.Seq)
	}
}

// What is refused: the view id, another site, a board in the trash, no link named.
// Each is refused clearly, changes nothing, and the server carries on.
func TestReplaceLinksRefusals(t *testing.T) {
	ts := startTestServer(t, nil, Config{})
	b := newBoard(t, ts)
	cases := []struct {
		name   string
		id     string
		query  string
		header map[string]string
		status int
		says   string
	}{
		{"ViewID", b.ViewID, "link=edit", sameOrigin, 404, "no such board"},
		{"CrossSite", b.ID, "link=edit", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}, 403, "another site"},
		{"NullOrigin", b.ID, "link=both", map[string]string{"Origin": "null"}, 403, "another site"},
		{"NoLinkNamed", b.ID, "", sameOrigin, 400, "say which link"},
		{"UnknownLink", b.ID, "link=all", sameOrigin, 400, "say which link"},
		{"MalformedID", "x", "link=edit", sameOrigin, 404, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, got := rotate(t, ts, c.id, c.query, c.header)
			if code != c.status || !strings.Contains(got.Error, c.says) {
				t.Fatalf("got %d %q, want %d saying %q", code, got.Error, c.status, c.says)
			}
		})
	}
	if st := status(t, ts, "/b/"+b.ID, ""); st != 200 {
		t.Fatalf("after refusals the edit link answers %d", st)
	}
	if st := status(t, ts, "/v/"+b.ViewID, ""); st != 200 {
		t.Fatalf("after refusals the view link answers %d", st)
	}

	t.Run("Trashed", func(t *testing.T) {
		tb := newBoard(t, ts)
		if err := ts.svc.TrashBoard(context.Background(), tb.ID); err != nil {
			t.Fatal(err)
		}
		code, got := rotate(t, ts, tb.ID, "link=edit", sameOrigin)
		if code != http.StatusGone || !strings.Contains(got.Error, "restore it before replacing") {
			t.Fatalf("got %d %q", code, got.Error)
		}
		if err := ts.svc.UntrashBoard(context.Background(), tb.ID); err != nil {
			t.Fatal(err)
		}
		if st := status(t, ts, "/b/"+tb.ID, ""); st != 200 {
			t.Fatalf("restored board: %d", st)
		}
	})
}

// gatedStore holds every commit that replaces links until gate is closed, and says
// on held when the first one is waiting.
type gatedStore struct {
	*bolt.Store
	gate chan struct{}
	held chan struct{}
	once sync.Once
}

func (g *gatedStore) Commit(ctx context.Context, ws []collab.Write) error {
	for _, w := range ws {
		if w.Relink {
			g.once.Do(func() { close(g.held) })
			<-g.gate
		}
	}
	return g.Store.Commit(ctx, ws)
}

// Replacements through the same edit link while one is being written: the room, which
// has the new id already, refuses the others (404) at once, though the store would
// still have resolved the old link. Nobody racing with the winner learns the new link,
// and the board is one board with its content.
func TestConcurrentReplacementsOneWins(t *testing.T) {
	b0, err := bolt.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer b0.Close()
	store := &gatedStore{Store: b0, gate: make(chan struct{}), held: make(chan struct{})}
	ts := startTestServer(t, store, Config{})
	var opened sync.Once
	open := func() { opened.Do(func() { close(store.gate) }) }
	t.Cleanup(open) // before the server stops, whatever happened: its committer may wait
	b := newBoard(t, ts)
	editor, _ := dialBoard(t, ts, "/b/"+b.ID+"/ws")
	editor.Send(map[string]any{"t": "ops", "cid": "c1", "ops": []any{rectOp("r1")}})
	readUntil(t, editor, func(m *client.Msg) bool { return m.T == "ack" })

	type answer struct {
		code int
		got  rotated
	}
	first := make(chan answer, 1)
	go func() {
		code, got := rotate(t, ts, b.ID, "link=edit", nil)
		first <- answer{code, got}
	}()
	select {
	case <-store.held:
	case <-time.After(10 * time.Second):
		t.Fatal("the first replacement never reached the store")
	}
	const n = 8
	var wg sync.WaitGroup
	others := make(chan answer, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, got := rotate(t, ts, b.ID, "link=edit", nil)
			others <- answer{code, got}
		}()
	}
	for range n {
		select {
		case a := <-others:
			if a.code != http.StatusNotFound {
				t.Fatalf("a replacement racing the first answered %d %+v, want 404", a.code, a.got)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("a replacement racing the first waited for it instead of being refused")
		}
	}
	open()
	won := <-first
	wg.Wait()
	if won.code != 200 {
		t.Fatalf("the first replacement answered %d %+v", won.code, won.got)
	}
	gone(t, ts, "/b/", b.ID)
	if _, w := dialBoard(t, ts, "/b/"+won.got.ID+"/ws"); w.Seq != 1 || len(w.Elements) != 1 {
		t.Fatalf("the winner's link shows seq %d, %d elements", w.Seq, len(w.Elements))
	}
	boards, err := b0.Boards(context.Background())
	if err != nil || len(boards) != 1 {
		t.Fatalf("%d boards stored (%v), want 1", len(boards), err)
	}
}
