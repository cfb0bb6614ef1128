package assets

import (
	"os"
	"os/exec"
	"testing"
)

// TestNodeUnitTests runs the browser modules' unit tests (test/*.test.js) with node's
// built-in runner, so `go test ./...` covers the JavaScript too.
func TestNodeUnitTests(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node is not on PATH: CI must install Node.js to run the JavaScript unit tests")
		}
		t.Skip("SKIPPING JavaScript unit tests: node is not on PATH (install Node.js >= 20 to run them)")
	}
	out, err := exec.Command(node, "--test", "test/").CombinedOutput()
	if err != nil {
		t.Fatalf("node --test test/ failed: %v\n%s", err, out)
	}
	t.Logf("node --test test/:\n%s", out)
}
