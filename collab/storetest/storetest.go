// Package storetest is the test suite every collab.Store implementation must pass.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"tabula/collab"
	"tabula/collab/wire"
)

// Run runs the suite. open returns a fresh, empty store; reopen closes a store and opens
// the same data again (to prove durability across restarts).
func Run(t *testing.T, open func(t *testing.T) collab.Store, reopen func(t *testing.T, s collab.Store) collab.Store) {
	ctx := context.Background()
	board := func(t *testing.T, s collab.Store) collab.BoardMeta {
		m := collab.BoardMeta{ID: collab.NewBoardID(), ViewID: collab.NewBoardID(), Title: "T", Created: time.Now().UTC().Truncate(time.Second)}
		if err := s.CreateBoard(ctx, m); err != nil {
			t.Fatal(err)
		}
		return m
	}
	entry := func(seq int64) collab.LogEntry {
		return collab.LogEntry{Seq: seq, CID: fmt.Sprintf("c%d", seq), Data: []byte(fmt.Sprintf(`{"seq":%d}`, seq))}
	}

	t.Run("BoardsByEditAndViewID", func(t *testing.T) {
		s := open(t)
		m := board(t, s)
		for _, get := range []func() (collab.BoardMeta, error){
			func() (collab.BoardMeta, error) { return s.Board(ctx, m.ID) },
			func() (collab.BoardMeta, error) { return s.BoardByView(ctx, m.ViewID) },
		} {
			got, err := get()
			if err != nil || got != m {
				t.Fatalf("got %+v, %v; want %+v", got, err, m)
			}
		}
	})
	t.Run("UnknownBoardIsNotFound", func(t *testing.T) {
		s := open(t)
		m := board(t, s)
		for _, err := range []error{
			second(s.Board(ctx, "nope")), second(s.BoardByView(ctx, "nope")),
			second(s.Board(ctx, m.ViewID)), second(s.BoardByView(ctx, m.ID)),
		} {
			if wire.ErrorCode(err) != wire.ENotFound {
				t.Fatalf("got %v, want ENotFound", err)
			}
		}
	})
	t.Run("LogSnapshotAndTail", func(t *testing.T) {
		s := open(t)
		m := board(t, s)
		if snap, tail, err := s.Load(ctx, m.ID); err != nil || snap.Seq != 0 || len(tail) != 0 {
			t.Fatalf("new board: %+v %v %v", snap, tail, err)
		}
		w := collab.Write{Board: m.ID}
		for seq := int64(1); seq <= 5; seq++ {
			w.Entries = append(w.Entries, entry(seq))
		}
		if err := s.Commit(ctx, []collab.Write{w}); err != nil {
			t.Fatal(err)
		}
		snap := collab.Snapshot{Seq: 3, Data: []byte(`{"seq":3}`)}
		title := m
		title.Title, title.Canvas = "Renamed", "mint"
		if err := s.Commit(ctx, []collab.Write{{Board: m.ID, Snapshot: &snap, Meta: &title, Entries: []collab.LogEntry{entry(6)}}}); err != nil {
			t.Fatal(err)
		}
		s = reopen(t, s)
		got, tail, err := s.Load(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Seq != 3 || string(got.Data) != `{"seq":3}` || len(tail) != 3 || tail[0].Seq != 4 || tail[2].Seq != 6 || string(tail[2].Data) != `{"seq":6}` {
			t.Fatalf("load after reopen: snap %d %s, tail %+v", got.Seq, got.Data, tail)
		}
		if mm, _ := s.Board(ctx, m.ID); mm.Title != "Renamed" || mm.Canvas != "mint" {
			t.Fatalf("title %q, canvas %q", mm.Title, mm.Canvas)
		}
		for seq := int64(1); seq <= 6; seq++ {
			if got, ok, err := s.BatchSeq(ctx, m.ID, fmt.Sprintf("c%d", seq)); err != nil || !ok || got != seq {
				t.Fatalf("BatchSeq c%d = %d %v %v", seq, got, ok, err)
			}
		}
		if _, ok, err := s.BatchSeq(ctx, m.ID, "never"); ok || err != nil {
			t.Fatalf("unknown cid found: %v %v", ok, err)
		}
	})
	t.Run("BoardsAreSeparate", func(t *testing.T) {
		s := open(t)
		a, b := board(t, s), board(t, s)
		if err := s.Commit(ctx, []collab.Write{{Board: a.ID, Entries: []collab.LogEntry{entry(1)}}}); err != nil {
			t.Fatal(err)
		}
		if _, tail, _ := s.Load(ctx, b.ID); len(tail) != 0 {
			t.Fatalf("board b sees a's log: %v", tail)
		}
		if _, ok, _ := s.BatchSeq(ctx, b.ID, "c1"); ok {
			t.Fatal("board b sees a's cid")
		}
	})
	t.Run("ImageUsage", func(t *testing.T) {
		s := open(t)
		a, b := board(t, s), board(t, s)
		for _, img := range []struct{ src, data string }{{"sha256:a", "12345"}, {"sha256:b", "123"}, {"sha256:a", "12345"}} {
			if err := s.PutImage(ctx, a.ID, img.src, []byte(img.data)); err != nil {
				t.Fatal(err)
			}
		}
		for _, c := range []struct {
			id    string
			count int
			bytes int64
		}{{a.ID, 2, 8}, {b.ID, 0, 0}} {
			if n, size, err := s.ImageUsage(ctx, c.id); err != nil || n != c.count || size != c.bytes {
				t.Errorf("usage: %d images, %d bytes, %v; want %d, %d", n, size, err, c.count, c.bytes)
			}
		}
	})
	t.Run("History", func(t *testing.T) { runHistory(t, open, board, entry) })
	t.Run("Links", func(t *testing.T) { runLinks(t, open, reopen, board, entry) })
	runImages(t, open, board)
	t.Run("SnapshotInPartsCountsOnceComplete", func(t *testing.T) { runParts(t, open, reopen) })
	t.Run("ConcurrentCommits", func(t *testing.T) {
		s := open(t)
		boards := make([]collab.BoardMeta, 8)
		for i := range boards {
			boards[i] = board(t, s)
		}
		var wg sync.WaitGroup
		errs := make(chan error, len(boards))
		for _, m := range boards {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for seq := int64(1); seq <= 50; seq++ {
					if err := s.Commit(ctx, []collab.Write{{Board: m.ID, Entries: []collab.LogEntry{entry(seq)}}}); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		if err := errors.Join(<-errs); err != nil {
			t.Fatal(err)
		}
		for _, m := range boards {
			if _, tail, err := s.Load(ctx, m.ID); err != nil || len(tail) != 50 || tail[49].Seq != 50 {
				t.Fatalf("board %s: %d entries, %v", m.ID, len(tail), err)
			}
		}
	})
}

func second[T any](_ T, err error) error { return err }
