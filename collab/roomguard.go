package collab

import (
	"fmt"
	"runtime/debug"
	"sync/atomic"

	"tabula/collab/wire"
)

// guard runs fn, one stretch of the room goroutine's work, and recovers a panic in it:
// the board's sessions are closed (1011, "internal error") and the room reloads the
// board from what is durable before it takes joins again, so one board's bug costs its
// people a reconnect and never the process or the other boards. Reports whether fn
// returned without a panic.
func (r *room) guard(fn func()) (ok bool) {
	defer func() {
		if v := recover(); v != nil {
			r.crashed(v, debug.Stack())
			ok = false
		}
	}()
	fn()
	return true
}

// crashed drops everything the room held in memory after a panic: its state may be
// half changed. Batches in flight are not acknowledged (their senders resend them, with
// their cids, after reconnecting); the board reloads once the committer has finished
// with the room's writes, as after a storage failure (room.fail). A panic while loading
// leaves the room broken until it unloads, so that the next join after that tries
// afresh instead of the room reloading in a loop.
func (r *room) crashed(v any, stack []byte) {
	r.log().Error("board crashed; its sessions are closed and it reloads", "panic", fmt.Sprint(v), "stack", string(stack))
	r.everyone(func(s *Session) {
		s.send(errorFrame(&wire.Error{Code: wire.EInternal, Msg: "internal error"}, ""))
		s.kick(CloseInternal, "internal error")
	})
	r.members, r.waiting, r.held, r.inflight = nil, nil, nil, nil
	clear(r.eph)
	clear(r.ephOrder)
	r.ephOrder = r.ephOrder[:0]
	clear(r.notices)
	r.notices = r.notices[:0]
	r.st, r.tail, r.snapDebt, r.elemCache = nil, logTail{}, 0, nil
	r.broken, r.recovering = true, !r.loading
	r.loading = false
}

// testHookRoom, when set, is called by every room with each message it handles. Tests
// set it (SetTestHookRoom) to inject a panic; it is nil in production.
var testHookRoom atomic.Pointer[func(board string, m *wire.Message)]

// SetTestHookRoom sets (nil: clears) the function every room calls with each message it
// handles, for tests that inject a failure into a board's goroutine.
func SetTestHookRoom(fn func(board string, m *wire.Message)) {
	if fn == nil {
		testHookRoom.Store(nil)
		return
	}
	testHookRoom.Store(&fn)
}

// everyone calls f for each session of the room: members, sessions waiting for their
// welcome and joins held while the room reloads. Room goroutine only.
func (r *room) everyone(f func(*Session)) {
	for _, m := range r.members {
		f(m)
	}
	for _, w := range r.waiting {
		f(w.s)
	}
	for _, h := range r.held {
		f(h.s)
	}
}
