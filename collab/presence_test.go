package collab

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"tabula/internal/testtool"
)

// takeWhatFits writes to c what it takes at once, as the edge's direct writer does with a
// non-blocking system call: here, what the socket takes within a millisecond.
func takeWhatFits(c net.Conn) func([]byte) (int, error) {
	return func(b []byte) (int, error) {
		_ = c.SetWriteDeadline(time.Now().Add(time.Millisecond))
		n, err := c.Write(b)
		_ = c.SetWriteDeadline(time.Time{})
		if errors.Is(err, os.ErrDeadlineExceeded) {
			err = nil
		}
		return n, err
	}
}

// A subscriber whose connection is full gets the rest of an event, and every later
// event, through its queue, in order and unbroken: direct writes and queued writes
// never interleave, and heartbeats never land inside an event.
func TestPresenceDirectWritesKeepOrderWhenTheSocketFills(t *testing.T) {
	p := newPresence()
	server, client := testtool.SocketPair(t)
	sub := p.subscribe("b", RoleViewer, "", takeWhatFits(server))
	heartbeat := make(chan time.Time, 3)
	served := make(chan struct{})
	go func() {
		defer close(served)
		sub.Serve(func(b []byte) bool {
			_, err := server.Write(b)
			return err == nil
		}, heartbeat, nil)
	}()

	// Joins with long names, many more bytes than the socket holds, delivered while
	// nobody reads. Each join is flushed on its own (changes within 200 ms coalesce, so
	// the flush is called directly).
	const people = 60 // more than the socket holds, fewer than the queue (64)
	name := strings.Repeat("n", 200)
	r := p.get("b")
	for i := range people {
		p.join("b", Person{SID: fmt.Sprintf("s%03d", i), Name: name}, nil)
		r.mu.Lock()
		if r.timer != nil {
			r.timer.Stop()
			r.timer = nil
		}
		r.mu.Unlock()
		r.flush()
		if i == people/2 {
			// Heartbeats due while events wait must not be written between them. (The
			// channel is buffered: Serve may be blocked writing to the full socket.)
			for range 3 {
				heartbeat <- time.Now()
			}
		}
	}
	if sub.queued.Load() == 0 {
		t.Fatal("nothing was queued: the socket never filled, so the test tested nothing")
	}

	// Now read: a roster, then joins s000… in order, each event whole.
	br := bufio.NewReader(client)
	next := 0
	var lastID int64
	for next < people {
		_ = client.SetReadDeadline(time.Now().Add(10 * time.Second))
		ev, err := readEvent(br)
		if err != nil {
			t.Fatalf("after %d joins: %v", next, err)
		}
		if ev.comment {
			continue
		}
		n, err := strconv.ParseInt(ev.id[strings.LastIndexByte(ev.id, '-')+1:], 10, 64)
		if err != nil || n <= lastID {
			t.Fatalf("event id %q after %d", ev.id, lastID)
		}
		lastID = n
		if ev.name == "roster" {
			continue
		}
		want := fmt.Sprintf(`{"sid":"s%03d","name":"%s"`, next, name)
		if ev.name != "join" || !strings.HasPrefix(ev.data, want) {
			t.Fatalf("event %d: %s %.60q…, want join of s%03d", next, ev.name, ev.data, next)
		}
		next++
	}
	sub.Unsubscribe()
	<-served
}

type sseEvent struct {
	id, name, data string
	comment        bool
}

// readEvent reads one event (or comment) of a text/event-stream, strictly: every line
// must be a field this stream uses, so bytes of two events mixed together fail.
func readEvent(br *bufio.Reader) (sseEvent, error) {
	var ev sseEvent
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return ev, err
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			return ev, nil
		case strings.HasPrefix(line, ": "):
			ev.comment = true
		case strings.HasPrefix(line, "id: "):
			ev.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			ev.name = line[7:]
		case strings.HasPrefix(line, "data: "):
			ev.data = line[6:]
		default:
			return ev, fmt.Errorf("malformed line %.80q", line)
		}
	}
}
