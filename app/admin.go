package app

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// AdminHandler is what the admin listener serves, apart from the public one: GET
// /debug/stats (JSON for the load tool: CPU, memory, boards, latency histograms) and GET
// /metrics (Prometheus, from reg). Program adds GET /backup. Serve it only where
// operators alone can reach it: it tells what the server holds and costs, and the
// backup hands out every board.
func (s *Server) AdminHandler(reg *prometheus.Registry) *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/stats", s.stats)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slogPrinter{s}}))
	return mux
}

// slogPrinter hands promhttp's errors to the server's log.
type slogPrinter struct{ s *Server }

func (p slogPrinter) Println(v ...any) { p.s.log.Warn("metrics", "err", v) }
