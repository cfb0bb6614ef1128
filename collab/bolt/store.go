// Package bolt stores boards in one bbolt file.
//
// Layout: bucket "boards" maps a board's key (its first edit id) → metadata (JSON);
// "views" maps view id → key; "edits" maps edit id → key for boards whose first edit id
// was replaced (the rest are found by their key); everything below is keyed by the key,
// so replacing a link moves nothing; "snaps" maps edit id → which checkpoint is the latest snapshot (8-byte big-endian
// seq, then the marker "T\xff"; files written before keep the snapshot itself there: the
// seq, then the data); "logs"
// holds one bucket per board mapping 8-byte big-endian seq → log entry, so a cursor
// walks a board's log in order; "cids" holds one bucket per board mapping each batch's
// client id → its seq, so that a resent batch is recognised however old it is; "images"
// holds one bucket per board mapping an image's content address → its bytes;
// "checkpoints" holds one bucket per board mapping 8-byte big-endian seq → a snapshot
// at that seq (every snapshot is kept there, until history is compacted), each in a
// bucket of its own under the key "s" (older files: the snapshot as the value);
// "authors" holds one bucket per board mapping session id → its name and colour (JSON);
// "imagetimes" holds one bucket per board mapping an image's content address → when it
// was last stored (8-byte big-endian Unix milliseconds; images stored before this bucket
// existed have none).
package bolt

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bbolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"tabula/collab"
	"tabula/collab/wire"
)

var (
	bucketBoards = []byte("boards")
	bucketViews  = []byte("views")
	bucketSnaps  = []byte("snaps")
	bucketLogs   = []byte("logs")
	bucketCIDs   = []byte("cids")
	bucketImages = []byte("images")
	bucketChecks = []byte("checkpoints")
	bucketAuths  = []byte("authors")
	bucketEdits  = []byte("edits")
	bucketITimes = []byte("imagetimes")
)

// Store is a collab.Store on a bbolt file.
type Store struct {
	db *bbolt.DB
}

var _ collab.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path and its directory. It fails
// after a second if another process holds the file.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %w", err)
	}
	db, err := bbolt.Open(path, 0o600, &bbolt.Options{Timeout: time.Second})
	if err != nil {
		if errors.Is(err, berrors.ErrTimeout) {
			return nil, fmt.Errorf("open %s: the file is in use by another process", path)
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	err = db.Update(func(tx *bbolt.Tx) error {
		for _, b := range [][]byte{bucketBoards, bucketViews, bucketSnaps, bucketLogs, bucketCIDs, bucketImages, bucketChecks, bucketAuths, bucketEdits, bucketITimes} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// Close closes the file.
func (s *Store) Close() error { return s.db.Close() }

// CreateBoard stores a new board's metadata and view id.
func (s *Store) CreateBoard(_ context.Context, m collab.BoardMeta) error {
	return s.db.Update(func(tx *bbolt.Tx) error { return createBoard(tx, m) })
}

func createBoard(tx *bbolt.Tx, m collab.BoardMeta) error {
	if editTaken(tx, m.ID) || tx.Bucket(bucketViews).Get([]byte(m.ViewID)) != nil {
		return fmt.Errorf("board id collision") // 128 random bits: never in practice
	}
	if err := putMeta(tx, m); err != nil {
		return err
	}
	return tx.Bucket(bucketViews).Put([]byte(m.ViewID), []byte(m.ID))
}

func putMeta(tx *bbolt.Tx, m collab.BoardMeta) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return tx.Bucket(bucketBoards).Put([]byte(m.ID), b)
}

// editTaken reports whether id is a board's key or edit id.
func editTaken(tx *bbolt.Tx, id string) bool {
	return tx.Bucket(bucketBoards).Get([]byte(id)) != nil || tx.Bucket(bucketEdits).Get([]byte(id)) != nil
}

// relink indexes the edit and view ids of m in place of those the stored metadata has.
// Fails if a new id is taken (128 random bits: never in practice).
func relink(tx *bbolt.Tx, m collab.BoardMeta) error {
	old, err := getMeta(tx, []byte(m.ID))
	if err != nil {
		return err
	}
	edits, views := tx.Bucket(bucketEdits), tx.Bucket(bucketViews)
	if id := m.EditID(); id != old.EditID() {
		if editTaken(tx, id) {
			return fmt.Errorf("board id collision")
		}
		if old.Edit != "" {
			if err := edits.Delete([]byte(old.Edit)); err != nil {
				return err
			}
		}
		if err := edits.Put([]byte(id), []byte(m.ID)); err != nil {
			return err
		}
	}
	if m.ViewID != old.ViewID {
		if views.Get([]byte(m.ViewID)) != nil {
			return fmt.Errorf("board id collision")
		}
		if err := views.Delete([]byte(old.ViewID)); err != nil {
			return err
		}
		if err := views.Put([]byte(m.ViewID), []byte(m.ID)); err != nil {
			return err
		}
	}
	return nil
}

// Board returns a board by key; ENotFound if unknown.
func (s *Store) Board(_ context.Context, id string) (m collab.BoardMeta, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		m, err = getMeta(tx, []byte(id))
		return err
	})
	return m, err
}

// BoardByEdit returns a board by its current edit id; ENotFound if unknown or replaced.
func (s *Store) BoardByEdit(_ context.Context, editID string) (m collab.BoardMeta, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		key := []byte(editID)
		if k := tx.Bucket(bucketEdits).Get(key); k != nil {
			key = k
		}
		m, err = getMeta(tx, key)
		if err == nil && m.EditID() != editID { // the board's first edit id, replaced
			return &wire.Error{Code: wire.ENotFound, Msg: "no such board"}
		}
		return err
	})
	return m, err
}

