package loadtest

import (
	"testing"

	"tabula/collab/wire"
)

func TestScanFindsTopLevelFields(t *testing.T) {
	ops := []byte(`{"t":"ops","seq":43,"cid":"abc.1.2.3","by":"k3J9","at":1732480000123,"ops":[` +
		`{"o":"put","el":{"id":"a1","type":"text","text":"\"seq\":7 \"cid\":\"x\"","v":1}}]}`)
	if got := string(msgType(ops)); got != "ops" {
		t.Errorf("type = %q, want ops", got)
	}
	if seq, ok := intField(ops, "seq"); !ok || seq != 43 {
		t.Errorf("seq = %d %v, want 43", seq, ok)
	}
	if cid := string(strField(ops, "cid")); cid != "abc.1.2.3" {
		t.Errorf("cid = %q, want abc.1.2.3", cid)
	}
	cursor := []byte(`{"t":"cursor","sid":"s1","x":1234.567,"y":-1234.567}`)
	x, ok1 := floatField(cursor, "x")
	y, ok2 := floatField(cursor, "y")
	if !ok1 || !ok2 || x != 1234.567 || y != -x {
		t.Errorf("cursor x, y = %v %v (%v %v)", x, y, ok1, ok2)
	}
	if _, ok := intField([]byte(`{"t":"ack","cid":"c"}`), "seq"); ok {
		t.Error("found a seq that is not there")
	}
	if got := string(msgType([]byte(`{"seq":1,"t":"ack"}`))); got != "ack" {
		t.Errorf("type when not first = %q, want ack", got)
	}
}

func TestCIDRoundTrip(t *testing.T) {
	cid := appendCID(nil, "runid", 1234, 99, 5_000_000_123)
	if len(cid) > wire.MaxCIDLen {
		t.Fatalf("cid %s is longer than %d", cid, wire.MaxCIDLen)
	}
	sender, sent, ok := parseCID(cid, "runid")
	if !ok || sender != 1234 || sent != 5_000_000_123 {
		t.Fatalf("parse %s = %d %d %v", cid, sender, sent, ok)
	}
	for _, other := range []string{"runid2.1.2.3", "other.1.2.3", "runid.1.2", "runid", "c7Hq-17"} {
		if _, _, ok := parseCID([]byte(other), "runid"); ok {
			t.Errorf("%s taken for a cid of run runid", other)
		}
	}
}

// The server must accept every batch the writers make: decoding runs the same
// validation the server does before applying.
func TestOpMixIsValid(t *testing.T) {
	g := newOpGen("abcdefghw1n", 1, 2)
	kinds := map[wire.OpKind]int{}
	for i := range 1000 {
		ops, n := g.appendOps(nil)
		msg := append([]byte(`{"t":"ops","cid":"`), appendCID(nil, "abcdefgh", 1, int64(i), 1e9)...)
		msg = append(append(append(msg, `","ops":[`...), ops...), "]}"...)
		m, err := wire.DecodeMessage(msg, &wire.DefaultLimits)
		if err != nil {
			t.Fatalf("batch %d refused: %v\n%s", i, err, msg)
		}
		if len(m.Ops) != n {
			t.Fatalf("batch %d: %d ops reported, %d decoded", i, n, len(m.Ops))
		}
		for _, op := range m.Ops {
			kinds[op.Kind]++
		}
	}
	for _, k := range []wire.OpKind{wire.OpPut, wire.OpPatch, wire.OpDel} {
		if kinds[k] == 0 {
			t.Errorf("no op of kind %d in 1000 batches: %v", k, kinds)
		}
	}
}

// -ops move: a rectangle put once, then one small move per batch (issue 17's ~100-byte
// update), every batch valid and each move about 110 bytes as the client sends it.
func TestSmallOpsAreValidAndSmall(t *testing.T) {
	g := newOpGen("abcdefghw1n", 1, 2)
	g.small = true
	for i := range 200 {
		ops, n := g.appendOps(nil)
		msg := append([]byte(`{"t":"ops","cid":"`), appendCID(nil, "abcdefgh", 1, int64(i), 1e9)...)
		msg = append(append(append(msg, `","ops":[`...), ops...), "]}"...)
		m, err := wire.DecodeMessage(msg, &wire.DefaultLimits)
		if err != nil || n != 1 || len(m.Ops) != 1 {
			t.Fatalf("batch %d: %v, %d ops\n%s", i, err, n, msg)
		}
		want := wire.OpPatch
		if i == 0 {
			want = wire.OpPut
		}
		if m.Ops[0].Kind != want || i > 0 && len(msg) > 120 {
			t.Fatalf("batch %d (%d bytes) is not a small move: %s", i, len(msg), msg)
		}
	}
}
