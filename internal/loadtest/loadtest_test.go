package loadtest

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"tabula/app/program"
)

// startServer runs the real program (app/program) on 127.0.0.1:0 with its admin
// listener on another port, voice off, and returns the base URLs of both.
func startServer(t *testing.T) (base, admin string) {
	t.Helper()
	cfg, err := program.ParseConfig(nil, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr, cfg.Ops.AdminAddr = "127.0.0.1:0", "127.0.0.1:0"
	cfg.DataPath = filepath.Join(t.TempDir(), "t.db")
	cfg.Voice.Off = true
	p, err := program.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- p.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("run: %v", err)
		}
		if err := p.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return "http://" + p.Addr(), "http://" + p.AdminAddr()
}

// checkClean logs rep's table and fails unless every client connected, nothing failed
// or was dropped, every one of the writers' units (what they are called in the
// report) was acknowledged, and the tool's own order and gap check passed.
func checkClean(t *testing.T, rep *Report, cfg Config, units string) {
	t.Helper()
	var table strings.Builder
	if err := rep.writeTable(&table); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", table.String())

	if rep.Connected != cfg.Clients {
		t.Fatalf("%d of %d clients connected", rep.Connected, cfg.Clients)
	}
	if rep.Errors.Total != 0 || rep.Drops.Total != 0 {
		t.Fatalf("errors %v, drops %v %v", rep.Errors.ByCode, rep.Drops.ByCode, rep.Drops.Reasons)
	}
	b := rep.Batches
	if b.Sent == 0 || b.Acked != b.Sent || b.Refused != 0 || b.Unacked != 0 {
		t.Fatalf("%s: %d sent, %d acked, %d refused, %d unacked; want all acked", units, b.Sent, b.Acked, b.Refused, b.Unacked)
	}
	if k := rep.Consistency; k != (Consistency{}) {
		t.Fatalf("the tool's own check failed: %+v", k)
	}
}

// runClean runs the tool on a Tabula-protocol server and checks the run clean
// (checkClean).
func runClean(t *testing.T, cfg Config) (*Report, *run) {
	t.Helper()
	var progress strings.Builder
	rep, r, err := execute(t.Context(), cfg, &progress)
	if err != nil {
		t.Fatal(err)
	}
	checkClean(t, rep, cfg, "batches")
	return rep, r
}

// TestSmoke runs the tool briefly and checks correctness, not speed: every batch
// acknowledged, every broadcast delivered to every client of its board exactly once and
// in seq order, nothing refused or dropped, and the server's stats sampled.
func TestSmoke(t *testing.T) {
	cfg := DefaultConfig()
	cfg.URL, cfg.Admin = startServer(t)
	cfg.Clients, cfg.Boards, cfg.Writers = 6, 2, 3
	cfg.Rate, cfg.CursorHz = 20, 30
	cfg.Warmup, cfg.Duration = 500*time.Millisecond, 2*time.Second
	cfg.Sources = 2
	cfg.trace = true
	rep, r := runClean(t, cfg)

	// The acks are the truth about each board: seq → cid, with no seq twice.
	logs := map[*board]map[int64]string{}
	for _, c := range r.clients {
		if logs[c.board] == nil {
			logs[c.board] = map[int64]string{}
		}
		for _, a := range c.acks {
			if prev, dup := logs[c.board][a.seq]; dup {
				t.Fatalf("seq %d acknowledged for %s and %s", a.seq, prev, a.cid)
			}
			logs[c.board][a.seq] = a.cid
		}
	}
	var acked int
	for _, l := range logs {
		acked += len(l)
	}
	if int64(acked) != rep.Batches.Sent {
		t.Fatalf("%d acks traced, %d batches sent", acked, rep.Batches.Sent)
	}
	// Every client got exactly its board's log, in order, from seq 1.
	for _, c := range r.clients {
		log := logs[c.board]
		if len(c.trace) != len(log) {
			t.Fatalf("client %d received %d broadcasts, its board has %d batches", c.idx, len(c.trace), len(log))
		}
		for i, d := range c.trace {
			if d.seq != int64(i+1) || d.cid != log[d.seq] {
				t.Fatalf("client %d: broadcast %d is seq %d cid %s, want seq %d cid %s", c.idx, i, d.seq, d.cid, i+1, log[int64(i+1)])
			}
		}
	}
	if rep.DeliveryLatency.Count == 0 || rep.AckLatency.Count == 0 || rep.Cursors.Latency.Count == 0 {
		t.Fatalf("nothing timed: delivery %d, ack %d, cursor %d", rep.DeliveryLatency.Count, rep.AckLatency.Count, rep.Cursors.Latency.Count)
	}
	if rep.Server.Samples < 2 || rep.Server.RSSPeakBytes == 0 || rep.Server.GoroutinesPeak == 0 {
		t.Fatalf("server stats not sampled: %+v", rep.Server)
	}
	if d, a := rep.Server.AddedDeliver, rep.Server.AddedAck; d == nil || a == nil || d.Count == 0 || a.Count == 0 || d.P99 <= 0 {
		t.Fatalf("the server's share of latency not read: delivery %+v, ack %+v", d, a)
	}
}

// TestPresenceSmoke runs the presence mode briefly: every join reaches every stream,
// the streams are all connected and the server's memory is read.
func TestPresenceSmoke(t *testing.T) {
	base, admin := startServer(t)
	rep, err := runPresence(context.Background(), base, admin, 20, 3, 10, 1000, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Connected != 20 || rep.Missed != 0 {
		t.Fatalf("connected %d of 20, missed %d deliveries", rep.Connected, rep.Missed)
	}
	if rep.JoinLatency.Count != 20*3 {
		t.Fatalf("timed %d deliveries of joins, want %d", rep.JoinLatency.Count, 20*3)
	}
	if rep.RSSAfter == 0 {
		t.Fatal("server memory not read")
	}
}

// TestIdleSmoke opens a few idle connections and checks that each got its welcome and
// that the server's memory was read before and after.
func TestIdleSmoke(t *testing.T) {
	base, admin := startServer(t)
	rep, err := runIdle(context.Background(), base, admin, 20, 4, 0, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Connected != 20 || rep.RSSBefore == 0 || rep.RSSAfter == 0 || rep.HeapAfter == 0 {
		t.Fatalf("report %+v: want 20 connected and the server's memory read", rep)
	}
}
