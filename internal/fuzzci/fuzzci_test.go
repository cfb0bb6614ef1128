// Package fuzzci runs every fuzz target of the module for a few seconds, so that the
// one test command CI runs (go test ./...) also fuzzes each decoder of client input.
package fuzzci

import (
	"bufio"
	"bytes"
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

// fuzzTime is how long each target runs by default: with about fifteen targets and the
// instrumented builds, the whole run stays near a minute and a half on two cores.
const fuzzTime = "4s"

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

// TestFuzzTargetsBriefly runs `go test -run '^$' -fuzz '^FuzzX$' -fuzztime 4s` for each
// target in turn and fails naming the input that crashed one (go test writes it under
// the package's testdata/fuzz, where committing it keeps it as a regression seed). On
// CI (CI=true) it always runs; elsewhere only with TABULA_FUZZ=1, as it takes a minute
// or two. TABULA_FUZZTIME changes the time per target.
func TestFuzzTargetsBriefly(t *testing.T) {
	if os.Getenv("CI") != "true" && os.Getenv("TABULA_FUZZ") == "" {
		testtool.Skip(t, "fuzz", "each fuzz target runs for "+fuzzTime+" on CI (CI=true); TABULA_FUZZ=1 runs them here")
	}
	per := fuzzTime
	if v := os.Getenv("TABULA_FUZZTIME"); v != "" {
		per = v
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(os.Getenv("GOROOT"), "bin", "go")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("module root not found at %s: %v", root, err)
	}
	all := targets(t, root)
	if len(all) == 0 {
		t.Fatal("no fuzz targets found")
	}
	start := time.Now()
	for _, tg := range all {
		rel, _ := filepath.Rel(root, tg.dir)
		pkg := "./" + filepath.ToSlash(rel)
		began := time.Now()
		cmd := exec.Command(goBin, "test", "-run", "^$", "-fuzz", "^"+tg.name+"$", "-fuzztime", per, pkg)
		cmd.Dir = root
		out, err := cmd.CombinedOutput()
		t.Logf("%-40s %-32s %5.1fs", pkg, tg.name, time.Since(began).Seconds())
		if err != nil {
			if path := failingInput(out); path != "" {
				t.Errorf("%s in %s crashed; the input is %s\n%s", tg.name, pkg, filepath.Join(tg.dir, path), tail(out, 40))
			} else {
				t.Errorf("%s in %s: %v\n%s", tg.name, pkg, err, tail(out, 40))
			}
		}
	}
	t.Logf("%d fuzz targets in %.0fs", len(all), time.Since(start).Seconds())
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

func tail(out []byte, lines int) string {
	l := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(l) > lines {
		l = append([]string{fmt.Sprintf("… %d lines before", len(l)-lines)}, l[len(l)-lines:]...)
	}
	return strings.Join(l, "\n")
}
