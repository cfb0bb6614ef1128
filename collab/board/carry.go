package board

import "tabula/collab/wire"

// Moving a frame moves what is in it. A patch that changes a live frame's x or y moves
// each live element in that frame (Frame == the frame's id) by the same distance, at that
// op's place in the batch, on the server and in every client alike (docs/protocol.md,
// "Frames"). So a frame of 500 elements moves with one op, not 501: one small batch to
// validate, log and broadcast, and the same to apply on every screen.
//
// An element the batch puts, or whose x or y the batch patches itself, is left where the
// batch puts it: a client that drags a frame together with some of its members sends
// their absolute places, and batches logged before this rule (which moved every member
// with its own patch) replay to the same state.

// carrier moves frames' members for one batch. Its index of members is built only when
// the batch moves a frame, once per batch, so a batch of many frame moves costs one pass
// over the board, not one per frame.
type carrier struct {
	s       *State
	budget  int                 // members moved per batch, at most (a board's element limit)
	single  bool                // the batch is one op: no id can be indexed twice
	placed  map[string]bool     // ids the batch puts or patches x or y of
	members map[string][]string // moved frame id → ids that were or became its members (checked on use)
	// carried holds the new versions of members the batch moved and changed no other
	// way, sized once for the first frame's members. It is kept apart from changed,
	// whose small map grew six times for a frame of 500 (a fifth of the room's time
	// for the move).
	carried map[string]*wire.Element
}

// A batch moves each frame once, so it carries each member at most once and never more
// elements than a board may hold: budget bounds what a hostile batch (the same big frame
// patched thousands of times) can make the room do, and every client after it.
func newCarrier(s *State, ops []wire.Op, budget int) *carrier {
	c := &carrier{s: s, budget: budget, single: len(ops) == 1}
	for _, op := range ops {
		if op.Kind == wire.OpPut || op.Kind == wire.OpPatch && (op.Set.X != nil || op.Set.Y != nil) {
			if c.placed == nil {
				c.placed = make(map[string]bool)
			}
			c.placed[op.ID] = true
		}
	}
	return c
}

// joined notes that e, changed by the batch, is in frame e.Frame now, for a frame moved
// later in the same batch. Before the first move there is no index to keep.
func (c *carrier) joined(e *wire.Element) {
	if c.members != nil && e.Frame != "" && c.placed[e.Frame] {
		c.members[e.Frame] = append(c.members[e.Frame], e.ID)
	}
}

// get is the element with this id as the batch has left it so far: changed by an op,
// else carried by a frame, else as the board holds it.
func (c *carrier) get(changed map[string]*wire.Element, id string) *wire.Element {
	if e, ok := changed[id]; ok {
		return e
	}
	if e, ok := c.carried[id]; ok {
		return e
	}
	return c.s.els[id]
}

// move moves the members of frame f, which the op just moved from prev: a member the
// batch has changed already is replaced in changed, any other goes into c.carried.
// It fails when that would put a member beyond wire.MaxCoord.
func (c *carrier) move(prev, f *wire.Element, changed map[string]*wire.Element, by string, at int64) error {
	dx, dy := f.X-prev.X, f.Y-prev.Y
	if dx == 0 && dy == 0 || prev.Deleted || f.Deleted || f.Type != "frame" {
		return nil
	}
	if c.members == nil {
		// Only frames the batch places can move: their members are all the index needs.
		c.members = make(map[string][]string)
		for id, e := range c.s.els {
			if e.Frame != "" && c.placed[e.Frame] {
				c.members[e.Frame] = append(c.members[e.Frame], id)
			}
		}
		for id, e := range changed { // as the batch has left them so far
			if e.Frame != "" && c.placed[e.Frame] {
				c.members[e.Frame] = append(c.members[e.Frame], id)
			}
		}
	}
	ids := c.members[f.ID]
	if c.carried == nil {
		c.carried = make(map[string]*wire.Element, len(ids))
	}
	// The moved members' new versions share one allocation: one for a frame of 500,
	// not 500 (the carry was a quarter of a frame move's server time, mostly allocation).
	// Its capacity is never passed, so the pointers into it stay valid.
	moved := make([]wire.Element, 0, len(ids))
	var seen map[string]bool
	for _, id := range ids {
		if c.placed[id] {
			continue
		}
		e := c.get(changed, id)
		if e == nil || e.Deleted || e.Frame != f.ID {
			continue
		}
		// An id is listed twice when the batch changed it (the board's version and the
		// batch's): a batch of one op, the frame's patch, changes no member before it.
		if !c.single {
			if seen == nil {
				seen = make(map[string]bool, len(ids))
			}
			if seen[id] {
				continue
			}
			seen[id] = true
		}
		if c.budget--; c.budget < 0 {
			return wire.Errorf(wire.EBadOp, "the batch moves frames' contents more than a board holds; move each frame once per batch")
		}
		moved = append(moved, *e)
		m := &moved[len(moved)-1]
		m.X += dx
		m.Y += dy
		if !finiteWithin(m.X) || !finiteWithin(m.Y) {
			return wire.Errorf(wire.EBadValue, "moving frame %s would put element %s beyond ±%g", f.ID, id, float64(wire.MaxCoord))
		}
		m.V++
		m.By, m.At = by, at
		if _, ok := changed[id]; ok {
			changed[id] = m
		} else {
			c.carried[id] = m
		}
	}
	return nil
}

func finiteWithin(v float64) bool { return v >= -wire.MaxCoord && v <= wire.MaxCoord }
