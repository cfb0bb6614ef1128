package e2e

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"tabula/app/program"
	"tabula/internal/client"
)

// randomOps makes a batch of valid ops over a small pool of ids, so that clients edit,
// replace, delete and undelete the same elements concurrently.
func randomOps(r *rand.Rand, n int) []map[string]any {
	colours := []string{"#e03131", "#1971c2", "#2f9e44", "#1e1e1e"}
	ops := make([]map[string]any, 0, n)
	for range n {
		id := fmt.Sprintf("e%d", r.IntN(12))
		switch r.IntN(6) {
		case 0, 1:
			el := rect(id, float64(r.IntN(1000)))
			if r.IntN(2) == 0 {
				el = map[string]any{"id": id, "type": "stroke", "x": r.Float64() * 100, "y": 3,
					"points": [][]float64{{0, 0, 0.5}, {r.Float64() * 10, 2}}, "stroke": colours[r.IntN(4)], "width": 2, "z": "a1"}
			}
			ops = append(ops, put(el))
		case 2:
			ops = append(ops, patch(id, map[string]any{"x": float64(r.IntN(1000)), "stroke": colours[r.IntN(4)]}))
		case 3:
			ops = append(ops, patch(id, map[string]any{"text": fmt.Sprintf("t%d", r.IntN(100)), "opacity": 0.5}))
		case 4:
			ops = append(ops, del(id))
		case 5:
			ops = append(ops, patch(id, map[string]any{"deleted": false, "y": float64(r.IntN(50))}))
		}
	}
	return ops
}

func TestClientsConverge(t *testing.T) {
	checkLeaks(t)
	for _, n := range []int{2, 10} {
		t.Run(fmt.Sprintf("%dClients", n), func(t *testing.T) {
			ts := startServer(t)
			b := ts.newBoard(t)
			peers := make([]*peer, n)
			for i := range peers {
				peers[i] = join(t, ts.wsURL("/b/", b.ID), 0)
			}
			const batches = 30
			var wg sync.WaitGroup
			for i, p := range peers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					r := rand.New(rand.NewPCG(uint64(i), 7))
					for k := range batches {
						ops := randomOps(r, 1+r.IntN(4))
						if err := p.c.Send(map[string]any{"t": "ops", "cid": fmt.Sprintf("p%d-%d", i, k), "ops": ops}); err != nil {
							t.Error(err)
							return
						}
					}
				}()
			}
			wg.Wait()
			total := int64(n * batches)
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
			late := join(t, ts.wsURL("/b/", b.ID), 0)
			if late.doc.Seq != total || late.doc.Canonical() != want {
				t.Fatalf("a new client's welcome (seq %d) differs from what the clients built:\n%s\n%s", late.doc.Seq, late.doc.Canonical(), want)
			}
		})
	}
}

func TestResumeGetsExactlyTheMissedOps(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	a := join(t, ts.wsURL("/b/", b.ID), 0)
	a.commit("a1", put(rect("r1", 1)))
	bob := join(t, ts.wsURL("/b/", b.ID), 0)
	seen := bob.doc.Seq
	bob.c.WS.NetConn().Close() // dropped network: no close frame
	for i := range 5 {
		a.commit(fmt.Sprintf("a%d", i+2), patch("r1", map[string]any{"x": float64(i)}))
	}
	again, _, err := client.Dial(ts.wsURL("/b/", b.ID), "")
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	w, err := again.Hello(seen, "bob", time.Now().Add(wait))
	if err != nil {
		t.Fatal(err)
	}
	if w.Reset || len(w.Ops) != 5 || w.Seq != seen+5 {
		t.Fatalf("resume from %d: reset=%v ops=%d seq=%d, want the 5 missed batches", seen, w.Reset, len(w.Ops), w.Seq)
	}
	bob.c = again
	if err := bob.doc.Welcome(w); err != nil {
		t.Fatal(err)
	}
	if bob.doc.Canonical() != a.doc.Canonical() {
		t.Fatalf("resumed doc differs:\n%s\n%s", bob.doc.Canonical(), a.doc.Canonical())
	}
}

