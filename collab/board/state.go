package board

import (
	"fmt"
	"slices"

	"tabula/collab/wire"
)

// LogEntry is one applied batch. Data is the exact ops broadcast sent to clients, so a
// resume is served from storage without re-encoding.
type LogEntry struct {
	Seq  int64
	CID  string // the client's batch id, indexed so a resend is never applied twice
	Data []byte
}

// Snapshot is a board's state at Seq in this package's binary encoding (EncodeSnapshot).
type Snapshot struct {
	Seq  int64
	Data []byte
}

// maxCIDs is how many recent batch ids a board keeps in memory. It is a cache in front
// of the store's durable index (Store.BatchSeq), sized to hold every batch that can be
// in flight, so a resend of an in-flight batch is always found here.
const maxCIDs = 10_000

// RecentBatches is how many recent batch ids BatchSeq answers for (maxCIDs): a room that
// looked a batch id up in the store before this many others were added knows the answer
// may be stale.
const RecentBatches = maxCIDs

// State is a board's elements and sequence. It is owned by one room goroutine and never
// shared; elements inside are immutable and may be shared.
type State struct {
	els   map[string]*wire.Element
	live  int   // elements not deleted
	pages int   // page elements not deleted
	seq   int64 // last applied batch
	cids  cidSet
}

// NewState returns an empty board at seq 0.
func NewState() *State {
	return &State{els: make(map[string]*wire.Element), cids: newCIDSet()}
}

// Apply applies a batch atomically as seq s.seq+1: either every op is applied or, on
// error, none. It returns the normalised ops to broadcast: puts carry the stored element,
// patches and dels the new version, and ops on unknown ids are dropped.
func (s *State) Apply(ops []wire.Op, by string, at int64, lim *wire.Limits) ([]wire.Op, error) {
	changed := make(map[string]*wire.Element, len(ops))
	carry := newCarrier(s, ops, lim.MaxElements)
	get := func(id string) *wire.Element { return carry.get(changed, id) }
	live := s.live
	out := make([]wire.Op, 0, len(ops))
	for _, op := range ops {
		prev := get(op.ID)
		var e wire.Element
		switch op.Kind {
		case wire.OpPut:
			e = *op.El
			if prev != nil {
				e.V = prev.V
			}
		case wire.OpPatch, wire.OpDel:
			if prev == nil {
				continue
			}
			e = *prev
			if op.Kind == wire.OpPatch {
				op.Set.ApplyTo(&e)
			} else {
				e.Deleted = true
			}
		}
		if prev != nil && !prev.Deleted {
			live--
		}
		if !e.Deleted {
			live++
		}
		e.V++
		e.By, e.At = by, at
		changed[op.ID] = &e
		op.V = e.V
		if op.Kind == wire.OpPut {
			op.El = &e
		}
		out = append(out, op)
		carry.joined(&e)
		if op.Kind == wire.OpPatch && prev != nil {
			if err := carry.move(prev, &e, changed, by, at); err != nil {
				return nil, err
			}
		}
	}
	if live > lim.MaxElements && live > s.live {
		return nil, wire.Errorf(wire.ETooManyElements, "the board would have %d elements, the limit is %d", live, lim.MaxElements)
	}
	if err := checkFrames(ops, changed, get); err != nil {
		return nil, err
	}
	pages, err := s.checkPages(ops, changed, get)
	if err != nil {
		return nil, err
	}
	// Carried first: a member an op changed after its frame moved it is in both, and
	// changed has the later version.
	for id, e := range carry.carried {
		s.els[id] = e
	}
	for id, e := range changed {
		s.els[id] = e
	}
	s.live = live
	s.pages = pages
	s.seq++
	return out, nil
}

// AppendElements appends every element, tombstones included, as a JSON array.
func (s *State) AppendElements(b []byte) []byte {
	// Size the buffer once: growing a multi-megabyte slice by appending copies it
	// several times over.
	size := 2
	for _, e := range s.els {
		size += 160 + len(e.Text) + 24*e.Points.Len()
	}
	b = slices.Grow(b, size)
	b = append(b, '[')
	first := true
	for _, e := range s.els {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = e.AppendJSON(b)
	}
	return append(b, ']')
}

// Snapshot encodes the state for storage.
func (s *State) Snapshot() Snapshot {
	return Snapshot{Seq: s.seq, Data: s.encodeSnapshot()}
}

// LoadState rebuilds a board from its snapshot and the log entries after it.
func LoadState(snap Snapshot, tail []LogEntry) (*State, error) {
	s := NewState()
	if len(snap.Data) > 0 {
		var err error
		if s, err = decodeSnapshot(snap.Data); err != nil {
			return nil, fmt.Errorf("decode snapshot at %d: %w", snap.Seq, err)
		}
	}
	for _, le := range tail {
		if le.Seq != s.seq+1 {
			return nil, fmt.Errorf("log entry %d follows %d: the log has a gap", le.Seq, s.seq)
		}
		if err := s.Replay(le.Data); err != nil {
			return nil, fmt.Errorf("replay log entry %d: %w", le.Seq, err)
		}
	}
	return s, nil
}

// Replay applies a stored broadcast again. Its ops were normalised when first applied,
// so applying them in order reproduces the same elements and versions. It decodes with
// the frame decoder (a board's load after a crash may replay half a snapshot's worth of
// log; encoding/json took 50 µs for a 200-point stroke).
func (s *State) Replay(frame []byte) error {
	w, err := wire.DecodeStored(frame)
	if err != nil {
		return err
	}
	return s.replayOps(w.Seq, w.CID, w.By, w.At, w.Ops)
}

// replayOps applies the decoded ops of stored batch seq.
func (s *State) replayOps(seq int64, cid, by string, at int64, wops []wire.RawOp) error {
	ops := make([]wire.Op, len(wops))
	for i := range wops {
		if err := wops[i].Decode(&ops[i], &wire.StoredLimits); err != nil {
			return err
		}
	}
	if _, err := s.Apply(ops, by, at, &wire.StoredLimits); err != nil {
		return err
	}
	s.cids.add(cid, seq)
	return nil
}

// Seq is the last applied batch.
func (s *State) Seq() int64 { return s.seq }

// Elements returns every element, tombstones included, in no particular order.
func (s *State) Elements() []*wire.Element {
	els := make([]*wire.Element, 0, len(s.els))
	for _, e := range s.els {
		els = append(els, e)
	}
	return els
}

// BatchSeq returns the seq of batch cid if it is one of the board's recent batches.
func (s *State) BatchSeq(cid string) (int64, bool) { return s.cids.get(cid) }

// AddBatch remembers that batch cid was applied as seq.
func (s *State) AddBatch(cid string, seq int64) { s.cids.add(cid, seq) }

// cidSet remembers the seq of the most recent maxCIDs batch ids, forgetting the oldest.
type cidSet struct {
	seqs  map[string]int64
	order []string // ring buffer of ids, oldest at head
	head  int
}

func newCIDSet() cidSet { return cidSet{seqs: make(map[string]int64)} }

func (c *cidSet) get(cid string) (int64, bool) {
	seq, ok := c.seqs[cid]
	return seq, ok
}

func (c *cidSet) add(cid string, seq int64) {
	if _, ok := c.seqs[cid]; ok {
		return
	}
	c.seqs[cid] = seq
	if len(c.order) < maxCIDs {
		c.order = append(c.order, cid)
		return
	}
	delete(c.seqs, c.order[c.head])
	c.order[c.head] = cid
	c.head = (c.head + 1) % maxCIDs
}
