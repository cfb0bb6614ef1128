package redisstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"tabula/collab"
)

// Two nodes (two stores on one Redis) append to one board as fast as they can, each
// taking the next seq from what it last read. Redis keeps one order: every seq is taken
// by exactly one batch, every acknowledged batch is in the log at its seq, every refused
// one is not, and a refusal is ErrFenced.
func TestTwoNodesNeverShareASeq(t *testing.T) {
	ctx := context.Background()
	a, srv := open(t)
	b, err := Open(ctx, srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	id := newBoard(t, a)

	const perNode = 150
	acked := make([]map[int64]string, 2)
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for n, s := range []*Store{a, b} {
		acked[n] = map[int64]string{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; len(acked[n]) < perNode; i++ {
				_, tail, err := s.Load(ctx, id)
				if err != nil {
					errs <- err
					return
				}
				next := int64(len(tail)) + 1
				cid := fmt.Sprintf("node%d-%d", n, i)
				err = s.Commit(ctx, []collab.Write{{Board: id, Entries: []collab.LogEntry{{Seq: next, CID: cid, Data: []byte(cid)}}}})
				switch {
				case err == nil:
					acked[n][next] = cid
				case !errors.Is(err, ErrFenced):
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	_, log, err := a.Load(ctx, id)
	if err != nil || len(log) != 2*perNode {
		t.Fatalf("log of %d entries (%v), want %d", len(log), err, 2*perNode)
	}
	for i, e := range log {
		if e.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i, e.Seq)
		}
		if acked[0][e.Seq] == "" && acked[1][e.Seq] == "" || acked[0][e.Seq] != "" && acked[1][e.Seq] != "" {
			t.Fatalf("seq %d acknowledged to %q and %q", e.Seq, acked[0][e.Seq], acked[1][e.Seq])
		}
		if want := acked[0][e.Seq] + acked[1][e.Seq]; e.CID != want || string(e.Data) != want {
			t.Fatalf("seq %d holds %s, acknowledged %s", e.Seq, e.CID, want)
		}
	}
}
