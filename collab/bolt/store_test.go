package bolt

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	bbolt "go.etcd.io/bbolt"

	"tabula/collab"
	"tabula/collab/storetest"
)

func TestStore(t *testing.T) {
	paths := map[collab.Store]string{}
	open := func(t *testing.T) collab.Store {
		p := filepath.Join(t.TempDir(), "sub", "tabula.db")
		s, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		paths[s] = p
		return s
	}
	reopen := func(t *testing.T, s collab.Store) collab.Store {
		p := paths[s]
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		again, err := Open(p)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { again.Close() })
		paths[again] = p
		return again
	}
	storetest.Run(t, open, reopen)
}

func TestOpenRefusesAFileInUse(t *testing.T) {
	p := filepath.Join(t.TempDir(), "tabula.db")
	s, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Open(p); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("second open: %v, want a clear 'in use' error", err)
	}
}

func TestOpenRefusesGarbage(t *testing.T) {
	p := filepath.Join(t.TempDir(), "tabula.db")
	if err := os.WriteFile(p, []byte(strings.Repeat("not a database ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(p); err == nil {
		s.Close()
		t.Fatal("opened a file that is not a database")
	}
}

// A file written before snapshots were stored once (the snapshot in "snaps" itself, each
// checkpoint a plain value) must read the same, take new snapshots, and compact.
func TestReadsTheEarlierSnapshotLayout(t *testing.T) {
	p := filepath.Join(t.TempDir(), "tabula.db")
	s, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	meta := collab.BoardMeta{ID: "board1", ViewID: "view1", Title: "old"}
	if err := s.CreateBoard(ctx, meta); err != nil {
		t.Fatal(err)
	}
	entry := func(seq int64) collab.LogEntry {
		return collab.LogEntry{Seq: seq, CID: "c" + strconv.FormatInt(seq, 10), Data: []byte(`{"t":"ops","seq":` + strconv.FormatInt(seq, 10) + `}`)}
	}
	if err := s.Commit(ctx, []collab.Write{{Board: "board1", Entries: []collab.LogEntry{entry(1), entry(2), entry(3)}}}); err != nil {
		t.Fatal(err)
	}
	// The earlier layout, written by hand: snapshots at 1 and 2, the latest also in snaps.
	err = s.db.Update(func(tx *bbolt.Tx) error {
		cp, err := tx.Bucket(bucketChecks).CreateBucketIfNotExists([]byte("board1"))
		if err != nil {
			return err
		}
		if err := cp.Put(seqKey(1), []byte("state at 1")); err != nil {
			return err
		}
		if err := cp.Put(seqKey(2), []byte("state at 2")); err != nil {
			return err
		}
		return tx.Bucket(bucketSnaps).Put([]byte("board1"), append(seqKey(2), "state at 2"...))
	})
	if err != nil {
		t.Fatal(err)
	}
	snap, tail, err := s.Load(ctx, "board1")
	if err != nil || snap.Seq != 2 || string(snap.Data) != "state at 2" || len(tail) != 1 || tail[0].Seq != 3 {
		t.Fatalf("load: %v seq %d %q, %d entries", err, snap.Seq, snap.Data, len(tail))
	}
	if snap, _, err := s.LoadAt(ctx, "board1", 1); err != nil || string(snap.Data) != "state at 1" {
		t.Fatalf("load at 1: %v %q", err, snap.Data)
	}
	// A new snapshot goes into the new layout; both kinds of checkpoint keep working.
	if err := s.Commit(ctx, []collab.Write{{Board: "board1", Snapshot: &collab.Snapshot{Seq: 3, Data: []byte("state at 3")}}}); err != nil {
		t.Fatal(err)
	}
	if v := s.get(t, bucketSnaps, "board1"); !isSnapRef(v) {
		t.Fatalf("snaps holds %q, want a reference to checkpoint 3", v)
	}
	if snap, _, err := s.Load(ctx, "board1"); err != nil || snap.Seq != 3 || string(snap.Data) != "state at 3" {
		t.Fatalf("load after a new snapshot: %v seq %d %q", err, snap.Seq, snap.Data)
	}
	if seqs, err := s.Checkpoints(ctx, "board1"); err != nil || len(seqs) != 3 || seqs[2] != 3 {
		t.Fatalf("checkpoints %v %v", seqs, err)
	}
	// Rewriting an old checkpoint (retention does) and dropping both kinds.
	if err := s.Compact(ctx, "board1", []collab.Snapshot{{Seq: 2, Data: []byte("state at 2, again")}}, []int64{1}, 2); err != nil {
		t.Fatal(err)
	}
	if snap, _, err := s.LoadAt(ctx, "board1", 2); err != nil || string(snap.Data) != "state at 2, again" {
		t.Fatalf("load at 2 after compaction: %v %q", err, snap.Data)
	}
	if err := s.Compact(ctx, "board1", nil, []int64{2}, 2); err != nil {
		t.Fatal(err)
	}
	if seqs, err := s.Checkpoints(ctx, "board1"); err != nil || len(seqs) != 1 || seqs[0] != 3 {
		t.Fatalf("checkpoints after dropping 1 and 2: %v %v", seqs, err)
	}
	s.Close()
	// Reopened, the board still loads from its latest snapshot.
	if s, err = Open(p); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if snap, tail, err := s.Load(ctx, "board1"); err != nil || snap.Seq != 3 || string(snap.Data) != "state at 3" || len(tail) != 0 {
		t.Fatalf("load after reopening: %v seq %d %q, %d entries", err, snap.Seq, snap.Data, len(tail))
	}
}

// A reference to a checkpoint that is not there is a clear error, not an empty board.
func TestMissingLatestCheckpointIsAnError(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "tabula.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.CreateBoard(ctx, collab.BoardMeta{ID: "b", ViewID: "v"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, []collab.Write{{Board: "b", Snapshot: &collab.Snapshot{Seq: 5, Data: []byte("state")}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.db.Update(func(tx *bbolt.Tx) error {
		return tx.Bucket(bucketChecks).Bucket([]byte("b")).DeleteBucket(seqKey(5))
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Load(ctx, "b"); err == nil || !strings.Contains(err.Error(), "checkpoint 5, is missing") {
		t.Fatalf("load: %v, want the missing checkpoint named", err)
	}
}

func (s *Store) get(t *testing.T, bucket []byte, key string) (v []byte) {
	t.Helper()
	if err := s.db.View(func(tx *bbolt.Tx) error {
		v = bytes.Clone(tx.Bucket(bucket).Get([]byte(key)))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return v
}

// One node owns a bbolt file: a write's Fence (the lease of shared mode) is not checked.
func TestFenceIsIgnored(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "tabula.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	if err := s.CreateBoard(ctx, collab.BoardMeta{ID: "b", ViewID: "v"}); err != nil {
		t.Fatal(err)
	}
	w := collab.Write{Board: "b", Fence: "a lease nobody holds", Entries: []collab.LogEntry{{Seq: 1, CID: "c1", Data: []byte("e1")}}}
	if err := s.Commit(ctx, []collab.Write{w}); err != nil {
		t.Fatalf("bbolt checked a fence: %v", err)
	}
}
