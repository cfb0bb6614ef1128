package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
)

// The board page's overlays — the "Following …" pill, the history version banner and
// the offline banner — each reached as a person reaches it, on a desktop and on a
// phone: while one shows, every control on the page is still on top at its centre.

// screenSize is a screen a test opens pages on.
type screenSize struct {
	name  string
	w, h  int64
	phone bool
}

var (
	desktopScreen = screenSize{"desktop", 1280, 800, false}
	phoneScreen   = screenSize{"phone", 390, 844, true}
)

// emulate sets the tab's viewport to the screen (a phone: twice the pixels, touch).
func (s screenSize) emulate() chromedp.Action[chromedp.Void] {
	if s.phone {
		return chromedp.EmulateViewport(s.w, s.h, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	return chromedp.EmulateViewport(s.w, s.h)
}

// startBoard opens the home page on screen and presses "New board" (a tap on a phone),
// as a person starts; it returns the tab once the new board is online.
func startBoard(t *testing.T, browser context.Context, ts *testServer, name string, screen screenSize) *tab {
	t.Helper()
	tb := openHomeOn(t, browser, name, ts.URL, screen.emulate())
	tb.pressOn(`form[action="/boards"] button`)
	tb.waitAcross("the new board", `location.pathname.startsWith("/b/") && document.body.dataset.state === "online"`)
	return tb
}

// pressOn clicks at the centre of the element selector matches. (On the phone too: in
// headless Chromium a tap soon after a touch drag sometimes produced no click.)
func (tb *tab) pressOn(selector string) {
	tb.t.Helper()
	x, y := tb.centre(selector)
	tb.click(x, y, 1)
}

// editLink opens the Share panel and reads the edit link from it, as a person copies it.
func (tb *tab) editLink(screen screenSize) string {
	tb.t.Helper()
	tb.pressOn("#share")
	tb.waitFor("the share panel", `!document.getElementById("share-panel").hidden && document.getElementById("edit-link").value !== ""`)
	link := eval[string](tb, `document.getElementById("edit-link").value`)
	tb.pressOn("#share")
	tb.waitFor("the share panel closed", `document.getElementById("share-panel").hidden`)
	return link
}

// uncovered fails the test for every visible control (outside popovers the person
// opened) that is off screen or whose centre hits something other than itself.
func (tb *tab) uncovered(screen screenSize, where string) {
	tb.t.Helper()
	cs := eval[[]control](tb, `[...document.querySelectorAll("button, a[href], select, input:not([type=color]):not([type=file]):not([type=hidden]), label.custom")]
		.filter((e) => !e.closest(".popover") && e.checkVisibility({opacityProperty: false, visibilityProperty: true}))
		.map((e) => {
			const r = e.getBoundingClientRect();
			const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
			const name = e.getAttribute("aria-label") || e.title || e.textContent.trim() || e.id || e.className;
			return {name, x: r.left, y: r.top, w: r.width, h: r.height, hit: e.contains(hit) || (hit !== null && hit.closest("label") === e)};
		})
		.filter((c) => c.w > 0 && c.h > 0)`)
	var bad []string
	for _, c := range cs {
		switch {
		case c.X < 0 || c.Y < 0 || c.X+c.W > float64(screen.w) || c.Y+c.H > float64(screen.h):
			bad = append(bad, c.String()+": off screen")
		case !c.Hit:
			bad = append(bad, c.String()+": covered at its centre")
		}
	}
	if len(cs) < 10 {
		tb.t.Errorf("%s, %s: only %d controls found", screen.name, where, len(cs))
	}
	if len(bad) > 0 {
		tb.t.Errorf("%s %d×%d, %s:\n  %s", screen.name, screen.w, screen.h, where, strings.Join(bad, "\n  "))
	}
}

func TestBrowserOverlaysDesktop(t *testing.T) { testOverlays(t, desktopScreen) }

func TestBrowserOverlaysPhone(t *testing.T) { testOverlays(t, phoneScreen) }

func testOverlays(t *testing.T, screen screenSize) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	ts := startServer(t, voiceOnLoopback)
	browser := newBrowser(t)
	a := startBoard(t, browser, ts, "A", screen)
	b := openTab(t, browser, "B", a.editLink(screen))
	a.waitFor("the join-voice button", `!document.getElementById("voice-bar").hidden`)
	a.uncovered(screen, "the board")

	// Following: A clicks B's avatar; the pill says so and stops it when pressed.
	bSID := eval[string](b, `tabula.sync.sid`)
	avatar := `#peers li[data-sid="` + bSID + `"] button`
	a.waitFor("B's avatar", `!!document.querySelector(`+jsString(avatar)+`)`)
	a.pressOn(avatar)
	a.waitFor("the following pill", `!document.getElementById("follow-pill").hidden`)
	a.screenshot(fmt.Sprintf("overlay-following-%s.png", screen.name))
	a.uncovered(screen, "following B")
	a.pressOn("#follow-pill")
	a.waitFor("following stopped", `document.getElementById("follow-pill").hidden && !tabula.follow.sid`)

	// History: A draws a rectangle, opens History, picks a version, and closes the
	// panel by touching the board.
	a.pressOn(`button[data-tool="rect"]`)
	a.waitFor("the rectangle tool", `document.body.dataset.tool === "rect"`)
	from, to := [2]float64{float64(screen.w) * 0.3, float64(screen.h) * 0.4}, [2]float64{float64(screen.w) * 0.6, float64(screen.h) * 0.5}
	if screen.phone {
		a.touch(input.DispatchTouchEventTypeTouchStart, map[float64][2]float64{1: from})
		for _, f := range []float64{0.25, 0.5, 0.75, 1} {
			a.touch(input.DispatchTouchEventTypeTouchMove, map[float64][2]float64{1: {from[0] + (to[0]-from[0])*f, from[1] + (to[1]-from[1])*f}})
		}
		a.touch(input.DispatchTouchEventTypeTouchEnd, nil)
	} else {
		a.dragWith(from, to)
	}
	a.waitFor("the rectangle stored", `tabula.doc.view().length === 1 && tabula.doc.pending.length === 0`)
	a.nextFrame()
	historyButton := "#history-button"
	if screen.phone {
		historyButton = `.board-menu-phone [data-opens="history-panel"]`
	}
	a.pressOn(historyButton)
	a.waitFor("a version in the history", `!!document.querySelector("#history-list button")`)
	a.pressOn("#history-list button")
	a.waitFor("the version banner", `!document.getElementById("version-banner").hidden && !!document.body.dataset.previewing`)
	// On a desktop the open panel leaves every control free; on a phone it is a sheet
	// over the top of the screen, as every panel there, closed by a touch on the board.
	if !screen.phone {
		a.uncovered(screen, "the history panel open on a version")
	}
	a.click(float64(screen.w)/2, float64(screen.h)*0.45, 1)
	a.waitFor("the history panel closed", `document.getElementById("history-panel").hidden && !document.getElementById("version-banner").hidden`)
	a.screenshot(fmt.Sprintf("overlay-version-%s.png", screen.name))
	a.uncovered(screen, "a version shown")
	a.pressOn("#version-back")
	a.waitFor("back to now", `document.getElementById("version-banner").hidden && !document.body.dataset.previewing`)

	// Offline: the server goes away.
	ts.stop()
	a.waitFor("offline, with the banner shown", `document.body.dataset.state === "offline"
		&& document.getElementById("offline").getClientRects().length > 0`)
	a.screenshot(fmt.Sprintf("overlay-offline-%s.png", screen.name))
	a.uncovered(screen, "offline")
}
