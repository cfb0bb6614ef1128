package e2e

import (
	"os"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tabula/internal/testtool"
)

// fitted is a page condition: frame id is on screen whole, centred across, and large
// (it fills the free width or much of the height), and the view has stopped gliding.
func fitted(id string) string {
	return `(() => { const f = tabula.doc.get(` + jsString(id) + `), c = tabula.camera;
		if (!f) return false;
		const x0 = (f.x - c.x) * c.zoom, x1 = (f.x + f.w - c.x) * c.zoom, y0 = (f.y - c.y) * c.zoom, y1 = (f.y + f.h - c.y) * c.zoom;
		const inside = x0 >= 0 && y0 >= 0 && x1 <= innerWidth && y1 <= innerHeight;
		const centred = Math.abs((x0 + x1) / 2 - innerWidth / 2) < 30;
		const large = x1 - x0 > innerWidth * 0.6 || y1 - y0 > innerHeight * 0.4;
		const key = JSON.stringify(c), still = window.__lastCam === key; window.__lastCam = key;
		return inside && centred && large && still; })()`
}

// TestBrowserPresenting is a workshop: Ana makes three frames, puts the last one second
// in the frames list (and undoes and redoes that), adds a page with a fourth, then
// presents. Bob at his desk and
// Cleo on her phone are asked to follow; they follow frame to frame, each view fitting
// the frame to its own screen. Bob stops following by zooming and rejoins from the
// "Follow" button; Cleo stops with the button and is brought back by "Bring everyone
// here"; the next frame is on the second page, and both go there with her. Ana stops;
// Cleo presents from her phone and Ana follows; the deck downloads from the Export menu.
func TestBrowserPresenting(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	journeyPresenting(t, oneServer(startServer(t).URL))
}

