package app

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"tabula/internal/hist"
	"tabula/internal/metrics"
)

// Registry returns a new Prometheus registry holding the server's metrics: open
// connections and streams, loaded boards, ops applied, the latency histograms the
// service keeps, refusals and the export queue, with the Go runtime's and the process's
// own. Everything is read when scraped; nothing here is on the path of an op.
func (s *Server) Registry() *prometheus.Registry {
	r := prometheus.NewRegistry()
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	counter := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, f)
	}
	r.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		metrics.Refusals,
		gauge("tabula_websocket_connections", "Open WebSocket connections (editors and viewers).", func() float64 {
			n := 0
			s.conns.Range(func(any, any) bool { n++; return true })
			return float64(n)
		}),
		gauge("tabula_presence_streams", "Open presence streams (SSE).", func() float64 { return float64(s.sse.total()) }),
		gauge("tabula_boards_loaded", "Boards loaded in memory.", func() float64 { return float64(s.svc.Rooms()) }),
		counter("tabula_ops_total", "Ops applied and stored; its rate is ops per second.", func() float64 {
			_, ops := s.svc.Applied()
			return float64(ops)
		}),
		counter("tabula_batches_total", "Batches of ops applied and stored.", func() float64 {
			b, _ := s.svc.Applied()
			return float64(b)
		}),
		gauge("tabula_export_queue", "Exports waiting for a free drawing slot.", func() float64 { return float64(s.renders.waiting.Load()) }),
		gauge("tabula_exports_drawing", "Exports being drawn now.", func() float64 { return float64(len(s.renders.slots)) }),
		&latencyCollector{svc: s.svc.Latency()},
	)
	return r
}

// latencyBounds are the buckets the service's latency histograms are exported in, in
// seconds: 100 µs to 10 s. The histograms themselves are finer (within 1/64 at any
// size); /debug/stats gives them whole.
var latencyBounds = []time.Duration{
	100 * time.Microsecond, 250 * time.Microsecond, 500 * time.Microsecond,
	time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond,
	10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	time.Second, 2500 * time.Millisecond, 5 * time.Second, 10 * time.Second,
}

// latencyCollector exports the service's hand-made histograms (internal/hist) as
// Prometheus histograms when scraped. They stay the ones recorded into: they are
// lock-free and cost one atomic add per bucket, on every delivery to every member, and
// the load tool subtracts their fine-grained snapshots to get a window's percentiles.
type latencyCollector struct {
	svc interface {
		Histograms() map[string]*hist.Histogram
	}
}

var latencyDescs = map[string]*prometheus.Desc{
	"commit":  prometheus.NewDesc("tabula_commit_seconds", "Duration of each group-commit transaction, fsync included.", nil, nil),
	"durable": prometheus.NewDesc("tabula_durable_seconds", "From reading a batch off its connection to its room learning it is durable.", nil, nil),
	"deliver": prometheus.NewDesc("tabula_fanout_seconds", "From reading a batch to writing its broadcast to each member (fan-out), per delivery.", nil, nil),
	"ack":     prometheus.NewDesc("tabula_ack_seconds", "From reading a batch to writing its ack to the sender.", nil, nil),
}

func (l *latencyCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range latencyDescs {
		ch <- d
	}
}

func (l *latencyCollector) Collect(ch chan<- prometheus.Metric) {
	bounds := make([]float64, len(latencyBounds))
	for i, b := range latencyBounds {
		bounds[i] = b.Seconds()
	}
	for name, h := range l.svc.Histograms() {
		d := latencyDescs[name]
		if d == nil {
			continue
		}
		le, n, sum := h.Cumulative(latencyBounds)
		buckets := make(map[float64]uint64, len(le))
		for i, c := range le {
			buckets[bounds[i]] = c
		}
		ch <- prometheus.MustNewConstHistogram(d, n, sum.Seconds(), buckets)
	}
}

// total is how many streams are open from all addresses.
func (l *sseLimiter) total() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.n {
		n += c
	}
	return n
}
