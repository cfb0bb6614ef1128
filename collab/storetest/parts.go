package storetest

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"tabula/collab"
)

// runParts checks snapshots written in parts: invisible until the last part (the board
// loads from its previous snapshot, history does not list it, a crash midway leaves it
// unseen), and one finishing after a later snapshot was written whole does not become
// the latest.
func runParts(t *testing.T, open func(t *testing.T) collab.Store, reopen func(t *testing.T, s collab.Store) collab.Store) {
	ctx := context.Background()
	s := open(t)
	m := collab.BoardMeta{ID: collab.NewBoardID(), ViewID: collab.NewBoardID(), Created: time.Now().UTC().Truncate(time.Second)}
	if err := s.CreateBoard(ctx, m); err != nil {
		t.Fatal(err)
	}
	b := m.ID
	entries := func(from, to int64) (out []collab.LogEntry) {
		for seq := from; seq <= to; seq++ {
			out = append(out, collab.LogEntry{Seq: seq, CID: "c" + strconv.FormatInt(seq, 10), Data: []byte("e" + strconv.FormatInt(seq, 10))})
		}
		return out
	}
	commit := func(ws ...collab.Write) {
		t.Helper()
		if err := s.Commit(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	part := func(seq int64, i, n int, data string) collab.Write {
		return collab.Write{Board: b, SnapshotPart: &collab.SnapshotPart{Seq: seq, Index: i, Count: n, Data: []byte(data)}}
	}
	commit(collab.Write{Board: b, Entries: entries(1, 4), Snapshot: &collab.Snapshot{Seq: 2, Data: []byte("at 2")}})
	commit(part(4, 0, 3, "AAA"), collab.Write{Board: b, Entries: entries(5, 5)})
	commit(part(4, 1, 3, "BBB"))
	check := func(when string, seq int64, data string, tail int, checkpoints ...int64) {
		t.Helper()
		snap, tl, err := s.Load(ctx, b)
		if err != nil || snap.Seq != seq || string(snap.Data) != data || len(tl) != tail {
			t.Fatalf("%s: load %v: seq %d %q, %d entries; want %d %q, %d", when, err, snap.Seq, snap.Data, len(tl), seq, data, tail)
		}
		if got, err := s.Checkpoints(ctx, b); err != nil || !slices.Equal(got, checkpoints) {
			t.Fatalf("%s: checkpoints %v %v, want %v", when, got, err, checkpoints)
		}
		want := int64(0) // the newest checkpoint at or before 4
		for _, c := range checkpoints {
			if c <= 4 {
				want = c
			}
		}
		if at, _, err := s.LoadAt(ctx, b, 4); err != nil || at.Seq != want {
			t.Fatalf("%s: load at 4 starts from %d (%v), want %d", when, at.Seq, err, want)
		}
	}
	check("two parts of three", 2, "at 2", 3, 2)
	// A crash: the parts written stay unseen after reopening.
	s = reopen(t, s)
	check("reopened", 2, "at 2", 3, 2)
	// Begun again (a restart snapshots the same seq): the first part starts afresh.
	commit(part(4, 0, 2, "xx"))
	commit(part(4, 1, 2, "yy"))
	check("complete", 4, "xxyy", 1, 2, 4)
	// An older snapshot finishing late does not replace the newer one.
	commit(collab.Write{Board: b, Entries: entries(6, 8)}, part(7, 0, 2, "old"))
	commit(collab.Write{Board: b, Snapshot: &collab.Snapshot{Seq: 8, Data: []byte("at 8")}})
	commit(part(7, 1, 2, "er"))
	check("newer whole, older in parts", 8, "at 8", 0, 2, 4, 7, 8)
	if at, _, err := s.LoadAt(ctx, b, 7); err != nil || string(at.Data) != "older" {
		t.Fatalf("checkpoint 7: %q %v", at.Data, err)
	}
	if err := s.Commit(ctx, []collab.Write{part(9, 2, 2, "x")}); err == nil {
		t.Fatal("a part numbered past its count was stored")
	}
}
