package e2e

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// evalAwait evaluates a JavaScript expression that gives a promise and decodes what the
// promise resolves to, waiting up to a minute.
func evalAwait[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, time.Minute)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("%s: evaluate: %v", tb.name, err)
	}
	return v
}

// benchElements is a board of n mixed elements on a grid of cells `cell` world units
// apart: rectangles, ellipses, diamonds, freehand strokes of 24 points, lines, arrows,
// texts and notes, in equal shares.
func benchElements(n int, cell float64) []map[string]any {
	cols := int(math.Ceil(math.Sqrt(float64(n))))
	colors := []string{"#1e1e1e", "#e03131", "#2f9e44", "#1971c2", "#f08c00", "#9c36b5"}
	out := make([]map[string]any, 0, n)
	for i := range n {
		x, y := float64(i%cols)*cell, float64(i/cols)*cell
		el := map[string]any{"id": fmt.Sprintf("e%05d", i), "x": x, "y": y, "stroke": colors[i%len(colors)], "width": 2, "opacity": 1,
			"z": fmt.Sprintf("a%05d", i)}
		switch i % 8 {
		case 0, 1, 2:
			el["type"] = []string{"rect", "ellipse", "diamond"}[i%8]
			el["w"], el["h"] = cell*0.6, cell*0.4
			if i%16 < 8 {
				el["fill"] = "#a5d8ff"
			}
		case 3:
			pts := make([][]float64, 24)
			for k := range pts {
				f := float64(k) / 23
				pts[k] = []float64{f * cell * 0.7, cell * 0.2 * (1 + math.Sin(f*2*math.Pi+float64(i)))}
			}
			el["type"], el["points"] = "stroke", pts
		case 4, 5:
			el["type"] = []string{"line", "arrow"}[i%8-4]
			el["points"] = [][]float64{{0, 0}, {cell * 0.6, cell * 0.3}}
		case 6:
			el["type"], el["text"], el["size"] = "text", fmt.Sprintf("Item %d", i), 20
			el["w"], el["h"] = 90, 25
		case 7:
			el["type"], el["text"], el["fill"] = "note", "A sticky note with some words in it", "#fff3bf"
			el["w"], el["h"] = cell*0.7, cell*0.7
		}
		out = append(out, el)
	}
	return out
}

// frameStats is what the page measures while it pans or zooms.
type frameStats struct {
	Frames int       `json:"frames"`
	Ms     float64   `json:"ms"`
	P95    float64   `json:"p95"`
	Max    float64   `json:"max"`
	Drawn  []float64 `json:"drawn"`
	Scene  float64   `json:"scene"` // the slowest scene redraw, in ms
}

// measureFrames runs `frames` animation frames in the page, each one a real wheel
// event on the board (pan, or with Ctrl zoom, about the centre), and returns the frame
// intervals. The scene redraws in the frame after each event, as it does for a person.
func measureFrames(tb *tab, frames int, script string) frameStats {
	tb.t.Helper()
	return evalAwait[frameStats](tb, fmt.Sprintf(`new Promise((done) => {
		const canvas = document.getElementById("live");
		const wheel = (dx, dy, ctrl) => canvas.dispatchEvent(new WheelEvent("wheel", {deltaX: dx, deltaY: dy, ctrlKey: ctrl,
			clientX: innerWidth / 2, clientY: innerHeight / 2, bubbles: true, cancelable: true}));
		const step = %s;
		const times = [];
		const drawn = [];
		let scene = 0;
		let i = 0;
		const frame = (t) => {
			times.push(t);
			drawn.push(tabula.stats.drawn);
			scene = Math.max(scene, tabula.stats.lastMs);
			if (i === %d) {
				const gaps = times.slice(1).map((v, k) => v - times[k]).sort((a, b) => a - b);
				done({frames: gaps.length, ms: times.at(-1) - times[0], p95: gaps[Math.floor(gaps.length * 0.95)], max: gaps.at(-1),
					drawn: [Math.min(...drawn), Math.max(...drawn)], scene});
				return;
			}
			step(i++, wheel);
			requestAnimationFrame(frame);
		};
		requestAnimationFrame(frame);
	})`, script, frames))
}

