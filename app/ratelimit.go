package app

import (
	"fmt"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/time/rate"
)

// Rate is how often one client address may do something: perMinute on average, up to
// burst at once. Zero perMinute turns the limit off.
type Rate struct {
	PerMinute int
	Burst     int
}

// Default rates: far above what a person does by hand, far below what a script does.
var (
	DefaultBoardRate = Rate{PerMinute: 30, Burst: 10}
	DefaultImageRate = Rate{PerMinute: 60, Burst: 30}
)

// addrLimiter is a token bucket per client address.
type addrLimiter struct {
	limit rate.Limit
	burst int
	what  string // "creating boards", for the refusal

	mu    sync.Mutex
	m     map[string]*rate.Limiter
	swept time.Time
}

func newAddrLimiter(r Rate, what string) *addrLimiter {
	if r.PerMinute <= 0 {
		return nil
	}
	return &addrLimiter{limit: rate.Limit(float64(r.PerMinute) / 60), burst: max(1, r.Burst), what: what, m: make(map[string]*rate.Limiter)}
}

// take spends a token of addr's bucket, or returns how long until one is there.
func (l *addrLimiter) take(addr string, now time.Time) (wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		// A full bucket is the same as none: forget it.
		for k, b := range l.m {
			if b.TokensAt(now) >= float64(l.burst) {
				delete(l.m, k)
			}
		}
		l.swept = now
	}
	b := l.m[addr]
	if b == nil {
		b = rate.NewLimiter(l.limit, l.burst)
		l.m[addr] = b
	}
	r := b.ReserveN(now, 1)
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}

// rateLimited refuses, with 429 and Retry-After, a request from an address that is over
// l's rate. A nil l lets everything through. It runs before the body is read.
func (s *Server) rateLimited(l *addrLimiter) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if l == nil {
			return c.Next()
		}
		wait := l.take(s.clients.of(c), time.Now())
		if wait == 0 {
			return c.Next()
		}
		secs := int(math.Ceil(wait.Seconds()))
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(secs))
		return s.refuseBody(c, fiber.NewError(fiber.StatusTooManyRequests,
			fmt.Sprintf("You are %s too quickly; please wait %s and try again.", l.what, seconds(secs))))
	}
}

func seconds(n int) string {
	if n == 1 {
		return "a second"
	}
	return strconv.Itoa(n) + " seconds"
}
