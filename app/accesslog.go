package app

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/gofiber/fiber/v2"
)

// HeaderRequestID carries a request's id: taken from the request when a proxy in front
// set one, made up otherwise, and sent back with the response.
const HeaderRequestID = "X-Request-ID"

// requestID is the key of the request id in a request's Locals.
const requestID = "request_id"

// accessLog gives every request an id and, when the server has an access log, logs a
// line for it once answered: method, path (board ids redacted, see redactPath),
// status, bytes sent, time taken, client address and id. Errors are turned into
// responses here, so that the line has the status the client got.
func (s *Server) accessLog(c *fiber.Ctx) error {
	id := c.Get(HeaderRequestID)
	if !validRequestID(id) {
		id = newRequestID()
	}
	c.Locals(requestID, id)
	c.Set(HeaderRequestID, id)
	if s.access == nil {
		return c.Next()
	}
	start := time.Now()
	if err := c.Next(); err != nil {
		if err := s.handleError(c, err); err != nil {
			_ = c.SendStatus(fiber.StatusInternalServerError)
		}
	}
	resp := c.Response()
	size := resp.Header.ContentLength() // a streamed body's, without reading the stream
	if !resp.IsBodyStream() {
		size = len(resp.Body())
	}
	s.access.Info("request",
		"method", c.Method(), "path", redactPath(c.Path()), "status", resp.StatusCode(),
		"bytes", size, "ms", float64(time.Since(start).Microseconds())/1e3,
		"ip", c.IP(), "id", id)
	return nil
}

// validRequestID accepts ids of up to 64 letters, digits, '-', '_' and '.', so that a
// client's id cannot forge log lines or fill them.
func validRequestID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		ch := id[i]
		if !('a' <= ch && ch <= 'z' || 'A' <= ch && ch <= 'Z' || '0' <= ch && ch <= '9' || ch == '-' || ch == '_' || ch == '.') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return hex.EncodeToString(b[:])
}
