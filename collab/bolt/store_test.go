package bolt

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
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

// A snapshot written in parts is invisible until its last part: the board loads from its
// previous snapshot, history does not list it, and a crash midway leaves it unseen. A
// part-written snapshot finishing after a later one was written whole does not become
// the latest.
func TestSnapshotInPartsCountsOnceComplete(t *testing.T) {
	p := filepath.Join(t.TempDir(), "tabula.db")
	s, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.CreateBoard(ctx, collab.BoardMeta{ID: "b", ViewID: "v"}); err != nil {
		t.Fatal(err)
	}
	entries := func(from, to int64) (out []collab.LogEntry) {
		for seq := from; seq <= to; seq++ {
			out = append(out, collab.LogEntry{Seq: seq, CID: "c" + strconv.FormatInt(seq, 10), Data: []byte("e" + strconv.FormatInt(seq, 10))})
		}
		return out
	}
	commit := func(ws ...collab.Write) {
		t.Helper()
		if err := s.Commit(ctx, ws); err != nil {
			t.Fatal(err)
		}
	}
	part := func(seq int64, i, n int, data string) collab.Write {
		return collab.Write{Board: "b", SnapshotPart: &collab.SnapshotPart{Seq: seq, Index: i, Count: n, Data: []byte(data)}}
	}
	commit(collab.Write{Board: "b", Entries: entries(1, 4), Snapshot: &collab.Snapshot{Seq: 2, Data: []byte("at 2")}})
	commit(part(4, 0, 3, "AAA"), collab.Write{Board: "b", Entries: entries(5, 5)})
	commit(part(4, 1, 3, "BBB"))
	check := func(when string, seq int64, data string, tail int, checkpoints ...int64) {
		t.Helper()
		snap, tl, err := s.Load(ctx, "b")
		if err != nil || snap.Seq != seq || string(snap.Data) != data || len(tl) != tail {
			t.Fatalf("%s: load %v: seq %d %q, %d entries; want %d %q, %d", when, err, snap.Seq, snap.Data, len(tl), seq, data, tail)
		}
		if got, err := s.Checkpoints(ctx, "b"); err != nil || !slices.Equal(got, checkpoints) {
			t.Fatalf("%s: checkpoints %v %v, want %v", when, got, err, checkpoints)
		}
		want := int64(0) // the newest checkpoint at or before 4
		for _, c := range checkpoints {
			if c <= 4 {
				want = c
			}
		}
		if at, _, err := s.LoadAt(ctx, "b", 4); err != nil || at.Seq != want {
			t.Fatalf("%s: load at 4 starts from %d (%v), want %d", when, at.Seq, err, want)
		}
	}
	check("two parts of three", 2, "at 2", 3, 2)
	// A crash: the parts written stay unseen after reopening.
	s.Close()
	if s, err = Open(p); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	check("reopened", 2, "at 2", 3, 2)
	// Begun again (a restart snapshots the same seq): the first part starts afresh.
	commit(part(4, 0, 2, "xx"))
	commit(part(4, 1, 2, "yy"))
	check("complete", 4, "xxyy", 1, 2, 4)
	// An older snapshot finishing late does not replace the newer one.
	commit(collab.Write{Board: "b", Entries: entries(6, 8)}, part(7, 0, 2, "old"))
	commit(collab.Write{Board: "b", Snapshot: &collab.Snapshot{Seq: 8, Data: []byte("at 8")}})
	commit(part(7, 1, 2, "er"))
	check("newer whole, older in parts", 8, "at 8", 0, 2, 4, 7, 8)
	if at, _, err := s.LoadAt(ctx, "b", 7); err != nil || string(at.Data) != "older" {
		t.Fatalf("checkpoint 7: %q %v", at.Data, err)
	}
	if err := s.Commit(ctx, []collab.Write{part(9, 2, 2, "x")}); err == nil {
		t.Fatal("a part numbered past its count was stored")
	}
}
