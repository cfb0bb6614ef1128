package e2e

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
)

// Replacing a leaked link, in real Chromium against a real server: the share panel's
// confirm step, the page of the editor who asked moving to the new link, and the
// message on pages whose link was replaced. Helpers come from browser_util_test.go and
// journey_util_test.go.

// replaceLink opens Share, asks to replace the link which ("edit" or "view"), and
// stops at the confirm step, which it checks says that the old link stops working.
func (tb *tab) replaceLink(which string) {
	tb.t.Helper()
	tb.do("open Share", chromedp.Click(chromedp.CSS(`#share`)))
	tb.waitFor("the Share dialog", `document.getElementById("share-panel").checkVisibility()`)
	tb.do("click Replace "+which+" link", chromedp.Click(chromedp.CSS(`#replace-`+which)))
	tb.waitFor("the confirm step", `document.getElementById("replace-confirm").checkVisibility() &&
		document.getElementById("replace-confirm-text").textContent.includes("stops working at once for everyone")`)
}

// confirmReplace clicks the confirm step's button and waits until the share panel shows
// the new link; it returns the new link.
func (tb *tab) confirmReplace(which, old string) string {
	tb.t.Helper()
	tb.do("confirm", chromedp.Click(chromedp.CSS(`#replace-go`)))
	tb.waitFor("the new "+which+" link", `document.getElementById("replace-confirm").hidden &&
		document.getElementById(`+jsString(which+"-link")+`).value !== `+jsString(old))
	return eval[string](tb, `document.getElementById(`+jsString(which+"-link")+`).value`)
}

// toldReplaced waits until the page says its link was replaced, and has stopped
// connecting.
func (tb *tab) toldReplaced(which string) {
	tb.t.Helper()
	tb.waitFor("the message that the link was replaced", `document.getElementById("link-replaced").checkVisibility() &&
		document.getElementById("link-replaced-text").textContent.includes("This `+which+` link was replaced by an editor; ask them for the new one") &&
		document.body.dataset.state === "offline" && tabula.sync.stopped`)
}

func TestBrowserReplaceEditLink(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	journeyReplaceEditLink(t, oneServer(startServer(t).URL))
}

// journeyReplaceEditLink is TestBrowserReplaceEditLink on site s: B makes the board and
// sends its links to A and the Viewer; A, an editor who did not make it (across nodes:
// not on the board's owner), replaces the edit link; C opens the old one.
func journeyReplaceEditLink(t *testing.T, s site) {
	browser := newBrowser(t)
	shots := newShots(t)
	b := createBoard(t, browser, "B", s.home("B"))
	edit, view := b.shareLink("edit"), b.shareLink("view")
	a := openTab(t, browser, "A", s.link(t, "A", edit))
	edit, view = s.link(t, "A", edit), s.link(t, "Viewer", view)
	v := openTab(t, browser, "Viewer", view)
	sidA := eval[string](a, `tabula.sync.sid`)
	sidV := eval[string](v, `tabula.sync.sid`)

	first := a.added("stroke", func() {
		a.pick("pen")
		a.drag(wave(340, 250, 200, 40, 16))
	})
	b.sees(a, first)
	v.sees(a, first)

	a.replaceLink("edit")
	shots.take(a, "confirm")
	fresh := a.confirmReplace("edit", edit)
	if fresh == edit {
		t.Fatal("the edit link did not change")
	}
	u, _ := url.Parse(fresh)
	a.waitFor("the address bar on the new link", `location.pathname === `+jsString(u.Path))

	b.toldReplaced("edit")
	shots.take(b, "replaced")

	// A carries on, on the same connection, and the viewer sees it.
	if sid := eval[string](a, `tabula.sync.sid`); sid != sidA {
		t.Fatalf("A's session changed from %s to %s: the connection was not kept", sidA, sid)
	}
	a.do("close Share", chromedp.Click(chromedp.CSS(`#share`)))
	second := a.added("stroke", func() { a.drag(wave(340, 450, 200, 40, 16)) })
	v.sees(a, second)
	if eval[string](v, `location.href`) != view {
		t.Fatal("the viewer's page moved")
	}
	// A's presence follows the board on its new link: the viewer is still listed.
	a.waitFor("the viewer in A's people row", avatarOf(sidV))

	// Every way in through the old link is gone: a page opened on it is the not-found
	// page, and A's page, reloaded, is the board on its new link with both strokes.
	c := openPage(t, browser, "C", s.link(t, "C", edit), chromedp.EmulateViewport(viewW, viewH))
	c.waitFor("the not-found page", `document.body.innerText.includes("Check that the link is complete")`)
	a.do("reload", chromedp.Reload())
	a.waitAcross("A online again after a reload", `document.body.dataset.state === "online" && tabula.doc.view().length === 2`)
	if got := eval[string](a, `location.href`); got != fresh {
		t.Fatalf("A reloaded %s, want %s", got, fresh)
	}
}

