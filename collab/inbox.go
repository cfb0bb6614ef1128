package collab

import "sync"

// inbox is how everything reaches a room's goroutine: sessions' messages, joins and
// leaves, service calls (links, trash), the results of store reads, and the committer's
// word that writes are durable. It has two lanes, read by one select in room.run:
//
//   - cmds, a bounded queue. Its senders (sessions' reader goroutines, service calls,
//     store readers) may wait while it is full: that is the back pressure that keeps a
//     flooding client from growing the room's memory.
//   - done, the committer's completions, which are never refused: complete merges each
//     into one pending value (durable up to seq N, the first error, how many writes came
//     back) and signals ready, a channel of one slot, without blocking.
//
// Why two lanes: if completions queued in cmds, the committer would wait on a room's full
// queue while that room waits in submit for room in the committer's full queue, and
// neither would move. With them merged, the committer never waits on a room, so the
// waits form no cycle: sessions wait on the room, the room waits only on the committer
// (submit, flush), and the committer waits only on the store. However full every queue
// is, the store finishes a transaction, the committer takes more writes, the room's
// submit returns and the room drains its cmds. Merging loses nothing: a room needs only
// the highest durable seq (writes of one board are made durable in the order they were
// submitted), the first failure (which drops its state anyway) and the count.
type inbox struct {
	cmds  chan roomCmd
	ready chan struct{} // one slot: done holds news

	mu   sync.Mutex
	done completion
}

// completion is what the committer has reported to a room since the room last looked.
type completion struct {
	durable  int64 // highest seq made durable (0: none in this report)
	err      error // the first write that failed
	returned int   // writes called back, durable or failed
}

func newInbox() inbox {
	return inbox{cmds: make(chan roomCmd, 1024), ready: make(chan struct{}, 1)}
}

// complete merges a report of the committer into the pending completion. It never
// blocks (the mutex is held only to merge), so it is safe on the committer's goroutine.
func (in *inbox) complete(seq int64, err error, returned int) {
	in.mu.Lock()
	if seq > in.done.durable {
		in.done.durable = seq
	}
	if err != nil && in.done.err == nil {
		in.done.err = err
	}
	in.done.returned += returned
	in.mu.Unlock()
	select {
	case in.ready <- struct{}{}:
	default:
	}
}

// take returns the pending completion and clears it. Room goroutine only, after ready.
func (in *inbox) take() completion {
	in.mu.Lock()
	defer in.mu.Unlock()
	c := in.done
	in.done = completion{}
	return c
}
