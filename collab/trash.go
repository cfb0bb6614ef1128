package collab

import (
	"context"
	"time"

	"tabula/collab/wire"
)

// trashed turns a lookup of a board in the trash into ETrashed, keeping the board so
// that its edit link can offer to restore it.
func trashed(m BoardMeta, err error) (BoardMeta, error) {
	if err == nil && !m.Deleted.IsZero() {
		return m, wire.Errorf(wire.ETrashed, "This board was deleted on %s", m.Deleted.Format("2 January 2006"))
	}
	return m, err
}

// TrashBoard moves board id to the trash: its view link stops working, its edit link
// offers to restore it, and everyone on it is disconnected. The janitor deletes it for
// good once Retention.Trash has passed.
func (s *Service) TrashBoard(ctx context.Context, id string) error {
	return s.setDeleted(ctx, id, time.Now().UTC().Truncate(time.Millisecond))
}

// UntrashBoard takes board id out of the trash.
func (s *Service) UntrashBoard(ctx context.Context, id string) error {
	return s.setDeleted(ctx, id, time.Time{})
}

// setDeleted changes the board's deleted time through its room, which owns the board's
// metadata (a title change writes all of it).
func (s *Service) setDeleted(ctx context.Context, id string, at time.Time) error {
	if !ValidBoardID(id) {
		return wire.Errorf(wire.ENotFound, "no such board")
	}
	if _, err := s.store.Board(ctx, id); err != nil {
		return err
	}
	r := s.acquire(id)
	if r == nil {
		return s.noRoom()
	}
	defer s.release(r, nil)
	done := make(chan error, 1)
	r.post(roomCmd{kind: cmdFunc, fn: func(r *room) {
		if r.broken {
			done <- wire.Errorf(wire.EInternal, "the board could not be loaded")
			return
		}
		r.meta.Deleted = at
		meta := r.meta
		cb := r.durableAt(0)
		r.submit(Write{Board: r.id, Meta: &meta}, func(err error) {
			cb(err)
			done <- err
		})
		if at.IsZero() {
			return
		}
		for _, m := range r.members {
			refuseTrashed(m)
		}
		for _, w := range r.waiting {
			refuseTrashed(w.s)
		}
	}})
	select {
	case err := <-done:
		return err
	case <-r.quit:
		return wire.Errorf(wire.EInternal, "the server is shutting down")
	case <-ctx.Done():
		return ctx.Err()
	}
}

// refuseTrashed tells a session that its board is in the trash and closes it. Used for
// everyone on the board when it is trashed, and for a session that says hello to a
// trashed board that it opened just before (its upgrade looked the board up then).
func refuseTrashed(s *Session) {
	s.send(errorFrame(&wire.Error{Code: wire.ETrashed, Msg: "This board was deleted"}, ""))
	s.kick(CloseGoingAway, "board deleted")
}

// loaded reports whether board id has a room in memory.
func (s *Service) loaded(id string) bool {
	return s.rooms.Running(id)
}
