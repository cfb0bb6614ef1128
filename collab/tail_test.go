package collab

import (
	"bytes"
	"testing"
)

// The in-memory log tail must answer a resume with exactly the missed entries, in order,
// across many pushes (so across its compactions), and refuse once they were dropped.
func TestLogTailKeepsTheMostRecentEntries(t *testing.T) {
	var tail logTail
	frame := func(seq int64) []byte { return []byte{byte(seq), byte(seq >> 8), byte(seq >> 16)} }
	const total = 3*tailEntries + 77
	for seq := int64(1); seq <= total; seq++ {
		tail.push(LogEntry{Seq: seq, Data: frame(seq)})
		oldest := max(1, seq-tailEntries+1)
		if got, ok := tail.since(oldest-1, seq); oldest > 1 && (!ok || int64(len(got)) != seq-oldest+1) {
			t.Fatalf("after %d pushes: since(%d) = %d entries, %v; want %d", seq, oldest-1, len(got), ok, seq-oldest+1)
		}
		if oldest > 2 {
			if _, ok := tail.since(oldest-2, seq); ok {
				t.Fatalf("after %d pushes: since(%d) answered though entry %d was dropped", seq, oldest-2, oldest-1)
			}
		}
	}
	got, ok := tail.since(total-10, total)
	if !ok || len(got) != 10 {
		t.Fatalf("since(total-10) = %d entries, %v", len(got), ok)
	}
	for i, e := range got {
		if want := int64(total - 9 + i); e.Seq != want || !bytes.Equal(e.Data, frame(want)) {
			t.Fatalf("entry %d is seq %d %v, want %d", i, e.Seq, e.Data, want)
		}
	}
	if tail.bytes != 3*tailEntries {
		t.Fatalf("tail counts %d bytes, want %d", tail.bytes, 3*tailEntries)
	}
	if _, ok := tail.since(total, total); !ok {
		t.Fatal("nothing missed must be answerable")
	}
}

// Large frames are dropped by bytes before the entry count is reached.
func TestLogTailIsBoundedByBytes(t *testing.T) {
	var tail logTail
	big := make([]byte, tailBytes/4+1)
	for seq := int64(1); seq <= 10; seq++ {
		tail.push(LogEntry{Seq: seq, Data: big})
	}
	if n := len(tail.entries) - tail.start; n != 3 || tail.bytes > tailBytes {
		t.Fatalf("tail keeps %d entries, %d bytes; want 3 within %d", n, tail.bytes, tailBytes)
	}
	if _, ok := tail.since(7, 10); !ok {
		t.Fatal("the three newest entries must answer")
	}
	if _, ok := tail.since(6, 10); ok {
		t.Fatal("entry 7 was dropped but since(6) answered")
	}
}
