package app

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"time"
)

// renderQueue bounds the drawings (exports and thumbnails) made at once and the
// requests waiting for one: a large PNG holds up to ExportPixels × 4 bytes while it is
// drawn and each drawing already uses every core, so past a few more waiting than
// drawing, a request is refused at once (429) rather than queued without limit.
type renderQueue struct {
	slots      chan struct{}
	waiting    atomic.Int32
	maxWaiting int32
	maxWait    time.Duration
}

// DefaultRenderWorkers is how many exports are drawn at once: one per core.
var DefaultRenderWorkers = runtime.NumCPU()

// maxRenderWait is the longest a request waits for a slot before it is refused.
const maxRenderWait = 30 * time.Second

func newRenderQueue(workers, waiting int) *renderQueue {
	return &renderQueue{slots: make(chan struct{}, max(1, workers)), maxWaiting: int32(max(0, waiting)), maxWait: maxRenderWait}
}

// errRenderBusy says every slot is taken and the queue is full.
var errRenderBusy = errors.New("render queue full")

// run runs draw when a slot is free. Returns errRenderBusy when the queue is full or the
// wait passed maxWait, or ctx's error when the request is abandoned.
func (q *renderQueue) run(ctx context.Context, draw func() error) error {
	select {
	case q.slots <- struct{}{}:
	default:
		if q.waiting.Add(1) > q.maxWaiting {
			q.waiting.Add(-1)
			return errRenderBusy
		}
		t := time.NewTimer(q.maxWait)
		defer t.Stop()
		select {
		case q.slots <- struct{}{}:
			q.waiting.Add(-1)
		case <-t.C:
			q.waiting.Add(-1)
			return errRenderBusy
		case <-ctx.Done():
			q.waiting.Add(-1)
			return ctx.Err()
		}
	}
	defer func() { <-q.slots }()
	return draw()
}
