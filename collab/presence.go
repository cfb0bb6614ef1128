package collab

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"tabula/collab/wire"
)

// Voice states of a person (set by the voice SFU).
const (
	VoiceNone     = ""
	VoiceIn       = "in"
	VoiceMuted    = "muted"
	VoiceSpeaking = "speaking"
)

// Person is one entry of a board's roster: a WebSocket session on the board.
type Person struct {
	SID   string `json:"sid"`
	Name  string `json:"name"`
	Color string `json:"color"`
	Role  Role   `json:"role"`
	Since int64  `json:"since"` // connected at, ms since epoch
	Idle  bool   `json:"idle"`
	Voice string `json:"voice"`
	// Presenting: this person presents the board's frames (present.go).
	Presenting bool `json:"presenting,omitempty"`
}

const (
	// presenceEvery is the shortest time between two deliveries of presence events on
	// one board: changes within it are coalesced, so a busy board sends at most five
	// deliveries a second, whatever its churn.
	presenceEvery = 200 * time.Millisecond
	// presenceHistory is how many recent events a board keeps for Last-Event-ID resumes.
	presenceHistory = 256
	// subscriberQueue bounds what waits for one SSE subscriber; a subscriber that falls
	// this far behind is closed and reconnects with Last-Event-ID.
	subscriberQueue = 64
	// IdleAfter is how long a session may send nothing (not even a cursor) before it
	// shows as idle.
	IdleAfter = 60 * time.Second
)

// presence holds the rosters of every board that has people or subscribers.
type presence struct {
	mu     sync.Mutex
	boards map[string]*roster
	epoch  string        // distinguishes event ids of this process from a previous one
	link   *presenceLink // to the other nodes' rosters; nil on a single node
}

func newPresence() *presence {
	return &presence{boards: make(map[string]*roster), epoch: randomID(4)}
}

// roster is one board's people and SSE subscribers. Guarded by its own mu.
type roster struct {
	p        *presence
	id       string
	mu       sync.Mutex
	people   map[string]*Person
	colors   map[string]int      // how many people wear each colour (colors.go)
	sessions map[string]*Session // for idle detection
	order    []string            // sids in join order
	subs     map[*Subscriber]struct{}
	fan      []*Subscriber   // reused by deliverAll
	next     int64           // number of the next event
	recent   []presenceEvent // the last presenceHistory events
	// coalescing: what changed since the last delivery, by sid
	pending   map[string]string // sid → "join", "leave" or "update"
	pendOrder []string
	timer     *time.Timer
	lastFlush time.Time
	dropped   bool // taken out of presence.boards: the board's next roster is a new one
	// remote holds the people mirrored from other nodes, sid → node (presence_cluster.go);
	// nil on a single node.
	remote map[string]string
}

type presenceEvent struct {
	n     int64
	frame []byte
}

// Subscriber is one SSE stream. Its events go out in order, either written straight to
// its connection by the roster's delivery (when it has a direct writer and nothing is
// waiting), or queued on C for the stream's own goroutine (Serve). C is closed when the
// subscriber is dropped (too slow, or the service is closing).
//
// Writing directly saves waking ten thousand goroutines to deliver one join to ten
// thousand watchers: a third of the server's CPU for that fan-out went to waking,
// scheduling and parking them, next to the write system calls themselves.
type Subscriber struct {
	C     chan []byte
	r     *roster
	role  Role // the link it came through; "" for none (closeRole never matches it)
	close sync.Once

	direct func([]byte) (int, error) // writes what it can without blocking; nil: queue all
	wmu    sync.Mutex                // held by whoever writes to the connection
	queued atomic.Int64              // events on C not yet written
}

// heartbeatComment keeps an idle stream (and proxies along the way) alive.
var heartbeatComment = []byte(": heartbeat\n\n")

