package testtool

import "testing"

// Skip skips t for a reason other than a missing tool, counted for Main's summary
// under kind like the tests Find skips: "SKIPPED 1 fuzz test: <why>".
func Skip(t testing.TB, kind, why string) {
	t.Helper()
	skips.Lock()
	if skips.why == nil {
		skips.why, skips.tests = map[string]string{}, map[string]map[string]bool{}
	}
	if skips.tests[kind] == nil {
		skips.tests[kind] = map[string]bool{}
	}
	skips.why[kind] = why
	skips.tests[kind][t.Name()] = true
	skips.Unlock()
	touch()
	t.Skipf("SKIPPING %s tests: %s", kind, why)
}
