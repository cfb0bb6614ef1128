// Package hist is a lock-free latency histogram shared by the server (which times what it
// adds to every delivery) and the load tool (which times deliveries end to end).
package hist

import (
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// Histogram counts durations in logarithmic buckets, in the manner of an HDR histogram:
// each power of two is split into 64 linear sub-buckets, so any recorded value is known
// to within 1/64 (under 1.6%) whatever its size, and memory is fixed (about 20 KiB) however
// many values are recorded. Record is safe for concurrent use and takes no lock: every
// reader goroutine records into the same histogram with atomic adds.
type Histogram struct {
	counts [numBuckets]atomic.Uint64
	n      atomic.Uint64
	sum    atomic.Uint64 // nanoseconds; overflows after 584 years of summed latency
	max    atomic.Uint64
}

const (
	subBits    = 6
	subCount   = 1 << subBits // sub-buckets per power of two
	exactBelow = 2 * subCount // values below this have a bucket each
	maxShift   = 40           // 2^(40+7) ns is about 39 hours: nothing takes longer
	numBuckets = exactBelow + maxShift*subCount
)

// bucketOf returns the bucket holding v nanoseconds.
func bucketOf(v uint64) int {
	if v < exactBelow {
		return int(v)
	}
	shift := bits.Len64(v) - (subBits + 1)
	if shift > maxShift {
		return numBuckets - 1
	}
	top := v >> shift // in [subCount, 2*subCount)
	return exactBelow + (shift-1)*subCount + int(top-subCount)
}

// bucketHigh returns the largest value bucket i holds.
func bucketHigh(i int) uint64 {
	if i < exactBelow {
		return uint64(i)
	}
	shift := (i-exactBelow)/subCount + 1
	top := uint64((i-exactBelow)%subCount + subCount)
	return (top+1)<<shift - 1
}

// Record adds one duration; negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	v := uint64(max(d, 0))
	h.counts[bucketOf(v)].Add(1)
	h.n.Add(1)
	h.sum.Add(v)
	for {
		m := h.max.Load()
		if v <= m || h.max.CompareAndSwap(m, v) {
			return
		}
	}
}

// Quantile returns the smallest bucket bound at or above which a fraction q of the
// values lie, never more than the largest value recorded; 0 if nothing was recorded.
func (h *Histogram) Quantile(q float64) time.Duration {
	n := h.n.Load()
	if n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(n)))
	rank = min(max(rank, 1), n)
	var seen uint64
	for i := range h.counts {
		seen += h.counts[i].Load()
		if seen >= rank {
			return time.Duration(min(bucketHigh(i), h.max.Load()))
		}
	}
	return time.Duration(h.max.Load())
}

// Latency is a latency distribution as reported, in milliseconds.
type Latency struct {
	Count uint64  `json:"count"`
	Mean  float64 `json:"mean_ms"`
	P50   float64 `json:"p50_ms"`
	P99   float64 `json:"p99_ms"`
	P999  float64 `json:"p999_ms"`
	Max   float64 `json:"max_ms"`
}

// Summary reads the histogram once recording has stopped.
func (h *Histogram) Summary() Latency {
	n := h.n.Load()
	if n == 0 {
		return Latency{}
	}
	return Latency{
		Count: n,
		Mean:  ms(time.Duration(h.sum.Load() / n)),
		P50:   ms(h.Quantile(0.50)),
		P99:   ms(h.Quantile(0.99)),
		P999:  ms(h.Quantile(0.999)),
		Max:   ms(time.Duration(h.max.Load())),
	}
}

// ms converts to milliseconds rounded to microseconds, which is all the precision the
// buckets have anyway.
func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

// Snapshot is a histogram's counts at one moment, sparse: only buckets that hold values.
// It travels as JSON (the server's /debug/stats), and two of them subtract to give the
// distribution of what was recorded in between.
type Snapshot struct {
	Counts map[int]uint64 `json:"counts,omitempty"` // bucket → values in it
	N      uint64         `json:"n"`
	Sum    uint64         `json:"sum_ns"`
	Max    uint64         `json:"max_ns"`
}

// Snapshot reads the histogram's counts. Recording may go on meanwhile; the snapshot is
// then off by the values recorded while it was read.
func (h *Histogram) Snapshot() Snapshot {
	s := Snapshot{Counts: map[int]uint64{}, N: h.n.Load(), Sum: h.sum.Load(), Max: h.max.Load()}
	for i := range h.counts {
		if c := h.counts[i].Load(); c > 0 {
			s.Counts[i] = c
		}
	}
	return s
}

// Since returns what was recorded after prev was taken. Its maximum is the upper bound
// of the highest bucket that gained values (the exact maximum of the interval is not
// known), never more than the histogram's maximum.
func (s Snapshot) Since(prev Snapshot) Snapshot {
	d := Snapshot{Counts: map[int]uint64{}, N: s.N - min(prev.N, s.N), Sum: s.Sum - min(prev.Sum, s.Sum)}
	top := -1
	for i, c := range s.Counts {
		if c > prev.Counts[i] {
			d.Counts[i] = c - prev.Counts[i]
			top = max(top, i)
		}
	}
	if top >= 0 {
		d.Max = min(bucketHigh(top), s.Max)
	}
	return d
}

// Summary gives the snapshot's distribution in milliseconds.
func (s Snapshot) Summary() Latency {
	var h Histogram
	for i, c := range s.Counts {
		if i >= 0 && i < numBuckets {
			h.counts[i].Store(c)
		}
	}
	h.n.Store(s.N)
	h.sum.Store(s.Sum)
	h.max.Store(s.Max)
	return h.Summary()
}
