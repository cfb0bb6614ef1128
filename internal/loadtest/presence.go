package loadtest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"

	"tabula/internal/hist"
)

// presenceInterval is a little over the server's presence delivery interval (200 ms).
const presenceInterval = 250 * time.Millisecond

// PresenceReport is what `loadtest presence` measures: the memory each presence (SSE)
// subscriber costs the server, and how long a join takes to reach every subscriber.
type PresenceReport struct {
	Target        string  `json:"target"`
	Subscribers   int     `json:"subscribers"`
	Connected     int     `json:"connected"`
	Joins         int     `json:"joins"`
	RSSBefore     uint64  `json:"rss_before_bytes"`
	RSSAfter      uint64  `json:"rss_after_bytes"`
	BytesPerSub   float64 `json:"bytes_per_subscriber"`
	JoinLatency   Latency `json:"join_latency"`
	Missed        int64   `json:"missed_deliveries"`
	ServerCPUCore float64 `json:"server_cpu_cores_during_joins"`
}

// presenceMain runs `tabula loadtest presence`: it opens -subscribers presence streams on
// one board, reads the server's RSS before and after, then has -joins WebSocket sessions
// come and go one at a time, timing each join from the hello to its event at every
// subscriber.
func presenceMain(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loadtest presence", flag.ContinueOnError)
	fs.SetOutput(stderr)
	target := fs.String("url", "http://127.0.0.1:8080", "base URL of the Tabula server")
	admin := fs.String("admin", defaultAdmin, adminHelp)
	subs := fs.Int("subscribers", 1000, "presence streams to open")
	joins := fs.Int("joins", 20, "sessions that join (one at a time) while the streams listen")
	sources := fs.Int("sources", 50, "loopback source addresses to spread streams over (IPv4 loopback targets only)")
	ramp := fs.Int("ramp", 1000, "streams opened per second")
	jsonOut := fs.String("json", "", "write the result as JSON to this file")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	u, err := url.Parse(*target)
	if err != nil || u.Host == "" || *subs <= 0 || *joins <= 0 {
		fmt.Fprintln(stderr, "loadtest presence: need -url http://host:port, -subscribers > 0 and -joins > 0")
		return 2
	}
	rep, err := runPresence(context.Background(), *target, *admin, *subs, *joins, *sources, *ramp, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "loadtest presence:", err)
		return 1
	}
	fmt.Fprintf(stdout, "presence streams           %d of %d connected\n", rep.Connected, rep.Subscribers)
	fmt.Fprintf(stdout, "server rss                 %s before, %s after: %.1f KiB per stream\n", bytesize(rep.RSSBefore), bytesize(rep.RSSAfter), rep.BytesPerSub/1024)
	l := rep.JoinLatency
	fmt.Fprintf(stdout, "join → every stream        p50 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms  (n=%d, %d joins, %d missed)\n", l.P50, l.P99, l.P999, l.Max, l.Count, rep.Joins, rep.Missed)
	fmt.Fprintf(stdout, "server cpu during joins    %.2f cores\n", rep.ServerCPUCore)
	if *jsonOut != "" {
		b, _ := json.MarshalIndent(rep, "", "  ")
		if err := os.WriteFile(*jsonOut, b, 0o644); err != nil {
			fmt.Fprintln(stderr, "loadtest presence:", err)
			return 1
		}
	}
	if rep.Missed > 0 || rep.Connected < rep.Subscribers {
		return 1
	}
	return 0
}

