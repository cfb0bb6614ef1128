package app

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tabula/collab"
)

// The server's side of RFC 6455, written here rather than taken from a library so that
// an idle connection holds almost nothing: the upgrade hands the socket to a goroutine of
// ours and returns, which lets fasthttp release its request, its headers and its 4 KiB
// reader (kept by a hijacked connection for as long as its handler ran); the reader
// below keeps a 512-byte buffer and nothing else between messages. No extensions and
// no subprotocols are negotiated.

const (
	opContinuation = 0x0
	opText         = 0x1
	opBinary       = 0x2
)

// isWebSocketUpgrade reports whether c asks to switch to the WebSocket protocol.
func isWebSocketUpgrade(c *fiber.Ctx) bool {
	return hasToken(c.Get(fiber.HeaderConnection), "upgrade") && strings.EqualFold(strings.TrimSpace(c.Get(fiber.HeaderUpgrade)), "websocket")
}

// hasToken reports whether the comma-separated header value v lists token, in any case.
func hasToken(v, token string) bool {
	for part := range strings.SplitSeq(v, ",") {
		if strings.EqualFold(strings.TrimSpace(part), token) {
			return true
		}
	}
	return false
}

// acceptKey is the Sec-WebSocket-Accept answer to a client's Sec-WebSocket-Key.
func acceptKey(key string) string {
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	return base64.StdEncoding.EncodeToString(h[:])
}

// validKey reports whether a Sec-WebSocket-Key is 16 bytes in base64, as RFC 6455 asks.
func validKey(key string) bool {
	b, err := base64.StdEncoding.DecodeString(key)
	return err == nil && len(b) == 16
}

// frameError is a client frame the protocol does not allow; the connection is closed with
// code.
type frameError struct {
	code int
	why  string
}

func (e *frameError) Error() string { return e.why }

func protocolError(format string, a ...any) error {
	return &frameError{code: closeProtocol, why: fmt.Sprintf(format, a...)}
}

const closeProtocol = collab.CloseProtocol

// frameReader reads a client's frames off its socket.
type frameReader struct {
	conn net.Conn
	pre  []byte // bytes read before the reader existed (fasthttp's buffer), read first
	buf  [512]byte
	r, w int // buf[r:w] is read but not yet parsed
}

// read reads what is there (at least a byte) into p.
func (fr *frameReader) read(p []byte) (int, error) {
	if len(fr.pre) > 0 {
		n := copy(p, fr.pre)
		if fr.pre = fr.pre[n:]; len(fr.pre) == 0 {
			fr.pre = nil
		}
		return n, nil
	}
	return fr.conn.Read(p)
}

// need makes sure buf[r:] holds at least n bytes (n ≤ len(buf)).
func (fr *frameReader) need(n int) error {
	if fr.r+n > len(fr.buf) {
		fr.w = copy(fr.buf[:], fr.buf[fr.r:fr.w])
		fr.r = 0
	}
	for fr.w-fr.r < n {
		m, err := fr.read(fr.buf[fr.w:])
		fr.w += m
		if err != nil && fr.w-fr.r < n {
			return err
		}
	}
	return nil
}

// frame reads the next frame. A data frame's payload may be at most room bytes (what is
// left of the message limit); a longer one is refused without reading it. The payload is
// a new slice, unmasked.
func (fr *frameReader) frame(room int) (fin bool, op byte, payload []byte, err error) {
	if err = fr.need(2); err != nil {
		return
	}
	b0, b1 := fr.buf[fr.r], fr.buf[fr.r+1]
	fin, op = b0&0x80 != 0, b0&0x0f
	switch {
	case b0&0x70 != 0:
		return fin, op, nil, protocolError("reserved bits set: no extension was agreed")
	case b1&0x80 == 0:
		return fin, op, nil, protocolError("a client's frames must be masked")
	case op > opBinary && op < opClose || op > opPong:
		return fin, op, nil, protocolError("unknown opcode %d", op)
	}
	head := 2
	switch b1 & 0x7f {
	case 126:
		head = 4
	case 127:
		head = 10
	}
	if err = fr.need(head + 4); err != nil {
		return
	}
	h := fr.buf[fr.r : fr.r+head+4]
	n := uint64(b1 & 0x7f)
	switch head {
	case 4:
		n = uint64(binary.BigEndian.Uint16(h[2:]))
	case 10:
		if n = binary.BigEndian.Uint64(h[2:]); n>>63 != 0 {
			return fin, op, nil, protocolError("frame length out of range")
		}
	}
	mask := [4]byte(h[head:])
	fr.r += head + 4
	if op >= opClose {
		if !fin || n > 125 {
			return fin, op, nil, protocolError("a control frame must be whole and at most 125 bytes")
		}
	} else if n > uint64(room) {
		return fin, op, nil, &frameError{code: closeTooBig, why: "message too big"}
	}
	// The payload grows as its bytes arrive, from at most payloadStart: a client that
	// declares a long frame and sends it slowly holds only what it has sent.
	payload = make([]byte, 0, min(n, payloadStart))
	payload = append(payload, fr.buf[fr.r:fr.r+min(int(n), fr.w-fr.r)]...)
	fr.r += len(payload)
	for uint64(len(payload)) < n {
		if len(payload) == cap(payload) {
			payload = slices.Grow(payload, min(int(n)-len(payload), cap(payload)))
		}
		m, rerr := fr.read(payload[len(payload):min(cap(payload), int(n))])
		payload = payload[:len(payload)+m]
		if rerr != nil && uint64(len(payload)) < n {
			return fin, op, nil, rerr
		}
	}
	unmask(payload, mask)
	return fin, op, payload, nil
}

// payloadStart is the most a frame's payload is given before its bytes arrive.
const payloadStart = 64 << 10

const closeTooBig = collab.CloseTooBig

// unmask XORs p with the repeating 4-byte mask, eight bytes at a time.
func unmask(p []byte, mask [4]byte) {
	m32 := binary.LittleEndian.Uint32(mask[:])
	m64 := uint64(m32)<<32 | uint64(m32)
	for len(p) >= 8 {
		binary.LittleEndian.PutUint64(p, binary.LittleEndian.Uint64(p)^m64)
		p = p[8:]
	}
	for i := range p {
		p[i] ^= mask[i&3]
	}
}

// closeCodeOf reads the code of a client's close frame: 1000 when it gives none; 0 when
// the frame is not a valid close (a lone byte, or a code no one may send).
func closeCodeOf(payload []byte) int {
	switch {
	case len(payload) == 0:
		return 1000
	case len(payload) == 1:
		return 0
	}
	code := int(binary.BigEndian.Uint16(payload))
	switch {
	case code >= 1000 && code <= 1014 && code != 1004 && code != 1005 && code != 1006:
		return code
	case code >= 3000 && code <= 4999:
		return code
	}
	return 0
}
