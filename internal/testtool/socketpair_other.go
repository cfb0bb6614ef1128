//go:build !unix

package testtool

import (
	"net"
	"syscall"
	"testing"
)

// SocketPair needs a Unix stream socket pair whose buffers can be made small enough to
// fill (socketpair_unix.go); elsewhere the test is skipped.
func SocketPair(t testing.TB) (server, client net.Conn) {
	t.Helper()
	t.Skip("needs a Unix stream socket pair with small buffers")
	return nil, nil
}

// SmallReceiveBuffer leaves the buffer as it is where there are no Unix socket options:
// a test that stops reading just takes longer to fill it.
func SmallReceiveBuffer(_, _ string, _ syscall.RawConn) error { return nil }
