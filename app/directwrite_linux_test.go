//go:build linux

package app

import (
	"testing"
	"time"

	"tabula/internal/testtool"
)

// A write deadline left on the connection by a blocking write is not a broken
// connection: the direct writer writes nothing and leaves the event to the queue.
// (Taken for broken, it dropped every stream that had been quiet for ten seconds.)
func TestDirectWriterLeavesExpiredDeadlinesToTheQueue(t *testing.T) {
	server, client := testtool.SocketPair(t)
	w := directWriter(server)
	if w == nil {
		t.Fatal("no direct writer for a socket")
	}
	if n, err := w([]byte("a")); n != 1 || err != nil {
		t.Fatalf("write: %d, %v", n, err)
	}
	_ = server.SetWriteDeadline(time.Now().Add(-time.Second))
	if n, err := w([]byte("b")); n != 0 || err != nil {
		t.Fatalf("write past the deadline: %d, %v; want 0, nil", n, err)
	}
	client.Close()
	_ = server.SetWriteDeadline(time.Time{})
	var err error
	for range 3 { // the first write after the peer closed may still succeed
		if _, err = w([]byte("c")); err != nil {
			break
		}
	}
	if err == nil {
		t.Fatal("writing to a closed peer reported no error")
	}
}
