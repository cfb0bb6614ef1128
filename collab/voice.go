package collab

import (
	"strings"
	"unicode/utf8"
)

// VoiceSFU carries a board's voice chat (collab/voice). The service holds one, set in
// Config; collab itself knows nothing of WebRTC.
type VoiceSFU interface {
	// Signal handles a validated voice message from a session that has said hello. It
	// must not block: it is called on the session's reader goroutine, and for the
	// viewers setting on the board's room goroutine once the setting has changed.
	Signal(s *Session, m *Message)
	// Leave is called once when a session ends, whether or not it was in voice.
	Leave(s *Session)
	// Close hangs up every call and waits until nothing of them is left.
	Close()
}

// VoiceSignal is a validated voice message: Op and the fields that op takes.
type VoiceSignal struct {
	Op        string
	SDP       string // offer, answer
	Candidate string // candidate; "" means the client has no more candidates
	Mid       string // candidate: the media section it belongs to; may be empty
	Muted     bool   // mute
	Allow     bool   // viewers: whether view-only visitors may use voice
}

const (
	// MaxSDP is the largest session description a client may send. An answer grows by
	// about 500 bytes for every other person in the call.
	MaxSDP = 64 << 10
	// MaxCandidate is the longest ICE candidate line.
	MaxCandidate = 512
	// maxMid is the longest media section id (RFC 8843 allows 16 characters; browsers
	// use small numbers).
	maxMid = 32
)

// voice validates a voice message: each op carries exactly its own fields.
func (m *Message) voice(w *wireMsg) error {
	v := &VoiceSignal{Op: w.Op}
	has := func(sdp, cand, mute, allow bool) bool {
		return (w.SDP != nil) == sdp && (w.Candidate != nil || w.Mid != nil) == cand && (w.Muted != nil) == mute && (w.Allow != nil) == allow
	}
	switch w.Op {
	case VoiceJoin, VoiceLeave:
		if !has(false, false, false, false) {
			return errorf(EBadMessage, "voice %s takes no other fields", w.Op)
		}
	case VoiceOffer, VoiceAnswer:
		if !has(true, false, false, false) {
			return errorf(EBadMessage, "voice %s takes sdp and nothing else", w.Op)
		}
		if err := checkSDP(*w.SDP); err != nil {
			return err
		}
		v.SDP = *w.SDP
	case VoiceCandidate:
		if w.Candidate == nil || !has(false, true, false, false) {
			return errorf(EBadMessage, "voice candidate takes candidate and mid")
		}
		if err := checkCandidate(*w.Candidate); err != nil {
			return err
		}
		v.Candidate = *w.Candidate
		if w.Mid != nil {
			if len(*w.Mid) > maxMid || !printableASCII(*w.Mid) {
				return errorf(EBadValue, "mid has at most %d printable characters", maxMid)
			}
			v.Mid = *w.Mid
		}
	case VoiceMute:
		if !has(false, false, true, false) {
			return errorf(EBadMessage, "voice mute takes muted (true or false)")
		}
		v.Muted = *w.Muted
	case VoiceViewers:
		if !has(false, false, false, true) {
			return errorf(EBadMessage, "voice viewers takes allow (true or false)")
		}
		v.Allow = *w.Allow
	case "":
		return errorf(EBadMessage, "a voice message needs an op")
	default:
		return errorf(EBadMessage, "unknown voice op %q; ops are join, offer, answer, candidate, mute, leave and viewers", clip(w.Op))
	}
	m.Voice = v
	return nil
}

// checkSDP refuses what is plainly not a session description. Whether it describes a
// call the server can take is for the SFU to say.
func checkSDP(s string) error {
	switch {
	case len(s) > MaxSDP:
		return errorf(EVoiceBadSDP, "a session description has at most %d bytes, this one %d", MaxSDP, len(s))
	case !strings.HasPrefix(s, "v=0\r\n") && !strings.HasPrefix(s, "v=0\n"):
		return errorf(EVoiceBadSDP, "a session description starts with v=0")
	case !utf8.ValidString(s):
		return errorf(EVoiceBadSDP, "a session description must be UTF-8")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\r' && c != '\n' && c != '\t' {
			return errorf(EVoiceBadSDP, "a session description has no control characters")
		}
	}
	return nil
}

// checkCandidate accepts "" (end of candidates) or one "candidate:…" attribute value.
func checkCandidate(s string) error {
	if s == "" {
		return nil
	}
	if len(s) > MaxCandidate || !strings.HasPrefix(s, "candidate:") || !printableASCII(s) || len(strings.Fields(s)) < 8 {
		return errorf(EBadValue, "candidate must be one ICE candidate line (candidate:foundation component transport priority address port typ type …), at most %d characters", MaxCandidate)
	}
	return nil
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// voice routes a voice message: the board setting goes through the room (it is stored),
// everything else to the SFU.
func (s *Session) voice(m *Message) {
	v := s.svc.cfg.Voice
	switch {
	case v == nil:
		s.refuse(&Error{Code: EVoiceOff, Msg: "voice chat is turned off on this server"}, "")
	case m.Voice.Op == VoiceViewers:
		if s.Role != RoleEditor {
			s.refuse(&Error{Code: EViewOnly, Msg: "only editors can change who may use voice"}, "")
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
func (r *room) setViewerVoice(s *Session, m *Message) {
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
