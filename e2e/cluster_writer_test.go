package e2e

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"

	"tabula/internal/client"
)

// writer is a client that keeps writing to a board through whatever connection it can
// get, as the browser's sync does: each batch puts one new element whose id is the
// batch's cid, batches wait as pending until acknowledged, and after every reconnect
// (hello since the last seq it saw) it resends every pending batch with its cid, in
// order. It runs in its own goroutine; it records what happened instead of failing
// the test, which checks it afterwards.
type writer struct {
	name    string
	url     string // the board's WebSocket URL
	window  int    // batches it may have unacknowledged at once
	every   time.Duration
	stopped chan struct{} // closed by stop: send nothing new, finish the pending

	mu         sync.Mutex
	n          int               // batches made
	pending    []string          // cids sent or to send, unacknowledged, oldest first
	acked      map[string]int64  // cid → seq of its ack
	problems   []string          // protocol violations: fail the test
	codes      map[string]int    // error codes the server sent, by code
	said       map[string]string // the last message of each error code
	closes     map[int]int       // close codes the connection ended with
	dials      int               // connections opened (welcomes received)
	lastSeq    int64             // the highest seq seen
	ackedSince map[string]bool   // cids acked since the last mark
	done       chan struct{}     // closed when run returns
}

func newWriter(name, url string) *writer {
	return &writer{
		name: name, url: url, window: 4, every: 15 * time.Millisecond,
		stopped: make(chan struct{}), done: make(chan struct{}),
		acked: map[string]int64{}, codes: map[string]int{}, said: map[string]string{}, closes: map[int]int{},
		ackedSince: map[string]bool{},
	}
}

// putFrame is batch cid (the i-th of its writer): one put of a new element whose id is
// the cid.
func putFrame(cid string, i int) []byte {
	return fmt.Appendf(nil, `{"t":"ops","cid":%q,"ops":[{"o":"put","el":{"id":%q,"type":"rect","x":%d,"y":%d,"w":40,"h":20,"stroke":"#1e1e1e","z":"a%d"}}]}`,
		cid, cid, i%40*50, i/40*30, i)
}

// start runs the writer until ctx ends, or stop was called and nothing is pending.
func (w *writer) start(ctx context.Context) {
	go func() {
		defer close(w.done)
		for ctx.Err() == nil {
			if w.finished() {
				return
			}
			if err := w.session(ctx); err != nil && ctx.Err() == nil {
				// Back off a little before the next attempt, as the browser does.
				select {
				case <-ctx.Done():
				case <-time.After(100 * time.Millisecond):
				}
			}
		}
	}()
}

// stop makes the writer send nothing new; it ends once its pending batches are acked.
func (w *writer) stop() {
	select {
	case <-w.stopped:
	default:
		close(w.stopped)
	}
}

func (w *writer) finished() bool {
	select {
	case <-w.stopped:
		w.mu.Lock()
		defer w.mu.Unlock()
		return len(w.pending) == 0
	default:
		return false
	}
}

