package owner

import (
	"testing"
	"time"
)

// box is a test owner: it handles messages until told to stop, then asks to be
// removed.
type box struct {
	id   string
	in   chan string
	got  []string
	done chan struct{}
}

func newGroup() *Group[*box] {
	var g *Group[*box]
	g = New(func(id string) *box {
		return &box{id: id, in: make(chan string, 16), done: make(chan struct{})}
	}, func(b *box) {
		defer close(b.done)
		for m := range b.in {
			if m == "stop" {
				if g.Remove(b.id, func(*box) bool { return true }) {
					return
				}
				continue
			}
			b.got = append(b.got, m)
		}
	})
	return g
}

func wait(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("owner did not end")
	}
}

func TestStartsOnFirstUseOnly(t *testing.T) {
	g := newGroup()
	var first, second *box
	if !g.Use("a", true, func(b *box) { first = b }) || !g.Use("a", true, func(b *box) { second = b }) {
		t.Fatal("Use with create refused")
	}
	if first != second || g.Len() != 1 || !g.Running("a") {
		t.Fatalf("two uses of one board: %p %p, %d running", first, second, g.Len())
	}
	if g.Use("b", false, func(*box) { t.Error("fn called for a board with no owner") }) {
		t.Fatal("Use without create started an owner")
	}
	first.in <- "x"
	first.in <- "stop"
	wait(t, first.done)
	if g.Running("a") || g.Len() != 0 {
		t.Fatal("an owner that ended is still held")
	}
	if first.got[0] != "x" {
		t.Fatalf("got %v", first.got)
	}
	var again *box
	g.Use("a", true, func(b *box) { again = b })
	if again == first {
		t.Fatal("the next use after the owner ended reused it")
	}
	g.Close(func(b *box) { close(b.in) })
	g.Wait()
}

func TestRemoveRefusedKeepsOwner(t *testing.T) {
	g := newGroup()
	var b *box
	g.Use("a", true, func(o *box) { b = o })
	if g.Remove("a", func(*box) bool { return false }) || !g.Running("a") {
		t.Fatal("Remove dropped an owner that may not go")
	}
	g.Close(func(o *box) { close(o.in) })
	if g.Use("a", true, nil) || g.Use("c", true, nil) {
		t.Fatal("Use after Close succeeded")
	}
	g.Wait()
	wait(t, b.done)
}
