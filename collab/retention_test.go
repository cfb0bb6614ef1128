package collab_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"tabula/collab"
	"tabula/collab/bolt"
	"tabula/collab/wire"
)

// frame is a stored broadcast of batch seq at time at: it moves element e(seq%3),
// creating it the first time.
func frame(seq int64, at time.Time) []byte {
	id := fmt.Sprintf("e%d", seq%3)
	if seq <= 3 {
		return fmt.Appendf(nil, `{"t":"ops","seq":%d,"cid":"c%d","by":"s","at":%d,"ops":[{"o":"put","el":{"id":%q,"type":"rect","x":%d,"w":10,"h":10,"opacity":1,"z":"a0","v":1}}]}`, seq, seq, at.UnixMilli(), id, seq)
	}
	return fmt.Appendf(nil, `{"t":"ops","seq":%d,"cid":"c%d","by":"s","at":%d,"ops":[{"o":"patch","id":%q,"set":{"x":%d},"v":%d}]}`, seq, seq, at.UnixMilli(), id, seq, (seq-1)/3+1)
}

func TestCompactHistory(t *testing.T) {
	ctx := context.Background()
	store, err := bolt.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	svc := collab.NewService(store, collab.Config{Limits: wire.DefaultLimits})
	defer svc.Close()
	b := collab.BoardMeta{ID: collab.NewBoardID(), ViewID: collab.NewBoardID(), Title: "T", Created: time.Now().UTC()}
	if err := store.CreateBoard(ctx, b); err != nil {
		t.Fatal(err)
	}
	// Three days of history, five batches a day; the room stored snapshots at 12 and 15.
	day1 := time.Date(2026, 1, 10, 9, 0, 0, 0, time.UTC)
	var frames [][]byte
	for seq := int64(1); seq <= 15; seq++ {
		at := day1.Add(time.Duration((seq-1)/5)*24*time.Hour + time.Duration(seq)*time.Minute)
		frames = append(frames, frame(seq, at))
		w := collab.Write{Board: b.ID, Entries: []collab.LogEntry{{Seq: seq, CID: fmt.Sprint("c", seq), Data: frames[seq-1]}}}
		if seq == 12 || seq == 15 {
			snap, err := collab.SnapshotFor(frames)
			if err != nil {
				t.Fatal(err)
			}
			w.Snapshot = &snap
		}
		if err := store.Commit(ctx, []collab.Write{w}); err != nil {
			t.Fatal(err)
		}
	}
	versions := map[int64]string{}
	for seq := int64(1); seq <= 15; seq++ {
		_, els, err := svc.State(ctx, b.ID, seq)
		if err != nil {
			t.Fatalf("version %d before compaction: %v", seq, err)
		}
		versions[seq] = encode(els)
	}
	_, current, _ := svc.State(ctx, b.ID, 0)

	// Keep the third day in full: the first two keep their last version each.
	cutoff := day1.Add(48 * time.Hour)
	for range 2 { // a second run changes nothing
		if err := svc.CompactHistory(ctx, b.ID, cutoff); err != nil {
			t.Fatal(err)
		}
		if seq, els, err := svc.State(ctx, b.ID, 0); err != nil || seq != 15 || encode(els) != encode(current) {
			t.Fatalf("the current board changed: %d %v", seq, err)
		}
		if cps, _ := store.Checkpoints(ctx, b.ID); !slices.Equal(cps, []int64{5, 10, 12, 15}) {
			t.Fatalf("checkpoints %v, want the end of each old day and the room's", cps)
		}
		for seq := int64(1); seq <= 15; seq++ {
			_, els, err := svc.State(ctx, b.ID, seq)
			kept := seq == 5 || seq >= 10
			switch {
			case kept && err != nil:
				t.Fatalf("version %d is gone: %v", seq, err)
			case kept && encode(els) != versions[seq]:
				t.Fatalf("version %d changed", seq)
			case !kept && wire.ErrorCode(err) != wire.EBadValue:
				t.Fatalf("version %d should be thinned away: %v", seq, err)
			}
		}
	}
	if h, _ := svc.History(ctx, b.ID, 0, 100); len(h) != 5 || h[4].Seq != 11 {
		t.Fatalf("history after compaction starts at %d with %d entries", h[len(h)-1].Seq, len(h))
	}
}

func encode(els []*wire.Element) string {
	slices.SortFunc(els, func(a, b *wire.Element) int {
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
	out, _ := json.Marshal(els)
	return string(out)
}