// session is one connection: hello, resend the pending, then write and read until the
// connection fails or the writer is done.
func (w *writer) session(ctx context.Context) error {
	c, _, err := client.Dial(w.url, "")
	if err != nil {
		return err
	}
	defer c.WS.Close()
	w.mu.Lock()
	since := w.lastSeq
	w.mu.Unlock()
	welcome, err := c.Hello(since, w.name, time.Now().Add(wait))
	if err != nil {
		w.noteClose(err)
		return err
	}
	w.mu.Lock()
	w.dials++
	if welcome.Seq < w.lastSeq {
		w.problems = append(w.problems, fmt.Sprintf("welcome at seq %d after seq %d was seen", welcome.Seq, w.lastSeq))
	}
	w.lastSeq = max(w.lastSeq, welcome.Seq)
	resend := append([]string(nil), w.pending...)
	w.mu.Unlock()
	for _, cid := range resend {
		if err := c.SendRaw(putFrame(cid, indexOf(cid))); err != nil {
			return err
		}
	}
	msgs := make(chan *client.Msg, 64)
	readErr := make(chan error, 1)
	quit := make(chan struct{})
	defer close(quit) // before the deferred Close, which ends the reader's Read
	go func() {
		for {
			m, err := c.Read(time.Now().Add(time.Minute))
			if err != nil {
				readErr <- err
				close(msgs)
				return
			}
			select {
			case msgs <- m:
			case <-quit:
				return
			}
		}
	}()
	tick := time.NewTicker(w.every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case err := <-readErr:
			w.noteClose(err)
			return err
		case m, ok := <-msgs:
			if !ok {
				continue // readErr has it
			}
			w.receive(m)
			if w.finished() {
				_ = c.Close()
				return nil
			}
		case <-tick.C:
			if w.finished() {
				_ = c.Close()
				return nil
			}
			cid, ok := w.nextBatch()
			if !ok {
				continue
			}
			if err := c.SendRaw(putFrame(cid, indexOf(cid))); err != nil {
				return err
			}
		}
	}
}

// nextBatch makes a new batch when the writer may send one.
func (w *writer) nextBatch() (string, bool) {
	select {
	case <-w.stopped:
		return "", false
	default:
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) >= w.window {
		return "", false
	}
	cid := fmt.Sprintf("%s-%d", w.name, w.n)
	w.n++
	w.pending = append(w.pending, cid)
	return cid, true
}

// indexOf is the batch number in a cid made by nextBatch.
func indexOf(cid string) int {
	var i int
	fmt.Sscanf(cid[strings.LastIndexByte(cid, '-')+1:], "%d", &i)
	return i
}

func (w *writer) receive(m *client.Msg) {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch m.T {
	case "ops":
		w.lastSeq = max(w.lastSeq, m.Seq)
	case "ack":
		if prev, ok := w.acked[m.CID]; ok && prev != m.Seq {
			w.problems = append(w.problems, fmt.Sprintf("cid %s acked at seq %d, then at %d", m.CID, prev, m.Seq))
		}
		w.acked[m.CID] = m.Seq
		w.ackedSince[m.CID] = true
		if i := indexIn(w.pending, m.CID); i >= 0 {
			w.pending = append(w.pending[:i], w.pending[i+1:]...)
		}
	case "error":
		w.codes[m.Code]++
		w.said[m.Code] = m.Message
		switch m.Code {
		case "internal", "unavailable", "store_unavailable", "moved", "overloaded", "retry":
			// Storage or ownership trouble: the batch stays pending and is resent.
		default:
			w.problems = append(w.problems, fmt.Sprintf("error %s: %s (cid %q)", m.Code, m.Message, m.CID))
		}
	}
}

func indexIn(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

// noteClose records the close code a connection ended with (1006 when the socket just
// broke).
func (w *writer) noteClose(err error) {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		w.mu.Lock()
		w.closes[ce.Code]++
		w.mu.Unlock()
	}
}

// progress reports how many batches were acked since the last call.
func (w *writer) progress() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(w.ackedSince)
	w.ackedSince = map[string]bool{}
	return n
}

// writers is a set of writers on one board.
type writers []*writer

func startWriters(ctx context.Context, n int, url func(i int) string) writers {
	var ws writers
	for i := range n {
		w := newWriter(fmt.Sprintf("w%d", i), url(i))
		w.start(ctx)
		ws = append(ws, w)
	}
	return ws
}

// eachProgresses waits until every writer has had at least n batches acked since the
// last call of progress.
func (ws writers) eachProgresses(t testing.TB, n int, within time.Duration) {
	t.Helper()
	got := make([]int, len(ws))
	waitUntil(t, within, fmt.Sprintf("every writer has %d more batches acked", n), func() error {
		for i, w := range ws {
			got[i] += w.progress()
		}
		for i, w := range ws {
			if got[i] < n {
				return fmt.Errorf("%s: %d acked (%d pending)", w.name, got[i], w.pendingCount())
			}
		}
		return nil
	})
}

