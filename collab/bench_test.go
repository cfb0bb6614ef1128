package collab_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"tabula/collab"
	"tabula/collab/bolt"
	"tabula/internal/testtool"
)

// strokeBatch: testtool.StrokeBatch, the realistic ops message the benchmarks share.
var strokeBatch = testtool.StrokeBatch

// BenchmarkGroupCommit measures durable throughput: many boards' rooms submit batches
// concurrently to the single committer over a real bbolt file. ns/op is per batch.
func BenchmarkGroupCommit(b *testing.B) {
	for _, boards := range []int{1, 64} {
		b.Run(fmt.Sprintf("%dBoards", boards), func(b *testing.B) {
			store, err := bolt.Open(filepath.Join(b.TempDir(), "b.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer store.Close()
			ids := benchBoards(b, store, boards)
			c := collab.NewCommitterForBench(store)
			defer c.Close()
			b.ResetTimer()
			commitEach(b, c, ids, b.N/boards+1)
		})
	}
}

// benchBoards creates n boards in store and returns their ids.
func benchBoards(b *testing.B, store collab.Store, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		m := collab.BoardMeta{ID: collab.NewBoardID(), ViewID: collab.NewBoardID()}
		if err := store.CreateBoard(context.Background(), m); err != nil {
			b.Fatal(err)
		}
		ids[i] = m.ID
	}
	return ids
}

// commitEach submits per batches of a 50-point stroke to each board, every board from
// its own goroutine as its room would, and returns once all are durable.
func commitEach(b *testing.B, c *collab.BenchCommitter, ids []string, per int) {
	data := strokeBatch("c", "s", 50)
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var done sync.WaitGroup
			for seq := 1; seq <= per; seq++ {
				done.Add(1)
				c.Submit(collab.Write{Board: id, Entries: []collab.LogEntry{{Seq: int64(seq), CID: fmt.Sprint(seq), Data: data}}}, func(err error) {
					if err != nil {
						b.Error(err)
					}
					done.Done()
				})
			}
			done.Wait()
		}()
	}
	wg.Wait()
}
