package collab

import (
	"sync"
	"time"

	"tabula/internal/hist"
)

// Transport carries one session's messages to its client: the only thing a room knows
// of a connection. The edge implements it (app's WebSocket connection; a broker-backed
// transport can take its place), and tells the session what the client sends by calling
// Session.Receive, and that the connection has ended by calling Session.Close.
type Transport interface {
	// Deliver hands msg to the connection, in order after everything delivered before.
	// It must not block and must not call back into the session: rooms call it while
	// fanning out to thousands of members. msg is shared by every member of a board and
	// must not be changed. A transport that cannot keep up closes itself (1013) rather
	// than buffer without bound. Deliver reports false once the transport is closed.
	Deliver(msg []byte, d Delivery) bool
	// Close ends the connection with a WebSocket close code and reason, after what was
	// delivered before it (all of it, except when the code is CloseTryAgain: a client
	// too slow to keep up is not sent its backlog). Safe to call more than once and from
	// any goroutine; only the first call counts.
	Close(code int, reason string)
}

// Delivery is how one message is to be delivered.
type Delivery struct {
	// Held says that more messages for this connection follow at once (a room sending
	// several broadcasts in a row): the transport should queue msg rather than write it
	// at once, so that they go out together, one system call for all of them.
	Held bool
	// Round, when not nil, is the broadcast msg is part of. A transport that writes for
	// several sessions at once (a node's link to the board's owner, for its people) may
	// hold msg until the round ends (Round.AtEnd): the broadcast then crosses once for
	// all of them, however the fan-out's goroutines and the transport's writer interleave.
	Round *Round

	at   int64           // unix ns the client message this answers was read; 0: untimed
	h    *hist.Histogram // where its latency is recorded
	more []int64         // a message of several broadcasts: when the others' ops were read
}

// timed is the Delivery of a message that answers an op read at (unix ns; 0: untimed),
// its latency recorded in h once written.
func timed(at int64, h *hist.Histogram, held bool, round *Round) Delivery {
	d := Delivery{Held: held, Round: round}
	if at != 0 {
		d.at, d.h = at, h
	}
	return d
}

// Round is one fan-out of a room's broadcasts to its members.
type Round struct {
	mu    sync.Mutex
	ended bool
	atEnd []func()
}

// AtEnd calls fn once the round's deliveries are all made: at once if they are.
func (r *Round) AtEnd(fn func()) {
	r.mu.Lock()
	if !r.ended {
		r.atEnd = append(r.atEnd, fn)
		r.mu.Unlock()
		return
	}
	r.mu.Unlock()
	fn()
}

// end runs what waits for the round's end.
func (r *Round) end() {
	r.mu.Lock()
	fns := r.atEnd
	r.ended, r.atEnd = true, nil
	r.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// Written records the server's share of the latency of the message, now that it is
// written: from reading the op it answers to writing the broadcast or ack (for each
// broadcast, when the message carries several). A no-op for untimed messages.
func (d Delivery) Written(now time.Time) {
	if d.h != nil {
		d.h.Record(time.Duration(now.UnixNano() - d.at))
		for _, at := range d.more {
			d.h.Record(time.Duration(now.UnixNano() - at))
		}
	}
}

// WebSocket close codes the server uses (docs/protocol.md).
const (
	CloseGoingAway      = 1001
	CloseProtocol       = 1002
	CloseUnsupported    = 1003
	CloseBadData        = 1007
	ClosePolicy         = 1008
	CloseTooBig         = 1009
	CloseInternal       = 1011
	CloseServiceRestart = 1012 // the board moved to another node: reconnect
	CloseTryAgain       = 1013
)