func (w *writer) pendingCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.pending)
}

// drain stops the writers and waits until each has its pending batches acked.
func (ws writers) drain(t testing.TB, within time.Duration) {
	t.Helper()
	for _, w := range ws {
		w.stop()
	}
	deadline := time.After(within)
	for _, w := range ws {
		select {
		case <-w.done:
		case <-deadline:
			t.Fatalf("%s still has %d batches unacknowledged after %s", w.name, w.pendingCount(), within)
		}
	}
}

// check fails t for each protocol violation a writer saw.
func (ws writers) check(t testing.TB) {
	t.Helper()
	for _, w := range ws {
		w.mu.Lock()
		for _, p := range w.problems {
			t.Errorf("%s: %s", w.name, p)
		}
		w.mu.Unlock()
	}
}

// acked is every acknowledged cid with its seq, over all writers.
func (ws writers) acked() map[string]int64 {
	all := map[string]int64{}
	for _, w := range ws {
		w.mu.Lock()
		for cid, seq := range w.acked {
			all[cid] = seq
		}
		w.mu.Unlock()
	}
	return all
}

// summary says what the writers went through: batches, connections, errors, closes.
func (ws writers) summary() string {
	var b strings.Builder
	batches, dials := 0, 0
	codes, closes := map[string]int{}, map[int]int{}
	for _, w := range ws {
		w.mu.Lock()
		batches += len(w.acked)
		dials += w.dials
		for k, v := range w.codes {
			codes[k] += v
		}
		for k, v := range w.closes {
			closes[k] += v
		}
		w.mu.Unlock()
	}
	fmt.Fprintf(&b, "%d batches acked over %d connections; error codes %v; close codes %v", batches, dials, codes, closes)
	return b.String()
}

// checkBoard reads the whole board from scratch (hello since 0, through url) and checks
// it against what the writers were told: every batch puts one new element, so the
// board holds exactly one element per applied batch, at version 1 — a batch applied
// twice would leave a version 2 or a seq without a new element, a lost one a missing
// element — and every acknowledged cid's element is there.
func checkBoard(t testing.TB, url string, acked map[string]int64) *client.Doc {
	t.Helper()
	p := join(t, url, 0)
	doc := p.doc
	if int64(len(doc.Els)) != doc.Seq {
		t.Errorf("board at seq %d holds %d elements; each batch puts one new element", doc.Seq, len(doc.Els))
	}
	var twice []string
	for id, el := range doc.Els {
		if v, _ := el["v"].(float64); v != 1 {
			twice = append(twice, fmt.Sprintf("%s v%v", id, el["v"]))
		}
	}
	sort.Strings(twice)
	if len(twice) > 0 {
		t.Errorf("%d elements written more than once: %v", len(twice), twice[:min(len(twice), 10)])
	}
	var lost []string
	seqs := map[int64]string{}
	for cid, seq := range acked {
		if doc.Els[cid] == nil {
			lost = append(lost, cid)
		}
		if other, ok := seqs[seq]; ok {
			t.Errorf("cids %s and %s were both acknowledged at seq %d", cid, other, seq)
		}
		seqs[seq] = cid
		if seq < 1 || seq > doc.Seq {
			t.Errorf("cid %s acknowledged at seq %d, outside the board's 1..%d", cid, seq, doc.Seq)
		}
	}
	sort.Strings(lost)
	if len(lost) > 0 {
		t.Errorf("%d acknowledged batches lost: %v", len(lost), lost[:min(len(lost), 10)])
	}
	if len(acked) == 0 {
		t.Error("no batch was acknowledged at all")
	}
	t.Logf("board: seq %d, %d elements, %d acknowledged batches", doc.Seq, len(doc.Els), len(acked))
	return doc
}
