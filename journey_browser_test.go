package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// Journeys: what people do with Tabula from the first click on the home page to the
// last, in real Chromium, each person in a browser context of their own. Nothing here
// reaches a board except through the pages; the screenshots of the key moments go to
// $TABULA_SCREENSHOTS (or $TABULA_SCREENSHOT_DIR, which the other browser tests use)
// when it is set — look at them — and else to a temp dir.

// shots saves screenshots of a journey's key moments, numbered in the order taken.
type shots struct {
	t   *testing.T
	dir string
	n   int
}

func newShots(t *testing.T) *shots {
	dir := cmp.Or(os.Getenv("TABULA_SCREENSHOTS"), os.Getenv("TABULA_SCREENSHOT_DIR"))
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &shots{t: t, dir: dir}
}

// take saves tb's page, once the last change is drawn, as "{test}-{n}-{name}.png".
func (s *shots) take(tb *tab, name string) {
	s.t.Helper()
	tb.nextFrameIfBoard()
	ctx, cancel := context.WithTimeout(tb.ctx, wait)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		s.t.Fatalf("%s: screenshot %s: %v", tb.name, name, err)
	}
	s.n++
	file := filepath.Join(s.dir, fmt.Sprintf("%s-%02d-%s.png", s.t.Name(), s.n, name))
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		s.t.Fatal(err)
	}
}

// keep copies a file the journey made (an export) beside the screenshots.
func (s *shots) keep(path string) string {
	s.t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, s.t.Name()+"-export"+filepath.Ext(path)), b, 0o644); err != nil {
		s.t.Fatal(err)
	}
	return path
}

// nextFrameIfBoard waits for two animation frames when the page is a board, whose
// canvas is drawn in them; other pages are drawn already.
func (tb *tab) nextFrameIfBoard() {
	tb.t.Helper()
	if eval[bool](tb, `!!window.tabula`) {
		tb.nextFrame()
	}
}

// pick chooses a tool with a click on its button in the tool bar.
func (tb *tab) pick(tool string) {
	tb.t.Helper()
	tb.do("click the "+tool+" tool", chromedp.Click(chromedp.CSS(`.toolbar button[data-tool="`+tool+`"]`)))
	tb.waitFor("the "+tool+" tool", `document.body.dataset.tool === `+jsString(tool))
}

// added runs act, which adds one element of type typ to the board, waits until the
// server has it and returns it.
func (tb *tab) added(typ string, act func()) elem {
	tb.t.Helper()
	before := eval[[]string](tb, `tabula.doc.view().map((el) => el.id)`)
	b, _ := json.Marshal(before) // a slice of strings always encodes
	act()
	fresh := `tabula.doc.view().filter((el) => el.type === ` + jsString(typ) + ` && !` + string(b) + `.includes(el.id))`
	tb.waitFor("a new "+typ, fresh+`.length === 1`)
	tb.settled()
	return eval[[]elem](tb, fresh)[0]
}

// sees waits until tb's board has the element id, as the person who made it has it.
func (tb *tab) sees(from *tab, el elem) {
	tb.t.Helper()
	tb.waitFor(from.name+"'s "+el.Type, `tabula.doc.get(`+jsString(el.ID)+`)?.type === `+jsString(el.Type))
}

// boardState is the tab's live board as a canonical string: every element's fields,
// sorted, so that two pages showing the same board give the same string.
func (tb *tab) boardState() string {
	tb.t.Helper()
	return eval[string](tb, `JSON.stringify(tabula.doc.view().map((el) => JSON.stringify(el, Object.keys(el).sort())).sort())`)
}

// converged waits until every tab shows the same board, with nothing unsent, and
// returns the number of elements on it.
func converged(t *testing.T, tabs ...*tab) int {
	t.Helper()
	for _, tb := range tabs {
		tb.waitFor("online with nothing unsent", `document.body.dataset.state === "online" && tabula.doc.pending.length === 0`)
	}
	want := tabs[0].boardState()
	seq := eval[string](tabs[0], `document.body.dataset.seq`)
	for _, tb := range tabs[1:] {
		tb.waitFor("the same board as "+tabs[0].name+"'s", `document.body.dataset.seq === `+jsString(seq))
		if got := tb.boardState(); got != want {
			t.Fatalf("%s and %s show different boards:\n%s\n%s", tabs[0].name, tb.name, want, got)
		}
	}
	return eval[int](tabs[0], `tabula.doc.view().length`)
}

