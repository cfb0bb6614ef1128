package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// The board page on phones held upright, with touch: every control big enough for a
// finger, on screen and clear of the others, and every tool a tap away.

// phones are the screens of an iPhone SE (375×667) and of an iPhone 12 to 15 (390×844),
// in CSS pixels; both at 2 device pixels per CSS pixel.
var phones = []struct{ w, h int64 }{{375, 667}, {390, 844}}

// minTarget is the smallest touch target we accept, in CSS pixels (the guidelines say 44;
// 40 leaves room for rounding and borders).
const minTarget = 40

// openPhone opens url on a w×h phone screen with touch.
func openPhone(t *testing.T, browser context.Context, name, url string, w, h int64) *tab {
	t.Helper()
	tb := openTabOn(t, browser, name, url, chromedp.EmulateViewport(w, h, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
	tb.waitFor("the phone screen", fmt.Sprintf(`innerWidth === %d && innerHeight === %d && matchMedia("(pointer: coarse)").matches`, w, h))
	return tb
}

// tap touches the screen at (x, y) with one finger and lifts it: a tap, which the page
// sees as pointer and touch events and then a click.
func (tb *tab) tap(x, y float64) {
	tb.t.Helper()
	tb.touch(input.DispatchTouchEventTypeTouchStart, map[float64][2]float64{1: {x, y}})
	tb.touch(input.DispatchTouchEventTypeTouchEnd, nil)
}

// control is a visible button, link or field as the phone test sees it.
type control struct {
	Name string  `json:"name"`
	X    float64 `json:"x"`
	Y    float64 `json:"y"`
	W    float64 `json:"w"`
	H    float64 `json:"h"`
	Hit  bool    `json:"hit"` // a tap at its centre reaches it
}

func (c control) String() string {
	return fmt.Sprintf("%s (%.0f×%.0f at %.0f,%.0f)", c.Name, c.W, c.H, c.X, c.Y)
}

// controls lists the visible controls inside the elements that selector matches.
func (tb *tab) controls(selector string) []control {
	tb.t.Helper()
	return eval[[]control](tb, `[...document.querySelectorAll(`+jsString(selector)+`)]
		.flatMap((root) => [...root.querySelectorAll("button, a[href], input:not([type=color]), select, label.custom")])
		.filter((e) => e.checkVisibility({opacityProperty: false, visibilityProperty: true}))
		.map((e) => {
			const r = e.getBoundingClientRect();
			const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
			const name = e.getAttribute("aria-label") || e.title || e.textContent.trim() || e.id || e.className;
			return {name, x: r.left, y: r.top, w: r.width, h: r.height, hit: e.contains(hit) || (hit !== null && hit.closest("label") === e)};
		})`)
}

// checkTargets fails the test for each control that is smaller than a fingertip, off
// screen, covered, or overlapping another of them.
func checkTargets(t *testing.T, where string, cs []control, w, h int64) {
	t.Helper()
	var bad []string
	for i, c := range cs {
		switch {
		case c.W < minTarget || c.H < minTarget:
			bad = append(bad, c.String()+": smaller than a fingertip")
		case c.X < 0 || c.Y < 0 || c.X+c.W > float64(w) || c.Y+c.H > float64(h):
			bad = append(bad, c.String()+": off screen")
		case !c.Hit:
			bad = append(bad, c.String()+": covered; a tap at its centre misses it")
		}
		for _, d := range cs[i+1:] {
			if c.X < d.X+d.W && d.X < c.X+c.W && c.Y < d.Y+d.H && d.Y < c.Y+c.H {
				bad = append(bad, c.String()+" overlaps "+d.String())
			}
		}
	}
	if len(bad) > 0 {
		t.Errorf("%d×%d, %s:\n  %s", w, h, where, strings.Join(bad, "\n  "))
	}
}

// centre is the middle of the first element that selector matches, failing unless it
// is visible.
func (tb *tab) centre(selector string) (x, y float64) {
	tb.t.Helper()
	p := eval[[]float64](tb, `(() => { const e = document.querySelector(`+jsString(selector)+`);
		if (!e?.checkVisibility()) return [];
		const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`)
	if len(p) != 2 {
		tb.t.Fatalf("%s: %s is not visible", tb.name, selector)
	}
	return p[0], p[1]
}

// The bars of the board page on a phone: every control.
const phoneBars = ".toolbar, .top-left, .top-right, .zoom, .history-bar, .voice-bar, .board-menu-phone, .style-toggle"

func TestBrowserPhoneTouchTargets(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	browser := newBrowser(t)
	ts := startServer(t)
	// Someone else on the board, so that the people row has an avatar besides yours.
	ana := createBoard(t, browser, "Ana", ts.URL)
	link, sidAna := ana.shareLink("edit"), eval[string](ana, `tabula.sync.sid`)
	for _, ph := range phones {
		a := openPhone(t, browser, fmt.Sprintf("phone %d×%d", ph.w, ph.h), link, ph.w, ph.h)
		a.waitFor("Ana's avatar", avatarOf(sidAna))
		a.waitFor("the voice bar", `document.getElementById("voice-bar").checkVisibility()`)
		a.nextFrame()

		// Every tool, Insert image and tool lock are in the bar or behind More tools.
		all := eval[[]string](a, `[...document.querySelectorAll(".toolbar [data-tool], .toolbar [data-action]")].map((b) => b.dataset.tool ?? b.dataset.action)`)
		if len(all) != 16 {
			t.Fatalf("%d×%d: the tool bar has %q, want the 14 tools, Insert image and tool lock", ph.w, ph.h, all)
		}
		bars := a.controls(phoneBars)
		checkTargets(t, "the bars", bars, ph.w, ph.h)
		shown := eval[[]string](a, `[...document.querySelectorAll(".toolbar > button[data-tool]")].filter((b) => b.checkVisibility()).map((b) => b.dataset.tool)`)
		if len(shown) < 7 || !eval[bool](a, `document.querySelector(".toolbar > .more-tools").checkVisibility()`) {
			t.Fatalf("%d×%d: the tool bar shows %q, want at least 7 tools and More tools", ph.w, ph.h, shown)
		}
		a.shot(fmt.Sprintf("phone-%d-light.png", ph.w))

		// A tap on each tool in the bar picks it.
		for _, id := range shown {
			a.tap(a.centre(`.toolbar > button[data-tool="` + id + `"]`))
			a.waitFor("the "+id+" tool", `document.body.dataset.tool === `+jsString(id)+` && document.querySelector(`+jsString(`.toolbar [data-tool="`+id+`"]`)+`).ariaPressed === "true"`)
		}
		// More tools opens the others in a row above the bar; a tap on one picks it and
		// closes the row, and More tools then shows that it is the current tool.
		folded := eval[[]string](a, `[...document.querySelectorAll("#tools-more [data-tool]")].map((b) => b.dataset.tool)`)
		if len(folded)+len(shown) != 14 {
			t.Fatalf("%d×%d: %q in the bar and %q behind More tools, want all 14 tools", ph.w, ph.h, shown, folded)
		}
		for i, id := range folded {
			a.tap(a.centre(`.toolbar .more-tools`))
			a.waitFor("the more tools", `document.getElementById("tools-more").checkVisibility()`)
			if i == 0 {
				checkTargets(t, "More tools open", a.controls("#tools-more, .toolbar > button"), ph.w, ph.h)
				a.shot(fmt.Sprintf("phone-%d-more-light.png", ph.w))
			}
			a.tap(a.centre(`#tools-more [data-tool="` + id + `"]`))
			a.waitFor("the "+id+" tool, More tools closed and showing it", `document.body.dataset.tool === `+jsString(id)+`
				&& !document.getElementById("tools-more").checkVisibility() && document.querySelector(".more-tools").classList.contains("current")`)
		}
		// A tap on the board closes More tools, and does nothing else: with the pen, it
		// leaves no dot.
		a.tap(a.centre(`.toolbar [data-tool="pen"]`))
		a.tap(a.centre(`.toolbar .more-tools`))
		a.waitFor("the more tools", `document.getElementById("tools-more").checkVisibility()`)
		before := len(a.elements())
		a.tap(float64(ph.w)-24, float64(ph.h)/2) // the board, right of the style panel
		a.waitFor("More tools closed", `!document.getElementById("tools-more").checkVisibility()`)

		// The style panel is folded behind a button under the title; open, its choices
		// are fingertip-sized too, and a touch on the board folds it again.
		a.waitFor("the pen", `document.body.dataset.tool === "pen" && !document.getElementById("style-panel").checkVisibility()`)
		a.tap(a.centre(`#style-toggle`))
		a.waitFor("the style panel", `document.getElementById("style-panel").checkVisibility()`)
		checkTargets(t, "the style panel", a.controls("#style-panel .choices"), ph.w, ph.h)
		a.tap(a.centre(`#style-panel button[data-color="#e03131"]`))
		a.waitFor("red", `tabula.state.color === "#e03131" && getComputedStyle(document.querySelector(".style-dot")).getPropertyValue("--swatch") === "#e03131"`)
		a.shot(fmt.Sprintf("phone-%d-style-light.png", ph.w))
		a.tap(float64(ph.w)-24, float64(ph.h)/2)
		a.waitFor("the style panel folded", `!document.getElementById("style-panel").checkVisibility()`)
		// The next tap draws: a dot, the first thing on the board since the two taps that
		// closed a popover.
		a.tap(float64(ph.w)-24, float64(ph.h)/2)
		a.waitFor("the pen's dot", fmt.Sprintf(`tabula.doc.view().length === %d`, before+1))
		if got := a.elements()[before]; got.Type != "stroke" || got.Stroke != "#e03131" {
			t.Fatalf("%d×%d: after the popovers closed, a tap drew %+v, want a red dot", ph.w, ph.h, got)
		}
		a.settled()

		a.darkMode()
		a.shot(fmt.Sprintf("phone-%d-dark.png", ph.w))
		a.tap(a.centre(`#style-toggle`))
		a.waitFor("the style panel", `document.getElementById("style-panel").checkVisibility()`)
		a.shot(fmt.Sprintf("phone-%d-style-dark.png", ph.w))
	}
}

// A view-only page on a phone: the pointer bar (hand and laser) is at the bottom, big
// enough for a finger, and clear of everything else.
func TestBrowserPhoneViewer(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	browser := newBrowser(t)
	ts := startServer(t)
	link := createBoard(t, browser, "editor", ts.URL).shareLink("view")
	for _, ph := range phones {
		v := openPhone(t, browser, "viewer", link, ph.w, ph.h)
		v.nextFrame()
		checkTargets(t, "the viewer's bars", v.controls(".pointer-bar, "+phoneBars), ph.w, ph.h)
		v.tap(v.centre(`.pointer-bar [data-pointer="laser"]`))
		v.waitFor("the laser", `document.body.dataset.tool === "laser"`)
		v.shot(fmt.Sprintf("phone-%d-viewer-light.png", ph.w))
	}
}
