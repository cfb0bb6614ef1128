package e2e

import (
	"flag"
	"runtime"
	"strconv"
	"testing"

	"tabula/internal/testtool"
)

// TestMain says at the end how many tests were skipped for want of a tool (testtool.Main).
//
// This package holds every end-to-end test, the browser journeys included. The go
// command stops a package's test binary one minute after its -timeout (10 minutes unless
// given), so plain `go test ./...` gives the whole package 11 minutes. The browser tests
// call t.Parallel: they run after every other test, three at a time (see below), each
// with its own server and its own Chromium, and no browser test checks for leaked
// goroutines, which a test running beside it would break. A run
// left at the default -timeout also raises the binary's own limit to 25 minutes, so that
// the go command's limit, not a panic mid-test, is what stops a run that is too slow.
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.timeout"); f != nil && f.Value.String() == "10m0s" {
		_ = f.Value.Set("25m")
	}
	// A browser test spends most of its time waiting (a page to load, a frame to paint,
	// a peer's change to arrive): on CI the whole run used under half of two cores with
	// two at a time. Three at a time, unless -parallel was given.
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if f := flag.Lookup("test.parallel"); f != nil && !given {
		_ = f.Value.Set(strconv.Itoa(max(3, runtime.GOMAXPROCS(0))))
	}
	testtool.Main(m, removeBuilt)
}
