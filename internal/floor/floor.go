// Package floor is a benchmark tool, not part of the product: the least a server can do
// and still speak Tabula's sync protocol to the load tool. One room in memory, no
// validation, no storage, no limits: a batch gets the next seq and goes out at once.
//
// It answers one question of the fan-out issue (17): what this machine itself costs a
// fan-out, under any server. It is built like Tabula's fan-out at its best — the
// batches that arrive while a round is written go out together in the next round, one
// frame and one write system call per member, the frame's bytes made once for everyone
// and the senders' acks in the same write — so what it measures is what is left when a
// server does nothing else: the kernel's send and receive paths, the wake-ups and the
// Go runtime. A server that stores and checks what it relays cannot be faster.
//
// Not for the internet: it trusts every byte, answers no pings and lets a client that
// stops reading stall the room.
package floor

import (
	"bytes"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
)

// Server is an http.Handler: POST /boards makes (the one) board, GET /b/{id}/ws joins it.
type Server struct {
	split    int           // goroutines a round's writes are shared by
	tick     time.Duration // least time from one round's start to the next's
	events   chan event
	upgrader websocket.Upgrader
	sids     atomic.Int64
	done     chan struct{}
	stopOnce sync.Once
}

type kind int

const (
	join kind = iota
	ops
	leave
)

type event struct {
	kind kind
	c    *conn
	msg  []byte // ops: the client's message
}

type conn struct {
	nc   net.Conn
	sid  string
	acks []byte // this round's acks, one message a line
	dead bool   // a write failed; its reader will send leave
}

// New returns a server that shares each round's writes among split goroutines (at
// least one). Close stops its room.
func New(split int, tick time.Duration) *Server {
	s := &Server{
		split:  max(split, 1),
		tick:   tick,
		events: make(chan event, 4096),
		upgrader: websocket.Upgrader{
			ReadBufferSize: 8 << 10, WriteBufferSize: 1 << 10,
			CheckOrigin: func(*http.Request) bool { return true },
		},
		done: make(chan struct{}),
	}
	go s.room()
	return s
}

// Close stops the room; connections are left to the caller's listener.
func (s *Server) Close() { s.stopOnce.Do(func() { close(s.done) }) }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/boards":
		w.Header().Set("Location", "/b/floor")
		w.WriteHeader(http.StatusSeeOther)
	case r.Method == http.MethodGet && r.URL.Path == "/b/floor/ws":
		s.serveWS(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	// Every write goes straight to the socket from the room; the library must not write
	// replies of its own between them.
	ws.SetCloseHandler(func(int, string) error { return nil })
	ws.SetPingHandler(func(string) error { return nil })
	c := &conn{nc: ws.NetConn(), sid: "f" + strconv.FormatInt(s.sids.Add(1), 10)}
	defer ws.Close()
	joined := false
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			if joined {
				s.send(event{kind: leave, c: c})
			}
			return
		}
		switch {
		case !joined && bytes.HasPrefix(msg, []byte(`{"t":"hello"`)):
			joined = true
			s.send(event{kind: join, c: c})
		case joined && bytes.HasPrefix(msg, []byte(opsPrefix)):
			s.send(event{kind: ops, c: c, msg: msg})
		}
	}
}

func (s *Server) send(e event) {
	select {
	case s.events <- e:
	case <-s.done:
	}
}

const opsPrefix = `{"t":"ops",`

