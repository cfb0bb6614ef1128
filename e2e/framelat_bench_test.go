package e2e

import (
	"fmt"
	"slices"
	"strconv"
	"testing"
	"time"
)

// recordBatches makes page A note each batch it sends (when, how many ops) in
// window.sent, and page B each batch of others it receives (seq, how many ops) in
// window.seen, for the test to read.
const (
	recordSent = `(() => {
	window.sent = [];
	const sync = tabula.sync, send = sync.send.bind(sync);
	sync.send = (ops) => { window.sent.push({at: performance.timeOrigin + performance.now(), n: ops.length}); return send(ops); };
	return true;
})()`
	recordSeen = `(() => {
	window.seen = [];
	tabula.sync.on("ops", (m) => { if (m.by !== tabula.sync.sid) window.seen.push({seq: m.seq, n: m.ops.length, at: performance.timeOrigin + performance.now()}); });
	return true;
})()`
)

// BenchmarkBrowserFrameMoveLatency measures what issue 16 asks of moving a frame, in
// BenchmarkBrowserStrokeLatency's manner: two headless Chromium pages on one board of a
// real server on loopback. Page A draws a frame (frame tool) and a lone rectangle
// (rectangle tool) with real input; the frame's 500 members are put by A's own editor
// in one commit (tabula.editor.commit: the editor's frame rule puts them in the frame,
// as drawing them would, but without 500 drags). Then A alternately drags the lone
// rectangle and the frame by its name, with real input (press, 4 moves at 60 Hz,
// release), 100 times each. Per drag, A's pointerup → B's first scene frame after the
// batch A sent at the release (B's paint log, by seq), as p50, p99 and max in ms; and,
// logged, the part of that on A: pointerup → A hands the batch to its socket.
//
// A drag is sent a few times a second while it goes on (editor.js, gesture), so one
// drag is more than one batch; the benchmark checks that every batch of a drag arrives
// on B as one message of one op (a frame's patch moves its members wherever it is
// applied, docs/protocol.md "Frames"), that B's members followed the frame, and that A
// sent the last batch at the release (a drag whose last batch
// went out before it, the pointer having stood still, is done again).
//
//	go test -run '^$' -bench BrowserFrameMoveLatency -benchtime 1x ./e2e
func BenchmarkBrowserFrameMoveLatency(b *testing.B) {
	const drags, members = 100, 500
	browser := newBrowser(b) // skips without Chromium
	ts := startServer(b)
	meta := ts.newBoard(b)
	a := openTab(b, browser, "A", ts.URL+"/b/"+meta.ID)
	pb := openTab(b, browser, "B", ts.URL+"/b/"+meta.ID)
	pb.waitFor("A among B's peers", `tabula.sync.peers.has(`+jsString(eval[string](a, `tabula.sync.sid`))+`)`)

	a.key("f")
	a.waitFor("the frame tool", `document.body.dataset.tool === "frame"`)
	frame := a.added("frame", func() { a.dragWith([2]float64{320, 200}, [2]float64{820, 600}) })
	a.key("r")
	a.waitFor("the rectangle tool", `document.body.dataset.tool === "rect"`)
	lone := a.added("rect", func() { a.dragWith([2]float64{920, 320}, [2]float64{1010, 390}) })
	put := `(() => {
		const f = tabula.doc.get(` + jsString(frame.ID) + `), r = tabula.doc.get(` + jsString(lone.ID) + `);
		const { id, by, at, v, frame, ...base } = r;
		const ops = [];
		for (let i = 0; i < ` + strconv.Itoa(members) + `; i++) {
			const el = { ...base, id: "m" + String(i).padStart(3, "0"), x: f.x + 10 + (i % 25) * 19, y: f.y + 10 + Math.floor(i / 25) * 19, w: 14, h: 12, z: f.z + "V" + String(i).padStart(3, "0") };
			ops.push({ o: "put", el });
		}
		return tabula.editor.commit(ops).length;
	})()`
	if n := eval[int](a, put); n != 1 {
		b.Fatalf("the %d members went out in %d batches, want 1", members, n)
	}
	a.settled()
	pb.waitFor("B has the frame's members", `tabula.doc.view().filter((el) => el.frame === `+jsString(frame.ID)+`).length === `+strconv.Itoa(members))
	a.key("v")
	a.waitFor("the select tool", `document.body.dataset.tool === "select"`)
	eval[bool](a, recordInput)
	eval[bool](a, recordSent)
	eval[bool](pb, recordSeen)

	cases := []struct {
		name string
		ops  int
		grip func() [2]float64 // where A presses to drag it
	}{
		{"single", 1, func() [2]float64 { // its left edge: a rectangle with no fill is held by its outline
			r := eval[elem](a, `tabula.doc.get(`+jsString(lone.ID)+`)`)
			return a.worldToScreen(r.X, r.Y+r.H/2)
		}},
		{"frame500", 1, func() [2]float64 { return a.frameLabel(frame.ID) }}, // the frame's patch moves its members
	}
	lat := make([][]float64, len(cases))
	onA := make([][]float64, len(cases))
	between := make([][]float64, len(cases))
	onB := make([][]float64, len(cases))
	draw := make([][]float64, len(cases))
	redone := 0
	for b.Loop() {
		for i := range 2 * drags {
			c := i % 2
			k := i / 2
			dx, dy := 40.0, 24.0
			if k%2 == 1 { // back where it was, so that it stays on screen
				dx, dy = -dx, -dy
			}
			for {
				mt, ok := moveTimed(a, pb, cases[c].grip(), dx, dy, cases[c].name, cases[c].ops)
				if ok {
					lat[c] = append(lat[c], mt.total)
					onA[c] = append(onA[c], mt.onA)
					between[c] = append(between[c], mt.between)
					onB[c] = append(onB[c], mt.onB)
					draw[c] = append(draw[c], mt.draw)
					break
				}
				redone++
			}
		}
	}
	// The members followed their frame on both pages, to the same places.
	a.settled()
	pb.waitFor("B at A's seq", fmt.Sprintf(`tabula.doc.seq >= %d`, eval[int](a, `tabula.doc.seq`)))
	places := `JSON.stringify(tabula.doc.all().map((el) => [el.id, el.x, el.y]))`
	if pa, pbs := eval[string](a, places), eval[string](pb, places); pa != pbs {
		b.Fatalf("A and B differ after the drags:\n%s\n%s", pa, pbs)
	}
	if off := eval[float64](pb, `tabula.doc.get("m000").x - tabula.doc.get(`+jsString(frame.ID)+`).x`); off != 10 {
		b.Fatalf("on B, member m000 is %g from its frame's left edge after the drags, want 10", off)
	}
	if redone > 0 {
		b.Logf("%d drags done again: their last batch went out before the release", redone)
	}
	for c, m := range cases {
		p50, p99, hi := percentile(lat[c], 0.5), percentile(lat[c], 0.99), slices.Max(lat[c])
		b.Logf("%-8s pointerup → B draws the move, %d drags of %d ops: p50 %5.1f ms, p99 %5.1f ms, max %5.1f ms, min %5.1f ms", m.name, len(lat[c]), m.ops, p50, p99, hi, slices.Min(lat[c]))
		b.Logf("%-8s of which pointerup → A sends the batch: p50 %5.1f ms, p99 %5.1f ms", m.name, percentile(onA[c], 0.5), percentile(onA[c], 0.99))
		b.Logf("%-8s          A sends → B receives:     p50 %5.1f ms, p99 %5.1f ms", m.name, percentile(between[c], 0.5), percentile(between[c], 0.99))
		b.Logf("%-8s          B receives → B draws:     p50 %5.1f ms, p99 %5.1f ms", m.name, percentile(onB[c], 0.5), percentile(onB[c], 0.99))
		b.Logf("%-8s          of which B's scene draw:  p50 %5.2f ms, p99 %5.2f ms", m.name, percentile(draw[c], 0.5), percentile(draw[c], 0.99))
		b.ReportMetric(p50, m.name+"-p50-ms")
		b.ReportMetric(p99, m.name+"-p99-ms")
		b.ReportMetric(hi, m.name+"-max-ms")
	}
}

