package loadtest

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Config is one load run.
type Config struct {
	// URL is the target's base HTTP URL, e.g. http://127.0.0.1:8080; with Peer, the
	// peer's WebSocket URL, whose last path segment names the document.
	URL string
	// Peer names another server to load the same way instead of Tabula (see
	// executePeer): "hocuspocus". Empty: Tabula.
	Peer string
	// Admin is the base URL of the target's admin listener (its -admin-addr), where the
	// server's costs are read from GET /debug/stats; empty: not read.
	Admin string
	// ServerPID, without Admin, is the process id of a server on this machine whose
	// CPU and memory are read from /proc instead (a peer has no admin listener).
	ServerPID int
	// Clients connect round-robin to Boards boards; the first Writers of them write.
	Clients, Boards, Writers int
	// Rate is ops batches per second per writer; CursorHz cursor moves per second per
	// writer (0: none).
	Rate, CursorHz float64
	// Warmup runs the full load before Duration, the part that is measured.
	Warmup, Duration time.Duration
	// Drain bounds the wait, after the load stops, for outstanding acks and broadcasts.
	Drain time.Duration
	// Sources is how many loopback source addresses (127.0.0.1, .2, …) the clients are
	// spread over when the target is IPv4 loopback, so ephemeral ports never run out.
	Sources int
	// BoardsFrom lists existing board edit ids to use instead of creating boards.
	BoardsFrom []string
	// Ramp is how many connections are opened per second (0: as fast as they complete).
	Ramp float64
	// MaxUnacked is how many batches a writer may have waiting for their ack; when it is
	// reached the writer stalls, as a browser client would.
	MaxUnacked int
	// Seed makes the op mix reproducible.
	Seed uint64
	// Ops is what writers send: "mix" (strokes of 20–200 points, moves, text: a person
	// drawing, most batches 1–4 KB) or "move" (each batch moves one rectangle: ~100
	// bytes, the small update issue 17 compares servers with).
	Ops string

	// trace makes every client keep the (seq, cid) of every broadcast it receives and
	// every writer the seq of every ack, so a test can check delivery one by one. Memory
	// grows with the run: for tests only.
	trace bool
}

// DefaultConfig is a small run against a server on this machine.
func DefaultConfig() Config {
	return Config{
		URL: "http://127.0.0.1:8080", Admin: defaultAdmin, Clients: 50, Boards: 1, Writers: 5, Rate: 5, CursorHz: 30,
		Warmup: 2 * time.Second, Duration: 10 * time.Second, Drain: 20 * time.Second,
		Sources: 4, Ramp: 500, MaxUnacked: 64, Seed: 1,
	}
}