// watchToasts makes the page remember every message its toast shows, so that a test
// can read a message after the toast has gone again.
func (tb *tab) watchToasts() {
	tb.t.Helper()
	eval[bool](tb, `(() => {
		const t = document.getElementById("toast");
		window.toastsSeen = [];
		new MutationObserver(() => { if (!t.hidden) toastsSeen.push(t.textContent); })
			.observe(t, {attributes: true, childList: true, characterData: true, subtree: true});
		return true;
	})()`)
}

// toastSeen waits until the toast has shown a message containing want (see watchToasts).
func (tb *tab) toastSeen(want string) {
	tb.t.Helper()
	tb.waitFor("a message saying "+want, `toastsSeen.some((m) => m.includes(`+jsString(want)+`))`)
}

// downloadsTo makes the tab's browser save downloads in dir, under the names the page
// gives them.
func (tb *tab) downloadsTo(dir string) {
	tb.t.Helper()
	id := chromedp.FromContext(tb.ctx).BrowserContextID
	tb.do("allow downloads", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, BrowserContextID: id, DownloadPath: dir})
		return err
	}))
}

// exportAs downloads the board from the Export panel in format and returns the saved
// file's path; a failed export (the page's message, see watchToasts) fails the test at
// once.
func (tb *tab) exportAs(dir, format string) string {
	tb.t.Helper()
	if eval[bool](tb, `document.getElementById("export-panel").hidden`) {
		tb.do("open Export", chromedp.Click(chromedp.CSS(`#export`)))
		tb.waitFor("the Export panel", `document.getElementById("export-panel").checkVisibility()`)
	}
	tb.do("pick "+format, chromedp.Click(chromedp.CSS(`#export-panel input[value="`+format+`"]`)))
	tb.do("download", chromedp.Click(chromedp.CSS(`#export-download`)))
	deadline := time.Now().Add(wait)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*."+format))
		if len(files) == 1 {
			return files[0]
		}
		if len(files) > 1 {
			tb.t.Fatalf("%s: %d %s files downloaded, want 1: %q", tb.name, len(files), format, files)
		}
		if msg := eval[string](tb, `toastsSeen.find((m) => m.includes("Export failed")) ?? ""`); msg != "" {
			tb.t.Fatalf("%s: export as %s: the page says %q", tb.name, format, msg)
		}
		if time.Now().After(deadline) {
			tb.t.Fatalf("%s: no %s file downloaded to %s", tb.name, format, dir)
		}
		<-tick.C
	}
}

// confirmNext clicks selector, which opens a confirm dialog, and accepts it, as a
// person clicking OK does.
func (tb *tab) confirmClick(selector string) string {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, wait)
	defer cancel()
	dialogs := chromedp.Events(ctx, page.JavascriptDialogOpening)
	// The click's mouse release waits for the dialog it opens: click on the side.
	clicked := make(chan error, 1)
	go func() { clicked <- chromedp.Do(ctx, chromedp.Click(chromedp.CSS(selector))) }()
	var msg string
	for ev, err := range dialogs {
		if err != nil {
			tb.t.Fatalf("%s: no dialog after a click on %s: %v", tb.name, selector, err)
		}
		msg = ev.Message
		break
	}
	if err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		return err
	})); err != nil {
		tb.t.Fatalf("%s: accept the dialog: %v", tb.name, err)
	}
	if err := <-clicked; err != nil && !errors.Is(err, context.Canceled) {
		tb.t.Fatalf("%s: click %s: %v", tb.name, selector, err)
	}
	return msg
}