// journeyPresenting is TestBrowserPresenting on site s, with the people ana (who makes
// the board), bob and cleo.
func journeyPresenting(t *testing.T, s site) {
	browser := newBrowser(t)
	shots := newShots(t)
	ana := createBoard(t, browser, "ana", s.home("ana"))
	ana.watchToasts()
	link := eval[string](ana, `location.href`)

	var ids []string
	for i, x := range []float64{200, 520, 840} {
		ana.key("f")
		ana.waitFor("the frame tool", `document.body.dataset.tool === "frame"`)
		f := ana.added("frame", func() { ana.dragWith([2]float64{x, 240}, [2]float64{x + 260, 420}) })
		ids = append(ids, f.ID)
		ana.key("r")
		ana.added("rect", func() { ana.dragWith([2]float64{x + 40, 280 + float64(i)*20}, [2]float64{x + 200, 380}) })
	}
	ana.key(kb.Escape)

	bob := openTab(t, browser, "bob", s.link(t, "bob", link))
	bob.watchToasts()
	cleo := openPhone(t, browser, "cleo", s.link(t, "cleo", link), 390, 844)

	// Reorder: Frame 3 up one place, from the frames list; undo; again with Alt+↑.
	ana.do("open the frames list", chromedp.Click(chromedp.CSS(`#frames-button`)))
	ana.waitFor("the frames list", `document.getElementById("frames-panel").checkVisibility()`)
	ana.do("move frame 3 up", chromedp.Click(chromedp.CSS(`.frame-move[data-move="`+ids[2]+`"][data-dir="-1"]`)))
	want := []string{ids[0], ids[2], ids[1]}
	bob.waitFor("bob sees the new order", jsOrder(want))
	ana.key("z", kb.ModifierCtrl)
	bob.waitFor("undone", jsOrder(ids))
	// The list is drawn again as the undo lands: focus the row that is there then, not a
	// node the redraw may have just replaced (as Tab would reach it).
	ana.waitFor("frame 3 focused in the list", `(() => {
		if (tabula.doc.pending.length) return false; // the undo's ack redraws the list too
		const b = document.querySelector('.frame-go[data-frame="`+ids[2]+`"]');
		b?.focus();
		return !!b && document.activeElement === b;
	})()`)
	ana.key(kb.ArrowUp, kb.ModifierAlt)
	// Bob and cleo each get the move on their own socket: wait for both, since cleo's
	// may land after bob's (CI once read cleo's list between the two).
	bob.waitFor("moved again with the keyboard", jsOrder(want))
	cleo.waitFor("cleo has the same order", jsOrder(want))
	shots.take(ana, "reordered-list")
	ana.key(kb.Escape)

	// A second page with a fourth frame: the deck goes on there after page 1's frames.
	ana.do("open the page menu", chromedp.Click(chromedp.CSS(`#page-button`)))
	ana.do("add a page", chromedp.Click(chromedp.CSS(`#page-add`)))
	ana.waitFor("the name field of the new page", `document.activeElement?.classList.contains("page-rename")`)
	ana.do("name it", chromedp.KeyEvent("Ideas"), chromedp.KeyEvent(kb.Enter))
	ana.waitFor("on the new page", `tabula.doc.page !== "page1"`)
	page2 := eval[string](ana, `tabula.doc.page`)
	ana.key(kb.Escape)
	ana.key("f")
	f4 := ana.added("frame", func() { ana.dragWith([2]float64{400, 240}, [2]float64{700, 460}) })
	want = append(want, f4.ID)
	bob.waitFor("bob has the fourth frame", `!!tabula.doc.get(`+jsString(f4.ID)+`)`)

	// Ana presents with Shift+P: she sees the bar at the first frame; the others are asked.
	ana.key("P", kb.ModifierShift)
	ana.waitFor("ana's bar", `document.body.dataset.presenting === "me" && document.getElementById("present-bar").checkVisibility() && document.getElementById("present-count").textContent === "1 / 4" && tabula.doc.page === "page1"`)
	for _, tb := range []*tab{bob, cleo} {
		tb.waitFor(tb.name+" is asked", `document.body.dataset.presenting === "other" && document.getElementById("present-prompt").checkVisibility() && document.querySelector(".present-text").textContent.endsWith("is presenting")`)
	}
	shots.take(ana, "presenter-bar")
	shots.take(bob, "asked")
	shots.take(cleo, "asked-phone")

	bob.do("follow", chromedp.Click(chromedp.CSS(`#present-follow`)))
	cleo.tap(center(cleo, `#present-follow`))
	for _, tb := range []*tab{bob, cleo} {
		tb.waitFor(tb.name+" fits frame 1", fitted(want[0]))
	}

	// Next: both follow to the second frame in the deck's order, each fitted to its screen.
	ana.key(kb.ArrowRight)
	ana.waitFor("2 / 4", `document.getElementById("present-count").textContent === "2 / 4"`)
	for _, tb := range []*tab{bob, cleo} {
		tb.waitFor(tb.name+" fits frame 2", fitted(want[1]))
	}
	if bz, cz := eval[float64](bob, `tabula.camera.zoom`), eval[float64](cleo, `tabula.camera.zoom`); bz <= cz {
		t.Fatalf("bob's zoom %g is not larger than cleo's %g: the views copy, not fit", bz, cz)
	}
	shots.take(bob, "following")
	shots.take(cleo, "following-phone")

	// Bob zooms: he stops following, and the frame changes without him; he rejoins.
	bob.do("zoom in", chromedp.Click(chromedp.CSS(`#zoom-in`)))
	bob.waitFor("bob stopped following", `document.body.dataset.presentFollow === undefined && document.getElementById("present-follow").checkVisibility()`)
	bobCam := eval[string](bob, `JSON.stringify(tabula.camera)`)
	ana.key(kb.PageDown)
	cleo.waitFor("cleo fits frame 3", fitted(want[2]))
	if got := eval[string](bob, `JSON.stringify(tabula.camera)`); got != bobCam {
		t.Fatalf("bob's view moved while he was not following: %s, was %s", got, bobCam)
	}
	shots.take(bob, "not-following")
	bob.do("rejoin", chromedp.Click(chromedp.CSS(`#present-follow`)))
	bob.waitFor("bob back on frame 3", fitted(want[2]))

	// Cleo stops with the button; Ana brings everyone to her frame.
	cleo.tap(center(cleo, `#present-unfollow`))
	cleo.waitFor("cleo stopped", `document.body.dataset.presentFollow === undefined`)
	ana.key(kb.ArrowLeft)
	bob.waitFor("bob on frame 2", fitted(want[1]))
	ana.do("bring everyone here", chromedp.Click(chromedp.CSS(`#present-gather`)))
	cleo.waitFor("cleo brought to frame 2", `document.body.dataset.presentFollow === "on"`)
	cleo.waitFor("cleo fits frame 2", fitted(want[1]))

	// On to the next page: the followers go with the presenter.
	ana.key(kb.ArrowRight)
	ana.key(kb.ArrowRight)
	ana.waitFor("4 / 4 on page 2", `document.getElementById("present-count").textContent === "4 / 4" && tabula.doc.page === `+jsString(page2))
	for _, tb := range []*tab{bob, cleo} {
		tb.waitFor(tb.name+" on page 2", `tabula.doc.page === `+jsString(page2))
		tb.waitFor(tb.name+" fits frame 4", fitted(f4.ID))
	}
	shots.take(cleo, "following-page2-phone")

	// The laser is in the bar.
	ana.do("laser", chromedp.Click(chromedp.CSS(`#present-laser`)))
	ana.waitFor("the laser", `document.body.dataset.tool === "laser" && document.getElementById("present-laser").getAttribute("aria-pressed") === "true"`)

	// Screenshots in the dark.
	for _, tb := range []*tab{ana, bob, cleo} {
		tb.darkMode()
		shots.take(tb, "dark")
	}

	// Bob wants to present while Ana does: he is asked to take over, and does.
	bob.key("P", kb.ModifierShift)
	bob.waitFor("bob is asked to take over", `document.getElementById("present-prompt").dataset.state === "take" && document.getElementById("present-take").checkVisibility()`)
	shots.take(bob, "take-over-dark")
	bob.do("take over", chromedp.Click(chromedp.CSS(`#present-take`)))
	bob.waitFor("bob presents", `document.body.dataset.presenting === "me" && document.getElementById("present-count").textContent === "1 / 4"`)
	ana.waitFor("ana is asked to follow bob", `document.body.dataset.presenting === "other" && document.getElementById("present-prompt").dataset.state === "ask"`)
	ana.toastSeen("took over presenting")

	// Bob stops: the prompts go.
	bob.do("stop presenting", chromedp.Click(chromedp.CSS(`#present-stop`)))
	for _, tb := range []*tab{ana, bob, cleo} {
		tb.waitFor(tb.name+": nobody presents", `document.body.dataset.presenting === undefined && !document.getElementById("present-prompt").checkVisibility() && !document.getElementById("present-bar").checkVisibility()`)
	}

	// Cleo presents from her phone, from the frames list; Ana follows her.
	cleo.tap(center(cleo, `#frames-button`))
	cleo.waitFor("cleo's frames list", `document.getElementById("frames-panel").checkVisibility()`)
	cleo.tap(center(cleo, `.frames-present`))
	cleo.waitFor("cleo's bar", `document.body.dataset.presenting === "me" && document.getElementById("present-bar").checkVisibility() && document.getElementById("present-count").textContent === "1 / 4"`)
	ana.waitFor("ana is asked", `document.body.dataset.presenting === "other" && document.getElementById("present-prompt").checkVisibility()`)
	ana.do("follow cleo", chromedp.Click(chromedp.CSS(`#present-follow`)))
	ana.waitFor("ana fits frame 1", fitted(want[0]))
	cleo.tap(center(cleo, `#present-next`))
	cleo.waitFor("cleo at 2 / 4", `document.getElementById("present-count").textContent === "2 / 4"`)
	ana.waitFor("ana following cleo to frame 2", `(() => { const s = tabula.presenting.state(); return s.following && s.id === `+jsString(want[1])+`; })()`)
	ana.waitFor("ana fits frame 2", fitted(want[1]))
	shots.take(cleo, "presenting-phone-dark")
	shots.take(ana, "following-dark")
	cleo.tap(center(cleo, `#present-stop`))
	ana.waitFor("ana: nobody presents", `document.body.dataset.presenting === undefined`)

	// The deck from the Export menu: three pages.
	dir := t.TempDir()
	ana.downloadsTo(dir)
	ana.do("open Export", chromedp.Click(chromedp.CSS(`#export`)))
	ana.waitFor("the Export panel", `document.getElementById("export-panel").checkVisibility() && !document.getElementById("export-frames").disabled`)
	ana.do("All frames as PDF", chromedp.Click(chromedp.CSS(`#export-frames`)))
	data, err := os.ReadFile(waitFile(t, ana, dir, "*.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if pages := testtool.PDFPages(t, data, 48); len(pages) != 4 {
		t.Fatalf("the deck has %d pages, want 4 (three frames on page 1, one on page 2)", len(pages))
	}
}

// jsOrder is a page condition: the frames are in this order.
func jsOrder(ids []string) string {
	s := `JSON.stringify([...tabula.doc.view()].filter((e) => e.type === "frame" && !e.deleted).sort((a, b) => a.z < b.z ? -1 : a.z > b.z ? 1 : a.id < b.id ? -1 : 1).map((e) => e.id)) === JSON.stringify([`
	for i, id := range ids {
		if i > 0 {
			s += ","
		}
		s += jsString(id)
	}
	return s + `])`
}

// center is the middle of the element selector matches on tb's screen, once nothing
// (a toast) covers it there.
func center(tb *tab, selector string) (float64, float64) {
	tb.t.Helper()
	tb.waitFor(selector+" uncovered", `(() => { const e = document.querySelector(`+jsString(selector)+`), r = e?.getBoundingClientRect();
		return !!r && r.width > 0 && e.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); })()`)
	r := eval[struct{ X, Y, W, H float64 }](tb, `(() => { const r = document.querySelector(`+jsString(selector)+`).getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; })()`)
	return r.X + r.W/2, r.Y + r.H/2
}
