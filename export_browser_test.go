package main

import (
	"context"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"tabula/client"
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
	browser := newBrowser(t)
	ts := startServer(t)
	board := ts.newBoard(t)
	p := join(t, ts.wsURL("/b/", board.ID), 0)
	p.commit("c1", put(redStroke("s1")))
	seq := p.commit("c2", put(rect("r1", 400)))
	p.commit("c3", del("s1"))

	a := openTab(t, browser, "A", ts.URL+"/b/"+board.ID)
	a.waitFor("the board", `tabula.doc.seq === 3`)
	eval[bool](a, recordDownloads)

	// Export: SVG without background, from the Export panel.
	a.do("open Export", chromedp.Click(chromedp.CSS(`#export`)))
	a.waitFor("the Export panel", `!document.getElementById("export-panel").hidden`)
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
	a.waitFor("the version's download", `window.downloads.length === 2 && window.downloads[1].name.includes("-v2.")`)

	// Restore it: the deleted stroke comes back, for everyone.
	a.do("restore", chromedp.Click(chromedp.CSS(`#version-restore`)))
	a.waitFor("the stroke back", `tabula.doc.get("s1")?.type === "stroke" && !document.getElementById("version-undo").hidden`)
	p.until(func(m *client.Msg) bool {
		return m.T == "ops" && p.doc.Els["s1"] != nil && p.doc.Els["s1"]["deleted"] != true
	})

	// Undo the restore: the stroke is deleted again.
	a.do("undo the restore", chromedp.Click(chromedp.CSS(`#version-undo`)))
	a.waitFor("the stroke gone again", `!tabula.doc.get("s1") && document.getElementById("version-banner").hidden`)
}

func TestBrowserOpenFile(t *testing.T) {
	browser := newBrowser(t)
	ts := startServer(t)
	home := openTab(t, browser, "home", ts.URL+"/b/"+ts.newBoard(t).ID)
	home.do("go home", chromedp.Navigate(ts.URL+"/"))
	home.waitFor("the home page", `!!document.getElementById("open-file")`)
	sample, err := filepath.Abs("collab/boardfile/testdata/sample.excalidraw")
	if err != nil {
		t.Fatal(err)
	}
	home.do("choose a file", chromedp.SetUploadFiles(chromedp.CSS(`#open-file-input`), []string{sample}))
	// The page navigates to the new board: poll across the navigation.
	deadline := time.Now().Add(wait)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		ctx, cancel := context.WithTimeout(home.ctx, time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`location.pathname.startsWith("/b/") && document.body?.dataset.state === "online" && window.tabula?.doc.view().length === 8`))
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
