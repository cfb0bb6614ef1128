package app

import (
	"errors"
	"net"
	"time"

	"github.com/gofiber/fiber/v2"

	"tabula/collab"
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
			w := newWSConn(conn, s.svc.MaxQueueBytes())
			go s.serveWS(conn, pre, w, s.svc.Open(b, role, w))
		})
		return nil
	}
}

// serveWS runs one connection on the goroutine that owns its reads. Writes happen on a
// goroutine that exists only while there is something to write (wsConn.run).
func (s *Server) serveWS(conn net.Conn, pre []byte, w *wsConn, sess *collab.Session) {
	w.sess = sess
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
				w.Close(fe.code, fe.why)
			}
			return
		}
		w.refreshReadDeadline()
		switch op {
		case opPing:
			// Answered by the writer, in turn with every other frame: a pong written
			// from here could land in the middle of a frame a direct write left
			// half-sent. Only the latest ping needs an answer.
			w.answerPing(payload)
		case opPong:
		case opClose:
			if code := closeCodeOf(payload); code != 0 {
				w.Close(code, "")
			} else {
				w.Close(closeProtocol, "bad close frame")
			}
			return
		case opBinary:
			w.Close(collab.CloseUnsupported, "binary frames are not supported")
			return
		case opText:
			if fragmented {
				w.Close(closeProtocol, "a new message began before the last one ended")
				return
			}
			if fin {
				sess.Receive(payload)
			} else {
				msg, fragmented = payload, true
			}
		case opContinuation:
			if !fragmented {
				w.Close(closeProtocol, "a continuation frame with no message to continue")
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

// refreshReadDeadline gives the client readTimeout more to send something, in steps of
// half of it (see refreshDeadline).
func (w *wsConn) refreshReadDeadline() {
	now := time.Now()
	if w.readDeadline.Sub(now) >= readTimeout/2 {
		return
	}
	w.readDeadline = now.Add(readTimeout)
	w.setReadDeadline(w.readDeadline)
}
