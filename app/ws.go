package app

import (
	"encoding/base64"
	"errors"
	"io"
	"net"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	fws "github.com/fasthttp/websocket"
	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"tabula/collab"
)

// WebSocket limits a client must keep (Config has the values; these are the defaults).
const (
	// DefaultHelloTimeout is how long a new connection has to say hello.
	DefaultHelloTimeout = 5 * time.Second
	// DefaultMessageTimeout is how long one message may take to arrive once its first
	// frame has: a message trickled a fragment at a time holds memory for no longer.
	DefaultMessageTimeout = 20 * time.Second
	// DefaultMaxSocketsPerIP caps the open WebSockets from one client address: enough
	// for a person with many tabs, a school behind one address on a busy day.
	DefaultMaxSocketsPerIP = 64
	// DefaultMaxPartialBytes caps the memory held by messages still arriving, over all
	// connections.
	DefaultMaxPartialBytes = 256 << 20
)

// wsUpgrade checks the board and the client's share of connections before the upgrade:
// an unknown board is a plain 404, a request that is not a WebSocket handshake a plain
// 426, and an address over its cap a 429 saying so.
func (s *Server) wsUpgrade(role collab.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		b, err := s.lookup(c, role)
		if err != nil {
			return err
		}
		if !websocket.IsWebSocketUpgrade(c) || c.Get("Sec-WebSocket-Version") != "13" || !validKey(c.Get("Sec-WebSocket-Key")) {
			c.Set("Sec-WebSocket-Version", "13")
			return fiber.NewError(fiber.StatusUpgradeRequired, "this address takes WebSocket connections")
		}
		g := guardOf(c.Context().Conn())
		if g == nil {
			return fiber.NewError(fiber.StatusInternalServerError, "internal error")
		}
		ip := s.clients.of(c)
		if !s.wsAddrs.acquire(ip) {
			return fiber.NewError(fiber.StatusTooManyRequests, "too many connections from your address; close some tabs and try again")
		}
		var l *link
		if s.svc.Node() != "" {
			var served bool
			if l, served, err = s.route(c, b, func() { s.wsAddrs.release(ip) }); !served {
				return err
			}
		}
		c.Locals(wsLocal, &wsStart{board: b, guard: g, ip: ip, fctx: c.Context(), link: l})
		trimUpgradeRequest(c.Context())
		return c.Next()
	}
}

// wsLocal is the one local the upgrade leaves for the WebSocket handler: the library
// copies every local into a map the connection keeps, so there is one, not four.
const wsLocal = "ws"

// wsStart is what wsUpgrade found, for the handler.
type wsStart struct {
	board collab.BoardMeta
	guard *guardConn
	ip    string
	fctx  *fasthttp.RequestCtx
	link  *link // the board's link to its owner, if another node owns it (wslink.go)
}

// upgradeHeaders are the request headers the library's upgrade reads.
var upgradeHeaders = []string{
	fiber.HeaderHost, fiber.HeaderUpgrade, fiber.HeaderConnection, fiber.HeaderOrigin,
	"Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol",
}

// trimUpgradeRequest drops the cookies, the query and every header the upgrade does not
// read, once our checks are done: the library copies each of them into maps that live
// as long as the connection, and nothing reads them (a browser's request carries a
// kilobyte or more of them: user agent, languages, cookies).
func trimUpgradeRequest(fctx *fasthttp.RequestCtx) {
	h := &fctx.Request.Header
	h.DelAllCookies()
	fctx.QueryArgs().Reset()
	var drop []string
	h.VisitAll(func(k, _ []byte) {
		for _, keep := range upgradeHeaders {
			if strings.EqualFold(string(k), keep) {
				return
			}
		}
		drop = append(drop, string(k))
	})
	for _, k := range drop {
		h.Del(k)
	}
}

// validKey reports whether a Sec-WebSocket-Key is 16 bytes in base64, as RFC 6455 asks.
func validKey(key string) bool {
	b, err := base64.StdEncoding.DecodeString(key)
	return err == nil && len(b) == 16
}

// wsBuffers are the library's write buffers, shared: it writes nothing of ours (our
// writer writes frames itself), so no connection needs one of its own.
var wsBuffers sync.Pool

