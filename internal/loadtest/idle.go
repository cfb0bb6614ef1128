package loadtest

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/fasthttp/websocket"
)

// IdleReport is what `tabula loadtest idle` measured: what an idle WebSocket connection
// (said hello, got its welcome, sends nothing) costs the server.
type IdleReport struct {
	Target      string  `json:"target"`
	Conns       int     `json:"conns"`
	Connected   int     `json:"connected"`
	RSSBefore   uint64  `json:"rss_before_bytes"`
	RSSAfter    uint64  `json:"rss_after_bytes"`
	HeapBefore  uint64  `json:"heap_before_bytes"`
	HeapAfter   uint64  `json:"heap_after_bytes"`
	BytesPer    float64 `json:"rss_bytes_per_conn"`
	HeapPer     float64 `json:"heap_bytes_per_conn"`
	Goroutines  float64 `json:"server_goroutines_per_conn"`
	SettleAfter float64 `json:"settle_s"`
}

// idleMain runs `tabula loadtest idle`: it opens -conns WebSocket connections to one
// board, each sends hello and reads its welcome, waits -settle, and reports the server's
// RSS and heap growth per connection from /debug/stats.
func idleMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loadtest idle", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("url", "http://127.0.0.1:8080", "base URL of the Tabula server")
	admin := fs.String("admin", defaultAdmin, adminHelp)
	n := fs.Int("conns", 5000, "idle WebSocket connections to open")
	sources := fs.Int("sources", 200, "loopback source addresses to spread connections over (IPv4 loopback targets only)")
	settle := fs.Duration("settle", 5*time.Second, "wait after the last connection before reading the server's memory")
	jsonOut := fs.String("json", "", "write the result as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if u, err := url.Parse(*target); err != nil || u.Host == "" || *n <= 0 {
		fmt.Fprintln(stderr, "loadtest idle: need -url http://host:port and -conns > 0")
		return 2
	}
	rep, err := runIdle(context.Background(), *target, *admin, *n, *sources, *settle, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "loadtest idle:", err)
		return 1
	}
	fmt.Fprintf(stdout, "idle websockets            %d of %d connected\n", rep.Connected, rep.Conns)
	fmt.Fprintf(stdout, "server rss                 %s before, %s after: %.1f KiB per connection\n", bytesize(rep.RSSBefore), bytesize(rep.RSSAfter), rep.BytesPer/1024)
	fmt.Fprintf(stdout, "server heap                %.1f KiB per connection; %.2f goroutines per connection\n", rep.HeapPer/1024, rep.Goroutines)
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(*jsonOut, b, 0o644); err != nil {
			fmt.Fprintln(stderr, "loadtest idle:", err)
			return 1
		}
	}
	if rep.Connected < rep.Conns {
		return 1
	}
	return 0
}

func runIdle(ctx context.Context, target, admin string, n, sources int, settle time.Duration, log io.Writer) (*IdleReport, error) {
	r, err := newRun(Config{URL: target, Admin: admin, Boards: 1, Sources: sources})
	if err != nil {
		return nil, err
	}
	if err := r.makeBoards(ctx); err != nil {
		return nil, err
	}
	smp := newSampler(r)
	before, err := smp.fetch(ctx)
	if err != nil {
		return nil, fmt.Errorf("read /debug/stats: %w", err)
	}
	rep := &IdleReport{Target: target, Conns: n, RSSBefore: before.RSSBytes, HeapBefore: before.HeapBytes, SettleAfter: settle.Seconds()}
	u := r.wsURL(r.boards[0].id)
	header := http.Header{"Origin": {r.base.Scheme + "://" + r.base.Host}}
	conns := make([]*websocket.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	fmt.Fprintf(log, "opening %d idle connections to board %s\n", n, r.boards[0].id)
	hello := []byte(`{"t":"hello","v":1,"name":"idle"}`)
	for i := range n {
		d := websocket.Dialer{NetDialContext: r.netDial(i), HandshakeTimeout: 10 * time.Second, ReadBufferSize: 1024, WriteBufferSize: 1024}
		c, _, err := d.DialContext(ctx, u, header)
		if err == nil {
			err = c.WriteMessage(websocket.TextMessage, hello)
		}
		if err == nil {
			// The welcome is the first message (the tool is the only one on the board
			// until the others join, and joins come after it).
			c.SetReadDeadline(time.Now().Add(10 * time.Second))
			var msg []byte
			if _, msg, err = c.ReadMessage(); err == nil && !strings.Contains(string(msg), `"t":"welcome"`) {
				err = fmt.Errorf("first message is not a welcome")
			}
			c.SetReadDeadline(time.Time{})
		}
		if err != nil {
			fmt.Fprintf(log, "connection %d: %v\n", i, err)
			if c != nil {
				c.Close()
			}
			continue
		}
		conns = append(conns, c)
		// Read (and drop) the join notices and pings, as a page would.
		go func() {
			for {
				if _, _, err := c.ReadMessage(); err != nil {
					return
				}
			}
		}()
	}
	rep.Connected = len(conns)
	select {
	case <-time.After(settle):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	after, err := smp.fetch(ctx)
	if err != nil {
		return nil, err
	}
	rep.RSSAfter, rep.HeapAfter = after.RSSBytes, after.HeapBytes
	if rep.Connected > 0 {
		k := float64(rep.Connected)
		rep.BytesPer = (float64(after.RSSBytes) - float64(before.RSSBytes)) / k
		rep.HeapPer = (float64(after.HeapBytes) - float64(before.HeapBytes)) / k
		rep.Goroutines = math.Round((float64(after.Goroutines)-float64(before.Goroutines))/k*100) / 100
	}
	return rep, nil
}