// Serve writes s's queued events with write, and a heartbeat comment at every tick of
// heartbeat, until s is dropped, a write fails or done is closed (the client left). It
// is the stream's goroutine; the caller unsubscribes afterwards.
func (s *Subscriber) Serve(write func([]byte) bool, heartbeat <-chan time.Time, done <-chan struct{}) {
	for {
		select {
		case <-done:
			return
		case ev, ok := <-s.C:
			if !ok {
				return
			}
			s.wmu.Lock()
			ok = write(ev)
			s.queued.Add(-1)
			s.wmu.Unlock()
			if !ok {
				return
			}
		case <-heartbeat:
			s.wmu.Lock()
			// With events queued a heartbeat is not needed, and it could fall between the
			// two halves of an event that a direct write left half written.
			ok := s.queued.Load() > 0 || write(heartbeatComment)
			s.wmu.Unlock()
			if !ok {
				return
			}
		}
	}
}

// get returns the roster of board id, creating it.
func (p *presence) get(id string) *roster {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.boards[id]
	if r == nil {
		r = &roster{p: p, id: id, people: make(map[string]*Person), colors: make(map[string]int), sessions: make(map[string]*Session), subs: make(map[*Subscriber]struct{}), pending: make(map[string]string)}
		p.boards[id] = r
	}
	return r
}

// lock returns the roster of board id, creating it, with its mu held. A roster found in
// boards can be dropped before its lock is taken (the last person left, and its flush
// ran in between): whoever joined or subscribed to it then would be on a roster nobody
// else sees, so look again.
func (p *presence) lock(id string) *roster {
	for {
		r := p.get(id)
		r.mu.Lock()
		if !r.dropped {
			return r
		}
		r.mu.Unlock()
	}
}

// dropIfEmpty forgets a roster nobody is on or watching. Called with r.mu held.
func (p *presence) dropIfEmpty(r *roster) {
	if len(r.people) > 0 || len(r.subs) > 0 || len(r.pending) > 0 {
		return
	}
	p.mu.Lock()
	if p.boards[r.id] == r {
		delete(p.boards, r.id)
	}
	p.mu.Unlock()
	r.dropped = true
}

// count returns how many people are on board id.
func (p *presence) count(id string) int {
	p.mu.Lock()
	r := p.boards[id]
	p.mu.Unlock()
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.people) - len(r.remote)
}

// join puts person on board id's roster with a colour nobody else there wears (see
// pickColor) instead of person.Color, and returns that colour.
func (p *presence) join(id string, person Person, s *Session) string {
	r := p.lock(id)
	defer r.mu.Unlock()
	pp := person
	pp.Color = r.pickColor(pp.SID, pp.Name, pp.Color)
	r.wear(pp.Color)
	r.people[person.SID] = &pp
	r.sessions[person.SID] = s
	r.order = append(r.order, person.SID)
	r.change(person.SID, "join")
	return pp.Color
}

