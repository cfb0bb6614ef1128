package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"tabula/collab"
	"tabula/internal/client"
	"tabula/internal/redistest"
)

// The tests of many nodes (issue 15): three tabula processes on one redis-server, behind
// HAProxy, started by cluster_util_test.go. They run one after the other (each starts
// its own processes; the machine has few cores) and keep their loops short.

// wsBase turns a base http:// URL into the board's WebSocket URL.
func boardWS(base, id string) string {
	return "ws" + strings.TrimPrefix(base, "http") + "/b/" + id + "/ws"
}

// threeNodes starts a Redis and three nodes behind a balancer.
func threeNodes(t *testing.T, extra ...string) (*cluster, *redistest.Server) {
	t.Helper()
	r := redistest.Start(t)
	return startCluster(t, 3, r.URL(), extra...), r
}

// rosterStream follows a board's presence stream and keeps who is on the board.
type rosterStream struct {
	mu     sync.Mutex
	people map[string]collab.Person
	err    error
}

// followRoster opens base's presence stream of board id and keeps its roster current
// until the test ends.
func followRoster(t *testing.T, base, id string) *rosterStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := client.Subscribe(ctx, base+"/b/"+id+"/presence", "")
	if err != nil {
		cancel()
		t.Fatalf("presence on %s: %v", base, err)
	}
	rs := &rosterStream{people: map[string]collab.Person{}}
	done := make(chan struct{})
	t.Cleanup(func() { cancel(); s.Close(); <-done })
	go func() {
		defer close(done)
		for {
			ev, err := s.Next()
			if err != nil {
				rs.mu.Lock()
				rs.err = err
				rs.mu.Unlock()
				return
			}
			rs.mu.Lock()
			switch ev.Type {
			case "roster":
				var people []collab.Person
				if err := json.Unmarshal([]byte(ev.Data), &people); err == nil {
					rs.people = map[string]collab.Person{}
					for _, p := range people {
						rs.people[p.SID] = p
					}
				}
			case "join", "update":
				var p collab.Person
				if err := json.Unmarshal([]byte(ev.Data), &p); err == nil {
					rs.people[p.SID] = p
				}
			case "leave":
				var p collab.Person
				if err := json.Unmarshal([]byte(ev.Data), &p); err == nil {
					delete(rs.people, p.SID)
				}
			}
			rs.mu.Unlock()
		}
	}()
	return rs
}

// shows reports whether the roster is exactly sids.
func (rs *rosterStream) shows(sids []string) error {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	var have []string
	for sid := range rs.people {
		have = append(have, sid)
	}
	sort.Strings(have)
	want := append([]string(nil), sids...)
	sort.Strings(want)
	if !reflect.DeepEqual(have, want) {
		return fmt.Errorf("roster %v, want %v (stream error: %v)", have, want, rs.err)
	}
	return nil
}

