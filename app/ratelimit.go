package app

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"tabula/internal/keyrate"
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

// addrLimiter is a token bucket per client address, with what it limits for the refusal.
type addrLimiter struct {
	*keyrate.Limiter
	what string // "creating boards", for the refusal
}

func newAddrLimiter(r Rate, what string) *addrLimiter {
	if r.PerMinute <= 0 {
		return nil
	}
	return &addrLimiter{Limiter: keyrate.New(float64(r.PerMinute)/60, r.Burst), what: what}
}

// take spends a token of addr's bucket, or returns how long until one is there.
func (l *addrLimiter) take(addr string, now time.Time) (wait time.Duration) {
	return l.Take(addr, 1, now)
}

// rateLimited refuses, with 429 and Retry-After, a request from an address that is over
// l's rate. A nil l lets everything through. It runs before the body is read.
func (s *Server) rateLimited(l *addrLimiter) fiber.Handler {
	return func(c *fiber.Ctx) error {
		if l == nil {
			return c.Next()
		}
		wait := l.take(s.clientOf(c), time.Now())
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
