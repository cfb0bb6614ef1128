package e2e

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// Names and colours of the people on a board, in real Chromium: three people from the
// home page, each in a browser of their own.

// shownPerson is a person as one page's avatar row shows them.
type shownPerson struct {
	SID      string `json:"sid"`
	Me       bool   `json:"me"`
	Tip      string `json:"tip"`
	Initials string `json:"initials"`
	Color    string `json:"color"`
}

// avatars is what the page's avatar row shows.
func (tb *tab) avatars() []shownPerson {
	return eval[[]shownPerson](tb, `[...document.querySelectorAll("#peers li[data-sid]")].map((li) => {
		const a = li.querySelector(".avatar");
		return {sid: li.dataset.sid, me: li.classList.contains("me"), tip: a.dataset.tip ?? "",
			initials: a.querySelector(".initials")?.textContent ?? "", color: a.style.getPropertyValue("--person").trim()};
	})`)
}

var friendly = regexp.MustCompile(`^[A-Z][a-z]+ [A-Z][a-z]+$`)

func TestBrowserIdentityNamesAndColours(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	ts := startServer(t)
	browser := newBrowser(t)
	screen := chromedp.EmulateViewport(viewW, viewH)

	ana := openHomeOn(t, browser, "ana", ts.URL, screen)
	link := ana.newBoardFromHome()
	bo := openTab(t, browser, "bo", link)
	cy := openTab(t, browser, "cy", link)
	tabs := []*tab{ana, bo, cy}
	for _, tb := range tabs {
		tb.waitFor("three avatars", `document.querySelectorAll("#peers li[data-sid]").length === 3`)
	}
	// Everyone's page agrees on who is who: each name friendly and nobody else's, each
	// colour nobody else's, and your own avatar shows your initials.
	names := map[string]string{}
	colours := map[string]string{}
	for _, tb := range tabs {
		tb.waitFor("everyone named", `[...document.querySelectorAll("#peers li[data-sid] .initials")].every((s) => /^[A-Z]{2}$/.test(s.textContent))`)
		for _, p := range tb.avatars() {
			name := strings.TrimSuffix(strings.TrimPrefix(p.Tip, "You ("), ")")
			if !friendly.MatchString(name) {
				t.Errorf("%s sees %q: want a friendly two-word name", tb.name, p.Tip)
			}
			if want := initialsOf(name); p.Initials != want {
				t.Errorf("%s: the avatar of %q shows %q, want %q", tb.name, name, p.Initials, want)
			}
			if p.Me && !strings.HasPrefix(p.Tip, "You (") {
				t.Errorf("%s: own avatar's tip is %q", tb.name, p.Tip)
			}
			if prev, ok := names[p.SID]; ok && prev != name {
				t.Errorf("%s is %q on one page and %q on another", p.SID, prev, name)
			}
			names[p.SID] = name
			if prev, ok := colours[p.SID]; ok && prev != p.Color {
				t.Errorf("%s is %s on one page and %s on another", p.SID, prev, p.Color)
			}
			colours[p.SID] = p.Color
		}
	}
	distinct := func(what string, m map[string]string) {
		seen := map[string]bool{}
		for _, v := range m {
			if seen[v] {
				t.Errorf("two people have the same %s %q: %v", what, v, m)
			}
			seen[v] = true
		}
		if len(m) != 3 {
			t.Errorf("%d %ss for three people: %v", len(m), what, m)
		}
	}
	distinct("name", names)
	distinct("colour", colours)
	ana.shot("identity-three.png")

	// Bo chooses a name; it is what the others see, and what Bo is on the next board.
	bo.rename("Bo Lima")
	meLabel := `(document.querySelector("#peers li.me .avatar")?.dataset.tip ?? "")`
	bo.waitFor("Bo's own avatar renamed", meLabel+` === "You (Bo Lima)" && document.querySelector("#peers li.me .initials").textContent === "BL"`)
	boSID := eval[string](bo, `window.tabula.sync.sid`)
	ana.waitFor("Bo renamed on Ana's page", avatarLabel(boSID)+`.startsWith("Bo Lima")`)

	// A second tab of Ana's browser joins as Ana (her saved name and colour), finds her
	// name in use and takes another; it must take another colour too, or two names on
	// the board would wear one.
	ana2 := sameBrowserTab(t, ana, "ana's second tab", link)
	fourColours := `(() => { const cs = [...document.querySelectorAll("#peers li[data-sid] .avatar")].map((a) => a.style.getPropertyValue("--person").trim());
		return cs.length === 4 && new Set(cs).size === 4; })()`
	for _, tb := range []*tab{ana2, ana, cy} {
		tb.waitFor("four people in four colours", fourColours)
	}
	if me, other := eval[string](ana2, meLabel), eval[string](ana, meLabel); me == other {
		t.Errorf("Ana's two tabs are both %q", me)
	}
	ana2.shot("identity-second-tab.png")

	bo.do("go home", chromedp.Navigate(ts.URL+"/"))
	bo.waitAcross("the home page", `!!document.querySelector('form[action="/boards"] button')`)
	if other := bo.newBoardFromHome(); other == link {
		t.Fatalf("New board opened the same board %s", link)
	}
	bo.waitFor("Bo's name on the new board", meLabel+` === "You (Bo Lima)"`)
	bo.shot("identity-renamed.png")
}

// initialsOf is what an avatar shows for a two-word name: the words' first letters.
func initialsOf(name string) string {
	w := strings.Fields(name)
	if len(w) == 0 {
		return "?"
	}
	s := w[0][:1]
	if len(w) > 1 {
		s += w[len(w)-1][:1]
	}
	return strings.ToUpper(s)
}
