package app

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"

	fws "github.com/fasthttp/websocket"

	"tabula/collab"
)

// The follower's side of board links (wslink.go): its people's connections to boards
// another node owns.

// linkLinger is how long a link with nobody left on it stays open, for the next person
// to reuse rather than dial again.
const linkLinger = 30 * time.Second

// links are this node's links to the owners of the boards it follows, by board id.
type links struct {
	mu sync.Mutex
	m  map[string]*link
}

// link is a follower's end of one board's link to its owner.
type link struct {
	s     *Server
	board string
	addr  string
	ready chan struct{} // closed once dialled; err says how it went
	err   error
	ws    *fws.Conn

	mu     sync.Mutex
	out    []byte // records waiting to be written
	spare  []byte
	closed bool
	sess   map[uint64]*remoteSession
	next   uint64
	linger *time.Timer // closes the link when nobody has used it for linkLinger

	wake chan struct{} // out has records (capacity 1)
	done chan struct{} // closed when the link has ended
}

// followLink returns a link to the owner at addr of board id, dialling one if this
// node has none to that owner. Everyone on the board shares it.
func (s *Server) followLink(ctx context.Context, id, addr string) (*link, error) {
	s.links.mu.Lock()
	if s.links.m == nil {
		s.links.m = map[string]*link{}
	}
	l := s.links.m[id]
	if l != nil && (l.addr != addr || l.ended()) {
		l = nil // the board has a new owner; the old link ends when the old owner closes it
	}
	if l == nil {
		l = &link{s: s, board: id, addr: addr, ready: make(chan struct{}),
			sess: map[uint64]*remoteSession{}, wake: make(chan struct{}, 1), done: make(chan struct{})}
		s.links.m[id] = l
		s.links.mu.Unlock()
		l.err = l.dial(ctx)
		if l.err != nil {
			l.forget()
		}
		close(l.ready)
	} else {
		s.links.mu.Unlock()
	}
	select {
	case <-l.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if l.err != nil {
		return nil, l.err
	}
	return l, nil
}

// dial connects to the owner and starts the link's reader and writer.
func (l *link) dial(ctx context.Context) error {
	secret, err := l.s.svc.ClusterSecret(ctx)
	if err != nil {
		return err
	}
	if secret == nil {
		return errors.New("no cluster secret")
	}
	path := linkPath + l.board
	h := http.Header{}
	h.Set(linkSig, linkSignature(secret, path, l.s.svc.Node()))
	h.Set(linkNode, l.s.svc.Node())
	d := fws.Dialer{
		NetDialContext:   (&net.Dialer{Timeout: dialOwner}).DialContext,
		HandshakeTimeout: dialOwner,
		ReadBufferSize:   64 << 10,
		WriteBufferSize:  64 << 10,
	}
	ws, resp, err := d.DialContext(ctx, "ws://"+l.addr+path, h)
	if err != nil {
		if resp != nil {
			return fmt.Errorf("link to %s: %s", l.addr, resp.Status)
		}
		return fmt.Errorf("link to %s: %w", l.addr, err)
	}
	ws.SetReadLimit(linkMaxMessage)
	l.ws = ws
	l.s.linkStats.following.Add(1)
	go l.write()
	go l.read()
	return nil
}

// forget takes the link out of the node's table, if it is still there.
func (l *link) forget() {
	l.s.links.mu.Lock()
	if l.s.links.m[l.board] == l {
		delete(l.s.links.m, l.board)
	}
	l.s.links.mu.Unlock()
}

func (l *link) ended() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed
}

// open puts connection w (a person with role at address ip) on the link. If the link
// has just ended, w is closed with 1012 and reconnects.
func (l *link) open(w *wsConn, b collab.BoardMeta, role collab.Role, ip string) *remoteSession {
	r := &remoteSession{l: l, w: w}
	meta, err := json.Marshal(b)
	if err != nil { // a BoardMeta always encodes
		panic(err)
	}
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		w.Close(collab.CloseServiceRestart, "the board moved to another server; reconnecting")
		return r
	}
	l.next++
	r.id = l.next
	l.sess[r.id] = r
	if l.linger != nil {
		l.linger.Stop()
		l.linger = nil
	}
	l.out = append(l.out, linkOpen)
	l.out = binary.AppendUvarint(l.out, r.id)
	l.out = appendLinkString(l.out, string(role))
	l.out = appendLinkString(l.out, ip)
	l.out = appendLinkBytes(l.out, meta)
	l.mu.Unlock()
	l.signal()
	return r
}