// randomBatch is a batch of 1–3 random ops on the elements the peer knows or makes.
func randomBatch(rng *rand.Rand, p *peer, name string, i int) []map[string]any {
	var ops []map[string]any
	var ids []string
	for id := range p.doc.Els {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for j := range 1 + rng.IntN(3) {
		switch k := rng.IntN(10); {
		case k < 5 || len(ids) == 0:
			id := fmt.Sprintf("%s-%d-%d", name, i, j)
			ops = append(ops, put(map[string]any{"id": id, "type": "rect", "x": rng.IntN(1000), "y": rng.IntN(800), "w": 10 + rng.IntN(90), "h": 10 + rng.IntN(90), "z": fmt.Sprintf("a%d", rng.IntN(1000))}))
		case k < 9:
			ops = append(ops, patch(ids[rng.IntN(len(ids))], map[string]any{"x": rng.IntN(1000), "fill": []string{"#a5d8ff", "#ffc9c9", "#b2f2bb"}[rng.IntN(3)]}))
		default:
			ops = append(ops, del(ids[rng.IntN(len(ids))]))
		}
	}
	return ops
}

// TestClusterServesOneBoardFromEveryNode: people spread over three nodes on one board
// see one board. It is created on one node and opens on the others; after concurrent
// random changes from every node, every copy is the same; presence on every node lists
// everyone; a cursor moved on one node reaches people on the others.
func TestClusterServesOneBoardFromEveryNode(t *testing.T) {
	c, _ := threeNodes(t)
	id := postBoard(t, &testServer{URL: c.node(0).URL()})

	t.Run("OpensOnEveryNode", func(t *testing.T) {
		for i := range 3 {
			resp, err := http.Get(c.node(i).URL() + "/b/" + id)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("node %d: GET /b/%s: %d", i, id, resp.StatusCode)
			}
		}
	})

	// Two people on each node, connected to it directly, and the presence stream of
	// each node.
	const perNode = 2
	var peers []*peer
	var sids []string
	for i := range 3 * perNode {
		p := join(t, boardWS(c.node(i%3).URL(), id), 0)
		peers = append(peers, p)
		sids = append(sids, p.sid)
	}
	t.Run("PresenceListsEveryoneOnEveryNode", func(t *testing.T) {
		for i := range 3 {
			rs := followRoster(t, c.node(i).URL(), id)
			waitUntil(t, wait, fmt.Sprintf("node %d's roster", i), func() error { return rs.shows(sids) })
		}
		// Through the balancer too, which may send the stream to any node.
		rs := followRoster(t, c.URL(), id)
		waitUntil(t, wait, "the balancer's roster", func() error { return rs.shows(sids) })
	})

	t.Run("CursorsCrossNodes", func(t *testing.T) {
		from := peers[0] // on node 0
		if err := from.c.Send(map[string]any{"t": "cursor", "x": 123, "y": 456}); err != nil {
			t.Fatal(err)
		}
		for _, to := range []*peer{peers[1], peers[2]} { // on nodes 1 and 2
			m := to.until(func(m *client.Msg) bool { return m.T == "cursor" && m.SID == from.sid })
			if m.X != 123 || m.Y != 456 {
				t.Errorf("%s got %s's cursor at %v,%v, want 123,456", to.sid, from.sid, m.X, m.Y)
			}
		}
	})

	t.Run("ConvergeAfterConcurrentRandomOps", func(t *testing.T) {
		const batches = 25
		var wg sync.WaitGroup
		last := make([]int64, len(peers))
		errs := make([]error, len(peers))
		for k, p := range peers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[k] = func() error {
					rng := rand.New(rand.NewPCG(uint64(k), 15))
					for i := range batches {
						cid := fmt.Sprintf("r%d-%d", k, i)
						if err := p.c.Send(map[string]any{"t": "ops", "cid": cid, "ops": randomBatch(rng, p, fmt.Sprintf("p%d", k), i)}); err != nil {
							return err
						}
						for {
							m, err := p.c.Read(time.Now().Add(wait))
							if err != nil {
								return fmt.Errorf("batch %s: %w", cid, err)
							}
							if m.T == "ops" {
								if err := p.doc.Apply(m); err != nil {
									return err
								}
							}
							if m.T == "error" {
								return fmt.Errorf("batch %s refused: %s %s", cid, m.Code, m.Message)
							}
							if m.T == "ack" && m.CID == cid {
								last[k] = max(last[k], m.Seq)
								break
							}
						}
					}
					return nil
				}()
			}()
		}
		wg.Wait()
		for k, err := range errs {
			if err != nil {
				t.Fatalf("peer %d (node %d): %v", k, k%3, err)
			}
		}
		top := int64(0)
		for _, s := range last {
			top = max(top, s)
		}
		if top != int64(len(peers)*batches) {
			t.Errorf("last seq %d after %d batches", top, len(peers)*batches)
		}
		for _, p := range peers {
			p.untilSeq(top)
		}
		want := peers[0].doc.Els
		for k, p := range peers[1:] {
			if d := docDiff(p.doc.Els, want); d != "" {
				t.Errorf("peer %d (node %d) differs from peer 0 at seq %d: %s", k+1, (k+1)%3, top, d)
			}
		}
		// A newcomer through the balancer loads the same board.
		fresh := join(t, boardWS(c.URL(), id), 0)
		if d := docDiff(fresh.doc.Els, want); d != "" || fresh.doc.Seq != top {
			t.Errorf("a newcomer loads seq %d, want %d: %s", fresh.doc.Seq, top, d)
		}
		fresh.c.Close()
	})

	// Everyone's session is on the board's owner. When it dies with SIGKILL it says
	// goodbye to no one: the other nodes' streams drop its people once its part of the
	// roster expires.
	t.Run("DeadOwnerLeavesNoGhosts", func(t *testing.T) {
		owner := c.owner(t, id)
		var streams []*rosterStream
		for i := range 3 {
			if i != owner {
				rs := followRoster(t, c.node(i).URL(), id)
				waitUntil(t, wait, fmt.Sprintf("node %d's roster", i), func() error { return rs.shows(sids) })
				streams = append(streams, rs)
			}
		}
		c.Kill9(owner)
		for _, rs := range streams {
			waitUntil(t, wait, "the dead owner's people gone", func() error { return rs.shows(nil) })
		}
	})
}

