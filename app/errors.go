package app

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"tabula/collab/wire"
	"tabula/internal/metrics"
)

// statusOf maps a domain error code to an HTTP status.
func statusOf(code string) int {
	switch code {
	case wire.ENotFound:
		return fiber.StatusNotFound
	case wire.ETooBig:
		return fiber.StatusRequestEntityTooLarge
	case wire.ETrashed:
		return fiber.StatusGone
	case wire.EInternal:
		return fiber.StatusInternalServerError
	default:
		return fiber.StatusBadRequest
	}
}

// handleError is the one place errors become responses: domain errors by their code,
// Fiber errors by their status, anything else is logged and shown as "internal error".
// Browsers get a page; other clients get JSON.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	status, msg := fiber.StatusInternalServerError, "internal error"
	var fe *fiber.Error
	var ce *wire.Error
	switch {
	case errors.As(err, &ce):
		status, msg = statusOf(ce.Code), ce.Msg
	case errors.As(err, &fe):
		status, msg = fe.Code, fe.Message
	}
	switch status {
	case fiber.StatusRequestEntityTooLarge:
		metrics.Refuse("too_large")
	case fiber.StatusTooManyRequests:
		metrics.Refuse("too_many")
	}
	if status >= 500 {
		s.log.Error("request failed", "method", c.Method(), "path", redactPath(c.Path()), "id", c.Locals(requestID), "err", err)
		msg = "internal error"
	}
	// An error describes the board's state now (in the trash, not found, too big): a
	// cached 410 would still say "in the trash" after the board was restored.
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Status(status)
	if strings.Contains(c.Get(fiber.HeaderAccept), "text/html") {
		if status == fiber.StatusNotFound {
			msg = "Check that the link is complete, or start a new board."
		}
		if status == fiber.StatusGone {
			return c.Render("trashed", fiber.Map{"ID": c.Params("id"), "Message": msg})
		}
		return c.Render("notfound", fiber.Map{"Status": status, "Message": msg})
	}
	return c.JSON(fiber.Map{"error": msg})
}

func (s *Server) notFound(c *fiber.Ctx) error {
	return fiber.NewError(fiber.StatusNotFound, "not found")
}
