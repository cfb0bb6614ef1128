package e2e

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	bin "encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"tabula/collab"
	"tabula/internal/redistest"
	"tabula/internal/testtool"
)

// A board link (app/wslink.go) as a stranger, or a broken node, would use it: these
// tests speak its wire format themselves, so they also pin it down.

const linkPath = "/_node/link/"

// linkSig signs a link request by node to path at ts with the deployment's secret, the
// way a node does: HMAC-SHA256 over NUL-terminated fields.
func linkSig(secret []byte, ts time.Time, path, node string) string {
	sec := strconv.FormatInt(ts.Unix(), 10)
	m := hmac.New(sha256.New, secret)
	for _, s := range []string{"tabula-forward", "link", sec, path, node} {
		m.Write([]byte(s))
		m.Write([]byte{0})
	}
	return sec + "." + hex.EncodeToString(m.Sum(nil))
}

// dialLink asks node n for a link to board id with header h; resp is the refusal.
func dialLink(n *testServer, id string, h http.Header) (*websocket.Conn, *http.Response, error) {
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	return d.Dial("ws://"+n.Addr()+linkPath+id, h)
}

// signedLink is a valid link to board id on n, as node "x" would open it; a dialer
// given replaces the default one.
func signedLink(t *testing.T, n *testServer, id string, with ...websocket.Dialer) *websocket.Conn {
	t.Helper()
	secret, err := n.svc.ClusterSecret(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	h := http.Header{}
	h.Set("X-Tabula-Node", "x")
	h.Set("X-Tabula-Link", linkSig(secret, time.Now(), linkPath+id, "x"))
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	if len(with) > 0 {
		d = with[0]
	}
	ws, _, err := d.Dial("ws://"+n.Addr()+linkPath+id, h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws
}

func linkString(b []byte, s string) []byte {
	b = bin.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// openRecord is a link record opening connection id: a person with role at ip, on
// board b as the follower looked it up (meta, unless raw is given).
func openRecord(id byte, role, ip string, b collab.BoardMeta) []byte {
	meta, _ := json.Marshal(b)
	return linkString(linkString(linkString([]byte{'O', id}, role), ip), string(meta))
}

// linkEnds waits for the owner to end link ws, reading (and dropping) what it sends.
func linkEnds(t *testing.T, ws *websocket.Conn, why string) {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(wait))
	for {
		if _, _, err := ws.ReadMessage(); err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("%s: the link is still open", why)
			}
			return
		}
	}
}

