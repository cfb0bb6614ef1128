package collab

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Role is what a session may do on its board.
type Role string

// Roles.
const (
	RoleEditor Role = "editor"
	RoleViewer Role = "viewer"
)

// WebSocket close codes the server uses (docs/protocol.md).
const (
	CloseGoingAway   = 1001
	CloseProtocol    = 1002
	CloseUnsupported = 1003
	ClosePolicy      = 1008
	CloseTooBig      = 1009
	CloseInternal    = 1011
	CloseTryAgain    = 1013
)

// maxQueuedMessages bounds a session's queue by count (Config.MaxQueueBytes by size): a
// session whose queue passes either is too slow for its board and is closed with
// CloseTryAgain; it reconnects and resumes from its last seq. A message is always
// accepted into an empty queue, however large (a welcome can be megabytes).
const maxQueuedMessages = 4096

// maxQueueAge is the longest a message may wait to be written. A connection whose oldest
// message has waited longer is behind by that much and is closed (1013) rather than left
// to show its user a board seconds in the past.
const maxQueueAge = 5 * time.Second

// Session is one client connection on one board. The transport (app) calls Receive with
// each frame from its single reader goroutine. For writing, it sets Wake before the
// first Receive: Wake is called whenever messages are queued after the queue was empty,
// and when the session is closed; the transport then Takes and writes until Take is
// empty, and after Closed reports true, sends the close frame. A transport needs no
// goroutine for a connection that has nothing to write.
type Session struct {
	ID    string
	Role  Role
	Board BoardMeta

	svc   *Service
	room  *room // set by hello, then only read by the reader goroutine
	name  string
	color string

	joined     time.Time
	lastActive atomic.Int64 // unix ns of the last message received

	ops *opBudget // what it may still store (oprate.go); nil: not limited

	// Reader goroutine only.
	errors int
	tokens float64
	last   time.Time

	// Wake is set by the transport before the session is used; see Session.
	Wake func()
	// Direct, if the transport sets it before the session is used, writes msg straight
	// to the connection when that can be done at once: nothing of the session is waiting
	// and the socket has room. It reports whether it took msg — wholly written, or the
	// rest kept by the transport to be written before anything else — and records st
	// when written (Written). It is called with the session's lock held, so it must not
	// block or call back into the session. Without it, every message is queued and a
	// writer woken: a goroutine scheduled per connection per broadcast, which on a board
	// of a thousand kept ops waiting behind a thousand runnable writers.
	Direct func(msg []byte, st Stamp) bool

	mu        sync.Mutex
	queue     [][]byte
	spare     [][]byte
	stamps    []Stamp // one per queued message
	spareSt   []Stamp
	queued    int
	oldest    time.Time // when the queue's head was queued
	closed    bool
	closeCode int
	closeWhy  string
}

func newSession(svc *Service, board BoardMeta, role Role) *Session {
	return &Session{
		ID: randomID(8), Role: role, Board: board, svc: svc,
		tokens: EphemeralBurst, Wake: func() {},
	}
}

// Take returns every queued message, oldest first, and empties the queue. The returned
// slice is only valid until the next Take; the caller should clear it once written, so
// that an idle session holds no message.
func (s *Session) Take() [][]byte {
	q, _ := s.TakeStamped()
	return q
}

// TakeStamped is Take that also returns each message's stamp; once the messages are
// written, the transport hands the stamps to Written.
func (s *Session) TakeStamped() ([][]byte, []Stamp) {
	s.mu.Lock()
	q, st := s.queue, s.stamps
	s.queue, s.spare = s.spare[:0], q
	s.stamps, s.spareSt = s.spareSt[:0], st
	s.queued = 0
	s.oldest = time.Time{}
	s.mu.Unlock()
	return q, st
}

// Stamp says when the client message that a queued message answers was received: the
// writer times, per delivery, what the server added between reading the op and
// writing its broadcast or ack. The zero Stamp is a message that is not timed.
type Stamp struct {
	at   int64 // unix ns the op was read
	kind uint8
}

const (
	stampDeliver = iota + 1 // an ops broadcast
	stampAck                // the ack to the sender
)