func (p *presence) leave(id, sid string) {
	p.mu.Lock()
	r := p.boards[id]
	p.mu.Unlock()
	if r == nil {
		return // a dropped roster had nobody on it
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	person, ok := r.people[sid]
	if !ok {
		return
	}
	r.unwear(person.Color)
	delete(r.people, sid)
	delete(r.sessions, sid)
	for i, s := range r.order {
		if s == sid {
			r.order = append(r.order[:i], r.order[i+1:]...)
			break
		}
	}
	r.change(sid, "leave")
}

// update changes a person with fn if they are on the board.
func (p *presence) update(id, sid string, fn func(*Person) bool) {
	p.mu.Lock()
	r := p.boards[id]
	p.mu.Unlock()
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if person := r.people[sid]; person != nil && fn(person) {
		r.change(sid, "update")
	}
}

// rename changes the name of sid on board id and, if color is not empty and nobody else
// there wears it (see pickColor), their colour; asking for a worn colour keeps the one
// they had. A colour they shared as the same person on two connections (same name, see
// pickColor) stops being theirs when the new name differs — a second tab renames itself
// when its name is taken — and they get a free one. Returns the colour they now have,
// or "" if they are not on the board.
func (p *presence) rename(id, sid, name, color string) string {
	p.mu.Lock()
	r := p.boards[id]
	p.mu.Unlock()
	if r == nil {
		return ""
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	person := r.people[sid]
	if person == nil {
		return ""
	}
	person.Name = name
	had := person.Color
	// Someone else wears it under another name: it was shared as the same person.
	clash := r.colors[had] > 1 && !r.wornBy(had, name)
	want := color
	if want == "" {
		want = had
	}
	if clash || !strings.EqualFold(want, had) {
		// The colour asked for if nobody else wears it; else the one they had, unless
		// that clashes now (then the free one pickColor gives).
		r.unwear(had)
		if c := r.pickColor(sid, name, want); clash || strings.EqualFold(c, want) {
			person.Color = c
		}
		r.wear(person.Color)
	}
	r.change(sid, "update")
	return person.Color
}

// change records what happened to sid and schedules a delivery. Coalescing: a join then
// updates is one join; updates are one update; a join then a leave is nothing.
func (r *roster) change(sid, kind string) {
	prev, seen := r.pending[sid]
	switch {
	case !seen:
		r.pendOrder = append(r.pendOrder, sid)
	case prev == "join" && kind == "update":
		kind = "join"
	case prev == "join" && kind == "leave":
		kind = "" // came and went between two deliveries
	case prev == "leave" && kind == "join":
		kind = "update" // reconnected with the same sid: cannot happen today, harmless
	}
	r.pending[sid] = kind
	if r.timer != nil {
		return
	}
	wait := presenceEvery - time.Since(r.lastFlush)
	if wait < 0 {
		wait = 0
	}
	r.timer = time.AfterFunc(wait, r.flush)
}

// flush delivers the coalesced changes: each becomes an event with its own id, kept for
// resumes and queued to every subscriber.
func (r *roster) flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.timer = nil
	r.lastFlush = time.Now()
	var batch []byte
	for _, sid := range r.pendOrder {
		kind := r.pending[sid]
		var data []byte
		switch kind {
		case "":
			continue
		case "leave":
			data = append(append([]byte(`{"sid":`), wire.AppendString(nil, sid)...), '}')
		default:
			person := r.people[sid]
			if person == nil {
				continue
			}
			data, _ = json.Marshal(person)
		}
		ev := r.event(kind, data)
		batch = append(batch, ev...)
	}
	if r.p.link != nil && slices.ContainsFunc(r.pendOrder, func(sid string) bool { _, remote := r.remote[sid]; return !remote }) {
		r.p.link.changed(r.id)
	}
	clear(r.pending)
	r.pendOrder = r.pendOrder[:0]
	if len(batch) > 0 {
		r.deliverAll(batch)
	}
	r.p.dropIfEmpty(r)
}

// event numbers, encodes and remembers one event. Called with r.mu held.
func (r *roster) event(kind string, data []byte) []byte {
	r.next++
	b := make([]byte, 0, len(data)+64)
	b = append(b, "id: "...)
	b = append(b, r.eventID(r.next)...)
	b = append(b, "\nevent: "...)
	b = append(b, kind...)
	b = append(b, "\ndata: "...)
	b = append(b, data...)
	b = append(b, "\n\n"...)
	r.recent = append(r.recent, presenceEvent{n: r.next, frame: b})
	if len(r.recent) > presenceHistory {
		r.recent = append(r.recent[:0], r.recent[len(r.recent)-presenceHistory:]...)
	}
	return b
}

func (r *roster) eventID(n int64) string { return r.p.epoch + "-" + strconv.FormatInt(n, 10) }

// deliver sends b to s: straight to its connection when nothing of s is waiting and the
// connection takes it without blocking, else onto its queue. It reports false when s is
// gone or too far behind and must be dropped. Called with r.mu held, so deliveries to
// one subscriber never overlap.
func (r *roster) deliver(s *Subscriber, b []byte) bool {
	if s.direct != nil && s.queued.Load() == 0 && s.wmu.TryLock() {
		defer s.wmu.Unlock()
		if s.queued.Load() == 0 {
			n, err := s.direct(b)
			if err != nil {
				return false
			}
			if b = b[n:]; len(b) == 0 {
				return true
			}
		}
		// Queued while still holding wmu, so that nothing is written before the rest.
	}
	s.queued.Add(1)
	select {
	case s.C <- b:
		return true
	default:
		return false
	}
}

// fanOutChunk is how many subscribers one goroutine delivers to: below it, one flush
// delivers on its own goroutine; above it, the subscribers are split over the CPUs.
const fanOutChunk = 1024

// deliverAll delivers b to every subscriber and drops those that are gone or too slow.
// Called with r.mu held.
func (r *roster) deliverAll(b []byte) {
	subs := r.fan[:0]
	for s := range r.subs {
		subs = append(subs, s)
	}
	var mu sync.Mutex
	var dropped []*Subscriber
	inParallel(subs, fanOutChunk, func(part []*Subscriber) {
		var mine []*Subscriber
		for _, s := range part {
			if !r.deliver(s, b) {
				mine = append(mine, s)
			}
		}
		if len(mine) > 0 {
			mu.Lock()
			dropped = append(dropped, mine...)
			mu.Unlock()
		}
	})
	clear(subs)
	r.fan = subs
	for _, s := range dropped {
		delete(r.subs, s)
		s.close.Do(func() { close(s.C) })
	}
}

// subscribe registers an SSE stream on board id. The first message on C is what the
// subscriber missed since lastEventID if this process still has it, else a roster event
// with everyone on the board now. direct, if not nil, writes to the stream's connection
// without blocking, returning how much it wrote.
func (p *presence) subscribe(id string, role Role, lastEventID string, direct func([]byte) (int, error)) *Subscriber {
	r := p.lock(id)
	defer r.mu.Unlock()
	s := &Subscriber{C: make(chan []byte, subscriberQueue), r: r, role: role, direct: direct}
	s.queued.Store(1)
	s.C <- r.catchUp(lastEventID)
	r.subs[s] = struct{}{}
	if p.link != nil {
		p.link.watch(id)
	}
	return s
}

// catchUp returns the events after lastEventID, or a fresh roster when that id is not
// one of ours or is too old. Called with r.mu held.
func (r *roster) catchUp(lastEventID string) []byte {
	if n, ok := strings.CutPrefix(lastEventID, r.p.epoch+"-"); ok {
		last, err := strconv.ParseInt(n, 10, 64)
		if err == nil && last <= r.next && (last == r.next || len(r.recent) > 0 && r.recent[0].n <= last+1) {
			var b []byte
			for _, ev := range r.recent {
				if ev.n > last {
					b = append(b, ev.frame...)
				}
			}
			return append(b, ": resumed\n\n"...)
		}
	}
	people := make([]*Person, 0, len(r.order))
	for _, sid := range r.order {
		people = append(people, r.people[sid])
	}
	data, _ := json.Marshal(people)
	// The roster takes an id of its own, so that a resume from it replays what follows.
	r.next++
	b := append([]byte("id: "), r.eventID(r.next)...)
	b = append(b, "\nevent: roster\ndata: "...)
	b = append(b, data...)
	b = append(b, "\n\n"...)
	r.recent = append(r.recent, presenceEvent{n: r.next}) // a marker: rosters are not replayed
	if len(r.recent) > presenceHistory {
		r.recent = append(r.recent[:0], r.recent[len(r.recent)-presenceHistory:]...)
	}
	return b
}

// Unsubscribe ends s. Safe to call more than once.
func (s *Subscriber) Unsubscribe() {
	r := s.r
	r.mu.Lock()
	delete(r.subs, s)
	r.p.dropIfEmpty(r)
	r.mu.Unlock()
	s.close.Do(func() { close(s.C) })
}

// markIdle updates the idle flag of everyone on every board from their sessions' last
// activity.
func (p *presence) markIdle(now time.Time) {
	for _, r := range p.rosters() {
		r.mu.Lock()
		for sid, s := range r.sessions {
			idle := now.Sub(time.Unix(0, s.lastActive.Load())) > IdleAfter
			if person := r.people[sid]; person != nil && person.Idle != idle {
				person.Idle = idle
				r.change(sid, "update")
			}
		}
		r.mu.Unlock()
	}
}

// closeAll drops every subscriber, so their streams end (service shutdown).
func (p *presence) closeAll() {
	for _, r := range p.rosters() {
		r.mu.Lock()
		for s := range r.subs {
			delete(r.subs, s)
			s.close.Do(func() { close(s.C) })
		}
		if r.timer != nil {
			r.timer.Stop()
		}
		r.mu.Unlock()
	}
}

// rosters returns the boards' rosters as of now, to walk without holding p.mu.
func (p *presence) rosters() []*roster {
	p.mu.Lock()
	defer p.mu.Unlock()
	rs := make([]*roster, 0, len(p.boards))
	for _, r := range p.boards {
		rs = append(rs, r)
	}
	return rs
}