// BenchmarkBrowserPanZoom10k loads a board of 10,000 elements (sent through the real
// server in batches) into headless Chromium and measures the frame rate while the view
// pans at 100%, while it zooms out to 10% (where 4,000 elements are on screen) and back,
// and while it pans at 15%. Reports each phase's fps over all iterations, the worst
// 95th-percentile frame time and scene redraw, and the mean time from navigation to the
// first frame showing the whole board.
//
//	go test -run '^$' -bench BrowserPanZoom10k -benchtime 3x .
func BenchmarkBrowserPanZoom10k(b *testing.B) {
	const n, cell = 10_000, 160.0
	browser := newBrowser(b) // skips (before loading anything) without Chromium
	ts := startServer(b)
	meta := ts.newBoard(b)
	p := join(b, ts.wsURL("/b/", meta.ID), 0)
	els := benchElements(n, cell)
	for i := 0; i < n; i += 1000 {
		ops := make([]map[string]any, 0, 1000)
		for _, el := range els[i : i+1000] {
			ops = append(ops, put(el))
		}
		p.commit(fmt.Sprintf("load-%d", i), ops...)
	}

	var first, pan, far, zoom frameStats
	var load float64
	// Over all iterations: frames and milliseconds of each phase, worst p95, mean load.
	totals := map[string]*frameStats{"pan": {}, "zoom": {}, "far": {}}
	add := func(name string, s frameStats) {
		t := totals[name]
		t.Frames += s.Frames
		t.Ms += s.Ms
		t.P95 = max(t.P95, s.P95)
		t.Scene = max(t.Scene, s.Scene)
	}
	loads := 0.0
	for b.Loop() {
		start := time.Now()
		tb := openTab(b, browser, "bench", ts.URL+"/b/"+meta.ID)
		tb.waitFor("the whole board drawn", fmt.Sprintf(`tabula.doc.view().length === %d && tabula.stats.firstFull > 0`, n))
		load = eval[float64](tb, `tabula.stats.firstFull`)
		b.Logf("page opened and drawn in %v (Go side); first full frame at %.0f ms after navigation", time.Since(start).Round(time.Millisecond), load)
		// Start in the middle of the board at 100%.
		eval[bool](tb, fmt.Sprintf(`(Object.assign(tabula.camera, {x: %g, y: %g, zoom: 1}), true)`, cell*50-640, cell*50-400))
		first = measureFrames(tb, 30, `(i, wheel) => wheel(0, 0, false)`)
		pan = measureFrames(tb, 180, `(i, wheel) => wheel(Math.cos(i / 20) * 24, Math.sin(i / 30) * 18, false)`)
		// 90 frames out to 10%, 90 back: about 1.028× per frame each way.
		zoom = measureFrames(tb, 180, `(i, wheel) => wheel(0, i < 90 ? 3 : -3, true)`)
		// Panning at 15%, where about 2,000 elements are on screen.
		eval[bool](tb, fmt.Sprintf(`(Object.assign(tabula.camera, {x: %g, y: %g, zoom: 0.15}), true)`, cell*50-640/0.15, cell*50-400/0.15))
		far = measureFrames(tb, 180, `(i, wheel) => wheel(Math.cos(i / 20) * 24, Math.sin(i / 30) * 18, false)`)
		add("pan", pan)
		add("zoom", zoom)
		add("far", far)
		loads += load
		for _, m := range []struct {
			name string
			s    frameStats
		}{{"idle", first}, {"pan at 100%", pan}, {"zoom 100%→10%→100%", zoom}, {"pan at 15%", far}} {
			b.Logf("%-20s %3d frames in %4.0f ms: %4.1f fps, p95 %.1f ms, max %.1f ms; %v elements drawn, slowest scene redraw %.1f ms",
				m.name, m.s.Frames, m.s.Ms, float64(m.s.Frames)/(m.s.Ms/1000), m.s.P95, m.s.Max, m.s.Drawn, m.s.Scene)
		}
	}
	fps := func(s *frameStats) float64 { return float64(s.Frames) / (s.Ms / 1000) }
	b.ReportMetric(fps(totals["pan"]), "pan-fps")
	b.ReportMetric(totals["pan"].P95, "pan-p95-ms")
	b.ReportMetric(fps(totals["zoom"]), "zoom-fps")
	b.ReportMetric(totals["zoom"].P95, "zoom-p95-ms")
	b.ReportMetric(totals["zoom"].Scene, "zoom-slowest-scene-ms")
	b.ReportMetric(fps(totals["far"]), "pan15-fps")
	b.ReportMetric(loads/float64(b.N), "first-render-ms")
}
