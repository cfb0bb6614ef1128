// Package keyrate keeps a token bucket (golang.org/x/time/rate) per key, such as a
// client address, for every per-address limit of the server.
package keyrate

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter is a token bucket per key: limit tokens a second on average, up to burst at
// once. Safe for concurrent use. A bucket that has filled up again is forgotten (a full
// bucket is the same as none), so memory follows the keys active in the last minute.
type Limiter struct {
	limit rate.Limit
	burst int

	mu    sync.Mutex
	m     map[string]*rate.Limiter
	swept time.Time
}

// New returns a Limiter of perSecond tokens a second and burst at once (at least 1).
func New(perSecond float64, burst int) *Limiter {
	return &Limiter{limit: rate.Limit(perSecond), burst: max(1, burst), m: make(map[string]*rate.Limiter)}
}

// Take spends n tokens of key's bucket and returns 0, or, when fewer than n are there,
// spends nothing and returns how long until there will be. n above the burst is taken
// as the burst: the largest single request fits a full bucket.
func (l *Limiter) Take(key string, n int, now time.Time) (wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.m {
			if b.TokensAt(now) >= float64(l.burst) {
				delete(l.m, k)
			}
		}
		l.swept = now
	}
	b := l.m[key]
	if b == nil {
		b = rate.NewLimiter(l.limit, l.burst)
		l.m[key] = b
	}
	return takeN(b, n, now)
}

// takeN is Take on a single bucket b: it spends n tokens (at most b's burst) and returns
// 0, or spends nothing and returns how long until n are there.
func takeN(b *rate.Limiter, n int, now time.Time) time.Duration {
	r := b.ReserveN(now, min(n, b.Burst()))
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return d
	}
	return 0
}
