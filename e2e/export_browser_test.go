package e2e

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// recordDownloads makes the page remember downloads instead of saving them: each
// click on a download link pushes {name, size} of its blob to window.downloads.
const recordDownloads = `(() => {
  window.downloads = [];
  const blobs = new Map();
  const make = URL.createObjectURL;
  URL.createObjectURL = (b) => {
    const u = make(b);
    blobs.set(u, b);
    return u;
  };
  HTMLAnchorElement.prototype.click = function () {
    const b = blobs.get(this.href);
    window.downloads.push({ name: this.download, size: b?.size ?? 0, type: b?.type ?? "" });
  };
  return true;
})()`

func TestBrowserExportAndHistory(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	browser := newBrowser(t)
	ts := startServer(t)
	a := createBoard(t, browser, "A", ts.URL)
	b := openTab(t, browser, "B", a.shareLink("edit"))
	// A draws a stroke and a rectangle, then deletes the stroke.
	a.tool("p", "pen")
	a.drag(wave(300, 200, 200, 30, 16))
	a.settled()
	s1 := jsString(a.only("stroke").ID)
	a.tool("r", "rect")
	a.dragWith([2]float64{600, 400}, [2]float64{700, 480})
	a.settled()
	seq, _ := strconv.ParseInt(eval[string](a, `document.body.dataset.seq`), 10, 64)
	a.tool("v", "select")
	a.dragWith([2]float64{280, 150}, [2]float64{520, 250})
	a.waitFor("the stroke selected", `tabula.editor.selection.size === 1 && tabula.editor.selection.has(`+s1+`)`)
	a.key(kb.Delete)
	a.settled()
	b.waitFor("the board", `!tabula.doc.get(`+s1+`) && tabula.doc.view().length === 1`)
	eval[bool](a, recordDownloads)

	// Export: SVG without background, from the Export panel.
	a.do("open Export", chromedp.Click(chromedp.CSS(`#export`)))
	a.waitFor("the Export panel", `!document.getElementById("export-panel").hidden`)
	a.shot("export-panel.png")
	a.do("pick SVG", chromedp.Click(chromedp.CSS(`input[value="svg"]`)))
	a.do("download", chromedp.Click(chromedp.CSS(`#export-download`)))
	a.waitFor("the download", `window.downloads.length === 1`)
	got := eval[struct {
		Name string
		Size int
		Type string
	}](a, `window.downloads[0]`)
	if got.Type != "image/svg+xml" || got.Size < 200 || filepath.Ext(got.Name) != ".svg" || got.Name[:len("Untitled board-")] != "Untitled board-" {
		t.Fatalf("download %+v", got)
	}

	// History: the panel lists the sessions; choosing one previews that version.
	a.do("open History", chromedp.Click(chromedp.CSS(`#history-button`)))
	a.waitFor("the sessions", `document.querySelectorAll("#history-list .history-session").length >= 1`)
	a.do("scrub to version 2", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById("history-slider");
		s.value = "`+strconv.FormatInt(seq, 10)+`"; s.dispatchEvent(new Event("input")); })()`))
	a.waitFor("the preview", `document.body.dataset.previewing === "`+strconv.FormatInt(seq, 10)+`" && !document.getElementById("version-banner").hidden`)
	a.do("download this version", chromedp.Click(chromedp.CSS(`#version-download`)))
	a.waitFor("the version's download", `window.downloads.length === 2 && window.downloads[1].name.includes("-v`+strconv.FormatInt(seq, 10)+`.")`)

	// Restore it: the deleted stroke comes back, for everyone.
	a.do("restore", chromedp.Click(chromedp.CSS(`#version-restore`)))
	a.waitFor("the stroke back", `tabula.doc.get(`+s1+`)?.type === "stroke" && !document.getElementById("version-undo").hidden`)
	b.waitFor("the stroke back for B", `tabula.doc.get(`+s1+`)?.type === "stroke"`)

	// Undo the restore: the stroke is deleted again.
	a.do("undo the restore", chromedp.Click(chromedp.CSS(`#version-undo`)))
	a.waitFor("the stroke gone again", `!tabula.doc.get(`+s1+`) && document.getElementById("version-banner").hidden`)
}

func TestBrowserOpenFile(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	browser := newBrowser(t)
	ts := startServer(t)
	home := openHome(t, browser, "home", ts.URL)
	sample, err := filepath.Abs("../collab/boardfile/testdata/sample.excalidraw")
	if err != nil {
		t.Fatal(err)
	}
	home.chooseFile(`#open-file`, sample)
	// The page navigates to the new board: poll across the navigation.
	deadline := time.Now().Add(wait)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(home.ctx, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`location.pathname.startsWith("/b/") && document.body?.dataset.state === "online" && window.tabula?.doc.view().length === 9`))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the imported board did not open: %v", err)
		}
		<-tick.C
	}
}
