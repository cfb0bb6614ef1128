package app

import "github.com/gofiber/fiber/v2"

// healthz answers load balancers and orchestrators: the process serves HTTP.
func (s *Server) healthz(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok", "rooms": s.svc.Rooms()})
}
