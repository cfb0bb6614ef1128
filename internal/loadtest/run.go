package loadtest

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tabula/internal/hist"
)

// run is the state of one load run shared by its clients. Counters are atomics and the
// histograms are lock-free, so a thousand reader goroutines never wait on each other.
type run struct {
	cfg     Config
	id      string // random, starts every cid and element id of this run
	base    *url.URL
	sources []net.IP
	http    *http.Client
	start   time.Time // since() counts from here, on the monotonic clock

	// The measured window, in ns since start; nothing is measured until it is set.
	from, to atomic.Int64

	delivery, ack, cursor hist.Histogram

	sent, acked, refused, opsSent, bytesSent, stalls atomic.Int64
	deliveries, cursorsSent, cursorsRecv             atomic.Int64

	mu       sync.Mutex
	errors   map[string]int // server error messages by code
	drops    map[string]int // connections lost, by close code, or "dial"
	dialErrs map[string]int // why dials failed

	boards  []*board
	clients []*simClient
}

// board is one board of the run and the highest seq acknowledged on it.
type board struct {
	id     string
	maxAck atomic.Int64
}

func (b *board) ackedUpTo(seq int64) {
	for {
		m := b.maxAck.Load()
		if seq <= m || b.maxAck.CompareAndSwap(m, seq) {
			return
		}
	}
}

func (r *run) since() int64 { return int64(time.Since(r.start)) }

// inWindow reports whether t (ns since start) lies in the measured window.
func (r *run) inWindow(t int64) bool { return t >= r.from.Load() && t < r.to.Load() }

func (r *run) addError(code string) {
	r.mu.Lock()
	r.errors[code]++
	r.mu.Unlock()
}

func (r *run) addDrop(code string) {
	r.mu.Lock()
	r.drops[code]++
	r.mu.Unlock()
}

// Run loads the server at cfg.URL: it creates (or takes) the boards, connects the
// clients, runs the writers through the warmup and the measured duration, waits up to
// cfg.Drain for every batch to be acknowledged and delivered, then closes and reports.
// progress gets a line per phase. Cancelling ctx ends the run early; what was measured
// is still reported. Returns an error only when the run could not start: bad config,
// or the boards could not be created.
func Run(ctx context.Context, cfg Config, progress io.Writer) (*Report, error) {
	rep, _, err := execute(ctx, cfg, progress)
	return rep, err
}

// execute is Run, also returning the run's clients for tests to inspect.
func execute(ctx context.Context, cfg Config, progress io.Writer) (*Report, *run, error) {
	if err := cfg.validate(); err != nil {
		return nil, nil, err
	}
	if cfg.Peer != "" {
		rep, _, err := executePeer(ctx, cfg, progress)
		return rep, nil, err
	}
	r, err := newRun(cfg)
	if err != nil {
		return nil, nil, err
	}
	started := time.Now()
	if err := r.makeBoards(ctx); err != nil {
		return nil, nil, err
	}
	samp := newSampler(r)
	sampCtx, stopSampling := context.WithCancel(context.Background())
	sampDone := make(chan struct{})
	go func() {
		defer close(sampDone)
		samp.loop(sampCtx)
	}()
	defer func() {
		stopSampling()
		<-sampDone
	}()

	fmt.Fprintf(progress, "connecting %d clients to %d boards at %s\n", cfg.Clients, len(r.boards), r.base)
	connected := r.connectAll(ctx)
	fmt.Fprintf(progress, "%d connected; load for %v warmup + %v measured\n", connected, cfg.Warmup, cfg.Duration)

	var writers []func(context.Context)
	for _, c := range r.clients {
		if c.writer && c.ws != nil {
			writers = append(writers, func(ctx context.Context) { c.writeLoop(ctx, cfg.Seed) })
		}
	}
	toolCores, machineCores := r.load(ctx, samp, writers)

	fmt.Fprintln(progress, "draining")
	drainCtx, cancelDrain := context.WithTimeout(ctx, cfg.Drain)
	r.drain(drainCtx)
	cancelDrain()
	r.closeAll()

	window := time.Duration(r.to.Load() - r.from.Load())
	rep := r.report(started, window, connected)
	rep.Server = samp.summary(r.from.Load(), r.to.Load())
	rep.ToolCPUCores, rep.MachineCPUCores = toolCores, machineCores
	return rep, r, nil
}

// load runs the writers (each until its context is done) through the warmup and the
// measured window, sampling the server at both ends of the window, and returns the CPU
// cores the tool itself and its whole machine used in the window.
func (r *run) load(ctx context.Context, samp *sampler, writers []func(context.Context)) (tool, machine float64) {
	cfg := r.cfg
	start := r.since()
	r.from.Store(start + int64(cfg.Warmup))
	r.to.Store(start + int64(cfg.Warmup+cfg.Duration))
	loadCtx, stopLoad := context.WithCancel(ctx)
	defer stopLoad()
	var running sync.WaitGroup
	for _, w := range writers {
		running.Add(1)
		go func() {
			defer running.Done()
			w(loadCtx)
		}()
	}
	wait(ctx, cfg.Warmup)
	samp.sample(ctx)
	cpu0, wall0 := processCPU(), r.since()
	all0, ok0 := machineCPU()
	wait(ctx, cfg.Duration)
	if end := r.since(); end < r.to.Load() {
		r.to.Store(max(end, r.from.Load())) // cancelled early
	}
	samp.sample(ctx)
	cpu1, wall1 := processCPU(), r.since()
	all1, ok1 := machineCPU()
	stopLoad()
	running.Wait()
	if wall1 <= wall0 {
		return 0, 0
	}
	secs := time.Duration(wall1 - wall0).Seconds()
	if ok0 && ok1 {
		machine = round2((all1 - all0) / secs)
	}
	return round2((cpu1 - cpu0) / secs), machine
}

func newRun(cfg Config) (*run, error) {
	base, err := url.Parse(strings.TrimRight(cfg.URL, "/"))
	if err != nil {
		return nil, err
	}
	var rb [5]byte
	if _, err := rand.Read(rb[:]); err != nil {
		return nil, err
	}
	r := &run{
		cfg:      cfg,
		id:       strings.ToLower(base32.StdEncoding.EncodeToString(rb[:])), // 8 letters and digits
		base:     base,
		start:    time.Now(),
		errors:   map[string]int{},
		drops:    map[string]int{},
		dialErrs: map[string]int{},
		http: &http.Client{
			Timeout:       10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	r.from.Store(1<<63 - 1)
	if host := base.Hostname(); cfg.Sources > 0 && isIPv4Loopback(host) {
		for i := range min(cfg.Sources, 254) {
			r.sources = append(r.sources, net.IPv4(127, 0, 0, byte(i+1)))
		}
	}
	return r, nil
}

// drain waits, until ctx is done, for every writer still connected to have its batches
// acknowledged, then for every client still connected to have received the board's
// last acknowledged seq.
func (r *run) drain(ctx context.Context) {
	for _, c := range r.clients {
		for c.writer && c.alive() && c.inflight.Load() > 0 {
			select {
			case <-c.ackSig:
			case <-c.done:
			case <-ctx.Done():
				return
			}
		}
	}
	for _, c := range r.clients {
		for c.alive() && c.lastSeq.Load() < c.board.maxAck.Load() {
			select {
			case <-c.progress:
			case <-c.done:
			case <-ctx.Done():
				return
			}
		}
	}
}

// wait returns after d or when ctx is done.
func wait(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
