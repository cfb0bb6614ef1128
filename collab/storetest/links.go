package storetest

import (
	"context"
	"testing"

	"tabula/collab"
	"tabula/collab/wire"
)

// runLinks checks that replacing a board's links (a Relink write) re-indexes its ids in
// one commit and moves none of its content.
func runLinks(t *testing.T, open func(t *testing.T) collab.Store, reopen func(t *testing.T, s collab.Store) collab.Store,
	board func(*testing.T, collab.Store) collab.BoardMeta, entry func(int64) collab.LogEntry) {
	ctx := context.Background()
	// resolves reports whether the edit id, or the view id, finds board key.
	resolves := func(s collab.Store, edit, view, key string) (bool, bool) {
		e, errE := s.BoardByEdit(ctx, edit)
		v, errV := s.BoardByView(ctx, view)
		for _, err := range []error{errE, errV} {
			if err != nil && wire.ErrorCode(err) != wire.ENotFound {
				t.Fatalf("lookup: %v", err)
			}
		}
		return errE == nil && e.ID == key, errV == nil && v.ID == key
	}

	t.Run("NeverReplacedBoardIsFoundByItsKey", func(t *testing.T) {
		s := open(t)
		m := board(t, s)
		if got, err := s.BoardByEdit(ctx, m.ID); err != nil || got != m {
			t.Fatalf("got %+v, %v; want %+v", got, err, m)
		}
	})
	t.Run("ReplaceBothThenEditAgain", func(t *testing.T) {
		s := open(t)
		m := board(t, s)
		other := board(t, s)
		if err := s.Commit(ctx, []collab.Write{{Board: m.ID, Entries: []collab.LogEntry{entry(1), entry(2)}}}); err != nil {
			t.Fatal(err)
		}
		first := m
		m.Edit, m.ViewID = collab.NewBoardID(), collab.NewBoardID()
		if err := s.Commit(ctx, []collab.Write{{Board: m.ID, Meta: &m, Relink: true}}); err != nil {
			t.Fatal(err)
		}
		s = reopen(t, s)
		if e, v := resolves(s, first.ID, first.ViewID, m.ID); e || v {
			t.Fatalf("replaced ids still resolve: edit %v, view %v", e, v)
		}
		if e, v := resolves(s, m.Edit, m.ViewID, m.ID); !e || !v {
			t.Fatalf("new ids do not resolve: edit %v, view %v", e, v)
		}
		if got, err := s.Board(ctx, m.ID); err != nil || got != m {
			t.Fatalf("by key: %+v, %v; want %+v", got, err, m)
		}
		if _, tail, err := s.Load(ctx, m.ID); err != nil || len(tail) != 2 {
			t.Fatalf("content after relink: %d entries, %v", len(tail), err)
		}
		if e, v := resolves(s, other.ID, other.ViewID, other.ID); !e || !v {
			t.Fatal("another board's links stopped working")
		}

		second := m
		m.Edit = collab.NewBoardID()
		if err := s.Commit(ctx, []collab.Write{{Board: m.ID, Meta: &m, Relink: true}}); err != nil {
			t.Fatal(err)
		}
		if e, v := resolves(s, second.Edit, m.ViewID, m.ID); e || !v {
			t.Fatalf("after a second edit relink: old edit resolves %v, view resolves %v", e, v)
		}
		if e, _ := resolves(s, m.Edit, m.ViewID, m.ID); !e {
			t.Fatal("the newest edit id does not resolve")
		}
		if err := s.DeleteBoard(ctx, m.ID); err != nil {
			t.Fatal(err)
		}
		if e, v := resolves(s, m.Edit, m.ViewID, m.ID); e || v {
			t.Fatal("a deleted board's links still resolve")
		}
	})
	t.Run("TakenIDIsRefused", func(t *testing.T) {
		s := open(t)
		m, other := board(t, s), board(t, s)
		clash := m
		clash.Edit = other.ID
		if err := s.Commit(ctx, []collab.Write{{Board: m.ID, Meta: &clash, Relink: true}}); err == nil {
			t.Fatal("relinked onto another board's edit id")
		}
		if e, _ := resolves(s, other.ID, other.ViewID, other.ID); !e {
			t.Fatal("the other board lost its edit link")
		}
		if e, v := resolves(s, m.ID, m.ViewID, m.ID); !e || !v {
			t.Fatal("a refused relink changed the board")
		}
	})
}
