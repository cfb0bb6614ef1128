package assets

import (
	"os/exec"
	"testing"

	"tabula/internal/testtool"
)

// TestNodeUnitTests runs the browser modules' unit tests (test/*.test.js) with node's
// built-in runner, so `go test ./...` covers the JavaScript too.
func TestNodeUnitTests(t *testing.T) {
	node := testtool.Find(t, testtool.Node)
	out, err := exec.Command(node, "--test", "test/").CombinedOutput()
	if err != nil {
		t.Fatalf("node --test test/ failed: %v\n%s", err, out)
	}
	t.Logf("node --test test/:\n%s", out)
}
