package keyrate

import (
	"testing"
	"time"
)

func TestTake(t *testing.T) {
	now := time.Unix(1000, 0)
	l := New(10, 100)
	if d := l.Take("a", 60, now); d != 0 {
		t.Fatalf("within the burst: wait %v", d)
	}
	if d := l.Take("a", 60, now); d != 2*time.Second {
		t.Fatalf("past the burst: wait %v, want 2s (20 tokens at 10/s)", d)
	}
	if d := l.Take("a", 40, now); d != 0 {
		t.Fatalf("a refused take spent tokens: wait %v for the 40 left", d)
	}
	if d := l.Take("b", 100, now); d != 0 {
		t.Fatalf("another key: wait %v", d)
	}
	if d := l.Take("c", 1000, now); d != 0 {
		t.Fatalf("more than the burst from a full bucket: wait %v, want it taken as the burst", d)
	}
	if d := l.Take("a", 10, now.Add(time.Second)); d != 0 {
		t.Fatalf("refilled: wait %v", d)
	}
	// A bucket that has filled up again is forgotten at the next sweep.
	l.Take("a", 1, now.Add(time.Hour))
	if len(l.m) != 1 {
		t.Fatalf("%d buckets kept after an hour, want only the one just used", len(l.m))
	}
}
