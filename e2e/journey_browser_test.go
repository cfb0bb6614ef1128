package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Journeys: what people do with Tabula from the first click on the home page to the
// last, in real Chromium, each person in a browser context of their own. Nothing here
// reaches a board except through the pages; the screenshots of the key moments go to
// $TABULA_SCREENSHOTS (or $TABULA_SCREENSHOT_DIR, which the other browser tests use)
// when it is set — look at them — and else to a temp dir. Two journeys live with the
// tests they grew from: view-only in TestBrowserViewOnlyPage (browser_test.go) and
// voice in TestBrowserVoice (voice_browser_test.go).

// TestJourneyMain is the whole life of a board: made on the home page, shared, drawn on
// by two people with every tool, exported in every format, opened again from the home
// page, taken back in history, deleted and brought back from the trash.
func TestJourneyMain(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	journeyMain(t, oneServer(startServer(t).URL))
}

// journeyMain is TestJourneyMain on site s, with the people A (who makes the board) and
// B. B, who did not make the board, exports it and takes it back in history: across
// nodes B's node is not the board's owner.
func journeyMain(t *testing.T, s site) {
	browserCtx := newBrowser(t)
	shot := newShots(t)
	dir := t.TempDir()

	// A makes a board on the home page and copies its link from the Share dialog.
	a := openHome(t, browserCtx, "A", s.home("A"))
	shot.take(a, "home")
	edit := a.newBoardFromHome()
	link := a.copyShareLink(s.home("A"), "edit")
	if link != edit {
		t.Fatalf("the Share dialog copied %q; the board is at %q", link, edit)
	}
	// B opens the link A sent.
	b := openTab(t, browserCtx, "B", s.link(t, "B", link))
	sidA, sidB := eval[string](a, `tabula.sync.sid`), eval[string](b, `tabula.sync.sid`)
	a.waitFor("B on the board", avatarOf(sidB))
	b.waitFor("A on the board", avatarOf(sidA))

	// Every tool, half each. A: pen, line, rectangle, diamond, sticky note.
	var mine []elem
	mine = append(mine, a.added("stroke", func() {
		a.pick("pen")
		a.drag(wave(340, 250, 200, 40, 16))
	}))
	mine = append(mine, a.added("line", func() {
		a.pick("line")
		a.dragWith([2]float64{600, 230}, [2]float64{760, 270})
	}))
	mine = append(mine, a.added("rect", func() {
		a.pick("rect")
		a.dragWith([2]float64{820, 200}, [2]float64{960, 300})
	}))
	mine = append(mine, a.added("diamond", func() {
		a.pick("diamond")
		a.dragWith([2]float64{1000, 200}, [2]float64{1120, 300})
	}))
	mine = append(mine, a.added("note", func() {
		a.pick("note")
		a.click(1000, 560, 1)
		a.waitFor("the note editor", `document.activeElement?.classList.contains("text-editor")`)
		a.key("Ship on Friday")
		a.key(kb.Escape)
	}))
	a.key(kb.Escape)
	for _, el := range mine {
		b.sees(a, el)
	}
	seqA := eval[string](a, `document.body.dataset.seq`)

	// B: highlighter, arrow, ellipse, text, and an image from the image tool's file chooser.
	var theirs []elem
	theirs = append(theirs, b.added("stroke", func() {
		b.pick("highlighter")
		b.drag([][2]float64{{340, 420}, {420, 424}, {500, 418}, {560, 420}})
	}))
	theirs = append(theirs, b.added("arrow", func() {
		b.pick("arrow")
		b.dragWith([2]float64{600, 420}, [2]float64{760, 460})
	}))
	theirs = append(theirs, b.added("ellipse", func() {
		b.pick("ellipse")
		b.dragWith([2]float64{820, 380}, [2]float64{960, 470})
	}))
	theirs = append(theirs, b.added("text", func() {
		b.pick("text")
		b.click(340, 560, 1)
		b.waitFor("the text editor", `document.activeElement?.classList.contains("text-editor")`)
		b.key("Hello from B")
		b.key(kb.Escape)
	}))
	theirs = append(theirs, b.added("image", func() {
		b.chooseFile(`.toolbar button[data-action="image"]`, writePNG(t, dir, "photo.png", 80, 60, false))
	}))
	b.key(kb.Escape)
	for _, el := range theirs {
		a.sees(b, el)
	}
	n := converged(t, a, b)
	if n != 10 {
		t.Fatalf("%d elements on the board, want the 10 drawn", n)
	}
	shot.take(a, "every-tool-A")
	shot.take(b, "every-tool-B")
	board := a.elements()
	want := kinds(board)

	// B exports in every format, from the Export panel, and opens each file.
	downloads := t.TempDir()
	b.downloadsTo(downloads)
	b.watchToasts()
	img := readPNG(t, shot.keep(b.exportAs(downloads, "png")))
	if ink := inkPixels(img); ink < 2000 {
		t.Errorf("the PNG export has %d pixels of ink, want the drawing", ink)
	}
	names, text := checkSVG(t, shot.keep(b.exportAs(downloads, "svg")))
	if names["image"] != 1 || names["path"] < 8 || !strings.Contains(text, "Hello from B") || !strings.Contains(text, "Ship on Friday") {
		t.Errorf("the SVG export holds %v and the text %q; want the image, the shapes' paths and both texts", names, text)
	}
	pdf := shot.keep(b.exportAs(downloads, "pdf"))
	if head, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(head, []byte("%PDF-")) {
		t.Errorf("the PDF export does not start as a PDF (%v)", err)
	}
	if pdftoppm, err := exec.LookPath("pdftoppm"); err != nil {
		t.Logf("pdftoppm not found: the PDF export is not rendered")
	} else {
		out := filepath.Join(t.TempDir(), "page")
		if msg, err := exec.Command(pdftoppm, "-png", "-r", "40", "-singlefile", pdf, out).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v: %s", err, msg)
		}
		if ink := inkPixels(readPNG(t, out+".png")); ink < 500 {
			t.Errorf("the PDF export renders with %d pixels of ink, want the drawing", ink)
		}
	}
	jsonFile := b.exportAs(downloads, "json")
	raw, err := os.ReadFile(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	var file exported
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatalf("the JSON export does not parse: %v", err)
	}
	if got := kinds(file.Elements); fmt.Sprint(got) != fmt.Sprint(want) || len(file.Images) != 1 {
		t.Fatalf("the JSON export has %v and %d images; the board has %v and 1 image", got, len(file.Images), want)
	}
	b.do("close Export", chromedp.Click(chromedp.CSS(`#export`)))

	// A opens the JSON file B sent from the home page: a new board with the same elements.
	a.do("go home", chromedp.Navigate(s.home("A")+"/"))
	a.waitFor("the home page", `!!document.getElementById("open-file")`)
	a.chooseFile(`#open-file`, jsonFile)
	a.waitAcross("the imported board", `location.pathname.startsWith("/b/") && location.href !== `+jsString(edit)+`
		&& document.body?.dataset.state === "online" && window.tabula?.doc.view().length === 10`)
	if got := kinds(a.elements()); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("the imported board has %v, want %v", got, want)
	}
	imported := a.elements()
	for i, el := range board {
		if got := imported[i]; got.Type != el.Type || got.Text != el.Text || got.X != el.X || got.Y != el.Y || got.Src != el.Src {
			t.Fatalf("imported element %d is %+v, was %+v", i, got, el)
		}
	}
	shot.take(a, "imported")

	// Back on the shared board with A, B takes it back to the version before they drew:
	// History, the slider moved with the keyboard, Restore this version.
	a.do("open the shared board", chromedp.Navigate(edit))
	a.waitFor("online", `document.body.dataset.state === "online" && tabula.doc.view().length === 10`)
	b.do("open History", chromedp.Click(chromedp.CSS(`#history-button`)))
	b.waitFor("the history", `document.querySelectorAll("#history-list .history-session").length >= 1`)
	b.do("focus the slider", chromedp.Focus(chromedp.CSS(`#history-slider`)))
	b.key(kb.End)
	for i := 0; eval[string](b, `document.getElementById("history-slider").value`) != seqA; i++ {
		if i > 200 {
			t.Fatalf("the slider never reached version %s", seqA)
		}
		b.key(kb.ArrowLeft)
	}
	b.waitFor("version "+seqA+" shown", `document.body.dataset.previewing === `+jsString(seqA)+` && document.getElementById("version-banner").checkVisibility()`)
	shot.take(b, "history-preview")
	b.do("restore the version", chromedp.Click(chromedp.CSS(`#version-restore`)))
	// The page closes History and offers to undo once the server has answered; the
	// others may see the restore before that. A refused restore is a message.
	b.waitFor("the offer to undo the restore, or a refusal", `document.getElementById("version-undo").checkVisibility() && document.getElementById("history-panel").hidden || toastsSeen.some((m) => m.includes("could not be restored"))`)
	if msg := eval[string](b, `toastsSeen.find((m) => m.includes("could not be restored")) ?? ""`); msg != "" {
		t.Fatalf("B's restore was refused: %q", msg)
	}
	only := func(els []elem) string {
		ids := make([]string, len(els))
		for i, e := range els {
			ids[i] = e.ID
		}
		b, _ := json.Marshal(ids)
		return `JSON.stringify(tabula.doc.view().map((el) => el.id).sort()) === JSON.stringify(` + string(b) + `.sort())`
	}
	a.waitFor("A's five elements and no more", only(mine))
	b.waitFor("A's five elements and no more", only(mine))
	converged(t, a, b)
	shot.take(b, "restored-version-B")

	// A deletes the board from the board menu; B sees it go.
	if eval[bool](a, `document.getElementById("history-panel").hidden`) {
		a.do("open History", chromedp.Click(chromedp.CSS(`#history-button`)))
	}
	// The list fills in as the history arrives, moving the button below it: wait until
	// it shows the restore, the newest version, as a person waits for the panel to settle.
	a.waitFor("the restore at the top of History", `document.querySelector("#history-list .history-session small")?.textContent.endsWith("version " + tabula.doc.seq)`)
	a.waitFor("Delete board", `document.getElementById("delete-board").checkVisibility()`)
	if msg := a.confirmClick(`#delete-board`); !strings.HasPrefix(msg, "Delete") {
		t.Fatalf("the dialog asked %q", msg)
	}
	a.waitAcross("the home page", `location.pathname === "/" && !!document.getElementById("open-file")`)
	b.waitFor("the board gone", `document.body.dataset.state !== "online"`)
	b.toastSeen("This board was deleted")
	shot.take(b, "deleted-B")

	// A opens the link again: the trash page, and Restore this board.
	a.do("open the link", chromedp.Navigate(edit))
	a.waitAcross("the trash page", `!!document.querySelector('form[action$="/undelete"] button')`)
	shot.take(a, "trash")
	a.do("click Restore this board", chromedp.Click(chromedp.CSS(`form[action$="/undelete"] button`)))
	a.waitAcross("the board back", `location.href === `+jsString(edit)+` && document.body?.dataset.state === "online"`)
	b.waitFor("B back on the board", `document.body.dataset.state === "online"`)
	if n := converged(t, a, b); n != len(mine) {
		t.Fatalf("%d elements after the restore from the trash, want %d", n, len(mine))
	}
	a.waitFor("A's five elements", only(mine))
	shot.take(a, "back-A")
	shot.take(b, "back-B")
}

