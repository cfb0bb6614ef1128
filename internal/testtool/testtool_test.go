package testtool

import (
	"strings"
	"testing"
)

func TestFindSkipsAndCounts(t *testing.T) {
	t.Setenv("CI", "")
	touched := 0
	touch = func() { touched++ } // this test's skips are not worth running it again
	missing := Tool{Kind: "imaginary", Names: []string{"tabula-no-such-tool"}, Install: "there is none"}
	for _, name := range []string{"First", "Second"} {
		t.Run(name, func(t *testing.T) {
			Find(t, missing)
			t.Error("Find returned without the tool")
		})
	}
	if touched != 2 {
		t.Errorf("%d skips kept go test from caching the run, want 2", touched)
	}
	want := "SKIPPED 2 imaginary tests: tabula-no-such-tool not found on PATH (there is none)\n"
	if got := Summary(); !strings.HasSuffix(got, want) || !strings.HasPrefix(got, "tabula/internal/testtool: ") {
		t.Fatalf("summary %q, want it to end %q", got, want)
	}
	if path := Find(t, Tool{Kind: "shell", Names: []string{"tabula-no-such-tool", "sh"}}); !strings.HasSuffix(path, "/sh") {
		t.Fatalf("found %q, want the second name's path", path)
	}
}
