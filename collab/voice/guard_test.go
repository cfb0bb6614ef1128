package voice

import (
	"log/slog"
	"strings"
	"tabula/internal/testtool"
	"testing"
	"time"
)

// A panic in a voice room's goroutine is logged with its stack and the room carries
// on: a second panic is recovered too (the goroutine survived the first), and the SFU
// still closes cleanly.
func TestVoiceRoomPanicIsRecovered(t *testing.T) {
	var logs testtool.LogBuffer
	f, err := New(Config{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Loopback: true})
	if err != nil {
		t.Fatal(err)
	}
	// A signal with no message is a bug the room does not expect: it dereferences nil.
	// The second is posted once the first is recovered: it needs the same goroutine.
	for i := 1; i <= 2; i++ {
		if !f.post("board", true, event{kind: evSignal}) {
			t.Fatal("no room took the event")
		}
		deadline := time.Now().Add(10 * time.Second)
		for strings.Count(logs.String(), "voice room crashed") < i {
			if time.Now().After(deadline) {
				t.Fatalf("want %d recovered panics in the log:\n%s", i, logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if !strings.Contains(logs.String(), "guard.go") {
		t.Errorf("the panic was logged without its stack:\n%s", logs.String())
	}
	f.Close()
}
