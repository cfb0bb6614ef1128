package app

import "github.com/gofiber/fiber/v2"

// faviconPath is the icon every page links to (served from the embedded assets).
const faviconPath = "/assets/img/favicon.svg"

// favicon answers /favicon.ico, which browsers ask for by themselves, with a redirect
// to the SVG icon rather than a 404 in every log.
func (s *Server) favicon(c *fiber.Ctx) error {
	return c.Redirect(faviconPath, fiber.StatusMovedPermanently)
}
