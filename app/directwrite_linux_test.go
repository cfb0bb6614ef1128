//go:build linux

package app

import (
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// socketPair returns the two ends of a connected Unix stream socket whose buffers are
// as small as the kernel allows, so that a test can fill them.
func socketPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	conns := make([]net.Conn, 2)
	for i, fd := range fds {
		_ = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_SNDBUF, 4096)
		_ = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		f := os.NewFile(uintptr(fd), fmt.Sprintf("pair%d", i))
		c, err := net.FileConn(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		conns[i] = c
		t.Cleanup(func() { c.Close() })
	}
	return conns[0], conns[1]
}

// A write deadline left on the connection by a blocking write is not a broken
// connection: the direct writer writes nothing and leaves the event to the queue.
// (Taken for broken, it dropped every stream that had been quiet for ten seconds.)
func TestDirectWriterLeavesExpiredDeadlinesToTheQueue(t *testing.T) {
	server, client := socketPair(t)
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
