package e2e

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
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Helpers for the journeys (journey_browser_test.go): screenshots of key moments,
// tools picked from the tool bar, downloads, dialogs, the clipboard, export files read
// back, and a network that can be cut.

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
	file := filepath.Join(s.dir, fmt.Sprintf("%s-%02d-%s.png", s.prefix(), s.n, name))
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
	if err := os.WriteFile(filepath.Join(s.dir, s.prefix()+"-export"+filepath.Ext(path)), b, 0o644); err != nil {
		s.t.Fatal(err)
	}
	return path
}

// prefix is the start of the test's file names: its name, a subtest's "/" made "-".
func (s *shots) prefix() string { return strings.ReplaceAll(s.t.Name(), "/", "-") }

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
	// Every page's live elements: two people on different pages of one board still
	// have to hold the same board.
	return eval[string](tb, `JSON.stringify(tabula.doc.all().filter((el) => !el.deleted).map((el) => JSON.stringify(el, Object.keys(el).sort())).sort())`)
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
// gives them, and say when each is complete (exportAs waits for that).
func (tb *tab) downloadsTo(dir string) {
	tb.t.Helper()
	id := chromedp.FromContext(tb.ctx).BrowserContextID
	yes := true
	tb.do("allow downloads", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllow, BrowserContextID: id, DownloadPath: dir, EventsEnabled: &yes})
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
	// The file appears under its name before all of it is written: wait for the
	// browser to say the download is complete, too.
	ctx, cancel := context.WithCancel(tb.ctx)
	defer cancel()
	complete := make(chan struct{}, 1)
	if err := chromedp.ListenBrowser(ctx, func(ev any) {
		if p, ok := ev.(*browser.EventDownloadProgress); ok && p.State == browser.DownloadProgressStateCompleted {
			select {
			case complete <- struct{}{}:
			default:
			}
		}
	}); err != nil {
		tb.t.Fatalf("%s: listen for downloads: %v", tb.name, err)
	}
	tb.do("download", chromedp.Click(chromedp.CSS(`#export-download`)))
	done := false
	deadline := time.Now().Add(wait)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		if !done {
			select {
			case <-complete:
				done = true
			default:
			}
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*."+format))
		if len(files) == 1 && done {
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

// twoOnBoard is how a journey of two people starts on site s: maker makes a new board
// from the home page, and other opens it by the link in maker's address bar. Both
// watch for toasts. link is that address.
func twoOnBoard(t *testing.T, browser context.Context, s site, maker, other string) (a, b *tab, link string) {
	t.Helper()
	a = createBoard(t, browser, maker, s.home(maker))
	a.watchToasts()
	link = eval[string](a, `location.href`)
	b = openTab(t, browser, other, s.link(t, other, link))
	b.watchToasts()
	return a, b, link
}
