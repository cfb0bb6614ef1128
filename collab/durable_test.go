package collab_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"tabula/collab"
	"tabula/collab/bolt"
)

// recorder is a Transport that keeps every message a session is sent, one per line.
type recorder struct {
	mu     sync.Mutex
	msgs   []wireMsg
	closed string
	news   chan struct{}
}

type wireMsg struct {
	T     string `json:"t"`
	Seq   int64  `json:"seq"`
	CID   string `json:"cid"`
	Code  string `json:"code"`
	Reset bool   `json:"reset"`
	Ops   []struct {
		Seq int64 `json:"seq"`
	} `json:"ops"`
}

func newRecorder() *recorder { return &recorder{news: make(chan struct{}, 1)} }

func (r *recorder) Deliver(msg []byte, _ collab.Delivery) bool {
	r.mu.Lock()
	for _, line := range bytes.Split(msg, []byte{'\n'}) {
		var m wireMsg
		if err := json.Unmarshal(line, &m); err != nil {
			m.T = "undecodable: " + err.Error()
		}
		r.msgs = append(r.msgs, m)
	}
	r.mu.Unlock()
	r.signal()
	return true
}

func (r *recorder) Close(code int, why string) {
	r.mu.Lock()
	if r.closed == "" {
		r.closed = fmt.Sprintf("%d %s", code, why)
	}
	r.mu.Unlock()
	r.signal()
}

func (r *recorder) signal() {
	select {
	case r.news <- struct{}{}:
	default:
	}
}

// await waits until ok holds for what the session was sent, failing after a deadline.
func (r *recorder) await(t *testing.T, what string, ok func([]wireMsg) bool) []wireMsg {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		r.mu.Lock()
		msgs, closed := append([]wireMsg(nil), r.msgs...), r.closed
		r.mu.Unlock()
		if ok(msgs) {
			return msgs
		}
		if closed != "" {
			t.Fatalf("waiting for %s: the session was closed (%s)", what, closed)
		}
		select {
		case <-r.news:
		case <-deadline:
			t.Fatalf("waiting for %s: not there after 20s; got %d messages", what, len(msgs))
		}
	}
}

func hasAck(cid string) func([]wireMsg) bool {
	return func(ms []wireMsg) bool {
		for _, m := range ms {
			if m.T == "ack" && m.CID == cid {
				return true
			}
		}
		return false
	}
}

func hasType(t string) func([]wireMsg) bool {
	return func(ms []wireMsg) bool {
		for _, m := range ms {
			if m.T == t {
				return true
			}
		}
		return false
	}
}

func opsMsg(cid, id string) []byte {
	return fmt.Appendf(nil, `{"t":"ops","cid":%q,"ops":[{"o":"put","el":{"id":%q,"type":"rect","w":10,"h":10,"z":"a"}}]}`, cid, id)
}

