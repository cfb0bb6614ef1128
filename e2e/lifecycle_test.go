package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tabula/app/program"
	"tabula/internal/client"
)

// The lifecycle stress test: a board is trashed and restored again and again while
// people write to it, join, leave and rejoin, and its room unloads and reloads in
// between. Every wait has a deadline, so a stall (a hello that gets no welcome, a member
// that stops getting broadcasts) fails the test instead of hanging it.

const (
	lcCycles  = 24 // trash/restore cycles
	lcWriters = 4  // people on the board
	lcBatches = 6  // batches each writes per cycle, unless trashed first
	// lcDeadline is how long any one expected event may take: milliseconds normally,
	// so a miss is a stall, not a slow machine.
	lcDeadline = 15 * time.Second
)

var (
	errGone   = errors.New("the board is in the trash")
	errClosed = errors.New("the server closed the connection")
)

// lcClient is one person's client, as sync.js keeps it: a doc, the batches sent and not
// yet acknowledged (resent with the same cids after every reconnect), and the acks.
type lcClient struct {
	name    string
	url     string
	conn    *client.Conn // nil while disconnected
	doc     *client.Doc
	pending []lcBatch
	acked   map[string]int64
	sent    int
	left    bool // closed its connection for good
}

type lcBatch struct {
	cid string
	ops []map[string]any
}

func newLCClient(url, name string) *lcClient {
	return &lcClient{name: name, url: url, doc: client.NewDoc(), acked: map[string]int64{}}
}

// connect opens a connection and says hello from the doc's seq, then resends every
// pending batch. Returns errGone when the board is in the trash.
func (c *lcClient) connect() error {
	conn, resp, err := client.Dial(c.url, "")
	if err != nil {
		if resp != nil && resp.StatusCode == http.StatusGone {
			return errGone
		}
		return fmt.Errorf("%s: dial: %w", c.name, err)
	}
	if err := conn.Send(map[string]any{"t": "hello", "v": 1, "since": c.doc.Seq, "name": c.name}); err != nil {
		conn.WS.Close()
		return fmt.Errorf("%s: hello: %w", c.name, err)
	}
	c.conn = conn
	for {
		m, err := c.read()
		if err != nil {
			if errors.Is(err, errClosed) {
				return errGone // trashed between the upgrade and the hello
			}
			return fmt.Errorf("%s: waiting for the welcome to hello{since:%d}: %w", c.name, c.doc.Seq, err)
		}
		if m.T == "welcome" {
			if err := c.doc.Welcome(m); err != nil {
				return fmt.Errorf("%s: welcome: %w", c.name, err)
			}
			break
		}
	}
	for _, b := range c.pending {
		if err := c.conn.Send(map[string]any{"t": "ops", "cid": b.cid, "ops": b.ops}); err != nil {
			return c.closed(err)
		}
	}
	return nil
}

// read returns the next message, applying broadcasts and acks. errClosed when the
// connection ended; any other error (a deadline passed, a gap in seq) is a failure.
func (c *lcClient) read() (*client.Msg, error) {
	m, err := c.conn.Read(time.Now().Add(lcDeadline))
	if err != nil {
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			c.conn.WS.Close()
			c.conn = nil
			return nil, fmt.Errorf("nothing from the server for %v (doc at seq %d, %d batches unacknowledged)", lcDeadline, c.doc.Seq, len(c.pending))
		}
		return nil, c.closed(err)
	}
	switch m.T {
	case "ops":
		if err := c.doc.Apply(m); err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
	case "ack":
		if seq, ok := c.acked[m.CID]; ok && seq != m.Seq {
			return nil, fmt.Errorf("%s: batch %s acknowledged at seq %d and again at %d", c.name, m.CID, seq, m.Seq)
		}
		c.acked[m.CID] = m.Seq
		for i, b := range c.pending {
			if b.cid == m.CID {
				c.pending = append(c.pending[:i], c.pending[i+1:]...)
				break
			}
		}
	case "error":
		if m.CID != "" {
			return nil, fmt.Errorf("%s: batch %s refused: %s %s", c.name, m.CID, m.Code, m.Message)
		}
	}
	return m, nil
}

