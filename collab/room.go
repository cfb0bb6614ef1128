package collab

import (
	"bytes"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"tabula/collab/board"
	"tabula/collab/wire"
	"tabula/internal/hist"
)

// A room is a loaded board. One goroutine (run) owns everything below "room goroutine
// only": the board state, the members and the batches waiting to become durable. Others
// talk to it through inbox; the committer reports durability through mu and wake.
//
// The life of a batch: a session decodes and validates it on its own goroutine; the room
// applies it to its state, giving it the next seq, encodes its broadcast once, and hands
// it to the committer. It does not wait: further batches are applied meanwhile. When the
// committer reports a seq durable, the room sends the broadcasts up to it, in order, to
// every member, then the acks. So nothing is broadcast or acknowledged before it is on
// disk, and no lock is held across I/O.
type room struct {
	id    string
	svc   *Service
	inbox inbox
	quit  chan struct{} // closed when run returns
	fan   *fanout       // writes what became durable (fanout.go)

	viewerVoice atomic.Int32 // the board's voice setting for sessions (MayTalk)

	// fence is the board's lease this room writes with (Write.Fence); empty on a single
	// node. gone is set once the lease is lost: the room closes its sessions and unloads.
	fence string
	gone  atomic.Bool

	refs int // sessions that acquired this room and have not released it; changed only in svc.rooms.Use and Remove

	// cidMark counts the batch ids the room has remembered (st's recent batches), plus
	// maxCIDs at each reload: a lookup made when it was m is stale once it reaches
	// m+maxCIDs (lookup). Written by the room goroutine, read by senders.
	cidMark atomic.Int64

	// room goroutine only
	durable   int64 // highest seq the committer made durable
	commitErr error // the first write that failed, until the room recovers
	writes    int   // writes submitted to the committer and not yet called back
	meta      BoardMeta
	st        *board.State
	broken    bool // storage failed: nothing is written until the room reloads
	// recovering: broken, and reloading from what is durable once every write the room
	// submitted has come back (writes reaches 0). Joins wait in held meanwhile.
	recovering bool
	loading    bool // in load: a panic there leaves the room broken until it unloads
	held       []heldJoin
	members    []*Session
	waiting    []waitingWelcome
	inflight   []inflight
	tail       logTail
	sinceSnap  int    // batches logged since the last snapshot
	snapDebt   int    // log bytes since the last snapshot
	snapSize   int    // bytes of the last snapshot
	elemCache  []byte // encoded elements at elemSeq, shared by welcomes
	elemSeq    int64
	notices    [][]byte          // join, leave, title frames waiting to go out together
	noticeT    *time.Timer       // fires noticeEvery after the first waiting notice
	authors    map[string]string // session id → name and colour recorded for history
	eph        map[*Session]*ephSlot
	ephOrder   []*Session
	ephT       *time.Timer // fires when the waiting ephemerals are due
	ephLast    time.Time   // when ephemerals last went out
	presenting presentState
}

// ephemeralEvery is the shortest time between two sends of a board's cursors, lasers and
// previews. Each person's latest of each within the interval is kept (a newer position replaces an older one) and
// all of them go to every member as one message, encoded once: with ten people moving
// their cursors at 30 Hz on a board of a thousand, that is 50 writes per member per second
// instead of 300.
const ephemeralEvery = 20 * time.Millisecond

// ephSlot is one session's ephemeral messages waiting for the next interval.
type ephSlot struct {
	cursor, laser, preview, view []byte
	ends                         [][]byte // preview ends are never dropped
}

// noticeEvery is how long join, leave and title messages wait to be sent together. When
// thousands join a board at once, each member gets one combined message per interval
// instead of one per arrival: O(members) writes per interval, not O(members²).
const noticeEvery = 100 * time.Millisecond

// maxWelcomePeers is how many peers a welcome lists at most.
const maxWelcomePeers = 200

type cmdKind uint8

const (
	cmdJoin cmdKind = iota + 1
	cmdLeave
	cmdMessage
	cmdEphemeral
	cmdFunc // run fn on the room goroutine
)

