package e2e

import (
	"flag"
	"testing"

	"tabula/internal/testtool"
)

// TestMain says at the end how many tests were skipped for want of a tool (testtool.Main).
//
// This package holds every end-to-end test, the browser journeys included. The go
// command stops a package's test binary one minute after its -timeout (10 minutes unless
// given), so plain `go test ./...` gives the whole package 11 minutes. The browser tests
// call t.Parallel: they run after every other test, two at a time (-parallel defaults to
// the number of cores), each with its own server and its own Chromium, and no browser
// test checks for leaked goroutines, which a test running beside it would break. A run
// left at the default -timeout also raises the binary's own limit to 25 minutes, so that
// the go command's limit, not a panic mid-test, is what stops a run that is too slow.
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.timeout"); f != nil && f.Value.String() == "10m0s" {
		_ = f.Value.Set("25m")
	}
	testtool.Main(m, removeBuilt)
}