// copyShareLink opens the Share dialog and clicks Copy beside the link which ("edit"
// or "view"), and returns what the clipboard then holds.
func (tb *tab) copyShareLink(site, which string) string {
	tb.t.Helper()
	id := chromedp.FromContext(tb.ctx).BrowserContextID
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		tb.do("allow the clipboard", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
				Permission: &browser.PermissionDescriptor{Name: name}, Setting: browser.PermissionSettingGranted,
				Origin: site, BrowserContextID: id})
			return err
		}))
	}
	tb.do("open Share", chromedp.Click(chromedp.CSS(`#share`)))
	tb.waitFor("the Share dialog", `document.getElementById("share-panel").checkVisibility()`)
	tb.do("copy the "+which+" link", chromedp.Click(chromedp.CSS(`#share-panel button[data-copy="`+which+`-link"]`)))
	tb.waitFor("Copied", `document.querySelector('#share-panel button[data-copy="`+which+`-link"]').textContent === "Copied"`)
	ctx, cancel := context.WithTimeout(tb.ctx, wait)
	defer cancel()
	link, err := chromedp.Run(ctx, chromedp.Evaluate[string](`navigator.clipboard.readText()`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("%s: read the clipboard: %v", tb.name, err)
	}
	tb.do("close Share", chromedp.Click(chromedp.CSS(`#share`)))
	tb.waitFor("the Share dialog closed", `document.getElementById("share-panel").hidden`)
	return link
}

// exported is what an export file holds, as the tests read it.
type exported struct {
	Type     string            `json:"type"`
	Elements []elem            `json:"elements"`
	Images   map[string]string `json:"images"`
}

// kinds counts the elements of each type.
func kinds(els []elem) map[string]int {
	n := map[string]int{}
	for _, e := range els {
		n[e.Type]++
	}
	return n
}

// inkPixels counts the pixels of img that differ clearly from its most common colour.
func inkPixels(img image.Image) int {
	bg := background(img)
	return countPixels(img, img.Bounds(), func(c [3]int) bool { return colourDistance(c, bg) > 40 })
}

// readPNG decodes the PNG file at path.
func readPNG(t *testing.T, path string) image.Image {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return decodePNG(t, b)
}

// checkSVG parses the file as XML and returns how many of each element it has and
// its text.
func checkSVG(t *testing.T, path string) (map[string]int, string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]int{}
	var text strings.Builder
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return names, text.String()
		}
		if err != nil {
			t.Fatalf("%s is not XML: %v", filepath.Base(path), err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			names[tok.Name.Local]++
		case xml.CharData:
			text.Write(tok)
		}
	}
}

