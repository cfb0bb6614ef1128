package e2e

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp/kb"
)

// How a board opens (the selection tool, the camera fitted to what is on it) and how it
// looks (the theme switch, the canvas colour, the icon), each from the home page.

// camera is the page's camera.
type camera struct{ X, Y, Zoom float64 }

// onScreen reports whether every element of the tab's board lies inside its screen,
// and the camera it is seen with.
func (tb *tab) allOnScreen() (bool, camera) {
	tb.t.Helper()
	ok := eval[bool](tb, `(() => {
		const c = tabula.camera, w = innerWidth, h = innerHeight;
		return tabula.doc.view().every((el) => {
			const pts = el.points ? el.points.map((p) => [el.x + p[0], el.y + p[1]]) : [[el.x, el.y], [el.x + el.w, el.y + el.h]];
			return pts.every(([x, y]) => { const sx = (x - c.x) * c.zoom, sy = (y - c.y) * c.zoom; return sx >= 0 && sy >= 0 && sx <= w && sy <= h; });
		});
	})()`)
	return ok, eval[camera](tb, `({X: tabula.camera.x, Y: tabula.camera.y, Zoom: tabula.camera.zoom})`)
}

// openOwnPanel opens the panel behind your own avatar: your name and colour, the theme
// and the canvas colour.
func (tb *tab) openOwnPanel() {
	tb.t.Helper()
	tb.waitFor("your avatar", `!!document.querySelector("#peers .me button")`)
	tb.pressOn(`#peers .me button`)
	tb.waitFor("your panel", `!document.getElementById("profile-panel").hidden && !!document.querySelector('[data-theme-switch] input[value="dark"]')`)
}

func TestBrowserBoardOpensWithSelectFitted(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	ts := startServer(t)
	browser := newBrowser(t)
	a := startBoard(t, browser, ts, "A", desktopScreen)

	// An empty board: the selection tool, the origin at 100%; a first click draws nothing.
	if got := eval[string](a, `document.body.dataset.tool + " " + document.querySelector('button[data-tool="select"]').getAttribute("aria-pressed")`); got != "select true" {
		t.Fatalf("a new board opens with tool %q, want the selection tool pressed", got)
	}
	if _, cam := a.allOnScreen(); cam != (camera{0, 0, 1}) {
		t.Errorf("an empty board opens with camera %+v, want the origin at 100%%", cam)
	}
	a.click(500, 400, 1)
	a.dragWith([2]float64{520, 420}, [2]float64{600, 480})
	a.nextFrame()
	if n := eval[int](a, `tabula.doc.view().length + tabula.doc.pending.length`); n != 0 {
		t.Fatalf("a click and a drag on a new board made %d elements or changes; the selection tool draws nothing", n)
	}

	// A drawing wider than the screen: a rectangle, the board panned with the hand,
	// another rectangle.
	a.pressOn(`button[data-tool="rect"]`)
	a.dragWith([2]float64{300, 300}, [2]float64{500, 420})
	a.pressOn(`button[data-tool="hand"]`)
	a.dragWith([2]float64{1100, 400}, [2]float64{200, 400})
	a.dragWith([2]float64{1100, 400}, [2]float64{200, 400})
	a.pressOn(`button[data-tool="rect"]`)
	a.dragWith([2]float64{700, 500}, [2]float64{900, 640})
	a.waitFor("two rectangles stored", `tabula.doc.view().length === 2 && tabula.doc.pending.length === 0`)
	link := a.editLink(desktopScreen)

	// Opened again, on a desktop and on a phone: everything in view, below 100%.
	for _, s := range []screenSize{desktopScreen, phoneScreen} {
		tb := openTabOn(t, browser, "opening on a "+s.name, link, s.emulate())
		tb.waitFor("the board", `tabula.doc.view().length === 2`)
		tb.nextFrame()
		ok, cam := tb.allOnScreen()
		if !ok || cam.Zoom >= 1 {
			t.Errorf("%s: the board opened with camera %+v; want both rectangles on screen, zoomed out", s.name, cam)
		}
		if got := eval[string](tb, `document.body.dataset.tool`); got != "select" {
			t.Errorf("%s: opened with the %s tool, want select", s.name, got)
		}
		tb.screenshot(fmt.Sprintf("opened-fitted-%s.png", s.name))
	}

	// A small drawing opens at 100%, not blown up.
	b := startBoard(t, browser, ts, "B", desktopScreen)
	b.key("r")
	b.dragWith([2]float64{600, 350}, [2]float64{660, 390})
	b.waitFor("the rectangle stored", `tabula.doc.view().length === 1 && tabula.doc.pending.length === 0`)
	small := openTab(t, browser, "small board again", b.editLink(desktopScreen))
	small.waitFor("the board", `tabula.doc.view().length === 1`)
	if ok, cam := small.allOnScreen(); !ok || cam.Zoom != 1 {
		t.Errorf("a small drawing opened with camera %+v, want it on screen at 100%%", cam)
	}
}

