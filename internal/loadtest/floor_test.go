package loadtest

import (
	"net/http/httptest"
	"testing"
	"time"

	"tabula/internal/floor"
)

// TestSmokeFloor runs the tool against the floor server (internal/floor), as
// bench/hocuspocus/compare.sh does with SERVERS=floor: it must pass the same check as
// Tabula — every batch acknowledged, every broadcast delivered to every client once and
// in seq order — or its figures would not be a floor of the same work. Split over two
// goroutines, as on a two-core run.
func TestSmokeFloor(t *testing.T) {
	srv := floor.New(2, 0)
	ts := httptest.NewServer(srv)
	t.Cleanup(func() { ts.Close(); srv.Close() })
	cfg := DefaultConfig()
	cfg.URL, cfg.Admin = ts.URL, ""
	cfg.Clients, cfg.Boards, cfg.Writers = 12, 1, 4
	cfg.Rate, cfg.CursorHz = 50, 0
	cfg.Ops = "move"
	cfg.Warmup, cfg.Duration = 300*time.Millisecond, time.Second
	cfg.trace = true
	rep, r := runClean(t, cfg)
	for _, c := range r.clients {
		if int64(len(c.trace)) != rep.Batches.Sent {
			t.Fatalf("client %d received %d broadcasts of %d batches", c.idx, len(c.trace), rep.Batches.Sent)
		}
	}
	if rep.DeliveryLatency.Count == 0 {
		t.Fatal("no delivery timed")
	}
}
