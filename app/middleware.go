package app

import (
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
)

// securityHeaders keeps board links out of Referer headers (an edit link is a secret),
// forbids framing, and restricts what pages may load to this origin.
func securityHeaders(c *fiber.Ctx) error {
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "+
		"connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	return c.Next()
}

// checkOrigin refuses, with 403, WebSocket upgrades and state-changing requests whose
// Origin is neither the request's own host nor configured. It runs before the upgrade:
// the websocket middleware would otherwise accept every origin, or fail with 426.
// Requests without Origin are not from a browser page on another site (browsers always
// send it on WebSocket handshakes and cross-origin POSTs) and are let through.
func (s *Server) checkOrigin(c *fiber.Ctx) error {
	if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		if !isWebSocketUpgrade(c) {
			return c.Next()
		}
	}
	origin := c.Get(fiber.HeaderOrigin)
	if origin == "" || s.originAllowed(origin, string(c.Request().Host())) {
		return c.Next()
	}
	s.log.Warn("refused foreign origin", "origin", origin, "path", c.Path())
	return fiber.NewError(fiber.StatusForbidden, "This request came from another site and was refused.")
}

func (s *Server) originAllowed(origin, host string) bool {
	o := normalizeOrigin(origin)
	if s.origins["*"] || s.origins[o] {
		return true
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return strings.EqualFold(u.Host, host)
}
