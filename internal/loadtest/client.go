package loadtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// simClient is one simulated collaborator: a WebSocket on one board, read by its own
// goroutine (readLoop), and for writers a second goroutine that sends (writeLoop).
type simClient struct {
	r      *run
	idx    int
	board  *board
	writer bool
	sid    string // from the welcome; set and read by the reader goroutine only
	wsConn        // text frames; done is closed when readLoop returns

	inflight atomic.Int64 // batches sent and neither acknowledged nor refused
	lastSeq  atomic.Int64 // the last ops seq received in order

	welcome  chan struct{} // closed when the welcome arrives
	ackSig   chan struct{} // a batch was acknowledged or refused (capacity 1)
	progress chan struct{} // an ops broadcast arrived (capacity 1)

	// readLoop only; read by others after done is closed.
	welcomeSeq int64
	received   int64 // ops broadcasts
	gaps, dups int64
	trace      []delivery // with Config.trace: every ops broadcast received
	acks       []delivery // with Config.trace: every ack of this client's batches
}

// delivery is one ops broadcast or ack as a client saw it.
type delivery struct {
	seq int64
	cid string
}

func newSimClient(r *run, idx int, b *board) *simClient {
	return &simClient{
		r: r, idx: idx, board: b, writer: idx < r.cfg.Writers,
		wsConn: newWSConn(websocket.TextMessage), welcome: make(chan struct{}),
		ackSig: make(chan struct{}, 1), progress: make(chan struct{}, 1),
	}
}

// connect dials, says hello and waits for the welcome. Failures are counted as drops
// by the caller.
func (c *simClient) connect(ctx context.Context) error {
	d := websocket.Dialer{
		HandshakeTimeout: 10 * time.Second,
		NetDialContext:   c.r.netDial(c.idx),
		ReadBufferSize:   8 << 10,
		WriteBufferSize:  8 << 10,
	}
	ws, resp, err := d.DialContext(ctx, c.r.wsURL(c.board.id), nil)
	if err != nil {
		if resp != nil {
			return fmt.Errorf("dial: %w (HTTP %d)", err, resp.StatusCode)
		}
		return fmt.Errorf("dial: %w", err)
	}
	c.ws = ws
	go c.readLoop()
	hello := `{"t":"hello","v":1,"since":0,"name":"load ` + strconv.Itoa(c.idx) + `"}`
	if err := c.write([]byte(hello)); err != nil {
		return fmt.Errorf("hello: %w", err)
	}
	return c.await(ctx, c.welcome, "welcome")
}

// readLoop reads until the connection ends. A frame can hold several messages, one per
// line; all of them are stamped with the time the frame was read.
func (c *simClient) readLoop() {
	defer close(c.done)
	var buf bytes.Buffer
	for c.read(&buf, c.r.addDrop) {
		now := c.r.since()
		data := buf.Bytes()
		for len(data) > 0 {
			var line []byte
			line, data, _ = bytes.Cut(data, []byte{'\n'})
			c.handle(line, now)
		}
	}
}

// closeCode names why a connection ended: its close code, or 1006 when it ended without
// a close frame.
func closeCode(err error) string {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return strconv.Itoa(ce.Code)
	}
	return strconv.Itoa(websocket.CloseAbnormalClosure)
}

func (c *simClient) handle(line []byte, now int64) {
	switch string(msgType(line)) {
	case "ops":
		seq, _ := intField(line, "seq")
		c.onOps(seq, strField(line, "cid"), now)
	case "ack":
		seq, _ := intField(line, "seq")
		c.onAck(seq, strField(line, "cid"), now)
	case "cursor":
		c.onCursor(line, now)
	case "error":
		c.r.addError(string(strField(line, "code")))
		if sender, _, ok := parseCID(strField(line, "cid"), c.r.id); ok && sender == c.idx {
			c.r.refused.Add(1)
			c.inflight.Add(-1)
			notify(c.ackSig)
		}
	case "welcome":
		c.sid = string(strField(line, "sid"))
		c.welcomeSeq, _ = intField(line, "seq")
		c.lastSeq.Store(c.welcomeSeq)
		close(c.welcome)
	}
}