func (c *lcClient) closed(err error) error {
	c.conn.WS.Close()
	c.conn = nil
	return fmt.Errorf("%w: %v", errClosed, err)
}

// write sends a new batch: a rectangle of its own and a move of the shared one, so
// that writers also change the same element concurrently.
func (c *lcClient) write(r *rand.Rand, cycle int) (string, error) {
	cid := fmt.Sprintf("%s-%d-%d", c.name, cycle, c.sent)
	c.sent++
	b := lcBatch{cid: cid, ops: []map[string]any{put(rect(cid, float64(r.IntN(1000)))), patch("shared", map[string]any{"x": float64(r.IntN(1000))})}}
	c.pending = append(c.pending, b)
	if err := c.conn.Send(map[string]any{"t": "ops", "cid": b.cid, "ops": b.ops}); err != nil {
		return cid, c.closed(err)
	}
	return cid, nil
}

func (c *lcClient) isPending(cid string) bool {
	for _, b := range c.pending {
		if b.cid == cid {
			return true
		}
	}
	return false
}

// settle reads until every pending batch is acknowledged.
func (c *lcClient) settle() error {
	for len(c.pending) > 0 {
		if _, err := c.read(); err != nil {
			return err
		}
	}
	return nil
}

// untilClosed reads until the server closes the connection.
func (c *lcClient) untilClosed() error {
	for c.conn != nil {
		if _, err := c.read(); err != nil && !errors.Is(err, errClosed) {
			return err
		}
	}
	return nil
}

// reconnect knocks until the board takes the connection, as sync.js does (with a
// shorter backoff), then waits for the acks of what it resent.
func (c *lcClient) reconnect() error {
	deadline := time.Now().Add(lcDeadline)
	for n := 0; ; n++ {
		err := c.connect()
		if err == nil {
			return c.settle()
		}
		if !errors.Is(err, errGone) {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: refused for %v", c.name, lcDeadline)
		}
		time.Sleep(time.Duration(min(n+1, 20)) * time.Millisecond)
	}
}

func (c *lcClient) leave() {
	c.conn.Close()
	c.conn = nil
	c.left = true
}

func TestLifecycleStress(t *testing.T) {
	if testing.Short() {
		t.Skip("stress test")
	}
	// Rooms unload a millisecond after the last person leaves, so that unloads race
	// rejoins and restores; or they stay loaded through every cycle, as with the
	// default idle time, so that restores and rejoins meet a room that saw the trash.
	for _, idle := range []time.Duration{time.Millisecond, time.Minute} {
		t.Run("RoomIdle="+idle.String(), func(t *testing.T) { lifecycleStress(t, idle) })
	}
}

