package e2e

import (
	"net"
	"net/http"
	"testing"

	"go.uber.org/goleak"
)

// checkLeaks fails t if, once the test and all its cleanups are done (the Program it
// started stopped, its sockets closed), a goroutine that was not running when
// checkLeaks was called is still running. Call it first thing in an end-to-end test,
// before startServer, so that its check runs after every other cleanup.
//
// The test client's idle keep-alive connections are closed before the check rather
// than ignored. Ignored, because they are understood and bounded:
//   - fasthttp's worker-pool cleaner, which notices the pool has stopped only after
//     its sleep of MaxIdleWorkerDuration (10 s), which Fiber does not let us set;
//   - fasthttp's clock for the Date header, started once per process, on purpose;
//   - the task loop of the ACME test server (pebble) that TestACME runs, which has
//     no way to be stopped.
func checkLeaks(t *testing.T) {
	t.Helper()
	opts := append(ignoredGoroutines(), goleak.IgnoreCurrent())
	t.Cleanup(func() {
		http.DefaultClient.CloseIdleConnections()
		if err := goleak.Find(opts...); err != nil {
			t.Error(err)
		}
	})
}

// ignoredGoroutines are the library goroutines checkLeaks ignores.
func ignoredGoroutines() []goleak.Option {
	return []goleak.Option{
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.(*workerPool).Start.func2"),
		goleak.IgnoreAnyFunction("github.com/valyala/fasthttp.updateServerDate.func1"),
		goleak.IgnoreAnyFunction("github.com/letsencrypt/pebble/v2/va.VAImpl.processTasks"),
	}
}

// TestStopWaitsForWebSockets: a client that never answers the server's close frame does
// not keep its connection (a goroutine and a descriptor) past the Program's stop.
func TestStopWaitsForWebSockets(t *testing.T) {
	before := append(ignoredGoroutines(), goleak.IgnoreCurrent())
	ts := startServer(t)
	b := ts.newBoard(t)
	c, _, err := helloAs(ts.wsURL("/b/", b.ID), "Silent", "#123456")
	if err != nil {
		t.Fatal(err)
	}
	defer c.WS.Close()
	ts.stop()
	// The server has sent its close frame; this client, reading nothing, never answers.
	http.DefaultClient.CloseIdleConnections()
	if err := goleak.Find(before...); err != nil {
		t.Fatalf("after the stop: %v", err)
	}
}

// TestStopRightAfterStart: a Program stopped at once stops serving. Its Serve began after
// Shutdown had looked for listeners to close, and served on after Run returned.
func TestStopRightAfterStart(t *testing.T) {
	checkLeaks(t)
	for range 20 {
		ts := startServer(t)
		ts.stop()
		if c, err := net.Dial("tcp", ts.Addr()); err == nil {
			c.Close()
			t.Fatal("the stopped program still accepts connections")
		}
	}
}
