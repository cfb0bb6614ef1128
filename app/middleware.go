package app

import (
	"net/url"
	"strings"

	"github.com/gofiber/contrib/websocket"
	"github.com/gofiber/fiber/v2"

	"tabula/internal/metrics"
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

// checkOrigin refuses, with 403, WebSocket upgrades and state-changing requests that
// come from another site. It runs before the upgrade: the websocket middleware would
// otherwise accept every origin, or fail with 426.
//
// Browsers say where a request comes from in two headers a page cannot set:
//   - Sec-Fetch-Site (every current browser): "same-origin" is our own page, and is let
//     through whatever Origin says. This matters because every page is served with
//     Referrer-Policy: no-referrer, under which Chromium sends "Origin: null" on a form
//     POST from our own page (the home page's "New board", the trash page's "Restore").
//     "cross-site" and "same-site" are refused unless Origin is configured; "none" (typed
//     into the address bar) has no Origin to check.
//   - Origin: the request's own host or a configured origin passes; anything else,
//     "null" included, is refused.
//
// Requests with neither header are not from a browser page (curl, the load tool, the
// Go client) and pass: they could send any header they liked.
func (s *Server) checkOrigin(c *fiber.Ctx) error {
	if c.Method() == fiber.MethodGet || c.Method() == fiber.MethodHead {
		if !websocket.IsWebSocketUpgrade(c) {
			return c.Next()
		}
	}
	origin := c.Get(fiber.HeaderOrigin)
	switch site := c.Get("Sec-Fetch-Site"); {
	case site == "same-origin":
		return c.Next()
	case origin == "" && site == "":
		return c.Next()
	case origin != "" && s.originAllowed(origin, string(c.Request().Host())):
		return c.Next()
	}
	metrics.Refuse("foreign_origin")
	s.log.Warn("refused foreign origin", "origin", origin, "fetch_site", c.Get("Sec-Fetch-Site"), "path", redactPath(c.Path()))
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
