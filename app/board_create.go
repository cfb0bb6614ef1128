package app

import (
	"github.com/gofiber/fiber/v2"

	"tabula/collab"
)

// createBoard makes a board and sends the browser to its edit link.
func (s *Server) createBoard(c *fiber.Ctx) error {
	b, err := s.svc.CreateBoard(c.UserContext())
	if err != nil {
		return err
	}
	s.log.Info("board created", "board", collab.LogID(b.ID))
	return c.Redirect("/b/"+b.ID, fiber.StatusSeeOther)
}
