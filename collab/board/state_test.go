package board

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"tabula/collab/wire"
)

func mustDecode(t testing.TB, frame string) *wire.Message {
	t.Helper()
	m, err := wire.DecodeMessage([]byte(frame), &wire.DefaultLimits)
	if err != nil {
		t.Fatalf("decode %s: %v", frame, err)
	}
	return m
}

func TestApplyIsAtomicAndLimitsElements(t *testing.T) {
	lim := wire.DefaultLimits
	lim.MaxElements = 2
	s := NewState()
	ok := mustDecode(t, `{"t":"ops","cid":"1","ops":[{"o":"put","el":{"id":"a","type":"rect","z":"a0"}},{"o":"put","el":{"id":"b","type":"rect","z":"a1"}}]}`)
	if _, err := s.Apply(ok.Ops, "s", 1, &lim); err != nil {
		t.Fatal(err)
	}
	over := mustDecode(t, `{"t":"ops","cid":"2","ops":[{"o":"patch","id":"a","set":{"x":5}},{"o":"put","el":{"id":"c","type":"rect","z":"a2"}}]}`)
	_, err := s.Apply(over.Ops, "s", 2, &lim)
	if wire.ErrorCode(err) != wire.ETooManyElements {
		t.Fatalf("got %v, want %s", err, wire.ETooManyElements)
	}
	if s.els["a"].X != 0 || s.els["c"] != nil || s.seq != 1 || s.live != 2 {
		t.Fatalf("a refused batch changed the board: a.x=%v c=%v seq=%d live=%d", s.els["a"].X, s.els["c"], s.seq, s.live)
	}
	// Deleting makes room again; replacing an element does not count twice.
	swap := mustDecode(t, `{"t":"ops","cid":"3","ops":[{"o":"del","id":"a"},{"o":"put","el":{"id":"c","type":"rect","z":"a2"}},{"o":"put","el":{"id":"b","type":"ellipse","z":"a1"}}]}`)
	out, err := s.Apply(swap.Ops, "s", 3, &lim)
	if err != nil {
		t.Fatal(err)
	}
	if s.live != 2 || s.els["b"].V != 2 || s.els["a"].V != 2 || !s.els["a"].Deleted {
		t.Fatalf("live=%d b.v=%d a=%+v", s.live, s.els["b"].V, s.els["a"])
	}
	if len(out) != 3 || out[0].V != 2 || out[1].V != 1 {
		t.Fatalf("normalised ops %+v", out)
	}
}

func TestApplyDropsOpsOnUnknownElements(t *testing.T) {
	s := NewState()
	m := mustDecode(t, `{"t":"ops","cid":"1","ops":[{"o":"patch","id":"ghost","set":{"x":1}},{"o":"del","id":"ghost"}]}`)
	out, err := s.Apply(m.Ops, "s", 1, &wire.DefaultLimits)
	if err != nil || len(out) != 0 || len(s.els) != 0 || s.seq != 1 {
		t.Fatalf("out=%v err=%v els=%v seq=%d", out, err, s.els, s.seq)
	}
}

