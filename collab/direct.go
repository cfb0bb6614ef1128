package collab

import (
	"errors"
	"net"
	"os"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"unsafe"
)

// RawConn returns c's socket for WriteNow, or nil when c offers no file descriptor (TLS,
// say): then everything is written the ordinary, blocking way.
func RawConn(c net.Conn) syscall.RawConn {
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

// WriteNow writes a and then b to raw with one writev, without waiting for room in the
// socket: fan-outs call it on many connections from one goroutine and queue whatever
// was not taken for the connection's own writer. It returns how many bytes went out; 0
// with a nil error when none could (the socket is full, or a write deadline left by a
// blocking write has passed), and an error only when the connection is broken.
func WriteNow(raw syscall.RawConn, a, b []byte) (int, error) {
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

// DirectWriter returns a function that writes to c what its socket takes at once (see
// WriteNow), for the presence fan-out; nil when c has no file descriptor, and every
// event is written by the stream's own goroutine instead.
func DirectWriter(c net.Conn) func([]byte) (int, error) {
	raw := RawConn(c)
	if raw == nil {
		return nil
	}
	return func(b []byte) (int, error) { return WriteNow(raw, b, nil) }
}

// inParallel calls fn on parts of items: split over up to GOMAXPROCS goroutines when
// there are at least two chunks' worth, else once with all of them on this goroutine.
// It returns when every call has, so a fan-out done with it keeps each receiver's order.
func inParallel[T any](items []T, chunk int, fn func(part []T)) {
	workers := min(runtime.GOMAXPROCS(0), len(items)/chunk)
	if workers < 2 {
		fn(items)
		return
	}
	var wg sync.WaitGroup
	for part := range slices.Chunk(items, (len(items)+workers-1)/workers) {
		wg.Go(func() { fn(part) })
	}
	wg.Wait()
}
