package app

import (
	"crypto/hmac"
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	fws "github.com/fasthttp/websocket"

	"tabula/collab"
)

// Board links: how the nodes of a cluster share a board's fan-out (docs/scaling.md).
//
// A board's room runs on the node that holds its lease, the owner. A person whose
// WebSocket lands on another node (a follower of the board) stays connected to that
// node: it reads their messages and writes what the board sends them, exactly as for a
// board of its own. What it does not do is run the room: it sends its people's messages
// to the owner over one link per board, a binary WebSocket between the two nodes, and
// the owner sends back what the room delivers to them. A broadcast that the room hands
// to a follower's 300 people crosses the link once, with their 300 ids, and the
// follower writes it to their sockets; the owner writes only to its own people. Before
// links, every forwarded socket was a byte relay through the follower, so each delivery
// was written twice and read once more.
//
// A link message is a run of records. Ids are the follower's numbers for its
// connections on the board; every number is an unsigned varint, every string or
// payload a varint length and its bytes.
//
//	follower → owner
//	  'O' id role addr board
//	                      a connection opened: role "editor" or "viewer"; the
//	                      person's address, for the owner's per-address limits; the
//	                      board as the follower looked it up by the link the person
//	                      came through (collab.BoardMeta in JSON: a link replaced
//	                      since is refused by the room, as on one node)
//	  'M' id payload      a message from the person
//	  'C' id              the connection ended
//	owner → follower
//	  'D' n id×n payload  deliver payload to each of n connections, in this order
//	                      after everything delivered to them before
//	  'K' id code reason  close the connection with code and reason, after what was
//	                      delivered before
//
// The link is the only thing the two sides share: when it ends (either node dies or
// shuts down, the owner loses the board's lease, a side falls too far behind) every
// connection on it ends too — the follower closes its people's sockets with 1012 and
// the pages reconnect and resume from their last seq, as they do when any node dies.
const (
	linkOpen    byte = 'O'
	linkMessage byte = 'M'
	linkClosed  byte = 'C'
	linkDeliver byte = 'D'
	linkKick    byte = 'K'
)

const (
	// linkPath is where a node accepts links, followed by the board's id.
	linkPath = "/_node/link/"
	// linkSig carries a link request's signature: "<unix seconds>.<hex HMAC-SHA256>".
	linkSig = "X-Tabula-Link"
	// linkNode names the node asking for a link.
	linkNode = "X-Tabula-Node"
	// linkMaxBytes bounds what waits to be sent on a link, either way: a side that
	// falls this far behind is too slow for the board, and the link is closed (its
	// people reconnect and resume).
	linkMaxBytes = 64 << 20
	// linkMaxMessage bounds one link message read: everything one side sent in one go
	// (the owner's biggest is a drain of deliveries, the follower's its people's
	// messages, each within the service's message limit).
	linkMaxMessage = 256 << 20
)

// linkStats count what the board links of a node carry, for /debug/stats.
type linkStats struct {
	following atomic.Int64 // links open to other nodes (this node follows their boards)
	served    atomic.Int64 // links open from other nodes (this node owns the boards)
	// What served links sent: deliveries to people, and the records that carried them
	// (one record carries a message to many people: deliveries/records is the saving).
	deliveries, records atomic.Int64
}

func (st *linkStats) snapshot() map[string]int64 {
	return map[string]int64{
		"following": st.following.Load(), "served": st.served.Load(),
		"deliveries": st.deliveries.Load(), "records": st.records.Load(),
	}
}

// errLink is a link message that does not parse: the other side is not a node of this
// version, and the link ends.
var errLink = errors.New("malformed link message")

// linkReader reads the records of one link message.
type linkReader struct {
	b   []byte
	err error
}

func (r *linkReader) more() bool { return r.err == nil && len(r.b) > 0 }

func (r *linkReader) kind() byte {
	k := r.b[0]
	r.b = r.b[1:]
	return k
}

func (r *linkReader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errLink
		return 0
	}
	r.b = r.b[n:]
	return v
}

// bytes returns the next length-prefixed bytes, a slice of the message.
func (r *linkReader) bytes() []byte {
	n := r.uint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errLink
		return nil
	}
	p := r.b[:n:n]
	r.b = r.b[n:]
	return p
}

func appendLinkBytes(b, p []byte) []byte {
	b = binary.AppendUvarint(b, uint64(len(p)))
	return append(b, p...)
}

func appendLinkString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// linkMAC signs a link request by node for board path at ts with the deployment's
// secret. (The WebSocket dialer makes the handshake's key itself, so unlike a forwarded
// request's signature this one cannot cover it: a link request recorded on the nodes'
// network could be replayed for forwardSkew. Whoever can record that traffic can read
// the boards on it anyway; put the nodes on a private network, as docs/scaling.md says.)
func linkMAC(secret []byte, ts, path, node string) string {
	return forwardMAC(secret, "link", ts, path, node)
}

// linkSignature is the linkSig header for node's request to path, made now.
func linkSignature(secret []byte, path, node string) string {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	return ts + "." + linkMAC(secret, ts, path, node)
}

// checkLinkSignature reports whether sig signs node's link request to path, made
// within forwardSkew of now.
func checkLinkSignature(secret []byte, sig, path, node string) error {
	ts, mac, ok := strings.Cut(sig, ".")
	if !ok {
		return errors.New("no signature")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return errors.New("bad time in signature")
	}
	if d := time.Since(time.Unix(sec, 0)); d > forwardSkew || d < -forwardSkew {
		return fmt.Errorf("signature %v old", d.Round(time.Second))
	}
	if !hmac.Equal([]byte(mac), []byte(linkMAC(secret, ts, path, node))) {
		return errors.New("bad signature")
	}
	return nil
}

// roleOf reads a role sent over a link.
func roleOf(b []byte) (collab.Role, bool) {
	switch r := collab.Role(b); r {
	case collab.RoleEditor, collab.RoleViewer:
		return r, true
	}
	return "", false
}

// readLink reads link messages from ws and hands each to handle, until the link fails
// or handle finds a record that does not parse (it reports false, or leaves r.err
// set). Every message, ping or pong keeps the link alive for readTimeout more; a ping
// is answered.
func readLink(ws *fws.Conn, handle func(r *linkReader) bool) {
	alive := func() { _ = ws.SetReadDeadline(time.Now().Add(readTimeout)) }
	alive()
	ws.SetPongHandler(func(string) error { alive(); return nil })
	ws.SetPingHandler(func(data string) error {
		alive()
		return ws.WriteControl(fws.PongMessage, []byte(data), time.Now().Add(writeTimeout))
	})
	for {
		_, msg, err := ws.ReadMessage()
		if err != nil {
			return
		}
		alive()
		r := linkReader{b: msg}
		if !handle(&r) || r.err != nil {
			return
		}
	}
}
