package app

import (
	"encoding/binary"
	"encoding/json"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	fws "github.com/fasthttp/websocket"
	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"tabula/collab"
	"tabula/internal/metrics"
)

// The owner's side of board links (wslink.go): people on other nodes, in this node's
// rooms.

// linkLocal is the local the link's upgrade leaves for its handler: the board.
const linkLocal = "link"

// linkUpgrade admits a link request from another node of the cluster: signed with the
// deployment's secret, for a board that exists. Anything else is refused before the
// upgrade, as a 404 on a single node.
func (s *Server) linkUpgrade(c *fiber.Ctx) error {
	if s.svc.Node() == "" || !websocket.IsWebSocketUpgrade(c) {
		return fiber.ErrNotFound
	}
	secret, err := s.svc.ClusterSecret(c.UserContext())
	if err != nil || secret == nil {
		return fiber.NewError(fiber.StatusServiceUnavailable, "cluster secret unavailable")
	}
	path := string(c.Request().URI().PathOriginal())
	if err := checkLinkSignature(secret, c.Get(linkSig), path, c.Get(linkNode)); err != nil {
		s.log.Warn("link refused", "node", c.Get(linkNode), "err", err)
		return fiber.NewError(fiber.StatusForbidden, "link refused")
	}
	b, err := s.svc.Board(c.UserContext(), c.Params("id"))
	if err != nil {
		return err
	}
	c.Locals(linkLocal, b)
	return c.Next()
}

// linkHandler runs an admitted link on the handler's goroutine, which reads.
func (s *Server) linkHandler() fiber.Handler {
	return websocket.New(func(c *websocket.Conn) { s.serveLink(c.Conn, c.Locals(linkLocal).(collab.BoardMeta)) },
		websocket.Config{ReadBufferSize: 64 << 10, WriteBufferSize: 64 << 10})
}

// ownerLink is the owner's end of one board's link from one follower.
type ownerLink struct {
	s     *Server
	board collab.BoardMeta
	ws    *fws.Conn

	mu     sync.Mutex
	q      []linkEntry // what the room delivered, not yet written
	spare  []linkEntry
	queued int       // bytes q holds, roughly: a message shared by a run of entries counts once
	oldest time.Time // when q's head was queued
	closed bool
	round  *collab.Round // the last round q holds a delivery of; the writer wakes at its end

	wake    chan struct{} // q has entries (capacity 1)
	done    chan struct{} // closed when the link ends
	written chan struct{} // closed when the writer has stopped

	sess map[uint64]*linkSession // the reader's only
}

// linkEntry is one delivery to a person on the follower, or (code > 0) their close.
type linkEntry struct {
	id   uint64
	msg  []byte
	d    collab.Delivery
	code int
	why  string
}

// linkSession is the collab.Transport of a person on the follower.
type linkSession struct {
	l      *ownerLink
	id     uint64
	ip     string
	sess   *collab.Session
	closed atomic.Bool
}

var _ collab.Transport = (*linkSession)(nil)

// Deliver queues msg for the link's writer, which sends it with every other delivery
// of the moment in one message.
func (t *linkSession) Deliver(msg []byte, d collab.Delivery) bool {
	if t.closed.Load() {
		return false
	}
	return t.l.enqueue(linkEntry{id: t.id, msg: msg, d: d})
}

// Close asks the follower to close the person's connection with code, after what was
// delivered to it.
func (t *linkSession) Close(code int, why string) {
	if t.closed.Swap(true) {
		return
	}
	t.l.enqueue(linkEntry{id: t.id, code: code, why: why})
}

