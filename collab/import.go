package collab

import (
	"context"
	"fmt"
	"time"

	"tabula/collab/board"
	"tabula/collab/wire"
)

// ImportAuthor is the author of an imported board's first version.
const ImportAuthor = "import"

// ImportBoard creates a board holding els and the images they use, in one write: either
// the whole board exists afterwards or nothing does. Every element is checked like a
// put, ids must be unique, the live elements must fit the element cap, and every image
// must be one an upload would accept, stored under its own content address. Returns
// EBadValue, ETooManyElements or ETooBig naming the problem.
func (s *Service) ImportBoard(ctx context.Context, title string, els []*wire.Element, images map[string][]byte) (BoardMeta, error) {
	lim := s.limits
	t, err := wire.CleanTitle(title)
	if err != nil {
		t = "Imported board"
	}
	live := 0
	seen := make(map[string]bool, len(els))
	ops := make([]wire.Op, 0, len(els))
	for _, e := range els {
		if err := e.Validate(&lim); err != nil {
			return BoardMeta{}, err
		}
		if seen[e.ID] {
			return BoardMeta{}, wire.Errorf(wire.EBadValue, "element id %s is used twice", e.ID)
		}
		seen[e.ID] = true
		if !e.Deleted {
			live++
		}
		if e.Src != "" && images[e.Src] == nil {
			return BoardMeta{}, wire.Errorf(wire.EBadValue, "element %s shows an image the file does not contain", e.ID)
		}
		ops = append(ops, wire.Op{Kind: wire.OpPut, ID: e.ID, El: e})
	}
	if live > lim.MaxElements {
		return BoardMeta{}, wire.Errorf(wire.ETooManyElements, "the file has %d elements; a board holds at most %d", live, lim.MaxElements)
	}
	for src, data := range images {
		img, err := s.checkImage(data)
		if err != nil {
			return BoardMeta{}, err
		}
		if img.Src != src {
			return BoardMeta{}, wire.Errorf(wire.EBadValue, "image %s does not match its content", wire.Clip(src))
		}
	}
	m := BoardMeta{ID: NewBoardID(), ViewID: NewBoardID(), Title: t, Created: time.Now().UTC()}
	w := Write{Board: m.ID, Meta: &m, Create: true, Images: images,
		Authors: map[string]Author{ImportAuthor: {Name: "Imported file", Color: "#868e96"}}}
	if len(ops) > 0 {
		st := board.NewState()
		at := m.Created.UnixMilli()
		out, err := st.Apply(ops, ImportAuthor, at, &wire.StoredLimits)
		if err != nil {
			return BoardMeta{}, err
		}
		const cid = "import"
		st.AddBatch(cid, 1)
		w.Entries = []LogEntry{{Seq: 1, CID: cid, Data: wire.OpsFrame(1, cid, ImportAuthor, at, out)}}
		snap := st.Snapshot()
		w.Snapshot = &snap
	}
	if err := s.store.Commit(ctx, []Write{w}); err != nil {
		return BoardMeta{}, fmt.Errorf("import board: %w", err)
	}
	return m, nil
}
