package voice

import (
	"encoding/json"

	"tabula/collab/wire"
)

// ICEServer is a STUN or TURN server as browsers take it in RTCPeerConnection's
// iceServers.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// signal is a server → client voice message (docs/protocol.md, "Voice").
type signal struct {
	T         string      `json:"t"`
	Op        string      `json:"op"`
	SDP       string      `json:"sdp,omitempty"`
	Candidate *string     `json:"candidate,omitempty"`
	Mid       *string     `json:"mid,omitempty"`
	ICE       []ICEServer `json:"ice,omitempty"`
	Max       int         `json:"max,omitempty"`
	Msg       string      `json:"msg,omitempty"`
}

// Server → client ops besides offer, answer and candidate.
const (
	opReady = "ready" // join accepted: ice servers to use, then send an offer
	opLeft  = "left"  // the server ended your part in the call; msg says why
)

func (g *signal) encode() []byte {
	g.T = wire.MsgVoice
	b, err := json.Marshal(g)
	if err != nil {
		panic("voice: encode signal: " + err.Error()) // plain strings always encode
	}
	return b
}

// errorFrame is an error message as collab sends them.
func errorFrame(code, msg string) []byte {
	b, err := json.Marshal(struct {
		T    string `json:"t"`
		Code string `json:"code"`
		Msg  string `json:"msg"`
	}{"error", code, msg})
	if err != nil {
		panic("voice: encode error: " + err.Error())
	}
	return b
}
