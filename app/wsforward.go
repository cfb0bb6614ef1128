package app

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"tabula/collab"
)

// Forwarding a board's WebSocket to its owner, on a node of many (collab/cluster.go).
//
// A board's room runs on the one node holding its lease. A node that gets a board's
// WebSocket for a board another node owns dials the owner's address, replays the
// client's upgrade request there with the client's address in forwardClient, signed
// with the deployment's secret in forwardSig, relays the owner's answer and then copies
// bytes both ways until either side ends. The owner believes the address only with a
// valid signature, so its per-address limits apply to the person, not to the node
// that forwarded; a client sending the headers itself is treated as if it had not.
const (
	forwardClient = "X-Tabula-Client"
	forwardSig    = "X-Tabula-Forward" // "<unix seconds>.<hex HMAC-SHA256>"
	// forwardSkew is how old (or early) a signature may be.
	forwardSkew = 60 * time.Second
	// relayIdle closes a relayed connection that carried nothing either way for this
	// long; the owner pings every idle connection well within it.
	relayIdle = 3 * readTimeout
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

// forwardRequest is the upgrade request replayed to the owner: the client's request
// line and the headers the upgrade reads, plus the signed client address.
func forwardRequest(c *fiber.Ctx, secret []byte, ip string) []byte {
	path := string(c.Request().URI().PathOriginal())
	key := c.Get("Sec-WebSocket-Key")
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	var b bytes.Buffer
	b.WriteString("GET ")
	b.Write(c.Request().URI().RequestURI())
	b.WriteString(" HTTP/1.1\r\n")
	for _, h := range upgradeHeaders {
		if v := c.Get(h); v != "" {
			b.WriteString(h + ": " + v + "\r\n")
		}
	}
	b.WriteString(forwardClient + ": " + ip + "\r\n")
	b.WriteString(forwardSig + ": " + ts + "." + forwardMAC(secret, ip, ts, path, key) + "\r\n\r\n")
	return b.Bytes()
}

// forward hands the client's connection to the board's owner at addr. done is called
// when the relay ends.
func (s *Server) forward(c *fiber.Ctx, addr, ip string, done func()) error {
	secret, err := s.svc.ClusterSecret(c.UserContext())
	if err != nil {
		s.log.Warn("forward a connection", "err", err)
		return s.refuseTryAgain(c, done, "the board's server is unreachable; try again")
	}
	req := forwardRequest(c, secret, ip)
	key := strings.Clone(c.Get("Sec-WebSocket-Key")) // used after the handler returns
	s.wsOpen.Add(1)                                  // Shutdown waits for the relay to end
	fctx := c.Context()
	fctx.HijackSetNoResponse(true)
	fctx.Hijack(func(client net.Conn) {
		defer s.wsOpen.Add(-1)
		defer done()
		s.relay(client, addr, req, key)
	})
	return nil
}

// relay connects client to the owner at addr and copies both ways until either ends or
// the server shuts down. If the owner cannot be reached, the client's handshake is
// answered here and the connection closed with 1013: the page backs off and tries
// again, by which time the lease is free (its TTL) and another node takes the board.
func (s *Server) relay(client net.Conn, addr string, req []byte, key string) {
	defer client.Close()
	owner, err := net.DialTimeout("tcp", addr, dialOwner)
	if err != nil {
		s.log.Warn("the board's owner is unreachable", "addr", addr, "err", err)
		closeHandshake(client, key, collab.CloseTryAgain, "the board's server is unreachable; try again")
		return
	}
	defer owner.Close()
	_ = owner.SetDeadline(time.Now().Add(dialOwner))
	if _, err := owner.Write(req); err != nil {
		closeHandshake(client, key, collab.CloseTryAgain, "the board's server is unreachable; try again")
		return
	}
	br := bufio.NewReaderSize(owner, 4096)
	head, err := readHead(br)
	if err != nil {
		closeHandshake(client, key, collab.CloseTryAgain, "the board's server did not answer; try again")
		return
	}
	_ = owner.SetDeadline(time.Time{})
	if _, err := client.Write(head); err != nil {
		return
	}
	if !bytes.HasPrefix(head, []byte("HTTP/1.1 101")) {
		// The owner refused (a 429, a 404): its answer, with its body, is the client's.
		_ = owner.SetReadDeadline(time.Now().Add(dialOwner))
		_, _ = io.Copy(client, io.LimitReader(br, bodyLength(head)))
		return
	}
	var once sync.Once
	end := func() {
		once.Do(func() {
			client.Close()
			owner.Close()
		})
	}
	stop := make(chan struct{})
	go func() {
		select {
		case <-s.done:
			end()
		case <-stop:
		}
	}()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer end()
		_, _ = io.Copy(idleConn{client, relayIdle}, idleReader{br, owner, relayIdle})
	}()
	_, _ = io.Copy(idleConn{owner, relayIdle}, idleReader{client, client, relayIdle})
	end()
	wg.Wait()
	close(stop)
}

// readHead reads an HTTP response's status line and headers, up to 16 KiB.
func readHead(br *bufio.Reader) ([]byte, error) {
	var head []byte
	for len(head) < 16<<10 {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return nil, err
		}
		head = append(head, line...)
		if len(line) <= 2 && (len(line) == 1 || line[0] == '\r') {
			return head, nil
		}
	}
	return nil, errors.New("response head too long")
}

// bodyLength is the Content-Length of a response head, at most 64 KiB; 0 if none.
func bodyLength(head []byte) int64 {
	for _, line := range bytes.Split(head, []byte("\r\n")) {
		k, v, ok := bytes.Cut(line, []byte(":"))
		if ok && strings.EqualFold(string(k), "Content-Length") {
			n, err := strconv.ParseInt(string(bytes.TrimSpace(v)), 10, 64)
			if err == nil && n >= 0 {
				return min(n, 64<<10)
			}
		}
	}
	return 0
}

// idleReader reads r, allowing each read idle at most before it fails; c carries the
// deadline.
type idleReader struct {
	r    io.Reader
	c    net.Conn
	idle time.Duration
}

func (r idleReader) Read(p []byte) (int, error) {
	_ = r.c.SetReadDeadline(time.Now().Add(r.idle))
	return r.r.Read(p)
}

// idleConn writes to a connection, each write allowed idle at most.
type idleConn struct {
	c    net.Conn
	idle time.Duration
}

func (w idleConn) Write(p []byte) (int, error) {
	_ = w.c.SetWriteDeadline(time.Now().Add(w.idle))
	return w.c.Write(p)
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

// route decides, on a node of many, whether this node serves board b's WebSocket. It
// returns true when it does; otherwise it has answered: forwarded the connection to
// the owner, or closed it with 1013. A connection that was forwarded here already is
// never forwarded again: two nodes that disagree for a moment about who owns a board
// would pass it back and forth.
func (s *Server) route(c *fiber.Ctx, b collab.BoardMeta, ip string, forwarded bool, done func()) (bool, error) {
	ctx, cancel := context.WithTimeout(c.UserContext(), dialOwner)
	defer cancel()
	r, err := s.svc.Route(ctx, b.ID)
	switch {
	case err == nil && r.Local:
		return true, nil
	case err == nil && !forwarded:
		return false, s.forward(c, r.Addr, ip, done)
	case err == nil:
		err = errors.New("forwarded by a node that thought this one owned the board")
	}
	s.log.Info("board not available here; the client tries again", "board", collab.LogID(b.ID), "err", err)
	return false, s.refuseTryAgain(c, done, "the board is moving between servers; try again")
}
