//go:build unix

package testtool

import (
	"fmt"
	"net"
	"os"
	"syscall"
	"testing"
)

// SocketPair returns the two ends of a connected Unix stream socket whose buffers are
// as small as the kernel allows, so that a test can fill them (a slow reader, a direct
// writer that must queue the rest). Both ends close when the test ends.
func SocketPair(t testing.TB) (server, client net.Conn) {
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

// SmallReceiveBuffer is a net.Dialer Control function that makes the new socket's
// receive buffer as small as the kernel allows: a client that stops reading fills the
// server's side soon.
func SmallReceiveBuffer(_, _ string, c syscall.RawConn) error {
	return c.Control(func(fd uintptr) {
		_ = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
	})
}