type roomCmd struct {
	kind   cmdKind
	s      *Session
	m      *wire.Message
	frame  []byte
	fn     func(*room)
	logged lookup // ops: whether m.CID was in the log when posted
}

// lookup is what the store said, on the sender's goroutine, about a batch's cid: applied
// at seq, or (found false) never applied as of when it looked. Room goroutine: a cid
// applied after the look is among the room's recent ids (st.BatchSeq), unless maxCIDs
// others were remembered since, or the room reloaded, which mark tells; then the room
// asks again.
type lookup struct {
	done  bool
	mark  int64 // room.cidMark before the read
	seq   int64
	found bool
	err   error
}

// heldJoin is a session that joined while the room was reloading.
type heldJoin struct {
	s     *Session
	since int64
}

// inflight is an applied batch waiting to become durable.
type inflight struct {
	seq    int64
	cid    string
	frame  []byte
	sender *Session
	acks   []*Session // sessions that resent this cid meanwhile

	received int64 // unix ns the batch was read, for the latency figures
}

// waitingWelcome is a session that joined while batches were in flight. Its welcome
// shows the state at seq, so it may only be sent, and the session only become a member,
// once seq is durable. Frames that are not ops (join, leave, title) wait in after.
type waitingWelcome struct {
	s       *Session
	seq     int64
	welcome []byte
	after   [][]byte
}

func newRoom(svc *Service, id string) *room {
	r := &room{id: id, svc: svc, inbox: newInbox(), quit: make(chan struct{}), fence: svc.fence(id), fan: newFanout(svc)}
	if svc.cluster != nil && r.fence == "" {
		// Its lease was let go as it started: it takes nobody and unloads; the
		// session that started it reconnects, and the next room takes the lease again.
		// A fence no lease ever equals: whatever it might write is refused.
		r.gone.Store(true)
		r.fence = "lost:0"
	}
	return r
}

// post hands a command to the room; dropped if the room has stopped. For a batch it first
// looks its cid up in the store, here on the caller's goroutine (a session's reader), so
// that the room never waits for the disk: one session's post returns in the order it
// was called, so its batches still reach the room in the order it sent them.
func (r *room) post(c roomCmd) {
	if c.kind == cmdMessage && c.m.Type == wire.MsgOps {
		c.logged = r.lookup(c.m.CID)
	}
	select {
	case r.inbox.cmds <- c:
	case <-r.quit:
	}
}

// lookup asks the store whether batch cid was applied already.
func (r *room) lookup(cid string) lookup {
	l := lookup{done: true, mark: r.cidMark.Load()}
	l.seq, l.found, l.err = r.svc.store.BatchSeq(r.svc.ctx, r.id, cid)
	return l
}

func (r *room) log() *slog.Logger { return r.svc.log.With("board", LogID(r.id)) }

func (r *room) run() {
	defer close(r.quit)
	r.noticeT = time.NewTimer(time.Hour)
	r.noticeT.Stop()
	r.ephT = time.NewTimer(time.Hour)
	r.ephT.Stop()
	r.eph = make(map[*Session]*ephSlot)
	r.guard(r.load)
	for !r.guard(r.loop) {
	}
}

// loop handles the room's events until it unloads or the service stops. After a
// recovered panic it starts again, and reloads the board first (roomguard.go).
func (r *room) loop() {
	r.recover()
	idle := time.NewTimer(time.Hour)
	idle.Stop()
	armed := false
	for {
		if r.isIdle() != armed {
			armed = !armed
			if armed && r.gone.Load() {
				idle.Reset(0) // its lease is lost: out at once, for the next owner
			} else if armed {
				idle.Reset(r.svc.cfg.RoomIdle)
			} else {
				idle.Stop()
			}
		}
		select {
		case c := <-r.inbox.cmds:
			r.handle(c)
		case <-r.inbox.ready:
			r.completed(r.inbox.take())
		case <-r.noticeT.C:
			r.sendNotices()
		case <-r.ephT.C:
			r.sendEphemeral()
		case <-idle.C:
			armed = false
			if r.isIdle() && r.unload() {
				return
			}
		case <-r.svc.ctx.Done():
			r.shutdown()
			return
		}
	}
}

