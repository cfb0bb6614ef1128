package board

import (
	"fmt"
	"strings"
	"testing"

	"tabula/collab/wire"
)

// applyFrame decodes and applies one ops message, returning the error of whichever step
// refused it: a client's batch meets both.
func applyFrame(s *State, frame string, lim *wire.Limits) error {
	m, err := wire.DecodeMessage([]byte(frame), lim)
	if err != nil {
		return err
	}
	_, err = s.Apply(m.Ops, "s", 1, lim)
	return err
}

func TestFrameMembershipIsValidated(t *testing.T) {
	base := `{"t":"ops","cid":"0","ops":[` +
		`{"o":"put","el":{"id":"f1","type":"frame","x":0,"y":0,"w":100,"h":80,"text":"Frame 1","z":"a0"}},` +
		`{"o":"put","el":{"id":"f2","type":"frame","x":200,"y":0,"w":100,"h":80,"z":"a1"}},` +
		`{"o":"put","el":{"id":"r","type":"rect","x":10,"y":10,"w":5,"h":5,"frame":"f1","z":"a2"}},` +
		`{"o":"put","el":{"id":"gone","type":"frame","z":"a3"}},{"o":"del","id":"gone"}]}`
	long := strings.Repeat("é", wire.MaxFrameName+1)
	for _, tc := range []struct {
		name, ops, code string
	}{
		{"RefusesFrameContainingItself", `{"o":"put","el":{"id":"f3","type":"frame","frame":"f3","z":"b"}}`, wire.EBadFrame},
		{"RefusesFrameInFrame", `{"o":"put","el":{"id":"f3","type":"frame","frame":"f1","z":"b"}}`, wire.EBadFrame},
		{"RefusesPatchPuttingFrameInFrame", `{"o":"patch","id":"f2","set":{"frame":"f1"}}`, wire.EBadFrame},
		{"RefusesMemberOfNonFrame", `{"o":"put","el":{"id":"x","type":"rect","frame":"r","z":"b"}}`, wire.EBadFrame},
		{"RefusesMemberOfMissingFrame", `{"o":"put","el":{"id":"x","type":"rect","frame":"nope","z":"b"}}`, wire.EBadFrame},
		{"RefusesMemberOfDeletedFrame", `{"o":"patch","id":"r","set":{"frame":"gone"}}`, wire.EBadFrame},
		{"RefusesMemberWhenFrameDeletedInSameBatch", `{"o":"patch","id":"r","set":{"x":1}},{"o":"del","id":"f2"},{"o":"put","el":{"id":"x","type":"rect","frame":"f2","z":"b"}}`, wire.EBadFrame},
		{"RefusesBadFrameID", `{"o":"put","el":{"id":"x","type":"rect","frame":"a b","z":"b"}}`, wire.EBadValue},
		{"RefusesLongNameInPut", `{"o":"put","el":{"id":"f3","type":"frame","text":"` + long + `","z":"b"}}`, wire.ETextTooLong},
		{"RefusesLongNameInPatch", `{"o":"patch","id":"f1","set":{"text":"` + long + `"}}`, wire.ETextTooLong},
		{"AcceptsMemberBeforeItsFrameInBatch", `{"o":"put","el":{"id":"x","type":"rect","frame":"f3","z":"b"}},{"o":"put","el":{"id":"f3","type":"frame","z":"c"}}`, ""},
		{"AcceptsMoveToOtherFrame", `{"o":"patch","id":"r","set":{"frame":"f2","x":210}}`, ""},
		{"AcceptsLeavingFrame", `{"o":"patch","id":"r","set":{"frame":""}}`, ""},
		{"AcceptsDeletingFrameWithMembers", `{"o":"del","id":"f1"},{"o":"del","id":"r"}`, ""},
		{"AcceptsMovingMemberOfDeletedFrame", `{"o":"del","id":"f1"}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewState()
			if err := applyFrame(s, base, &wire.DefaultLimits); err != nil {
				t.Fatal(err)
			}
			before := string(s.appendSorted())
			err := applyFrame(s, `{"t":"ops","cid":"1","ops":[`+tc.ops+`]}`, &wire.DefaultLimits)
			if got := code(err); got != tc.code {
				t.Fatalf("got %v, want code %q", err, tc.code)
			}
			if tc.code != "" && string(s.appendSorted()) != before {
				t.Fatal("a refused batch changed the board")
			}
			if tc.code != "" && !strings.Contains(wire.ErrorMessage(err), " ") {
				t.Fatalf("message %q does not explain", wire.ErrorMessage(err))
			}
		})
	}
	t.Run("MemberOfDeletedFrameCanStillMove", func(t *testing.T) {
		s := NewState()
		if err := applyFrame(s, base, &wire.DefaultLimits); err != nil {
			t.Fatal(err)
		}
		if err := applyFrame(s, `{"t":"ops","cid":"1","ops":[{"o":"del","id":"f1"}]}`, &wire.DefaultLimits); err != nil {
			t.Fatal(err)
		}
		if err := applyFrame(s, `{"t":"ops","cid":"2","ops":[{"o":"patch","id":"r","set":{"x":50}}]}`, &wire.DefaultLimits); err != nil {
			t.Fatalf("moving the member of a frame someone deleted: %v", err)
		}
	})
}

func TestThousandsOfFramesMeetTheElementLimit(t *testing.T) {
	lim := wire.DefaultLimits
	lim.MaxElements = 5_000
	s := NewState()
	var b strings.Builder
	b.WriteString(`{"t":"ops","cid":"1","ops":[`)
	for i := range 5_000 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"o":"put","el":{"id":"f` + itoa(i) + `","type":"frame","w":10,"h":10,"z":"a` + itoa(i) + `"}}`)
	}
	b.WriteString(`]}`)
	if err := applyFrame(s, b.String(), &lim); err != nil {
		t.Fatal(err)
	}
	more := strings.ReplaceAll(strings.ReplaceAll(b.String(), `"id":"f`, `"id":"g`), `"cid":"1"`, `"cid":"2"`)
	if err := applyFrame(s, more, &lim); code(err) != wire.ETooManyElements {
		t.Fatalf("10,000 frames: got %v, want %s", err, wire.ETooManyElements)
	}
	if s.live != 5_000 {
		t.Fatalf("live = %d", s.live)
	}
}

func TestFrameSurvivesSnapshot(t *testing.T) {
	s := NewState()
	if err := applyFrame(s, `{"t":"ops","cid":"1","ops":[{"o":"put","el":{"id":"f","type":"frame","w":10,"h":10,"text":"Intro","z":"a"}},{"o":"put","el":{"id":"r","type":"rect","frame":"f","z":"b"}}]}`, &wire.DefaultLimits); err != nil {
		t.Fatal(err)
	}
	got, err := LoadState(s.Snapshot(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.els["r"].Frame != "f" || got.els["f"].Text != "Intro" || got.els["f"].Type != "frame" {
		t.Fatalf("after a snapshot: r=%+v f=%+v", got.els["r"], got.els["f"])
	}
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return wire.ErrorCode(err)
}

// TestFrameMoveCarryLimits: a frame's move that would take a member past the coordinate
// limit is refused as a whole, naming the member, and the board is left as it was.
func TestFrameMoveCarryLimits(t *testing.T) {
	s := NewState()
	lim := wire.DefaultLimits
	put := func(e wire.Element) wire.Op { return wire.Op{Kind: wire.OpPut, ID: e.ID, El: &e} }
	if _, err := s.Apply([]wire.Op{
		put(wire.Element{ID: "f", Type: "frame", X: 0, W: 100, H: 100, Opacity: 1, Z: "a0"}),
		put(wire.Element{ID: "far", Type: "rect", X: wire.MaxCoord - 10, W: 5, H: 5, Opacity: 1, Frame: "f", Z: "a1"}),
	}, "s1", 1, &lim); err != nil {
		t.Fatal(err)
	}
	x := 20.0
	_, err := s.Apply([]wire.Op{{Kind: wire.OpPatch, ID: "f", Set: &wire.Fields{X: &x}}}, "s1", 2, &lim)
	if wire.ErrorCode(err) != wire.EBadValue || !strings.Contains(err.Error(), "far") {
		t.Fatalf("moving the frame past the limit: %v, want %s naming the member", err, wire.EBadValue)
	}
	if s.Seq() != 1 || s.Element("f").X != 0 || s.Element("far").X != wire.MaxCoord-10 {
		t.Fatalf("a refused move changed the board: seq %d, frame x %g, member x %g", s.Seq(), s.Element("f").X, s.Element("far").X)
	}
	x = -20
	if _, err := s.Apply([]wire.Op{{Kind: wire.OpPatch, ID: "f", Set: &wire.Fields{X: &x}}}, "s1", 3, &lim); err != nil {
		t.Fatal(err)
	}
	if got := s.Element("far"); got.X != wire.MaxCoord-30 || got.V != 2 || got.By != "s1" {
		t.Fatalf("the member after its frame moved: x %g v %d by %q", got.X, got.V, got.By)
	}
}

// TestFrameMoveCarryBudget: a hostile batch that patches one big frame's place again and
// again would make the room (and every client) move all its members each time; it is
// refused once it has moved more elements than a board may hold, and changes nothing.
func TestFrameMoveCarryBudget(t *testing.T) {
	s := NewState()
	lim := wire.DefaultLimits
	lim.MaxElements = 1000
	ops := []wire.Op{{Kind: wire.OpPut, ID: "f", El: &wire.Element{ID: "f", Type: "frame", W: 100, H: 100, Opacity: 1, Z: "a0"}}}
	for i := range 400 {
		id := fmt.Sprintf("m%d", i)
		ops = append(ops, wire.Op{Kind: wire.OpPut, ID: id, El: &wire.Element{ID: id, Type: "rect", X: 1, W: 5, H: 5, Opacity: 1, Frame: "f", Z: "a1"}})
	}
	if _, err := s.Apply(ops, "s1", 1, &lim); err != nil {
		t.Fatal(err)
	}
	move := func(n int) []wire.Op {
		var ops []wire.Op
		for i := range n {
			x := float64(i%2 + 1)
			ops = append(ops, wire.Op{Kind: wire.OpPatch, ID: "f", Set: &wire.Fields{X: &x}})
		}
		return ops
	}
	if _, err := s.Apply(move(2), "s1", 2, &lim); err != nil { // 800 moves: allowed
		t.Fatalf("two moves of a 400-element frame: %v", err)
	}
	_, err := s.Apply(move(3), "s1", 3, &lim) // 1,200 > 1,000
	if wire.ErrorCode(err) != wire.EBadOp {
		t.Fatalf("three moves of a 400-element frame with a 1,000-element limit: %v, want %s", err, wire.EBadOp)
	}
	if s.Seq() != 2 || s.Element("m0").X != 3 { // 1, then by 1 and 1 more
		t.Fatalf("the refused batch changed the board: seq %d, m0 at %g", s.Seq(), s.Element("m0").X)
	}
}
