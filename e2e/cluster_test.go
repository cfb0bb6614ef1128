package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/redis/go-redis/v9"

	"tabula/app/program"
	"tabula/collab"
	"tabula/collab/redisbroker"
	"tabula/collab/wire"
	"tabula/internal/client"
	"tabula/internal/redistest"
)

// Nodes of one deployment in one test process: programs on their own ports sharing one
// real redis-server. (The tests with separate processes behind HAProxy are elsewhere.)

// leaseTTL is short in these tests, so that a dead owner's boards move in a second.
const leaseTTL = time.Second

// startNodes starts n programs sharing the Redis at srv.
func startNodes(t *testing.T, srv *redistest.Server, n int, change ...func(*program.Config)) []*testServer {
	t.Helper()
	nodes := make([]*testServer, n)
	for i := range nodes {
		nodes[i] = startServer(t, append([]func(*program.Config){func(c *program.Config) {
			c.Redis = srv.URL()
			c.LeaseTTL = leaseTTL
		}}, change...)...)
	}
	return nodes
}

// errCloseCode is the close code of a connection's read error, 0 if it was not a close.
func errCloseCode(err error) int {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}

// rejoin connects to url and says hello with since, trying again while the server
// says 1013 (the board is moving) or the connection fails, until the deadline.
func rejoin(t *testing.T, url string, since int64) *peer {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		c, _, err := client.Dial(url, "")
		if err == nil {
			var w *client.Msg
			if w, err = c.Hello(since, "tester", time.Now().Add(wait)); err == nil {
				p := &peer{t: t, c: c, doc: client.NewDoc(), acks: map[string]int64{}}
				p.doc.Seq = since
				if err := p.doc.Welcome(w); err != nil {
					t.Fatal(err)
				}
				p.sid = w.SID
				t.Cleanup(func() { c.WS.Close() })
				return p
			}
			c.WS.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("could not rejoin %s: %v", url, err)
		}
		time.Sleep(50 * time.Millisecond) // the page's back-off, shortened
	}
}

