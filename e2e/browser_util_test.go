package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"tabula/internal/testtool"
)

// The size of every tab's viewport, in CSS pixels at a device pixel ratio of 1.
const viewW, viewH = 1280, 800

// findChromium returns the path of a Chromium on PATH. Without one the test is skipped,
// loudly (the package's TestMain counts the skips and says so at the end), because a
// quiet skip hides that the client was never exercised; on CI (CI=true) a missing
// browser fails the test instead.
func findChromium(t testing.TB) string {
	t.Helper()
	return testtool.Find(t, testtool.Chromium)
}

// newBrowser starts a headless Chromium with a fresh profile for the test and returns
// its context; each openTab on it is another collaborator. extra adds command-line
// options (the voice test's fake microphone). The browser is stopped when the test ends.
func newBrowser(t testing.TB, extra ...chromedp.ExecAllocatorOption) context.Context {
	t.Helper()
	path := findChromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		// Several tabs are in front at once here; none may have its timers or
		// animation frames throttled as a background tab's would be.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.UserDataDir(t.TempDir()),
	}
	opts = append(opts, extra...)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc() // waits for the browser process to exit
	})
	// The first Run starts the browser and binds its life to ctx: no timeout here.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

// tab is one page in the test browser, in a browser context of its own (its own
// localStorage, so its own name and colour), as another person's browser would be. Its
// methods fail the test that opened it, so use it in that test, not in a subtest.
type tab struct {
	t    testing.TB
	name string
	ctx  context.Context

	mu     sync.Mutex
	errors []string // uncaught exceptions and console.error calls
}

// openTab opens url in a new tab and waits until the page is online. The page's
// uncaught exceptions and console errors fail the test.
func openTab(t testing.TB, browser context.Context, name, url string) *tab {
	t.Helper()
	return openTabOn(t, browser, name, url, chromedp.EmulateViewport(viewW, viewH))
}

// openTabOn is openTab with the screen set by screen (chromedp.EmulateViewport with
// its options: a phone's size, pixel density and touch).
func openTabOn(t testing.TB, browser context.Context, name, url string, screen chromedp.Action[chromedp.Void]) *tab {
	t.Helper()
	tb := openPage(t, browser, name, url, screen)
	tb.waitFor("page online", `document.body.dataset.state === "online"`)
	return tb
}

// openPage opens url in a new tab on screen, as openTabOn does, but waits for nothing:
// for pages that are not boards, such as the home page.
func openPage(t testing.TB, browser context.Context, name, url string, screen chromedp.Action[chromedp.Void]) *tab {
	t.Helper()
	tb := newTab(t, browser, name, screen)
	tb.navigate(url)
	return tb
}

// navigate loads url in the tab. A page load is dozens of requests (modules, styles,
// the font): on a loaded machine (CI's two cores running three browsers, and three
// nodes with HAProxy and Redis in the cross-node journeys) it has taken more than
// wait. It gets longer; the test still fails on a page that does not load.
func (tb *tab) navigate(url string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 3*wait)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		tb.t.Fatalf("%s: navigate to %s: %v", tb.name, url, err)
	}
}

// newTab opens a blank tab with the screen set by screen, in a browser context of its
// own: another person's browser.
func newTab(t testing.TB, browser context.Context, name string, screen chromedp.Action[chromedp.Void]) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	return setUpTab(t, ctx, cancel, name, screen)
}

// sameBrowserTab opens url in another tab of of's browser (its storage shared), as
// openTab does: the same person's second tab.
func sameBrowserTab(t testing.TB, of *tab, name, url string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(of.ctx) // inherits of's browser context
	tb := setUpTab(t, ctx, cancel, name, chromedp.EmulateViewport(viewW, viewH))
	tb.navigate(url)
	tb.waitFor("page online", `document.body.dataset.state === "online"`)
	return tb
}

// setUpTab makes a tab of the chromedp context ctx: page errors fail the test, and
// the screen is set by screen.
func setUpTab(t testing.TB, ctx context.Context, cancel context.CancelFunc, name string, screen chromedp.Action[chromedp.Void]) *tab {
	t.Helper()
	tb := &tab{t: t, name: name, ctx: ctx}
	err := chromedp.Listen(ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := ev.ExceptionDetails
			msg = d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
		case *runtime.EventConsoleAPICalled:
			if ev.Type != runtime.ConsoleAPICalledTypeError {
				return
			}
			var args []string
			for _, a := range ev.Args {
				if len(a.Value) > 0 {
					args = append(args, string(a.Value))
				} else {
					args = append(args, a.Description)
				}
			}
			msg = "console.error: " + strings.Join(args, " ")
		default:
			return
		}
		tb.mu.Lock()
		tb.errors = append(tb.errors, msg)
		tb.mu.Unlock()
	})
	if err != nil {
		cancel()
		t.Fatalf("%s: open tab: %v", name, err)
	}
	t.Cleanup(func() {
		cancel()
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, e := range tb.errors {
			t.Errorf("%s: page error: %s", name, e)
		}
	})
	tb.do("set the screen", screen)
	return tb
}

