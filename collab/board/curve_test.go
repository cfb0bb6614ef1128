package board

import (
	"os"
	"strings"
	"testing"

	"tabula/collab/wire"
)

// TestCurveField checks the curve field of lines and arrows end to end in this package:
// the allowed words are taken (in a put, a patch and a preview), anything else is refused
// with an error that names the field, and a refused batch changes nothing.
func TestCurveField(t *testing.T) {
	arrow := func(curve string) string {
		return `{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"arrow","points":[[0,0],[50,40],[100,0]],"z":"a0","curve":` + curve + `}}]}`
	}
	patch := func(curve string) string {
		return `{"t":"ops","cid":"c","ops":[{"o":"patch","id":"a","set":{"curve":` + curve + `}}]}`
	}
	for _, good := range []string{`""`, `"sharp"`, `"round"`} {
		for _, frame := range []string{arrow(good), patch(good), `{"t":"preview","el":{"id":"a","type":"line","z":"a","curve":` + good + `}}`} {
			if _, err := wire.DecodeMessage([]byte(frame), &wire.DefaultLimits); err != nil {
				t.Errorf("%s refused: %v", frame, err)
			}
		}
	}
	for _, c := range []struct {
		name, value, code, msg string
	}{
		{"UnknownWord", `"smooth"`, wire.EBadValue, `curve "smooth" is not allowed`},
		{"Capitalised", `"Round"`, wire.EBadValue, `curve "Round" is not allowed`},
		{"Markup", `"round\" onload=\"x"`, wire.EBadValue, "curve"},
		{"Number", `5`, wire.EBadValue, "curve has the wrong type"},
		{"Bool", `true`, wire.EBadValue, "curve has the wrong type"},
		{"Object", `{"type":2}`, wire.EBadValue, "curve has the wrong type"},
		{"Array", `["round"]`, wire.EBadValue, "curve has the wrong type"},
		{"VeryLong", `"` + strings.Repeat("round", 200_000) + `"`, wire.EBadValue, "curve"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, frame := range []string{arrow(c.value), patch(c.value)} {
				_, err := wire.DecodeMessage([]byte(frame), &wire.DefaultLimits)
				if wire.ErrorCode(err) != c.code || !strings.Contains(wire.ErrorMessage(err), c.msg) {
					t.Fatalf("got %v, want %s mentioning %q", err, c.code, c.msg)
				}
				// The message quotes at most a short piece of what was sent.
				if len(wire.ErrorMessage(err)) > 200 {
					t.Fatalf("error message of %d bytes echoes the input", len(wire.ErrorMessage(err)))
				}
			}
		})
	}

	// Applied, the field is stored, broadcast and patched like any other.
	s := NewState()
	for _, frame := range []string{arrow(`"round"`), patch(`""`), patch(`"round"`)} {
		m := mustDecode(t, frame)
		if _, err := s.Apply(m.Ops, "s", 1, &wire.DefaultLimits); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.els["a"].Curve; got != "round" {
		t.Fatalf("curve after put, clear and set again: %q", got)
	}
	if js := string(s.els["a"].AppendJSON(nil)); !strings.Contains(js, `"curve":"round"`) {
		t.Fatalf("the element's JSON lacks its curve: %s", js)
	}
	bad := mustDecodeErr(t, `{"t":"ops","cid":"d","ops":[{"o":"patch","id":"a","set":{"x":9}},{"o":"patch","id":"a","set":{"curve":"wavy"}}]}`)
	if wire.ErrorCode(bad) != wire.EBadValue || s.els["a"].X != 0 {
		t.Fatalf("a batch with a bad curve: %v, x=%v", bad, s.els["a"].X)
	}
}

func mustDecodeErr(t *testing.T, frame string) error {
	t.Helper()
	_, err := wire.DecodeMessage([]byte(frame), &wire.DefaultLimits)
	if err == nil {
		t.Fatalf("%s was accepted", frame)
	}
	return err
}

// TestSnapshotCurve: the curve survives a snapshot; elements without one load without
// one.
func TestSnapshotCurve(t *testing.T) {
	s := NewState()
	m := mustDecode(t, `{"t":"ops","cid":"c","ops":[
		{"o":"put","el":{"id":"round","type":"arrow","points":[[0,0],[50,40],[100,0]],"curve":"round","endBind":"r","z":"a0"}},
		{"o":"put","el":{"id":"sharp","type":"line","points":[[0,0],[50,40]],"curve":"sharp","z":"a1"}},
		{"o":"put","el":{"id":"plain","type":"arrow","points":[[0,0],[50,40]],"z":"a2"}},
		{"o":"put","el":{"id":"r","type":"rect","w":10,"h":10,"z":"a3"}}]}`)
	if _, err := s.Apply(m.Ops, "s", 5, &wire.DefaultLimits); err != nil {
		t.Fatal(err)
	}
	loaded, err := decodeSnapshot(s.encodeSnapshot())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(loaded.appendSorted()), string(s.appendSorted()); got != want {
		t.Fatalf("round trip:\n got %s\nwant %s", got, want)
	}
	for id, want := range map[string]string{"round": "round", "sharp": "sharp", "plain": "", "r": ""} {
		if got := loaded.els[id].Curve; got != want {
			t.Errorf("%s: curve %q, want %q", id, got, want)
		}
	}
}

// TestSnapshotVersion1StillLoads decodes a snapshot written by the server before the
// curve field existed (testdata/snapshot/v1.bin, format 1) and compares it with the
// board it held (v1.json, written at the same time).
func TestSnapshotVersion1StillLoads(t *testing.T) {
	data, err := os.ReadFile("testdata/snapshot/v1.bin")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/snapshot/v1.json")
	if err != nil {
		t.Fatal(err)
	}
	if data[0] != 'T' || data[1] != 1 {
		t.Fatalf("the fixture is not a format 1 snapshot: % x", data[:2])
	}
	s, err := LoadState(Snapshot{Seq: 3, Data: data}, nil)
	if err != nil {
		t.Fatalf("a format 1 snapshot no longer loads: %v", err)
	}
	if got := string(s.appendSorted()) + "\n"; got != string(want) {
		t.Fatalf("format 1 snapshot loads as\n%s\nwant\n%s", got, want)
	}
	if s.seq != 3 || s.live != 5 {
		t.Fatalf("seq %d, live %d; want 3, 5", s.seq, s.live)
	}
	// Written again, it is a current snapshot holding the same board.
	again, err := decodeSnapshot(s.encodeSnapshot())
	if err != nil || string(again.appendSorted())+"\n" != string(want) {
		t.Fatalf("re-encoded: %v", err)
	}
	// A format 1 snapshot cannot carry the curve's mask bit: such a mask is corruption.
	c := NewState()
	c.els["x"] = &wire.Element{ID: "x", Type: "line", Curve: "round", Z: "a", Opacity: 1}
	c.live = 1
	bad := append([]byte{'T', 1}, c.encodeSnapshot()[2:]...)
	if _, err := decodeSnapshot(bad); err == nil {
		t.Fatal("a format 1 snapshot with a field format 1 does not have loaded")
	}
}
