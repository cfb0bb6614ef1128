package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"tabula/collab"
	"tabula/collab/wire"
)

// runHistory checks checkpoints, reading the log at any point, compaction, imports
// created in one write, and deleting boards.
func runHistory(t *testing.T, open func(t *testing.T) collab.Store, board func(*testing.T, collab.Store) collab.BoardMeta, entry func(int64) collab.LogEntry) {
	ctx := context.Background()
	snap := func(seq int64) collab.Snapshot {
		return collab.Snapshot{Seq: seq, Data: []byte(fmt.Sprintf("state at %d", seq))}
	}
	// fill commits entries 1..n with a snapshot at every multiple of 10.
	fill := func(t *testing.T, s collab.Store, id string, n int64) {
		for seq := int64(1); seq <= n; seq++ {
			w := collab.Write{Board: id, Entries: []collab.LogEntry{entry(seq)}}
			if seq%10 == 0 {
				sn := snap(seq)
				w.Snapshot = &sn
			}
			if err := s.Commit(ctx, []collab.Write{w}); err != nil {
				t.Fatal(err)
			}
		}
	}
	seqs := func(es []collab.LogEntry) []int64 {
		var out []int64
		for _, e := range es {
			out = append(out, e.Seq)
		}
		return out
	}

	t.Run("SnapshotsAreCheckpoints", func(t *testing.T) {
		s := open(t)
		m := board(t, s)
		fill(t, s, m.ID, 35)
		got, err := s.Checkpoints(ctx, m.ID)
		if err != nil || !slices.Equal(got, []int64{10, 20, 30}) {
			t.Fatalf("checkpoints %v %v", got, err)
		}
		for _, c := range []struct{ at, snap, first, last int64 }{
			{5, 0, 1, 5}, {10, 10, 0, 0}, {17, 10, 11, 17}, {35, 30, 31, 35}, {99, 30, 31, 35},
		} {
			sn, tail, err := s.LoadAt(ctx, m.ID, c.at)
			if err != nil || sn.Seq != c.snap {
				t.Fatalf("LoadAt(%d): checkpoint %d %v, want %d", c.at, sn.Seq, err, c.snap)
			}
			if c.snap > 0 && string(sn.Data) != string(snap(c.snap).Data) {
				t.Fatalf("LoadAt(%d): data %q", c.at, sn.Data)
			}
			var want []int64
			for q := c.first; q > 0 && q <= c.last; q++ {
				want = append(want, q)
			}
			if !slices.Equal(seqs(tail), want) {
				t.Fatalf("LoadAt(%d): tail %v, want %v", c.at, seqs(tail), want)
			}
		}
	})
	t.Run("LogPagesNewestFirst", func(t *testing.T) {
		s := open(t)
		m := board(t, s)
		fill(t, s, m.ID, 12)
		for _, c := range []struct {
			before int64
			limit  int
			want   []int64
		}{{0, 3, []int64{12, 11, 10}}, {11, 2, []int64{10, 9}}, {3, 10, []int64{2, 1}}, {1, 5, nil}, {100, 1, []int64{12}}} {
			got, err := s.Log(ctx, m.ID, c.before, c.limit)
			if err != nil || !slices.Equal(seqs(got), c.want) {
				t.Fatalf("Log(%d, %d) = %v %v, want %v", c.before, c.limit, seqs(got), err, c.want)
			}
		}
		if got, _ := s.Log(ctx, m.ID, 0, 1); string(got[0].Data) != string(entry(12).Data) {
			t.Fatalf("entry data %q", got[0].Data)
		}
		for _, c := range []struct {
			from, to int64
			limit    int
			want     []int64
		}{{0, 100, 3, []int64{1, 2, 3}}, {5, 7, 10, []int64{5, 6, 7}}, {11, 100, 10, []int64{11, 12}}, {13, 20, 5, nil}} {
			got, err := s.LogRange(ctx, m.ID, c.from, c.to, c.limit)
			if err != nil || !slices.Equal(seqs(got), c.want) {
				t.Fatalf("LogRange(%d, %d, %d) = %v %v, want %v", c.from, c.to, c.limit, seqs(got), err, c.want)
			}
		}
	})
	t.Run("CompactKeepsWhatItIsTold", func(t *testing.T) {
		s := open(t)
		m := board(t, s)
		fill(t, s, m.ID, 35)
		if err := s.Compact(ctx, m.ID, []collab.Snapshot{snap(15), snap(25)}, []int64{10, 20}, 25); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Checkpoints(ctx, m.ID); !slices.Equal(got, []int64{15, 25, 30}) {
			t.Fatalf("checkpoints after compaction %v", got)
		}
		if got, _ := s.Log(ctx, m.ID, 0, 100); len(got) != 10 || got[9].Seq != 26 {
			t.Fatalf("log after compaction %v", seqs(got))
		}
		// The latest snapshot and the log after it — the current board — are untouched.
		sn, tail, err := s.Load(ctx, m.ID)
		if err != nil || sn.Seq != 30 || !slices.Equal(seqs(tail), []int64{31, 32, 33, 34, 35}) {
			t.Fatalf("load after compaction: %d %v %v", sn.Seq, seqs(tail), err)
		}
		if sn, tail, _ := s.LoadAt(ctx, m.ID, 27); sn.Seq != 25 || !slices.Equal(seqs(tail), []int64{26, 27}) {
			t.Fatalf("LoadAt(27) after compaction: %d %v", sn.Seq, seqs(tail))
		}
	})
	t.Run("CreateWithContentIsOneWrite", func(t *testing.T) {
		s := open(t)
		m := collab.BoardMeta{ID: collab.NewBoardID(), ViewID: collab.NewBoardID(), Title: "Imported", Created: time.Now().UTC().Truncate(time.Second)}
		sn := snap(1)
		w := collab.Write{Board: m.ID, Meta: &m, Create: true, Entries: []collab.LogEntry{entry(1)}, Snapshot: &sn,
			Images: map[string][]byte{"sha256:x": []byte("png")}, Authors: map[string]collab.Author{"sid": {Name: "Ana", Color: "#e03131"}}}
		if err := s.Commit(ctx, []collab.Write{w}); err != nil {
			t.Fatal(err)
		}
		if got, err := s.BoardByView(ctx, m.ViewID); err != nil || got.Title != "Imported" {
			t.Fatalf("imported board: %+v %v", got, err)
		}
		if img, err := s.Image(ctx, m.ID, "sha256:x"); err != nil || string(img) != "png" {
			t.Fatalf("image %q %v", img, err)
		}
		if a, err := s.Authors(ctx, m.ID); err != nil || a["sid"].Name != "Ana" {
			t.Fatalf("authors %v %v", a, err)
		}
		// Creating it again fails, and nothing of the failed write lands.
		again := w
		again.Entries = []collab.LogEntry{entry(2)}
		if err := s.Commit(ctx, []collab.Write{again}); err == nil {
			t.Fatal("a second create of the same board succeeded")
		}
		if _, tail, _ := s.Load(ctx, m.ID); len(tail) != 0 {
			t.Fatalf("the failed create left log entries: %v", seqs(tail))
		}
	})
	t.Run("DeleteBoardRemovesEverything", func(t *testing.T) {
		s := open(t)
		m, other := board(t, s), board(t, s)
		fill(t, s, m.ID, 12)
		fill(t, s, other.ID, 3)
		if err := s.PutImage(ctx, m.ID, "sha256:y", []byte("img")); err != nil {
			t.Fatal(err)
		}
		deleted := m
		deleted.Deleted = time.Now().UTC().Truncate(time.Second)
		if err := s.Commit(ctx, []collab.Write{{Board: m.ID, Meta: &deleted}}); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.Board(ctx, m.ID); !got.Deleted.Equal(deleted.Deleted) {
			t.Fatalf("deleted time %v, want %v", got.Deleted, deleted.Deleted)
		}
		all, err := s.Boards(ctx)
		if err != nil || len(all) != 2 {
			t.Fatalf("boards %v %v", all, err)
		}
		if err := s.DeleteBoard(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Board(ctx, m.ID); wire.ErrorCode(err) != wire.ENotFound {
			t.Fatalf("deleted board: %v", err)
		}
		if _, err := s.BoardByView(ctx, m.ViewID); wire.ErrorCode(err) != wire.ENotFound {
			t.Fatalf("deleted board by view: %v", err)
		}
		if _, err := s.Image(ctx, m.ID, "sha256:y"); wire.ErrorCode(err) != wire.ENotFound {
			t.Fatalf("deleted board's image: %v", err)
		}
		if sn, tail, _ := s.Load(ctx, m.ID); sn.Seq != 0 || len(tail) != 0 {
			t.Fatalf("deleted board's data: %d %v", sn.Seq, seqs(tail))
		}
		if _, tail, _ := s.Load(ctx, other.ID); len(tail) != 3 {
			t.Fatalf("the other board lost its log: %v", seqs(tail))
		}
	})
}
