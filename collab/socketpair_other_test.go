//go:build !unix

package collab

import (
	"net"
	"testing"
)

// socketPair needs a Unix socket pair whose buffers can be made small enough to fill
// (socketpair_unix_test.go); elsewhere the tests that use it are skipped.
func socketPair(t *testing.T) (server, client net.Conn) {
	t.Helper()
	t.Skip("needs a Unix stream socket pair with small buffers")
	return nil, nil
}
