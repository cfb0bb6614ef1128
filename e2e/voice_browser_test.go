package e2e

import (
	"context"
	endian "encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// speechLikeWAV writes a mono 48 kHz WAV of seconds of a tone that rises and falls in
// pitch and comes in syllable-like bursts, loud enough to count as speaking. A steady
// sine would be taken for noise and suppressed by the noise suppression voice asks for.
func speechLikeWAV(t *testing.T, seconds int) string {
	t.Helper()
	const rate = 48000
	n := rate * seconds
	b := make([]byte, 44+2*n)
	copy(b, "RIFF")
	endian.LittleEndian.PutUint32(b[4:], uint32(36+2*n))
	copy(b[8:], "WAVEfmt ")
	endian.LittleEndian.PutUint32(b[16:], 16)
	endian.LittleEndian.PutUint16(b[20:], 1) // PCM
	endian.LittleEndian.PutUint16(b[22:], 1) // mono
	endian.LittleEndian.PutUint32(b[24:], rate)
	endian.LittleEndian.PutUint32(b[28:], rate*2)
	endian.LittleEndian.PutUint16(b[32:], 2)
	endian.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	endian.LittleEndian.PutUint32(b[40:], uint32(2*n))
	phase := 0.0
	for i := range n {
		s := float64(i) / rate
		f := 220 + 120*math.Sin(2*math.Pi*0.7*s) // a voice's pitch, moving
		phase += 2 * math.Pi * f / rate
		env := 0.55 + 0.45*math.Sin(2*math.Pi*4*s) // four syllables a second
		v := 0.6 * env * (math.Sin(phase) + 0.3*math.Sin(2*phase) + 0.15*math.Sin(3*phase))
		endian.LittleEndian.PutUint16(b[44+2*i:], uint16(int16(v*20000)))
	}
	path := filepath.Join(t.TempDir(), "speech.wav")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// inboundAudio is what a page's connection has received: bytes and the current audio
// level of every inbound audio stream, summed.
type inboundAudio struct {
	Bytes float64 `json:"bytes"`
	Level float64 `json:"level"`
}

func (tb *tab) inbound() inboundAudio {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, wait)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[inboundAudio](`(async () => {
		const out = {bytes: 0, level: 0};
		const pc = tabula.voice.pc;
		if (!pc) return out;
		(await pc.getStats()).forEach((r) => {
			if (r.type === 'inbound-rtp' && r.kind === 'audio') {
				out.bytes += r.bytesReceived ?? 0;
				out.level += r.audioLevel ?? 0;
			}
		});
		return out;
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("%s: getStats: %v", tb.name, err)
	}
	return v
}

// waitInbound polls the tab's inbound audio until cond holds.
func (tb *tab) waitInbound(what string, cond func(inboundAudio) bool) inboundAudio {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, wait)
	defer cancel()
	var last inboundAudio
	for {
		if last = tb.inbound(); cond(last) {
			return last
		}
		select {
		case <-ctx.Done():
			tb.t.Fatalf("%s: waiting for %s: last %+v", tb.name, what, last)
		default:
		}
		tb.nextFrame()
	}
}

func TestBrowserVoice(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	journeyVoice(t, oneServer(startServer(t, voiceOnLoopback).URL))
}

// journeyVoice is TestBrowserVoice on site s, with the people ana (who makes the board)
// and bo. Across nodes the call is on the node that owns the board, and the other's
// signalling is relayed to it; the controls of one page (push-to-talk, settings, keys)
// are left to the run on one server.
func journeyVoice(t *testing.T, s site) {
	browser := newBrowser(t,
		chromedp.Flag("use-fake-device-for-media-stream", true),
		chromedp.Flag("use-fake-ui-for-media-stream", true),
		chromedp.Flag("use-file-for-fake-audio-capture", speechLikeWAV(t, 6)),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		// ICE stays on this machine: Chromium offers its loopback address too, and
		// real addresses rather than mDNS names (nothing is announced on the network).
		chromedp.Flag("allow-loopback-in-peer-connection", true),
		chromedp.Flag("disable-features", "WebRtcHideLocalIpsWithMdns"),
	)
	ana := createBoard(t, browser, "ana", s.home("ana"))
	bo := openTab(t, browser, "bo", s.link(t, "bo", ana.shareLink("edit")))

	for _, tb := range []*tab{ana, bo} {
		tb.waitFor("the join button", `!document.getElementById('voice-bar').hidden`)
		tb.do("join voice", chromedp.Click(chromedp.ID("voice-join")))
	}
	for _, tb := range []*tab{ana, bo} {
		tb.waitFor("in voice", `tabula.voice.state === 'on' && tabula.voice.pc.connectionState === 'connected' && tabula.voice.heard().length === 1`)
	}
	anaSID := eval[string](ana, `tabula.sync.sid`)
	boSID := eval[string](bo, `tabula.sync.sid`)
	if got := eval[[]string](ana, `tabula.voice.heard()`); len(got) != 1 || got[0] != boSID {
		t.Errorf("ana hears %v, want bo (%s)", got, boSID)
	}

	// Each page receives the other's audio.
	for _, tb := range []*tab{ana, bo} {
		first := tb.waitInbound("audio bytes", func(a inboundAudio) bool { return a.Bytes > 0 })
		tb.waitInbound("more audio bytes", func(a inboundAudio) bool { return a.Bytes > first.Bytes+2000 })
		tb.waitInbound("an audio level", func(a inboundAudio) bool { return a.Level > 0.01 })
	}

	// Speaking shows in the people panel.
	bo.waitFor("ana speaking on her avatar", `document.querySelector('#peers li[data-sid="`+anaSID+`"] .avatar')?.dataset.voice === 'speaking'`)
	ana.waitFor("bo speaking on his avatar", `document.querySelector('#peers li[data-sid="`+boSID+`"] .avatar')?.dataset.voice === 'speaking'`)

	if !s.spread() {
		voiceControls(t, ana, boSID)
	}

	// Mute silences the other side.
	ana.do("mute", chromedp.Click(chromedp.ID("voice-mute")))
	ana.waitFor("muted", `document.getElementById('voice-mute').getAttribute('aria-pressed') === 'true'`)
	bo.waitFor("ana muted in the people panel", `document.querySelector('#peers li[data-sid="`+anaSID+`"] .avatar')?.dataset.voice === 'muted'`)
	bo.waitInbound("ana's audio level gone", func(a inboundAudio) bool { return a.Level < 0.001 })
	ana.key("M", kb.ModifierShift)
	ana.waitFor("unmuted", `document.getElementById('voice-mute').getAttribute('aria-pressed') === 'false'`)
	bo.waitInbound("ana's audio back", func(a inboundAudio) bool { return a.Level > 0.01 })

	// Rejoins after the connection drops.
	// The WebSocket drops (as on a network change): the server ends that session's
	// call; the page reconnects with a new session and gets back into the call.
	// It is bo's: across nodes, his node forwards the new session to the owner, which
	// hosts the call.
	bo.do("drop the connection", chromedp.Evaluate[chromedp.Void](`tabula.sync.ws.close()`))
	bo.waitFor("a new session", `tabula.sync.online && tabula.sync.sid !== `+jsString(boSID))
	boSID = eval[string](bo, `tabula.sync.sid`)
	bo.waitFor("back in voice", `tabula.voice.state === 'on' && tabula.voice.pc.connectionState === 'connected' && tabula.voice.heard().length === 1`)
	ana.waitFor("hearing bo again", `tabula.voice.heard().includes(`+jsString(boSID)+`)`)
	ana.waitInbound("bo's audio", func(a inboundAudio) bool { return a.Level > 0.01 })

	// Leaving.
	bo.do("leave", chromedp.Click(chromedp.ID("voice-leave")))
	bo.waitFor("out of voice", `tabula.voice.state === 'off' && !tabula.voice.pc`)
	ana.waitFor("nobody heard", `tabula.voice.heard().length === 0`)
	ana.waitFor("bo out of voice in the panel", `document.querySelector('#peers li[data-sid="`+boSID+`"] .avatar')?.dataset.voice === ''`)
}

// voiceControls is what ana's page offers in a call with bo: push-to-talk, the
// settings, and the keys.
func voiceControls(t *testing.T, ana *tab, boSID string) {
	t.Helper()
	// Push-to-talk: with it on, holding Space talks, and does not also pan the board.
	eval[bool](ana, `(tabula.voice.setPushToTalk(true), true)`)
	key := func(typ input.DispatchKeyEventType) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, input.DispatchKeyEvent, input.DispatchKeyEventParams{Type: typ, Key: " ", Code: "Space", WindowsVirtualKeyCode: 32})
			return err
		})
	}
	ana.do("hold space", key(input.DispatchKeyEventTypeKeyDown))
	ana.waitFor("talking while space is held", `tabula.voice.held === true`)
	if p := eval[string](ana, `document.body.dataset.panning || 'false'`); p != "false" {
		t.Errorf("holding the push-to-talk key also started panning (data-panning=%s)", p)
	}
	ana.do("release space", key(input.DispatchKeyEventTypeKeyUp))
	ana.waitFor("not talking once space is released", `tabula.voice.held === false`)
	eval[bool](ana, `(tabula.voice.setPushToTalk(false), true)`)

	// The settings: a microphone to choose, and a volume for bo.
	ana.do("open the voice settings", chromedp.Click(chromedp.ID("voice-more")))
	ana.waitFor("a microphone and bo's volume", `document.querySelectorAll('#voice-device option').length > 0 && document.querySelector('#voice-volumes input[data-sid="`+boSID+`"]') !== null`)
	ana.screenshot("voice.png")
	// It opens upwards from the voice bar and is as tall as what it holds, wherever the
	// tool bar is (at this width it has a row of its own, which moves the top-right
	// panels down, not this one).
	if gap := eval[float64](ana, `(() => { const p = document.getElementById('voice-panel');
		return p.getBoundingClientRect().bottom - p.lastElementChild.getBoundingClientRect().bottom; })()`); gap > 40 {
		t.Errorf("the voice panel runs %.0f px past its last control", gap)
	}
	ana.do("turn bo down", chromedp.Evaluate[chromedp.Void](`(() => {
		const s = document.querySelector('#voice-volumes input[data-sid="`+boSID+`"]');
		s.value = '0.25';
		s.dispatchEvent(new Event('input'));
	})()`))
	ana.waitFor("bo's player at a quarter", `[...document.querySelectorAll('audio')].some((a) => a.dataset.sid === `+jsString(boSID)+` && a.volume === 0.25)`)
	ana.do("close the settings", chromedp.Click(chromedp.ID("voice-more")))

	// M alone is the highlighter in a call too, as the help panel and the button say.
	ana.do("press M", chromedp.KeyEvent("m"))
	ana.waitFor("the highlighter", `document.body.dataset.tool === 'highlighter'`)
	if muted := eval[string](ana, `document.getElementById('voice-mute').getAttribute('aria-pressed')`); muted != "false" {
		t.Errorf("M in a call changed mute (aria-pressed=%s); it picks the highlighter", muted)
	}
	if got := eval[string](ana, `document.getElementById('voice-mute').title`); !strings.Contains(got, "Shift+M") {
		t.Errorf("mute button's tooltip %q does not name Shift+M", got)
	}
	ana.do("open the help", chromedp.KeyEvent("?"))
	help := eval[string](ana, `[...document.querySelectorAll('#help-panel dt')].map((dt) => dt.textContent + '=' + dt.nextElementSibling.textContent).join('|')`)
	for _, want := range []string{"Highlighter=M", "Mute / unmute, in a voice call=Shift+M"} {
		if !strings.Contains(help, want) {
			t.Errorf("the help panel does not say %q: %s", want, help)
		}
	}
	ana.key(kb.Escape)
}
