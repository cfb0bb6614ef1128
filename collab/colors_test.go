package collab

import (
	"fmt"
	"testing"
)

func TestPickColor(t *testing.T) {
	p := newPresence()
	join := func(sid, name, want string) string {
		return p.join("b", Person{SID: sid, Name: name, Color: want}, nil)
	}
	got := map[string]string{}
	for i := range len(Palette) {
		sid := fmt.Sprintf("s%d", i)
		c := join(sid, sid, "#E03131")
		for other, oc := range got {
			if oc == c {
				t.Fatalf("%s got %s, which %s wears", sid, c, other)
			}
		}
		got[sid] = c
	}
	if got["s0"] != "#e03131" {
		t.Errorf("the first to ask for #E03131 got %s", got["s0"])
	}
	t.Run("PaletteRunOut", func(t *testing.T) {
		if c := join("late", "late", "#e03131"); c != "#e03131" {
			t.Errorf("with the palette worn, a newcomer got %s, want the colour asked for", c)
		}
		if c := join("late2", "late2", ""); c == "" {
			t.Error("with the palette worn and nothing asked for, no colour")
		}
		p.leave("b", "late")
		p.leave("b", "late2")
	})
	t.Run("LeaveFreesTheColour", func(t *testing.T) {
		freed := got["s3"]
		p.leave("b", "s3")
		if c := join("new", "new", "#e03131"); c != freed {
			t.Errorf("the newcomer got %s, want the colour s3 left free (%s)", c, freed)
		}
	})
	t.Run("SamePersonAgain", func(t *testing.T) {
		p.leave("b", "new")
		if c := join("s1again", "s1", got["s1"]); c != got["s1"] {
			t.Errorf("s1 on a second connection got %s, want their %s", c, got["s1"])
		}
	})
	t.Run("Rename", func(t *testing.T) {
		p.leave("b", "s1again")
		p.leave("b", "s2") // frees got["s2"]
		if c := p.rename("b", "s4", "s4", got["s0"]); c != got["s4"] {
			t.Errorf("s4 asking for s0's colour got %s, want to keep %s", c, got["s4"])
		}
		if c := p.rename("b", "s4", "s4", got["s2"]); c != got["s2"] {
			t.Errorf("s4 asking for the free %s got %s", got["s2"], c)
		}
		if c := p.rename("b", "nobody", "x", "#123456"); c != "" {
			t.Errorf("renaming someone not on the board gave %q", c)
		}
	})
	t.Run("SecondTabRenamed", func(t *testing.T) {
		// A second tab joins as the same person, then takes another name because its
		// own is in use: the colour they shared is no longer the same person's.
		q := newPresence()
		first := q.join("b", Person{SID: "tab1", Name: "Dapper Fox", Color: "#1971c2"}, nil)
		if c := q.join("b", Person{SID: "tab2", Name: "Dapper Fox", Color: "#1971c2"}, nil); c != first {
			t.Fatalf("the second tab of the same person got %s, want %s", c, first)
		}
		second := q.rename("b", "tab2", "Happy Puffin", "#1971c2")
		if second == "" || second == first {
			t.Fatalf("renamed to another name, the second tab wears %q, the first %q", second, first)
		}
		if c := q.rename("b", "tab2", "Happy Puffin", ""); c != second {
			t.Errorf("renaming again without asking for a colour changed %s to %s", second, c)
		}
		if c := q.rename("b", "tab1", "Dapper Fox", ""); c != first {
			t.Errorf("the first tab's colour changed from %s to %s", first, c)
		}
	})
}
