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

// RoomInbox reports how many commands wait in the inbox of board id's room and how many
// it holds; ok is false if the board has no room.
func RoomInbox(s *Service, id string) (queued, capacity int, ok bool) {
	var q, c int
	found := false
	s.rooms.Use(id, false, func(r *room) {
		q, c, found = len(r.inbox.cmds), cap(r.inbox.cmds), true
	})
	return q, c, found
}
