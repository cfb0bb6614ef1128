package collab

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"tabula/collab/board"
	"tabula/collab/wire"
)

// withAuthor adds to w the name and colour of the session whose batch it carries, the
// first time that session changes the board and after it renames itself, so that the
// history can say who changed what. Room goroutine only.
func (r *room) withAuthor(s *Session, w Write) Write {
	key := s.name + "\x00" + s.color
	if r.authors[s.ID] == key {
		return w
	}
	if r.authors == nil {
		r.authors = make(map[string]string)
	}
	r.authors[s.ID] = key
	w.Authors = map[string]Author{s.ID: {Name: s.name, Color: s.color}}
	return w
}

// State returns board id's elements, tombstones included, and its seq: the current
// board for at ≤ 0, else the board as it was right after batch at. Returns EBadValue
// when the board never reached at, or when the history that far back is no longer kept.
func (s *Service) State(ctx context.Context, id string, at int64) (int64, []*wire.Element, error) {
	var snap Snapshot
	var tail []LogEntry
	var err error
	if at <= 0 {
		snap, tail, err = s.store.Load(ctx, id)
	} else {
		snap, tail, err = s.store.LoadAt(ctx, id, at)
	}
	if err != nil {
		return 0, nil, err
	}
	if len(tail) > 0 && tail[0].Seq != snap.Seq+1 {
		return 0, nil, wire.Errorf(wire.EBadValue, "the history before version %d is no longer kept", tail[0].Seq)
	}
	st, err := board.LoadState(snap, tail)
	if err != nil {
		return 0, nil, fmt.Errorf("state of %s at %d: %w", LogID(id), at, err)
	}
	if at > 0 && st.Seq() != at {
		return 0, nil, wire.Errorf(wire.EBadValue, "the board has no version %d", at)
	}
	els := st.Elements()
	return st.Seq(), els, nil
}

// HistoryEntry is one batch of a board's history: who made it, when, and how many
// elements it added (or replaced), changed and deleted.
type HistoryEntry struct {
	Seq   int64  `json:"seq"`
	By    string `json:"by"`
	Name  string `json:"name"`
	Color string `json:"color"`
	At    int64  `json:"at"` // ms since epoch
	Put   int    `json:"put"`
	Patch int    `json:"patch"`
	Del   int    `json:"del"`
}

// MaxHistoryPage is the most entries one History call returns.
const MaxHistoryPage = 1000

// History returns up to limit batches of board id before seq before (0: the newest),
// newest first.
func (s *Service) History(ctx context.Context, id string, before int64, limit int) ([]HistoryEntry, error) {
	limit = max(1, min(limit, MaxHistoryPage))
	entries, err := s.store.Log(ctx, id, before, limit)
	if err != nil {
		return nil, err
	}
	authors, err := s.store.Authors(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]HistoryEntry, 0, len(entries))
	for _, e := range entries {
		var f struct {
			By  string `json:"by"`
			At  int64  `json:"at"`
			Ops []struct {
				O string `json:"o"`
			} `json:"ops"`
		}
		if err := json.Unmarshal(e.Data, &f); err != nil {
			return nil, fmt.Errorf("history of %s: entry %d: %w", LogID(id), e.Seq, err)
		}
		h := HistoryEntry{Seq: e.Seq, By: f.By, At: f.At, Name: authors[f.By].Name, Color: authors[f.By].Color}
		for _, op := range f.Ops {
			switch op.O {
			case "put":
				h.Put++
			case "patch":
				h.Patch++
			case "del":
				h.Del++
			}
		}
		out = append(out, h)
	}
	return out, nil
}

// RestoreName is the name history restores are made under.
const RestoreName = "Version restore"

// Restore brings board b back to how it was at seq at, as ordinary batches from a
// session of the server's own: everyone on the board sees them, they are in the log,
// and restoring the version before them undoes them. Returns the seq after the
// restore (the current seq when nothing differed).
func (s *Service) Restore(ctx context.Context, b BoardMeta, at int64) (int64, error) {
	_, target, err := s.State(ctx, b.ID, at)
	if err != nil {
		return 0, err
	}
	seq, current, err := s.State(ctx, b.ID, 0)
	if err != nil {
		return 0, err
	}
	batches := diffBatches(current, target, &s.limits)
	if len(batches) == 0 {
		return seq, nil
	}
	t := newLocalTransport()
	sess := newSession(s, b, RoleEditor, t) // the server's own: not rate limited
	defer sess.Close()
	sess.Receive(fmt.Appendf(nil, `{"t":"hello","v":1,"since":%d,"name":%q,"color":"#5b57d1"}`, seq, RestoreName))
	prefix := "restore-" + randomID(6) + "-"
	for i, batch := range batches {
		cid := prefix + strconv.Itoa(i)
		frame := append([]byte(`{"t":"ops","cid":`), wire.AppendString(nil, cid)...)
		frame = append(append(append(frame, `,"ops":`...), batch...), '}')
		sess.Receive(frame)
		if seq, err = awaitAck(ctx, t, cid); err != nil {
			return 0, err
		}
	}
	return seq, nil
}

