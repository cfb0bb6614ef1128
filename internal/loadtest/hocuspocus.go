package loadtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// The Hocuspocus protocol, as @hocuspocus/server 4.7 and y-protocols speak it: every
// WebSocket message is binary, starts with the document name (a lib0 varstring) and
// the message type (a varuint), then the type's body. A client joins a document the
// way HocuspocusProvider does: an auth message with its token, then sync step 1 (its
// state vector) and step 2 (what it has). The server answers authenticated, its own
// step 1 and step 2, and acknowledges every step 2 or update it applies with a sync
// status; it broadcasts each update (several merged into one when they arrive in the
// same turn of its event loop) to every connection on the document, the sender's too.
const (
	hpSync       = 0
	hpAwareness  = 1
	hpAuth       = 2
	hpQueryAware = 3
	hpSyncReply  = 4
	hpClose      = 7
	hpSyncStatus = 8

	hpStep1  = 0 // body: the sender's state vector
	hpStep2  = 1 // body: an update holding what the receiver lacks
	hpUpdate = 2 // body: an update

	hpAuthToken         = 0
	hpAuthDenied        = 1
	hpAuthAuthenticated = 2
)

const (
	peerHocuspocus = "hocuspocus"
	// hpMap is the Y.Map the writers set values in, each under its own key.
	hpMap = "m"
	// hpUpdateSize is the size of a writer's Yjs update: the ~100-byte change the
	// issue 17 comparison is made with.
	hpUpdateSize = 100
	// hpKeepAlive is how often each client sends a message: Hocuspocus closes a
	// connection it has heard nothing from for 60 s, and a receiver says nothing
	// after it joins (a provider's awareness renewals keep it open).
	hpKeepAlive = 15 * time.Second
)

// hpClient is one simulated Hocuspocus provider on one document: read by its own
// goroutine (readLoop), and for writers a second goroutine that sends (writeLoop).
type hpClient struct {
	p      *peerRun
	idx    int
	doc    int // index in p.docs
	writer bool
	wsConn // binary frames; done is closed when readLoop returns

	inflight atomic.Int64 // writer: updates sent and not yet acknowledged
	acked    atomic.Int64 // writer: its updates acknowledged, so clocks [0, acked) are in the document
	sentAt   chan int64   // writer: when each update in flight was sent, oldest first

	// next is, per writer of the run, the clock of the next update expected from it:
	// every earlier one has been received, in order. Written by readLoop only.
	next []atomic.Uint64

	joined   chan struct{} // closed when the join is acknowledged
	ackSig   chan struct{} // an update was acknowledged or refused (capacity 1)
	progress chan struct{} // an update arrived (capacity 1)

	// readLoop only; read by others after done is closed.
	authenticated, synced, isJoined bool
	received, gaps, dups            int64
	trace                           []hpDelivery // with Config.trace: every update received
}

// hpDelivery is one writer's update as a client received it.
type hpDelivery struct {
	writer int
	clock  uint64
}

func newHPClient(p *peerRun, idx int) *hpClient {
	c := &hpClient{
		p: p, idx: idx, doc: idx % len(p.docs), writer: idx < p.cfg.Writers,
		next:   make([]atomic.Uint64, p.cfg.Writers),
		wsConn: newWSConn(websocket.BinaryMessage), joined: make(chan struct{}),
		ackSig: make(chan struct{}, 1), progress: make(chan struct{}, 1),
	}
	if c.writer {
		c.sentAt = make(chan int64, p.cfg.MaxUnacked)
	}
	return c
}

// appendHeader starts a message to the client's document.
func (c *hpClient) appendHeader(b []byte, typ uint64) []byte {
	b = appendVarString(b, c.p.docs[c.doc])
	return binary.AppendUvarint(b, typ)
}

// connect dials and joins the document as a provider does, and waits until the server
// has acknowledged the join. Failures are counted as drops by the caller.
func (c *hpClient) connect(ctx context.Context) error {
	d := websocket.Dialer{
		HandshakeTimeout: 10 * time.Second,
		NetDialContext:   c.p.netDial(c.idx),
		ReadBufferSize:   8 << 10,
		WriteBufferSize:  8 << 10,
	}
	ws, resp, err := d.DialContext(ctx, c.p.cfg.URL, nil)
	if err != nil {
		if resp != nil {
			return fmt.Errorf("dial: %w (HTTP %d)", err, resp.StatusCode)
		}
		return fmt.Errorf("dial: %w", err)
	}
	c.ws = ws
	go c.readLoop()
	auth := append(c.appendHeader(nil, hpAuth), hpAuthToken)
	auth = appendVarString(auth, "")
	step1 := append(c.appendHeader(nil, hpSync), hpStep1, 1, 0)    // an empty state vector
	step2 := append(c.appendHeader(nil, hpSync), hpStep2, 2, 0, 0) // an empty update
	for _, m := range [][]byte{auth, step1, step2} {
		if err := c.write(m); err != nil {
			return fmt.Errorf("join: %w", err)
		}
	}
	return c.await(ctx, c.joined, "join")
}

// readLoop reads until the connection ends, stamping each message with the time it
// was read.
func (c *hpClient) readLoop() {
	defer close(c.done)
	var buf bytes.Buffer
	for c.read(&buf, c.p.addDrop) {
		if err := c.handle(buf.Bytes(), c.p.since()); err != nil {
			c.p.addError("hocuspocus: " + err.Error())
		}
	}
}

