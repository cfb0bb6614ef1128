package e2e

import (
	"flag"
	"testing"

	"tabula/internal/testtool"
)

// TestMain says at the end how many tests were skipped for want of a tool (testtool.Main).
//
// This package holds every browser journey, each a real Chromium run one after another
// in this one test binary: a few minutes on an idle two-core machine, but past go test's
// default 10-minute limit when the machine is shared (seen with other builds beside it).
// A run left at that default gets 25 minutes; a -timeout someone chose is kept. (The
// limit is per package's test binary, and every journey is in this one.) The go command
// itself still stops a test binary one minute after its own -timeout, so under plain
// `go test` this buys that minute; a run that needs more must say -timeout.
func TestMain(m *testing.M) {
	flag.Parse()
	if f := flag.Lookup("test.timeout"); f != nil && f.Value.String() == "10m0s" {
		_ = f.Value.Set("25m")
	}
	testtool.Main(m)
}
