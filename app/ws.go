package app

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gofiber/fiber/v2"

	"tabula/collab"
)

const (
	pingEvery    = 30 * time.Second
	readTimeout  = 75 * time.Second // two missed pings and then some
	writeTimeout = 10 * time.Second
	closeGrace   = time.Second // how long to wait for the client's close reply
)

// wsUpgrade checks the board before the upgrade, so an unknown board is a plain 404
// and a request that is not a WebSocket handshake a plain 426.
func (s *Server) wsUpgrade(role collab.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		b, err := s.lookup(c, role)
		if err != nil {
			return err
		}
		if !isWebSocketUpgrade(c) || c.Get("Sec-WebSocket-Version") != "13" || !validKey(c.Get("Sec-WebSocket-Key")) {
			c.Set("Sec-WebSocket-Version", "13")
			return fiber.NewError(fiber.StatusUpgradeRequired, "this address takes WebSocket connections")
		}
		c.Locals("board", b)
		return c.Next()
	}
}

// wsHandler completes the handshake and hands the socket to serveWS on a goroutine of
// its own, so that fasthttp's handler (and the request state it holds) ends at once.
func (s *Server) wsHandler(role collab.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		b := c.Locals("board").(collab.BoardMeta)
		addr := s.clients.of(c)
		conn := c.Context().Conn() // the socket under fasthttp's hijacked wrapper
		c.Status(fiber.StatusSwitchingProtocols)
		c.Set(fiber.HeaderUpgrade, "websocket")
		c.Set(fiber.HeaderConnection, "Upgrade")
		c.Set("Sec-WebSocket-Accept", acceptKey(c.Get("Sec-WebSocket-Key")))
		c.Context().Hijack(func(hijacked net.Conn) {
			// Bytes the client sent right after its handshake may already sit in
			// fasthttp's reader: take them, without waiting for more, before the
			// reader goes back to fasthttp's pool.
			var pre []byte
			_ = conn.SetReadDeadline(time.Unix(1, 0))
			var chunk [512]byte
			for {
				n, err := hijacked.Read(chunk[:])
				pre = append(pre, chunk[:n]...)
				if err != nil || n == 0 {
					break
				}
			}
			_ = conn.SetReadDeadline(time.Time{})
			go s.serveWS(conn, pre, s.svc.Open(b, role, addr))
		})
		return nil
	}
}

// serveWS runs one connection on the goroutine that owns its reads. Writes happen on a
// goroutine that exists only while there is something to write (wsConn.run).
func (s *Server) serveWS(conn net.Conn, pre []byte, sess *collab.Session) {
	w := &wsConn{sess: sess, out: conn, finished: make(chan struct{})}
	if w.raw = collab.RawConn(conn); w.raw != nil {
		sess.Direct = w.direct
	}
	sess.Wake = w.wake
	s.conns.Store(w, struct{}{})
	defer s.conns.Delete(w)
	w.readMessages(&frameReader{conn: conn, pre: pre}, s.svc.Limits().MaxMessage)
	sess.Close()
	<-w.finished
	conn.Close()
}

// readMessages hands the client's messages to its session until the connection ends, or
// until the client breaks a rule: the session is then failed with the code to close with.
func (w *wsConn) readMessages(fr *frameReader, limit int) {
	sess := w.sess
	w.refreshReadDeadline()
	var msg []byte // a fragmented message so far
	fragmented := false
	for {
		fin, op, payload, err := fr.frame(limit - len(msg))
		if err != nil {
			var fe *frameError
			if errors.As(err, &fe) {
				sess.Fail(fe.code, fe.why)
			}
			return
		}
		w.refreshReadDeadline()
		switch op {
		case opPing:
			// Answered by the writer, in turn with every other frame: a pong written
			// from here could land in the middle of a frame a direct write left
			// half-sent. Only the latest ping needs an answer.
			w.pong.Store(&payload)
			w.wake()
		case opPong:
		case opClose:
			if code := closeCodeOf(payload); code != 0 {
				sess.Fail(code, "")
			} else {
				sess.Fail(closeProtocol, "bad close frame")
			}
			return
		case opBinary:
			sess.Fail(collab.CloseUnsupported, "binary frames are not supported")
			return
		case opText:
			if fragmented {
				sess.Fail(closeProtocol, "a new message began before the last one ended")
				return
			}
			if fin {
				sess.Receive(payload)
			} else {
				msg, fragmented = payload, true
			}
		case opContinuation:
			if !fragmented {
				sess.Fail(closeProtocol, "a continuation frame with no message to continue")
				return
			}
			msg = append(msg, payload...)
			if fin {
				sess.Receive(msg)
				msg, fragmented = nil, false
			}
		}
	}
}

