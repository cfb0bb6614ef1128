package wire

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestServerMessageReadsOpsFrame reads the server's broadcast into ServerMessage with
// unknown fields refused, so that a field the encoder adds or renames shows up here.
func TestServerMessageReadsOpsFrame(t *testing.T) {
	m, err := DecodeMessage([]byte(`{"t":"ops","cid":"c1","ops":[{"o":"put","el":{"id":"a","type":"rect","z":"a0"}},{"o":"del","id":"b"}]}`), &DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	frame := OpsFrame(7, m.CID, "s1", 1700000000000, m.Ops)
	dec := json.NewDecoder(bytes.NewReader(frame))
	dec.DisallowUnknownFields()
	var got ServerMessage
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("%s: %v", frame, err)
	}
	if got.T != MsgOps || got.Seq != 7 || got.CID != "c1" || got.By != "s1" || got.At != 1700000000000 || len(got.Ops) != 2 {
		t.Fatalf("got %+v from %s", got, frame)
	}
}
