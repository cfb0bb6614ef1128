package e2e

import (
	"math"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Lines and arrows of several points, round ones, and point editing, in real Chromium
// with two people on one board.

// worldPoints is the element's points in world coordinates (it is not rotated).
func (e elem) worldPoints() [][2]float64 {
	out := make([][2]float64, len(e.Points))
	for i, p := range e.Points {
		out[i] = [2]float64{e.X + p[0], e.Y + p[1]}
	}
	return out
}

func TestBrowserMultiPointArrow(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	a, b := twoTabs(t)

	// A rectangle for the arrow to end on.
	a.tool("r", "rect")
	a.dragWith([2]float64{920, 200}, [2]float64{1080, 320})
	a.settled()
	rect := a.only("rect")
	a.key(kb.Escape)

	// The arrow tool (clear of the style panel on the left): a click starts an arrow of several points. B sees it grow, the
	// segment to A's pointer included, as A's preview.
	a.tool("a", "arrow")
	clicks := [][2]float64{{300, 300}, {450, 180}, {650, 380}, {980, 260}}
	a.click(clicks[0][0], clicks[0][1], 1)
	a.hover(400, 250)
	b.waitFor("the first segment following A's pointer", `[...tabula.state.previews.values()].some(({el}) => el.type === "arrow" && el.points.length === 2 && el.x + el.points[1][0] === 400)`)
	for _, p := range clicks[1:3] {
		a.click(p[0], p[1], 1)
	}
	a.hover(800, 300)
	b.waitFor("three points and the pointer", `[...tabula.state.previews.values()].some(({el}) => el.type === "arrow" && el.points.length === 4)`)
	a.click(clicks[3][0], clicks[3][1], 1)
	if n := len(a.elements()); n != 1 {
		t.Fatalf("%d elements before Enter, want only the rectangle: the arrow is not finished yet", n)
	}
	a.key(kb.Enter)
	a.settled()
	arrow := a.only("arrow")
	if len(arrow.Points) != 4 || arrow.EndBind != rect.ID || arrow.StartBind != "" {
		t.Fatalf("arrow %+v: want 4 points, its end bound to the rectangle %s", arrow, rect.ID)
	}
	got := arrow.worldPoints()
	for i := range 3 {
		if !near(got[i][0], clicks[i][0], 0.01) || !near(got[i][1], clicks[i][1], 0.01) {
			t.Fatalf("point %d at %v, want where A clicked, %v", i, got[i], clicks[i])
		}
	}
	if end := got[3]; !(end[0] < rect.X && near(end[0], rect.X-6, 3)) {
		t.Fatalf("the bound end %v should sit on the rectangle's left edge (x=%v) less the gap", end, rect.X)
	}
	id := jsString(arrow.ID)
	b.waitFor("A's arrow of four points, and no preview left", `tabula.doc.get(`+id+`)?.points.length === 4 && tabula.state.previews.size === 0`)
	if ja, jb := a.confirmedJSON(arrow.ID), b.confirmedJSON(arrow.ID); ja != jb {
		t.Fatalf("the arrow differs:\nA %s\nB %s", ja, jb)
	}

	// Round, from the style panel (the new arrow is selected).
	a.do("pick round", chromedp.Click(chromedp.CSS(`#style-panel button[data-curve="round"]`)))
	b.waitFor("the arrow round", `tabula.doc.get(`+id+`).curve === "round"`)

	// A double click on it edits its points: drag the handle in the middle of the part
	// between points 1 and 2 (on the curve) down, and a fifth point comes out of it.
	a.click(clicks[1][0], clicks[1][1], 2)
	a.nextFrame()
	mid := evalAwait[[]float64](a, `import("/assets/js/linepoints.js").then(({editHandles}) =>
		editHandles(tabula.doc.get(`+id+`), 0).mids.find((m) => m.index === 1).at)`)
	a.shot("arrows-editing.png")
	to := [2]float64{mid[0] + 40, mid[1] + 90}
	a.dragWith([2]float64{mid[0], mid[1]}, to)
	a.settled()
	b.waitFor("five points", `tabula.doc.get(`+id+`).points.length === 5`)
	five := a.only("arrow")
	if p := five.worldPoints()[2]; !near(p[0], to[0], 0.01) || !near(p[1], to[1], 0.01) {
		t.Fatalf("the new point is at %v, want where it was dropped, %v", p, to)
	}
	for i, j := range map[int]int{0: 0, 1: 1, 3: 2} {
		if p := five.worldPoints()[i]; !near(p[0], got[j][0], 0.01) || !near(p[1], got[j][1], 0.01) {
			t.Fatalf("point %d moved to %v, want it where it was, %v", i, p, got[j])
		}
	}

	// Undo on A takes the point away again, for both.
	a.key("z", kb.ModifierCtrl)
	b.waitFor("four points again", `tabula.doc.get(`+id+`).points.length === 4 && tabula.doc.get(`+id+`).curve === "round"`)
	a.settled()
	if back := a.only("arrow").worldPoints(); len(back) != 4 || !near(back[1][0], got[1][0], 0.01) || !near(back[2][1], got[2][1], 0.01) {
		t.Fatalf("after undo: %v, want %v", back, got)
	}

	// Still editing: press point 2 and Delete removes it; a line keeps two points.
	a.click(clicks[2][0], clicks[2][1], 1)
	a.key(kb.Delete)
	b.waitFor("point 2 deleted", `tabula.doc.get(`+id+`).points.length === 3`)
	if a.only("arrow").EndBind != rect.ID {
		t.Fatal("removing an inner point let go of the end's binding")
	}
	// Escape ends point editing (Delete would now delete the arrow); undo brings the
	// point back.
	a.key(kb.Escape)
	a.key("z", kb.ModifierCtrl)
	b.waitFor("four points once more", `tabula.doc.get(`+id+`).points.length === 4`)
	// Enter with the arrow selected edits its points too; Backspace removes one.
	a.key(kb.Enter)
	a.click(clicks[1][0], clicks[1][1], 1)
	a.key(kb.Backspace)
	b.waitFor("point 1 deleted", `tabula.doc.get(`+id+`).points.length === 3`)
	a.key("z", kb.ModifierCtrl)
	b.waitFor("four points after the undo", `tabula.doc.get(`+id+`).points.length === 4`)

	// A straight arrow dragged as before, and a sharp arrow of several points (the style
	// panel sets the style of the next one) ended with a double click, for the screenshots.
	a.key(kb.Escape)
	a.tool("a", "arrow")
	a.dragWith([2]float64{300, 520}, [2]float64{520, 620})
	a.tool("a", "arrow")
	a.do("pick sharp for the next arrow", chromedp.Click(chromedp.CSS(`#style-panel button[data-curve="sharp"]`)))
	for _, p := range [][2]float64{{620, 520}, {720, 640}, {820, 520}} {
		a.click(p[0], p[1], 1)
	}
	a.click(920, 640, 2)
	a.settled()
	b.waitFor("three arrows", `tabula.doc.view().filter((el) => el.type === "arrow").length === 3`)
	var zigzag elem
	for _, e := range a.elements() {
		if e.Type == "arrow" && len(e.Points) == 4 && e.ID != arrow.ID {
			zigzag = e
		}
	}
	if zigzag.ID == "" || zigzag.EndBind != "" || zigzag.Curve != "" {
		t.Fatalf("the double-clicked arrow: %+v; want four points", a.elements())
	}
	if p := zigzag.worldPoints()[3]; !near(p[0], 920, 0.01) || !near(p[1], 640, 0.01) {
		t.Fatalf("the double click's point is at %v", p)
	}
	if d := eval[string](a, `document.body.dataset.tool`); d != "select" {
		t.Fatalf("after finishing an arrow the tool is %q, want select", d)
	}
	a.key(kb.Escape)
	a.shot("arrows-light.png")
	a.darkMode()
	a.shot("arrows-dark.png")
}

// TestBrowserPlacedLineIsDiscarded: a line of fewer than two distinct points is not
// stored, and Escape with nothing placed leaves the tool.
func TestBrowserPlacedLineIsDiscarded(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	a, _ := twoTabs(t)
	a.tool("l", "line")
	a.click(400, 400, 2) // a double click: one point, twice
	a.click(600, 400, 1)
	a.click(600, 400, 1) // the same point again finishes: still one point
	a.nextFrame()
	if n := eval[int](a, `tabula.doc.view().length + tabula.doc.pending.length`); n != 0 {
		t.Fatalf("%d elements from lines of one point", n)
	}
	// A line of two points with Escape, snapped to 45° by Shift.
	a.click(300, 300, 1)
	a.do("shift-click", chromedp.MouseEvent(chromedp.MouseMoved, 410, 395, chromedp.ButtonModifiers(kb.ModifierShift)))
	a.click(410, 395, 1, kb.ModifierShift)
	a.key(kb.Escape)
	a.settled()
	line := a.only("line")
	p := line.worldPoints()
	if len(p) != 2 || !near(math.Abs(p[1][0]-p[0][0]), math.Abs(p[1][1]-p[0][1]), 0.05) {
		t.Fatalf("Shift-placed line %v, want 45°", p)
	}

	// Picking another tool while placing keeps what was placed.
	a.tool("l", "line")
	a.click(300, 600, 1)
	a.click(400, 650, 1)
	a.click(500, 600, 1)
	a.tool("r", "rect")
	a.settled()
	if n := eval[int](a, `tabula.doc.view().filter((e) => e.type === 'line' && e.points?.length === 3).length`); n != 1 {
		t.Fatalf("%d lines of 3 points after switching tools while placing, want 1", n)
	}
}