// room owns the board: its seq, its members and every write to them.
func (s *Server) room() {
	var (
		members []*conn
		seq     int64
		payload []byte  // this round's broadcast: one ops message a line
		senders []*conn // members with acks this round
		frame   []byte  // the broadcast as a WebSocket frame
		msg     []byte  // a sender's payload: the broadcast and its acks
		extra   []byte  // msg as a frame
		rest    []*conn // the members without acks this round
		wg      sync.WaitGroup
		chunks  [][]*conn
	)
	write := func(c *conn, b []byte) {
		if !c.dead {
			if _, err := c.nc.Write(b); err != nil {
				c.dead = true
			}
		}
	}
	flush := func() {
		if len(payload) == 0 {
			return
		}
		frame = appendFrame(frame[:0], payload)
		// Senders first, each with its acks after the broadcast in one frame.
		for _, c := range senders {
			msg = append(append(append(msg[:0], payload...), '\n'), c.acks...)
			extra = appendFrame(extra[:0], msg)
			write(c, extra)
		}
		rest = rest[:0]
		for _, c := range members {
			if len(c.acks) == 0 {
				rest = append(rest, c)
			}
		}
		for _, c := range senders {
			c.acks = c.acks[:0]
		}
		senders = senders[:0]
		if s.split == 1 || len(rest) < 2*s.split {
			for _, c := range rest {
				write(c, frame)
			}
		} else {
			chunks = chunks[:0]
			size := (len(rest) + s.split - 1) / s.split
			for i := 0; i < len(rest); i += size {
				chunks = append(chunks, rest[i:min(i+size, len(rest))])
			}
			for _, part := range chunks[1:] {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for _, c := range part {
						write(c, frame)
					}
				}()
			}
			for _, c := range chunks[0] {
				write(c, frame)
			}
			wg.Wait()
		}
		payload = payload[:0]
	}
	handle := func(e event) {
		switch e.kind {
		case join:
			flush() // what is sequenced so far goes to those who were there
			members = append(members, e.c)
			msg := `{"t":"welcome","v":1,"sid":"` + e.c.sid + `","role":"editor","color":"#e03131","title":"","canvas":"plain","seq":` +
				strconv.FormatInt(seq, 10) + `,"reset":false,"ops":[],"peers":[]}`
			write(e.c, appendFrame(nil, []byte(msg)))
		case leave:
			flush()
			for i, c := range members {
				if c == e.c {
					members = append(members[:i], members[i+1:]...)
					break
				}
			}
		case ops:
			seq++
			if len(payload) > 0 {
				payload = append(payload, '\n')
			}
			payload = append(payload, `{"t":"ops","seq":`...)
			payload = strconv.AppendInt(payload, seq, 10)
			payload = append(payload, `,"by":"`...)
			payload = append(payload, e.c.sid...)
			payload = append(payload, `",`...)
			payload = append(payload, e.msg[len(opsPrefix):]...)
			if len(e.c.acks) == 0 {
				senders = append(senders, e.c)
			} else {
				e.c.acks = append(e.c.acks, '\n')
			}
			e.c.acks = append(e.c.acks, `{"t":"ack","cid":"`...)
			e.c.acks = append(e.c.acks, cid(e.msg)...)
			e.c.acks = append(e.c.acks, `","seq":`...)
			e.c.acks = strconv.AppendInt(e.c.acks, seq, 10)
			e.c.acks = append(e.c.acks, '}')
		}
	}
	var last time.Time
	for {
		select {
		case e := <-s.events:
			handle(e)
		case <-s.done:
			return
		}
		if wait := s.tick - time.Since(last); s.tick > 0 && wait > 0 {
			select { // let more batches join this round
			case <-time.After(wait):
			case <-s.done:
				return
			}
		}
		last = time.Now()
		// Everything that arrived while the last round was written goes out together.
	drain:
		for {
			select {
			case e := <-s.events:
				handle(e)
			default:
				break drain
			}
		}
		flush()
	}
}

// cid is the value of the message's "cid" field, as the load tool writes it (no escapes).
func cid(msg []byte) []byte {
	_, after, ok := bytes.Cut(msg, []byte(`"cid":"`))
	if !ok {
		return nil
	}
	v, _, _ := bytes.Cut(after, []byte{'"'})
	return v
}

// appendFrame appends payload as one unmasked, final text frame (RFC 6455 5.2).
func appendFrame(dst, payload []byte) []byte {
	n := len(payload)
	switch {
	case n < 126:
		dst = append(dst, 0x81, byte(n))
	case n < 1<<16:
		dst = append(dst, 0x81, 126, byte(n>>8), byte(n))
	default:
		dst = append(dst, 0x81, 127)
		for shift := 56; shift >= 0; shift -= 8 {
			dst = append(dst, byte(uint64(n)>>shift))
		}
	}
	return append(dst, payload...)
}
