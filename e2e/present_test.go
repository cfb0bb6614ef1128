package e2e

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"tabula/collab"
	"tabula/internal/client"
)

// presentMsg is a present frame from the server, or a welcome's present field.
type presentMsg struct {
	SID    string `json:"sid"`
	Name   string `json:"name"`
	ID     string `json:"id"`
	Summon bool   `json:"summon"`
}

func readPresent(t *testing.T, m *client.Msg) presentMsg {
	t.Helper()
	var p presentMsg
	if err := json.Unmarshal(m.Raw, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

// untilPresent reads until a present frame arrives, failing on an error frame.
func (p *peer) untilPresent(t *testing.T) presentMsg {
	t.Helper()
	m := p.until(func(m *client.Msg) bool { return m.T == "present" || m.T == "error" })
	if m.T == "error" {
		t.Fatalf("got error %s %s, want a present frame", m.Code, m.Message)
	}
	return readPresent(t, m)
}

// untilError reads until an error frame arrives. (That a refused message changed
// nothing is checked by what the state is afterwards.)
func (p *peer) untilError(t *testing.T) *client.Msg {
	t.Helper()
	return p.until(func(m *client.Msg) bool { return m.T == "error" })
}

func (p *peer) present(op, id string) {
	p.t.Helper()
	m := map[string]any{"t": "present", "op": op}
	if id != "" {
		m["id"] = id
	}
	if err := p.c.Send(m); err != nil {
		p.t.Fatal(err)
	}
}

func deck(ana *peer) {
	ana.commit("deck",
		put(map[string]any{"id": "f1", "type": "frame", "x": 0, "y": 0, "w": 200, "h": 100, "text": "One", "z": "a0"}),
		put(map[string]any{"id": "f2", "type": "frame", "x": 400, "y": 0, "w": 100, "h": 200, "text": "Two", "z": "a1"}),
		put(rect("r1", 10)),
	)
}

// One person presents at a time: the others and view-only visitors are told who presents
// and which frame, late joiners learn it in their welcome, presence marks the presenter,
// taking over is explicit, and the presenter leaving ends it.
func TestPresentingStepsThroughFrames(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	ana := join(t, ts.wsURL("/b/", b.ID), 0)
	deck(ana)
	ben := join(t, ts.wsURL("/b/", b.ID), 0)
	vic := join(t, ts.wsURL("/v/", b.ViewID), 0)
	events := subscribe(t, ts.URL+"/b/"+b.ID+"/presence", "")
	roster(t, nextEvent(t, events))

	ana.present("start", "")
	for _, p := range []*peer{ana, ben, vic} {
		if got := p.untilPresent(t); got.SID != ana.sid || got.ID != "" {
			t.Fatalf("after start: %+v, want ana (%s) with no frame", got, ana.sid)
		}
	}
	for {
		ev := nextEvent(t, events)
		var p collab.Person
		_ = json.Unmarshal([]byte(ev.Data), &p)
		if ev.Type == "update" && p.SID == ana.sid {
			if !p.Presenting {
				t.Fatalf("presence update %s does not say presenting", ev.Data)
			}
			break
		}
	}

	ana.present("go", "f2")
	for _, p := range []*peer{ben, vic} {
		if got := p.untilPresent(t); got.SID != ana.sid || got.ID != "f2" {
			t.Fatalf("after go: %+v, want f2", got)
		}
	}
	ana.present("summon", "")
	if got := vic.untilPresent(t); !got.Summon || got.ID != "f2" {
		t.Fatalf("after summon: %+v", got)
	}

	// A late joiner learns it from the welcome.
	c, _, err := client.Dial(ts.wsURL("/v/", b.ViewID), "")
	if err != nil {
		t.Fatal(err)
	}
	defer c.WS.Close()
	w, err := c.Hello(0, "late", time.Now().Add(wait))
	if err != nil {
		t.Fatal(err)
	}
	var welcome struct{ Present presentMsg }
	if err := json.Unmarshal(w.Raw, &welcome); err != nil || welcome.Present.SID != ana.sid || welcome.Present.ID != "f2" {
		t.Fatalf("welcome present %+v (%v) in %s", welcome.Present, err, w.Raw)
	}

	// Someone else starting is refused; taking over is explicit.
	ben.present("start", "")
	if e := ben.untilError(t); e.Code != "presenting" {
		t.Fatalf("start while ana presents: %s %s", e.Code, e.Message)
	}
	ben.present("take", "")
	if got := vic.untilPresent(t); got.SID != ben.sid {
		t.Fatalf("after take: %+v, want ben", got)
	}
	// The refusals before it broadcast nothing: the viewer saw summon, then the take.
	ana.present("go", "f1")
	if e := ana.untilError(t); e.Code != "not_presenter" {
		t.Fatalf("go by the former presenter: %s", e.Code)
	}

	// The presenter leaving ends it.
	ben.c.Close()
	if got := vic.untilPresent(t); got.SID != "" {
		t.Fatalf("after the presenter left: %+v", got)
	}
}

// Hostile present messages are refused with a clear error and change nothing: a viewer
// starting, a claimed sid, an op by someone who does not present, a frame that is not
// one, malformed messages; a flood is cut to the ephemeral rate. The server keeps
// serving.
func TestPresentingRefusesHostileMessages(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	ana := join(t, ts.wsURL("/b/", b.ID), 0)
	deck(ana)
	eve := join(t, ts.wsURL("/b/", b.ID), 0)
	vic := join(t, ts.wsURL("/v/", b.ViewID), 0)

	vic.present("start", "")
	if e := vic.untilError(t); e.Code != "view_only" {
		t.Fatalf("viewer start: %s %s", e.Code, e.Message)
	}
	vic.present("take", "")
	if e := vic.untilError(t); e.Code != "view_only" {
		t.Fatalf("viewer take: %s", e.Code)
	}

	ana.present("start", "")
	ana.untilPresent(t)
	eve.untilPresent(t)

	for _, tc := range []struct {
		name, frame, code string
	}{
		{"ClaimsAnotherSID", fmt.Sprintf(`{"t":"present","op":"stop","sid":%q}`, ana.sid), "unknown_field"},
		{"StopsSomeoneElse", `{"t":"present","op":"stop"}`, "not_presenter"},
		{"StepsForThePresenter", `{"t":"present","op":"go","id":"f1"}`, "not_presenter"},
		{"SummonsForThePresenter", `{"t":"present","op":"summon"}`, "not_presenter"},
		{"NoOp", `{"t":"present"}`, "bad_message"},
		{"UnknownOp", `{"t":"present","op":"crown"}`, "bad_message"},
		{"GoWithoutID", `{"t":"present","op":"go"}`, "bad_message"},
		{"BadID", `{"t":"present","op":"go","id":"<script>"}`, "bad_message"},
		{"StartWithID", `{"t":"present","op":"take","id":"f1","x":1}`, "bad_message"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := eve.c.SendRaw([]byte(tc.frame)); err != nil {
				t.Fatal(err)
			}
			if e := eve.untilError(t); e.Code != tc.code {
				t.Fatalf("got %s (%s), want %s", e.Code, e.Message, tc.code)
			}
		})
	}
	for _, id := range []string{"r1", "nothere"} {
		ana.present("go", id)
		if e := ana.untilError(t); e.Code != "bad_value" {
			t.Fatalf("go to %s: %s", id, e.Code)
		}
	}

	// A flood of steps: far fewer reach the others than were sent; then a batch (not
	// rate-limited, and broadcast after everything the room handled before it) marks the end.
	const flood = 2000
	for i := range flood {
		ana.present("go", []string{"f1", "f2"}[i%2])
	}
	ana.send("after-flood", put(rect("r2", 50)))
	got := 0
	vic.until(func(m *client.Msg) bool {
		if m.T == "present" {
			got++
		}
		return m.T == "ops"
	})
	if got == 0 || got > flood/4 {
		t.Fatalf("%d of %d steps reached the others; want some, and the flood cut", got, flood)
	}
	if ana.sid == "" || len(ana.errs) > 0 && ana.errs[len(ana.errs)-1].Code == "internal" {
		t.Fatal("server failed")
	}
	// Still presenting, still serving.
	eve.present("start", "")
	if e := eve.untilError(t); e.Code != "presenting" {
		t.Fatalf("after the flood: %s", e.Code)
	}
}