// onOps checks that broadcasts come in seq order with no gap and no repeat, and times
// those another client of this run sent.
func (c *simClient) onOps(seq int64, cid []byte, now int64) {
	last := c.lastSeq.Load()
	switch {
	case seq <= last:
		c.dups++
		return
	case seq > last+1:
		c.gaps += seq - last - 1
	}
	c.lastSeq.Store(seq)
	c.received++
	r := c.r
	if r.inWindow(now) {
		r.deliveries.Add(1)
	}
	if r.cfg.trace {
		c.trace = append(c.trace, delivery{seq, string(cid)})
	}
	if sender, sent, ok := parseCID(cid, r.id); ok && sender != c.idx && r.inWindow(sent) {
		r.delivery.Record(time.Duration(now - sent))
	}
	notify(c.progress)
}

func (c *simClient) onAck(seq int64, cid []byte, now int64) {
	r := c.r
	sender, sent, ok := parseCID(cid, r.id)
	if !ok || sender != c.idx {
		return
	}
	c.inflight.Add(-1)
	r.acked.Add(1)
	c.board.ackedUpTo(seq)
	if r.inWindow(sent) {
		r.ack.Record(time.Duration(now - sent))
	}
	if r.cfg.trace {
		c.acks = append(c.acks, delivery{seq, string(cid)})
	}
	notify(c.ackSig)
}

// onCursor times cursors of this run: their x is the send time in milliseconds and y
// is -x, which a person's cursor practically never is.
func (c *simClient) onCursor(line []byte, now int64) {
	x, ok1 := floatField(line, "x")
	y, ok2 := floatField(line, "y")
	if !ok1 || !ok2 || x <= 0 || y != -x || string(strField(line, "sid")) == c.sid {
		return // not one of ours, or our own coming back with everyone's
	}
	r := c.r
	sent := int64(x * 1e6)
	if r.inWindow(now) {
		r.cursorsRecv.Add(1)
	}
	if r.inWindow(sent) {
		r.cursor.Record(time.Duration(now - sent))
	}
}

// writeLoop sends batches at the configured rate, and cursors, until ctx is done or the
// connection drops, keeping at most MaxUnacked batches in flight (window).
func (c *simClient) writeLoop(ctx context.Context, seed uint64) {
	r := c.r
	rng := rand.New(rand.NewPCG(seed, uint64(c.idx)))
	gen := newOpGen(r.id+"w"+strconv.FormatInt(int64(c.idx), 36)+"n", seed, uint64(c.idx)+1<<32)
	gen.small = r.cfg.Ops == "move"
	w := window{period: time.Duration(float64(time.Second) / r.cfg.Rate), limit: int64(r.cfg.MaxUnacked),
		inflight: &c.inflight, acked: c.ackSig, done: c.done, stalls: &r.stalls}
	var (
		ops []byte
		msg []byte
		n   int64
	)
	if r.cfg.CursorHz > 0 {
		cur := time.NewTicker(max(time.Duration(float64(time.Second)/r.cfg.CursorHz), time.Millisecond))
		defer cur.Stop()
		w.also = cur.C
		w.other = func() bool {
			x := float64(r.since()) / 1e6
			msg = append(msg[:0], `{"t":"cursor","x":`...)
			msg = strconv.AppendFloat(msg, x, 'f', 3, 64)
			msg = append(msg, `,"y":-`...)
			msg = strconv.AppendFloat(msg, x, 'f', 3, 64)
			msg = append(msg, '}')
			if err := c.write(msg); err != nil {
				return false
			}
			r.cursorsSent.Add(1)
			return true
		}
	}
	w.run(ctx, rng, func() bool {
		var count int
		ops, count = gen.appendOps(ops[:0])
		n++
		msg = append(msg[:0], `{"t":"ops","cid":"`...)
		msg = appendCID(msg, r.id, c.idx, n, r.since())
		msg = append(msg, `","ops":[`...)
		msg = append(msg, ops...)
		msg = append(msg, "]}"...)
		c.inflight.Add(1)
		if err := c.write(msg); err != nil {
			c.inflight.Add(-1)
			return false
		}
		r.sent.Add(1)
		r.opsSent.Add(int64(count))
		r.bytesSent.Add(int64(len(msg)))
		return true
	})
}

// notify wakes whoever waits on ch without blocking; ch has capacity 1.
func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
