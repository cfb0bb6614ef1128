// Package owner keeps the goroutines that own boards: one per board, started on first
// use, forgotten when it ends. A board's room (collab) and its voice call
// (collab/voice) are each owned this way, so that everything about a board of one kind
// happens on one goroutine without locks.
//
// What an owner does with its messages (a bounded channel for rooms, a queue that never
// blocks for voice calls), when it is idle and how it survives a panic is its own
// business; the group only starts it, hands it to callers, and forgets it.
package owner

import "sync"

// Group holds the running owners of one kind, by board id.
type Group[T any] struct {
	start func(id string) T // makes the owner of a board
	run   func(T)           // the owner's goroutine; it ends after Remove let it go

	mu     sync.Mutex
	byID   map[string]T
	closed bool
	wg     sync.WaitGroup
}

// New returns an empty group whose owners are made by start and run by run, each on
// its own goroutine.
func New[T any](start func(id string) T, run func(T)) *Group[T] {
	return &Group[T]{start: start, run: run, byID: make(map[string]T)}
}

// Use calls fn with the owner of board id, first starting one if there is none and
// create is set. fn runs while no owner can start or be removed, so it may count a
// user in or queue a message without the owner going away under it. Reports false,
// without calling fn, when there is no owner and create is not set, and once Close
// has been called.
func (g *Group[T]) Use(id string, create bool, fn func(T)) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	o, ok := g.byID[id]
	if !ok {
		if !create {
			return false
		}
		o = g.start(id)
		g.byID[id] = o
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			g.run(o)
		}()
	}
	if fn != nil {
		fn(o)
	}
	return true
}

// Remove forgets the owner of board id if may, called while no owner can start or be
// used, says it may go. An owner calls it when it is idle: true means it must end (the
// next Use starts a new one), false that someone used it meanwhile.
func (g *Group[T]) Remove(id string, may func(T) bool) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	o, ok := g.byID[id]
	if !ok || !may(o) {
		return false
	}
	delete(g.byID, id)
	return true
}

// Close stops new owners from starting and Use from reaching the running ones, and
// calls stop (if not nil) with each of them, while none can be removed: stop tells an
// owner to end. Wait waits until they have.
func (g *Group[T]) Close(stop func(T)) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	if stop != nil {
		for _, o := range g.byID {
			stop(o)
		}
	}
}

// Wait returns when every owner's goroutine has returned.
func (g *Group[T]) Wait() { g.wg.Wait() }

// Len is how many owners are running.
func (g *Group[T]) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.byID)
}

// Running reports whether board id has an owner.
func (g *Group[T]) Running(id string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	_, ok := g.byID[id]
	return ok
}
