package collab

import (
	"sync/atomic"

	"tabula/internal/hist"
)

// applied counts the batches and ops boards have applied since the service started,
// for metrics (ops per second is the rate of Ops). Each room adds to it once per batch.
type applied struct {
	batches, ops atomic.Uint64
}

func (a *applied) add(ops int) {
	a.batches.Add(1)
	a.ops.Add(uint64(ops))
}

// Applied returns how many batches, and ops in them, boards have applied (and stored)
// since the service started. Resent batches that were already applied are not counted.
func (s *Service) Applied() (batches, ops uint64) {
	return s.applied.batches.Load(), s.applied.ops.Load()
}

// Latency returns the service's latency histograms, to be read (for metrics).
func (s *Service) Latency() *Latency { return &s.latency }

// Histograms names the histograms: commit, durable, deliver and ack.
func (l *Latency) Histograms() map[string]*hist.Histogram {
	return map[string]*hist.Histogram{"commit": &l.Commit, "durable": &l.Durable, "deliver": &l.Deliver, "ack": &l.Ack}
}