// do runs actions on the tab with the test's deadline for events that take milliseconds.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, wait)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %s: %v", tb.name, what, err)
	}
}

// eval evaluates a JavaScript expression in the tab and decodes its JSON value into T.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, wait)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		tb.t.Fatalf("%s: evaluate %s: %v", tb.name, expr, err)
	}
	return v
}

// waitFor polls a JavaScript condition in the page until it is true, failing the test
// (with the page's connection state) if it is not within the deadline.
func (tb *tab) waitFor(what, cond string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, wait+time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](cond,
		chromedp.WithPollingInterval(10*time.Millisecond), chromedp.WithPollingTimeout(wait)))
	if err != nil {
		// What the page was doing, read as well as a stuck page allows.
		sctx, cancel := context.WithTimeout(tb.ctx, time.Second)
		defer cancel()
		state, serr := chromedp.Run(sctx, chromedp.Evaluate[string](`JSON.stringify({state: document.body.dataset.state,
			seq: document.body.dataset.seq, pending: window.tabula?.doc.pending.length, elements: window.tabula?.doc.view().length})`))
		if serr != nil {
			state = serr.Error()
		}
		tb.t.Fatalf("%s: waiting for %s (%s): %v; page: %s", tb.name, what, cond, err, state)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s) // a string always encodes
	return string(b)
}

// buttonsLeft sets the mask of held buttons, which mouseMoved needs to report a drag.
func buttonsLeft(p *input.DispatchMouseEventParams) {
	p.Buttons = 1
	p.Button = input.MouseButtonLeft
}

// drag presses the left button at the first point, moves through the others and
// releases at the last: real input events through the DevTools protocol, which the page
// receives as trusted pointer events.
func (tb *tab) drag(path [][2]float64) {
	tb.t.Helper()
	first, last := path[0], path[len(path)-1]
	steps := []chromedp.Action[chromedp.Void]{
		chromedp.MouseEvent(chromedp.MouseMoved, first[0], first[1]),
		chromedp.MouseEvent(chromedp.MousePressed, first[0], first[1], buttonsLeft, chromedp.ClickCount(1)),
	}
	for _, p := range path[1:] {
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, p[0], p[1], buttonsLeft))
	}
	steps = append(steps, chromedp.MouseEvent(chromedp.MouseReleased, last[0], last[1], buttonsLeft, chromedp.ClickCount(1)))
	tb.do("drag", steps...)
}

// press moves the mouse to p and holds the left button down there.
func (tb *tab) press(p [2]float64) {
	tb.t.Helper()
	tb.do("press", chromedp.MouseEvent(chromedp.MouseMoved, p[0], p[1]),
		chromedp.MouseEvent(chromedp.MousePressed, p[0], p[1], buttonsLeft, chromedp.ClickCount(1)))
}

// moveHeld moves the mouse through path with the left button held.
func (tb *tab) moveHeld(path [][2]float64) {
	tb.t.Helper()
	steps := make([]chromedp.Action[chromedp.Void], 0, len(path))
	for _, p := range path {
		steps = append(steps, chromedp.MouseEvent(chromedp.MouseMoved, p[0], p[1], buttonsLeft))
	}
	tb.do("move", steps...)
}

// release lets go of the left button at p.
func (tb *tab) release(p [2]float64) {
	tb.t.Helper()
	tb.do("release", chromedp.MouseEvent(chromedp.MouseReleased, p[0], p[1], buttonsLeft, chromedp.ClickCount(1)))
}

// hover moves the mouse, with no button held, to (x, y).
func (tb *tab) hover(x, y float64) {
	tb.t.Helper()
	tb.do("move the mouse", chromedp.MouseEvent(chromedp.MouseMoved, x, y))
}

