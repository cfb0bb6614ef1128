package app

import (
	"slices"

	"tabula/collab/wire"
)

// onPage narrows an export to the page it asks for (docs/protocol.md, "Pages"): ?page=id,
// or by default the first page for an image and every page for a board file or a deck
// (frames=all). A board file of one page keeps that page's element, so it imports with
// its name. els holds every element, tombstones included (the first page is known
// deleted by its tombstone). Returns ENotFound if the board has no page id.
func (q *exportQuery) onPage(els []*wire.Element, file bool) ([]*wire.Element, error) {
	q.order = wire.PageOrder(els)
	page := q.page
	switch {
	case page != "" && !slices.Contains(q.order, page):
		return nil, &wire.Error{Code: wire.ENotFound, Msg: "this board has no page " + wire.Clip(page)}
	case page == "" && (file || q.frames || q.frame != ""):
		return els, nil
	case page == "":
		page = q.order[0]
	}
	out := wire.OnPage(els, page)
	if file {
		for _, e := range els {
			if e.ID == page && e.Type == "page" {
				out = append(out, e)
			}
		}
	}
	return out, nil
}
