package app

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"tabula/collab"
	"tabula/collab/wire"
)

// deleteBoard answers POST /b/{id}/delete (editors; the page asks for confirmation
// first): the board goes to the trash. Browsers are sent home; others get 204.
func (s *Server) deleteBoard(c *fiber.Ctx) error {
	b, err := s.lookup(c, collab.RoleEditor)
	if err != nil {
		return err
	}
	if err := s.svc.TrashBoard(c.UserContext(), b.ID); err != nil {
		return err
	}
	s.log.Info("board moved to the trash", "board", collab.LogID(b.ID))
	if strings.Contains(c.Get(fiber.HeaderAccept), fiber.MIMETextHTML) {
		return c.Redirect("/", fiber.StatusSeeOther)
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// undeleteBoard answers POST /b/{id}/undelete: the board comes out of the trash, and
// the browser goes back to it.
func (s *Server) undeleteBoard(c *fiber.Ctx) error {
	id := c.Params("id")
	b, err := s.svc.Board(c.UserContext(), id)
	if wire.ErrorCode(err) != wire.ETrashed {
		if err != nil {
			return err
		}
		return c.Redirect("/b/"+id, fiber.StatusSeeOther) // not in the trash
	}
	if err := s.svc.UntrashBoard(c.UserContext(), b.ID); err != nil {
		return err
	}
	s.log.Info("board restored from the trash", "board", collab.LogID(id))
	return c.Redirect("/b/"+id, fiber.StatusSeeOther)
}
