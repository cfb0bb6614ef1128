package app

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"tabula/collab/wire"
)

// DefaultMaxBody is the largest request body of every route but import and image
// upload: forms and small JSON.
const DefaultMaxBody = 64 << 10

// formSlack is room for a multipart form's boundaries and headers around a file.
const formSlack = 64 << 10

// Request bodies are streamed (Fiber's StreamRequestBody): the server reads only the
// headers before calling the handler, so a body is read by the route that accepts it, up
// to that route's limit, and a body nobody wants is never read at all. limitBody is the
// middleware that does the reading. Routes that need more than DefaultMaxBody are
// registered before the catch-all limitBody(DefaultMaxBody) with their own.
//
// limitBody refuses with 413 a body over limit, before reading it when its length is
// declared and as soon as the limit is passed when it is chunked. A body with a
// Content-Encoding (gzip, deflate or br, one of them) is decoded here, through a reader
// that stops at limit: a few kilobytes of gzip cannot unpack to gigabytes in memory.
// Stacked or unknown encodings are refused with 415. Afterwards the body is the decoded
// bytes and the Content-Encoding header is gone, so c.Body() and forms read it as is.
func (s *Server) limitBody(limit int) fiber.Handler {
	return func(c *fiber.Ctx) error {
		req := c.Request()
		n := req.Header.ContentLength()
		if n == 0 || n == -2 { // no body
			// Nor an encoding: Fiber's c.Body() would "decode" the empty body and
			// hand the handler the decoder's error text instead.
			req.Header.Del(fiber.HeaderContentEncoding)
			return c.Next()
		}
		if n > limit {
			return s.refuseBody(c, bodyTooLarge(limit))
		}
		enc := strings.ToLower(strings.TrimSpace(string(req.Header.Peek(fiber.HeaderContentEncoding))))
		var decode func(io.Reader) (io.Reader, error)
		switch enc {
		case "", "identity":
		case "gzip", "x-gzip":
			decode = func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }
		case "deflate":
			decode = func(r io.Reader) (io.Reader, error) { return zlib.NewReader(r) }
		case "br":
			decode = func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil }
		default:
			return s.refuseBody(c, fiber.NewError(fiber.StatusUnsupportedMediaType,
				"Content-Encoding must be one of gzip, deflate or br, applied once."))
		}
		raw, err := readAtMost(req.BodyStream(), limit)
		if err != nil {
			if errors.Is(err, errOverLimit) {
				return s.refuseBody(c, bodyTooLarge(limit))
			}
			return s.refuseBody(c, fiber.NewError(fiber.StatusBadRequest, "the request body could not be read"))
		}
		_ = req.CloseBodyStream() // read to its end
		if decode != nil {
			zr, err := decode(bytes.NewReader(raw))
			if err == nil {
				raw, err = readAtMost(zr, limit)
			}
			if errors.Is(err, errOverLimit) {
				return bodyTooLarge(limit)
			}
			if err != nil {
				return fiber.NewError(fiber.StatusBadRequest, "the request body is not valid "+enc)
			}
		}
		// Decoded, or identity however spelled (" ", "Identity"): either way what the
		// handler reads is the plain body, and c.Body() must not try to decode it again.
		req.Header.Del(fiber.HeaderContentEncoding)
		req.SetBodyRaw(raw)
		return c.Next()
	}
}

var errOverLimit = errors.New("over the limit")

// readAtMost reads r to its end, or fails with errOverLimit once more than limit bytes
// came. A nil r (no body stream) reads as empty.
func readAtMost(r io.Reader, limit int) ([]byte, error) {
	if r == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if n > int64(limit) {
		return nil, errOverLimit
	}
	return buf.Bytes(), nil
}

// refuseBody answers err without reading the rest of the body, and closes the
// connection afterwards: what is left of the body must not be read as the next request.
func (s *Server) refuseBody(c *fiber.Ctx, err error) error {
	c.Context().SetConnectionClose()
	return err
}

// bodyTooLarge says what the page shows a person whose file was refused ("The image was
// not added: …"), so it names the limit in their units.
func bodyTooLarge(limit int) error {
	return &wire.Error{Code: wire.ETooBig, Msg: fmt.Sprintf("The file is too large; the limit is %s.", sizeName(limit))}
}

// sizeName writes a byte count as people read it: 64 KiB, 5 MiB.
func sizeName(n int) string {
	if n < 1<<20 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
}

// closeUnread wraps the server's handler: a request whose body was left unread on the
// connection (a handler or Fiber itself answered without reaching limitBody, e.g. a
// foreign origin or an unknown method) ends its connection, so the rest of that body is
// never parsed as a request.
func closeUnread(next fasthttp.RequestHandler) fasthttp.RequestHandler {
	return func(ctx *fasthttp.RequestCtx) {
		next(ctx)
		if ctx.Request.BodyStream() != nil && ctx.Request.Header.ContentLength() != 0 {
			ctx.SetConnectionClose()
		}
	}
}
