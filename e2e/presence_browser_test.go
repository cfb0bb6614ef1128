package e2e

import (
	"context"
	"fmt"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"tabula/internal/client"
)

// The people panel, following, renaming and the home page's counts, in real Chromium
// against a real server. Helpers come from browser_util_test.go.

// avatarOf is a condition: the people row shows an avatar for sid.
func avatarOf(sid string) string {
	return `!!document.querySelector("#peers li[data-sid=" + CSS.escape(` + jsString(sid) + `) + "] .avatar")`
}

// avatarLabel is an expression: the accessible label of sid's avatar, or "".
func avatarLabel(sid string) string {
	return `(document.querySelector("#peers li[data-sid=" + CSS.escape(` + jsString(sid) + `) + "] .avatar")?.getAttribute("aria-label") ?? "")`
}

// waitWithin is waitFor with a deadline of its own, for conditions the test promises
// to see sooner than the general deadline. It returns how long the condition took.
func (tb *tab) waitWithin(d time.Duration, what, cond string) time.Duration {
	tb.t.Helper()
	start := time.Now()
	ctx, cancel := context.WithTimeout(tb.ctx, d+time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](cond,
		chromedp.WithPollingInterval(10*time.Millisecond), chromedp.WithPollingTimeout(d)))
	if err != nil {
		tb.t.Fatalf("%s: %s not within %v (%s): %v", tb.name, what, d, cond, err)
	}
	return time.Since(start)
}

// failOnDialogs makes any alert, confirm or prompt on the tab a page error (and
// dismisses it, so the page does not hang on it).
func (tb *tab) failOnDialogs() {
	go func() {
		for ev, err := range chromedp.Events(tb.ctx, page.JavascriptDialogOpening) {
			if err != nil {
				return
			}
			tb.mu.Lock()
			tb.errors = append(tb.errors, fmt.Sprintf("a %s dialog opened: %q", ev.Type, ev.Message))
			tb.mu.Unlock()
			_, _ = chromedp.Call(tb.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{})
		}
	}()
}

// rename changes the tab's name the way a person does: a click on their own avatar,
// then the name typed into the field that opens, then Enter.
func (tb *tab) rename(name string) {
	tb.t.Helper()
	tb.do("open the profile", chromedp.Click(chromedp.CSS(`#peers li.me .avatar`)))
	tb.waitFor("the name field", `!document.getElementById("profile-panel").hidden && document.activeElement?.id === "name"`)
	// The field opens with the old name selected, so typing replaces it.
	tb.waitFor("the old name selected", `(({value, selectionStart, selectionEnd}) => selectionStart === 0 && selectionEnd === value.length)(document.getElementById("name"))`)
	tb.do("type the name", chromedp.SendKeys(chromedp.CSS(`#name`), name+kb.Enter))
	tb.waitFor("the profile closed", `document.getElementById("profile-panel").hidden`)
}

// wsOf is the WebSocket address of the board at link (an edit or view link).
func wsOf(link string) string {
	return "ws" + strings.TrimPrefix(link, "http") + "/ws"
}

// bot is a WebSocket client on a board, with a name and colour, for a crowd the
// browser can see. It reads (and drops) what the server sends until the test ends.
type bot struct {
	c   *client.Conn
	sid string
}

