package app

import (
	"crypto/tls"
	"errors"
	"net"

	"github.com/gofiber/fiber/v2"
)

// ServeTLS serves HTTPS on ln with cfg until Shutdown. Every response then carries
// Strict-Transport-Security (see hsts).
func (s *Server) ServeTLS(ln net.Listener, cfg *tls.Config) error {
	err := s.fiber.Listener(guardListener{tls.NewListener(&sizedListener{Listener: ln, log: s.log}, cfg)})
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// hstsValue tells browsers to use only HTTPS for this host for a year. Subdomains are
// left out: they may be other people's services, still on plain HTTP.
const hstsValue = "max-age=31536000"

// hsts adds Strict-Transport-Security to responses sent over TLS, so that a browser
// that has once reached the board over HTTPS never again sends its link in clear text.
// Over plain HTTP the header means nothing (browsers ignore it), and a TLS-terminating
// proxy in front sets its own.
func hsts(c *fiber.Ctx) error {
	if c.Context().IsTLS() {
		c.Set(fiber.HeaderStrictTransportSecurity, hstsValue)
	}
	return c.Next()
}
