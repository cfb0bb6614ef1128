package voice

import (
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/pion/webrtc/v4"

	"tabula/collab"
	"tabula/collab/wire"
)

// tickEvery is how often a room looks at who is speaking and who failed to connect.
const tickEvery = 100 * time.Millisecond

// room is one board's call. Its goroutine (run) owns people and every PeerConnection
// call; others hand it events through post, which never blocks.
type room struct {
	f   *SFU
	id  string
	log *slog.Logger

	mu    sync.Mutex
	queue []event
	wake  chan struct{}

	// room goroutine only
	people map[*collab.Session]*person
	order  []*person // join order, so that renegotiations go out in a stable order
}

type evKind uint8

const (
	evSignal     evKind = iota + 1 // a client's voice message
	evLeave                        // the session ended or said leave
	evTrack                        // a person's audio arrived (out is ready)
	evState                        // a PeerConnection's state changed
	evCandidate                    // the server found an ICE candidate for a person
	evViewersOff                   // the board no longer lets viewers use voice
	evClose                        // the SFU is closing
)

type event struct {
	kind  evKind
	s     *collab.Session
	sig   *wire.VoiceSignal
	p     *person
	pc    *webrtc.PeerConnection // the connection an evTrack, evState or evCandidate is about
	out   *webrtc.TrackLocalStaticRTP
	state webrtc.PeerConnectionState
	cand  webrtc.ICECandidateInit
}

func newRoom(f *SFU, id string) *room {
	return &room{f: f, id: id, log: f.log.With("board", collab.LogID(id)), wake: make(chan struct{}, 1), people: make(map[*collab.Session]*person)}
}

// post queues ev without blocking.
func (r *room) post(ev event) {
	r.mu.Lock()
	r.queue = append(r.queue, ev)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// idle reports whether no event is waiting. The SFU drops a room only when it is idle
// and has nobody in it.
func (r *room) idle() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.queue) == 0
}

func (r *room) run() {
	tick := time.NewTicker(tickEvery)
	defer tick.Stop()
	var batch []event
	for {
		select {
		case <-r.wake:
		case now := <-tick.C:
			r.tick(now)
		}
		r.mu.Lock()
		batch, r.queue = r.queue, batch[:0]
		r.mu.Unlock()
		for i := range batch {
			if batch[i].kind == evClose {
				r.closeAll()
				r.f.drop(r)
				return
			}
			r.handle(&batch[i])
		}
		clear(batch)
		if len(r.people) == 0 && r.f.drop(r) {
			return
		}
	}
}

func (r *room) handle(ev *event) {
	if ev.kind == evViewersOff {
		for _, p := range append([]*person(nil), r.order...) {
			if !p.s.MayTalk() {
				r.remove(p, "the editors of this board turned voice off for viewers")
			}
		}
		return
	}
	p := ev.p
	if ev.s != nil {
		p = r.people[ev.s]
	}
	switch ev.kind {
	case evSignal:
		r.signal(ev.s, p, ev.sig)
	case evLeave:
		if p != nil {
			r.remove(p, "")
		}
	case evTrack:
		if p != nil && p.pc == ev.pc && p.out == nil && r.people[p.s] == p {
			p.out = ev.out
			for _, q := range r.order {
				if q != p {
					r.send(q, p)
				}
			}
		}
	case evState:
		if p != nil && p.pc == ev.pc && r.people[p.s] == p {
			r.connection(p, ev.state)
		}
	case evCandidate:
		if p != nil && p.pc == ev.pc && r.people[p.s] == p {
			p.s.Send((&wire.Signal{Op: wire.VoiceCandidate, Candidate: &ev.cand.Candidate, Mid: ev.cand.SDPMid}).Encode())
		}
	}
}

// signal handles one client message. p is nil when s is not in the call.
func (r *room) signal(s *collab.Session, p *person, sig *wire.VoiceSignal) {
	if p == nil && sig.Op != wire.VoiceJoin {
		if sig.Op != wire.VoiceLeave {
			s.Send(errorFrame(wire.EVoiceNotJoined, "you are not in voice on this board; send join first"))
		}
		return
	}
	switch sig.Op {
	case wire.VoiceJoin:
		r.join(s, p)
	case wire.VoiceLeave:
		r.remove(p, "")
	case wire.VoiceOffer:
		r.offer(p, sig.SDP)
	case wire.VoiceAnswer:
		r.answer(p, sig.SDP)
	case wire.VoiceCandidate:
		r.candidate(p, sig)
	case wire.VoiceMute:
		p.muted.Store(sig.Muted)
		r.show(p)
	}
}

// join lets s into the call, if there is room, and tells it which ICE servers to use;
// its offer comes next. Joining again while in the call starts over.
func (r *room) join(s *collab.Session, p *person) {
	if p != nil {
		r.remove(p, "")
	}
	if len(r.people) >= r.f.cfg.MaxPeople {
		s.Send(errorFrame(wire.EVoiceFull, "voice on this board is full ("+strconv.Itoa(r.f.cfg.MaxPeople)+" people); try again when someone leaves"))
		return
	}
	if !s.MayTalk() {
		s.Send(errorFrame(wire.EVoiceOff, "the editors of this board have turned voice off for viewers"))
		return
	}
	p = &person{s: s, r: r, joined: time.Now(), sending: make(map[*person]*webrtc.RTPSender)}
	r.people[s] = p
	r.order = append(r.order, p)
	r.f.stats.people.Add(1)
	s.Send((&wire.Signal{Op: wire.VoiceReady, ICE: r.f.iceFor(s.ID), Max: r.f.cfg.MaxPeople}).Encode())
	r.show(p)
}

// remove takes p out of the call: the others stop getting p's audio, p's connection is
// closed, and presence shows p out of voice. why, when set, is told to p.
func (r *room) remove(p *person, why string) {
	if r.people[p.s] != p {
		return
	}
	delete(r.people, p.s)
	for i, q := range r.order {
		if q == p {
			r.order = append(r.order[:i], r.order[i+1:]...)
			break
		}
	}
	r.f.stats.people.Add(-1)
	for q := range p.sending {
		q.fanout.Add(-1)
	}
	for _, q := range r.order {
		if sender := q.sending[p]; sender != nil {
			delete(q.sending, p)
			p.fanout.Add(-1)
			if q.pc != nil {
				if err := q.pc.RemoveTrack(sender); err != nil {
					r.log.Debug("voice: remove track", "err", err)
				}
				q.needOffer = true
				r.negotiate(q)
			}
		}
	}
	p.hangUp()
	p.s.SetVoice(collab.VoiceNone)
	if why != "" {
		p.s.Send((&wire.Signal{Op: wire.VoiceLeft, Msg: why}).Encode())
	}
}

// closeAll ends the call for everyone: the SFU is shutting down.
func (r *room) closeAll() {
	for _, p := range append([]*person(nil), r.order...) {
		r.remove(p, "the server is shutting down")
	}
}

// tick updates speaking indicators and removes people who never got connected.
func (r *room) tick(now time.Time) {
	for _, p := range append([]*person(nil), r.order...) {
		if !p.connected && now.Sub(p.joined) > r.f.cfg.ConnectTimeout {
			r.remove(p, "the voice connection could not be established")
			continue
		}
		r.show(p)
	}
}

// show puts p's voice state into presence when it changed.
func (r *room) show(p *person) {
	state := collab.VoiceIn
	switch {
	case p.muted.Load():
		state = collab.VoiceMuted
	case p.speaking(time.Now()):
		state = collab.VoiceSpeaking
	}
	if state != p.shown {
		p.shown = state
		p.s.SetVoice(state)
	}
}
