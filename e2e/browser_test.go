package e2e

import (
	"fmt"
	"image"
	"math"
	"path"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The stroke the tests draw: a sine wave across the middle of the viewport, clear
// of the toolbar and the corners. The camera starts at the origin with zoom 1, so these
// screen points are also the stroke's world coordinates.
const (
	waveX, waveY, waveW, waveA = 340.0, 420.0, 560.0, 110.0
	blue                       = "#1971c2"
)

// drawWave picks the pen with its key, as a person does (the board opens with the
// selection tool), draws the test stroke and returns the stroke as its document holds it.
func drawWave(tb *tab) strokeEl {
	tb.t.Helper()
	tb.tool("p", "pen")
	tb.drag(wave(waveX, waveY, waveW, waveA, 28))
	tb.waitFor("the stroke in the document", `tabula.doc.view().some((el) => el.type === "stroke")`)
	return tb.onlyStroke()
}

func TestBrowserStrokeReachesOtherPage(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	browser := newBrowser(t)
	ts := startServer(t)
	a := createBoard(t, browser, "A", ts.URL)
	b := openTab(t, browser, "B", a.shareLink("edit"))

	// Pick the pen and a colour with real clicks on the toolbar.
	a.do("click the hand", chromedp.Click(chromedp.CSS(`button[data-tool="hand"]`)))
	a.waitFor("hand tool", `document.body.dataset.tool === "hand"`)
	a.do("click the pen", chromedp.Click(chromedp.CSS(`button[data-tool="pen"]`)))
	a.do("click blue", chromedp.Click(chromedp.CSS(`button[data-color="`+blue+`"]`)))
	a.waitFor("pen tool", `document.body.dataset.tool === "pen" && tabula.state.color === `+jsString(blue))

	// Half the wave, then B shows it as a preview before A lets go.
	path := wave(waveX, waveY, waveW, waveA, 28)
	a.press(path[0])
	a.moveHeld(path[1:15])
	b.waitFor("A's stroke in progress drawn", `tabula.painted.preview.size === 1 && tabula.doc.view().length === 0`)
	a.moveHeld(path[15:])
	a.release(path[len(path)-1])
	a.waitFor("the stroke in the document", `tabula.doc.view().some((el) => el.type === "stroke")`)
	drawn := a.onlyStroke()
	id := jsString(drawn.ID)
	a.waitFor("the stroke acknowledged", `tabula.doc.pending.length === 0 && tabula.doc.confirmed.has(`+id+`)`)
	b.waitFor("A's stroke", `tabula.doc.get(`+id+`)?.type === "stroke"`)
	// B's paint log (what the latency benchmark reads) has the preview, then the stored
	// stroke, both drawn; A's log has nothing of its own.
	b.waitFor("A's stroke drawn", `tabula.painted.element.has(`+id+`)`)
	if ok := eval[bool](b, `tabula.painted.preview.get(`+id+`) < tabula.painted.element.get(`+id+`)`); !ok {
		t.Fatalf("B's paint log: preview %v, stored stroke %v; want the preview of %s first",
			eval[string](b, `JSON.stringify([...tabula.painted.preview])`), eval[string](b, `JSON.stringify([...tabula.painted.element])`), drawn.ID)
	}
	if n := eval[int](a, `tabula.painted.preview.size + tabula.painted.element.size`); n != 0 {
		t.Fatalf("A's paint log has %d entries; its own stroke is not someone else's", n)
	}

	got := b.onlyStroke()
	if got.ID != drawn.ID {
		t.Fatalf("B has stroke %q, A drew %q", got.ID, drawn.ID)
	}
	if ja, jb := a.confirmedJSON(drawn.ID), b.confirmedJSON(drawn.ID); ja != jb {
		t.Fatalf("the stored stroke differs between the pages:\nA %s\nB %s", ja, jb)
	}
	if sa, sb := eval[string](a, `document.body.dataset.seq`), eval[string](b, `document.body.dataset.seq`); sa != "1" || sb != "1" {
		t.Fatalf("confirmed seq: A %s, B %s; want 1 for both", sa, sb)
	}
	if len(got.Points) <= 2 {
		t.Fatalf("stroke has %d points, want a curve: %+v", len(got.Points), got)
	}
	if got.Stroke != blue || got.Width <= 0 {
		t.Fatalf("stroke colour %q width %v, want %s and a width", got.Stroke, got.Width, blue)
	}
	// Smoothing rounds the peaks of the wave off a little but keeps both ends.
	minX, minY, maxX, maxY := got.bounds()
	const slack = 2
	if math.Abs(minX-waveX) > slack || math.Abs(maxX-(waveX+waveW)) > slack ||
		minY < waveY-waveA-slack || maxY > waveY+waveA+slack || maxY-minY < waveA {
		t.Fatalf("stroke bounds (%.1f,%.1f)-(%.1f,%.1f), drawn over (%v,%v)-(%v,%v)",
			minX, minY, maxX, maxY, waveX, waveY-waveA, waveX+waveW, waveY+waveA)
	}

	// Each page shows the other's cursor, and A lists B among the people on the board.
	sidA, sidB := jsString(eval[string](a, `tabula.sync.sid`)), jsString(eval[string](b, `tabula.sync.sid`))
	a.hover(1000, 250)
	b.waitFor("A's cursor", `(({x, y} = {}) => x === 1000 && y === 250)(tabula.state.cursors.get(`+sidA+`))`)
	b.hover(560, 640)
	a.waitFor("B's cursor", `(({x, y} = {}) => x === 560 && y === 640)(tabula.state.cursors.get(`+sidB+`))`)
	a.waitFor("B in the peer list", `[...document.querySelectorAll("#peers li")].some((li) => li.dataset.sid === `+sidB+`)`)

	// The screenshots show the stroke and B's cursor on A's page, in both themes.
	strokeBox := image.Rect(int(minX), int(minY), int(maxX)+1, int(maxY)+1).Inset(-4)
	a.nextFrame()
	checkScreenshot(t, a.screenshot("board-light.png"), strokeBox, false,
		func(c, _ [3]int) bool { return colourDistance(c, [3]int{0x19, 0x71, 0xc2}) <= 40 })
	a.darkMode()
	// The dark theme inverts the drawing's lightness: the blue ink comes out light.
	checkScreenshot(t, a.screenshot("board-dark.png"), strokeBox, true,
		func(c, bg [3]int) bool { return luminance(c) > luminance(bg)+60 })
}

// checkScreenshot asserts that the page is not blank: the background has the theme's
// lightness, a fair share of pixels differ from it (toolbar, panels, the stroke), and
// inside the stroke's box there are plenty of pixels for which ink is true.
func checkScreenshot(t *testing.T, img image.Image, strokeBox image.Rectangle, dark bool, ink func(c, bg [3]int) bool) {
	t.Helper()
	size := img.Bounds().Size()
	if size.X != viewW || size.Y != viewH {
		t.Fatalf("screenshot is %v, want the %d×%d viewport", size, viewW, viewH)
	}
	bg := background(img)
	if l := luminance(bg); dark != (l < 128) {
		t.Errorf("background colour %v (luminance %d); dark theme: %v", bg, l, dark)
	}
	differ := countPixels(img, img.Bounds(), func(c [3]int) bool { return colourDistance(c, bg) > 24 })
	if least := size.X * size.Y / 100; differ < least {
		t.Errorf("only %d pixels differ from the background %v, want at least %d", differ, bg, least)
	}
	// A 560-pixel wave drawn 4 pixels wide covers a few thousand pixels.
	stroke := countPixels(img, strokeBox, func(c [3]int) bool { return ink(c, bg) })
	if stroke < 1000 {
		t.Errorf("%d stroke pixels in %v, want at least 1000", stroke, strokeBox)
	}
	t.Logf("screenshot %v: background %v, %d pixels differ from it, %d stroke pixels", size, bg, differ, stroke)
}

func TestBrowserViewOnlyPage(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	journeyViewOnly(t, oneServer(startServer(t).URL))
}

// journeyViewOnly is TestBrowserViewOnlyPage on site s, with the people A (who makes
// the board) and viewer, who opens its view link.
func journeyViewOnly(t *testing.T, s site) {
	browser := newBrowser(t)
	a := createBoard(t, browser, "A", s.home("A"))
	view := s.link(t, "viewer", a.shareLink("view"))
	v := openTab(t, browser, "viewer", view)

	if role := eval[string](v, `document.body.dataset.role + " " + document.body.dataset.tool`); role != "viewer hand" {
		t.Fatalf("view-only page: role and tool %q, want \"viewer hand\"", role)
	}
	// No editing tool is visible: the toolbar is gone, the pen and the swatches with it.
	if shown := eval[[]string](v, `[...document.querySelectorAll("button[data-tool], button[data-color], button[data-width]")]
		.filter((b) => b.getClientRects().length > 0).map((b) => b.outerHTML.slice(0, 60))`); len(shown) > 0 {
		t.Fatalf("view-only page shows editing controls: %q", shown)
	}
	v.waitFor("the view-only badge", `document.querySelector(".badge.viewer-only").getClientRects().length > 0`)

	drawn := drawWave(a)
	id := jsString(drawn.ID)
	a.waitFor("the stroke acknowledged", `tabula.doc.pending.length === 0`)
	v.waitFor("A's stroke", `tabula.doc.get(`+id+`)?.type === "stroke"`)
	if ja, jv := a.confirmedJSON(drawn.ID), v.confirmedJSON(drawn.ID); ja != jv {
		t.Fatalf("the stored stroke differs:\nA      %s\nviewer %s", ja, jv)
	}

	// A drag on the view-only page pans its view and changes nothing on the board.
	before := eval[string](a, `JSON.stringify([document.body.dataset.seq, tabula.doc.view()])`)
	v.drag(wave(300, 300, 200, 50, 10))
	cam := eval[struct{ X, Y, Zoom float64 }](v, `tabula.camera`)
	if cam.X == 0 && cam.Y == 0 {
		t.Fatalf("the drag did not pan the view-only page (camera %+v): did the events arrive?", cam)
	}
	if n := eval[int](v, `tabula.doc.pending.length + (tabula.state.drawing ? 1 : 0)`); n != 0 {
		t.Fatalf("view-only page has %d unsent changes or a stroke in progress", n)
	}
	// The viewer's cursor, sent after the drag, reaching A shows that A has had time to
	// receive anything the drag might have sent.
	sid := jsString(eval[string](v, `tabula.sync.sid`))
	v.hover(640, 200)
	wx, wy := 640/cam.Zoom+cam.X, 200/cam.Zoom+cam.Y
	a.waitFor("the viewer's cursor", fmt.Sprintf(`(({x, y} = {}) => Math.abs(x - %g) < 0.01 && Math.abs(y - %g) < 0.01)(tabula.state.cursors.get(%s))`, wx, wy, sid))
	if after := eval[string](a, `JSON.stringify([document.body.dataset.seq, tabula.doc.view()])`); after != before {
		t.Fatalf("the board changed after a drag on the view-only page:\nbefore %s\nafter  %s", before, after)
	}

	// The viewer's page never shows the edit link: its Share dialog has the view link
	// only, and the edit link's id is nowhere in the page or in what it stored.
	editID := jsString(path.Base(eval[string](a, `location.pathname`)))
	v.do("open Share", chromedp.Click(chromedp.CSS(`#share`)))
	v.waitFor("the Share dialog", `document.getElementById("share-panel").checkVisibility()`)
	if got := eval[string](v, `[...document.querySelectorAll("#share-panel input")].filter((i) => i.checkVisibility()).map((i) => i.value).join(" ")`); got != view {
		t.Fatalf("the viewer's Share dialog shows %q, want only the view link %q", got, view)
	}
	v.nextFrame()
	v.screenshot(strings.ReplaceAll(t.Name(), "/", "-") + "-viewer-share.png")
	if eval[bool](v, `document.documentElement.outerHTML.includes(`+editID+`) || JSON.stringify({...localStorage}).includes(`+editID+`)`) {
		t.Fatalf("the view-only page holds the edit link's id %s", editID)
	}
}

func TestBrowserOfflineEditsDelivered(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	browser := newBrowser(t)
	ts := startServer(t)
	a := createBoard(t, browser, "A", ts.URL)
	link := a.shareLink("edit")

	cfg := ts.cfg
	cfg.Addr = ts.Addr() // the page reconnects to the address it was loaded from
	ts.stop()
	a.waitFor("offline, with the banner shown", `document.body.dataset.state === "offline"
		&& document.getElementById("offline").getClientRects().length > 0`)

	drawn := drawWave(a)
	id := jsString(drawn.ID)
	if n := eval[int](a, `tabula.doc.pending.length`); n != 1 {
		t.Fatalf("offline: %d pending batches, want the stroke's 1", n)
	}

	// Go listeners set SO_REUSEADDR and the stopped server has closed its listener, so
	// the address is free at once; startServerWith fails the test if it is not.
	startServerWith(t, cfg)
	a.waitFor("the stroke delivered", `document.body.dataset.state === "online"
		&& document.getElementById("offline").getClientRects().length === 0
		&& tabula.doc.pending.length === 0 && tabula.doc.confirmed.has(`+id+`)`)

	b := openTab(t, browser, "B", link)
	b.waitFor("A's offline stroke", `tabula.doc.get(`+id+`)?.type === "stroke"`)
	if ja, jb := a.confirmedJSON(drawn.ID), b.confirmedJSON(drawn.ID); ja != jb || ja == `""` {
		t.Fatalf("the stored stroke differs:\nA %s\nB %s", ja, jb)
	}
	if got := b.onlyStroke(); len(got.Points) != len(drawn.Points) {
		t.Fatalf("B's stroke has %d points, A drew %d", len(got.Points), len(drawn.Points))
	}
}
