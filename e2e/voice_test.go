package e2e

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"tabula/app/program"
	"tabula/collab"
	"tabula/collab/wire"
	"tabula/internal/client"
)

// voiceOnLoopback keeps the server's ICE on loopback, as every test must, and shortens
// the ICE timeouts so that vanished peers go in seconds.
func voiceOnLoopback(c *program.Config) {
	c.Voice.Loopback = true
	c.Voice.Disconnected = testICE.Disconnected
	c.Voice.Failed = testICE.Failed
	c.Voice.KeepAlive = testICE.KeepAlive
}

// testICE are the ICE timeouts of the tests' server and clients: a peer that vanished is
// noticed in 5 s rather than 30, with room for a loaded machine to connect.
var testICE = client.VoiceOptions{Loopback: true, Disconnected: 2 * time.Second, Failed: 3 * time.Second, KeepAlive: 250 * time.Millisecond}

// voicePeer is a board session with a Go voice participant on it.
type voicePeer struct {
	*client.Voice
	sid string
}

// joinVoice connects to a board and joins its call, waiting until the connection is up.
func joinVoice(t *testing.T, url string) *voicePeer {
	t.Helper()
	v := openVoice(t, url)
	if err := v.Join(); err != nil {
		t.Fatal(err)
	}
	if err := v.Wait("connected", wait, func(s client.VoiceState) bool { return s.Connected }); err != nil {
		t.Fatalf("%s: %v", v.sid, err)
	}
	return v
}

// openVoice connects to a board with a voice participant that has not joined yet.
func openVoice(t *testing.T, url string) *voicePeer {
	t.Helper()
	p := join(t, url, 0)
	v, err := client.NewVoice(p.c, p.sid, testICE)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { v.Close() })
	return &voicePeer{Voice: v, sid: p.sid}
}

// hears waits until v has received at least n packets from each of from, and none of
// its own.
func (v *voicePeer) hears(t *testing.T, n int, from ...*voicePeer) {
	t.Helper()
	err := v.Wait(fmt.Sprintf("%d packets from each of %d others", n, len(from)), wait, func(s client.VoiceState) bool {
		for _, o := range from {
			if s.From[o.sid] < n {
				return false
			}
		}
		return true
	})
	if err != nil {
		t.Fatalf("%s: %v", v.sid, err)
	}
	if got := v.State().From[v.sid]; got != 0 {
		t.Fatalf("%s received %d packets of its own audio", v.sid, got)
	}
}

// streams is the sorted list of remote streams v's connection carries now.
func (v *voicePeer) streams() map[string]bool { return v.State().Streams }

func TestVoiceForwardsEachOthersAudio(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, voiceOnLoopback)
	b := ts.newBoard(t)
	url := ts.wsURL("/b/", b.ID)

	a, bo, c := joinVoice(t, url), joinVoice(t, url), joinVoice(t, url)
	for _, p := range []*voicePeer{a, bo, c} {
		p.Talk(20*time.Millisecond, 30)
	}
	a.hears(t, 10, bo, c)
	bo.hears(t, 10, a, c)
	c.hears(t, 10, a, bo)
	for _, p := range []*voicePeer{a, bo, c} {
		s := p.streams()
		if len(s) != 2 || s[p.sid] {
			t.Errorf("%s: streams %v, want the two others", p.sid, s)
		}
	}
	if st := ts.voice.Stats(); st.Rooms != 1 || st.People != 3 || st.PacketsIn == 0 || st.Forwarded <= st.PacketsIn {
		t.Errorf("stats %+v: want one room of three, packets forwarded to more than one", st)
	}
	// Nobody's own stream, and nothing unattributed.
	for _, p := range []*voicePeer{a, bo, c} {
		for from := range p.State().From {
			if from == p.sid || (from != a.sid && from != bo.sid && from != c.sid) {
				t.Errorf("%s received audio attributed to %q", p.sid, from)
			}
		}
	}

	t.Run("LeavingRemovesTheTrack", func(t *testing.T) {
		if err := c.Leave(); err != nil {
			t.Fatal(err)
		}
		for _, p := range []*voicePeer{a, bo} {
			if err := p.Wait("c's stream gone", wait, func(s client.VoiceState) bool { return !s.Streams[c.sid] && len(s.Streams) == 1 }); err != nil {
				t.Fatalf("%s: %v", p.sid, err)
			}
		}
		before := a.State().From[c.sid]
		a.hears(t, a.State().From[bo.sid]+20, bo)
		if after := a.State().From[c.sid]; after > before {
			t.Errorf("a still gets c's audio after c left: %d packets, then %d", before, after)
		}
	})

	t.Run("FourthJoinsMidCall", func(t *testing.T) {
		offers := a.State().Offers
		d := joinVoice(t, url)
		d.Talk(20*time.Millisecond, 30)
		d.hears(t, 10, a, bo)
		a.hears(t, 10, d)
		bo.hears(t, 10, d)
		if a.State().Offers <= offers {
			t.Errorf("a got no new offer when d joined")
		}
		if s := d.streams(); len(s) != 2 || !s[a.sid] || !s[bo.sid] {
			t.Errorf("d's streams %v, want a and b", s)
		}
	})
}

