package e2e

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"

	"tabula/internal/client"
)

// BenchmarkFanout measures the whole write path to many real WebSocket connections
// over loopback: one editor sends batches (64 in flight, like a busy client), the server
// makes each durable and broadcasts it, and every connection reads it. ns/op is per
// batch delivered to all connections; deliveries/s is reported.
func BenchmarkFanout(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("%dConns", n), func(b *testing.B) {
			ts := startServer(b)
			board := ts.newBoard(b)
			url := ts.wsURL("/b/", board.ID)
			var received counter
			var wg sync.WaitGroup
			conns := make([]*client.Conn, n)
			for i := range conns {
				c, _, err := client.Dial(url, "")
				if err != nil {
					b.Fatal(err)
				}
				if _, err := c.Hello(0, "r", time.Now().Add(wait)); err != nil {
					b.Fatal(err)
				}
				// No deadline for the readers below: a long run must not time them out
				// (it did, and the benchmark hung waiting for deliveries).
				_ = c.WS.SetReadDeadline(time.Time{})
				conns[i] = c
			}
			for _, c := range conns[1:] {
				wg.Add(1)
				go func() { // count ops broadcasts without decoding them
					defer wg.Done()
					for {
						_, data, err := c.WS.ReadMessage()
						if err != nil {
							return
						}
						received.add(int64(bytes.Count(data, []byte(`{"t":"ops"`))))
					}
				}()
			}
			writer := conns[0]
			acks := make(chan struct{}, 64)
			go func() {
				for {
					_, data, err := writer.WS.ReadMessage()
					if err != nil {
						return
					}
					for range bytes.Count(data, []byte(`{"t":"ack"`)) {
						<-acks
					}
				}
			}()
			frame := func(i int) []byte {
				return fmt.Appendf(nil, `{"t":"ops","cid":"b%d","ops":[{"o":"patch","id":"r","set":{"x":%d}}]}`, i, i)
			}
			if err := writer.SendRaw([]byte(`{"t":"ops","cid":"init","ops":[{"o":"put","el":{"id":"r","type":"rect","w":10,"h":10,"z":"a"}}]}`)); err != nil {
				b.Fatal(err)
			}
			acks <- struct{}{}
			want := int64(n - 1)
			received.await(b, want)
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				acks <- struct{}{}
				if err := writer.SendRaw(frame(i)); err != nil {
					b.Fatal(err)
				}
			}
			received.await(b, want*int64(b.N))
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(want)*float64(b.N)/elapsed.Seconds(), "deliveries/s")
			for _, c := range conns {
				c.WS.Close()
			}
			wg.Wait()
		})
	}
}

// counter counts deliveries and wakes await when a target is reached.
type counter struct {
	mu     sync.Mutex
	n      int64
	target int64
	done   chan struct{}
}

func (c *counter) add(d int64) {
	c.mu.Lock()
	c.n += d
	if c.done != nil && c.n >= c.target {
		close(c.done)
		c.done = nil
	}
	c.mu.Unlock()
}

// await waits until want more deliveries have arrived since the last await, then
// starts counting afresh.
func (c *counter) await(b *testing.B, want int64) {
	c.mu.Lock()
	done := make(chan struct{})
	if c.n >= want {
		close(done)
	} else {
		c.target, c.done = want, done
	}
	c.mu.Unlock()
	select {
	case <-done:
	case <-time.After(time.Minute):
		c.mu.Lock()
		defer c.mu.Unlock()
		b.Fatalf("delivered %d of %d", c.n, want)
	}
	c.mu.Lock()
	c.n -= want
	c.mu.Unlock()
}
