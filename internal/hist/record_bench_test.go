package hist

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// BenchmarkRecord compares what recording costs on the hot path (every delivery to
// every member records one value) in this histogram and in client_golang's, from all
// cores at once as the server's writers do.
func BenchmarkRecord(b *testing.B) {
	b.Run("hist", func(b *testing.B) {
		var h Histogram
		b.RunParallel(func(pb *testing.PB) {
			d := 137 * time.Microsecond
			for pb.Next() {
				h.Record(d)
				d += 13
			}
		})
	})
	b.Run("prometheus", func(b *testing.B) {
		h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "x", Buckets: prometheus.ExponentialBuckets(1e-4, 2.5, 12)})
		b.RunParallel(func(pb *testing.PB) {
			d := 137 * time.Microsecond
			for pb.Next() {
				h.Observe(d.Seconds())
				d += 13
			}
		})
	})
	b.Run("prometheus-native", func(b *testing.B) {
		h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "x", NativeHistogramBucketFactor: 1.1})
		b.RunParallel(func(pb *testing.PB) {
			d := 137 * time.Microsecond
			for pb.Next() {
				h.Observe(d.Seconds())
				d += 13
			}
		})
	})
}
