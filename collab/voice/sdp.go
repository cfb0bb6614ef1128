package voice

import (
	"strings"

	"github.com/pion/sdp/v3"

	"tabula/collab/wire"
)

// maxSections bounds the media sections of a client's offer: its own microphone, and on a
// renegotiation one section for every other person the server sends it.
const maxSectionsSlack = 8

// checkOffer refuses an offer the server cannot take: unparsable, with anything but
// audio, with no Opus, or sending more than one audio stream. A join offer (first) must
// send audio.
func checkOffer(raw string, first bool, maxPeople int) error {
	var d sdp.SessionDescription
	if err := d.UnmarshalString(raw); err != nil {
		return bad("the offer is not a valid session description")
	}
	if len(d.MediaDescriptions) == 0 {
		return bad("the offer has no audio")
	}
	if len(d.MediaDescriptions) > maxPeople+maxSectionsSlack {
		return bad("the offer has too many media sections")
	}
	sending := 0
	for _, m := range d.MediaDescriptions {
		if m.MediaName.Media != "audio" {
			return bad("voice carries audio only; the offer has " + clip(m.MediaName.Media))
		}
		if !hasOpus(m) {
			return bad("the offer's audio has no Opus codec")
		}
		if m.MediaName.Port.Value != 0 && sends(m) {
			sending++
		}
	}
	switch {
	case sending > 1:
		return bad("an offer sends one audio stream at most")
	case first && sending == 0:
		return bad("the offer sends no audio: add the microphone track (sendrecv or sendonly)")
	}
	return nil
}

func hasOpus(m *sdp.MediaDescription) bool {
	for _, a := range m.Attributes {
		if a.Key == "rtpmap" {
			if _, codec, ok := strings.Cut(a.Value, " "); ok && strings.HasPrefix(strings.ToLower(codec), "opus/48000") {
				return true
			}
		}
	}
	return false
}

// sends reports whether a media section's direction has its offerer sending.
func sends(m *sdp.MediaDescription) bool {
	for _, a := range m.Attributes {
		switch a.Key {
		case "recvonly", "inactive":
			return false
		case "sendrecv", "sendonly":
			return true
		}
	}
	return true // sendrecv is the default
}

func bad(msg string) error { return &wire.Error{Code: wire.EVoiceBadSDP, Msg: msg} }

func clip(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}
