package collab

import "tabula/collab/wire"

// VoiceSFU carries a board's voice chat (collab/voice). The service holds one, set in
// Config; collab itself knows nothing of WebRTC.
type VoiceSFU interface {
	// Signal handles a validated voice message from a session that has said hello. It
	// must not block: it is called on the session's reader goroutine, and for the
	// viewers setting on the board's room goroutine once the setting has changed.
	Signal(s *Session, m *wire.Message)
	// Leave is called once when a session ends, whether or not it was in voice.
	Leave(s *Session)
	// Close hangs up every call and waits until nothing of them is left.
	Close()
}

// voice routes a voice message: the board setting goes through the room (it is stored),
// everything else to the SFU.
func (s *Session) voice(m *wire.Message) {
	v := s.svc.cfg.Voice
	switch {
	case v == nil:
		s.refuse(&wire.Error{Code: wire.EVoiceOff, Msg: "voice chat is turned off on this server"}, "")
	case m.Voice.Op == wire.VoiceViewers:
		if s.Role != RoleEditor {
			s.refuse(&wire.Error{Code: wire.EViewOnly, Msg: "only editors can change who may use voice"}, "")
			return
		}
		s.room.post(roomCmd{kind: cmdMessage, s: s, m: m})
	default:
		v.Signal(s, m)
	}
}

// SetVoice shows the session's voice state (VoiceNone, VoiceIn, VoiceMuted or
// VoiceSpeaking) in the board's presence.
func (s *Session) SetVoice(state string) { s.svc.SetVoice(s.Board.ID, s.ID, state) }

// MayTalk reports whether the session may use voice: editors always; view-only visitors
// unless the board's editors have switched that off.
func (s *Session) MayTalk() bool {
	if s.Role == RoleEditor {
		return true
	}
	if s.room != nil {
		switch s.room.viewerVoice.Load() {
		case viewerVoiceOn:
			return true
		case viewerVoiceOff:
			return false
		}
	}
	return !s.Board.NoViewerVoice
}

// The board's "viewers may use voice" setting as the room knows it; viewerVoiceUnknown
// until the room has loaded the board, when the session's copy of the board stands in.
const (
	viewerVoiceUnknown int32 = iota
	viewerVoiceOn
	viewerVoiceOff
)

// setViewerVoice stores the board's voice setting, tells everyone on the board, and has
// the SFU drop viewers from the call when it was switched off. Room goroutine only.
func (r *room) setViewerVoice(s *Session, m *wire.Message) {
	allow := m.Voice.Allow
	if r.meta.NoViewerVoice == !allow {
		return
	}
	r.meta.NoViewerVoice = !allow
	r.publishViewerVoice()
	meta := r.meta
	r.submit(Write{Board: r.id, Meta: &meta}, r.durableAt(0))
	r.others(voiceViewersFrame(allow))
	r.svc.cfg.Voice.Signal(s, m)
}

// publishViewerVoice makes the room's setting visible to sessions (MayTalk).
func (r *room) publishViewerVoice() {
	v := viewerVoiceOn
	if r.meta.NoViewerVoice {
		v = viewerVoiceOff
	}
	r.viewerVoice.Store(v)
}

func voiceViewersFrame(allow bool) []byte {
	if allow {
		return []byte(`{"t":"voice","op":"viewers","allow":true}`)
	}
	return []byte(`{"t":"voice","op":"viewers","allow":false}`)
}

// appendVoice adds the welcome's voice field when the server has voice chat.
func (r *room) appendVoice(b []byte) []byte {
	if r.svc.cfg.Voice == nil {
		return b
	}
	if r.meta.NoViewerVoice {
		return append(b, `,"voice":{"viewers":false}`...)
	}
	return append(b, `,"voice":{"viewers":true}`...)
}
