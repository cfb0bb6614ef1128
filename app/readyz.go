package app

import "github.com/gofiber/fiber/v2"

// readyz answers load balancers and orchestrators whether to send traffic here: 200
// when the service is running and its store answers a read, 503 while it shuts down or
// when the store fails.
func (s *Server) readyz(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	if err := s.svc.Ready(c.UserContext()); err != nil {
		s.log.Warn("not ready", "err", err)
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable"})
	}
	return c.JSON(fiber.Map{"status": "ready"})
}
