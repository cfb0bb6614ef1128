package collab

import (
	"context"
	"fmt"
	"sync"
	"time"

	"tabula/internal/hist"
)

// committer is the single writer in front of the Store: it takes writes from every room,
// and commits whatever has queued up while the previous transaction was syncing as one
// transaction (group commit). An idle committer commits a lone write at once, so a quiet
// board pays one fsync of latency and a busy server pays one fsync per group.
//
// A snapshot larger than snapshotPart is written in parts, one part per transaction
// alongside the other writes, so that storing a large board (megabytes, tens of
// milliseconds to write and sync) does not hold up every board's acks behind it.
type committer struct {
	store Store
	took  *hist.Histogram // time of each transaction, synced; its count is the commits
	in    chan commitReq
	done  chan struct{}

	mu     sync.Mutex
	failed map[string]bool // boards whose write failed; refused until reset
}

type commitReq struct {
	w    Write
	done func(error) // called from the committer goroutine; must not block
	skip bool        // not committed: an earlier write of its board failed
}

const (
	snapshotPart   = 256 << 10
	commitQueue    = 4096    // writes waiting for the committer
	maxGroupWrites = 1024    // writes in one transaction
	maxGroupBytes  = 8 << 20 // bytes in one transaction, roughly
)

func newCommitter(store Store, took *hist.Histogram) *committer {
	c := &committer{store: store, took: took, in: make(chan commitReq, commitQueue), done: make(chan struct{}), failed: make(map[string]bool)}
	go c.run()
	return c
}

// submit queues w; done is called once it is durable or has failed. It blocks only while
// the queue is full, which slows the submitting room, never the others' commits.
func (c *committer) submit(w Write, done func(error)) {
	c.in <- commitReq{w: w, done: done}
}

// reset forgets that a board's write failed, once its room has been dropped and will be
// reloaded from what is durable.
func (c *committer) reset(board string) {
	c.mu.Lock()
	delete(c.failed, board)
	c.mu.Unlock()
}

// close stops the committer after every submitted write has been committed. No submit
// may follow.
func (c *committer) close() {
	close(c.in)
	<-c.done
}

// partedSnapshot is a large snapshot being written a part at a time.
type partedSnapshot struct {
	board string
	fence string
	snap  Snapshot
	next  int // the part to write next
	count int
	done  func(error)
	err   error // set when a part failed
}

func (c *committer) run() {
	defer close(c.done)
	group := make([]commitReq, 0, maxGroupWrites+1)
	writes := make([]Write, 0, maxGroupWrites+1)
	var parted []*partedSnapshot // oldest first
	open := true
	for open || len(parted) > 0 {
		group, size := group[:0], 0
		take := func(r commitReq) {
			if s := r.w.Snapshot; s != nil && len(s.Data) > snapshotPart && isSnapshotOnly(r.w) {
				n := (len(s.Data) + snapshotPart - 1) / snapshotPart
				parted = append(parted, &partedSnapshot{board: r.w.Board, fence: r.w.Fence, snap: *s, count: n, done: r.done})
				return
			}
			group = append(group, r)
			size += writeSize(r.w)
		}
		if len(parted) == 0 { // nothing to do but wait
			r, ok := <-c.in
			if !ok {
				break
			}
			take(r)
		}
	fill:
		for open && len(group) < maxGroupWrites && size < maxGroupBytes {
			select {
			case r, ok := <-c.in:
				if !ok {
					open = false
					break fill
				}
				take(r)
			default:
				break fill
			}
		}
		// One part of the oldest large snapshot rides along. Everything its board
		// submitted before the snapshot is in this group or an earlier one, so the log
		// is durable up to the snapshot's seq when its last part makes it the latest.
		var p *partedSnapshot
		if len(parted) > 0 {
			p = parted[0]
			from := p.next * snapshotPart
			part := &SnapshotPart{Seq: p.snap.Seq, Index: p.next, Count: p.count, Data: p.snap.Data[from:min(from+snapshotPart, len(p.snap.Data))]}
			group = append(group, commitReq{w: Write{Board: p.board, Fence: p.fence, SnapshotPart: part}, done: func(err error) { p.err = err }})
		}
		if len(group) == 0 {
			continue
		}
		c.commit(group, writes[:0])
		clear(group)
		if p != nil {
			if p.next++; p.err != nil || p.next == p.count {
				parted[0] = nil
				parted = parted[1:]
				p.done(p.err)
			}
		}
	}
}

// isSnapshotOnly reports whether w carries a snapshot and nothing else.
func isSnapshotOnly(w Write) bool {
	return len(w.Entries) == 0 && w.Meta == nil && !w.Create && len(w.Images) == 0 && len(w.Authors) == 0 && w.SnapshotPart == nil
}

func (c *committer) commit(group []commitReq, writes []Write) {
	c.mu.Lock()
	for i := range group {
		if group[i].skip = c.failed[group[i].w.Board]; !group[i].skip {
			writes = append(writes, group[i].w)
		}
	}
	c.mu.Unlock()
	var errs []error // one per write; nil when all are durable
	if len(writes) > 0 {
		start := time.Now()
		if ec, ok := c.store.(EachCommitter); ok {
			errs = ec.CommitEach(context.Background(), writes)
		} else if err := c.store.Commit(context.Background(), writes); err != nil {
			errs = make([]error, len(writes))
			for i := range errs {
				errs[i] = err
			}
		}
		c.took.Record(time.Since(start))
	}
	c.mu.Lock()
	j := 0 // the write of group[i] in writes
	for i := range group {
		b := group[i].w.Board
		if group[i].skip {
			group[i].done(fmt.Errorf("board %s: an earlier write failed", LogID(b)))
			continue
		}
		var err error
		if errs != nil {
			err = errs[j]
		}
		j++
		if err != nil {
			// A later write of this board must not land after one that was lost, or the
			// log would have a gap: refuse them until the room reloads.
			c.failed[b] = true
		}
		group[i].done(err)
	}
	c.mu.Unlock()
}

func writeSize(w Write) int {
	n := 64
	for _, e := range w.Entries {
		n += len(e.Data)
	}
	if w.Snapshot != nil {
		n += len(w.Snapshot.Data)
	}
	if w.SnapshotPart != nil {
		n += len(w.SnapshotPart.Data)
	}
	return n
}
