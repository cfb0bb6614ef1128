package hist

import (
	"slices"
	"testing"
	"time"
)

func TestCumulative(t *testing.T) {
	var h Histogram
	for _, d := range []time.Duration{0, 500 * time.Microsecond, time.Millisecond, 3 * time.Millisecond, 2 * time.Second} {
		h.Record(d)
	}
	bounds := []time.Duration{time.Microsecond, time.Millisecond, 10 * time.Millisecond, time.Second}
	le, n, sum := h.Cumulative(bounds)
	// 1 ms sits at the bottom of its bucket, whose upper end is above 1 ms: it is
	// counted under the next bound, never under a lower one.
	if want := []uint64{1, 2, 4, 4}; !slices.Equal(le, want) {
		t.Errorf("cumulative counts = %v, want %v", le, want)
	}
	if n != 5 || sum != 2*time.Second+4500*time.Microsecond {
		t.Errorf("n, sum = %d, %v; want 5, 2.0045s", n, sum)
	}
}
