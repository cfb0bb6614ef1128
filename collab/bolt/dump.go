package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bbolt "go.etcd.io/bbolt"

	"tabula/collab"
)

var _ collab.Dumper = (*Store)(nil)

// DumpBoard reads everything stored for a board in one read transaction.
func (s *Store) DumpBoard(_ context.Context, id string) (d *collab.BoardDump, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		m, err := getMeta(tx, []byte(id))
		if err != nil {
			return err
		}
		d = &collab.BoardDump{Meta: m, Batches: map[string]int64{}, Authors: map[string]collab.Author{}}
		key := []byte(id)
		bySeq := map[int64]string{}
		if b := tx.Bucket(bucketCIDs).Bucket(key); b != nil {
			b.ForEach(func(k, v []byte) error {
				if len(v) == 8 {
					seq := int64(binary.BigEndian.Uint64(v))
					d.Batches[string(k)] = seq
					bySeq[seq] = string(k)
					d.LastSeq = max(d.LastSeq, seq)
				}
				return nil
			})
		}
		if cp := tx.Bucket(bucketChecks).Bucket(key); cp != nil {
			cp.ForEach(func(k, v []byte) error {
				if data := checkpointData(cp, k, v); data != nil {
					d.Checkpoints = append(d.Checkpoints, collab.Snapshot{Seq: int64(binary.BigEndian.Uint64(k)), Data: data})
				}
				return nil
			})
		}
		if v := tx.Bucket(bucketSnaps).Get(key); len(v) >= 8 {
			d.Latest = int64(binary.BigEndian.Uint64(v))
			if !isSnapRef(v) { // an older file: the latest snapshot itself, maybe no checkpoint
				d.Checkpoints = withCheckpoint(d.Checkpoints, collab.Snapshot{Seq: d.Latest, Data: bytes.Clone(v[8:])})
			}
		}
		if log := tx.Bucket(bucketLogs).Bucket(key); log != nil {
			log.ForEach(func(k, v []byte) error {
				seq := int64(binary.BigEndian.Uint64(k))
				d.Log = append(d.Log, collab.LogEntry{Seq: seq, CID: bySeq[seq], Data: bytes.Clone(v)})
				return nil
			})
		}
		for _, c := range d.Checkpoints {
			d.LastSeq = max(d.LastSeq, c.Seq)
		}
		if n := len(d.Log); n > 0 {
			d.LastSeq = max(d.LastSeq, d.Log[n-1].Seq)
		}
		times := tx.Bucket(bucketITimes).Bucket(key)
		if b := tx.Bucket(bucketImages).Bucket(key); b != nil {
			b.ForEach(func(k, v []byte) error {
				im := collab.DumpedImage{Src: string(k), Data: bytes.Clone(v)}
				if times != nil {
					if t := times.Get(k); len(t) == 8 {
						im.Stored = time.UnixMilli(int64(binary.BigEndian.Uint64(t)))
					}
				}
				d.Images = append(d.Images, im)
				return nil
			})
		}
		if b := tx.Bucket(bucketAuths).Bucket(key); b != nil {
			return b.ForEach(func(k, v []byte) error {
				var a collab.Author
				if err := json.Unmarshal(v, &a); err != nil {
					return err
				}
				d.Authors[string(k)] = a
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("dump board %s: %w", collab.LogID(id), err)
	}
	return d, nil
}

// withCheckpoint adds c to cs, ascending, unless cs has one at its seq.
func withCheckpoint(cs []collab.Snapshot, c collab.Snapshot) []collab.Snapshot {
	for i, have := range cs {
		if have.Seq == c.Seq {
			return cs
		}
		if have.Seq > c.Seq {
			return append(cs[:i], append([]collab.Snapshot{c}, cs[i:]...)...)
		}
	}
	return append(cs, c)
}

// RestoreBoard stores a dumped board as a new one, in one transaction.
func (s *Store) RestoreBoard(_ context.Context, d *collab.BoardDump) error {
	m := d.Meta
	key := []byte(m.ID)
	err := s.db.Update(func(tx *bbolt.Tx) error {
		if err := createBoard(tx, m); err != nil {
			return err
		}
		if m.Edit != "" {
			if editTaken(tx, m.Edit) {
				return fmt.Errorf("board id collision")
			}
			if err := tx.Bucket(bucketEdits).Put([]byte(m.Edit), key); err != nil {
				return err
			}
		}
		if len(d.Log) > 0 {
			log, err := tx.Bucket(bucketLogs).CreateBucketIfNotExists(key)
			if err != nil {
				return err
			}
			log.FillPercent = 0.95
			for _, e := range d.Log {
				if err := log.Put(seqKey(e.Seq), e.Data); err != nil {
					return err
				}
			}
		}
		if len(d.Batches) > 0 {
			cids, err := tx.Bucket(bucketCIDs).CreateBucketIfNotExists(key)
			if err != nil {
				return err
			}
			for cid, seq := range d.Batches {
				if err := cids.Put([]byte(cid), seqKey(seq)); err != nil {
					return err
				}
			}
		}
		for _, c := range d.Checkpoints {
			if err := putCheckpoint(tx, m.ID, c); err != nil {
				return err
			}
		}
		if d.Latest > 0 {
			if err := tx.Bucket(bucketSnaps).Put(key, snapRef(d.Latest)); err != nil {
				return err
			}
		}
		if len(d.Images) > 0 {
			imgs, err := tx.Bucket(bucketImages).CreateBucketIfNotExists(key)
			if err != nil {
				return err
			}
			times, err := tx.Bucket(bucketITimes).CreateBucketIfNotExists(key)
			if err != nil {
				return err
			}
			for _, im := range d.Images {
				if err := imgs.Put([]byte(im.Src), im.Data); err != nil {
					return err
				}
				if !im.Stored.IsZero() {
					if err := times.Put([]byte(im.Src), binary.BigEndian.AppendUint64(nil, uint64(im.Stored.UnixMilli()))); err != nil {
						return err
					}
				}
			}
		}
		return putExtras(tx, collab.Write{Board: m.ID, Authors: d.Authors})
	})
	if err != nil {
		return fmt.Errorf("restore board %s: %w", collab.LogID(m.ID), err)
	}
	return nil
}
