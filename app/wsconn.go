package app

import (
	"encoding/binary"
	"net"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"tabula/collab"
	"tabula/internal/metrics"
)

const (
	pingEvery    = 30 * time.Second
	readTimeout  = 75 * time.Second // two missed pings and then some
	writeTimeout = 10 * time.Second
	closeGrace   = time.Second // how long to wait for the client's close reply
)

// maxQueuedMessages bounds a connection's queue by count (collab's MaxQueueBytes by
// size): a connection whose queue passes either is too slow for its board and is closed
// with 1013; it reconnects and resumes from its last seq. A message is always accepted
// into an empty queue, however large (a welcome can be megabytes).
const maxQueuedMessages = 4096

// maxQueueAge is the longest a message may wait to be written. A connection whose oldest
// message has waited longer is behind by that much and is closed (1013) rather than left
// to show its user a board seconds in the past.
const maxQueueAge = 5 * time.Second

// wsConn is one WebSocket connection's writing side: the collab.Transport its session
// delivers to. Exactly one goroutine writes to the socket at a time: a direct write
// from the deliverer's goroutine (Deliver, when nothing waits and the socket has room),
// or the connection's writer (run), which exists only while there is something to write
// and sends every frame: messages, pings, pongs and the close frame.
type wsConn struct {
	sess     wsSession
	maxBytes int                    // queue cap in bytes
	running  atomic.Bool            // the right to write is taken (a writer, or a direct write)
	ping     atomic.Bool            // a ping is due
	pong     atomic.Pointer[[]byte] // the data of the last ping to answer
	finished chan struct{}          // closed once the close frame is out
	deadline time.Time              // write deadline set on the connection; only the writer touches it

	raw       rawSocket // the socket, for direct writes; nil if there is none
	out       net.Conn  // the connection: every frame is written to it
	bufs      net.Buffers
	rest      []byte // the unwritten end of a direct write, for run to finish
	restDeliv collab.Delivery

	mu       sync.Mutex
	queue    [][]byte
	spare    [][]byte
	dels     []collab.Delivery // one per queued message
	spareDel []collab.Delivery
	queued   int       // bytes queued
	oldest   time.Time // when the queue's head was queued
	closed   bool
	code     int
	why      string

	rmu     sync.Mutex
	closing bool // the close frame is out: the read deadline is the close grace
}

var _ collab.Transport = (*wsConn)(nil)

// wsSession is what a connection's reader hands the client's messages to: the board's
// session (collab.Session) when this node owns the board, or a remoteSession that sends
// them to the node that does (wslink.go).
type wsSession interface {
	Receive(msg []byte)
	Joined() bool
	Close()
}

func newWSConn(out net.Conn, maxBytes int) *wsConn {
	return &wsConn{out: out, raw: rawSocketOf(out), maxBytes: maxBytes, finished: make(chan struct{})}
}

// Deliver queues msg, or writes it at once when nothing waits, no writer runs and the
// socket takes it (d.Held asks to queue). A connection that has fallen too far behind is
// closed with 1013 instead, so that it never slows its board.
func (w *wsConn) Deliver(msg []byte, d collab.Delivery) bool {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return false
	}
	// The message at the head is exempt from the byte cap: a welcome can be larger than
	// the cap by itself, and what matters is how much piles up behind it.
	now := time.Now()
	if len(w.queue) > 0 && (len(w.queue) >= maxQueuedMessages || w.queued-len(w.queue[0])+len(msg) > w.maxBytes ||
		now.Sub(w.oldest) > maxQueueAge) {
		w.closeLocked(collab.CloseTryAgain, "too slow: reconnect and resume")
		w.mu.Unlock()
		metrics.Refuse("too_slow")
		w.wake()
		return false
	}
	if len(w.queue) == 0 {
		if !d.Held && w.raw != nil && w.direct(msg, d) {
			w.mu.Unlock()
			return true
		}
		w.oldest = now
	}
	w.queue = append(w.queue, msg)
	w.dels = append(w.dels, d)
	w.queued += len(msg)
	first := len(w.queue) == 1
	w.mu.Unlock()
	if first {
		w.wake()
	}
	return true
}

// Close ends the connection after what is queued (nothing of it for 1013), with a close
// frame of code and why.
func (w *wsConn) Close(code int, why string) {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return
	}
	w.closeLocked(code, why)
	w.mu.Unlock()
	w.wake()
}

func (w *wsConn) closeLocked(code int, why string) {
	w.closed, w.code, w.why = true, code, why
	if code == collab.CloseTryAgain {
		// Too slow to keep up: flushing its backlog would only delay the close. It
		// resumes from its last seq when it reconnects.
		clear(w.queue)
		w.queue, w.dels, w.queued = w.queue[:0], w.dels[:0], 0
	}
}

// take returns every queued message, oldest first, with their deliveries, and empties
// the queue. The slices are only valid until the next take.
func (w *wsConn) take() ([][]byte, []collab.Delivery) {
	w.mu.Lock()
	q, d := w.queue, w.dels
	w.queue, w.spare = w.spare[:0], q
	w.dels, w.spareDel = w.spareDel[:0], d
	w.queued = 0
	w.oldest = time.Time{}
	w.mu.Unlock()
	return q, d
}

