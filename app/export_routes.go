package app

import "tabula/collab"

// DefaultMaxImport is the largest board file accepted by POST /import.
const DefaultMaxImport = 32 << 20

// exportRoutes adds export, history and trash to the route table (routes.go).
func (s *Server) exportRoutes() {
	f := s.fiber
	f.Get("/b/:id/export.:format", s.export(collab.RoleEditor))
	f.Get("/v/:id/export.:format", s.export(collab.RoleViewer))
	f.Get("/b/:id/thumb.png", s.thumbnail(collab.RoleEditor))
	f.Get("/v/:id/thumb.png", s.thumbnail(collab.RoleViewer))
	f.Get("/b/:id/history", s.history(collab.RoleEditor))
	f.Get("/v/:id/history", s.history(collab.RoleViewer))
	f.Get("/b/:id/history/:seq", s.version(collab.RoleEditor))
	f.Get("/v/:id/history/:seq", s.version(collab.RoleViewer))
	f.Post("/b/:id/restore", s.atOwner, s.restore)
	f.Post("/b/:id/delete", s.atOwner, s.deleteBoard)
	f.Post("/b/:id/undelete", s.atOwner, s.undeleteBoard)
}