func lifecycleStress(t *testing.T, idle time.Duration) {
	ts := startServer(t, func(c *program.Config) { c.RoomIdle = idle })
	b := ts.newBoard(t)
	url := ts.wsURL("/b/", b.ID)
	setup := join(t, url, 0)
	setup.commit("setup", put(rect("shared", 0)))
	setup.c.Close()

	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	clients := make([]*lcClient, lcWriters)
	generation := 0
	fresh := func(i int) *lcClient {
		generation++
		return newLCClient(url, fmt.Sprintf("w%dg%d", i, generation))
	}
	for i := range clients {
		clients[i] = fresh(i)
	}
	var everyone []*lcClient // every client ever, for the acks
	everyone = append(everyone, clients...)
	var mu sync.Mutex // guards everyone while racers run
	if err := parallel(clients, func(c *lcClient) error { return c.connect() }); err != nil {
		t.Fatal(err)
	}

	for cycle := range lcCycles {
		// Everyone writes; one of them leaves midway; the board is trashed at a random
		// point while batches are in flight, and someone opens it meanwhile. As soon as
		// their connection is closed, people try to reconnect, as browsers do, and are
		// refused until the board is restored.
		var acks atomic.Int64
		threshold := int64(rng.IntN(lcWriters * lcBatches))
		leaver := rng.IntN(lcWriters)
		// Writers report each ack (false) and the end of their writing (true).
		progress := make(chan bool, lcWriters*(lcBatches+1))
		seeds := make([]uint64, lcWriters)
		for i := range seeds {
			seeds[i] = rng.Uint64()
		}
		trashing := make(chan struct{})
		var trashedAt int64 // the board's seq when the delete returned
		trashed := make(chan struct{})
		var closing, rejoining sync.WaitGroup
		errs := make(chan error, 2*lcWriters+2)
		rejoin := func(c *lcClient) {
			rejoining.Go(func() {
				if err := c.reconnect(); err != nil {
					errs <- fmt.Errorf("rejoining: %w", err)
				}
			})
		}
		for i, c := range clients {
			closing.Add(1)
			rejoining.Go(func() {
				r := rand.New(rand.NewPCG(seeds[i], 2))
				err := func() error {
					defer func() { progress <- true }()
					for k := range lcBatches {
						if c.conn == nil {
							return nil // trashed
						}
						cid, err := c.write(r, cycle)
						for err == nil && c.isPending(cid) {
							_, err = c.read()
						}
						if errors.Is(err, errClosed) {
							return nil
						}
						if err != nil {
							return err
						}
						acks.Add(1)
						progress <- false
						if i == leaver && k == lcBatches/2 {
							c.leave()
							return nil
						}
					}
					return nil
				}()
				if err == nil {
					err = c.untilClosed()
				}
				closing.Done()
				if err != nil {
					errs <- fmt.Errorf("writer %s: %w", c.name, err)
					return
				}
				if !c.left {
					if err := c.reconnect(); err != nil {
						errs <- fmt.Errorf("rejoining: %w", err)
					}
				}
			})
		}
		closing.Go(func() {
			defer close(trashed)
			done := 0
			for acks.Load() < threshold && done < lcWriters {
				if <-progress {
					done++
				}
			}
			close(trashing)
			if status := postStatus(t, ts.URL+"/b/"+b.ID+"/delete"); status != http.StatusNoContent {
				errs <- fmt.Errorf("delete: %d", status)
			}
			var err error
			if trashedAt, err = ts.svc.Seq(context.Background(), b.ID); err != nil {
				errs <- err
			}
		})
		// Someone opens the board as it is trashed: they are either refused or closed
		// with everyone else, never left on a board in the trash.
		closing.Go(func() {
			<-trashing
			r := rand.New(rand.NewPCG(seeds[0], 3))
			for n := 0; ; n++ {
				after := false
				select {
				case <-trashed:
					after = true
				default:
				}
				c := newLCClient(url, fmt.Sprintf("r%d-%d", cycle, n))
				mu.Lock()
				everyone = append(everyone, c)
				mu.Unlock()
				err := c.connect()
				if err == nil {
					if _, err = c.write(r, cycle); err == nil {
						err = c.untilClosed()
					}
					if errors.Is(err, errClosed) {
						err = nil
					}
				}
				if err != nil && !errors.Is(err, errGone) {
					errs <- fmt.Errorf("opening the board as it was trashed: %w", err)
					return
				}
				if after {
					if err == nil {
						errs <- fmt.Errorf("%s opened the board after it was trashed", c.name)
					}
					return
				}
			}
		})
		closing.Wait()
		// Whoever left is replaced by a newcomer, who also knocks until the restore.
		if clients[leaver].left {
			clients[leaver] = fresh(leaver)
			everyone = append(everyone, clients[leaver])
			rejoin(clients[leaver])
		}

		// Half the time the room has unloaded before the restore; otherwise the restore
		// races the unload and the rejoins.
		if cycle%2 == 1 && idle < time.Second {
			waitFor(t, "the trashed board's room to unload", func() bool { return ts.svc.Rooms() == 0 })
		}
		// A board in the trash takes no changes, not even those its people sent just
		// before they were disconnected: they are resent after the restore.
		if seq, err := ts.svc.Seq(context.Background(), b.ID); err != nil || seq != trashedAt {
			t.Errorf("cycle %d: the board went from seq %d to %d in the trash (%v)", cycle, trashedAt, seq, err)
		}
		if status := postStatus(t, ts.URL+"/b/"+b.ID+"/undelete"); status != http.StatusSeeOther {
			t.Errorf("cycle %d: undelete: %d", cycle, status)
		}
		rejoining.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("cycle %d: %v", cycle, err)
		}
		if t.Failed() {
			t.FailNow()
		}
		converge(t, ts, url, b.ID, clients, fmt.Sprintf("cycle %d after the restore", cycle))
	}

	final := converge(t, ts, url, b.ID, clients, "at the end")

	// Every acknowledged batch is in the log exactly once, at the seq of its ack.
	entries, err := ts.store.LogRange(context.Background(), b.ID, 1, math.MaxInt64, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	at := map[string][]int64{}
	for _, e := range entries {
		var m client.Msg
		if err := json.Unmarshal(e.Data, &m); err != nil {
			t.Fatalf("log entry %d: %v", e.Seq, err)
		}
		at[m.CID] = append(at[m.CID], e.Seq)
	}
	for cid, seqs := range at {
		if len(seqs) > 1 {
			t.Errorf("batch %s is in the log %d times: %v", cid, len(seqs), seqs)
		}
	}
	total := 0
	for _, c := range everyone {
		for cid, seq := range c.acked {
			total++
			if seqs := at[cid]; len(seqs) != 1 || seqs[0] != seq {
				t.Errorf("batch %s acknowledged at seq %d is in the log at %v", cid, seq, seqs)
			}
			if final.Els[cid] == nil {
				t.Errorf("batch %s acknowledged at seq %d: its element is not on the board", cid, seq)
			}
		}
	}
	t.Logf("%d cycles, %d writers, %d clients in all: %d batches acknowledged, board at seq %d", lcCycles, lcWriters, len(everyone), total, final.Seq)
}

