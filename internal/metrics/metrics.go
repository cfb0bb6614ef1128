// Package metrics holds the Prometheus metrics that code anywhere in Tabula adds to, as
// opposed to the gauges the HTTP edge reads from the parts it serves (app/metrics.go).
package metrics

import "github.com/prometheus/client_golang/prometheus"

// Refusals counts what the server refused to protect itself or other people, by reason
// (a short snake_case word: "foreign_origin", "too_large", "rate_limited", …). It is
// one counter for the process, registered on every server's registry.
var Refusals = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "tabula_refusals_total",
	Help: "Requests, connections and messages refused to protect the server, by reason.",
}, []string{"reason"})

// Refuse counts one refusal for reason.
func Refuse(reason string) { Refusals.WithLabelValues(reason).Inc() }