// TestClusterKillNodeUnderLoad kills a node with SIGKILL ten times while people write
// through the balancer, starting it again between rounds — the board's owner in even
// rounds, a node that only forwards in odd ones: each time its people reconnect through
// the balancer to the others and resend what was not acknowledged, and in the end every
// acknowledged batch is on the board exactly once.
func TestClusterKillNodeUnderLoad(t *testing.T) {
	c, _ := threeNodes(t)
	id := postBoard(t, &testServer{URL: c.URL()})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ws := startWriters(ctx, 6, func(int) string { return boardWS(c.URL(), id) })
	ws.eachProgresses(t, 5, wait)
	const rounds = 10
	for r := range rounds {
		victim := c.owner(t, id)
		if r%2 == 1 {
			victim = (victim + 1 + r/2%2) % 3
		}
		c.Kill9(victim)
		// The survivors carry on: every writer, those of the dead node included, gets
		// batches acknowledged before the node is back.
		ws.eachProgresses(t, 3, 3*wait)
		c.Restart(victim)
		ws.eachProgresses(t, 3, 3*wait)
	}
	ws.drain(t, 3*wait)
	ws.check(t)
	t.Log(ws.summary())
	checkBoard(t, boardWS(c.URL(), id), ws.acked())
}

// TestClusterRedisRestartUnderLoad kills redis-server under write load, twice, and
// starts it again on its files (append-only, fsynced on every write): while it is down
// writers are told (an error and a close code, not silence) and nothing is acknowledged;
// once it is back the nodes reconnect, the writers' pending batches go through and
// nothing acknowledged is missing. A reader who was on the board keeps what it had and
// resumes from it (since its seq) to the whole board.
func TestClusterRedisRestartUnderLoad(t *testing.T) {
	c, r := threeNodes(t)
	id := postBoard(t, &testServer{URL: c.URL()})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ws := startWriters(ctx, 6, func(int) string { return boardWS(c.URL(), id) })
	ws.eachProgresses(t, 5, wait)
	// A reader who was on the board before Redis went down.
	reader := join(t, boardWS(c.node(0).URL(), id), 0)

	for round := range 2 {
		r.Kill()
		// While Redis is down nothing is acknowledged, and the writers are told why:
		// an error or a close code, not silence.
		before := ws.acked()
		waitUntil(t, wait, "a writer told that storage is down", func() error {
			for _, w := range ws {
				w.mu.Lock()
				told := len(w.codes) > 0 || len(w.closes) > 0
				w.mu.Unlock()
				if told {
					return nil
				}
			}
			return fmt.Errorf("round %d: no writer got an error or a close", round)
		})
		for cid := range ws.acked() {
			if _, ok := before[cid]; !ok {
				// An ack may have been on its way when Redis died; it must then be durable,
				// which checkBoard verifies at the end.
				t.Logf("round %d: %s acknowledged as Redis went down", round, cid)
			}
		}
		// The nodes stay up meanwhile.
		for i := range 3 {
			resp, err := http.Get(c.node(i).URL() + "/healthz")
			if err != nil {
				t.Fatalf("node %d gone while Redis is down: %v", i, err)
			}
			resp.Body.Close()
		}
		r.Restart()
		ws.eachProgresses(t, 5, 3*wait)
	}
	ws.drain(t, 3*wait)
	ws.check(t)
	t.Log(ws.summary())
	// What a writer was told says why: the shared store.
	for _, w := range ws {
		if msg, ok := w.said["internal"]; ok && !strings.Contains(msg, "shared store") {
			t.Errorf("%s was told %q while Redis was down; want it to name the shared store", w.name, msg)
		}
	}
	final := checkBoard(t, boardWS(c.URL(), id), ws.acked())

	// The reader keeps what it had and ends with the whole board: on its connection if
	// that lived through the outage, else by resuming from its own seq, as the page does.
	held := reader.doc.Seq
	for reader.doc.Seq < final.Seq {
		m, err := reader.c.Read(time.Now().Add(wait))
		if err != nil {
			t.Logf("the reader's connection ended at seq %d (%v); it resumes", reader.doc.Seq, err)
			reader = resumeFrom(t, boardWS(c.URL(), id), reader.doc)
			continue
		}
		if m.T == "ops" {
			if err := reader.doc.Apply(m); err != nil {
				t.Fatalf("reader: %v", err)
			}
		}
	}
	if d := docDiff(reader.doc.Els, final.Els); d != "" || reader.doc.Seq < held {
		t.Errorf("the reader, at seq %d before the outage, ends at seq %d: %s", held, reader.doc.Seq, d)
	}
}