// TestJourneyMain is the whole life of a board: made on the home page, shared, drawn on
// by two people with every tool, exported in every format, opened again from the home
// page, taken back in history, deleted and brought back from the trash.
func TestJourneyMain(t *testing.T) {
	browserCtx := newBrowser(t)
	ts := startServer(t)
	shot := newShots(t)
	dir := t.TempDir()

	// A makes a board on the home page and copies its link from the Share dialog.
	a := openHome(t, browserCtx, "A", ts.URL)
	shot.take(a, "home")
	edit := a.newBoardFromHome()
	link := a.copyShareLink(ts.URL, "edit")
	if link != edit {
		t.Fatalf("the Share dialog copied %q; the board is at %q", link, edit)
	}
	// B opens the link A sent.
	b := openTab(t, browserCtx, "B", link)
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

	// Export in every format, from the Export panel, and open each file.
	downloads := t.TempDir()
	a.downloadsTo(downloads)
	a.watchToasts()
	img := readPNG(t, shot.keep(a.exportAs(downloads, "png")))
	if ink := inkPixels(img); ink < 2000 {
		t.Errorf("the PNG export has %d pixels of ink, want the drawing", ink)
	}
	names, text := checkSVG(t, shot.keep(a.exportAs(downloads, "svg")))
	if names["image"] != 1 || names["path"] < 8 || !strings.Contains(text, "Hello from B") || !strings.Contains(text, "Ship on Friday") {
		t.Errorf("the SVG export holds %v and the text %q; want the image, the shapes' paths and both texts", names, text)
	}
	pdf := shot.keep(a.exportAs(downloads, "pdf"))
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
	jsonFile := a.exportAs(downloads, "json")
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
	a.do("close Export", chromedp.Click(chromedp.CSS(`#export`)))

	// A opens the JSON file from the home page: a new board with the same elements.
	a.do("go home", chromedp.Navigate(ts.URL+"/"))
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

	// Back on the shared board, A takes it back to the version before B drew: History,
	// the slider moved with the keyboard, Restore this version.
	a.do("open the shared board", chromedp.Navigate(edit))
	a.waitFor("online", `document.body.dataset.state === "online" && tabula.doc.view().length === 10`)
	a.do("open History", chromedp.Click(chromedp.CSS(`#history-button`)))
	a.waitFor("the history", `document.querySelectorAll("#history-list .history-session").length >= 1`)
	a.do("focus the slider", chromedp.Focus(chromedp.CSS(`#history-slider`)))
	a.key(kb.End)
	for i := 0; eval[string](a, `document.getElementById("history-slider").value`) != seqA; i++ {
		if i > 200 {
			t.Fatalf("the slider never reached version %s", seqA)
		}
		a.key(kb.ArrowLeft)
	}
	a.waitFor("version "+seqA+" shown", `document.body.dataset.previewing === `+jsString(seqA)+` && document.getElementById("version-banner").checkVisibility()`)
	shot.take(a, "history-preview")
	a.do("restore the version", chromedp.Click(chromedp.CSS(`#version-restore`)))
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
	b.watchToasts()
	if eval[bool](a, `document.getElementById("history-panel").hidden`) {
		a.do("open History", chromedp.Click(chromedp.CSS(`#history-button`)))
	}
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

// relay stands between the browsers and the server, as the network does: a TCP relay
// whose connections the test can cut, as a dropped Wi-Fi does to a page's WebSocket.
type relay struct {
	ln    net.Listener
	mu    sync.Mutex
	conns map[net.Conn]bool
}

// newRelay relays connections to addr until the test ends.
func newRelay(t *testing.T, addr string) *relay {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{ln: ln, conns: map[net.Conn]bool{}}
	t.Cleanup(func() {
		ln.Close()
		r.cut()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", addr)
			if err != nil {
				c.Close()
				continue
			}
			r.mu.Lock()
			r.conns[c], r.conns[s] = true, true
			r.mu.Unlock()
			go func() { _, _ = io.Copy(s, c); s.Close() }()
			go func() { _, _ = io.Copy(c, s); c.Close() }()
		}
	}()
	return r
}

func (r *relay) URL() string { return "http://" + r.ln.Addr().String() }

// cut closes every connection open through the relay.
func (r *relay) cut() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for c := range r.conns {
		c.Close()
		delete(r.conns, c)
	}
}

// setOffline takes the tab off the network, or puts it back: new connections fail and
// the browser says it is offline. Open connections are not closed by this; a relay's
// cut does that.
func (tb *tab) setOffline(offline bool) {
	tb.t.Helper()
	tb.do("network offline "+fmt.Sprint(offline), chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		_, err := chromedp.Call(ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			MatchedNetworkConditions: []*network.Conditions{{Offline: offline, DownloadThroughput: -1, UploadThroughput: -1}}})
		if err != nil {
			return err
		}
		_, err = chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{
			Offline: offline, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	}))
}

// TestJourneyOffline: one of two people loses the network, draws on, and comes back;
// both end with the same board.
func TestJourneyOffline(t *testing.T) {
	browserCtx := newBrowser(t)
	ts := startServer(t)
	shot := newShots(t)
	net := newRelay(t, ts.Addr())
	a := createBoard(t, browserCtx, "A", net.URL())
	b := openTab(t, browserCtx, "B", a.shareLink("edit"))

	// A's network goes: the browser is offline, and its connection is gone. (B's goes
	// too, for a moment, as the relay cuts every connection; B reconnects at once.)
	a.setOffline(true)
	net.cut()
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
	const w, h = 390, 844
	browserCtx := newBrowser(t)
	ts := startServer(t)
	shot := newShots(t)
	p := openHomeOn(t, browserCtx, "phone", ts.URL, chromedp.EmulateViewport(w, h, chromedp.EmulateScale(2), chromedp.EmulateMobile, chromedp.EmulateTouch))
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
	d := openTab(t, browserCtx, "desk", link)

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
