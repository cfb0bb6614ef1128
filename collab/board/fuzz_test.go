package board

import (
	"encoding/json"
	"testing"

	"tabula/collab/wire"
)

// decodeSeeds start the fuzzers of the decoder.
var decodeSeeds = []string{
	`{"t":"hello","since":3,"name":"Ana","color":"#abc"}`,
	`{"t":"ops","cid":"c1","ops":[{"o":"put","el":{"id":"a","type":"stroke","points":[[0,0,0.5],[1,2]],"z":"a0","text":"x\ny"}}]}`,
	`{"t":"ops","cid":"c2","ops":[{"o":"patch","id":"a","set":{"x":1,"fill":"#fff","deleted":false}},{"o":"del","id":"a"}]}`,
	`{"t":"ops","cid":"c3","ops":[{"o":"put","el":{"id":"l","type":"arrow","points":[[0,0],[5,9],[10,0]],"curve":"round","z":"a1"}},{"o":"patch","id":"l","set":{"curve":"sharp"}}]}`,
	`{"t":"cursor","x":1,"y":2}`,
	`{"t":"preview","el":{"id":"p","type":"rect","z":"a"}}`,
	`{"t":"title","title":"Plan"}`,
	`{"t":"ops","cid":"c","ops":[{"o":"put","el":{"id":"a","type":"rect","z":"a0","x":1e400}}]}`,
	"\x00\xff",
}

// FuzzDecodeMessage feeds arbitrary frames to the decoder and validator. Whatever comes
// in: no panic; a refusal is an *Error with a message; and anything accepted can be
// applied to a board whose encoding is valid JSON that loads back to the same board.
func FuzzDecodeMessage(f *testing.F) {
	for _, seed := range decodeSeeds {
		f.Add([]byte(seed))
	}
	lim := wire.DefaultLimits
	lim.MaxPoints = 100
	lim.MaxText = 200
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := wire.DecodeMessage(data, &lim)
		if err != nil {
			e, ok := err.(*wire.Error)
			if !ok || e.Code == "" || e.Msg == "" {
				t.Fatalf("refusal %v is not a coded *Error", err)
			}
			return
		}
		if m.Type != wire.MsgOps {
			return
		}
		s := NewState()
		ops, err := s.Apply(m.Ops, "fz", 1, &lim)
		if err != nil {
			if wire.ErrorCode(err) == wire.EInternal {
				t.Fatalf("apply: %v", err)
			}
			return
		}
		frame := wire.OpsFrame(s.seq, m.CID, "fz", 1, ops)
		if !json.Valid(frame) {
			t.Fatalf("broadcast is not valid JSON: %s", frame)
		}
		loaded, err := LoadState(Snapshot{}, []LogEntry{{Seq: 1, Data: frame}})
		if err != nil {
			t.Fatalf("replaying our own broadcast %s: %v", frame, err)
		}
		if got, want := string(loaded.appendSorted()), string(s.appendSorted()); got != want {
			t.Fatalf("replay differs:\n got %s\nwant %s", got, want)
		}
		snap, err := LoadState(s.Snapshot(), nil)
		if err != nil {
			t.Fatalf("loading our own snapshot: %v", err)
		}
		if got, want := string(snap.appendSorted()), string(s.appendSorted()); got != want {
			t.Fatalf("snapshot differs:\n got %s\nwant %s", got, want)
		}
	})
}