// wave is a path of n+1 points from (x, y) to (x+w, y), one period of a sine of
// amplitude a: a stroke with a clear, non-degenerate bounding box.
func wave(x, y, w, a float64, n int) [][2]float64 {
	path := make([][2]float64, 0, n+1)
	for i := range n + 1 {
		f := float64(i) / float64(n)
		path = append(path, [2]float64{x + f*w, y + a*math.Sin(2*math.Pi*f)})
	}
	return path
}

// strokeEl is the part of a stroke element the tests look at.
type strokeEl struct {
	ID     string      `json:"id"`
	Type   string      `json:"type"`
	X      float64     `json:"x"`
	Y      float64     `json:"y"`
	Points [][]float64 `json:"points"`
	Stroke string      `json:"stroke"`
	Width  float64     `json:"width"`
}

// bounds is the stroke's bounding box in world coordinates.
func (s strokeEl) bounds() (minX, minY, maxX, maxY float64) {
	minX, minY, maxX, maxY = s.X+s.Points[0][0], s.Y+s.Points[0][1], s.X+s.Points[0][0], s.Y+s.Points[0][1]
	for _, p := range s.Points[1:] {
		minX, maxX = min(minX, s.X+p[0]), max(maxX, s.X+p[0])
		minY, maxY = min(minY, s.Y+p[1]), max(maxY, s.Y+p[1])
	}
	return minX, minY, maxX, maxY
}

// onlyStroke returns the one stroke in the tab's document, failing if there is not
// exactly one.
func (tb *tab) onlyStroke() strokeEl {
	tb.t.Helper()
	strokes := eval[[]strokeEl](tb, `tabula.doc.view().filter((el) => el.type === "stroke")`)
	if len(strokes) != 1 {
		tb.t.Fatalf("%s: %d strokes in the document, want 1: %+v", tb.name, len(strokes), strokes)
	}
	return strokes[0]
}

// confirmedJSON is the element as the server confirmed it to the tab, as JSON, or "".
func (tb *tab) confirmedJSON(id string) string {
	tb.t.Helper()
	return eval[string](tb, `JSON.stringify(tabula.doc.confirmed.get(`+jsString(id)+`) ?? "")`)
}

// darkMode makes the tab prefer a dark colour scheme, as a system in dark mode does,
// and waits until a frame has been drawn with the dark styles.
func (tb *tab) darkMode() {
	tb.t.Helper()
	tb.do("emulate dark mode", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}},
		})
		return err
	}))
	// theme.js follows the system (unless the person chose a theme) on its change event.
	tb.waitFor("dark mode", `matchMedia("(prefers-color-scheme: dark)").matches && (document.documentElement.dataset.theme || "dark") === "dark"`)
	tb.nextFrame()
}