// presenceVoice follows board id's presence until sid's voice state is want.
func presenceVoice(t *testing.T, ts *testServer, id, sid, want string) {
	t.Helper()
	sub := ts.svc.Subscribe(id, "")
	defer sub.Unsubscribe()
	deadline := time.After(wait)
	needle := `"sid":"` + sid + `"`
	for {
		select {
		case ev, ok := <-sub.C:
			if !ok {
				t.Fatal("presence stream closed")
			}
			for _, line := range strings.Split(string(ev), "\n") {
				data, ok := strings.CutPrefix(line, "data: ")
				if !ok {
					continue
				}
				for _, obj := range strings.SplitAfter(data, "},") {
					if strings.Contains(obj, needle) && strings.Contains(obj, `"voice":"`+want+`"`) {
						return
					}
				}
			}
		case <-deadline:
			t.Fatalf("presence never showed %s as %q", sid, want)
		}
	}
}

func TestVoicePresence(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, voiceOnLoopback)
	b := ts.newBoard(t)
	url := ts.wsURL("/b/", b.ID)
	a, bo := joinVoice(t, url), joinVoice(t, url)
	presenceVoice(t, ts, b.ID, a.sid, collab.VoiceIn)
	a.Talk(20*time.Millisecond, 30) // loud
	bo.Talk(20*time.Millisecond, 127)
	presenceVoice(t, ts, b.ID, a.sid, collab.VoiceSpeaking)
	bo.hears(t, 5, a)
	presenceVoice(t, ts, b.ID, bo.sid, collab.VoiceIn)
	if err := a.Mute(true); err != nil {
		t.Fatal(err)
	}
	presenceVoice(t, ts, b.ID, a.sid, collab.VoiceMuted)
	// Muted audio is not forwarded.
	n := bo.State().From[a.sid]
	a.hears(t, a.State().From[bo.sid]+20, bo)
	if got := bo.State().From[a.sid]; got > n+2 {
		t.Errorf("b got %d packets from a after a muted", got-n)
	}
	if err := a.Mute(false); err != nil {
		t.Fatal(err)
	}
	presenceVoice(t, ts, b.ID, a.sid, collab.VoiceSpeaking)
	if err := a.Leave(); err != nil {
		t.Fatal(err)
	}
	presenceVoice(t, ts, b.ID, a.sid, collab.VoiceNone)
}

// usage is what a leaked call would leave behind in this process, which runs both the
// server and the test clients: goroutines of pion and of the voice code, by where they
// wait, and open files (sockets included). The HTTP server's idle workers come and go
// by themselves and are not counted.
type usage struct {
	goroutines map[string]int
	total      int
	files      int
}

// stackNoise is what differs between two goroutines waiting in the same place: the
// arguments of each call, and which goroutine started them.
var stackNoise = regexp.MustCompile(`\((0x|\{|\.\.\.)[^()]*\)$|\(\)$| in goroutine \d+$`)