// wsHandler upgrades through the WebSocket library and runs the connection on the
// handler's goroutine, which reads. The handler cannot return before the connection
// ends: the library reads through fasthttp's buffered reader, which fasthttp takes back
// for another connection as soon as the handler returns.
func (s *Server) wsHandler(role collab.Role) fiber.Handler {
	return websocket.New(func(c *websocket.Conn) { s.serveWS(c, role) }, websocket.Config{
		// The library's reader only holds a frame header or a control frame between
		// reads (a message's payload is read into our buffer); its writer is unused.
		ReadBufferSize:  256,
		WriteBufferSize: 256,
		WriteBufferPool: &wsBuffers,
		RecoverHandler:  func(*websocket.Conn) {}, // readMessages recovers itself
	})
}

// serveWS runs one connection on the library's handler goroutine. The goroutine blocks
// in a read for as long as the connection is idle, so what is on its stack there is
// what each idle connection costs: openWS and endWS, which have the large frames, are
// not inlined and have returned by then, so the stack (grown to 8 KiB by the upgrade)
// shrinks back to 4 KiB at the next collection.
func (s *Server) serveWS(c *websocket.Conn, role collab.Role) {
	w, g, ip := s.openWS(c, role)
	s.readMessages(c, g, w)
	s.endWS(w, g, ip)
}

// openWS opens the connection's session.
//
//go:noinline
func (s *Server) openWS(c *websocket.Conn, role collab.Role) (*wsConn, *guardConn, string) {
	st := c.Locals(wsLocal).(*wsStart)
	s.wsOpen.Add(1) // Shutdown waits for the connection to end
	// The request is answered and read: let its buffers go while the connection lives
	// (fasthttp keeps the RequestCtx until the handler returns, and resets it for reuse
	// after).
	fctx := st.fctx
	fctx.Request, fctx.Response = fasthttp.Request{}, fasthttp.Response{}
	fctx.ResetUserValues()
	st.guard.upgraded.Store(true) // from here on only our writer writes (guardConn)
	w := newWSConn(st.guard.Conn, s.svc.MaxQueueBytes())
	if st.link != nil {
		w.sess = st.link.open(w, st.board, role, st.ip)
	} else {
		w.sess = s.svc.Open(st.board, role, st.ip, w)
	}
	s.conns.Store(w, struct{}{})
	return w, st.guard, st.ip
}

// endWS closes the connection's session, lets the writer send the close frame and
// closes the socket.
//
//go:noinline
func (s *Server) endWS(w *wsConn, g *guardConn, ip string) {
	defer s.wsOpen.Add(-1)
	defer s.wsAddrs.release(ip)
	defer s.conns.Delete(w)
	w.sess.Close()
	<-w.finished
	drain(g.Conn)
	g.Close()
}

// readMessages hands the client's messages to its session until the connection ends or
// the client breaks a rule; then the connection is closed with the code that says which.
// A panic while handling a message is logged with its stack and closes this connection
// with 1011; the server carries on.
func (s *Server) readMessages(c *websocket.Conn, g *guardConn, w *wsConn) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic in a WebSocket session", "panic", r, "stack", string(debug.Stack()))
			w.Close(collab.CloseInternal, "internal error")
		}
	}()
	c.SetReadLimit(int64(s.svc.Limits().MaxMessage))
	c.SetPingHandler(func(data string) error {
		w.answerPing([]byte(data))
		return nil
	})
	c.SetPongHandler(func(string) error {
		if w.sess.Joined() {
			w.setReadDeadline(time.Now().Add(readTimeout)) // idle between messages
		}
		return nil
	})
	c.SetCloseHandler(func(code int, _ string) error {
		if code == websocket.CloseNoStatusReceived {
			code = websocket.CloseNormalClosure
		}
		w.Close(code, "") // the client's code, echoed
		return nil
	})
	w.setReadDeadline(time.Now().Add(s.helloTimeout))
	var held int64 // bytes of the message being read counted in s.partial
	defer func() { s.partial.Add(-held) }()
	for {
		typ, r, err := c.NextReader()
		if err != nil {
			s.closeForReadError(w, g, err)
			return
		}
		if typ != websocket.TextMessage {
			w.Close(collab.CloseUnsupported, "binary frames are not supported")
			return
		}
		// The whole message must be in within messageTimeout of its first frame.
		w.setReadDeadline(time.Now().Add(s.messageTimeout))
		msg, err := s.readMessage(r, &held)
		if err != nil {
			s.closeForReadError(w, g, err)
			return
		}
		if !utf8.Valid(msg) {
			w.Close(collab.CloseBadData, "text must be UTF-8")
			return
		}
		if s.beforeReceive != nil {
			s.beforeReceive(msg)
		}
		w.sess.Receive(msg)
		s.partial.Add(-held)
		held = 0
		if w.sess.Joined() {
			w.setReadDeadline(time.Now().Add(readTimeout))
		} else {
			w.setReadDeadline(time.Now().Add(s.helloTimeout))
		}
	}
}

