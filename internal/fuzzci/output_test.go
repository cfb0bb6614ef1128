package fuzzci

import "testing"

func TestDeadlineRace(t *testing.T) {
	race := "fuzz: elapsed: 4s, execs: 36652 (12708/sec)\n--- FAIL: FuzzPointsMatchUnmarshaler (4.15s)\n    context deadline exceeded\nFAIL\n"
	crash := "--- FAIL: FuzzLimitBody (2.53s)\n    --- FAIL: FuzzLimitBody (0.00s)\n        fuzz_test.go:159: the handler sees Content-Encoding \"0\"\n\n    Failing input written to testdata/fuzz/FuzzLimitBody/e0a70f4c75c1b1a9\n"
	if !deadlineRace([]byte(race)) || deadlineRace([]byte(crash)) {
		t.Fatal("deadlineRace misreads the outputs")
	}
	if got := failingInput([]byte(crash)); got != "testdata/fuzz/FuzzLimitBody/e0a70f4c75c1b1a9" {
		t.Fatalf("failingInput: %q", got)
	}
}
