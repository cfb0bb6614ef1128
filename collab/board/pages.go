package board

import (
	"unicode/utf8"

	"tabula/collab/wire"
)

// checkPages enforces the rules of pages against the state as it would be after the
// whole batch, and returns how many pages the board would then have. Like checkFrames it
// checks only what the batch sets, so a batch may create a page and its elements in any
// order. The rules:
//
//   - an element is on a page that exists (the first page, wire.DefaultPage, exists
//     even before its page element is written), and a page is on no page and in no frame;
//   - an element in a frame is on its frame's page: a frame moves to another page only
//     with its members, in one batch;
//   - a page is deleted only together with everything on it, in one batch (undo puts
//     them all back the same way);
//   - a board holds at most wire.MaxPages pages.
//
// Returns EBadPage, ETextTooLong or ETooManyPages naming the element.
func (s *State) checkPages(ops []wire.Op, changed map[string]*wire.Element, get func(string) *wire.Element) (int, error) {
	pages := s.pages
	for id, e := range changed {
		prev := s.els[id]
		if prev != nil && prev.Type == "page" && !prev.Deleted {
			pages--
		}
		if e.Type == "page" && !e.Deleted {
			pages++
		}
	}
	if pages > wire.MaxPages && pages > s.pages {
		return 0, wire.Errorf(wire.ETooManyPages, "the board would have %d pages, the limit is %d", pages, wire.MaxPages)
	}
	var emptied map[string]string // the pages the batch deletes (key and value the same id)
	var moved map[string]string   // frame id → the page it moves to
	for _, op := range ops {
		var setsPage, setsFrame, setsName bool
		switch op.Kind {
		case wire.OpPut:
			setsPage, setsFrame, setsName = true, true, true
		case wire.OpPatch:
			// Bringing an element back (deleted: false) puts it on its page again.
			back := op.Set.Deleted != nil
			setsPage, setsFrame, setsName = op.Set.Page != nil || back, op.Set.Frame != nil || back, op.Set.Text != nil
		}
		e, prev := changed[op.ID], s.els[op.ID]
		if e == nil {
			continue
		}
		if e.Deleted {
			if e.Type == "page" {
				if emptied == nil {
					emptied = make(map[string]string)
				}
				emptied[e.ID] = e.ID
			}
			continue
		}
		if e.Type == "page" {
			if e.Page != "" || e.Frame != "" {
				return 0, wire.Errorf(wire.EBadPage, "page %s cannot be on a page or in a frame", e.ID)
			}
			if n := utf8.RuneCountInString(e.Text); setsName && n > wire.MaxPageName {
				return 0, wire.Errorf(wire.ETextTooLong, "page %s has a name of %d characters, the limit is %d", e.ID, n, wire.MaxPageName)
			}
			continue
		}
		if e.ID == wire.DefaultPage {
			return 0, wire.Errorf(wire.EBadPage, "id %s is kept for the board's first page; a %s cannot use it", e.ID, e.Type)
		}
		if setsPage {
			if err := pageExists(e, get); err != nil {
				return 0, err
			}
		}
		if (setsPage || setsFrame) && e.Frame != "" {
			if f := get(e.Frame); f != nil && f.Type == "frame" && !f.Deleted && wire.PageOf(f) != wire.PageOf(e) {
				return 0, wire.Errorf(wire.EBadPage, "element %s is on page %s but its frame %s is on page %s; a frame and its members move between pages together",
					e.ID, wire.PageOf(e), f.ID, wire.PageOf(f))
			}
		}
		if e.Type == "frame" && prev != nil && wire.PageOf(prev) != wire.PageOf(e) {
			if moved == nil {
				moved = make(map[string]string)
			}
			moved[e.ID] = wire.PageOf(e)
		}
	}
	if emptied == nil && moved == nil {
		return pages, nil
	}
	// One pass over the board for every page deleted and frame moved in the batch: both
	// are rare, and the batch's own elements are seen as they will be.
	var err error
	check := func(e *wire.Element) {
		if err != nil || e.Deleted || e.Type == "page" {
			return
		}
		if _, ok := emptied[wire.PageOf(e)]; ok {
			err = wire.Errorf(wire.EBadPage, "page %s still holds %s; a page is deleted together with everything on it", wire.PageOf(e), e.ID)
			return
		}
		if to, ok := moved[e.Frame]; ok && e.Frame != "" && wire.PageOf(e) != to {
			err = wire.Errorf(wire.EBadPage, "frame %s moves to page %s without its member %s; a frame and its members move between pages together", e.Frame, to, e.ID)
		}
	}
	for id, e := range s.els {
		if _, ok := changed[id]; !ok {
			check(e)
		}
	}
	for _, e := range changed {
		check(e)
	}
	return pages, err
}

// pageExists returns EBadPage unless e's page is a page that is not deleted. The first
// page exists until its page element is deleted.
func pageExists(e *wire.Element, get func(string) *wire.Element) error {
	id := wire.PageOf(e)
	p := get(id)
	switch {
	case p == nil && id == wire.DefaultPage:
		return nil
	case p == nil:
		return wire.Errorf(wire.EBadPage, "element %s is on page %s, which does not exist", e.ID, id)
	case p.Type != "page":
		return wire.Errorf(wire.EBadPage, "element %s is on %s, which is a %s, not a page", e.ID, id, p.Type)
	case p.Deleted:
		return wire.Errorf(wire.EBadPage, "element %s is on page %s, which is deleted", e.ID, id)
	}
	return nil
}
