package collab

import (
	"strconv"
	"sync/atomic"
	"time"

	"tabula/collab/wire"
	"tabula/internal/hist"
)

// Role is what a session may do on its board.
type Role string

// Roles.
const (
	RoleEditor Role = "editor"
	RoleViewer Role = "viewer"
)

// Session is one client connection on one board. The transport calls Receive with each
// message from the client, from one goroutine, and Close when the connection has ended;
// the session and its room deliver to the client through the Transport.
type Session struct {
	ID    string
	Role  Role
	Board BoardMeta

	svc   *Service
	t     Transport
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
}

func newSession(svc *Service, board BoardMeta, role Role, t Transport) *Session {
	return &Session{
		ID: randomID(8), Role: role, Board: board, svc: svc, t: t,
		tokens: wire.EphemeralBurst,
	}
}

// send delivers msg without blocking; reports whether the transport took it.
func (s *Session) send(msg []byte) bool { return s.t.Deliver(msg, Delivery{}) }

// deliver is send for a message whose latency is timed: at is when the op it answers was
// read (0: untimed), h where the latency goes; held, see Delivery.
func (s *Session) deliver(msg []byte, at int64, h *hist.Histogram, held bool) bool {
	return s.t.Deliver(msg, timed(at, h, held, nil))
}

// Send delivers msg to the client without blocking, like every message of the board;
// reports whether the transport took it (false once the session has ended).
func (s *Session) Send(msg []byte) bool { return s.send(msg) }

// kick ends the session with a close code; the transport sends what is queued, then the
// close frame. Safe to call more than once and from any goroutine.
func (s *Session) kick(code int, why string) { s.t.Close(code, why) }

// Fail ends the session with a close code and reason, for the parts of the service
// outside this package (the voice rooms).
func (s *Session) Fail(code int, why string) { s.kick(code, why) }

// Joined reports whether the client has said hello. Call it from the goroutine that
// calls Receive.
func (s *Session) Joined() bool { return s.room != nil }

// Receive handles one frame from the client. It never blocks for long: validation runs
// here, on the connection's own goroutine, and the room gets only valid work.
func (s *Session) Receive(data []byte) {
	received := time.Now().UnixNano()
	s.lastActive.Store(received)
	if len(data) > s.svc.limits.MaxMessage {
		s.kick(CloseTooBig, "message too big")
		return
	}
	m, err := wire.DecodeMessage(data, &s.svc.limits)
	if err != nil {
		if s.room == nil && m.Type != wire.MsgHello {
			s.refuse(&wire.Error{Code: wire.ENeedHello, Msg: "the first message must be hello"}, "")
			s.kick(ClosePolicy, "the first message must be hello")
			return
		}
		s.refuse(err, m.CID)
		return
	}
	if s.room == nil {
		if m.Type != wire.MsgHello {
			s.refuse(&wire.Error{Code: wire.ENeedHello, Msg: "the first message must be hello"}, "")
			s.kick(ClosePolicy, "the first message must be hello")
			return
		}
		s.name = m.Name
		if s.room = s.svc.acquire(s.Board.ID); s.room == nil {
			if s.svc.isClosing() {
				s.kick(CloseGoingAway, "server shutting down")
			} else {
				s.kick(CloseServiceRestart, "the board moved to another server; reconnecting")
			}
			return
		}
		s.joined = time.Now()
		s.color = s.svc.presence.join(s.Board.ID, Person{SID: s.ID, Name: s.name, Color: m.Color, Role: s.Role, Since: s.joined.UnixMilli()}, s)
		s.room.post(roomCmd{kind: cmdJoin, s: s, m: m})
		return
	}
	switch m.Type {
	case wire.MsgHello:
		s.refuse(&wire.Error{Code: wire.ENeedHello, Msg: "hello was already sent"}, "")
	case wire.MsgOps, wire.MsgTitle, wire.MsgCanvas, wire.MsgPreview:
		if s.Role != RoleEditor {
			s.refuse(&wire.Error{Code: wire.EViewOnly, Msg: "this is a view-only link; changes are not allowed"}, m.CID)
			return
		}
		if m.Type == wire.MsgPreview {
			s.ephemeral(m)
			return
		}
		m.Received, m.Size = received, len(data)
		s.room.post(roomCmd{kind: cmdMessage, s: s, m: m})
	case wire.MsgCursor, wire.MsgLaser, wire.MsgView:
		s.ephemeral(m)
	case wire.MsgVoice:
		s.voice(m)
	case wire.MsgPresent:
		s.presentMsg(m)
	case wire.MsgName:
		m.Color = s.svc.presence.rename(s.Board.ID, s.ID, m.Name, m.Color)
		s.room.post(roomCmd{kind: cmdMessage, s: s, m: m})
	}
}

// ephemeral encodes a cursor, laser or preview once, here, and hands the bytes to the
// room to fan out. Over the rate limit it is dropped: the next one is newer anyway.
func (s *Session) ephemeral(m *wire.Message) {
	if !s.takeToken() {
		return
	}
	b := make([]byte, 0, 96)
	b = append(b, `{"t":`...)
	b = wire.AppendString(b, m.Type)
	b = append(b, `,"sid":`...)
	b = wire.AppendString(b, s.ID)
	switch {
	case m.Type != wire.MsgPreview:
		b = append(b, `,"x":`...)
		b = strconv.AppendFloat(b, m.X, 'g', -1, 64)
		b = append(b, `,"y":`...)
		b = strconv.AppendFloat(b, m.Y, 'g', -1, 64)
		if m.Page != "" {
			b = append(b, `,"page":`...)
			b = wire.AppendString(b, m.Page)
		}
		if m.Type == wire.MsgView {
			b = append(b, `,"w":`...)
			b = strconv.AppendFloat(b, m.W, 'g', -1, 64)
			b = append(b, `,"h":`...)
			b = strconv.AppendFloat(b, m.H, 'g', -1, 64)
		}
	case m.End:
		b = append(b, `,"id":`...)
		b = wire.AppendString(b, m.ID)
		b = append(b, `,"end":true`...)
	default:
		b = append(b, `,"el":`...)
		b = m.El.AppendJSON(b)
	}
	s.room.post(roomCmd{kind: cmdEphemeral, s: s, m: m, frame: append(b, '}')})
}

// refuse tells the client why its message was refused, and closes a session that keeps
// sending bad messages.
func (s *Session) refuse(err error, cid string) {
	s.send(errorFrame(err, cid))
	s.errors++
	if s.errors > wire.MaxErrors {
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
	b = wire.AppendString(b, wire.ErrorCode(err))
	b = append(b, `,"msg":`...)
	b = wire.AppendString(b, wire.ErrorMessage(err))
	if cid != "" {
		b = append(b, `,"cid":`...)
		b = wire.AppendString(b, cid)
	}
	return append(b, '}')
}