// serveLink runs a link until the follower ends it, it fails or the server shuts down;
// then everyone who was on it leaves the board.
func (s *Server) serveLink(ws *fws.Conn, b collab.BoardMeta) {
	s.wsOpen.Add(1)
	defer s.wsOpen.Add(-1)
	s.linkStats.served.Add(1)
	defer s.linkStats.served.Add(-1)
	l := &ownerLink{s: s, board: b, ws: ws, wake: make(chan struct{}, 1), done: make(chan struct{}),
		written: make(chan struct{}), sess: map[uint64]*linkSession{}}
	ws.SetReadLimit(linkMaxMessage)
	go l.write()
	l.read()
	l.abandon() // the follower has gone, or sent what no node sends
	<-l.written
	for _, t := range l.sess {
		t.closed.Store(true)
		t.sess.Close()
		s.wsAddrs.release(t.ip)
	}
}

// read hands the follower's records to the sessions until the link ends. A panic in a
// session ends the link, not the server.
func (l *ownerLink) read() {
	defer func() {
		if r := recover(); r != nil {
			l.s.log.Error("panic in a board link", "panic", r, "stack", string(debug.Stack()))
		}
	}()
	readLink(l.ws, func(r *linkReader) bool {
		for r.more() {
			switch r.kind() {
			case linkOpen:
				id, rb, ip, mb := r.uint(), r.bytes(), string(r.bytes()), r.bytes()
				role, ok := roleOf(rb)
				var meta collab.BoardMeta
				if r.err != nil || !ok || id == 0 || l.sess[id] != nil || json.Unmarshal(mb, &meta) != nil || meta.ID != l.board.ID {
					return l.malformed()
				}
				if !l.s.wsAddrs.acquire(ip) {
					l.enqueue(linkEntry{id: id, code: collab.ClosePolicy, why: "too many connections from your address; close some tabs and try again"})
					continue
				}
				t := &linkSession{l: l, id: id, ip: ip}
				t.sess = l.s.svc.Open(meta, role, ip, t)
				l.sess[id] = t
			case linkMessage:
				id, p := r.uint(), r.bytes()
				if t := l.sess[id]; t != nil && r.err == nil {
					t.sess.Receive(p)
				}
			case linkClosed:
				id := r.uint()
				if t := l.sess[id]; t != nil {
					delete(l.sess, id)
					t.closed.Store(true) // gone: nothing more to send it
					t.sess.Close()
					l.s.wsAddrs.release(t.ip)
				}
			default:
				return l.malformed()
			}
		}
		return r.err == nil || l.malformed()
	})
}

// malformed logs a link message no node sends; the link ends.
func (l *ownerLink) malformed() bool {
	l.s.log.Warn("malformed link message", "board", collab.LogID(l.board.ID))
	return false
}

// enqueue queues e for the writer. A follower that has let deliveries pile up past
// linkMaxBytes or maxQueueAge is too slow for the board: the link ends, and its people
// reconnect and resume.
func (l *ownerLink) enqueue(e linkEntry) bool {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return false
	}
	now := time.Now()
	if len(l.q) > 0 && (l.queued > linkMaxBytes || now.Sub(l.oldest) > maxQueueAge) {
		l.mu.Unlock()
		l.s.log.Warn("a board link fell behind; its people reconnect", "board", collab.LogID(l.board.ID))
		metrics.Refuse("link_too_slow")
		l.abandon()
		return false
	}
	if len(l.q) == 0 {
		l.oldest = now
	}
	cost := 48 + len(e.why)
	if n := len(l.q); n == 0 || !sameBytes(l.q[n-1].msg, e.msg) {
		cost += len(e.msg)
	}
	l.queued += cost
	l.q = append(l.q, e)
	// A delivery of a room's fan-out round waits for the round's end, so that a
	// broadcast to several of the follower's people is one record whichever way the
	// fan-out and this writer interleave; anything else wakes the writer at once.
	wake, atEnd := len(l.q) == 1 && e.d.Round == nil, e.d.Round != nil && e.d.Round != l.round
	if atEnd {
		l.round = e.d.Round
	}
	l.mu.Unlock()
	if wake {
		l.wakeWriter()
	}
	if atEnd {
		e.d.Round.AtEnd(l.wakeWriter)
	}
	return true
}