// On a phone: an editor replaces the view link; the viewer's page says so, and the
// editors carry on. Screenshots of the confirm step and the message, light and dark.
func TestBrowserReplaceViewLinkPhone(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	browser := newBrowser(t)
	ts := startServer(t)
	shots := newShots(t)
	const w, h = 390, 844
	phone := chromedp.EmulateViewport(w, h, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch)
	a := openHomeOn(t, browser, "A", ts.URL, phone)
	a.newBoardFromHome()
	view := a.shareLink("view")
	v := openTabOn(t, browser, "Viewer", view, phone)
	v.waitFor("the phone screen", fmt.Sprintf(`innerWidth === %d && innerHeight === %d`, w, h))

	a.replaceLink("view")
	shots.take(a, "confirm-light")
	a.darkMode()
	shots.take(a, "confirm-dark")
	fresh := a.confirmReplace("view", view)

	v.toldReplaced("view")
	shots.take(v, "replaced-light")
	v.darkMode()
	shots.take(v, "replaced-dark")

	// The editor is not affected; the new view link works.
	a.added("rect", func() {
		a.do("close Share", chromedp.Click(chromedp.CSS(`#share`)))
		a.pick("rect")
		a.dragWith([2]float64{80, 300}, [2]float64{260, 420})
	})
	if eval[string](a, `document.body.dataset.state`) != "online" {
		t.Fatal("the editor went offline when the view link was replaced")
	}
	v2 := openTabOn(t, browser, "Viewer2", fresh, phone)
	v2.waitFor("the rectangle on the new view link", `tabula.doc.view().some((el) => el.type === "rect")`)
}

// An editor whose network was down while another replaced the edit link comes back
// online: the page cannot learn why its reconnects fail from the WebSocket (a browser
// hides the handshake's 404), so it asks the server whether its link still exists and,
// told no, stops and says so — with its unsaved change counted — instead of retrying
// for ever.
func TestBrowserLinkReplacedWhileOffline(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	browser := newBrowser(t)
	ts := startServer(t)
	shots := newShots(t)
	net := newRelay(t, ts.Addr())
	a := createBoard(t, browser, "A", net.URL())
	edit := a.shareLink("edit")
	d := openTab(t, browser, "D", edit)

	d.setOffline(true)
	net.cut()
	d.waitFor("offline, with the banner", `document.body.dataset.state === "offline" && document.getElementById("offline").checkVisibility()`)
	d.pick("pen")
	d.drag(wave(340, 300, 300, 60, 16))
	d.waitFor("the stroke kept", `tabula.doc.pending.length === 1`)

	a.waitFor("A back online after the cut", `document.body.dataset.state === "online"`)
	a.replaceLink("edit")
	if fresh := a.confirmReplace("edit", edit); fresh == edit {
		t.Fatal("the edit link did not change")
	}

	d.setOffline(false)
	d.waitFor("the message that the link no longer works", `document.getElementById("link-replaced").checkVisibility() &&
		document.getElementById("link-replaced-text").textContent.includes("while you were offline") &&
		document.getElementById("link-replaced-unsaved").textContent.includes("A change you made just before was not saved") &&
		tabula.sync.stopped`)
	shots.take(d, "replaced-while-offline")
}
