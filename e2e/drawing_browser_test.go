package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tabula/app/program"
)

// The drawing tools in real Chromium against a real server: shapes, selection and
// transforms, text and notes, images, the eraser, undo across two people, the
// clipboard, stacking order, view-only pages and hostile input. Helpers come from
// browser_util_test.go; each test opens its own browser.

// elem is the part of an element the drawing tests look at.
type elem struct {
	ID        string      `json:"id"`
	Type      string      `json:"type"`
	X         float64     `json:"x"`
	Y         float64     `json:"y"`
	W         float64     `json:"w"`
	H         float64     `json:"h"`
	Angle     float64     `json:"angle"`
	Points    [][]float64 `json:"points"`
	Stroke    string      `json:"stroke"`
	Fill      string      `json:"fill"`
	Text      string      `json:"text"`
	Size      float64     `json:"size"`
	Src       string      `json:"src"`
	Z         string      `json:"z"`
	Group     string      `json:"group"`
	Locked    bool        `json:"locked"`
	StartBind string      `json:"startBind"`
	EndBind   string      `json:"endBind"`
	EndArrow  string      `json:"endArrow"`
	Curve     string      `json:"curve"`
	Page      string      `json:"page"`
}

// elements is the tab's live board in draw order.
func (tb *tab) elements() []elem {
	tb.t.Helper()
	return eval[[]elem](tb, `tabula.doc.view()`)
}

// only returns the one element of type typ, failing unless there is exactly one.
func (tb *tab) only(typ string) elem {
	tb.t.Helper()
	var out []elem
	for _, e := range tb.elements() {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	if len(out) != 1 {
		tb.t.Fatalf("%s: %d elements of type %s, want 1: %+v", tb.name, len(out), typ, tb.elements())
	}
	return out[0]
}

// settled waits until the tab has no unacknowledged changes.
func (tb *tab) settled() {
	tb.t.Helper()
	tb.waitFor("changes acknowledged", `tabula.doc.pending.length === 0 && !tabula.doc.draft`)
}

// key presses a key (kb names or a character) with modifiers, as real keyboard input.
func (tb *tab) key(k string, mods ...kb.Modifier) {
	tb.t.Helper()
	var m kb.Modifier
	for _, x := range mods {
		m |= x
	}
	tb.do("press "+k, chromedp.KeyEvent(k, chromedp.KeyModifiers(m)))
}

// click presses and releases the left button at (x, y), n times in a row (2: a double click).
func (tb *tab) click(x, y float64, n int, mods ...kb.Modifier) {
	tb.t.Helper()
	var m kb.Modifier
	for _, x := range mods {
		m |= x
	}
	steps := []chromedp.Action[chromedp.Void]{chromedp.MouseEvent(chromedp.MouseMoved, x, y)}
	for i := 1; i <= n; i++ {
		steps = append(steps,
			chromedp.MouseEvent(chromedp.MousePressed, x, y, buttonsLeft, chromedp.ClickCount(i), chromedp.ButtonModifiers(m)),
			chromedp.MouseEvent(chromedp.MouseReleased, x, y, buttonsLeft, chromedp.ClickCount(i), chromedp.ButtonModifiers(m)))
	}
	tb.do("click", steps...)
}

// dragWith drags in a straight line from a to b in steps, holding modifiers.
func (tb *tab) dragWith(a, b [2]float64, mods ...kb.Modifier) {
	tb.t.Helper()
	var m kb.Modifier
	for _, x := range mods {
		m |= x
	}
	mod := chromedp.ButtonModifiers(m)
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.MouseEvent(chromedp.MouseMoved, a[0], a[1], mod),
		chromedp.MouseEvent(chromedp.MousePressed, a[0], a[1], buttonsLeft, chromedp.ClickCount(1), mod),
	}
	const n = 8
	for i := 1; i <= n; i++ {
		f := float64(i) / n
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, a[0]+(b[0]-a[0])*f, a[1]+(b[1]-a[1])*f, buttonsLeft, mod))
	}
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, b[0], b[1], buttonsLeft, chromedp.ClickCount(1), mod))
	tb.do("drag", steps...)
}

// tool picks a tool with its key and waits until the page has it.
func (tb *tab) tool(key, name string) {
	tb.t.Helper()
	tb.key(key)
	tb.waitFor("the "+name+" tool", `document.body.dataset.tool === `+jsString(name))
}

// toast waits for a message containing want in the page's toast.
func (tb *tab) toast(want string) string {
	tb.t.Helper()
	tb.waitFor("a message saying "+want, `(() => { const t = document.getElementById("toast"); return !t.hidden && t.textContent.includes(`+jsString(want)+`); })()`)
	return eval[string](tb, `document.getElementById("toast").textContent`)
}

// near reports whether a and b differ by at most eps.
func near(a, b, eps float64) bool { return math.Abs(a-b) <= eps }

// twoTabs opens a new board twice, as two people.
func twoTabs(t *testing.T) (a, b *tab) {
	browser := newBrowser(t)
	ts := startServer(t)
	a = createBoard(t, browser, "A", ts.URL)
	return a, openTab(t, browser, "B", a.shareLink("edit"))
}

// shot saves a screenshot named name when TABULA_SCREENSHOT_DIR is set.
func (tb *tab) shot(name string) {
	tb.t.Helper()
	if os.Getenv("TABULA_SCREENSHOT_DIR") == "" {
		return
	}
	tb.nextFrame()
	tb.screenshot(name)
}

