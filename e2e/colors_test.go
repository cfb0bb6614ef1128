package e2e

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"tabula/collab"
	"tabula/internal/client"
)

// helloAs connects to url and says hello with a name and a colour, returning the
// connection and its welcome.
func helloAs(url, name, color string) (*client.Conn, *client.Msg, error) {
	c, _, err := client.Dial(url, "")
	if err != nil {
		return nil, nil, err
	}
	if err := c.Send(map[string]any{"t": "hello", "v": 1, "since": 0, "name": name, "color": color}); err != nil {
		c.WS.Close()
		return nil, nil, err
	}
	for {
		m, err := c.Read(time.Now().Add(wait))
		if err != nil {
			c.WS.Close()
			return nil, nil, err
		}
		if m.T == "welcome" {
			return c, m, nil
		}
	}
}

// People who join a board at the same moment, all asking for the same colour, each get a
// colour nobody else there wears; the presence roster says the same; once the palette
// has run out, a newcomer keeps the colour they asked for.
func TestColorsDistinctWhenJoiningAtOnce(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	url := ts.wsURL("/b/", b.ID)
	n := len(collab.Palette)

	type joined struct {
		c *client.Conn
		w *client.Msg
	}
	got := make([]joined, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c, w, err := helloAs(url, fmt.Sprintf("Person %d", i), "#e03131")
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = joined{c, w}
		}()
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	bySID := map[string]string{}
	seen := map[string]int{}
	for i, j := range got {
		t.Cleanup(func() { j.c.WS.Close() })
		if prev, ok := seen[j.w.Color]; ok {
			t.Errorf("person %d and person %d both got %s", prev, i, j.w.Color)
		}
		seen[j.w.Color] = i
		bySID[j.w.SID] = j.w.Color
	}
	if _, ok := seen["#e03131"]; !ok {
		t.Errorf("nobody got the colour they all asked for: %v", seen)
	}

	s := subscribe(t, ts.URL+"/b/"+b.ID+"/presence", "")
	people := roster(t, nextEvent(t, s))
	if len(people) != n {
		t.Fatalf("roster has %d people, want %d", len(people), n)
	}
	for _, p := range people {
		if p.Color != bySID[p.SID] {
			t.Errorf("roster gives %s colour %s, welcome said %s", p.SID, p.Color, bySID[p.SID])
		}
	}

	// The palette has run out: the colour asked for is kept rather than refused.
	_, w, err := helloAs(url, "Late", "#123456")
	if err != nil {
		t.Fatal(err)
	}
	if w.Color != "#123456" {
		t.Errorf("with every palette colour worn, a newcomer asking for #123456 got %s", w.Color)
	}
}

// A rename to a colour someone else wears gives a free one instead, and says so to the
// renamer; the same person on a second connection (same name and colour) keeps theirs.
func TestColorsRenameAndReconnect(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	url := ts.wsURL("/b/", b.ID)

	ana, wa, err := helloAs(url, "Ana", "#1971c2")
	if err != nil {
		t.Fatal(err)
	}
	defer ana.WS.Close()
	bo, wb, err := helloAs(url, "Bo", "#1971c2")
	if err != nil {
		t.Fatal(err)
	}
	defer bo.WS.Close()
	if wa.Color != "#1971c2" || wb.Color == wa.Color || !strings.HasPrefix(wb.Color, "#") {
		t.Fatalf("Ana got %s, Bo got %s: want Ana #1971c2 and Bo another colour", wa.Color, wb.Color)
	}

	// Bo asks for Ana's colour: the join everyone gets (Bo included) carries another.
	if err := bo.Send(map[string]any{"t": "name", "name": "Bo", "color": "#1971C2"}); err != nil {
		t.Fatal(err)
	}
	for {
		m, err := bo.Read(time.Now().Add(wait))
		if err != nil {
			t.Fatal(err)
		}
		if m.T == "join" && m.SID == wb.SID {
			if m.Color == wa.Color {
				t.Fatalf("rename gave Bo Ana's colour %s", m.Color)
			}
			break
		}
	}

	// Ana again, on a second connection (a reconnect the server has not noticed): same colour.
	ana2, wa2, err := helloAs(url, "Ana", "#1971c2")
	if err != nil {
		t.Fatal(err)
	}
	defer ana2.WS.Close()
	if wa2.Color != wa.Color {
		t.Errorf("Ana reconnecting got %s, want her colour %s", wa2.Color, wa.Color)
	}
}
