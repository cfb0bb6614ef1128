package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tabula/app/program"
	"tabula/collab"
)

// countOpsBytes makes the page count the ops messages it sends and their bytes
// (window.opsSent), to measure what drawing sends.
func (tb *tab) countOpsBytes() {
	tb.t.Helper()
	eval[bool](tb, `(() => {
		window.opsSent = {batches: 0, bytes: 0};
		const send = WebSocket.prototype.send;
		WebSocket.prototype.send = function (d) {
			if (typeof d === "string" && d.startsWith('{"t":"ops"')) {
				opsSent.batches++;
				opsSent.bytes += new TextEncoder().encode(d).length;
			}
			return send.call(this, d);
		};
		return true;
	})()`)
}

// waitLong is waitFor with a deadline of its own, for what the page does after a
// backoff of several seconds.
func (tb *tab) waitLong(what, cond string, d time.Duration) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, d+time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](cond,
		chromedp.WithPollingInterval(20*time.Millisecond), chromedp.WithPollingTimeout(d))); err != nil {
		tb.t.Fatalf("%s: waiting for %s (%s): %v", tb.name, what, cond, err)
	}
}

// zigzag is a scribble of n+1 points from (x, y) rightwards across w, each a corner of
// height a: a stroke that smoothing cannot make much shorter.
func zigzag(x, y, w, a float64, n int) [][2]float64 {
	path := make([][2]float64, 0, n+1)
	for i := range n + 1 {
		dy := a
		if i%2 == 1 {
			dy = -a
		}
		path = append(path, [2]float64{x + float64(i)*w/float64(n), y + dy})
	}
	return path
}

// A person who draws faster than the server's op limit (set very low here) is told why
// the page went offline and when it reconnects; the page reconnects by itself after the
// wait and sends what was not stored, so someone else opening the board sees every
// stroke.
func TestBrowserOpRateLimitShowsReasonAndCatchesUp(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	browser := newBrowser(t)
	ts := startServer(t, func(c *program.Config) {
		c.ConnOpRate = collab.OpRate{PerSecond: 100, Burst: 4 << 10}
		c.AddrOpRate = collab.OpRate{}
	})
	ana := createBoard(t, browser, "ana", ts.URL)
	link := eval[string](ana, `location.href`)
	ana.countOpsBytes()
	ana.pick("pen")
	// Scribbles of 50 corners (about 1.3 KB each) until the server says stop: the 4 KiB
	// burst takes three or four, however fast the browser draws them.
	refused := `document.getElementById("offline").dataset.refused === "1008"`
	strokes := 0
	for ; strokes < 40 && !eval[bool](ana, refused); strokes++ {
		ana.drag(zigzag(300+float64(strokes%5)*160, 200+float64(strokes/5%4)*110, 130, 30, 50))
	}
	t.Logf("drew %d strokes; sent %v; %s", strokes, eval[map[string]float64](ana, `opsSent`), eval[string](ana, `JSON.stringify(tabula.doc.view().map((e) => [Math.round(e.x), Math.round(e.y), e.points.length]))`))
	ana.waitFor("the reason shown", refused)
	banner := eval[string](ana, `document.getElementById("offline").textContent`)
	for _, want := range []string{"faster than this server allows", "Reconnecting in", "your changes are kept"} {
		if !strings.Contains(banner, want) {
			t.Errorf("the banner says %q, want it to say %q", banner, want)
		}
	}
	if !eval[bool](ana, `document.getElementById("offline").checkVisibility()`) {
		t.Error("the banner with the reason is not visible")
	}
	ana.screenshot("op-rate-limit.png")
	ana.darkMode()
	ana.screenshot("op-rate-limit-dark.png")
	ana.do("a phone's screen", chromedp.EmulateViewport(390, 844))
	ana.nextFrame()
	ana.screenshot("op-rate-limit-phone.png")
	sent := eval[map[string]float64](ana, `opsSent`)
	t.Logf("sent %v before the refusal; banner: %s", sent, banner)

	// Back by itself after the wait (10–15 s, or what the server asked), with every
	// stroke sent and acknowledged.
	ana.waitLong("online again with nothing unsent", `document.body.dataset.state === "online" && tabula.doc.pending.length === 0`, 40*time.Second)
	if n := eval[int](ana, `tabula.doc.view().filter((el) => el.type === "stroke").length`); n != strokes {
		t.Fatalf("ana's page has %d strokes, want the %d drawn", n, strokes)
	}
	if eval[bool](ana, `document.getElementById("offline").checkVisibility()`) {
		t.Error("the banner is still shown after the reconnect")
	}
	bo := openTab(t, browser, "bo", link)
	bo.waitFor("bo's board online", `document.body.dataset.state === "online"`)
	converged(t, ana, bo)
	if n := eval[int](bo, `tabula.doc.view().filter((el) => el.type === "stroke").length`); n != strokes {
		t.Fatalf("bo sees %d strokes, want %d", n, strokes)
	}
}

// Drawing as fast as input can be sent stays far under the default limits; the test
// logs what the page sent, the figure the defaults are set against.
func TestBrowserFastDrawingUnderDefaultOpLimits(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	browser := newBrowser(t)
	ts := startServer(t)
	ana := createBoard(t, browser, "ana", ts.URL)
	ana.countOpsBytes()
	ana.pick("pen")
	start := time.Now()
	const strokes = 30
	for i := range strokes {
		ana.drag(zigzag(300+float64(i%5)*160, 180+float64(i/5%5)*100, 130, 30, 100))
	}
	ana.waitFor("every stroke stored", `document.body.dataset.state === "online" && tabula.doc.pending.length === 0 && tabula.doc.view().length === `+itoa(int64(strokes)))
	took := time.Since(start)
	sent := eval[map[string]float64](ana, `opsSent`)
	t.Logf("%d scribbles of 101 corners in %v: %.0f batches, %.0f bytes: %.1f KB/s (limit per connection %d KiB/s, burst %d MiB)",
		strokes, took.Round(time.Millisecond), sent["batches"], sent["bytes"], sent["bytes"]/took.Seconds()/1000,
		collab.DefaultConnOpRate.PerSecond>>10, collab.DefaultConnOpRate.Burst>>20)
	if eval[string](ana, `document.getElementById("offline").dataset.refused || ""`) != "" {
		t.Fatal("the page was refused under the default limits")
	}
}