func TestBrowserDrawShapes(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	a, b := twoTabs(t)

	// A rectangle, drawn slowly enough that B sees its preview before it is stored.
	a.tool("r", "rect")
	a.do("start the rectangle",
		chromedp.MouseEvent(chromedp.MouseMoved, 300, 300),
		chromedp.MouseEvent(chromedp.MousePressed, 300, 300, buttonsLeft, chromedp.ClickCount(1)),
		chromedp.MouseEvent(chromedp.MouseMoved, 400, 360, buttonsLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, 500, 400, buttonsLeft))
	b.waitFor("A's rectangle preview", `[...tabula.state.previews.values()].some((p) => p.el.type === "rect" && p.el.w === 200 && p.el.h === 100)`)
	a.do("finish the rectangle", chromedp.MouseEvent(chromedp.MouseReleased, 500, 400, buttonsLeft, chromedp.ClickCount(1)))
	a.settled()
	r := a.only("rect")
	if r.X != 300 || r.Y != 300 || r.W != 200 || r.H != 100 {
		t.Fatalf("rectangle %+v, want 300,300 200×100", r)
	}
	if got := eval[string](a, `document.body.dataset.tool + " " + [...tabula.editor.selection].join()`); got != "select "+r.ID {
		t.Fatalf("after drawing: tool and selection %q, want the select tool with the rectangle selected", got)
	}

	// A circle: the ellipse tool with Shift held.
	a.tool("o", "ellipse")
	a.dragWith([2]float64{700, 300}, [2]float64{820, 360}, kb.ModifierShift)
	a.settled()
	e := a.only("ellipse")
	if e.W != 120 || e.H != 120 {
		t.Fatalf("Shift-drawn ellipse is %v×%v, want a 120×120 circle", e.W, e.H)
	}
	// A diamond, a line at 45° with Shift, and an arrow from the rectangle to the circle
	// that binds to both.
	a.tool("d", "diamond")
	a.dragWith([2]float64{300, 500}, [2]float64{380, 580})
	a.tool("l", "line")
	a.dragWith([2]float64{450, 500}, [2]float64{548, 592}, kb.ModifierShift)
	a.tool("a", "arrow")
	a.dragWith([2]float64{450, 350}, [2]float64{760, 330})
	a.settled()
	line := a.only("line")
	if dx, dy := line.Points[1][0]-line.Points[0][0], line.Points[1][1]-line.Points[0][1]; !near(math.Abs(dx), math.Abs(dy), 0.05) {
		t.Fatalf("Shift-drawn line goes (%v, %v), want 45°", dx, dy)
	}
	arrow := a.only("arrow")
	if arrow.StartBind != r.ID || arrow.EndBind != e.ID {
		t.Fatalf("arrow binds %q → %q, want rectangle %q → circle %q", arrow.StartBind, arrow.EndBind, r.ID, e.ID)
	}

	b.waitFor("all five shapes", `tabula.doc.view().length === 5 && tabula.doc.pending.length === 0`)
	for _, id := range []string{r.ID, e.ID, arrow.ID} {
		if ja, jb := a.confirmedJSON(id), b.confirmedJSON(id); ja != jb {
			t.Fatalf("element differs between the pages:\nA %s\nB %s", ja, jb)
		}
	}

	// Moving the circle down drags the arrow's end along, in the same batch (the server
	// stamps both with the same time).
	a.key(kb.Escape)
	a.tool("v", "select")
	a.dragWith([2]float64{760, 300}, [2]float64{760, 500})
	a.settled()
	end := jsString(arrow.ID)
	b.waitFor("the arrow following the circle", `(() => { const a = tabula.doc.get(`+end+`), c = tabula.doc.get(`+jsString(e.ID)+`);
		return c.y === 500 && a.at === c.at && a.y + Math.max(...a.points.map((p) => p[1])) > 480; })()`)
	// Its end dragged off the circle into empty space lets go of the circle.
	tip := eval[[]float64](a, `(() => { const a = tabula.doc.get(`+end+`); const p = a.points.at(-1); return [a.x + p[0], a.y + p[1]]; })()`)
	eval[bool](a, `(tabula.editor.select([`+end+`]), true)`)
	a.nextFrame()
	a.dragWith([2]float64{tip[0], tip[1]}, [2]float64{1000, 650})
	a.settled()
	b.waitFor("the arrow's end unbound", `(({endBind, startBind, x, points}) => !endBind && startBind && Math.abs(x + points.at(-1)[0] - 1000) < 0.5)(tabula.doc.get(`+end+`))`)
	// The arrowhead is a choice of the style panel.
	a.do("pick a triangle head", chromedp.Click(chromedp.CSS(`#style-panel button[data-end-arrow="triangle"]`)))
	b.waitFor("the triangle head", `tabula.doc.get(`+end+`).endArrow === "triangle"`)
	a.shot("shapes-light.png")
	a.darkMode()
	a.shot("shapes-dark.png")
}

