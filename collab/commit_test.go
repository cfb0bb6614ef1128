package collab_test

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"tabula/collab"
	"tabula/collab/bolt"
)

// gatedStore records what each transaction held, and holds the first one that writes a
// snapshot part until the test lets it go.
type gatedStore struct {
	*bolt.Store
	gate chan struct{}
	once sync.Once
	mu   sync.Mutex
	txs  [][]collab.Write
}

func (g *gatedStore) Commit(ctx context.Context, ws []collab.Write) error {
	for _, w := range ws {
		if w.SnapshotPart != nil {
			g.once.Do(func() { <-g.gate })
		}
	}
	g.mu.Lock()
	g.txs = append(g.txs, slices.Clone(ws))
	g.mu.Unlock()
	return g.Store.Commit(ctx, ws)
}

// A snapshot larger than a part is written a part per transaction, and writes submitted
// after it become durable without waiting for all of it. It counts only once complete.
func TestLargeSnapshotDoesNotHoldUpOtherWrites(t *testing.T) {
	s, err := bolt.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for _, id := range []string{"a", "b"} {
		if err := s.CreateBoard(ctx, collab.BoardMeta{ID: id, ViewID: "v" + id}); err != nil {
			t.Fatal(err)
		}
	}
	store := &gatedStore{Store: s, gate: make(chan struct{})}
	c := collab.NewCommitterForBench(store)
	var mu sync.Mutex
	var order []string
	done := func(name string, errs chan<- error) func(error) {
		return func(err error) {
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			errs <- err
		}
	}
	entry := func(seq int64) collab.LogEntry {
		return collab.LogEntry{Seq: seq, CID: "c" + string(rune('0'+seq)), Data: []byte(`{"t":"ops"}`)}
	}
	errs := make(chan error, 10)
	c.Submit(collab.Write{Board: "a", Entries: []collab.LogEntry{entry(1), entry(2)}}, done("a log", errs))
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 5*collab.SnapshotPartSize+17)
	for i := range big {
		big[i] = byte(i * 7)
	}
	c.Submit(collab.Write{Board: "a", Snapshot: &collab.Snapshot{Seq: 2, Data: big}}, done("a snapshot", errs))
	c.Submit(collab.Write{Board: "b", Entries: []collab.LogEntry{entry(1)}}, done("b log", errs))
	close(store.gate)
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	if !slices.Equal(order, []string{"a log", "b log", "a snapshot"}) {
		t.Fatalf("durable in the order %v: the later write waited for the whole snapshot", order)
	}
	parts := 0
	for i, tx := range store.txs {
		n := 0
		for _, w := range tx {
			if p := w.SnapshotPart; p != nil {
				n++
				if p.Index != parts || p.Count != 6 {
					t.Fatalf("transaction %d wrote part %d of %d, want %d of 6", i, p.Index, p.Count, parts)
				}
				parts++
			}
			if w.Snapshot != nil {
				t.Fatalf("transaction %d wrote the large snapshot whole", i)
			}
		}
		if n > 1 {
			t.Fatalf("transaction %d wrote %d parts", i, n)
		}
	}
	snap, tail, err := s.Load(ctx, "a")
	if err != nil || snap.Seq != 2 || !bytes.Equal(snap.Data, big) || len(tail) != 0 {
		t.Fatalf("load: %v, seq %d, %d bytes (equal %v), %d entries", err, snap.Seq, len(snap.Data), bytes.Equal(snap.Data, big), len(tail))
	}
}