// parallel runs fn for every client at once and returns the first error.
func parallel(clients []*lcClient, fn func(*lcClient) error) error {
	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() { errs[i] = fn(c) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// converge checks that every client reaches the seq of the board and holds the same
// board as a newcomer who joins from scratch. Returns the newcomer's doc.
func converge(t *testing.T, ts *testServer, url, id string, clients []*lcClient, when string) *client.Doc {
	t.Helper()
	seq, err := ts.svc.Seq(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	ref := newLCClient(url, "observer")
	if err := ref.connect(); err != nil {
		t.Fatalf("%s: a newcomer: %v", when, err)
	}
	defer ref.leave()
	if ref.doc.Seq < seq {
		t.Fatalf("%s: a newcomer was welcomed at seq %d, the log is at %d", when, ref.doc.Seq, seq)
	}
	if err := parallel(clients, func(c *lcClient) error {
		for c.doc.Seq < ref.doc.Seq {
			if _, err := c.read(); err != nil {
				return fmt.Errorf("%s waiting for seq %d: %w", c.name, ref.doc.Seq, err)
			}
		}
		return nil
	}); err != nil {
		t.Fatalf("%s: %v", when, err)
	}
	want := ref.doc.Canonical()
	for _, c := range clients {
		if c.doc.Seq != ref.doc.Seq {
			t.Fatalf("%s: %s is at seq %d, a newcomer at %d", when, c.name, c.doc.Seq, ref.doc.Seq)
		}
		if got := c.doc.Canonical(); got != want {
			t.Fatalf("%s: %s's board differs from a newcomer's at seq %d:\n got %s\nwant %s", when, c.name, c.doc.Seq, got, want)
		}
	}
	return ref.doc
}

// postStatus posts to url without following redirects and returns the status.
func postStatus(t *testing.T, url string) int {
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Post(url, "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Error(err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