func newBot(t *testing.T, url, name, color string) *bot {
	t.Helper()
	c, _, err := client.Dial(url, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Send(map[string]any{"t": "hello", "v": 1, "since": 0, "name": name, "color": color}); err != nil {
		t.Fatal(err)
	}
	for {
		m, err := c.Read(time.Now().Add(wait))
		if err != nil {
			t.Fatalf("bot %s: %v", name, err)
		}
		if m.T == "welcome" {
			t.Cleanup(func() { c.WS.Close() })
			go func() {
				for {
					if _, err := c.Read(time.Now().Add(time.Hour)); err != nil {
						return
					}
				}
			}()
			return &bot{c: c, sid: m.SID}
		}
	}
}

func (b *bot) cursor(t *testing.T, x, y float64) {
	t.Helper()
	if err := b.c.Send(map[string]any{"t": "cursor", "x": x, "y": y}); err != nil {
		t.Fatal(err)
	}
}

// closeTab closes the tab's page, as a person closing the browser tab does, and waits
// until the browser has detached it.
func (tb *tab) closeTab() {
	tb.t.Helper()
	gone, err := chromedp.Detached(tb.ctx)
	if err != nil {
		tb.t.Fatal(err)
	}
	id := chromedp.FromContext(tb.ctx).Target.TargetID
	if _, err := chromedp.CallBrowser(tb.ctx, target.CloseTarget, target.CloseTargetParams{TargetID: id}); err != nil {
		tb.t.Fatalf("%s: close: %v", tb.name, err)
	}
	select {
	case <-gone:
	case <-time.After(wait):
		tb.t.Fatalf("%s: the tab did not close", tb.name)
	}
}

func TestBrowserPresencePeoplePanel(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	journeyPeoplePanel(t, oneServer(startServer(t).URL))
}

// journeyPeoplePanel is TestBrowserPresencePeoplePanel on site s, with the people A
// (who makes the board) and B.
func journeyPeoplePanel(t *testing.T, s site) {
	browser := newBrowser(t)
	a := createBoard(t, browser, "A", s.home("A"))
	b := openTab(t, browser, "B", s.link(t, "B", a.shareLink("edit")))
	sidA, sidB := eval[string](a, `tabula.sync.sid`), eval[string](b, `tabula.sync.sid`)

	// Each page shows the other, and itself last, marked as you.
	a.waitFor("B in A's panel", avatarOf(sidB))
	b.waitFor("A in B's panel", avatarOf(sidA))
	for _, tc := range []struct {
		tb  *tab
		sid string
	}{{a, sidA}, {b, sidB}} {
		got := eval[[]string](tc.tb, `[...document.querySelectorAll("#peers li")].map((li) => li.dataset.sid + (li.classList.contains("me") ? " me" : ""))`)
		if len(got) != 2 || got[1] != tc.sid+" me" {
			t.Fatalf("%s: people row %q, want the other then %q marked as you", tc.tb.name, got, tc.sid)
		}
	}

	// B watches what its canvas writes, to see A's cursor label change.
	eval[bool](b, `(() => {
		const drawn = window.drawnText = new Set();
		const fillText = CanvasRenderingContext2D.prototype.fillText;
		CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
			drawn.add(String(text));
			return fillText.call(this, text, ...rest);
		};
		return true;
	})()`)
	a.rename("  Ana Lima  ")
	if got := eval[string](a, `JSON.parse(localStorage.getItem("tabula.user")).name`); got != "Ana Lima" {
		t.Fatalf("A's saved name %q, want it trimmed to \"Ana Lima\"", got)
	}
	b.waitFor("A's new name in B's panel", `(`+avatarLabel(sidA)+`).startsWith("Ana Lima —") && document.querySelector("#peers li[data-sid=\"`+sidA+`\"] .initials").textContent === "AL"`)
	a.hover(700, 300)
	b.waitFor("A's cursor labelled with the new name", `drawnText.has("Ana Lima")`)
	// A rename is a message on the open connection: same sessions, no reconnect.
	if s := eval[string](a, `tabula.sync.sid`); s != sidA {
		t.Fatalf("A reconnected to rename: sid %s, was %s", s, sidA)
	}
	if n := eval[int](b, `tabula.people().size`); n != 2 {
		t.Fatalf("B lists %d people, want 2", n)
	}

	// B closes its tab: A's panel drops B within 5 s.
	b.closeTab()
	took := a.waitWithin(5*time.Second, "B gone from A's panel", `!(`+avatarOf(sidB)+`) && tabula.people().size === 1`)
	t.Logf("B left A's panel %v after its tab closed", took.Round(time.Millisecond))
}

func TestBrowserPresenceHostileName(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	browser := newBrowser(t)
	ts := startServer(t)
	a := createBoard(t, browser, "A", ts.URL)
	link := a.shareLink("edit")
	b := openTab(t, browser, "B", link)
	a.failOnDialogs()
	b.failOnDialogs()
	sidA := eval[string](a, `tabula.sync.sid`)
	// A crowd, so that B's row collapses into "+N" and the full list can be opened: eight
	// clients of the protocol, each far cheaper than a browser, that open A's link.
	for i := range 8 {
		newBot(t, wsOf(link), fmt.Sprintf("Bot %d", i+1), "#1971c2")
	}
	// The avatar row is drawn anew as each arrives; A opens its profile once it is still.
	a.waitFor("the crowd in A's row", `tabula.people().size === 10`)

	const hostile = `<img src=x onerror=alert(1)>`
	a.rename(hostile)
	b.waitFor("the name in B's row", `(`+avatarLabel(sidA)+`).startsWith(`+jsString(hostile+" —")+`)`)
	// As many avatars as fit beside the toolbar, at most 7 of the 9 others, then "+N".
	b.waitFor("a collapsed row", `(() => {
		const others = document.querySelectorAll("#peers li:not(.me):not(.more)").length;
		return others >= 2 && others <= 7 && document.querySelector("#peers .more-button")?.textContent === "+" + (9 - others);
	})()`)
	b.do("open the full list", chromedp.Click(chromedp.CSS(`#peers .more-button`)))
	b.waitFor("everyone in the list, A's name as text", `!document.getElementById("people-panel").hidden
		&& document.querySelectorAll("#people-list li").length === 10
		&& [...document.querySelectorAll("#people-list .row-name")].some((e) => e.textContent === `+jsString(hostile)+`)`)
	a.hover(640, 400)
	b.nextFrame()
	for _, tb := range []*tab{a, b} {
		if n := eval[int](tb, `document.querySelectorAll("img").length`); n != 0 {
			t.Fatalf("%s: the name made %d img elements", tb.name, n)
		}
	}
	if got := eval[string](a, `document.querySelector("#peers li.me .avatar").dataset.tip`); got != "You ("+hostile+")" {
		t.Fatalf("A's own avatar says %q", got)
	}
}

func TestBrowserPresenceFollow(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	journeyFollow(t, oneServer(startServer(t).URL))
}

// journeyFollow is TestBrowserPresenceFollow on site s: B makes the board, A follows B,
// then Ana, a client with no views.
func journeyFollow(t *testing.T, s site) {
	browser := newBrowser(t)
	// B is there first: A learns B's view when A arrives, before B moves.
	b := createBoard(t, browser, "B", s.home("B"))
	link := b.shareLink("edit")
	b.do("pan B", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseWheel, 640, 400, func(p *input.DispatchMouseEventParams) { p.DeltaX, p.DeltaY = 700, -300 }))
	b.waitFor("B panned", `tabula.camera.x === 700 && tabula.camera.y === -300`)
	a := openTab(t, browser, "A", s.link(t, "A", link))
	sidB := eval[string](b, `tabula.sync.sid`)
	a.waitFor("B in A's panel", avatarOf(sidB))

	// sameView: A's camera is B's (both tabs are 1280×800, so B's view fits A's exactly).
	sameView := func() string {
		cam := eval[struct{ X, Y, Zoom float64 }](b, `tabula.camera`)
		return fmt.Sprintf(`(({x, y, zoom}) => Math.abs(x - %g) < 0.5 && Math.abs(y - %g) < 0.5 && Math.abs(zoom / %g - 1) < 1e-3)(tabula.camera)`, cam.X, cam.Y, cam.Zoom)
	}
	a.do("follow B", chromedp.Click(chromedp.CSS(`#peers li[data-sid="`+sidB+`"] .avatar`)))
	a.waitFor("the pill", `document.getElementById("follow-pill").checkVisibility() && document.getElementById("follow-name").textContent === `+jsString(eval[string](b, `tabula.sync.name`)))
	a.waitFor("A showing B's view", sameView())
	// B zooms in and pans: A's view goes along.
	b.do("zoom B in", chromedp.Click(chromedp.CSS(`#zoom-in`)))
	b.do("pan B", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseWheel, 640, 400, func(p *input.DispatchMouseEventParams) { p.DeltaX, p.DeltaY = -240, 360 }))
	b.waitFor("B zoomed and panned", `tabula.camera.zoom > 1.19 && tabula.camera.x < 700`)
	a.waitFor("A following B's view", sameView())

	// A pans with the wheel: following ends, and B's next move leaves A's view alone.
	a.do("scroll A", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseWheel, 640, 400, func(p *input.DispatchMouseEventParams) { p.DeltaX, p.DeltaY = 1, 120 }))
	a.waitFor("following stopped", `tabula.follow.sid === "" && document.getElementById("follow-pill").hidden`)
	cam := eval[string](a, `JSON.stringify(tabula.camera)`)
	b.do("pan B again", chromedp.MouseEvent(input.DispatchMouseEventTypeMouseWheel, 640, 400, func(p *input.DispatchMouseEventParams) { p.DeltaX, p.DeltaY = 500, 500 }))
	bx := eval[float64](b, `tabula.camera.x`)
	a.waitFor("B's newest view", fmt.Sprintf(`Math.abs(tabula.state.views.get(%s)?.x - %g) < 0.5`, jsString(sidB), bx))
	a.nextFrame()
	if after := eval[string](a, `JSON.stringify(tabula.camera)`); after != cam {
		t.Fatalf("A's view moved after following stopped: %s → %s", cam, after)
	}

	// Following again, then the pill stops it.
	a.do("follow B again", chromedp.Click(chromedp.CSS(`#peers li[data-sid="`+sidB+`"] .avatar`)))
	a.waitFor("following B", `tabula.follow.sid === `+jsString(sidB)+` && `+sameView())
	a.do("click the pill", chromedp.Click(chromedp.CSS(`#follow-pill`)))
	a.waitFor("following stopped", `tabula.follow.sid === "" && document.getElementById("follow-pill").hidden`)

	// A client that sends no views (an older one) is followed by its cursor.
	ana := newBot(t, wsOf(s.link(t, "Ana", link)), "Ana", "#c2255c")
	a.waitFor("Ana in the panel", avatarOf(ana.sid))
	ana.cursor(t, 3000, -1200)
	a.waitFor("Ana's cursor", `tabula.state.cursors.has(`+jsString(ana.sid)+`)`)
	a.do("follow Ana", chromedp.Click(chromedp.CSS(`#peers li[data-sid="`+ana.sid+`"] .avatar`)))
	a.waitFor("the pill", `document.getElementById("follow-name").textContent === "Ana"`)
	centred := func(x, y float64) string {
		return fmt.Sprintf(`(({x, y, zoom}) => Math.abs(x + innerWidth / 2 / zoom - %g) < 1 && Math.abs(y + innerHeight / 2 / zoom - %g) < 1)(tabula.camera)`, x, y)
	}
	a.waitFor("Ana's cursor in the middle", centred(3000, -1200))
	ana.cursor(t, 3400, -900)
	a.waitFor("the view following Ana's cursor", centred(3400, -900))
}

