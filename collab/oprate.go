package collab

import (
	"math"
	"strconv"
	"time"

	"golang.org/x/time/rate"

	"tabula/collab/wire"
	"tabula/internal/keyrate"
)

// OpRate bounds how fast changes may be stored: PerSecond bytes a second on average, up
// to Burst bytes at once. PerSecond 0 (or less) is no limit.
//
// Changes are counted in bytes, as they grow the store: a batch costs its size on the
// wire (about what its log entry takes) plus BatchOverhead for the entry's key, its cid
// in the index and the envelope around its ops. Counting batches would let one batch of
// five thousand ops cost what a single patch costs; counting ops would let a stroke of
// ten thousand points cost what a one-field patch costs. Bytes with a per-batch charge
// cover both, and the flood that prompted the limit (thousands of one-op batches a
// second) as well as a few huge ones.
type OpRate struct {
	PerSecond int
	Burst     int
}

// BatchOverhead is what a stored batch costs beyond its bytes (see OpRate).
const BatchOverhead = 128

// Default op rates. What a person sends: a fast scribble is a stroke or two a second of
// a few hundred points, 2–10 KB/s; typing in a note resends the note's text at most ten
// times a second; dragging a selection patches every selected element ten times a second
// (about 70 bytes each: 70 KB/s for a hundred elements). Pasting, duplicating or undoing
// the deletion of thousands of elements sends megabytes at once. The sustained rates are
// over ten times the first two; the bursts take the large one-off changes and a minute
// of dragging hundreds of elements. The per-address rate is higher because an office
// behind one NAT address shares it. A script writing as fast as it can stored 3 MB/s
// before the limits; now one address stores at most DefaultAddrOpRate's.
var (
	DefaultConnOpRate = OpRate{PerSecond: 128 << 10, Burst: 16 << 20}
	DefaultAddrOpRate = OpRate{PerSecond: 512 << 10, Burst: 64 << 20}
)

// opBudget is what one session may still store: its own bucket and its address's.
type opBudget struct {
	addr  string
	conn  *rate.Limiter    // nil: no per-connection limit
	addrs *keyrate.Limiter // the service's, per address; nil: none
	over  bool             // room goroutine only: closed for going over, nothing more is stored
}

func newOpBudget(svc *Service, addr string) *opBudget {
	b := &opBudget{addr: addr, addrs: svc.addrOps}
	if r := svc.cfg.ConnOpRate; r.PerSecond > 0 {
		b.conn = rate.NewLimiter(rate.Limit(r.PerSecond), max(r.Burst, 1))
	}
	return b
}

// spend takes cost bytes from the connection's bucket and its address's, or takes
// nothing and returns how long until both have them.
func (b *opBudget) spend(cost int, now time.Time) time.Duration {
	var r *rate.Reservation
	if b.conn != nil {
		r = b.conn.ReserveN(now, min(cost, b.conn.Burst()))
		if d := r.DelayFrom(now); d > 0 {
			r.CancelAt(now)
			return d
		}
	}
	if b.addrs != nil {
		if d := b.addrs.Take(b.addr, cost, now); d > 0 {
			if r != nil {
				r.CancelAt(now)
			}
			return d
		}
	}
	return 0
}

// overLimit reports whether s may not store a change of size bytes, closing s (1008,
// with a reason the page shows) when it goes over. Called by the room before a batch,
// title or canvas change is applied, so nothing past the limit is stored; a batch that
// is only acknowledged again (a resend) costs nothing. The server's own sessions
// (restore) are not limited.
func (r *room) overLimit(s *Session, size int) bool {
	b := s.ops
	if b == nil {
		return false
	}
	if b.over {
		return true
	}
	wait := b.spend(size+BatchOverhead, time.Now())
	if wait == 0 {
		return false
	}
	b.over = true
	secs := int(math.Ceil(wait.Seconds()))
	r.log().Warn("op rate limit", "session", s.ID, "wait", secs)
	why := "You are sending changes faster than this server allows."
	frame := errorFrame(&wire.Error{Code: wire.ERateLimited, Msg: why}, "")
	frame = append(frame[:len(frame)-1], `,"retry":`...)
	frame = append(strconv.AppendInt(frame, int64(secs), 10), '}')
	s.send(frame)
	s.kick(ClosePolicy, why)
	return true
}
