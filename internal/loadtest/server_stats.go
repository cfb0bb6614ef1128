package loadtest

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"tabula/internal/hist"
)

// sampler polls GET /debug/stats on the target's admin listener (Config.Admin) once a
// second, and whenever the run asks (at the edges of the measured window), so a remote
// server's CPU and memory are known too. Without the admin listener there are just no
// samples; the run goes on.
type sampler struct {
	r *run

	mu      sync.Mutex
	samples []serverSample
	lastErr string
}

// serverSample is one answer of /debug/stats, stamped with when it was taken.
type serverSample struct {
	at         int64   // ns since the run started: the middle of the request
	CPUSeconds float64 `json:"cpu_seconds"`
	RSSBytes   uint64  `json:"rss_bytes"`
	Goroutines uint64  `json:"goroutines"`
	HeapBytes  uint64  `json:"heap_bytes"`
	Rooms      int     `json:"rooms"`
	// What the server adds to ops, per delivery (histograms since it started); absent
	// from servers older than these figures.
	Deliver *hist.Snapshot `json:"latency_deliver"`
	Ack     *hist.Snapshot `json:"latency_ack"`
	Durable *hist.Snapshot `json:"latency_durable"`
	Commit  *hist.Snapshot `json:"commit_time"`
}

func newSampler(r *run) *sampler { return &sampler{r: r} }

func (s *sampler) loop(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	s.sample(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.sample(ctx)
		}
	}
}

func (s *sampler) sample(ctx context.Context) {
	before := s.r.since()
	smp, err := s.fetch(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil {
			s.lastErr = err.Error()
		}
		return
	}
	smp.at = before + (s.r.since()-before)/2
	s.samples = append(s.samples, smp)
}

func (s *sampler) fetch(ctx context.Context) (serverSample, error) {
	var smp serverSample
	if s.r.cfg.Admin == "" {
		if s.r.cfg.ServerPID > 0 {
			return procSample(s.r.cfg.ServerPID)
		}
		return smp, errors.New("no -admin URL (or -server-pid) to read the server's stats from")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(s.r.cfg.Admin, "/")+"/debug/stats", nil)
	if err != nil {
		return smp, err
	}
	resp, err := s.r.http.Do(req)
	if err != nil {
		return smp, fmt.Errorf("GET /debug/stats: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return smp, fmt.Errorf("GET /debug/stats: %s", resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&smp); err != nil {
		return smp, fmt.Errorf("GET /debug/stats: %w", err)
	}
	return smp, nil
}

// ServerStats is what the server cost during the measured window.
type ServerStats struct {
	Samples        int     `json:"samples"`
	CPUCoresAvg    float64 `json:"cpu_cores_avg"`  // CPU seconds used per second of wall time
	CPUCoresPeak   float64 `json:"cpu_cores_peak"` // the same between two consecutive samples
	RSSPeakBytes   uint64  `json:"rss_peak_bytes"`
	RSSAvgBytes    uint64  `json:"rss_avg_bytes"`
	HeapPeakBytes  uint64  `json:"heap_peak_bytes"`
	GoroutinesPeak uint64  `json:"goroutines_peak"`
	// The latency the server itself added to ops in the window, per delivery: from
	// reading a batch to writing its broadcast to each client, and its ack to the sender
	// (the batch is durable in between).
	AddedDeliver *Latency `json:"server_added_delivery_latency,omitempty"`
	AddedAck     *Latency `json:"server_added_ack_latency,omitempty"`
	AddedDurable *Latency `json:"server_read_to_durable_latency,omitempty"` // the part before the fan-out
	// The server's group-commit transactions in the window (count) and how long each
	// took, fsync included.
	Commits       *Latency `json:"server_commits,omitempty"`
	CommitsPerSec float64  `json:"server_commits_per_s,omitempty"`
	Error         string   `json:"error,omitempty"` // why sampling failed, if it did
}

// summary describes the samples taken in [from, to] (ns since start), or all samples if
// fewer than two fall in it.
func (s *sampler) summary(from, to int64) ServerStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Samples taken concurrently (the ticker's and the run's) may be out of order.
	slices.SortFunc(s.samples, func(a, b serverSample) int { return cmp.Compare(a.at, b.at) })
	var in []serverSample
	for _, smp := range s.samples {
		if smp.at >= from && smp.at <= to {
			in = append(in, smp)
		}
	}
	if len(in) < 2 {
		in = s.samples
	}
	st := ServerStats{Samples: len(in)}
	if len(in) == 0 {
		st.Error = s.lastErr
		if st.Error == "" {
			st.Error = "no samples"
		}
		return st
	}
	var rss uint64
	for i, smp := range in {
		st.RSSPeakBytes = max(st.RSSPeakBytes, smp.RSSBytes)
		st.HeapPeakBytes = max(st.HeapPeakBytes, smp.HeapBytes)
		st.GoroutinesPeak = max(st.GoroutinesPeak, smp.Goroutines)
		rss += smp.RSSBytes
		if i > 0 {
			st.CPUCoresPeak = max(st.CPUCoresPeak, cores(in[i-1], smp))
		}
	}
	st.RSSAvgBytes = rss / uint64(len(in))
	if len(in) > 1 {
		first, last := in[0], in[len(in)-1]
		st.AddedDeliver = between(first.Deliver, last.Deliver)
		st.AddedAck = between(first.Ack, last.Ack)
		st.AddedDurable = between(first.Durable, last.Durable)
		if st.Commits = between(first.Commit, last.Commit); st.Commits != nil {
			if wall := time.Duration(last.at - first.at).Seconds(); wall > 0 {
				st.CommitsPerSec = math.Round(float64(st.Commits.Count) / wall)
			}
		}
		st.CPUCoresAvg = cores(first, last)
	}
	st.CPUCoresPeak = round2(st.CPUCoresPeak)
	return st
}

// between summarises a histogram over the window between two samples of it; nil when
// either sample lacks it (a server older than the histogram).
func between(first, last *hist.Snapshot) *Latency {
	if first == nil || last == nil {
		return nil
	}
	l := last.Since(*first).Summary()
	return &l
}

// cores is the CPU used between two samples per second of wall time between them.
func cores(a, b serverSample) float64 {
	wall := time.Duration(b.at - a.at).Seconds()
	if wall <= 0 {
		return 0
	}
	return round2((b.CPUSeconds - a.CPUSeconds) / wall)
}

// machineCPU is the CPU time all processes of this machine have used, in seconds, from
// /proc/stat (in USER_HZ ticks, 100 a second on every Linux build that matters); ok is
// false where there is no /proc. With a local target it tells how much CPU was left to
// the server and the tool, and whether something else was running.
func machineCPU() (seconds float64, ok bool) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, false
	}
	line, _, _ := strings.Cut(string(b), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, false
	}
	var ticks float64
	for i, v := range f[1:8] { // user nice system idle iowait irq softirq
		if i == 3 || i == 4 {
			continue // idle, iowait
		}
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, false
		}
		ticks += n
	}
	if len(f) > 8 { // steal
		if n, err := strconv.ParseFloat(f[8], 64); err == nil {
			ticks += n
		}
	}
	return ticks / 100, true
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
