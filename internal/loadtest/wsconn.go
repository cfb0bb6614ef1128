package loadtest

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// wsConn is what both kinds of simulated client (Tabula's, simClient, and a peer's,
// hpClient) keep of their connection: one WebSocket whose writes are serialised, a
// reader goroutine that closes done when it returns, and whether the tool or the
// network ended it.
type wsConn struct {
	ws      *websocket.Conn
	kind    int           // websocket.TextMessage or BinaryMessage: what write sends
	wmu     sync.Mutex    // serialises writes: the client's frames and the final close
	closing atomic.Bool   // the tool is closing: an error now is not a drop
	lost    atomic.Bool   // the connection ended before the tool closed it
	done    chan struct{} // closed when the reader returns
}

func newWSConn(kind int) wsConn { return wsConn{kind: kind, done: make(chan struct{})} }

// alive reports whether the client is connected: it connected and its reader has not
// stopped.
func (c *wsConn) alive() bool {
	if c.ws == nil {
		return false
	}
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

func (c *wsConn) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.ws.WriteMessage(c.kind, b)
}

// await waits until ready is closed (the reply a join waits for, named what), for at
// most 10 s, failing if the reader stops first or ctx ends.
func (c *wsConn) await(ctx context.Context, ready <-chan struct{}, what string) error {
	t := time.NewTimer(10 * time.Second)
	defer t.Stop()
	select {
	case <-ready:
		return nil
	case <-c.done:
		return errors.New("closed before " + what)
	case <-t.C:
		return errors.New("no " + what + " within 10s")
	case <-ctx.Done():
		return ctx.Err()
	}
}

// close ends the connection with a normal close and waits for the reader to stop.
func (c *wsConn) close() {
	if c.ws == nil {
		return
	}
	c.closing.Store(true)
	c.wmu.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.wmu.Unlock()
	t := time.NewTimer(3 * time.Second)
	select {
	case <-c.done:
	case <-t.C:
	}
	t.Stop()
	c.ws.Close()
	<-c.done
}

// read reads the next whole message into buf. When the connection has ended it reports
// false, and if the tool was not closing it, marks the connection lost and tells drop
// the close code.
func (c *wsConn) read(buf *bytes.Buffer, drop func(code string)) bool {
	_, rd, err := c.ws.NextReader()
	if err == nil {
		buf.Reset()
		_, err = buf.ReadFrom(rd)
	}
	if err != nil {
		if !c.closing.Load() {
			c.lost.Store(true)
			drop(closeCode(err))
		}
		return false
	}
	return true
}
