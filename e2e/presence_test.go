package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"tabula/app/program"
	"tabula/collab"
	"tabula/collab/wire"
	"tabula/internal/client"
)

func subscribe(t *testing.T, url, last string) *client.EventStream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s, err := client.Subscribe(ctx, url, last)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); s.Close() })
	return s
}

// nextEvent reads the next event of the stream, failing the test after a deadline.
func nextEvent(t *testing.T, s *client.EventStream) *client.Event {
	t.Helper()
	type res struct {
		ev  *client.Event
		err error
	}
	ch := make(chan res, 1)
	go func() {
		ev, err := s.Next()
		ch <- res{ev, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("event stream: %v", r.err)
		}
		return r.ev
	case <-time.After(wait):
		t.Fatal("no presence event")
		return nil
	}
}

func roster(t *testing.T, ev *client.Event) []collab.Person {
	t.Helper()
	if ev.Type != "roster" {
		t.Fatalf("got %s event, want roster: %s", ev.Type, ev.Data)
	}
	var people []collab.Person
	if err := json.Unmarshal([]byte(ev.Data), &people); err != nil {
		t.Fatal(err)
	}
	return people
}

func TestPresenceStream(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) { c.Heartbeat = 20 * time.Millisecond })
	b := ts.newBoard(t)
	s := subscribe(t, ts.URL+"/b/"+b.ID+"/presence", "")
	if ct := s.Resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") ||
		s.Resp.Header.Get("Cache-Control") != "no-cache" || s.Resp.Header.Get("X-Accel-Buffering") != "no" {
		t.Fatalf("headers: %v", s.Resp.Header)
	}
	if people := roster(t, nextEvent(t, s)); len(people) != 0 {
		t.Fatalf("empty board has roster %v", people)
	}
	if s.Retry != 3000 || s.LastID == "" {
		t.Fatalf("retry %d, id %q: want a retry hint and an event id", s.Retry, s.LastID)
	}

	ana := join(t, ts.wsURL("/b/", b.ID), 0)
	ev := nextEvent(t, s)
	var p collab.Person
	json.Unmarshal([]byte(ev.Data), &p)
	if ev.Type != "join" || p.SID != ana.sid || p.Role != collab.RoleEditor || p.Name != "tester" || p.Since == 0 || p.Color == "" {
		t.Fatalf("join event %s %s", ev.Type, ev.Data)
	}
	afterJoin := s.LastID

	if err := ana.c.Send(map[string]any{"t": "name", "name": "Ana <b>", "color": "#2f9e44"}); err != nil {
		t.Fatal(err)
	}
	ev = nextEvent(t, s)
	json.Unmarshal([]byte(ev.Data), &p)
	if ev.Type != "update" || p.Name != "Ana <b>" || p.Color != "#2f9e44" {
		t.Fatalf("update event %s %s", ev.Type, ev.Data)
	}
	ana.c.Send(map[string]any{"t": "name", "name": "Ana"})
	nextEvent(t, s)
	viewer := join(t, ts.wsURL("/v/", b.ViewID), 0)
	ev = nextEvent(t, s)
	json.Unmarshal([]byte(ev.Data), &p)
	if ev.Type != "join" || p.Role != collab.RoleViewer {
		t.Fatalf("viewer join %s %s", ev.Type, ev.Data)
	}
	viewer.c.Close()
	if ev = nextEvent(t, s); ev.Type != "leave" || !strings.Contains(ev.Data, viewer.sid) {
		t.Fatalf("leave event %s %s", ev.Type, ev.Data)
	}

	t.Run("ResumeWithLastEventID", func(t *testing.T) {
		again := subscribe(t, ts.URL+"/v/"+b.ViewID+"/presence", afterJoin)
		var kinds []string
		for len(kinds) < 4 {
			ev := nextEvent(t, again)
			kinds = append(kinds, ev.Type)
		}
		if strings.Join(kinds, ",") != "update,update,join,leave" {
			t.Fatalf("resumed with %v, want the events after the join", kinds)
		}
	})
	t.Run("UnknownLastEventIDGetsRoster", func(t *testing.T) {
		again := subscribe(t, ts.URL+"/b/"+b.ID+"/presence", "someone-else-7")
		people := roster(t, nextEvent(t, again))
		if len(people) != 1 || people[0].SID != ana.sid || people[0].Name != "Ana" {
			t.Fatalf("roster %+v", people)
		}
	})
	t.Run("Heartbeats", func(t *testing.T) {
		quiet := subscribe(t, ts.URL+"/b/"+b.ID+"/presence", "")
		nextEvent(t, quiet)
		// Nothing happens on the board now; the stream must still carry heartbeats.
		quiet.ReportComments = true
		if ev := nextEvent(t, quiet); ev.Type != ":" || ev.Data != "heartbeat" {
			t.Fatalf("got %s %q, want a heartbeat comment", ev.Type, ev.Data)
		}
	})
}