func TestBrowserPresenceHomeCounts(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	journeyHomeCounts(t, oneServer(startServer(t).URL))
}

// journeyHomeCounts is TestBrowserPresenceHomeCounts on site s: H and visitors 1 to 3.
func journeyHomeCounts(t *testing.T, s site) {
	browser := newBrowser(t)
	// H makes two boards on the home page, so its home page lists them, then goes home.
	h := createBoard(t, browser, "H", s.home("H"))
	one := h.shareLink("edit")
	h.do("go home", chromedp.Navigate(s.home("H")+"/"))
	two := h.newBoardFromHome()
	// Two people open the first board's link.
	for i := range 2 {
		name := fmt.Sprintf("visitor %d", i+1)
		openTab(t, browser, name, s.link(t, name, one))
	}
	h.do("go home", chromedp.Navigate(s.home("H")+"/"))
	badge := func(id string) string {
		return `(document.querySelector(".here[data-id=" + CSS.escape(` + jsString(id) + `) + "]")?.checkVisibility() ? document.querySelector(".here[data-id=" + CSS.escape(` + jsString(id) + `) + "]").textContent : "")`
	}
	h.waitFor("2 on the first board", badge(path.Base(one))+` === "2 here"`)
	if got := eval[string](h, badge(path.Base(two))); got != "" {
		t.Fatalf("the empty board shows %q, want no badge", got)
	}
	// Someone arrives: the count goes up without a reload.
	openTab(t, browser, "visitor 3", s.link(t, "visitor 3", two))
	h.waitFor("1 on the second board", badge(path.Base(two))+` === "1 here"`)
	h.screenshot(strings.ReplaceAll(t.Name(), "/", "-") + "-home-counts.png")
}