// Written records the server's share of the latency of messages just written (their
// stamps from TakeStamped).
func (s *Session) Written(stamps ...Stamp) {
	var now int64
	for _, st := range stamps {
		if st.kind == 0 {
			continue
		}
		if now == 0 {
			now = time.Now().UnixNano()
		}
		d := time.Duration(now - st.at)
		switch st.kind {
		case stampDeliver:
			s.svc.latency.Deliver.Record(d)
		case stampAck:
			s.svc.latency.Ack.Record(d)
		}
	}
}

// Closed reports whether the session has ended, and with which WebSocket close code
// and reason.
func (s *Session) Closed() (closed bool, code int, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed, s.closeCode, s.closeWhy
}

// Idle reports whether nothing waits to be written and the session is still open: a
// transport's writer may stop.
func (s *Session) Idle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue) == 0 && !s.closed
}

// send queues msg without blocking. A session that has fallen too far behind is closed
// instead, so that it never slows the board. Reports whether msg was queued.
func (s *Session) send(msg []byte) bool { return s.sendStamped(msg, Stamp{}, true) }

// sendStamped is send for a message whose latency the writer times. direct allows the
// transport to write msg at once (Direct); a room sending several broadcasts in a row
// leaves them to queue instead, so that the writer sends them as one frame.
func (s *Session) sendStamped(msg []byte, st Stamp, direct bool) bool {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return false
	}
	// The message at the head is exempt from the byte cap: a welcome can be larger than
	// the cap by itself, and what matters is how much piles up behind it.
	now := time.Now()
	if len(s.queue) > 0 && (len(s.queue) >= maxQueuedMessages || s.queued-len(s.queue[0])+len(msg) > s.svc.cfg.MaxQueueBytes ||
		now.Sub(s.oldest) > maxQueueAge) {
		s.mu.Unlock()
		s.kick(CloseTryAgain, "too slow: reconnect and resume")
		return false
	}
	if len(s.queue) == 0 {
		if direct && s.Direct != nil && s.Direct(msg, st) {
			s.mu.Unlock()
			return true
		}
		s.oldest = now
	}
	s.queue = append(s.queue, msg)
	s.stamps = append(s.stamps, st)
	s.queued += len(msg)
	first := len(s.queue) == 1
	s.mu.Unlock()
	if first {
		s.Wake()
	}
	return true
}

// Send queues msg for the client without blocking, like every message of the board;
// reports whether it was queued (false once the session has ended).
func (s *Session) Send(msg []byte) bool { return s.send(msg) }

// kick ends the session with a close code; the transport sends what is queued, then the
// close frame. Safe to call more than once and from any goroutine.
func (s *Session) kick(code int, why string) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	s.closeCode, s.closeWhy = code, why
	if code == CloseTryAgain {
		// Too slow to keep up: flushing its backlog would only delay the close. It
		// resumes from its last seq when it reconnects.
		clear(s.queue)
		s.queue, s.stamps, s.queued = s.queue[:0], s.stamps[:0], 0
	}
	s.mu.Unlock()
	s.Wake()
}

// Fail ends the session from the transport's side, e.g. on a binary or oversized frame.
func (s *Session) Fail(code int, why string) { s.kick(code, why) }

