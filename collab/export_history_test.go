package collab

import "tabula/collab/board"

// Exported for the external history tests only.

// SnapshotFor replays stored broadcasts from an empty board and returns the snapshot
// the room would store after them.
func SnapshotFor(frames [][]byte) (Snapshot, error) {
	s := board.NewState()
	for _, f := range frames {
		if err := s.Replay(f); err != nil {
			return Snapshot{}, err
		}
	}
	return s.Snapshot(), nil
}