// resumeFrom reconnects with hello {since: doc.Seq} and applies the welcome to doc.
func resumeFrom(t *testing.T, url string, doc *client.Doc) *peer {
	t.Helper()
	c, _, err := client.Dial(url, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.WS.Close() })
	w, err := c.Hello(doc.Seq, "reader", time.Now().Add(wait))
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Welcome(w); err != nil {
		t.Fatal(err)
	}
	return &peer{t: t, c: c, doc: doc, sid: w.SID, acks: map[string]int64{}}
}

// TestClusterVoiceAcrossNodes: two people on different nodes hear each other, voice
// being hosted on one node for the board; when that node dies with SIGKILL both join
// again (as the page does by itself) and hear each other through the new host.
func TestClusterVoiceAcrossNodes(t *testing.T) {
	c, _ := threeNodes(t)
	id := postBoard(t, &testServer{URL: c.node(0).URL()})
	a := joinVoice(t, boardWS(c.node(0).URL(), id))
	b := joinVoice(t, boardWS(c.node(1).URL(), id))
	t.Logf("board owned by node %d", c.owner(t, id))
	a.Talk(20*time.Millisecond, 30)
	b.Talk(20*time.Millisecond, 30)
	a.hears(t, 10, b)
	b.hears(t, 10, a)

	// The host is the board's owner. Its death ends both calls (a socket forwarded to it
	// breaks with it); both join again through the nodes still up, as the page does.
	host := c.owner(t, id)
	c.Kill9(host)
	a.Close()
	b.Close()
	a2 := rejoinVoice(t, boardWS(c.node((host+1)%3).URL(), id))
	b2 := rejoinVoice(t, boardWS(c.node((host+2)%3).URL(), id))
	a2.Talk(20*time.Millisecond, 30)
	b2.Talk(20*time.Millisecond, 30)
	a2.hears(t, 10, b2)
	b2.hears(t, 10, a2)
}

// joinWhenServed connects to a board and says hello, trying again while the board is
// between owners (the connection refused or closed before the welcome), as the page
// does, until a deadline.
func joinWhenServed(t *testing.T, url string) *peer {
	t.Helper()
	deadline := time.Now().Add(3 * wait)
	for {
		c, _, err := client.Dial(url, "")
		if err == nil {
			var w *client.Msg
			if w, err = c.Hello(0, "tester", time.Now().Add(wait)); err == nil {
				p := &peer{t: t, c: c, doc: client.NewDoc(), acks: map[string]int64{}, sid: w.SID}
				if err := p.doc.Welcome(w); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { c.WS.Close() })
				return p
			}
			c.WS.Close()
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not served after %s: %v", url, 3*wait, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// rejoinVoice is joinVoice for a board whose voice host just died: it connects when the
// board is served again, then joins the call.
func rejoinVoice(t *testing.T, url string) *voicePeer {
	t.Helper()
	p := joinWhenServed(t, url)
	v, err := client.NewVoice(p.c, p.sid, testICE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	vp := &voicePeer{Voice: v, sid: p.sid}
	if err := v.Join(); err != nil {
		t.Fatal(err)
	}
	if err := v.Wait("connected", 2*wait, func(s client.VoiceState) bool { return s.Connected }); err != nil {
		t.Fatalf("%s: %v", vp.sid, err)
	}
	return vp
}

// docDiff says how two copies of a board differ (the first few elements), or "". A
// field with its zero value counts as absent: a snapshot leaves it out where a patch
// that set it (x: 0) shows it.
func docDiff(got, want map[string]map[string]any) string {
	var d []string
	for id, w := range want {
		g := got[id]
		if !reflect.DeepEqual(nonZero(g), nonZero(w)) {
			gj, _ := json.Marshal(g)
			wj, _ := json.Marshal(w)
			d = append(d, fmt.Sprintf("%s: %s, want %s", id, gj, wj))
		}
	}
	for id, g := range got {
		if want[id] == nil {
			gj, _ := json.Marshal(g)
			d = append(d, fmt.Sprintf("%s: %s, want none", id, gj))
		}
	}
	sort.Strings(d)
	if len(d) > 3 {
		d = append(d[:3], fmt.Sprintf("and %d more", len(d)-3))
	}
	return strings.Join(d, "; ")
}

func nonZero(el map[string]any) map[string]any {
	if el == nil {
		return nil
	}
	m := map[string]any{}
	for k, v := range el {
		if v != float64(0) && v != false && v != "" && v != nil {
			m[k] = v
		}
	}
	return m
}
