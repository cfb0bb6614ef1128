package app

import (
	"runtime/debug"

	"github.com/gofiber/fiber/v2"

	"tabula/collab/wire"
)

// recoverPanics ends a request whose handler panicked with 500 "internal error" instead
// of the process, and logs the panic with its stack. It is the first middleware, so it
// covers every route, renders included (they run on the request's goroutine).
func (s *Server) recoverPanics(c *fiber.Ctx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("handler panicked", "method", c.Method(), "route", c.Route().Path, "panic", v, "stack", string(debug.Stack()))
			err = &wire.Error{Code: wire.EInternal, Msg: "internal error"}
		}
	}()
	return c.Next()
}

// logPanic, deferred first thing on a goroutine the server starts outside a request's
// handler (an event stream), stops a panic there from ending the process and logs it
// with its stack.
func (s *Server) logPanic(where string) {
	if v := recover(); v != nil {
		s.log.Error("panic", "in", where, "panic", v, "stack", string(debug.Stack()))
	}
}