func TestBrowserSelectTransform(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	a, b := twoTabs(t)
	a.tool("r", "rect")
	a.dragWith([2]float64{300, 300}, [2]float64{500, 400})
	a.settled()
	id := a.only("rect").ID
	rectOn := func(tb *tab) string { return `tabula.doc.get(` + jsString(id) + `)` }

	// Move: the rectangle is selected after drawing; drag it by its top edge.
	a.dragWith([2]float64{340, 300}, [2]float64{390, 350})
	a.settled()
	if r := a.only("rect"); r.X != 350 || r.Y != 350 || r.W != 200 {
		t.Fatalf("after the move: %+v, want at 350,350", r)
	}
	// Resize by the bottom-right handle (which sits 4 px outside the box).
	a.dragWith([2]float64{554, 454}, [2]float64{654, 504})
	a.settled()
	if r := a.only("rect"); r.X != 350 || r.Y != 350 || r.W != 300 || r.H != 150 {
		t.Fatalf("after the resize: %+v, want 350,350 300×150", r)
	}
	// Rotate a quarter turn with the handle above the box, Shift snapping to 15° steps.
	a.dragWith([2]float64{500, 322}, [2]float64{720, 430}, kb.ModifierShift)
	a.settled()
	if r := a.only("rect"); !near(r.Angle, math.Pi/2, 1e-9) || r.X != 350 || r.Y != 350 {
		t.Fatalf("after the rotation: %+v, want angle π/2 about the centre", r)
	}
	b.waitFor("the moved, resized and turned rectangle", `(({x, y, w, h, angle} = {}) => x === 350 && y === 350 && w === 300 && h === 150
		&& Math.abs(angle - Math.PI / 2) < 1e-9)(`+rectOn(b)+`)`)

	// A second rectangle; Escape clears the selection; a marquee selects both.
	a.tool("r", "rect")
	a.dragWith([2]float64{800, 150}, [2]float64{900, 220})
	a.key(kb.Escape)
	a.waitFor("nothing selected", `tabula.editor.selection.size === 0`)
	a.dragWith([2]float64{250, 100}, [2]float64{1000, 700})
	a.waitFor("both selected by the marquee", `tabula.editor.selection.size === 2`)
	// Arrow keys nudge the selection: 1 px, 10 with Shift.
	a.key(kb.ArrowRight)
	a.key(kb.ArrowDown, kb.ModifierShift)
	a.settled()
	for _, r := range a.elements() {
		if want := map[bool][2]float64{true: {351, 360}, false: {801, 160}}[r.ID == id]; r.X != want[0] || r.Y != want[1] {
			t.Fatalf("after nudging: %s at %v,%v, want %v", r.ID, r.X, r.Y, want)
		}
	}
	// A click on one of them selects it alone; locked, it no longer moves.
	a.click(850, 160, 1)
	a.waitFor("one selected", `tabula.editor.selection.size === 1 && !tabula.editor.selection.has(`+jsString(id)+`)`)
	a.key("L", kb.ModifierCtrl|kb.ModifierShift)
	a.settled()
	a.waitFor("locked", `tabula.doc.view().some((el) => el.locked)`)
	a.key(kb.ArrowRight)
	a.dragWith([2]float64{850, 160}, [2]float64{950, 260})
	a.settled()
	for _, r := range a.elements() {
		if r.Locked && (r.X != 801 || r.Y != 160) {
			t.Fatalf("a locked element moved: %+v", r)
		}
	}
	// Alt+S snaps to the 20-unit grid; Ctrl+' shows it.
	a.key("s", kb.ModifierAlt)
	a.key("'", kb.ModifierCtrl)
	a.waitFor("snapping and the grid on", `tabula.editor.prefs.snap && tabula.editor.prefs.grid`)
	a.tool("r", "rect")
	a.dragWith([2]float64{607, 611}, [2]float64{689, 693})
	a.settled()
	snapped := a.elements()[len(a.elements())-1]
	if snapped.X != 600 || snapped.Y != 620 || snapped.W != 80 || snapped.H != 80 {
		t.Fatalf("snapped rectangle %+v, want 600,620 80×80", snapped)
	}
	a.shot("grid-light.png")
	a.key("s", kb.ModifierAlt)
	a.key("'", kb.ModifierCtrl)
	b.waitFor("B has the same board", `tabula.doc.pending.length === 0 && document.body.dataset.seq === `+jsString(eval[string](a, `document.body.dataset.seq`)))
	for _, r := range a.elements() {
		if ja, jb := a.confirmedJSON(r.ID), b.confirmedJSON(r.ID); ja != jb {
			t.Fatalf("element differs:\nA %s\nB %s", ja, jb)
		}
	}
	a.shot("select-light.png")
}

func TestBrowserTextAndNotes(t *testing.T) {
	// Not parallel: it types a few hundred keys one by one, which beside another Chromium
	// test outran its deadline (CI, 2026-12-05); alone it runs before the parallel ones.
	a, b := twoTabs(t)

	// T, a click, two lines of typing, Escape.
	a.tool("t", "text")
	a.click(400, 300, 1)
	a.waitFor("the text editor", `document.activeElement?.classList.contains("text-editor")`)
	a.key("Hello")
	a.key(kb.Enter)
	a.key("world")
	b.waitFor("the text as it is typed", `tabula.doc.view().some((el) => el.type === "text" && (el.text ?? "").startsWith("Hello\nwor"))`)
	a.key(kb.Escape)
	a.waitFor("the editor closed", `!document.querySelector(".text-editor")`)
	a.settled()
	txt := a.only("text")
	if txt.Text != "Hello\nworld" || txt.W < 40 || !near(txt.H, 50, 1) {
		t.Fatalf("text %+v, want two lines 50 high", txt)
	}
	// One undo step takes the whole text away, and redo brings it back.
	a.key("z", kb.ModifierCtrl)
	a.waitFor("the text undone", `!tabula.doc.view().some((el) => el.type === "text")`)
	a.key("z", kb.ModifierCtrl|kb.ModifierShift)
	a.waitFor("the text redone", `tabula.doc.view().some((el) => el.type === "text")`)

	// A double click edits it; typing replaces the selected old text.
	a.click(txt.X+10, txt.Y+10, 2)
	a.waitFor("the text editor on the old text", `document.activeElement?.value === "Hello\nworld"`)
	a.key("Bye")
	a.click(900, 600, 1)
	a.settled()
	if got := a.only("text"); got.Text != "Bye" || got.W >= txt.W {
		t.Fatalf("after editing: %+v, want Bye, narrower", got)
	}
	// The style panel's font size re-measures it.
	a.do("pick the largest size", chromedp.Click(chromedp.CSS(`#style-panel button[data-size="40"]`)))
	a.settled()
	if got := a.only("text"); got.Size != 40 || !near(got.H, 50, 1) {
		t.Fatalf("after the size change: %+v, want size 40, 50 high", got)
	}

	// A sticky note grows with its text.
	a.tool("n", "note")
	a.click(800, 300, 1)
	a.waitFor("the note editor", `document.activeElement?.classList.contains("text-editor")`)
	a.key(strings.Repeat("sticky notes grow ", 12))
	a.key(kb.Escape)
	a.settled()
	note := a.only("note")
	if note.W != 200 || note.H <= 200 || note.Fill != "#fff3bf" || !strings.HasPrefix(note.Text, "sticky notes") {
		t.Fatalf("note %+v, want 200 wide, taller than 200, yellow", note)
	}
	a.do("pick a pink note", chromedp.Click(chromedp.CSS(`#style-panel button[data-note-fill="#ffc9c9"]`)))
	a.settled()
	b.waitFor("the pink note and the text", `tabula.doc.view().some((el) => el.type === "note" && el.fill === "#ffc9c9")
		&& tabula.doc.view().some((el) => el.type === "text" && el.text === "Bye" && el.size === 40)`)
	a.shot("text-light.png")
}

