package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"tabula/app/program"
	"tabula/collab"
	"tabula/internal/client"
)

// TestSlowReaderIsClosedWithoutSlowingOthers: a client that stops reading fills its
// queue and is closed with 1013, while the writer keeps getting every ack and a second
// reader gets every broadcast.
func TestSlowReaderIsClosedWithoutSlowingOthers(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) {
		c.MaxQueueBytes = 1 << 20
		// 19 MB stored in seconds by one connection is a script, not a person: the op
		// limits would close the writer before the slow reader's queue fills.
		c.ConnOpRate, c.AddrOpRate = collab.OpRate{}, collab.OpRate{}
	})
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
	// The slow reader reads again as soon as the server has given up on it (a person's
	// tab back from the background): the close frame waits behind what its socket holds,
	// and a client that read nothing for the write timeout (10 s) would get no close
	// frame at all (1006) — which a slow machine reached before the writer was done.
	admin := "http://" + ts.AdminAddr()
	const tooSlow = `tabula_refusals_total{reason="too_slow"}`
	before := scrape(t, admin)[tooSlow]
	slowCode := make(chan int, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		for {
			m, err := scrapeMetrics(admin)
			if err == nil && m[tooSlow] > before {
				break
			}
			select {
			case <-stop:
				slowCode <- 0
				return
			case <-time.After(20 * time.Millisecond): // polling the counter, not waiting for an outcome
			}
		}
		slowCode <- closeCode(slow.c)
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
	if code := <-slowCode; code != 1013 {
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
	checkLeaks(t)
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

// TestLaggingReaderGetsEveryBroadcastIntact: broadcasts are written straight to sockets
// when they have room, and the rest of a frame the socket could not take is finished by
// the connection's writer before anything else. A reader that lags by more than its
// socket buffers hold (but less than its queue) gets every broadcast, whole and in order.
// It pings the server all along: the pongs must come between frames, never inside one
// (the library's own ping handler wrote them from the reading goroutine, which could
// land between a direct write's first part and its rest).
func TestLaggingReaderGetsEveryBroadcastIntact(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t)
	b := ts.newBoard(t)
	url := ts.wsURL("/b/", b.ID)
	d := websocket.Dialer{HandshakeTimeout: wait, NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			// Small, so that the server's socket fills. (With 4 KiB, below the loopback
			// MSS, the connection stalled in the kernel, whichever way the server wrote.)
			_ = tc.SetReadBuffer(128 << 10)
		}
		return c, err
	}}
	ws, _, err := d.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	var pongs []string
	ws.SetPongHandler(func(data string) error { pongs = append(pongs, data); return nil })
	lag := &peer{t: t, c: &client.Conn{WS: ws}, doc: client.NewDoc(), acks: map[string]int64{}}
	w, err := lag.c.Hello(0, "lagging", time.Now().Add(wait))
	if err != nil {
		t.Fatal(err)
	}
	if err := lag.doc.Welcome(w); err != nil {
		t.Fatal(err)
	}
	writer := join(t, url, 0)

	// 2 MB of broadcasts in frames of odd sizes, so that the socket fills mid-frame.
	const batches, pingsPerBatch = 80, 20
	for i := range batches {
		pts := make([][]float64, 700+i*7)
		for k := range pts {
			pts[k] = []float64{float64(k) + 0.123456, float64(k%97) + 0.654321, 0.5}
		}
		points, _ := json.Marshal(pts)
		frame := fmt.Sprintf(`{"t":"ops","cid":"c%d","ops":[{"o":"put","el":{"id":"s%d","type":"stroke","points":%s,"z":"a"}}]}`, i, i, points)
		if err := writer.c.SendRaw([]byte(frame)); err != nil {
			t.Fatal(err)
		}
		writer.until(func(m *client.Msg) bool { return m.T == "ack" })
		for k := range pingsPerBatch {
			if err := ws.WriteControl(websocket.PingMessage, []byte(fmt.Sprint("p", i, ".", k)), time.Now().Add(wait)); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Every broadcast, parsed (client.Read refuses a frame that is not JSON), in seq
	// order, each the stroke that was sent.
	for seq := int64(1); seq <= batches; seq++ {
		m := lag.until(func(m *client.Msg) bool { return m.T == "ops" })
		if m.Seq != seq {
			t.Fatalf("broadcast seq %d, want %d", m.Seq, seq)
		}
		el := lag.doc.Els[fmt.Sprintf("s%d", seq-1)]
		if pts, _ := el["points"].([]any); len(pts) != 700+int(seq-1)*7 {
			t.Fatalf("seq %d: stroke s%d missing or cut short", seq, seq-1)
		}
	}
	// The last ping is answered (a server may answer only the latest of several). Its
	// pong may still be on the way: more broadcasts carry the reading on until it comes.
	last := fmt.Sprint("p", batches-1, ".", pingsPerBatch-1)
	for i := 0; i < 5 && (len(pongs) == 0 || pongs[len(pongs)-1] != last); i++ {
		writer.commit(fmt.Sprint("more", i), put(rect(fmt.Sprint("more", i), 0)))
		lag.until(func(m *client.Msg) bool { return m.T == "ops" && m.CID == fmt.Sprint("more", i) })
	}
	if len(pongs) == 0 || pongs[len(pongs)-1] != last {
		t.Fatalf("pongs %v, want the last one to answer %s", pongs, last)
	}
}
