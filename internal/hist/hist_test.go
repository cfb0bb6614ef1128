package hist

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestBucketsCoverEveryValue(t *testing.T) {
	prev := -1
	for _, v := range []uint64{0, 1, 127, 128, 129, 255, 256, 1000, 1e6, 1e9, 1 << 40, 1<<47 - 1} {
		i := bucketOf(v)
		if i < prev {
			t.Fatalf("bucket of %d is %d, before the bucket of a smaller value (%d)", v, i, prev)
		}
		prev = i
		if hi := bucketHigh(i); hi < v || (i > 0 && bucketHigh(i-1) >= v) {
			t.Fatalf("value %d in bucket %d whose range ends at %d (previous ends at %d)", v, i, hi, bucketHigh(i-1))
		}
	}
	if got := bucketOf(1 << 62); got != numBuckets-1 {
		t.Fatalf("a huge value went to bucket %d, want the last (%d)", got, numBuckets-1)
	}
}

func TestQuantilesAreWithinTheBucketError(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var h Histogram
	vals := make([]time.Duration, 20000)
	for i := range vals {
		vals[i] = time.Duration(r.ExpFloat64() * float64(3*time.Millisecond))
		h.Record(vals[i])
	}
	slices.Sort(vals)
	for _, q := range []float64{0.5, 0.9, 0.99, 0.999, 1} {
		want := vals[int(q*float64(len(vals)-1))]
		got := h.Quantile(q)
		if diff := float64(got-want) / float64(want); diff < -0.02 || diff > 0.02 {
			t.Errorf("quantile %g = %v, want %v within 2%%", q, got, want)
		}
	}
	if got := h.Quantile(1); got != vals[len(vals)-1] {
		t.Errorf("max = %v, want %v", got, vals[len(vals)-1])
	}
}

func TestSnapshotsSubtract(t *testing.T) {
	var h Histogram
	for range 100 {
		h.Record(time.Millisecond)
	}
	before := h.Snapshot()
	for range 10 {
		h.Record(50 * time.Millisecond)
	}
	got := h.Snapshot().Since(before).Summary()
	if got.Count != 10 || got.P50 < 49 || got.P50 > 51 || got.Max < 49 || got.Max > 51 {
		t.Fatalf("interval summary %+v, want 10 values of 50 ms", got)
	}
	if all := h.Snapshot().Summary(); all.Count != 110 || all.P50 > 1.1 {
		t.Fatalf("whole summary %+v, want 110 values with p50 1 ms", all)
	}
}