// TestClusterLinkRefusesStrangers: a node takes links only from nodes of its own
// deployment (the secret's signature, fresh), for boards that exist; a single node has
// no links at all; and a link that sends what no node sends is closed, the server
// carrying on.
func TestClusterLinkRefusesStrangers(t *testing.T) {
	checkLeaks(t)
	one := startServer(t)
	b1 := one.newBoard(t)
	if _, resp, err := dialLink(one, b1.ID, nil); err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a link to a single node: %v; want 404", err)
	}

	srv := redistest.Start(t)
	a := startNodes(t, srv, 1)[0]
	board, other := a.newBoard(t), a.newBoard(t)
	secret, err := a.svc.ClusterSecret(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	path := linkPath + board.ID
	for _, c := range []struct {
		name, sig string
		status    int
	}{
		{"no signature", "", http.StatusForbidden},
		{"a forged signature", strconv.FormatInt(time.Now().Unix(), 10) + "." + strings.Repeat("0", 64), http.StatusForbidden},
		{"another node's signature", linkSig(secret, time.Now(), path, "y"), http.StatusForbidden},
		{"another board's signature", linkSig(secret, time.Now(), linkPath+"other", "x"), http.StatusForbidden},
		{"a signature two minutes old", linkSig(secret, time.Now().Add(-2*time.Minute), path, "x"), http.StatusForbidden},
		{"a wrong secret", linkSig([]byte("guess"), time.Now(), path, "x"), http.StatusForbidden},
	} {
		h := http.Header{}
		h.Set("X-Tabula-Node", "x")
		h.Set("X-Tabula-Link", c.sig)
		if ws, resp, err := dialLink(a, board.ID, h); err == nil {
			ws.Close()
			t.Fatalf("%s: link accepted", c.name)
		} else if resp == nil || resp.StatusCode != c.status {
			t.Fatalf("%s: %v; want %d", c.name, err, c.status)
		}
	}
	h := http.Header{}
	h.Set("X-Tabula-Node", "x")
	h.Set("X-Tabula-Link", linkSig(secret, time.Now(), linkPath+"nosuchboard0", "x"))
	if _, resp, err := dialLink(a, "nosuchboard0", h); err == nil || resp == nil || resp.StatusCode != http.StatusNotFound {
		t.Fatalf("a link to a board that does not exist: %v; want 404", err)
	}

	for _, c := range []struct {
		name string
		msg  []byte
	}{
		{"an unknown record", []byte{'Z', 1}},
		{"a length past the end", []byte{'M', 1, 200, 'x'}},
		{"a role that is none", openRecord(1, "admin", "127.0.0.1", board)},
		{"a session id 0", openRecord(0, "editor", "127.0.0.1", board)},
		{"another board", openRecord(1, "editor", "127.0.0.1", other)},
		{"a board that is not JSON", linkString(linkString(linkString([]byte{'O', 1}, "editor"), "127.0.0.1"), "{")},
		{"a session opened twice", nil},
		{"a text message", []byte(`{"t":"hello"}`)},
	} {
		ws := signedLink(t, a, board.ID)
		kind, msg := websocket.BinaryMessage, c.msg
		switch c.name {
		case "a text message":
			kind = websocket.TextMessage
		case "a session opened twice":
			open := openRecord(1, "editor", "127.0.0.1", board)
			msg = append(open, open...)
		}
		if err := ws.WriteMessage(kind, msg); err != nil {
			t.Fatal(err)
		}
		linkEnds(t, ws, c.name)
	}
	// The node still serves the board.
	p := join(t, a.wsURL("/b/", board.ID), 0)
	p.commit("after", put(rect("r", 1)))
	waitFor(t, "the refused links to be gone", func() bool { return linkStats(t, a).Served == 0 })
}

// TestClusterLinkThatStopsReadingIsClosed: a follower that stops reading its link is
// too slow for the board: the owner ends the link (its people would reconnect and
// resume) instead of holding the board's deliveries without bound, and the board's own
// people carry on.
func TestClusterLinkThatStopsReadingIsClosed(t *testing.T) {
	checkLeaks(t)
	srv := redistest.Start(t)
	a := startNodes(t, srv, 1)[0]
	board := a.newBoard(t)
	writer := join(t, a.wsURL("/b/", board.ID), 0)
	// A follower with a person on the board that never reads the link, with a small
	// receive buffer so that the owner's side fills soon.
	small := &net.Dialer{Control: testtool.SmallReceiveBuffer}
	ws := signedLink(t, a, board.ID, websocket.Dialer{HandshakeTimeout: 5 * time.Second, NetDialContext: small.DialContext})
	msg := openRecord(1, "viewer", "10.0.0.1", board)
	msg = linkString(append(msg, 'M', 1), `{"t":"hello","since":0,"name":"stuck"}`)
	if err := ws.WriteMessage(websocket.BinaryMessage, msg); err != nil {
		t.Fatal(err)
	}
	// The board goes on: 40 batches of 13 KB fill the sockets' buffers, then small
	// moves until the deliveries queued behind them have waited too long and the owner
	// ends the link.
	writer.commit("r", put(rect("r", 0)))
	deadline := time.Now().Add(wait)
	for k := 0; linkStats(t, a).Served > 0; k++ {
		if time.Now().After(deadline) {
			t.Fatalf("the owner kept a link that does not read: %+v", linkStats(t, a))
		}
		if k >= 40 {
			writer.commit("m"+strconv.Itoa(k), patch("r", map[string]any{"x": k}))
			continue
		}
		ops := make([]map[string]any, 10)
		for i := range ops {
			ops[i] = kbStroke("s" + strconv.Itoa(i))
		}
		writer.commit("b"+strconv.Itoa(k), ops...)
	}
	writer.commit("still", put(rect("last", 1)))
}