func openBolt(t *testing.T) *bolt.Store {
	t.Helper()
	s, err := bolt.Open(filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// slowStore holds BatchSeq for cids with the prefix slow until gate is closed (entered
// is signalled as each one starts), and Commit until commitGate is closed (nil: never).
type slowStore struct {
	*bolt.Store
	slow       string
	gate       chan struct{}
	entered    chan string
	commitGate chan struct{}
}

// open opens gate g, once; the test's goroutine only.
func (s *slowStore) open(g chan struct{}) {
	if g == nil {
		return
	}
	select {
	case <-g:
	default:
		close(g)
	}
}

func (s *slowStore) BatchSeq(ctx context.Context, id, cid string) (int64, bool, error) {
	if s.slow != "" && strings.HasPrefix(cid, s.slow) {
		s.entered <- cid
		<-s.gate
	}
	return s.Store.BatchSeq(ctx, id, cid)
}

func (s *slowStore) Commit(ctx context.Context, ws []collab.Write) error {
	if s.commitGate != nil {
		<-s.commitGate
	}
	return s.Store.Commit(ctx, ws)
}

// serve starts a service on store, closed when the test ends after the store's gates
// are opened (a failing test leaves nothing blocked).
func serve(t *testing.T, store *slowStore) *collab.Service {
	svc := collab.NewService(store, collab.DefaultConfig())
	t.Cleanup(svc.Close)
	t.Cleanup(func() {
		store.open(store.gate)
		store.open(store.commitGate)
	})
	return svc
}

func join(t *testing.T, svc *collab.Service, b collab.BoardMeta, since int64) (*collab.Session, *recorder) {
	t.Helper()
	rec := newRecorder()
	s := svc.Open(b, collab.RoleEditor, "127.0.0.1", rec)
	s.Receive(fmt.Appendf(nil, `{"t":"hello","v":1,"since":%d,"name":"t"}`, since))
	rec.await(t, "the welcome", hasType("welcome"))
	return s, rec
}

// A batch whose cid lookup is slow holds up neither the other members' acks nor the
// broadcasts they are sent, and is applied once the read returns.
func TestSlowReadDoesNotHoldUpTheBoard(t *testing.T) {
	store := &slowStore{Store: openBolt(t), slow: "slow", gate: make(chan struct{}), entered: make(chan string, 1)}
	svc := serve(t, store)
	b, err := svc.CreateBoard(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a, ra := join(t, svc, b, 0)
	c, rc := join(t, svc, b, 0)
	received := make(chan struct{})
	go func() {
		a.Receive(opsMsg("slow-1", "x"))
		close(received)
	}()
	<-store.entered
	c.Receive(opsMsg("c1", "y"))
	rc.await(t, "c's ack while a's lookup is held", hasAck("c1"))
	ra.await(t, "c's broadcast at a while a's lookup is held", func(ms []wireMsg) bool {
		for _, m := range ms {
			if m.T == "ops" && m.CID == "c1" && m.Seq == 1 {
				return true
			}
		}
		return false
	})
	store.open(store.gate)
	<-received
	got := ra.await(t, "a's ack", hasAck("slow-1"))
	for _, m := range got {
		if m.T == "ack" && m.CID == "slow-1" && m.Seq != 2 {
			t.Fatalf("slow-1 acked at seq %d, want 2 (after c1)", m.Seq)
		}
	}
	a.Close()
	c.Close()
}

// A session that comes back (hello since) and resends batches that were applied before
// the board was reloaded gets, while their lookups are slow, everyone else's batches as
// they become durable, then its acks in the order it sent the batches: every seq once,
// none missing, none applied twice.
func TestCatchUpWithSlowLookupsKeepsOrder(t *testing.T) {
	bs := openBolt(t)
	svc := collab.NewService(bs, collab.DefaultConfig())
	b, err := svc.CreateBoard(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	w, rw := join(t, svc, b, 0)
	for i := 1; i <= 5; i++ {
		w.Receive(opsMsg(fmt.Sprintf("p%d", i), fmt.Sprintf("e%d", i)))
	}
	rw.await(t, "the first acks", hasAck("p5"))
	w.Close()
	svc.Close() // a final snapshot: after the reload p4 and p5 are known only to the log

	store := &slowStore{Store: bs, slow: "p", gate: make(chan struct{}), entered: make(chan string, 2)}
	svc = serve(t, store)
	other, ro := join(t, svc, b, 0)
	a, ra := join(t, svc, b, 3)
	sent := make(chan struct{})
	go func() {
		for _, m := range [][]byte{opsMsg("p4", "e4"), opsMsg("p5", "e5"), opsMsg("n1", "n")} {
			a.Receive(m)
		}
		close(sent)
	}()
	<-store.entered
	const others = 10
	for i := 1; i <= others; i++ {
		other.Receive(opsMsg(fmt.Sprintf("o%d", i), fmt.Sprintf("o%d", i)))
	}
	ro.await(t, "the other member's acks while a's lookups are held", hasAck(fmt.Sprintf("o%d", others)))
	ra.await(t, "the other member's batches at a while its lookups are held", func(ms []wireMsg) bool {
		n := 0
		for _, m := range ms {
			if m.T == "ops" {
				n++
			}
		}
		return n == others
	})
	store.open(store.gate)
	<-sent
	ra.await(t, "a's ack of its new batch", hasAck("n1"))
	ro.await(t, "a's new batch at the other member", func(ms []wireMsg) bool {
		for _, m := range ms {
			if m.T == "ops" && m.CID == "n1" {
				return true
			}
		}
		return false
	})

	check := func(name string, ms []wireMsg, acks []string, ackSeqs []int64) {
		t.Helper()
		var seq int64 = -1
		var gotAcks []string
		var gotSeqs []int64
		for _, m := range ms {
			switch m.T {
			case "welcome":
				seq = m.Seq
				for _, op := range m.Ops {
					seq = max(seq, op.Seq)
				}
			case "ops":
				if seq < 0 {
					t.Fatalf("%s: ops seq %d before the welcome", name, m.Seq)
				}
				if m.Seq != seq+1 {
					t.Fatalf("%s: ops seq %d after %d: a gap or a repeat", name, m.Seq, seq)
				}
				seq = m.Seq
			case "ack":
				gotAcks = append(gotAcks, m.CID)
				gotSeqs = append(gotSeqs, m.Seq)
			case "error":
				t.Fatalf("%s: error %s", name, m.Code)
			}
		}
		if seq != 5+others+1 {
			t.Fatalf("%s: last seq %d, want %d", name, seq, 5+others+1)
		}
		if fmt.Sprint(gotAcks) != fmt.Sprint(acks) || fmt.Sprint(gotSeqs) != fmt.Sprint(ackSeqs) {
			t.Fatalf("%s: acks %v at %v, want %v at %v", name, gotAcks, gotSeqs, acks, ackSeqs)
		}
	}
	var otherAcks []string
	var otherSeqs []int64
	for i := 1; i <= others; i++ {
		otherAcks, otherSeqs = append(otherAcks, fmt.Sprintf("o%d", i)), append(otherSeqs, int64(5+i))
	}
	ra.mu.Lock()
	check("a", ra.msgs, []string{"p4", "p5", "n1"}, []int64{4, 5, 5 + others + 1})
	ra.mu.Unlock()
	ro.mu.Lock()
	check("other", ro.msgs, otherAcks, otherSeqs)
	ro.mu.Unlock()
	a.Close()
	other.Close()
}

// With the store's commit stalled, many sessions sending at once fill the commit queue
// and then the room's inbox; once the commit goes on, every batch is acknowledged: the
// committer's reports never wait on the full inbox.
func TestSlowCommitWithFullInboxDoesNotDeadlock(t *testing.T) {
	store := &slowStore{Store: openBolt(t), commitGate: make(chan struct{})}
	svc := serve(t, store)
	b, err := svc.CreateBoard(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	const sessions, each = 10, 560 // 5,600 batches: more than the commit queue and the inbox hold
	type member struct {
		s   *collab.Session
		rec *recorder
	}
	var ms []member
	for range sessions {
		s, rec := join(t, svc, b, 0)
		ms = append(ms, member{s, rec})
	}
	var wg sync.WaitGroup
	for i, m := range ms {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range each {
				m.s.Receive(opsMsg(fmt.Sprintf("s%d-%d", i, j), fmt.Sprintf("e%d", i)))
			}
		}()
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		queued, capacity, ok := collab.RoomInbox(svc, b.ID)
		if ok && queued == capacity {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the inbox never filled: %d of %d", queued, capacity)
		}
		time.Sleep(time.Millisecond) // polling a condition, not waiting for time to pass
	}
	store.open(store.commitGate)
	wg.Wait()
	for i, m := range ms {
		m.rec.await(t, fmt.Sprintf("session %d's last ack", i), hasAck(fmt.Sprintf("s%d-%d", i, each-1)))
	}
	for _, m := range ms {
		m.s.Close()
	}
}