// options are the command line: a Config plus what Main does with the results.
type options struct {
	cfg   Config
	json  string
	sweep []int
	prof  string // -cpuprofile: where the tool's own CPU profile goes
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	o := options{cfg: DefaultConfig()}
	c := &o.cfg
	fs := flag.NewFlagSet("tabula loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: tabula loadtest [flags]\n       tabula loadtest chart -in a.json,b.json -out chart.png\n       tabula loadtest presence [-h]    (presence streams)\n       tabula loadtest voice [-h]       (voice calls)\n       tabula loadtest idle [-h]        (memory of idle WebSocket connections)\n\nflags:")
		fs.PrintDefaults()
	}
	var boardsFrom, sweep string
	fs.StringVar(&c.URL, "url", c.URL, "base HTTP URL of the Tabula server to load")
	fs.StringVar(&c.Admin, "admin", c.Admin, adminHelp)
	fs.IntVar(&c.ServerPID, "server-pid", 0, "without -admin: process id of the server on this machine, to read its CPU and memory from /proc")
	fs.StringVar(&c.Peer, "peer", "", "load another server instead: hocuspocus (-url ws://host:port/document, -cursor-hz 0)")
	fs.IntVar(&c.Clients, "clients", c.Clients, "WebSocket clients to connect")
	fs.IntVar(&c.Boards, "boards", c.Boards, "boards to spread the clients over (round-robin)")
	fs.IntVar(&c.Writers, "writers", c.Writers, "clients that send ops and cursors; the rest only receive")
	fs.Float64Var(&c.Rate, "rate", c.Rate, "ops batches per second per writer")
	fs.Float64Var(&c.CursorHz, "cursor-hz", c.CursorHz, "cursor moves per second per writer (0 disables)")
	fs.DurationVar(&c.Duration, "duration", c.Duration, "how long the measured part of the run lasts")
	fs.DurationVar(&c.Warmup, "warmup", c.Warmup, "full load before measuring starts")
	fs.DurationVar(&c.Drain, "drain", c.Drain, "longest wait after the load for outstanding acks and broadcasts")
	fs.IntVar(&c.Sources, "sources", c.Sources, "loopback source addresses 127.0.0.1… to spread clients over (IPv4 loopback targets only)")
	fs.StringVar(&boardsFrom, "boards-from", "", "comma-separated edit ids (or /b/ID links) of existing boards to use instead of creating boards")
	fs.Float64Var(&c.Ramp, "ramp", c.Ramp, "connections opened per second (0: no limit)")
	fs.IntVar(&c.MaxUnacked, "max-unacked", c.MaxUnacked, "batches a writer may have waiting for their ack before it stalls")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "seed of the op mix")
	fs.StringVar(&c.Ops, "ops", "mix", "what writers send: mix (strokes, moves, text) or move (one rectangle moved per batch, ~100 bytes)")
	fs.StringVar(&o.json, "json", "", "also write the results as JSON to this file")
	fs.StringVar(&o.prof, "cpuprofile", "", "write the load tool's own CPU profile to this file (go tool pprof), to see what its core does")
	fs.StringVar(&sweep, "sweep", "", "comma-separated client counts: one run per count, in order, all written to -json")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["writers"] {
		c.Writers = min(c.Writers, c.Clients)
	}
	if c.Peer != "" && !set["admin"] {
		c.Admin = "" // a peer has no Tabula admin listener; one there would be another server's
	}
	for _, s := range splitList(boardsFrom) {
		c.BoardsFrom = append(c.BoardsFrom, boardID(s))
	}
	if len(c.BoardsFrom) > 0 {
		c.Boards = len(c.BoardsFrom)
	}
	for _, s := range splitList(sweep) {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			return o, fmt.Errorf("-sweep takes positive client counts, not %q", s)
		}
		o.sweep = append(o.sweep, n)
	}
	return o, c.validate()
}

const (
	defaultAdmin = "http://127.0.0.1:8081"
	adminHelp    = "base URL of the server's admin listener (its -admin-addr), for its CPU, memory and latency; empty: not read"
)

// validate reports the first setting that cannot work.
func (c *Config) validate() error {
	u, err := url.Parse(c.URL)
	switch {
	case c.Peer != "" && c.Peer != peerHocuspocus:
		return fmt.Errorf("-peer %q: the peer the tool speaks to is %s", c.Peer, peerHocuspocus)
	case c.Peer != "" && (err != nil || (u.Scheme != "ws" && u.Scheme != "wss") || u.Hostname() == "" || strings.HasSuffix(u.Host, ":")):
		return fmt.Errorf("-peer %s needs a WebSocket -url like ws://127.0.0.1:1234/room, not %q", c.Peer, c.URL)
	case c.Peer != "" && c.CursorHz != 0:
		return fmt.Errorf("-peer %s sends no cursors: pass -cursor-hz 0", c.Peer)
	case c.Peer == "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == ""):
		return fmt.Errorf("-url must be an http or https URL like http://127.0.0.1:8080, not %q", c.URL)
	case c.Admin != "" && !httpURL(c.Admin):
		return fmt.Errorf("-admin must be an http URL like %s, not %q", defaultAdmin, c.Admin)
	case c.Clients <= 0 || c.Boards <= 0:
		return errors.New("-clients and -boards must be positive")
	case c.Writers < 0 || c.Writers > c.Clients:
		return errors.New("-writers must be between 0 and -clients")
	case c.Writers > 0 && c.Rate <= 0:
		return errors.New("-rate must be positive")
	case c.CursorHz < 0 || c.Ramp < 0 || c.Sources < 0:
		return errors.New("-cursor-hz, -ramp and -sources cannot be negative")
	case c.Duration <= 0 || c.Warmup < 0 || c.Drain <= 0:
		return errors.New("-duration and -drain must be positive, -warmup not negative")
	case c.MaxUnacked <= 0:
		return errors.New("-max-unacked must be positive")
	case c.Ops != "" && c.Ops != "mix" && c.Ops != "move":
		return fmt.Errorf("-ops is mix or move, not %q", c.Ops)
	}
	return nil
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// boardID takes a board's edit id out of a link such as https://host/b/ID.
func boardID(s string) string {
	s = strings.TrimRight(s, "/")
	if i := strings.LastIndex(s, "/"); i >= 0 {
		return s[i+1:]
	}
	return s
}
