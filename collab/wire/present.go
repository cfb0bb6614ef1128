package wire

// Presenting operations: the op of a present message (docs/protocol.md, "Presenting").
const (
	PresentStart  = "start"  // start presenting; refused while someone else presents
	PresentTake   = "take"   // start presenting, taking over from whoever presents
	PresentStop   = "stop"   // stop presenting (the presenter only)
	PresentGo     = "go"     // show frame id to the followers (the presenter only)
	PresentSummon = "summon" // bring everyone to the current frame (the presenter only)
)

// present validates a present message: an op, and for go a frame id.
func (m *Message) present(w *wireMsg) error {
	if w.X != nil || w.Y != nil || w.W != nil || w.H != nil || w.El != nil || w.End || len(w.Ops) > 0 {
		return Errorf(EBadMessage, "present takes op and id only")
	}
	switch w.Op {
	case PresentGo:
		if !validID(w.ID) {
			return Errorf(EBadMessage, "present go needs the id of a frame")
		}
		m.ID = w.ID
	case PresentStart, PresentTake, PresentStop, PresentSummon:
		if w.ID != "" {
			return Errorf(EBadMessage, "present %s takes no id", w.Op)
		}
	case "":
		return Errorf(EBadMessage, "present needs an op: start, take, stop, go or summon")
	default:
		return Errorf(EBadMessage, "unknown present op %q; ops are start, take, stop, go and summon", Clip(w.Op))
	}
	m.Op = w.Op
	return nil
}
