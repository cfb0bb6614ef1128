package e2e

import (
	"testing"
	"time"

	"tabula/internal/client"
	"tabula/internal/redistest"
)

// voiceVia is a voice participant on a session opened with rejoin (which rides out a
// board moving between nodes).
func voiceVia(t *testing.T, url string) *voicePeer {
	t.Helper()
	p := rejoin(t, url, 0)
	v, err := client.NewVoice(p.c, p.sid, testICE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	if err := v.Join(); err != nil {
		t.Fatal(err)
	}
	if err := v.Wait("connected", wait, func(s client.VoiceState) bool { return s.Connected }); err != nil {
		t.Fatalf("%s: %v", p.sid, err)
	}
	return &voicePeer{Voice: v, sid: p.sid}
}

// TestClusterVoice: two people on a board, one through each node, hear each other: the
// call runs on the board's owner, and the other node relays its signalling with the
// rest of the connection. When the owner dies, both come back through the other node,
// which hosts the call once it holds the board, and hear each other again.
func TestClusterVoice(t *testing.T) {
	checkLeaks(t)
	srv := redistest.Start(t)
	nodes := startNodes(t, srv, 2, voiceOnLoopback)
	a, b := nodes[0], nodes[1]
	board := a.newBoard(t)
	onA := voiceVia(t, a.wsURL("/b/", board.ID))
	viaB := voiceVia(t, b.wsURL("/b/", board.ID))
	for _, p := range []*voicePeer{onA, viaB} {
		p.Talk(20*time.Millisecond, 30)
	}
	onA.hears(t, 10, viaB)
	viaB.hears(t, 10, onA)
	if a.voice.Stats().Rooms != 1 || b.voice.Stats().Rooms != 0 {
		t.Fatalf("voice rooms: A %d, B %d; want the call on the owner", a.voice.Stats().Rooms, b.voice.Stats().Rooms)
	}
	onA.StopTalking()
	viaB.StopTalking()

	a.svc.Crash()
	a.stop()
	again1 := voiceVia(t, b.wsURL("/b/", board.ID))
	again2 := voiceVia(t, b.wsURL("/b/", board.ID))
	for _, p := range []*voicePeer{again1, again2} {
		p.Talk(20*time.Millisecond, 30)
	}
	again1.hears(t, 10, again2)
	again2.hears(t, 10, again1)
	if b.voice.Stats().Rooms != 1 {
		t.Fatalf("B hosts %d calls; want the board's", b.voice.Stats().Rooms)
	}
}
