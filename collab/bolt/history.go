package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"tabula/collab"
)

// putExtras stores a write's images and authors.
func putExtras(tx *bbolt.Tx, w collab.Write) error {
	if len(w.Images) > 0 {
		if err := putImages(tx, w.Board, w.Images, time.Now()); err != nil {
			return err
		}
	}
	if len(w.Authors) > 0 {
		b, err := tx.Bucket(bucketAuths).CreateBucketIfNotExists([]byte(w.Board))
		if err != nil {
			return fmt.Errorf("author bucket of %s: %w", collab.LogID(w.Board), err)
		}
		for sid, a := range w.Authors {
			v, err := json.Marshal(a)
			if err != nil {
				return err
			}
			if err := b.Put([]byte(sid), v); err != nil {
				return fmt.Errorf("author of %s: %w", collab.LogID(w.Board), err)
			}
		}
	}
	return nil
}

// putCheckpoint stores a snapshot as a checkpoint, in a bucket of its own. As a plain
// value it shared its B+tree leaf with the checkpoints before it (bbolt keeps at least
// two keys on a page), so every new snapshot of a large board rewrote one to three old
// ones as well: megabytes per snapshot, and most of what a busy server wrote to disk.
func putCheckpoint(tx *bbolt.Tx, board string, snap collab.Snapshot) error {
	b, err := tx.Bucket(bucketChecks).CreateBucketIfNotExists([]byte(board))
	if err != nil {
		return fmt.Errorf("checkpoint bucket of %s: %w", collab.LogID(board), err)
	}
	b.FillPercent = 0.9
	k := seqKey(snap.Seq)
	if b.Get(k) != nil { // an older file's checkpoint at the same seq
		if err := b.Delete(k); err != nil {
			return fmt.Errorf("checkpoint %d of %s: %w", snap.Seq, collab.LogID(board), err)
		}
	}
	cb, err := b.CreateBucketIfNotExists(k)
	if err == nil {
		err = cb.Put(checkpointKey, snap.Data)
	}
	if err != nil {
		return fmt.Errorf("checkpoint %d of %s: %w", snap.Seq, collab.LogID(board), err)
	}
	return nil
}

// A checkpoint's bucket holds the snapshot under "s", or, written in parts over several
// transactions, part i under "p" + 4-byte big-endian i and, once the last part is
// written, the number of parts under "n".
var (
	checkpointKey   = []byte("s")
	checkpointParts = []byte("n")
)

func partKey(i int) []byte { return binary.BigEndian.AppendUint32([]byte("p"), uint32(i)) }

// putSnapshotPart stores one part of a snapshot written in parts; the first part
// replaces whatever the checkpoint held (a snapshot of the same seq begun before a
// restart), the last one completes it and makes it the board's latest snapshot.
func putSnapshotPart(tx *bbolt.Tx, board string, p collab.SnapshotPart) error {
	if p.Index < 0 || p.Index >= p.Count {
		return fmt.Errorf("snapshot %d of %s: part %d of %d", p.Seq, collab.LogID(board), p.Index, p.Count)
	}
	b, err := tx.Bucket(bucketChecks).CreateBucketIfNotExists([]byte(board))
	if err != nil {
		return fmt.Errorf("checkpoint bucket of %s: %w", collab.LogID(board), err)
	}
	b.FillPercent = 0.9
	k := seqKey(p.Seq)
	if p.Index == 0 {
		if err := deleteCheckpoint(b, k); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
			return fmt.Errorf("checkpoint %d of %s: %w", p.Seq, collab.LogID(board), err)
		}
	}
	cb, err := b.CreateBucketIfNotExists(k)
	if err == nil {
		cb.FillPercent = 1 // parts arrive in key order
		err = cb.Put(partKey(p.Index), p.Data)
	}
	if err == nil && p.Index == p.Count-1 {
		if err = cb.Put(checkpointParts, binary.BigEndian.AppendUint32(nil, uint32(p.Count))); err == nil {
			err = setLatest(tx, board, p.Seq)
		}
	}
	if err != nil {
		return fmt.Errorf("checkpoint %d of %s, part %d: %w", p.Seq, collab.LogID(board), p.Index, err)
	}
	return nil
}