func (r *room) isIdle() bool {
	return !r.recovering && len(r.members) == 0 && len(r.waiting) == 0 && len(r.inflight) == 0 && len(r.notices) == 0 && len(r.ephOrder) == 0
}

// load reads the board from the store; a room that cannot is broken (joins are refused
// with 1011) until it unloads. loading stays set if it panics (roomguard.go).
func (r *room) load() {
	r.loading = true
	r.loadState()
	r.loading = false
}

func (r *room) loadState() {
	ctx := r.svc.ctx
	meta, err := r.svc.store.Board(ctx, r.id)
	var snap Snapshot
	var tail []LogEntry
	if err == nil {
		snap, tail, err = r.svc.store.Load(ctx, r.id)
	}
	if err == nil {
		r.st, err = board.LoadState(snap, tail)
	}
	if err != nil {
		r.log().Error("load board", "err", err)
		r.broken = true
		return
	}
	r.meta = meta
	r.publishViewerVoice()
	r.tail.init(tail)
	r.sinceSnap, r.snapSize = len(tail), len(snap.Data)
	for _, e := range tail {
		r.snapDebt += len(e.Data)
	}
	r.durable = r.st.Seq()
}

func (r *room) handle(c roomCmd) {
	if h := testHookRoom.Load(); h != nil && c.m != nil {
		(*h)(r.id, c.m)
	}
	switch c.kind {
	case cmdJoin:
		r.join(c.s, c.m)
	case cmdLeave:
		r.leave(c.s)
	case cmdMessage:
		// A trashed board takes no changes: its sessions were closed, and what they sent
		// meanwhile is resent, with the same cids, when they rejoin after a restore.
		if r.broken || !r.meta.Deleted.IsZero() {
			return
		}
		switch c.m.Type {
		case wire.MsgOps:
			r.ops(c.s, c.m, c.logged)
		case wire.MsgTitle:
			if !r.overLimit(c.s, c.m.Size) {
				r.title(c.m.Title)
			}
		case wire.MsgCanvas:
			if !r.overLimit(c.s, c.m.Size) {
				r.canvas(c.m.Canvas)
			}
		case wire.MsgVoice:
			r.setViewerVoice(c.s, c.m)
		case wire.MsgPresent:
			r.present(c.s, c.m)
		case wire.MsgName:
			c.s.name = c.m.Name
			if c.m.Color != "" {
				c.s.color = c.m.Color
			}
			r.others(peerFrame(c.s))
		}
	case cmdEphemeral:
		r.ephemeral(c.s, c.m, c.frame)
	case cmdFunc:
		c.fn(r)
	}
}

// ephemeral keeps a cursor, laser or preview frame for the next interval.
func (r *room) ephemeral(s *Session, m *wire.Message, frame []byte) {
	slot := r.eph[s]
	if slot == nil {
		if len(r.ephOrder) == 0 {
			// The first after a quiet interval goes out at once: a stroke's first preview
			// or a cursor that starts moving shows without waiting. The rest of the
			// interval is batched as usual, so a board still sends at most one of these
			// messages per interval.
			if wait := ephemeralEvery - time.Since(r.ephLast); wait > 0 {
				r.ephT.Reset(wait)
			} else {
				defer r.sendEphemeral()
			}
		}
		slot = &ephSlot{}
		r.eph[s] = slot
		r.ephOrder = append(r.ephOrder, s)
	}
	switch {
	case m.Type == wire.MsgCursor:
		slot.cursor = frame
	case m.Type == wire.MsgLaser:
		slot.laser = frame
	case m.Type == wire.MsgView:
		slot.view = frame
	case m.End:
		slot.preview = nil
		slot.ends = append(slot.ends, frame)
	default:
		slot.preview = frame
	}
}

