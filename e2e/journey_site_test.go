package e2e

import (
	"net/url"
	"testing"

	"tabula/internal/redistest"
)

// A journey runs on a site: the address each person's browser reaches Tabula at. On one
// server everyone has the same; across nodes each person is on a node of their own, or
// behind the balancer, as people of one company behind a load balancer are. The same
// journey body runs on both (journey_browser_test.go, present_browser_test.go,
// rotate_browser_test.go, presence_browser_test.go, pages_browser_test.go,
// frames_browser_test.go, voice_browser_test.go, browser_test.go), so that "every
// journey works across nodes" is checked by the journeys themselves and not by copies
// of them.

// site maps a person's name to the base URL their browser uses ("" for everyone not
// named).
type site map[string]string

// oneServer is a site of one server at base URL u: everyone reaches it there.
func oneServer(u string) site { return site{"": u} }

// home is the base URL person uses: where they type the site's address.
func (s site) home(person string) string {
	if u, ok := s[person]; ok {
		return u
	}
	return s[""]
}

// spread reports whether people reach the site at more than one address: across
// nodes. A journey skips there what only one browser's UI shows, which the run on one
// server has checked already.
func (s site) spread() bool {
	for _, u := range s {
		if u != s[""] {
			return true
		}
	}
	return false
}

// link is a link another person sent, as person's browser opens it: the same path and
// fragment, answered where person reaches the site.
func (s site) link(t testing.TB, person, link string) string {
	t.Helper()
	return rebase(t, link, s.home(person))
}

// rebase is link with the scheme and host of base.
func rebase(t testing.TB, link, base string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatalf("link %q: %v", link, err)
	}
	b, err := url.Parse(base)
	if err != nil {
		t.Fatalf("base %q: %v", base, err)
	}
	u.Scheme, u.Host = b.Scheme, b.Host
	return u.String()
}

// TestJourneysAcrossNodes runs the journeys on three nodes of one Redis behind HAProxy,
// each person's tab on a different node: the board's maker on the node that comes to own
// it, the others on nodes that forward their WebSocket to it and answer their other
// requests (pages, presence, images, exports, history) themselves. Where a journey's
// HTTP change needs the board's owner (history restore, replacing a link), the person
// asking is on a node that is not the owner. The offline journey comes back through the
// balancer, so its reconnect may land on any node. A journey leaves out here what only
// one browser's page shows (site.spread), which its run on one server checks. One
// cluster serves all of them: each journey has boards of its own.
func TestJourneysAcrossNodes(t *testing.T) {
	t.Parallel() // browser tests run side by side: see testmain_test.go
	findChromium(t)
	r := redistest.Start(t)
	c := startCluster(t, 3, r.URL())
	n0, n1, n2 := c.node(0).URL(), c.node(1).URL(), c.node(2).URL()
	t.Run("Main", func(t *testing.T) {
		t.Parallel()
		journeyMain(t, site{"A": n0, "B": n1})
	})
	t.Run("Offline", func(t *testing.T) {
		t.Parallel()
		journeyOffline(t, site{"A": c.URL(), "B": n2})
	})
	t.Run("Presenting", func(t *testing.T) {
		t.Parallel()
		journeyPresenting(t, site{"ana": n0, "bob": n1, "cleo": n2})
	})
	t.Run("ReplaceEditLink", func(t *testing.T) {
		t.Parallel()
		journeyReplaceEditLink(t, site{"B": n0, "A": n1, "Viewer": n2, "C": c.URL()})
	})
	t.Run("Follow", func(t *testing.T) {
		t.Parallel()
		journeyFollow(t, site{"B": n0, "A": n1, "Ana": n2})
	})
	t.Run("HomeCounts", func(t *testing.T) {
		t.Parallel()
		// H's home page is the balancer's: its counts come from whichever node answers.
		journeyHomeCounts(t, site{"H": c.URL(), "visitor 1": n1, "visitor 2": n2, "visitor 3": n0})
	})
	t.Run("Pages", func(t *testing.T) {
		t.Parallel()
		journeyPages(t, site{"ana": n1, "bob": n2})
	})
	t.Run("Phone", func(t *testing.T) {
		t.Parallel()
		journeyPhone(t, site{"phone": n2, "desk": c.URL()})
	})
	t.Run("PeoplePanel", func(t *testing.T) {
		t.Parallel()
		journeyPeoplePanel(t, site{"A": n2, "B": n0})
	})
	t.Run("ViewOnly", func(t *testing.T) {
		t.Parallel()
		// The viewer's view link is forwarded to A's node, which owns the board.
		journeyViewOnly(t, site{"A": n1, "viewer": n0})
	})
	t.Run("Voice", func(t *testing.T) {
		t.Parallel()
		// The call is on ana's node, which owns the board; bo's signalling is relayed.
		journeyVoice(t, site{"ana": n1, "bo": n2})
	})
	t.Run("Frames", func(t *testing.T) {
		t.Parallel()
		// bob downloads the deck from a node that does not own the board.
		journeyFrames(t, site{"ana": n2, "bob": n0})
	})
}
