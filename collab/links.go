package collab

import (
	"context"

	"tabula/collab/wire"
)

// Links is which of a board's links ReplaceLinks replaces.
type Links struct {
	Edit, View bool
}

// ReplaceLinks gives the board whose edit id is editID a new edit id, view id or both,
// as links says, and returns the board with its new ids. The replaced links stop
// working at once: looking them up finds nothing, and every WebSocket session and
// presence stream on them is closed (1008, ELinkReplaced) — except the session keep,
// the editor who asked, who stays connected and moves to the new link itself. People
// on a link that was not replaced carry on. The data stays where it is (BoardMeta.ID).
//
// The edit id is the authority and is checked by the board's room, which orders this
// with every other change of the board: of two replacements through the same edit id,
// one wins and the other finds ENotFound. Returns ETrashed for a board in the trash,
// and EBadValue if links names neither link.
func (s *Service) ReplaceLinks(ctx context.Context, editID string, links Links, keep string) (BoardMeta, error) {
	if !links.Edit && !links.View {
		return BoardMeta{}, wire.Errorf(wire.EBadValue, "say which link to replace: edit, view or both")
	}
	b, err := s.Board(ctx, editID)
	if wire.ErrorCode(err) == wire.ETrashed {
		return BoardMeta{}, wire.Errorf(wire.ETrashed, "This board is in the trash: restore it before replacing its links")
	}
	if err != nil {
		return BoardMeta{}, err
	}
	r := s.acquire(b.ID)
	if r == nil {
		return BoardMeta{}, s.noRoom()
	}
	defer s.release(r, nil)
	type result struct {
		meta BoardMeta
		err  error
	}
	done := make(chan result, 1)
	r.post(roomCmd{kind: cmdFunc, fn: func(r *room) {
		switch {
		case r.broken:
			done <- result{err: wire.Errorf(wire.EInternal, "the board could not be loaded")}
			return
		case !r.meta.Deleted.IsZero():
			done <- result{err: wire.Errorf(wire.ETrashed, "This board is in the trash: restore it before replacing its links")}
			return
		case r.meta.EditID() != editID: // replaced since it was looked up
			done <- result{err: wire.Errorf(wire.ENotFound, "no such board")}
			return
		}
		if links.Edit {
			r.meta.Edit = NewBoardID()
		}
		if links.View {
			r.meta.ViewID = NewBoardID()
		}
		meta := r.meta
		cb := r.durableAt(0)
		r.submit(Write{Board: r.id, Meta: &meta, Relink: true}, func(err error) {
			cb(err)
			if err == nil {
				// Only now: a stream that looks its link up after this finds nothing
				// (app looks again once subscribed), one subscribed before is closed here.
				s.presence.closeRoles(r.id, links)
				if s.presence.link != nil { // and on the other nodes
					s.presence.link.relinked(r.id, links)
				}
			}
			done <- result{meta: meta, err: err}
		})
		// Sessions go at once (they leave the room as they close, like any other): one
		// that says hello from now on is refused by join.
		// Only an editor's session can be the asker's.
		for _, m := range r.members {
			if replaced(m.Role, links) && (m.ID != keep || m.Role != RoleEditor) {
				refuseReplaced(m)
			}
		}
		for _, w := range r.waiting {
			if replaced(w.s.Role, links) && (w.s.ID != keep || w.s.Role != RoleEditor) {
				refuseReplaced(w.s)
			}
		}
	}})
	select {
	case res := <-done:
		return res.meta, res.err
	case <-r.quit:
		return BoardMeta{}, wire.Errorf(wire.EInternal, "the server is shutting down")
	case <-ctx.Done():
		return BoardMeta{}, ctx.Err()
	}
}

// replaced reports whether a session of role came through a link that links replaces.
func replaced(role Role, links Links) bool {
	return role == RoleEditor && links.Edit || role == RoleViewer && links.View
}

// linkCurrent reports whether the link session s was opened through still is the
// board's: a session opened just before its link was replaced says hello after. Room
// goroutine only.
func (r *room) linkCurrent(s *Session) bool {
	if s.Role == RoleViewer {
		return s.Board.ViewID == r.meta.ViewID
	}
	return s.Board.EditID() == r.meta.EditID()
}

// linkReplacedMsg is what a person on a replaced link is told, in the error message and
// as the close reason (under the 123 bytes a close frame allows).
func linkReplacedMsg(role Role) string {
	if role == RoleViewer {
		return "This view link was replaced by an editor; ask them for the new one"
	}
	return "This edit link was replaced by an editor; ask them for the new one"
}

// refuseReplaced tells a session that its link was replaced and closes it (1008).
func refuseReplaced(s *Session) {
	msg := linkReplacedMsg(s.Role)
	s.send(errorFrame(&wire.Error{Code: wire.ELinkReplaced, Msg: msg}, ""))
	s.kick(ClosePolicy, msg)
}

// closeRoles ends the presence streams of board id that came through a replaced link.
func (p *presence) closeRoles(id string, links Links) {
	p.mu.Lock()
	r := p.boards[id]
	p.mu.Unlock()
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for s := range r.subs {
		if replaced(s.role, links) {
			delete(r.subs, s)
			s.close.Do(func() { close(s.C) })
		}
	}
	r.p.dropIfEmpty(r)
}