func TestResentBatchIsNotAppliedTwice(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	p := join(t, ts.wsURL("/b/", b.ID), 0)
	seq := p.commit("once", put(rect("r1", 1)), patch("r1", map[string]any{"x": 5}))
	// The same batch again on the same connection, then after a reconnect.
	p.send("once", put(rect("r1", 1)), patch("r1", map[string]any{"x": 5}))
	ack := p.until(func(m *client.Msg) bool { return m.T == "ack" || m.T == "ops" })
	if ack.T != "ack" || ack.Seq != seq {
		t.Fatalf("resend answered with %s seq %d, want ack of seq %d", ack.T, ack.Seq, seq)
	}
	q := join(t, ts.wsURL("/b/", b.ID), 0)
	q.send("once", put(rect("r1", 1)))
	if m := q.until(func(m *client.Msg) bool { return m.T == "ack" || m.T == "ops" }); m.T != "ack" || m.Seq != seq {
		t.Fatalf("resend after reconnect answered with %s seq %d, want ack of %d", m.T, m.Seq, seq)
	}
	next := q.commit("other", patch("r1", map[string]any{"y": 1}))
	if next != seq+1 {
		t.Fatalf("next batch got seq %d, want %d: a resend was applied", next, seq+1)
	}
	if v := q.doc.Els["r1"]["v"]; v != 3.0 {
		t.Fatalf("r1 has version %v, want 3 (put, patch, patch)", v)
	}
}

func TestEphemeralMessagesAreRelayedNotStored(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	a := join(t, ts.wsURL("/b/", b.ID), 0)
	v := join(t, ts.wsURL("/v/", b.ViewID), 0)
	a.until(func(m *client.Msg) bool { return m.T == "join" })
	if err := v.c.Send(map[string]any{"t": "cursor", "x": 12.5, "y": -3}); err != nil {
		t.Fatal(err)
	}
	m := a.until(func(m *client.Msg) bool { return m.T == "cursor" })
	if m.SID != v.sid || m.X != 12.5 || m.Y != -3 {
		t.Fatalf("cursor relayed as %s", m.Raw)
	}
	if err := a.c.Send(map[string]any{"t": "preview", "el": map[string]any{"id": "p1", "type": "stroke", "points": [][]float64{{0, 0}, {5, 5}}, "z": "a"}}); err != nil {
		t.Fatal(err)
	}
	if m := v.until(func(m *client.Msg) bool { return m.T == "preview" }); m.SID != a.sid {
		t.Fatalf("preview relayed as %s", m.Raw)
	}
	// The sender never gets its own ephemeral messages back; the board is unchanged.
	seq := a.commit("c1", put(rect("r", 0)))
	if seq != 1 {
		t.Fatalf("seq %d: ephemeral messages must not take a seq", seq)
	}
	late := join(t, ts.wsURL("/b/", b.ID), 0)
	if _, ok := late.doc.Els["p1"]; ok || len(late.doc.Els) != 1 {
		t.Fatalf("a preview was stored: %s", late.doc.Canonical())
	}
}

func TestTitleIsBroadcastAndKept(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	a := join(t, ts.wsURL("/b/", b.ID), 0)
	v := join(t, ts.wsURL("/v/", b.ViewID), 0)
	if err := a.c.Send(map[string]any{"t": "title", "title": "  Sprint <plan>  "}); err != nil {
		t.Fatal(err)
	}
	if m := v.until(func(m *client.Msg) bool { return m.T == "title" }); m.Title != "Sprint <plan>" {
		t.Fatalf("title broadcast as %q", m.Title)
	}
	if err := v.c.Send(map[string]any{"t": "title", "title": "hijacked"}); err != nil {
		t.Fatal(err)
	}
	if m := v.until(func(m *client.Msg) bool { return m.T == "error" }); m.Code != "view_only" {
		t.Fatalf("viewer rename answered %s", m.Raw)
	}
	c, _, err := client.Dial(ts.wsURL("/b/", b.ID), "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w, err := c.Hello(0, "x", time.Now().Add(wait))
	if err != nil {
		t.Fatal(err)
	}
	if w.Title != "Sprint <plan>" {
		t.Fatalf("welcome title %q", w.Title)
	}
}

func TestRoomUnloadsWhenLastClientLeaves(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) { c.RoomIdle = 10 * time.Millisecond })
	b := ts.newBoard(t)
	p := join(t, ts.wsURL("/b/", b.ID), 0)
	p.commit("c1", put(rect("r", 0)))
	if ts.svc.Rooms() != 1 {
		t.Fatalf("%d rooms loaded, want 1", ts.svc.Rooms())
	}
	p.c.Close()
	waitFor(t, "the room to unload", func() bool { return ts.svc.Rooms() == 0 })
	q := join(t, ts.wsURL("/b/", b.ID), 0)
	if q.doc.Seq != 1 || len(q.doc.Els) != 1 {
		t.Fatalf("reloaded board: seq %d, %d elements", q.doc.Seq, len(q.doc.Els))
	}
}

// waitFor polls cond until it holds or a deadline passes. Used only for state that has
// no event to wait on (a room unloading).
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(wait)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		<-tick.C
	}
}
