package app

import (
	"bufio"
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

// stream answers with an event stream: headers for no caching and no proxy buffering, a
// retry hint, then whatever run writes, with a heartbeat comment every s.heartbeat. run
// returns when the stream should end; send reports false once the client is gone.
func (s *Server) stream(c *fiber.Ctx, run func(send func(b []byte) bool, heartbeat <-chan time.Time)) error {
	ip := c.IP()
	if !s.sse.acquire(ip) {
		return fiber.NewError(fiber.StatusTooManyRequests, "too many live streams from your address; close some tabs")
	}
	c.Set(fiber.HeaderContentType, "text/event-stream; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set("X-Accel-Buffering", "no")
	conn := c.Context().Conn()
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		defer s.sse.release(ip)
		hb := time.NewTicker(s.heartbeat)
		defer hb.Stop()
		send := func(b []byte) bool {
			// The server's write timeout is meant for whole responses; a stream lives
			// on, so each write gets its own deadline.
			_ = conn.SetWriteDeadline(time.Now().Add(writeTimeout))
			if _, err := w.Write(b); err != nil {
				return false
			}
			return w.Flush() == nil
		}
		if !send([]byte("retry: 3000\n\n")) {
			return
		}
		run(send, hb.C)
	})
	return nil
}
