package voice

import (
	"fmt"
	"runtime/debug"

	"tabula/collab"
)

// runGuarded runs the room until it stops, recovering a panic in it: the room's people
// are hung up and their board sessions closed (1011, "internal error"), and the room
// carries on empty, so that voice on the board works again when they rejoin and the
// process and other boards are untouched.
func (r *room) runGuarded() {
	for !r.guard() {
	}
}

func (r *room) guard() (stopped bool) {
	defer func() {
		if v := recover(); v != nil {
			r.crashed(v, debug.Stack())
			stopped = false
		}
	}()
	r.run()
	return true
}

// crashed forgets everyone in the room after a panic: what it held of them may be half
// changed, so each is hung up and closed, and reconnects to a room with a clean slate.
func (r *room) crashed(v any, stack []byte) {
	r.log.Error("voice room crashed; its people are closed", "panic", fmt.Sprint(v), "stack", string(stack))
	people := r.order
	r.people, r.order = make(map[*collab.Session]*person), nil
	for _, p := range people {
		r.f.stats.people.Add(-1)
		p.hangUp()
		p.s.SetVoice(collab.VoiceNone)
		p.s.Fail(collab.CloseInternal, "internal error")
	}
}
