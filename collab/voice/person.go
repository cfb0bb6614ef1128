package voice

import (
	"errors"
	"net"
	"sync/atomic"
	"time"

	"github.com/pion/interceptor"
	"github.com/pion/rtp"
	"github.com/pion/sdp/v3"
	"github.com/pion/webrtc/v4"

	"tabula/collab"
	"tabula/collab/wire"
)

const (
	// loudLevel is the audio level (-dBov, 0 loudest, 127 silence) at or under which a
	// packet counts as speech: normal speech into a headset is -20 to -40 dBov, a quiet
	// room -60 or below.
	loudLevel = 50
	// speakingHold is how long someone shows as speaking after their last loud packet,
	// so the indicator does not flicker between words.
	speakingHold = 400 * time.Millisecond
	// maxRemoteCandidates bounds the candidates one person may hand the server, which
	// sends connectivity checks to each: a client cannot make it probe the network.
	maxRemoteCandidates = 64
)

// person is someone in a board's call. Fields are the room goroutine's, except those
// the packet pump reads (muted, loud), which are atomic.
type person struct {
	s      *collab.Session
	r      *room
	joined time.Time // when they joined or last offered: the connect deadline runs from it

	pc         *webrtc.PeerConnection // nil until their first offer
	out        *webrtc.TrackLocalStaticRTP
	sending    map[*person]*webrtc.RTPSender // the others' audio on pc
	needOffer  bool                          // pc's tracks changed since the last offer
	connected  bool
	candidates int
	shown      string // voice state last put in presence

	muted  atomic.Bool
	loud   atomic.Int64 // unix ns of the last loud packet
	fanout atomic.Int64 // how many others get p's audio
}

// speaking reports whether p's audio was loud within speakingHold of now.
func (p *person) speaking(now time.Time) bool {
	last := p.loud.Load()
	return last != 0 && now.Sub(time.Unix(0, last)) < speakingHold
}

// offer takes a client's offer: the first one creates p's connection, with the audio
// of everyone already talking; later ones renegotiate. When the server's own offer is
// waiting for an answer, the client's is ignored: the server is the impolite peer, and
// the client rolls its offer back when it gets the server's (docs/protocol.md).
func (r *room) offer(p *person, raw string) {
	first := p.pc == nil
	if err := checkOffer(raw, first, r.f.cfg.MaxPeople); err != nil {
		p.s.Send(errorFrame(wire.ErrorCode(err), wire.ErrorMessage(err)))
		return
	}
	if !first && p.pc.SignalingState() == webrtc.SignalingStateHaveLocalOffer {
		r.log.Debug("voice: glare, ignoring the client's offer", "sid", p.s.ID)
		return
	}
	if first {
		pc, err := r.f.api.NewPeerConnection(webrtc.Configuration{ICEServers: r.f.stun})
		if err != nil {
			r.log.Error("voice: new peer connection", "err", err)
			p.s.Send(errorFrame(wire.EVoiceFailed, "the server could not start the voice connection"))
			return
		}
		p.pc, p.joined, p.candidates = pc, time.Now(), 0
		r.watch(p, pc)
	}
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: raw}); err != nil {
		r.log.Debug("voice: offer refused", "sid", p.s.ID, "err", err)
		r.refuseSDP(p, first, "the offer could not be used")
		return
	}
	answer, err := p.pc.CreateAnswer(nil)
	if err == nil {
		err = p.pc.SetLocalDescription(answer)
	}
	if err != nil {
		r.log.Debug("voice: no answer", "sid", p.s.ID, "err", err)
		r.refuseSDP(p, first, "the server could not answer the offer")
		return
	}
	p.s.Send((&wire.Signal{Op: wire.VoiceAnswer, SDP: answer.SDP}).Encode())
	if first {
		for _, q := range r.order {
			if q != p && q.out != nil {
				r.send(p, q)
			}
		}
	}
	r.negotiate(p)
}

// refuseSDP reports an unusable description. A failed first offer leaves p in the call
// with no connection, free to offer again; a failed renegotiation ends p's part.
func (r *room) refuseSDP(p *person, first bool, msg string) {
	p.s.Send(errorFrame(wire.EVoiceBadSDP, msg))
	if !first {
		r.remove(p, "the voice connection could not be renegotiated")
		return
	}
	p.hangUp()
	p.pc, p.out = nil, nil
}

