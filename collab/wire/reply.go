package wire

import "encoding/json"

// ServerMessage is a server → client message as JSON (docs/protocol.md), with the
// fields a client needs to route it. The server writes its messages by hand, once per
// broadcast (OpsFrame, AppendString); TestServerMessageReadsOpsFrame holds the two
// together. The Go client (internal/client) reads every message into one.
type ServerMessage struct {
	T        string            `json:"t"`
	Seq      int64             `json:"seq"`
	CID      string            `json:"cid"`
	By       string            `json:"by"`
	At       int64             `json:"at"`
	SID      string            `json:"sid"`
	Role     string            `json:"role"`
	Name     string            `json:"name"`
	Color    string            `json:"color"`
	Title    string            `json:"title"`
	Canvas   string            `json:"canvas"`
	Reset    bool              `json:"reset"`
	Ops      []json.RawMessage `json:"ops"`
	Elements []json.RawMessage `json:"elements"`
	Code     string            `json:"code"`
	Message  string            `json:"msg"`
	X        float64           `json:"x"`
	Y        float64           `json:"y"`
	Raw      []byte            `json:"-"` // the frame as read, when a client keeps it
}
