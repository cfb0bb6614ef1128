package app

import (
	"net"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// sseLimiter caps concurrent SSE streams per client IP, so that one client cannot hold
// an unbounded number of connections and goroutines.
type sseLimiter struct {
	max int
	mu  sync.Mutex
	n   map[string]int
}

func (l *sseLimiter) acquire(ip string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[ip] >= l.max {
		return false
	}
	l.n[ip]++
	return true
}

func (l *sseLimiter) release(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n[ip]--; l.n[ip] <= 0 {
		delete(l.n, ip)
	}
}

// streamHeader starts every event stream. The body runs until either side closes the
// connection, so it needs neither a length nor chunked encoding.
const streamHeader = "HTTP/1.1 200 OK\r\n" +
	"Content-Type: text/event-stream; charset=utf-8\r\n" +
	"Cache-Control: no-cache\r\n" +
	"X-Accel-Buffering: no\r\n" +
	"X-Content-Type-Options: nosniff\r\n" +
	"Connection: close\r\n\r\n" +
	"retry: 3000\n\n"

// stream answers with an event stream: headers for no caching and no proxy buffering, a
// retry hint, then whatever run writes, with a heartbeat comment every s.heartbeat. run
// returns when the stream should end: when gone is closed (the client hung up), or
// when send reports false.
//
// The connection is taken over from the HTTP server and written to directly, from one
// goroutine: fasthttp's streamed bodies cost a second goroutine and a pipe per stream,
// which is most of a stream's memory when ten thousand people watch a board. It is
// closed here when run returns. A client that leaves is noticed at once by a read that
// waits on the connection (a stream's client sends nothing), not at the next write,
// which for a quiet board is the heartbeat up to s.heartbeat later.
func (s *Server) stream(c *fiber.Ctx, run func(send func(b []byte) bool, heartbeat <-chan time.Time, gone <-chan struct{})) error {
	ip := s.clients.of(c)
	if !s.sse.acquire(ip) {
		return fiber.NewError(fiber.StatusTooManyRequests, "too many live streams from your address; close some tabs")
	}
	c.Context().HijackSetNoResponse(true)
	sock := c.Context().Conn() // under fasthttp's wrapper, whose Close may do nothing
	c.Context().Hijack(func(conn net.Conn) {
		defer s.sse.release(ip)
		gone := make(chan struct{})
		go func() {
			defer close(gone)
			var b [256]byte
			for {
				if _, err := conn.Read(b[:]); err != nil {
					return
				}
			}
		}()
		// Closed before this returns, and the reader gone too: fasthttp takes back the
		// buffered reader under conn when this returns.
		defer func() {
			sock.Close()
			<-gone
		}()
		defer s.logPanic("event stream")
		send := func(b []byte) bool {
			_ = conn.SetWriteDeadline(time.Now().Add(writeTimeout))
			_, err := conn.Write(b)
			// No deadline between writes: the presence fan-out writes to the connection
			// without waiting (directWriter), and an old deadline would fail it.
			_ = conn.SetWriteDeadline(time.Time{})
			return err == nil
		}
		if !send([]byte(streamHeader)) {
			return
		}
		hb := time.NewTicker(s.heartbeat)
		defer hb.Stop()
		run(send, hb.C, gone)
	})
	return nil
}
