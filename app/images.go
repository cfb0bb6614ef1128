package app

import (
	"fmt"

	"github.com/gofiber/fiber/v2"

	"tabula/collab"
)

// uploadImage stores the request body as an image of the board (editors only) and
// answers its content address for an image element's src.
func (s *Server) uploadImage(c *fiber.Ctx) error {
	b, err := s.lookup(c, collab.RoleEditor)
	if err != nil {
		return err
	}
	img, err := s.svc.PutImage(c.UserContext(), b.ID, c.Body())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"src": img.Src, "type": img.ContentType, "width": img.Width, "height": img.Height})
}

// image serves a board's image. Images are content-addressed, so they never change and
// may be cached for good.
func (s *Server) image(role collab.Role) fiber.Handler {
	return func(c *fiber.Ctx) error {
		b, err := s.lookup(c, role)
		if err != nil {
			return err
		}
		data, ct, err := s.svc.GetImage(c.UserContext(), b.ID, c.Params("src"))
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, ct)
		c.Set(fiber.HeaderCacheControl, "private, max-age=31536000, immutable")
		return c.Send(data)
	}
}

// tooLarge is the message for a request body over the limit.
func tooLarge(limit int) string {
	return fmt.Sprintf("The file is too large; the limit is %.0f MiB.", float64(limit)/(1<<20))
}
