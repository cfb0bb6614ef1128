package e2e

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tabula/internal/testtool"
)

// worldToScreen is where board point (x, y) is on tb's screen.
func (tb *tab) worldToScreen(x, y float64) [2]float64 {
	tb.t.Helper()
	c := eval[struct{ X, Y, Zoom float64 }](tb, `tabula.camera`)
	return [2]float64{(x - c.X) * c.Zoom, (y - c.Y) * c.Zoom}
}

// frameLabel is where the name of frame id is drawn on tb's screen.
func (tb *tab) frameLabel(id string) [2]float64 {
	tb.t.Helper()
	f := eval[elem](tb, `tabula.doc.get(`+jsString(id)+`)`)
	p := tb.worldToScreen(f.X+12, f.Y)
	return [2]float64{p[0], p[1] - 10}
}

// TestBrowserFrames is two people making a deck: Ana draws two frames with F and the
// tool bar, draws inside each, renames one in place, moves the other (Bob sees its
// contents move with it), deletes and undoes a frame with its contents in one step and
// jumps between frames from the frames list; Bob downloads every frame as one PDF.
func TestBrowserFrames(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	journeyFrames(t, oneServer(startServer(t).URL))
}

// journeyFrames is TestBrowserFrames on site s, with the people ana (who makes the
// board) and bob, who downloads the deck: across nodes from a node that does not own
// the board. The screens that open the links last are on one server only.
func journeyFrames(t *testing.T, s site) {
	browser := newBrowser(t)
	shots := newShots(t)
	ana, bob, link := twoOnBoard(t, browser, s, "ana", "bob")

	// Frame 1, with F.
	ana.key("f")
	ana.waitFor("the frame tool", `document.body.dataset.tool === "frame"`)
	f1 := ana.added("frame", func() { ana.dragWith([2]float64{360, 220}, [2]float64{680, 460}) })
	if f1.Text != "Frame 1" {
		t.Fatalf("the first frame is named %q, want Frame 1", f1.Text)
	}
	ana.key("r")
	r := ana.added("rect", func() { ana.dragWith([2]float64{420, 280}, [2]float64{580, 400}) })
	ana.waitFor("the rectangle in frame 1", `tabula.doc.get(`+jsString(r.ID)+`).frame === `+jsString(f1.ID))
	// Members are clipped to their frame, and only they: a rectangle of frame 1 that
	// sticks out past its right edge (x 680) is cut there, and one drawn beside the frame
	// after it is whole.
	ana.key("r")
	out := ana.added("rect", func() { ana.dragWith([2]float64{600, 300}, [2]float64{740, 340}) })
	ana.waitFor("the rectangle sticking out of frame 1 in it", `tabula.doc.get(`+jsString(out.ID)+`).frame === `+jsString(f1.ID))
	ana.key("r")
	beside := ana.added("rect", func() { ana.dragWith([2]float64{700, 240}, [2]float64{740, 280}) })
	ana.waitFor("the rectangle beside frame 1 in no frame", `!tabula.doc.get(`+jsString(beside.ID)+`).frame`)
	ana.nextFrameIfBoard()
	ink := func(x, y int) bool { // an opaque dark pixel of the scene at screen point (x, y)
		var c [4]int
		px := fmt.Sprintf(`Array.from(document.getElementById("scene").getContext("2d").getImageData(%d * devicePixelRatio, %d * devicePixelRatio, 1, 1).data).join()`, x, y)
		if _, err := fmt.Sscanf(eval[string](ana, px), "%d,%d,%d,%d", &c[0], &c[1], &c[2], &c[3]); err != nil {
			t.Fatal(err)
		}
		return c[3] > 128 && c[0]+c[1]+c[2] < 300
	}
	if !ink(650, 300) || ink(720, 300) || !ink(720, 240) {
		t.Fatalf("clipping: the top edge inside frame 1 drawn %v (want true), outside it %v (want false); the rectangle beside it drawn %v (want true)",
			ink(650, 300), ink(720, 300), ink(720, 240))
	}

	// Frame 2, from the tool bar, with a pen stroke in it.
	ana.pick("frame")
	f2 := ana.added("frame", func() { ana.dragWith([2]float64{760, 220}, [2]float64{1080, 460}) })
	if f2.Text != "Frame 2" {
		t.Fatalf("the second frame is named %q, want Frame 2", f2.Text)
	}
	ana.pick("pen")
	stroke := ana.added("stroke", func() { ana.drag(wave(820, 340, 200, 40, 24)) })
	ana.waitFor("the stroke in frame 2", `tabula.doc.get(`+jsString(stroke.ID)+`).frame === `+jsString(f2.ID))
	bob.sees(ana, stroke)
	bob.waitFor("bob sees the stroke in frame 2", `tabula.doc.get(`+jsString(stroke.ID)+`).frame === `+jsString(f2.ID))

	// Rename frame 1 in place: double-click its name, type, Enter.
	ana.pick("select")
	l := ana.frameLabel(f1.ID)
	ana.click(l[0], l[1], 2)
	ana.waitFor("the rename field", `document.activeElement?.classList.contains("frame-rename")`)
	ana.do("type the name", chromedp.KeyEvent("Intro"), chromedp.KeyEvent(kb.Enter))
	bob.waitFor("bob sees the new name", `tabula.doc.get(`+jsString(f1.ID)+`).text === "Intro"`)

	// Move frame 2 by its name: its stroke moves with it, in one batch, on Bob's page.
	before := eval[elem](bob, `tabula.doc.get(`+jsString(stroke.ID)+`)`)
	l = ana.frameLabel(f2.ID)
	ana.dragWith(l, [2]float64{l[0] + 80, l[1] + 60})
	// Where the drag left the frame on Ana's page, once it is saved: a drag may be sent
	// in more than one batch, so Bob's first sight of a moved frame is not its end.
	ana.waitFor("ana's move saved", `tabula.doc.pending.length === 0 && tabula.doc.get(`+jsString(f2.ID)+`).x > `+ftoa(f2.X+50))
	moved := eval[elem](ana, `tabula.doc.get(`+jsString(f2.ID)+`)`)
	bob.waitFor("frame 2 moved on bob's page", `Math.abs(tabula.doc.get(`+jsString(f2.ID)+`).x - `+ftoa(moved.X)+`) < 0.01 && Math.abs(tabula.doc.get(`+jsString(f2.ID)+`).y - `+ftoa(moved.Y)+`) < 0.01`)
	strokeAt := func(x, y float64) string {
		return `Math.abs(tabula.doc.get(` + jsString(stroke.ID) + `).x - ` + ftoa(x) + `) < 0.01 && Math.abs(tabula.doc.get(` + jsString(stroke.ID) + `).y - ` + ftoa(y) + `) < 0.01`
	}
	bob.waitFor("the stroke moved as far", strokeAt(before.X+moved.X-f2.X, before.Y+moved.Y-f2.Y))
	converged(t, ana, bob)
	// The move is the frame's one op (docs/protocol.md, Frames): undo puts the frame back
	// and its stroke with it; redo moves both again.
	ana.key("z", kb.ModifierCtrl)
	bob.waitFor("the stroke back with its frame after undo", strokeAt(before.X, before.Y)+` && Math.abs(tabula.doc.get(`+jsString(f2.ID)+`).x - `+ftoa(f2.X)+`) < 0.01`)
	ana.key("z", kb.ModifierCtrl|kb.ModifierShift)
	bob.waitFor("moved again after redo", strokeAt(before.X+moved.X-f2.X, before.Y+moved.Y-f2.Y))
	converged(t, ana, bob)

	// Resize frame 2 by its left handle: the frame's x changes, its stroke stays where
	// it is (a frame's move would carry it) and in the frame. Then shrink it by its right
	// handle past the stroke's middle: the stroke leaves the frame, in place; one undo
	// brings it back in.
	placed := eval[elem](ana, `tabula.doc.get(`+jsString(stroke.ID)+`)`)
	l = ana.frameLabel(f2.ID)
	ana.click(l[0], l[1], 1)
	ana.waitFor("frame 2 selected", `tabula.editor.selection.has(`+jsString(f2.ID)+`) && tabula.editor.selection.size === 1`)
	fr := eval[elem](ana, `tabula.doc.get(`+jsString(f2.ID)+`)`)
	h := ana.worldToScreen(fr.X, fr.Y+fr.H/2)
	ana.dragWith([2]float64{h[0] - 4, h[1]}, [2]float64{h[0] + 36, h[1]})
	ana.waitFor("ana's resize saved", `tabula.doc.pending.length === 0 && tabula.doc.get(`+jsString(f2.ID)+`).x > `+ftoa(fr.X+20))
	fr = eval[elem](ana, `tabula.doc.get(`+jsString(f2.ID)+`)`)
	bob.waitFor("frame 2 resized on bob's page", `Math.abs(tabula.doc.get(`+jsString(f2.ID)+`).x - `+ftoa(fr.X)+`) < 0.01`)
	bob.waitFor("the stroke where it was, still in frame 2", strokeAt(placed.X, placed.Y)+` && tabula.doc.get(`+jsString(stroke.ID)+`).frame === `+jsString(f2.ID))
	sb := eval[struct{ MinX, MaxX float64 }](ana, `(() => { const s = tabula.doc.get(`+jsString(stroke.ID)+`), xs = s.points.map((p) => p[0]); return {minX: s.x + Math.min(...xs), maxX: s.x + Math.max(...xs)}; })()`)
	h = ana.worldToScreen(fr.X+fr.W, fr.Y+fr.H/2)
	to := ana.worldToScreen((sb.MinX+sb.MaxX)/2-10, 0)
	ana.dragWith([2]float64{h[0] + 4, h[1]}, [2]float64{to[0], h[1]})
	bob.waitFor("the stroke out of frame 2, in place", strokeAt(placed.X, placed.Y)+` && !tabula.doc.get(`+jsString(stroke.ID)+`).frame`)
	ana.key("z", kb.ModifierCtrl)
	bob.waitFor("the stroke back in frame 2 after undo", strokeAt(placed.X, placed.Y)+` && tabula.doc.get(`+jsString(stroke.ID)+`).frame === `+jsString(f2.ID))
	converged(t, ana, bob)

	// Delete frame 1: its rectangle goes too; one undo brings both back.
	l = ana.frameLabel(f1.ID)
	ana.click(l[0], l[1], 1)
	ana.waitFor("frame 1 selected", `tabula.editor.selection.has(`+jsString(f1.ID)+`) && tabula.editor.selection.size === 1`)
	ana.key(kb.Delete)
	bob.waitFor("frame 1 and its rectangle gone", `!tabula.doc.get(`+jsString(f1.ID)+`) && !tabula.doc.get(`+jsString(r.ID)+`)`)
	ana.key("z", kb.ModifierCtrl)
	bob.waitFor("both back after one undo", `!!tabula.doc.get(`+jsString(f1.ID)+`) && tabula.doc.get(`+jsString(r.ID)+`)?.frame === `+jsString(f1.ID))
	converged(t, ana, bob)
	shots.take(ana, "two-frames")

	// The frames list: in frame order; jumping fits the view to the frame.
	ana.do("open the frames list", chromedp.Click(chromedp.CSS(`#frames-button`)))
	ana.waitFor("the frames list", `document.getElementById("frames-panel").checkVisibility()`)
	names := eval[[]string](ana, `[...document.querySelectorAll("#frames-panel .frame-go")].map((b) => b.textContent)`)
	if len(names) != 2 || names[0] != "Intro" || names[1] != "Frame 2" {
		t.Fatalf("the frames list shows %q, want Intro then Frame 2", names)
	}
	shots.take(ana, "frames-list")
	ana.do("jump to frame 2", chromedp.Click(chromedp.CSS(`#frames-panel .frame-go[data-frame="`+f2.ID+`"]`)))
	ana.waitFor("the view on frame 2", `(() => { const f = tabula.doc.get(`+jsString(f2.ID)+`), c = tabula.camera;
		const cx = (f.x + f.w / 2 - c.x) * c.zoom, cy = (f.y + f.h / 2 - c.y) * c.zoom;
		return Math.abs(cx - innerWidth / 2) < 40 && Math.abs(cy - innerHeight / 2) < 60 && f.w * c.zoom > innerWidth / 3; })()`)

	// Bob downloads every frame as one PDF, from the Export menu: two pages.
	dir := t.TempDir()
	bob.downloadsTo(dir)
	bob.do("open Export", chromedp.Click(chromedp.CSS(`#export`)))
	bob.waitFor("the Export panel", `document.getElementById("export-panel").checkVisibility() && !document.getElementById("export-frames").disabled`)
	bob.do("All frames as PDF", chromedp.Click(chromedp.CSS(`#export-frames`)))
	pdf := waitFile(t, bob, dir, "*.pdf")
	data, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	if pages := testtool.PDFPages(t, data, 48); len(pages) != 2 {
		t.Fatalf("the deck has %d pages, want 2", len(pages))
	}
	bob.key(kb.Escape)

	// Screenshots: desktop and phone, light and dark, with the frames list open. The
	// phones open the view-only link to frame 1: it fits that frame too. Across nodes,
	// where one page's frames list is the same, they are left out.
	if s.spread() {
		return
	}
	viewLink := ana.shareLink("view")
	for _, screen := range []struct {
		name string
		w, h int64
	}{{"desktop", viewW, viewH}, {"phone", 390, 844}} {
		for _, dark := range []bool{false, true} {
			name := screen.name + "-light"
			if dark {
				name = screen.name + "-dark"
			}
			url := link
			if screen.name == "phone" {
				url = viewLink
			}
			tb := openTabOn(t, browser, name, url+"#frame="+f1.ID, chromedp.EmulateViewport(screen.w, screen.h))
			if dark {
				tb.darkMode()
			}
			tb.waitFor("the view fitted to frame 1", `(() => { const f = tabula.doc.get(`+jsString(f1.ID)+`), c = tabula.camera;
				return f && Math.abs((f.x + f.w / 2 - c.x) * c.zoom - innerWidth / 2) < 40 && f.y * c.zoom - c.y * c.zoom > 60; })()`)
			shots.take(tb, name+"-linked")
			tb.do("open the frames list", chromedp.Click(chromedp.CSS(`#frames-button`)))
			tb.waitFor("the frames list", `document.getElementById("frames-panel").checkVisibility()`)
			shots.take(tb, name+"-list")
		}
	}
}

// waitFile waits until dir holds one file matching pattern and returns its path.
func waitFile(t *testing.T, tb *tab, dir, pattern string) string {
	t.Helper()
	deadline := time.Now().Add(wait)
	for {
		// Chromium creates the file under its name before all of it is written: a PDF is
		// whole once it ends with its %%EOF marker.
		files, _ := filepath.Glob(filepath.Join(dir, pattern))
		if len(files) == 1 && complete(files[0]) {
			return files[0]
		}
		if msg := eval[string](tb, `toastsSeen.find((m) => m.includes("failed")) ?? ""`); msg != "" {
			t.Fatalf("the page says %q", msg)
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s downloaded to %s", pattern, dir)
		}
		tb.nextFrame()
	}
}

// complete reports whether a downloaded file is all there: a PDF must end with %%EOF
// (and a line end); other files only need to be non-empty.
func complete(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil || len(data) == 0 {
		return false
	}
	if strings.HasSuffix(path, ".pdf") {
		return bytes.HasSuffix(bytes.TrimRight(data, "\r\n"), []byte("%%EOF"))
	}
	return true
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
