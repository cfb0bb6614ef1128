package app

import (
	"slices"

	"github.com/gofiber/fiber/v2"

	"tabula/collab/render"
	"tabula/collab/wire"
)

// frameOnly narrows an export to frame id: its members, drawn in exactly its area
// (no padding), so the output is the frame's size. withFrame keeps the frame itself
// (a board file must hold the frame its members name). Returns ENotFound if the board
// has no live frame id.
func frameOnly(els []*wire.Element, id string, withFrame bool, o *render.Options) ([]*wire.Element, error) {
	for _, e := range els {
		if e.ID == id && e.Type == "frame" && !e.Deleted {
			area := render.FrameRect(e)
			o.Area, o.Padding = &area, 0
			members := render.FrameElements(els, id)
			if withFrame {
				members = append([]*wire.Element{e}, members...)
			}
			return members, nil
		}
	}
	return nil, &wire.Error{Code: wire.ENotFound, Msg: "this board has no frame " + wire.Clip(id)}
}

// framePages makes one PDF page per frame of els (in draw order), in page order (order
// holds the board's page ids in that order), then frame order. A board without frames
// is refused with 422 and what to do instead.
func framePages(els []*wire.Element, order []string) ([]render.Page, error) {
	frames := render.Frames(els)
	rank := make(map[string]int, len(order))
	for i, id := range order {
		rank[id] = i
	}
	// Stable: frames of a page keep their frame order.
	slices.SortStableFunc(frames, func(a, b *wire.Element) int { return rank[wire.PageOf(a)] - rank[wire.PageOf(b)] })
	if len(frames) == 0 {
		return nil, fiber.NewError(fiber.StatusUnprocessableEntity, "this board has no frames to make pages of: draw a frame (F) around each page first, or export the whole board")
	}
	pages := make([]render.Page, len(frames))
	for i, f := range frames {
		pages[i] = render.Page{Area: render.FrameRect(f), Els: render.FrameElements(els, f.ID)}
	}
	return pages, nil
}