// BoardByView returns a board by view id; ENotFound if unknown.
func (s *Store) BoardByView(_ context.Context, viewID string) (m collab.BoardMeta, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		id := tx.Bucket(bucketViews).Get([]byte(viewID))
		if id == nil {
			return &wire.Error{Code: wire.ENotFound, Msg: "no such board"}
		}
		m, err = getMeta(tx, id)
		return err
	})
	return m, err
}

func getMeta(tx *bbolt.Tx, id []byte) (collab.BoardMeta, error) {
	var m collab.BoardMeta
	v := tx.Bucket(bucketBoards).Get(id)
	if v == nil {
		return m, &wire.Error{Code: wire.ENotFound, Msg: "no such board"}
	}
	if err := json.Unmarshal(v, &m); err != nil {
		return m, fmt.Errorf("decode board %s: %w", collab.LogID(string(id)), err)
	}
	return m, nil
}

// Load returns the latest snapshot and the log after it.
func (s *Store) Load(_ context.Context, id string) (snap collab.Snapshot, tail []collab.LogEntry, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		if v := tx.Bucket(bucketSnaps).Get([]byte(id)); len(v) >= 8 {
			snap.Seq = int64(binary.BigEndian.Uint64(v))
			if !isSnapRef(v) { // an older file: the snapshot itself
				snap.Data = bytes.Clone(v[8:])
			} else if cp := tx.Bucket(bucketChecks).Bucket([]byte(id)); cp != nil {
				snap.Data = checkpointData(cp, v[:8], cp.Get(v[:8]))
			}
			if snap.Data == nil {
				return fmt.Errorf("the latest snapshot, checkpoint %d, is missing", snap.Seq)
			}
		}
		log := tx.Bucket(bucketLogs).Bucket([]byte(id))
		if log == nil {
			return nil
		}
		c := log.Cursor()
		for k, v := c.Seek(seqKey(snap.Seq + 1)); k != nil; k, v = c.Next() {
			tail = append(tail, collab.LogEntry{Seq: int64(binary.BigEndian.Uint64(k)), Data: append([]byte(nil), v...)})
		}
		return nil
	})
	if err != nil {
		return collab.Snapshot{}, nil, fmt.Errorf("load board %s: %w", collab.LogID(id), err)
	}
	return snap, tail, nil
}

// BatchSeq looks up the seq of a board's batch by client id.
func (s *Store) BatchSeq(_ context.Context, id, cid string) (seq int64, found bool, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket(bucketCIDs).Bucket([]byte(id))
		if b == nil {
			return nil
		}
		if v := b.Get([]byte(cid)); len(v) == 8 {
			seq, found = int64(binary.BigEndian.Uint64(v)), true
		}
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("look up batch %s of %s: %w", cid, collab.LogID(id), err)
	}
	return seq, found, nil
}

// PutImage stores an image of a board; the same content twice is stored once. Either
// way the image's stored time becomes now.
func (s *Store) PutImage(_ context.Context, id, src string, data []byte) error {
	err := s.db.Update(func(tx *bbolt.Tx) error {
		return putImages(tx, id, map[string][]byte{src: data}, time.Now())
	})
	if err != nil {
		return fmt.Errorf("store image of %s: %w", collab.LogID(id), err)
	}
	return nil
}

