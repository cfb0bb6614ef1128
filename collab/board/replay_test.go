package board

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"tabula/collab/wire"
)

// replayJSON is how logs were replayed before the frame decoder did it: encoding/json,
// unknown keys ignored. TestReplayMatchesEncodingJSON holds the new way to it.
func (s *State) replayJSON(frame []byte) error {
	var w struct {
		Seq int64        `json:"seq"`
		CID string       `json:"cid"`
		By  string       `json:"by"`
		At  int64        `json:"at"`
		Ops []wire.RawOp `json:"ops"`
	}
	if err := json.NewDecoder(bytes.NewReader(frame)).Decode(&w); err != nil {
		return err
	}
	return s.replayOps(w.Seq, w.CID, w.By, w.At, w.Ops)
}

// randomBatch is a client ops frame touching the ids in ids: puts of every element
// type with random fields (odd floats, escapes, unicode, points with and without
// pressure), patches and deletes.
func randomBatch(r *rand.Rand, ids []string, i int) []byte {
	texts := []string{"plain", `quote " and \ backslash`, "line\nbreak\ttab", "emoji 🎨 and ünïcödé", "\u2028sep\u2029", "<script>alert(1)</script>", ""}
	colours := []string{"#1e1e1e", "#a5d8ff", "transparent", "#f08c00"}
	num := func() any {
		switch r.IntN(4) {
		case 0:
			return r.IntN(2000) - 1000
		case 1:
			return float64(r.IntN(200000)-100000) / 100
		case 2:
			return r.NormFloat64() * 1e4
		}
		return 0.1 + r.Float64()
	}
	points := func() [][]float64 {
		n := 2 + r.IntN(40)
		out := make([][]float64, n)
		pressure := r.IntN(2) == 0
		for k := range out {
			out[k] = []float64{float64(r.IntN(100000)) / 100, r.NormFloat64() * 300}
			if pressure {
				out[k] = append(out[k], float64(r.IntN(1000))/1000)
			}
		}
		return out
	}
	fields := func(typ string) map[string]any {
		f := map[string]any{"x": num(), "y": num(), "z": fmt.Sprintf("a%d", r.IntN(50)), "stroke": colours[r.IntN(len(colours))], "opacity": float64(r.IntN(100)+1) / 100}
		switch typ {
		case "stroke", "line", "arrow":
			f["points"] = points()
			f["width"] = 1 + r.IntN(8)
			if typ == "arrow" {
				f["endArrow"] = "arrow"
				f["curve"] = []string{"sharp", "round"}[r.IntN(2)]
				if r.IntN(2) == 0 {
					f["startBind"] = ids[r.IntN(len(ids))]
				}
			}
		case "text", "note":
			f["text"] = texts[r.IntN(len(texts))]
			f["size"] = 12 + r.IntN(40)
			f["font"] = []string{"hand", "sans", "mono"}[r.IntN(3)]
			if typ == "note" {
				f["fill"] = colours[r.IntN(len(colours))]
			}
		default:
			f["w"], f["h"] = 1+r.IntN(500), 1+r.IntN(500)
			f["fill"] = colours[r.IntN(len(colours))]
			f["fillStyle"] = []string{"solid", "hatch", "none"}[r.IntN(3)]
			f["angle"] = r.Float64() * 6
		}
		if r.IntN(5) == 0 {
			f["group"] = "g" + fmt.Sprint(r.IntN(3))
		}
		if r.IntN(7) == 0 {
			f["locked"] = true
		}
		return f
	}
	types := []string{"stroke", "rect", "ellipse", "diamond", "line", "arrow", "text", "note"}
	var ops []map[string]any
	for range 1 + r.IntN(4) {
		id := ids[r.IntN(len(ids))]
		switch r.IntN(6) {
		case 0, 1, 2:
			typ := types[r.IntN(len(types))]
			el := fields(typ)
			el["id"], el["type"] = id, typ
			ops = append(ops, map[string]any{"o": "put", "el": el})
		case 3, 4:
			set := map[string]any{"x": num(), "y": num()}
			if r.IntN(2) == 0 {
				set["text"] = texts[r.IntN(len(texts))]
			}
			if r.IntN(3) == 0 {
				set["points"] = points()
			}
			ops = append(ops, map[string]any{"o": "patch", "id": id, "set": set})
		default:
			ops = append(ops, map[string]any{"o": "del", "id": id})
		}
	}
	b, _ := json.Marshal(map[string]any{"t": "ops", "cid": fmt.Sprintf("c%d", i), "ops": ops})
	return b
}

