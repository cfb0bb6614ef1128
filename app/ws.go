package app

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fasthttp/websocket"
	ws "github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"tabula/collab"
)

const (
	pingEvery    = 30 * time.Second
	readTimeout  = 75 * time.Second // two missed pings and then some
	writeTimeout = 10 * time.Second
	closeGrace   = time.Second // how long to wait for the client's close reply
)

// wsWriteBuffers lends write buffers to connections only while they write, so an idle
// connection holds none.
var wsWriteBuffers = &sync.Pool{}

// wsUpgrade checks the board before the upgrade, so an unknown board is a plain 404
// and a request that is not a WebSocket handshake a plain 426.
func (s *Server) wsUpgrade(role collab.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		b, err := s.lookup(c, role)
		if err != nil {
			return err
		}
		if !ws.IsWebSocketUpgrade(c) {
			return fiber.NewError(fiber.StatusUpgradeRequired, "this address takes WebSocket connections")
		}
		c.Locals("session", s.svc.Open(b, role))
		c.Locals("conn", c.Context().Conn()) // the socket under fasthttp's hijacked wrapper
		return c.Next()
	}
}

func (s *Server) wsHandler() fiber.Handler {
	return ws.New(s.serveWS, ws.Config{
		ReadBufferSize:  1024,
		WriteBufferSize: 4096,
		WriteBufferPool: wsWriteBuffers,
		RecoverHandler: func(c *ws.Conn) {
			if v := recover(); v != nil {
				s.log.Error("panic in websocket handler", "panic", v)
			}
		},
	})
}

// serveWS runs one connection on the goroutine that owns its reads. Writes happen on a
// goroutine that exists only while there is something to write (wsConn.run).
func (s *Server) serveWS(c *ws.Conn) {
	sess := c.Locals("session").(*collab.Session)
	w := &wsConn{c: c, sess: sess, finished: make(chan struct{})}
	if conn, ok := c.Locals("conn").(net.Conn); ok {
		if w.raw = collab.RawConn(conn); w.raw != nil {
			w.out = conn
			sess.Direct = w.direct
		}
	}
	// Every frame is written by the connection's writer (or a direct write holding its
	// place): a pong written from here, as the library does by default, could land in
	// the middle of a frame a direct write left half-sent.
	c.SetPingHandler(func(data string) error {
		w.pong.Store(&data)
		w.wake()
		return nil
	})
	sess.Wake = w.wake
	s.conns.Store(w, struct{}{})
	defer s.conns.Delete(w)
	c.SetReadLimit(int64(s.svc.Limits().MaxMessage))
	_ = c.SetReadDeadline(time.Now().Add(readTimeout))
	c.SetPongHandler(func(string) error { return c.SetReadDeadline(time.Now().Add(readTimeout)) })
	for {
		typ, data, err := c.ReadMessage()
		if err != nil {
			if errors.Is(err, websocket.ErrReadLimit) {
				sess.Fail(collab.CloseTooBig, "message too big")
			}
			break
		}
		_ = c.SetReadDeadline(time.Now().Add(readTimeout))
		if typ != websocket.TextMessage {
			sess.Fail(collab.CloseUnsupported, "binary frames are not supported")
			break
		}
		sess.Receive(data)
	}
	sess.Close()
	<-w.finished // the conn goes back to a pool when this handler returns
}

// wsConn is the writing side of one connection.
type wsConn struct {
	c        *ws.Conn
	sess     *collab.Session
	running  atomic.Bool            // a run goroutine exists
	ping     atomic.Bool            // a ping is due
	pong     atomic.Pointer[string] // the data of the last ping to answer
	finished chan struct{}
	deadline time.Time // write deadline set on the connection; only run touches it

	raw       syscall.RawConn // the socket, for direct writes; nil if there is none
	out       net.Conn        // the same socket, for the writer's writev; nil if none
	bufs      net.Buffers     // the writer's, reused
	rest      []byte          // the unwritten end of a direct write, for run to finish
	restStamp collab.Stamp
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
		if _, err := w.c.NetConn().Write(w.rest); err != nil {
			broken = true
			w.sess.Fail(collab.CloseGoingAway, "write failed")
		} else {
			w.sess.Written(w.restStamp)
		}
		w.rest, w.restStamp = nil, collab.Stamp{}
	}
	for {
		if w.ping.Swap(false) && !broken {
			if err := w.c.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout)); err != nil {
				broken = true
				w.sess.Fail(collab.CloseGoingAway, "ping failed")
			}
		}
		if p := w.pong.Swap(nil); p != nil && !broken {
			if err := w.c.WriteControl(websocket.PongMessage, []byte(*p), time.Now().Add(writeTimeout)); err != nil {
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
				_ = w.c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, why), time.Now().Add(writeTimeout))
			}
			// The reader ends when the client answers the close, or soon after anyway.
			_ = w.c.SetReadDeadline(time.Now().Add(closeGrace))
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
		_ = wc.c.SetWriteDeadline(wc.deadline)
		if wc.out != nil {
			_ = wc.out.SetWriteDeadline(wc.deadline)
		}
	}
}

// writeFrame writes msgs as one message: on a plain socket as one frame with one writev
// of the header and the messages as they are. (The library copies a message through its
// 4 KiB buffer and sends a long one as several frames, a write each: a tenth of the
// server's CPU in the durable-write overload run.)
func (wc *wsConn) writeFrame(msgs [][]byte) error {
	if wc.out == nil {
		return wc.writeFrameLibrary(msgs)
	}
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

// writeFrameLibrary writes msgs as one message through the WebSocket library, for a
// connection that is not a plain socket.
func (wc *wsConn) writeFrameLibrary(msgs [][]byte) error {
	c := wc.c
	wc.refreshDeadline()
	w, err := c.NextWriter(websocket.TextMessage)
	if err != nil {
		return err
	}
	for i, m := range msgs {
		if i > 0 {
			if _, err := w.Write(newline); err != nil {
				return err
			}
		}
		if _, err := w.Write(m); err != nil {
			return err
		}
	}
	return w.Close()
}

var newline = []byte{'\n'}