// Image returns an image of a board; ENotFound if it has none by that address.
func (s *Store) Image(_ context.Context, id, src string) (data []byte, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		if b := tx.Bucket(bucketImages).Bucket([]byte(id)); b != nil {
			if v := b.Get([]byte(src)); v != nil {
				data = append([]byte(nil), v...)
				return nil
			}
		}
		return &wire.Error{Code: wire.ENotFound, Msg: "no such image"}
	})
	return data, err
}

// ImageUsage returns how many images board id has and their bytes in all.
func (s *Store) ImageUsage(_ context.Context, id string) (count int, size int64, err error) {
	err = s.db.View(func(tx *bbolt.Tx) error {
		if b := tx.Bucket(bucketImages).Bucket([]byte(id)); b != nil {
			return b.ForEach(func(_, v []byte) error {
				count++
				size += int64(len(v))
				return nil
			})
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("count images of %s: %w", id, err)
	}
	return count, size, nil
}

// Commit writes every write in one transaction, synced to disk before it returns.
func (s *Store) Commit(_ context.Context, ws []collab.Write) error {
	return s.db.Update(func(tx *bbolt.Tx) error {
		logs := tx.Bucket(bucketLogs)
		for _, w := range ws {
			if w.Create {
				if w.Meta == nil {
					return fmt.Errorf("create %s: no metadata", collab.LogID(w.Board))
				}
				if err := createBoard(tx, *w.Meta); err != nil {
					return err
				}
			}
			if err := putExtras(tx, w); err != nil {
				return err
			}
			if len(w.Entries) > 0 {
				log, err := logs.CreateBucketIfNotExists([]byte(w.Board))
				if err != nil {
					return fmt.Errorf("log bucket of %s: %w", collab.LogID(w.Board), err)
				}
				cids, err := tx.Bucket(bucketCIDs).CreateBucketIfNotExists([]byte(w.Board))
				if err != nil {
					return fmt.Errorf("cid bucket of %s: %w", collab.LogID(w.Board), err)
				}
				// Sequential keys: let pages fill up instead of splitting in half.
				log.FillPercent = 0.95
				for _, e := range w.Entries {
					k := seqKey(e.Seq)
					if err := log.Put(k, e.Data); err != nil {
						return fmt.Errorf("append %d to %s: %w", e.Seq, collab.LogID(w.Board), err)
					}
					if err := cids.Put([]byte(e.CID), k); err != nil {
						return fmt.Errorf("index batch %s of %s: %w", e.CID, collab.LogID(w.Board), err)
					}
				}
			}
			if w.Snapshot != nil {
				// Stored once, as a checkpoint; "snaps" only says which one is the latest.
				if err := putCheckpoint(tx, w.Board, *w.Snapshot); err != nil {
					return err
				}
				if err := setLatest(tx, w.Board, w.Snapshot.Seq); err != nil {
					return fmt.Errorf("snapshot of %s: %w", collab.LogID(w.Board), err)
				}
			}
			if w.SnapshotPart != nil {
				if err := putSnapshotPart(tx, w.Board, *w.SnapshotPart); err != nil {
					return err
				}
			}
			if w.Relink && w.Meta != nil {
				if err := relink(tx, *w.Meta); err != nil {
					return fmt.Errorf("replace links of %s: %w", collab.LogID(w.Board), err)
				}
			}
			if w.Meta != nil && !w.Create {
				if err := putMeta(tx, *w.Meta); err != nil {
					return fmt.Errorf("metadata of %s: %w", collab.LogID(w.Board), err)
				}
			}
		}
		return nil
	})
}

// snapRefMark follows the seq in a "snaps" value that names a checkpoint. To a server
// from before this layout it reads as a snapshot of format 255, which it refuses to load
// ("newer than this server understands") instead of taking it for an empty board.
const snapRefMark = "T\xff"

func snapRef(seq int64) []byte {
	return append(seqKey(seq), snapRefMark...)
}

// setLatest makes checkpoint seq the board's latest snapshot, unless a later one already
// is: a snapshot written in parts can complete after a smaller, later one was written
// whole.
func setLatest(tx *bbolt.Tx, board string, seq int64) error {
	snaps := tx.Bucket(bucketSnaps)
	if v := snaps.Get([]byte(board)); len(v) >= 8 && int64(binary.BigEndian.Uint64(v)) > seq {
		return nil
	}
	return snaps.Put([]byte(board), snapRef(seq))
}

func isSnapRef(v []byte) bool { return len(v) == 8+len(snapRefMark) && string(v[8:]) == snapRefMark }

func seqKey(seq int64) []byte {
	k := make([]byte, 8)
	binary.BigEndian.PutUint64(k, uint64(seq))
	return k
}
