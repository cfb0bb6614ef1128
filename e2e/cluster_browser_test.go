package e2e

import (
	"net/url"
	"testing"

	"tabula/internal/redistest"
)

// TestBrowserClusterDrawingTogether: two people on two different nodes of one Redis
// draw together. A makes a board from node 0's home page and shares its link; B opens
// the link on node 1. Each sees the other's drawing, stored once.
func TestBrowserClusterDrawingTogether(t *testing.T) {
	t.Parallel() // browser tests run two at a time: see testmain_test.go
	browser := newBrowser(t)
	r := redistest.Start(t)
	c := startCluster(t, 2, r.URL())
	a := createBoard(t, browser, "A", c.node(0).URL())
	link, err := url.Parse(a.shareLink("edit"))
	if err != nil {
		t.Fatal(err)
	}
	link.Host = c.node(1).URL()[len("http://"):] // the same link, answered by node 1
	b := openTab(t, browser, "B", link.String())
	b.waitFor("B online", `document.body.dataset.state === "online"`)

	stroke := drawWave(a)
	id := jsString(stroke.ID)
	a.waitFor("A's stroke acknowledged", `tabula.doc.pending.length === 0 && tabula.doc.confirmed.has(`+id+`)`)
	b.waitFor("A's stroke on B's page", `tabula.doc.get(`+id+`)?.type === "stroke"`)

	b.shape("r", "rect", [2]float64{320, 600}, [2]float64{490, 690}, "")
	b.settled()
	rect := b.only("rect")
	a.waitFor("B's rectangle on A's page", `tabula.doc.get(`+jsString(rect.ID)+`)?.type === "rect"`)

	for _, el := range []string{stroke.ID, rect.ID} {
		if ja, jb := a.confirmedJSON(el), b.confirmedJSON(el); ja != jb {
			t.Errorf("%s differs between the pages:\nA %s\nB %s", el, ja, jb)
		}
	}
	if sa, sb := eval[string](a, `document.body.dataset.seq`), eval[string](b, `document.body.dataset.seq`); sa != "2" || sb != "2" {
		t.Errorf("confirmed seq: A %s, B %s; want 2 on both", sa, sb)
	}
}