// sendEphemeral sends the interval's ephemeral messages to every member, the senders
// included (clients skip their own sid): one encoding for the whole board.
func (r *room) sendEphemeral() {
	r.ephLast = time.Now()
	var b []byte
	add := func(f []byte) {
		if f == nil {
			return
		}
		if len(b) > 0 {
			b = append(b, '\n')
		}
		b = append(b, f...)
	}
	for _, s := range r.ephOrder {
		slot := r.eph[s]
		add(slot.cursor)
		add(slot.laser)
		add(slot.preview)
		add(slot.view)
		for _, f := range slot.ends {
			add(f)
		}
		delete(r.eph, s)
	}
	clear(r.ephOrder)
	r.ephOrder = r.ephOrder[:0]
	if len(b) == 0 {
		return
	}
	for _, m := range r.members {
		m.send(b)
	}
}

func (r *room) join(s *Session, hello *wire.Message) {
	if r.gone.Load() {
		s.kick(CloseServiceRestart, "the board moved to another server; reconnecting")
		return
	}
	if r.recovering {
		r.held = append(r.held, heldJoin{s: s, since: hello.Since})
		return
	}
	if r.broken {
		s.send(errorFrame(&wire.Error{Code: wire.EInternal, Msg: "the board could not be loaded"}, ""))
		s.kick(CloseInternal, "board unavailable")
		return
	}
	if !r.meta.Deleted.IsZero() {
		refuseTrashed(s)
		return
	}
	if !r.linkCurrent(s) {
		refuseReplaced(s)
		return
	}
	r.others(peerFrame(s))
	w := r.welcome(s, hello.Since)
	if len(r.inflight) == 0 {
		s.send(w)
		r.members = append(r.members, s)
		return
	}
	r.waiting = append(r.waiting, waitingWelcome{s: s, seq: r.st.Seq(), welcome: w})
}

func (r *room) leave(s *Session) {
	if r.presenting.by == s {
		r.endPresenting()
	}
	for i, m := range r.members {
		if m == s {
			// A new list: the fan-out may still hold this one (fanJob).
			r.members = slices.Delete(slices.Clone(r.members), i, i+1)
			r.others(leaveFrame(s))
			return
		}
	}
	for i, w := range r.waiting {
		if w.s == s {
			r.waiting = append(r.waiting[:i], r.waiting[i+1:]...)
			r.others(leaveFrame(s))
			return
		}
	}
	for i, h := range r.held {
		if h.s == s {
			r.held = append(r.held[:i], r.held[i+1:]...)
			return
		}
	}
}

// others queues a frame that is not an ops broadcast (join, leave, title) for every
// member and waiting session; sendNotices delivers the queue as one message.
func (r *room) others(frame []byte) {
	if len(r.notices) == 0 {
		r.noticeT.Reset(noticeEvery)
	}
	r.notices = append(r.notices, frame)
}

func (r *room) sendNotices() {
	if len(r.notices) == 0 {
		return
	}
	msg := bytes.Join(r.notices, []byte{'\n'})
	clear(r.notices)
	r.notices = r.notices[:0]
	// One round, like a broadcast of ops: a node's link sends it once for its people.
	round := &Round{}
	for _, m := range r.members {
		m.t.Deliver(msg, Delivery{Round: round})
	}
	round.end()
	for i := range r.waiting {
		r.waiting[i].after = append(r.waiting[i].after, msg)
	}
}

func (r *room) ops(s *Session, m *wire.Message, l lookup) {
	seq, ok := r.st.BatchSeq(m.CID)
	if !ok {
		// Not among the recent batches: the durable index says, as post looked it up.
		// Every batch that could still be in flight is recent, so a hit there is always
		// durable already. A stale look (lookup) is repeated here, rare (after a reload),
		// and so is a failed one before the board is given up.
		if !l.done || l.err != nil || r.cidMark.Load()-l.mark >= board.RecentBatches {
			l = r.lookup(m.CID)
		}
		if l.err != nil {
			r.fail(l.err)
			return
		}
		seq, ok = l.seq, l.found
	}
	if ok {
		r.ackAgain(s, m.CID, seq)
		return
	}
	if r.overLimit(s, m.Size) {
		return
	}
	at := time.Now().UnixMilli()
	ops, err := r.st.Apply(m.Ops, s.ID, at, &r.svc.cfg.Limits)
	if err != nil {
		s.send(errorFrame(err, m.CID))
		return
	}
	r.svc.applied.add(len(ops))
	seq = r.st.Seq()
	r.st.AddBatch(m.CID, seq)
	r.cidMark.Add(1)
	entry := LogEntry{Seq: seq, CID: m.CID, Data: wire.OpsFrame(seq, m.CID, s.ID, at, ops)}
	r.inflight = append(r.inflight, inflight{seq: seq, cid: m.CID, frame: entry.Data, sender: s, received: m.Received})
	r.tail.push(entry)
	r.write(r.withAuthor(s, Write{Board: r.id, Entries: []LogEntry{entry}}), seq)
	r.sinceSnap++
	r.snapDebt += len(entry.Data)
	if r.snapshotDue() {
		r.saveSnapshot(nil)
	}
}