// checkpointData returns a copy, usable after the transaction, of the snapshot of
// checkpoint key k in a board's checkpoint bucket, given the value the bucket holds
// under k (nil for a nested bucket, the snapshot itself in older files); nil if there is
// none or it is not complete. (A snapshot in parts is joined straight into the copy.)
func checkpointData(cp *bbolt.Bucket, k, v []byte) []byte {
	if v != nil {
		return bytes.Clone(v)
	}
	b := cp.Bucket(k)
	if b == nil {
		return nil
	}
	if s := b.Get(checkpointKey); s != nil {
		return bytes.Clone(s)
	}
	n := b.Get(checkpointParts)
	if len(n) != 4 {
		return nil // parts still being written, or left by a crash
	}
	var data []byte
	for i := range int(binary.BigEndian.Uint32(n)) {
		part := b.Get(partKey(i))
		if part == nil {
			return nil
		}
		data = append(data, part...)
	}
	return data
}

// checkpointComplete reports whether checkpoint k can be read.
func checkpointComplete(cp *bbolt.Bucket, k, v []byte) bool {
	if v != nil {
		return true
	}
	b := cp.Bucket(k)
	return b != nil && (b.Get(checkpointKey) != nil || len(b.Get(checkpointParts)) == 4)
}

// deleteCheckpoint removes checkpoint k in either layout.
func deleteCheckpoint(cp *bbolt.Bucket, k []byte) error {
	if cp.Bucket(k) != nil {
		return cp.DeleteBucket(k)
	}
	return cp.Delete(k)
}

// LoadAt returns the newest checkpoint at or before seq and the log up to seq.
func (s *Store) LoadAt(_ context.Context, id string, seq int64) (snap collab.Snapshot, tail []collab.LogEntry, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		if cp := tx.Bucket(bucketChecks).Bucket([]byte(id)); cp != nil {
			c := cp.Cursor()
			var k, v []byte
			if k, _ = c.Seek(seqKey(seq + 1)); k == nil {
				k, v = c.Last()
			} else {
				k, v = c.Prev()
			}
			for k != nil && !checkpointComplete(cp, k, v) {
				k, v = c.Prev()
			}
			if k != nil {
				snap = collab.Snapshot{Seq: int64(binary.BigEndian.Uint64(k)), Data: checkpointData(cp, k, v)}
			}
		}
		log := tx.Bucket(bucketLogs).Bucket([]byte(id))
		if log == nil {
			return nil
		}
		c := log.Cursor()
		end := seqKey(seq)
		for k, v := c.Seek(seqKey(snap.Seq + 1)); k != nil && bytes.Compare(k, end) <= 0; k, v = c.Next() {
			tail = append(tail, collab.LogEntry{Seq: int64(binary.BigEndian.Uint64(k)), Data: bytes.Clone(v)})
		}
		return nil
	})
	if err != nil {
		return collab.Snapshot{}, nil, fmt.Errorf("load board %s at %d: %w", collab.LogID(id), seq, err)
	}
	return snap, tail, nil
}

// Log returns up to limit entries below before, newest first.
func (s *Store) Log(_ context.Context, id string, before int64, limit int) (out []collab.LogEntry, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		log := tx.Bucket(bucketLogs).Bucket([]byte(id))
		if log == nil {
			return nil
		}
		c := log.Cursor()
		var k, v []byte
		if before <= 0 {
			k, v = c.Last()
		} else if k, _ = c.Seek(seqKey(before)); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && len(out) < limit; k, v = c.Prev() {
			out = append(out, collab.LogEntry{Seq: int64(binary.BigEndian.Uint64(k)), Data: bytes.Clone(v)})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the log of %s: %w", collab.LogID(id), err)
	}
	return out, nil
}

