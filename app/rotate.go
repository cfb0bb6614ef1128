package app

import (
	"context"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"tabula/collab"
	"tabula/collab/wire"
)

// replaceLinks answers POST /b/{edit}/rotate?link=edit|view|both[&session=sid]
// (docs/protocol.md, "Replacing a link"): the board gets a new edit link, view link or
// both, and the old ones stop working at once for everyone on them. Only the edit id
// authorizes it. session names the asker's own WebSocket session, which stays
// connected. Answers the board's links now.
func (s *Server) replaceLinks(c *fiber.Ctx) error {
	var links collab.Links
	switch c.Query("link") {
	case "edit":
		links.Edit = true
	case "view":
		links.View = true
	case "both":
		links = collab.Links{Edit: true, View: true}
	default:
		return &wire.Error{Code: wire.EBadValue, Msg: "say which link to replace: link=edit, view or both"}
	}
	b, err := s.svc.ReplaceLinks(c.UserContext(), c.Params("id"), links, c.Query("session"))
	if err != nil {
		return err
	}
	s.log.Info("board links replaced", "board", collab.LogID(b.ID), "edit", links.Edit, "view", links.View)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{
		"id": b.EditID(), "view": b.ViewID,
		"editUrl": s.absolute(c, "/b/"+b.EditID()), "viewUrl": s.absolute(c, "/v/"+b.ViewID),
	})
}

// absolute turns a path into a URL on the host the request came to.
func (s *Server) absolute(c *fiber.Ctx, path string) string {
	return strings.TrimRight(c.BaseURL(), "/") + path
}

// linkWorks reports whether id still opens its board as role: it has not been replaced
// (or the board trashed, for a view link) since it was looked up.
func (s *Server) linkWorks(role collab.Role, id string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var err error
	if role == collab.RoleViewer {
		_, err = s.svc.BoardByView(ctx, id)
	} else {
		_, err = s.svc.Board(ctx, id)
	}
	return err == nil
}