// wsConn is one connection's writing side, and the read deadline its reader and writer
// share.
type wsConn struct {
	sess     *collab.Session
	running  atomic.Bool            // a run goroutine exists
	ping     atomic.Bool            // a ping is due
	pong     atomic.Pointer[[]byte] // the data of the last ping to answer
	finished chan struct{}
	deadline time.Time // write deadline set on the connection; only run touches it

	raw       syscall.RawConn // the socket, for direct writes; nil if there is none
	out       net.Conn        // the connection: every frame is written to it
	bufs      net.Buffers     // the writer's, reused
	rest      []byte          // the unwritten end of a direct write, for run to finish
	restStamp collab.Stamp

	rmu          sync.Mutex
	closing      bool      // the close frame is out: the read deadline is the close grace
	readDeadline time.Time // the reader's; only it touches this
}

// direct writes msg as one text frame straight to the socket from the caller's goroutine
// (the room's, fanning out a broadcast) when no writer is running and the socket takes
// it without waiting: no goroutine is woken for it. Whatever the socket does not take
// is kept for a writer started here. It reports false, having written nothing, when a
// writer is running, the socket is full, or the write fails (the writer then finds the
// failure). Called with the session's lock held (collab.Session.Direct).
func (w *wsConn) direct(msg []byte, st collab.Stamp) bool {
	if !w.running.CompareAndSwap(false, true) {
		return false
	}
	var hb [10]byte
	hdr := frameHeader(hb[:0], len(msg))
	n, err := collab.WriteNow(w.raw, hdr, msg)
	switch {
	case err != nil || n == 0:
		w.release()
		return false
	case n < len(hdr)+len(msg):
		rest := make([]byte, 0, len(hdr)+len(msg)-n)
		if n < len(hdr) {
			rest = append(rest, hdr[n:]...)
			rest = append(rest, msg...)
		} else {
			rest = append(rest, msg[n-len(hdr):]...)
		}
		w.rest, w.restStamp = rest, st
		go w.run()
		return true
	}
	w.sess.Written(st)
	w.release()
	return true
}

// release gives up the right to write taken by direct, starting a writer if a ping came
// due meanwhile (its wake found the right taken).
func (w *wsConn) release() {
	w.running.Store(false)
	if w.ping.Load() || w.pong.Load() != nil {
		w.wake()
	}
}

