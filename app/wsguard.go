package app

import (
	"crypto/tls"
	"errors"
	"net"
	"sync/atomic"
	"syscall"
	"time"
)

// guardConn wraps every connection the server accepts, so that after a WebSocket upgrade
// nothing but our writer writes to the socket.
//
// The WebSocket library (fasthttp/websocket, under gofiber/contrib/websocket) holds the
// connection and, on its own, writes a close frame when a client breaks the protocol or
// a message passes the read limit (handleProtocolError → WriteControl, from the reading
// goroutine). Those bytes could land in the middle of a frame our writer or a direct
// write has half sent, and a lock cannot prevent it: the library's write mutex is its
// own. So once upgraded, the library's writes (and the deadlines it sets for them) are
// taken and dropped here; the reader learns of the error from the library's return
// value and has our writer send the close frame (wsclose.go), in turn with every other
// frame. Our writer writes to the connection inside (raw).
type guardConn struct {
	net.Conn
	upgraded atomic.Bool
	dropped  atomic.Pointer[[]byte] // the last frame the library wrote, dropped
}

// guardTLSConn is a guardConn around a TLS connection: it keeps the methods fasthttp
// uses to tell a TLS connection (IsTLS, the scheme of redirects and HSTS).
type guardTLSConn struct {
	*guardConn
	tc *tls.Conn
}

func (g guardTLSConn) Handshake() error                     { return g.tc.Handshake() }
func (g guardTLSConn) ConnectionState() tls.ConnectionState { return g.tc.ConnectionState() }

func guard(c net.Conn) net.Conn {
	g := &guardConn{Conn: c}
	if tc, ok := c.(*tls.Conn); ok {
		return guardTLSConn{guardConn: g, tc: tc}
	}
	return g
}

// guardOf returns the guard around c, nil if it has none.
func guardOf(c net.Conn) *guardConn {
	switch g := c.(type) {
	case *guardConn:
		return g
	case guardTLSConn:
		return g.guardConn
	}
	return nil
}

func (g *guardConn) Write(p []byte) (int, error) {
	if g.upgraded.Load() {
		b := append([]byte(nil), p...)
		g.dropped.Store(&b)
		return len(p), nil
	}
	return g.Conn.Write(p)
}

func (g *guardConn) SetWriteDeadline(t time.Time) error {
	if g.upgraded.Load() {
		return nil
	}
	return g.Conn.SetWriteDeadline(t)
}

func (g *guardConn) SetDeadline(t time.Time) error {
	if g.upgraded.Load() {
		return g.Conn.SetReadDeadline(t)
	}
	return g.Conn.SetDeadline(t)
}

// SyscallConn gives the socket inside, for direct writes (presence streams).
func (g *guardConn) SyscallConn() (syscall.RawConn, error) {
	if sc, ok := g.Conn.(syscall.Conn); ok {
		return sc.SyscallConn()
	}
	return nil, errors.ErrUnsupported
}

// guardListener guards every connection it accepts (guardConn).
type guardListener struct{ net.Listener }

func (l guardListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return guard(c), nil
}

// libraryClose returns the close code the library tried to send (its dropped write), 0
// if it tried none.
func (g *guardConn) libraryClose() int {
	p := g.dropped.Load()
	if p == nil || len(*p) < 4 || (*p)[0] != 0x88 {
		return 0
	}
	return int((*p)[2])<<8 | int((*p)[3])
}