func resources() usage {
	buf := make([]byte, 8<<20)
	buf = buf[:runtime.Stack(buf, true)]
	u := usage{goroutines: map[string]int{}}
	for _, g := range strings.Split(string(buf), "\n\n") {
		if !strings.Contains(g, "github.com/pion/") && !strings.Contains(g, "tabula/collab/voice.") && !strings.Contains(g, "tabula/internal/client.(*Voice)") {
			continue
		}
		var calls []string
		for _, l := range strings.Split(g, "\n")[1:] {
			if !strings.HasPrefix(l, "\t") {
				calls = append(calls, stackNoise.ReplaceAllString(l, ""))
			}
		}
		u.goroutines[strings.Join(calls, " < ")]++
		u.total++
	}
	fds, _ := os.ReadDir("/proc/self/fd")
	u.files = len(fds)
	return u
}

// settled returns the resources once they have stopped changing (the same for half a
// second): what is left of calls that just ended has gone.
func settled() usage {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	deadline := time.Now().Add(wait)
	u, same := resources(), 0
	for same < 5 && time.Now().Before(deadline) {
		<-tick.C
		next := resources()
		if next.total == u.total && next.files == u.files {
			same++
		} else {
			same = 0
		}
		u = next
	}
	return u
}

// backToBaseline waits until voice goroutines and open files are back to at most the
// baseline, failing with the goroutines that are not if they are not.
func backToBaseline(t *testing.T, base usage) {
	t.Helper()
	deadline := time.Now().Add(wait)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		u := resources()
		if u.total <= base.total && u.files <= base.files {
			return
		}
		if time.Now().After(deadline) {
			var extra []string
			for stack, n := range u.goroutines {
				if n != base.goroutines[stack] {
					extra = append(extra, fmt.Sprintf("%+d: %s", n-base.goroutines[stack], stack))
				}
			}
			for stack, n := range base.goroutines {
				if _, ok := u.goroutines[stack]; !ok {
					extra = append(extra, fmt.Sprintf("%+d: %s", -n, stack))
				}
			}
			t.Fatalf("leak: %d voice goroutines (baseline %d), %d open files (baseline %d)\n%s",
				u.total, base.total, u.files, base.files, strings.Join(extra, "\n"))
		}
		<-tick.C
	}
}

// inVoice waits until the server has n people in voice.
func inVoice(t *testing.T, ts *testServer, n int) {
	t.Helper()
	deadline := time.Now().Add(wait)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for ts.voice.Stats().People != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d people in voice, want %d", ts.voice.Stats().People, n)
		}
		<-tick.C
	}
}

