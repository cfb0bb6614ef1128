package board

import "tabula/collab/wire"

// Element returns element id, or nil if the board has none by that id (a tombstone is
// returned: check Deleted).
func (s *State) Element(id string) *wire.Element { return s.els[id] }
