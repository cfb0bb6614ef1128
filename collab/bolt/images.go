package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"tabula/collab"
)

// putImages stores images of board by content address (content already there is not
// written again) and records at as when each was last stored.
func putImages(tx *bbolt.Tx, board string, images map[string][]byte, at time.Time) error {
	b, err := tx.Bucket(bucketImages).CreateBucketIfNotExists([]byte(board))
	if err != nil {
		return fmt.Errorf("image bucket of %s: %w", collab.LogID(board), err)
	}
	times, err := tx.Bucket(bucketITimes).CreateBucketIfNotExists([]byte(board))
	if err != nil {
		return fmt.Errorf("image times of %s: %w", collab.LogID(board), err)
	}
	stamp := binary.BigEndian.AppendUint64(nil, uint64(at.UnixMilli()))
	for src, data := range images {
		if b.Get([]byte(src)) == nil {
			if err := b.Put([]byte(src), data); err != nil {
				return fmt.Errorf("image of %s: %w", collab.LogID(board), err)
			}
		}
		if err := times.Put([]byte(src), stamp); err != nil {
			return fmt.Errorf("image time of %s: %w", collab.LogID(board), err)
		}
	}
	return nil
}

// Images lists a board's images with their sizes and when each was last stored.
func (s *Store) Images(_ context.Context, id string) (out []collab.StoredImage, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketImages).Bucket([]byte(id))
		if b == nil {
			return nil
		}
		times := tx.Bucket(bucketITimes).Bucket([]byte(id))
		return b.ForEach(func(k, v []byte) error {
			img := collab.StoredImage{Src: string(k), Size: int64(len(v))}
			if times != nil {
				if t := times.Get(k); len(t) == 8 {
					img.Stored = time.UnixMilli(int64(binary.BigEndian.Uint64(t)))
				}
			}
			out = append(out, img)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("list images of %s: %w", collab.LogID(id), err)
	}
	return out, nil
}

// DeleteImages deletes, in one transaction, those of srcs that were last stored before
// before and that no log entry after seq after contains.
func (s *Store) DeleteImages(_ context.Context, id string, srcs []string, before time.Time, after int64) (n int, err error) {
	err = s.db.Update(func(tx *bbolt.Tx) error {
		n = 0
		b := tx.Bucket(bucketImages).Bucket([]byte(id))
		if b == nil {
			return nil
		}
		times := tx.Bucket(bucketITimes).Bucket([]byte(id))
		gone := make(map[string]bool, len(srcs))
		for _, src := range srcs {
			if times != nil {
				if t := times.Get([]byte(src)); len(t) == 8 && int64(binary.BigEndian.Uint64(t)) >= before.UnixMilli() {
					continue // stored again since the caller looked
				}
			}
			gone[src] = true
		}
		if log := tx.Bucket(bucketLogs).Bucket([]byte(id)); log != nil && len(gone) > 0 {
			c := log.Cursor()
			for k, v := c.Seek(seqKey(after + 1)); k != nil; k, v = c.Next() {
				for src := range gone {
					if bytes.Contains(v, []byte(src)) {
						delete(gone, src) // put on the board since the caller looked
					}
				}
			}
		}
		for src := range gone {
			if b.Get([]byte(src)) == nil {
				continue
			}
			if err := b.Delete([]byte(src)); err != nil {
				return err
			}
			if times != nil {
				if err := times.Delete([]byte(src)); err != nil {
					return err
				}
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("delete images of %s: %w", collab.LogID(id), err)
	}
	return n, nil
}

// PutImageWithin stores an image unless the board would then hold more than lim,
// deciding and storing in one write transaction (bbolt has one writer at a time).
func (s *Store) PutImageWithin(_ context.Context, id, src string, data []byte, lim collab.ImageLimit) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketImages).Bucket([]byte(id))
		if b == nil || b.Get([]byte(src)) == nil {
			count, size := 1, int64(len(data))
			if b != nil {
				if err := b.ForEach(func(_, v []byte) error {
					count++
					size += int64(len(v))
					return nil
				}); err != nil {
					return err
				}
			}
			if count > lim.Count || size > lim.Bytes {
				return collab.ErrImageQuota
			}
		}
		return putImages(tx, id, map[string][]byte{src: data}, time.Now())
	})
	if err != nil {
		return fmt.Errorf("store image of %s: %w", collab.LogID(id), err)
	}
	return nil
}
