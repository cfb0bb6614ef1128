package collab

import "strings"

// Palette is the colours people are given on a board, in the order they are handed out;
// the board page offers the same ones (assets/js/storage.js, PALETTE).
var Palette = [...]string{"#e03131", "#1971c2", "#2f9e44", "#9c36b5", "#e8590c", "#0c8599", "#c2255c", "#6741d9", "#099268", "#3b5bdb"}

// pickColor returns the colour a person joining or changing colour gets: want if nobody
// else on the board wears it, else the first palette colour nobody wears (starting at a
// place chosen by sid, so that people arriving on a busy board do not all try the same
// one), and want (or that starting colour) once the palette has run out. Someone with
// the same non-empty name and colour is taken to be the same person on a second
// connection — a reconnect the server has not noticed yet, or a second tab — and does
// not count as a clash, so that a reconnect does not change anyone's colour.
//
// The roster holds a count of each colour (r.colors); only the same-person check walks
// the roster, and only while the palette has a free colour. Called with r.mu held; sid's own entry,
// if any, must already be out of the counts.
func (r *roster) pickColor(sid, name, want string) string {
	want = strings.ToLower(want)
	if want != "" && r.colors[want] == 0 {
		return want
	}
	start := colorIndex(sid)
	free := ""
	for i := range Palette {
		if c := Palette[(start+i)%len(Palette)]; r.colors[c] == 0 {
			free = c
			break
		}
	}
	switch {
	case free == "" && want != "":
		return want
	case free == "":
		return Palette[start]
	case want != "" && name != "" && r.wornBy(want, name):
		return want
	}
	return free
}

// wornBy reports whether everyone wearing colour c is called name. Called with r.mu held.
func (r *roster) wornBy(c, name string) bool {
	n := 0
	for _, p := range r.people {
		if p.Color == c {
			if p.Name != name {
				return false
			}
			n++
		}
	}
	return n == r.colors[c]
}

// wear and unwear keep r.colors, the number of people wearing each colour.
func (r *roster) wear(c string) { r.colors[c]++ }

func (r *roster) unwear(c string) {
	if r.colors[c]--; r.colors[c] <= 0 {
		delete(r.colors, c)
	}
}

// colorIndex is where in the palette the search for a free colour starts for sid.
func colorIndex(sid string) int {
	h := uint32(2166136261)
	for i := 0; i < len(sid); i++ {
		h = (h ^ uint32(sid[i])) * 16777619
	}
	return int(h % uint32(len(Palette)))
}