// frameHeader appends the header of an unmasked, final text frame of n bytes.
func frameHeader(b []byte, n int) []byte {
	b = append(b, 0x81)
	switch {
	case n < 126:
		return append(b, byte(n))
	case n <= 0xffff:
		return append(b, 126, byte(n>>8), byte(n))
	default:
		return append(b, 127, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
}

// wake makes sure a writer runs; called by the session and by the pinger.
func (w *wsConn) wake() {
	if w.running.CompareAndSwap(false, true) {
		go w.run()
	}
}

// run writes until nothing is left, then exits; after the session closed, it sends the
// close frame and finishes the connection. Everything queued since the last write goes
// out as one frame, messages separated by newlines: one system call for many messages
// when a board is busy.
func (w *wsConn) run() {
	broken := false
	if w.rest != nil {
		w.refreshDeadline()
		if _, err := w.out.Write(w.rest); err != nil {
			broken = true
			w.sess.Fail(collab.CloseGoingAway, "write failed")
		} else {
			w.sess.Written(w.restStamp)
		}
		w.rest, w.restStamp = nil, collab.Stamp{}
	}
	for {
		if w.ping.Swap(false) && !broken {
			if err := w.writeControl(opPing, nil); err != nil {
				broken = true
				w.sess.Fail(collab.CloseGoingAway, "ping failed")
			}
		}
		if p := w.pong.Swap(nil); p != nil && !broken {
			if err := w.writeControl(opPong, *p); err != nil {
				broken = true
				w.sess.Fail(collab.CloseGoingAway, "pong failed")
			}
		}
		if msgs, stamps := w.sess.TakeStamped(); len(msgs) > 0 {
			if !broken {
				if w.writeFrame(msgs) != nil {
					broken = true
					w.sess.Fail(collab.CloseGoingAway, "write failed")
				} else {
					w.sess.Written(stamps...)
				}
			}
			clear(msgs) // an idle connection keeps no message alive
			continue
		}
		if closed, code, why := w.sess.Closed(); closed {
			if !broken {
				_ = w.writeControl(opClose, closePayload(code, why))
			}
			// The reader ends when the client answers the close, or soon after anyway.
			w.rmu.Lock()
			w.closing = true
			_ = w.out.SetReadDeadline(time.Now().Add(closeGrace))
			w.rmu.Unlock()
			close(w.finished)
			return // running stays true: nothing is written after the close frame
		}
		w.running.Store(false)
		// A message queued after Take but before Store saw running and did not start a
		// writer: look again, and carry on unless another writer has started since.
		if w.sess.Idle() && !w.ping.Load() && w.pong.Load() == nil {
			return
		}
		if !w.running.CompareAndSwap(false, true) {
			return
		}
	}
}

// pingAll asks every connection's writer to send a ping, every pingEvery, so that dead
// peers are noticed and proxies keep the connections open.
func (s *Server) pingAll() {
	t := time.NewTicker(pingEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			s.conns.Range(func(k, _ any) bool {
				w := k.(*wsConn)
				w.ping.Store(true)
				w.wake()
				return true
			})
		case <-s.done:
			return
		}
	}
}

// refreshDeadline moves the write deadline only when half of it has passed: setting it
// costs a timer update, which was a tenth of the server's CPU when it was done for every
// frame.
func (wc *wsConn) refreshDeadline() {
	if now := time.Now(); wc.deadline.Sub(now) < writeTimeout/2 {
		wc.deadline = now.Add(writeTimeout)
		_ = wc.out.SetWriteDeadline(wc.deadline)
	}
}

// refreshReadDeadline gives the client readTimeout more to send something, in steps of
// half of it (see refreshDeadline), unless the connection is closing: then the close
// grace set by the writer stands.
func (wc *wsConn) refreshReadDeadline() {
	now := time.Now()
	if wc.readDeadline.Sub(now) >= readTimeout/2 {
		return
	}
	wc.rmu.Lock()
	if !wc.closing {
		wc.readDeadline = now.Add(readTimeout)
		_ = wc.out.SetReadDeadline(wc.readDeadline)
	}
	wc.rmu.Unlock()
}

// writeControl writes a control frame (only the writer, or a direct write holding its
// place, writes to the socket).
func (wc *wsConn) writeControl(op byte, payload []byte) error {
	var b [2 + 125]byte
	frame := append(append(b[:0], 0x80|op, byte(len(payload))), payload...)
	wc.refreshDeadline()
	_, err := wc.out.Write(frame)
	return err
}

// writeFrame writes msgs as one text frame with one writev of the header and the
// messages as they are. (The WebSocket library copied a message through its 4 KiB buffer
// and sent a long one as several frames, a write each: a tenth of the server's CPU in
// the durable-write overload run.)
func (wc *wsConn) writeFrame(msgs [][]byte) error {
	n := len(msgs) - 1
	for _, m := range msgs {
		n += len(m)
	}
	var hb [10]byte
	bufs := append(wc.bufs[:0], frameHeader(hb[:0], n))
	for i, m := range msgs {
		if i > 0 {
			bufs = append(bufs, newline)
		}
		bufs = append(bufs, m)
	}
	wc.bufs = bufs // WriteTo consumes its receiver; keep the backing array
	wc.refreshDeadline()
	_, err := bufs.WriteTo(wc.out)
	clear(wc.bufs[:cap(wc.bufs)])
	if cap(wc.bufs) > 64 {
		wc.bufs = nil // an idle connection keeps no large array
	}
	return err
}

var newline = []byte{'\n'}
