package e2e

import (
	"image/color"
	"net/http"
	"strings"
	"testing"
	"time"

	"tabula/collab/wire"
	"tabula/internal/client"
)

// The canvas colour is the board's: an editor's choice reaches every editor and viewer on
// the board, later joiners and a restarted server; viewers and hostile values are
// refused; exports are drawn on it.
func TestCanvasColourIsTheBoards(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	a := join(t, ts.wsURL("/b/", b.ID), 0)
	e := join(t, ts.wsURL("/b/", b.ID), 0)
	v := join(t, ts.wsURL("/v/", b.ViewID), 0)
	isCanvas := func(m *client.Msg) bool { return m.T == "canvas" }
	isError := func(m *client.Msg) bool { return m.T == "error" }

	if err := a.c.Send(map[string]any{"t": "canvas", "canvas": "mint"}); err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]*peer{"the sender": a, "another editor": e, "a viewer": v} {
		if m := p.until(isCanvas); m.Canvas != "mint" {
			t.Fatalf("%s got %s", name, m.Raw)
		}
	}

	if err := v.c.Send(map[string]any{"t": "canvas", "canvas": "sky"}); err != nil {
		t.Fatal(err)
	}
	if m := v.until(isError); m.Code != wire.EViewOnly {
		t.Fatalf("a viewer's canvas colour was answered %s", m.Raw)
	}
	hostile := []struct {
		frame string
		code  string
	}{
		{`{"t":"canvas","canvas":"url(javascript:alert(1))"}`, wire.EBadValue},
		{`{"t":"canvas","canvas":"#ff0000"}`, wire.EBadValue},
		{`{"t":"canvas","canvas":""}`, wire.EBadValue},
		{`{"t":"canvas"}`, wire.EBadMessage},
		{`{"t":"canvas","canvas":7}`, wire.EBadValue},
	}
	for _, h := range hostile {
		if err := e.c.WS.WriteMessage(1, []byte(h.frame)); err != nil {
			t.Fatal(err)
		}
		m := e.until(isError)
		if m.Code != h.code || !strings.Contains(m.Message, "canvas") {
			t.Errorf("%s answered %s, want %s naming canvas", h.frame, m.Raw, h.code)
		}
	}
	// Still answering, and nothing above changed the colour: the next one everyone sees
	// is the next an editor chooses.
	if err := e.c.Send(map[string]any{"t": "canvas", "canvas": "paper"}); err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]*peer{"the sender": e, "another editor": a, "a viewer": v} {
		if m := p.until(isCanvas); m.Canvas != "paper" {
			t.Fatalf("%s got %s after the refusals", name, m.Raw)
		}
	}

	welcomeCanvas := func(ts *testServer, url string) string {
		t.Helper()
		c, _, err := client.Dial(url, "")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		w, err := c.Hello(0, "late", time.Now().Add(wait))
		if err != nil {
			t.Fatal(err)
		}
		return w.Canvas
	}
	if got := welcomeCanvas(ts, ts.wsURL("/v/", b.ViewID)); got != "paper" {
		t.Fatalf("a viewer joining later was welcomed with canvas %q, want paper", got)
	}

	ts.stop()
	again := startServerWith(t, ts.cfg)
	if got := welcomeCanvas(again, again.wsURL("/b/", b.ID)); got != "paper" {
		t.Fatalf("after a restart the welcome says canvas %q, want paper", got)
	}
	if _, page := get(t, again.URL+"/v/"+b.ViewID); !strings.Contains(string(page), `data-canvas="paper"`) {
		t.Error("the board page does not show the paper canvas from its first paint")
	}

	// Exports are drawn on the board's colour unless the request names a background.
	corner := func(query string) color.RGBA {
		t.Helper()
		resp, body := get(t, again.URL+"/b/"+b.ID+"/export.png"+query)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("export%s: %d %s", query, resp.StatusCode, body)
		}
		r, g, bl, al := decodePNG(t, body).At(0, 0).RGBA()
		return color.RGBA{uint8(r >> 8), uint8(g >> 8), uint8(bl >> 8), uint8(al >> 8)}
	}
	for _, c := range []struct {
		query string
		want  color.RGBA
	}{
		{"", wire.CanvasShade("paper", false)},
		{"?theme=dark", wire.CanvasShade("paper", true)},
		{"?background=on", wire.CanvasShade("paper", false)},
		{"?background=sky&theme=dark", wire.CanvasShade("sky", true)},
		{"?background=off", color.RGBA{}},
	} {
		if got := corner(c.query); got != c.want {
			t.Errorf("export.png%s: background %v, want %v", c.query, got, c.want)
		}
	}
	if got := wire.CanvasShade("paper", false); got == wire.CanvasShade("plain", false) {
		t.Fatal("paper and plain are the same colour: the export checks above prove nothing")
	}
	resp, body := get(t, again.URL+"/b/"+b.ID+"/export.png?background=url(x)")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "background must be") {
		t.Errorf("a hostile background was answered %d %s", resp.StatusCode, body)
	}
}
