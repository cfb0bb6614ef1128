package e2e

import (
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The right-click menu, tool lock, align, distribute and flip, in real Chromium: two
// people from the home page; one arranges, the other sees every change.

// menuShown is a condition: the context menu is open.
const menuShown = `!document.getElementById("context-menu").hidden`

// rightClick presses and releases the right mouse button at (x, y) and waits for the
// menu.
func (tb *tab) rightClick(x, y float64) {
	tb.t.Helper()
	tb.do("right-click", chromedp.MouseEvent(chromedp.MouseMoved, x, y),
		chromedp.MouseClickXY(x, y, chromedp.ButtonType(input.MouseButtonRight)))
	tb.waitFor("the context menu", menuShown)
}

// menuItem clicks the menu's item for cmd (and arg), which must be there and enabled.
func (tb *tab) menuItem(cmd, arg string) {
	tb.t.Helper()
	sel := `#context-menu button[data-cmd="` + cmd + `"]`
	if arg != "" {
		sel += `[data-arg="` + arg + `"]`
	}
	tb.waitFor("menu item "+cmd+" "+arg, `(() => { const b = document.querySelector(`+jsString(sel)+`); return !!b && !b.disabled; })()`)
	tb.do("click "+cmd, chromedp.Click(chromedp.CSS(sel)))
	tb.waitFor("the menu closed", `!(`+menuShown+`)`)
}

// menuBox is the open menu's rectangle on screen.
func (tb *tab) menuBox() (l, t, r, b float64) {
	tb.t.Helper()
	box := eval[[4]float64](tb, `(() => { const r = document.getElementById("context-menu").getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })()`)
	return box[0], box[1], box[2], box[3]
}

// byID indexes elements by id.
func byID(els []elem) map[string]elem {
	m := map[string]elem{}
	for _, e := range els {
		m[e.ID] = e
	}
	return m
}

// converge waits until the other tab's board is the same as this one's, in draw order.
func (tb *tab) converge(other *tab) {
	tb.t.Helper()
	tb.settled()
	want := eval[string](tb, `JSON.stringify(tabula.doc.view().map((e) => [e.id, e.x, e.y, e.z, !!e.locked, e.stroke ?? "", JSON.stringify(e.points ?? [])]))`)
	other.waitFor("the same board as "+tb.name, `JSON.stringify(tabula.doc.view().map((e) => [e.id, e.x, e.y, e.z, !!e.locked, e.stroke ?? "", JSON.stringify(e.points ?? [])])) === `+jsString(want))
}

func TestBrowserContextMenu(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	ts := startServer(t)
	browser := newBrowser(t)
	ana := openHomeOn(t, browser, "ana", ts.URL, chromedp.EmulateViewport(viewW, viewH))
	link := ana.newBoardFromHome()
	bo := openTab(t, browser, "bo", link)

	// Two overlapping rectangles; A red, B drawn later so on top. After a shape the tool
	// goes back to selection (no tool lock).
	ana.tool("r", "rect")
	ana.do("red stroke", chromedp.Click(chromedp.CSS(`#style-panel button[data-color="#e03131"]`)))
	ana.dragWith([2]float64{300, 300}, [2]float64{420, 380})
	ana.waitFor("back to selection", `document.body.dataset.tool === "select"`)
	ana.shape("r", "rect", [2]float64{380, 340}, [2]float64{500, 440}, "#a5d8ff")
	ana.settled()
	els := ana.elements()
	if len(els) != 2 {
		t.Fatalf("two rectangles drawn, board has %+v", els)
	}
	a, b := els[0], els[1]
	if a.Stroke != "#e03131" {
		t.Fatalf("A's stroke is %q", a.Stroke)
	}

	// Bring to front, from a right click on the edge of A (unfilled) that B does not cover.
	ana.rightClick(301, 320)
	if !eval[bool](ana, `tabula.editor.selection.has(`+jsString(a.ID)+`) && tabula.editor.selection.size === 1`) {
		t.Fatal("a right click on A did not select A")
	}
	if l, tp, _, bt := ana.menuBox(); !near(l, 301, 1) || tp > 320 || bt < 320 {
		t.Errorf("the menu is at x %v, y %v-%v: want it beside the pointer (301, 320)", l, tp, bt)
	}
	ana.shot("menu-element-light.png")
	ana.menuItem("zorder", "front")
	ana.waitFor("A on top", `tabula.doc.view().at(-1).id === `+jsString(a.ID))
	ana.converge(bo)
	// One undo step puts it back.
	ana.key("z", kb.ModifierCtrl)
	ana.waitFor("A below B again", `tabula.doc.view().at(-1).id === `+jsString(b.ID))
	ana.converge(bo)

	// Duplicate, then delete the copy, both from the menu.
	ana.rightClick(301, 320)
	ana.menuItem("duplicate", "")
	ana.waitFor("a copy", `tabula.doc.view().length === 3`)
	copyID := eval[string](ana, `[...tabula.editor.selection][0]`)
	if copyID == a.ID || copyID == b.ID {
		t.Fatalf("the copy is not selected: selection %s", copyID)
	}
	c := byID(ana.elements())[copyID]
	ana.rightClick(c.X+c.W-4, c.Y+c.H-4)
	ana.menuItem("delete", "")
	ana.waitFor("the copy deleted", `tabula.doc.view().length === 2`)
	ana.converge(bo)

	// Lock, then unlock: a locked element's menu says Unlock.
	ana.rightClick(301, 320)
	ana.menuItem("lock", "")
	ana.waitFor("A locked", `!!tabula.doc.get(`+jsString(a.ID)+`).locked`)
	ana.converge(bo)
	ana.rightClick(301, 320)
	if got := eval[string](ana, `document.querySelector('#context-menu [data-cmd="lock"]').textContent`); !strings.HasPrefix(got, "Unlock") {
		t.Errorf("a locked element's menu offers %q, want Unlock", got)
	}
	if eval[bool](ana, `!!document.querySelector('#context-menu [data-cmd="delete"]')`) {
		t.Error("a locked element's menu offers Delete")
	}
	ana.menuItem("lock", "")
	ana.waitFor("A unlocked", `!tabula.doc.get(`+jsString(a.ID)+`).locked`)

	// Copy A's styles, paste them on B.
	ana.rightClick(301, 320)
	ana.menuItem("copyStyle", "")
	ana.rightClick(490, 430)
	ana.menuItem("pasteStyle", "")
	ana.waitFor("B red", `tabula.doc.get(`+jsString(b.ID)+`).stroke === "#e03131"`)
	ana.converge(bo)

	// Export selection: the Export panel opens with "Selected elements only" ticked, and
	// the download asks the server for B alone.
	eval[bool](ana, recordDownloads)
	eval[bool](ana, `(() => { const f = window.fetch; window.fetched = []; window.fetch = (u, o) => { window.fetched.push(String(u)); return f(u, o); }; return true; })()`)
	ana.rightClick(490, 430)
	ana.menuItem("exportSelection", "")
	ana.waitFor("the export panel, selection only", `!document.getElementById("export-panel").hidden && document.getElementById("export-selection").checked`)
	ana.do("download", chromedp.Click(chromedp.CSS(`#export-download`)))
	ana.waitFor("the download", `window.downloads.length === 1 && window.downloads[0].size > 0`)
	if u := eval[string](ana, `window.fetched.find((u) => u.includes("/export.")) ?? ""`); !strings.Contains(u, "ids="+b.ID) {
		t.Errorf("export selection fetched %q, want ids=%s", u, b.ID)
	}
	ana.key(kb.Escape)
	ana.waitFor("export panel closed", `document.getElementById("export-panel").hidden`)

	// A third rectangle far right; select all three; distribute, then align, from the menu.
	ana.shape("r", "rect", [2]float64{800, 500}, [2]float64{860, 560}, "")
	ana.settled()
	ana.rightClick(700, 700) // the board's own menu
	ana.menuItem("selectAll", "")
	ana.waitFor("all selected", `tabula.editor.selection.size === 3`)
	ana.rightClick(301, 320)
	if n := eval[int](ana, `tabula.editor.selection.size`); n != 3 {
		t.Fatalf("a right click inside the selection left %d selected, want 3", n)
	}
	ana.shot("menu-multi-light.png")
	if os.Getenv("TABULA_SCREENSHOT_DIR") != "" {
		ana.darkMode()
		ana.shot("menu-multi-dark.png")
	}
	ana.menuItem("distribute", "horizontal")
	ana.settled()
	gaps := func() []float64 {
		els := ana.elements()
		sort.Slice(els, func(i, j int) bool { return els[i].X < els[j].X })
		return []float64{els[1].X - (els[0].X + els[0].W), els[2].X - (els[1].X + els[1].W)}
	}
	if g := gaps(); !near(g[0], g[1], 0.1) || g[0] <= 0 {
		t.Errorf("after distributing, the gaps are %v, want equal", g)
	}
	ana.rightClick(301, 320)
	ana.menuItem("align", "top")
	ana.settled()
	tops := func() []float64 {
		var out []float64
		for _, e := range ana.elements() {
			out = append(out, e.Y)
		}
		return out
	}
	if y := tops(); y[0] != y[1] || y[1] != y[2] {
		t.Errorf("after aligning to the top, tops are %v", y)
	}
	ana.converge(bo)
	// One undo step undoes the whole alignment, and only it.
	ana.key("z", kb.ModifierCtrl)
	ana.settled()
	if y := tops(); y[0] == y[1] && y[1] == y[2] {
		t.Errorf("undo left the tops aligned: %v", y)
	}
	if g := gaps(); !near(g[0], g[1], 0.1) {
		t.Errorf("one undo undid the distribution too: gaps %v", g)
	}
	ana.converge(bo)

	// Flip: an arrow pointing right points left after Shift+H.
	ana.tool("a", "arrow")
	ana.dragWith([2]float64{300, 650}, [2]float64{450, 700})
	ana.waitFor("the arrow selected", `tabula.editor.selection.size === 1 && tabula.doc.get([...tabula.editor.selection][0]).type === "arrow"`)
	ana.settled()
	arrowEnds := func() (x0, x1 float64) {
		e := ana.only("arrow")
		return e.X + e.Points[0][0], e.X + e.Points[len(e.Points)-1][0]
	}
	s0, s1 := arrowEnds()
	ana.key("H", kb.ModifierShift)
	ana.settled()
	f0, f1 := arrowEnds()
	if !(s0 < s1) || !near(f0, s1, 0.5) || !near(f1, s0, 0.5) {
		t.Errorf("flipping an arrow from x %v→%v gave %v→%v, want %v→%v", s0, s1, f0, f1, s1, s0)
	}
	ana.converge(bo)

	// Tool lock: Q keeps the rectangle tool for a second and third rectangle; the toolbar
	// button shows it; Q again lets go.
	ana.key("q")
	ana.waitFor("tool lock on", `document.querySelector('.toolbar button[data-action="toollock"]').getAttribute("aria-pressed") === "true"`)
	n := len(ana.elements())
	ana.tool("r", "rect")
	ana.dragWith([2]float64{600, 150}, [2]float64{650, 200})
	ana.dragWith([2]float64{700, 150}, [2]float64{750, 200})
	ana.waitFor("two more rectangles", `tabula.doc.view().length === `+strconv.Itoa(n+2))
	if tool := eval[string](ana, `document.body.dataset.tool`); tool != "rect" {
		t.Errorf("with tool lock, the tool after drawing is %q, want rect", tool)
	}
	ana.do("unlock the tool", chromedp.Click(chromedp.CSS(`.toolbar button[data-action="toollock"]`)))
	ana.waitFor("tool lock off", `document.querySelector('.toolbar button[data-action="toollock"]').getAttribute("aria-pressed") === "false"`)
	ana.dragWith([2]float64{800, 150}, [2]float64{850, 200})
	ana.waitFor("back to selection", `document.body.dataset.tool === "select"`)

	// The menu stays on screen in a corner, moves with the keyboard, and closes with
	// Escape and with a click elsewhere.
	ana.rightClick(viewW-4, viewH-4)
	if l, tp, r, bt := ana.menuBox(); l < 0 || tp < 0 || r > viewW || bt > viewH {
		t.Errorf("the menu at the corner is at (%v, %v)-(%v, %v), off the %dx%d window", l, tp, r, bt, viewW, viewH)
	}
	first := eval[string](ana, `document.activeElement.dataset.cmd ?? ""`)
	ana.key(kb.ArrowDown)
	second := eval[string](ana, `document.activeElement.dataset.cmd ?? ""`)
	if first == "" || second == "" || first == second {
		t.Errorf("keyboard: focus went from %q to %q, want from the first item to the next", first, second)
	}
	ana.key(kb.Escape)
	ana.waitFor("Escape closed the menu", `!(`+menuShown+`)`)
	ana.rightClick(700, 700)
	ana.click(900, 100, 1)
	ana.waitFor("a click elsewhere closed the menu", `!(`+menuShown+`)`)
	ana.converge(bo)
}

// On a phone, a finger held still on a shape opens the menu (no right button there); it
// fits the screen, and its items work by touch. The press neither draws nor moves.
func TestBrowserContextMenuLongPress(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	ts := startServer(t)
	browser := newBrowser(t)
	const w, h = 390, 844
	ana := openHomeOn(t, browser, "ana", ts.URL, chromedp.EmulateViewport(w, h, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
	ana.newBoardFromHome()
	ana.waitFor("the phone screen", `innerWidth === 390 && matchMedia("(pointer: coarse)").matches`)

	// A rectangle, drawn with a finger.
	ana.tap(ana.centre(`.toolbar button[data-tool="rect"]`))
	ana.waitFor("the rectangle tool", `document.body.dataset.tool === "rect"`)
	ana.touch(input.DispatchTouchEventTypeTouchStart, map[float64][2]float64{1: {100, 300}})
	for i := 1; i <= 6; i++ {
		f := float64(i) / 6
		ana.touch(input.DispatchTouchEventTypeTouchMove, map[float64][2]float64{1: {100 + 150*f, 300 + 120*f}})
	}
	ana.touch(input.DispatchTouchEventTypeTouchEnd, nil)
	ana.waitFor("a rectangle", `tabula.doc.view().length === 1 && document.body.dataset.tool === "select"`)
	ana.settled()
	ana.key(kb.Escape)
	ana.waitFor("nothing selected", `tabula.editor.selection.size === 0`)
	before := ana.only("rect")

	// Press and hold on its edge until the menu opens, then lift the finger.
	ana.touch(input.DispatchTouchEventTypeTouchStart, map[float64][2]float64{1: {100, 360}})
	ana.waitFor("the menu after a long press", menuShown)
	ana.touch(input.DispatchTouchEventTypeTouchEnd, nil)
	if !eval[bool](ana, `tabula.editor.selection.has(`+jsString(before.ID)+`)`) {
		t.Error("the long press did not select the rectangle")
	}
	if l, tp, r, b := ana.menuBox(); l < 0 || tp < 0 || r > w || b > h {
		t.Errorf("the menu is at (%v, %v)-(%v, %v), off the %dx%d screen", l, tp, r, b, w, h)
	}
	if after := ana.only("rect"); after.X != before.X || after.Y != before.Y {
		t.Errorf("the long press moved the rectangle from (%v, %v) to (%v, %v)", before.X, before.Y, after.X, after.Y)
	}
	ana.shot("menu-phone-light.png")
	if os.Getenv("TABULA_SCREENSHOT_DIR") != "" {
		ana.darkMode()
		ana.shot("menu-phone-dark.png")
	}
	// Its items are big enough for a finger; Duplicate works by touch.
	small := eval[[]string](ana, `[...document.querySelectorAll("#context-menu button")].filter((b) => b.getBoundingClientRect().height < 36).map((b) => b.textContent)`)
	if len(small) > 0 {
		t.Errorf("menu items too small for a finger: %v", small)
	}
	ana.tap(ana.centre(`#context-menu button[data-cmd="duplicate"]`))
	ana.waitFor("a copy", `tabula.doc.view().filter((e) => e.type === "rect").length === 2`)
	ana.waitFor("the menu closed", `!(`+menuShown+`)`)

	// A press on empty board opens the board's menu, and a tap elsewhere closes it.
	ana.touch(input.DispatchTouchEventTypeTouchStart, map[float64][2]float64{1: {300, 650}})
	ana.waitFor("the board's menu", menuShown+` && !!document.querySelector('#context-menu [data-cmd="selectAll"]')`)
	ana.touch(input.DispatchTouchEventTypeTouchEnd, nil)
	// A touch elsewhere closes it at once (a finger that stays would open it again).
	ana.touch(input.DispatchTouchEventTypeTouchStart, map[float64][2]float64{1: {60, 600}})
	ana.waitFor("a touch elsewhere closed it", `!(`+menuShown+`)`)
	ana.touch(input.DispatchTouchEventTypeTouchEnd, nil)
	if n := len(ana.elements()); n != 2 {
		t.Errorf("the presses left %d elements, want the 2 rectangles", n)
	}
}
