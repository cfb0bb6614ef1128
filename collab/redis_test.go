package collab_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"

	"tabula/collab"
	"tabula/collab/redisstore"
	"tabula/internal/redistest"
)

func openRedis(tb testing.TB) *redisstore.Store {
	tb.Helper()
	srv := redistest.Start(tb)
	s, err := redisstore.Open(context.Background(), srv.URL())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

// gatedEach holds its first CommitEach until gate closes, so that the writes submitted
// meanwhile meet in one group (that one or the next); it records each group's size.
type gatedEach struct {
	*redisstore.Store
	gate   chan struct{}
	once   sync.Once
	mu     sync.Mutex
	groups []int
}

func (g *gatedEach) CommitEach(ctx context.Context, ws []collab.Write) []error {
	g.once.Do(func() { <-g.gate })
	g.mu.Lock()
	g.groups = append(g.groups, len(ws))
	g.mu.Unlock()
	return g.Store.CommitEach(ctx, ws)
}

// On a shared store one board's refused write (here a seq gap, as after another node
// wrote) fails that board's writes only, not the others' in the same group commit.
func TestCommitterOnRedisFailsOnlyTheRefusedBoard(t *testing.T) {
	s := openRedis(t)
	ctx := context.Background()
	var ids []string
	for range 3 {
		m := collab.BoardMeta{ID: collab.NewBoardID(), ViewID: collab.NewBoardID()}
		if err := s.CreateBoard(ctx, m); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	g := &gatedEach{Store: s, gate: make(chan struct{})}
	c := collab.NewCommitterForBench(g)
	defer c.Close()
	entry := func(seq int64) []collab.LogEntry {
		return []collab.LogEntry{{Seq: seq, CID: fmt.Sprint("c", seq), Data: []byte(`{"t":"ops"}`)}}
	}
	errs := make([]chan error, 3)
	for i := range errs {
		errs[i] = make(chan error, 1)
	}
	send := func(i int) func(error) { return func(err error) { errs[i] <- err } }
	c.Submit(collab.Write{Board: ids[0], Entries: entry(1)}, send(0)) // held at the gate
	c.Submit(collab.Write{Board: ids[1], Entries: entry(2)}, send(1)) // a gap: seq 1 is missing
	c.Submit(collab.Write{Board: ids[2], Entries: entry(1)}, send(2))
	close(g.gate)
	if err := <-errs[0]; err != nil {
		t.Fatal(err)
	}
	if err := <-errs[1]; !errors.Is(err, collab.ErrFenced) {
		t.Fatalf("the write after a gap: %v, want it refused", err)
	}
	if err := <-errs[2]; err != nil {
		t.Fatalf("the other board's write in the same group failed: %v", err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if n := len(g.groups); n == 0 || g.groups[n-1] < 2 {
		t.Fatalf("groups %v, want the last two writes in one", g.groups)
	}
}

// BenchmarkGroupCommitRedis is BenchmarkGroupCommit into Redis with appendfsync always
// (redistest's setting): every batch is durable in Redis's fsynced append-only file
// before its done is called. ns/op is per batch.
func BenchmarkGroupCommitRedis(b *testing.B) {
	for _, boards := range []int{1, 64, 1024} {
		b.Run(fmt.Sprintf("%dBoards", boards), func(b *testing.B) {
			store := openRedis(b)
			ids := benchBoards(b, store, boards)
			c := collab.NewCommitterForBench(store)
			defer c.Close()
			cpu0 := redisCPU(b, store)
			b.ResetTimer()
			commitEach(b, c, ids, b.N/boards+1)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "batches/s")
			// Redis's own CPU time per batch: what a Redis core can take, whatever else
			// shares the machine.
			b.ReportMetric((redisCPU(b, store)-cpu0)*1e6/float64(b.N), "redis-µs/batch")
		})
	}
}

// redisCPU is the CPU time Redis has used, in seconds.
func redisCPU(tb testing.TB, s *redisstore.Store) float64 {
	info, err := s.Client().Info(context.Background(), "cpu").Result()
	if err != nil {
		tb.Fatal(err)
	}
	var sum float64
	for _, line := range strings.Split(info, "\n") {
		k, v, _ := strings.Cut(strings.TrimSpace(line), ":")
		if k == "used_cpu_sys" || k == "used_cpu_user" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				tb.Fatal(err)
			}
			sum += f
		}
	}
	return sum
}
