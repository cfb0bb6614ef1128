package collab

import (
	"fmt"
	"math"
	"slices"
	"strconv"
)

// maxCIDs is how many recent batch ids a board keeps in memory. It is a cache in front
// of the store's durable index (Store.BatchSeq), sized to hold every batch that can be
// in flight, so a resend of an in-flight batch is always found here.
const maxCIDs = 10_000

// state is a board's elements and sequence. It is owned by one room goroutine and never
// shared; elements inside are immutable and may be shared.
type state struct {
	els  map[string]*Element
	live int   // elements not deleted
	seq  int64 // last applied batch
	cids cidSet
}

func newState() *state {
	return &state{els: make(map[string]*Element), cids: newCIDSet()}
}

// apply applies a batch atomically as seq s.seq+1: either every op is applied or, on
// error, none. It returns the normalised ops to broadcast: puts carry the stored element,
// patches and dels the new version, and ops on unknown ids are dropped.
func (s *state) apply(ops []Op, by string, at int64, lim *Limits) ([]Op, error) {
	changed := make(map[string]*Element, len(ops))
	get := func(id string) *Element {
		if e, ok := changed[id]; ok {
			return e
		}
		return s.els[id]
	}
	live := s.live
	out := make([]Op, 0, len(ops))
	for _, op := range ops {
		prev := get(op.ID)
		var e Element
		switch op.Kind {
		case OpPut:
			e = *op.El
			if prev != nil {
				e.V = prev.V
			}
		case OpPatch, OpDel:
			if prev == nil {
				continue
			}
			e = *prev
			if op.Kind == OpPatch {
				op.Set.applyTo(&e)
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
		if op.Kind == OpPut {
			op.El = &e
		}
		out = append(out, op)
	}
	if live > lim.MaxElements && live > s.live {
		return nil, errorf(ETooManyElements, "the board would have %d elements, the limit is %d", live, lim.MaxElements)
	}
	for id, e := range changed {
		s.els[id] = e
	}
	s.live = live
	s.seq++
	return out, nil
}

// appendOps appends normalised ops in wire form.
func appendOps(b []byte, ops []Op) []byte {
	b = append(b, '[')
	for i := range ops {
		op := &ops[i]
		if i > 0 {
			b = append(b, ',')
		}
		switch op.Kind {
		case OpPut:
			b = append(b, `{"o":"put","el":`...)
			b = op.El.appendJSON(b)
			b = append(b, '}')
			continue
		case OpPatch:
			b = append(b, `{"o":"patch","id":`...)
			b = appendString(b, op.ID)
			b = append(b, `,"set":`...)
			b = op.Set.appendJSON(b)
		case OpDel:
			b = append(b, `{"o":"del","id":`...)
			b = appendString(b, op.ID)
		}
		b = append(b, `,"v":`...)
		b = strconv.AppendInt(b, op.V, 10)
		b = append(b, '}')
	}
	return append(b, ']')
}

// opsFrame encodes the broadcast of batch seq. The same bytes are the log entry.
func opsFrame(seq int64, cid, by string, at int64, ops []Op) []byte {
	b := make([]byte, 0, 128+64*len(ops))
	b = append(b, `{"t":"ops","seq":`...)
	b = strconv.AppendInt(b, seq, 10)
	b = append(b, `,"cid":`...)
	b = appendString(b, cid)
	b = append(b, `,"by":`...)
	b = appendString(b, by)
	b = append(b, `,"at":`...)
	b = strconv.AppendInt(b, at, 10)
	b = append(b, `,"ops":`...)
	b = appendOps(b, ops)
	return append(b, '}')
}

// appendElements appends every element, tombstones included, as a JSON array.
func (s *state) appendElements(b []byte) []byte {
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
		b = e.appendJSON(b)
	}
	return append(b, ']')
}

// snapshot encodes the state for storage.
func (s *state) snapshot() Snapshot {
	return Snapshot{Seq: s.seq, Data: s.encodeSnapshot()}
}

// storedLimits are used to read back what the server itself wrote: limits may have been
// lowered since, and stored data must load regardless.
var storedLimits = Limits{MaxPoints: math.MaxInt, MaxText: math.MaxInt, MaxBatch: math.MaxInt, MaxElements: math.MaxInt, MaxMessage: math.MaxInt}

// loadState rebuilds a board from its snapshot and the log entries after it.
func loadState(snap Snapshot, tail []LogEntry) (*state, error) {
	s := newState()
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
		if err := s.replay(le.Data); err != nil {
			return nil, fmt.Errorf("replay log entry %d: %w", le.Seq, err)
		}
	}
	return s, nil
}

// replay applies a stored broadcast again. Its ops were normalised when first applied,
// so applying them in order reproduces the same elements and versions. It decodes with
// the frame decoder (a board's load after a crash may replay half a snapshot's worth of
// log; encoding/json took 50 µs for a 200-point stroke).
func (s *state) replay(frame []byte) error {
	var w wireMsg
	if err := w.decodeStored(frame); err != nil {
		return err
	}
	return s.replayOps(w.Seq, w.CID, w.By, w.At, w.Ops)
}

// replayOps applies the decoded ops of stored batch seq.
func (s *state) replayOps(seq int64, cid, by string, at int64, wops []wireOp) error {
	ops := make([]Op, len(wops))
	for i := range wops {
		if err := decodeOp(&wops[i], &ops[i], &storedLimits); err != nil {
			return err
		}
	}
	if _, err := s.apply(ops, by, at, &storedLimits); err != nil {
		return err
	}
	s.cids.add(cid, seq)
	return nil
}

// stored builds an element exactly as it was stored, server fields included.
func (f *Fields) stored() *Element {
	e := f.element()
	if f.V != nil {
		e.V = *f.V
	}
	if f.By != nil {
		e.By = *f.By
	}
	if f.At != nil {
		e.At = *f.At
	}
	return e
}

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
