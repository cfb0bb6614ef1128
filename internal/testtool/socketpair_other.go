//go:build !unix

package testtool

import (
	"net"
	"testing"
)

// SocketPair needs a Unix stream socket pair whose buffers can be made small enough to
// fill (socketpair_unix.go); elsewhere the test is skipped.
func SocketPair(t testing.TB) (server, client net.Conn) {
	t.Helper()
	t.Skip("needs a Unix stream socket pair with small buffers")
	return nil, nil
}