func TestPresenceHostileNamesAreCleaned(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	s := subscribe(t, ts.URL+"/b/"+b.ID+"/presence", "")
	nextEvent(t, s)
	c, _, err := client.Dial(ts.wsURL("/b/", b.ID), "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	name := "  <img src=x onerror=alert(1)>\u0000\u202e" + strings.Repeat("x", 100) + "\n"
	if err := c.Send(map[string]any{"t": "hello", "v": 1, "name": name, "color": "red;background:url(x)"}); err != nil {
		t.Fatal(err)
	}
	ev := nextEvent(t, s)
	var p collab.Person
	if err := json.Unmarshal([]byte(ev.Data), &p); err != nil {
		t.Fatal(err)
	}
	if len([]rune(p.Name)) > wire.MaxName || strings.ContainsAny(p.Name, "\x00\u202e\n") || !strings.HasPrefix(p.Name, "<img") {
		t.Fatalf("name %q: want trimmed, control characters removed, cut to %d, kept as text", p.Name, wire.MaxName)
	}
	if !strings.HasPrefix(p.Color, "#") || len(p.Color) != 7 {
		t.Fatalf("colour %q: want a server-chosen #rrggbb", p.Color)
	}
}

func TestPresenceLimitsAndUnknownBoards(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) { c.MaxStreams = 3 })
	b := ts.newBoard(t)
	for range 3 {
		nextEvent(t, subscribe(t, ts.URL+"/b/"+b.ID+"/presence", ""))
	}
	resp, err := http.Get(ts.URL + "/b/" + b.ID + "/presence")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("4th stream from one address: %d, want 429", resp.StatusCode)
	}
	for _, path := range []string{"/b/AAAAAAAAAAAAAAAAAAAAAA/presence", "/v/" + b.ID + "/presence", "/b/x/presence"} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Fatalf("%s: %d, want 404", path, resp.StatusCode)
		}
	}
}

// TestPresenceChurnLeavesNoGhosts: 100 sessions come and go, half of them by dropping
// the connection without a close. The roster ends empty and goroutines return to what
// they were.
func TestPresenceChurnLeavesNoGhosts(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) { c.RoomIdle = time.Millisecond })
	b := ts.newBoard(t)
	base := runtime.NumGoroutine()
	for i := range 100 {
		p := join(t, ts.wsURL("/b/", b.ID), 0)
		if i%2 == 0 {
			p.c.WS.NetConn().Close() // abrupt: no close frame
		} else {
			p.c.Close()
		}
	}
	waitFor(t, "everyone to leave", func() bool { return ts.svc.Present(b.ID) == 0 })
	s := subscribe(t, ts.URL+"/b/"+b.ID+"/presence", "")
	if people := roster(t, nextEvent(t, s)); len(people) != 0 {
		t.Fatalf("ghosts in the roster: %+v", people)
	}
	s.Close()
	waitFor(t, fmt.Sprintf("goroutines back to %d", base), func() bool { return runtime.NumGoroutine() <= base })
}

func TestHomeCountsStream(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) { c.CountEvery = 10 * time.Millisecond })
	a, b := ts.newBoard(t), ts.newBoard(t)
	s := subscribe(t, ts.URL+"/presence?ids="+a.ID+","+b.ViewID+",bogus", "")
	counts := func() map[string]int {
		ev := nextEvent(t, s)
		if ev.Type != "counts" {
			t.Fatalf("got %s", ev.Type)
		}
		m := map[string]int{}
		json.Unmarshal([]byte(ev.Data), &m)
		return m
	}
	if m := counts(); m[a.ID] != 0 || m[b.ViewID] != 0 || len(m) != 2 {
		t.Fatalf("counts %v", m)
	}
	join(t, ts.wsURL("/v/", b.ViewID), 0)
	if m := counts(); m[b.ViewID] != 1 || m[a.ID] != 0 {
		t.Fatalf("counts %v", m)
	}
}
