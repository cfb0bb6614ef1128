package loadtest

import (
	"context"
	"math/rand/v2"
	"sync/atomic"
	"time"
)

// window paces one writer, Tabula's or the peer's alike: like a real client it keeps
// at most limit batches in flight. A batch falls due every period; one that falls due
// while the window is full counts as a stall and is sent as soon as an ack makes room
// (due batches do not pile up).
type window struct {
	period   time.Duration
	limit    int64
	inflight *atomic.Int64   // sent and not yet acknowledged or refused
	acked    <-chan struct{} // an ack or a refusal made room (capacity 1)
	done     <-chan struct{} // the connection has ended
	stalls   *atomic.Int64
	// On each tick of also (nil: none), other runs; it returns false to stop.
	also  <-chan time.Time
	other func() bool
}

// run calls send as the window allows, starting at a random phase within one period
// (so that writers started together do not send in lockstep), until ctx is done, the
// connection ends or send (or other) reports false.
func (w window) run(ctx context.Context, rng *rand.Rand, send func() bool) {
	period := max(w.period, time.Millisecond)
	phase := time.NewTimer(time.Duration(rng.Int64N(int64(period))))
	select {
	case <-phase.C:
	case <-ctx.Done():
		phase.Stop()
		return
	}
	tick := time.NewTicker(period)
	defer tick.Stop()
	due := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.done:
			return
		case <-tick.C:
			if w.inflight.Load() >= w.limit {
				w.stalls.Add(1)
				due = true
			} else if !send() {
				return
			}
		case <-w.acked:
			if due && w.inflight.Load() < w.limit {
				due = false
				if !send() {
					return
				}
			}
		case <-w.also:
			if !w.other() {
				return
			}
		}
	}
}
