package loadtest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startHocuspocus runs bench/hocuspocus/server.mjs on a free loopback port and returns
// its WebSocket URL for document "room" and its process id. The peer is a benchmark tool, not part of the
// product: its packages are installed by hand (npm ci in bench/hocuspocus) and not by
// CI, so without node or those packages the test is skipped, said on stderr too so a
// run without -v shows it.
func startHocuspocus(t *testing.T) (url string, pid int) {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "bench", "hocuspocus"))
	if err != nil {
		t.Fatal(err)
	}
	skip := func(why string) {
		fmt.Fprintf(os.Stderr, "SKIP %s: %s\n", t.Name(), why)
		t.Skip(why)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		skip("no node on PATH")
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@hocuspocus", "server", "package.json")); err != nil {
		skip("Hocuspocus not installed: run npm ci in bench/hocuspocus")
	}
	cmd := exec.Command(node, "server.mjs", "0")
	cmd.Dir = dir
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
			t.Error("the Hocuspocus server did not stop on SIGTERM")
		}
	})
	addr := make(chan string, 1)
	go func() {
		defer close(exited)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
				addr <- a
			}
		}
		_, _ = io.Copy(io.Discard, out)
		_ = cmd.Wait()
	}()
	select {
	case a := <-addr:
		return "ws://" + a + "/room", cmd.Process.Pid
	case <-exited:
		t.Fatal("the Hocuspocus server exited before listening")
	case <-time.After(30 * time.Second):
		t.Fatal("the Hocuspocus server did not listen within 30s")
	}
	return "", 0
}

// TestHocuspocusSmoke runs the peer mode briefly against a real Hocuspocus and checks
// correctness, not speed: every update acknowledged, and every client received every
// writer's updates, each exactly once and in order, its own included.
func TestHocuspocusSmoke(t *testing.T) {
	cfg := DefaultConfig()
	cfg.URL, cfg.ServerPID = startHocuspocus(t)
	cfg.Peer, cfg.Admin = peerHocuspocus, ""
	cfg.Clients, cfg.Writers, cfg.Rate, cfg.CursorHz = 20, 2, 20, 0
	cfg.Warmup, cfg.Duration = 500*time.Millisecond, 2*time.Second
	cfg.Sources = 2
	cfg.trace = true
	var progress strings.Builder
	rep, p, err := executePeer(t.Context(), cfg, &progress)
	if err != nil {
		t.Fatal(err)
	}
	checkClean(t, rep, cfg, "updates")
	for _, c := range p.clients {
		got := make([][]uint64, cfg.Writers)
		for _, d := range c.trace {
			got[d.writer] = append(got[d.writer], d.clock)
		}
		for w, clocks := range got {
			acked := p.clients[w].acked.Load()
			if int64(len(clocks)) != acked {
				t.Fatalf("client %d received %d updates of writer %d, which had %d acknowledged", c.idx, len(clocks), w, acked)
			}
			for i, clock := range clocks {
				if clock != uint64(i) {
					t.Fatalf("client %d: update %d of writer %d has clock %d", c.idx, i, w, clock)
				}
			}
		}
	}
	if rep.DeliveryLatency.Count == 0 || rep.AckLatency.Count == 0 || rep.Deliveries.Count == 0 {
		t.Fatalf("nothing timed: delivery %d, ack %d, deliveries %d", rep.DeliveryLatency.Count, rep.AckLatency.Count, rep.Deliveries.Count)
	}
	if s := rep.Server; s.Samples < 2 || s.RSSPeakBytes == 0 {
		t.Fatalf("the server's CPU and memory not read from /proc: %+v", s)
	}
}

func TestPeerFlags(t *testing.T) {
	const ws = "ws://127.0.0.1:1234/room"
	cases := []struct {
		name      string
		args      []string
		wantErr   bool
		wantAdmin string
	}{
		{"Hocuspocus", []string{"-peer", "hocuspocus", "-url", ws, "-cursor-hz", "0"}, false, ""},
		{"AdminGiven", []string{"-peer", "hocuspocus", "-url", ws, "-cursor-hz", "0", "-admin", "http://127.0.0.1:9"}, false, "http://127.0.0.1:9"},
		{"NoPort", []string{"-peer", "hocuspocus", "-url", "ws://127.0.0.1:/room", "-cursor-hz", "0"}, true, ""},
		{"HTTPURL", []string{"-peer", "hocuspocus", "-url", "http://127.0.0.1:8080", "-cursor-hz", "0"}, true, ""},
		{"Cursors", []string{"-peer", "hocuspocus", "-url", ws}, true, ""},
		{"UnknownPeer", []string{"-peer", "y-websocket", "-url", ws, "-cursor-hz", "0"}, true, ""},
		{"WebSocketURLForTabula", []string{"-url", ws}, true, ""},
		{"SmallOps", []string{"-url", "http://127.0.0.1:8080", "-ops", "move"}, false, defaultAdmin},
		{"UnknownOps", []string{"-url", "http://127.0.0.1:8080", "-ops", "strokes"}, true, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parseFlags(tc.args, io.Discard)
			if gotErr := err != nil; gotErr != tc.wantErr {
				t.Fatalf("error %v, want one: %v", err, tc.wantErr)
			}
			if err == nil && o.cfg.Admin != tc.wantAdmin {
				t.Fatalf("admin %q, want %q", o.cfg.Admin, tc.wantAdmin)
			}
		})
	}
}
