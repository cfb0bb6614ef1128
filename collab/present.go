package collab

import (
	"time"

	"tabula/collab/wire"
)

// Presenting: one person at a time walks everyone on a board through its frames
// (docs/protocol.md, "Presenting"). The room owns who presents and which frame they
// show; it tells every member with a present frame, tells late joiners in the welcome,
// and marks the presenter in presence. Nothing of it is stored: the presenter leaving
// ends it, and so does a restart.

// presentState is the room's presenting state. Room goroutine only.
type presentState struct {
	by    *Session // nil: nobody presents
	frame string   // the frame shown; "" before the first go
}

// presentMsg checks a present message on the session's goroutine: only editors present,
// and present messages share the ephemeral rate limit (a flood is dropped, as cursors
// are). Viewers receive presenting and may follow.
func (s *Session) presentMsg(m *wire.Message) {
	if s.Role != RoleEditor {
		s.refuse(&wire.Error{Code: wire.EViewOnly, Msg: "only people with the edit link can present"}, "")
		return
	}
	if !s.takeToken() {
		return
	}
	s.room.post(roomCmd{kind: cmdMessage, s: s, m: m})
}

// takeToken spends one token of the session's ephemeral budget; false when it has none.
// Reader goroutine only.
func (s *Session) takeToken() bool {
	now := time.Now()
	if !s.last.IsZero() {
		s.tokens = min(wire.EphemeralBurst, s.tokens+now.Sub(s.last).Seconds()*wire.EphemeralRate)
	}
	s.last = now
	if s.tokens < 1 {
		return false
	}
	s.tokens--
	return true
}

// present applies a present message from s. Room goroutine only: a refusal is sent, not
// counted against the session (its error count belongs to its reader goroutine), as a
// refused batch is.
func (r *room) present(s *Session, m *wire.Message) {
	refuse := func(err error) { s.send(errorFrame(err, "")) }
	p := &r.presenting
	switch m.Op {
	case wire.PresentStart, wire.PresentTake:
		if p.by != nil && p.by != s && m.Op == wire.PresentStart {
			refuse(wire.Errorf(wire.EPresenting, "%s is presenting; take over to present", p.by.name))
			return
		}
		if p.by == s {
			return
		}
		if p.by != nil {
			r.svc.setPresenting(r.id, p.by.ID, false)
		}
		p.by, p.frame = s, ""
		r.svc.setPresenting(r.id, s.ID, true)
		r.presentNow(r.presentFrame(false))
	case wire.PresentStop:
		if p.by != s {
			refuse(&wire.Error{Code: wire.ENotPresenter, Msg: "only the presenter can stop presenting"})
			return
		}
		r.endPresenting()
	case wire.PresentGo, wire.PresentSummon:
		if p.by != s {
			refuse(&wire.Error{Code: wire.ENotPresenter, Msg: "start presenting first"})
			return
		}
		if m.Op == wire.PresentGo {
			if e := r.st.Element(m.ID); e == nil || e.Deleted || e.Type != "frame" {
				refuse(wire.Errorf(wire.EBadValue, "there is no frame %s on this board", wire.Clip(m.ID)))
				return
			}
			if p.frame == m.ID {
				return
			}
			p.frame = m.ID
		}
		r.presentNow(r.presentFrame(m.Op == wire.PresentSummon))
	}
}

// endPresenting ends presenting, if anyone presents. Room goroutine only.
func (r *room) endPresenting() {
	p := &r.presenting
	if p.by == nil {
		return
	}
	r.svc.setPresenting(r.id, p.by.ID, false)
	p.by, p.frame = nil, ""
	r.presentNow(r.presentFrame(false))
}

// presentFrame encodes the presenting state: {"t":"present","sid":…,"name":…,"id":…},
// sid "" when nobody presents; summon asks everyone to follow again.
func (r *room) presentFrame(summon bool) []byte {
	b := append(make([]byte, 0, 96), `{"t":"present",`...)
	b = r.appendPresentFields(b)
	if summon {
		b = append(b, `,"summon":true`...)
	}
	return append(b, '}')
}

// appendPresenting adds the welcome's present field: ,"present":{"sid":…,…}.
func (r *room) appendPresenting(b []byte) []byte {
	b = append(b, `,"present":{`...)
	return append(r.appendPresentFields(b), '}')
}

// appendPresentFields adds "sid":…,"name":…,"id":… of the presenter, or "sid":"".
func (r *room) appendPresentFields(b []byte) []byte {
	p := &r.presenting
	b = append(b, `"sid":`...)
	if p.by == nil {
		return append(b, `""`...)
	}
	b = wire.AppendString(b, p.by.ID)
	b = append(b, `,"name":`...)
	b = wire.AppendString(b, p.by.name)
	b = append(b, `,"id":`...)
	return wire.AppendString(b, p.frame)
}

// presentNow sends frame to every member at once (a step through a deck should not wait
// for the notice interval) and to sessions whose welcome waits, after it.
func (r *room) presentNow(frame []byte) {
	for _, m := range r.members {
		m.send(frame)
	}
	for i := range r.waiting {
		r.waiting[i].after = append(r.waiting[i].after, frame)
	}
}

// setPresenting marks sid on board id as presenting, or not, in presence.
func (s *Service) setPresenting(id, sid string, on bool) {
	s.presence.update(id, sid, func(p *Person) bool {
		changed := p.Presenting != on
		p.Presenting = on
		return changed
	})
}