// writePNG writes a w×h PNG to a file in dir: a red square on blue, or noise (which
// does not compress, for a file of a given size).
func writePNG(t *testing.T, dir, name string, w, h int, noise bool) string {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	rnd := uint32(1)
	for y := range h {
		for x := range w {
			c := color.NRGBA{0x19, 0x71, 0xc2, 0xff}
			if x >= w/4 && x < w*3/4 && y >= h/4 && y < h*3/4 {
				c = color.NRGBA{0xe0, 0x31, 0x31, 0xff}
			}
			if noise {
				rnd = rnd*1664525 + 1013904223
				c = color.NRGBA{uint8(rnd >> 24), uint8(rnd >> 16), uint8(rnd >> 8), 0xff}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// upload gives the tab's image file picker a file, as choosing it in the dialog does.
func (tb *tab) upload(path string) {
	tb.t.Helper()
	tb.do("choose "+filepath.Base(path), chromedp.SetUploadFiles(chromedp.CSS("#image-input"), []string{path}, chromedp.NodeReady))
}

// pixel is the scene canvas's colour at screen point (x, y).
func pixelAt(x, y int) string {
	return fmt.Sprintf(`Array.from(document.getElementById("scene").getContext("2d").getImageData(%d * devicePixelRatio, %d * devicePixelRatio, 1, 1).data.slice(0, 3)).join()`, x, y)
}

func TestBrowserImages(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	browser := newBrowser(t)
	ts := startServer(t)
	a := createBoard(t, browser, "A", ts.URL)
	b := openTab(t, browser, "B", a.shareLink("edit"))
	dir := t.TempDir()

	// Picked with the file input: put in the middle of the screen at its own size.
	a.upload(writePNG(t, dir, "square.png", 160, 120, false))
	a.waitFor("the image element", `tabula.doc.view().some((el) => el.type === "image")`)
	a.settled()
	img := a.only("image")
	if img.W != 160 || img.H != 120 || !strings.HasPrefix(img.Src, "sha256:") || !near(img.X+80, viewW/2, 1) {
		t.Fatalf("image %+v, want 160×120 centred, with a sha256 src", img)
	}
	// B loads it from the server and draws it: red in the middle, blue at the edge.
	cx, cy := int(img.X+80), int(img.Y+60)
	b.waitFor("the image drawn on B", pixelAt(cx, cy)+` === "224,49,49" && `+pixelAt(int(img.X)+5, int(img.Y)+5)+` === "25,113,194"`)

	// Pasted (a synthetic paste event carrying the file, as a screenshot tool's paste does).
	data, err := os.ReadFile(writePNG(t, dir, "pasted.png", 40, 40, false))
	if err != nil {
		t.Fatal(err)
	}
	a.hover(300, 200)
	eval[bool](a, `(() => {
		const bytes = Uint8Array.from(atob(`+jsString(base64.StdEncoding.EncodeToString(data))+`), (c) => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], "pasted.png", {type: "image/png"}));
		return document.dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true}));
	})()`)
	a.waitFor("the pasted image at the pointer", `tabula.doc.view().filter((el) => el.type === "image").length === 2
		&& tabula.doc.view().some((el) => el.type === "image" && el.w === 40 && el.x === 280 && el.y === 180)`)
	a.settled()
	b.waitFor("both images on B", `tabula.doc.view().filter((el) => el.type === "image").length === 2`)

	// Dropped on the board: put where it was dropped.
	eval[bool](a, `(() => {
		const bytes = Uint8Array.from(atob(`+jsString(base64.StdEncoding.EncodeToString(data))+`), (c) => c.charCodeAt(0));
		const dt = new DataTransfer();
		dt.items.add(new File([bytes], "dropped.png", {type: "image/png"}));
		const live = document.getElementById("live");
		live.dispatchEvent(new DragEvent("dragover", {dataTransfer: dt, clientX: 900, clientY: 600, bubbles: true, cancelable: true}));
		return live.dispatchEvent(new DragEvent("drop", {dataTransfer: dt, clientX: 900, clientY: 600, bubbles: true, cancelable: true}));
	})()`)
	a.waitFor("the dropped image", `tabula.doc.view().some((el) => el.type === "image" && el.x === 880 && el.y === 580)`)
	a.settled()

	// An SVG is turned into a PNG in the browser before it is uploaded.
	svg := filepath.Join(dir, "drawing.svg")
	if err := os.WriteFile(svg, []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="90" height="60"><rect width="90" height="60" fill="#2f9e44"/></svg>`), 0o644); err != nil {
		t.Fatal(err)
	}
	a.upload(svg)
	a.waitFor("the rasterised SVG", `tabula.doc.view().some((el) => el.type === "image" && el.w === 90 && el.h === 60)`)
	a.settled()

	// Copied to another board, the image goes with the elements and is stored there too.
	eval[bool](a, `(tabula.editor.select([`+jsString(img.ID)+`]), true)`)
	a.key("c", kb.ModifierCtrl)
	a.toast("Copied 1 element")
	other := createBoard(t, browser, "A's other board", ts.URL)
	other.hover(640, 400)
	other.key("v", kb.ModifierCtrl)
	other.waitFor("the image pasted", `tabula.doc.view().some((el) => el.type === "image" && el.src === `+jsString(img.Src)+`)`)
	other.settled()
	other.waitFor("the image drawn on the other board", pixelAt(640, 400)+` === "224,49,49"`)
	a.shot("images-light.png")
}

func TestBrowserHostileInput(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	browser := newBrowser(t)
	// The server's limit is lower than the client's, so the server's refusal shows too.
	ts := startServer(t, func(c *program.Config) { c.MaxImage = 1 << 20 })
	a := createBoard(t, browser, "A", ts.URL)
	a.failOnDialogs()
	dir := t.TempDir()

	// A text file that claims to be a PNG: the server's reason is shown.
	fake := filepath.Join(dir, "evil.png")
	if err := os.WriteFile(fake, []byte("<script>alert(1)</script> not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
	a.upload(fake)
	t.Logf("not an image: %q", a.toast("not a PNG, JPEG, GIF or WebP image"))

	// Over the 5 MiB limit: refused before it is sent.
	big := filepath.Join(dir, "huge.png")
	if err := os.WriteFile(big, bytes.Repeat([]byte{0x89}, 6<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	a.upload(big)
	t.Logf("too big for the client: %q", a.toast("images can be at most 5.0 MiB"))

	// Under the client's limit, over this server's: the server says so.
	a.upload(writePNG(t, dir, "noise.png", 800, 600, true))
	t.Logf("too big for the server: %q", a.toast("limit is 1"))

	// Pasted JSON that is not ours, and our JSON with broken elements.
	paste := func(text string) {
		eval[bool](a, `(() => { const dt = new DataTransfer(); dt.setData("text/plain", `+jsString(text)+`);
			return document.dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true})); })()`)
	}
	paste(`{"type":"excalidraw/clipboard","elements":[{"id":"x","type":"rectangle"}]}`)
	a.toast("not Tabula drawing data")
	paste(`{"type":"tabula/elements","version":1,"elements":[{"id":"a b","type":"rect"},{"id":"x","type":"rect","stroke":"javascript:alert(1)"}]}`)
	a.toast("None of the 2 pasted elements could be used")

	if n := eval[int](a, `tabula.doc.view().length + tabula.doc.pending.length`); n != 0 {
		t.Fatalf("the board changed after refused input: %d elements or pending batches", n)
	}
	// Nothing is broken: drawing still works and reaches the server.
	a.tool("r", "rect")
	a.dragWith([2]float64{300, 300}, [2]float64{400, 400})
	a.settled()
	a.only("rect")
	a.shot("hostile-light.png")
}

func TestBrowserEraser(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	a, b := twoTabs(t)
	a.tool("p", "pen")
	a.drag(wave(300, 300, 300, 40, 16))
	a.drag(wave(300, 500, 300, 40, 16))
	a.tool("r", "rect")
	a.dragWith([2]float64{700, 250}, [2]float64{900, 550})
	a.settled()
	b.waitFor("three elements", `tabula.doc.view().length === 3`)

	// Across the first stroke and the rectangle's left edge, not the second stroke; the
	// preview fades them until the pointer lifts.
	a.tool("e", "eraser")
	a.do("erase",
		chromedp.MouseEvent(chromedp.MouseMoved, 450, 220),
		chromedp.MouseEvent(chromedp.MousePressed, 450, 220, buttonsLeft, chromedp.ClickCount(1)),
		chromedp.MouseEvent(chromedp.MouseMoved, 450, 300, buttonsLeft),
		chromedp.MouseEvent(chromedp.MouseMoved, 700, 400, buttonsLeft))
	a.waitFor("two elements marked", `tabula.editor.fading.size === 2`)
	if n := eval[int](b, `tabula.doc.view().length`); n != 3 {
		t.Fatalf("B has %d elements while A's eraser is still down, want 3", n)
	}
	a.do("lift the eraser", chromedp.MouseEvent(chromedp.MouseReleased, 700, 400, buttonsLeft, chromedp.ClickCount(1)))
	a.settled()
	b.waitFor("one element left", `tabula.doc.view().length === 1`)
	left := b.elements()[0]
	if left.Type != "stroke" || left.Y < 400 {
		t.Fatalf("the eraser left %+v, want the lower stroke", left)
	}
	// Escape while erasing changes nothing.
	a.do("start erasing", chromedp.MouseEvent(chromedp.MousePressed, 450, 500, buttonsLeft, chromedp.ClickCount(1)),
		chromedp.MouseEvent(chromedp.MouseMoved, 460, 510, buttonsLeft))
	a.waitFor("the stroke marked", `tabula.editor.fading.size === 1`)
	a.key(kb.Escape)
	a.do("lift", chromedp.MouseEvent(chromedp.MouseReleased, 460, 510, buttonsLeft, chromedp.ClickCount(1)))
	a.settled()
	if n := len(a.elements()); n != 1 {
		t.Fatalf("Escape while erasing: %d elements, want the 1 still there", n)
	}
}

func TestBrowserUndoAcrossUsers(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	a, b := twoTabs(t)
	a.tool("r", "rect")
	a.dragWith([2]float64{300, 300}, [2]float64{500, 400})
	a.settled()
	id := a.only("rect").ID
	b.waitFor("A's rectangle", `!!tabula.doc.get(`+jsString(id)+`)`)

	// A moves it.
	a.dragWith([2]float64{340, 300}, [2]float64{440, 350})
	a.settled()
	b.waitFor("the move", `tabula.doc.get(`+jsString(id)+`).x === 400`)
	// B selects it and makes it red with the style panel.
	b.tool("v", "select")
	b.click(450, 350, 1)
	b.waitFor("B's selection", `tabula.editor.selection.has(`+jsString(id)+`)`)
	b.do("pick red", chromedp.Click(chromedp.CSS(`#style-panel button[data-color="#e03131"]`)))
	b.settled()
	a.waitFor("B's colour", `tabula.doc.get(`+jsString(id)+`).stroke === "#e03131"`)

	// A undoes: the move goes, B's colour stays, for both.
	a.key("z", kb.ModifierCtrl)
	a.settled()
	for _, tb := range []*tab{a, b} {
		tb.waitFor("undone move, kept colour", `(({x, y, stroke}) => x === 300 && y === 300 && stroke === "#e03131")(tabula.doc.get(`+jsString(id)+`))`)
	}
	// Undo again takes A's rectangle away (A drew it); redo twice brings it and the move back.
	a.key("z", kb.ModifierCtrl)
	b.waitFor("the rectangle undone", `!tabula.doc.get(`+jsString(id)+`)`)
	a.key("z", kb.ModifierCtrl|kb.ModifierShift)
	a.key("y", kb.ModifierCtrl)
	a.settled()
	b.waitFor("both redone, still red", `(({x, y, stroke} = {}) => x === 400 && y === 350 && stroke === "#e03131")(tabula.doc.get(`+jsString(id)+`))`)
	// B's own undo reverts only B's colour.
	b.key("z", kb.ModifierCtrl)
	a.waitFor("B's colour undone, A's move kept", `(({x, stroke} = {}) => x === 400 && stroke === "#1e1e1e")(tabula.doc.get(`+jsString(id)+`))`)
}

func TestBrowserClipboardAndOrder(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	browser := newBrowser(t)
	ts := startServer(t)
	a := createBoard(t, browser, "A", ts.URL)
	other := createBoard(t, browser, "A's other board", ts.URL)

	// Three overlapping filled squares, drawn in order: red under green under blue.
	a.tool("r", "rect")
	for i, c := range []string{"#e03131", "#2f9e44", "#1971c2"} {
		x := 300 + float64(i)*40
		a.dragWith([2]float64{x, 300}, [2]float64{x + 150, 450})
		a.do("fill", chromedp.Click(chromedp.CSS(`#style-panel button[data-fill="#ffc9c9"]`)),
			chromedp.Click(chromedp.CSS(`#style-panel button[data-color="`+c+`"]`)))
		a.tool("r", "rect")
	}
	a.key(kb.Escape)
	a.settled()
	order := func(tb *tab) string {
		return eval[string](tb, `tabula.doc.view().map((el) => el.stroke).join()`)
	}
	if got := order(a); got != "#e03131,#2f9e44,#1971c2" {
		t.Fatalf("drawn order %s", got)
	}
	// Select the red one by clicking where only it is, and bring it to the front, then
	// one step back, then to the back, then one step forward.
	a.tool("v", "select")
	a.click(310, 440, 1)
	a.waitFor("red selected", `tabula.editor.selected().map((el) => el.stroke).join() === "#e03131"`)
	steps := []struct {
		key  string
		mods kb.Modifier
		want string
	}{
		{"]", kb.ModifierCtrl | kb.ModifierShift, "#2f9e44,#1971c2,#e03131"},
		{"[", kb.ModifierCtrl, "#2f9e44,#e03131,#1971c2"},
		{"[", kb.ModifierCtrl | kb.ModifierShift, "#e03131,#2f9e44,#1971c2"},
		{"]", kb.ModifierCtrl, "#2f9e44,#e03131,#1971c2"},
	}
	for _, s := range steps {
		a.key(s.key, s.mods)
		a.settled()
		if got := order(a); got != s.want {
			t.Fatalf("after %v+%s: order %s, want %s", s.mods, s.key, got, s.want)
		}
	}

	// Copy (the real shortcut, through the system clipboard) and paste: a copy at the
	// pointer, selected, on top.
	a.key("c", kb.ModifierCtrl)
	a.toast("Copied 1 element")
	a.hover(800, 600)
	a.key("v", kb.ModifierCtrl)
	a.waitFor("the pasted copy", `tabula.doc.view().length === 4`)
	a.settled()
	els := a.elements()
	top := els[len(els)-1]
	if top.Stroke != "#e03131" || !near(top.X+75, 800, 0.5) || !near(top.Y+75, 600, 0.5) {
		t.Fatalf("pasted %+v, want the red square centred on the pointer, on top", top)
	}
	// Duplicate, delete, select all.
	a.key("d", kb.ModifierCtrl)
	a.waitFor("the duplicate", `tabula.doc.view().length === 5`)
	a.key(kb.Delete)
	a.waitFor("the duplicate deleted", `tabula.doc.view().length === 4`)
	a.key("a", kb.ModifierCtrl)
	a.waitFor("all selected", `tabula.editor.selection.size === 4`)
	// Group them: a click on one selects all four again.
	a.key("g", kb.ModifierCtrl)
	a.settled()
	a.key(kb.Escape)
	a.click(310, 440, 1)
	a.waitFor("the group selected", `tabula.editor.selection.size === 4`)
	// Cut, and paste on the other board: the group arrives whole, with new ids.
	a.key("x", kb.ModifierCtrl)
	a.waitFor("cut", `tabula.doc.view().length === 0`)
	other.hover(640, 400)
	other.key("v", kb.ModifierCtrl)
	other.waitFor("the group pasted", `tabula.doc.view().length === 4`)
	other.settled()
	groups := eval[[]string](other, `[...new Set(tabula.doc.view().map((el) => el.group))]`)
	if len(groups) != 1 || groups[0] == "" || groups[0] == els[0].Group {
		t.Fatalf("pasted groups %q, want one new group", groups)
	}
	// Plain text pastes as a text element.
	eval[bool](other, `(() => { const dt = new DataTransfer(); dt.setData("text/plain", "pasted words\nand a second line");
		return document.dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true})); })()`)
	other.waitFor("the pasted text", `tabula.doc.view().some((el) => el.type === "text" && el.text === "pasted words\nand a second line" && el.h === 50)`)
	other.settled()
	other.shot("clipboard-light.png")
}

func TestBrowserViewOnlyCannotEdit(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	browser := newBrowser(t)
	ts := startServer(t)
	a := createBoard(t, browser, "A", ts.URL)
	v := openTab(t, browser, "viewer", a.shareLink("view"))
	a.tool("r", "rect")
	a.dragWith([2]float64{300, 300}, [2]float64{500, 400})
	a.settled()
	v.waitFor("the rectangle", `tabula.doc.view().length === 1`)
	seq := eval[string](a, `document.body.dataset.seq`)

	// Tool keys, editing keys, a drag, a double click, a paste: none changes anything.
	for _, k := range []string{"r", "t", "n", "e", "v", "a"} {
		v.key(k)
	}
	v.key("a", kb.ModifierCtrl)
	v.key(kb.Delete)
	v.key("d", kb.ModifierCtrl)
	v.key("z", kb.ModifierCtrl)
	v.drag(wave(320, 300, 200, 40, 8))
	v.click(400, 350, 2)
	eval[bool](v, `(() => { const dt = new DataTransfer(); dt.setData("text/plain", "hello");
		return document.dispatchEvent(new ClipboardEvent("paste", {clipboardData: dt, bubbles: true, cancelable: true})); })()`)
	v.toast("view-only")
	if got := eval[string](v, `document.body.dataset.tool + " " + tabula.doc.pending.length + " " + !!document.querySelector(".text-editor")`); got != "hand 0 false" {
		t.Fatalf("viewer: tool, pending, text editor = %q, want hand 0 false", got)
	}
	// The laser is there for viewers (K) and reaches the editor.
	sid := jsString(eval[string](v, `tabula.sync.sid`))
	eval[bool](a, `(tabula.sync.on("laser", (m) => { if (m.sid === `+sid+`) window.viewerLaser = m; }), true)`)
	v.key("k")
	v.waitFor("the laser", `document.body.dataset.tool === "laser"`)
	v.drag([][2]float64{{600, 200}, {620, 210}, {640, 220}})
	a.waitFor("the viewer's laser", `!!window.viewerLaser`)
	if got := eval[string](a, `document.body.dataset.seq`); got != seq {
		t.Fatalf("the board changed (seq %s → %s) after a viewer's input", seq, got)
	}
}

// label writes text at (x, y) with the text tool, as a person does.
func (tb *tab) label(x, y float64, text string) {
	tb.t.Helper()
	tb.tool("t", "text")
	tb.click(x, y, 1)
	tb.waitFor("the text editor", `document.activeElement?.classList.contains("text-editor")`)
	tb.key(text)
	tb.key(kb.Escape)
	tb.waitFor("the text stored", `!document.querySelector(".text-editor")`)
}

// shape draws a shape with its tool's key and fills it with a background colour.
func (tb *tab) shape(key, name string, a, b [2]float64, fill string) {
	tb.t.Helper()
	tb.tool(key, name)
	tb.dragWith(a, b)
	if fill != "" {
		tb.do("fill", chromedp.Click(chromedp.CSS(`#style-panel button[data-fill="`+fill+`"]`)))
	}
}

// TestBrowserDrawingTogether draws a small diagram with every kind of element through
// real input and checks it looks like something on both pages, in both themes (the
// screenshots are the README's and /tmp/shots3's when TABULA_SCREENSHOT_DIR is set).
func TestBrowserDrawingTogether(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	a, b := twoTabs(t)
	a.failOnDialogs()
	a.shape("r", "rect", [2]float64{320, 270}, [2]float64{490, 360}, "#a5d8ff")
	a.shape("r", "rect", [2]float64{580, 270}, [2]float64{750, 360}, "#b2f2bb")
	a.shape("d", "diamond", [2]float64{840, 245}, [2]float64{1000, 385}, "#ffec99")
	a.shape("o", "ellipse", [2]float64{580, 470}, [2]float64{750, 560}, "#eebefa")
	a.tool("a", "arrow")
	a.dragWith([2]float64{470, 315}, [2]float64{600, 315})
	a.tool("a", "arrow")
	a.dragWith([2]float64{730, 315}, [2]float64{860, 315})
	a.tool("a", "arrow")
	a.dragWith([2]float64{920, 370}, [2]float64{700, 500})
	a.tool("a", "arrow")
	a.dragWith([2]float64{600, 520}, [2]float64{400, 350})
	// Shapes get their labels by a double click inside (centred and grouped with them).
	for _, l := range []struct {
		x, y float64
		text string
	}{{405, 315, "Design"}, {665, 315, "Build"}, {920, 315, "Ship?"}, {665, 515, "Feedback"}} {
		a.tool("v", "select")
		a.click(l.x, l.y, 2)
		a.waitFor("the label editor", `document.activeElement?.classList.contains("text-editor")`)
		a.key(l.text)
		a.key(kb.Escape)
	}
	a.label(320, 170, "Launch plan")
	a.do("make the title big", chromedp.Click(chromedp.CSS(`#style-panel button[data-size="40"]`)))
	a.tool("m", "highlighter")
	a.drag([][2]float64{{318, 196}, {400, 197}, {480, 195}, {540, 196}})
	a.tool("p", "pen")
	a.do("pick red", chromedp.Click(chromedp.CSS(`#style-panel button[data-color="#e03131"]`)))
	a.drag([][2]float64{{440, 240}, {450, 252}, {458, 258}, {470, 236}, {490, 212}})
	a.tool("n", "note")
	a.click(1130, 250, 1)
	a.key("Ask Bo about the icons before Thursday")
	a.key(kb.Escape)
	a.tool("n", "note")
	a.do("pick a pink note", chromedp.Click(chromedp.CSS(`#style-panel button[data-note-fill="#ffc9c9"]`)))
	a.click(1130, 500, 1)
	a.key("Demo on Friday!")
	a.key(kb.Escape)
	a.key(kb.Escape)
	a.settled()

	n := len(a.elements())
	b.waitFor("the whole diagram", fmt.Sprintf(`tabula.doc.view().length === %d && tabula.doc.pending.length === 0`, n))
	if n != 17 {
		t.Fatalf("%d elements, want 17: %+v", n, a.elements())
	}
	bound := eval[int](b, `tabula.doc.view().filter((el) => el.type === "arrow" && el.startBind && el.endBind).length`)
	if bound != 4 {
		t.Fatalf("%d arrows bound at both ends, want 4", bound)
	}
	box := image.Rect(320, 150, 1240, 600)
	b.nextFrame()
	img := b.screenshot("diagram-light.png")
	bg := background(img)
	if got := countPixels(img, box, func(c [3]int) bool { return colourDistance(c, bg) > 60 }); got < 20000 {
		t.Errorf("the diagram covers %d pixels on B, want at least 20000", got)
	}
	b.darkMode()
	img = b.screenshot("diagram-dark.png")
	if l := luminance(background(img)); l > 60 {
		t.Errorf("dark mode background luminance %d", l)
	}
	// Another label: centred on the shape, in its group.
	a.tool("v", "select")
	a.click(720, 545, 2)
	a.waitFor("the label editor", `document.activeElement?.classList.contains("text-editor")`)
	a.key("Listen")
	a.key(kb.Escape)
	a.settled()
	label := eval[elem](a, `tabula.doc.view().find((el) => el.text === "Listen")`)
	ellipse := eval[elem](a, `tabula.doc.view().find((el) => el.type === "ellipse")`)
	if label.Group == "" || label.Group != ellipse.Group || !near(label.X+label.W/2, 665, 0.6) || !near(label.Y+label.H/2, 515, 0.6) {
		t.Fatalf("label %+v of ellipse %+v: want it centred on (665, 515) and in its group", label, ellipse)
	}
	a.key("z", kb.ModifierCtrl)
	a.waitFor("the label undone", `!tabula.doc.view().some((el) => el.text === "Listen")`)

	// The help, and a note being edited.
	a.key("?")
	a.waitFor("the help", `!document.getElementById("help-panel").hidden`)
	a.shot("help-light.png")
	a.key(kb.Escape)
	a.click(1130, 520, 2)
	a.waitFor("the note editor", `document.activeElement?.classList.contains("text-editor")`)
	a.key(kb.End)
	a.key(" Bring snacks.")
	a.shot("editing-light.png")
	a.key(kb.Escape)
	a.settled()
	b.waitFor("the edited note", `tabula.doc.view().some((el) => el.type === "note" && el.text === "Demo on Friday! Bring snacks.")`)
}

// touch sends one touch event with the given fingers (id → position).
func (tb *tab) touch(typ input.DispatchTouchEventType, fingers map[float64][2]float64) {
	tb.t.Helper()
	var pts []*input.TouchPoint
	for id, p := range fingers {
		pts = append(pts, &input.TouchPoint{X: p[0], Y: p[1], ID: &id})
	}
	if pts == nil {
		pts = []*input.TouchPoint{}
	}
	tb.do("touch", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, input.DispatchTouchEvent, input.DispatchTouchEventParams{Type: typ, TouchPoints: pts})
		return err
	}))
}