func (l *link) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// write sends what the link's people send, and a ping when the link is quiet, until
// the link ends or the server shuts down.
func (l *link) write() {
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-l.wake:
		case <-ping.C:
			if l.ws.WriteControl(fws.PingMessage, nil, time.Now().Add(writeTimeout)) != nil {
				l.end()
				return
			}
			continue
		case <-l.s.done:
			l.end()
			return
		case <-l.done:
			return
		}
		l.mu.Lock()
		out := l.out
		l.out, l.spare = l.spare[:0], nil
		l.mu.Unlock()
		if len(out) == 0 {
			continue
		}
		_ = l.ws.SetWriteDeadline(time.Now().Add(writeTimeout))
		if err := l.ws.WriteMessage(fws.BinaryMessage, out); err != nil {
			l.end()
			return
		}
		l.mu.Lock()
		if cap(out) <= 1<<20 {
			l.spare = out[:0]
		}
		l.mu.Unlock()
	}
}

// read hands what the owner sends to the link's people until the link ends.
func (l *link) read() {
	defer l.end()
	var ids []uint64
	var to []*remoteSession
	readLink(l.ws, func(r *linkReader) bool {
		for r.more() {
			switch r.kind() {
			case linkDeliver:
				n := r.uint()
				if n > uint64(len(r.b)) {
					return false // more ids than bytes left
				}
				ids = ids[:0]
				for range n {
					ids = append(ids, r.uint())
				}
				payload := r.bytes()
				if r.err != nil {
					return false
				}
				// Several records in one message: queue them, so that each socket gets
				// them in one write, as a room holds a run of broadcasts (Delivery.Held).
				d := collab.Delivery{Held: r.more()}
				to = l.sessions(ids, to[:0])
				for _, rs := range to {
					rs.w.Deliver(payload, d)
				}
				clear(to)
			case linkKick:
				id, code, why := r.uint(), r.uint(), r.bytes()
				if r.err != nil || code > 4999 {
					return false
				}
				if to = l.sessions([]uint64{id}, to[:0]); len(to) == 1 {
					to[0].w.Close(int(code), string(why))
				}
				clear(to)
			default:
				return false
			}
		}
		return true
	})
}

// sessions appends the link's connections with ids to to; ids it no longer has (their
// person left meanwhile) are skipped.
func (l *link) sessions(ids []uint64, to []*remoteSession) []*remoteSession {
	l.mu.Lock()
	for _, id := range ids {
		if rs := l.sess[id]; rs != nil {
			to = append(to, rs)
		}
	}
	l.mu.Unlock()
	return to
}

// end ends the link and closes every connection on it: with 1012 (the page reconnects
// and resumes through whichever node owns the board next), or 1001 when this server is
// shutting down.
func (l *link) end() { l.finish(false) }

// finish is end; if unused, only when nobody is on the link.
func (l *link) finish(unused bool) {
	l.mu.Lock()
	if l.closed || (unused && len(l.sess) > 0) {
		l.mu.Unlock()
		return
	}
	l.closed = true
	sess := l.sess
	l.sess = nil
	if l.linger != nil {
		l.linger.Stop()
	}
	l.mu.Unlock()
	l.forget()
	close(l.done)
	if l.ws != nil {
		l.ws.Close()
		l.s.linkStats.following.Add(-1)
	}
	code, why := collab.CloseServiceRestart, "the board moved to another server; reconnecting"
	select {
	case <-l.s.done:
		code, why = collab.CloseGoingAway, "server shutting down"
	default:
	}
	for _, rs := range sess {
		rs.w.Close(code, why)
	}
}

// remoteSession is a person's connection to a board another node owns: what they send
// goes over the board's link, and the link delivers to their connection (w).
type remoteSession struct {
	l      *link
	id     uint64 // 0: the link had ended when it opened
	w      *wsConn
	joined bool // the reader goroutine's only
}

// Receive sends the person's message to the owner.
func (r *remoteSession) Receive(msg []byte) {
	r.joined = true // if it was not hello, the owner answers and closes
	l := r.l
	l.mu.Lock()
	if l.closed || r.id == 0 {
		l.mu.Unlock()
		return
	}
	if len(l.out)+len(msg) > linkMaxBytes {
		// The owner has stopped reading: everyone on the link starts again.
		l.mu.Unlock()
		l.end()
		return
	}
	l.out = append(l.out, linkMessage)
	l.out = binary.AppendUvarint(l.out, r.id)
	l.out = appendLinkBytes(l.out, msg)
	l.mu.Unlock()
	l.signal()
}

// Joined reports whether the person has sent anything: a first message that is not
// hello is answered by the owner.
func (r *remoteSession) Joined() bool { return r.joined }

// Close is the connection's end: the owner is told, and the link lingers for a while
// once nobody is left on it.
func (r *remoteSession) Close() {
	r.w.Close(collab.CloseGoingAway, "closed")
	l := r.l
	l.mu.Lock()
	if l.closed || l.sess[r.id] != r {
		l.mu.Unlock()
		return
	}
	delete(l.sess, r.id)
	l.out = append(l.out, linkClosed)
	l.out = binary.AppendUvarint(l.out, r.id)
	if len(l.sess) == 0 && l.linger == nil {
		l.linger = time.AfterFunc(linkLinger, func() { l.finish(true) })
	}
	l.mu.Unlock()
	l.signal()
}
