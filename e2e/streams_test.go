package e2e

import (
	"bufio"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"tabula/app/program"
)

// openStream opens an event stream over a connection of its own, with xff (if not
// empty) as its X-Forwarded-For header. On 200 the connection is returned open, the
// stream's headers read; otherwise it is closed and only the status returned.
func openStream(t *testing.T, addr, path, xff string) (net.Conn, int) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	req := "GET " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nAccept: text/event-stream\r\n"
	if xff != "" {
		req += "X-Forwarded-For: " + xff + "\r\n"
	}
	if _, err := c.Write([]byte(req + "\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Time{})
	if resp.StatusCode != 200 {
		c.Close()
		return nil, resp.StatusCode
	}
	return c, 200
}

// openFiles counts this process's open descriptors (the server runs in it).
func openFiles(t *testing.T) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count descriptors here: %v", err)
	}
	return len(fds)
}

// eventually waits for cond, failing the test with what after a deadline.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Event streams give back what they hold as soon as their clients leave: descriptors,
// and the client's place under the per-address cap. The heartbeat is set far beyond the
// test's deadlines, so only noticing the hang-up itself can pass.
func TestStreamsCloseWhenClientsLeave(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) { c.MaxStreams, c.Heartbeat = 400, time.Hour })
	b := ts.newBoard(t)

	t.Run("Descriptors", func(t *testing.T) {
		base := openFiles(t)
		var conns []net.Conn
		for i := range 300 {
			path := "/b/" + b.ID + "/presence"
			if i%2 == 1 {
				path = "/presence?ids=" + b.ID
			}
			c, status := openStream(t, ts.Addr(), path, "")
			if status != 200 {
				t.Fatalf("stream %d: %d", i, status)
			}
			conns = append(conns, c)
		}
		if open := openFiles(t); open < base+300 {
			t.Fatalf("%d descriptors open with 300 streams, from %d", open, base)
		}
		for _, c := range conns {
			c.Close()
		}
		var open int
		eventually(t, "descriptors did not come back after the clients left", func() bool {
			open = openFiles(t)
			return open <= base+2
		})
	})

	t.Run("SlotFreedOnHangUp", func(t *testing.T) {
		ts := startServer(t, func(c *program.Config) { c.MaxStreams, c.Heartbeat = 2, time.Hour })
		path := "/b/" + ts.newBoard(t).ID + "/presence"
		first, _ := openStream(t, ts.Addr(), path, "")
		second, _ := openStream(t, ts.Addr(), path, "")
		defer second.Close()
		if _, status := openStream(t, ts.Addr(), path, ""); status != 429 {
			t.Fatalf("third stream: %d, want 429", status)
		}
		first.Close()
		eventually(t, "the closed stream's slot was not freed", func() bool {
			c, status := openStream(t, ts.Addr(), path, "")
			if c != nil {
				defer c.Close()
			}
			return status == 200
		})
	})
}

// Behind a trusted proxy the per-address cap keys on the address the proxy saw (the
// right-most X-Forwarded-For entry no trusted proxy wrote), so a client writing its own
// X-Forwarded-For cannot step around it.
func TestStreamCapIgnoresSpoofedForwardedFor(t *testing.T) {
	checkLeaks(t)
	ts := startServer(t, func(c *program.Config) { c.MaxStreams, c.ProxyHeader = 3, "X-Forwarded-For" })
	path := "/b/" + ts.newBoard(t).ID + "/presence"
	// The test's connections come from 127.0.0.1, a trusted proxy by default, which
	// appended 192.0.2.7 (the client it saw) after what the client wrote.
	accepted := 0
	for i := range 20 {
		xff := "198.51.100." + itoa(int64(i)) + ", 192.0.2.7"
		if c, status := openStream(t, ts.Addr(), path, xff); status == 200 {
			defer c.Close()
			accepted++
		}
	}
	if accepted != 3 {
		t.Fatalf("%d of 20 streams with spoofed X-Forwarded-For accepted, want the cap of 3", accepted)
	}
	// Another client behind the same proxy has a cap of its own; entries added by
	// trusted proxies further along are skipped.
	c, status := openStream(t, ts.Addr(), path, "203.0.113.9, 127.0.0.1")
	if status != 200 {
		t.Fatalf("another client's stream: %d", status)
	}
	c.Close()
}