func TestBrowserThemeCanvasAndIcon(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	ts := startServer(t)
	browser := newBrowser(t)
	a := startBoard(t, browser, ts, "A", desktopScreen)
	if got := eval[string](a, `document.documentElement.dataset.theme`); got != "light" {
		t.Fatalf("the board opened %q, want light as the system is", got)
	}
	// Something to look at. (Drawn in the light theme: the dark one inverts the canvas
	// layers with a filter, slow enough in a software-rendered, busy browser to miss
	// the drag's deadline.)
	a.key("r")
	a.dragWith([2]float64{400, 300}, [2]float64{700, 500})
	a.key("p")
	a.drag(wave(450, 600, 400, 40, 12))
	a.waitFor("two elements stored", `tabula.doc.view().length === 2 && tabula.doc.pending.length === 0`)
	a.key(kb.Escape)
	// B watches through the view link, in a browser of their own.
	b := openTabOn(t, newBrowser(t), "B", a.shareLink("view"), desktopScreen.emulate())
	b.waitFor("the board", `document.body.dataset.state === "online" && tabula.doc.view().length === 2`)

	// The theme and the canvas colour, from the menu behind your own avatar.
	a.openOwnPanel()
	if got := eval[string](a, `document.querySelector('[data-theme-switch] input:checked').value`); got != "system" {
		t.Errorf("the theme switch says %q, want system", got)
	}
	a.pressOn(`[data-theme-switch] label:has(input[value="dark"])`)
	a.waitFor("the dark theme", `document.documentElement.dataset.theme === "dark" && getComputedStyle(document.body).backgroundColor === "rgb(18, 18, 18)"`)
	a.screenshot("profile-dark-desktop.png")
	if got := eval[string](a, `document.querySelector('[data-canvas-switch] legend').textContent`); !strings.Contains(got, "everyone on this board") {
		t.Errorf("the canvas switch says %q, not that it is for everyone on the board", got)
	}
	a.pressOn(`[data-canvas-switch] label:has(input[value="paper"])`)
	a.waitFor("the paper canvas, dark", `document.body.dataset.canvas === "paper" && getComputedStyle(document.body).backgroundColor === "rgb(31, 27, 20)"`)
	a.key(kb.Escape)
	a.screenshot("board-dark-paper-desktop.png")
	// The canvas colour is the board's: B sees A's choice at once, in B's own (light)
	// theme, and cannot change it.
	b.waitFor("A's paper canvas, light", `document.body.dataset.canvas === "paper" && getComputedStyle(document.body).backgroundColor === "rgb(251, 246, 234)"`)
	b.openOwnPanel()
	if got := eval[string](b, `(() => { const s = document.querySelector('[data-canvas-switch] fieldset'); return s.disabled + " " + s.querySelector("input:checked").value; })()`); got != "true paper" {
		t.Errorf("a viewer's canvas switch: disabled and choice %q, want true paper", got)
	}
	b.screenshot("profile-viewer-paper-desktop.png")
	a.openOwnPanel()
	a.pressOn(`[data-theme-switch] label:has(input[value="light"])`)
	a.waitFor("the paper canvas, light", `document.documentElement.dataset.theme === "light" && getComputedStyle(document.body).backgroundColor === "rgb(251, 246, 234)"`)
	a.key(kb.Escape)
	a.screenshot("board-light-paper-desktop.png")

	// Remembered across pages: the home page is light, and Dark chosen there is the
	// board's theme too; the board keeps its canvas colour.
	a.pressOn(".brand")
	a.waitAcross("the home page", `!!document.querySelector('[data-theme-switch] input[value="dark"]') && !!document.querySelector("#recent a")`)
	if got := eval[string](a, `document.documentElement.dataset.theme + " " + document.querySelector('[data-theme-switch] input:checked').value`); got != "light light" {
		t.Errorf("the home page: theme and choice %q, want light light", got)
	}
	a.pressOn(`[data-theme-switch] label:has(input[value="dark"])`)
	a.waitFor("the dark home page", `document.documentElement.dataset.theme === "dark" && getComputedStyle(document.body).backgroundColor === "rgb(18, 18, 18)"`)
	a.screenshot("home-dark.png")
	a.pressOn("#recent a")
	a.waitAcross("the board again", `document.body.dataset.state === "online"`)
	if got := eval[string](a, `document.documentElement.dataset.theme + " " + document.body.dataset.canvas`); got != "dark paper" {
		t.Errorf("back on the board: theme and canvas %q, want dark paper", got)
	}
	// "System" follows the system again.
	a.openOwnPanel()
	a.pressOn(`[data-theme-switch] label:has(input[value="system"])`)
	a.waitFor("the system's light theme", `document.documentElement.dataset.theme === "light"`)
	a.darkMode()
	a.waitFor("the system's dark theme", `document.documentElement.dataset.theme === "dark"`)

	// The icon (favicon_test.go checks how it is served).
	if got := eval[string](a, `document.querySelector('link[rel="icon"]')?.getAttribute("href") ?? ""`); got != "/assets/img/favicon.svg" {
		t.Errorf("the board links icon %q", got)
	}

	// A phone, light and dark.
	p := openTabOn(t, browser, "phone", eval[string](a, `location.href`), phoneScreen.emulate())
	p.waitFor("the board", `tabula.doc.view().length === 2`)
	p.screenshot("board-light-phone.png")
	p.openOwnPanel()
	p.pressOn(`[data-theme-switch] label:has(input[value="dark"])`)
	p.waitFor("dark", `document.documentElement.dataset.theme === "dark"`)
	p.screenshot("profile-dark-phone.png")
	p.key(kb.Escape)
	p.screenshot("board-dark-phone.png")
}
