package wire

import (
	"strings"
	"unicode/utf8"
)

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
			return Errorf(EBadMessage, "voice %s takes no other fields", w.Op)
		}
	case VoiceOffer, VoiceAnswer:
		if !has(true, false, false, false) {
			return Errorf(EBadMessage, "voice %s takes sdp and nothing else", w.Op)
		}
		if err := checkSDP(*w.SDP); err != nil {
			return err
		}
		v.SDP = *w.SDP
	case VoiceCandidate:
		if w.Candidate == nil || !has(false, true, false, false) {
			return Errorf(EBadMessage, "voice candidate takes candidate and mid")
		}
		if err := checkCandidate(*w.Candidate); err != nil {
			return err
		}
		v.Candidate = *w.Candidate
		if w.Mid != nil {
			if len(*w.Mid) > maxMid || !printableASCII(*w.Mid) {
				return Errorf(EBadValue, "mid has at most %d printable characters", maxMid)
			}
			v.Mid = *w.Mid
		}
	case VoiceMute:
		if !has(false, false, true, false) {
			return Errorf(EBadMessage, "voice mute takes muted (true or false)")
		}
		v.Muted = *w.Muted
	case VoiceViewers:
		if !has(false, false, false, true) {
			return Errorf(EBadMessage, "voice viewers takes allow (true or false)")
		}
		v.Allow = *w.Allow
	case "":
		return Errorf(EBadMessage, "a voice message needs an op")
	default:
		return Errorf(EBadMessage, "unknown voice op %q; ops are join, offer, answer, candidate, mute, leave and viewers", Clip(w.Op))
	}
	m.Voice = v
	return nil
}

// checkSDP refuses what is plainly not a session description. Whether it describes a
// call the server can take is for the SFU to say.
func checkSDP(s string) error {
	switch {
	case len(s) > MaxSDP:
		return Errorf(EVoiceBadSDP, "a session description has at most %d bytes, this one %d", MaxSDP, len(s))
	case !strings.HasPrefix(s, "v=0\r\n") && !strings.HasPrefix(s, "v=0\n"):
		return Errorf(EVoiceBadSDP, "a session description starts with v=0")
	case !utf8.ValidString(s):
		return Errorf(EVoiceBadSDP, "a session description must be UTF-8")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\r' && c != '\n' && c != '\t' {
			return Errorf(EVoiceBadSDP, "a session description has no control characters")
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
		return Errorf(EBadValue, "candidate must be one ICE candidate line (candidate:foundation component transport priority address port typ type …), at most %d characters", MaxCandidate)
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