func runPresence(ctx context.Context, target, admin string, n, joins, sources, ramp int, log io.Writer) (*PresenceReport, error) {
	r, err := newRun(Config{URL: target, Admin: admin, Boards: 1, Sources: sources})
	if err != nil {
		return nil, err
	}
	if err := r.makeBoards(ctx); err != nil {
		return nil, err
	}
	board := r.boards[0].id
	rep := &PresenceReport{Target: target, Subscribers: n, Joins: joins}
	smp := newSampler(r)
	before, err := smp.fetch(ctx)
	if err != nil {
		return nil, fmt.Errorf("read /debug/stats: %w", err)
	}
	rep.RSSBefore = before.RSSBytes

	// Joins are timed one at a time: cur is the join under way. Every stream's reader
	// matches it by the joiner's unique name (its join event may arrive before the joiner
	// has even read its welcome, so the sid is not known in time) and its leave by sid.
	var cur atomic.Pointer[joinProbe]
	lat := &hist.Histogram{}
	var ready sync.WaitGroup
	streams := make([]*http.Response, 0, n)
	fmt.Fprintf(log, "opening %d presence streams on board %s\n", n, board)
	tick := time.NewTicker(time.Second / time.Duration(max(ramp, 1)))
	defer tick.Stop()
	for i := range n {
		<-tick.C
		client := &http.Client{Transport: &http.Transport{DialContext: r.netDial(i), DisableCompression: true}}
		resp, err := client.Get(target + "/b/" + board + "/presence")
		if err != nil || resp.StatusCode != http.StatusOK {
			if err == nil {
				resp.Body.Close()
				err = fmt.Errorf("%s", resp.Status)
			}
			fmt.Fprintf(log, "stream %d: %v\n", i, err)
			continue
		}
		streams = append(streams, resp)
		ready.Add(1)
		go readPresence(resp.Body, &cur, lat, ready.Done)
	}
	ready.Wait()
	rep.Connected = len(streams)
	after, err := smp.fetch(ctx)
	if err != nil {
		return nil, err
	}
	rep.RSSAfter = after.RSSBytes
	rep.BytesPerSub = float64(int64(after.RSSBytes)-int64(before.RSSBytes)) / float64(max(rep.Connected, 1))

	fmt.Fprintf(log, "%d streams open; %d joins one at a time\n", rep.Connected, joins)
	wsURL := strings.Replace(target, "http", "ws", 1) + "/b/" + board + "/ws"
	cpu0, _ := smp.fetch(ctx)
	joinsFrom := time.Now()
	for j := range joins {
		name := fmt.Sprintf("probe-%d-%d", time.Now().UnixNano(), j)
		p := newJoinProbe(name, int64(rep.Connected))
		c, _, err := websocket.DefaultDialer.Dial(wsURL, nil)
		if err != nil {
			return nil, fmt.Errorf("join %d: %w", j, err)
		}
		hello, _ := json.Marshal(map[string]any{"t": "hello", "v": 1, "name": name})
		p.t0 = time.Now()
		cur.Store(p) // publishes t0 to the readers
		if err := c.WriteMessage(websocket.TextMessage, hello); err != nil {
			return nil, err
		}
		_, data, err := c.ReadMessage()
		if err != nil {
			return nil, err
		}
		var w struct {
			SID string `json:"sid"`
		}
		json.Unmarshal([]byte(strings.SplitN(string(data), "\n", 2)[0]), &w)
		p.setSID(w.SID)
		select {
		case <-p.allJoined:
		case <-time.After(10 * time.Second):
		}
		rep.Missed += int64(rep.Connected) - p.joined.Load()
		c.Close()
		select {
		case <-p.allLeft:
		case <-time.After(10 * time.Second):
		}
		// The server delivers presence changes at most five times a second per board; a
		// join right after the previous leave would wait for the next slot. Time joins
		// that come on their own, as people do.
		time.Sleep(presenceInterval)
	}
	cpu1, _ := smp.fetch(ctx)
	rep.ServerCPUCore = round2((cpu1.CPUSeconds - cpu0.CPUSeconds) / time.Since(joinsFrom).Seconds())
	rep.JoinLatency = lat.Summary()
	for _, s := range streams {
		s.Body.Close()
	}
	return rep, nil
}

// joinProbe is one timed join: how many streams have seen it join and leave.
type joinProbe struct {
	name      []byte // `"name":"…"`, unique to this join
	sid       atomic.Pointer[[]byte]
	t0        time.Time // set before the probe is published to the readers
	want      int64
	joined    atomic.Int64
	left      atomic.Int64
	allJoined chan struct{}
	allLeft   chan struct{}
}

func newJoinProbe(name string, want int64) *joinProbe {
	q, _ := json.Marshal(name)
	return &joinProbe{name: append([]byte(`"name":`), q...), want: want, allJoined: make(chan struct{}), allLeft: make(chan struct{})}
}

func (p *joinProbe) setSID(sid string) {
	q, _ := json.Marshal(sid)
	b := append([]byte(`"sid":`), q...)
	p.sid.Store(&b)
}

// readPresence reads one event stream until it ends, signalling ready on the first
// roster and counting the probe's join and leave events. It parses lines in place
// without allocating, so that ten thousand readers on the server's own cores cost as
// little as possible of what is being measured.
func readPresence(body io.Reader, cur *atomic.Pointer[joinProbe], lat *hist.Histogram, ready func()) {
	br := bufio.NewReaderSize(body, 4096)
	var event string
	first := true
	for {
		line, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			// A roster longer than the buffer: only its tail matters to nobody here.
			for err == bufio.ErrBufferFull {
				_, err = br.ReadSlice('\n')
			}
			if err != nil {
				break
			}
			if first && event == "roster" {
				first = false
				ready()
			}
			continue
		}
		if err != nil {
			break
		}
		switch {
		case bytes.HasPrefix(line, []byte("event: ")):
			switch string(bytes.TrimSpace(line[len("event: "):])) {
			case "roster":
				event = "roster"
			case "join":
				event = "join"
			case "leave":
				event = "leave"
			default:
				event = ""
			}
		case bytes.HasPrefix(line, []byte("data: ")):
			now := time.Now()
			if first && event == "roster" {
				first = false
				ready()
			}
			p := cur.Load()
			if p == nil {
				continue
			}
			switch event {
			case "join":
				if bytes.Contains(line, p.name) {
					lat.Record(now.Sub(p.t0))
					if p.joined.Add(1) == p.want {
						close(p.allJoined)
					}
				}
			case "leave":
				if sid := p.sid.Load(); sid != nil && bytes.Contains(line, *sid) {
					if p.left.Add(1) == p.want {
						close(p.allLeft)
					}
				}
			}
		}
	}
	if first {
		ready()
	}
}
