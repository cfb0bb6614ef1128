package e2e

import (
	"slices"
	"testing"
	"time"

	"tabula/app/program"
	"tabula/internal/client"
)

// BenchmarkColdJoin measures the first join of a board nobody has open: the room loads
// the board (latest snapshot plus the log after it) and answers the welcome with the
// whole board. The board has 100,000 batches of history over 2,000 elements. Each
// iteration waits for the room to unload, then times dial + hello → welcome read.
func BenchmarkColdJoin(b *testing.B) {
	ts := startServer(b, func(c *program.Config) { c.RoomIdle = time.Millisecond })
	board := ts.newBoard(b)
	url := ts.wsURL("/b/", board.ID)
	w := join(b, url, 0)
	const elements, history = 2_000, 100_000
	writeHistory(b, w, elements, history)
	w.c.Close()
	times := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		waitFor(b, "the room to unload", func() bool { return ts.svc.Rooms() == 0 })
		b.StartTimer()
		start := time.Now()
		c, _, err := client.Dial(url, "")
		if err != nil {
			b.Fatal(err)
		}
		m, err := c.Hello(0, "cold", time.Now().Add(wait))
		if err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
		if m.Seq != history || len(m.Elements) != elements {
			b.Fatalf("welcome at seq %d with %d elements", m.Seq, len(m.Elements))
		}
		c.Close()
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
}
