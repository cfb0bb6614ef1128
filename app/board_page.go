package app

import (
	"github.com/gofiber/fiber/v2"

	"tabula/collab"
)

// boardPage renders a board for an editor (/b/{editId}) or a viewer (/v/{viewId}). A
// viewer's page never carries the edit id.
func (s *Server) boardPage(role collab.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		b, err := s.lookup(c, role)
		if err != nil {
			return err
		}
		id, viewID, prefix := b.EditID(), b.ViewID, "/b/"
		if role == collab.RoleViewer {
			id, viewID, prefix = b.ViewID, "", "/v/"
		}
		c.Set(fiber.HeaderCacheControl, "no-store")
		return c.Render("board", fiber.Map{
			"ID": id, "Role": string(role), "Title": b.Title, "Canvas": b.CanvasID(), "ViewID": viewID, "WSPath": prefix + id + "/ws",
		})
	}
}

// lookup finds the board named by the :id parameter for role. Returns ENotFound for
// unknown and malformed ids alike.
func (s *Server) lookup(c *fiber.Ctx, role collab.Role) (collab.BoardMeta, error) {
	id := c.Params("id")
	if role == collab.RoleViewer {
		return s.svc.BoardByView(c.UserContext(), id)
	}
	return s.svc.Board(c.UserContext(), id)
}