// wakeWriter tells the writer that q has entries.
func (l *ownerLink) wakeWriter() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// sameBytes reports whether a and b are the same slice (one broadcast to many).
func sameBytes(a, b []byte) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// write sends what is queued, everything of the moment in one message, until the link
// ends; then what is still queued (the closes of a shutdown), and the close frame.
func (l *ownerLink) write() {
	defer close(l.written)
	defer l.ws.Close()
	var buf []byte
	flush := func() bool {
		l.mu.Lock()
		q := l.q
		l.q, l.spare, l.queued = l.spare[:0], nil, 0
		l.mu.Unlock()
		if len(q) == 0 {
			return true
		}
		var records int
		buf, records = encodeLinkEntries(buf[:0], q)
		l.s.linkStats.records.Add(int64(records))
		l.s.linkStats.deliveries.Add(int64(len(q)))
		_ = l.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
		err := l.ws.WriteMessage(fws.BinaryMessage, buf)
		now := time.Now()
		for i := range q {
			q[i].d.Written(now)
		}
		clear(q)
		l.mu.Lock()
		if cap(q) <= 1<<16 {
			l.spare = q[:0]
		}
		l.mu.Unlock()
		if cap(buf) > 1<<20 {
			buf = nil
		}
		return err == nil
	}
	for {
		select {
		case <-l.wake:
			if !flush() {
				l.end()
				return
			}
		case <-l.s.done:
			l.end()
		case <-l.done:
			flush()
			_ = l.ws.WriteControl(fws.CloseMessage, fws.FormatCloseMessage(fws.CloseNormalClosure, ""), time.Now().Add(closeGrace))
			return
		}
	}
}

// end stops the link: nothing more is queued, and the writer sends what is.
func (l *ownerLink) end() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.closed {
		l.closed = true
		close(l.done)
	}
}

// abandon ends the link at once, without sending what is queued: the other side is
// gone, broken or too slow to take it.
func (l *ownerLink) abandon() {
	l.end()
	l.ws.Close()
}

// encodeLinkEntries appends q to b as link records: each run of deliveries of one
// message becomes one record listing its people, in an order that keeps every person's
// own order (a person's later message never goes in an earlier record).
func encodeLinkEntries(b []byte, q []linkEntry) ([]byte, int) {
	type group struct {
		msg  []byte
		ids  []uint64
		code int
		why  string
	}
	var groups []group
	last := map[uint64]int{}  // person → index of the last group they are in, +1
	latest := map[*byte]int{} // message → index of the last group that sends it
	for _, e := range q {
		if e.code > 0 {
			groups = append(groups, group{ids: []uint64{e.id}, code: e.code, why: e.why})
			last[e.id] = len(groups)
			continue
		}
		var key *byte
		if len(e.msg) > 0 {
			key = &e.msg[0]
		}
		if g, ok := latest[key]; ok && len(groups[g].msg) == len(e.msg) && g+1 > last[e.id] {
			groups[g].ids = append(groups[g].ids, e.id)
			last[e.id] = g + 1
			continue
		}
		groups = append(groups, group{msg: e.msg, ids: []uint64{e.id}})
		latest[key] = len(groups) - 1
		last[e.id] = len(groups)
	}
	for _, g := range groups {
		if g.code > 0 {
			b = append(b, linkKick)
			b = binary.AppendUvarint(b, g.ids[0])
			b = binary.AppendUvarint(b, uint64(g.code))
			b = appendLinkString(b, g.why)
			continue
		}
		b = append(b, linkDeliver)
		b = binary.AppendUvarint(b, uint64(len(g.ids)))
		for _, id := range g.ids {
			b = binary.AppendUvarint(b, id)
		}
		b = appendLinkBytes(b, g.msg)
	}
	return b, len(groups)
}
