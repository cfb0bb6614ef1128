// Package fuzzci runs every fuzz target of the module for a few seconds, so that the
// one test command CI runs (go test ./...) also fuzzes each decoder of client input.
package fuzzci

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"tabula/internal/testtool"
)

func TestMain(m *testing.M) { testtool.Main(m) }

// Each target runs for fuzzTime, less when there are so many that together they would
// pass fuzzBudget (but at least a second): the fuzzing itself stays within a minute
// however many targets are added, and the instrumented builds come on top.
const (
	fuzzTime   = 4 * time.Second
	fuzzBudget = time.Minute
)

// target is one fuzz function and the package directory that holds it.
type target struct {
	dir, name string
}

var fuzzFunc = regexp.MustCompile(`(?m)^func (Fuzz\w+)\(f \*testing\.F\)`)

// targets finds every fuzz target under root, so that a new one is run without being
// listed here.
func targets(t *testing.T, root string) []target {
	var out []target
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range fuzzFunc.FindAllSubmatch(src, -1) {
			out = append(out, target{dir: filepath.Dir(path), name: string(m[1])})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(out, func(a, b target) int { return strings.Compare(a.dir+" "+a.name, b.dir+" "+b.name) })
	return out
}

// TestFuzzTargetsBriefly fuzzes each target in turn for a few seconds and fails naming
// the input that crashed one (written under the package's testdata/fuzz, where
// committing it keeps it as a regression seed). Each package's test binary is built
// once with the fuzzing instrumentation (go test -c -fuzz) and run for each of its
// targets, as go test -fuzz would run it. On CI (CI=true) it always runs; elsewhere only
// with TABULA_FUZZ=1, as it takes a minute or more. TABULA_FUZZTIME sets the time per
// target (a duration, or 100x for a number of runs).
func TestFuzzTargetsBriefly(t *testing.T) {
	if os.Getenv("CI") != "true" && os.Getenv("TABULA_FUZZ") == "" {
		testtool.Skip(t, "fuzz", "the fuzz targets run for a minute on CI (CI=true); TABULA_FUZZ=1 runs them here")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to build the fuzz targets: %v", err)
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s: %v", root, err)
	}
	cache, err := exec.Command(goBin, "env", "GOCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOCACHE: %v", err)
	}
	all := targets(t, root)
	if len(all) == 0 {
		t.Fatal("no fuzz targets found")
	}
	per := max(time.Second, min(fuzzTime, fuzzBudget/time.Duration(len(all)))).String()
	if v := os.Getenv("TABULA_FUZZTIME"); v != "" {
		per = v
	}
	bin := t.TempDir()
	start := time.Now()
	built := map[string]string{} // package dir → its instrumented test binary
	for _, tg := range all {
		rel, _ := filepath.Rel(root, tg.dir)
		pkg := "./" + filepath.ToSlash(rel)
		if built[tg.dir] == "" {
			began := time.Now()
			exe := filepath.Join(bin, strings.ReplaceAll(rel, string(filepath.Separator), "_")+".test")
			build := exec.Command(goBin, "test", "-c", "-fuzz", "^"+tg.name+"$", "-o", exe, pkg)
			build.Dir = root
			out, err := build.CombinedOutput()
			if err != nil {
				t.Fatalf("build %s for fuzzing: %v\n%s", pkg, err, out)
			}
			t.Logf("%-24s built in %.1fs", pkg, time.Since(began).Seconds())
			built[tg.dir] = exe
		}
		began := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, built[tg.dir], "-test.run", "^$", "-test.fuzz", "^"+tg.name+"$", "-test.fuzztime", per,
			"-test.fuzzcachedir", filepath.Join(strings.TrimSpace(string(cache)), "fuzz", "tabula", filepath.ToSlash(rel)))
		cmd.Dir = tg.dir // where testdata/fuzz is read and a crashing input written
		out, err := cmd.CombinedOutput()
		cancel()
		t.Logf("%-24s %-32s %.1fs", pkg, tg.name, time.Since(began).Seconds())
		if err != nil && failingInput(out) == "" && deadlineRace(out) {
			// go.dev/issue/75804 (fixed in Go 1.27): under load the coordinator can
			// report its own -fuzztime deadline as a failure. No input failed.
			t.Logf("%s: the fuzzing deadline was reported as a failure (go.dev/issue/75804); no input failed", tg.name)
			err = nil
		}
		if err != nil {
			if path := failingInput(out); path != "" {
				t.Errorf("%s in %s crashed; the input is %s\n%s", tg.name, pkg, filepath.Join(tg.dir, path), tail(out, 40))
			} else {
				t.Errorf("%s in %s: %v\n%s", tg.name, pkg, err, tail(out, 40))
			}
		}
	}
	t.Logf("%d fuzz targets in %d packages: %.0fs", len(all), len(built), time.Since(start).Seconds())
}

// failingInput finds the file go test wrote a crashing input to, relative to the
// package directory.
func failingInput(out []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if _, path, ok := strings.Cut(sc.Text(), "Failing input written to "); ok {
			return strings.TrimSpace(path)
		}
	}
	return ""
}

// deadlineRace reports whether the only error in a fuzz run's output is the fuzzing
// coordinator's own "context deadline exceeded".
func deadlineRace(out []byte) bool {
	return bytes.Count(out, []byte("--- FAIL:")) == 1 && bytes.Contains(out, []byte(")\n    context deadline exceeded\n"))
}

func tail(out []byte, lines int) string {
	l := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(l) > lines {
		l = append([]string{fmt.Sprintf("… %d lines before", len(l)-lines)}, l[len(l)-lines:]...)
	}
	return strings.Join(l, "\n")
}