// moveTimed drags from p by (dx, dy) on page a with paced real input, waits until page b
// has drawn the result, checks that every batch the drag sent arrived on b as one
// message of ops ops, and returns A's pointerup → b's first scene frame after the last
// batch, and the part of it before A sent that batch. ok is false when the last batch
// went out before the release.
func moveTimed(a, b *tab, p [2]float64, dx, dy float64, name string, ops int) (t moveTimes, ok bool) {
	a.t.Helper()
	eval[bool](a, `(window.sent = [], true)`)
	eval[bool](b, `(window.seen = [], true)`)
	a.press(p)
	const steps = 4
	tick := time.NewTicker(time.Second / pointerRate)
	for s := 1; s <= steps; s++ {
		<-tick.C
		f := float64(s) / steps
		a.moveHeld([][2]float64{{p[0] + dx*f, p[1] + dy*f}})
	}
	tick.Stop()
	a.release([2]float64{p[0] + dx, p[1] + dy})
	a.settled()
	seq := eval[int](a, `tabula.doc.seq`)
	b.waitFor(name+" drawn on B", fmt.Sprintf(`tabula.doc.seq >= %d && tabula.painted.batch.has(%d)`, seq, seq))
	up := eval[float64](a, `window.strokeInput.up`)
	sent := eval[[]struct {
		At float64 `json:"at"`
		N  int     `json:"n"`
	}](a, `window.sent`)
	seen := eval[[]struct {
		Seq int     `json:"seq"`
		N   int     `json:"n"`
		At  float64 `json:"at"`
	}](b, `window.seen`)
	if len(sent) == 0 || len(seen) != len(sent) || seen[len(seen)-1].Seq != seq {
		a.t.Fatalf("%s: A sent %d batches %v, B received %v (last seq %d)", name, len(sent), sent, seen, seq)
	}
	for i, s := range seen {
		if s.N != ops || sent[i].N != ops {
			a.t.Fatalf("%s: batch %d of %d ops sent, arrived on B as seq %d with %d ops; want one batch of %d", name, i, sent[i].N, s.Seq, s.N, ops)
		}
	}
	last := sent[len(sent)-1].At
	if last < up {
		return t, false
	}
	drawn := eval[float64](b, fmt.Sprintf(`tabula.painted.batch.get(%d)`, seq))
	arrived := seen[len(seen)-1].At
	// The scene is drawn only when something changed, and nothing has since the move:
	// the last draw's time is the move's.
	took := eval[float64](b, `tabula.stats.lastMs`)
	return moveTimes{total: drawn - up, onA: last - up, between: arrived - last, onB: drawn - arrived, draw: took}, true
}

// moveTimes is one drag's pointerup → B draws it (total) in three parts: pointerup → A
// hands the last batch to its socket (onA), → B's socket handler has it (between: A's
// send, the server and B's receive), → B's first scene frame after it (onB); and how
// long B took to draw that frame (draw, part of onB).
type moveTimes struct{ total, onA, between, onB, draw float64 }
