package app

import "net"

// directWriter returns a function that writes to c what its socket takes at once (see
// writeNow), for the presence fan-out; nil when c has no file descriptor (or the
// platform no non-blocking write), and every event is written by the stream's own
// goroutine instead.
func directWriter(c net.Conn) func([]byte) (int, error) {
	raw := rawSocketOf(c)
	if raw == nil {
		return nil
	}
	return func(b []byte) (int, error) { return writeNow(raw, b, nil) }
}