// ackAgain answers a resent batch: applied already, so only the ack is repeated, once
// the batch is durable.
func (r *room) ackAgain(s *Session, cid string, seq int64) {
	for i := range r.inflight {
		if r.inflight[i].seq == seq {
			r.inflight[i].acks = append(r.inflight[i].acks, s)
			return
		}
	}
	s.send(ackFrame(cid, seq))
}

func (r *room) title(t string) {
	r.meta.Title = t
	meta := r.meta
	r.write(Write{Board: r.id, Meta: &meta}, 0)
	b := append([]byte(`{"t":"title","title":`), wire.AppendString(nil, t)...)
	r.others(append(b, '}'))
}

// canvas stores the board's canvas colour and tells everyone on it, the sender too.
func (r *room) canvas(id string) {
	r.meta.Canvas = id
	meta := r.meta
	r.write(Write{Board: r.id, Meta: &meta}, 0)
	b := append([]byte(`{"t":"canvas","canvas":`), wire.AppendString(nil, id)...)
	r.others(append(b, '}'))
}

// submit hands w to the committer, counting it until it comes back through the inbox, so
// that a room recovering from a failed write knows when none of its writes is left in
// the queue. done runs on the committer's goroutine and must not block; it usually
// reports to the room's inbox (durableAt).
func (r *room) submit(w Write, done func(error)) {
	w.Fence = r.fence
	r.writes++
	r.svc.commit.submit(w, func(err error) {
		done(err)
		r.inbox.complete(0, nil, 1)
	})
}

// write is submit for a write whose only answer is to the room: its seq (0 for writes
// that carry no batch) is durable, or it failed. One report to the inbox.
func (r *room) write(w Write, seq int64) {
	w.Fence = r.fence
	r.writes++
	r.svc.commit.submit(w, func(err error) {
		if err != nil {
			seq = 0
		}
		r.inbox.complete(seq, err, 1)
	})
}

// durableAt returns the committer's callback for a write; seq 0 for writes that carry
// no batch. It reports to the room's inbox without blocking.
func (r *room) durableAt(seq int64) func(error) {
	return func(err error) {
		if err != nil {
			seq = 0
		}
		r.inbox.complete(seq, err, 0)
	}
}

// completed takes in what the committer reported and sends what became durable.
func (r *room) completed(c completion) {
	r.writes -= c.returned
	r.durable = max(r.durable, c.durable)
	if c.err != nil && r.commitErr == nil {
		r.commitErr = c.err
	}
	r.advance()
}

// advance sends everything that has become durable: broadcasts in seq order, acks, and
// welcomes that were waiting for their seq.
func (r *room) advance() {
	if r.broken {
		r.recover()
		return
	}
	durable, err := r.durable, r.commitErr
	if err != nil {
		r.fail(err)
		return
	}
	// The broadcasts, acks and late welcomes of what is durable now go to the fan-out,
	// which writes them while the room goes on (fanout.go). The room sends a waiting
	// session's welcome itself, now, before anything a job will send it.
	ready := 0
	for ready < len(r.inflight) && r.inflight[ready].seq <= durable {
		ready++
	}
	if ready == 0 {
		return
	}
	job := fanJob{members: r.members, items: make([]fanItem, ready)}
	now := time.Now().UnixNano()
	for n := range ready {
		f := &r.inflight[n]
		if f.received != 0 {
			r.svc.latency.Durable.Record(time.Duration(now - f.received))
		}
		it := &job.items[n]
		*it = fanItem{seq: f.seq, frame: f.frame, ack: ackFrame(f.cid, f.seq), sender: f.sender,
			senderMember: slices.Contains(r.members, f.sender), acks: f.acks, received: f.received}
		for len(r.waiting) > 0 && r.waiting[0].seq <= f.seq {
			w := r.waiting[0]
			r.waiting = r.waiting[1:]
			w.s.send(w.welcome)
			for _, b := range w.after {
				w.s.send(b)
			}
			r.members = append(r.members, w.s)
			it.joined = append(it.joined, w.s)
		}
	}
	clear(r.inflight[:ready])
	r.inflight = append(r.inflight[:0], r.inflight[ready:]...)
	r.fan.push(job)
}