// awaitAck reads the session's messages until the ack or the error of batch cid.
func awaitAck(ctx context.Context, t *localTransport, cid string) (int64, error) {
	ack := append([]byte(`{"t":"ack","cid":`), wire.AppendString(nil, cid)...)
	refused := append([]byte(`"cid":`), wire.AppendString(nil, cid)...)
	timeout := time.NewTimer(30 * time.Second)
	defer timeout.Stop()
	for {
		msgs, closed, why := t.take()
		for _, m := range msgs {
			for line := range bytes.SplitSeq(m, []byte{'\n'}) {
				switch {
				case bytes.HasPrefix(line, ack):
					var a struct {
						Seq int64 `json:"seq"`
					}
					if err := json.Unmarshal(line, &a); err != nil {
						return 0, err
					}
					return a.Seq, nil
				case bytes.HasPrefix(line, []byte(`{"t":"error"`)) && bytes.Contains(line, refused):
					var e struct {
						Code string `json:"code"`
						Msg  string `json:"msg"`
					}
					if err := json.Unmarshal(line, &e); err != nil {
						return 0, err
					}
					return 0, &wire.Error{Code: e.Code, Msg: "the version could not be restored: " + e.Msg}
				}
			}
		}
		if closed {
			return 0, fmt.Errorf("restore session closed: %s", why)
		}
		select {
		case <-t.wake:
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-timeout.C:
			return 0, fmt.Errorf("restore batch %s was not acknowledged", cid)
		}
	}
}

// diffBatches are the ops that turn current into target, in batches that fit the
// limits: deletions first (so the board never passes its element cap on the way), then
// elements put back as they were.
func diffBatches(current, target []*wire.Element, lim *wire.Limits) [][]byte {
	now := make(map[string]*wire.Element, len(current))
	for _, e := range current {
		now[e.ID] = e
	}
	want := make(map[string]*wire.Element, len(target))
	for _, e := range target {
		want[e.ID] = e
	}
	// Pages are deleted after what is on them and put before it, so that a restore
	// split into several batches never leaves an element on a missing page or a page
	// deleted with elements on it (collab/board/pages.go).
	// A frame and its members go in the same batch where they fit one, so that a frame
	// that moved between pages moves back with its members (keyed by the frame's id).
	type keyed struct {
		op    []byte
		frame string
	}
	var dels, pageDels, pagePuts, puts []keyed
	for _, e := range current {
		if t := want[e.ID]; !e.Deleted && (t == nil || t.Deleted) {
			op := append(append([]byte(`{"o":"del","id":`), wire.AppendString(nil, e.ID)...), '}')
			if e.Type == "page" {
				pageDels = append(pageDels, keyed{op: op})
			} else {
				dels = append(dels, keyed{op: op})
			}
		}
	}
	for _, t := range target {
		if t.Deleted {
			continue
		}
		if e := now[t.ID]; e != nil && sameContent(e, t) {
			continue
		}
		op := append(t.AppendJSON([]byte(`{"o":"put","el":`)), '}')
		switch {
		case t.Type == "page":
			pagePuts = append(pagePuts, keyed{op: op})
		case t.Type == "frame":
			puts = append(puts, keyed{op: op, frame: t.ID})
		default:
			puts = append(puts, keyed{op: op, frame: t.Frame})
		}
	}
	slices.SortStableFunc(puts, func(a, b keyed) int { return strings.Compare(a.frame, b.frame) })
	ops := slices.Concat(dels, pageDels, pagePuts, puts)
	var batches [][]byte
	budget := lim.MaxMessage - 256
	var b []byte
	n := 0
	for i, k := range ops {
		op := k.op
		if k.frame != "" && n > 0 && (i == 0 || ops[i-1].frame != k.frame) {
			// A frame's run starts: in a fresh batch unless it fits in this one.
			size, count := 0, 0
			for j := i; j < len(ops) && ops[j].frame == k.frame; j++ {
				size += len(ops[j].op) + 1
				count++
			}
			if n+count > lim.MaxBatch || len(b)+size+1 > budget {
				batches = append(batches, append(b, ']'))
				b, n = nil, 0
			}
		}
		if n > 0 && (n >= lim.MaxBatch || len(b)+len(op)+2 > budget) {
			batches = append(batches, append(b, ']'))
			b, n = nil, 0
		}
		if n == 0 {
			b = append(b, '[')
		} else {
			b = append(b, ',')
		}
		b = append(b, op...)
		n++
	}
	if n > 0 {
		batches = append(batches, append(b, ']'))
	}
	return batches
}

// sameContent compares two elements apart from the server's bookkeeping.
func sameContent(a, b *wire.Element) bool {
	x, y := *a, *b
	x.V, x.By, x.At, y.V, y.By, y.At = 0, "", 0, 0, "", 0
	return bytes.Equal(x.AppendJSON(nil), y.AppendJSON(nil))
}

// Seq returns board id's current seq: the last batch stored.
func (s *Service) Seq(ctx context.Context, id string) (int64, error) {
	last, err := s.store.Log(ctx, id, 0, 1)
	if err != nil || len(last) == 0 {
		return 0, err
	}
	return last[0].Seq, nil
}
