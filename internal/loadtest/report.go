package loadtest

import (
	"tabula/internal/hist"

	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is the result of one run, printed as a table and written as JSON. Rates and
// latencies cover the measured window (after the warmup); counts of batches, errors,
// drops and the consistency checks cover the whole run.
type Report struct {
	Target          string      `json:"target"`
	Started         time.Time   `json:"started"`
	Config          RunConfig   `json:"config"`
	Connected       int         `json:"connected"`
	MeasuredSeconds float64     `json:"measured_seconds"`
	Batches         Batches     `json:"batches"`
	Deliveries      Rate        `json:"deliveries"`
	DeliveryLatency Latency     `json:"delivery_latency"` // send → receipt at every other client
	AckLatency      Latency     `json:"ack_latency"`      // send → ack at the sender
	Cursors         Cursors     `json:"cursors"`
	Errors          Counts      `json:"errors"`
	Drops           Counts      `json:"drops"`
	Consistency     Consistency `json:"consistency"`
	Server          ServerStats `json:"server"`
	ToolCPUCores    float64     `json:"tool_cpu_cores"`    // what the load tool itself used
	MachineCPUCores float64     `json:"machine_cpu_cores"` // what every process on the tool's machine used (Linux)
}

// RunConfig is the part of Config a reader of the results needs.
type RunConfig struct {
	Clients    int     `json:"clients"`
	Boards     int     `json:"boards"`
	Writers    int     `json:"writers"`
	Rate       float64 `json:"rate"`
	CursorHz   float64 `json:"cursor_hz"`
	Warmup     float64 `json:"warmup_s"`
	Duration   float64 `json:"duration_s"`
	MaxUnacked int     `json:"max_unacked"`
	Sources    int     `json:"sources"`
	Peer       string  `json:"peer,omitempty"` // the server loaded, when not Tabula
}

// Batches counts ops batches over the whole run.
type Batches struct {
	Sent      int64   `json:"sent"`
	Acked     int64   `json:"acked"`
	Refused   int64   `json:"refused"`    // answered with an error
	Unacked   int64   `json:"unacked"`    // neither when the run ended
	Ops       int64   `json:"ops"`        // ops in the batches sent
	Bytes     int64   `json:"bytes"`      // bytes of the batches sent
	Stalls    int64   `json:"stalls"`     // batches due while the writer's window was full
	PerSecond float64 `json:"per_second"` // acks received per second, measured window
}

// Rate is a count in the measured window and the same per second.
type Rate struct {
	Count     int64   `json:"count"`
	PerSecond float64 `json:"per_second"`
}

// Cursors are the ephemeral cursor messages: sent by writers, fanned out by the server
// to every other client (the server drops those over its rate limit).
type Cursors struct {
	Sent     int64   `json:"sent"`
	Received Rate    `json:"received"`
	Latency  Latency `json:"latency"`
}

// Counts are events by kind: error codes, or close codes ("1013") and "dial" for drops.
type Counts struct {
	Total  int            `json:"total"`
	ByCode map[string]int `json:"by_code"`
	// Reasons says why dials failed (drops only).
	Reasons map[string]int `json:"reasons,omitempty"`
}

// Consistency checks what every client received, over the whole run.
type Consistency struct {
	// SeqGaps counts seqs skipped and SeqRepeats broadcasts received again or out of
	// order: both must be 0.
	SeqGaps    int64 `json:"seq_gaps"`
	SeqRepeats int64 `json:"seq_repeats"`
	// Incomplete counts clients still connected at the end that had not received their
	// board's last acknowledged batch (within -drain), and Missing the broadcasts they
	// lacked.
	Incomplete int   `json:"incomplete_clients"`
	Missing    int64 `json:"missing_deliveries"`
}

// report assembles the counters once every client has stopped.
func (r *run) report(started time.Time, window time.Duration, connected int) *Report {
	cfg := r.cfg
	rep := &Report{
		Target:    r.base.String(),
		Started:   started.UTC().Truncate(time.Second),
		Connected: connected,
		Config: RunConfig{
			Clients: cfg.Clients, Boards: len(r.boards), Writers: cfg.Writers, Rate: cfg.Rate, CursorHz: cfg.CursorHz,
			Warmup: cfg.Warmup.Seconds(), Duration: cfg.Duration.Seconds(), MaxUnacked: cfg.MaxUnacked, Sources: len(r.sources),
			Peer: cfg.Peer,
		},
		MeasuredSeconds: round2(window.Seconds()),
		Batches: Batches{
			Sent: r.sent.Load(), Acked: r.acked.Load(), Refused: r.refused.Load(),
			Ops: r.opsSent.Load(), Bytes: r.bytesSent.Load(), Stalls: r.stalls.Load(),
			PerSecond: perSecond(int64(r.ack.Summary().Count), window),
		},
		Deliveries:      Rate{r.deliveries.Load(), perSecond(r.deliveries.Load(), window)},
		DeliveryLatency: r.delivery.Summary(),
		AckLatency:      r.ack.Summary(),
		Cursors: Cursors{
			Sent:     r.cursorsSent.Load(),
			Received: Rate{r.cursorsRecv.Load(), perSecond(r.cursorsRecv.Load(), window)},
			Latency:  r.cursor.Summary(),
		},
	}
	r.mu.Lock()
	rep.Errors = counts(r.errors)
	rep.Drops = counts(r.drops)
	if len(r.dialErrs) > 0 {
		rep.Drops.Reasons = maps.Clone(r.dialErrs)
	}
	r.mu.Unlock()
	for _, c := range r.clients {
		if c.ws == nil {
			continue
		}
		rep.Batches.Unacked += max(c.inflight.Load(), 0)
		rep.Consistency.SeqGaps += c.gaps
		rep.Consistency.SeqRepeats += c.dups
		if !c.lost.Load() && c.lastSeq.Load() < c.board.maxAck.Load() {
			rep.Consistency.Incomplete++
			rep.Consistency.Missing += c.board.maxAck.Load() - c.lastSeq.Load()
		}
	}
	return rep
}

func counts(m map[string]int) Counts {
	c := Counts{ByCode: maps.Clone(m)}
	for _, n := range m {
		c.Total += n
	}
	return c
}

func perSecond(n int64, window time.Duration) float64 {
	if window <= 0 {
		return 0
	}
	return round2(float64(n) / window.Seconds())
}

// writeTable prints the report for a person.
func (rep *Report) writeTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	c := rep.Config
	row := func(k, format string, args ...any) { fmt.Fprintf(tw, "%s\t"+format+"\n", append([]any{k}, args...)...) }
	lat := func(l Latency) string {
		if l.Count == 0 {
			return "-"
		}
		return fmt.Sprintf("p50 %.2f  p99 %.2f  p99.9 %.2f  max %.2f ms  (n=%d)", l.P50, l.P99, l.P999, l.Max, l.Count)
	}
	if c.Peer != "" {
		row("target", "%s  (%s)", rep.Target, c.Peer)
	} else {
		row("target", "%s", rep.Target)
	}
	row("clients / boards / writers", "%d / %d / %d  (%d connected)", c.Clients, c.Boards, c.Writers, rep.Connected)
	row("rate", "%g batches/s per writer, cursors %g Hz", c.Rate, c.CursorHz)
	row("duration", "%gs measured after %gs warmup", rep.MeasuredSeconds, c.Warmup)
	b := rep.Batches
	row("batches", "%d sent, %d acked, %d refused, %d unacked  (%.1f acked/s, %d ops, %s)",
		b.Sent, b.Acked, b.Refused, b.Unacked, b.PerSecond, b.Ops, bytesize(uint64(b.Bytes)))
	row("stalls (window full)", "%d", b.Stalls)
	row("deliveries", "%.0f/s  (%d ops broadcasts received)", rep.Deliveries.PerSecond, rep.Deliveries.Count)
	row("delivery latency", "%s", lat(rep.DeliveryLatency))
	row("ack latency", "%s", lat(rep.AckLatency))
	row("cursors", "%d sent, %.0f/s received", rep.Cursors.Sent, rep.Cursors.Received.PerSecond)
	row("cursor latency", "%s", lat(rep.Cursors.Latency))
	row("errors", "%s", countsString(rep.Errors))
	row("drops", "%s", countsString(rep.Drops))
	for _, why := range slices.Sorted(maps.Keys(rep.Drops.Reasons)) {
		row("", "%d× %s", rep.Drops.Reasons[why], why)
	}
	k := rep.Consistency
	row("order", "%d seq gaps, %d repeats, %d clients incomplete (%d broadcasts missing)", k.SeqGaps, k.SeqRepeats, k.Incomplete, k.Missing)
	s := rep.Server
	if s.Samples == 0 {
		row("server", "no stats: %s", s.Error)
	} else {
		row("server cpu", "%.2f cores avg, %.2f peak  (%d samples)", s.CPUCoresAvg, s.CPUCoresPeak, s.Samples)
		if s.AddedDeliver != nil && s.AddedAck != nil {
			row("added by server", "delivery %s", lat(*s.AddedDeliver))
			row("", "ack      %s", lat(*s.AddedAck))
			if s.AddedDurable != nil {
				row("", "durable  %s", lat(*s.AddedDurable))
			}
		}
		if c := s.Commits; c != nil && c.Count > 0 {
			row("server commits", "%.0f transactions/s, each %s", s.CommitsPerSec, lat(*c))
		}
		if s.GoroutinesPeak == 0 { // not a Go server: read from /proc
			row("server memory", "rss %s peak, %s avg", bytesize(s.RSSPeakBytes), bytesize(s.RSSAvgBytes))
		} else {
			row("server memory", "rss %s peak, %s avg; heap %s peak; %d goroutines peak",
				bytesize(s.RSSPeakBytes), bytesize(s.RSSAvgBytes), bytesize(s.HeapPeakBytes), s.GoroutinesPeak)
		}
	}
	row("load tool cpu", "%.2f cores; %.2f cores busy on its machine in all", rep.ToolCPUCores, rep.MachineCPUCores)
	return tw.Flush()
}

func countsString(c Counts) string {
	if c.Total == 0 {
		return "0"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(c.ByCode)) {
		parts = append(parts, fmt.Sprintf("%s×%d", k, c.ByCode[k]))
	}
	return fmt.Sprintf("%d  (%s)", c.Total, strings.Join(parts, ", "))
}

func bytesize(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// Results is what -json writes: one report per run (several with -sweep).
type Results struct {
	Runs []*Report `json:"runs"`
}

func writeJSON(path string, res Results) error {
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	return nil
}

// readResults reads a file written with -json.
func readResults(path string) (Results, error) {
	var res Results
	b, err := os.ReadFile(path)
	if err != nil {
		return res, err
	}
	if err := json.Unmarshal(b, &res); err != nil {
		return res, fmt.Errorf("%s: %w", path, err)
	}
	if len(res.Runs) == 0 {
		return res, fmt.Errorf("%s holds no runs", path)
	}
	return res, nil
}

// Latency is a latency distribution as reported, in milliseconds.
type Latency = hist.Latency