// fail drops the room's state after a storage error (a full disk): nothing more is
// acknowledged, and the room reloads from what is durable as soon as every write it
// submitted has come back (recover).
//
// Editors are told the board could not be saved and closed, so that they reconnect and
// resend what was not acknowledged; if the disk is still full, they hear so again.
// Viewers stay: they were only ever sent what was durable, which is what the room
// reloads, so they keep reading. Joins meanwhile wait for the reload.
func (r *room) fail(err error) {
	if r.broken {
		return
	}
	if r.svc.cluster != nil && errors.Is(err, ErrFenced) {
		// The store says the board is not ours (its lease moved) or our state is
		// behind: the board moved, whether or not a renewal has noticed yet.
		r.log().Warn("the shared store refused a write; the board moves", "err", err)
		r.svc.forgetLease(r.id, r.fence)
		r.gone.Store(true)
		r.moved()
		return
	}
	r.log().Error("store board", "err", err)
	r.broken, r.recovering = true, true
	r.fan.wait()           // what was durable reaches everyone before the editors are closed
	var viewers []*Session // a new list: the fan-out may have held the old one
	for _, m := range r.members {
		if m.Role == RoleViewer {
			viewers = append(viewers, m)
			continue
		}
		m.send(errorFrame(&wire.Error{Code: wire.EInternal, Msg: r.svc.saveFailed()}, ""))
		m.kick(CloseInternal, "storage failed")
	}
	r.members = viewers
	for _, w := range r.waiting {
		if w.s.Role == RoleViewer {
			// Its welcome showed batches that are now lost: it gets a new one.
			r.held = append(r.held, heldJoin{s: w.s})
			continue
		}
		w.s.kick(CloseInternal, "storage failed")
	}
	r.waiting, r.inflight, r.st = nil, nil, nil
	r.recover()
}

// recover reloads a failed room from the store once none of its writes is left in the
// committer's queue (a later one must not land after a lost one, so the committer
// refuses the board's writes until then), and lets the held joins in.
func (r *room) recover() {
	if !r.recovering || r.writes > 0 {
		return
	}
	r.svc.commit.reset(r.id)
	r.recovering = false
	r.commitErr = nil
	r.tail, r.snapDebt, r.elemCache = logTail{}, 0, nil
	r.broken = false
	// The reloaded state lacks batch ids the old one had: lookups made before are stale.
	r.cidMark.Add(board.RecentBatches)
	r.load()
	held := r.held
	r.held = nil
	for _, h := range held {
		r.join(h.s, &wire.Message{Since: h.since})
	}
}

// snapshotDue says whether the log has grown enough since the last snapshot to store
// another: SnapshotEvery batches, and at least half the last snapshot's size in bytes.
// The second rule keeps the cost of snapshots in proportion to what is written: a board
// of ten thousand strokes has a snapshot of megabytes, and storing it after every
// thousand small batches wrote (and encoded) five to ten times more than the log itself,
// which halved the durable throughput of the overload run. A load then replays at most
// SnapshotEvery batches or half a snapshot's worth of log, whichever is more.
func (r *room) snapshotDue() bool {
	return r.sinceSnap >= r.svc.cfg.SnapshotEvery && r.snapDebt >= r.snapSize/2
}

