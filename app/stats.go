package app

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"runtime/metrics"
	"strconv"
)

// stats answers GET /debug/stats on the admin listener with what the process costs, for
// the load tool (sampled about once a second) and for operators: CPU time used so far, resident memory, goroutines, live heap
// and loaded boards, and histograms of the latency the server adds to ops. It reads
// counters the kernel, the runtime and the service keep anyway; nothing here stops the
// world.
func (s *Server) stats(w http.ResponseWriter, _ *http.Request) {
	samples := []metrics.Sample{
		{Name: "/sched/goroutines:goroutines"},
		{Name: "/memory/classes/heap/objects:bytes"},
	}
	metrics.Read(samples)
	deliver, ack, durable, commit := s.svc.LatencySnapshot()
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		// What the server adds to ops, per delivery (collab.Latency): histogram counts
		// since start; two readings subtract to give an interval's distribution.
		"latency_deliver": deliver,
		"latency_ack":     ack,
		"latency_durable": durable,
		"commit_time":     commit, // each group-commit transaction; count = transactions
		"cpu_seconds":     cpuSeconds(),
		"rss_bytes":       rssBytes(),
		"goroutines":      metricUint(samples[0]),
		"heap_bytes":      metricUint(samples[1]),
		"rooms":           s.svc.Rooms(),
		"links":           s.linkStats.snapshot(),
	})
}

// rssBytes is the resident set size from /proc/self/statm; 0 where there is no /proc.
func rssBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := bytes.Fields(b)
	if len(f) < 2 {
		return 0
	}
	pages, err := strconv.ParseUint(string(f[1]), 10, 64)
	if err != nil {
		return 0
	}
	return pages * uint64(os.Getpagesize())
}

func metricUint(s metrics.Sample) uint64 {
	if s.Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s.Value.Uint64()
}
