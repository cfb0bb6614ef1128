package board

import (
	"unicode/utf8"

	"tabula/collab/wire"
)

// checkFrames enforces the rules of frames that span elements, against the state as it
// would be after the whole batch (so a batch may create a frame and its members in any
// order). Only what the batch sets is checked: a put, or a patch that sets frame or a
// frame's name. A member whose frame was deleted by someone else stays valid and is
// drawn as if in no frame, so that moving it is never refused because of another
// person's delete. Returns EBadFrame or ETextTooLong naming the element.
func checkFrames(ops []wire.Op, changed map[string]*wire.Element, get func(string) *wire.Element) error {
	for _, op := range ops {
		var setsFrame, setsName bool
		switch op.Kind {
		case wire.OpPut:
			setsFrame, setsName = true, true
		case wire.OpPatch:
			setsFrame, setsName = op.Set.Frame != nil, op.Set.Text != nil
		default:
			continue
		}
		e := changed[op.ID]
		if e == nil || e.Deleted {
			continue
		}
		if e.Type == "frame" {
			if e.Frame != "" {
				return wire.Errorf(wire.EBadFrame, "frame %s cannot be inside a frame", e.ID)
			}
			if n := utf8.RuneCountInString(e.Text); setsName && n > wire.MaxFrameName {
				return wire.Errorf(wire.ETextTooLong, "frame %s has a name of %d characters, the limit is %d", e.ID, n, wire.MaxFrameName)
			}
			continue
		}
		if !setsFrame || e.Frame == "" {
			continue
		}
		f := get(e.Frame)
		switch {
		case f == nil:
			return wire.Errorf(wire.EBadFrame, "element %s is in frame %s, which does not exist", e.ID, e.Frame)
		case f.Type != "frame":
			return wire.Errorf(wire.EBadFrame, "element %s is in %s, which is a %s, not a frame", e.ID, e.Frame, f.Type)
		case f.Deleted:
			return wire.Errorf(wire.EBadFrame, "element %s is in frame %s, which is deleted", e.ID, e.Frame)
		}
	}
	return nil
}