// answer applies the client's answer to the server's last offer.
func (r *room) answer(p *person, raw string) {
	if p.pc == nil || p.pc.SignalingState() != webrtc.SignalingStateHaveLocalOffer {
		p.s.Send(errorFrame(wire.EVoiceBadSDP, "no offer from the server is waiting for an answer"))
		return
	}
	if err := p.pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: raw}); err != nil {
		r.log.Debug("voice: answer refused", "sid", p.s.ID, "err", err)
		r.refuseSDP(p, false, "the answer could not be used")
		return
	}
	r.negotiate(p)
}

// candidate adds one of the client's ICE candidates.
func (r *room) candidate(p *person, sig *wire.VoiceSignal) {
	switch {
	case p.pc == nil:
		p.s.Send(errorFrame(wire.EBadMessage, "send your offer before your candidates"))
		return
	case sig.Candidate == "":
		return // end of candidates: nothing to do
	case p.candidates >= maxRemoteCandidates:
		p.s.Send(errorFrame(wire.EBadValue, "too many candidates"))
		return
	}
	p.candidates++
	init := webrtc.ICECandidateInit{Candidate: sig.Candidate}
	if sig.Mid != "" {
		init.SDPMid = &sig.Mid
	}
	if err := p.pc.AddICECandidate(init); err != nil {
		p.s.Send(errorFrame(wire.EBadValue, "the candidate could not be used"))
	}
}

// send adds q's audio to p's connection; p gets it with its next offer.
func (r *room) send(p, q *person) {
	if p.pc == nil || p.sending[q] != nil {
		return
	}
	sender, err := p.pc.AddTrack(q.out)
	if err != nil {
		if p.pc.ConnectionState() != webrtc.PeerConnectionStateClosed {
			r.log.Warn("voice: add track", "err", err)
		}
		return
	}
	p.sending[q] = sender
	q.fanout.Add(1)
	p.needOffer = true
	pc := p.pc
	r.f.wg.Add(1)
	go func() {
		defer r.f.wg.Done()
		drainRTCP(pc, sender.Read, nil) // Stop ends a sender's reads, always
	}()
	r.negotiate(p)
}

// negotiate sends p an offer when its tracks changed, its connection is up and no offer
// is outstanding; answer and connection call it again for changes made meanwhile.
// Waiting for the connection matters: an offer that arrives before the client's ICE
// agent has started can look like an ICE restart to it.
func (r *room) negotiate(p *person) {
	if p.pc == nil || !p.needOffer || !p.connected || p.pc.SignalingState() != webrtc.SignalingStateStable {
		return
	}
	offer, err := p.pc.CreateOffer(nil)
	if err == nil {
		err = p.pc.SetLocalDescription(offer)
	}
	if err != nil {
		if p.pc.ConnectionState() == webrtc.PeerConnectionStateClosed {
			r.remove(p, "the voice connection was closed") // they hung up; the event is on its way
			return
		}
		r.log.Warn("voice: offer", "err", err)
		r.remove(p, "the server could not renegotiate the voice connection")
		return
	}
	p.needOffer = false
	p.s.Send((&wire.Signal{Op: wire.VoiceOffer, SDP: offer.SDP}).Encode())
}

// connection follows p's connection state: connected stops the connect deadline; a
// failed connection (ICE timed out: tab gone, network gone) or one the client closed
// ends p's part.
func (r *room) connection(p *person, state webrtc.PeerConnectionState) {
	switch state {
	case webrtc.PeerConnectionStateConnected:
		p.connected = true
		r.negotiate(p)
	case webrtc.PeerConnectionStateFailed:
		r.remove(p, "the voice connection was lost")
	case webrtc.PeerConnectionStateClosed:
		// Closed by the other side (DTLS close): they hung up without saying leave.
		r.remove(p, "the voice connection was closed")
	}
}