// TestClusterForwardsToOwner: a board created on node A opens and syncs through node
// B, which forwards its connections to A, the owner; people on both converge in one
// order, and a new client on either node gets the same board.
func TestClusterForwardsToOwner(t *testing.T) {
	checkLeaks(t)
	srv := redistest.Start(t)
	nodes := startNodes(t, srv, 2)
	a, b := nodes[0], nodes[1]
	board := a.newBoard(t)
	first := join(t, a.wsURL("/b/", board.ID), 0) // A takes the lease
	peers := []*peer{first}
	for i := 0; i < 3; i++ {
		peers = append(peers, join(t, b.wsURL("/b/", board.ID), 0), join(t, a.wsURL("/b/", board.ID), 0))
	}
	if a.svc.Rooms() != 1 || b.svc.Rooms() != 0 {
		t.Fatalf("rooms: A %d, B %d; want the board on A only", a.svc.Rooms(), b.svc.Rooms())
	}
	const batches = 20
	var wg sync.WaitGroup
	for i, p := range peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(i), 11))
			for k := range batches {
				if err := p.c.Send(map[string]any{"t": "ops", "cid": fmt.Sprintf("p%d-%d", i, k), "ops": randomOps(r, 1+r.IntN(3))}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	total := int64(len(peers) * batches)
	for i, p := range peers {
		p.untilSeq(total)
		for len(p.acks) < batches {
			p.next()
		}
		if len(p.errs) > 0 {
			t.Fatalf("peer %d got errors: %s", i, p.errs[0].Raw)
		}
	}
	want := peers[0].doc.Canonical()
	for i, p := range peers[1:] {
		if got := p.doc.Canonical(); got != want {
			t.Fatalf("peer %d differs from peer 0:\n%s\n%s", i+1, got, want)
		}
	}
	// B's three people share one link to A, and a broadcast crosses it once for the
	// three of them: one more batch from a person on A is one record of three
	// deliveries on the link. (The room's notices of who joined, sent every 100 ms,
	// may cross meanwhile: one record of three deliveries too.)
	la, lb := linkStats(t, a), linkStats(t, b)
	if lb.Following != 1 || la.Served != 1 || lb.Served != 0 || la.Following != 0 {
		t.Fatalf("links: A %+v, B %+v; want B following A's board over one link", la, lb)
	}
	peers[0].commit("one-more", put(rect("one-more", 1)))
	for _, p := range peers[1:] {
		p.untilSeq(total + 1)
	}
	if after := linkStats(t, a); after.Records-la.Records < 1 || after.Deliveries-la.Deliveries != 3*(after.Records-la.Records) {
		t.Fatalf("a broadcast to B's three people: %d deliveries in %d records on the link; want 3 in each",
			after.Deliveries-la.Deliveries, after.Records-la.Records)
	}
	want = peers[0].doc.Canonical()
	total++
	for _, n := range nodes {
		for _, url := range []string{n.wsURL("/b/", board.ID), n.wsURL("/v/", board.ViewID)} {
			late := join(t, url, 0)
			if late.doc.Seq != total || late.doc.Canonical() != want {
				t.Fatalf("a new client's welcome on %s (seq %d) differs", url, late.doc.Seq)
			}
		}
	}
	// A board nobody has open is taken by the node asked first.
	other := a.newBoard(t)
	p := join(t, b.wsURL("/b/", other.ID), 0)
	p.commit("b1", put(rect("r", 1)))
	if b.svc.Rooms() != 1 {
		t.Fatalf("B has %d rooms; want the board it was asked for first", b.svc.Rooms())
	}
}

// linkCounts are a node's board links, from its /debug/stats.
type linkCounts struct {
	Following, Served, Deliveries, Records int64
}

// linkStats reads n's board links from its admin listener.
func linkStats(t *testing.T, n *testServer) linkCounts {
	t.Helper()
	resp, body := get(t, "http://"+n.AdminAddr()+"/debug/stats")
	var st struct {
		Links *linkCounts `json:"links"`
	}
	if err := json.Unmarshal(body, &st); resp.StatusCode != http.StatusOK || err != nil || st.Links == nil {
		t.Fatalf("GET /debug/stats: %d %s (%v)", resp.StatusCode, body, err)
	}
	return *st.Links
}

// TestClusterOwnerDiesNothingLost: the owner of a board stops without giving up its
// lease, as a crashed node would. Its clients reconnect to the other node, which takes
// the board once the lease expires; they resend what was not acknowledged, and every
// acknowledged batch is there exactly once.
func TestClusterOwnerDiesNothingLost(t *testing.T) {
	checkLeaks(t)
	srv := redistest.Start(t)
	nodes := startNodes(t, srv, 2)
	a, b := nodes[0], nodes[1]
	board := a.newBoard(t)
	onA := join(t, a.wsURL("/b/", board.ID), 0)
	viaB := join(t, b.wsURL("/b/", board.ID), 0)
	acked := map[string]int64{} // cid → seq, over both clients
	sent := map[*peer][]string{}
	send := func(p *peer, name string, n int) {
		for i := 0; i < n; i++ {
			cid := fmt.Sprintf("%s-%d", name, len(sent[p]))
			p.send(cid, put(rect(cid, float64(i))))
			sent[p] = append(sent[p], cid)
		}
	}
	send(onA, "a", 20)
	send(viaB, "b", 20)
	onA.untilSeq(40)
	// Batches in flight when the owner dies: some may be stored, none acknowledged yet.
	send(onA, "a", 5)
	send(viaB, "b", 5)
	a.svc.Crash()
	a.stop()
	for _, p := range []*peer{onA, viaB} {
		for {
			if _, err := p.next(); err != nil {
				break // the owner went; the relay through B ends with it
			}
		}
		for cid, seq := range p.acks {
			acked[cid] = seq
		}
	}
	// Both reconnect through B, which waits out the lease, and resend what is pending.
	for _, p := range []*peer{onA, viaB} {
		np := rejoin(t, b.wsURL("/b/", board.ID), p.doc.Seq)
		for _, cid := range sent[p] {
			if _, ok := p.acks[cid]; !ok {
				var i float64
				fmt.Sscanf(cid[2:], "%g", &i)
				np.send(cid, put(rect(cid, i)))
				np.until(func(m *client.Msg) bool { return m.T == "ack" && m.CID == cid })
				acked[cid] = np.acks[cid]
			}
		}
	}
	if b.svc.Rooms() != 1 {
		t.Fatalf("B has %d rooms; want the board it took over", b.svc.Rooms())
	}
	final := rejoin(t, b.wsURL("/b/", board.ID), 0)
	if final.doc.Live() != 50 || final.doc.Seq != 50 {
		t.Fatalf("after the failover the board has %d elements at seq %d; want 50 batches of one, each once", final.doc.Live(), final.doc.Seq)
	}
	for cid, seq := range acked {
		if seq < 1 || seq > 50 {
			t.Fatalf("batch %s acknowledged at seq %d", cid, seq)
		}
		if final.doc.Els[cid] == nil {
			t.Fatalf("acknowledged batch %s (seq %d) is lost", cid, seq)
		}
	}
	if len(acked) != 50 {
		t.Fatalf("%d batches acknowledged; want 50", len(acked))
	}
}

// TestClusterLeaseLostClosesSessions: a node whose lease of a board was taken closes
// the board's sessions with 1012 (the pages reconnect) and writes nothing more.
func TestClusterLeaseLostClosesSessions(t *testing.T) {
	checkLeaks(t)
	srv := redistest.Start(t)
	a := startNodes(t, srv, 1)[0]
	board := a.newBoard(t)
	p := join(t, a.wsURL("/b/", board.ID), 0)
	p.commit("c1", put(rect("r1", 1)))
	ctx := context.Background()
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer rdb.Close()
	if err := rdb.Del(ctx, redisbroker.LeaseKey(board.ID)).Err(); err != nil {
		t.Fatal(err)
	}
	thief, err := redisbroker.Open(ctx, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer thief.Close()
	if _, err := thief.Acquire(ctx, board.ID, "thief", time.Minute); err != nil {
		t.Fatal(err)
	}
	for {
		_, err := p.next()
		if err == nil {
			continue
		}
		if code := errCloseCode(err); code != collab.CloseServiceRestart {
			t.Fatalf("closed with %v (code %d); want 1012", err, code)
		}
		break
	}
	waitFor(t, "the room to unload", func() bool { return a.svc.Rooms() == 0 })
	// While the thief holds the lease, A forwards nowhere (the thief is no node) and
	// says try again; the board still has only what was acknowledged.
	c, _, err := client.Dial(a.wsURL("/b/", board.ID), "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.WS.Close()
	if _, err := c.Read(time.Now().Add(wait)); errCloseCode(err) != collab.CloseTryAgain {
		t.Fatalf("a client of a board owned by a dead node: %v; want 1013", err)
	}
	// The owner is listed as alive, but its address refuses connections: A cannot
	// forward, and says try again.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	if err := thief.Announce(ctx, "thief", closed, time.Minute); err != nil {
		t.Fatal(err)
	}
	c2, _, err := client.Dial(a.wsURL("/b/", board.ID), "")
	if err != nil {
		t.Fatal(err)
	}
	defer c2.WS.Close()
	if _, err := c2.Read(time.Now().Add(wait)); errCloseCode(err) != collab.CloseTryAgain {
		t.Fatalf("a client of a board whose owner refuses connections: %v; want 1013", err)
	}
}

// TestClusterForwardHeaderNeedsSignature: the owner believes a client address another
// node vouches for only with the cluster secret's signature, so per-address limits
// apply to the person: a client that sends the headers itself is counted as itself,
// and so is a person who reaches the board through another node.
func TestClusterForwardHeaderNeedsSignature(t *testing.T) {
	checkLeaks(t)
	srv := redistest.Start(t)
	nodes := startNodes(t, srv, 2, func(c *program.Config) { c.MaxSockets = 1 })
	a, b := nodes[0], nodes[1]
	board := a.newBoard(t)
	join(t, a.wsURL("/b/", board.ID), 0) // this address's one socket, on the owner
	spoof := http.Header{}
	spoof.Set("X-Tabula-Client", "203.0.113.9")
	spoof.Set("X-Tabula-Forward", fmt.Sprintf("%d.%064x", time.Now().Unix(), 0))
	d := websocket.Dialer{HandshakeTimeout: 5 * time.Second}
	if ws, resp, err := d.Dial(a.wsURL("/b/", board.ID), spoof); err == nil {
		ws.Close()
		t.Fatal("a client claiming another address with a forged signature got a second socket")
	} else if resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("forged forward header: %v; want 429", err)
	}
	// Through B, the same person is still over the owner's cap: B serves the socket
	// (its own cap is per node) and tells the owner the real address over the board's
	// link, and the owner closes the person's second session with 1008.
	ws, _, err := d.Dial(b.wsURL("/b/", board.ID), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	_ = ws.SetReadDeadline(time.Now().Add(wait))
	if _, _, err := ws.ReadMessage(); errCloseCode(err) != collab.ClosePolicy || !strings.Contains(err.Error(), "too many connections") {
		t.Fatalf("a second socket through B: %v; want the owner's 1008 (too many connections)", err)
	}
	if a.svc.Rooms() != 1 || b.svc.Rooms() != 0 {
		t.Fatalf("rooms: A %d, B %d", a.svc.Rooms(), b.svc.Rooms())
	}
}

// TestClusterReadyNeedsRedis: a node says it is not ready while Redis is down, and
// ready again once it is back.
func TestClusterReadyNeedsRedis(t *testing.T) {
	srv := redistest.Start(t)
	a := startNodes(t, srv, 1)[0]
	ready := func() int {
		resp, err := http.Get(a.URL + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := ready(); got != http.StatusOK {
		t.Fatalf("readyz %d with Redis up", got)
	}
	srv.Kill()
	waitFor(t, "readyz to say 503", func() bool { return ready() == http.StatusServiceUnavailable })
	srv.Restart()
	waitFor(t, "readyz to say 200", func() bool { return ready() == http.StatusOK })
}

// TestClusterStaleOwnerCannotWrite: an owner that stops renewing its lease but keeps
// running (paused, cut off from Redis for a while) loses the board to another node,
// and a batch its clients send afterwards is never acknowledged nor stored: the store
// refuses its fence, so the board has one history, the new owner's.
func TestClusterStaleOwnerCannotWrite(t *testing.T) {
	checkLeaks(t)
	srv := redistest.Start(t)
	nodes := startNodes(t, srv, 2)
	a, b := nodes[0], nodes[1]
	board := a.newBoard(t)
	stale := join(t, a.wsURL("/b/", board.ID), 0)
	stale.commit("before", put(rect("before", 1)))
	a.svc.Crash() // A stops renewing, but its room and its client go on
	ctx := context.Background()
	waitFor(t, "A's lease to expire", func() bool {
		l, ok, err := b.Broker().Holder(ctx, board.ID)
		return err == nil && (!ok || l.Node != a.svc.Node())
	})
	fresh := rejoin(t, b.wsURL("/b/", board.ID), 0) // B holds the board now
	stale.send("late", put(rect("late", 3)))
	for {
		m, err := stale.next()
		if err != nil {
			break // closed: the board could not be saved there
		}
		if m.T == "ack" && m.CID == "late" {
			t.Fatalf("the stale owner acknowledged a batch at seq %d after losing the lease", m.Seq)
		}
	}
	if got := fresh.commit("fresh", put(rect("fresh", 2))); got != 2 {
		t.Fatalf("the new owner gave the first batch after the move seq %d; want 2", got)
	}
	check := rejoin(t, b.wsURL("/b/", board.ID), 0)
	if check.doc.Seq != 2 || check.doc.Els["late"] != nil || check.doc.Els["fresh"] == nil || check.doc.Els["before"] == nil {
		t.Fatalf("board at seq %d with %s; want before and fresh only", check.doc.Seq, check.doc.Canonical())
	}
}

// TestClusterFirstJoinsAtOnce: many people opening a board nobody holds at the same
// moment (a meeting's link shared) all get in on the first try: the node takes the
// board's lease once, and nobody is told 1013 because the lease was taken by the very
// node they are on a moment before.
func TestClusterFirstJoinsAtOnce(t *testing.T) {
	checkLeaks(t)
	srv := redistest.Start(t)
	a := startNodes(t, srv, 1)[0]
	for round := range 5 {
		board := a.newBoard(t)
		const people = 40
		var wg sync.WaitGroup
		errs := make(chan error, people)
		for range people {
			wg.Go(func() {
				c, _, err := client.Dial(a.wsURL("/b/", board.ID), "")
				if err != nil {
					errs <- err
					return
				}
				defer c.WS.Close()
				if _, err := c.Hello(0, "tester", time.Now().Add(wait)); err != nil {
					errs <- fmt.Errorf("hello: %w (close code %d)", err, errCloseCode(err))
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("round %d: %d people opening a new board at once: %v", round, people, err)
		}
	}
}

// TestClusterRedisDownWritersGetAnError: while Redis is down an editor's batch is not
// acknowledged and the editor is told why; once Redis is back, the editor rejoins,
// resends, and the batch is stored once.
func TestClusterRedisDownWritersGetAnError(t *testing.T) {
	checkLeaks(t)
	srv := redistest.Start(t)
	a := startNodes(t, srv, 1)[0]
	board := a.newBoard(t)
	ed := join(t, a.wsURL("/b/", board.ID), 0)
	ed.commit("c1", put(rect("r1", 1)))
	srv.Kill()
	ed.send("c2", put(rect("r2", 2)))
	for {
		m, err := ed.next()
		if err != nil {
			break
		}
		if m.T == "ack" && m.CID == "c2" {
			t.Fatal("a batch was acknowledged while Redis was down")
		}
	}
	if len(ed.errs) == 0 || !strings.Contains(ed.errs[0].Message, "could not be saved") {
		t.Fatalf("the editor was told %v; want that the board could not be saved", ed.errs)
	}
	srv.Restart()
	// The node may give the board up once Redis is back (its lease lapsed while Redis was
	// away, and it cannot know that no other node took the board meanwhile): it closes
	// the board's sockets with 1012, and the page rejoins and resends, as here.
	for attempt := 0; ; attempt++ {
		again := rejoin(t, a.wsURL("/b/", board.ID), ed.doc.Seq)
		acked := 0
		for acked < 2 {
			again.send("c2", put(rect("r2", 2))) // the second resend changes nothing
			m, err := again.next()
			for err == nil && !(m.T == "ack" && m.CID == "c2") && m.T != "error" {
				m, err = again.next()
			}
			if err != nil && errCloseCode(err) == collab.CloseServiceRestart && attempt < 5 {
				break
			}
			if err != nil || m.T == "error" {
				t.Fatalf("resending c2 after Redis came back: %v %+v", err, m)
			}
			acked++
		}
		if acked == 2 {
			break
		}
	}
	check := rejoin(t, a.wsURL("/b/", board.ID), 0)
	if check.doc.Seq != 2 || check.doc.Live() != 2 {
		t.Fatalf("board at seq %d with %d elements; want c1 and c2 once each", check.doc.Seq, check.doc.Live())
	}
}

// TestClusterChangesRunOnTheOwner: restoring a version, moving a board to the trash,
// restoring it and replacing its links, asked of a node that does not own the board,
// happen on the owner:
// its people are closed as on one node, and every node agrees on the result.
func TestClusterChangesRunOnTheOwner(t *testing.T) {
	checkLeaks(t)
	srv := redistest.Start(t)
	nodes := startNodes(t, srv, 2)
	a, b := nodes[0], nodes[1]
	board := a.newBoard(t)
	p := join(t, a.wsURL("/b/", board.ID), 0)
	post := func(path string) int {
		req, _ := http.NewRequest(http.MethodPost, b.URL+path, nil)
		req.Header.Set("Accept", "application/json")
		resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	// History's "Restore this version" from a page whose node is not the owner: the
	// restore's batches are the owner's room's to order.
	p.commit("c1", put(rect("r1", 1)))
	p.commit("c2", put(rect("r2", 2)))
	if got := post("/b/" + board.ID + "/restore?at=1"); got != http.StatusOK {
		t.Fatalf("restore of version 1 through B: %d", got)
	}
	p.untilSeq(3) // the restore: r2 deleted, as everyone sees it
	if got := post("/b/" + board.ID + "/delete"); got != http.StatusNoContent {
		t.Fatalf("delete through B: %d", got)
	}
	for {
		if _, err := p.next(); err != nil {
			break // closed by the owner: the board is in the trash
		}
	}
	ctx := context.Background()
	for _, n := range nodes {
		if _, err := n.svc.Board(ctx, board.ID); wire.ErrorCode(err) != wire.ETrashed {
			t.Fatalf("after the delete through B: %v; want the board in the trash", err)
		}
	}
	if got := post("/b/" + board.ID + "/undelete"); got != http.StatusSeeOther {
		t.Fatalf("undelete through B: %d", got)
	}
	if _, err := a.svc.Board(ctx, board.ID); err != nil {
		t.Fatalf("after the restore through B: %v", err)
	}
}
