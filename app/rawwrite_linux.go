//go:build linux

package app

import (
	"errors"
	"net"
	"os"
	"syscall"
	"unsafe"
)

// rawSocket is a connection's socket, for writeNow.
type rawSocket = syscall.RawConn

// rawSocketOf returns c's socket for writeNow, or nil when c offers no file descriptor
// (TLS, say): then everything is written the ordinary, blocking way.
func rawSocketOf(c net.Conn) rawSocket {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}

// writeNow writes a and then b to raw with one writev, without waiting for room in the
// socket: fan-outs call it on many connections from one goroutine and queue whatever
// was not taken for the connection's own writer. It returns how many bytes went out; 0
// with a nil error when none could (the socket is full, or a write deadline left by a
// blocking write has passed), and an error only when the connection is broken.
func writeNow(raw rawSocket, a, b []byte) (int, error) {
	var iov [2]syscall.Iovec
	cnt := 0
	for _, p := range [2][]byte{a, b} {
		if len(p) > 0 {
			iov[cnt].Base = &p[0]
			iov[cnt].SetLen(len(p))
			cnt++
		}
	}
	if cnt == 0 {
		return 0, nil
	}
	n := 0
	var werr error
	err := raw.Write(func(fd uintptr) bool {
		for {
			r, _, e := syscall.Syscall(syscall.SYS_WRITEV, fd, uintptr(unsafe.Pointer(&iov[0])), uintptr(cnt))
			switch e {
			case syscall.EINTR:
				continue
			case 0:
				n = int(r)
			case syscall.EAGAIN:
			default:
				werr = e
			}
			return true // never wait for the socket to drain
		}
	})
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return n, werr
}