// voiceError waits for an error with code on v.
func (v *voicePeer) voiceError(t *testing.T, code string) *client.Msg {
	t.Helper()
	var got *client.Msg
	err := v.Wait("error "+code, wait, func(s client.VoiceState) bool {
		for _, e := range s.Errors {
			if e.Code == code {
				got = e
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("%s: %v", v.sid, err)
	}
	if got.Message == "" {
		t.Errorf("error %s has no message", code)
	}
	return got
}

func TestVoiceHostileInput(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, voiceOnLoopback, func(c *program.Config) { c.Voice.Max = 3 })
	b := ts.newBoard(t)
	url := ts.wsURL("/b/", b.ID)
	base := resources()

	audio := "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
	videoOnly := audio + "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendrecv\r\na=rtpmap:96 VP8/90000\r\n"
	noOpus := audio + "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendrecv\r\na=rtpmap:0 PCMU/8000\r\n"
	noCrypto := audio + "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\na=sendrecv\r\na=rtpmap:111 opus/48000/2\r\n"
	candidate := "candidate:1 1 udp 2130706431 127.0.0.1 40000 typ host"

	cases := []struct {
		name  string
		join  bool   // send join first
		frame string // then this
		code  string
	}{
		{"MalformedSDP", true, `{"t":"voice","op":"offer","sdp":"v=0\r\nthis is not sdp"}`, wire.EVoiceBadSDP},
		{"NotSDPAtAll", true, `{"t":"voice","op":"offer","sdp":"hello"}`, wire.EVoiceBadSDP},
		{"VideoOnly", true, `{"t":"voice","op":"offer","sdp":` + jsString(videoOnly) + `}`, wire.EVoiceBadSDP},
		{"NoOpus", true, `{"t":"voice","op":"offer","sdp":` + jsString(noOpus) + `}`, wire.EVoiceBadSDP},
		{"NoFingerprint", true, `{"t":"voice","op":"offer","sdp":` + jsString(noCrypto) + `}`, wire.EVoiceBadSDP},
		{"HugeSDP", true, `{"t":"voice","op":"offer","sdp":"v=0\r\n` + strings.Repeat("a=x\\r\\n", wire.MaxSDP/5) + `"}`, wire.EVoiceBadSDP},
		{"AnswerWithNoOffer", true, `{"t":"voice","op":"answer","sdp":` + jsString(noCrypto) + `}`, wire.EVoiceBadSDP},
		{"CandidateBeforeOffer", true, `{"t":"voice","op":"candidate","candidate":"` + candidate + `"}`, wire.EBadMessage},
		{"CandidateNotInVoice", false, `{"t":"voice","op":"candidate","candidate":"` + candidate + `","mid":"0"}`, wire.EVoiceNotJoined},
		{"OfferNotInVoice", false, `{"t":"voice","op":"offer","sdp":` + jsString(noCrypto) + `}`, wire.EVoiceNotJoined},
		{"AnswerNotInVoice", false, `{"t":"voice","op":"answer","sdp":` + jsString(noCrypto) + `}`, wire.EVoiceNotJoined},
		{"MuteNotInVoice", false, `{"t":"voice","op":"mute","muted":true}`, wire.EVoiceNotJoined},
		{"GarbageCandidate", true, `{"t":"voice","op":"candidate","candidate":"<script>"}`, wire.EBadValue},
		{"UnknownOp", false, `{"t":"voice","op":"dial"}`, wire.EBadMessage},
		{"StrayField", false, `{"t":"voice","op":"join","sdp":"v=0\r\n"}`, wire.EBadMessage},
		{"ViewersFromNobody", false, `{"t":"voice","op":"viewers"}`, wire.EBadMessage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := openVoice(t, url)
			if tc.join {
				// Join by hand, so that the client does not offer by itself.
				if err := v.SendRaw([]byte(`{"t":"voice","op":"join"}`)); err != nil {
					t.Fatal(err)
				}
			}
			if err := v.SendRaw([]byte(tc.frame)); err != nil {
				t.Fatal(err)
			}
			v.voiceError(t, tc.code)
			v.Close()
		})
	}

	t.Run("MoreThanTheCap", func(t *testing.T) {
		in := []*voicePeer{joinVoice(t, url), joinVoice(t, url), joinVoice(t, url)}
		extra := openVoice(t, url)
		if err := extra.Join(); err != nil {
			t.Fatal(err)
		}
		if e := extra.voiceError(t, wire.EVoiceFull); !strings.Contains(e.Message, "full") {
			t.Errorf("message %q does not say the call is full", e.Message)
		}
		// When someone leaves there is room again.
		if err := in[0].Leave(); err != nil {
			t.Fatal(err)
		}
		presenceVoice(t, ts, b.ID, in[0].sid, collab.VoiceNone)
		extra2 := joinVoice(t, url)
		extra2.Talk(20*time.Millisecond, 30)
		in[1].hears(t, 5, extra2)
		for _, p := range append(in, extra, extra2) {
			p.Close()
		}
	})

	t.Run("ViewersSwitchedOff", func(t *testing.T) {
		viewerURL := ts.wsURL("/v/", b.ViewID)
		viewer := joinVoice(t, viewerURL) // viewers may talk by default
		editor := openVoice(t, url)
		if err := viewer.SendRaw([]byte(`{"t":"voice","op":"viewers","allow":false}`)); err != nil {
			t.Fatal(err)
		}
		viewer.voiceError(t, wire.EViewOnly)
		if err := editor.SendRaw([]byte(`{"t":"voice","op":"viewers","allow":false}`)); err != nil {
			t.Fatal(err)
		}
		if err := viewer.Wait("removed from voice", wait, func(s client.VoiceState) bool { return s.Left != "" }); err != nil {
			t.Fatal(err)
		}
		late := openVoice(t, viewerURL)
		if err := late.Join(); err != nil {
			t.Fatal(err)
		}
		late.voiceError(t, wire.EVoiceOff)
		// Everyone on the board is told, and the setting is stored with the board.
		if err := viewer.Wait("the setting", wait, func(s client.VoiceState) bool { return s.Viewers != nil && !*s.Viewers }); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(wait)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			meta, err := ts.svc.Board(context.Background(), b.ID)
			if err == nil && meta.NoViewerVoice {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("stored board: %+v, %v; want NoViewerVoice", meta, err)
			}
			<-tick.C
		}
		if err := editor.SendRaw([]byte(`{"t":"voice","op":"viewers","allow":true}`)); err != nil {
			t.Fatal(err)
		}
		again := openVoice(t, viewerURL)
		if err := again.Join(); err != nil {
			t.Fatal(err)
		}
		if err := again.Wait("ready", wait, func(s client.VoiceState) bool { return s.Connected }); err != nil {
			t.Fatal(err)
		}
		for _, p := range []*voicePeer{viewer, editor, late, again} {
			p.Close()
		}
	})

	// The server is still serving, and everything the hostile clients caused is gone.
	ok := joinVoice(t, url)
	ok.Close()
	backToBaseline(t, base)
}