// closedWith reports whether the connection is to close, and how.
func (w *wsConn) closedWith() (bool, int, string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.closed, w.code, w.why
}

// idle reports whether nothing waits to be written and the connection is open.
func (w *wsConn) idle() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.queue) == 0 && !w.closed
}

// direct writes msg as one text frame straight to the socket from the caller's goroutine
// (the room's, fanning out a broadcast) when no writer is running and the socket takes
// it without waiting: no goroutine is woken for it. Whatever the socket does not take
// is kept for a writer started here. It reports false, having written nothing, when a
// writer is running, the socket is full, or the write fails (the writer then finds the
// failure). Called with mu held.
func (w *wsConn) direct(msg []byte, d collab.Delivery) bool {
	if !w.running.CompareAndSwap(false, true) {
		return false
	}
	var hb [10]byte
	hdr := frameHeader(hb[:0], len(msg))
	n, err := writeNow(w.raw, hdr, msg)
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
		w.rest, w.restDeliv = rest, d
		go w.run()
		return true
	}
	d.Written(time.Now())
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

// wake makes sure a writer runs; called on delivery, close, ping and pong.
func (w *wsConn) wake() {
	if w.running.CompareAndSwap(false, true) {
		go w.run()
	}
}

// answerPing has the writer answer a client's ping; only the latest needs an answer.
func (w *wsConn) answerPing(data []byte) {
	w.pong.Store(&data)
	w.wake()
}

// run writes until nothing is left, then exits; after Close, it sends the close frame
// and finishes the connection. Everything queued since the last write goes out as one
// frame, messages separated by newlines: one system call for many messages when a board
// is busy.
func (w *wsConn) run() {
	broken := false
	fail := func(why string) {
		broken = true
		w.Close(collab.CloseGoingAway, why)
	}
	if w.rest != nil {
		w.refreshDeadline()
		if _, err := w.out.Write(w.rest); err != nil {
			fail("write failed")
		} else {
			w.restDeliv.Written(time.Now())
		}
		w.rest, w.restDeliv = nil, collab.Delivery{}
	}
	for {
		if w.ping.Swap(false) && !broken {
			if err := w.writeControl(opPing, nil); err != nil {
				fail("ping failed")
			}
		}
		if p := w.pong.Swap(nil); p != nil && !broken {
			if err := w.writeControl(opPong, *p); err != nil {
				fail("pong failed")
			}
		}
		if msgs, dels := w.take(); len(msgs) > 0 {
			if !broken {
				if w.writeFrame(msgs) != nil {
					fail("write failed")
				} else {
					now := time.Now()
					for _, d := range dels {
						d.Written(now)
					}
				}
			}
			clear(msgs) // an idle connection keeps no message alive
			clear(dels)
			continue
		}
		if closed, code, why := w.closedWith(); closed {
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
		// A message queued after take but before Store saw running and did not start a
		// writer: look again, and carry on unless another writer has started since.
		if w.idle() && !w.ping.Load() && w.pong.Load() == nil {
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
func (w *wsConn) refreshDeadline() {
	if now := time.Now(); w.deadline.Sub(now) < writeTimeout/2 {
		w.deadline = now.Add(writeTimeout)
		_ = w.out.SetWriteDeadline(w.deadline)
	}
}

// setReadDeadline sets the reader's deadline, unless the connection is closing: then
// the close grace set by the writer stands.
func (w *wsConn) setReadDeadline(t time.Time) {
	w.rmu.Lock()
	if !w.closing {
		_ = w.out.SetReadDeadline(t)
	}
	w.rmu.Unlock()
}

// writeControl writes a control frame (only the writer, or a direct write holding its
// place, writes to the socket).
func (w *wsConn) writeControl(op byte, payload []byte) error {
	var b [2 + 125]byte
	frame := append(append(b[:0], 0x80|op, byte(len(payload))), payload...)
	w.refreshDeadline()
	_, err := w.out.Write(frame)
	return err
}

// writeFrame writes msgs as one text frame with one writev of the header and the
// messages as they are, not copied through a buffer, and never split into frames.
func (w *wsConn) writeFrame(msgs [][]byte) error {
	n := len(msgs) - 1
	for _, m := range msgs {
		n += len(m)
	}
	var hb [10]byte
	bufs := append(w.bufs[:0], frameHeader(hb[:0], n))
	for i, m := range msgs {
		if i > 0 {
			bufs = append(bufs, newline)
		}
		bufs = append(bufs, m)
	}
	w.bufs = bufs // WriteTo consumes its receiver; keep the backing array
	w.refreshDeadline()
	_, err := bufs.WriteTo(w.out)
	clear(w.bufs[:cap(w.bufs)])
	if cap(w.bufs) > 64 {
		w.bufs = nil // an idle connection keeps no large array
	}
	return err
}

var newline = []byte{'\n'}

const (
	opClose = 0x8
	opPing  = 0x9
	opPong  = 0xa
)

// closePayload is the payload of a close frame: the code, then the reason, cut to fit
// (at a rune boundary: a close reason must be valid UTF-8).
func closePayload(code int, why string) []byte {
	if len(why) > 123 {
		why = why[:123]
		for len(why) > 0 && !utf8.ValidString(why) {
			why = why[:len(why)-1]
		}
	}
	return append(binary.BigEndian.AppendUint16(nil, uint16(code)), why...)
}
