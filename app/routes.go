package app

import (
	"net/http"

	"github.com/gofiber/fiber/v2/middleware/filesystem"

	"tabula/assets"
	"tabula/collab"
)

// routes is the route table: every URL Tabula answers, in one place.
func (s *Server) routes() {
	f := s.fiber
	f.Use(s.accessLog, s.recoverPanics, securityHeaders, hsts, s.checkOrigin)
	// The two routes that take large bodies come before the limit every other route has.
	f.Post("/import", s.rateLimited(s.boardRate), s.limitBody(s.maxImport+formSlack), s.importBoard)
	f.Post("/b/:id/images", s.rateLimited(s.imageRate), s.limitBody(s.svc.MaxImage()), s.uploadImage)
	f.Use(s.limitBody(DefaultMaxBody))
	f.Get("/healthz", s.healthz)
	f.Get("/readyz", s.readyz)
	f.Use("/assets", filesystem.New(filesystem.Config{Root: http.FS(assets.FS), MaxAge: 0}))
	f.Get("/favicon.ico", s.favicon)
	f.Get("/", s.home)
	f.Post("/boards", s.rateLimited(s.boardRate), s.createBoard)
	f.Post("/b/:id/rotate", s.rateLimited(s.linkRate), s.atOwner, s.replaceLinks)
	f.Get("/b/:id", s.boardPage(collab.RoleEditor))
	f.Get("/v/:id", s.boardPage(collab.RoleViewer))
	f.Get("/presence", s.presenceCounts)
	f.Get("/b/:id/presence", s.presence(collab.RoleEditor))
	f.Get("/v/:id/presence", s.presence(collab.RoleViewer))
	f.Get("/b/:id/images/:src", s.image(collab.RoleEditor))
	f.Get("/v/:id/images/:src", s.image(collab.RoleViewer))
	s.exportRoutes()
	f.Get("/b/:id/ws", s.wsUpgrade(collab.RoleEditor), s.wsHandler(collab.RoleEditor))
	f.Get("/v/:id/ws", s.wsUpgrade(collab.RoleViewer), s.wsHandler(collab.RoleViewer))
	f.Get(linkPath+":id", s.linkUpgrade, s.linkHandler())
	f.Use(s.notFound)
}
