package main

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"tabula/client"
)

// TestSlowReaderIsClosedWithoutSlowingOthers: a client that stops reading fills its
// queue and is closed with 1013, while the writer keeps getting every ack and a second
// reader gets every broadcast.
func TestSlowReaderIsClosedWithoutSlowingOthers(t *testing.T) {
	ts := startServer(t, func(c *Config) { c.MaxQueueBytes = 1 << 20 })
	b := ts.newBoard(t)
	url := ts.wsURL("/b/", b.ID)
	slow := join(t, url, 0) // never reads until the end
	fast := join(t, url, 0)
	writer := join(t, url, 0)
	pts := make([][]float64, 5000)
	for i := range pts {
		pts[i] = []float64{float64(i) + 0.123456, float64(i%97) + 0.654321, 0.5}
	}
	const batches = 150 // ~19 MB of broadcasts: more than the queue and socket buffers hold
	fastDone := make(chan error, 1)
	go func() { // fast reads everything as it comes
		for fast.doc.Seq < batches {
			m, err := fast.c.Read(time.Now().Add(wait))
			if err != nil {
				fastDone <- err
				return
			}
			if m.T == "ops" {
				fast.doc.Seq = m.Seq
			}
		}
		fastDone <- nil
	}()
	points, _ := json.Marshal(pts)
	for i := range batches {
		frame := fmt.Sprintf(`{"t":"ops","cid":"c%d","ops":[{"o":"put","el":{"id":"s%d","type":"stroke","points":%s,"z":"a"}}]}`, i, i, points)
		if err := writer.c.SendRaw([]byte(frame)); err != nil {
			t.Fatal(err)
		}
		writer.until(func(m *client.Msg) bool { return m.T == "ack" })
	}
	if err := <-fastDone; err != nil {
		t.Fatalf("the reader that keeps up was dropped: %v", err)
	}
	if code := closeCode(slow.c); code != 1013 {
		t.Fatalf("slow reader closed with %d, want 1013", code)
	}
	// It resumes like any client that was dropped.
	again := join(t, url, 0)
	if again.doc.Seq != batches {
		t.Fatalf("rejoined at seq %d", again.doc.Seq)
	}
}

// TestEphemeralFloodIsRateLimited: a burst of cursor messages is cut to the documented
// rate; the excess is dropped silently, not answered with errors.
func TestEphemeralFloodIsRateLimited(t *testing.T) {
	ts := startServer(t)
	b := ts.newBoard(t)
	url := ts.wsURL("/b/", b.ID)
	flooder := join(t, url, 0)
	watcher := join(t, url, 0)
	marker := join(t, url, 0)
	const sent = 500
	for i := range sent {
		if err := flooder.c.SendRaw([]byte(fmt.Sprintf(`{"t":"cursor","x":%d,"y":0}`, i+1))); err != nil {
			t.Fatal(err)
		}
	}
	// The room handles one session's messages in order: once the flooder's batch is
	// acknowledged, every cursor of the flood has been let through or dropped. A cursor
	// from someone else, sent after that, arrives with or after the last of them.
	flooder.commit("after-flood", put(rect("r", 0)))
	if err := marker.c.SendRaw([]byte(`{"t":"cursor","x":-1,"y":-1}`)); err != nil {
		t.Fatal(err)
	}
	latest := 0.0
	watcher.until(func(m *client.Msg) bool {
		if m.T == "cursor" && m.SID == flooder.sid {
			latest = m.X
		}
		return m.T == "cursor" && m.SID == marker.sid
	})
	// The flood's cursors carry x = 1…500. Past the burst allowance the rest were dropped,
	// so the newest one relayed is far from the last one sent.
	if latest == 0 || latest >= sent/2 {
		t.Fatalf("newest relayed cursor is x=%v of %d sent; want one within the burst allowance", latest, sent)
	}
	if len(flooder.errs) > 0 {
		t.Fatalf("dropping excess cursors must be silent, got %s", flooder.errs[0].Raw)
	}
}