// LogRange returns up to limit entries from from to to, oldest first.
func (s *Store) LogRange(_ context.Context, id string, from, to int64, limit int) (out []collab.LogEntry, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		log := tx.Bucket(bucketLogs).Bucket([]byte(id))
		if log == nil {
			return nil
		}
		c := log.Cursor()
		end := seqKey(to)
		for k, v := c.Seek(seqKey(max(from, 0))); k != nil && bytes.Compare(k, end) <= 0 && len(out) < limit; k, v = c.Next() {
			out = append(out, collab.LogEntry{Seq: int64(binary.BigEndian.Uint64(k)), Data: bytes.Clone(v)})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the log of %s: %w", collab.LogID(id), err)
	}
	return out, nil
}

// Checkpoints lists a board's checkpoint seqs.
func (s *Store) Checkpoints(_ context.Context, id string) (seqs []int64, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		if b := tx.Bucket(bucketChecks).Bucket([]byte(id)); b != nil {
			return b.ForEach(func(k, v []byte) error {
				if checkpointComplete(b, k, v) {
					seqs = append(seqs, int64(binary.BigEndian.Uint64(k)))
				}
				return nil
			})
		}
		return nil
	})
	return seqs, err
}

// Authors returns the recorded names of a board's sessions.
func (s *Store) Authors(_ context.Context, id string) (map[string]collab.Author, error) {
	out := map[string]collab.Author{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		if b := tx.Bucket(bucketAuths).Bucket([]byte(id)); b != nil {
			return b.ForEach(func(k, v []byte) error {
				var a collab.Author
				if err := json.Unmarshal(v, &a); err != nil {
					return err
				}
				out[string(k)] = a
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("authors of %s: %w", collab.LogID(id), err)
	}
	return out, nil
}

// Compact stores keep, drops the checkpoints in drop and the log up to upTo.
func (s *Store) Compact(_ context.Context, id string, keep []collab.Snapshot, drop []int64, upTo int64) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		for _, snap := range keep {
			if err := putCheckpoint(tx, id, snap); err != nil {
				return err
			}
		}
		end := seqKey(upTo)
		if log := tx.Bucket(bucketLogs).Bucket([]byte(id)); log != nil {
			c := log.Cursor()
			for k, _ := c.First(); k != nil && bytes.Compare(k, end) <= 0; k, _ = c.First() {
				if err := c.Delete(); err != nil {
					return err
				}
			}
		}
		if cp := tx.Bucket(bucketChecks).Bucket([]byte(id)); cp != nil {
			for _, seq := range drop {
				if err := deleteCheckpoint(cp, seqKey(seq)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("compact %s: %w", collab.LogID(id), err)
	}
	return nil
}

// Boards returns every board's metadata.
func (s *Store) Boards(_ context.Context) (out []collab.BoardMeta, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketBoards).ForEach(func(k, v []byte) error {
			var m collab.BoardMeta
			if err := json.Unmarshal(v, &m); err != nil {
				return fmt.Errorf("decode board %s: %w", collab.LogID(string(k)), err)
			}
			out = append(out, m)
			return nil
		})
	})
	return out, err
}

// DeleteBoard removes a board and all that is stored for it.
func (s *Store) DeleteBoard(_ context.Context, id string) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		m, err := getMeta(tx, []byte(id))
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketViews).Delete([]byte(m.ViewID)); err != nil {
			return err
		}
		if m.Edit != "" {
			if err := tx.Bucket(bucketEdits).Delete([]byte(m.Edit)); err != nil {
				return err
			}
		}
		for _, name := range [][]byte{bucketBoards, bucketSnaps} {
			if err := tx.Bucket(name).Delete([]byte(id)); err != nil {
				return err
			}
		}
		for _, name := range [][]byte{bucketLogs, bucketCIDs, bucketImages, bucketChecks, bucketAuths, bucketITimes} {
			if err := tx.Bucket(name).DeleteBucket([]byte(id)); err != nil && !errors.Is(err, berrors.ErrBucketNotFound) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete board %s: %w", collab.LogID(id), err)
	}
	return nil
}
