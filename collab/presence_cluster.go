package collab

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"time"
)

// Presence across nodes (Config.Broker set). A board's people are on whichever node
// holds their sessions — its owner — but its presence streams (SSE) and the home page's
// counts may be served by any node. So each node publishes its part of every roster it
// has people on: a broker roster entry with an expiry, renewed every rosterEvery, and
// the same part on the board's presence channel whenever it changes. A node with a
// stream on a board mirrors the other nodes' parts into its roster (roster.remote):
// their people join, change and leave its stream like its own. A node that dies stops
// renewing its parts; they expire after rosterTTL and its people leave every stream.
const (
	rosterEvery = time.Second
	rosterTTL   = 3 * rosterEvery
)

// presencePart is one node's part of a board's roster, as published. A message with
// Relink set and no Node says instead that the board's links were replaced (relinked).
type presencePart struct {
	Node   string   `json:"node"`
	People []Person `json:"people"`
	Relink *Links   `json:"relink,omitempty"`
}

func presenceChannel(board string) string { return "presence:{" + board + "}" }

// presenceLink carries one node's rosters to the others and theirs to it.
type presenceLink struct {
	s    *Service
	p    *presence
	b    Broker
	node string
	wake chan struct{}

	mu      sync.Mutex
	dirty   map[string]bool // boards whose local part changed since it was published
	live    map[string]bool // boards with a published part
	watched map[string]bool // boards whose remote parts are mirrored here
}

func newPresenceLink(s *Service) *presenceLink {
	return &presenceLink{s: s, p: s.presence, b: s.cluster.broker, node: s.cluster.node, wake: make(chan struct{}, 1),
		dirty: map[string]bool{}, live: map[string]bool{}, watched: map[string]bool{}}
}

// changed notes that board id's local part changed. Never blocks.
func (l *presenceLink) changed(id string) {
	l.mu.Lock()
	l.dirty[id] = true
	l.mu.Unlock()
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// localPart returns the people on board id whose sessions are on this node.
func (l *presenceLink) localPart(id string) []Person {
	l.p.mu.Lock()
	r := l.p.boards[id]
	l.p.mu.Unlock()
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Person
	for _, sid := range r.order {
		if _, remote := r.remote[sid]; !remote {
			out = append(out, *r.people[sid])
		}
	}
	return out
}

// run publishes this node's parts: changed ones at once (at most every presenceEvery,
// as the rosters flush), all of them every rosterEvery so they do not expire.
func (l *presenceLink) run() {
	defer l.s.wg.Done()
	t := time.NewTicker(rosterEvery)
	defer t.Stop()
	for {
		all := false
		select {
		case <-l.wake:
		case <-t.C:
			all = true
		case <-l.s.ctx.Done():
			l.withdraw()
			return
		}
		l.mu.Lock()
		dirty := l.dirty
		l.dirty = map[string]bool{}
		boards := make([]string, 0, len(dirty)+len(l.live))
		for id := range dirty {
			boards = append(boards, id)
		}
		if all {
			for id := range l.live {
				if !dirty[id] {
					boards = append(boards, id)
				}
			}
		}
		l.mu.Unlock()
		for _, id := range boards {
			l.publish(id, dirty[id])
		}
	}
}

// publish stores (and, when it changed, announces) this node's part of board id.
func (l *presenceLink) publish(id string, changed bool) {
	if l.s.cluster.isCrashed() {
		return
	}
	ctx, cancel := context.WithTimeout(l.s.ctx, rosterEvery)
	defer cancel()
	people := l.localPart(id)
	var data []byte
	if len(people) > 0 {
		data, _ = json.Marshal(people)
	}
	if err := l.b.PutRoster(ctx, id, l.node, data, rosterTTL); err != nil {
		l.s.log.Warn("publish presence", "board", LogID(id), "err", err)
		return
	}
	l.mu.Lock()
	if len(people) > 0 {
		l.live[id] = true
	} else {
		delete(l.live, id)
	}
	l.mu.Unlock()
	if changed {
		msg, _ := json.Marshal(presencePart{Node: l.node, People: people})
		if err := l.b.Publish(ctx, presenceChannel(id), msg); err != nil {
			l.s.log.Warn("publish presence", "board", LogID(id), "err", err)
		}
	}
}

// relinked tells the other nodes that board id's links were replaced, so that they end
// their presence streams on the replaced links as the owner ends its own (closeRoles):
// a replaced link stops working at once on every node. The message names no node, so a
// node that does not know it takes it for nobody's part and ignores it.
func (l *presenceLink) relinked(id string, links Links) {
	if l.s.ctx.Err() != nil {
		return
	}
	msg, _ := json.Marshal(presencePart{Relink: &links})
	l.s.wg.Add(1)
	go func() {
		defer l.s.wg.Done()
		ctx, cancel := context.WithTimeout(l.s.ctx, rosterEvery)
		defer cancel()
		if err := l.b.Publish(ctx, presenceChannel(id), msg); err != nil {
			l.s.log.Warn("announce replaced links", "board", LogID(id), "err", err)
		}
	}()
}

// withdraw removes this node's parts on a clean shutdown.
func (l *presenceLink) withdraw() {
	if l.s.cluster.isCrashed() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.mu.Lock()
	live := l.live
	l.live = map[string]bool{}
	l.mu.Unlock()
	for id := range live {
		_ = l.b.PutRoster(ctx, id, l.node, nil, rosterTTL)
		msg, _ := json.Marshal(presencePart{Node: l.node})
		_ = l.b.Publish(ctx, presenceChannel(id), msg)
	}
}

// watch starts mirroring the other nodes' parts of board id, unless it is already.
// The mirror stops once the board has no stream here.
func (l *presenceLink) watch(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.watched[id] || l.s.ctx.Err() != nil {
		return
	}
	l.watched[id] = true
	l.s.wg.Add(1)
	go l.mirror(id)
}

// mirror follows board id's presence channel and its roster entries.
func (l *presenceLink) mirror(id string) {
	defer l.s.wg.Done()
	defer func() {
		l.mu.Lock()
		delete(l.watched, id)
		l.mu.Unlock()
		l.setParts(id, nil, true)
	}()
	ctx := l.s.ctx
	sub, err := l.b.Subscribe(ctx, presenceChannel(id))
	if err != nil {
		l.s.log.Warn("follow presence", "board", LogID(id), "err", err)
		return
	}
	defer sub.Close()
	refresh := func() {
		rctx, cancel := context.WithTimeout(ctx, rosterEvery)
		defer cancel()
		parts, err := l.b.Rosters(rctx, id)
		if err != nil {
			return // keep what is shown until the broker answers
		}
		people := map[string][]Person{}
		for node, data := range parts {
			var ps []Person
			if node != l.node && json.Unmarshal(data, &ps) == nil {
				people[node] = ps
			}
		}
		l.setParts(id, people, true)
	}
	refresh()
	t := time.NewTicker(rosterEvery)
	defer t.Stop()
	for {
		select {
		case msg, ok := <-sub.C():
			if !ok {
				return
			}
			var part presencePart
			switch err := json.Unmarshal(msg, &part); {
			case err != nil:
			case part.Relink != nil:
				l.p.closeRoles(id, *part.Relink)
			case part.Node != l.node && part.Node != "":
				l.setParts(id, map[string][]Person{part.Node: part.People}, false)
			}
		case <-t.C:
			if !l.p.watched(id) {
				return
			}
			refresh()
		case <-ctx.Done():
			return
		}
	}
}

// watched reports whether board id has a presence stream on this node.
func (p *presence) watched(id string) bool {
	p.mu.Lock()
	r := p.boards[id]
	p.mu.Unlock()
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.subs) > 0
}

