package collab_test

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"testing"

	"tabula/collab"
)

// rounds is shared by roundTransports: every broadcast delivered in a fan-out round,
// and how many had been delivered when the round's end was signalled.
type rounds struct {
	mu        sync.Mutex
	delivered map[*collab.Round]int
	atEnd     map[*collab.Round][]int
}

// roundTransport records, beside what the session is sent, which round each broadcast
// is part of, and asks for the round's end as a node's link does.
type roundTransport struct {
	*recorder
	r       *rounds
	inRound *int // batch broadcasts this member got in rounds (under r.mu)
}

func (t roundTransport) Deliver(msg []byte, d collab.Delivery) bool {
	if d.Round != nil {
		t.r.mu.Lock()
		t.r.delivered[d.Round]++
		// Only batches: room notices (who joined) go out in rounds too, and whether a
		// member still gets the joins of those who came after it depends on timing.
		for _, line := range bytes.Split(msg, []byte{'\n'}) {
			if bytes.HasPrefix(line, []byte(`{"t":"ops"`)) {
				*t.inRound++
			}
		}
		t.r.mu.Unlock()
		d.Round.AtEnd(func() {
			t.r.mu.Lock()
			t.r.atEnd[d.Round] = append(t.r.atEnd[d.Round], t.r.delivered[d.Round])
			t.r.mu.Unlock()
		})
	}
	return t.recorder.Deliver(msg, d)
}

// A fan-out round's end is signalled once every delivery of it is made, so that a
// transport writing for several people (a node's link) can send the round as one
// message: every broadcast a member gets is in a round, and no round delivers after its
// end. Several writers at once make rounds of one batch and of several.
func TestFanOutRoundEndsAfterAllItsDeliveries(t *testing.T) {
	svc := serve(t, &slowStore{Store: openBolt(t)})
	b, err := svc.CreateBoard(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r := &rounds{delivered: map[*collab.Round]int{}, atEnd: map[*collab.Round][]int{}}
	const members, writers, batches = 12, 4, 30
	var sessions []*collab.Session
	var recs []*recorder
	inRound := make([]int, members)
	for i := range members {
		rec := newRecorder()
		s := svc.Open(b, collab.RoleEditor, "127.0.0.1", roundTransport{rec, r, &inRound[i]})
		s.Receive([]byte(`{"t":"hello","v":1,"since":0,"name":"t"}`))
		rec.await(t, "the welcome", hasType("welcome"))
		sessions, recs = append(sessions, s), append(recs, rec)
	}
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for k := range batches {
				sessions[w].Receive(opsMsg(fmt.Sprintf("w%d-%d", w, k), fmt.Sprintf("e%d-%d", w, k)))
			}
		})
	}
	wg.Wait()
	const total = writers * batches
	for i, rec := range recs {
		rec.await(t, fmt.Sprintf("member %d's last broadcast", i), func(ms []wireMsg) bool {
			n := 0
			for _, m := range ms {
				if m.T == "ops" && m.Seq > 0 {
					n++
				}
			}
			return n == total
		})
	}
	svc.Close() // waits for the fan-out: every round has ended
	r.mu.Lock()
	defer r.mu.Unlock()
	for round, n := range r.delivered {
		ends := r.atEnd[round]
		if len(ends) == 0 {
			t.Fatalf("a round of %d deliveries never ended", n)
		}
		for _, at := range ends {
			if at != n {
				t.Fatalf("a round's end came after %d of its %d deliveries", at, n)
			}
		}
	}
	// Every batch reaches the members who do not write in a round.
	for i := writers; i < members; i++ {
		if inRound[i] != total {
			t.Fatalf("member %d got %d broadcasts in rounds; want all %d", i, inRound[i], total)
		}
	}
	t.Logf("%d batches to %d members in %d rounds", total, members, len(r.delivered))
}
