package app

import "github.com/gofiber/fiber/v2"

// home renders the start page; the list of recent boards is the browser's own.
func (s *Server) home(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Render("home", fiber.Map{})
}
