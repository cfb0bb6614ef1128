package hist

import "time"

// Cumulative gives the histogram in the form Prometheus expects: for each bound, how
// many values are at or below it (bounds ascending), with the count and sum of all
// values. A bucket is counted under the first bound at or above its upper end, so a
// value is never counted below its bound and at most 1/64 too high. Recording may go
// on meanwhile; the reading is then off by the values recorded while it was taken.
func (h *Histogram) Cumulative(bounds []time.Duration) (le []uint64, n uint64, sum time.Duration) {
	le = make([]uint64, len(bounds))
	j := 0
	var seen uint64
	for i := range h.counts {
		c := h.counts[i].Load()
		if c == 0 {
			continue
		}
		for j < len(bounds) && uint64(max(bounds[j], 0)) < bucketHigh(i) {
			le[j] = seen
			j++
		}
		seen += c
	}
	for ; j < len(bounds); j++ {
		le[j] = seen
	}
	return le, h.n.Load(), time.Duration(h.sum.Load())
}