// errPartialFull is a message refused because messages still arriving hold all the
// memory the server gives them.
var errPartialFull = errors.New("partial messages full")

// readMessage reads one message, counting its buffer in s.partial (held) as it grows: a
// client that declares a long message and sends it slowly holds only what it has sent,
// and all of them together at most s.maxPartial.
func (s *Server) readMessage(r io.Reader, held *int64) ([]byte, error) {
	var msg []byte
	for {
		if len(msg) == cap(msg) {
			bigger := slices.Grow(msg, max(512, cap(msg)))
			grow := int64(cap(bigger) - cap(msg))
			if s.partial.Add(grow) > s.maxPartial {
				s.partial.Add(-grow)
				return nil, errPartialFull
			}
			*held += grow
			msg = bigger
		}
		n, err := r.Read(msg[len(msg):cap(msg)])
		msg = msg[:len(msg)+n]
		if err == io.EOF {
			return msg, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// drain reads and drops what the client still sends after our close frame, until it
// hangs up or for closeGrace at most. Closing a socket that has unread data makes the
// kernel reset the connection, and a reset can destroy our close frame (1009 for a
// message too big, say) in the client's buffer before the client reads it.
func drain(c net.Conn) {
	_ = c.SetReadDeadline(time.Now().Add(closeGrace))
	_, _ = io.CopyN(io.Discard, c, 16<<20)
}

// closeForReadError closes the connection with the code for why reading stopped: the
// library's protocol errors (whose own close frame guardConn dropped), the read limit,
// our deadlines and memory cap. A connection that simply ended gets no close frame.
func (s *Server) closeForReadError(w *wsConn, g *guardConn, err error) {
	var ce *fws.CloseError
	switch {
	case errors.As(err, &ce):
		w.Close(ce.Code, "") // answered by the close handler already; a no-op here
	case errors.Is(err, fws.ErrReadLimit) && g.libraryClose() == 0:
		// The library says "read limit" also for a frame length with the top bit set,
		// which it does not answer: RFC 6455 §5.2 makes that a protocol error.
		w.Close(collab.CloseProtocol, "frame length out of range")
	case errors.Is(err, fws.ErrReadLimit):
		w.Close(collab.CloseTooBig, "message too big")
	case errors.Is(err, errPartialFull):
		w.Close(collab.CloseTryAgain, "server busy: try again")
	case errors.Is(err, os.ErrDeadlineExceeded):
		switch {
		case !w.sess.Joined():
			w.Close(collab.ClosePolicy, "no hello in time")
		default:
			w.Close(collab.ClosePolicy, "timed out: a message took too long or the connection went quiet")
		}
	case strings.HasPrefix(err.Error(), "websocket: "):
		// handleProtocolError's errors. RFC 6455 §7.1.6 wants 1007 for a close reason
		// that is not UTF-8; the library says 1002 for every protocol error.
		if strings.Contains(err.Error(), "invalid utf8") {
			w.Close(collab.CloseBadData, "close reason must be UTF-8")
		} else {
			w.Close(collab.CloseProtocol, strings.TrimPrefix(err.Error(), "websocket: "))
		}
	default:
		w.Close(collab.CloseGoingAway, "closed")
	}
}