// pen sets the pointer type to a pen with some pressure.
func pen(p *input.DispatchMouseEventParams) {
	p.PointerType = input.DispatchMouseEventPointerTypePen
	p.Force = 0.6
}

func TestBrowserTouchAndPen(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	browser := newBrowser(t)
	ts := startServer(t)
	a := createBoard(t, browser, "A", ts.URL)
	a.do("enable touch", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetTouchEmulationEnabled, emulation.SetTouchEmulationEnabledParams{Enabled: true, MaxTouchPoints: 5})
		return err
	}))
	// Two fingers spreading from 200 to 400 px apart double the zoom about their middle.
	a.touch(input.DispatchTouchEventTypeTouchStart, map[float64][2]float64{1: {540, 400}})
	a.touch(input.DispatchTouchEventTypeTouchStart, map[float64][2]float64{1: {540, 400}, 2: {740, 400}})
	for _, d := range []float64{120, 160, 200} {
		a.touch(input.DispatchTouchEventTypeTouchMove, map[float64][2]float64{1: {640 - d, 400}, 2: {640 + d, 400}})
	}
	a.touch(input.DispatchTouchEventTypeTouchEnd, nil)
	cam := eval[struct{ X, Y, Zoom float64 }](a, `tabula.camera`)
	if !near(cam.Zoom, 2, 0.02) || !near(cam.X+640/cam.Zoom, 640, 1) {
		t.Fatalf("after the pinch: camera %+v, want zoom 2 about the middle (640, 400)", cam)
	}
	if n := len(a.elements()); n != 0 {
		t.Fatalf("the pinch drew %d elements", n)
	}
	// A pen draws with pressure, once the pen tool is picked.
	a.tool("p", "pen")
	a.do("draw with a pen",
		chromedp.MouseEvent(chromedp.MouseMoved, 500, 500, pen),
		chromedp.MouseEvent(chromedp.MousePressed, 500, 500, buttonsLeft, pen, chromedp.ClickCount(1)),
		chromedp.MouseEvent(chromedp.MouseMoved, 560, 520, buttonsLeft, pen),
		chromedp.MouseEvent(chromedp.MouseMoved, 620, 500, buttonsLeft, pen))
	// A palm resting on the screen while the pen is down is ignored.
	a.touch(input.DispatchTouchEventTypeTouchStart, map[float64][2]float64{3: {300, 600}})
	a.touch(input.DispatchTouchEventTypeTouchMove, map[float64][2]float64{3: {360, 640}})
	a.touch(input.DispatchTouchEventTypeTouchEnd, nil)
	a.do("lift the pen", chromedp.MouseEvent(chromedp.MouseReleased, 620, 500, buttonsLeft, pen, chromedp.ClickCount(1)))
	a.settled()
	s := a.only("stroke")
	if len(s.Points) < 2 || len(s.Points[0]) != 3 {
		t.Fatalf("pen stroke %+v, want points with pressure", s)
	}
	if got := eval[struct{ X, Y, Zoom float64 }](a, `tabula.camera`); got != cam {
		t.Fatalf("the palm moved the camera: %+v → %+v", cam, got)
	}
	// Once a pen has been used, one finger pans instead of drawing.
	a.touch(input.DispatchTouchEventTypeTouchStart, map[float64][2]float64{4: {600, 300}})
	a.touch(input.DispatchTouchEventTypeTouchMove, map[float64][2]float64{4: {560, 280}})
	a.touch(input.DispatchTouchEventTypeTouchMove, map[float64][2]float64{4: {500, 250}})
	a.touch(input.DispatchTouchEventTypeTouchEnd, nil)
	got := eval[struct{ X, Y, Zoom float64 }](a, `tabula.camera`)
	if !near(got.X-cam.X, 50, 0.5) || !near(got.Y-cam.Y, 25, 0.5) {
		t.Fatalf("a finger after the pen: camera %+v → %+v, want panned by (100, 50) px", cam, got)
	}
	if n := len(a.elements()); n != 1 {
		t.Fatalf("%d elements after finger panning, want the pen's 1", n)
	}
}