// Replaying a log with the frame decoder gives exactly the board that encoding/json's
// replay gave, and the board as it was applied.
func TestReplayMatchesEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	ids := make([]string, 60)
	for i := range ids {
		ids[i] = fmt.Sprintf("el%d", i)
	}
	live, fast, slow := NewState(), NewState(), NewState()
	applied := 0
	for i := range 3000 {
		frame := randomBatch(r, ids, i)
		m, err := wire.DecodeMessage(frame, &wire.DefaultLimits)
		if err != nil {
			continue // a random combination the server refuses: nothing to replay
		}
		ops, err := live.Apply(m.Ops, fmt.Sprintf("s%d", i%5), int64(1_700_000_000_000+i), &wire.DefaultLimits)
		if err != nil {
			continue
		}
		entry := wire.OpsFrame(live.seq, m.CID, fmt.Sprintf("s%d", i%5), int64(1_700_000_000_000+i), ops)
		if err := fast.Replay(entry); err != nil {
			t.Fatalf("replay %s: %v", entry, err)
		}
		if err := slow.replayJSON(entry); err != nil {
			t.Fatalf("replayJSON %s: %v", entry, err)
		}
		applied++
	}
	if applied < 1000 {
		t.Fatalf("only %d of 3000 random batches were valid: the generator is off", applied)
	}
	for name, s := range map[string]*State{"frame decoder": fast, "encoding/json": slow} {
		if s.seq != live.seq || s.live != live.live || !reflect.DeepEqual(s.els, live.els) {
			t.Fatalf("%s replay differs from the applied board (seq %d/%d, live %d/%d)", name, s.seq, live.seq, s.live, live.live)
		}
	}
	if !reflect.DeepEqual(fast.cids.seqs, slow.cids.seqs) {
		t.Fatal("the replays remember different batch ids")
	}
	// Stored frames are read leniently (unknown keys skipped), but a broken one fails.
	for _, bad := range []string{`{"t":"ops","seq":1,"ops":[`, `{"t":"ops","seq":"one","ops":[]}`, `{"t":"ops","seq":1,"ops":[{"o":"put","el":{"id":"x","type":"rect","x":"NaN","z":"a"}}]}`} {
		if err := NewState().Replay([]byte(bad)); err == nil {
			t.Errorf("replayed %s", bad)
		}
	}
	if err := NewState().Replay([]byte(`{"t":"ops","seq":1,"cid":"c","by":"s","at":5,"future":{"x":[1]},"ops":[{"o":"put","v":1,"extra":true,"el":{"id":"x","type":"rect","z":"a","v":1,"by":"s","at":5,"later":"field"}}]}`)); err != nil {
		t.Errorf("a stored frame with keys from a later version: %v", err)
	}
}

// BenchmarkReplay replays the stored broadcast of a 200-point stroke (new: the frame
// decoder; JSON: encoding/json, as before).
func BenchmarkReplay(b *testing.B) {
	m, err := wire.DecodeMessage(benchStroke(200), &wire.DefaultLimits)
	if err != nil {
		b.Fatal(err)
	}
	ops, _ := NewState().Apply(m.Ops, "sess", 1, &wire.DefaultLimits)
	entry := wire.OpsFrame(1, "c1", "sess", 1, ops)
	for _, way := range []struct {
		name   string
		replay func(*State, []byte) error
	}{{"Decoder", (*State).Replay}, {"JSON", (*State).replayJSON}} {
		b.Run(way.name, func(b *testing.B) {
			b.SetBytes(int64(len(entry)))
			b.ReportAllocs()
			for b.Loop() {
				s := NewState()
				if err := way.replay(s, entry); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
