package app

import (
	"bufio"
	"context"
	"net"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"tabula/collab/wire"
)

// atOwner runs a change that needs the board's room (trash, restore from the trash or
// of a version, new links) on the node that owns the board. On one node of many, a
// request for a board another node owns is sent there, with the client's address
// signed as for a forwarded WebSocket (wsforward.go), and the owner's answer is the
// client's. A request that was forwarded here is never sent on.
func (s *Server) atOwner(c *fiber.Ctx) error {
	if s.svc.Node() == "" {
		return c.Next()
	}
	if _, forwarded := s.forwardedClient(c); forwarded {
		return c.Next()
	}
	ctx, cancel := context.WithTimeout(c.UserContext(), dialOwner)
	defer cancel()
	b, err := s.svc.Board(ctx, c.Params("id"))
	if err != nil && wire.ErrorCode(err) != wire.ETrashed {
		return c.Next() // the handler answers it
	}
	r, err := s.svc.Route(ctx, b.ID)
	if err != nil || r.Local {
		return c.Next()
	}
	secret, err := s.svc.ClusterSecret(ctx)
	if err != nil {
		return fiber.NewError(fiber.StatusServiceUnavailable, "the board's server is unreachable; try again")
	}
	req := fasthttp.AcquireRequest()
	defer fasthttp.ReleaseRequest(req)
	resp := fasthttp.AcquireResponse()
	defer fasthttp.ReleaseResponse(resp)
	c.Request().CopyTo(req)
	path := string(c.Request().URI().PathOriginal())
	ip := s.clients.of(c)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	req.Header.Set(forwardClient, ip)
	req.Header.Set(forwardSig, ts+"."+forwardMAC(secret, ip, ts, path, ""))
	req.Header.SetConnectionClose()
	if err := sendToOwner(r.Addr, req, resp); err != nil {
		s.log.Warn("send a change to the board's owner", "addr", r.Addr, "err", err)
		return fiber.NewError(fiber.StatusServiceUnavailable, "the board's server is unreachable; try again")
	}
	resp.CopyTo(c.Response())
	return nil
}

// sendToOwner sends req to addr on a connection of its own and reads the answer. These
// changes are rare: a connection each keeps nothing open between them.
func sendToOwner(addr string, req *fasthttp.Request, resp *fasthttp.Response) error {
	conn, err := net.DialTimeout("tcp", addr, dialOwner)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(15 * time.Second))
	w := bufio.NewWriter(conn)
	if err := req.Write(w); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return resp.Read(bufio.NewReader(conn))
}

// clientOf is the client address of c for per-address limits: the one another node of
// ours vouched for, if it forwarded the request, else the one clientAddrs finds.
func (s *Server) clientOf(c *fiber.Ctx) string {
	if ip, ok := s.forwardedClient(c); ok {
		return ip
	}
	return s.clients.of(c)
}