// TestJourneyOffline: one of two people loses the network, draws on, and comes back;
// both end with the same board.
func TestJourneyOffline(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	journeyOffline(t, oneServer(startServer(t).URL))
}

// journeyOffline is TestJourneyOffline on site s, with the people A and B, each behind
// a network of their own.
func journeyOffline(t *testing.T, s site) {
	browserCtx := newBrowser(t)
	shot := newShots(t)
	netA := newRelay(t, strings.TrimPrefix(s.home("A"), "http://"))
	netB := newRelay(t, strings.TrimPrefix(s.home("B"), "http://"))
	a := createBoard(t, browserCtx, "A", netA.URL())
	b := openTab(t, browserCtx, "B", rebase(t, a.shareLink("edit"), netB.URL()))

	// A's network goes: the browser is offline, and its connection is gone. (B's goes
	// too, for a moment, as if the site's network hiccupped; B reconnects at once.)
	a.setOffline(true)
	netA.cut()
	netB.cut()
	a.waitFor("offline, with the banner", `document.body.dataset.state === "offline" && document.getElementById("offline").checkVisibility()`)
	a.pick("pen")
	a.drag(wave(340, 300, 300, 60, 16))
	a.waitFor("the stroke kept", `tabula.doc.view().some((el) => el.type === "stroke") && tabula.doc.pending.length === 1`)
	stroke := a.only("stroke")
	shot.take(a, "offline-A")
	// B draws meanwhile.
	rect := b.added("rect", func() {
		b.pick("rect")
		b.dragWith([2]float64{800, 300}, [2]float64{950, 420})
	})
	if eval[bool](b, `!!tabula.doc.get(`+jsString(stroke.ID)+`)`) {
		t.Fatalf("B has A's stroke while A is offline")
	}

	a.setOffline(false)
	a.waitFor("back online, banner gone", `document.body.dataset.state === "online" && !document.getElementById("offline").checkVisibility()`)
	b.sees(a, stroke)
	a.sees(b, rect)
	if n := converged(t, a, b); n != 2 {
		t.Fatalf("%d elements after A came back, want the stroke and the rectangle", n)
	}
	shot.take(a, "back-A")
}