// TestVoiceChurnLeavesNothingBehind joins and leaves 100 times, in every way a client
// can go: leave, closing the WebSocket, hanging up the PeerConnection, vanishing
// without a word (ICE times out), and joining without ever offering.
func TestVoiceChurnLeavesNothingBehind(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, voiceOnLoopback, func(c *program.Config) { c.Voice.ConnectTimeout = 6 * time.Second })
	b := ts.newBoard(t)
	url := ts.wsURL("/b/", b.ID)
	stay := joinVoice(t, url) // someone stays in the call throughout
	stay.Talk(20*time.Millisecond, 30)
	warm := joinVoice(t, url)
	warm.Close()
	inVoice(t, ts, 1)
	base := settled()

	const cycles, workers = 100, 4
	errs := make(chan error, cycles)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w * cycles / workers; i < (w+1)*cycles/workers; i++ {
				if err := churnOnce(url, i, &wg, errs); err != nil {
					errs <- fmt.Errorf("cycle %d: %w", i, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// Everyone who left is out of the call: the one who stayed carries no stream.
	if err := stay.Wait("no streams left", wait, func(s client.VoiceState) bool { return len(s.Streams) == 0 }); err != nil {
		t.Fatal(err)
	}
	inVoice(t, ts, 1)
	backToBaseline(t, base)
}

// churnOnce is one join and one way of going, chosen by i. The ways that take the
// server a while to notice (ICE timing out, a connect deadline passing) are waited for
// in the background, under wg; their failures go to errs.
func churnOnce(url string, i int, wg *sync.WaitGroup, errs chan<- error) error {
	c, _, err := client.Dial(url, "")
	if err != nil {
		return err
	}
	w, err := c.Hello(0, "churn", time.Now().Add(wait))
	if err != nil {
		c.WS.Close()
		return err
	}
	v, err := client.NewVoice(c, w.SID, testICE)
	if err != nil {
		c.WS.Close()
		return err
	}
	later := func(what string) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer v.Close()
			if err := v.Wait(what, wait, func(s client.VoiceState) bool { return s.Left != "" }); err != nil {
				errs <- fmt.Errorf("cycle %d: %w", i, err)
			}
		}()
	}
	if i%10 == 9 {
		// Joins by hand and never offers: the connect deadline removes it.
		if err := v.SendRaw([]byte(`{"t":"voice","op":"join"}`)); err != nil {
			v.Close()
			return err
		}
		later("removed after the connect deadline")
		return nil
	}
	if err := v.Join(); err != nil {
		v.Close()
		return err
	}
	if err := v.Wait("connected", wait, func(s client.VoiceState) bool { return s.Connected }); err != nil {
		v.Close()
		return err
	}
	v.Talk(20*time.Millisecond, 30)
	switch i % 5 {
	case 0, 1: // polite
		err = v.Leave()
	case 2: // tab closed: the WebSocket goes, no leave
	case 3: // hangs up the PeerConnection but stays on the board
		v.StopTalking()
		v.HangUp()
		later("removed after hanging up")
		return nil
	default: // network gone: nothing more is sent or answered; ICE fails on the server
		v.Freeze()
		later("removed when ICE failed")
		return nil
	}
	v.Close()
	return err
}
