package wire

import (
	"cmp"
	"slices"
)

// DefaultPage is the id of a board's first page: elements with no page are on it. A
// board without page elements has just this page; its page element, which carries its
// name and order, is written with this fixed id when someone first changes it, so two
// people doing so at once write the same element (assets/js/pages.js).
const DefaultPage = "page1"

// PageOf returns the id of the page e is on.
func PageOf(e *Element) string {
	if e.Page == "" {
		return DefaultPage
	}
	return e.Page
}

// PageOrder returns the ids of the board's pages in page order: ascending z, ties by
// id. The first page is there until its element is deleted; before its element is
// written it comes first. els holds every element, tombstones included.
func PageOrder(els []*Element) []string {
	var pages []*Element
	first := false
	for _, e := range els {
		if e.ID == DefaultPage {
			first = true
		}
		if e.Type == "page" && !e.Deleted {
			pages = append(pages, e)
		}
	}
	if !first {
		pages = append(pages, &Element{ID: DefaultPage, Type: "page"})
	}
	slices.SortFunc(pages, func(a, b *Element) int {
		return cmp.Or(cmp.Compare(a.Z, b.Z), cmp.Compare(a.ID, b.ID))
	})
	ids := make([]string, len(pages))
	for i, p := range pages {
		ids[i] = p.ID
	}
	return ids
}

// OnPage returns the elements of els on page id, pages themselves left out.
func OnPage(els []*Element, id string) []*Element {
	var out []*Element
	for _, e := range els {
		if e.Type != "page" && PageOf(e) == id {
			out = append(out, e)
		}
	}
	return out
}
