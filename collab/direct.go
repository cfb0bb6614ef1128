package collab

import (
	"errors"
	"net"
	"os"
	"syscall"
)

// DirectWriter returns a function that writes to c what its socket takes at once,
// without waiting for room, for the presence fan-out to call on many streams from one
// goroutine; nil when c offers no file descriptor (TLS, say), and every event is
// written by the stream's own goroutine instead.
func DirectWriter(c net.Conn) func([]byte) (int, error) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return func(b []byte) (int, error) {
		n := 0
		var werr error
		err := rc.Write(func(fd uintptr) bool {
			for n < len(b) {
				m, err := syscall.Write(int(fd), b[n:])
				if err == syscall.EINTR {
					continue
				}
				if err != nil {
					if err != syscall.EAGAIN {
						werr = err
					}
					break
				}
				if m <= 0 {
					break
				}
				n += m
			}
			return true // never wait for the socket to drain: the caller queues the rest
		})
		if errors.Is(err, os.ErrDeadlineExceeded) {
			return n, nil // a deadline set for a blocking write: leave the rest to that
		}
		if err != nil {
			return n, err
		}
		return n, werr
	}
}