// nextFrame waits until the page has drawn two more animation frames, so that whatever
// was invalidated before is on screen.
func (tb *tab) nextFrame() {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, wait)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](
		`new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("%s: wait for a frame: %v", tb.name, err)
	}
}

// screenshot captures the whole page as a PNG and saves it as name in the test's temp
// dir, and in $TABULA_SCREENSHOT_DIR too when that is set (for the README).
func (tb *tab) screenshot(name string) image.Image {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, wait)
	defer cancel()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		tb.t.Fatalf("%s: screenshot: %v", tb.name, err)
	}
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		tb.t.Fatalf("%s: screenshot is not a PNG: %v", tb.name, err)
	}
	dirs := []string{tb.t.TempDir()}
	if dir := os.Getenv("TABULA_SCREENSHOT_DIR"); dir != "" {
		dirs = append(dirs, dir)
	}
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			tb.t.Fatalf("save screenshot: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf, 0o644); err != nil {
			tb.t.Fatalf("save screenshot: %v", err)
		}
	}
	return img
}

// background is the colour most common in img, sampling every other pixel.
func background(img image.Image) [3]int {
	counts := map[[3]int]int{}
	var bg [3]int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			c := rgb(img, x, y)
			if counts[c]++; counts[c] > counts[bg] {
				bg = c
			}
		}
	}
	return bg
}

// countPixels counts the pixels of img inside r for which match is true.
func countPixels(img image.Image, r image.Rectangle, match func(c [3]int) bool) int {
	n := 0
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if match(rgb(img, x, y)) {
				n++
			}
		}
	}
	return n
}

func rgb(img image.Image, x, y int) [3]int {
	r, g, b, _ := img.At(x, y).RGBA()
	return [3]int{int(r >> 8), int(g >> 8), int(b >> 8)}
}

// colourDistance is the largest difference of one channel.
func colourDistance(a, b [3]int) int {
	d := 0
	for i := range a {
		d = max(d, abs(a[i]-b[i]))
	}
	return d
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// luminance is a rough brightness in 0..255.
func luminance(c [3]int) int { return (299*c[0] + 587*c[1] + 114*c[2]) / 1000 }

// openHome opens the site's home page in a tab of its own, as a person typing the
// site's address does.
func openHome(t testing.TB, browser context.Context, name, site string) *tab {
	t.Helper()
	return openHomeOn(t, browser, name, site, chromedp.EmulateViewport(viewW, viewH))
}

// openHomeOn is openHome on the screen set by screen (see openTabOn).
func openHomeOn(t testing.TB, browser context.Context, name, site string, screen chromedp.Action[chromedp.Void]) *tab {
	t.Helper()
	tb := newTab(t, browser, name, screen)
	tb.do("open the home page", chromedp.Navigate(site+"/"))
	tb.waitFor("the home page", `!!document.querySelector('form[action="/boards"] button')`)
	return tb
}

// newBoardFromHome clicks "New board" on the home page the tab shows, waits until the
// new board's page is online and returns its address: the board's edit link.
func (tb *tab) newBoardFromHome() string {
	tb.t.Helper()
	tb.do("click New board", chromedp.Click(chromedp.CSS(`form[action="/boards"] button`)))
	tb.waitAcross("the new board online", `location.pathname.startsWith("/b/") && document.body?.dataset.state === "online"`)
	return eval[string](tb, `location.href`)
}

// createBoard is a person who opens the home page and makes a new board there; the
// tab is left on the board, online.
func createBoard(t testing.TB, browser context.Context, name, site string) *tab {
	t.Helper()
	tb := openHome(t, browser, name, site)
	tb.newBoardFromHome()
	return tb
}

// shareLink opens the Share dialog, reads the link which ("edit" or "view") from its
// field, as a person copying it does, and closes the dialog again.
func (tb *tab) shareLink(which string) string {
	tb.t.Helper()
	tb.do("open Share", chromedp.Click(chromedp.CSS(`#share`)))
	tb.waitFor("the Share dialog", `document.getElementById("share-panel").checkVisibility()`)
	link := eval[string](tb, `document.getElementById(`+jsString(which+"-link")+`).value`)
	tb.do("close Share", chromedp.Click(chromedp.CSS(`#share`)))
	tb.waitFor("the Share dialog closed", `document.getElementById("share-panel").hidden`)
	if link == "" {
		tb.t.Fatalf("%s: the Share dialog shows no %s link", tb.name, which)
	}
	return link
}

// waitAcross is waitFor for a condition that a navigation comes before: it polls
// until the page that answers makes cond true (cond may throw while the old page is
// still there). It allows a page load and a WebSocket's welcome: twice wait.
func (tb *tab) waitAcross(what, cond string) {
	tb.t.Helper()
	deadline := time.Now().Add(2 * wait)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(tb.ctx, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { try { return !!(`+cond+`); } catch { return false; } })()`))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			ctx, cancel := context.WithTimeout(tb.ctx, time.Second)
			page, perr := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + " " + JSON.stringify(document.body?.innerText.slice(0, 200))`))
			cancel()
			if perr != nil {
				page = perr.Error()
			}
			tb.t.Fatalf("%s: waiting for %s (%s): %v; page: %s", tb.name, what, cond, err, page)
		}
		<-tick.C
	}
}

// chooseFile clicks the control that selector matches, which opens a file chooser,
// and picks path in it, as a person does.
func (tb *tab) chooseFile(selector, path string) {
	tb.t.Helper()
	tb.do("intercept the file chooser", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, page.SetInterceptFileChooserDialog, page.SetInterceptFileChooserDialogParams{Enabled: true})
		return err
	}))
	ctx, cancel := context.WithTimeout(tb.ctx, wait)
	defer cancel()
	opened := chromedp.Events(ctx, page.FileChooserOpened)
	tb.do("click "+selector, chromedp.Click(chromedp.CSS(selector)))
	for ev, err := range opened {
		if err != nil {
			tb.t.Fatalf("%s: no file chooser opened after a click on %s: %v", tb.name, selector, err)
		}
		tb.do("choose "+filepath.Base(path), chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, dom.SetFileInputFiles, dom.SetFileInputFilesParams{Files: []string{path}, BackendNodeID: ev.BackendNodeID})
			return err
		}))
		return
	}
	tb.t.Fatalf("%s: no file chooser opened after a click on %s", tb.name, selector)
}
