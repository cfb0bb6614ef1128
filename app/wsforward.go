package app

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tabula/collab"
)

// Forwarding to a board's owner, on a node of many (collab/cluster.go).
//
// A board's room runs on the one node holding its lease. A request that needs the room
// (httpforward.go) and reaches another node is sent on to the owner with the client's
// address in forwardClient, signed with the deployment's secret in forwardSig. The
// owner believes the address only with a valid signature, so its per-address limits
// apply to the person, not to the node that forwarded; a client sending the headers
// itself is treated as if it had not. WebSockets are not forwarded: the node a person
// reaches serves their connection, over the board's link to the owner (wslink.go).
const (
	forwardClient = "X-Tabula-Client"
	forwardSig    = "X-Tabula-Forward" // "<unix seconds>.<hex HMAC-SHA256>"
	// forwardSkew is how old (or early) a signature may be.
	forwardSkew = 60 * time.Second
	// dialOwner bounds connecting to the owner and reading its answer.
	dialOwner = 3 * time.Second
)

// forwardMAC signs what a forwarded request asserts: the client's address, for this
// path and this handshake (its Sec-WebSocket-Key is fresh per connection), at ts.
func forwardMAC(secret []byte, ip, ts, path, key string) string {
	m := hmac.New(sha256.New, secret)
	for _, s := range []string{"tabula-forward", ip, ts, path, key} {
		m.Write([]byte(s))
		m.Write([]byte{0})
	}
	return hex.EncodeToString(m.Sum(nil))
}

// forwardedClient returns the client address a forwarding node vouched for, and false
// if the request carries no valid signature (no cluster, no headers, a forged or stale
// signature): then the headers are ignored.
func (s *Server) forwardedClient(c *fiber.Ctx) (string, bool) {
	sig := c.Get(forwardSig)
	if sig == "" {
		return "", false
	}
	secret, err := s.svc.ClusterSecret(c.UserContext())
	if secret == nil || err != nil {
		return "", false
	}
	ts, mac, ok := strings.Cut(sig, ".")
	if !ok {
		return "", false
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return "", false
	}
	if d := time.Since(time.Unix(sec, 0)); d > forwardSkew || d < -forwardSkew {
		return "", false
	}
	ip := c.Get(forwardClient)
	want := forwardMAC(secret, ip, ts, string(c.Request().URI().PathOriginal()), c.Get("Sec-WebSocket-Key"))
	if !hmac.Equal([]byte(mac), []byte(want)) {
		return "", false
	}
	return strings.Clone(ip), true // fasthttp reuses the header's bytes
}

// closeHandshake completes the client's WebSocket handshake and closes the new
// connection at once with code and reason: a browser learns why only from a close
// frame, never from an HTTP error.
func closeHandshake(c net.Conn, key string, code int, reason string) {
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	var b bytes.Buffer
	b.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ")
	b.WriteString(base64.StdEncoding.EncodeToString(h[:]))
	b.WriteString("\r\n\r\n")
	payload := binary.BigEndian.AppendUint16(nil, uint16(code))
	payload = append(payload, reason[:min(len(reason), 123)]...)
	b.WriteByte(0x88) // FIN, close
	b.WriteByte(byte(len(payload)))
	b.Write(payload)
	_ = c.SetWriteDeadline(time.Now().Add(closeGrace))
	_, _ = c.Write(b.Bytes())
	drain(c)
}

// refuseTryAgain answers the upgrade with 101 and a close frame 1013 with reason.
func (s *Server) refuseTryAgain(c *fiber.Ctx, done func(), reason string) error {
	key := strings.Clone(c.Get("Sec-WebSocket-Key")) // used after the handler returns
	s.wsOpen.Add(1)
	fctx := c.Context()
	fctx.HijackSetNoResponse(true)
	fctx.Hijack(func(conn net.Conn) {
		defer s.wsOpen.Add(-1)
		defer done()
		defer conn.Close()
		closeHandshake(conn, key, collab.CloseTryAgain, reason)
	})
	return nil
}

// route decides, on a node of many, how this node serves board b's WebSocket: served
// reports false when it has answered already (closed the connection with 1013, done
// called); otherwise l is the board's link to the other node that owns it, or nil when
// this node owns the board.
func (s *Server) route(c *fiber.Ctx, b collab.BoardMeta, done func()) (l *link, served bool, err error) {
	ctx, cancel := context.WithTimeout(c.UserContext(), dialOwner)
	defer cancel()
	r, err := s.svc.Route(ctx, b.ID)
	if err == nil && r.Local {
		return nil, true, nil
	}
	if err == nil {
		if l, err = s.followLink(ctx, b.ID, r.Addr); err == nil {
			return l, true, nil
		}
	}
	s.log.Info("board not available here; the client tries again", "board", collab.LogID(b.ID), "err", err)
	return nil, false, s.refuseTryAgain(c, done, "the board is moving between servers; try again")
}