// watch routes pc's events to the room, and starts pumping p's audio when it arrives.
func (r *room) watch(p *person, pc *webrtc.PeerConnection) {
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			r.post(event{kind: evCandidate, p: p, pc: pc, cand: c.ToJSON()})
		}
	})
	pc.OnConnectionStateChange(func(s webrtc.PeerConnectionState) {
		r.post(event{kind: evState, p: p, pc: pc, state: s})
	})
	var once atomic.Bool
	pc.OnTrack(func(track *webrtc.TrackRemote, recv *webrtc.RTPReceiver) {
		// OnTrack runs on its own goroutine per track; only the first audio is used.
		if track.Kind() != webrtc.RTPCodecTypeAudio || !once.CompareAndSwap(false, true) {
			return
		}
		out, err := webrtc.NewTrackLocalStaticRTP(opus, "audio", p.s.ID)
		if err != nil {
			return
		}
		var ext uint8
		for _, h := range recv.GetParameters().HeaderExtensions {
			if h.URI == sdp.AudioLevelURI {
				ext = uint8(h.ID)
			}
		}
		r.post(event{kind: evTrack, p: p, pc: pc, out: out})
		r.f.wg.Add(1)
		go func() {
			defer r.f.wg.Done()
			drainRTCP(pc, recv.Read, recv.SetReadDeadline)
		}()
		p.pump(pc, track, out, ext)
	})
}

// idleRead is how long a packet read waits before it checks whether its connection is
// gone. Closing a connection ends its reads, but a track that pion starts while the
// connection is closing can miss that; this bounds how long it outlives it.
const idleRead = 5 * time.Second

// readable reports whether a read that failed with err should be tried again: it timed
// out (see idleRead) on a connection that is still open.
func readable(pc *webrtc.PeerConnection, err error, setDeadline func(time.Time) error) bool {
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() || pc.ConnectionState() == webrtc.PeerConnectionStateClosed {
		return false
	}
	return setDeadline(time.Now().Add(idleRead)) == nil
}

// pump forwards p's audio to the others until p's connection closes, and notes when it
// is loud. The audio level extension is read here and not passed on: each receiver's
// connection negotiated its own extension ids.
func (p *person) pump(pc *webrtc.PeerConnection, track *webrtc.TrackRemote, out *webrtc.TrackLocalStaticRTP, ext uint8) {
	st := &p.r.f.stats
	buf := make([]byte, 1500)
	var pkt rtp.Packet
	_ = track.SetReadDeadline(time.Now().Add(idleRead))
	renewed := time.Now()
	for {
		n, _, err := track.Read(buf)
		if err != nil {
			if readable(pc, err, track.SetReadDeadline) {
				continue
			}
			return
		}
		if now := time.Now(); now.Sub(renewed) > time.Second {
			_ = track.SetReadDeadline(now.Add(idleRead))
			renewed = now
		}
		if pkt.Unmarshal(buf[:n]) != nil {
			continue
		}
		st.packetsIn.Add(1)
		if ext != 0 {
			if e := pkt.GetExtension(ext); len(e) > 0 && e[0]&0x7f <= loudLevel {
				p.loud.Store(time.Now().UnixNano())
			}
		}
		if p.muted.Load() {
			continue
		}
		pkt.Header.Extension = false
		pkt.Header.Extensions = pkt.Header.Extensions[:0]
		// A write fails only for a receiver whose connection is closing; the others
		// still got the packet.
		_ = out.WriteRTP(&pkt)
		st.forwarded.Add(p.fanout.Load())
	}
}

// hangUp closes p's connection in the background; the SFU waits for it on Close.
func (p *person) hangUp() {
	pc := p.pc
	if pc == nil {
		return
	}
	f := p.r.f
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		if err := pc.Close(); err != nil {
			f.log.Debug("voice: close peer connection", "err", err)
		}
	}()
}

// drainRTCP reads RTCP until the stream closes, so that pion's report interceptors see
// it and its buffers never fill. With setDeadline, reads time out now and then to see
// whether pc is gone (see idleRead).
func drainRTCP(pc *webrtc.PeerConnection, read func([]byte) (int, interceptor.Attributes, error), setDeadline func(time.Time) error) {
	buf := make([]byte, 1500)
	if setDeadline != nil {
		_ = setDeadline(time.Now().Add(idleRead))
	}
	for {
		if _, _, err := read(buf); err != nil && (setDeadline == nil || !readable(pc, err, setDeadline)) {
			return
		}
	}
}
