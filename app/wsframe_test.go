package app

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"testing"
)

// trickleConn gives its data a few bytes a read, and notes how far the buffers it was
// offered ran ahead of the bytes it had given: what the reader allocated in advance.
type trickleConn struct {
	net.Conn
	data  []byte
	step  int
	given int
	ahead int // the most by which a buffer exceeded twice what was given (or 65536)
}

func (c *trickleConn) Read(p []byte) (int, error) {
	c.ahead = max(c.ahead, len(p)-2*max(c.given, payloadStart))
	c.given += min(len(p), c.step, len(c.data))
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), c.step)], c.data)
	c.data = c.data[n:]
	return n, nil
}

func maskedFrame(op byte, payload []byte) []byte {
	b := []byte{0x80 | op, 0x80 | 127}
	b = binary.BigEndian.AppendUint64(b, uint64(len(payload)))
	mask := [4]byte{1, 2, 3, 4}
	b = append(b, mask[:]...)
	for i, c := range payload {
		b = append(b, c^mask[i%4])
	}
	return b
}

// A frame declaring a megabyte and sending it slowly is given room as its bytes come,
// not all at once (at most about as much again as has arrived, as a slice grows): a
// thousand such connections must not pin a gigabyte.
func TestFrameReaderGrowsAPayloadAsItArrives(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1<<16) // 1 MiB
	conn := &trickleConn{data: maskedFrame(opText, payload), step: 1000}
	fr := &frameReader{conn: conn}
	fin, op, got, err := fr.frame(2 << 20)
	if err != nil || !fin || op != opText {
		t.Fatalf("frame: fin %v op %d err %v", fin, op, err)
	}
	if !bytes.Equal(got, payload) {
		t.Fatalf("payload of %d bytes differs from the %d sent", len(got), len(payload))
	}
	if conn.ahead > 0 {
		t.Fatalf("the reader offered a read %d bytes more than twice what had arrived (or %d)", conn.ahead, payloadStart)
	}
}

// unmask undoes the mask for every length and alignment.
func TestUnmask(t *testing.T) {
	mask := [4]byte{0xa1, 0x02, 0xf3, 0x44}
	for n := range 40 {
		plain := make([]byte, n)
		for i := range plain {
			plain[i] = byte(i * 37)
		}
		masked := make([]byte, n)
		for i := range plain {
			masked[i] = plain[i] ^ mask[i%4]
		}
		unmask(masked, mask)
		if !bytes.Equal(masked, plain) {
			t.Fatalf("length %d: %x, want %x", n, masked, plain)
		}
	}
}