// handle reads one message from the server. Returns an error for a message it cannot
// read or did not expect.
func (c *hpClient) handle(msg []byte, now int64) error {
	d := &yReader{b: msg}
	d.bytes() // the document name: one per connection
	typ := d.uvarint()
	if d.err != nil {
		return fmt.Errorf("message header: %w", d.err)
	}
	switch typ {
	case hpSync, hpSyncReply:
		step := d.uvarint()
		body := d.bytes()
		if d.err != nil {
			return fmt.Errorf("sync message: %w", d.err)
		}
		switch step {
		case hpStep1: // the server's state vector; our step 2 went with the join
		case hpStep2:
			c.synced = true
			return c.onUpdate(body, now, false)
		case hpUpdate:
			return c.onUpdate(body, now, true)
		default:
			return fmt.Errorf("sync message of step %d", step)
		}
	case hpAuth:
		switch d.uvarint() {
		case hpAuthAuthenticated:
			c.authenticated = true
		case hpAuthDenied:
			return fmt.Errorf("permission denied: %s", d.bytes())
		}
	case hpSyncStatus:
		applied := d.uvarint() == 1
		if !c.isJoined {
			if !applied || !c.authenticated || !c.synced {
				return errors.New("join not acknowledged in order")
			}
			c.isJoined = true
			close(c.joined)
			return nil
		}
		return c.onAck(applied, now)
	case hpClose:
		return fmt.Errorf("closed by the server: %s", d.bytes())
	case hpAwareness, hpQueryAware: // nobody's presence is part of this load
	default:
		return fmt.Errorf("message type %d", typ)
	}
	return d.err
}

// onUpdate goes through the items of an update the server sent: the document's state
// at the join (count false), or a broadcast (count true). It checks that each writer's
// updates come in clock order with no gap and no repeat, counts broadcasts as
// deliveries and times those another client of this run sent.
func (c *hpClient) onUpdate(upd []byte, now int64, count bool) error {
	p := c.p
	return readUpdate(upd, func(it yItem) {
		w := int(it.client - p.clientBase)
		if it.client < p.clientBase || w >= len(c.next) {
			return // another client's change
		}
		next := c.next[w].Load()
		switch {
		case it.clock < next:
			c.dups++
			return
		case it.clock > next:
			c.gaps += int64(it.clock - next)
		}
		c.next[w].Store(it.clock + 1)
		if !count {
			return
		}
		c.received++
		if p.inWindow(now) {
			p.deliveries.Add(1)
		}
		if p.cfg.trace {
			c.trace = append(c.trace, hpDelivery{w, it.clock})
		}
		cid, _, _ := bytes.Cut(it.value, []byte{'~'})
		if sender, sent, ok := parseCID(cid, p.id); ok && sender != c.idx && p.inWindow(sent) {
			p.delivery.Record(time.Duration(now - sent))
		}
		notify(c.progress)
	})
}

// onAck takes a sync status after the join: the server applied (or refused) this
// writer's oldest update in flight, as it handles a connection's messages in order.
func (c *hpClient) onAck(applied bool, now int64) error {
	var sent int64
	select {
	case sent = <-c.sentAt:
	default:
		return errors.New("sync status with no update in flight")
	}
	p := c.p
	c.inflight.Add(-1)
	if applied {
		c.acked.Add(1)
		p.acked.Add(1)
		if p.inWindow(sent) {
			p.ack.Record(time.Duration(now - sent))
		}
	} else {
		p.refused.Add(1)
		p.addError("hocuspocus: update not applied")
	}
	notify(c.ackSig)
	return nil
}

// writeLoop sends updates at the configured rate until ctx is done or the connection
// drops, keeping at most MaxUnacked in flight as simClient.writeLoop does. Each update
// sets the writer's key of the map to a new value that carries the send time.
func (c *hpClient) writeLoop(ctx context.Context, seed uint64) {
	p := c.p
	rng := rand.New(rand.NewPCG(seed, uint64(c.idx)))
	var (
		client   = p.clientBase + uint64(c.idx)
		key      = "w" + strconv.FormatInt(int64(c.idx), 36)
		clock    uint64
		value    []byte
		upd, msg []byte
		padding  = strings.Repeat("~", hpUpdateSize)
		pad      int
	)
	w := window{period: time.Duration(float64(time.Second) / p.cfg.Rate), limit: int64(p.cfg.MaxUnacked),
		inflight: &c.inflight, acked: c.ackSig, done: c.done, stalls: &p.stalls}
	w.run(ctx, rng, func() bool {
		sent := p.since()
		value = appendCID(value[:0], p.id, c.idx, int64(clock)+1, sent)
		upd = appendMapSet(upd[:0], client, clock, hpMap, key, string(value))
		if pad = hpUpdateSize - len(upd); pad > 0 { // the value's length stays one byte
			upd = appendMapSet(upd[:0], client, clock, hpMap, key, string(value)+padding[:pad])
		}
		msg = append(c.appendHeader(msg[:0], hpSync), hpUpdate)
		msg = binary.AppendUvarint(msg, uint64(len(upd)))
		msg = append(msg, upd...)
		c.inflight.Add(1)
		c.sentAt <- sent
		if err := c.write(msg); err != nil {
			return false
		}
		clock++
		p.sent.Add(1)
		p.opsSent.Add(1)
		p.bytesSent.Add(int64(len(msg)))
		return true
	})
}

// keepAlive asks the server for the document's presence on every connection once per
// hpKeepAlive, spread evenly over that time, until ctx is done.
func (p *peerRun) keepAlive(ctx context.Context) {
	if len(p.clients) == 0 {
		return
	}
	t := time.NewTicker(max(hpKeepAlive/time.Duration(len(p.clients)), time.Millisecond))
	defer t.Stop()
	for i := 0; ; i = (i + 1) % len(p.clients) {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if c := p.clients[i]; c.alive() {
			_ = c.write(c.appendHeader(nil, hpQueryAware)) // a failure shows as the reader's drop
		}
	}
}
