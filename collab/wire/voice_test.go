package wire

import (
	"strings"
	"testing"
)

type voiceCase struct {
	name, in string
	want     VoiceSignal
	code     string
}

// voiceCases are voice frames and what they decode to, or the code refusing them.
func voiceCases() []voiceCase {
	cand := "candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host"
	return []voiceCase{
		{"Join", `{"t":"voice","op":"join"}`, VoiceSignal{Op: VoiceJoin}, ""},
		{"Leave", `{"t":"voice","op":"leave"}`, VoiceSignal{Op: VoiceLeave}, ""},
		{"Offer", `{"t":"voice","op":"offer","sdp":"v=0\r\ns=-\r\n"}`, VoiceSignal{Op: VoiceOffer, SDP: "v=0\r\ns=-\r\n"}, ""},
		{"Answer", `{"t":"voice","op":"answer","sdp":"v=0\n"}`, VoiceSignal{Op: VoiceAnswer, SDP: "v=0\n"}, ""},
		{"Candidate", `{"t":"voice","op":"candidate","candidate":"` + cand + `","mid":"0"}`, VoiceSignal{Op: VoiceCandidate, Candidate: cand, Mid: "0"}, ""},
		{"EndOfCandidates", `{"t":"voice","op":"candidate","candidate":""}`, VoiceSignal{Op: VoiceCandidate}, ""},
		{"Mute", `{"t":"voice","op":"mute","muted":true}`, VoiceSignal{Op: VoiceMute, Muted: true}, ""},
		{"Viewers", `{"t":"voice","op":"viewers","allow":false}`, VoiceSignal{Op: VoiceViewers}, ""},
		{"NoOp", `{"t":"voice"}`, VoiceSignal{}, EBadMessage},
		{"UnknownOp", `{"t":"voice","op":"call"}`, VoiceSignal{}, EBadMessage},
		{"UnknownField", `{"t":"voice","op":"join","volume":3}`, VoiceSignal{}, EUnknownField},
		{"JoinWithSDP", `{"t":"voice","op":"join","sdp":"v=0\n"}`, VoiceSignal{}, EBadMessage},
		{"OfferWithoutSDP", `{"t":"voice","op":"offer"}`, VoiceSignal{}, EBadMessage},
		{"OfferNotSDP", `{"t":"voice","op":"offer","sdp":"hello"}`, VoiceSignal{}, EVoiceBadSDP},
		{"OfferControlChars", `{"t":"voice","op":"offer","sdp":"v=0\n\u0000"}`, VoiceSignal{}, EVoiceBadSDP},
		{"OfferTooBig", `{"t":"voice","op":"offer","sdp":"v=0\n` + strings.Repeat("a", MaxSDP) + `"}`, VoiceSignal{}, EVoiceBadSDP},
		{"SDPNotString", `{"t":"voice","op":"offer","sdp":7}`, VoiceSignal{}, EBadValue},
		{"CandidateNotACandidate", `{"t":"voice","op":"candidate","candidate":"hello"}`, VoiceSignal{}, EBadValue},
		{"CandidateTooLong", `{"t":"voice","op":"candidate","candidate":"` + cand + strings.Repeat(" x", MaxCandidate) + `"}`, VoiceSignal{}, EBadValue},
		{"CandidateNewline", `{"t":"voice","op":"candidate","candidate":"` + cand + `\r\na=x"}`, VoiceSignal{}, EBadValue},
		{"MidOnly", `{"t":"voice","op":"candidate","mid":"0"}`, VoiceSignal{}, EBadMessage},
		{"MidTooLong", `{"t":"voice","op":"candidate","candidate":"","mid":"` + strings.Repeat("1", 40) + `"}`, VoiceSignal{}, EBadValue},
		{"MuteWithoutMuted", `{"t":"voice","op":"mute"}`, VoiceSignal{}, EBadMessage},
		{"MutedNotBool", `{"t":"voice","op":"mute","muted":"yes"}`, VoiceSignal{}, EBadValue},
		{"ViewersWithoutAllow", `{"t":"voice","op":"viewers"}`, VoiceSignal{}, EBadMessage},
	}
}

func TestDecodeVoice(t *testing.T) {
	for _, tc := range voiceCases() {
		t.Run(tc.name, func(t *testing.T) {
			m, err := DecodeMessage([]byte(tc.in), &DefaultLimits)
			if tc.code != "" {
				if got := ErrorCode(err); got != tc.code {
					t.Fatalf("error %v, want code %s", err, tc.code)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Type != MsgVoice || m.Voice == nil || *m.Voice != tc.want {
				t.Fatalf("got %+v %+v, want %+v", m, m.Voice, tc.want)
			}
		})
	}
}

var voiceSeeds = []string{
	`{"t":"voice","op":"join"}`,
	`{"t":"voice","op":"offer","sdp":"v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\n"}`,
	`{"t":"voice","op":"candidate","candidate":"candidate:1 1 udp 1 127.0.0.1 9 typ host","mid":"0"}`,
	`{"t":"voice","op":"mute","muted":false}`,
	`{"t":"voice","op":"viewers","allow":true}`,
}

func FuzzDecodeVoice(f *testing.F) {
	for _, seed := range voiceSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := DecodeMessage(data, &DefaultLimits)
		if err == nil && m.Type == MsgVoice {
			v := m.Voice
			if v == nil || len(v.SDP) > MaxSDP || len(v.Candidate) > MaxCandidate || len(v.Mid) > maxMid {
				t.Fatalf("accepted %q as %+v", data, v)
			}
		}
	})
}
