package app

import (
	"errors"
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
		return c.Next()
	}
}

func (s *Server) wsHandler() fiber.Handler {
	return ws.New(s.serveWS, ws.Config{
		ReadBufferSize:  4096,
		WriteBufferSize: 4096,
		RecoverHandler: func(c *ws.Conn) {
			if v := recover(); v != nil {
				s.log.Error("panic in websocket handler", "panic", v)
			}
		},
	})
}

// serveWS runs one connection: this goroutine reads, a second one writes. The session
// decides what is sent and when the connection must end; the writer sends it.
func (s *Server) serveWS(c *ws.Conn) {
	sess := c.Locals("session").(*collab.Session)
	c.SetReadLimit(int64(s.svc.Limits().MaxMessage))
	_ = c.SetReadDeadline(time.Now().Add(readTimeout))
	c.SetPongHandler(func(string) error { return c.SetReadDeadline(time.Now().Add(readTimeout)) })
	written := make(chan struct{})
	go s.writeLoop(c, sess, written)
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
	<-written
}

// writeLoop is the connection's only writer. Everything queued since its last write
// goes out as one frame, messages separated by newlines: one system call for many
// messages when a board is busy.
func (s *Server) writeLoop(c *ws.Conn, sess *collab.Session, written chan<- struct{}) {
	defer close(written)
	ping := time.NewTicker(pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-sess.Notify():
			if err := writeFrame(c, sess.Take()); err != nil {
				sess.Fail(collab.CloseGoingAway, "write failed")
				_ = c.SetReadDeadline(time.Now())
				return
			}
		case <-ping.C:
			if err := c.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeTimeout)); err != nil {
				sess.Fail(collab.CloseGoingAway, "ping failed")
				_ = c.SetReadDeadline(time.Now())
				return
			}
		case <-sess.Done():
			code, why := sess.CloseStatus()
			if writeFrame(c, sess.Take()) == nil {
				_ = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, why), time.Now().Add(writeTimeout))
			}
			// The reader ends when the client answers the close, or soon after anyway.
			_ = c.SetReadDeadline(time.Now().Add(closeGrace))
			return
		}
	}
}

func writeFrame(c *ws.Conn, msgs [][]byte) error {
	if len(msgs) == 0 {
		return nil
	}
	_ = c.SetWriteDeadline(time.Now().Add(writeTimeout))
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
