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
	"runtime/debug"
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
	touch()
	t.Skipf("SKIPPING %s tests: %s", tool.Kind, tool.why())
	return ""
}

// touch keeps go test from caching this run, so the summary is printed on every
// run while a tool is missing, not only the first. go test does not cache a run that
// read a file of the module changed in the last two seconds (cmd/go: "file used as
// input is too new"), so this writes one: .test-skipped at the module's root (ignored
// by git; files outside the module do not count).
var touch = func() {
	dir, err := os.Getwd()
	if err != nil {
		return
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		if filepath.Dir(dir) == dir {
			return
		}
		dir = filepath.Dir(dir)
	}
	os.WriteFile(filepath.Join(dir, ".test-skipped"), []byte("The last go test run skipped tests: a tool they need is missing.\n"), 0o644)
}

// Summary is one line per kind of test skipped, "tabula/assets: SKIPPED 1 node test:
// node not found on PATH (…)", or "" when nothing was skipped.
func Summary() string {
	pkg := "this package"
	if bi, ok := debug.ReadBuildInfo(); ok {
		pkg = strings.TrimSuffix(bi.Path, ".test")
	}
	skips.Lock()
	defer skips.Unlock()
	var b strings.Builder
	for _, kind := range slices.Sorted(maps.Keys(skips.tests)) {
		n := len(skips.tests[kind])
		noun := "tests"
		if n == 1 {
			noun = "test"
		}
		fmt.Fprintf(&b, "%s: SKIPPED %d %s %s: %s\n", pkg, n, kind, noun, skips.why[kind])
	}
	return b.String()
}

// Main runs the package's tests, then atExit (cleanups of what outlives one test, such as
// a program built once for all of them), then writes Summary to stderr and exits with
// their status.
//
// go test shows what a package printed only when it fails or runs with -v (or is the
// one package in the current directory); it drops the rest. So when the package
// passed and stderr is not a terminal, the summary also goes to the terminal through
// /dev/tty: a person running `go test ./...` sees it as each package finishes. Without
// a terminal (CI) there is no one to tell; there a missing tool fails the tests.
func Main(m *testing.M, atExit ...func()) {
	code := m.Run()
	for _, f := range atExit {
		f()
	}
	if s := Summary(); s != "" {
		fmt.Fprint(os.Stderr, s)
		if code == 0 && !testing.Verbose() && !isTerminal(os.Stderr) {
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