// Receive handles one frame from the client. It never blocks for long: validation runs
// here, on the connection's own goroutine, and the room gets only valid work.
func (s *Session) Receive(data []byte) {
	received := time.Now().UnixNano()
	s.lastActive.Store(received)
	if len(data) > s.svc.limits.MaxMessage {
		s.kick(CloseTooBig, "message too big")
		return
	}
	m, err := DecodeMessage(data, &s.svc.limits)
	if err != nil {
		if s.room == nil && m.Type != MsgHello {
			s.refuse(&Error{Code: ENeedHello, Msg: "the first message must be hello"}, "")
			s.kick(ClosePolicy, "the first message must be hello")
			return
		}
		s.refuse(err, m.CID)
		return
	}
	if s.room == nil {
		if m.Type != MsgHello {
			s.refuse(&Error{Code: ENeedHello, Msg: "the first message must be hello"}, "")
			s.kick(ClosePolicy, "the first message must be hello")
			return
		}
		s.name = m.Name
		if s.room = s.svc.acquire(s.Board.ID); s.room == nil {
			s.kick(CloseGoingAway, "server shutting down")
			return
		}
		s.joined = time.Now()
		s.color = s.svc.presence.join(s.Board.ID, Person{SID: s.ID, Name: s.name, Color: m.Color, Role: s.Role, Since: s.joined.UnixMilli()}, s)
		s.room.post(roomCmd{kind: cmdJoin, s: s, m: m})
		return
	}
	switch m.Type {
	case MsgHello:
		s.refuse(&Error{Code: ENeedHello, Msg: "hello was already sent"}, "")
	case MsgOps, MsgTitle, MsgCanvas, MsgPreview:
		if s.Role != RoleEditor {
			s.refuse(&Error{Code: EViewOnly, Msg: "this is a view-only link; changes are not allowed"}, m.CID)
			return
		}
		if m.Type == MsgPreview {
			s.ephemeral(m)
			return
		}
		m.Received, m.Size = received, len(data)
		s.room.post(roomCmd{kind: cmdMessage, s: s, m: m})
	case MsgCursor, MsgLaser, MsgView:
		s.ephemeral(m)
	case MsgVoice:
		s.voice(m)
	case MsgName:
		m.Color = s.svc.presence.rename(s.Board.ID, s.ID, m.Name, m.Color)
		s.room.post(roomCmd{kind: cmdMessage, s: s, m: m})
	}
}

// ephemeral encodes a cursor, laser or preview once, here, and hands the bytes to the
// room to fan out. Over the rate limit it is dropped: the next one is newer anyway.
func (s *Session) ephemeral(m *Message) {
	now := time.Now()
	if !s.last.IsZero() {
		s.tokens = min(EphemeralBurst, s.tokens+now.Sub(s.last).Seconds()*EphemeralRate)
	}
	s.last = now
	if s.tokens < 1 {
		return
	}
	s.tokens--
	b := make([]byte, 0, 96)
	b = append(b, `{"t":`...)
	b = appendString(b, m.Type)
	b = append(b, `,"sid":`...)
	b = appendString(b, s.ID)
	switch {
	case m.Type != MsgPreview:
		b = append(b, `,"x":`...)
		b = strconv.AppendFloat(b, m.X, 'g', -1, 64)
		b = append(b, `,"y":`...)
		b = strconv.AppendFloat(b, m.Y, 'g', -1, 64)
		if m.Type == MsgView {
			b = append(b, `,"w":`...)
			b = strconv.AppendFloat(b, m.W, 'g', -1, 64)
			b = append(b, `,"h":`...)
			b = strconv.AppendFloat(b, m.H, 'g', -1, 64)
		}
	case m.End:
		b = append(b, `,"id":`...)
		b = appendString(b, m.ID)
		b = append(b, `,"end":true`...)
	default:
		b = append(b, `,"el":`...)
		b = m.El.appendJSON(b)
	}
	s.room.post(roomCmd{kind: cmdEphemeral, s: s, m: m, frame: append(b, '}')})
}

// refuse tells the client why its message was refused, and closes a session that keeps
// sending bad messages.
func (s *Session) refuse(err error, cid string) {
	s.send(errorFrame(err, cid))
	s.errors++
	if s.errors > MaxErrors {
		s.kick(ClosePolicy, "too many invalid messages")
	}
}

// Close is called by the transport when the connection has ended (read error or close
// from the client). It leaves the room.
func (s *Session) Close() {
	s.kick(CloseGoingAway, "closed")
	if s.room != nil {
		if v := s.svc.cfg.Voice; v != nil {
			v.Leave(s)
		}
		s.svc.presence.leave(s.Board.ID, s.ID)
		s.svc.release(s.room, s)
	}
}

func errorFrame(err error, cid string) []byte {
	b := make([]byte, 0, 128)
	b = append(b, `{"t":"error","code":`...)
	b = appendString(b, ErrorCode(err))
	b = append(b, `,"msg":`...)
	b = appendString(b, ErrorMessage(err))
	if cid != "" {
		b = append(b, `,"cid":`...)
		b = appendString(b, cid)
	}
	return append(b, '}')
}
