// Package app is Tabula's HTTP edge: it turns HTTP, WebSocket and (later) SSE traffic
// into calls on collab and renders the answers. It holds no board state of its own.
package app

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/template/html/v2"

	"tabula/collab"
	"tabula/templates"
)

// Config tunes the HTTP edge.
type Config struct {
	// AllowedOrigins are origins (scheme://host[:port]) allowed to open WebSockets and
	// send state-changing requests besides the request's own host. "*" allows any.
	AllowedOrigins []string
	Logger         *slog.Logger
}

// Server is the Fiber application serving one collab.Service.
type Server struct {
	fiber   *fiber.App
	svc     *collab.Service
	log     *slog.Logger
	origins map[string]bool
}

// New builds the server and its routes. Templates are parsed here, so a broken template
// fails start-up rather than a request.
func New(svc *collab.Service, cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	engine := html.NewFileSystem(http.FS(templates.FS), ".html")
	if err := engine.Load(); err != nil {
		return nil, err
	}
	s := &Server{svc: svc, log: cfg.Logger, origins: make(map[string]bool)}
	for _, o := range cfg.AllowedOrigins {
		if o = normalizeOrigin(o); o != "" {
			s.origins[o] = true
		}
	}
	s.fiber = fiber.New(fiber.Config{
		Views:                 engine,
		DisableStartupMessage: true,
		ErrorHandler:          s.handleError,
		BodyLimit:             1 << 20,
		ReadTimeout:           30 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           120 * time.Second,
	})
	s.routes()
	return s, nil
}

// Serve serves HTTP on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	err := s.fiber.Listener(ln)
	if errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting connections and waits for HTTP requests in progress, up to
// ctx's deadline. WebSocket sessions are ended by the collab service's Close.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.fiber.ShutdownWithContext(ctx)
}

func normalizeOrigin(o string) string {
	return strings.TrimRight(strings.ToLower(strings.TrimSpace(o)), "/")
}
