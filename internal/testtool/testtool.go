// Package testtool finds the programs some tests drive (Chromium, node, pdftoppm) and
// counts the tests skipped for want of one, so that a plain `go test ./...` says at the
// end of each package how many were skipped and why, not only under -v.
//
// A package whose tests call Find runs them through Main:
//
//	func TestMain(m *testing.M) { testtool.Main(m) }
package testtool

import (
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Tool is a program tests need.
type Tool struct {
	Kind    string   // what the tests that need it are called: "browser", "node", "PDF"
	Names   []string // executables tried on PATH, in order
	Install string   // how a person gets it
}

// The tools Tabula's tests use.
var (
	Chromium = Tool{Kind: "browser", Names: []string{"chromium", "chromium-browser", "google-chrome"}, Install: "apt-get install chromium"}
	Node     = Tool{Kind: "node", Names: []string{"node"}, Install: "install Node.js >= 20"}
	Pdftoppm = Tool{Kind: "PDF", Names: []string{"pdftoppm"}, Install: "apt-get install poppler-utils"}
)

// why says why tool cannot be used: "chromium not found on PATH (tried …; apt-get install chromium)".
func (tool Tool) why() string {
	tried := ""
	if len(tool.Names) > 1 {
		tried = "tried " + strings.Join(tool.Names, ", ") + "; "
	}
	return fmt.Sprintf("%s not found on PATH (%s%s)", tool.Names[0], tried, tool.Install)
}

// skips are the tests skipped so far, by kind of tool.
var skips struct {
	sync.Mutex
	why   map[string]string
	tests map[string]map[string]bool
}

// Find returns the path of tool. Without it the test is skipped, with a message, and
// counted for Main's summary; on CI (CI=true) it fails instead, because a skip there
// would hide that a part of Tabula was never exercised.
func Find(t testing.TB, tool Tool) string {
	t.Helper()
	for _, name := range tool.Names {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s tests cannot run on CI: %s", tool.Kind, tool.why())
	}
	skips.Lock()
	if skips.why == nil {
		skips.why, skips.tests = map[string]string{}, map[string]map[string]bool{}
	}
	if skips.tests[tool.Kind] == nil {
		skips.tests[tool.Kind] = map[string]bool{}
	}
	skips.why[tool.Kind] = tool.why()
	skips.tests[tool.Kind][t.Name()] = true
	skips.Unlock()
	uncacheable()
	t.Skipf("SKIPPING %s tests: %s", tool.Kind, tool.why())
	return ""
}

// uncacheable keeps go test from caching this run, so the summary is printed on every
// run while a tool is missing, not only the first: go test does not cache a run that
// read a file changed in the last two seconds (cmd/go's "file used as input is too new").
func uncacheable() {
	os.WriteFile(filepath.Join(os.TempDir(), "tabula-test-skipped"), []byte("a tool tests need is missing\n"), 0o644)
}

// Summary is one line per kind of test skipped, "SKIPPED 14 browser tests: chromium not
// found on PATH (…)", or "" when nothing was skipped.
func Summary() string {
	skips.Lock()
	defer skips.Unlock()
	var b strings.Builder
	for _, kind := range slices.Sorted(maps.Keys(skips.tests)) {
		n := len(skips.tests[kind])
		noun := "tests"
		if n == 1 {
			noun = "test"
		}
		fmt.Fprintf(&b, "SKIPPED %d %s %s: %s\n", n, kind, noun, skips.why[kind])
	}
	return b.String()
}

// Main runs the package's tests, then writes Summary to stderr and exits with their
// status.
//
// go test discards what a passing package prints unless it runs with -v (or on the one
// package in the current directory), so the summary also goes to the terminal, through
// /dev/tty, when stderr is not one: a person running `go test ./...` sees it above the
// package's "ok" line. Without a terminal (CI) there is no one to tell; there a missing
// tool fails the tests instead.
func Main(m *testing.M) {
	code := m.Run()
	if s := Summary(); s != "" {
		fmt.Fprint(os.Stderr, s)
		if !testing.Verbose() && !isTerminal(os.Stderr) {
			if tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0); err == nil {
				io.WriteString(tty, s)
				tty.Close()
			}
		}
	}
	os.Exit(code)
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