// saveSnapshot stores the state as of the last applied batch. The committer writes it
// after every batch submitted before it, so it never gets ahead of the log.
func (r *room) saveSnapshot(done func(error)) {
	snap := r.st.Snapshot()
	r.sinceSnap, r.snapDebt, r.snapSize = 0, 0, len(snap.Data)
	if done == nil {
		r.write(Write{Board: r.id, Snapshot: &snap}, 0)
		return
	}
	cb := r.durableAt(0)
	r.submit(Write{Board: r.id, Snapshot: &snap}, func(err error) {
		cb(err)
		done(err)
	})
}

// flush waits until every submitted write is durable and, if the log has grown since the
// last snapshot, stores one. Used only when the room is about to stop.
func (r *room) flush() {
	for len(r.inflight) > 0 && !r.broken {
		<-r.inbox.ready
		r.completed(r.inbox.take())
	}
	if r.broken || r.sinceSnap == 0 {
		return
	}
	done := make(chan error, 1)
	r.saveSnapshot(func(err error) { done <- err })
	if err := <-done; err != nil {
		r.log().Error("final snapshot", "err", err)
	}
}

// unload stops an idle room, unless a session acquired it meanwhile.
func (r *room) unload() bool {
	r.fan.wait()
	r.flush()
	return r.svc.tryUnload(r)
}

func (r *room) shutdown() {
	r.fan.wait()
	for _, m := range r.members {
		m.kick(CloseGoingAway, "server shutting down")
	}
	for _, w := range r.waiting {
		w.s.kick(CloseGoingAway, "server shutting down")
	}
	r.members, r.waiting = nil, nil
	r.flush()
}

// welcome encodes the answer to hello{since}: the missed batches if the room still has
// them all, else the whole board.
func (r *room) welcome(s *Session, since int64) []byte {
	b := make([]byte, 0, 256)
	b = append(b, `{"t":"welcome","v":1,"sid":`...)
	b = wire.AppendString(b, s.ID)
	b = append(b, `,"role":`...)
	b = wire.AppendString(b, string(s.Role))
	b = append(b, `,"color":`...)
	b = wire.AppendString(b, s.color)
	b = append(b, `,"title":`...)
	b = wire.AppendString(b, r.meta.Title)
	b = append(b, `,"canvas":`...)
	b = wire.AppendString(b, r.meta.CanvasID())
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, r.st.Seq(), 10)
	if missed, ok := r.tail.since(since, r.st.Seq()); ok {
		b = append(b, `,"reset":false,"ops":[`...)
		for i, e := range missed {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, e.Data...)
		}
		b = append(b, ']')
	} else {
		if r.elemCache == nil || r.elemSeq != r.st.Seq() {
			r.elemCache, r.elemSeq = r.st.AppendElements(nil), r.st.Seq()
		}
		b = append(b, `,"reset":true,"elements":`...)
		b = append(b, r.elemCache...)
	}
	// The most recent peers only: a welcome to a board with ten thousand viewers must
	// not list them all (presence has the full roster).
	b = append(b, `,"peers":[`...)
	n := 0
	for i := len(r.waiting) - 1; i >= 0 && n < maxWelcomePeers; i-- {
		b = appendPeer(b, r.waiting[i].s, n)
		n++
	}
	for i := len(r.members) - 1; i >= 0 && n < maxWelcomePeers; i-- {
		b = appendPeer(b, r.members[i], n)
		n++
	}
	lim := &r.svc.cfg.Limits
	b = append(b, ']')
	b = r.appendVoice(b)
	b = r.appendPresenting(b)
	b = append(b, `,"limits":{"maxPoints":`...)
	b = strconv.AppendInt(b, int64(lim.MaxPoints), 10)
	b = append(b, `,"maxText":`...)
	b = strconv.AppendInt(b, int64(lim.MaxText), 10)
	b = append(b, `,"maxBatch":`...)
	b = strconv.AppendInt(b, int64(lim.MaxBatch), 10)
	b = append(b, `,"maxElements":`...)
	b = strconv.AppendInt(b, int64(lim.MaxElements), 10)
	b = append(b, `,"maxMessage":`...)
	b = strconv.AppendInt(b, int64(lim.MaxMessage), 10)
	return append(b, `}}`...)
}

