package collab

import "tabula/internal/hist"

// Exported for the external tests and benchmarks only.

type BenchCommitter struct{ c *committer }

func NewCommitterForBench(s Store) *BenchCommitter {
	return &BenchCommitter{newCommitter(s, new(hist.Histogram))}
}

func (b *BenchCommitter) Submit(w Write, done func(error)) { b.c.submit(w, done) }

func (b *BenchCommitter) Close() { b.c.close() }

// SnapshotPartSize is how large a snapshot may be before the committer writes it in parts.
const SnapshotPartSize = snapshotPart
