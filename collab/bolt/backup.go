package bolt

import (
	"fmt"
	"io"

	bbolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the database file to w, from one read
// transaction: everything committed before it began, nothing committed after. size is
// called with the copy's length before anything is written. Writers go on meanwhile,
// except that one which must grow the file waits until the copy is done (bbolt cannot
// remap the file under a reader), so a slow reader of the copy can slow writes down.
func (s *Store) Backup(w io.Writer, size func(int64)) (int64, error) {
	var n int64
	err := s.db.View(func(tx *bbolt.Tx) error {
		size(tx.Size())
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("backup: %w", err)
	}
	return n, nil
}
