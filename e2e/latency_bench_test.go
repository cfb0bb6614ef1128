package e2e

import (
	"fmt"
	"math"
	"slices"
	"testing"
	"time"
)

// strokeTimes is one stroke's moments, in epoch milliseconds: A's input events (their
// own timestamps) and the frames in which B first drew the stroke's preview and the
// stored stroke (B's paint log, assets/js/paintlog.js).
type strokeTimes struct {
	Down    float64 `json:"down"`
	Move    float64 `json:"move"` // the first move after the press
	Up      float64 `json:"up"`
	Preview float64 `json:"preview"`
	Element float64 `json:"element"`
}

// recordInput makes the page note the timestamps of the pointer going down, first moving
// and going up on the board, in window.strokeInput, for the test to read.
const recordInput = `(() => {
	const epoch = (e) => performance.timeOrigin + e.timeStamp;
	const canvas = document.getElementById("live");
	canvas.addEventListener("pointerdown", (e) => { window.strokeInput = {down: epoch(e), move: 0, up: 0}; }, {capture: true});
	canvas.addEventListener("pointermove", (e) => { const s = window.strokeInput; if (s && !s.move && !s.up) s.move = epoch(e); }, {capture: true});
	canvas.addEventListener("pointerup", (e) => { window.strokeInput.up = epoch(e); }, {capture: true});
	return true;
})()`

// pointerRate is how often the benchmark's pointer reports a move while drawing: a 60 Hz
// mouse or touch screen. The moves are paced, as a hand paces them, so that the stroke
// lasts as long as a quick real one (half a second) and previews go out while it is drawn.
const pointerRate = 60

// BenchmarkBrowserStrokeLatency measures how soon a collaborator sees a stroke. Two
// headless Chromium pages are on one board of a real server on loopback; page A draws
// freehand strokes with real input (press, 30 moves at 60 Hz, release) and page B's
// paint log says when it first drew each one. Per stroke:
//
//   - commit: A's pointerup → B's first frame drawing the stored stroke;
//   - preview: A's pointerdown → B's first frame drawing the stroke in progress (what the
//     other person sees first; previews go out with the first move);
//
// reported as p50, p99 and max in ms over every stroke of every iteration. Both pages run
// on one machine, so their epoch clocks (performance.timeOrigin + now) compare.
//
//	go test -run '^$' -bench BrowserStrokeLatency -benchtime 1x .
func BenchmarkBrowserStrokeLatency(b *testing.B) {
	const strokes = 100
	browser := newBrowser(b) // skips without Chromium
	ts := startServer(b)
	meta := ts.newBoard(b)
	a := openTab(b, browser, "A", ts.URL+"/b/"+meta.ID)
	pb := openTab(b, browser, "B", ts.URL+"/b/"+meta.ID)
	a.waitFor("the pen", `document.body.dataset.tool === "pen"`)
	pb.waitFor("A among B's peers", `tabula.sync.peers.has(`+jsString(eval[string](a, `tabula.sync.sid`))+`)`)
	eval[bool](a, recordInput)

	var all []strokeTimes
	drawn := 0
	for b.Loop() {
		for i := range strokes {
			// A grid of 4 × 10 places clear of the panels, shifted a little on each pass.
			k := drawn % 40
			x := 290 + float64(k%4)*230 + float64(drawn/40)*7
			y := 140 + float64(k/4)*56 + float64(drawn/40)*5
			path := wave(x, y, 200, 18, 30)
			all = append(all, drawTimed(a, pb, path, drawn+1))
			drawn++
			if i == 0 {
				b.Logf("first stroke: %+v", all[len(all)-1])
			}
		}
	}

	var commit, preview, fromMove []float64
	for _, s := range all {
		commit = append(commit, s.Element-s.Up)
		preview = append(preview, s.Preview-s.Down)
		fromMove = append(fromMove, s.Preview-s.Move)
	}
	for _, m := range []struct {
		name string
		v    []float64
	}{{"pointerup → B draws the stored stroke", commit}, {"pointerdown → B draws the preview", preview}, {"first move → B draws the preview", fromMove}} {
		p50, p99, hi := percentile(m.v, 0.5), percentile(m.v, 0.99), slices.Max(m.v)
		b.Logf("%-40s %d strokes: p50 %5.1f ms, p99 %5.1f ms, max %5.1f ms, min %5.1f ms", m.name, len(m.v), p50, p99, hi, slices.Min(m.v))
	}
	b.ReportMetric(percentile(commit, 0.5), "commit-p50-ms")
	b.ReportMetric(percentile(commit, 0.99), "commit-p99-ms")
	b.ReportMetric(slices.Max(commit), "commit-max-ms")
	b.ReportMetric(percentile(preview, 0.5), "preview-p50-ms")
	b.ReportMetric(percentile(preview, 0.99), "preview-p99-ms")
	b.ReportMetric(slices.Max(preview), "preview-max-ms")
}

// drawTimed draws path on page a as a stroke with paced real input (the mouse moves to
// the start first, as a mouse does), waits until page b has drawn it (the stroke is the
// n-th on the board) and until a has sent everything, and returns the stroke's moments.
func drawTimed(a, b *tab, path [][2]float64, n int) strokeTimes {
	a.t.Helper()
	a.press(path[0])
	tick := time.NewTicker(time.Second / pointerRate)
	for _, p := range path[1:] {
		<-tick.C
		a.moveHeld([][2]float64{p})
	}
	tick.Stop()
	a.release(path[len(path)-1])
	a.waitFor("the stroke drawn", fmt.Sprintf(`tabula.doc.view().length === %d`, n))
	id := jsString(eval[string](a, `tabula.doc.view().at(-1).id`))
	b.waitFor("A's stroke drawn on B", `tabula.painted.element.has(`+id+`)`)
	// The next stroke starts once this one's messages are all out, the end of its preview
	// too, so that each stroke is timed on its own.
	a.waitFor("A's messages sent", `tabula.doc.pending.length === 0 && tabula.sync.ephemeral.size === 0`)
	s := eval[strokeTimes](a, `window.strokeInput`)
	seen := eval[[]float64](b, `[tabula.painted.preview.get(`+id+`) ?? 0, tabula.painted.element.get(`+id+`)]`)
	s.Preview, s.Element = seen[0], seen[1]
	if s.Down == 0 || s.Move == 0 || s.Up == 0 || s.Preview == 0 {
		a.t.Fatalf("stroke %s: incomplete times %+v: B never drew its preview, or A's input was not seen", id, s)
	}
	return s
}

// percentile is the nearest-rank percentile p (0 < p ≤ 1) of v.
func percentile(v []float64, p float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[max(0, int(math.Ceil(p*float64(len(s))))-1)]
}
