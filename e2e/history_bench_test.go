package e2e

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"testing"
	"time"
)

// BenchmarkHistoryScrub measures scrubbing the history of a board with 100,000 batches
// over 2,000 elements (the cold-join board): each iteration asks for the board at a
// random version, as the history panel does while its slider moves (…/history/{seq}:
// the elements at that version), and for that version drawn as SVG and as PNG.
func BenchmarkHistoryScrub(b *testing.B) {
	ts := startServer(b)
	board := ts.newBoard(b)
	w := join(b, ts.wsURL("/b/", board.ID), 0)
	const elements, history = 2_000, 100_000
	writeHistory(b, w, elements, history)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, kind := range []string{"state", "svg", "png"} {
		b.Run(kind, func(b *testing.B) {
			var times []time.Duration
			for b.Loop() {
				seq := 1 + rng.Int64N(history)
				url := fmt.Sprintf("%s/b/%s/history/%d", ts.URL, board.ID, seq)
				if kind != "state" {
					url = fmt.Sprintf("%s/b/%s/export.%s?at=%d", ts.URL, board.ID, kind, seq)
				}
				start := time.Now()
				resp, err := http.Get(url)
				if err != nil {
					b.Fatal(err)
				}
				resp.Body.Close()
				times = append(times, time.Since(start))
				if resp.StatusCode != 200 {
					b.Fatalf("%s: %d", url, resp.StatusCode)
				}
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(times[len(times)-1].Microseconds())/1000, "max-ms")
		})
	}
}

// writeHistory sends history batches on p, 256 in flight like a busy client: the first
// `elements` put rectangles (with fill), the rest move them about. Returns when all are
// acknowledged.
func writeHistory(b *testing.B, p *peer, elements, history int) {
	window := make(chan struct{}, 256)
	done := make(chan error, 1)
	go func() {
		acks := 0
		for acks < history {
			m, err := p.c.Read(time.Now().Add(time.Minute))
			if err != nil {
				done <- err
				return
			}
			if m.T == "ack" {
				acks++
				<-window
			}
		}
		done <- nil
	}()
	for i := range history {
		window <- struct{}{}
		var frame string
		if i < elements {
			frame = fmt.Sprintf(`{"t":"ops","cid":"h%d","ops":[{"o":"put","el":{"id":"e%d","type":"rect","x":%d,"y":%d,"w":80,"h":40,"stroke":"#1e1e1e","fill":"#a5d8ff","z":"a%d"}}]}`, i, i, i%50*90, i/50*50, i)
		} else {
			frame = fmt.Sprintf(`{"t":"ops","cid":"h%d","ops":[{"o":"patch","id":"e%d","set":{"x":%d,"y":%d}}]}`, i, i%elements, i%4493, i%2011)
		}
		if err := p.c.SendRaw([]byte(frame)); err != nil {
			b.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
}