// TestJourneyPhone: a person on a phone makes a board on the home page, draws with a
// finger, and someone at a computer who opens the link sees it, and the other way round.
func TestJourneyPhone(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	journeyPhone(t, oneServer(startServer(t).URL))
}

// journeyPhone is TestJourneyPhone on site s, with the people phone (who makes the
// board) and desk.
func journeyPhone(t *testing.T, s site) {
	const w, h = 390, 844
	browserCtx := newBrowser(t)
	shot := newShots(t)
	p := openHomeOn(t, browserCtx, "phone", s.home("phone"), chromedp.EmulateViewport(w, h, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
	p.waitFor("the phone screen", fmt.Sprintf(`innerWidth === %d && innerHeight === %d && matchMedia("(pointer: coarse)").matches`, w, h))
	shot.take(p, "home")
	p.tap(p.centre(`form[action="/boards"] button`))
	p.waitAcross("the new board online", `location.pathname.startsWith("/b/") && document.body?.dataset.state === "online"`)

	// The link, from the Share dialog opened with a tap.
	p.tap(p.centre(`#share`))
	p.waitFor("the Share dialog", `document.getElementById("share-panel").checkVisibility()`)
	shot.take(p, "share")
	link := eval[string](p, `document.getElementById("edit-link").value`)
	p.tap(p.centre(`#share`))
	p.waitFor("the Share dialog closed", `document.getElementById("share-panel").hidden`)
	d := openTab(t, browserCtx, "desk", s.link(t, "desk", link))

	// A finger draws with the pen.
	stroke := p.added("stroke", func() {
		p.tap(p.centre(`.toolbar [data-tool="pen"]`))
		p.waitFor("the pen", `document.body.dataset.tool === "pen"`)
		p.touch(input.DispatchTouchEventTypeTouchStart, map[float64][2]float64{1: {120, 300}})
		for i := 1; i <= 10; i++ {
			p.touch(input.DispatchTouchEventTypeTouchMove, map[float64][2]float64{1: {120 + float64(i)*15, 300 + float64(i%3)*20}})
		}
		p.touch(input.DispatchTouchEventTypeTouchEnd, nil)
	})
	d.sees(p, stroke)
	rect := d.added("rect", func() {
		d.pick("rect")
		d.dragWith([2]float64{150, 450}, [2]float64{300, 560})
	})
	p.sees(d, rect)
	converged(t, p, d)
	shot.take(p, "drawn-phone")
	shot.take(d, "drawn-desk")
}
