package e2e

import (
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// openPages opens tb's page menu and waits for its list.
func (tb *tab) openPages() {
	tb.t.Helper()
	tb.do("open the page menu", chromedp.Click(chromedp.CSS(`#page-button`)))
	tb.waitFor("the page list", `document.getElementById("pages-panel").checkVisibility() && !!document.querySelector("#pages-panel .page-go, #pages-panel .page-rename")`)
}

// pageNames is the page list as tb's page menu shows it (the menu open).
func (tb *tab) pageNames() string {
	tb.t.Helper()
	return eval[string](tb, `[...document.querySelectorAll("#pages-panel .page-go")].map((b) => b.textContent).join(",")`)
}

// TestBrowserPages is two people working on pages, from the home page: Ana adds a page
// from the page menu and names it in place, each draws on a page, Bob sees the list and
// who is on which page and switches to hers, Ana deletes the page with everything on it
// and gets it back with one undo, and the address carries the page: back and forward
// move between pages, and a reload opens the page it names. Following Ana takes Bob to
// her page.
func TestBrowserPages(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	journeyPages(t, oneServer(startServer(t).URL))
}

// journeyPages is TestBrowserPages on site s, with the people ana (who makes the board)
// and bob, and the screens that open the links last (on one server only).
func journeyPages(t *testing.T, s site) {
	browser := newBrowser(t)
	shots := newShots(t)
	ana, bob, link := twoOnBoard(t, browser, s, "ana", "bob")

	// A rectangle on the first page.
	ana.key("r")
	r1 := ana.added("rect", func() { ana.dragWith([2]float64{300, 300}, [2]float64{420, 380}) })

	// A new page, named in place as it is made.
	ana.openPages()
	if got := ana.pageNames(); got != "Page 1" {
		t.Fatalf("a new board lists pages %q, want Page 1", got)
	}
	ana.do("add a page", chromedp.Click(chromedp.CSS(`#page-add`)))
	ana.waitFor("the name field of the new page", `document.activeElement?.classList.contains("page-rename")`)
	ana.do("name it", chromedp.KeyEvent("Ideas"), chromedp.KeyEvent(kb.Enter))
	ana.waitFor("on the new page, named", `tabula.doc.page !== "page1" && tabula.doc.pages().find((p) => p.id === tabula.doc.page)?.text === "Ideas" && document.getElementById("page-button").textContent.includes("Ideas")`)
	ideas := eval[string](ana, `tabula.doc.page`)
	ana.waitFor("the page in the address", `location.hash === "#page=`+ideas+`"`)
	ana.waitFor("the first page's rectangle not shown", `!tabula.doc.view().some((el) => el.id === `+jsString(r1.ID)+`)`)
	ana.key(kb.Escape)

	// Ana draws on Ideas: the stroke is on that page.
	ana.pick("pen")
	stroke := ana.added("stroke", func() { ana.drag(wave(500, 300, 240, 40, 20)) })
	if stroke.Page != ideas {
		t.Fatalf("the stroke is on page %q, want %q", stroke.Page, ideas)
	}

	// Bob, on the first page, sees the page list and that Ana is on Ideas.
	bob.sees(ana, stroke)
	bob.waitFor("the stroke not on bob's page", `!tabula.doc.view().some((el) => el.id === `+jsString(stroke.ID)+`)`)
	bob.waitFor("ana is on Ideas", `[...document.querySelectorAll("#peers li[data-sid]")].some((li) => li.dataset.sid !== tabula.sync.sid && li.dataset.page === "Ideas")`)
	bob.waitFor("bob is on Page 1", `document.querySelector("#peers li.me")?.dataset.page === "Page 1"`)
	bob.openPages()
	if got := bob.pageNames(); got != "Page 1,Ideas" {
		t.Fatalf("bob's page list is %q", got)
	}
	shots.take(bob, "bob-pages")
	bob.do("go to Ideas", chromedp.Click(chromedp.CSS(`#pages-panel .page-go[data-go="`+ideas+`"]`)))
	bob.waitFor("bob on Ideas with the stroke", `tabula.doc.page === `+jsString(ideas)+` && tabula.doc.view().some((el) => el.id === `+jsString(stroke.ID)+`) && location.hash === "#page=`+ideas+`"`)
	ana.waitFor("ana sees bob on Ideas", `[...document.querySelectorAll("#peers li[data-sid]")].filter((li) => li.dataset.page === "Ideas").length === 2`)

	// Bob draws on Ideas too.
	bob.key("r")
	r2 := bob.added("rect", func() { bob.dragWith([2]float64{300, 500}, [2]float64{400, 580}) })
	if r2.Page != ideas {
		t.Fatalf("bob's rectangle is on page %q, want %q", r2.Page, ideas)
	}
	ana.sees(bob, r2)
	converged(t, ana, bob)
	shots.take(ana, "ideas")

	// Ana deletes Ideas: its stroke and Bob's rectangle go with it, Bob is moved to the
	// first page; one undo brings it all back.
	ana.openPages()
	ana.do("delete Ideas", chromedp.Click(chromedp.CSS(`#pages-panel .page-act.delete[data-page="`+ideas+`"]`)))
	bob.waitFor("Ideas gone for bob, with what was on it", `!tabula.doc.pages().some((p) => p.id === `+jsString(ideas)+`) && !tabula.doc.get(`+jsString(stroke.ID)+`) && !tabula.doc.get(`+jsString(r2.ID)+`)`)
	bob.waitFor("bob moved to the first page", `tabula.doc.page === "page1" && tabula.doc.view().some((el) => el.id === `+jsString(r1.ID)+`)`)
	bob.toastSeen("The page you were on was deleted")
	ana.key(kb.Escape)
	ana.key("z", kb.ModifierCtrl)
	bob.waitFor("Ideas back with both elements after one undo", `tabula.doc.pages().some((p) => p.id === `+jsString(ideas)+` && p.text === "Ideas") && tabula.doc.get(`+jsString(stroke.ID)+`)?.page === `+jsString(ideas)+` && tabula.doc.get(`+jsString(r2.ID)+`)?.page === `+jsString(ideas))
	// The undo took Ana back to the page it brought back, to see it (as tldraw does).
	ana.waitFor("ana on Ideas after the undo", `tabula.doc.page === `+jsString(ideas)+` && tabula.doc.view().length === 2`)
	converged(t, ana, bob)

	// Duplicate Ideas: a third page with copies of both elements under fresh ids; move it
	// up with its arrow, and Bob's list shows the new order.
	ana.openPages()
	ana.do("duplicate Ideas", chromedp.Click(chromedp.CSS(`#pages-panel .page-act.duplicate[data-page="`+ideas+`"]`)))
	ana.waitFor("on the copy, with copies of both elements", `(() => { const p = tabula.doc.pages().find((p) => p.id === tabula.doc.page);
		const v = tabula.doc.view();
		return p?.text === "Ideas copy" && v.length === 2 && v.every((el) => el.page === p.id && el.id !== `+jsString(stroke.ID)+` && el.id !== `+jsString(r2.ID)+`); })()`)
	ana.settled()
	copy := eval[string](ana, `tabula.doc.page`)
	ana.do("move the copy up", chromedp.Click(chromedp.CSS(`#pages-panel .page-act.up[data-page="`+copy+`"]`)))
	bob.waitFor("bob's list in the new order", `tabula.doc.pages().map((p) => p.text || "Page 1").join(",") === "Page 1,Ideas copy,Ideas"`)
	ana.key(kb.Escape)
	ana.settled()

	// The address: back and forward move between pages; a reload opens the page named.
	ana.openPages()
	ana.do("go to Ideas", chromedp.Click(chromedp.CSS(`#pages-panel .page-go[data-go="`+ideas+`"]`)))
	ana.waitFor("ana on Ideas", `tabula.doc.page === `+jsString(ideas)+` && location.hash === "#page=`+ideas+`"`)
	ana.do("back", chromedp.NavigateBack())
	ana.waitFor("back on the copy", `tabula.doc.page === `+jsString(copy))
	ana.do("forward", chromedp.NavigateForward())
	ana.waitFor("forward on Ideas", `tabula.doc.page === `+jsString(ideas))
	ana.do("reload", chromedp.Reload())
	ana.waitFor("the reloaded board on Ideas", `window.tabula && document.body.dataset.state === "online" && tabula.doc.page === `+jsString(ideas)+` && tabula.doc.view().some((el) => el.id === `+jsString(stroke.ID)+`) && document.getElementById("page-button").textContent.includes("Ideas")`)

	// Bob, on the first page, follows Ana: he goes to her page.
	bob.waitFor("bob on the first page", `tabula.doc.page === "page1"`)
	anaSid := eval[string](ana, `tabula.sync.sid`)
	bob.waitFor("ana's avatar says she is on Ideas", `document.querySelector('#peers li[data-sid="`+anaSid+`"]')?.dataset.page === "Ideas"`)
	bob.do("follow ana", chromedp.Click(chromedp.CSS(`#peers li[data-sid="`+anaSid+`"] button`)))
	bob.waitFor("bob follows ana to Ideas", `tabula.follow.sid === `+jsString(anaSid)+` && tabula.doc.page === `+jsString(ideas))
	bob.key(kb.Escape)

	// Screenshots: desktop and phone, light and dark, with the page menu open. The dark
	// phone opens the view-only link to Ideas: the menu lists the pages and changes nothing.
	// Across nodes, where one page's menu is the same, they are left out.
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
			viewer := screen.name == "phone" && dark
			if viewer {
				url = viewLink
			}
			tb := openTabOn(t, browser, name, url+"#page="+ideas, chromedp.EmulateViewport(screen.w, screen.h))
			if dark {
				tb.darkMode()
			}
			tb.waitFor("the linked page", `tabula.doc.page === `+jsString(ideas)+` && tabula.doc.view().length === 2`)
			tb.openPages()
			if got := tb.pageNames(); got != "Page 1,Ideas copy,Ideas" {
				t.Fatalf("%s: pages %q", name, got)
			}
			if viewer && eval[bool](tb, `!!document.querySelector("#pages-panel .page-act, #page-add:not([hidden])")`) {
				t.Fatalf("the view-only link offers changes to pages")
			}
			shots.take(tb, name+"-menu")
		}
	}
}
