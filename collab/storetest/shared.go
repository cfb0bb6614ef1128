package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"tabula/collab"
)

// RunShared checks the rules a store shared by several nodes keeps on top of Run's: a
// board's log has one total order whoever writes (a batch must follow the board's last
// seq, a client id is applied once), a write carrying a Fence lands only while the
// board's lease holds it, and one board's refusal fails no other board's write. open
// returns a fresh, empty store that is a collab.EachCommitter; setLease sets the value
// of a board's lease, as the node that owns it would.
func RunShared(t *testing.T, open func(t *testing.T) collab.Store, setLease func(t *testing.T, board, value string)) {
	ctx := context.Background()
	board := func(t *testing.T, s collab.Store) string {
		m := collab.BoardMeta{ID: collab.NewBoardID(), ViewID: collab.NewBoardID(), Title: "T", Created: time.Now().UTC().Truncate(time.Second)}
		if err := s.CreateBoard(ctx, m); err != nil {
			t.Fatal(err)
		}
		return m.ID
	}
	entry := func(seq int64, cid string) collab.LogEntry {
		return collab.LogEntry{Seq: seq, CID: cid, Data: []byte(fmt.Sprintf(`{"seq":%d}`, seq))}
	}
	write := func(id string, es ...collab.LogEntry) collab.Write { return collab.Write{Board: id, Entries: es} }
	commit := func(t *testing.T, s collab.Store, ws ...collab.Write) {
		t.Helper()
		if err := s.Commit(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	refused := func(t *testing.T, err error, what string) {
		t.Helper()
		if !errors.Is(err, collab.ErrFenced) {
			t.Fatalf("%s: %v, want a refusal wrapping collab.ErrFenced", what, err)
		}
	}
	logged := func(t *testing.T, s collab.Store, id string, want int64) {
		t.Helper()
		_, tail, err := s.Load(ctx, id)
		if err != nil || int64(len(tail)) != want || (want > 0 && tail[len(tail)-1].Seq != want) {
			t.Fatalf("log of %d entries (%v), want 1..%d", len(tail), err, want)
		}
	}

	t.Run("SeqMustFollowTheLast", func(t *testing.T) {
		s := open(t)
		id := board(t, s)
		commit(t, s, write(id, entry(1, "a"), entry(2, "b")))
		refused(t, s.Commit(ctx, []collab.Write{write(id, entry(4, "d"))}), "a batch after a gap")
		refused(t, s.Commit(ctx, []collab.Write{write(id, entry(2, "other"))}), "a second batch at seq 2")
		refused(t, s.Commit(ctx, []collab.Write{write(id, entry(3, "c"), entry(5, "e"))}), "a gap inside a write")
		logged(t, s, id, 2)
		commit(t, s, write(id, entry(3, "c")))
		logged(t, s, id, 3)
		// Compaction drops old entries, not the board's place in its order.
		if err := s.Compact(ctx, id, []collab.Snapshot{{Seq: 3, Data: []byte("at 3")}}, nil, 3); err != nil {
			t.Fatal(err)
		}
		refused(t, s.Commit(ctx, []collab.Write{write(id, entry(1, "again"))}), "seq 1 after compaction")
		commit(t, s, write(id, entry(4, "d")))
	})
	t.Run("ResendIsAppliedOnce", func(t *testing.T) {
		s := open(t)
		id := board(t, s)
		commit(t, s, write(id, entry(1, "a")))
		refused(t, s.Commit(ctx, []collab.Write{write(id, entry(2, "a"))}), "a resend under a new seq")
		refused(t, s.Commit(ctx, []collab.Write{write(id, entry(2, "b"), entry(3, "b"))}), "one cid twice in a write")
		logged(t, s, id, 1)
		if seq, ok, err := s.BatchSeq(ctx, id, "a"); err != nil || !ok || seq != 1 {
			t.Fatalf("BatchSeq a = %d %v %v, want 1", seq, ok, err)
		}
	})
	t.Run("FenceMustHoldTheLease", func(t *testing.T) {
		s := open(t)
		id := board(t, s)
		setLease(t, id, "node-a 1")
		w := write(id, entry(1, "a"))
		w.Fence = "node-a 1"
		commit(t, s, w)
		setLease(t, id, "node-b 2") // node a paused; b took the board over
		late := write(id, entry(2, "b"))
		late.Fence = "node-a 1"
		title := collab.BoardMeta{ID: id, Title: "late"}
		late.Meta = &title
		refused(t, s.Commit(ctx, []collab.Write{late}), "a write under a lost lease")
		if m, _ := s.Board(ctx, id); m.Title == "late" {
			t.Fatal("a refused write changed the metadata")
		}
		logged(t, s, id, 1)
		late.Fence, late.Meta = "node-b 2", nil
		commit(t, s, late)
		logged(t, s, id, 2)
	})
	t.Run("OneBoardsRefusalFailsNoOther", func(t *testing.T) {
		s := open(t)
		ec, ok := s.(collab.EachCommitter)
		if !ok {
			t.Fatalf("%T is not a collab.EachCommitter", s)
		}
		a, b := board(t, s), board(t, s)
		commit(t, s, write(a, entry(1, "a1")))
		errs := ec.CommitEach(ctx, []collab.Write{
			write(a, entry(2, "a2")), write(b, entry(1, "b1")), write(a, entry(4, "a4")), write(b, entry(2, "b2")),
		})
		if len(errs) != 4 {
			t.Fatalf("%d errors for 4 writes", len(errs))
		}
		// a's writes are one unit: the gap refuses both; b's land.
		refused(t, errs[0], "a's first write, with a's refused second")
		refused(t, errs[2], "a's write after a gap")
		if errs[1] != nil || errs[3] != nil {
			t.Fatalf("b's writes failed: %v, %v", errs[1], errs[3])
		}
		logged(t, s, a, 1)
		logged(t, s, b, 2)
	})
}