// TestSnapshotRoundTrip checks that a board stored as a snapshot plus a log tail loads
// back to the same elements, versions and remembered cids.
func TestSnapshotRoundTrip(t *testing.T) {
	s := NewState()
	var frames []LogEntry
	for i, f := range []string{
		`{"t":"ops","cid":"c1","ops":[{"o":"put","el":{"id":"a","type":"stroke","x":1,"points":[[0,0,0.5],[1.25,2]],"stroke":"#123","text":"q\"\\\n\u2028<","z":"a0"}}]}`,
		`{"t":"ops","cid":"c2","ops":[{"o":"patch","id":"a","set":{"x":2,"locked":true,"fill":"#ffffff80"}},{"o":"put","el":{"id":"b","type":"text","text":"hi","opacity":0,"z":"b"}}]}`,
		`{"t":"ops","cid":"c3","ops":[{"o":"del","id":"b"},{"o":"patch","id":"ghost","set":{"x":1}}]}`,
	} {
		m := mustDecode(t, f)
		ops, err := s.Apply(m.Ops, "sess", int64(100+i), &wire.DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		s.cids.add(m.CID, s.seq)
		frames = append(frames, LogEntry{Seq: s.seq, Data: wire.OpsFrame(s.seq, m.CID, "sess", int64(100+i), ops)})
	}
	for cut := 0; cut <= len(frames); cut++ {
		// Rebuild the state as of frame cut, snapshot it, then replay the rest.
		base := NewState()
		for _, f := range frames[:cut] {
			if err := base.Replay(f.Data); err != nil {
				t.Fatal(err)
			}
		}
		loaded, err := LoadState(base.Snapshot(), frames[cut:])
		if err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if got, want := string(loaded.appendSorted()), string(s.appendSorted()); got != want {
			t.Fatalf("cut %d:\n got %s\nwant %s", cut, got, want)
		}
		if loaded.seq != 3 || loaded.live != 1 {
			t.Fatalf("cut %d: seq=%d live=%d", cut, loaded.seq, loaded.live)
		}
		for _, c := range []string{"c1", "c2", "c3"}[cut:] {
			if _, ok := loaded.cids.get(c); !ok {
				t.Fatalf("cut %d: cid %s of the replayed log is not remembered", cut, c)
			}
		}
	}
}

// TestCorruptSnapshotIsRefused: every truncation of a snapshot, a future format and
// garbage are reported as errors, never a panic or a half-loaded board.
func TestCorruptSnapshotIsRefused(t *testing.T) {
	data := boardOf(30).Snapshot().Data
	for n := 0; n < len(data); n++ {
		if _, err := LoadState(Snapshot{Seq: 30, Data: data[:n]}, nil); err == nil && n > 0 {
			t.Fatalf("a snapshot cut to %d of %d bytes loaded", n, len(data))
		}
	}
	future := append([]byte{'T', snapshotVersion + 1}, data[2:]...)
	if _, err := LoadState(Snapshot{Data: future}, nil); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("future format: %v", err)
	}
	for _, junk := range [][]byte{[]byte(`{"seq":1}`), {'T', 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, {'T', 1, 1, 200, 0xff}} {
		if _, err := LoadState(Snapshot{Data: junk}, nil); err == nil {
			t.Fatalf("junk %q loaded", junk)
		}
	}
	loaded, err := LoadState(Snapshot{Seq: 30, Data: data}, nil)
	if err != nil || len(loaded.els) != 30 || string(loaded.appendSorted()) != string(boardOf(30).appendSorted()) {
		t.Fatalf("round trip: %v", err)
	}
}

func TestLoadStateRefusesGap(t *testing.T) {
	s := NewState()
	m := mustDecode(t, `{"t":"ops","cid":"c1","ops":[{"o":"put","el":{"id":"a","type":"rect","z":"a"}}]}`)
	ops, _ := s.Apply(m.Ops, "s", 1, &wire.DefaultLimits)
	_, err := LoadState(Snapshot{}, []LogEntry{{Seq: 2, Data: wire.OpsFrame(2, "c1", "s", 1, ops)}})
	if err == nil || !strings.Contains(err.Error(), "gap") {
		t.Fatalf("got %v, want a gap error", err)
	}
}

func TestCIDSetForgetsOldest(t *testing.T) {
	c := newCIDSet()
	for i := range maxCIDs + 10 {
		c.add(string(rune('a'+i%26))+itoa(i), int64(i))
	}
	if _, ok := c.get("a0"); ok {
		t.Fatal("oldest cid should be forgotten")
	}
	if seq, ok := c.get(string(rune('a'+(maxCIDs+9)%26)) + itoa(maxCIDs+9)); !ok || seq != maxCIDs+9 {
		t.Fatal("newest cid should be remembered")
	}
	if n := len(c.seqs); n != maxCIDs {
		t.Fatalf("remembers %d, want %d", n, maxCIDs)
	}
}

func itoa(i int) string { return string(appendInt(nil, i)) }

func appendInt(b []byte, i int) []byte {
	if i >= 10 {
		b = appendInt(b, i/10)
	}
	return append(b, byte('0'+i%10))
}

// appendSorted encodes the elements sorted by id, for comparisons.
func (s *State) appendSorted() []byte {
	ids := make([]string, 0, len(s.els))
	for id := range s.els {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	b := []byte{'['}
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = s.els[id].AppendJSON(b)
	}
	return append(b, ']')
}

// TestApplyFixtures runs the JSON fixtures shared with the browser's doc.js tests: both
// sides must apply the same broadcasts to the same elements.
func TestApplyFixtures(t *testing.T) {
	files, _ := filepath.Glob("testdata/apply/*.json")
	if len(files) == 0 {
		t.Fatal("no fixtures in testdata/apply")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			raw, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var fx struct {
				Initial []wire.Fields     `json:"initial"`
				Batches []json.RawMessage `json:"batches"`
				Want    []wire.Fields     `json:"want"`
			}
			dec := json.NewDecoder(bytes.NewReader(raw))
			if err := dec.Decode(&fx); err != nil {
				t.Fatal(err)
			}
			s := NewState()
			want := NewState()
			for i := range fx.Initial {
				e := fx.Initial[i].Stored()
				s.els[e.ID] = e
			}
			for i := range fx.Want {
				e := fx.Want[i].Stored()
				want.els[e.ID] = e
			}
			for _, b := range fx.Batches {
				if err := s.Replay(b); err != nil {
					t.Fatalf("batch %s: %v", b, err)
				}
			}
			if got, want := string(s.appendSorted()), string(want.appendSorted()); got != want {
				t.Fatalf("\n got %s\nwant %s", got, want)
			}
		})
	}
}