func appendPeer(b []byte, s *Session, n int) []byte {
	if n > 0 {
		b = append(b, ',')
	}
	b = append(b, `{"sid":`...)
	b = wire.AppendString(b, s.ID)
	b = append(b, `,"name":`...)
	b = wire.AppendString(b, s.name)
	b = append(b, `,"color":`...)
	b = wire.AppendString(b, s.color)
	b = append(b, `,"role":`...)
	b = wire.AppendString(b, string(s.Role))
	return append(b, '}')
}

func peerFrame(s *Session) []byte {
	b := append([]byte(`{"t":"join",`), appendPeer(nil, s, 0)[1:]...)
	return b
}

func leaveFrame(s *Session) []byte {
	b := append([]byte(`{"t":"leave","sid":`), wire.AppendString(nil, s.ID)...)
	return append(b, '}')
}

func ackFrame(cid string, seq int64) []byte {
	b := make([]byte, 0, 48+len(cid))
	b = append(b, `{"t":"ack","cid":`...)
	b = wire.AppendString(b, cid)
	b = append(b, `,"seq":`...)
	b = strconv.AppendInt(b, seq, 10)
	return append(b, '}')
}

// logTail keeps the most recent log entries in memory so that a client that reconnects
// after a short drop gets just what it missed, without a read from disk.
//
// Entries live in entries[start:]; dropping the oldest only moves start, and the slice is
// compacted once start has passed tailEntries, so a push costs O(1) amortised. (Shifting
// the whole tail down on every push, as it once did, copied 2,047 entries per batch and
// was about a third of the server's CPU under a durable-write overload.)
type logTail struct {
	entries []LogEntry
	start   int
	bytes   int
}

const (
	tailEntries = 2048
	tailBytes   = 8 << 20
)

func (t *logTail) init(entries []LogEntry) {
	for _, e := range entries {
		t.push(e)
	}
}

func (t *logTail) push(e LogEntry) {
	t.entries = append(t.entries, e)
	t.bytes += len(e.Data)
	for n := len(t.entries) - t.start; n > tailEntries || t.bytes > tailBytes && n > 1; n-- {
		t.bytes -= len(t.entries[t.start].Data)
		t.entries[t.start] = LogEntry{} // let the frame be collected
		t.start++
	}
	if t.start >= tailEntries {
		n := copy(t.entries, t.entries[t.start:])
		clear(t.entries[n:])
		t.entries, t.start = t.entries[:n], 0
	}
}

// since returns the entries after seq `since` up to `seq`, if the tail holds all of them.
// The slice is the tail's own: use it before the next push.
func (t *logTail) since(since, seq int64) ([]LogEntry, bool) {
	kept := t.entries[t.start:]
	switch {
	case since == seq:
		return nil, true
	case since == 0 || since > seq || len(kept) == 0:
		return nil, false
	case kept[0].Seq > since+1:
		return nil, false
	}
	return kept[since+1-kept[0].Seq:], true
}

// roomFanOutChunk is how many members one goroutine writes a broadcast to. Transports
// write straight to their sockets when they can, so a broadcast to a
// large board is that many system calls: above this many members direct writes are split
// over the CPUs, and the fan-out waits for all of them, which keeps every member's order.
const roomFanOutChunk = 256

// fanOut delivers msg to members but skip, in round; received is when the batch was
// read, h where its latency goes. direct: one broadcast alone, which transports may
// write at once; else one of several in a row (Delivery.Held).
func fanOut(members []*Session, msg []byte, received int64, skip *Session, direct bool, h *hist.Histogram, round *Round) {
	d := timed(received, h, !direct, round)
	send := func(part []*Session) {
		for _, m := range part {
			if m != skip {
				m.t.Deliver(msg, d)
			}
		}
	}
	if !direct {
		// Queueing is cheap and wakes the members' writers: done from worker goroutines
		// it was 6× slower (BenchmarkFanout/1000Conns 0.53 → 3.0 ms a batch).
		send(members)
		return
	}
	inParallel(members, roomFanOutChunk, send)
}