// setParts makes the mirrored people of board id those in parts, by node: people join,
// change and leave as they differ. With all, nodes missing from parts are gone (their
// entries expired); without, only the nodes in parts are replaced.
func (l *presenceLink) setParts(id string, parts map[string][]Person, all bool) {
	r := l.p.lock(id)
	defer r.mu.Unlock()
	if r.remote == nil {
		r.remote = map[string]string{}
	}
	keep := map[string]bool{}
	for node, people := range parts {
		for _, person := range people {
			if person.SID == "" {
				continue
			}
			if _, ok := r.remote[person.SID]; !ok && r.people[person.SID] != nil {
				continue // one of this node's own
			}
			keep[person.SID] = true
			pp := person
			cur := r.people[person.SID]
			switch {
			case cur == nil:
				r.people[person.SID] = &pp
				r.remote[person.SID] = node
				r.order = append(r.order, person.SID)
				r.change(person.SID, "join")
			case *cur != pp:
				*cur = pp
				r.remote[person.SID] = node
				r.change(person.SID, "update")
			}
		}
	}
	for sid, node := range r.remote {
		if _, replaced := parts[node]; keep[sid] || !all && !replaced {
			continue
		}
		delete(r.remote, sid)
		delete(r.people, sid)
		if i := slices.Index(r.order, sid); i >= 0 {
			r.order = slices.Delete(r.order, i, i+1)
		}
		r.change(sid, "leave")
	}
	if len(r.pending) == 0 {
		r.p.dropIfEmpty(r)
	}
}

// remoteCount returns how many people other nodes have on board id, from the broker.
func (l *presenceLink) remoteCount(id string) int {
	ctx, cancel := context.WithTimeout(l.s.ctx, rosterEvery)
	defer cancel()
	parts, err := l.b.Rosters(ctx, id)
	if err != nil {
		return 0
	}
	n := 0
	for node, data := range parts {
		var ps []Person
		if node != l.node && json.Unmarshal(data, &ps) == nil {
			n += len(ps)
		}
	}
	return n
}
