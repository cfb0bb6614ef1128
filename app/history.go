package app

import (
	"strconv"

	"github.com/gofiber/fiber/v2"

	"tabula/collab"
	"tabula/collab/wire"
)

// history answers GET …/history?before=&limit=: the board's batches, newest first
// (docs/protocol.md, "History").
func (s *Server) history(role collab.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		b, err := s.lookup(c, role)
		if err != nil {
			return err
		}
		before, err := queryInt(c, "before", 0)
		if err != nil {
			return err
		}
		limit, err := queryInt(c, "limit", 200)
		if err != nil {
			return err
		}
		entries, err := s.svc.History(c.UserContext(), b.ID, before, int(limit))
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.JSON(fiber.Map{"entries": entries})
	}
}

// version answers GET …/history/{seq}: every element of the board as it was at seq, for
// previewing it while scrubbing the timeline.
func (s *Server) version(role collab.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		b, err := s.lookup(c, role)
		if err != nil {
			return err
		}
		at, err := strconv.ParseInt(c.Params("seq"), 10, 64)
		if err != nil || at < 1 {
			return &wire.Error{Code: wire.EBadValue, Msg: "a version is a seq of 1 or more"}
		}
		seq, els, err := s.svc.State(c.UserContext(), b.ID, at)
		if err != nil {
			return err
		}
		buf := make([]byte, 0, 64+200*len(els))
		buf = append(buf, `{"seq":`...)
		buf = strconv.AppendInt(buf, seq, 10)
		buf = append(buf, `,"elements":[`...)
		n := 0
		for _, e := range els {
			if e.Deleted {
				continue
			}
			if n > 0 {
				buf = append(buf, ',')
			}
			buf = wire.AppendElement(buf, e)
			n++
		}
		buf = append(buf, "]}"...)
		c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
		// A version never changes.
		c.Set(fiber.HeaderCacheControl, "private, max-age=31536000, immutable")
		return c.Send(buf)
	}
}

// restore answers POST /b/{id}/restore?at=seq: the board goes back to version seq, as
// new changes everyone sees. Answers {"seq": the version after the restore}.
func (s *Server) restore(c *fiber.Ctx) error {
	b, err := s.lookup(c, collab.RoleEditor)
	if err != nil {
		return err
	}
	at, err := queryInt(c, "at", 0)
	if err != nil || at < 1 {
		return &wire.Error{Code: wire.EBadValue, Msg: "say which version to restore: at=seq"}
	}
	seq, err := s.svc.Restore(c.UserContext(), b, at)
	if err != nil {
		return err
	}
	s.log.Info("version restored", "board", collab.LogID(b.ID), "at", at, "seq", seq)
	return c.JSON(fiber.Map{"seq": seq})
}

// queryInt reads an integer query parameter, def when absent.
func queryInt(c *fiber.Ctx, name string, def int64) (int64, error) {
	v := c.Query(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, &wire.Error{Code: wire.EBadValue, Msg: name + " must be a whole number"}
	}
	return n, nil
}
