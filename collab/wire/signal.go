package wire

import "encoding/json"

// Signal is a voice message as JSON, in either direction (docs/protocol.md, "Voice"):
// the SFU (collab/voice) writes it to clients and the Go client (internal/client)
// writes and reads it. The server reads clients' voice messages with DecodeMessage
// (Message.Voice).
type Signal struct {
	T         string      `json:"t"`
	Op        string      `json:"op"`
	SDP       string      `json:"sdp,omitempty"`
	Candidate *string     `json:"candidate,omitempty"`
	Mid       *string     `json:"mid,omitempty"`
	ICE       []ICEServer `json:"ice,omitempty"`
	Max       int         `json:"max,omitempty"`
	Msg       string      `json:"msg,omitempty"`
	Muted     *bool       `json:"muted,omitempty"`
	Allow     *bool       `json:"allow,omitempty"`
}

// ICEServer is a STUN or TURN server as browsers take it in RTCPeerConnection's
// iceServers.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// Server → client voice ops besides offer, answer and candidate.
const (
	VoiceReady = "ready" // join accepted: ice servers to use, then send an offer
	VoiceLeft  = "left"  // the server ended your part in the call; msg says why
)

// Encode returns g as a voice frame (t is set to voice).
func (g *Signal) Encode() []byte {
	g.T = MsgVoice
	b, err := json.Marshal(g)
	if err != nil {
		panic("wire: encode signal: " + err.Error()) // plain strings always encode
	}
	return b
}
